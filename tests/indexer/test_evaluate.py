"""`socsec eval search`: metrics on hand-computed cases, qrels parsing, and the CLI."""

from __future__ import annotations

import json
import math
import shutil
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.errors import InputDataError
from socsec.indexer.evaluate import (
    JudgedQuery,
    QueryResult,
    Scores,
    average_precision,
    mean,
    ndcg,
    read_qrels,
    recall,
    summarize,
)

QRELS = Path(__file__).parents[1] / "data" / "qrels" / "socsec-sample.qrels"
runner = CliRunner()


# -- metrics, checked against hand computation ---------------------------------------------------
def test_ndcg_hand_computed() -> None:
    grades = {"a": 2, "b": 1, "c": 0, "d": 1}
    # ranking b, x (unjudged), a: DCG = 1/log2(2) + 0 + 3/log2(4) = 1 + 1.5 = 2.5
    # ideal a, b, d: 3/1 + 1/log2(3) + 1/log2(4) = 3 + 0.63093 + 0.5 = 4.13093
    expected = 2.5 / (3 + 1 / math.log2(3) + 0.5)
    assert ndcg(["b", "x", "a"], grades) == pytest.approx(expected)
    assert expected == pytest.approx(0.60519, abs=1e-5)
    assert ndcg(["a", "b", "d"], grades) == pytest.approx(1.0)
    assert ndcg(["c", "x"], grades) == 0.0
    assert ndcg(["a"], {"a": 0}) == 0.0  # nothing relevant: 0, not a division by zero


def test_ndcg_cuts_at_k() -> None:
    grades = {"r": 1}
    ranking = [f"n{i}" for i in range(10)] + ["r"]
    assert ndcg(ranking, grades) == 0.0  # rank 11 is past @10
    assert ndcg(ranking, grades, k=11) == pytest.approx(1 / math.log2(12))


def test_average_precision_hand_computed() -> None:
    grades = {"a": 2, "b": 1, "c": 0, "d": 1}  # relevant: a, b, d (grade >= 1)
    # hits at ranks 1 (a) and 3 (b); d never retrieved: (1/1 + 2/3) / 3 = 0.5556
    assert average_precision(["a", "c", "b", "x"], grades) == pytest.approx((1 + 2 / 3) / 3)
    assert average_precision(["x", "d"], grades) == pytest.approx((1 / 2) / 3)
    assert average_precision(["a"], {"a": 0}) == 0.0


def test_recall_at_k() -> None:
    grades = {"a": 2, "b": 1, "c": 0, "d": 1}
    assert recall(["c", "a", "d"], grades) == pytest.approx(2 / 3)
    assert recall(["c", "a", "d"], grades, k=2) == pytest.approx(1 / 3)
    assert recall([], grades) == 0.0


def test_mean_and_summary_groups() -> None:
    one, two = Scores(1.0, 0.5, 0.0), Scores(0.0, 0.25, 1.0)
    assert mean([one, two]) == Scores(0.5, 0.375, 0.5)
    results = [
        QueryResult("q1", "en", "x", 1, one, two),
        QueryResult("q2", "fr", "y", 1, two, two),
    ]
    summary = summarize(results)
    assert [s.group for s in summary] == ["en", "fr", "all"]
    assert summary[-1].expanded == Scores(0.5, 0.375, 0.5)
    assert summary[-1].unexpanded == two


