"""Automatic assignment: which suggestions become subjects, and how good the assigned sets are.

A suggestion is *assigned* when its ensemble score is at least :data:`ASSIGN_THRESHOLD`, and
at most :data:`ASSIGN_LIMIT` per document (the best first). Both defaults were chosen on the
EUR-Lex train split with all of EuroVoc (out-of-fold scores, never the validation labels) as
the lowest threshold whose assigned subjects are right at least 60% of the time; the
precision and recall they give on the validation split are in README.md ("Suggestion
quality") and printed by ``socsec eval suggest``.

Precision and recall of assigned sets are *micro* figures: the share of all assigned subjects
that are gold, and the share of all gold subjects that were assigned; documents left without
any assigned subject are counted separately (``empty``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Ensemble score from which a suggestion is assigned as an automatic subject (the threshold
# tuned on the EUR-Lex training acts' out-of-fold scores).
ASSIGN_THRESHOLD = 0.15
# Most automatic subjects per record.
ASSIGN_LIMIT = 5
# Thresholds reported by `socsec eval suggest` (the default one is always added).
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)

Scored = Sequence[tuple[str, float]]


def assigned(
    ranked: Scored, threshold: float = ASSIGN_THRESHOLD, limit: int = ASSIGN_LIMIT
) -> list[str]:
    """The URIs of ``ranked`` (best first) that would be assigned."""
    return [uri for uri, score in ranked[:limit] if score >= threshold]


@dataclass(frozen=True)
class AssignedScores:
    """Micro precision and recall of the assigned sets at one threshold.

    Attributes:
        threshold: the score threshold.
        limit: most subjects per document.
        precision: assigned subjects that are gold / assigned subjects (0 when none).
        recall: gold subjects assigned / gold subjects.
        per_doc: assigned subjects per document.
        empty: share of documents left without any assigned subject.
    """

    threshold: float
    limit: int
    precision: float
    recall: float
    per_doc: float
    empty: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "threshold": self.threshold,
            "limit": self.limit,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "per_doc": round(self.per_doc, 2),
            "empty": round(self.empty, 4),
        }


def assigned_scores(
    ranked: Sequence[Scored], golds: Sequence[set[str]], threshold: float, limit: int
) -> AssignedScores:
    """Precision and recall of the sets assigned from ``ranked`` against ``golds``."""
    n_assigned = n_hits = n_gold = n_empty = 0
    for found, gold in zip(ranked, golds, strict=True):
        chosen = assigned(found, threshold, limit)
        n_assigned += len(chosen)
        n_hits += sum(1 for uri in chosen if uri in gold)
        n_gold += len(gold)
        n_empty += not chosen
    docs = max(len(golds), 1)
    return AssignedScores(
        threshold=threshold,
        limit=limit,
        precision=n_hits / n_assigned if n_assigned else 0.0,
        recall=n_hits / n_gold if n_gold else 0.0,
        per_doc=n_assigned / docs,
        empty=n_empty / docs,
    )


def threshold_for(
    ranked: Sequence[Scored],
    golds: Sequence[set[str]],
    precision: float = 0.6,
    limit: int = ASSIGN_LIMIT,
    step: float = 0.01,
    unreached: float = 1.0,
) -> float:
    """The lowest threshold (on a grid of ``step``) whose assigned sets reach ``precision``.

    Used to choose :data:`ASSIGN_THRESHOLD` on out-of-fold scores of training records.
    Returns ``unreached`` when no threshold reaches it.
    """
    steps = round(1 / step)
    for i in range(steps + 1):
        t = i * step
        if assigned_scores(ranked, golds, t, limit).precision >= precision:
            return round(t, 4)
    return unreached
