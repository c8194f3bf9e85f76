"""Read side of the thesaurus: the compiled SQLite cache, queried without rdflib.

This module is on the hot path of `socsec thesaurus lookup` and of indexing, so it imports
only the standard library, :mod:`socsec.analysis` and (for typo matching only) rapidfuzz.
"""

from __future__ import annotations

import functools
import math
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socsec import analysis
from socsec.analysis import SUPPORTED_LANGUAGES, analyze
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
_COLS = "l.cid, l.label, l.lang, l.kind"
_PREFIX_LIMIT = 200  # rows of each prefix source
# Partial matches scoring below this (0-100) are noise ("de" in common is not a match).
_PARTIAL_CUTOFF = 30.0
_PARTIAL_CANDIDATES = 50
_FUZZY_CANDIDATES = 300
# A stemmed match that is a derived word, not an inflection ("pensioner" for "pension").
_DERIVED_SCORE = 66.0
# A label with one word replaced by a substitute the thesaurus attests (see variants.py).
_VARIANT_SCORE = 85.0
_SCORES = {
    MatchKind.exact: 100.0,
    MatchKind.folded: 99.0,
    MatchKind.stemmed: 95.0,
    MatchKind.reordered: 92.0,
}
# The four microthesauri the bundled extract is built around: social protection, social
# affairs, employment, health (config key thesaurus.domain_schemes overrides them).
DEFAULT_DOMAIN_SCHEMES = (
    "http://eurovoc.europa.eu/100214",
    "http://eurovoc.europa.eu/100212",
    "http://eurovoc.europa.eu/100232",
    "http://eurovoc.europa.eu/100215",
)
DOMAIN_KEY = "thesaurus.domain_schemes"


# The same labels are folded and inflected lookup after lookup (candidates of the prefix,
# partial and fuzzy rungs): both are pure functions of a few tens of thousands of labels.
fold = functools.lru_cache(maxsize=1 << 16)(analysis.fold)
inflection_key = functools.lru_cache(maxsize=1 << 16)(analysis.inflection_key)
# Every candidate row's language tag is mapped to its base (a few distinct tags).
base_language = functools.lru_cache(maxsize=256)(analysis.base_language)


# Plain classes and tuples here, not NamedTuple classes: each of those costs a compile at
# import, on the path of every cold CLI lookup.
def word_bag(folded: str) -> str:
    """A folded label's words sorted: what typo similarity compares, whatever their order."""
    return " ".join(sorted(folded.split()))


class _Bucket:
    __slots__ = ("folded", "words", "rowids")

    def __init__(self, folded: list[str], words: list[str], rowids: list[int]) -> None:
        self.folded = folded
        self.words = words  # the folded words sorted, for word-order-free similarity
        self.rowids = rowids


class Filter:
    """What a lookup is limited to: a base language and a scheme (None: any)."""

    __slots__ = ("base", "scheme")

    def __init__(self, base: str | None = None, scheme: str | None = None) -> None:
        self.base = base
        self.scheme = scheme


