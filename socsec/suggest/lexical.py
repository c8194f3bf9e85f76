"""Lexical suggestion: thesaurus labels found in the title and text, ranked by their features.

Candidates are the concepts one of whose labels (analysed with :mod:`socsec.analysis`, in the
document's language) occurs in the document, plus the direct broader concepts of those. Each
candidate gets features in the spirit of Maui and Annif's MLLM: how often and where its labels
occur, the kind and length of the label, whether a longer label covers the match, which of its
broader, narrower and related concepts occur too, and, once trained on tagged records, how
often the concept is a subject when its label occurs ("keyphraseness"). Untrained, a fixed
formula ranks them; trained, a gradient-boosted classifier does (fitted with scikit-learn,
kept and scored as plain arrays: :mod:`socsec.suggest.forest`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from socsec.suggest.forest import Forest
from socsec.suggest.model import Document, Evidence, Suggestion, best_suggestions
from socsec.suggest.text import Analysed, analyse_document
from socsec.suggest.vocabulary import KIND_NAMES, Vocabulary

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TITLE, TEXT = 0, 1
_FIELD_NAMES = ("title", "text")
# Smoothing of keyphraseness towards the corpus-wide rate (in pseudo-documents).
_SMOOTHING = 2.0
# Matches kept for the evidence of the documents just scored (a batch of automatic indexing).
_RECENT = 512
# Most candidate rows the ranking trees are fitted on (negatives sampled above it).
MAX_TREE_ROWS = 200_000


@dataclass
class Candidate:
    """What the matcher found about one concept in one document."""

    cid: int
    count: int = 0
    title_count: int = 0
    first: float = 1.0
    last: float = 0.0
    best_kind: int = 2
    max_len: int = 0
    covered: int = 0
    ambiguity: int = 1
    loose: int = 0  # matches of a label's words in another order or apart, in one sentence
    labels: dict[tuple[str, int, int], int] = field(default_factory=dict)
    via: list[int] = field(default_factory=list)  # matched narrower concepts (inferred only)

    @property
    def inferred(self) -> bool:
        """Whether the concept was reached through another one, not found in the text."""
        return self.count == 0


@dataclass
class DocMatches:
    """All candidates of one document, and its length in analysed tokens."""

    lang: str
    length: int
    candidates: dict[int, Candidate]
    context: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    """Per candidate: how many of its ancestors, descendants and related concepts matched."""


def match_document(vocab: Vocabulary, analysed: Analysed) -> DocMatches:
    """Find every label of ``vocab`` (in the document's language) in its title and text."""
    table = vocab.labels.get(analysed.lang, {})
    longest = vocab.max_len.get(analysed.lang, 0)
    fields = (analysed.title, analysed.text)
    length = max(1, len(analysed.title) + len(analysed.text))
    # (start, end) in one global token numbering, field, entries
    spans: list[tuple[int, int, int, tuple[str, ...]]] = []
    offset = 0
    for where, tokens in enumerate(fields):
        n = len(tokens)
        for i in range(n):
            for size in range(1, min(longest, n - i) + 1):
                key = tokens[i : i + size]
                if key in table:
                    spans.append((offset + i, offset + i + size, where, key))
        offset += n
    # A label inside a longer matched label ("social security" in "social security
    # contribution") is weaker evidence for its own concept. Spans are sorted by start, and a
    # covering span starts at most ``longest`` tokens earlier.
    candidates: dict[int, Candidate] = {}
    for n, (start, end, where, key) in enumerate(spans):
        entries = table[key]
        covered = False
        for s, e, _w, _k in spans[max(0, n - 4 * longest) : n + 4 * longest]:
            if s <= start and end <= e and (e - s) > (end - start):
                covered = True
                break
        for cid, kind, label in entries:
            cand = candidates.get(cid)
            if cand is None:
                cand = candidates[cid] = Candidate(cid, ambiguity=len(entries))
            cand.count += 1
            cand.title_count += where == TITLE
            cand.first = min(cand.first, start / length)
            cand.last = max(cand.last, start / length)
            cand.best_kind = min(cand.best_kind, kind)
            cand.max_len = max(cand.max_len, end - start)
            cand.covered += covered
            cand.ambiguity = min(cand.ambiguity, len(entries))
            ev = (label, kind, where)
            cand.labels[ev] = cand.labels.get(ev, 0) + 1
    _match_loose(vocab, analysed, spans, candidates, length)
    for cid in list(candidates):
        for parent in vocab.broader[cid]:
            if parent not in candidates:
                candidates[parent] = Candidate(parent, ambiguity=0)
            if candidates[parent].inferred:
                candidates[parent].via.append(cid)
    direct = {cid for cid, cand in candidates.items() if not cand.inferred}
    below: dict[int, int] = {}
    for cid in direct:
        for ancestor in vocab.ancestors[cid]:
            below[ancestor] = below.get(ancestor, 0) + 1
    context = {
        cid: (
            len(vocab.ancestors[cid] & direct),
            below.get(cid, 0),
            sum(1 for k in vocab.related[cid] if k in direct),
        )
        for cid in candidates
    }
    return DocMatches(analysed.lang, length, candidates, context)


def _match_loose(
    vocab: Vocabulary,
    analysed: Analysed,
    spans: list[tuple[int, int, int, tuple[str, ...]]],
    candidates: dict[int, Candidate],
    length: int,
) -> None:
    """Add the labels whose words all occur in one sentence but not as the exact phrase.

    "Equal treatment of men and women" then finds "equal treatment for men and women", and
    "pension schemes for workers" the label "workers' pension scheme" in any word order.
    """
    import bisect
    from itertools import pairwise

    index = vocab.loose_keys(analysed.lang)
    if not index:
        return
    table = vocab.labels[analysed.lang]
    title_len = len(analysed.title)
    # Sentences as (field, start, end) in the global token numbering: the title is one.
    bounds = [(TITLE, 0, title_len)] if title_len else []
    starts = list(analysed.sentences) + [len(analysed.text)]
    bounds += [(TEXT, title_len + a, title_len + b) for a, b in pairwise(starts) if b > a]
    firsts = [b[1] for b in bounds]
    exact: dict[int, set[tuple[str, ...]]] = {}
    for start, _end, _where, key in spans:
        exact.setdefault(bisect.bisect_right(firsts, start) - 1, set()).add(key)
    tokens = analysed.title + analysed.text
    for number, (where, start, end) in enumerate(bounds):
        words = set(tokens[start:end])
        done = exact.get(number, set())
        for word in words:
            for key in index.get(word, ()):
                if key in done or not words.issuperset(key):
                    continue
                done.add(key)
                entries = table[key]
                for cid, kind, label in entries:
                    cand = candidates.get(cid)
                    if cand is None:
                        cand = candidates[cid] = Candidate(cid, ambiguity=len(entries))
                    cand.count += 1
                    cand.loose += 1
                    cand.title_count += where == TITLE
                    cand.first = min(cand.first, start / length)
                    cand.last = max(cand.last, start / length)
                    cand.best_kind = min(cand.best_kind, kind)
                    cand.max_len = max(cand.max_len, len(key))
                    cand.ambiguity = min(cand.ambiguity, len(entries))
                    ev = (label, kind, where)
                    cand.labels[ev] = cand.labels.get(ev, 0) + 1


N_FEATURES = 21
# Features 15 (gold count), 16 (keyphraseness) and 20 (records where a label matched) come
# from training counts; the 18 others depend on the document alone, computed once per document.
_COUNTED = (15, 16, 20)
_STATIC = tuple(i for i in range(N_FEATURES) if i not in _COUNTED)


@dataclass(frozen=True)
class DocRows:
    """The candidates of one document as arrays: what training and scoring need of it.

    Attributes:
        cids: candidate concept indexes, ascending.
        static: the document-only features of each candidate (n x 18, float32).
        direct: whether each candidate's own label matched (not only a narrower one).
    """

    cids: npt.NDArray[np.int64]
    static: npt.NDArray[np.float32]
    direct: npt.NDArray[np.bool_]


def doc_rows(vocab: Vocabulary, found: DocMatches) -> DocRows:
    """The document-only features of every candidate of ``found``."""
    import numpy as np

    cids = sorted(found.candidates)
    static = np.empty((len(cids), len(_STATIC)), dtype=np.float32)
    for row, cid in enumerate(cids):
        c = found.candidates[cid]
        above, below, related = found.context[cid]
        static[row] = (
            math.log1p(c.count),
            100.0 * c.count / found.length,
            c.first if c.count else 1.0,
            (c.last - c.first) if c.count else 0.0,
            float(c.title_count > 0),
            float(c.title_count),
            float(c.best_kind == 0) if c.count else 0.0,
            float(c.max_len),
            float(len({label for label, _k, _w in c.labels})),
            c.covered / c.count if c.count else 0.0,
            float(c.ambiguity),
            float(above),
            float(below),
            float(related),
            float(len(vocab.ancestors[cid])),
            float(c.inferred),
            math.log1p(vocab.narrower_count[cid]),
            c.loose / c.count if c.count else 0.0,
        )
    direct = np.array([not found.candidates[c].inferred for c in cids], dtype=bool)
    return DocRows(np.asarray(cids, dtype=np.int64), static, direct)


class LexicalSuggester:
    """Thesaurus labels matched in the text; see the module docstring.

    Args:
        vocab: the thesaurus snapshot to match.
    """

    name = "lexical"

    def __init__(self, vocab: Vocabulary) -> None:
        import numpy as np

        self.vocab = vocab
        self.forest: Forest | None = None
        self.trained_docs = 0
        size = len(vocab)
        # Per concept: records with it as a subject, records where its label matched, and
        # records where both held (keyphraseness = matched and gold / matched).
        self.gold_count = np.zeros(size, dtype=np.int64)
        self.matched_count = np.zeros(size, dtype=np.int64)
        self.gold_matched = np.zeros(size, dtype=np.int64)
        self.rate = 0.0
        self._memo: dict[Document, DocRows] = {}
        # The matches of the last documents scored, for their evidence (a batch at a time).
        self._recent: dict[Document, DocMatches] = {}

    # -- matching ------------------------------------------------------------------------------
    def matches(self, doc: Document) -> DocMatches:
        """Candidates of ``doc`` (the last documents' are kept: scoring then evidence)."""
        found = self._recent.get(doc)
        if found is not None:
            return found
        found = match_document(self.vocab, analyse_document(doc))
        if len(self._recent) >= _RECENT:
            del self._recent[next(iter(self._recent))]
        self._recent[doc] = found
        return found

    def rows(self, doc: Document) -> DocRows:
        """The candidates of ``doc`` as feature rows (memoised: the inner folds refit on them)."""
        found = self._memo.get(doc)
        if found is None:
            # Not through matches(): training must not keep every document's matches.
            found = doc_rows(self.vocab, match_document(self.vocab, analyse_document(doc)))
            self._memo[doc] = found
        return found

    def forget(self) -> None:
        """Drop the memoised rows (training is over; they would only hold memory)."""
        self._memo = {}
        self._recent = {}

    # -- training ------------------------------------------------------------------------------
    def fit(self, docs: Sequence[Document]) -> None:
        """Learn keyphraseness and the ranking classifier from documents with subjects."""
        import numpy as np

        index = self.vocab.index
        tagged = [d for d in docs if d.subjects]
        rows = [self.rows(d) for d in tagged]
        golds = [np.array(sorted({index[u] for u in d.subjects if u in index})) for d in tagged]
        size = len(self.vocab)
        own = [np.isin(r.cids, g) for r, g in zip(rows, golds, strict=True)]
        all_cids = np.concatenate([r.cids for r in rows]) if rows else np.zeros(0, np.int64)
        all_direct = np.concatenate([r.direct for r in rows]) if rows else np.zeros(0, bool)
        all_own = np.concatenate(own) if rows else np.zeros(0, bool)
        gold_cids = np.concatenate(golds).astype(np.int64) if golds else np.zeros(0, np.int64)
        self.gold_count = np.bincount(gold_cids, minlength=size).astype(np.int64)
        self.matched_count = np.bincount(all_cids[all_direct], minlength=size).astype(np.int64)
        self.gold_matched = np.bincount(all_cids[all_direct & all_own], minlength=size).astype(
            np.int64
        )
        total_matched = int(self.matched_count.sum())
        self.rate = int(self.gold_matched.sum()) / total_matched if total_matched else 0.0
        self.trained_docs = len(tagged)
        self.forest = None
        if not rows or all_own.all() or not all_own.any():
            return
        static = np.concatenate([r.static for r in rows])
        # Leave-one-out: a record's own subjects and matches are not counted for itself.
        features = self._features(all_cids, static, all_own, all_direct)
        del static, all_cids, all_direct
        labels = all_own.astype(np.int64)
        weights = None
        if len(features) > MAX_TREE_ROWS:
            # A fixed random share of the negative rows, weighted up so that the probabilities
            # keep their scale: the trees' copies of every row were the peak of training at
            # 100k records (the EUR-Lex training acts give 100,000 rows: all kept).
            positive = labels == 1
            share = max((MAX_TREE_ROWS - int(positive.sum())) / int((~positive).sum()), 0.05)
            kept = positive | (np.random.default_rng(0).random(len(labels)) < share)
            features, labels = features[kept], labels[kept]
            weights = np.where(labels == 1, 1.0, 1.0 / share)
        # scikit-learn fits on float64: converted here, the float32 rows freed before it fits.
        matrix = features.astype(np.float64)
        del features
        from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        clf = HistGradientBoostingClassifier(
            max_iter=120, learning_rate=0.1, max_leaf_nodes=7, random_state=0
        )
        # OpenMP threads gain little on these few rows and, on a busy machine, spin-wait for
        # each other: measured 0.7 s with one thread against 65 s with two, 80 records.
        with threadpool_limits(1 if len(matrix) < 200_000 else None):
            clf.fit(matrix, labels, sample_weight=weights)
        self.forest = Forest.from_sklearn(clf)

    def add(self, docs: Sequence[Document]) -> None:
        """Count new tagged records into keyphraseness without refitting (incremental).

        The per-concept counts (gold, matched, both) grow; the ranking trees are kept as they
        are (they learnt how features rank, not which concepts exist).
        """
        import numpy as np

        index = self.vocab.index
        size = len(self.vocab)
        for doc in docs:
            if not doc.subjects:
                continue
            rows = doc_rows(self.vocab, match_document(self.vocab, analyse_document(doc)))
            gold = np.array(sorted({index[u] for u in doc.subjects if u in index}), np.int64)
            direct = rows.cids[rows.direct]
            self.gold_count += np.bincount(gold, minlength=size)
            self.matched_count += np.bincount(direct, minlength=size)
            self.gold_matched += np.bincount(direct[np.isin(direct, gold)], minlength=size)
            self.trained_docs += 1
        total_matched = int(self.matched_count.sum())
        self.rate = int(self.gold_matched.sum()) / total_matched if total_matched else 0.0

    def _features(
        self,
        cids: npt.NDArray[np.int64],
        static: npt.NDArray[np.float32],
        own: npt.NDArray[np.bool_] | None = None,
        direct: npt.NDArray[np.bool_] | None = None,
    ) -> npt.NDArray[np.float32]:
        """Full feature rows; ``own``/``direct`` given at training time (leave-one-out)."""
        import numpy as np

        own_i = np.zeros(len(cids), np.int64) if own is None else own.astype(np.int64)
        self_i = np.zeros(len(cids), np.int64) if direct is None else direct.astype(np.int64)
        gold_count = self.gold_count[cids] - own_i
        matched = self.matched_count[cids] - self_i
        gold_matched = self.gold_matched[cids] - (own_i & self_i)
        keyphraseness = (gold_matched + _SMOOTHING * self.rate) / (matched + _SMOOTHING)
        out = np.empty((len(cids), N_FEATURES), dtype=np.float32)
        out[:, list(_STATIC)] = static
        out[:, _COUNTED[0]] = np.log1p(np.maximum(gold_count, 0))
        out[:, _COUNTED[1]] = keyphraseness
        out[:, _COUNTED[2]] = np.log1p(np.maximum(matched, 0))
        return out

    # -- suggesting ----------------------------------------------------------------------------
    def score(self, doc: Document) -> dict[str, float]:
        """Every candidate concept of ``doc`` with its score."""
        return self.score_many([doc])[0]

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """The matched labels (or matched narrower concepts) behind each candidate."""
        found = self.matches(doc)
        out: dict[str, tuple[Evidence, ...]] = {}
        for uri in uris:
            cand = found.candidates.get(self.vocab.index.get(uri, -1))
            out[uri] = () if cand is None else self._evidence(cand)
        return out

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best candidates, best first, with the labels that matched."""
        return best_suggestions(self, doc, limit)

    def score_many(self, docs: Sequence[Document]) -> list[dict[str, float]]:
        """:meth:`score` of many documents with one classifier call."""
        import numpy as np

        if self.forest is None:
            out = []
            for doc in docs:
                found = self.matches(doc)
                out.append(
                    {
                        self.vocab.uris[cid]: _heuristic(found, cand, self.vocab)
                        for cid, cand in found.candidates.items()
                    }
                )
            return out
        rows = [self._memo.get(d) or doc_rows(self.vocab, self.matches(d)) for d in docs]
        if not any(len(r.cids) for r in rows):
            return [{} for _d in docs]
        cids = np.concatenate([r.cids for r in rows])
        flat = self.forest.predict_proba(
            self._features(cids, np.concatenate([r.static for r in rows]))
        )
        result: list[dict[str, float]] = []
        start = 0
        for r in rows:
            end = start + len(r.cids)
            result.append(
                {self.vocab.uris[c]: float(p) for c, p in zip(r.cids, flat[start:end], strict=True)}
            )
            start = end
        return result

    # -- saving --------------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The fitted parameters as arrays (see :mod:`socsec.suggest.store`)."""
        import numpy as np

        arrays = {
            "lex.gold_count": self.gold_count,
            "lex.matched_count": self.matched_count,
            "lex.gold_matched": self.gold_matched,
            "lex.rate": np.asarray([self.rate]),
            "lex.trained_docs": np.asarray([self.trained_docs]),
        }
        if self.forest is not None:
            arrays |= self.forest.to_arrays("lex.forest.")
        return arrays

    @classmethod
    def from_arrays(
        cls, vocab: Vocabulary, arrays: dict[str, npt.NDArray[Any]]
    ) -> LexicalSuggester:
        """The suggester saved by :meth:`to_arrays`."""
        lex = cls(vocab)
        lex.gold_count = arrays["lex.gold_count"]
        lex.matched_count = arrays["lex.matched_count"]
        lex.gold_matched = arrays["lex.gold_matched"]
        lex.rate = float(arrays["lex.rate"][0])
        lex.trained_docs = int(arrays["lex.trained_docs"][0])
        lex.forest = Forest.from_arrays(arrays, "lex.forest.")
        return lex

    def _evidence(self, cand: Candidate) -> tuple[Evidence, ...]:
        if cand.inferred:
            return tuple(
                Evidence(source="hierarchy", detail=self.vocab.uris[k]) for k in cand.via[:5]
            )
        items = sorted(cand.labels.items(), key=lambda kv: (kv[0][2], -kv[1], kv[0][0]))
        return tuple(
            Evidence(
                source="label",
                detail=label,
                where=_FIELD_NAMES[where],
                kind=KIND_NAMES[kind],
                count=count,
            )
            for (label, kind, where), count in items[:5]
        )


def _heuristic(found: DocMatches, cand: Candidate, vocab: Vocabulary) -> float:
    """Untrained score in 0..1: frequent, early, in the title, by a preferred, specific label."""
    if cand.inferred:
        return 0.1 * min(1.0, len(cand.via) / 3)
    raw = 1.0 + math.log(cand.count)
    raw *= 1.6 if cand.title_count else 1.0
    raw *= 1.0 if cand.best_kind == 0 else 0.8
    raw *= 1.0 - 0.4 * cand.first
    raw *= 1.0 + 0.15 * (cand.max_len - 1)
    raw *= 1.0 - 0.5 * (cand.covered / cand.count)
    # Prefer the specific: a matched narrower concept says more than its broader one.
    if found.context[cand.cid][1]:
        raw *= 0.7
    return raw / (raw + 2.0)
