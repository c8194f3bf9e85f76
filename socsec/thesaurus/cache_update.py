"""Update the lookup cache in place for a small change, instead of recompiling it.

A curation change touches a few resources: the subjects and objects of the triples it adds
or removes. Only their rows are recomputed (with the same steps as the full build in
:mod:`socsec.thesaurus.compile`), compared with the stored rows, and only the rows that
differ are written, in one SQLite transaction. When the hierarchy changed, the closure rows
of the moved concepts and of their descendants are recomputed too.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from socsec.thesaurus.compile import (
    Neighbours,
    _Analyzer,
    _Graph,
    ancestor_rows,
    concept_rows,
    concept_uris,
    scheme_row,
    token_rows,
)
from socsec.thesaurus.model import RDF_TYPE, SKOS
from socsec.thesaurus.quadindex import QuadIndex
from socsec.thesaurus.schema import KIND_NAMES
from socsec.thesaurus.store import Manifest

_HIERARCHY = {SKOS + "broader", SKOS + "narrower"}
_LABELS = {SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"}
_COLLECTION_TYPES = {SKOS + "Collection", SKOS + "OrderedCollection"}


@dataclass
class CacheUpdate:
    """What an in-place update did.

    Attributes:
        build_id: the cache's new build id.
        rows: table -> rows written (inserted, replaced or deleted); ``meta`` not counted.
        affected: concepts whose labels or ancestors changed (records tagged with them need
            re-enriching).
    """

    build_id: str
    rows: dict[str, int] = field(default_factory=dict)
    affected: set[str] = field(default_factory=set)


def touched_resources(changed: Iterable[ox.Triple]) -> set[str]:
    """IRIs whose cache rows may change: subjects and linked objects of the changed triples."""
    out: set[str] = set()
    for t in changed:
        if isinstance(t.subject, ox.NamedNode):
            out.add(t.subject.value)
        if isinstance(t.object, ox.NamedNode) and t.predicate.value != RDF_TYPE:
            out.add(t.object.value)
    return out


def affected_concepts(update: CacheUpdate) -> set[str]:
    """Concept URIs whose labels or ancestors a change altered (see :class:`CacheUpdate`)."""
    return set(update.affected)


class _Updater:
    def __init__(self, conn: sqlite3.Connection, index: QuadIndex, resources: set[str]) -> None:
        self.conn = conn
        self.index = index
        self.resources = resources
        triples = [t for r in sorted(resources) for t, _f in index.about(f"<{r}>")]
        triples += [t for r in sorted(resources) for t, _f in index.pointing(f"<{r}>")]
        self.g = _Graph(dict.fromkeys(triples))
        schemes = self.g.of_type("ConceptScheme")
        self.now_concepts = set(concept_uris(self.g, schemes)) & resources
        self.ids: dict[str, int] = {}
        self.old_ids: dict[str, int] = {}
        for r in sorted(resources):
            found = conn.execute("SELECT id FROM concepts WHERE uri = ?", (r,)).fetchone()
            if found:
                self.old_ids[r] = found[0]
        top = conn.execute("SELECT coalesce(max(id), 0) FROM concepts").fetchone()[0]
        for r in sorted(self.now_concepts):
            if r in self.old_ids:
                self.ids[r] = self.old_ids[r]
            else:
                top += 1
                self.ids[r] = top
        self.rows: dict[str, int] = defaultdict(int)
        self.label_delta: dict[tuple[str, str], int] = defaultdict(int)
        self._typed: dict[tuple[str, str], bool] = {}

    def is_concept(self, uri: str) -> bool:
        if uri in self.resources:
            return uri in self.now_concepts
        return self.id_of(uri) is not None

    def id_of(self, uri: str) -> int | None:
        if uri in self.resources:
            return self.ids.get(uri)
        found = self.conn.execute("SELECT id FROM concepts WHERE uri = ?", (uri,)).fetchone()
        return found[0] if found else None

    def typed(self, uri: str, cls: str) -> bool:
        key = (uri, cls)
        if key not in self._typed:
            hits = self.index.query("s = ? AND p = ? AND o = ?", (f"<{uri}>", RDF_TYPE, f"<{cls}>"))
            self._typed[key] = bool(hits)
        return self._typed[key]

    def neighbours(self, uri: str) -> Neighbours:
        links = self.g.links.get(uri, {})
        broader = {b for b in links.get(SKOS + "broader", ()) if self.is_concept(b)}
        narrower = {n for n in links.get(SKOS + "narrower", ()) if self.is_concept(n)}
        related = set(links.get(SKOS + "related", ()))
        top_of = set(links.get(SKOS + "topConceptOf", ()))
        collections: set[str] = set()
        for s, by_p in self.g.links.items():
            if uri not in {x for xs in by_p.values() for x in xs} or s == uri:
                continue
            if uri in by_p.get(SKOS + "narrower", ()) and self.is_concept(s):
                broader.add(s)
            if uri in by_p.get(SKOS + "broader", ()) and self.is_concept(s):
                narrower.add(s)
            if uri in by_p.get(SKOS + "related", ()) and self.is_concept(s):
                related.add(s)
            if uri in by_p.get(SKOS + "hasTopConcept", ()) and self.typed(
                s, SKOS + "ConceptScheme"
            ):
                top_of.add(s)
            if uri in by_p.get(SKOS + "member", ()) and any(
                self.typed(s, c) for c in _COLLECTION_TYPES
            ):
                collections.add(s)
        return Neighbours(
            broader=sorted(broader),
            narrower=sorted(narrower),
            related=sorted(related),
            in_scheme=set(links.get(SKOS + "inScheme", ())),
            top_of=top_of,
            collections=collections,
        )

    def _sync(
        self, table: str, where: str, key: Sequence[object], new: set[tuple[Any, ...]], columns: str
    ) -> set[tuple[Any, ...]]:
        """Make the rows of ``table`` matching ``where`` equal ``new``; returns the old rows."""
        old = set(self.conn.execute(f"SELECT {columns} FROM {table} WHERE {where}", key))
        cols = columns.split(", ")
        for row in old - new:
            cond = " AND ".join(f"{c} IS ?" for c in cols)
            self.conn.execute(f"DELETE FROM {table} WHERE {cond}", row)
            self.rows[table] += 1
        marks = ", ".join("?" * len(cols))
        for row in new - old:
            self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)
            self.rows[table] += 1
        return old

    def _labels(self, cid: int, new: set[tuple[Any, ...]]) -> bool:
        old = {
            row[1:]: row[0]
            for row in self.conn.execute(
                "SELECT rowid, cid, lang, base, kind, label, folded, stemmed FROM labels "
                "WHERE cid = ?",
                (cid,),
            )
        }
        for row in set(old) - new:
            rowid = old[row]
            self.conn.execute(
                "INSERT INTO label_words (label_words, rowid, folded) VALUES ('delete', ?, ?)",
                (rowid, row[5]),
            )
            self.conn.execute("DELETE FROM labels WHERE rowid = ?", (rowid,))
            self.conn.execute("DELETE FROM label_tokens WHERE rid = ?", (rowid,))
            self.rows["labels"] += 1
            self.label_delta[(row[2] or "-", KIND_NAMES[row[3]])] -= 1
        for row in sorted(new - set(old)):
            cur = self.conn.execute("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            self.conn.execute(
                "INSERT INTO label_words (rowid, folded) VALUES (?, ?)", (cur.lastrowid, row[5])
            )
            # The words of the label, for word-order-free and partial lookups.
            self.conn.executemany(
                "INSERT INTO label_tokens VALUES (?, ?, ?, ?)",
                token_rows([row], cur.lastrowid or 0),
            )
            self.rows["labels"] += 1
            self.label_delta[(row[2] or "-", KIND_NAMES[row[3]])] += 1
        return set(old) != new

    def concept(self, uri: str, analyzer: _Analyzer) -> tuple[bool, bool]:
        """Rewrite one concept's rows; returns (labels changed, broader changed)."""
        old_id = self.old_ids.get(uri)
        cid = self.ids.get(uri)
        if cid is None:  # no longer a concept
            assert old_id is not None
            self._labels(old_id, set())
            self._sync("concept_schemes", "cid = ?", (old_id,), set(), "cid, scheme, top")
            self._sync("broader", "cid = ?", (old_id,), set(), "cid, pid")
            self._sync("broader", "pid = ?", (old_id,), set(), "cid, pid")
            self.conn.execute("DELETE FROM closure WHERE des = ? OR anc = ?", (old_id, old_id))
            self.conn.execute("DELETE FROM concepts WHERE id = ?", (old_id,))
            self.rows["concepts"] += 1
            return True, True
        near = self.neighbours(uri)
        rows = concept_rows(self.g, uri, cid, near, analyzer)
        old = self.conn.execute("SELECT * FROM concepts WHERE id = ?", (cid,)).fetchone()
        if old != rows.concept:
            self.conn.execute(
                "INSERT OR REPLACE INTO concepts VALUES (?, ?, ?, ?, ?, ?)", rows.concept
            )
            self.rows["concepts"] += 1
        labels_changed = self._labels(cid, set(rows.labels))
        memberships = {(cid, s, int(s in near.top_of)) for s in near.in_scheme | near.top_of}
        self._sync("concept_schemes", "cid = ?", (cid,), memberships, "cid, scheme, top")
        parents = {(cid, pid) for b in near.broader if (pid := self.id_of(b)) is not None}
        before = self._sync("broader", "cid = ?", (cid,), parents, "cid, pid")
        return labels_changed or old_id is None, before != parents


