"""Read side of the thesaurus: the compiled SQLite cache, queried without rdflib.

This module is on the hot path of `socsec thesaurus lookup` and of indexing, so it imports
only the standard library, :mod:`socsec.analysis` and (for typo matching only) rapidfuzz.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socsec.analysis import SUPPORTED_LANGUAGES, analyze, base_language, fold
from socsec.errors import AmbiguousReference, NotFoundError
from socsec.thesaurus.hits import LookupHit, MatchKind
from socsec.thesaurus.schema import KIND_NAMES, SCHEMA_VERSION

if TYPE_CHECKING:
    from socsec.thesaurus.model import ConceptView, SchemeInfo
    from socsec.workspace import Workspace

# Similarity (0-100, rapidfuzz ratio on folded labels) for a typo to count as a hit, and the
# looser one for "did you mean" suggestions.
FUZZY_HIT_CUTOFF = 80.0
FUZZY_SUGGEST_CUTOFF = 60.0
_MIN_PREFIX = 2


def _tail(uri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in uri.rstrip(sep):
            return uri.rstrip(sep).rsplit(sep, 1)[1]
    return uri


class ThesaurusCache:
    """The compiled lookup cache of one data dir (read-only).

    Open it with :meth:`open` or :func:`get_cache`. All methods read SQLite only.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._meta: dict[str, str] | None = None

    @classmethod
    def open(cls, path: Path) -> ThesaurusCache:
        """Open a compiled cache file.

        Raises:
            NotFoundError: the file does not exist or is not a socsec thesaurus cache.
        """
        if not path.is_file():
            raise NotFoundError(
                f"Thesaurus cache {path} not found", hint="run: socsec thesaurus import FILE"
            )
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if row is None or row[0] != SCHEMA_VERSION:
            conn.close()
            raise NotFoundError(f"{path} is not a socsec thesaurus cache (schema {SCHEMA_VERSION})")
        return cls(conn, path)

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    def __enter__(self) -> ThesaurusCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- metadata --------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """Build metadata: build_id, built_at, counts, imports (JSON strings)."""
        if self._meta is None:
            self._meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        return self._meta

    def version(self) -> str:
        """An id that changes whenever the cache is rebuilt (used to detect stale indexes)."""
        return self.meta()["build_id"]

    def count(self) -> int:
        """Number of concepts."""
        return int(self._conn.execute("SELECT count(*) FROM concepts").fetchone()[0])

    def schemes(self) -> list[SchemeInfo]:
        """All concept schemes, sorted by URI."""
        from socsec.thesaurus.model import SchemeInfo  # a dataclass: not on the lookup path

        rows = self._conn.execute("SELECT data FROM schemes ORDER BY uri").fetchall()
        return [SchemeInfo(**json.loads(r[0])) for r in rows]

    # -- concepts --------------------------------------------------------------------------

    def _cid(self, uri: str) -> int | None:
        row = self._conn.execute("SELECT id FROM concepts WHERE uri = ?", (uri,)).fetchone()
        return None if row is None else int(row[0])

    def exists(self, uri: str) -> bool:
        """Whether ``uri`` is a concept of the thesaurus."""
        return self._cid(uri) is not None

    def concept(self, uri: str) -> ConceptView:
        """All data about one concept.

        Raises:
            NotFoundError: ``uri`` is not a concept (with suggestions when it looks like a label).
        """
        row = self._conn.execute("SELECT data FROM concepts WHERE uri = ?", (uri,)).fetchone()
        if row is None:
            raise NotFoundError(f"No concept {uri!r}", suggestions=self.suggest(uri))
        from socsec.thesaurus.model import ConceptView  # a dataclass: not on the lookup path

        return ConceptView(**json.loads(row[0]))

    def pref_label(self, uri: str, lang: str | None = None) -> str:
        """Preferred label in ``lang``; else its base language, English, untagged, any, URI tail."""
        rows = self._conn.execute(
            "SELECT lang, base, label FROM labels JOIN concepts ON concepts.id = labels.cid "
            "WHERE concepts.uri = ? AND kind = 0",
            (uri,),
        ).fetchall()
        if not rows:
            return _tail(uri)
        by_tag = {r[0]: r[2] for r in rows}
        want = (lang or "en").lower()
        if want in by_tag:
            return str(by_tag[want])
        base = base_language(want) or "en"
        for wanted in (base, "en", ""):
            for _tag, tag_base, label in rows:
                if tag_base == wanted:
                    return str(label)
        return str(sorted(rows)[0][2])

    def narrower_count(self, uri: str) -> int:
        """Number of direct narrower concepts."""
        row = self._conn.execute(
            "SELECT narrower_count FROM concepts WHERE uri = ?", (uri,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def _closure(self, uri: str, *, up: bool) -> list[str]:
        near, far = ("des", "anc") if up else ("anc", "des")
        sql = (
            f"SELECT c.uri FROM closure k JOIN concepts c ON c.id = k.{far} "
            f"JOIN concepts me ON me.id = k.{near} WHERE me.uri = ? ORDER BY k.depth, c.uri"
        )
        return [r[0] for r in self._conn.execute(sql, (uri,))]

    def ancestors(self, uri: str) -> list[str]:
        """Transitive broader concepts, nearest first."""
        return self._closure(uri, up=True)

    def descendants(self, uri: str) -> list[str]:
        """Transitive narrower concepts, nearest first."""
        return self._closure(uri, up=False)

    def narrower(self, uri: str) -> list[str]:
        """Direct narrower concepts, sorted by URI."""
        sql = (
            "SELECT c.uri FROM broader b JOIN concepts c ON c.id = b.cid "
            "JOIN concepts p ON p.id = b.pid WHERE p.uri = ? ORDER BY c.uri"
        )
        return [r[0] for r in self._conn.execute(sql, (uri,))]

    def top_concepts(self, scheme: str) -> list[str]:
        """Top concepts of ``scheme``: declared ones, else the scheme's concepts with no broader."""
        rows = self._conn.execute(
            "SELECT c.uri FROM concept_schemes s JOIN concepts c ON c.id = s.cid "
            "WHERE s.scheme = ? AND s.top = 1 ORDER BY c.uri",
            (scheme,),
        ).fetchall()
        if not rows:
            rows = self._conn.execute(
                "SELECT c.uri FROM concept_schemes s JOIN concepts c ON c.id = s.cid "
                "WHERE s.scheme = ? AND NOT EXISTS "
                "(SELECT 1 FROM broader b JOIN concept_schemes t ON t.cid = b.pid "
                " WHERE b.cid = c.id AND t.scheme = s.scheme) ORDER BY c.uri",
                (scheme,),
            ).fetchall()
        return [r[0] for r in rows]

    def replacements(self) -> dict[str, list[str]]:
        """Every deprecated concept with the concepts replacing it (``dct:isReplacedBy``)."""
        rows = self._conn.execute("SELECT uri, data FROM concepts WHERE deprecated = 1")
        return {uri: list(json.loads(data).get("replaced_by") or []) for uri, data in rows}

    def iter_labels(self) -> Iterator[tuple[str, str, str, str]]:
        """Every label as (uri, lang, kind, label); kind is "pref", "alt" or "hidden"."""
        sql = (
            "SELECT c.uri, l.lang, l.kind, l.label FROM labels l JOIN concepts c ON c.id = l.cid "
            "ORDER BY c.uri, l.kind, l.lang, l.label"
        )
        for uri, lang, kind, label in self._conn.execute(sql):
            yield uri, lang, KIND_NAMES[kind], label

    # -- lookup ----------------------------------------------------------------------------

    def lookup(
        self, term: str, *, lang: str | None = None, scheme: str | None = None, limit: int = 10
    ) -> list[LookupHit]:
        """Concepts whose labels match ``term``, best first.

        The ladder: exact label, folded (case/accents/punctuation), stemmed (in the label's
        language), prefix of the label or of one of its words, then -- only if nothing matched
        so far -- fuzzy (typos). A concept appears once, with its best match.

        Args:
            term: the text to look up, in any language.
            lang: only match labels in this language (its base: "fr-CA" -> "fr").
            scheme: only concepts in this scheme URI.
            limit: most hits returned.
        """
        folded = fold(term)
        if not folded or limit < 1:
            return []
        base = base_language(lang)
        found: dict[int, tuple[MatchKind, str, str, int, float]] = {}

        def add(kind: MatchKind, rows: Sequence[tuple[Any, ...]], score: float = 100.0) -> None:
            for cid, label, tag, kcode, *rest in rows:
                if cid not in found and len(found) < limit:
                    found[cid] = (kind, label, tag, kcode, float(rest[0]) if rest else score)

        where, params = self._filters(base, scheme)
        cols = "l.cid, l.label, l.lang, l.kind"
        order = " ORDER BY l.kind, length(l.label), l.cid"
        add(
            MatchKind.exact, self._rows(f"l.label = ?{where}{order}", [term.strip(), *params], cols)
        )
        add(MatchKind.folded, self._rows(f"l.folded = ?{where}{order}", [folded, *params], cols))
        for stem_lang in [base] if base else list(SUPPORTED_LANGUAGES):
            key = " ".join(analyze(term, stem_lang))
            if key and len(found) < limit:
                rows = self._rows(
                    f"l.stemmed = ? AND l.base = ?{where}{order}", [key, stem_lang, *params], cols
                )
                add(MatchKind.stemmed, rows)
        if len(folded) >= _MIN_PREFIX and len(found) < limit:
            # Labels starting with the term first, then labels with a word starting with it.
            rows = self._rows(
                f"l.folded >= ? AND l.folded < ?{where}{order}",
                [folded, folded + "\uffff", *params],
                cols,
            )
            add(MatchKind.prefix, rows)
            if len(found) < limit:
                rows = self._rows(
                    f"l.rowid IN (SELECT rowid FROM label_words WHERE label_words MATCH ?)"
                    f"{where}{order}",
                    [f'"{folded}" *', *params],
                    cols,
                )
                add(MatchKind.prefix, rows)
        if not found:
            add(MatchKind.fuzzy, self._fuzzy(folded, where, params, FUZZY_HIT_CUTOFF, limit * 4))
        return self._hits(found)

    def suggest(self, term: str, *, lang: str | None = None, limit: int = 5) -> list[str]:
        """Labels close to ``term`` (prefix or typo-tolerant), for "did you mean" messages.

        What the lookup ladder finds comes first (a stemmed or prefix match is a better guess
        than a label a few letters away), then typo-tolerant matches fill the list.
        """
        folded = fold(term)
        if not folded:
            return []
        labels = list(
            dict.fromkeys(h.matched_label for h in self.lookup(term, lang=lang, limit=limit))
        )
        if len(labels) >= limit:
            return labels[:limit]
        where, params = self._filters(base_language(lang), None)
        rows = self._fuzzy(folded, where, params, FUZZY_SUGGEST_CUTOFF, limit * 4)
        for _cid, label, *_rest in rows:
            if label not in labels:
                labels.append(label)
        return labels[:limit]

    def resolve(self, ref: str, *, scheme: str | None = None) -> str:
        """The URI of the concept named by ``ref``: a URI, a notation, or a label in any language.

        Raises:
            AmbiguousReference: several concepts carry that notation or label (candidates listed).
            NotFoundError: nothing matches (with suggestions).
        """
        ref = ref.strip()
        if self.exists(ref):
            return ref
        where, params = self._filters(None, scheme)
        for column, value in (("label", ref), ("folded", fold(ref))):
            rows = self._rows(
                f"l.{column} = ?{where} ORDER BY l.kind, l.cid",
                [value, *params],
                "DISTINCT l.cid, l.kind",
            )
            pref = {r[0] for r in rows if r[1] == 0}
            cids = pref if len(pref) == 1 else {r[0] for r in rows}
            if cids:
                return self._one(ref, cids)
        sql = "SELECT id FROM concepts c WHERE notation = ?"
        notation_params: list[object] = [ref]
        if scheme:
            sql += (
                " AND EXISTS (SELECT 1 FROM concept_schemes s WHERE s.cid = c.id AND s.scheme = ?)"
            )
            notation_params.append(scheme)
        cids = {r[0] for r in self._conn.execute(sql, notation_params)}
        if cids:
            return self._one(ref, cids)
        raise NotFoundError(f"No concept matches {ref!r}", suggestions=self.suggest(ref))

    # -- internals -------------------------------------------------------------------------

    def _one(self, ref: str, cids: set[int]) -> str:
        uris = sorted(self._uri(c) for c in cids)
        if len(uris) == 1:
            return uris[0]
        candidates = [f"{u} ({self.pref_label(u)})" for u in uris]
        raise AmbiguousReference(
            f"{ref!r} names {len(uris)} concepts",
            suggestions=candidates,
            hint="give the URI or notation, or limit with --scheme",
        )

    def _uri(self, cid: int) -> str:
        return str(
            self._conn.execute("SELECT uri FROM concepts WHERE id = ?", (cid,)).fetchone()[0]
        )

    @staticmethod
    def _filters(base: str | None, scheme: str | None) -> tuple[str, list[object]]:
        where, params = "", list[object]()
        if base:
            where += " AND l.base = ?"
            params.append(base)
        if scheme:
            where += (
                " AND EXISTS (SELECT 1 FROM concept_schemes s WHERE s.cid = l.cid AND s.scheme = ?)"
            )
            params.append(scheme)
        return where, params

    def _rows(self, condition: str, params: Sequence[object], cols: str) -> list[tuple[Any, ...]]:
        sql = f"SELECT {cols} FROM labels l WHERE {condition}"
        return self._conn.execute(sql, list(params)).fetchall()

    def _fuzzy(
        self, folded: str, where: str, params: list[object], cutoff: float, limit: int
    ) -> list[tuple[Any, ...]]:
        from rapidfuzz import fuzz, process  # only when the exact rungs of the ladder failed

        # Similar strings have similar lengths: the cutoff makes far lengths pointless to score.
        slack = max(2, int(len(folded) * (100 - cutoff) / 100) + 1)
        if "l.base = ?" not in where:  # other scripts (ru, ar) cannot be a typo of the term
            where += " AND l.base IN ('', " + ", ".join(f"'{b}'" for b in SUPPORTED_LANGUAGES) + ")"
        rows = self._rows(
            f"length(l.folded) BETWEEN ? AND ?{where}",
            [len(folded) - slack, len(folded) + slack, *params],
            "l.cid, l.label, l.lang, l.kind, l.folded",
        )
        choices = [r[4] for r in rows]
        best = process.extract(folded, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        ranked = sorted(
            best, key=lambda m: (-m[1], rows[m[2]][3], len(rows[m[2]][1]), rows[m[2]][0])
        )
        return [(*rows[i][:4], score) for _c, score, i in ranked]

    def _hits(self, found: dict[int, tuple[MatchKind, str, str, int, float]]) -> list[LookupHit]:
        if not found:
            return []
        ids = list(found)
        marks = ",".join("?" * len(ids))
        labels = self._conn.execute(
            f"SELECT cid, base, kind, label FROM labels WHERE cid IN ({marks}) AND kind < 2 "
            "ORDER BY cid, kind, lang, label",
            ids,
        ).fetchall()
        pref: dict[int, dict[str, str]] = {i: {} for i in ids}
        alt: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
        for cid, base, kind, label in labels:
            if kind == 0:
                pref[cid].setdefault(base, label)
            else:
                alt[cid].setdefault(base, []).append(label)
        info = {
            r[0]: r[1:]
            for r in self._conn.execute(
                f"SELECT id, uri, notation, deprecated FROM concepts WHERE id IN ({marks})",
                ids,
            )
        }
        schemes: dict[int, list[str]] = {i: [] for i in ids}
        for cid, scheme in self._conn.execute(
            f"SELECT cid, scheme FROM concept_schemes WHERE cid IN ({marks}) ORDER BY scheme",
            ids,
        ):
            schemes[cid].append(scheme)
        hits = []
        for cid, (kind, label, tag, kcode, score) in found.items():
            uri, notation, deprecated = info[cid]
            hits.append(
                LookupHit(
                    uri=uri,
                    match=kind,
                    matched_label=label,
                    matched_lang=tag,
                    matched_kind=KIND_NAMES[kcode],
                    score=round(score, 1),
                    pref=pref[cid],
                    alt=alt[cid],
                    notation=notation,
                    schemes=tuple(schemes[cid]),
                    deprecated=bool(deprecated),
                )
            )
        return hits


def find(
    cache: ThesaurusCache,
    term: str,
    *,
    lang: str | None = None,
    scheme: str | None = None,
    limit: int = 10,
) -> list[LookupHit]:
    """:meth:`ThesaurusCache.lookup`, raising when nothing matches.

    Raises:
        NotFoundError: no concept matches ``term`` (with "did you mean" suggestions).
    """
    hits = cache.lookup(term, lang=lang, scheme=scheme, limit=limit)
    if not hits:
        where = f" in {lang}" if lang else ""
        raise NotFoundError(
            f"No concept matches {term!r}{where}", suggestions=cache.suggest(term, lang=lang)
        )
    return hits


def get_cache(ws: Workspace) -> ThesaurusCache:
    """Open the lookup cache of a data dir, rebuilding it from the thesaurus of record if needed."""
    try:
        return ThesaurusCache.open(ws.thesaurus_cache)
    except NotFoundError:
        if not ws.thesaurus_dir.is_dir():
            raise
    from socsec.thesaurus.compile import rebuild_cache  # rare: cache deleted or schema bumped

    rebuild_cache(ws)
    return ThesaurusCache.open(ws.thesaurus_cache)
