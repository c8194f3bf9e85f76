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


def test_export_needs_output(workspace: Workspace) -> None:
    assert run(workspace, "search", "pension", "--export", "bibtex").exit_code == 2


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
