"""The lookup ladder answered from memory, for long-lived processes (the web server).

:class:`ThesaurusCache` runs about 18 SQL statements per lookup. :class:`IndexedCache` runs
the very same ladder (it only overrides the row sources of :mod:`socsec.thesaurus.lookup`)
over a :class:`LabelIndex` built once from the cache's tables: dicts for the exact, folded,
stemmed and word lookups, a sorted array for label prefixes, word postings for the
word-prefix and phrase matches that the cache asks FTS5 for. Each source returns the rows in
the order SQLite returns them, so ties break the same way and the answers are identical
(tests/thesaurus/test_label_index.py compares both engines over every EuroVoc label).

Building the index reads the whole label table (about a second for all of EuroVoc), more
than a cold one-shot CLI lookup costs, so the CLI keeps the SQL sources. The index is rebuilt
when the cache file changes under the open connection (``PRAGMA data_version``: an edit or a
rebuild by another connection). Standard library only (the lookup hot path).
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from socsec.analysis import SUPPORTED_LANGUAGES, folded_inflection_key
from socsec.thesaurus import variants
from socsec.thesaurus.lookup import (
    _PARTIAL_CANDIDATES,
    _PARTIAL_CUTOFF,
    Filter,
    ThesaurusCache,
    _Bucket,
    _every_word_match,
    _shared_score,
    _word_weights,
    fold,
    inflection_key,
    word_bag,
)

# Word prefixes up to this length have their label lists precomputed (a search box sends
# short prefixes; longer ones match few words and are merged on demand).
_SHORT_PREFIX = 4
_LIMIT = 200  # the SQL prefix sources' LIMIT
# Word combinations whose shared-word scores are kept (cleared when full).
_SHARED_MEMO = 20_000
# Terms of up to this many distinct words have the word sets that can score enumerated first.
_MASK_WORDS = 8


class _Concept(NamedTuple):
    uri: str
    notation: str | None
    deprecated: bool
    schemes: tuple[str, ...]  # sorted
    pref: dict[str, str]
    alt: dict[str, list[str]]


class _TypoTable:
    """The folded labels of one base language in the typo window's order (length, rowid),
    with their character counts: the bag distance (characters to add or drop, ignoring
    order) never exceeds the Indel distance that rapidfuzz's ratio is computed from, so a
    label whose bag distance already rules out the cutoff need not be scored.
    """

    def __init__(self, folded: list[str], rowids: list[int]) -> None:
        import numpy as np  # the typo rung of a long-lived process only

        # The labels themselves, for the typo windows (see IndexedCache._window).
        self.folded = folded
        self.words = [word_bag(f) for f in folded]
        self.rowids = rowids
        self.lengths = np.array([len(f) for f in folded], dtype=np.int32)
        codes = np.frombuffer("".join(folded).encode("utf-32-le"), dtype=np.uint32)
        chars, which = np.unique(codes, return_inverse=True)
        self.row = {chr(int(c)): i for i, c in enumerate(chars)}
        owner = np.repeat(np.arange(len(folded)), self.lengths)
        n = len(folded)
        self.counts = (
            np.bincount(which.ravel() * n + owner, minlength=len(chars) * n)
            .reshape(len(chars), n)
            .astype(np.int16)
        )

    def span(self, low: int, high: int) -> tuple[int, int]:
        """Positions of the labels ``low`` to ``high`` characters long."""
        return (
            int(self.lengths.searchsorted(low, "left")),
            int(self.lengths.searchsorted(high, "right")),
        )

    def candidates(self, term: str, start: int, end: int, cutoff: float) -> list[int]:
        """Positions in ``start:end`` whose bag distance to ``term`` allows ``cutoff``."""
        import numpy as np

        want: dict[str, int] = {}
        for ch in term:
            want[ch] = want.get(ch, 0) + 1
        rows = [self.row[c] for c in want if c in self.row]
        missing = sum(k for c, k in want.items() if c not in self.row)
        lengths = self.lengths[start:end]
        # Characters of the label outside the term's, plus the term's it lacks or repeats.
        dist = lengths + missing
        if rows:
            block = self.counts[:, start:end][rows]
            need = np.array([want[c] for c in want if c in self.row], dtype=np.int16)
            dist = dist - block.sum(axis=0) + np.abs(block - need[:, None]).sum(axis=0)
        # ratio >= cutoff needs Indel <= (1 - cutoff/100) * (len1 + len2); half a character
        # of slack keeps float rounding on the safe side (rapidfuzz decides the rest).
        allowed = (1.0 - cutoff / 100.0) * (len(term) + lengths) + 0.5
        return [int(i) for i in np.flatnonzero(dist <= allowed)]


class LabelIndex:
    """Every label of a cache in memory, keyed for the sources of the lookup ladder.

    Build it with :meth:`build`; it is read-only afterwards (safe to share between threads).
    """

    def __init__(self) -> None:
        # rowid -> (cid, label, lang tag, kind) and the label's base language.
        self.rows: dict[int, tuple[int, str, str, int]] = {}
        self.base: dict[int, str] = {}
        self.folded: dict[int, str] = {}
        self.stemmed: dict[int, str] = {}
        # Each label folded, and its inflection key in its base language (en/fr/es): the
        # ladder compares candidate labels with the term by these.
        self.label_fold: dict[str, str] = {}
        self.label_keys: dict[tuple[str, str], str] = {}
        # cid -> its pref and alt labels as (base, stemmed words), for word variants.
        self.named: dict[int, list[tuple[str, list[str]]]] = {}
        self.by_label: dict[str, list[int]] = {}
        self.by_folded: dict[str, list[int]] = {}
        self.by_joined: dict[str, list[int]] = {}
        self.by_stemmed: dict[tuple[str, str], list[int]] = {}
        # (folded, rowid) sorted: the order of the labels_folded index.
        self.folded_keys: list[str] = []
        self.folded_rowids: list[int] = []
        # FTS words of each label (its folded words) and their postings, by rowid.
        self.words: dict[int, tuple[str, ...]] = {}
        self.padded: dict[int, str] = {}  # " folded label "
        self.postings: dict[str, list[int]] = {}
        self.vocabulary: list[str] = []
        self.short: dict[str, list[int]] = {}
        # (stemmed token, base) -> [(rowid, distinct words of the label)], by rowid.
        self.tokens: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.token_rids: dict[tuple[str, str], dict[int, int]] = {}  # the same, as dicts
        self.concepts: dict[int, _Concept] = {}
        # Deprecated concepts' replacements as hits show them: (uri, English label).
        self.replacements: dict[str, tuple[tuple[str, str], ...]] = {}
        self.scheme_sets: dict[int, frozenset[str]] = {}
        self._typo: dict[str, _TypoTable] = {}
        # Encoded parts of answers that depend only on this index (a face's JSON of a
        # concept): kept by their callers for the index's life, so never older than it.
        self.fragments: dict[object, str] = {}
        self.shared: dict[
            tuple[str, tuple[str, ...]], tuple[bool, list[tuple[int, float, float]]]
        ] = {}

    @classmethod
    def build(cls, cache: ThesaurusCache) -> LabelIndex:
        """Read the label, token and concept tables of ``cache`` into a new index."""
        conn = cache._conn  # the index is the cache's own derived state
        index = cls()
        rows = conn.execute(
            "SELECT rowid, cid, label, lang, base, kind, folded, stemmed FROM labels ORDER BY rowid"
        ).fetchall()
        by_folded_pairs = []
        short: dict[str, set[int]] = {}
        postings: dict[str, list[int]] = {}
        for rowid, cid, label, lang, base, kind, folded, stemmed in rows:
            index.rows[rowid] = (cid, label, lang, kind)
            index.base[rowid] = base
            index.folded[rowid] = folded
            index.stemmed[rowid] = stemmed
            index.label_fold[label] = folded  # the cache's column: fold(label)
            if base in SUPPORTED_LANGUAGES:
                index.label_keys[(label, base)] = folded_inflection_key(folded, base)
            if kind < 2:
                index.named.setdefault(cid, []).append((base, stemmed.split()))
            index.by_label.setdefault(label, []).append(rowid)
            index.by_folded.setdefault(folded, []).append(rowid)
            index.by_joined.setdefault(folded.replace(" ", ""), []).append(rowid)
            index.by_stemmed.setdefault((stemmed, base), []).append(rowid)
            by_folded_pairs.append((folded, rowid))
            words = tuple(folded.split())
            index.words[rowid] = words
            index.padded[rowid] = f" {' '.join(words)} "
            for word in set(words):
                postings.setdefault(word, []).append(rowid)
                for n in range(1, min(len(word), _SHORT_PREFIX) + 1):
                    short.setdefault(word[:n], set()).add(rowid)
        by_folded_pairs.sort()
        index.folded_keys = [f for f, _r in by_folded_pairs]
        index.folded_rowids = [r for _f, r in by_folded_pairs]
        index.postings = postings
        index.vocabulary = sorted(postings)
        index.short = {p: sorted(rids) for p, rids in short.items()}
        for token, base, rid, n in conn.execute(
            "SELECT token, base, rid, n FROM label_tokens ORDER BY token, base, rid"
        ):
            index.tokens.setdefault((token, base), []).append((rid, n))
        index.token_rids = {key: dict(posting) for key, posting in index.tokens.items()}
        schemes: dict[int, list[str]] = {}
        for cid, scheme in conn.execute("SELECT cid, scheme FROM concept_schemes ORDER BY scheme"):
            schemes.setdefault(cid, []).append(scheme)
        pref: dict[int, dict[str, str]] = {}
        alt: dict[int, dict[str, list[str]]] = {}
        for cid, base, kind, label in conn.execute(
            "SELECT cid, base, kind, label FROM labels WHERE kind < 2 "
            "ORDER BY cid, kind, lang, label"
        ):
            if kind == 0:
                pref.setdefault(cid, {}).setdefault(base, label)
            else:
                alt.setdefault(cid, {}).setdefault(base, []).append(label)
        for cid, uri, notation, deprecated in conn.execute(
            "SELECT id, uri, notation, deprecated FROM concepts"
        ):
            in_schemes = tuple(schemes.get(cid, ()))
            index.concepts[cid] = _Concept(
                uri, notation, bool(deprecated), in_schemes, pref.get(cid, {}), alt.get(cid, {})
            )
            index.scheme_sets[cid] = frozenset(in_schemes)
            if deprecated:
                index.replacements[uri] = ThesaurusCache._replacements(cache, uri)
        return index

    # -- helpers ---------------------------------------------------------------------------

    def keep(self, rowid: int, flt: Filter) -> bool:
        """Whether a label passes the lookup's language and scheme limits."""
        if flt.base and self.base[rowid] != flt.base:
            return False
        return not flt.scheme or flt.scheme in self.scheme_sets.get(self.rows[rowid][0], ())

    def with_prefix(self, prefix: str) -> list[int]:
        """Rowids of labels with a word starting with ``prefix``, ascending."""
        if len(prefix) <= _SHORT_PREFIX:
            return self.short.get(prefix, [])
        vocab = self.vocabulary
        i = bisect.bisect_left(vocab, prefix)
        found: set[int] = set()
        while i < len(vocab) and vocab[i].startswith(prefix):
            found.update(self.postings[vocab[i]])
            i += 1
        return sorted(found)

    def phrase(self, words: list[str], *, prefix: bool) -> list[int]:
        """Rowids of labels holding ``words`` consecutively (the last one as a prefix)."""
        *head, last = words
        if not head:
            return self.with_prefix(last) if prefix else self.postings.get(last, [])
        lists = [self.postings.get(w, []) for w in head]
        # Folded labels are words joined by single spaces: a phrase of whole words is a
        # space-delimited substring (the last word open-ended for a prefix).
        needle = " " + " ".join(words) + ("" if prefix else " ")
        padded = self.padded
        return [rid for rid in min(lists, key=len) if needle in padded[rid]]

    def typo_table(self, base: str) -> _TypoTable:
        """The typo table of one base language (built on first use)."""
        table = self._typo.get(base)
        if table is None:
            order = sorted((len(f), r) for r, f in self.folded.items() if self.base[r] == base)
            table = self._typo[base] = _TypoTable(
                [self.folded[r] for _n, r in order], [r for _n, r in order]
            )
        return table

    def variant_rowids(self, base: str, words: list[str]) -> list[int]:
        """:func:`socsec.thesaurus.variants.variant_rows` over the index."""
        return variants.attested(
            self._near_labels(base, words),
            lambda word, others: self._support(base, word, others),
        )

    def _near_labels(self, base: str, words: list[str]) -> list[tuple[str, str, int]]:
        uniq = sorted(set(words))
        if not 2 <= len(uniq) <= variants.MAX_WORDS:
            return []
        out: list[tuple[str, str, int]] = []
        for word in uniq:
            rest = [w for w in uniq if w != word]
            lists = [self.tokens.get((w, base), []) for w in rest]
            need = set(rest)
            rids = []
            for rid, n in min(lists, key=len):
                if n == len(uniq) and need.issubset(self.stemmed[rid].split()):
                    rids.append(rid)
                    if len(rids) == variants.MAX_CANDIDATES:
                        break
            for rid in rids:
                other = set(self.stemmed[rid].split()) - need
                if len(other) == 1 and word not in other:
                    out.append((word, other.pop(), rid))
        return out

    def _support(self, base: str, word: str, others: set[str]) -> dict[str, int]:
        cids = {self.rows[rid][0] for rid, _n in self.tokens.get((word, base), ())}
        counts = dict.fromkeys(others, 0)
        for cid in cids:
            labels = [w for b, w in self.named.get(cid, ()) if b == base]
            for other in variants.substitutes_in(labels, word, others):
                counts[other] += 1
        return counts

    def shared_words(
        self, base: str, query: tuple[str, ...], keep: int = _PARTIAL_CANDIDATES
    ) -> tuple[bool, list[tuple[int, float, float]]]:
        """:meth:`ThesaurusCache._shared_words`, scoring only the labels that can be kept.

        A label's score depends on which of the query's words it holds (its mask) and on
        its number of words ``n`` only, and never grows with ``n``. So the sets of words
        that cannot reach the cutoff are known before any label is read, and only the
        postings of the rarest word of each set that can are walked. Of the labels scoring
        at least the cutoff, the best ``keep`` by (cover, score, rowid) are returned, by
        rowid: all that the ladder uses.
        """
        postings = [self.tokens.get((t, base)) for t in query]
        df = {t: len(p) for t, p in zip(query, postings, strict=True) if p}
        if not df:
            return False, []
        weight = _word_weights(query, df)
        total = sum(weight.values())
        size = len(query)
        covers: dict[int, tuple[float, int]] = {}  # mask -> (cover, words held)

        def cover_of(mask: int) -> tuple[float, int]:
            found = covers.get(mask)
            if found is None:
                held = [query[i] for i in range(size) if mask >> i & 1]
                found = covers[mask] = (sum(weight[w] for w in held) / total, len(held))
            return found

        # Positions of the words whose postings are walked (all of them for a long term).
        walk = {i for i in range(size) if postings[i]}
        if size <= _MASK_WORDS:
            walk = set()
            for mask in range(1, 1 << size):
                held = [i for i in range(size) if mask >> i & 1]
                if any(not postings[i] for i in held):
                    continue  # no label holds that word
                cover, count = cover_of(mask)
                if _shared_score(cover, count, count, size) >= _PARTIAL_CUTOFF:
                    walk.add(min(held, key=lambda i: (df[query[i]], i)))
        rid_sets = [self.token_rids.get((t, base), {}) for t in query]
        scores: dict[tuple[int, int], float] = {}
        kept: dict[tuple[float, float], list[int]] = {}
        seen: set[int] = set()
        for i in sorted(walk):
            for rid, n in postings[i] or ():
                if rid in seen:
                    continue
                seen.add(rid)
                mask = 0
                for j, rids in enumerate(rid_sets):
                    if rid in rids:
                        mask |= 1 << j
                score = scores.get((mask, n))
                if score is None:
                    cover, count = cover_of(mask)
                    score = scores[(mask, n)] = _shared_score(cover, count, n, size)
                if score >= _PARTIAL_CUTOFF:
                    kept.setdefault((covers[mask][0], score), []).append(rid)
        out: list[tuple[int, float, float]] = []
        for cover, score in sorted(kept, key=lambda k: (-k[0], -k[1])):
            best = sorted(kept[(cover, score)])[: keep - len(out)]
            out += [(rid, score, cover) for rid in best]
            if len(out) >= keep:
                break
        out.sort()
        return len(df) == len(query), out

    def select(self, rowids: Sequence[int], flt: Filter) -> list[tuple[Any, ...]]:
        """(cid, label, tag, kind) of the labels passing ``flt``, in the order given."""
        rows = self.rows
        if not flt.base and not flt.scheme:
            return [rows[r] for r in rowids]
        return [rows[r] for r in rowids if self.keep(r, flt)]


