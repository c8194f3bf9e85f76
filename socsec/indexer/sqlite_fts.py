"""The embedded backend: one SQLite file with an FTS5 table over pre-analysed tokens."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from socsec.errors import BackendUnavailable, ConfigError
from socsec.indexer.base import (
    CONCEPT_LABEL_BONUS,
    CONCEPT_TIERS,
    CONCEPT_WEIGHTS,
    FIELD_WEIGHTS,
    TEXT_FIELDS,
    BackendConfig,
    Capabilities,
    Facets,
    Hit,
    IndexDoc,
    IndexInfo,
    IndexReport,
    ProgressFn,
    Query,
    SearchResult,
    Sort,
)
from socsec.indexer.documents import concept_token

# FTS5 columns: the analysed text fields, then one column of concept tokens per holding kind.
# Subjects are ranked by provenance: manual (subject_ids), accepted, automatic.
CONCEPT_COLUMNS = {
    "subjects": "subject_ids",
    "accepted": "accepted_ids",
    "automatic": "automatic_ids",
    "ancestors": "ancestor_ids",
    "detected": "detected_ids",
}
COLUMNS: tuple[str, ...] = TEXT_FIELDS + tuple(CONCEPT_COLUMNS.values())
WEIGHTS: tuple[float, ...] = tuple(FIELD_WEIGHTS.values()) + tuple(
    CONCEPT_WEIGHTS[k] for k in CONCEPT_COLUMNS
)
KIND_CODES = {"subjects": "s", "ancestors": "a", "detected": "d"}
_BM25 = f"bm25(fts, {', '.join(str(w) for w in WEIGHTS)})"
# Facets count every match up to this many; beyond, the first this many in the result order,
# the best-ranked for a relevance sort (exact counts over a large match set cost a row
# lookup per match: tens of ms at 100,000 records).
FACET_SAMPLE = 500
# Rows fetched past the page, so that hits tied on score with its last hit are seen too.
TIE_MARGIN = 20
SCHEMA_VERSION = "3"  # 3: subjects ranked by provenance (accepted_ids, automatic_ids)
BATCH = 1000
# Seconds a write waits for another process's transaction before giving up.
BUSY_TIMEOUT_S = 30.0

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    year INTEGER,
    language TEXT,
    fingerprint TEXT NOT NULL,
    modified TEXT
);
-- Stored fields live apart so the rows scanned by filters and ranking stay small.
CREATE TABLE IF NOT EXISTS payloads(rowid INTEGER PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc_concepts(
    rid INTEGER NOT NULL, kind TEXT NOT NULL, uri TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_authors(rid INTEGER NOT NULL, key TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    {", ".join(COLUMNS)}, tokenize="unicode61 remove_diacritics 2"
);
"""
# Secondary indexes: a rebuild creates them after loading, which is much faster.
_INDEXES = """
CREATE INDEX IF NOT EXISTS docs_year ON docs(year, id);
CREATE INDEX IF NOT EXISTS doc_concepts_uri ON doc_concepts(uri, kind, rid);
CREATE INDEX IF NOT EXISTS doc_concepts_rid ON doc_concepts(rid, kind, uri);
CREATE INDEX IF NOT EXISTS doc_authors_key ON doc_authors(key, rid);
CREATE INDEX IF NOT EXISTS doc_authors_rid ON doc_authors(rid);
"""


def quote(token: str) -> str:
    """An FTS5 string literal: user text never reaches MATCH syntax unquoted."""
    return '"' + token.replace('"', '""') + '"'


def match_expression(query: Query) -> str:
    """The FTS5 MATCH expression of an analysed query (every token quoted)."""
    parts = []
    if query.groups:
        words = " AND ".join("(" + " OR ".join(quote(t) for t in g) + ")" for g in query.groups)
        # Concept columns hold only concept tokens, so searching every text field needs no
        # column filter (which makes FTS5 read position lists, and is slower).
        if set(query.fields) == set(TEXT_FIELDS):
            parts.append(words)
        else:
            parts.append("{" + " ".join(query.fields) + "} : (" + words + ")")
    if query.concepts:
        parts.append(" OR ".join(quote(concept_token(u)) for u in query.concepts))
    return " OR ".join(f"({p})" for p in parts)


