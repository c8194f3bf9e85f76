"""`socsec thesaurus check|gaps|import-labels|diff` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.config import Settings
from socsec.thesaurus.bundle import initialize_thesaurus
from socsec.workspace import Workspace
from tests.shared import shared_dir

from .conftest import BUNDLED, PREFIXES, UNESCO_2019, UNESCO_2024, need

runner = CliRunner()

BAD = (
    PREFIXES
    + """
ex:s a skos:ConceptScheme ; skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:topConceptOf ex:s ; skos:inScheme ex:s ;
    skos:prefLabel "pension"@en, "pension"@fr, "pensión"@es ; skos:broader ex:b .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "annuity"@en, "rente"@fr, "renta"@es, "renta vitalicia"@es .
"""
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SOCSEC_HOME", "SOCSEC_CONFIG", "SOCSEC_BACKEND", "SOCSEC_ELASTICSEARCH_URL"):
        monkeypatch.delenv(var, raising=False)


def _thesaurus_only(root: Path) -> None:
    root.mkdir(parents=True)
    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    initialize_thesaurus(ws)
    ws.bibliography_db.touch()


@pytest.fixture
def data_dir(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the bundled thesaurus (the bibliography is not needed here): a copy
    of one built once per run."""
    root = tmp_path / "data"
    shutil.copytree(shared_dir(tmp_path_factory, "thesaurus-only", _thesaurus_only), root)
    return root


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.ttl"
    path.write_text(BAD, encoding="utf-8")
    return path


