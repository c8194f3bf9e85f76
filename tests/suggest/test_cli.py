"""`socsec bib suggest`, `bib review` and `eval suggest` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.app.setup import open_workspace
from socsec.bibliography.store import get_store
from socsec.cli.app import app
from socsec.config import Settings
from socsec.workspace import Workspace

from .conftest import ACTS, NEWER_ACTS

runner = CliRunner()
ACT = "31979L0007"  # Directive 79/7/EEC, equal treatment in social security
SOCIAL_SECURITY = "http://eurovoc.europa.eu/4050"


def run(data_dir: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], input=input)


def test_suggest_record_json(data_dir: Path) -> None:
    result = run(data_dir, "bib", "suggest", ACT, "--json", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["record_id"] == ACT and data["method"] == "ensemble" and data["lang"] == "en"
    assert len(data["suggestions"]) == 3
    top = data["suggestions"][0]
    assert top["uri"] == SOCIAL_SECURITY and top["label"] == "social security"
    assert {"lexical", "associative"} <= top["scores"].keys()
    sources = {e["source"] for e in top["evidence"]}
    assert "label" in sources


def test_suggest_text_each_method(data_dir: Path) -> None:
    for method in ("lexical", "associative", "ensemble"):
        result = run(
            data_dir, "bib", "suggest", "--text", "Jubilación anticipada y seguridad social",
            "--method", method, "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["lang"] == "es" and data["method"] == method
    table = run(data_dir, "bib", "suggest", "--text", "Early retirement", "-n", "2")
    assert table.exit_code == 0 and "http://eurovoc.europa.eu/3626" in table.stdout


def test_suggest_file_and_errors(data_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "doc.txt"
    text.write_text("Retraite anticipée\nLes régimes de retraite anticipée.", encoding="utf-8")
    ok = run(data_dir, "bib", "suggest", "--file", str(text), "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["lang"] == "fr"
    assert run(data_dir, "bib", "suggest").exit_code == 2
    assert run(data_dir, "bib", "suggest", ACT, "--text", "x").exit_code == 2
    assert run(data_dir, "bib", "suggest", "--text", "x", "--apply").exit_code == 2
    missing = run(data_dir, "bib", "suggest", "no-such-record")
    assert missing.exit_code == 4 and "no-such-record" in missing.stderr
    assert run(data_dir, "bib", "suggest", "--file", str(tmp_path / "nope.txt")).exit_code == 4
    assert run(data_dir, "bib", "suggest", "--text", "   ").exit_code == 5


def test_apply_changes_exactly_the_record(data_dir: Path) -> None:
    ws = open_workspace(Settings.load(data_dir=data_dir))
    with get_store(ws) as store:
        before = {r.id: r.subjects for r in store.iter_records()}
        store.untag(ACT, [s.uri for s in store.get(ACT).subjects])
    result = run(data_dir, "bib", "suggest", ACT, "--apply", "--min-score", "0.2", "--json")
    assert result.exit_code == 0, result.stderr
    applied = [s["uri"] for s in json.loads(result.stdout)["suggestions"] if s["score"] >= 0.2]
    assert applied
    with get_store(ws) as store:
        after = {r.id: r.subjects for r in store.iter_records()}
    changed = {rid for rid in after if after[rid] != before[rid]}
    assert changed == {ACT}
    assert [s.uri for s in after[ACT]] == applied
    assert not any(s.curated for s in after[ACT])


def test_train_reports_the_model(data_dir: Path) -> None:
    result = run(data_dir, "bib", "suggest", "--train", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["records"] == 99 and data["concepts"] == 455


def test_review_without_tty_does_not_block(data_dir: Path) -> None:
    result = run(data_dir, "bib", "review")  # CliRunner's stdin is not a terminal
    assert result.exit_code == 0
    assert "not a terminal" in result.stderr
    assert result.stdout == ""


def test_review_interactive_accepts(data_dir: Path) -> None:
    ws = open_workspace(Settings.load(data_dir=data_dir))
    with get_store(ws) as store:
        store.untag(ACT, [s.uri for s in store.get(ACT).subjects])
        untagged = [r.id for r in store.iter_records() if not r.subjects]
    result = run(
        data_dir, "bib", "review", "--force-interactive", "--records", "1", "-n", "2",
        "--min-score", "0",
        input="y\nn\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    with get_store(ws) as store:
        subjects = store.get(untagged[0]).subjects
    assert len(subjects) == 1 and subjects[0].curated


def test_eval_suggest_store_and_file(data_dir: Path) -> None:
    result = run(data_dir, "eval", "suggest", "--folds", "2", "-m", "lexical", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["protocol"] == "2-fold cross-validation" and data["test_documents"] == 99
    assert [m["method"] for m in data["methods"]] == ["lexical"]
    split = run(data_dir, "eval", "suggest", "--file", str(ACTS), "--split", "--json")
    assert split.exit_code == 0, split.stderr
    data = json.loads(split.stdout)
    assert (data["train_documents"], data["test_documents"]) == (80, 19)
    assert [m["method"] for m in data["methods"]] == ["lexical", "associative", "ensemble"]
    assert all(0 <= m["f1_at_5"] <= 1 and 0 <= m["ndcg_at_10"] <= 1 for m in data["methods"])


def test_eval_suggest_also_train_adds_to_the_training_side_only(data_dir: Path) -> None:
    args = ("eval", "suggest", "--file", str(ACTS), "--split", "--json", "-m", "associative")
    result = run(data_dir, *args, "--also-train", str(NEWER_ACTS))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["train_documents"], data["test_documents"]) == (80 + 188, 19)
    assert data["also_train_documents"] == 188
    # The measured acts as extra training material would inflate every figure: refused.
    leak = run(data_dir, *args, "--also-train", str(ACTS))
    assert leak.exit_code == 5
    assert "both measured and in the extra training documents" in leak.stderr


def test_eval_suggest_bad_input(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok"}\n[1, 2]\n', encoding="utf-8")
    result = run(data_dir, "eval", "suggest", "--file", str(bad))
    assert result.exit_code == 5, result.stderr
    assert "line 2" in result.stderr
    assert run(data_dir, "eval", "suggest", "--folds", "1").exit_code == 2


def test_lexical_works_without_curated_records(tmp_path: Path) -> None:
    from socsec.thesaurus.bundle import initialize_thesaurus

    root = tmp_path / "empty"
    root.mkdir()
    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    initialize_thesaurus(ws)
    get_store(ws).close()  # an empty bibliography: nothing to learn from
    args = ("bib", "suggest", "--text", "Early retirement and pensions", "--json")
    lexical = run(root, *args, "-m", "lexical")
    assert lexical.exit_code == 0, lexical.stderr
    assert json.loads(lexical.stdout)["suggestions"][0]["uri"] == "http://eurovoc.europa.eu/3626"
    associative = run(root, *args, "-m", "associative")
    assert associative.exit_code == 0
    assert json.loads(associative.stdout)["suggestions"] == []


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eurlex").is_dir(), reason="shared/data is not beside the repo")
def test_eurlex_split_figures_come_from_the_command_users_run(tmp_path: Path) -> None:
    """The README's EUR-Lex figures: `eval suggest --split` with all of EuroVoc (not timed)."""
    result = run(
        tmp_path / "data", "eval", "suggest", "-m", "ensemble", "--split", "--json",
        "--file", str(SHARED / "eurlex" / "eurlex-train-validation.jsonl"),
        "--thesaurus", str(SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["train_documents"], data["test_documents"]) == (1129, 187)
    (ensemble,) = data["methods"]
    # Measured: F1@5 0.375, nDCG@10 0.492 (0.349 and 0.465 before the thesaurus member and
    # the loose label matching); threshold 0.15 tuned on the training acts; assigned at the
    # default 0.15: precision 0.659, recall 0.185 (0.614 and 0.200 before the thesaurus
    # member weighed label coverage: fewer partial-label concepts reach the threshold).
    assert ensemble["f1_at_5"] >= 0.365 and ensemble["ndcg_at_10"] >= 0.48
    assert 0.1 <= data["tuned_threshold"] <= 0.3
    assigned = ensemble["assigned"]
    assert (assigned["threshold"], assigned["limit"]) == (0.15, 5)
    assert assigned["precision"] >= 0.63 and assigned["recall"] >= 0.175
    curve = ensemble["thresholds"]
    assert [t["threshold"] for t in curve] == sorted(t["threshold"] for t in curve)
    assert curve[0]["recall"] > curve[-1]["recall"]  # a higher threshold assigns fewer


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eurlex").is_dir(), reason="shared/data is not beside the repo")
def test_eurlex_validation_figure_with_the_newer_acts_in_training(tmp_path: Path) -> None:
    """The validation acts are newer than the training acts (median year 2017 vs 2007); the
    188 acts of EUR-Lex-Sum's third part (median 2016) close most of that gap."""
    result = run(
        tmp_path / "data", "eval", "suggest", "-m", "ensemble", "--split", "--json",
        "--file", str(SHARED / "eurlex" / "eurlex-train-validation.jsonl"),
        "--also-train", str(NEWER_ACTS),
        "--thesaurus", str(SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["train_documents"], data["test_documents"]) == (1129 + 188, 187)
    (ensemble,) = data["methods"]
    # Measured: F1@5 0.411, nDCG@10 0.543 (0.375 and 0.492 on the training acts alone).
    assert ensemble["f1_at_5"] >= 0.40 and ensemble["ndcg_at_10"] >= 0.53
