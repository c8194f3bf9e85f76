"""An indexed copy of the store files' triples, so a curation change reads only what it needs.

Parsing every scheme file and indexing it in memory costs ~0.9 s with all of EuroVoc; a
label edit needs a few dozen triples. This SQLite file (``thesaurus-quads.sqlite`` beside the
lookup cache) holds every triple of the store files with the file it is in, indexed by
subject, object and label key. It is derived data: each file's sha256 is kept with its rows,
and :meth:`QuadIndex.sync` reloads exactly the files whose bytes differ (after an import, an
undo, a hand edit or a crash), so it can never answer from stale files.

Terms are kept in N-Triples syntax and parsed back by Oxigraph in one batch per query.
Blank nodes are renamed per file (each file is its own blank-node scope).
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from socsec.thesaurus.model import SKOS
from socsec.thesaurus.rdfio import RdfFormat, parse_bytes
from socsec.thesaurus.store import store_files

if TYPE_CHECKING:
    from socsec.workspace import Workspace

INDEX_NAME = "thesaurus-quads.sqlite"
_LABEL_PREDICATES = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"}
_DDL = """
CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quads (
    file TEXT NOT NULL, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL, lk TEXT
);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS quads_s ON quads (s);
CREATE INDEX IF NOT EXISTS quads_o ON quads (o);
CREATE INDEX IF NOT EXISTS quads_file ON quads (file);
CREATE INDEX IF NOT EXISTS quads_lk ON quads (lk, p);
"""
_INDEX_NAMES = ("quads_s", "quads_o", "quads_file", "quads_lk")
_BULK = 10  # files reloaded at once above which the indexes are dropped and rebuilt
Row = tuple[str, str, str, str]  # file, s, p, o (terms in N-Triples syntax; p a bare IRI)


def label_key(text: str) -> str:
    """Comparison key of a label: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def scope_of(name: str) -> str:
    """The blank-node prefix of one store file (stable: derived from its name)."""
    return "f" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10] + "x"


def scoped(triples: Iterable[ox.Triple], name: str) -> list[ox.Triple]:
    """``triples`` with their blank nodes renamed into the scope of file ``name``."""
    triples = list(triples)
    if not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return triples
    prefix = scope_of(name)

    def rename(node: object) -> object:
        return ox.BlankNode(prefix + node.value) if isinstance(node, ox.BlankNode) else node

    return [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in triples]  # type: ignore[arg-type]


def unscoped(triples: Iterable[ox.Triple], name: str) -> list[ox.Triple]:
    """Undo :func:`scoped`, so blank-node labels do not grow on every write."""
    prefix = scope_of(name)

    def back(node: object) -> object:
        if isinstance(node, ox.BlankNode) and node.value.startswith(prefix):
            return ox.BlankNode(node.value[len(prefix) :])
        return node

    return [ox.Triple(back(t.subject), t.predicate, back(t.object)) for t in triples]  # type: ignore[arg-type]


def row_of(t: ox.Triple, name: str) -> tuple[str, str, str, str, str | None]:
    """The index row of a triple in file ``name``."""
    o = t.object
    lk = (
        label_key(o.value)
        if isinstance(o, ox.Literal) and t.predicate.value in _LABEL_PREDICATES
        else None
    )
    return (name, str(t.subject), t.predicate.value, str(o), lk)


def sha256(data: bytes) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


