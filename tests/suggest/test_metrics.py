"""Metrics checked against cases computed by hand."""

from __future__ import annotations

import math

import pytest

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
    scores = score_rankings("m", [["a", "b"], ["x"]], [{"a"}, {"y", "z"}], seconds=0.5)
    # F1@5: doc 1: 2*1/(2+1) = 2/3; doc 2: 0 -> mean 1/3
    assert scores.f1_at_5 == pytest.approx(1 / 3)
    assert scores.precision[1] == pytest.approx(0.5)
    assert scores.recall[5] == pytest.approx(0.5)
    assert scores.ms_per_doc == pytest.approx(250.0)
    assert scores.hit_at_5 == pytest.approx(0.5)
    assert scores.to_dict()["f1_at_5"] == pytest.approx(0.3333)
