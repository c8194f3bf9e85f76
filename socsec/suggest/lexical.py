"""Lexical suggestion: thesaurus labels found in the title and text, ranked by their features.

Candidates are the concepts one of whose labels (analysed with :mod:`socsec.analysis`, in the
document's language) occurs in the document, plus the direct broader concepts of those. Each
candidate gets features in the spirit of Maui and Annif's MLLM: how often and where its labels
occur, the kind and length of the label, whether a longer label covers the match, which of its
broader, narrower and related concepts occur too, and, once trained on tagged records, how
often the concept is a subject when its label occurs ("keyphraseness"). Untrained, a fixed
formula ranks them; trained, a gradient-boosted classifier does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from socsec.suggest.model import Document, Evidence, Suggestion
from socsec.suggest.text import Analysed, analyse_document
from socsec.suggest.vocabulary import KIND_NAMES, Vocabulary

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TITLE, TEXT = 0, 1
_FIELD_NAMES = ("title", "text")
# Smoothing of keyphraseness towards the corpus-wide rate (in pseudo-documents).
_SMOOTHING = 2.0


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
    labels: dict[tuple[str, int, int], int] = field(default_factory=dict)
    via: list[int] = field(default_factory=list)  # matched narrower concepts (inferred only)

    @property
    def inferred(self) -> bool:
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


N_FEATURES = 19


class LexicalSuggester:
    """Thesaurus labels matched in the text; see the module docstring.

    Args:
        vocab: the thesaurus snapshot to match.
    """

    name = "lexical"

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.classifier: Any = None
        self.trained_docs = 0
        self._gold_count: dict[int, int] = {}
        self._matched_count: dict[int, int] = {}
        self._gold_matched: dict[int, int] = {}
        self._rate = 0.0
        self._memo: dict[Document, DocMatches] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_memo"] = {}
        return state

    # -- matching ------------------------------------------------------------------------------
    def matches(self, doc: Document) -> DocMatches:
        """Candidates of ``doc`` (memoised: evaluation refits on the same documents)."""
        found = self._memo.get(doc)
        if found is None:
            found = match_document(self.vocab, analyse_document(doc))
            if len(self._memo) < 50_000:
                self._memo[doc] = found
        return found

    # -- training ------------------------------------------------------------------------------
    def fit(self, docs: Sequence[Document]) -> None:
        """Learn keyphraseness and the ranking classifier from documents with subjects."""
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]

        tagged = [d for d in docs if d.subjects]
        self._gold_count, self._matched_count, self._gold_matched = {}, {}, {}
        pairs: list[tuple[DocMatches, set[int]]] = []
        for doc in tagged:
            found = self.matches(doc)
            gold = {self.vocab.index[u] for u in doc.subjects if u in self.vocab.index}
            pairs.append((found, gold))
            for cid in gold:
                self._gold_count[cid] = self._gold_count.get(cid, 0) + 1
            for cid, cand in found.candidates.items():
                if cand.inferred:
                    continue
                self._matched_count[cid] = self._matched_count.get(cid, 0) + 1
                if cid in gold:
                    self._gold_matched[cid] = self._gold_matched.get(cid, 0) + 1
        total_matched = sum(self._matched_count.values())
        self._rate = sum(self._gold_matched.values()) / total_matched if total_matched else 0.0
        self.trained_docs = len(tagged)
        rows: list[list[float]] = []
        labels: list[int] = []
        for found, gold in pairs:
            for cid in sorted(found.candidates):
                rows.append(self._features(found, cid, gold))
                labels.append(int(cid in gold))
        self.classifier = None
        if len(set(labels)) == 2:
            clf = HistGradientBoostingClassifier(
                max_iter=120, learning_rate=0.1, max_leaf_nodes=7, random_state=0
            )
            clf.fit(np.asarray(rows, dtype=np.float32), np.asarray(labels))
            self.classifier = clf

    def _features(self, found: DocMatches, cid: int, gold: set[int] | None = None) -> list[float]:
        """Feature vector of one candidate; ``gold`` given at training time (leave-one-out)."""
        vocab = self.vocab
        c = found.candidates[cid]
        own = 1 if gold is not None and cid in gold else 0
        matched_self = 1 if gold is not None and not c.inferred else 0
        gold_count = self._gold_count.get(cid, 0) - own
        matched = self._matched_count.get(cid, 0) - matched_self
        gold_matched = self._gold_matched.get(cid, 0) - (own and matched_self)
        keyphraseness = (gold_matched + _SMOOTHING * self._rate) / (matched + _SMOOTHING)
        above, below, related = found.context[cid]
        return [
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
            math.log1p(max(gold_count, 0)),
            keyphraseness,
            float(c.inferred),
            math.log1p(vocab.narrower_count[cid]),
        ]

    # -- suggesting ----------------------------------------------------------------------------
    def score(self, doc: Document) -> dict[str, float]:
        """Every candidate concept of ``doc`` with its score."""
        found = self.matches(doc)
        if not found.candidates:
            return {}
        cids = sorted(found.candidates)
        return {
            self.vocab.uris[cid]: score
            for cid, score in zip(cids, self._score(found, cids), strict=True)
        }

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
        ranked = sorted(self.score(doc).items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        evidence = self.evidence(doc, [u for u, _s in ranked])
        return [
            Suggestion(uri=u, score=s, evidence=evidence[u], scores={self.name: s})
            for u, s in ranked
        ]

    def score_many(self, docs: Sequence[Document]) -> list[dict[str, float]]:
        """:meth:`score` of many documents with one classifier call (for evaluation)."""
        found = [self.matches(doc) for doc in docs]
        cids = [sorted(f.candidates) for f in found]
        if self.classifier is None:
            flat = [
                _heuristic(f, f.candidates[cid], self.vocab)
                for f, ids in zip(found, cids, strict=True)
                for cid in ids
            ]
        else:
            rows = [
                self._features(f, cid) for f, ids in zip(found, cids, strict=True) for cid in ids
            ]
            flat = self._predict(rows)
        out: list[dict[str, float]] = []
        start = 0
        for ids in cids:
            scores = flat[start : start + len(ids)]
            out.append({self.vocab.uris[c]: s for c, s in zip(ids, scores, strict=True)})
            start += len(ids)
        return out

    def _predict(self, rows: list[list[float]]) -> list[float]:
        if not rows:
            return []
        import numpy as np
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        matrix: npt.NDArray[np.float32] = np.asarray(rows, dtype=np.float32)
        # OpenMP start-up costs more than it saves on the few rows of one document.
        with threadpool_limits(1 if len(rows) < 5000 else None):
            return [float(p) for p in self.classifier.predict_proba(matrix)[:, 1]]

    def _score(self, found: DocMatches, cids: list[int]) -> list[float]:
        if self.classifier is not None:
            return self._predict([self._features(found, cid) for cid in cids])
        return [_heuristic(found, found.candidates[cid], self.vocab) for cid in cids]

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