# -- qrels parsing -------------------------------------------------------------------------------
def test_read_shipped_qrels() -> None:
    queries = read_qrels(QRELS)
    assert len(queries) >= 30
    for lang in ("en", "fr", "es"):
        assert sum(q.lang == lang for q in queries) >= 10
    first = queries[0]
    assert isinstance(first, JudgedQuery)
    assert (first.id, first.lang, first.text) == ("t01-en", "en", "early retirement")
    assert first.grades["nber-w0204"] == 2
    assert all(any(g >= 1 for g in q.grades.values()) for q in queries)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Q\tq1\ten\tpension\nq1 0 r1\n", 2, "expected 'query_id 0 record_id grade'"),
        ("Q\tq1\ten\tpension\nq1 0 r1 3\n", 2, "grade '3' is not 0, 1 or 2"),
        ("Q\tq1\ten\tpension\nq1 0 r1 high\n", 2, "grade 'high'"),
        ("# c\nQ\tq1\tde\tRente\n", 2, "language 'de'"),
        ("Q\tq1\ten\n", 1, "4 tab-separated fields"),
        ("q1 0 r1 1\n", 1, "no earlier Q line declares"),
        ("Q\tq1\ten\tpension\nQ\tq1\tfr\tretraite\n", 2, "declared twice"),
        ("Q\tq1\ten\tpension\nq1 0 r1 1\nq1 0 r1 2\n", 3, "judged twice"),
        ("Q\tq1\ten\tpension\n", 1, "has no judgments"),
    ],
)
def test_malformed_qrels(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "bad.qrels"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError) as info:
        read_qrels(path)
    assert info.value.line == line
    assert info.value.path == str(path)
    assert reason in info.value.reason


def test_empty_qrels(tmp_path: Path) -> None:
    path = tmp_path / "empty.qrels"
    path.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="no queries"):
        read_qrels(path)


# -- the CLI on the bundled sample ---------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir initialised from the bundled sample (1,802 records), index not built."""
    root = tmp_path_factory.mktemp("eval") / "data"
    result = runner.invoke(app, ["--data-dir", str(root), "bib", "info", "--json"], env={})
    assert result.exit_code == 0, result.stderr
    return root


def _eval(root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = runner.invoke(
        app,
        ["--data-dir", str(root), "eval", "search", "--qrels", str(QRELS), *args, "--json"],
        env=env or {},
    )
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _summary(data: dict[str, object]) -> dict[str, dict[str, object]]:
    return {s["group"]: s for s in data["summary"]}  # type: ignore[attr-defined,index]


def _check(data: dict[str, object], backend: str, *, fr_es_gain: float) -> None:
    assert data["backend"] == backend
    assert data["depth"] == 100
    queries = data["queries"]
    assert isinstance(queries, list) and len(queries) == 33
    assert set(queries[0]) == {"id", "lang", "text", "relevant", "expanded", "unexpanded"}
    assert set(queries[0]["expanded"]) == {"ndcg_at_10", "map", "recall_at_100"}
    summary = _summary(data)
    assert list(summary) == ["en", "fr", "es", "all"]
    assert summary["all"]["queries"] == 33
    # Records are English: French and Spanish words find them through the thesaurus labels
    # only, so expansion must lift their nDCG@10 (measured: sqlite 0.520 vs 0.041,
    # elasticsearch 0.515 vs 0.043).
    fr_es = [q for q in queries if q["lang"] in ("fr", "es")]
    expanded = sum(q["expanded"]["ndcg_at_10"] for q in fr_es) / len(fr_es)
    unexpanded = sum(q["unexpanded"]["ndcg_at_10"] for q in fr_es) / len(fr_es)
    assert expanded >= unexpanded + fr_es_gain
    assert summary["all"]["expanded"]["ndcg_at_10"] > summary["all"]["unexpanded"]["ndcg_at_10"]


def _check_figures(data: dict[str, object], *, en_ndcg: float) -> None:
    """Issue 13's targets, thresholds a little under the figures measured on the sample.

    Measured (README, "Judged search quality"): English nDCG@10 sqlite 0.775,
    elasticsearch 0.737; FR/EN and ES/EN nDCG@10 >= 0.96; concept search alone over
    expanded text search of the same topics: nDCG@10 0.855 (sqlite) / 0.915 (es), recall@100
    0.897 / 0.898 (target 0.8).
    """
    en = _summary(data)["en"]
    assert en["expanded"]["ndcg_at_10"] >= en_ndcg  # type: ignore[index]
    for ratio in data["ratios"]:  # type: ignore[attr-defined]
        assert ratio["ndcg_at_10"] >= 0.95, ratio
    concept = data["concept_summary"]
    assert isinstance(concept, dict) and concept["topics"] == 9
    assert concept["ndcg_ratio"] >= 0.8 and concept["recall_ratio"] >= 0.8, concept
    assert concept["ndcg_at_10"] >= 0.62 and concept["recall_at_100"] >= 0.35, concept


def test_cli_sqlite(sample_dir: Path) -> None:
    data = _eval(sample_dir, "--backend", "sqlite")
    _check(data, "sqlite", fr_es_gain=0.3)
    _check_figures(data, en_ndcg=0.77)


def test_cli_table(sample_dir: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(sample_dir), "eval", "search", "--qrels", str(QRELS)], env={}
    )
    assert result.exit_code == 0, result.stderr
    assert "nDCG@10" in result.stdout and "(no exp.)" in result.stdout