class IndexedCache(ThesaurusCache):
    """A :class:`ThesaurusCache` whose lookups read a :class:`LabelIndex` instead of SQL.

    Same answers as the SQL engine; for a process that serves many lookups (build cost: one
    read of the label tables, repeated when the cache's data version changes).
    """

    _index: LabelIndex | None = None
    _index_version: int | None = None
    _checked = False  # in an in_memory() block that found the index current
    _busy_ms: int | None = None

    @property
    def index(self) -> LabelIndex:
        """The label index, built on first use and after the cache file changed."""
        self._refresh()
        assert self._index is not None
        return self._index

    @contextmanager
    def in_memory(self, term: str) -> Iterator[bool]:
        """Whether lookups of ``term`` in the ``with`` block read memory only (no file, no wait).

        True when the index is built and current (``PRAGMA data_version``, asked with no
        busy wait: a writer holding the file's lock makes it False, not a wait) and the
        term's sources are all in memory (its folded form is ASCII; other scripts ask
        FTS5). Lookups in the block then trust that check instead of repeating it. False
        means a lookup may read the file or rebuild the index: run it where blocking is
        allowed.
        """
        self._checked = self._current(term)
        try:
            yield self._checked
        finally:
            self._checked = False

    @property
    def fragments(self) -> dict[object, str]:
        """The index's :attr:`LabelIndex.fragments` (dropped with it when the file changes)."""
        return self._idx().fragments

    def build_index(self) -> None:
        """Build the index of the file as it is now (blocking: for a background thread).

        The data version is read first: an edit made during the build leaves the index
        marked older than the file, so it is found stale and built again, never trusted.
        """
        version = self.data_version()
        self._meta = None
        self._typo.clear()
        self._windows.clear()
        self._index = LabelIndex.build(self)
        self._index_version = version

    def is_current(self) -> bool:
        """Whether the index is built and the file unchanged since (one ``PRAGMA``, may wait)."""
        return self._index is not None and self.data_version() == self._index_version

    @contextmanager
    def trusted(self) -> Iterator[None]:
        """Lookups in the ``with`` block use the index as it is, without checking the file.

        For a caller that has just found the index current (:meth:`is_current`): a lookup
        then never builds an index, which may take seconds.
        """
        self._checked = True
        try:
            yield
        finally:
            self._checked = False

    def _current(self, term: str) -> bool:
        if self._index is None or not fold(term).isascii():
            return False
        conn = self._conn
        if self._busy_ms is None:
            self._busy_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            version = self.data_version()
        except sqlite3.OperationalError:  # a writer holds the lock: do not wait here
            return False
        finally:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        return version == self._index_version

    def _refresh(self) -> None:
        if self._checked:  # in_memory() checked the file for this block
            return
        version = self.data_version()
        if self._index is None or version != self._index_version:
            # Derived state of the old file goes too: metadata and the typo buckets.
            self._meta = None
            self._typo.clear()
            self._windows.clear()
            self._index = LabelIndex.build(self)
            self._index_version = version

    def _idx(self) -> LabelIndex:
        if self._index is None:
            self._refresh()
        assert self._index is not None
        return self._index

    def _label_fold(self, label: str) -> str:
        folded = self._idx().label_fold.get(label)
        return fold(label) if folded is None else folded

    def _label_key(self, label: str, base: str) -> str:
        key = self._idx().label_keys.get((label, base))
        return inflection_key(label, base) if key is None else key

    def _exact_rows(self, label: str, flt: Filter) -> list[tuple[Any, ...]]:
        index = self._idx()
        return index.select(index.by_label.get(label, ()), flt)

    def _folded_rows(self, folded: str, flt: Filter) -> list[tuple[Any, ...]]:
        index = self._idx()
        first = index.by_folded.get(folded, [])
        seen = set(first)
        # SQLite's OR over two indexes: the folded matches, then the new space-free ones.
        rest = [r for r in index.by_joined.get(folded.replace(" ", ""), ()) if r not in seen]
        return index.select([*first, *rest], flt)

    def _stemmed_rows(self, key: str, base: str, flt: Filter) -> list[tuple[Any, ...]]:
        index = self._idx()
        return index.select(index.by_stemmed.get((key, base), ()), flt)

    def _by_rowid(self, rowids: Sequence[int], flt: Filter) -> list[tuple[Any, ...]]:
        index = self._idx()
        rows = index.rows
        return [(r, *rows[r]) for r in sorted(set(rowids)) if r in rows and index.keep(r, flt)]

    def _has_words(self, folded: str) -> bool:
        if not folded.isascii():  # FTS5 tokenises other scripts: ask it
            return super()._has_words(folded)
        return bool(self._idx().phrase(folded.split(), prefix=False))

    def _token_stats(
        self, base: str, tokens: list[str]
    ) -> tuple[dict[str, int], list[tuple[int, int, list[str]]]]:
        index = self._idx()
        df = {}
        groups: dict[int, tuple[int, list[str]]] = {}
        for token in tokens:
            posting = index.tokens.get((token, base))
            if not posting:
                continue
            df[token] = len(posting)
            for rid, n in posting:
                group = groups.get(rid)
                if group is None:
                    groups[rid] = (n, [token])
                else:
                    group[1].append(token)
        return df, [(rid, *groups[rid]) for rid in sorted(groups)]

    def _prefix(self, folded: str, flt: Filter) -> tuple[list[tuple[Any, ...]], bool]:
        index = self._idx()
        if not folded.isascii():
            return super()._prefix(folded, flt)
        keys, rowids = index.folded_keys, index.folded_rowids
        i = bisect.bisect_left(keys, folded)
        end = folded + "\uffff"
        rows: list[tuple[Any, ...]] = []
        while i < len(keys) and keys[i] < end and len(rows) < _LIMIT:
            if index.keep(rowids[i], flt):
                rows.append(index.rows[rowids[i]])
            i += 1
        if '"' in folded:
            return rows, False
        picked = 0
        for rid in index.phrase(folded.split(), prefix=True):
            if index.keep(rid, flt):
                rows.append(index.rows[rid])
                picked += 1
                if picked == _LIMIT:
                    break
        return rows, _every_word_match(folded, flt, picked)

    def _variant_rowids(self, base: str, words: list[str]) -> list[int]:
        return self._idx().variant_rowids(base, words)

    def _shared_words(
        self, base: str, query: tuple[str, ...]
    ) -> tuple[bool, list[tuple[int, float, float]]]:
        # Kept per index: a common word ("social") has thousands of labels to score, and
        # terms typed into a search box share their words.
        memo = self._idx().shared
        key = (base, query)
        found = memo.get(key)
        if found is None:
            if len(memo) >= _SHARED_MEMO:
                memo.clear()
            found = memo[key] = self._idx().shared_words(base, query)
        return found

    def _window_parts(self, base: str, low: int, high: int) -> Iterator[_Bucket]:
        # A slice of the typo table (the SQL windows' order), not SQL reads: a window never
        # seen before costs a copy, not a scan of the label table.
        table = self._idx().typo_table(base)
        start, end = table.span(low, high)
        yield _Bucket(table.folded[start:end], table.words[start:end], table.rowids[start:end])

    def _typo_candidates(
        self, folded: str, bases: tuple[str, ...], low: int, high: int, cutoff: float
    ) -> list[int] | None:
        index = self._idx()
        picked: list[int] = []
        offset = 0
        for base in bases:
            table = index.typo_table(base)
            start, end = table.span(low, high)
            picked += [offset + i for i in table.candidates(folded, start, end, cutoff)]
            offset += end - start
        return picked

    def _in_domain(self, cids: set[int], preferred: Sequence[str]) -> set[int]:
        if not preferred or not cids:
            return set()
        sets = self._idx().scheme_sets
        return {c for c in cids if not sets.get(c, frozenset()).isdisjoint(preferred)}

    def _replacements(self, uri: str) -> tuple[tuple[str, str], ...]:
        found = self._idx().replacements.get(uri)
        return super()._replacements(uri) if found is None else found

    def _concept_rows(
        self, ids: list[int]
    ) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, list[str]]], dict[int, Any]]:
        concepts = self._idx().concepts
        pref = {i: dict(concepts[i].pref) for i in ids}
        alt = {i: {b: list(v) for b, v in concepts[i].alt.items()} for i in ids}
        info = {
            i: (concepts[i].uri, concepts[i].notation, concepts[i].deprecated, concepts[i].schemes)
            for i in ids
        }
        return pref, alt, info
