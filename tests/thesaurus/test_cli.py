"""`socsec thesaurus ...` through the real CLI: exit codes, JSON shapes, messages."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.workspace import Workspace

from .conftest import MINI

ADDON = Path(__file__).parents[2] / "socsec" / "data" / "unesco-labels-socprot.tsv"

runner = CliRunner()


def run(ws: Workspace, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--data-dir", str(ws.root), "thesaurus", *args], input=input, env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_lookup_json_shape(bundled_ws: Workspace) -> None:
    code, out, _err = run(bundled_ws, "lookup", "retraite anticipée", "--json", "--to", "en,es")
    assert code == 0
    hits = json.loads(out)
    assert set(hits[0]) == {
        "uri",
        "match",
        "matched_label",
        "matched_lang",
        "matched_kind",
        "score",
        "pref",
        "alt",
        "notation",
        "schemes",
        "deprecated",
        "replaced_by",
    }
    assert hits[0]["match"] == "exact"
    assert hits[0]["pref"] == {"en": "early retirement", "es": "jubilación anticipada"}


def test_lookup_table_shows_three_languages(bundled_ws: Workspace) -> None:
    code, out, _err = run(bundled_ws, "lookup", "accidente laboral")
    assert code == 0
    assert "occupational accident" in out and "accident du travail" in out and "exact" in out


def test_lookup_unknown_term_exits_4_with_suggestions(bundled_ws: Workspace) -> None:
    code, out, err = run(bundled_ws, "lookup", "pensoin", "--json")
    assert code == 4 and json.loads(out) == []  # valid JSON on stdout, the message on stderr
    assert "No concept matches 'pensoin'" in err and "Did you mean" in err and "pensioner" in err


def test_show_json_and_ambiguity(bundled_ws: Workspace) -> None:
    code, out, _err = run(bundled_ws, "show", "retraite anticipée", "--json", "--lang", "fr")
    assert code == 0
    data = json.loads(out)
    assert data["concept"]["pref"]["es"] == "jubilación anticipada"
    assert data["broader_paths"] and all(isinstance(p, list) for p in data["broader_paths"])
    assert data["labels"][data["broader_paths"][0][0]]  # parent labelled in French
    code, out, _err = run(bundled_ws, "show", "accident du travail")
    assert code == 0 and "accidente laboral" in out
    code, _out, err = run(bundled_ws, "show", "no such concept at all")
    assert code == 4 and "Not found" in err


def test_tree_json(bundled_ws: Workspace) -> None:
    code, out, _err = run(bundled_ws, "tree", "social security", "--depth", "1", "--json")
    assert code == 0
    (root,) = json.loads(out)
    assert root["label"] == "social security" and root["narrower_count"] == len(root["children"])
    code, out, _err = run(bundled_ws, "tree", "--depth", "1", "--json")
    assert code == 0 and len(json.loads(out)) == 23 and json.loads(out)[0]["is_scheme"]
    code, out, _err = run(bundled_ws, "tree", "--depth", "1", "--lang", "es")
    assert code == 0 and "protección social" in out


def test_translate_from_stdin_json_and_csv(bundled_ws: Workspace) -> None:
    terms = "retraite anticipée\naccident du travail\n\nxyzzy inconnu\n"
    code, out, _err = run(
        bundled_ws, "translate", "-", "--from", "fr", "--to", "en,es", "--json", input=terms
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["found"] for r in rows] == [True, True, False]
    assert rows[0]["labels"] == {"en": "early retirement", "es": "jubilación anticipada"}
    code, out, _err = run(
        bundled_ws, "translate", "-", "--from", "fr", "--to", "en", "--csv", input=terms
    )
    assert code == 0
    assert out.splitlines()[0] == "term,found,match,score,deprecated,uri,en,candidates"
    assert out.splitlines()[2].startswith("accident du travail,true,exact,100.0,false,")


def test_info_json(bundled_ws: Workspace) -> None:
    code, out, _err = run(bundled_ws, "info", "--json")
    assert code == 0
    info = json.loads(out)
    assert info["concepts"] == 455 and len(info["schemes"]) == 23
    # EuroVoc's 747 English altLabels, plus the UNESCO entry terms of the bundled add-on.
    added = Counter(r.split("\t")[1] for r in ADDON.read_text(encoding="utf-8").splitlines()[1:])
    assert info["labels"]["es"]["pref"] == 455 and info["labels"]["en"]["alt"] == 747 + added["en"]
    assert info["labels"]["es"]["alt"] == added["es"] > 0
    assert info["imports"][0]["source"] == "eurovoc-social-protection.ttl"
    assert any("European Union" in (s["attribution"] or "") for s in info["schemes"])
    # The prov:Entity describing the extract, and the one of the UNESCO add-on.
    extract, unesco = sorted(info["sources"], key=lambda s: s["uri"])
    assert extract["issued"] == "2021-06-04" and "2011/833" in extract["license"]
    assert "by-sa/3.0/igo" in unesco["license"] and "UNESCO" in unesco["attribution"]
    code, out, _err = run(bundled_ws, "info")
    assert code == 0 and "Attribution" in out


def test_import_export_roundtrip_and_errors(ws: Workspace, tmp_path: Path) -> None:
    code, out, err = run(ws, "import", str(MINI), "--replace", "--json")  # over the bundled 455
    assert code == 5 and "would remove 367 concept(s)" in err and "--yes" in err
    code, out, _err = run(ws, "import", str(MINI), "--replace", "--yes", "--json")
    assert code == 0 and json.loads(out)["concepts"] == 88
    target = tmp_path / "out.rdf"
    code, out, _err = run(ws, "export", "--format", "xml", "-o", str(target), "--json")
    assert code == 0 and json.loads(out)["path"] == str(target)
    assert isomorphic(Graph().parse(target, format="xml"), Graph().parse(MINI, format="turtle"))
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://x/a> <http://x/b> .\n", encoding="utf-8")
    code, _out, err = run(ws, "import", str(bad))
    assert code == 5 and "bad.ttl, line 1, column" in err
    code, _out, err = run(ws, "export", "--scheme", "http://example.org/none")
    assert code == 4


@pytest.mark.parametrize(
    "command", ["lookup", "show", "tree", "translate", "import", "export", "info"]
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, ["thesaurus", command, "--help"])
    assert result.exit_code == 0 and "Example" in result.stdout and "--json" in result.stdout
