"""`socsec bib` commands end to end on a real data dir (exact exit codes, JSON on stdout)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from socsec.cli.app import app

from .conftest import DATA, EARLY_RETIREMENT

runner = CliRunner()


def bib(data_dir: Path, *args: str, input: str | None = None) -> Any:
    return runner.invoke(app, ["--data-dir", str(data_dir), "bib", *args], input=input)


def count(data_dir: Path) -> int:
    result = bib(data_dir, "info", "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["records"])


@pytest.mark.parametrize("ext", ["bib", "ris", "json", "xml", "csv"])
def test_import_each_format_then_reimport(data_dir: Path, tmp_path: Path, ext: str) -> None:
    src = tmp_path / f"in.{ext}"
    shutil.copy(DATA / f"sample.{ext}", src)
    # The fixture records are in the sample already: matched on id, never duplicated.
    result = bib(data_dir, "import", str(src), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["created"] == 0 and summary["rejected"] == 0
    assert summary["updated"] + summary["unchanged"] == 30
    assert count(data_dir) == 1802


def test_import_into_fresh_records(data_dir: Path, tmp_path: Path) -> None:
    assert bib(data_dir, "delete", "nber-w0107", "--yes").exit_code == 0
    src = tmp_path / "one.json"
    items = json.loads((DATA / "sample.json").read_text())
    src.write_text(json.dumps([i for i in items if i["id"] == "31979L0007"] + [
        {"id": "nber-w0107", "type": "report", "title": "Social Security and Retirement Decisions"}
    ]))  # fmt: skip
    summary = json.loads(bib(data_dir, "import", str(src), "--json").stdout)
    assert (summary["created"], summary["unchanged"]) == (1, 1)


@pytest.mark.parametrize(
    ("fname", "message"),
    [
        ("bad-truncated.bib", "line 13"),
        ("bad-no-er.ris", "no ER"),
        ("bad-invalid.xml", "malformed XML"),
        ("bad-missing-column.csv", "missing column(s) title"),
        ("bad-xxe.xml", "unsafe XML"),
        ("bad-billion-laughs.xml", "unsafe XML"),
        ("bad-record.json", "invalid ISBN-13"),
    ],
)
def test_bad_input_exits_5_store_unchanged(data_dir: Path, fname: str, message: str) -> None:
    before = count(data_dir)
    result = bib(data_dir, "import", str(DATA / fname))
    assert result.exit_code == 5
    assert message in result.stderr and fname in result.stderr
    assert count(data_dir) == before


def test_skip_invalid_reports_where_told_never_beside_the_input(
    data_dir: Path, tmp_path: Path
) -> None:
    src = tmp_path / "in" / "bad.json"
    src.parent.mkdir()
    shutil.copy(DATA / "bad-record.json", src)
    assert bib(data_dir, "delete", "nber-h0055", "--yes").exit_code == 0
    result = bib(data_dir, "import", str(src), "--skip-invalid", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["rejected"] == 1
    assert summary["rejected_records"][0]["number"] == 2
    assert "check digit" in summary["rejected_records"][0]["reason"]
    assert [p.name for p in src.parent.iterdir()] == ["bad.json"]  # nothing written beside it
    assert bib(data_dir, "import", "--undo").exit_code == 0
    report = tmp_path / "report.jsonl"
    result = bib(data_dir, "import", str(src), "--skip-invalid", "--report", str(report))
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    assert [x["kind"] for x in lines] == ["rejected"] and lines[0]["line"] is not None
    assert [p.name for p in src.parent.iterdir()] == ["bad.json"]


def test_import_unknown_extension_and_missing_file(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    assert bib(data_dir, "import", str(tmp_path / "x.txt")).exit_code == 5
    assert bib(data_dir, "import", str(tmp_path / "nope.bib")).exit_code == 4


def test_eurlex_import_drops_or_refuses_unknown_subjects(data_dir: Path) -> None:
    src = str(DATA / "eurlex-10.jsonl")
    # Some gold descriptors are outside the bundled extract: refused, unless dropped.
    refused = bib(data_dir, "import", src, "--format", "eurlex-jsonl")
    assert refused.exit_code == 5 and "unknown subject concept" in refused.stderr
    ok = bib(data_dir, "import", src, "--drop-unknown-subjects", "--json")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["created"] == 0  # the sample has these acts already


def test_export_formats_and_filters(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "social.ris"
    result = bib(
        data_dir, "export", "--concept", "social security", "-o", str(out), "--subject-lang", "fr"
    )
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert text.count("ER  -") >= 10 and "sécurité sociale" in text
    stdout = bib(data_dir, "export", "--format", "csljson", "--query", "Boskin")
    assert stdout.exit_code == 0 and json.loads(stdout.stdout) == []
    one = bib(
        data_dir, "export", "-f", "bibtex", "--query", "Social Security and Retirement Decisions"
    )
    assert "@techreport{nber-w0107," in one.stdout
    assert bib(data_dir, "export", "-f", "eurlex-jsonl").exit_code == 4
    for ext in ("xml", "csv", "bib", "json"):
        target = tmp_path / f"all.{ext}"
        assert bib(data_dir, "export", "--type", "legislation", "-o", str(target)).exit_code == 0
        again = bib(data_dir, "import", str(target), "--json")
        assert json.loads(again.stdout)["unchanged"] == 192, ext


def test_add_show_edit_delete(data_dir: Path, tmp_path: Path) -> None:
    added = bib(data_dir, "add", "--title", "Pension reform in Chile", "--type", "report",
                "--author", "Doe, Jane", "--year", "2020", "--doi", "https://doi.org/10.3386/W9999",
                "--lang", "spa", "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    data = json.loads(added.stdout)
    assert (data["id"], data["doi"], data["language"]) == ("doe2020pension", "10.3386/w9999", "es")
    shown = json.loads(bib(data_dir, "show", "doe2020pension", "--json").stdout)
    assert shown["authors"] == [{"family": "Doe", "given": "Jane"}]
    title = "title=Pension reform in Chile, 1981-2020"
    edited = bib(
        data_dir, "edit", "doe2020pension", "--set", title, "--set", "isbn=0-306-40615-2", "--json"
    )
    assert edited.exit_code == 0, edited.stderr
    assert json.loads(edited.stdout)["isbn"] == "9780306406157"
    assert bib(data_dir, "edit", "doe2020pension", "--set", "isbn=123").exit_code == 5
    assert bib(data_dir, "edit", "doe2020pension", "--set", "nonsense=1").exit_code == 5
    (tmp_path / "r.json").write_text(json.dumps({"id": "x1", "type": "book", "title": "Pensions"}))
    assert bib(data_dir, "add", "--from-json", str(tmp_path / "r.json")).exit_code == 0
    assert bib(data_dir, "add", "--from-json", str(tmp_path / "r.json")).exit_code == 5  # id taken
    assert bib(data_dir, "add", "--year", "2020").exit_code == 2
    assert bib(data_dir, "delete", "doe2020pension", input="n\n").exit_code == 0
    assert bib(data_dir, "show", "doe2020pension").exit_code == 0  # still there
    assert bib(data_dir, "delete", "doe2020pension", "--yes").exit_code == 0
    missing = bib(data_dir, "show", "doe2020pension")
    assert missing.exit_code == 4 and "doe2020pension" in missing.stderr


def test_list_filters(data_dir: Path) -> None:
    result = bib(data_dir, "list", "--type", "legislation", "--year", "1979", "--json")
    assert result.exit_code == 0
    assert "31979L0007" in [r["id"] for r in json.loads(result.stdout)]
    by_concept = json.loads(
        bib(data_dir, "list", "--concept", "sécurité sociale", "--json", "-n", "500").stdout
    )
    # The acts by their librarians' subjects, the NBER papers by their automatic ones.
    assert {r["type"] for r in by_concept} == {"legislation", "report"}
    assert all(
        r["type"] == "legislation" or all(s["provenance"] == "automatic" for s in r["subjects"])
        for r in by_concept
    )
    sorted_rows = json.loads(
        bib(data_dir, "list", "--sort", "year", "--desc", "-n", "5", "--json").stdout
    )
    years = [r["year"] for r in sorted_rows]
    assert years == sorted(years, reverse=True) and len(years) == 5
    assert json.loads(bib(data_dir, "list", "--lang", "fr", "--json").stdout) == []
    assert bib(data_dir, "list", "--year", "abc").exit_code == 2
    table = bib(data_dir, "list", "-n", "3")
    assert table.exit_code == 0 and "first author" in table.stdout


def test_tag_untag(data_dir: Path) -> None:
    tagged = bib(data_dir, "tag", "nber-w0107", "retraite anticipée", "--json")
    assert tagged.exit_code == 0, tagged.stderr
    subjects = json.loads(tagged.stdout)["subjects"]
    # The sample gave the paper an automatic subject; the librarian's tag is manual.
    assert [s for s in subjects if s["provenance"] == "manual"] == [
        {"uri": EARLY_RETIREMENT, "provenance": "manual", "label": "early retirement"}
    ]
    assert bib(data_dir, "tag", "nber-w0107", "no such concept at all").exit_code == 4
    ambiguous = bib(data_dir, "tag", "nber-w0107", "disponibilité alimentaire")
    assert ambiguous.exit_code == 4
    assert "http://eurovoc.europa.eu/465" in ambiguous.stderr
    assert "http://eurovoc.europa.eu/c_4523e1dd" in ambiguous.stderr
    assert bib(data_dir, "tag", "no-such-record", EARLY_RETIREMENT).exit_code == 4
    untagged = bib(data_dir, "untag", "nber-w0107", EARLY_RETIREMENT, "--json")
    assert untagged.exit_code == 0
    left = json.loads(untagged.stdout).get("subjects", [])
    assert EARLY_RETIREMENT not in {s["uri"] for s in left}
    assert all(s["provenance"] == "automatic" for s in left)
    assert bib(data_dir, "untag", "nber-w0107", EARLY_RETIREMENT).exit_code == 4


def test_info_shows_provenance(data_dir: Path) -> None:
    info = json.loads(bib(data_dir, "info", "--json").stdout)
    assert info["records"] == 1802 and info["by_type"] == {"legislation": 192, "report": 1610}
    assert "CC0" in info["sample"] and "CC BY 4.0" in info["sample"]


def test_duplicates_and_merge(data_dir: Path, tmp_path: Path) -> None:
    assert json.loads(bib(data_dir, "duplicates", "--json").stdout) == []
    (tmp_path / "d.json").write_text(json.dumps({
        "id": "boskin-copy", "type": "report", "title": "Social security and retirement decisions.",
        "authors": [{"family": "Boskin", "given": "M. J."}], "year": 1975,
        "doi": "10.3386/w0107"}))  # fmt: skip
    assert bib(data_dir, "add", "--from-json", str(tmp_path / "d.json")).exit_code == 0
    groups = json.loads(bib(data_dir, "duplicates", "--json").stdout)
    assert groups[0]["ids"] == ["boskin-copy", "nber-w0107"] and groups[0]["score"] >= 90
    assert bib(data_dir, "merge", "nber-w0107", "boskin-copy", "--keep", "other").exit_code == 2
    merged = bib(data_dir, "merge", "boskin-copy", "nber-w0107", "--keep", "nber-w0107", "--json")
    assert merged.exit_code == 0, merged.stderr
    data = json.loads(merged.stdout)
    assert data["id"] == "nber-w0107" and data["aliases"] == ["boskin-copy"]
    assert data["doi"] == "10.3386/w0107"
    assert json.loads(bib(data_dir, "show", "boskin-copy", "--json").stdout)["id"] == "nber-w0107"


def test_cite(data_dir: Path) -> None:
    apa = bib(data_dir, "cite", "nber-w0107")
    assert apa.exit_code == 0
    assert apa.stdout.startswith("Boskin, M. J. (1975). Social Security and Retirement Decisions")
    fr = bib(data_dir, "cite", "nber-w0107", "--style", "harvard", "--lang", "fr", "--json")
    assert "Disponible sur" in json.loads(fr.stdout)[0]["reference"]
    es = bib(
        data_dir,
        "cite",
        "nber-w0107",
        "31979L0007",
        "--style",
        "chicago-author-date",
        "--lang",
        "es",
    )
    assert len(es.stdout.strip().splitlines()) == 2
    bad = bib(data_dir, "cite", "nber-w0107", "--style", "mla")
    assert bad.exit_code == 4 and "apa, chicago-author-date, harvard" in bad.stderr
    assert bib(data_dir, "cite", "nber-w0107", "--lang", "de").exit_code == 4


def test_every_command_has_help_with_example() -> None:
    from socsec.cli import bib as bib_cli

    for command in bib_cli.app.registered_commands:
        assert command.callback is not None and "Example:" in (command.callback.__doc__ or "")


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eurlex").is_dir(), reason="shared/data is not beside the repo")
def test_all_eurlex_acts_with_all_of_eurovoc(data_dir: Path) -> None:
    """The documented path: import all of EuroVoc, then every act with every gold subject."""
    full = runner.invoke(app, ["--data-dir", str(data_dir), "thesaurus", "import",
                               str(SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl")])  # fmt: skip
    assert full.exit_code == 0, full.stderr
    acts = SHARED / "eurlex" / "eurlex-train-validation.jsonl"
    result = bib(data_dir, "import", str(acts), "--format", "eurlex-jsonl", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["updated"], summary["rejected"]) == (1124, 192, 0)
    expected = sum(len(set(json.loads(line)["eurovoc_ids"])) for line in acts.open())
    info = json.loads(bib(data_dir, "info", "--json").stdout)
    # Besides the gold ones, the sample's NBER papers keep their automatic subjects.
    assert info["subject_links"] - info["automatic_links"] == expected == info["curated_links"]
