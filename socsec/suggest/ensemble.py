"""The ensemble: a weighted sum of the lexical, associative and thesaurus scores, and of the
agreement of the first two.

The weights are tuned on the training records themselves by cross-validation: each member is
trained on all folds but one and scores the held-out fold; the weights that maximise F1@5 plus
nDCG@10 over these out-of-fold scores are kept, then the members are trained on every record.
The thesaurus member (:mod:`socsec.suggest.zeroshot`) learns from the thesaurus alone: it is
fitted once.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from socsec.suggest.assign import ASSIGN_LIMIT, ASSIGN_THRESHOLD, threshold_for
from socsec.suggest.associative import AssociativeSuggester
from socsec.suggest.lexical import LexicalSuggester
from socsec.suggest.model import Document, Evidence, Suggestion
from socsec.suggest.vocabulary import Vocabulary
from socsec.suggest.zeroshot import ThesaurusSuggester

if TYPE_CHECKING:
    import numpy.typing as npt

ProgressFn = Callable[[int], None]
# Documents scored per lexical classifier call in suggest_many (within the matches it keeps).
_BATCH = 256


class Scorer(Protocol):
    """What a suggestion method offers: scores of candidates, and the evidence behind them."""

    name: str

    def fit(self, docs: Sequence[Document]) -> None:
        """Learn from documents with known subjects."""
        ...

    def score(self, doc: Document) -> dict[str, float]:
        """Candidate concept URIs of ``doc`` with their scores."""
        ...

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """Why each of ``uris`` was suggested for ``doc``."""
        ...

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best concepts for ``doc``, with their evidence."""
        ...


@dataclass(frozen=True)
class Weights:
    """Weights of the lexical and associative scores, their geometric mean, the thesaurus score."""

    # Used untuned (too few records for the inner cross-validation); near what it chooses on
    # the EUR-Lex training acts (0.2, 0.4, 0.0, 0.4).
    lexical: float = 0.3
    associative: float = 0.3
    agreement: float = 0.1
    thesaurus: float = 0.3

    def combine(self, lex: float, assoc: float, thes: float = 0.0) -> float:
        """The ensemble score of one concept."""
        return (
            self.lexical * lex
            + self.associative * assoc
            + self.agreement * math.sqrt(lex * assoc)
            + self.thesaurus * thes
        )


def kfold(items: Sequence[Document], folds: int, seed: int = 0) -> list[list[int]]:
    """Indexes of ``items`` shuffled (with ``seed``) into ``folds`` groups of near-equal size."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::folds]) for i in range(folds)]


def combine(
    weights: Weights,
    lex: dict[str, float],
    assoc: dict[str, float],
    thes: dict[str, float] | None = None,
) -> dict[str, float]:
    """Ensemble scores of the union of the members' candidates."""
    thes = thes or {}
    return {
        uri: weights.combine(lex.get(uri, 0.0), assoc.get(uri, 0.0), thes.get(uri, 0.0))
        for uri in lex.keys() | assoc.keys() | thes.keys()
    }


def ranked(scores: dict[str, float], limit: int) -> list[tuple[str, float]]:
    """The ``limit`` best (uri, score) pairs, ties broken by URI."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


# One document's out-of-fold scores for tuning: lexical, associative, thesaurus, gold flags
# (float32 arrays over the union of candidates) and its number of gold subjects.
Prepared = tuple[
    "npt.NDArray[Any]", "npt.NDArray[Any]", "npt.NDArray[Any]", "npt.NDArray[Any]", int
]


def prepare(
    lex: dict[str, float],
    assoc: dict[str, float],
    gold: set[str],
    thes: dict[str, float] | None = None,
) -> Prepared:
    """A document's member scores as compact arrays (training keeps thousands of these)."""
    import numpy as np

    thes = thes or {}
    uris = sorted(lex.keys() | assoc.keys() | thes.keys())
    a = np.fromiter((lex.get(u, 0.0) for u in uris), np.float32, len(uris))
    b = np.fromiter((assoc.get(u, 0.0) for u in uris), np.float32, len(uris))
    c = np.fromiter((thes.get(u, 0.0) for u in uris), np.float32, len(uris))
    hit = np.fromiter((u in gold for u in uris), np.float32, len(uris))
    return a, b, c, hit, len(gold)


