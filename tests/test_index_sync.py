"""Bibliography writes update the search index at once, or say it is stale."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from socsec.cli.app import app

runner = CliRunner()
EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"


def run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "-q", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def hit_ids(stdout: str) -> list[str]:
    return [hit["id"] for hit in json.loads(stdout)["hits"]]


def test_tag_and_untag_are_searchable_at_once(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, "search", "--concept", EARLY_RETIREMENT, "--exact-concept", "--json"
    )
    assert code == 0
    assert "nber-w0107" not in hit_ids(out)

    code, _, err = run(tmp_path, "bib", "tag", "nber-w0107", "retraite anticipée", "--json")
    assert (code, err) == (0, "")
    code, out, _ = run(
        tmp_path, "search", "--concept", EARLY_RETIREMENT, "--exact-concept", "--json"
    )
    assert "nber-w0107" in hit_ids(out)
    assert run(tmp_path, "index", "status", "--check")[0] == 0

    assert run(tmp_path, "bib", "untag", "nber-w0107", EARLY_RETIREMENT, "--json")[0] == 0
    code, out, _ = run(
        tmp_path, "search", "--concept", EARLY_RETIREMENT, "--exact-concept", "--json"
    )
    assert "nber-w0107" not in hit_ids(out)


def test_delete_removes_the_document(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "search", "Agricultural Decline Male Retirement", "--json")
    assert "nber-h0055" in hit_ids(out)
    assert run(tmp_path, "bib", "delete", "nber-h0055", "--yes")[0] == 0
    code, out, _ = run(tmp_path, "search", "Agricultural Decline Male Retirement", "--json")
    assert "nber-h0055" not in hit_ids(out)
    assert run(tmp_path, "index", "status", "--check")[0] == 0


def test_dead_server_keeps_the_write_and_warns(tmp_path: Path) -> None:
    env = {"SOCSEC_BACKEND": "elasticsearch", "SOCSEC_ELASTICSEARCH_URL": "http://127.0.0.1:9"}
    # The first run initialises the data dir; the write itself must not depend on the server.
    code, out, err = run(tmp_path, "bib", "tag", "nber-w0107", EARLY_RETIREMENT, "--json", env=env)
    assert code == 0
    assert EARLY_RETIREMENT in out
    assert "search index is now stale" in err
    assert "socsec index update" in err
    code, out, err = run(tmp_path, "search", "pension", env=env)
    assert code == 7
    assert "http://127.0.0.1:9" in err