def test_commands_are_registered_with_help_and_examples() -> None:
    for name in ("check", "gaps", "import-labels", "diff"):
        result = runner.invoke(app, ["thesaurus", name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.stdout


def test_check_file_clean_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["thesaurus", "check", str(BUNDLED), "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["passed"] is True and payload["concepts"] == 455
    assert {s["check"]: s["count"] for s in payload["summary"]}["orphan-concept"] == 34
    assert payload["coverage"][2] == {
        "lang": "es",
        "concepts": 455,
        "pref_label": 455,
        "alt_label": 0,
        "definition": 0,
    }
    assert set(payload["findings"][0]) == {"check", "severity", "resources", "lang", "message"}


def test_check_fail_on_warning_exits_3(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["thesaurus", "check", str(BUNDLED), "--fail-on", "warning", "--json"]
    )
    assert result.exit_code == 3
    assert json.loads(result.stdout)["passed"] is False  # the report is printed before failing
    assert "Quality gate failed" in result.stderr


def test_check_bad_file_exits_3_with_table(bad_file: Path) -> None:
    result = runner.invoke(app, ["thesaurus", "check", str(bad_file)])
    assert result.exit_code == 3
    assert "broader-cycle" in result.stdout and "multiple-pref-labels" in result.stdout
    assert "2 finding(s) at severity error" in result.stderr


def test_check_ignore(bad_file: Path) -> None:
    args = [
        "thesaurus",
        "check",
        str(bad_file),
        "--ignore",
        "broader-cycle",
        "--ignore",
        "multiple-pref-labels",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ignored"] == ["broader-cycle", "multiple-pref-labels"]


def test_check_unknown_ignore_is_a_usage_error(bad_file: Path) -> None:
    result = runner.invoke(app, ["thesaurus", "check", str(bad_file), "--ignore", "nope"])
    assert result.exit_code == 2
    assert "unknown check nope" in result.stderr


def test_check_syntax_error_exits_5(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(PREFIXES + 'ex:a skos:prefLabel "unterminated .\n', encoding="utf-8")
    result = runner.invoke(app, ["thesaurus", "check", str(path)])
    assert result.exit_code == 5
    assert "broken.ttl, line" in result.stderr


def test_check_the_store(data_dir: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "thesaurus", "check", "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["source"] == "store" and payload["concepts"] == 455


def test_gaps_csv_then_import_labels(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gaps-es.csv"
    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(data_dir),
            "thesaurus",
            "gaps",
            "--lang",
            "es",
            "--format",
            "csv",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert len(rows) == 47 and rows[0][-1] == "definition_es"
    rows[1][-1] = "Una definición traducida."
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = sorted(p.read_bytes() for p in (data_dir / "thesaurus").iterdir() if p.is_file())
    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(data_dir),
            "thesaurus",
            "import-labels",
            str(filled),
            "--dry-run",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    (addition,) = json.loads(result.stdout)
    assert addition["kind"] == "definition" and addition["lang"] == "es" and addition["line"] == 2
    assert (
        sorted(p.read_bytes() for p in (data_dir / "thesaurus").iterdir() if p.is_file()) == before
    )
    # Without --dry-run the store's curation call writes it (tests/thesaurus_curation).
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "thesaurus", "import-labels", str(filled)]
    )
    assert result.exit_code == 0, result.stderr
    assert "Added 1 label(s)" in result.stderr


def test_gaps_json(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "thesaurus", "gaps", "--lang", "es", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    gaps = json.loads(result.stdout)
    assert len(gaps) == 46 and gaps[0]["missing"] == ["definition"]
    assert set(gaps[0]["sources"]) == {"en", "fr"}


def test_import_labels_malformed_csv_exits_5(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("uri,pref_label_es\nhttp://eurovoc.europa.eu/1004,a,b\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "thesaurus", "import-labels", str(path)]
    )
    assert result.exit_code == 5
    assert "bad.csv, line 2: 3 cells" in result.stderr


def test_import_labels_clash_and_unknown_concept_exit_5(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "clash.csv"
    path.write_text(
        "uri,pref_label_es\nhttp://eurovoc.europa.eu/1004,prestación familiar\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "thesaurus", "import-labels", str(path)]
    )
    assert result.exit_code == 5
    assert "already has a pref" in result.stderr
    path.write_text("uri,alt_labels_es\nhttp://eurovoc.europa.eu/0\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "thesaurus", "import-labels", str(path)]
    )
    assert result.exit_code == 5
    assert "1 cells" in result.stderr


def test_diff_unesco_json() -> None:
    result = runner.invoke(
        app, ["thesaurus", "diff", str(need(UNESCO_2019)), str(need(UNESCO_2024)), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["summary"]["added"] == 65 and payload["summary"]["relabelled"] == 24
    assert payload["label_changes"][0].keys() == {"uri", "lang", "kind", "change", "old", "new"}


def test_diff_file_against_the_store_table(data_dir: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "thesaurus", "diff", str(BUNDLED)])
    assert result.exit_code == 0, result.stderr
    assert "added" in result.stdout


def test_diff_missing_file_exits_5(tmp_path: Path) -> None:
    result = runner.invoke(app, ["thesaurus", "diff", str(tmp_path / "none.ttl"), str(BUNDLED)])
    assert result.exit_code == 5
    assert "no such file" in result.stderr


def test_import_labels_from_tbx(data_dir: Path, tmp_path: Path) -> None:
    from socsec.thesaurus.checks_io import snapshot_from_file
    from socsec.thesaurus.export_tbx import write_tbx

    path = tmp_path / "bundled.tbx"
    with path.open("wb") as fh:
        write_tbx(snapshot_from_file(BUNDLED), fh, ["en", "fr", "es"])
    args = ["--data-dir", str(data_dir), "thesaurus", "import-labels", str(path), "--dry-run"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []  # the thesaurus' own export adds nothing
    # a CAT tool adds a Spanish synonym
    text = path.read_text(encoding="utf-8").replace(
        "<term>ayuda social</term>",
        '<term>ayuda social</term><termNote type="administrativeStatus">'
        "preferredTerm-admn-sts</termNote></termSec><termSec><term>asistencia social</term>",
        1,
    )
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    (addition,) = json.loads(result.stdout)
    assert (addition["kind"], addition["lang"], addition["value"]) == (
        "alt",
        "es",
        "asistencia social",
    )