def _parents_map(conn: sqlite3.Connection) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    parents: dict[int, set[int]] = defaultdict(set)
    children: dict[int, set[int]] = defaultdict(set)
    for cid, pid in conn.execute("SELECT cid, pid FROM broader"):
        parents[cid].add(pid)
        children[pid].add(cid)
    return parents, children


def _ancestors(parents: dict[int, set[int]], cid: int) -> set[tuple[int, int, int]]:
    """(ancestor, cid, depth) rows, shortest depth (as a full build computes them)."""
    return set(ancestor_rows(parents, cid))


def _below(children: dict[int, set[int]], start: Iterable[int]) -> set[int]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for c in children.get(queue.popleft(), ()):
            if c not in seen:
                seen.add(c)
                queue.append(c)
    return seen


def update_cache(
    path: Path,
    index: QuadIndex,
    changed: Sequence[ox.Triple],
    manifest: Manifest,
    digests: dict[str, str],
    *,
    triple_delta: int = 0,
) -> CacheUpdate:
    """Bring the cache at ``path`` in line with ``index`` after the ``changed`` triples.

    ``index`` must already hold the new state; the cache must match the old one (its
    ``files`` digests are the caller's to check).

    Args:
        path: the lookup cache.
        index: the quad index (new state).
        changed: the triples added or removed.
        manifest: the store's manifest after the change.
        digests: store file name -> sha256 after the change.
        triple_delta: how the number of distinct triples changed.
    """
    resources = touched_resources(changed)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        up = _Updater(conn, index, resources)
        old_schemes = {
            s
            for (s,) in conn.execute(
                f"SELECT DISTINCT scheme FROM concept_schemes WHERE cid IN "
                f"({','.join('?' * len(up.old_ids))})",
                list(up.old_ids.values()),
            )
        }
        analyzer = _Analyzer()
        affected: set[str] = set()
        moved: set[int] = set()
        old_below: set[int] = set()
        for uri in sorted(resources & (set(up.old_ids) | up.now_concepts)):
            labels_changed, broader_changed = up.concept(uri, analyzer)
            if labels_changed:
                affected.add(uri)
            if broader_changed:
                cid = up.ids.get(uri) or up.old_ids[uri]
                moved.add(cid)
                old_below |= {
                    d for (d,) in conn.execute("SELECT des FROM closure WHERE anc = ?", (cid,))
                }
        if moved:
            parents, children = _parents_map(conn)
            for d in sorted(_below(children, moved) | old_below):
                if not conn.execute("SELECT 1 FROM concepts WHERE id = ?", (d,)).fetchone():
                    continue
                new = _ancestors(parents, d)
                if up._sync("closure", "des = ?", (d,), new, "anc, des, depth") != new:
                    (uri,) = conn.execute("SELECT uri FROM concepts WHERE id = ?", (d,)).fetchone()
                    affected.add(uri)
        _update_schemes(up, old_schemes, manifest)
        build_id = _update_meta(conn, manifest, digests, triple_delta, up.label_delta)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    affected |= set(up.old_ids) - up.now_concepts
    return CacheUpdate(build_id=build_id, rows=dict(up.rows), affected=affected)


