"""The bundled sample bibliography (NBER papers + EUR-Lex social acts) and first-run setup."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.bibliography.validate import ConceptChecker
    from socsec.workspace import Workspace

SAMPLE_NAME = "sample-bibliography.csljson.gz"
SAMPLE_PROVENANCE = (
    "Sample bibliography bundled with socsec (built by socsec/data/build_sample.py): "
    "1,610 NBER working papers on social security topics (bldavies/nberwp d57fbc5e, CC0 1.0) "
    "and 192 EU legal acts in the social field with their gold EuroVoc subjects "
    "(NihedB/EUR-Lex-Triples c280d4da, CC BY 4.0, content (c) European Union, "
    "https://eur-lex.europa.eu); subjects are EuroVoc concepts ((c) European Union); the "
    "NBER papers' subjects are automatic (socsec's suggestion model, trained on the acts)."
)


def sample_path() -> Path:
    """Path of the bundled sample inside the installed package."""
    return Path(str(files("socsec.data") / SAMPLE_NAME))


def initialize_bibliography(ws: Workspace, checker: ConceptChecker | None) -> str:
    """Create the bibliography store and load the bundled sample; returns a one-line notice.

    Args:
        ws: the data dir.
        checker: the thesaurus the sample's subjects are checked against (unknown ones are
            dropped); None keeps none.
    """
    from socsec.bibliography.service import import_file
    from socsec.bibliography.store import get_store

    with get_store(ws) as store:
        report = import_file(
            store,
            sample_path(),
            fmt="csljson",
            checker=checker,
            drop_unknown_subjects=True,
        )
        store.set_meta("sample", SAMPLE_PROVENANCE)
    return (
        f"Initialised the bibliography in {ws.bibliography_db} with the bundled sample "
        f"({report.created} records: NBER working papers, CC0; EUR-Lex acts, CC BY 4.0). "
        "See: socsec bib info"
    )
