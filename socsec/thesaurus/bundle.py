"""The bundled starter thesaurus (EuroVoc social protection extract) and first-run setup."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.workspace import Workspace

BUNDLED_NAME = "eurovoc-social-protection.ttl"


def bundled_path() -> Path:
    """Path of the bundled EuroVoc extract inside the installed package."""
    return Path(str(files("socsec.data") / BUNDLED_NAME))


def initialize_thesaurus(ws: Workspace) -> str:
    """Import the bundled thesaurus into an empty data dir; returns a one-line notice."""
    from socsec.thesaurus.manage import import_file

    report = import_file(ws, bundled_path(), replace=True)
    return (
        f"Initialised the thesaurus in {ws.thesaurus_dir} from the bundled EuroVoc extract "
        f"({report.concepts} concepts, {len(report.schemes)} schemes; EuroVoc, (c) European Union)."
    )
