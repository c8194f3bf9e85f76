"""The search fast path: same output as the Typer command, without Typer or the record store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from socsec.app.setup import open_workspace
from socsec.cli.fast import DISABLE_ENV, SearchArgs, parse_search
from socsec.config import Settings
from socsec.indexer.service import SearchService
from socsec.workspace import Workspace
from tests.cli.test_fast_path import socsec as run_socsec


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast-search")
    ws = open_workspace(Settings.load(data_dir=root, env={}))
    with SearchService.open(ws) as svc:
        svc.rebuild()
    return root


def socsec(home: Path, *args: str, fast: bool = True) -> tuple[int, str, str]:
    return run_socsec(home, *args, fast=fast, columns="160")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["search", "pension"], SearchArgs(text="pension")),
        (
            ["-q", "--data-dir", "/d", "search", "--lang=fr", "retraite", "-n", "3", "--page", "2"],
            SearchArgs(text="retraite", data_dir=Path("/d"), quiet=True, lang="fr", size=3, page=2),
        ),
        (["search", "--json", "x y"], SearchArgs(text="x y", json=True)),
    ],
)
def test_parse_accepts_plain_searches(argv: list[str], expected: SearchArgs) -> None:
    assert parse_search(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["search"],
        ["search", "a", "b"],
        ["search", "pension", "--facets"],
        ["search", "pension", "--year", "2000"],
        ["search", "pension", "-n", "0"],
        ["search", "pension", "-n", "1001"],
        ["search", "pension", "--page", "x"],
        ["search", "--help"],
        ["thesaurus", "lookup", "search"],
        ["--data-dir", "search", "search", "x"],
    ],
)
def test_parse_leaves_everything_else_to_typer(argv: list[str]) -> None:
    assert parse_search(argv) is None


@pytest.mark.parametrize(
    "args",
    [
        ["search", "pension"],
        ["search", "retraite anticipée", "--json"],
        ["search", "unemployment benefit", "-n", "3", "--page", "2", "--lang", "es"],
        ["search", "qqqzzzxx"],
    ],
)
def test_fast_path_prints_what_typer_prints(home: Path, args: list[str]) -> None:
    fast = socsec(home, *args)
    full = socsec(home, *args, fast=False)
    assert fast == full
    assert fast[0] == 0 and fast[1]


FRESH = """
import sys
from socsec.cli.main import main
sys.argv = ["socsec", "search", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert exit.code == 0, exit.code
heavy = ("typer", "click", "rdflib", "pyoxigraph", "elasticsearch", "socsec.bibliography.store")
print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def test_fast_path_imports_no_cli_framework_nor_store(home: Path) -> None:
    env = {**os.environ, "SOCSEC_HOME": str(home)}
    env.pop(DISABLE_ENV, None)
    cmd = [sys.executable, "-c", FRESH, "pension"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_an_index_to_build_goes_through_the_full_cli(tmp_path: Path, home: Path) -> None:
    import shutil

    root = tmp_path / "data"
    shutil.copytree(home, root)
    Workspace(root=root, settings=Settings.load(data_dir=root, env={})).index_db.unlink()
    assert parse_search(["search", "pension"]) is not None
    from socsec.cli.fast import run_search

    assert run_search(SearchArgs(text="pension", data_dir=root)) is None
    code, out, _err = socsec(root, "search", "pension", "--json")
    assert code == 0 and '"total"' in out  # the full CLI built the index and answered
