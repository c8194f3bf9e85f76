"""The bibliography store of record: SQLite, schema versions, WAL, one transaction per write."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from socsec.bibliography import history as _hist
from socsec.bibliography.codec import record_from_dict, record_to_data, subject_to_dict
from socsec.bibliography.ids import citation_key
from socsec.bibliography.importing import (
    INSERT_RECORD,
    INSERT_SUBJECT,
    ImportOptions,
    ImportReport,
    Located,
    ProgressFn,
    Rejection,
    SubjectRow,
    import_records,
    suffix,
)
from socsec.bibliography.merging import OnConflict, merge_records
from socsec.bibliography.model import PROVENANCES, Provenance, Record, RecordType, Subject
from socsec.bibliography.normalize import normalize_record
from socsec.bibliography.validate import ConceptChecker, validate
from socsec.errors import InputDataError, NotFoundError, ValidationFailed

if TYPE_CHECKING:
    from socsec.workspace import Workspace

Status = Literal["created", "updated", "unchanged", "conflicted"]
# Re-exported: they were defined here before the import rules had their own module.
__all__ = [
    "BibliographyStore", "ImportReport", "Located", "ProgressFn", "Rejection", "get_store",
    "merge_records", "now_iso",
]  # fmt: skip

# Each entry migrates from version i to i+1; never edit a released step, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE records (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        year INTEGER,
        doi TEXT,
        isbn TEXT,
        language TEXT,
        data TEXT NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL
    );
    CREATE INDEX records_doi ON records(doi) WHERE doi IS NOT NULL;
    CREATE INDEX records_isbn ON records(isbn) WHERE isbn IS NOT NULL;
    CREATE INDEX records_modified ON records(modified);
    CREATE TABLE subjects (
        record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE ON UPDATE CASCADE,
        uri TEXT NOT NULL,
        curated INTEGER NOT NULL DEFAULT 1,
        position INTEGER NOT NULL,
        PRIMARY KEY (record_id, uri)
    ) WITHOUT ROWID;
    CREATE INDEX subjects_uri ON subjects(uri);
    CREATE TABLE aliases (
        alias TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE ON UPDATE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX aliases_record ON aliases(record_id);
    CREATE TABLE deletions (id TEXT PRIMARY KEY, deleted TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """,
    _hist.SCHEMA,
    # Provenance replaces the curated flag. A subject stored with curated=0 was a machine
    # suggestion applied without review (`bib suggest --apply`): it becomes automatic, so the
    # suggestion model is never trained on it, as before. Rejected suggestions are remembered
    # so that automatic indexing never assigns them again.
    """
    ALTER TABLE subjects ADD COLUMN provenance TEXT NOT NULL DEFAULT 'manual';
    ALTER TABLE subjects ADD COLUMN score REAL;
    ALTER TABLE subjects ADD COLUMN method TEXT;
    ALTER TABLE subjects ADD COLUMN model TEXT;
    UPDATE subjects SET provenance = 'automatic' WHERE curated = 0;
    ALTER TABLE subjects DROP COLUMN curated;
    CREATE INDEX subjects_provenance ON subjects(provenance, record_id);
    CREATE TABLE rejections (
        record_id TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE ON UPDATE CASCADE,
        uri TEXT NOT NULL,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        PRIMARY KEY (record_id, uri)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
# One encoder, not one a row; a record's data is a tree (no cycle to look for on each row).
_DATA_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _compact_json() -> Callable[[object], str]:
    """``_DATA_JSON.encode`` with its C encoder made once (same text).

    ``JSONEncoder.encode`` builds a new C encoder on every call: about 0.8 of the 5 µs it takes
    for a record's data column, paid for every record an import writes.
    """
    try:
        from _json import make_encoder
    except ImportError:  # an interpreter without the C accelerator
        return _DATA_JSON.encode
    chunks = make_encoder(
        None, _DATA_JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False,
        True,
    )  # fmt: skip

    def encode(value: object) -> str:
        return "".join(chunks(value, 0))

    return encode


_data_json = _compact_json()


def now_iso() -> str:
    """The current UTC time as ISO-8601 with microseconds (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normalize_ts(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputDataError(f"invalid timestamp {value!r} (expected ISO-8601)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class BibliographyStore:
    """The SQLite bibliography. Open with :meth:`open`; every write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path, user: str | None = None) -> None:
        self._conn = conn
        self.path = path
        self.user = _hist.current_user(user)  # recorded in the history of every change

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, user: str | None = None) -> BibliographyStore:
        """Open (creating and migrating as needed) the store at ``path``; ``user`` is who the
        history names for its changes (default $USER).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: a write waits for another process's transaction (parallel editors, an
        # import) instead of failing with "database is locked".
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA busy_timeout = 30000")
        store = cls(conn, path, user)
        store._migrate()
        return store

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> BibliographyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise InputDataError(
                f"bibliography schema version {current} is newer than this socsec "
                f"({SCHEMA_VERSION})",
                path=self.path,
                hint="upgrade socsec",
            )
        for version in range(current, SCHEMA_VERSION):
            with self._tx():
                for statement in _split_sql(MIGRATIONS[version]):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version + 1}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- meta ----------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value stored with :meth:`set_meta` (e.g. the sample's provenance)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a metadata value."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        """Number of records."""
        return int(self._conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def resolve_id(self, ref: str) -> str:
        """The record id for an id or an alias (an id merged into another record).

        Raises:
            NotFoundError: neither, with close ids as suggestions.
        """
        row = self._conn.execute("SELECT id FROM records WHERE id = ?", (ref,)).fetchone()
        if row is None:
            row = self._conn.execute(
                "SELECT record_id FROM aliases WHERE alias = ?", (ref,)
            ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no record with id {ref!r}",
                suggestions=self._close_ids(ref),
                hint="list ids with: socsec bib list",
            )
        return str(row[0])

    def _close_ids(self, ref: str) -> list[str]:
        from rapidfuzz import process

        ids = [r[0] for r in self._conn.execute("SELECT id FROM records")]
        return [m[0] for m in process.extract(ref, ids, limit=3, score_cutoff=70)]

    def get(self, id: str) -> Record:
        """The record with this id or alias.

        Raises:
            NotFoundError: no such record.
        """
        rid = self.resolve_id(id)
        row = self._conn.execute(
            "SELECT id, data, created, modified FROM records WHERE id = ?", (rid,)
        ).fetchone()
        return self._build(row, self._subjects_of([rid]), self._aliases_of([rid]))

    def iter_records(
        self,
        ids: Iterable[str] | None = None,
        batch: int = 500,
        *,
        after: str = "",
        upto: str | None = None,
    ) -> Iterator[Record]:
        """All records (ordered by id), or those of ``ids`` in that order.

        Args:
            ids: these records only (``after`` and ``upto`` then do not apply).
            batch: records read per query.
            after: only ids greater than this one.
            upto: only ids up to this one, included (see :meth:`id_slices`).
        """
        if ids is not None:
            for rid in ids:
                yield self.get(rid)
            return
        last = after
        bound = "" if upto is None else "AND id <= ? "
        sql = (
            "SELECT id, data, created, modified FROM records "
            f"WHERE id > ? {bound}ORDER BY id LIMIT ?"
        )
        while True:
            args = (last, batch) if upto is None else (last, upto, batch)
            rows = self._conn.execute(sql, args).fetchall()
            if not rows:
                return
            keys = [r[0] for r in rows]
            subjects, aliases = self._subjects_of(keys), self._aliases_of(keys)
            for row in rows:
                yield self._build(row, subjects, aliases)
            last = keys[-1]

    def id_slices(self, size: int = 500) -> Iterator[tuple[str, str]]:
        """``(after, upto)`` bounds of consecutive slices of ``size`` records in id order.

        Reads only the id index: a process handed a slice reads its records itself
        (``iter_records(after=..., upto=...)``) instead of receiving them.
        """
        last = ""
        while True:
            row = self._conn.execute(
                "SELECT max(id) FROM (SELECT id FROM records WHERE id > ? ORDER BY id LIMIT ?)",
                (last, size),
            ).fetchone()
            if row[0] is None:
                return
            yield last, str(row[0])
            last = str(row[0])

    def query(
        self,
        *,
        types: Sequence[RecordType] = (),
        years: tuple[int | None, int | None] = (None, None),
        concepts: Sequence[str] = (),
        language: str | None = None,
        text: str | None = None,
        sort: Literal["id", "year", "title", "modified"] = "id",
        descending: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        """Records matching every given filter.

        Args:
            types: any of these types.
            years: inclusive (from, to); None leaves a side open.
            concepts: tagged with any of these concept URIs (expand narrower ones beforehand).
            language: ISO 639-1 code of the record's language.
            text: case-insensitive substring of the title.
            sort: order key (ties broken by id).
            descending: reverse order.
            limit: most records returned.
        """
        where: list[str] = []
        args: list[Any] = []
        if types:
            where.append(f"type IN ({','.join('?' * len(types))})")
            args.extend(t.value for t in types)
        if years[0] is not None:
            where.append("year >= ?")
            args.append(years[0])
        if years[1] is not None:
            where.append("year <= ?")
            args.append(years[1])
        if language:
            where.append("language = ?")
            args.append(language)
        if text:
            where.append("title LIKE ?")
            args.append(f"%{text}%")
        if concepts:
            where.append(
                "id IN (SELECT record_id FROM subjects WHERE uri IN "
                f"({','.join('?' * len(concepts))}))"
            )
            args.extend(concepts)
        order = {
            "id": "id",
            "year": "year",
            "title": "title COLLATE NOCASE",
            "modified": "modified",
        }
        direction = "DESC" if descending else "ASC"
        sql = "SELECT id FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order[sort]} {direction}, id {direction}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        ids = [r[0] for r in self._conn.execute(sql, args)]
        return list(self.iter_records(ids))

    def ids_modified_since(self, iso_timestamp: str) -> list[str]:
        """Ids of records created or modified at or after the timestamp (for re-indexing)."""
        since = _normalize_ts(iso_timestamp)
        rows = self._conn.execute(
            "SELECT id FROM records WHERE modified >= ? ORDER BY id", (since,)
        )
        return [r[0] for r in rows]

    def deleted_since(self, iso_timestamp: str) -> list[str]:
        """Ids of records deleted (or merged away) at or after the timestamp."""
        since = _normalize_ts(iso_timestamp)
        rows = self._conn.execute(
            "SELECT id FROM deletions WHERE deleted >= ? ORDER BY id", (since,)
        )
        return [r[0] for r in rows]

    def ids_tagged_with(self, uri: str) -> list[str]:
        """Ids of the records tagged with a concept."""
        rows = self._conn.execute(
            "SELECT record_id FROM subjects WHERE uri = ? ORDER BY record_id", (uri,)
        )
        return [r[0] for r in rows]

    def concept_counts(self) -> dict[str, int]:
        """How many records each concept tags."""
        rows = self._conn.execute("SELECT uri, count(*) FROM subjects GROUP BY uri")
        return {r[0]: int(r[1]) for r in rows}

    def stats(self) -> dict[str, object]:
        """Counts by type and language, subject links and the schema version."""
        by_type = dict(self._conn.execute("SELECT type, count(*) FROM records GROUP BY type"))
        by_lang = dict(
            self._conn.execute(
                "SELECT coalesce(language, ''), count(*) FROM records GROUP BY language"
            )
        )
        tags = self._conn.execute(
            "SELECT count(*), count(DISTINCT uri), sum(provenance != 'automatic'), "
            "sum(provenance = 'accepted'), sum(provenance = 'automatic'), "
            "count(DISTINCT CASE WHEN provenance = 'automatic' THEN record_id END) FROM subjects"
        ).fetchone()
        return {
            "records": self.count(),
            "by_type": by_type,
            "by_language": by_lang,
            "subject_links": tags[0],
            "distinct_concepts": tags[1],
            "curated_links": tags[2] or 0,  # manual + accepted: what the model trains on
            "accepted_links": tags[3] or 0,
            "automatic_links": tags[4] or 0,
            "records_with_automatic": tags[5] or 0,
            "rejections": self._conn.execute("SELECT count(*) FROM rejections").fetchone()[0],
            "schema_version": self.schema_version,
            "path": str(self.path),
        }

    def _per_record(self, select: str, order: str, ids: Sequence[str]) -> dict[str, list[Any]]:
        """Rows of ``select`` (record id first) for ``ids``, grouped by record, in ``order``."""
        out: dict[str, list[Any]] = {}
        for chunk in _chunks(ids, 500):
            rows = self._conn.execute(
                f"{select} WHERE record_id IN ({','.join('?' * len(chunk))}) ORDER BY {order}",
                chunk,
            )
            for rid, *rest in rows:
                out.setdefault(rid, []).append(rest)
        return out

    def _subjects_of(self, ids: Sequence[str]) -> dict[str, list[Subject]]:
        rows = self._per_record(
            "SELECT record_id, uri, provenance, score, method, model FROM subjects",
            "record_id, position",
            ids,
        )
        return {rid: [Subject(*row) for row in found] for rid, found in rows.items()}

    def _aliases_of(self, ids: Sequence[str]) -> dict[str, list[str]]:
        rows = self._per_record("SELECT record_id, alias FROM aliases", "alias", ids)
        return {rid: [alias for (alias,) in found] for rid, found in rows.items()}

    @staticmethod
    def _build(
        row: tuple[str, str, str, str],
        subjects: dict[str, list[Subject]],
        aliases: dict[str, list[str]],
    ) -> Record:
        rid, data, created, modified = row
        fields = json.loads(data)
        fields.update(
            id=rid,
            subjects=subjects.get(rid, ()),
            aliases=aliases.get(rid, ()),
            created=created,
            modified=modified,
        )
        return record_from_dict(fields)

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def _change(self, kind: str, source: str | None = None) -> Iterator[tuple[int, str]]:
        """A write transaction that is one change of the history: (change id, timestamp)."""
        stamp = now_iso()
        with self._tx() as db:
            yield _hist.begin(db, kind, source, stamp, self.user), stamp

    def _log(self, change: int, old: Record | None, new: Record | None) -> None:
        _hist.write_rows(self._conn, _hist.diff_rows(change, old, new))

    def add(self, record: Record, checker: ConceptChecker | None = None) -> Record:
        """Validate and insert a new record (an id is generated when empty).

        Raises:
            ValidationFailed: the record is invalid or its id is taken.
        """
        record = validate(record, checker)
        with self._change("add") as (change, stamp):
            if record.id and self._find(record.id) is not None:
                raise ValidationFailed(
                    f"a record with id {record.id!r} already exists",
                    hint="use another id, or socsec bib edit",
                )
            if not record.id:
                base = citation_key(record)
                candidate, n = base, 0
                while self._find(candidate) is not None:
                    n += 1
                    candidate = f"{base}{suffix(n)}"
                record = dataclasses.replace(record, id=candidate)
            self._write(record, created=stamp, modified=stamp, new=True)
            self._log(change, None, record)
        return self.get(record.id)

    def upsert(
        self,
        record: Record,
        checker: ConceptChecker | None = None,
        on_conflict: OnConflict = OnConflict.incoming,
    ) -> tuple[Record, Status]:
        """Insert, or update the record matched on id, alias, DOI or ISBN by the import rules
        (empty fields filled; differing values resolved by ``on_conflict``).
        """
        report = self.import_records(
            [Located(record, 1)],
            source="upsert",
            checker=checker,
            options=ImportOptions(on_conflict=on_conflict),
        )
        status: Status = next(
            s for s in ("created", "updated", "unchanged", "conflicted") if getattr(report, s)
        )
        rid = report.ids[0] if report.ids else None
        if rid is None:
            matched = validate(normalize_record(record)[0], checker)
            rid = report.conflicts[0].id if report.conflicts else self._matching_id(matched)
        return self.get(rid), status

    def _matching_id(self, record: Record) -> str:
        for column, value in (("id", record.id), ("doi", record.doi), ("isbn", record.isbn)):
            if value:
                row = self._conn.execute(
                    f"SELECT id FROM records WHERE {column} = ? ORDER BY id LIMIT 1", (value,)
                ).fetchone()
                if row is not None:
                    return str(row[0])
        return self.resolve_id(record.id)

    def replace(self, record: Record, checker: ConceptChecker | None = None) -> Record:
        """Overwrite an existing record (found by id) with this one, subjects included.

        Raises:
            NotFoundError: no record has this id.
        """
        rid = self.resolve_id(record.id)
        record = validate(dataclasses.replace(record, id=rid), checker)
        with self._change("edit") as (change, stamp):
            old = self.get(rid)
            record = dataclasses.replace(record, aliases=old.aliases)
            self._write(record, created=old.created or stamp, modified=stamp, new=False)
            self._log(change, old, record)
        return self.get(rid)

    def delete(self, id: str) -> None:
        """Delete a record (its subjects and aliases go with it).

        Raises:
            NotFoundError: no such record.
        """
        old = self.get(id)
        with self._change("delete") as (change, stamp):
            self._delete(old.id, stamp)
            self._log(change, old, None)

    def tag(
        self,
        id: str,
        uris: Sequence[str],
        *,
        provenance: Provenance = "manual",
        checker: ConceptChecker | None = None,
    ) -> Record:
        """Add subject concepts to a record (already present ones are kept; the stronger
        provenance wins: manual > accepted > automatic).

        Raises:
            NotFoundError: no such record.
            ValidationFailed: a concept is not in the thesaurus.
        """
        record = self.get(id)
        subjects = record.subjects + tuple(Subject(uri=u, provenance=provenance) for u in uris)
        new = validate(dataclasses.replace(record, subjects=subjects), checker)
        return self._save_subjects(record, new.subjects, "tag")

    def untag(self, id: str, uris: Sequence[str]) -> Record:
        """Remove subject concepts from a record.

        Raises:
            NotFoundError: no such record, or it is not tagged with a concept.
        """
        record = self.get(id)
        present = {s.uri for s in record.subjects}
        missing = [u for u in uris if u not in present]
        if missing:
            raise NotFoundError(f"record {record.id!r} is not tagged with {', '.join(missing)}")
        kept = tuple(s for s in record.subjects if s.uri not in set(uris))
        return self._save_subjects(record, kept, "untag")

    # -- automatic subjects ------------------------------------------------------------------
    def rejected(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """Per record id, the concepts a librarian rejected for it (never assigned again)."""
        rows = self._per_record("SELECT record_id, uri FROM rejections", "record_id, uri", ids)
        return {rid: {uri for (uri,) in found} for rid, found in rows.items()}

    def automatic_counts(self) -> tuple[int, int]:
        """(records holding an automatic subject, automatic subjects) in the store."""
        row = self._conn.execute(
            "SELECT count(DISTINCT record_id), count(*) FROM subjects "
            "WHERE provenance = 'automatic'"
        ).fetchone()
        return int(row[0]), int(row[1])

    def ids_with_automatic(self, after: str | None = None) -> list[str]:
        """Ids of the records holding at least one automatic subject, in id order, after
        ``after`` if given.
        """
        rows = self._conn.execute(
            "SELECT DISTINCT record_id FROM subjects WHERE provenance = 'automatic' "
            "AND record_id > ? ORDER BY record_id",
            (after or "",),
        )
        return [r[0] for r in rows]

    def ids_without_subjects(self, after: str | None = None) -> list[str]:
        """Ids of the records holding no subject at all, in id order, after ``after`` if given."""
        rows = self._conn.execute(
            "SELECT id FROM records WHERE id > ? AND NOT EXISTS "
            "(SELECT 1 FROM subjects WHERE subjects.record_id = records.id) ORDER BY id",
            (after or "",),
        )
        return [r[0] for r in rows]

    def assign_automatic(
        self, assignments: Mapping[str, Sequence[Subject]], *, source: str
    ) -> list[str]:
        """Replace the automatic subjects of records, in one change (one transaction).

        Each record keeps its manual and accepted subjects byte for byte; its automatic ones
        become the given ones, minus those it already holds otherwise and those rejected for
        it. Records left as they were are not written. Returns the ids of the records changed.

        Args:
            assignments: record id -> the automatic subjects it should hold (in order).
            source: what the history names as the change's source (method, model version).
        """
        changed: list[str] = []
        if not assignments:
            return changed
        with self._change("autoindex", source) as (change, stamp):
            ids = list(assignments)
            current = self._load(ids)
            rejected = self.rejected(ids)
            for rid, wanted in assignments.items():
                old = current.get(rid)
                if old is None:
                    continue  # deleted meanwhile
                kept = tuple(s for s in old.subjects if s.provenance != "automatic")
                held = {s.uri for s in kept} | rejected.get(rid, set())
                fresh: tuple[Subject, ...] = ()
                for s in wanted:
                    if s.uri not in held:
                        fresh += (s,)
                        held.add(s.uri)
                if tuple(s for s in old.subjects if s.provenance == "automatic") == fresh:
                    continue
                new = dataclasses.replace(old, subjects=kept + fresh)
                self._write(new, created=old.created or stamp, modified=stamp, new=False)
                self._log(change, old, new)
                changed.append(rid)
        return changed

    def review(
        self,
        id: str,
        *,
        accept: Sequence[str] = (),
        reject: Sequence[str] = (),
        checker: ConceptChecker | None = None,
    ) -> Record:
        """A librarian's verdict on suggested subjects, in one change.

        Accepted concepts become ``accepted`` (added when the record lacks them); rejected ones
        are removed when automatic and remembered, so automatic indexing never assigns them
        again. Manual and accepted subjects are never removed by a rejection.

        Raises:
            NotFoundError: no such record.
            ValidationFailed: a concept is both accepted and rejected, or an accepted one is
                not in the thesaurus.
        """
        both = set(accept) & set(reject)
        if both:
            raise ValidationFailed(f"accepted and rejected at once: {', '.join(sorted(both))}")
        old = self.get(id)
        by_uri = {s.uri: s for s in old.subjects}
        subjects: list[Subject] = []
        for s in old.subjects:
            if s.uri in reject and s.provenance == "automatic":
                continue
            if s.uri in accept and s.provenance == "automatic":
                s = dataclasses.replace(s, provenance="accepted")
            subjects.append(s)
        added = [Subject(u, "accepted") for u in dict.fromkeys(accept) if u not in by_uri]
        new = dataclasses.replace(old, subjects=tuple(subjects + added))
        if added:
            new = validate(new, checker)  # a concept not in the thesaurus is refused
        with self._change("review") as (change, stamp):
            self._write(new, created=old.created or stamp, modified=stamp, new=False)
            self._log(change, old, new)
            self._conn.executemany(
                "INSERT OR REPLACE INTO rejections (record_id, uri, at, user) VALUES (?, ?, ?, ?)",
                [(old.id, u, stamp, self.user) for u in dict.fromkeys(reject)],
            )
            if reject:
                # A rejection is part of the record's history even when nothing was removed.
                self._conn.executemany(
                    "INSERT INTO history (change_id, record_id, field, before, after) "
                    "VALUES (?, ?, 'rejected', NULL, ?)",
                    [(change, old.id, json.dumps(u)) for u in dict.fromkeys(reject)],
                )
        return self.get(old.id)

    def _save_subjects(self, record: Record, subjects: tuple[Subject, ...], kind: str) -> Record:
        new = dataclasses.replace(record, subjects=subjects)
        with self._change(kind) as (change, stamp):
            self._write(new, created=record.created or stamp, modified=stamp, new=False)
            self._log(change, record, new)
        return self.get(record.id)

    def retag(self, old_uri: str, new_uri: str | None) -> int:
        """Move every tag of ``old_uri`` to ``new_uri`` (thesaurus merge/deprecation hook).

        A record tagged with both keeps one tag, of the stronger provenance. ``new_uri`` None just
        removes the old tag. Returns the number of records changed (their ``modified`` moves).
        """
        with self._change("retag", f"{old_uri} -> {new_uri or '(none)'}") as (change, stamp):
            db = self._conn
            ids = [
                r[0] for r in db.execute("SELECT record_id FROM subjects WHERE uri = ?", (old_uri,))
            ]
            before = self._subjects_of(ids)
            for rid in ids:
                old_prov = db.execute(
                    "SELECT provenance FROM subjects WHERE record_id = ? AND uri = ?",
                    (rid, old_uri),
                ).fetchone()[0]
                if new_uri is None:
                    db.execute(
                        "DELETE FROM subjects WHERE record_id = ? AND uri = ?", (rid, old_uri)
                    )
                else:
                    existing = db.execute(
                        "SELECT provenance FROM subjects WHERE record_id = ? AND uri = ?",
                        (rid, new_uri),
                    ).fetchone()
                    if existing is None:
                        db.execute(
                            "UPDATE subjects SET uri = ? WHERE record_id = ? AND uri = ?",
                            (new_uri, rid, old_uri),
                        )
                    else:
                        # The stronger provenance of the two tags is kept.
                        if PROVENANCES.index(old_prov) < PROVENANCES.index(existing[0]):
                            db.execute(
                                "UPDATE subjects SET provenance = ?, score = NULL, "
                                "method = NULL, model = NULL WHERE record_id = ? AND uri = ?",
                                (old_prov, rid, new_uri),
                            )
                        db.execute(
                            "DELETE FROM subjects WHERE record_id = ? AND uri = ?", (rid, old_uri)
                        )
                db.execute("UPDATE records SET modified = ? WHERE id = ?", (stamp, rid))
            after = self._subjects_of(ids)
            _hist.write_rows(
                db,
                (
                    (change, rid, "subjects",
                     _DATA_JSON.encode([subject_to_dict(s) for s in before.get(rid, [])]),
                     _DATA_JSON.encode([subject_to_dict(s) for s in after.get(rid, [])]))
                    for rid in ids
                ),
            )  # fmt: skip
        return len(ids)

    def merge(self, keep: str, other: str) -> Record:
        """Merge ``other`` into ``keep``: empty fields filled, subjects and keywords united,
        ``other``'s id (and aliases) kept as aliases of ``keep``; ``other`` is deleted.

        Raises:
            NotFoundError: either record is missing.
            ValidationFailed: both ids name the same record.
        """
        a, b = self.get(keep), self.get(other)
        if a.id == b.id:
            raise ValidationFailed(f"{keep!r} and {other!r} are the same record")
        merged = merge_records(a, b)
        with self._change("merge", f"{b.id} into {a.id}") as (change, stamp):
            db = self._conn
            db.execute("UPDATE aliases SET record_id = ? WHERE record_id = ?", (a.id, b.id))
            self._delete(b.id, stamp)
            self._write(merged, created=a.created or stamp, modified=stamp, new=False)
            db.execute(
                "INSERT OR REPLACE INTO aliases (alias, record_id) VALUES (?, ?)", (b.id, a.id)
            )
            self._log(change, b, None)
            self._log(change, a, merged)
        return self.get(a.id)

    def import_records(
        self,
        located: Iterable[Located],
        *,
        source: str,
        checker: ConceptChecker | None = None,
        skip_invalid: bool = False,
        options: ImportOptions | None = None,
        parse_errors: list[InputDataError] | None = None,
        on_progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Import records in one transaction: all or nothing unless ``skip_invalid``.

        See :func:`socsec.bibliography.importing.import_records` for the rules.

        Raises:
            InputDataError: with file and record/line, when a record is invalid (nothing is
                written) and ``skip_invalid`` is false.
        """
        if options is None:
            options = ImportOptions(skip_invalid=skip_invalid)
        return import_records(
            self,
            located,
            source=source,
            checker=checker,
            options=options,
            parse_errors=parse_errors,
            on_progress=on_progress,
        )

    # -- history ---------------------------------------------------------------------------------
    def history(self, id: str) -> list[_hist.FieldChange]:
        """Every recorded field change of a record (and of the records merged into it).

        Raises:
            NotFoundError: no such record (a deleted record's id still shows its history).
        """
        try:
            record = self.get(id)
        except NotFoundError:
            found = _hist.of_records(self._conn, [id])  # a deleted record keeps its history
            if not found:
                raise
            return found
        # [] for a record stored before the history existed (schema version 1).
        return _hist.of_records(self._conn, [record.id, *record.aliases])

    def created_by(self, change: int) -> list[str]:
        """Ids of the records a change (an import) created, in the order it wrote them."""
        return [
            rid
            for rid, fields in _hist.touched(self._conn, change).items()
            if any(name == _hist.CREATED for name, _ in fields)
        ]

    def changes(self, kind: str | None = None) -> list[_hist.ChangeInfo]:
        """The recorded changes (imports, edits, merges...), newest first."""
        return _hist.changes(self._conn, kind)

    # -- internals (call inside a transaction) -------------------------------------------------
    def _load(self, ids: Sequence[str]) -> dict[str, Record]:
        """The records of these ids, by id, with three queries per 500 rather than four each."""
        rows = []
        for chunk in _chunks(ids, 500):
            rows += self._conn.execute(
                "SELECT id, data, created, modified FROM records WHERE id IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        found = [r[0] for r in rows]
        subjects, aliases = self._subjects_of(found), self._aliases_of(found)
        return {r[0]: self._build(r, subjects, aliases) for r in rows}

    def _find(self, rid: str) -> str | None:
        row = self._conn.execute("SELECT id FROM records WHERE id = ?", (rid,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _row(
        record: Record, *, created: str, modified: str
    ) -> tuple[tuple[Any, ...], list[SubjectRow]]:
        """The records row and subject rows of a record."""
        row = (
            record.type.value, record.title, record.year, record.doi, record.isbn,
            record.language, _data_json(record_to_data(record)), created, modified,
            record.id,
        )  # fmt: skip
        subjects: list[SubjectRow] = [
            (record.id, s.uri, s.provenance, s.score, s.method, s.model, i)
            for i, s in enumerate(record.subjects)
        ]
        return row, subjects

    def _write(self, record: Record, *, created: str, modified: str, new: bool) -> None:
        row, subjects = self._row(record, created=created, modified=modified)
        db = self._conn
        if new:
            db.execute(INSERT_RECORD, row)
        else:
            db.execute(
                "UPDATE records SET type = ?, title = ?, year = ?, doi = ?, isbn = ?, "
                "language = ?, data = ?, created = ?, modified = ? WHERE id = ?",
                row,
            )
            db.execute("DELETE FROM subjects WHERE record_id = ?", (record.id,))
        if subjects:
            db.executemany(INSERT_SUBJECT, subjects)
        db.execute("DELETE FROM deletions WHERE id = ?", (record.id,))

    def _delete(self, rid: str, stamp: str) -> None:
        self._conn.execute("DELETE FROM records WHERE id = ?", (rid,))
        self._conn.execute(
            "INSERT OR REPLACE INTO deletions (id, deleted) VALUES (?, ?)", (rid, stamp)
        )


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def get_store(ws: Workspace) -> BibliographyStore:
    """Open the workspace's bibliography store."""
    return BibliographyStore.open(ws.bibliography_db, user=ws.settings.get("user"))