def test_cli_malformed_qrels_exit_5(sample_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.qrels"
    bad.write_text("Q\tq1\ten\tpension\nq1 0 nber-w0902 two\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--data-dir", str(sample_dir), "eval", "search", "--qrels", str(bad)], env={}
    )
    assert result.exit_code == 5
    assert "bad.qrels, line 2" in result.stderr


def test_cli_missing_qrels_is_usage_error(sample_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none.qrels"
    result = runner.invoke(
        app, ["--data-dir", str(sample_dir), "eval", "search", "--qrels", str(missing)], env={}
    )
    assert result.exit_code == 2


@pytest.mark.elastic
def test_cli_elasticsearch(sample_dir: Path, tmp_path: Path, es_url: str) -> None:
    from socsec.indexer import registry
    from socsec.indexer.base import BackendConfig

    root = tmp_path / "data"
    shutil.copytree(sample_dir, root)
    index = f"test-{uuid.uuid4().hex[:12]}"
    env = {"SOCSEC_ELASTICSEARCH_URL": es_url, "SOCSEC_ELASTICSEARCH_INDEX": index}
    try:
        data = _eval(root, "--backend", "elasticsearch", env=env)
    finally:
        backend = registry.create("elasticsearch", BackendConfig(url=es_url, index=index))
        backend.drop()
        backend.close()
    _check(data, "elasticsearch", fr_es_gain=0.3)
    _check_figures(data, en_ndcg=0.73)


def test_cross_language_ratios_hand_computed() -> None:
    from socsec.indexer.evaluate import ratios

    def q(qid: str, lang: str, ndcg: float) -> QueryResult:
        return QueryResult(qid, lang, "x", 1, Scores(ndcg, ndcg, ndcg), Scores(0.0, 0.0, 0.0))

    results = [
        q("t1-en", "en", 0.8), q("t1-fr", "fr", 0.4), q("t1-es", "es", 0.8),
        q("t2-en", "en", 0.4), q("t2-fr", "fr", 0.2), q("t2-es", "es", 0.6),
        q("t3-en", "en", 1.0),  # not asked in all three languages: left out
    ]  # fmt: skip
    fr, es = ratios(results)
    assert (fr.lang, fr.topics) == ("fr", 2)
    assert fr.ndcg_at_10 == pytest.approx(0.3 / 0.6)
    assert es.ndcg_at_10 == pytest.approx(0.7 / 0.6)
    assert fr.unexpanded_ndcg_at_10 == 0.0  # no division by zero


def test_topic_concepts_of_the_sample_qrels() -> None:
    from socsec.indexer.evaluate import read_topic_concepts, topic_of

    concepts = read_topic_concepts(QRELS)
    assert len(concepts) == 9 and concepts["t04"] == "http://eurovoc.europa.eu/2604"
    assert topic_of("t04-es") == "t04"
    assert len(read_qrels(QRELS)) == 33  # C lines are not queries
