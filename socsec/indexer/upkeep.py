"""Index upkeep after a write: bring a built index up to date, or say why it is stale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from socsec.errors import BackendUnavailable
from socsec.indexer.service import SearchService

if TYPE_CHECKING:
    from socsec.workspace import Workspace


def sync_index(ws: Workspace) -> str | None:
    """Bring a built index up to date after the bibliography changed.

    An index that was never built is left alone (the first search builds it). Returns None
    when the index is current, else a one-line reason why it is now stale and how to fix it:
    the store write has already happened, so an unreachable server must not undo it.
    """
    try:
        with SearchService.open(ws) as service:
            if "last_build" not in service.backend.info().meta:
                return None
            service.update()
    except BackendUnavailable as exc:
        return (
            f"the search index is now stale ({exc.message}); when it is back: socsec index update"
        )
    return None
