"""The bibliography store of record: SQLite, schema versions, WAL, one transaction per write."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from socsec.bibliography.codec import record_from_dict, record_to_data, record_to_dict
from socsec.bibliography.ids import citation_key
from socsec.bibliography.model import Record, RecordType, Subject
from socsec.bibliography.validate import ConceptChecker, RememberingChecker, validate
from socsec.errors import InputDataError, NotFoundError, ValidationFailed

if TYPE_CHECKING:
    from socsec.workspace import Workspace

ProgressFn = Callable[[int], None]
Status = Literal["created", "updated", "unchanged"]

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
)
SCHEMA_VERSION = len(MIGRATIONS)
_DATA_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one, not one a row
IMPORT_BATCH = 500  # records an import looks up with one query and inserts with one statement
_INSERT_RECORD = (
    "INSERT INTO records (type, title, year, doi, isbn, language, data, created, modified, id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# What an import compares to tell an unchanged record (the rest is the store's own).
_CONTENT_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Record)
    if f.name not in ("id", "subjects", "aliases", "created", "modified")
)
_INSERT_SUBJECT = "INSERT INTO subjects (record_id, uri, curated, position) VALUES (?, ?, ?, ?)"


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


@dataclass
class ImportReport:
    """Counts of an import; ``ids`` holds the ids written (created or updated)."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Records read without error."""
        return self.created + self.updated + self.unchanged

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "source": self.source,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


@dataclass(frozen=True)
class Located:
    """A record read from a file, with its 1-based record number and line when known."""

    record: Record
    number: int
    line: int | None = None


