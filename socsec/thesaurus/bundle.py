"""The bundled starter thesaurus (EuroVoc social protection extract) and first-run setup."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.workspace import Workspace

BUNDLED_NAME = "eurovoc-social-protection.ttl"
# Non-preferred terms of the same concepts from the UNESCO Thesaurus (CC BY-SA 3.0 IGO): a
# separate file under its own licence, imported after the extract (socsec/data/README.md).
ADDON_NAME = "unesco-labels-socprot.ttl"


def bundled_path() -> Path:
    """Path of the bundled EuroVoc extract inside the installed package."""
    return Path(str(files("socsec.data") / BUNDLED_NAME))


def addon_path() -> Path:
    """Path of the bundled UNESCO add-on (alternative labels of the extract's concepts)."""
    return Path(str(files("socsec.data") / ADDON_NAME))


def initialize_thesaurus(ws: Workspace) -> str:
    """Import the bundled thesaurus (extract, then add-on) into an empty data dir.

    Returns:
        A one-line notice naming the sources and their attributions.
    """
    import tempfile

    from socsec.thesaurus.manage import import_file

    # One import of both files: the first state of the store, not a change in its history
    # (a second import would be an undoable entry before the user did anything).
    with tempfile.TemporaryDirectory() as tmp:
        both = Path(tmp) / BUNDLED_NAME
        both.write_bytes(bundled_path().read_bytes() + b"\n" + addon_path().read_bytes())
        report = import_file(ws, both, replace=True)
    return (
        f"Initialised the thesaurus in {ws.thesaurus_dir} from the bundled EuroVoc extract "
        f"({report.concepts} concepts, {len(report.schemes)} schemes; EuroVoc, (c) European Union)"
        " with non-preferred terms from the UNESCO Thesaurus ((c) UNESCO, CC BY-SA 3.0 IGO)."
    )