class QuadIndex:
    """The triples of the store files, by file, subject, object and label key."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the index file at ``path``."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        # Derived data, checked against the files' digests: no need to wait for the disk.
        self.conn.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;" + _DDL + _INDEXES
        )
        self._files: dict[str, list[ox.Triple]] = {}

    @classmethod
    def of(cls, ws: Workspace) -> QuadIndex:
        """The index of a data dir (beside its lookup cache)."""
        return cls(ws.thesaurus_cache.with_name(INDEX_NAME))

    def close(self) -> None:
        """Close the database."""
        self.conn.close()

    # -- keeping it in step with the files

    def digests(self) -> dict[str, str]:
        """File name -> sha256 of the bytes the index holds."""
        return dict(self.conn.execute("SELECT name, sha256 FROM files"))

    def sync(self, directory: Path, data: dict[str, bytes] | None = None) -> list[str]:
        """Reload the files whose bytes differ from what is indexed; returns their names.

        Args:
            directory: the store folder.
            data: the files' current bytes when the caller has read them already.
        """
        current = (
            data if data is not None else {p.name: p.read_bytes() for p in store_files(directory)}
        )
        known = self.digests()
        wanted = {name: sha256(blob) for name, blob in current.items()}
        stale = sorted(n for n in known.keys() | wanted.keys() if known.get(n) != wanted.get(n))
        if not stale:
            return []
        bulk = len(stale) > _BULK
        with self.transaction():
            if bulk:  # an import: rebuilding the secondary indexes once is much faster
                for name in _INDEX_NAMES:
                    self.conn.execute(f"DROP INDEX IF EXISTS {name}")
            for name in stale:
                self._drop(name)
                if name in current:
                    triples = scoped(parse_bytes(current[name], RdfFormat.ttl), name)
                    self._insert(name, triples, wanted[name])
            if bulk:
                for statement in _INDEXES.strip().splitlines():
                    self.conn.execute(statement)
        return stale

    def apply(
        self, name: str, added: Iterable[ox.Triple], removed: Iterable[ox.Triple], digest: str
    ) -> None:
        """Add and remove (scoped) triples of one file; inside a transaction."""
        for t in removed:
            self.conn.execute(
                "DELETE FROM quads WHERE s = ? AND p = ? AND o = ? AND file = ?",
                (str(t.subject), t.predicate.value, str(t.object), name),
            )
        self.conn.executemany(
            "INSERT INTO quads VALUES (?, ?, ?, ?, ?)", (row_of(t, name) for t in added)
        )
        self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?)", (name, digest))
        self._files.pop(name, None)

    def replace_file(
        self, name: str, triples: Sequence[ox.Triple] | None, digest: str | None
    ) -> None:
        """Set the (scoped) triples of one file, or drop it (``None``); inside a transaction."""
        self._drop(name)
        if triples is not None and digest is not None:
            self._insert(name, triples, digest)

    def _drop(self, name: str) -> None:
        self._files.pop(name, None)
        self.conn.execute("DELETE FROM quads WHERE file = ?", (name,))
        self.conn.execute("DELETE FROM files WHERE name = ?", (name,))

    def _insert(self, name: str, triples: Iterable[ox.Triple], digest: str) -> None:
        self.conn.executemany(
            "INSERT INTO quads VALUES (?, ?, ?, ?, ?)", (row_of(t, name) for t in triples)
        )
        self.conn.execute("INSERT INTO files VALUES (?, ?)", (name, digest))

    def transaction(self) -> _Tx:
        """A write transaction (``with index.transaction(): ...``)."""
        self.conn.execute("BEGIN IMMEDIATE")
        return _Tx(self.conn)

    # -- reading

    def query(self, where: str, params: Sequence[object]) -> list[tuple[ox.Triple, str]]:
        """(triple, file) for the rows matching an SQL condition on file, s, p, o, lk."""
        rows = self.conn.execute(
            f"SELECT file, s, p, o FROM quads WHERE {where}", params
        ).fetchall()
        return parse_rows(rows)

    def about(self, node: str) -> list[tuple[ox.Triple, str]]:
        """Triples whose subject is ``node`` (a term in N-Triples syntax)."""
        return self.query("s = ?", (node,))

    def pointing(self, node: str) -> list[tuple[ox.Triple, str]]:
        """Triples whose object is ``node`` (a term in N-Triples syntax)."""
        return self.query("o = ?", (node,))

    def of_file(self, name: str) -> list[ox.Triple]:
        """The (scoped) triples of one file."""
        if name not in self._files:
            self._files[name] = [t for t, _f in self.query("file = ?", (name,))]
        return self._files[name]

    def mentions(self, node: str) -> bool:
        """Whether ``node`` is the subject or object of any triple."""
        found = self.conn.execute(
            "SELECT 1 FROM quads WHERE s = ? UNION ALL SELECT 1 FROM quads WHERE o = ? LIMIT 1",
            (node, node),
        ).fetchone()
        return found is not None

    def label_owners(self, predicate: str, key: str) -> list[tuple[ox.Triple, str]]:
        """Triples of ``predicate`` (a label property) whose label key is ``key``."""
        return self.query("lk = ? AND p = ?", (key, predicate))

    def count(self) -> int:
        """How many triples are indexed."""
        return int(self.conn.execute("SELECT count(*) FROM quads").fetchone()[0])


class _Tx:
    """Commit on success, roll back on error (the connection is in autocommit mode)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, kind: object, *_rest: object) -> None:
        self.conn.execute("ROLLBACK" if kind is not None else "COMMIT")


def parse_rows(rows: Sequence[Row]) -> list[tuple[ox.Triple, str]]:
    """Rows of the index as (triple, file), parsed by Oxigraph in one batch."""
    if not rows:
        return []
    doc = "".join(f"{s} <{p}> {o} .\n" for _f, s, p, o in rows).encode("utf-8")
    triples = [q.triple for q in ox.parse(doc, format=ox.RdfFormat.N_TRIPLES)]
    return [(t, row[0]) for t, row in zip(triples, rows, strict=True)]