# A concept found: (kind, label, tag, kind code, score, in a domain scheme).
_Found = tuple[MatchKind, str, str, int, float, bool]


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
        # Schemes whose concepts win ties (see lookup); get_cache sets them from the settings.
        self.domain: tuple[str, ...] = DEFAULT_DOMAIN_SCHEMES
        self._typo: dict[tuple[str, int], _Bucket] = {}
        self._windows: dict[tuple[tuple[str, ...], int, int], _Bucket] = {}

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

    def data_version(self) -> int:
        """A number that changes when another connection (an edit, a rebuild) writes the file."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def languages(self) -> list[str]:
        """Base languages that have labels in the thesaurus ("en", "fr", ...), sorted."""
        import json  # lazily: a plain lookup reads no JSON

        counts = json.loads(self.meta().get("label_counts", "{}"))
        return sorted(lang for lang in counts if lang != "-")

    def count(self) -> int:
        """Number of concepts."""
        return int(self._conn.execute("SELECT count(*) FROM concepts").fetchone()[0])

    def schemes(self) -> list[SchemeInfo]:
        """All concept schemes, sorted by URI."""
        from socsec.thesaurus.model import SchemeInfo  # a dataclass: not on the lookup path

        rows = self._conn.execute("SELECT data FROM schemes ORDER BY uri").fetchall()
        import json  # lazily: a plain lookup reads no JSON

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
        import json  # lazily: a plain lookup reads no JSON

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
        import json  # lazily: a plain lookup reads no JSON

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
        self,
        term: str,
        *,
        lang: str | None = None,
        scheme: str | None = None,
        limit: int = 10,
        domain: Sequence[str] | None = None,
    ) -> list[LookupHit]:
        """Concepts whose labels match ``term``, best first.

        The ladder: exact label, folded (case/accents/punctuation), stemmed in the label's
        language (plural/singular, elision, "de"/"of" dropped), reordered (the same words in
        another order); then prefix, partial (words in common, weighted by rarity) and fuzzy
        (typos, also in multiword terms) ranked together by score. A concept appears once,
        with its best match. Among hits that match as well, concepts of the ``domain``
        schemes come first, so an off-domain look-alike never precedes an in-domain concept.

        Args:
            term: the text to look up, in any language.
            lang: only match labels in this language (its base: "fr-CA" -> "fr").
            scheme: only concepts in this scheme URI.
            limit: most hits returned.
            domain: preferred scheme URIs (default: the cache's ``domain``, see
                :func:`domain_schemes`).
        """
        folded = fold(term)
        if not folded or limit < 1:
            return []
        base = base_language(lang)
        preferred = tuple(self.domain if domain is None else domain)
        flt = Filter(base, scheme)
        self._refresh()
        langs = [base] if base else list(SUPPORTED_LANGUAGES)
        found: dict[int, _Found] = {}
        self._add(found, MatchKind.exact, self._exact_rows(term.strip(), flt), preferred, limit)
        # Spaces aside too: a compound written apart ("healthcare", "health care").
        folded_rows = self._folded_rows(folded, flt)
        self._add(found, MatchKind.folded, folded_rows, preferred, limit)
        keys = {lg: analyze(term, lg) for lg in langs}
        stemmed: list[tuple[Any, ...]] = []
        derived: list[tuple[Any, ...]] = []
        for lg, words in keys.items():
            if words:
                inflected = inflection_key(term, lg)
                for row in self._stemmed_rows(" ".join(words), lg, flt):
                    # Same stem: an inflected form ("pensions"/"pension") is a match; a derived
                    # word ("pensioner") only a candidate, ranked with the prefix hits.
                    same = self._label_key(row[1], lg) == inflected
                    (stemmed if same else derived).append(row)
        self._add(found, MatchKind.stemmed, stemmed, preferred, limit)
        if len(found) >= limit:
            return self._hits(found)
        overlap, known = self._overlap(keys, flt)
        loose: list[tuple[MatchKind, tuple[Any, ...]]] = [
            (MatchKind.stemmed, (*r, _DERIVED_SCORE)) for r in derived
        ]
        loose += [(MatchKind.partial, r) for r in overlap]
        if len(folded) >= _MIN_PREFIX:
            # A term that is a word of some label ("pension") is complete: labels with a longer
            # word ("pensioner") are other words. A term that is not ("chôm") is being typed.
            rows, every = self._prefix(folded, flt)
            label_fold = self._label_fold
            labels = [label_fold(row[1]) for row in rows]
            whole = [f" {label} ".find(f" {folded} ") >= 0 for label in labels]
            # The word-prefix rows hold every label with the term's words, or one that does
            # answers it; else ask.
            held = any(whole) or (not every and '"' not in folded and self._has_words(folded))
            typing = '"' in folded or not held
            for row, label, is_whole in zip(rows, labels, whole, strict=True):
                if not is_whole:  # whole words: a partial match
                    score = _prefix_score(folded, label)
                    loose.append((MatchKind.prefix, (*row, score, 1.0 if typing else 0.0)))
        if not found and not known:  # a term whose words all occur in labels has no typo
            # A label starting with the term being typed is not a typo of it.
            seen = {(r[0], r[1]) for k, r in loose if k is MatchKind.prefix}
            fuzzy = self._fuzzy(folded, flt, FUZZY_HIT_CUTOFF, limit * 4)
            loose += [(MatchKind.fuzzy, r) for r in fuzzy if (r[0], r[1]) not in seen]
        # Whatever found them, labels that are the term inflected (or reordered) rank as such.
        strict, loose = _promote(term, langs, loose, self._label_key, self._label_fold)
        for kind in (MatchKind.folded, MatchKind.stemmed, MatchKind.reordered):
            rows = [r[:4] for k, r in strict if k is kind]
            self._add(found, kind, rows, preferred, limit)
        if not found:  # no label carries the term: try the word variants the labels attest
            loose += [(MatchKind.variant, r) for r in self._variants(keys, flt)]
        if len(found) >= limit:
            return self._hits(found)
        # Prefix, partial, fuzzy and derived-word hits compete on their scores.
        self._add_loose(found, loose, preferred, limit)
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
        rows = self._fuzzy(folded, Filter(base_language(lang)), FUZZY_SUGGEST_CUTOFF, limit * 4)
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
        where, params = self._filters(Filter(None, scheme))
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

    def _in_domain(self, cids: set[int], preferred: Sequence[str]) -> set[int]:
        if not preferred or not cids:
            return set()
        sql = (
            f"SELECT DISTINCT cid FROM concept_schemes WHERE cid IN ({','.join('?' * len(cids))})"
            f" AND scheme IN ({','.join('?' * len(preferred))})"
        )
        return {r[0] for r in self._conn.execute(sql, [*cids, *preferred])}

    def _add(
        self,
        found: dict[int, _Found],
        kind: MatchKind,
        rows: list[tuple[Any, ...]],
        preferred: Sequence[str],
        limit: int,
    ) -> None:
        """Add one rung's rows: domain concepts first, then preferred labels, shorter labels."""
        fresh = [r for r in rows if r[0] not in found]
        domain = self._in_domain({r[0] for r in fresh}, preferred)
        fresh.sort(key=lambda r: (r[0] not in domain, r[3], len(r[1]), r[0]))
        for cid, label, tag, kcode in fresh:
            if cid not in found and len(found) < limit:
                found[cid] = (kind, label, tag, kcode, _SCORES[kind], cid in domain)

    def _add_loose(
        self,
        found: dict[int, _Found],
        rows: list[tuple[MatchKind, tuple[Any, ...]]],
        preferred: Sequence[str],
        limit: int,
    ) -> None:
        """Add prefix/partial/fuzzy rows by score; on a tie (_primary), domain concepts first."""
        fresh = [(k, r) for k, r in rows if r[0] not in found]
        domain = self._in_domain({r[0] for _k, r in fresh}, preferred)
        fresh.sort(
            key=lambda kr: (
                -_primary(kr[0], kr[1]),
                kr[1][0] not in domain,
                -kr[1][4],
                kr[1][3],
                len(kr[1][1]),
                kr[1][0],
            )
        )
        for kind, (cid, label, tag, kcode, score, *_cover) in fresh:
            if cid not in found and len(found) < limit:
                found[cid] = (kind, label, tag, kcode, min(score, 99.0), cid in domain)

    # -- label analysis: memoised functions here; an in-memory index keeps every label's ---

    def _label_fold(self, label: str) -> str:
        """:func:`socsec.analysis.fold` of a label."""
        return fold(label)

    def _label_key(self, label: str, base: str) -> str:
        """:func:`socsec.analysis.inflection_key` of a label in its base language."""
        return inflection_key(label, base)

    # -- row sources: one SQL statement each here; an in-memory index overrides them --------

    def _refresh(self) -> None:
        """Bring derived state up to date with the file before a lookup (nothing here)."""

    def _exact_rows(self, label: str, flt: Filter) -> list[tuple[Any, ...]]:
        """Labels equal to ``label``: (cid, label, tag, kind), by rowid."""
        where, params = self._filters(flt)
        return self._rows(f"l.label = ?{where}", [label, *params], _COLS)

    def _folded_rows(self, folded: str, flt: Filter) -> list[tuple[Any, ...]]:
        """Labels folding to ``folded``, then those equal to it but for spaces."""
        where, params = self._filters(flt)
        return self._rows(
            f"(l.folded = ? OR replace(l.folded, ' ', '') = ?){where}",
            [folded, folded.replace(" ", ""), *params],
            _COLS,
        )

    def _stemmed_rows(self, key: str, base: str, flt: Filter) -> list[tuple[Any, ...]]:
        """Labels of language ``base`` whose stemmed words are ``key``."""
        where, params = self._filters(flt)
        return self._rows(f"l.stemmed = ? AND l.base = ?{where}", [key, base, *params], _COLS)

    def _by_rowid(self, rowids: Sequence[int], flt: Filter) -> list[tuple[Any, ...]]:
        """Labels by rowid: (rowid, cid, label, tag, kind), in rowid order."""
        where, params = self._filters(flt)
        return self._rows(
            f"l.rowid IN ({','.join('?' * len(rowids))}){where}",
            [*rowids, *params],
            "l.rowid, " + _COLS,
        )

    def _has_words(self, folded: str) -> bool:
        """Whether some label holds the words of ``folded``, in that order, as whole words."""
        return bool(
            self._conn.execute(
                "SELECT 1 FROM label_words WHERE label_words MATCH ? LIMIT 1", [f'"{folded}"']
            ).fetchone()
        )

    def _token_stats(
        self, base: str, tokens: list[str]
    ) -> tuple[dict[str, int], list[tuple[int, int, list[str]]]]:
        """Labels of language ``base`` holding each of ``tokens`` (stemmed words, sorted), and
        (label rowid, its distinct words, the ``tokens`` it holds, sorted) by rowid.
        """
        marks = ",".join("?" * len(tokens))
        groups = [
            (rid, n, shared.split())
            for rid, n, shared in self._conn.execute(
                f"SELECT rid, n, group_concat(token, ' ') FROM label_tokens "
                f"WHERE base = ? AND token IN ({marks}) GROUP BY rid",
                [base, *tokens],
            )
        ]
        # A label holds a word once (label_tokens has a row per distinct word): the labels
        # holding it are the groups naming it, one statement fewer on a cold lookup.
        df: dict[str, int] = {}
        for _rid, _n, shared in groups:
            for token in shared:
                df[token] = df.get(token, 0) + 1
        return df, groups

    def _prefix(self, folded: str, flt: Filter) -> tuple[list[tuple[Any, ...]], bool]:
        """Labels starting with the term, and labels with a word starting with it.

        The flag says whether the latter are every label holding the term's words as a
        phrase (no limit reached, no filter, words as :func:`fold` splits them).
        """
        where, params = self._filters(flt)
        cols = _COLS
        rows = self._rows(
            f"l.folded >= ? AND l.folded < ?{where} LIMIT {_PREFIX_LIMIT}",
            [folded, folded + "\uffff", *params],
            cols,
        )
        if '"' in folded:
            return rows, False
        words = self._rows(
            f"l.rowid IN (SELECT rowid FROM label_words WHERE label_words MATCH ?)"
            f"{where} LIMIT {_PREFIX_LIMIT}",
            [f'"{folded}" *', *params],
            cols,
        )
        return rows + words, _every_word_match(folded, flt, len(words))

    def _overlap(
        self, keys: dict[str, list[str]], flt: Filter
    ) -> tuple[list[tuple[Any, ...]], bool]:
        """Labels sharing stemmed words with the term: (cid, label, tag, kind, score, cover).

        ``cover`` is the rarity-weighted share of the term's words the label holds. The flag
        returned with the rows says whether every word of the term occurs in some label.

        The score weighs the term's words by rarity (a shared "desempleo" says more than a
        shared "prestación") and by how much of the label they cover; 100 means the same
        words in any order.
        """
        scored: dict[int, tuple[float, float]] = {}
        known = False
        for lg, words in keys.items():
            query = tuple(sorted(set(words)))
            if not query:
                continue
            all_known, shared = self._shared_words(lg, query)
            known = known or all_known
            for rid, score, cover in shared:
                if score > scored.get(rid, (0.0, 0.0))[0]:
                    scored[rid] = (score, cover)
        best = sorted(scored, key=lambda r: (-scored[r][1], -scored[r][0]))[:_PARTIAL_CANDIDATES]
        if not best:
            return [], known
        rows = self._by_rowid(best, flt)
        return [(*r[1:], round(scored[r[0]][0], 1), scored[r[0]][1]) for r in rows], known

    def _shared_words(
        self, base: str, query: tuple[str, ...]
    ) -> tuple[bool, list[tuple[int, float, float]]]:
        """Labels of language ``base`` sharing words with ``query`` (its stemmed words, sorted).

        Returns:
            Whether every word of ``query`` occurs in some label, and (label rowid, score,
            cover) of the labels scoring at least the partial cutoff, by rowid. Only the
            best :data:`_PARTIAL_CANDIDATES` of them by (cover, score) are used (ties by
            rowid), so a source may return just those.
        """
        df, groups = self._token_stats(base, list(query))
        if not df:
            return False, []
        weight = _word_weights(query, df)
        total = sum(weight.values())
        out = []
        for rid, n, words_shared in groups:
            cover = sum(weight[w] for w in words_shared) / total
            score = _shared_score(cover, len(words_shared), n, len(query))
            if score >= _PARTIAL_CUTOFF:
                out.append((rid, score, cover))
        return len(df) == len(query), out

    def _variants(self, keys: dict[str, list[str]], flt: Filter) -> list[tuple[Any, ...]]:
        """Labels holding the term's words with one replaced by an attested substitute.

        Rows are (cid, label, tag, kind, score, cover); the words may come in any order.
        """
        if all(len(set(words)) < 2 for words in keys.values()):
            return []  # one word has no context to anchor a variant (variants.near_labels)
        rowids = [rid for lg, words in keys.items() for rid in self._variant_rowids(lg, words)]
        unique = list(dict.fromkeys(rowids))
        if not unique:
            return []
        return [(*r[1:], _VARIANT_SCORE, 1.0) for r in self._by_rowid(unique, flt)]

    def _variant_rowids(self, base: str, words: list[str]) -> list[int]:
        """Rowids of labels that are the term's words with one replaced by an attested variant."""
        from socsec.thesaurus.variants import variant_rows  # only when no label matched

        return variant_rows(self._conn, base, words)

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
    def _filters(flt: Filter) -> tuple[str, list[object]]:
        base, scheme = flt.base, flt.scheme
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

    def _bucket(self, base: str, length: int) -> _Bucket:
        """Folded labels of one base language and length (read once per cache object)."""
        key = (base, length)
        bucket = self._typo.get(key)
        if bucket is None:
            rows = self._conn.execute(
                "SELECT folded, rowid FROM labels WHERE base = ? AND length(folded) = ?", key
            ).fetchall()
            bucket = _Bucket(
                [r[0] for r in rows],
                [word_bag(r[0]) for r in rows],
                [r[1] for r in rows],
            )
            self._typo[key] = bucket
        return bucket

    def _window(self, bases: tuple[str, ...], low: int, high: int) -> _Bucket:
        """The labels of ``bases`` with folded lengths ``low``..``high``, joined once and kept."""
        key = (bases, low, high)
        window = self._windows.get(key)
        if window is None:
            window = _Bucket([], [], [])
            for b in bases:
                for part in self._window_parts(b, low, high):
                    window.folded.extend(part.folded)
                    window.words.extend(part.words)
                    window.rowids.extend(part.rowids)
            self._windows[key] = window
        return window

    def _window_parts(self, base: str, low: int, high: int) -> Iterator[_Bucket]:
        """The labels of ``base`` with folded lengths ``low``..``high``, by length."""
        for length in range(low, high + 1):
            yield self._bucket(base, length)

    def _typo_candidates(
        self, folded: str, bases: tuple[str, ...], low: int, high: int, cutoff: float
    ) -> list[int] | None:
        """Positions in the typo window that may score ``cutoff`` (None: every label)."""
        return None

    def _fuzzy(
        self,
        folded: str,
        flt: Filter,
        cutoff: float,
        limit: int,
    ) -> list[tuple[Any, ...]]:
        from rapidfuzz import fuzz, process  # only when the exact rungs of the ladder failed

        # Similar strings have similar lengths: the cutoff bounds the length difference, so
        # only labels of those lengths are scored (read through an index on the length, and
        # kept for the next lookup); other scripts (ru, ar) are never candidates.
        slack = max(2, int(len(folded) * (100 - cutoff) / 100) + 1)
        words = word_bag(folded)
        bases = (flt.base,) if flt.base else ("", *SUPPORTED_LANGUAGES)
        low, high = max(1, len(folded) - slack), len(folded) + slack
        window = self._window(bases, low, high)
        # Only these are scored (window positions, ascending; None: all of them).
        picked = self._typo_candidates(folded, bases, low, high, cutoff)
        best: dict[int, float] = {}
        # Plain similarity, then (for several words) the same on sorted words, so that
        # "desempelo seguro" is "seguro de desempleo" with a typo.
        passes = [(folded, window.folded)] + ([(words, window.words)] if " " in folded else [])
        for query, choices in passes:
            pool = choices if picked is None else [choices[i] for i in picked]
            for _c, score, i in process.extract(
                query, pool, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 4
            ):
                rid = window.rowids[i if picked is None else picked[i]]
                best[rid] = max(best.get(rid, 0.0), float(score))
        if not best:
            return []
        scored = [(*r[1:], best[r[0]]) for r in self._by_rowid(list(best), flt)]
        scored.sort(key=lambda r: (-r[4], r[3], len(r[1]), r[0]))
        return scored[:limit]

    def _hits(self, found: dict[int, _Found]) -> list[LookupHit]:
        if not found:
            return []
        pref, alt, info = self._concept_rows(list(found))
        hits = []
        for cid, (kind, label, tag, kcode, score, in_domain) in found.items():
            uri, notation, deprecated, schemes = info[cid]
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
                    schemes=schemes,
                    deprecated=bool(deprecated),
                    replaced_by=self._replacements(uri) if deprecated else (),
                    in_domain=in_domain,
                )
            )
        return hits

    def _concept_rows(
        self, ids: list[int]
    ) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, list[str]]], dict[int, Any]]:
        """Preferred and alternative labels by base language, and (uri, notation, deprecated,
        schemes) of the concepts ``ids``.
        """
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
        schemes: dict[int, list[str]] = {i: [] for i in ids}
        for cid, scheme in self._conn.execute(
            f"SELECT cid, scheme FROM concept_schemes WHERE cid IN ({marks}) ORDER BY scheme",
            ids,
        ):
            schemes[cid].append(scheme)
        info = {
            r[0]: (*r[1:], tuple(schemes[r[0]]))
            for r in self._conn.execute(
                f"SELECT id, uri, notation, deprecated FROM concepts WHERE id IN ({marks})",
                ids,
            )
        }
        return pref, alt, info

    def _replacements(self, uri: str) -> tuple[tuple[str, str], ...]:
        row = self._conn.execute("SELECT data FROM concepts WHERE uri = ?", (uri,)).fetchone()
        import json  # lazily: a plain lookup reads no JSON

        replaced = json.loads(row[0]).get("replaced_by", []) if row else []
        return tuple((u, self.pref_label(u, "en") if self.exists(u) else u) for u in replaced)


