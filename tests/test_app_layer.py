"""Every write command goes through the application layer: the search index stays current.

Each command below writes to a store of record; afterwards `socsec index status --check` must
exit 0 (an index that lags the store exits 3). Run on every registered backend, on the bundled
data (EuroVoc extract and the 1,802-record sample).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from socsec.cli.app import app
from socsec.config import Settings
from socsec.indexer.service import SearchService
from socsec.workspace import Workspace

DATA = Path(__file__).parent / "data"
UNESCO_SUBSET = Path(__file__).resolve().parents[2] / "shared/data/unesco/unesco-socsec-subset.ttl"
ACT = "31979L0007"  # Directive 79/7/EEC, tagged in the sample
PAPER = "nber-w0654"  # an NBER paper, untagged in the sample
EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
RETIREMENT_CONDITIONS = "http://eurovoc.europa.eu/5329"

runner = CliRunner()


@pytest.fixture
def data_dir(indexed_data_dir: Path) -> Path:
    """The bundled data dir on one backend, its index built."""
    return indexed_data_dir


def run(data_dir: Path, *args: str, input: str | None = None) -> Result:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], input=input)
    assert result.exit_code == 0, f"{args}: {result.stderr}"
    return result


def assert_index_current(data_dir: Path, after: str) -> None:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "index", "status", "--check"])
    assert result.exit_code == 0, f"index stale after {after}: {result.stderr}"


def test_every_write_command_keeps_the_index_current(data_dir: Path, tmp_path: Path) -> None:
    refs = tmp_path / "refs.json"
    refs.write_text((DATA / "bibliography" / "sample.json").read_text(encoding="utf-8"))
    added = run(
        data_dir, "bib", "add", "--title", "Pension reform and early retirement",
        "--author", "Doe, Jane", "--year", "2020", "--type", "report", "--json",
    )  # fmt: skip
    new_id = json.loads(added.stdout)["id"]
    writes: list[tuple[str, ...]] = [
        ("bib", "edit", new_id, "--set", "doi=10.3386/w0654"),
        ("bib", "tag", PAPER, "early retirement"),
        ("bib", "untag", PAPER, EARLY_RETIREMENT),
        ("bib", "import", str(refs)),
        ("bib", "merge", PAPER, new_id, "--keep", PAPER),
        ("bib", "suggest", ACT, "--apply", "--min-score", "0"),
        ("bib", "autoindex", "--all", "--threshold", "0.1"),
        ("bib", "autoindex", PAPER, "--include-manual"),
        ("thesaurus", "concept", "edit", EARLY_RETIREMENT, "--alt", "fr:retraite précoce"),
        ("thesaurus", "concept", "merge", EARLY_RETIREMENT, "--into", RETIREMENT_CONDITIONS),
        (
            "thesaurus",
            "concept",
            "deprecate",
            "http://eurovoc.europa.eu/3359",
            "--replaced-by",
            "http://eurovoc.europa.eu/4050",
        ),
        ("thesaurus", "import", str(UNESCO_SUBSET)),
        ("bib", "delete", PAPER, "--yes"),
    ]
    assert_index_current(data_dir, "bib add")
    for args in writes:
        run(data_dir, *args)
        assert_index_current(data_dir, " ".join(args[:2]))
    review = (
        "bib", "review", "--force-interactive", "--records", "1", "-n", "1", "--min-score", "0"
    )  # fmt: skip
    run(data_dir, *review, input="y\n")
    assert_index_current(data_dir, "bib review")


def test_merged_concept_is_searchable_under_its_replacement(data_dir: Path) -> None:
    run(data_dir, "bib", "tag", PAPER, EARLY_RETIREMENT)
    merge = ("thesaurus", "concept", "merge", EARLY_RETIREMENT, "--into", RETIREMENT_CONDITIONS)
    run(data_dir, *merge)
    hits = runner.invoke(
        app,
        ["--data-dir", str(data_dir), "search", "--concept", RETIREMENT_CONDITIONS, "--json",
         "--exact-concept", "--all"],
    )  # fmt: skip
    assert hits.exit_code == 0, hits.stderr
    assert PAPER in {h["id"] for h in json.loads(hits.stdout)}


def test_a_label_edit_re_enriches_only_the_records_it_can_alter(bundled_data_dir: Path) -> None:
    from socsec.app.thesaurus import changed_labels
    from socsec.indexer.base import Query
    from socsec.thesaurus.curation import LabelEdit, edit_concept
    from socsec.thesaurus.lookup import get_cache

    ws = Workspace(root=bundled_data_dir, settings=Settings.load(data_dir=bundled_data_dir))
    with SearchService.open(ws) as svc:
        svc.rebuild()
        total = svc.store.count()
    with get_cache(ws) as cache:
        scheme_uri, before = cache.resolve("pension scheme"), cache.version()
    label = LabelEdit("add", "alt", "en", "consumption-indexed public pension plans")
    result = edit_concept(ws, scheme_uri, [label])
    with SearchService.open(ws) as svc:
        report = svc.upkeep.update_after_change(result.affected, changed_labels(result), before)
        assert not report.full_scan and 0 < report.reindexed < total / 10
        assert svc.status().stale is False
        hits = svc.backend.search(Query(concepts=(scheme_uri,), size=1000)).hits
    # The record whose title is the new label now has the concept detected in its text.
    assert any(h.id == "nber-w0910" and scheme_uri in h.detected for h in hits)