class SqliteBackend:
    """FTS5 index in a single SQLite file; rebuilds write a new file and rename it over."""

    name: ClassVar[str] = "sqlite"
    capabilities: ClassVar[Capabilities] = Capabilities(server=False)

    def __init__(self, config: BackendConfig) -> None:
        if config.index_path is None:
            raise ConfigError("The sqlite backend needs an index file path")
        self.path = Path(config.index_path)
        self._conn: sqlite3.Connection | None = None

    # -- connection -----------------------------------------------------------------------
    @staticmethod
    def _connect(path: Path, *, bulk: bool = False) -> sqlite3.Connection:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Waits for other processes' transactions instead of failing at once.
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
            )
            if bulk:
                # A rebuild file is renamed over the live one only when complete.
                conn.execute("PRAGMA journal_mode=OFF")
                conn.execute("PRAGMA synchronous=OFF")
                conn.execute("PRAGMA cache_size=-200000")
            conn.executescript(_SCHEMA)
            if not bulk:
                conn.executescript(_INDEXES)
            conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise BackendUnavailable(f"Cannot open search index {path}: {exc}") from exc
        if row[0] != SCHEMA_VERSION:
            conn.close()
            # The index is derived data: a file of an older layout is dropped, and the empty
            # one is built on the next search (or by socsec index rebuild).
            for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                name.unlink(missing_ok=True)
            return SqliteBackend._connect(path, bulk=bulk)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """The open connection to the index file (opened on first use)."""
        if self._conn is None:
            self._conn = self._connect(self.path)
        return self._conn

    def ensure_schema(self) -> None:
        """Create the index file and tables when missing."""
        _ = self.conn

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _write(
        conn: sqlite3.Connection,
        docs: Iterable[IndexDoc],
        on_progress: ProgressFn | None,
        *,
        fresh: bool = False,
    ) -> int:
        n = 0
        batch: list[IndexDoc] = []

        def flush() -> None:
            # IMMEDIATE: a deferred transaction that reads, then writes, gets SQLITE_BUSY at
            # once (no wait) when another process writes; taking the write lock first waits.
            conn.execute("BEGIN IMMEDIATE")
            try:
                if not fresh:
                    _delete_rows(conn, [d.id for d in batch])
                for doc in batch:
                    _insert(conn, doc)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if on_progress is not None:
                on_progress(len(batch))

        for doc in docs:
            batch.append(doc)
            n += 1
            if len(batch) >= BATCH:
                flush()
                batch = []
        if batch:
            flush()
        return n

    def index(self, docs: Iterable[IndexDoc], on_progress: ProgressFn | None = None) -> IndexReport:
        """Add or replace documents (by id), in transactions of 1,000."""
        start = time.perf_counter()
        with self._busy():
            n = self._write(self.conn, docs, on_progress)
        return IndexReport(indexed=n, seconds=time.perf_counter() - start)

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """A write still locked out after the busy timeout is reported, not a traceback."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise BackendUnavailable(f"search index {self.path} is busy: {exc}") from exc

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many existed."""
        conn = self.conn
        with self._busy():
            conn.execute("BEGIN IMMEDIATE")
            try:
                n = _delete_rows(conn, list(ids))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return n

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        meta: Mapping[str, str],
        on_progress: ProgressFn | None = None,
    ) -> IndexReport:
        """Write a new index file, then rename it over the live one (atomic on POSIX)."""
        start = time.perf_counter()
        self._remove_stale_rebuilds()
        tmp = self.path.with_name(f"{self.path.name}.rebuild-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            conn = self._connect(tmp, bulk=True)
            try:
                n = self._write(conn, docs, on_progress, fresh=True)
                conn.executescript(_INDEXES)
                conn.executemany(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
                )
                conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            finally:
                conn.close()
            self.close()
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return IndexReport(indexed=n, seconds=time.perf_counter() - start)

    def _remove_stale_rebuilds(self) -> None:
        """Delete the half-built files of rebuilds whose process is gone (killed, crashed)."""
        for path in self.path.parent.glob(f"{self.path.name}.rebuild-*"):
            pid = path.name.rpartition("-")[2]
            if pid.isdigit() and not _running(int(pid)):
                path.unlink(missing_ok=True)

    def drop(self) -> None:
        """Delete the index file."""
        self.close()
        self.path.unlink(missing_ok=True)

    def set_meta(self, meta: Mapping[str, str]) -> None:
        """Merge values into the metadata table."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", sorted(meta.items())
        )

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> int:
        """Number of documents."""
        if not self.path.exists():
            return 0
        row = self.conn.execute("SELECT count(*) FROM docs").fetchone()
        return int(row[0])

    def fingerprints(self) -> dict[str, str]:
        """Every id with its fingerprint."""
        return dict(self.conn.execute("SELECT id, fingerprint FROM docs"))

    def info(self) -> IndexInfo:
        """The index file, its document count and metadata."""
        exists = self.path.exists()
        meta = dict(self.conn.execute("SELECT key, value FROM meta")) if exists else {}
        return IndexInfo(
            backend=self.name,
            name=str(self.path),
            physical=str(self.path) if exists else None,
            count=self.count(),
            meta=meta,
        )

    def search(self, query: Query) -> SearchResult:
        """Run ``query``: BM25 over weighted columns, filters, facets and keyset paging.

        A text search without filters, in relevance order (the common case), ranks inside
        FTS5 only: BM25 of every match, the best few kept, and only those joined with their
        rows (:func:`_ranked_page`). Facets count every match up to :data:`FACET_SAMPLE`
        matches, beyond that the first ones in the result order (``Facets.sampled``).
        """
        conn = self.conn
        where, params = _filters(query)
        plain = where == "1"
        match = ""
        if query.has_text:
            match = match_expression(query)
            source = "fts JOIN docs d ON d.rowid = fts.rowid"
            where = f"fts MATCH ? AND {where}"
            params = [match, *params]
        else:
            source = "docs d"
        try:
            if query.has_text and plain:
                # Every fts row has its docs row: no join to count.
                sql = "SELECT count(*) FROM fts WHERE fts MATCH ?"
            else:
                sql = f"SELECT count(*) FROM {source} WHERE {where}"
            fast = query.has_text and plain and query.sort is Sort.relevance
            ranked: list[tuple[int, float]] | None = None
            if fast and query.after is None:
                ranked, wanted = _ranked(conn, match, query)
                # Fewer rows than asked for: these are every match, no need to count them.
                total = len(ranked) if len(ranked) < wanted else _count(conn, sql, params)
            else:
                total = _count(conn, sql, params)
            facets: Facets | None = None
            if query.facets:
                sampled = total > FACET_SAMPLE
                if ranked is not None:
                    rids = [r for r, _s in ranked[:FACET_SAMPLE]]
                else:
                    key, direction, _cmp = _order(query)
                    order = f" ORDER BY {key} {direction}, d.id ASC LIMIT {FACET_SAMPLE}"
                    sql = f"SELECT d.rowid FROM {source} WHERE {where}"
                    rids = [r for (r,) in conn.execute(sql + (order if sampled else ""), params)]
                facets = _facets(conn, rids, query.facet_size, FACET_SAMPLE if sampled else None)
            page = _ranked_page(conn, query, ranked, total) if ranked is not None else None
            if page is not None:
                hits = page
            elif total:
                hits = self._page(conn, query, source, where, params)
            else:
                hits = []
        except sqlite3.OperationalError as exc:
            msg = f"Search index {self.path} cannot run the query: {exc}"
            raise BackendUnavailable(msg) from exc
        return SearchResult(hits=hits, total=total, facets=facets)

    @staticmethod
    def _page(
        conn: sqlite3.Connection, query: Query, source: str, where: str, params: list[object]
    ) -> list[Hit]:
        score = _relevance(query)
        key, direction, cmp = _order(query)
        params = list(params)
        if query.after is not None:
            where += f" AND ({key} {cmp} ? OR ({key} = ? AND d.id > ?))"
            params += [query.after[0], query.after[0], query.after[1]]
            offset = 0
        else:
            offset = (max(query.page, 1) - 1) * query.size
        sql = (
            "SELECT p.r, p.k, p.id, p.year, p.type, p.language, s.payload FROM ("
            f"SELECT d.rowid AS rid, {score} AS r, {key} AS k, d.id AS id, d.year AS year, "
            f"d.type AS type, d.language AS language FROM {source} WHERE {where} "
            f"ORDER BY k {direction}, d.id ASC LIMIT ? OFFSET ?"
            f") p JOIN payloads s ON s.rowid = p.rid ORDER BY p.k {direction}, p.id ASC"
        )
        params += [query.size, offset]
        return [_hit(*row) for row in conn.execute(sql, params)]


def _relevance(query: Query) -> str:
    """The score of ``query`` as SQL, lower is better (BM25's sign)."""
    if query.concept_ranked:
        return _concept_score(query)
    return _BM25 if query.has_text else "0.0"


def _literal(text: str) -> str:
    """An SQL string literal (the scoring expression is built into the SQL, not bound)."""
    return "'" + text.replace("'", "''") + "'"


def _rows_matching(columns: Sequence[str], expression: str) -> str:
    """SQL: whether the row ``d`` matches an FTS5 expression in these columns (the matching
    rowids are computed once per query, not per row).
    """
    match = _literal("{" + " ".join(columns) + "} : (" + expression + ")")
    return f"d.rowid IN (SELECT rowid FROM fts WHERE fts MATCH {match})"


def _concept_score(query: Query) -> str:
    """SQL score of a search by concept alone: the strongest tier the record holds the
    concept in, plus the label bonus (see ``CONCEPT_TIERS``), negated as BM25 is.
    """
    exact = " OR ".join(quote(concept_token(u)) for u in query.concept_filter)
    tiers = [
        ("subject_ids", exact, CONCEPT_TIERS["subjects"]),
        ("accepted_ids", exact, CONCEPT_TIERS["accepted"]),
        ("automatic_ids", exact, CONCEPT_TIERS["automatic"]),
    ]
    if query.include_narrower:  # a narrower subject puts the concept among its ancestors
        tiers.append(("ancestor_ids", exact, CONCEPT_TIERS["narrower"]))
    if query.concept_detected:
        named = " OR ".join(quote(concept_token(u)) for u in query.concept_detected)
        tiers.append(("detected_ids", named, CONCEPT_TIERS["detected"]))
    cases = " ".join(f"WHEN {_rows_matching([c], e)} THEN {w}" for c, e, w in tiers)
    score = f"(CASE {cases} ELSE 0.0 END)"
    if query.concept_labels:
        labels = " OR ".join(
            "(" + " AND ".join("(" + " OR ".join(quote(t) for t in g) + ")" for g in label) + ")"
            for label in query.concept_labels
        )
        for field, bonus in CONCEPT_LABEL_BONUS.items():
            score += f" + (CASE WHEN {_rows_matching([field], labels)} THEN {bonus} ELSE 0.0 END)"
    return f"-({score})"


def _order(query: Query) -> tuple[str, str, str]:
    """The sort key of ``query`` as SQL, its direction, and the keyset comparison."""
    if query.sort is Sort.relevance:
        return _relevance(query), "ASC", ">"
    if query.sort is Sort.year:
        return "coalesce(d.year, 1000000)", "ASC", ">"
    return "coalesce(d.year, -1)", "DESC", "<"


def _hit(
    r: float,
    k: str | int | float,
    id_: str,
    year: int | None,
    type_: str,
    language: str | None,
    payload: str,
) -> Hit:
    data = json.loads(payload)
    return Hit(
        id=id_,
        score=round(-float(r), 6),
        sort=(k, id_),
        year=year,
        type=type_,
        language=language,
        subjects=tuple(data["subjects"]),
        ancestors=tuple(data["ancestors"]),
        detected=tuple(data["detected"]),
        display=data["display"],
        provenance=data.get("provenance") or {},
    )


def _count(conn: sqlite3.Connection, sql: str, params: list[object]) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _ranked(
    conn: sqlite3.Connection, match: str, query: Query
) -> tuple[list[tuple[int, float]], int]:
    """(rowid, BM25) of the best matches, best first: the page, its ties, the facet sample.

    FTS5 alone (no join): the sorter keeps the best rows only, so the cost is BM25 itself.
    Returns the rows and how many were asked for (fewer came back: they are every match).
    """
    wanted = (max(query.page, 1) - 1) * query.size + query.size + TIE_MARGIN
    if query.facets:  # the facets count these rows too: every match, or the sample
        wanted = max(wanted, FACET_SAMPLE)
    sql = f"SELECT rowid, {_BM25} AS r FROM fts WHERE fts MATCH ? ORDER BY r, rowid LIMIT ?"
    return conn.execute(sql, (match, wanted)).fetchall(), wanted


def _ranked_page(
    conn: sqlite3.Connection, query: Query, ranked: list[tuple[int, float]], total: int
) -> list[Hit] | None:
    """The page cut from :func:`_ranked` rows, ordered as :meth:`SqliteBackend._page` orders.

    That order is score, then id. None when rows tied with the page's last hit may lie
    beyond the rows fetched (then the full query decides).
    """
    if not ranked:
        return []
    offset = (max(query.page, 1) - 1) * query.size
    end = offset + query.size
    every = len(ranked) >= total  # every match was fetched
    if end > len(ranked):
        if not every:
            return None  # the page lies past the rows fetched
        cut = len(ranked)
    elif not every and ranked[-1][1] == ranked[end - 1][1]:
        return None  # ties with the page's last hit may lie past the rows fetched
    else:
        # The page is the first rows by (score, id): those scoring at most its last hit.
        last = ranked[end - 1][1]
        cut = end
        while cut < len(ranked) and ranked[cut][1] == last:
            cut += 1
    head = ranked[:cut]
    scores = dict(head)
    if len(set(scores.values())) == len(head):  # no ties: the score alone orders the page
        order = [r for r, _s in head[offset:end]]
    else:  # tied scores are ordered by id
        ids = conn.execute(
            f"SELECT rowid, id FROM docs WHERE rowid IN ({_placeholders(head)})", list(scores)
        )
        order = [r for r, _id in sorted(ids, key=lambda r: (scores[r[0]], r[1]))[offset:end]]
    if not order:
        return []
    rows = {
        row[0]: row[1:]
        for row in conn.execute(
            "SELECT d.rowid, d.id, d.year, d.type, d.language, s.payload FROM docs d "
            "JOIN payloads s ON s.rowid = d.rowid "
            f"WHERE d.rowid IN ({_placeholders(order)})",
            order,
        )
    }
    return [_hit(scores[r], scores[r], *rows[r]) for r in order]


def _running(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _filters(query: Query) -> tuple[str, list[object]]:
    clauses = ["1"]
    params: list[object] = []
    if query.year_from is not None:
        clauses.append("d.year >= ?")
        params.append(query.year_from)
    if query.year_to is not None:
        clauses.append("d.year <= ?")
        params.append(query.year_to)
    if query.types:
        clauses.append(f"d.type IN ({_placeholders(query.types)})")
        params += query.types
    if query.languages:
        clauses.append(f"d.language IN ({_placeholders(query.languages)})")
        params += query.languages
    if query.author:
        clauses.append("EXISTS (SELECT 1 FROM doc_authors a WHERE a.rid = d.rowid AND a.key = ?)")
        params.append(query.author)
    if query.concept_filter:
        # The records are looked up by concept (index doc_concepts_uri), not each record's
        # concepts checked in turn (a scan of every record: 30 ms at 10,000 records vs 0.2).
        kinds = "('s', 'a')" if query.include_narrower else "('s')"
        held = (
            "SELECT c.rid FROM doc_concepts c WHERE c.uri IN "
            f"({_placeholders(query.concept_filter)}) AND c.kind IN {kinds}"
        )
        params += query.concept_filter
        if query.concept_detected:  # or named in the title or abstract
            named = _placeholders(query.concept_detected)
            held += f" UNION SELECT rid FROM doc_concepts WHERE uri IN ({named}) AND kind = 'd'"
            params += query.concept_detected
        clauses.append(f"d.rowid IN ({held})")
    return " AND ".join(clauses), params


def _facets(conn: sqlite3.Connection, rids: list[int], size: int, sampled: int | None) -> Facets:
    """Facet counts over the documents ``rids`` (every match, or the sample)."""
    # In rowid order: neighbouring rows share index pages.
    ids = json.dumps(sorted(rids))
    subjects = conn.execute(
        # CROSS JOIN keeps the (small) match set as the outer loop over the concept index.
        "SELECT c.uri, count(*) AS n FROM json_each(?) m CROSS JOIN doc_concepts c "
        "ON c.rid = m.value AND c.kind = 's' GROUP BY c.uri ORDER BY n DESC, c.uri LIMIT ?",
        (ids, size),
    ).fetchall()
    counts = conn.execute(
        "SELECT d.year, d.type, d.language, count(*) FROM json_each(?) m "
        "CROSS JOIN docs d ON d.rowid = m.value GROUP BY d.year, d.type, d.language",
        (ids,),
    ).fetchall()
    by_year: dict[int, int] = {}
    by_type: dict[str, int] = {}
    by_lang: dict[str, int] = {}
    for year, type_, lang, n in counts:
        if year is not None:
            by_year[year] = by_year.get(year, 0) + n
        by_type[type_] = by_type.get(type_, 0) + n
        if lang is not None:
            by_lang[lang] = by_lang.get(lang, 0) + n
    years = sorted(by_year.items())
    types = sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    langs = sorted(by_lang.items(), key=lambda kv: (-kv[1], kv[0]))
    return Facets(
        subjects=[(u, int(n)) for u, n in subjects],
        year=[(int(y), int(n)) for y, n in years],
        type=[(t, int(n)) for t, n in types],
        language=[(lg, int(n)) for lg, n in langs],
        sampled=sampled,
    )


def _delete_rows(conn: sqlite3.Connection, ids: Sequence[str]) -> int:
    n = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rids = [
            r
            for (r,) in conn.execute(
                f"SELECT rowid FROM docs WHERE id IN ({_placeholders(chunk)})", chunk
            )
        ]
        if not rids:
            continue
        marks = _placeholders(rids)
        conn.execute(f"DELETE FROM fts WHERE rowid IN ({marks})", rids)
        conn.execute(f"DELETE FROM doc_concepts WHERE rid IN ({marks})", rids)
        conn.execute(f"DELETE FROM doc_authors WHERE rid IN ({marks})", rids)
        conn.execute(f"DELETE FROM docs WHERE rowid IN ({marks})", rids)
        conn.execute(f"DELETE FROM payloads WHERE rowid IN ({marks})", rids)
        n += len(rids)
    return n


def _insert(conn: sqlite3.Connection, doc: IndexDoc) -> None:
    payload = json.dumps(
        {
            "subjects": doc.subjects,
            "ancestors": doc.ancestors,
            "detected": doc.detected,
            "display": doc.display,
            "provenance": dict(doc.provenance),
        },
        ensure_ascii=False,
    )
    cur = conn.execute(
        "INSERT INTO docs(id, type, year, language, fingerprint, modified) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (doc.id, doc.type, doc.year, doc.language, doc.fingerprint, doc.modified),
    )
    rid = cur.lastrowid
    conn.execute("INSERT INTO payloads(rowid, payload) VALUES (?, ?)", (rid, payload))
    broader = [u for u in doc.ancestors if u not in set(doc.subjects)]
    kinds: dict[str, Sequence[str]] = {
        "subjects": doc.subjects,
        "ancestors": broader,
        "detected": doc.detected,
    }
    conn.executemany(
        "INSERT INTO doc_concepts(rid, kind, uri) VALUES (?, ?, ?)",
        [(rid, KIND_CODES[k], u) for k, uris in kinds.items() for u in uris],
    )
    kinds.update(doc.subjects_by_kind())  # the FTS columns rank subjects by provenance
    conn.executemany(
        "INSERT INTO doc_authors(rid, key) VALUES (?, ?)", [(rid, k) for k in doc.author_keys]
    )
    values = [doc.text.get(f, "") for f in TEXT_FIELDS] + [
        " ".join(concept_token(u) for u in kinds[k]) for k in CONCEPT_COLUMNS
    ]
    conn.execute(
        f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?, {_placeholders(values)})",
        [rid, *values],
    )


def iter_all(backend: SqliteBackend) -> Iterator[str]:
    """Every document id, in id order (used by tests and status checks)."""
    for (id_,) in backend.conn.execute("SELECT id FROM docs ORDER BY id"):
        yield id_