def _word_weights(query: tuple[str, ...], df: dict[str, int]) -> dict[str, float]:
    """Each word of ``query`` weighed by its rarity (``df``: how many labels hold it)."""
    return {w: math.log(1.0 + 2000.0 / df.get(w, 1)) for w in query}


def _shared_score(cover: float, shared: int, n: int, size: int) -> float:
    """The score of a label with ``n`` distinct words holding ``shared`` of the term's ``size``.

    ``cover`` is the weighted share of the term's words it holds. For given ``cover`` and
    ``shared``, the score never grows with ``n``.
    """
    if shared == n == size:
        return 100.0
    return 90.0 * cover * (0.5 + 0.5 * shared / n)


def _every_word_match(folded: str, flt: Filter, found: int) -> bool:
    """Whether ``found`` word-prefix rows are all the labels holding ``folded``'s words."""
    return found < _PREFIX_LIMIT and folded.isascii() and not flt.base and not flt.scheme


def _primary(kind: MatchKind, row: tuple[Any, ...]) -> int:
    """The tie class of a loose hit (0-10): hits in one class match the term as well.

    For a partial hit it is how much of the term's words the label holds (so every label
    holding all of them ties, whatever else it says); a prefix hit holds the whole term; for
    others, the score in tens.
    """
    if kind is MatchKind.variant:  # every word of the term, one in an attested variant
        return 10
    if kind is MatchKind.partial and len(row) > 5:
        return int(row[5] * 10)
    if kind is MatchKind.prefix and row[5]:  # a word being typed: the whole term is there
        return 10
    return int(row[4] // 10)


def _prefix_score(term: str, label: str) -> float:
    """How well a label starting with ``term`` (or with a word starting with it) matches it.

    A label starting with the term's words ("pension plan") beats part of a word
    ("pensioner") or a later word; the more of the label the term covers, the higher.
    """
    cover = len(term) / max(len(label), 1)
    whole = label == term or label.startswith(term + " ")
    return 60.0 + 30.0 * cover if whole else 50.0 + 25.0 * cover


def _promoted(
    row: tuple[Any, ...],
    keys: dict[str, str],
    bags: dict[str, list[str]],
    joined: str,
    label_key: Callable[[str, str], str],
    label_fold: Callable[[str], str],
) -> MatchKind | None:
    """The strict kind a candidate label deserves (folded, stemmed, reordered), if any."""
    lg = base_language(row[2]) or ""
    if lg not in keys:
        return MatchKind.folded if label_fold(row[1]).replace(" ", "") == joined else None
    key = label_key(row[1], lg)
    if key.replace(" ", "") == joined:  # "healthcare" / "health care"
        return MatchKind.folded
    if not keys[lg]:  # the term is function words only ("de"): nothing to compare
        return None
    if key == keys[lg]:
        return MatchKind.stemmed
    return MatchKind.reordered if sorted(key.split()) == bags[lg] else None


def _promote(
    term: str,
    langs: list[str],
    rows: list[tuple[MatchKind, tuple[Any, ...]]],
    label_key: Callable[[str, str], str],
    label_fold: Callable[[str], str],
) -> tuple[list[tuple[MatchKind, tuple[Any, ...]]], list[tuple[MatchKind, tuple[Any, ...]]]]:
    """Split candidate rows into inflections/reorderings of the term and the rest.

    A label equal to the term but for spaces is a folded match; a label whose inflection key
    (folded, singular, no function words) equals the term's, a stemmed one; the same words in
    another order, a reordered one. Anything else keeps its kind and score (partial, fuzzy,
    derived word). ``label_key`` and ``label_fold`` analyse the candidate labels.
    """
    keys = {lg: inflection_key(term, lg) for lg in langs}
    bags = {lg: sorted(k.split()) for lg, k in keys.items()}
    joined = fold(term).replace(" ", "")
    strict, loose = [], []
    # Plural endings, elision and function words change a length by little: a much longer
    # or shorter label cannot be the term inflected (and is not worth analysing).
    slack = max(8, len(term) // 2)
    low, high = len(term) - slack, len(term) + slack
    for kind, row in rows:
        size = len(row[1])
        promoted = (
            _promoted(row, keys, bags, joined, label_key, label_fold)
            if low <= size <= high
            else None
        )
        if promoted is not None:
            strict.append((promoted, row))
        elif kind is not MatchKind.partial or row[4] < 100.0:
            loose.append((kind, row))
        else:  # same stems in any order but not the same words: a derived form
            loose.append((MatchKind.partial, (*row[:4], _DERIVED_SCORE)))
    return strict, loose


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


def domain_schemes(values: Mapping[str, str | None]) -> tuple[str, ...]:
    """The preferred (domain) scheme URIs from settings values (``thesaurus.domain_schemes``).

    A comma-separated list; "none" turns the preference off; unset gives
    :data:`DEFAULT_DOMAIN_SCHEMES`.
    """
    text = values.get(DOMAIN_KEY)
    if text is None:
        return DEFAULT_DOMAIN_SCHEMES
    return tuple(u.strip() for u in text.split(",") if u.strip() and u.strip() != "none")


def get_cache(ws: Workspace, *, indexed: bool = False) -> ThesaurusCache:
    """Open the lookup cache of a data dir, rebuilding it from the thesaurus of record if needed.

    Args:
        ws: the data dir.
        indexed: answer lookups from an in-memory index
            (:class:`socsec.thesaurus.label_index.IndexedCache`, same answers): for processes
            that serve many lookups; building it costs more than one cold lookup.
    """
    engine = ThesaurusCache
    if indexed:
        from socsec.thesaurus.label_index import IndexedCache

        engine = IndexedCache
    try:
        cache = engine.open(ws.thesaurus_cache)
    except NotFoundError:
        if not ws.thesaurus_dir.is_dir():
            raise
        from socsec.thesaurus.compile import rebuild_cache  # rare: cache deleted or schema bumped

        rebuild_cache(ws)
        cache = engine.open(ws.thesaurus_cache)
    cache.domain = domain_schemes(ws.settings.values)
    return cache
