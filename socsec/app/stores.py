"""Opening the stores a use case needs, closed when it ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace


@contextmanager
def thesaurus_checker(ws: Workspace) -> Iterator[ThesaurusCache | None]:
    """The thesaurus cache for subject checks, or None when the data dir has no thesaurus."""
    if not ws.thesaurus_cache.exists() and not ws.thesaurus_dir.exists():
        yield None
        return
    from socsec.thesaurus.lookup import get_cache

    cache = get_cache(ws)
    try:
        yield cache
    finally:
        cache.close()


@contextmanager
def bibliography(ws: Workspace) -> Iterator[BibliographyStore]:
    """The bibliography store of record."""
    from socsec.bibliography.store import get_store

    store = get_store(ws)  # with the user the field history names
    try:
        yield store
    finally:
        store.close()