class BibliographyStore:
    """The SQLite bibliography. Open with :meth:`open`; every write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        # Set during an import when the tables are empty, to save a query per record.
        self._no_aliases = False
        self._no_deletions = False
        self._queue: _InsertQueue | None = None  # an import's new records, not yet written

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> BibliographyStore:
        """Open (creating and migrating as needed) the store at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: a write waits for another process's transaction (parallel editors, an
        # import) instead of failing with "database is locked".
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        store = cls(conn, path)
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

    def iter_records(self, ids: Iterable[str] | None = None, batch: int = 500) -> Iterator[Record]:
        """All records (ordered by id), or those of ``ids`` in that order."""
        if ids is not None:
            for rid in ids:
                yield self.get(rid)
            return
        last = ""
        while True:
            rows = self._conn.execute(
                "SELECT id, data, created, modified FROM records WHERE id > ? ORDER BY id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            keys = [r[0] for r in rows]
            subjects, aliases = self._subjects_of(keys), self._aliases_of(keys)
            for row in rows:
                yield self._build(row, subjects, aliases)
            last = keys[-1]

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
            "SELECT count(*), count(DISTINCT uri), sum(curated) FROM subjects"
        ).fetchone()
        return {
            "records": self.count(),
            "by_type": by_type,
            "by_language": by_lang,
            "subject_links": tags[0],
            "distinct_concepts": tags[1],
            "curated_links": tags[2] or 0,
            "schema_version": self.schema_version,
            "path": str(self.path),
        }

    def _subjects_of(self, ids: Sequence[str]) -> dict[str, list[Subject]]:
        out: dict[str, list[Subject]] = {}
        for chunk in _chunks(ids, 500):
            rows = self._conn.execute(
                "SELECT record_id, uri, curated FROM subjects WHERE record_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY record_id, position",
                chunk,
            )
            for rid, uri, curated in rows:
                out.setdefault(rid, []).append(Subject(uri=uri, curated=bool(curated)))
        return out

    def _aliases_of(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in _chunks(ids, 500):
            rows = self._conn.execute(
                "SELECT record_id, alias FROM aliases WHERE record_id IN "
                f"({','.join('?' * len(chunk))}) ORDER BY alias",
                chunk,
            )
            for rid, alias in rows:
                out.setdefault(rid, []).append(alias)
        return out

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
    def add(self, record: Record, checker: ConceptChecker | None = None) -> Record:
        """Validate and insert a new record (an id is generated when empty).

        Raises:
            ValidationFailed: the record is invalid or its id is taken.
        """
        record = validate(record, checker)
        with self._tx():
            if record.id and self._find(record.id) is not None:
                raise ValidationFailed(
                    f"a record with id {record.id!r} already exists",
                    hint="use another id, or socsec bib edit",
                )
            rid = self._insert(record, now_iso()).id
        return self.get(rid)

    def upsert(
        self, record: Record, checker: ConceptChecker | None = None
    ) -> tuple[Record, Status]:
        """Insert, or update the record matched on id, DOI or ISBN (subjects are merged)."""
        record = validate(record, checker)
        with self._tx():
            saved, status = self._upsert(record, now_iso())
        return self.get(saved.id), status

    def replace(self, record: Record, checker: ConceptChecker | None = None) -> Record:
        """Overwrite an existing record (found by id) with this one, subjects included.

        Raises:
            NotFoundError: no record has this id.
        """
        rid = self.resolve_id(record.id)
        record = validate(dataclasses.replace(record, id=rid), checker)
        with self._tx():
            old = self.get(rid)
            self._write(record, created=old.created or now_iso(), modified=now_iso(), new=False)
        return self.get(rid)

    def delete(self, id: str) -> None:
        """Delete a record (its subjects and aliases go with it).

        Raises:
            NotFoundError: no such record.
        """
        rid = self.resolve_id(id)
        with self._tx() as db:
            db.execute("DELETE FROM records WHERE id = ?", (rid,))
            db.execute(
                "INSERT OR REPLACE INTO deletions (id, deleted) VALUES (?, ?)", (rid, now_iso())
            )

    def tag(
        self,
        id: str,
        uris: Sequence[str],
        *,
        curated: bool = True,
        checker: ConceptChecker | None = None,
    ) -> Record:
        """Add subject concepts to a record (already present ones are kept; curated wins).

        Raises:
            NotFoundError: no such record.
            ValidationFailed: a concept is not in the thesaurus.
        """
        record = self.get(id)
        subjects = record.subjects + tuple(Subject(uri=u, curated=curated) for u in uris)
        new = validate(dataclasses.replace(record, subjects=subjects), checker)
        return self._save_subjects(record, new.subjects)

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
        return self._save_subjects(record, kept)

    def _save_subjects(self, record: Record, subjects: tuple[Subject, ...]) -> Record:
        with self._tx():
            self._write(
                dataclasses.replace(record, subjects=subjects),
                created=record.created or now_iso(),
                modified=now_iso(),
                new=False,
            )
        return self.get(record.id)

    def retag(self, old_uri: str, new_uri: str | None) -> int:
        """Move every tag of ``old_uri`` to ``new_uri`` (thesaurus merge/deprecation hook).

        A record tagged with both keeps one tag, curated if either was. ``new_uri`` None just
        removes the old tag. Returns the number of records changed (their ``modified`` moves).
        """
        stamp = now_iso()
        with self._tx() as db:
            ids = [
                r[0] for r in db.execute("SELECT record_id FROM subjects WHERE uri = ?", (old_uri,))
            ]
            for rid in ids:
                old_curated = db.execute(
                    "SELECT curated FROM subjects WHERE record_id = ? AND uri = ?", (rid, old_uri)
                ).fetchone()[0]
                if new_uri is None:
                    db.execute(
                        "DELETE FROM subjects WHERE record_id = ? AND uri = ?", (rid, old_uri)
                    )
                else:
                    existing = db.execute(
                        "SELECT curated FROM subjects WHERE record_id = ? AND uri = ?",
                        (rid, new_uri),
                    ).fetchone()
                    if existing is None:
                        db.execute(
                            "UPDATE subjects SET uri = ? WHERE record_id = ? AND uri = ?",
                            (new_uri, rid, old_uri),
                        )
                    else:
                        db.execute(
                            "UPDATE subjects SET curated = ? WHERE record_id = ? AND uri = ?",
                            (int(bool(existing[0]) or bool(old_curated)), rid, new_uri),
                        )
                        db.execute(
                            "DELETE FROM subjects WHERE record_id = ? AND uri = ?", (rid, old_uri)
                        )
                db.execute("UPDATE records SET modified = ? WHERE id = ?", (stamp, rid))
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
        stamp = now_iso()
        with self._tx() as db:
            db.execute("UPDATE aliases SET record_id = ? WHERE record_id = ?", (a.id, b.id))
            db.execute("DELETE FROM records WHERE id = ?", (b.id,))
            db.execute(
                "INSERT OR REPLACE INTO deletions (id, deleted) VALUES (?, ?)", (b.id, stamp)
            )
            self._write(merged, created=a.created or stamp, modified=stamp, new=False)
            db.execute(
                "INSERT OR REPLACE INTO aliases (alias, record_id) VALUES (?, ?)", (b.id, a.id)
            )
        return self.get(a.id)

    def import_records(
        self,
        located: Iterable[Located],
        *,
        source: str,
        checker: ConceptChecker | None = None,
        skip_invalid: bool = False,
        parse_errors: list[InputDataError] | None = None,
        on_progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Import records in one transaction: all or nothing unless ``skip_invalid``.

        Re-importing matches records on id, then DOI, then ISBN, and counts them as updated or
        unchanged; subjects already in the store are kept.

        Args:
            located: records with their positions, as the format readers give them.
            source: the file name, for messages.
            checker: the thesaurus, to refuse unknown subject concepts.
            skip_invalid: leave out invalid records (listed in the report) instead of aborting.
            parse_errors: with ``skip_invalid``, the list the reader appends syntax errors to;
                they are added to the report's rejections.
            on_progress: called with the number of records just processed.

        Raises:
            InputDataError: with file and record/line, when a record is invalid (nothing is
                written) and ``skip_invalid`` is false.
        """
        report = ImportReport(source=source)
        stamp = now_iso()
        if checker is not None:
            checker = RememberingChecker(checker)

        def refuse(item: Located, exc: InputDataError) -> None:
            if not skip_invalid:
                where_line = item.line
                unit = "line" if where_line is not None else "record"
                raise InputDataError(
                    f"record {item.number}"
                    + (f" ({item.record.id})" if item.record.id else "")
                    + f": {exc.reason}",
                    path=source,
                    line=where_line if where_line is not None else item.number,
                    unit=unit,
                ) from None
            report.rejected.append(
                Rejection(item.number, item.line, item.record.id or None, exc.reason)
            )

        def save(batch: list[tuple[Located, Record]]) -> None:
            # One query tells which records of the batch may already be stored; the others
            # are inserted together when the batch ends.
            taken = self._taken(record for _, record in batch)
            stored = self._load([r.id for _, r in batch if r.id in taken])
            current = True  # taken and stored still describe the store
            for item, record in batch:
                try:
                    if current and queue.surely_new(record, taken):
                        saved, status = self._insert(record, stamp), "created"
                    else:
                        old = stored.get(record.id) if current else None
                        saved, status = self._upsert(record, stamp, old)
                        # An update may change a DOI or ISBN: the rest are looked up anew.
                        current = current and status != "updated"
                except InputDataError as exc:
                    refuse(item, exc)
                    continue
                setattr(report, status, getattr(report, status) + 1)
                if status != "unchanged":
                    report.ids.append(saved.id)
            queue.flush(self._conn, self._no_deletions)
            queue.keys.clear()  # taken is looked up anew for the next batch
            if on_progress is not None:
                on_progress(len(batch))

        with self._tx(), self._import_mode() as queue:
            batch: list[tuple[Located, Record]] = []
            for item in located:
                # Validated on reading, so that the first error is still the first in the file.
                try:
                    batch.append((item, validate(item.record, checker)))
                except InputDataError as exc:
                    refuse(item, exc)
                if len(batch) >= IMPORT_BATCH:
                    save(batch)
                    batch = []
            if batch:
                save(batch)
        for error in parse_errors or ():
            report.rejected.append(Rejection(None, error.line, None, error.reason))
        return report

    # -- internals (call inside a transaction) -------------------------------------------------
    @contextmanager
    def _import_mode(self) -> Iterator[_InsertQueue]:
        def empty(table: str) -> bool:
            return self._conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None

        self._no_aliases, self._no_deletions = empty("aliases"), empty("deletions")
        self._queue = _InsertQueue()
        try:
            yield self._queue
        finally:
            self._no_aliases = self._no_deletions = False
            self._queue = None

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

    def _taken(self, records: Iterable[Record]) -> set[str]:
        """Those of the records' ids, DOIs and ISBNs that the store has (ids also as aliases):
        a record with none of them is new."""
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
        if not self._no_aliases:
            queries.append(("SELECT alias FROM aliases WHERE alias IN ", ids))
        if dois:
            queries.append(("SELECT doi FROM records WHERE doi IN ", dois))
        if isbns:
            queries.append(("SELECT isbn FROM records WHERE isbn IN ", isbns))
        taken: set[str] = set()
        for sql, values in queries:
            for chunk in _chunks(values, IMPORT_BATCH):
                rows = self._conn.execute(f"{sql}({','.join('?' * len(chunk))})", chunk)
                taken.update(r[0] for r in rows)
        return taken

    def _find(self, rid: str) -> str | None:
        row = self._conn.execute("SELECT id FROM records WHERE id = ?", (rid,)).fetchone()
        return None if row is None else str(row[0])

    def _match(self, record: Record) -> str | None:
        if record.id:
            found = self._find(record.id)
            if found is not None:
                return found
            row = (
                None
                if self._no_aliases
                else self._conn.execute(
                    "SELECT record_id FROM aliases WHERE alias = ?", (record.id,)
                ).fetchone()
            )
            if row is not None:
                return str(row[0])
        for column, value in (("doi", record.doi), ("isbn", record.isbn)):
            if value:
                row = self._conn.execute(
                    f"SELECT id FROM records WHERE {column} = ? ORDER BY id LIMIT 1", (value,)
                ).fetchone()
                if row is not None:
                    return str(row[0])
        return None

    def _upsert(
        self, record: Record, stamp: str, stored: Record | None = None
    ) -> tuple[Record, Status]:
        """Insert the record or update the one it matches (``stored``, when already known
        to be the record with its id)."""
        if stored is not None:
            return self._update(stored, record, stamp)
        if self._queue is not None and self._queue.clashes(record):
            self._queue.flush(self._conn, self._no_deletions)  # the lookups must see them
        rid = self._match(record)
        if rid is None and not record.id:
            # A generated key matching a record with the same title is the same record.
            base = citation_key(record)
            candidate, n = base, 0
            while True:
                row = self._conn.execute(
                    "SELECT title FROM records WHERE id = ?", (candidate,)
                ).fetchone()
                if row is None:
                    break
                if str(row[0]).casefold() == record.title.casefold():
                    rid = candidate
                    break
                n += 1
                candidate = f"{base}{_suffix(n)}"
            if rid is None:
                record = dataclasses.replace(record, id=candidate)
        if rid is None:
            return self._insert(record, stamp), "created"
        return self._update(self.get(rid), record, stamp)

    def _update(self, old: Record, record: Record, stamp: str) -> tuple[Record, Status]:
        have = {x.uri for x in record.subjects}
        subjects = record.subjects + tuple(s for s in old.subjects if s.uri not in have)
        # Equal fields give equal dicts (a re-import's usual case, checked without a copy);
        # the dicts also equate values that differ in form only.
        if subjects == old.subjects and all(
            getattr(record, name) == getattr(old, name) for name in _CONTENT_FIELDS
        ):
            return old, "unchanged"
        new = dataclasses.replace(
            record,
            id=old.id,
            subjects=subjects,
            aliases=old.aliases,
            created=old.created,
            modified=old.modified,
        )
        if record_to_dict(new, with_empty=True) == record_to_dict(old, with_empty=True):
            return old, "unchanged"
        self._write(new, created=old.created or stamp, modified=stamp, new=False)
        return new, "updated"

    def _insert(self, record: Record, stamp: str) -> Record:
        if not record.id:
            base = citation_key(record)
            candidate, n = base, 0
            while self._find(candidate) is not None:
                n += 1
                candidate = f"{base}{_suffix(n)}"
            record = dataclasses.replace(record, id=candidate)
        self._write(record, created=stamp, modified=stamp, new=True)
        return record

    def _write(self, record: Record, *, created: str, modified: str, new: bool) -> None:
        row = (
            record.type.value, record.title, record.year, record.doi, record.isbn,
            record.language, _DATA_JSON.encode(record_to_data(record)), created, modified,
            record.id,
        )  # fmt: skip
        subjects = [(record.id, s.uri, int(s.curated), i) for i, s in enumerate(record.subjects)]
        if new and self._queue is not None:
            self._queue.add(record, row, subjects)
            return
        db = self._conn
        if new:
            db.execute(_INSERT_RECORD, row)
        else:
            db.execute(
                "UPDATE records SET type = ?, title = ?, year = ?, doi = ?, isbn = ?, "
                "language = ?, data = ?, created = ?, modified = ? WHERE id = ?",
                row,
            )
            db.execute("DELETE FROM subjects WHERE record_id = ?", (record.id,))
        if subjects:
            db.executemany(_INSERT_SUBJECT, subjects)
        if not self._no_deletions:
            db.execute("DELETE FROM deletions WHERE id = ?", (record.id,))


class _InsertQueue:
    """New records of an import, written by one statement per table and batch.

    Lookups do not see them: a record that shares an id, DOI or ISBN with one of them
    (or has no id, as its generated key is looked up) flushes the queue first. ``keys``
    outlives a flush until the batch ends, as the batch's ``taken`` lacks them.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.subjects: list[tuple[str, str, int, int]] = []
        self.keys: set[str] = set()

    def add(
        self, record: Record, row: tuple[Any, ...], subjects: list[tuple[str, str, int, int]]
    ) -> None:
        self.rows.append(row)
        self.subjects.extend(subjects)
        self.keys.update(k for k in (record.id, record.doi, record.isbn) if k)

    def surely_new(self, record: Record, taken: set[str]) -> bool:
        """Whether the record matches nothing stored (``taken``: the stored keys of its
        batch) nor queued, so that it can be inserted without a lookup of its own."""
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
        db.executemany(_INSERT_RECORD, self.rows)
        if self.subjects:
            db.executemany(_INSERT_SUBJECT, self.subjects)
        if not no_deletions:
            db.executemany("DELETE FROM deletions WHERE id = ?", [(r[-1],) for r in self.rows])
        self.rows, self.subjects = [], []


def merge_records(keep: Record, other: Record) -> Record:
    """``keep`` with its empty fields filled from ``other`` and lists united (keep first)."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Record):
        name = f.name
        if name in ("id", "created", "modified", "type", "title"):
            continue
        mine, theirs = getattr(keep, name), getattr(other, name)
        if name == "subjects":
            have = {s.uri: s for s in mine}
            for s in theirs:
                if s.uri not in have or (s.curated and not have[s.uri].curated):
                    have[s.uri] = s
            changes[name] = tuple(have.values())
        elif name == "aliases":
            changes[name] = tuple(dict.fromkeys((*mine, other.id, *theirs)))
        elif name == "extra":
            changes[name] = {**theirs, **mine}
        elif isinstance(mine, tuple):
            changes[name] = mine if mine else theirs
            if name == "keywords":
                changes[name] = tuple(dict.fromkeys((*mine, *theirs)))
        elif mine in (None, ""):
            changes[name] = theirs
    return dataclasses.replace(keep, **changes)


def _suffix(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(97 + rem) + letters
    return letters


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def get_store(ws: Workspace) -> BibliographyStore:
    """Open the workspace's bibliography store."""
    return BibliographyStore.open(ws.bibliography_db)