def tune_weights(
    lex: Sequence[dict[str, float]],
    assoc: Sequence[dict[str, float]],
    gold: Sequence[set[str]],
    step: float = 0.1,
    thes: Sequence[dict[str, float]] | None = None,
) -> Weights:
    """The weights (on a simplex grid of ``step``) maximising mean F1@5 + nDCG@10."""
    thes_scores = thes if thes is not None else [{} for _g in gold]
    docs = [
        prepare(lx, ax, g, tx) for lx, ax, g, tx in zip(lex, assoc, gold, thes_scores, strict=True)
    ]
    return tune_prepared(docs, step)


def tune_prepared(docs: Sequence[Prepared], step: float = 0.1) -> Weights:
    """:func:`tune_weights` on documents already :func:`prepare`-d."""
    import numpy as np

    discounts = 1 / np.log2(np.arange(2, 12))
    best, best_value = Weights(), -1.0
    n = round(1 / step)
    # Without any thesaurus score (an empty vocabulary) its weight stays 0.
    with_thes = any(c.any() for _a, _b, c, _h, _n in docs)
    grid = [
        (i, j, m, n - i - j - m)
        for i in range(n + 1)
        for j in range(n + 1 - i)
        for m in (range(n + 1 - i - j) if with_thes else (0,))
    ]
    for i, j, m, rest in grid:
        weights = Weights(i / n, j / n, rest / n, m / n)
        value = 0.0
        for a, b, c, hit, n_gold in docs:
            if not len(a):
                continue
            scores = _combined(weights, a, b, c)
            top = np.argsort(-scores, kind="stable")[:10]
            hits = hit[top]
            ideal = float(discounts[: min(10, n_gold)].sum()) if n_gold else 1.0
            f1 = 2 * hits[:5].sum() / (min(5, len(top)) + n_gold)
            value += f1 + float((hits * discounts[: len(top)]).sum()) / ideal
        if value > best_value:
            best, best_value = weights, value
    return best


def _combined(
    weights: Weights, a: npt.NDArray[Any], b: npt.NDArray[Any], c: npt.NDArray[Any]
) -> npt.NDArray[Any]:
    import numpy as np

    out: npt.NDArray[Any] = (
        weights.lexical * a
        + weights.associative * b
        + weights.agreement * np.sqrt(a * b)
        + weights.thesaurus * c
    )
    return out


def tune_threshold(docs: Sequence[Prepared], weights: Weights) -> float:
    """The assignment threshold of out-of-fold scores (see :func:`assign.threshold_for`)."""
    import numpy as np

    ranked_docs: list[list[tuple[str, float]]] = []
    golds: list[set[str]] = []
    for a, b, c, hit, _n_gold in docs:
        scores = _combined(weights, a, b, c)
        top = np.argsort(-scores, kind="stable")[:ASSIGN_LIMIT]
        ranked_docs.append([(str(i), float(scores[i])) for i in top])
        golds.append({str(i) for i in np.flatnonzero(hit)})  # only precision is used
    # Too few or too hard records to reach the precision: the documented default, rather
    # than a threshold that would assign nothing.
    return threshold_for(ranked_docs, golds, unreached=ASSIGN_THRESHOLD)


