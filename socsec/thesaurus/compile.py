"""Compile the thesaurus of record into the SQLite lookup cache read by lookup.py."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from socsec.analysis import STOPWORDS, base_language, fold, stem, tokenize
from socsec.thesaurus.model import (
    CC,
    DCT,
    MAPPING_KINDS,
    NOTE_KINDS,
    OWL_DEPRECATED,
    OWL_VERSION_INFO,
    RDF_TYPE,
    SKOS,
    SKOSXL_LABEL,
    ConceptView,
    SchemeInfo,
)
from socsec.thesaurus.schema import DDL, INDEXES, KIND_CODES, KIND_NAMES, SCHEMA_VERSION
from socsec.thesaurus.store import Manifest, read_all, store_files

if TYPE_CHECKING:
    from socsec.workspace import Workspace

_LABELS = {SKOS + "prefLabel": "pref", SKOS + "altLabel": "alt", SKOS + "hiddenLabel": "hidden"}
_NOTES = {SKOS + n: n for n in NOTE_KINDS}
_MAPPINGS = {SKOS + m: m for m in MAPPING_KINDS}
_CONCEPT_HINTS = {SKOS + p for p in ("inScheme", "topConceptOf", "broader", "narrower")}


class _Analyzer:
    """analysis.analyze() with a per-word memo: labels repeat words a lot."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str | None], str] = {}

    def key(self, text: str, base: str | None) -> str:
        stops = STOPWORDS.get(base or "", frozenset())
        out = []
        for word in tokenize(text):
            if word in stops:
                continue
            k = (word, base)
            if k not in self._memo:
                self._memo[k] = stem(word, base)
            out.append(self._memo[k])
        return " ".join(out)


