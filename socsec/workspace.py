"""Where socsec keeps its data, and the first-run initialisation from bundled data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from socsec.config import Settings

Notify = Callable[[str], None]


class Workspace(NamedTuple):  # not a dataclass: see socsec.config
    """The files of one socsec data dir.

    Layout (all under ``root``):
        thesaurus/            the thesaurus of record, one Turtle file per scheme
        thesaurus.sqlite      compiled lookup cache (rebuilt after every change)
        bibliography.sqlite   the bibliography store of record
        index.sqlite          the embedded search index (sqlite backend)
        config.toml           configuration file
    """

    root: Path
    settings: Settings

    @property
    def thesaurus_dir(self) -> Path:
        return self.root / "thesaurus"

    @property
    def thesaurus_lock(self) -> Path:
        """Held by every write to the thesaurus of record (imports, curation, undo)."""
        return self.root / "thesaurus.lock"

    @property
    def thesaurus_cache(self) -> Path:
        return self.root / "thesaurus.sqlite"

    @property
    def bibliography_db(self) -> Path:
        return self.root / "bibliography.sqlite"

    @property
    def index_db(self) -> Path:
        return self.root / "index.sqlite"

    @classmethod
    def open(cls, settings: Settings, *, on_notice: Notify | None = None) -> Workspace:
        """Open the data dir, initialising it from the bundled data on first use.

        Args:
            settings: resolved settings (their ``data_dir`` is the root).
            on_notice: called with a one-line message when something is initialised.
        """
        ws = cls(root=settings.data_dir, settings=settings)
        ws.root.mkdir(parents=True, exist_ok=True)
        ws.initialize(on_notice)
        return ws

    def initialize(self, on_notice: Notify | None = None) -> None:
        """Load the bundled thesaurus and sample bibliography into an empty data dir."""
        notify = on_notice or (lambda _msg: None)
        if not self.thesaurus_dir.exists():
            from socsec.thesaurus.bundle import initialize_thesaurus

            notify(initialize_thesaurus(self))
        else:  # finish a change that was interrupted, if any
            from socsec.thesaurus.journal import recover_at_start

            recover_at_start(self)
        if not self.bibliography_db.exists():
            from socsec.bibliography.bundle import initialize_bibliography

            notify(initialize_bibliography(self))
