"""Record use cases: add, edit, delete, tag, untag, merge, import; each keeps the index current."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from socsec.app.stores import bibliography, thesaurus_checker
from socsec.app.uow import Outcome, UnitOfWork
from socsec.config import is_true

if TYPE_CHECKING:
    from socsec.bibliography.formats import Source
    from socsec.bibliography.history import ChangeInfo
    from socsec.bibliography.model import Provenance, Record
    from socsec.bibliography.store import ImportReport, ProgressFn
    from socsec.workspace import Workspace


def add(ws: Workspace, record: Record) -> Outcome[Record]:
    """Add one record (its subjects checked against the thesaurus).

    Raises:
        InputDataError: invalid record or unknown subject; nothing written.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        saved = store.add(record, checker)
    uow.records_changed = True
    return uow.outcome(saved)


def edit(ws: Workspace, record_id: str, changes: Mapping[str, object]) -> Outcome[Record]:
    """Change fields of a record (an empty string clears a field).

    Raises:
        NotFoundError: no such record.
        InputDataError: unknown field or invalid result; nothing written.
    """
    from socsec.bibliography.service import edit_record

    uow = UnitOfWork(ws)
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        saved = edit_record(store, record_id, dict(changes), checker)
    uow.records_changed = True
    return uow.outcome(saved)


def delete(ws: Workspace, record_id: str) -> Outcome[Record]:
    """Delete a record; returns it as it was.

    Raises:
        NotFoundError: no such record.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store:
        record = store.get(record_id)
        store.delete(record.id)
    uow.records_changed = True
    return uow.outcome(record)


def tag(
    ws: Workspace, record_id: str, uris: Sequence[str], *, provenance: Provenance = "manual"
) -> Outcome[Record]:
    """Tag a record with concepts, as ``provenance`` (manual: a librarian's).

    Raises:
        NotFoundError: no such record.
        InputDataError: a concept not in the thesaurus.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        record = store.tag(record_id, list(uris), provenance=provenance, checker=checker)
    uow.records_changed = True
    return uow.outcome(record)


def untag(ws: Workspace, record_id: str, uris: Sequence[str]) -> Outcome[Record]:
    """Remove subject concepts from a record.

    Raises:
        NotFoundError: no such record.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store:
        record = store.untag(record_id, list(uris))
    uow.records_changed = True
    return uow.outcome(record)


def merge(ws: Workspace, keep: str, other: str) -> Outcome[Record]:
    """Merge ``other`` into ``keep``: fields filled, subjects united, ``other`` an alias.

    Raises:
        NotFoundError: either record is unknown.
    """
    uow = UnitOfWork(ws)
    with bibliography(ws) as store:
        record = store.merge(keep, other)
    uow.records_changed = True
    return uow.outcome(record)


def import_file(
    ws: Workspace,
    source: Source,
    *,
    fmt: str | None = None,
    skip_invalid: bool = False,
    drop_unknown_subjects: bool = False,
    strict: bool = False,
    on_conflict: str = "report",
    on_progress: ProgressFn | None = None,
    auto_subjects: bool | None = None,
) -> Outcome[ImportReport]:
    """Import a file of records: all or nothing, or every valid record with ``skip_invalid``.

    Messy values are normalised with warnings (``strict`` refuses them); stored records get
    their empty fields filled and differing values resolved by ``on_conflict``
    (keep, incoming or report). Records written without any subject then get automatic
    subjects (:mod:`socsec.app.autoindex`) when ``auto_subjects`` (default: the
    ``autoindex.on_import`` setting); the report's ``auto_indexed`` counts them.

    Raises:
        InputDataError: with file and line or record number; nothing was written.
    """
    from socsec.bibliography.service import import_file as run

    uow = UnitOfWork(ws)
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        report = run(
            store,
            source,
            fmt=fmt,
            checker=checker,
            skip_invalid=skip_invalid,
            drop_unknown_subjects=drop_unknown_subjects,
            strict=strict,
            on_conflict=on_conflict,
            on_progress=on_progress,
        )
    uow.records_changed = bool(report.created or report.updated)
    if auto_subjects is None:
        auto_subjects = is_true(ws.settings.get("autoindex.on_import"))
    if auto_subjects and report.created and report.change_id is not None:
        _auto_subjects(ws, report, uow)
    return uow.outcome(report)


def _auto_subjects(ws: Workspace, report: ImportReport, uow: UnitOfWork) -> None:
    """Automatic subjects for the records the import created without any subject (a warning
    when the model cannot be had).
    """
    from socsec.app import autoindex
    from socsec.errors import ConfigError, NotFoundError

    assert report.change_id is not None
    with bibliography(ws) as store:
        created = store.created_by(report.change_id)
        bare = [r.id for r in store.iter_records(created) if not r.subjects]
    if not bare:
        return
    try:
        done = autoindex.assign(ws, bare)
    except (ConfigError, NotFoundError) as exc:
        uow.warnings.append(f"no automatic subjects were assigned: {exc}")
        return
    report.auto_indexed = done.with_automatic


def undo_import(ws: Workspace, source: str | None = None) -> Outcome[ChangeInfo]:
    """Undo the last import (of ``source`` when given) as a whole.

    Raises:
        NotFoundError: no such import.
        ValidationFailed: a record it wrote was changed since; nothing undone.
    """
    from socsec.bibliography.service import undo_import as run

    uow = UnitOfWork(ws, records_changed=True)
    with bibliography(ws) as store:
        change = run(store, source)
    return uow.outcome(change)
