"""The root command: version, help, config commands, exit codes and error lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec import __version__
from socsec.cli.app import app
from socsec.cli.errors import exit_code_for, format_error
from socsec.cli.exit_codes import ExitCode
from socsec.errors import (
    AmbiguousReference,
    BackendUnavailable,
    ConfigError,
    IndexingError,
    InputDataError,
    NotFoundError,
    QualityGateFailed,
    SocsecError,
    ValidationFailed,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SOCSEC_HOME", "SOCSEC_CONFIG", "SOCSEC_BACKEND", "SOCSEC_ELASTICSEARCH_URL"):
        monkeypatch.delenv(var, raising=False)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"socsec {__version__}"


def test_help_lists_every_group() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("thesaurus", "bib", "index", "search", "config"):
        assert f" {group} " in result.stdout


def test_config_path_follows_data_dir_flag(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "x"), "config", "path", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "data_dir": str(tmp_path / "x"),
        "config_file": str(tmp_path / "x" / "config.toml"),
    }


def test_config_show_json_shape_and_sources(tmp_path: Path) -> None:
    env = {"SOCSEC_ELASTICSEARCH_PASSWORD": "s3cret-pw", "SOCSEC_BACKEND": "elasticsearch"}
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "config", "show", "--json"], env=env)
    assert result.exit_code == 0
    assert "s3cret-pw" not in result.stdout
    payload = json.loads(result.stdout)
    rows = {row["key"]: row for row in payload["settings"]}
    assert rows["backend"] == {
        "key": "backend",
        "value": "elasticsearch",
        "source": "env SOCSEC_BACKEND",
        "env": "SOCSEC_BACKEND",
    }
    assert rows["elasticsearch.password"]["value"] == "********"
    assert rows["elasticsearch.url"]["source"] == "default"


def test_config_set_then_show(tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path)]
    result = runner.invoke(
        app, [*base, "config", "set", "elasticsearch.api_key", "bXlrZXk6c2VjcmV0"]
    )
    assert result.exit_code == 0, result.stderr
    assert "bXlrZXk6c2VjcmV0" not in result.stdout + result.stderr
    shown = json.loads(runner.invoke(app, [*base, "config", "show", "--json"]).stdout)
    rows = {row["key"]: row for row in shown["settings"]}
    assert rows["elasticsearch.api_key"]["value"] == "********"
    assert rows["elasticsearch.api_key"]["source"] == f"file {tmp_path / 'config.toml'}"


def test_bad_config_value_is_one_line_and_exit_6(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('backend = "solr"\n')
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "config", "show"])
    assert result.exit_code == ExitCode.CONFIG == 6
    first = result.stderr.splitlines()[0]
    assert first.startswith("Configuration error: Bad value for 'backend'")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_config_set_bad_value_exit_6_and_file_untouched(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path), "config", "set", "elasticsearch.url", "nope"]
    )
    assert result.exit_code == 6
    assert not (tmp_path / "config.toml").exists()


def test_usage_error_is_exit_2() -> None:
    assert runner.invoke(app, ["config", "set"]).exit_code == ExitCode.USAGE == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_verbose_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('backend = "solr"\n')
    result = runner.invoke(app, ["--verbose", "--data-dir", str(tmp_path), "config", "show"])
    assert result.exit_code == 6
    assert "Traceback" in result.stderr


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (QualityGateFailed("3 errors"), 3),
        (NotFoundError("no concept 'x'"), 4),
        (AmbiguousReference("'x' names 2 concepts"), 4),
        (InputDataError("bad turtle", path="a.ttl", line=3, column=7), 5),
        (ValidationFailed("missing title", path="a.bib", line=2), 5),
        (ConfigError("bad"), 6),
        (BackendUnavailable("http://127.0.0.1:1 refused"), 7),
        (IndexingError("2 documents failed"), 7),
        (SocsecError("other"), 1),
    ],
)
def test_exit_code_table(error: SocsecError, code: int) -> None:
    assert exit_code_for(error) == code


def test_error_lines_name_file_line_column_and_suggestions() -> None:
    line = format_error(InputDataError("unexpected token", path="bad.ttl", line=3, column=7))
    assert line == "Invalid input: bad.ttl, line 3, column 7: unexpected token"
    line = format_error(
        NotFoundError("No concept matches 'penson'", suggestions=["pension", "pensioner"])
    )
    assert line == "Not found: No concept matches 'penson'. Did you mean: pension, pensioner?"


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    from socsec import __version__

    out = subprocess.run(
        [sys.executable, "-m", "socsec", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"socsec {__version__}"


def test_a_huge_cell_is_clipped_in_tables_not_in_json() -> None:
    from rich.console import Console

    from socsec.cli.output import MAX_CELL, table

    huge = "pension " * 1_000_000  # 8 MB: rendered whole, rich's layout takes minutes
    console = Console(width=120, file=io.StringIO(), record=True)
    console.print(table(("term",), [(huge,)]))
    shown = "".join(c for c in console.export_text() if c.isalnum() or c in ";-")
    assert f"{len(huge) - MAX_CELL:,}".replace(",", "") in shown.replace(",", "")
    assert "morecharacters;use--json" in shown
    assert len(shown) < 2 * MAX_CELL
