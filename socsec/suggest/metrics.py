"""Ranking metrics of subject suggestion, computed per document and averaged over documents.

The definitions follow Annif's ``annif eval``: a document's suggestions are a ranked list of
concepts, its gold subjects a set; "F1@5" is the F1 of the top 5 suggestions against the gold
set, averaged over documents ("samples" averaging); nDCG uses binary relevance and an ideal
ranking of all the gold subjects (up to k).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def precision_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the top ``k`` slots holding a gold subject (missing suggestions count as wrong)."""
    return sum(1 for uri in ranked[:k] if uri in gold) / k


def recall_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Share of the gold subjects found in the top ``k``; 0 when there are none."""
    if not gold:
        return 0.0
    return sum(1 for uri in ranked[:k] if uri in gold) / len(gold)


def f1_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """F1 of the set of the top ``k`` suggestions against the gold set (1 if both are empty)."""
    top = ranked[:k]
    if not top and not gold:
        return 1.0
    hits = sum(1 for uri in top if uri in gold)
    return 2 * hits / (len(top) + len(gold))


def ndcg_at_k(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Normalised discounted cumulative gain with binary relevance; 0 when there is no gold."""
    if not gold:
        return 0.0
    dcg = sum(1 / math.log2(i + 2) for i, uri in enumerate(ranked[:k]) if uri in gold)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(gold))))
    return dcg / ideal


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0 for no values."""
    return sum(values) / len(values) if values else 0.0
