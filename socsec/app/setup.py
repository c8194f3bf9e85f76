"""Opening a data dir, and filling an empty one from the bundled data on first use."""

from __future__ import annotations

from collections.abc import Callable

from socsec.config import Settings
from socsec.workspace import Workspace

Notify = Callable[[str], None]


def open_workspace(settings: Settings, *, on_notice: Notify | None = None) -> Workspace:
    """Open the data dir, initialising it from the bundled data on first use.

    Args:
        settings: resolved settings (their ``data_dir`` is the root).
        on_notice: called with a one-line message when something is initialised.
    """
    ws = Workspace(root=settings.data_dir, settings=settings)
    ws.root.mkdir(parents=True, exist_ok=True)
    initialize(ws, on_notice)
    return ws


def initialize(ws: Workspace, on_notice: Notify | None = None) -> None:
    """Load the bundled thesaurus, then the sample bibliography, into an empty data dir.

    The thesaurus comes first: the sample's subjects are checked against it.
    """
    notify = on_notice or (lambda _msg: None)
    if not ws.thesaurus_dir.exists():
        from socsec.thesaurus.bundle import initialize_thesaurus

        notify(initialize_thesaurus(ws))
    else:  # finish or discard a thesaurus change that was interrupted (kill -9), if any
        from socsec.thesaurus.journal import needs_attention, recover

        if needs_attention(ws):  # the re-tagging machinery is imported only then
            from socsec.app.retagging import BibliographyTags

            recover(ws, records=BibliographyTags(ws))
    if not ws.bibliography_db.exists():
        from socsec.app.stores import thesaurus_checker
        from socsec.bibliography.bundle import initialize_bibliography

        with thesaurus_checker(ws) as checker:
            notify(initialize_bibliography(ws, checker))
