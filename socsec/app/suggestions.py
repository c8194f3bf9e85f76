"""Subject suggestion use cases that write: apply a record's suggestions; accept, reject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socsec.app.stores import bibliography, thesaurus_checker
from socsec.app.uow import Outcome, UnitOfWork
from socsec.bibliography.model import Subject
from socsec.errors import InputDataError

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.suggest.service import SuggestResult
    from socsec.workspace import Workspace


def apply(
    ws: Workspace, result: SuggestResult, *, min_score: float = 0.0, model: str | None = None
) -> Outcome[tuple[Record, list[str]]]:
    """Give the record the suggestions scoring at least ``min_score`` as automatic subjects.

    They join the record's automatic subjects (with their score, method and ``model``
    version); concepts it holds already, or that were rejected for it, are left out.
    Returns the updated record and the URIs added.

    Raises:
        InputDataError: the result is not about a stored record.
    """
    if not result.record_id:
        raise InputDataError("only the suggestions for a stored record can be applied")
    uow = UnitOfWork(ws)
    with bibliography(ws) as store:
        record = store.get(result.record_id)
        present = {s.uri for s in record.subjects}
        refused = store.rejected([record.id]).get(record.id, set())
        new = [
            Subject(s.uri, "automatic", round(s.score, 4), result.method, model)
            for s in result.suggestions
            if s.score >= min_score and s.uri not in present and s.uri not in refused
        ]
        automatic = [s for s in record.subjects if s.provenance == "automatic"]
        if new:
            store.assign_automatic({record.id: automatic + new}, source="suggest --apply")
            uow.records_changed = True
        record = store.get(record.id)
    return Outcome((record, [s.uri for s in new]), uow.finish())


def review(
    ws: Workspace, record_id: str, *, accept: Sequence[str] = (), reject: Sequence[str] = ()
) -> Outcome[Record]:
    """Record a librarian's verdict: accepted concepts become ``accepted`` subjects, rejected
    automatic ones are removed and never assigned to this record again.

    Raises:
        NotFoundError: no such record.
        ValidationFailed: a concept both accepted and rejected.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        record = store.review(record_id, accept=list(accept), reject=list(reject), checker=checker)
    uow.records_changed = bool(accept or reject)
    return uow.outcome(record)


def accept(ws: Workspace, record_id: str, uris: Sequence[str]) -> Outcome[Record]:
    """Give a record the concepts a librarian accepted (provenance ``accepted``)."""
    return review(ws, record_id, accept=uris)


def reject(ws: Workspace, record_id: str, uris: Sequence[str]) -> Outcome[Record]:
    """Reject suggested concepts for a record: automatic ones are removed, and every one is
    remembered so neither automatic indexing nor the review queue offers it again.
    """
    return review(ws, record_id, reject=uris)