class _Graph:
    """The SKOS reading of a set of triples, gathered in one pass."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.types: dict[str, set[str]] = defaultdict(set)
        self.hinted: set[str] = set()
        self.labels: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # kind, lang, text
        self.links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.literals: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.count = 0
        for t in triples:
            self.count += 1
            s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
            if s is None:
                continue
            p = t.predicate.value
            o = t.object
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                self.types[s].add(o.value)
            elif p in _LABELS and isinstance(o, ox.Literal):
                self.labels[s].append((_LABELS[p], o.language or "", o.value))
            elif isinstance(o, ox.NamedNode):
                self.links[s][p].add(o.value)
                if p in _CONCEPT_HINTS:
                    self.hinted.add(s)
            elif isinstance(o, ox.Literal):
                self.literals[s][p].append((o.language or "", o.value))

    def of_type(self, local: str) -> set[str]:
        return {s for s, ts in self.types.items() if SKOS + local in ts}

    def first(self, s: str, p: str) -> str | None:
        values = sorted(v for _lang, v in self.literals.get(s, {}).get(p, []))
        if values:
            return values[0]
        uris = sorted(self.links.get(s, {}).get(p, ()))
        return uris[0] if uris else None

    def by_lang(self, s: str, p: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for lang, value in sorted(self.literals.get(s, {}).get(p, [])):
            out.setdefault(lang, value)
        return out


def _closure(parents: dict[int, set[int]]) -> list[tuple[int, int, int]]:
    """(ancestor, descendant, depth) for every broader path, shortest depth, cycle-safe."""
    return [row for cid in parents for row in ancestor_rows(parents, cid)]


def ancestor_rows(parents: dict[int, set[int]], cid: int) -> list[tuple[int, int, int]]:
    """(ancestor, cid, depth) rows of one concept, each ancestor at its shortest depth."""
    rows = []
    seen = {cid}
    frontier = sorted(parents.get(cid, ()))
    depth = 1
    while frontier:
        nxt: list[int] = []
        for p in frontier:
            if p in seen:
                continue
            seen.add(p)
            rows.append((p, cid, depth))
            nxt.extend(parents.get(p, ()))
        frontier = sorted(set(nxt) - seen)
        depth += 1
    return rows


def _sources(g: _Graph, known: set[str]) -> list[dict[str, str | None]]:
    """Resources other than concepts and schemes that state a licence or rights (provenance)."""
    out = []
    for s in sorted(g.literals.keys() | g.links.keys()):
        if s in known:
            continue
        license_, rights = g.first(s, DCT + "license"), g.first(s, DCT + "rights")
        if license_ or rights:
            title = g.by_lang(s, DCT + "title")
            out.append(
                {
                    "uri": s,
                    "title": title.get("en") or next(iter(title.values()), None),
                    "issued": g.first(s, DCT + "issued") or g.first(s, DCT + "modified"),
                    "source": g.first(s, DCT + "source"),
                    "license": license_,
                    "rights": rights,
                    "attribution": g.first(s, CC + "attributionName"),
                }
            )
    return out


def token_rows(
    label_rows: Sequence[tuple[Any, ...]], first_rowid: int = 1
) -> Iterator[tuple[str, str, int, int]]:
    """Rows of ``label_tokens`` for label rows inserted from ``first_rowid`` on, in order.

    Each distinct stemmed word of a label gives (word, base language, label rowid, number of
    distinct words): what word-order-free and partial lookups match on.
    """
    for rid, row in enumerate(label_rows, first_rowid):
        words = sorted(set(str(row[6]).split()))
        for word in words:
            yield word, str(row[2]), rid, len(words)


@dataclass
class _Structure:
    """Who is a concept, in which schemes and collections, and the hierarchy between them."""

    concepts: list[str]
    schemes: set[str]
    ids: dict[str, int]
    in_scheme: dict[str, set[str]]
    top_of: dict[str, set[str]]
    collections: dict[str, set[str]]
    parents: dict[int, set[int]]
    children: dict[int, set[int]]
    related: dict[str, set[str]]


def concept_uris(g: _Graph, schemes: set[str]) -> list[str]:
    """Resources typed or used as concepts, not schemes, collections or SKOS-XL labels, sorted."""
    xl_labels = {s for s, types in g.types.items() if SKOSXL_LABEL in types}
    return sorted((g.of_type("Concept") | g.hinted) - schemes - g.of_type("Collection") - xl_labels)


def _structure(g: _Graph) -> _Structure:
    """Step 1: the concepts, their schemes and collections, broader/narrower and related."""
    scheme_set = g.of_type("ConceptScheme")
    concepts = concept_uris(g, scheme_set)
    ids = {uri: i for i, uri in enumerate(concepts, 1)}
    in_scheme: dict[str, set[str]] = defaultdict(set)
    top_of: dict[str, set[str]] = defaultdict(set)
    for c in concepts:
        links = g.links.get(c, {})
        in_scheme[c] |= links.get(SKOS + "inScheme", set())
        top_of[c] |= links.get(SKOS + "topConceptOf", set())
    for s in scheme_set:
        for c in g.links.get(s, {}).get(SKOS + "hasTopConcept", set()):
            top_of[c].add(s)
    collections: dict[str, set[str]] = defaultdict(set)
    for col in g.of_type("Collection") | g.of_type("OrderedCollection"):
        for m in g.links.get(col, {}).get(SKOS + "member", set()):
            collections[m].add(col)
    # Hierarchy: broader plus the inverse of narrower; related made symmetric.
    parents: dict[int, set[int]] = defaultdict(set)
    related: dict[str, set[str]] = defaultdict(set)
    for c in concepts:
        links = g.links.get(c, {})
        for b in links.get(SKOS + "broader", ()):
            if b in ids:
                parents[ids[c]].add(ids[b])
        for n in links.get(SKOS + "narrower", ()):
            if n in ids:
                parents[ids[n]].add(ids[c])
        for r in links.get(SKOS + "related", ()):
            related[c].add(r)
            related[r].add(c)
    children: dict[int, set[int]] = defaultdict(set)
    for cid, ps in parents.items():
        for p in ps:
            children[p].add(cid)
    return _Structure(
        concepts, scheme_set, ids, in_scheme, top_of, collections, parents, children, related
    )


@dataclass
class ConceptRows:
    """The cache rows of one concept (without its id-dependent hierarchy rows)."""

    concept: tuple[int, str, str | None, int, int, str]
    labels: list[tuple[int, str, str, int, str, str, str]]


@dataclass
class Neighbours:
    """What the rest of the thesaurus says about one concept (URIs, sorted by the caller)."""

    broader: list[str]
    narrower: list[str]
    related: list[str]
    in_scheme: set[str]
    top_of: set[str]
    collections: set[str]


def concept_rows(
    g: _Graph, uri: str, cid: int, near: Neighbours, analyzer: _Analyzer
) -> ConceptRows:
    """Step 2: the ``concepts`` row and the ``labels`` rows of one concept."""
    pref: dict[str, str] = {}
    alt: dict[str, list[str]] = defaultdict(list)
    hidden: dict[str, list[str]] = defaultdict(list)
    label_rows = []
    for kind, lang, text in sorted(g.labels.get(uri, [])):
        base = base_language(lang) or ""
        if kind == "pref":
            pref.setdefault(lang, text)
        else:
            (alt if kind == "alt" else hidden)[lang].append(text)
        label_rows.append(
            (cid, lang, base, KIND_CODES[kind], text, fold(text), analyzer.key(text, base or None))
        )
    links = g.links.get(uri, {})
    lits = g.literals.get(uri, {})
    notes = {
        name: {lang: [v for lg, v in sorted(lits[p]) if lg == lang] for lang, _ in lits[p]}
        for p, name in _NOTES.items()
        if p in lits
    }
    mappings = {name: sorted(links[p]) for p, name in _MAPPINGS.items() if p in links}
    deprecated = any(v.lower() in ("true", "1") for _lg, v in lits.get(OWL_DEPRECATED, []))
    view = ConceptView(
        uri=uri,
        notation=g.first(uri, SKOS + "notation"),
        pref=pref,
        alt=dict(alt),
        hidden=dict(hidden),
        broader=near.broader,
        narrower=near.narrower,
        related=near.related,
        schemes=sorted(near.in_scheme | near.top_of),
        top_of=sorted(near.top_of),
        collections=sorted(near.collections),
        deprecated=deprecated,
        replaced_by=sorted(links.get(DCT + "isReplacedBy", ())),
        notes=notes,
        mappings=mappings,
        created=g.first(uri, DCT + "created"),
        modified=g.first(uri, DCT + "modified"),
    )
    data = json.dumps(vars(view), ensure_ascii=False)
    row = (cid, uri, view.notation, int(deprecated), len(near.narrower), data)
    return ConceptRows(row, label_rows)


def scheme_row(
    g: _Graph, s: str, members: list[tuple[int, int]], file: str | None
) -> tuple[str, str]:
    """Step 3: the ``schemes`` row of one scheme (``members``: (concept id, is top))."""
    title = g.by_lang(s, DCT + "title") or {
        lang: text for kind, lang, text in sorted(g.labels.get(s, [])) if kind == "pref"
    }
    info = SchemeInfo(
        uri=s,
        title=title,
        concepts=len(members),
        top_concepts=sum(top for _c, top in members),
        notation=g.first(s, SKOS + "notation"),
        license=g.first(s, DCT + "license"),
        rights=g.first(s, DCT + "rights"),
        attribution=g.first(s, CC + "attributionName"),
        source=g.first(s, DCT + "source"),
        version=g.first(s, OWL_VERSION_INFO)
        or g.first(s, DCT + "modified")
        or g.first(s, DCT + "issued"),
        file=file,
    )
    return (s, json.dumps(vars(info), ensure_ascii=False))


def _neighbours(st: _Structure, uri: str) -> Neighbours:
    cid = st.ids[uri]
    return Neighbours(
        broader=sorted(st.concepts[p - 1] for p in st.parents.get(cid, ())),
        narrower=sorted(st.concepts[n - 1] for n in st.children.get(cid, ())),
        related=sorted(st.related.get(uri, ())),
        in_scheme=st.in_scheme[uri],
        top_of=st.top_of[uri],
        collections=st.collections.get(uri, set()),
    )


def meta_rows(
    *,
    triples: int,
    label_counts: dict[str, dict[str, int]],
    manifest: Manifest,
    sources: str,
    digests: dict[str, str] | None,
) -> dict[str, str]:
    """Step 4: the ``meta`` table (a new build id: readers see the cache changed)."""
    return {
        "schema": SCHEMA_VERSION,
        "build_id": uuid.uuid4().hex,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "triples": str(triples),
        "label_counts": json.dumps(label_counts, sort_keys=True),
        "manifest": manifest.to_json(),
        "sources": sources,
        "files": json.dumps(digests or {}, sort_keys=True),
    }


def _write(dest: Path, meta: dict[str, str], tables: dict[str, list[tuple[object, ...]]]) -> None:
    """Step 5: write the tables to a temporary file, then put it in place atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        with conn:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + DDL)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            for table, rows in tables.items():
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            conn.executescript(INDEXES + "ANALYZE;")
        conn.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        # A rollback journal left by a killed in-place update belongs to the file replaced
        # here: SQLite would apply it to the new file.
        Path(f"{dest}-journal").unlink(missing_ok=True)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_cache(
    triples: Iterable[ox.Triple],
    manifest: Manifest,
    dest: Path,
    *,
    digests: dict[str, str] | None = None,
) -> str:
    """Write a new cache to ``dest`` (replaced atomically) and return its build id.

    Args:
        triples: every triple of the thesaurus of record.
        manifest: the store's manifest (kept in the cache for ``thesaurus info``).
        dest: the cache file.
        digests: store file name -> sha256 of the bytes compiled (lets a later
            incremental update check that the cache matches the files).
    """
    g = _Graph(triples)
    st = _structure(g)
    analyzer = _Analyzer()
    label_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    concept_table: list[tuple[object, ...]] = []
    label_table: list[tuple[object, ...]] = []
    for uri in st.concepts:
        rows = concept_rows(g, uri, st.ids[uri], _neighbours(st, uri), analyzer)
        concept_table.append(rows.concept)
        label_table.extend(rows.labels)
        for row in rows.labels:
            label_counts[row[2] or "-"][KIND_NAMES[row[3]]] += 1
    members: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for uri in st.concepts:
        for s in sorted(st.in_scheme[uri] | st.top_of[uri]):
            members[s].append((st.ids[uri], int(s in st.top_of[uri])))
    file_of = {scheme: name for name, scheme in manifest.files.items() if scheme}
    scheme_table: list[tuple[object, ...]] = [
        scheme_row(g, s, members.get(s, []), file_of.get(s))
        for s in sorted(st.schemes | set(members))
    ]
    sources = json.dumps(_sources(g, set(st.concepts) | st.schemes), ensure_ascii=False)
    meta = meta_rows(
        triples=g.count,
        label_counts=label_counts,
        manifest=manifest,
        sources=sources,
        digests=digests,
    )
    _write(
        dest,
        meta,
        {
            "schemes": scheme_table,
            "concepts": concept_table,
            "concept_schemes": [(cid, s, top) for s, rows in members.items() for cid, top in rows],
            "labels": label_table,
            "label_tokens": list(token_rows(label_table)),
            "broader": [(c, p) for c, ps in st.parents.items() for p in sorted(ps)],
            "closure": list(_closure(st.parents)),
        },
    )
    return meta["build_id"]


def file_digests(directory: Path) -> dict[str, str]:
    """Store file name -> sha256 of its bytes (what a cache or index was built from)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in store_files(directory)}


def rebuild_cache(ws: Workspace) -> str:
    """Recompile ``ws.thesaurus_cache`` from the store files; returns the new build id."""
    digests = file_digests(ws.thesaurus_dir)
    triples = list(dict.fromkeys(read_all(ws.thesaurus_dir)))
    return build_cache(
        triples, Manifest.load(ws.thesaurus_dir), ws.thesaurus_cache, digests=digests
    )
