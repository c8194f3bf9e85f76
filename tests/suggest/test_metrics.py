"""Metrics checked against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from socsec.suggest.assign import assigned, assigned_scores, threshold_for
from socsec.suggest.evaluate import score_rankings
from socsec.suggest.metrics import f1_at_k, ndcg_at_k, precision_at_k, recall_at_k

RANKED = ["a", "x", "b", "y", "z", "c"]
GOLD = {"a", "b", "c", "d"}


def test_precision_and_recall() -> None:
    assert precision_at_k(RANKED, GOLD, 1) == 1.0
    assert precision_at_k(RANKED, GOLD, 3) == pytest.approx(2 / 3)
    assert precision_at_k(RANKED, GOLD, 5) == pytest.approx(2 / 5)
    assert precision_at_k(["a"], GOLD, 5) == pytest.approx(1 / 5)  # missing slots are misses
    assert recall_at_k(RANKED, GOLD, 5) == pytest.approx(2 / 4)
    assert recall_at_k(RANKED, GOLD, 10) == pytest.approx(3 / 4)
    assert recall_at_k(RANKED, set(), 5) == 0.0


def test_f1_at_5() -> None:
    # top 5 = {a, x, b, y, z}: 2 hits; 2 * 2 / (5 + 4)
    assert f1_at_k(RANKED, GOLD, 5) == pytest.approx(4 / 9)
    # fewer suggestions than k: the set is what was suggested: 2 * 1 / (1 + 4)
    assert f1_at_k(["a"], GOLD, 5) == pytest.approx(2 / 5)
    assert f1_at_k([], GOLD, 5) == 0.0
    assert f1_at_k([], set(), 5) == 1.0


def test_ndcg_at_10() -> None:
    dcg = 1 / math.log2(2) + 1 / math.log2(4) + 1 / math.log2(7)
    ideal = sum(1 / math.log2(i + 2) for i in range(4))
    assert ndcg_at_k(RANKED, GOLD, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["a", "b", "c", "d"], GOLD, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], GOLD, 10) == 0.0
    # k smaller than the gold set: the ideal has k relevant items
    assert ndcg_at_k(["a", "b"], GOLD, 2) == pytest.approx(1.0)


def test_sample_average() -> None:
    scored = [[("a", 0.9), ("b", 0.1)], [("x", 0.5)]]
    scores = score_rankings("m", scored, [{"a"}, {"y", "z"}], seconds=0.5)
    # F1@5: doc 1: 2*1/(2+1) = 2/3; doc 2: 0 -> mean 1/3
    assert scores.f1_at_5 == pytest.approx(1 / 3)
    assert scores.precision[1] == pytest.approx(0.5)
    assert scores.recall[5] == pytest.approx(0.5)
    assert scores.ms_per_doc == pytest.approx(250.0)
    assert scores.hit_at_5 == pytest.approx(0.5)
    assert scores.to_dict()["f1_at_5"] == pytest.approx(0.3333)


def test_assigned_sets_are_micro_precision_and_recall_above_a_threshold() -> None:
    scored = [[("a", 0.9), ("b", 0.4), ("c", 0.3)], [("x", 0.5), ("y", 0.2)], [("z", 0.1)]]
    golds = [{"a", "c"}, {"y", "w"}, {"z"}]
    at = assigned_scores(scored, golds, threshold=0.3, limit=2)
    # assigned: {a, b}, {x}, {} -> 1 right of 3; gold 5; one document left with none
    assert (at.precision, at.recall) == (pytest.approx(1 / 3), pytest.approx(1 / 5))
    assert (at.per_doc, at.empty) == (pytest.approx(1.0), pytest.approx(1 / 3))
    assert assigned(scored[0], 0.3, 5) == ["a", "b", "c"]
    assert assigned(scored[0], 0.35, 1) == ["a"]
    everything = assigned_scores(scored, golds, threshold=0.0, limit=5)
    assert (everything.precision, everything.recall) == (pytest.approx(4 / 6), pytest.approx(4 / 5))
    # the lowest threshold on the grid reaching the precision asked for
    assert threshold_for(scored, golds, precision=0.5) == 0.0
    assert threshold_for(scored, golds, precision=1.0) == pytest.approx(0.51)
    assert threshold_for(scored, [set(), set(), set()], precision=0.1) == 1.0
