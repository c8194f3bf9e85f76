"""Importing records into the store: matching (id, alias, DOI, ISBN), the merge-aware update
rules, lenient normalisation with warnings, the import report and the undo of an import.

The store (:mod:`socsec.bibliography.store`) keeps the SQLite plumbing; this module decides
what an import writes.
"""

from __future__ import annotations

import dataclasses
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from socsec.bibliography import history
from socsec.bibliography.codec import record_from_dict, record_to_dict
from socsec.bibliography.ids import citation_key
from socsec.bibliography.limits import MAX_FIELD_CHARS, too_long
from socsec.bibliography.merging import FieldConflict, OnConflict, combine
from socsec.bibliography.model import Record
from socsec.bibliography.normalize import Fix, normalize_record
from socsec.bibliography.validate import ConceptChecker, RememberingChecker, validate
from socsec.errors import InputDataError, NotFoundError, ValidationFailed

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore

ProgressFn = Callable[[int], None]
Status = Literal["created", "updated", "unchanged", "conflicted"]
IMPORT_BATCH = 500  # records an import looks up with one query and inserts with one statement
# An import writes records, subjects, history rows and their indexes in one transaction: with
# SQLite's default 2 MiB page cache their pages spill to the WAL and are read back (measured:
# about 5% of a CSL-JSON import's CPU time). The cache only grows as pages are used.
IMPORT_CACHE_KIB = 64 * 1024
INSERT_RECORD = (
    "INSERT INTO records (type, title, year, doi, isbn, language, data, created, modified, id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SUBJECT = (
    "INSERT INTO subjects (record_id, uri, provenance, score, method, model, position) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
SubjectRow = tuple[str, str, str, float | None, str | None, str | None, int]


@dataclass(frozen=True)
class Located:
    """A record read from a file, with its 1-based record number, line when known, and the
    normalisations the reader applied.
    """

    record: Record
    number: int
    line: int | None = None
    fixes: tuple[Fix, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """A record left out by ``--skip-invalid``."""

    number: int | None
    line: int | None
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ValueWarning:
    """A value normalised on import, with where the record is."""

    source: str
    number: int
    line: int | None
    id: str | None
    field: str
    original: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"record {self.number}"
        return f"{self.source}, {where} ({self.id or 'no id'}): {self.message}"


@dataclass(frozen=True)
class Conflict:
    """A stored value that differs from the incoming one, and what the import did."""

    number: int
    line: int | None
    id: str
    incoming_id: str
    field: str
    stored: Any
    incoming: Any
    resolution: str  # "kept" (nothing or the stored value kept) or "incoming"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


@dataclass
class ImportReport:
    """Counts of an import; ``ids`` holds the ids written (created or updated)."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[ValueWarning] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    change_id: int | None = None
    auto_indexed: int = 0  # records given automatic subjects after the import

    @property
    def total(self) -> int:
        """Records read without error."""
        return self.created + self.updated + self.unchanged + self.conflicted

    def to_dict(self, details: bool = False) -> dict[str, object]:
        """JSON-ready summary (``details``: with the warnings, conflicts and rejections)."""
        out: dict[str, object] = {
            "source": self.source,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicted": self.conflicted,
            "rejected": len(self.rejected),
            "warnings": len(self.warnings),
            "conflicts": len(self.conflicts),
            "change": self.change_id,
            "auto_indexed": self.auto_indexed,
        }
        if details:
            out["warning_list"] = [w.to_dict() for w in self.warnings]
            out["conflict_list"] = [c.to_dict() for c in self.conflicts]
            out["rejected_records"] = [r.to_dict() for r in self.rejected]
        return out


@dataclass
class ImportOptions:
    """How an import treats what it reads."""

    skip_invalid: bool = False
    strict: bool = False
    on_conflict: OnConflict = OnConflict.report


class _Importer:
    """One import, in one transaction of the store."""

    def __init__(
        self,
        store: BibliographyStore,
        source: str,
        options: ImportOptions,
        checker: ConceptChecker | None,
    ) -> None:
        self.store = store
        self.db = store._conn
        self.source = source
        self.options = options
        self.checker = RememberingChecker(checker) if checker is not None else None
        self.report = ImportReport(source=source)
        self.stamp = history_stamp()
        self.change = 0
        self.queue = _InsertQueue()
        self.no_aliases = self.no_deletions = False
        self.history: list[tuple[Any, ...]] = []

    # -- errors and warnings ------------------------------------------------------------------
    def refuse(self, item: Located, reason: str) -> None:
        if not self.options.skip_invalid:
            unit = "line" if item.line is not None else "record"
            raise InputDataError(
                f"record {item.number}"
                + (f" ({item.record.id})" if item.record.id else "")
                + f": {reason}",
                path=self.source,
                line=item.line if item.line is not None else item.number,
                unit=unit,
            ) from None
        self.report.rejected.append(
            Rejection(item.number, item.line, item.record.id or None, reason)
        )

    def prepare(self, item: Located) -> Record | None:
        """The record normalised and validated, or None when refused."""
        too_big = _longest_field(item.record)
        if too_big is not None:
            name, size = too_big
            self.refuse(item, too_long(f"field {name!r}", size, MAX_FIELD_CHARS))
            return None
        record, fixes = normalize_record(item.record)
        all_fixes = (*item.fixes, *fixes)
        if all_fixes and self.options.strict:
            self.refuse(item, f"{all_fixes[0].message} (refused by --strict)")
            return None
        try:
            record = validate(record, self.checker)
        except InputDataError as exc:
            self.refuse(item, exc.reason)
            return None
        for fix in all_fixes:
            self.report.warnings.append(
                ValueWarning(
                    self.source,
                    item.number,
                    item.line,
                    item.record.id or None,
                    fix.field,
                    fix.original,
                    fix.message,
                )  # fmt: skip
            )
        return record

    # -- matching and writing ------------------------------------------------------------------
    def run(self, located: Iterable[Located], on_progress: ProgressFn | None) -> ImportReport:
        def empty(table: str) -> bool:
            return self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None

        with self.store._tx(), _page_cache(self.db, IMPORT_CACHE_KIB):
            self.change = history.begin(self.db, "import", self.source, self.stamp, self.store.user)
            self.report.change_id = self.change
            self.no_aliases, self.no_deletions = empty("aliases"), empty("deletions")
            batch: list[tuple[Located, Record]] = []
            for item in located:
                # Validated on reading, so that the first error is still the first in the file.
                record = self.prepare(item)
                if record is not None:
                    batch.append((item, record))
                if len(batch) >= IMPORT_BATCH:
                    self.save(batch, on_progress)
                    batch = []
            if batch:
                self.save(batch, on_progress)
            self.flush()
        return self.report

    def save(self, batch: list[tuple[Located, Record]], on_progress: ProgressFn | None) -> None:
        # One query tells which records of the batch may already be stored; the others are
        # inserted together when the batch ends.
        taken = self.taken(record for _, record in batch)
        current = True  # taken still describes the store
        for item, record in batch:
            if current and self.queue.surely_new(record, taken):
                saved, status = self.insert(record), "created"
            else:
                saved, status = self.upsert(item, record)
                # An update may add a DOI or ISBN: the rest are looked up anew.
                current = current and status != "updated"
            setattr(self.report, status, getattr(self.report, status) + 1)
            if status in ("created", "updated"):
                self.report.ids.append(saved.id)
        self.flush()
        self.queue.keys.clear()  # taken is looked up anew for the next batch
        if on_progress is not None:
            on_progress(len(batch))

    def flush(self) -> None:
        if self.queue.rows:
            # The queued records get the rowids after the last one, in the order queued: their
            # history rows are made from those rows (no list of ids to send and parse again).
            last = self.db.execute("SELECT coalesce(max(rowid), 0) FROM records").fetchone()[0]
            self.queue.flush(self.db, self.no_deletions)
            # Created rows first: a record's creation always precedes its changes.
            history.write_created(self.db, self.change, last)
        if self.history:
            history.write_rows(self.db, self.history)
            self.history = []

    def taken(self, records: Iterable[Record]) -> set[str]:
        """Those of the records' ids, DOIs and ISBNs that the store has (ids also as
        aliases): a record with none of them is new.
        """
        ids: list[str] = []
        dois: list[str] = []
        isbns: list[str] = []
        for record in records:
            ids.append(record.id)
            if record.doi:
                dois.append(record.doi)
            if record.isbn:
                isbns.append(record.isbn)
        queries = [("SELECT id FROM records WHERE id IN ", ids)]
        if not self.no_aliases:
            queries.append(("SELECT alias FROM aliases WHERE alias IN ", ids))
        if dois:
            queries.append(("SELECT doi FROM records WHERE doi IN ", dois))
        if isbns:
            queries.append(("SELECT isbn FROM records WHERE isbn IN ", isbns))
        found: set[str] = set()
        for sql, values in queries:
            for start in range(0, len(values), IMPORT_BATCH):
                chunk = values[start : start + IMPORT_BATCH]
                rows = self.db.execute(f"{sql}({','.join('?' * len(chunk))})", chunk)
                found.update(r[0] for r in rows)
        return found

    def match(self, record: Record) -> tuple[str | None, bool]:
        """The stored id the record matches, and whether it matched through an alias."""
        if record.id:
            if self.store._find(record.id) is not None:
                return record.id, False
            if not self.no_aliases:
                row = self.db.execute(
                    "SELECT record_id FROM aliases WHERE alias = ?", (record.id,)
                ).fetchone()
                if row is not None:
                    return str(row[0]), True
        for column, value in (("doi", record.doi), ("isbn", record.isbn)):
            if value:
                row = self.db.execute(
                    f"SELECT id FROM records WHERE {column} = ? ORDER BY id LIMIT 1", (value,)
                ).fetchone()
                if row is not None:
                    return str(row[0]), False
        return None, False

    def upsert(self, item: Located, record: Record) -> tuple[Record, Status]:
        if self.queue.clashes(record):
            self.flush()  # the lookups must see them
        rid, via_alias = self.match(record)
        if rid is None and not record.id:
            # A generated key matching a record with the same title is the same record.
            base = citation_key(record)
            candidate, n = base, 0
            while True:
                row = self.db.execute(
                    "SELECT title FROM records WHERE id = ?", (candidate,)
                ).fetchone()
                if row is None:
                    break
                if str(row[0]).casefold() == record.title.casefold():
                    rid = candidate
                    break
                n += 1
                candidate = f"{base}{suffix(n)}"
            if rid is None:
                record = dataclasses.replace(record, id=candidate)
        if rid is None:
            return self.insert(record), "created"
        old = self.store.get(rid)
        # Through an alias the record was merged into a survivor: never overwrite it.
        policy = self.options.on_conflict
        if via_alias and policy is OnConflict.incoming:
            policy = OnConflict.keep
        new, conflicts = combine(old, record, policy)
        resolution = "incoming" if policy is OnConflict.incoming else "kept"
        for c in conflicts:
            self.report.conflicts.append(
                Conflict(
                    item.number,
                    item.line,
                    old.id,
                    record.id,
                    c.field,
                    c.stored,
                    c.incoming,
                    resolution,
                )  # fmt: skip
            )
        if conflicts and policy is OnConflict.report:
            return old, "conflicted"
        if new == old:
            return old, "unchanged"
        self.store._write(new, created=old.created or self.stamp, modified=self.stamp, new=False)
        self.history.extend(history.diff_rows(self.change, old, new))
        return new, "updated"

    def insert(self, record: Record) -> Record:
        if not record.id:
            base = citation_key(record)
            candidate, n = base, 0
            while self.store._find(candidate) is not None:
                n += 1
                candidate = f"{base}{suffix(n)}"
            record = dataclasses.replace(record, id=candidate)
        row, subjects = self.store._row(record, created=self.stamp, modified=self.stamp)
        self.queue.add(record, row, subjects)
        return record


_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(Record) if f.type in ("str", "str | None"))
_texts = operator.attrgetter(*_TEXT_FIELDS)


def _longest_field(record: Record) -> tuple[str, int] | None:
    """The first text value over :data:`MAX_FIELD_CHARS` (name, length), if any.

    Runs on every imported record: the (usual) record within bounds is passed by C-level
    sums of its text lengths (no value is longer than their sum; summing small ints is
    faster than comparing them for a maximum, and the record's own fields are summed apart
    from its usually empty extra and keywords). Only a record whose texts add up to more
    is walked field by field, to name the value that is too long if one is.
    """
    total = sum(map(len, filter(None, _texts(record))))
    if record.extra:
        total += sum(map(len, record.extra.values()))
    if record.keywords:
        total += sum(map(len, record.keywords))
    if total <= MAX_FIELD_CHARS:
        return None
    for name, value in vars(record).items():
        if value.__class__ is str and len(value) > MAX_FIELD_CHARS:
            return name, len(value)
    for key, value in record.extra.items():
        if len(value) > MAX_FIELD_CHARS:
            return f"extra.{key}", len(value)
    for i, keyword in enumerate(record.keywords):
        if len(keyword) > MAX_FIELD_CHARS:
            return f"keywords[{i}]", len(keyword)
    return None


@contextmanager
def _page_cache(db: sqlite3.Connection, kib: int) -> Iterator[None]:
    """The connection's page cache raised to ``kib`` KiB for a while, then restored."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {int(before)}")


def history_stamp() -> str:
    """The time of a change (the store's timestamp format)."""
    from socsec.bibliography.store import now_iso

    return now_iso()


class _InsertQueue:
    """New records of an import, written by one statement per table and batch.

    Lookups do not see them: a record that shares an id, DOI or ISBN with one of them
    (or has no id, as its generated key is looked up) flushes the queue first. ``keys``
    outlives a flush until the batch ends, as the batch's ``taken`` lacks them.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.subjects: list[SubjectRow] = []
        self.keys: set[str] = set()

    def add(self, record: Record, row: tuple[Any, ...], subjects: list[SubjectRow]) -> None:
        self.rows.append(row)
        self.subjects.extend(subjects)
        self.keys.update(filter(None, (record.id, record.doi, record.isbn)))

    def surely_new(self, record: Record, taken: set[str]) -> bool:
        """Whether the record matches nothing stored (``taken``: the stored keys of its
        batch) nor queued, so that it can be inserted without a lookup of its own.
        """
        keys = (record.id, record.doi, record.isbn)
        return bool(record.id) and taken.isdisjoint(keys) and self.keys.isdisjoint(keys)

    def clashes(self, record: Record) -> bool:
        """Whether the lookups for this record could miss a queued record."""
        return bool(self.rows) and (
            not record.id or not self.keys.isdisjoint((record.id, record.doi, record.isbn))
        )

    def flush(self, db: sqlite3.Connection, no_deletions: bool) -> None:
        if not self.rows:
            return
        db.executemany(INSERT_RECORD, self.rows)
        if self.subjects:
            db.executemany(INSERT_SUBJECT, self.subjects)
        if not no_deletions:
            db.executemany("DELETE FROM deletions WHERE id = ?", [(r[-1],) for r in self.rows])
        self.rows, self.subjects = [], []


def import_records(
    store: BibliographyStore,
    located: Iterable[Located],
    *,
    source: str,
    checker: ConceptChecker | None = None,
    options: ImportOptions | None = None,
    parse_errors: list[InputDataError] | None = None,
    on_progress: ProgressFn | None = None,
) -> ImportReport:
    """Import records in one transaction: all or nothing unless ``options.skip_invalid``.

    Records match stored ones on id, alias, DOI, then ISBN. A matched record's empty fields
    are filled; a differing value is a conflict, resolved by ``options.on_conflict`` (never
    in favour of the incoming value when the match was through an alias). Every change is
    in the record's history under one change id, which :func:`undo_import` reverts.

    Raises:
        InputDataError: with file and record/line, when a record is invalid (nothing is
            written) and ``skip_invalid`` is false.
    """
    importer = _Importer(store, source, options or ImportOptions(), checker)
    report = importer.run(located, on_progress)
    for error in parse_errors or ():
        report.rejected.append(Rejection(None, error.line, None, error.reason))
    return report


def undo_import(store: BibliographyStore, change: int | None = None) -> history.ChangeInfo:
    """Revert one whole import (the last one not undone by default): records it created are
    deleted, fields it changed get their values back. Recorded as an ``undo`` change.

    Raises:
        NotFoundError: no such import, or none left to undo.
        ValidationFailed: the import was undone already, or a record it wrote changed since
            (undo that change first).
    """
    db = store._conn
    imports = history.changes(db, "import")
    if change is None:
        target = next((c for c in imports if c.undone_by is None), None)
        if target is None:
            raise NotFoundError("no import to undo", hint="list imports with: socsec bib imports")
    else:
        target = next((c for c in imports if c.id == change), None)
        if target is None:
            raise NotFoundError(f"no import with change id {change}")
    if target.undone_by is not None:
        raise ValidationFailed(f"import {target.id} was undone by change {target.undone_by}")
    stamp = history_stamp()
    with store._tx():
        touched = history.touched(db, target.id)
        for rid in touched:
            later = history.later_change(db, rid, target.id)
            if later is not None:
                raise ValidationFailed(
                    f"record {rid!r} was changed after import {target.id} (change {later})",
                    hint="see: socsec bib history " + rid,
                )
        undo = history.begin(db, "undo", f"import {target.id}", stamp, store.user)
        rows: list[tuple[Any, ...]] = []
        for rid, fields in touched.items():
            old = store._load([rid]).get(rid)
            if old is None:
                continue
            if any(name == history.CREATED for name, _ in fields):
                store._delete(rid, stamp)
                rows += history.diff_rows(undo, old, None)
                continue
            data = record_to_dict(old, with_empty=True)
            for name, before in fields:
                data[name] = before
            new = dataclasses.replace(record_from_dict(data), aliases=old.aliases)
            store._write(new, created=old.created or stamp, modified=stamp, new=False)
            rows += history.diff_rows(undo, old, new)
        history.write_rows(db, rows)
        db.execute("UPDATE changes SET undone_by = ? WHERE id = ?", (undo, target.id))
    return dataclasses.replace(target, undone_by=undo)


def suffix(n: int) -> str:
    """a, b, ..., z, aa, ab... for the n-th record sharing a generated key."""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(97 + rem) + letters
    return letters


__all__ = [
    "Conflict",
    "FieldConflict",
    "ImportOptions",
    "ImportReport",
    "Located",
    "OnConflict",
    "Rejection",
    "ValueWarning",
    "import_records",
    "undo_import",
]
