"""`socsec search` and `socsec index` through the CLI (sqlite backend; ES down -> exit 7)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.workspace import Workspace

runner = CliRunner()


def run(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> object:
    return runner.invoke(app, ["--data-dir", str(ws.root), *args], env=env or {})


def test_search_json_cross_lingual(workspace: Workspace) -> None:
    result = run(workspace, "search", "jubilación anticipada", "--json", "--explain")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] >= 4
    assert data["expansions"][0]["uri"] == "http://eurovoc.europa.eu/3626"
    assert all(h["why"] for h in data["hits"])
    none = json.loads(
        run(workspace, "search", "jubilación anticipada", "--no-expand", "--json").stdout
    )
    assert none["total"] == 0 and none["hits"] == []


def test_explain_table_shows_marked_words_without_tags(workspace: Workspace) -> None:
    # The library marks matched words <em>...</em>; a terminal shows them in bold instead.
    result = run(workspace, "search", "jubilación anticipada", "--explain", "--size", "3")
    assert result.exit_code == 0, result.stderr
    assert "Retirement" in result.stdout
    assert "<em>" not in result.stdout and "</em>" not in result.stdout


def test_search_table_facets_and_all(workspace: Workspace) -> None:
    result = run(workspace, "search", "retirement", "--facets", "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    assert "facet: subjects" in result.stdout
    streamed = run(workspace, "search", "--all", "--json", "--type", "legislation")
    assert streamed.exit_code == 0
    assert len(json.loads(streamed.stdout)) == 25


def test_search_injection_is_plain_text(workspace: Workspace) -> None:
    result = run(workspace, "search", 'AND ) "(', "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] >= 0


@pytest.mark.parametrize("year", ["2010..2000", "abc", ".."])
def test_bad_year_is_usage_error(workspace: Workspace, year: str) -> None:
    assert run(workspace, "search", "x", "--year", year).exit_code == 2


def test_unknown_concept_exit_4(workspace: Workspace) -> None:
    result = run(workspace, "search", "--concept", "zzz no such concept")
    assert result.exit_code == 4
    assert "No concept matches" in result.stderr


def test_export_without_output_goes_to_stdout(workspace: Workspace) -> None:
    result = run(workspace, "search", "retraite anticipée", "--export", "ris")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ER  -") >= 4
    assert "Exported" in result.stderr and "stdout" in result.stderr


def test_export_text_formats_references_with_a_csl_style(workspace: Workspace) -> None:
    apa = run(workspace, "search", "retraite anticipée", "--export", "text")
    harvard = run(
        workspace, "search", "retraite anticipée", "--export", "text", "--style", "harvard"
    )
    assert apa.exit_code == 0 and harvard.exit_code == 0, (apa.stderr, harvard.stderr)
    refs = apa.stdout.splitlines()
    hits = json.loads(run(workspace, "search", "retraite anticipée", "--json").stdout)
    assert len(refs) == hits["total"] >= 4
    # APA puts the year in brackets after the authors; Harvard (Cite Them Right) without.
    assert all("(" in r for r in refs)
    assert apa.stdout != harvard.stdout


def test_export_text_unknown_style_writes_nothing(workspace: Workspace) -> None:
    out = workspace.root / "refs.txt"
    out.write_text("previous\n", encoding="utf-8")
    result = run(
        workspace, "search", "pension", "--export", "text", "--style", "mla", "-o", str(out)
    )
    assert result.exit_code == 4
    assert "unknown citation style 'mla'" in result.stderr and "apa" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in workspace.root.glob(".refs.txt*")] == []


def test_style_needs_export_text(workspace: Workspace) -> None:
    result = run(workspace, "search", "pension", "--export", "ris", "--style", "apa")
    assert result.exit_code == 2 and "--export text" in result.stderr


def test_export_bibtex(workspace: Workspace) -> None:
    out = workspace.root / "hits.bib"
    result = run(workspace, "search", "retraite anticipée", "--export", "bibtex", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("@") >= 4


def test_index_lifecycle(workspace: Workspace) -> None:
    stale = run(workspace, "index", "status", "--check", "--json")
    assert stale.exit_code == 3
    assert json.loads(stale.stdout)["stale"] is True
    assert "Index out of date" in stale.stderr
    built = run(workspace, "index", "rebuild", "--json")
    assert built.exit_code == 0
    assert json.loads(built.stdout)["indexed"] == 60
    fresh = run(workspace, "index", "status", "--check", "--json")
    assert fresh.exit_code == 0, fresh.stderr
    assert json.loads(fresh.stdout)["documents"] == 60
    updated = run(workspace, "index", "update", "--json")
    assert updated.exit_code == 0
    assert json.loads(updated.stdout)["reindexed"] == 0


def test_elasticsearch_down_exit_7(workspace: Workspace) -> None:
    env = {"SOCSEC_BACKEND": "elasticsearch", "SOCSEC_ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    result = run(workspace, "search", "pension", env=env)
    assert result.exit_code == 7
    assert "http://127.0.0.1:9" in result.stderr
    assert run(workspace, "index", "rebuild", env=env).exit_code == 7