def _update_schemes(up: _Updater, old: set[str], manifest: Manifest) -> None:
    conn = up.conn
    new = {
        s
        for (s,) in conn.execute(
            f"SELECT DISTINCT scheme FROM concept_schemes WHERE cid IN "
            f"({','.join('?' * len(up.ids))})",
            list(up.ids.values()),
        )
    }
    candidates = old | new | {r for r in up.resources if up.typed(r, SKOS + "ConceptScheme")}
    candidates |= {
        r
        for r in up.resources
        if conn.execute("SELECT 1 FROM schemes WHERE uri = ?", (r,)).fetchone()
    }
    file_of = {scheme: name for name, scheme in manifest.files.items() if scheme}
    for s in sorted(candidates):
        members = [
            (cid, top)
            for cid, top in conn.execute(
                "SELECT cid, top FROM concept_schemes WHERE scheme = ? ORDER BY cid", (s,)
            )
        ]
        g = _Graph(t for t, _f in up.index.about(f"<{s}>"))
        keep = members or up.typed(s, SKOS + "ConceptScheme")
        row = scheme_row(g, s, members, file_of.get(s)) if keep else None
        old_row = conn.execute("SELECT uri, data FROM schemes WHERE uri = ?", (s,)).fetchone()
        if old_row == row:
            continue
        if row is None:
            conn.execute("DELETE FROM schemes WHERE uri = ?", (s,))
        else:
            conn.execute("INSERT OR REPLACE INTO schemes VALUES (?, ?)", row)
        up.rows["schemes"] += 1


