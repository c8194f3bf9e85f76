"""Subject suggestion use cases that write: apply a record's suggestions, accept a review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socsec.app.records import tag
from socsec.app.stores import bibliography
from socsec.app.uow import Outcome
from socsec.errors import InputDataError

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.suggest.service import SuggestResult
    from socsec.workspace import Workspace


def apply(
    ws: Workspace, result: SuggestResult, *, min_score: float = 0.0
) -> Outcome[tuple[Record, list[str]]]:
    """Tag the record with the suggestions scoring at least ``min_score``, as not curated.

    Returns the updated record and the URIs added (those already present are left alone).

    Raises:
        InputDataError: the result is not about a stored record.
    """
    if not result.record_id:
        raise InputDataError("only the suggestions for a stored record can be applied")
    with bibliography(ws) as store:
        present = {s.uri for s in store.get(result.record_id).subjects}
    uris = [s.uri for s in result.suggestions if s.score >= min_score and s.uri not in present]
    done = tag(ws, result.record_id, uris, curated=False)
    return Outcome((done.value, uris), done.warnings)


def accept(ws: Workspace, record_id: str, uris: Sequence[str]) -> Outcome[Record]:
    """Tag a record with the concepts a librarian accepted (curated)."""
    return tag(ws, record_id, uris, curated=True)


def reject(ws: Workspace, record_id: str, uris: Sequence[str]) -> Outcome[Record]:
    """Reject suggested concepts: the machine-applied (not curated) tags among ``uris`` are
    removed; curated subjects and concepts the record lacks are left alone.

    Raises:
        NotFoundError: no such record.
    """
    from socsec.app.records import untag

    with bibliography(ws) as store:
        record = store.get(record_id)
    machine = {s.uri for s in record.subjects if not s.curated}
    drop = [u for u in dict.fromkeys(uris) if u in machine]
    if not drop:
        return Outcome(record)
    return untag(ws, record.id, drop)