class EnsembleSuggester:
    """Lexical, associative and thesaurus; see the module docstring.

    Args:
        vocab: the thesaurus snapshot.
        folds: folds of the inner cross-validation that tunes the weights (< 2: no tuning).
        seed: shuffling seed of those folds.
    """

    name = "ensemble"

    def __init__(self, vocab: Vocabulary, *, folds: int = 3, seed: int = 0) -> None:
        self.vocab = vocab
        self.folds = folds
        self.seed = seed
        self.lexical = LexicalSuggester(vocab)
        self.associative = AssociativeSuggester(vocab)
        self.thesaurus = ThesaurusSuggester(vocab)
        self.weights = Weights()
        # The threshold giving assigned sets of precision >= 0.6 on out-of-fold scores of the
        # training records (ASSIGN_THRESHOLD until tuned).
        self.threshold = ASSIGN_THRESHOLD

    def fit(self, docs: Sequence[Document], on_progress: ProgressFn | None = None) -> None:
        """Tune the weights by inner cross-validation, then train the members on ``docs``.

        Args:
            docs: training documents (those without subjects are ignored).
            on_progress: called with 1 after each member training (2 x (folds + 1) in all).
        """
        step = on_progress or (lambda _n: None)
        tagged = [d for d in docs if d.subjects]
        self.thesaurus.fit()  # the same in every fold: it learns from the thesaurus alone
        if self.folds >= 2 and len(tagged) >= 2 * self.folds:
            prepared: list[Prepared] = []
            for held in kfold(tagged, self.folds, self.seed):
                held_set = set(held)
                train = [d for i, d in enumerate(tagged) if i not in held_set]
                lex = LexicalSuggester(self.vocab)
                lex._memo = self.lexical._memo  # the matching does not depend on training
                lex.fit(train)
                step(1)
                assoc = AssociativeSuggester(self.vocab)
                assoc._memo = self.associative._memo
                assoc.fit(train)
                step(1)
                # A batch at a time, kept as compact arrays (dicts of every held-out
                # record's candidates were a large part of the peak at 100k records).
                for start in range(0, len(held), 256):
                    batch = [tagged[i] for i in held[start : start + 256]]
                    for doc, lx in zip(batch, lex.score_many(batch), strict=True):
                        prepared.append(
                            prepare(
                                lx, assoc.score(doc), set(doc.subjects), self.thesaurus.score(doc)
                            )
                        )
                del lex, assoc
            self.weights = tune_prepared(prepared)
            self.threshold = tune_threshold(prepared, self.weights)
            del prepared
        self.lexical.fit(tagged)
        step(1)
        self.associative.fit(tagged)
        step(1)
        self.lexical.forget()
        self.associative.forget()

    def add(self, docs: Sequence[Document]) -> int:
        """Add tagged records that the model has not seen (by id) without refitting.

        What is updated and what is not: see :meth:`LexicalSuggester.add` and
        :meth:`AssociativeSuggester.add`; the weights and the threshold are kept.

        Returns:
            The number of records added.
        """
        seen = set(self.associative.ids)
        new = [d for d in docs if d.subjects and (not d.id or d.id not in seen)]
        self.lexical.add(new)
        return self.associative.add(new)

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The members' fitted parameters as arrays (the weights go in the model's JSON)."""
        return self.lexical.to_arrays() | self.associative.to_arrays() | self.thesaurus.to_arrays()

    @classmethod
    def from_arrays(
        cls, vocab: Vocabulary, weights: Weights, arrays: dict[str, npt.NDArray[Any]]
    ) -> EnsembleSuggester:
        """The ensemble saved by :meth:`to_arrays`, with its tuned ``weights``."""
        model = cls(vocab, folds=0)
        model.weights = weights
        model.lexical = LexicalSuggester.from_arrays(vocab, arrays)
        model.associative = AssociativeSuggester.from_arrays(vocab, arrays)
        model.thesaurus = ThesaurusSuggester.from_arrays(vocab, arrays)
        return model

    @property
    def trained_docs(self) -> int:
        """Number of training records."""
        return self.associative.trained_docs

    def score(self, doc: Document) -> dict[str, float]:
        """Ensemble scores of every candidate of any member."""
        return combine(
            self.weights,
            self.lexical.score(doc),
            self.associative.score(doc),
            self._thesaurus(doc),
        )

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """Matched labels first, then voting records."""
        lex = self.lexical.evidence(doc, uris)
        assoc = self.associative.evidence(doc, uris)
        return {u: lex[u] + assoc[u] for u in uris}

    def suggest(self, doc: Document, limit: int = 10) -> list[Suggestion]:
        """The ``limit`` best concepts with the members' scores and evidence."""
        return self._suggestions(doc, self.lexical.score(doc), limit)

    def suggest_many(self, docs: Sequence[Document], limit: int = 10) -> list[list[Suggestion]]:
        """:meth:`suggest` for many documents, the lexical ranking trees called once for all.

        Automatic indexing of a batch of records uses this: one classifier call per batch
        instead of one per record.
        """
        out: list[list[Suggestion]] = []
        for start in range(0, len(docs), _BATCH):  # the matches of a batch are kept for evidence
            batch = docs[start : start + _BATCH]
            lexical = self.lexical.score_many(batch)
            out += [self._suggestions(d, lx, limit) for d, lx in zip(batch, lexical, strict=True)]
        return out

    def _suggestions(self, doc: Document, lex: dict[str, float], limit: int) -> list[Suggestion]:
        assoc = self.associative.score(doc)
        thes = self._thesaurus(doc)
        top = ranked(combine(self.weights, lex, assoc, thes), limit)
        evidence = self.evidence(doc, [u for u, _s in top])
        return [
            Suggestion(
                uri=u,
                score=s,
                evidence=evidence[u],
                scores={
                    "lexical": lex.get(u, 0.0),
                    "associative": assoc.get(u, 0.0),
                    "thesaurus": thes.get(u, 0.0),
                },
            )
            for u, s in top
        ]

    def _thesaurus(self, doc: Document) -> dict[str, float]:
        # A zero weight (not tuned in, or an old model) costs no similarity search.
        return self.thesaurus.score(doc) if self.weights.thesaurus else {}
