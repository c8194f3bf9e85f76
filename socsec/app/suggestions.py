"""Subject suggestion use cases: apply a record's suggestions; the review queue, accept, reject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socsec.app.records import tag
from socsec.app.stores import bibliography
from socsec.app.uow import Outcome
from socsec.errors import InputDataError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from socsec.bibliography.model import Record
    from socsec.suggest.service import Notify, SuggestResult
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
    """Reject suggested concepts for a record.

    The machine-applied (not curated) tags among ``uris`` are removed (curated subjects and
    concepts the record lacks are left alone), and the rejection is remembered so the review
    queue does not suggest them again (``socsec.suggest.rejections``).

    Raises:
        NotFoundError: no such record.
    """
    from socsec.app.records import untag
    from socsec.bibliography.history import current_user
    from socsec.suggest import rejections

    with bibliography(ws) as store:
        record = store.get(record_id)
    rejections.add(ws, record.id, uris, current_user(ws.settings.get("user")))
    machine = {s.uri for s in record.subjects if not s.curated}
    drop = [u for u in dict.fromkeys(uris) if u in machine]
    if not drop:
        return Outcome(record)
    return untag(ws, record.id, drop)


def review(
    ws: Workspace,
    *,
    limit: int = 5,
    records: int | None = None,
    min_score: float = 0.0,
    after: str | None = None,
    on_notice: Notify | None = None,
) -> Iterator[SuggestResult]:
    """The review queue: records without subjects with their suggestions, less rejected ones.

    Args:
        ws: the data dir.
        limit: suggestions asked per record (before rejected ones are removed).
        records: stop after this many records.
        min_score: hide weaker suggestions.
        after: start after this record id (the queue is in id order).
        on_notice: called when the model must be trained or is stale.
    """
    import dataclasses

    from socsec.suggest import rejections
    from socsec.suggest.service import review_queue

    refused = rejections.rejected(ws)
    shown = 0
    for result in review_queue(ws, limit=limit, min_score=min_score, on_notice=on_notice):
        if after is not None and result.record_id <= after:  # the store walks ids in order
            continue
        kept = [s for s in result.suggestions if s.uri not in refused.get(result.record_id, ())]
        if not kept:
            continue
        if records is not None and shown >= records:
            return
        shown += 1
        yield dataclasses.replace(result, suggestions=kept)
