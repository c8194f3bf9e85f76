"""Compile the thesaurus of record into the SQLite lookup cache read by lookup.py."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

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
    ConceptView,
    SchemeInfo,
)
from socsec.thesaurus.schema import DDL, INDEXES, KIND_CODES, SCHEMA_VERSION
from socsec.thesaurus.store import Manifest, read_all

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
    rows = []
    for cid in parents:
        seen = {cid}
        frontier = sorted(parents[cid])
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
    label_rows: Sequence[tuple[int, str, str, int, str, str, str]], first_rowid: int = 1
) -> Iterator[tuple[str, str, int, int]]:
    """Rows of ``label_tokens`` for label rows inserted from ``first_rowid`` on, in order.

    Each distinct stemmed word of a label gives (word, base language, label rowid, number of
    distinct words): what word-order-free and partial lookups match on.
    """
    for rid, row in enumerate(label_rows, first_rowid):
        words = sorted(set(row[6].split()))
        for word in words:
            yield word, row[2], rid, len(words)


def build_cache(triples: Iterable[ox.Triple], manifest: Manifest, dest: Path) -> str:
    """Write a new cache to ``dest`` (replaced atomically) and return its build id."""
    g = _Graph(triples)
    scheme_set = g.of_type("ConceptScheme")
    concepts = sorted((g.of_type("Concept") | g.hinted) - scheme_set - g.of_type("Collection"))
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

    analyzer = _Analyzer()
    label_rows = []
    label_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    concept_rows = []
    scheme_rows = []
    for uri in concepts:
        cid = ids[uri]
        pref: dict[str, str] = {}
        alt: dict[str, list[str]] = defaultdict(list)
        hidden: dict[str, list[str]] = defaultdict(list)
        for kind, lang, text in sorted(g.labels.get(uri, [])):
            base = base_language(lang) or ""
            if kind == "pref":
                pref.setdefault(lang, text)
            else:
                (alt if kind == "alt" else hidden)[lang].append(text)
            label_counts[base or "-"][kind] += 1
            label_rows.append(
                (
                    cid,
                    lang,
                    base,
                    KIND_CODES[kind],
                    text,
                    fold(text),
                    analyzer.key(text, base or None),
                )
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
            broader=sorted(concepts[p - 1] for p in parents.get(cid, ())),
            narrower=sorted(concepts[n - 1] for n in children.get(cid, ())),
            related=sorted(related.get(uri, ())),
            schemes=sorted(in_scheme[uri] | top_of[uri]),
            top_of=sorted(top_of[uri]),
            collections=sorted(collections.get(uri, ())),
            deprecated=deprecated,
            replaced_by=sorted(links.get(DCT + "isReplacedBy", ())),
            notes=notes,
            mappings=mappings,
            created=g.first(uri, DCT + "created"),
            modified=g.first(uri, DCT + "modified"),
        )
        concept_rows.append(
            (
                cid,
                uri,
                view.notation,
                int(deprecated),
                len(children.get(cid, ())),
                json.dumps(vars(view), ensure_ascii=False),
            )
        )
    members: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for uri in concepts:
        for s in sorted(in_scheme[uri] | top_of[uri]):
            members[s].append((ids[uri], int(s in top_of[uri])))
    file_of = {scheme: name for name, scheme in manifest.files.items() if scheme}
    for s in sorted(scheme_set | set(members)):
        title = g.by_lang(s, DCT + "title") or {
            lang: text for kind, lang, text in sorted(g.labels.get(s, [])) if kind == "pref"
        }
        info = SchemeInfo(
            uri=s,
            title=title,
            concepts=len(members.get(s, [])),
            top_concepts=sum(top for _c, top in members.get(s, [])),
            notation=g.first(s, SKOS + "notation"),
            license=g.first(s, DCT + "license"),
            rights=g.first(s, DCT + "rights"),
            attribution=g.first(s, CC + "attributionName"),
            source=g.first(s, DCT + "source"),
            version=g.first(s, OWL_VERSION_INFO)
            or g.first(s, DCT + "modified")
            or g.first(s, DCT + "issued"),
            file=file_of.get(s),
        )
        scheme_rows.append((s, json.dumps(vars(info), ensure_ascii=False)))

    build_id = uuid.uuid4().hex
    meta = {
        "schema": SCHEMA_VERSION,
        "build_id": build_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "triples": str(g.count),
        "label_counts": json.dumps(label_counts, sort_keys=True),
        "manifest": manifest.to_json(),
        "sources": json.dumps(_sources(g, set(concepts) | scheme_set), ensure_ascii=False),
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        with conn:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + DDL)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.executemany("INSERT INTO schemes VALUES (?, ?)", scheme_rows)
            conn.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?, ?, ?)", concept_rows)
            conn.executemany(
                "INSERT INTO concept_schemes VALUES (?, ?, ?)",
                [(cid, s, top) for s, rows in members.items() for cid, top in rows],
            )
            conn.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?)", label_rows)
            conn.executemany("INSERT INTO label_tokens VALUES (?, ?, ?, ?)", token_rows(label_rows))
            conn.executemany(
                "INSERT INTO broader VALUES (?, ?)",
                [(c, p) for c, ps in parents.items() for p in sorted(ps)],
            )
            conn.executemany("INSERT INTO closure VALUES (?, ?, ?)", _closure(parents))
            conn.executescript(INDEXES + "ANALYZE;")
        conn.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return build_id


def rebuild_cache(ws: Workspace) -> str:
    """Recompile ``ws.thesaurus_cache`` from the store files; returns the new build id."""
    triples = list(dict.fromkeys(read_all(ws.thesaurus_dir)))
    return build_cache(triples, Manifest.load(ws.thesaurus_dir), ws.thesaurus_cache)
