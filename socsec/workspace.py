"""Where socsec keeps its data: the paths of one data dir (filled by ``socsec.app.setup``)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from socsec.config import Settings


class Workspace(NamedTuple):  # not a dataclass: see socsec.config
    """The files of one socsec data dir.

    Layout (all under ``root``):
        thesaurus/            the thesaurus of record, one Turtle file per scheme
        thesaurus.sqlite      compiled lookup cache (rebuilt after every change)
        bibliography.sqlite   the bibliography store of record
        index.sqlite          the embedded search index (sqlite backend)
        accounts.sqlite       users, API tokens and web sessions (team service)
        config.toml           configuration file
    """

    root: Path
    settings: Settings

    @property
    def thesaurus_dir(self) -> Path:
        """The thesaurus of record: one Turtle file per scheme."""
        return self.root / "thesaurus"

    @property
    def thesaurus_lock(self) -> Path:
        """Held by every write to the thesaurus of record (imports, curation, undo)."""
        return self.root / "thesaurus.lock"

    @property
    def thesaurus_cache(self) -> Path:
        """The compiled lookup cache of the thesaurus."""
        return self.root / "thesaurus.sqlite"

    @property
    def bibliography_db(self) -> Path:
        """The bibliography store of record."""
        return self.root / "bibliography.sqlite"

    @property
    def index_db(self) -> Path:
        """The embedded search index (sqlite backend)."""
        return self.root / "index.sqlite"

    @property
    def index_lock(self) -> Path:
        """Held by every index rebuild or update (whichever backend), one at a time."""
        return self.root / "index.lock"

    @property
    def accounts_db(self) -> Path:
        """Users, password hashes, API token hashes and web sessions."""
        return self.root / "accounts.sqlite"