def _update_meta(
    conn: sqlite3.Connection,
    manifest: Manifest,
    digests: dict[str, str],
    triple_delta: int,
    label_delta: dict[tuple[str, str], int],
) -> str:
    import uuid

    (stored,) = conn.execute("SELECT value FROM meta WHERE key = 'label_counts'").fetchone()
    counts: dict[str, dict[str, int]] = json.loads(stored)
    for (base, kind), n in label_delta.items():
        by_kind = counts.setdefault(base, {})
        by_kind[kind] = by_kind.get(kind, 0) + n
        if not by_kind[kind]:
            del by_kind[kind]
        if not by_kind:
            del counts[base]
    (triples,) = conn.execute("SELECT value FROM meta WHERE key = 'triples'").fetchone()
    build_id = uuid.uuid4().hex
    values = {
        "build_id": build_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "triples": str(int(triples) + triple_delta),
        "label_counts": json.dumps(counts, sort_keys=True),
        "manifest": manifest.to_json(),
        "files": json.dumps(digests, sort_keys=True),
    }
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())
    return build_id


def cache_digests(path: Path) -> dict[str, str] | None:
    """The store file digests a cache was built from (None: unknown, or no cache).

    Opens the cache for writing, so that SQLite rolls back an update a killed writer left
    half-done (a hot journal) before anything is read.
    """
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            found = conn.execute("SELECT value FROM meta WHERE key = 'files'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return json.loads(found[0]) if found and found[0] != "{}" else None
