"""The lookup fast path: same output and exit codes as the Typer command, without Typer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from socsec.app.setup import open_workspace
from socsec.cli.fast import DISABLE_ENV, LookupArgs, parse
from socsec.config import Settings

SOCSEC = [sys.executable, "-c", "from socsec.cli.main import main; main()"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast")
    open_workspace(Settings.load(data_dir=root))  # thesaurus and bibliography, as a first run
    return root


def socsec(home: Path, *args: str, fast: bool = True, columns: str = "200") -> tuple[int, str, str]:
    env = {**os.environ, "SOCSEC_HOME": str(home), "COLUMNS": columns}
    env.pop(DISABLE_ENV, None)
    if not fast:
        env[DISABLE_ENV] = "1"
    proc = subprocess.run([*SOCSEC, *args], capture_output=True, text=True, env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["thesaurus", "lookup", "pension"], LookupArgs(term="pension")),
        (
            ["-q", "--data-dir", "/d", "thesaurus", "lookup", "--to=fr,es", "chôm", "-n", "3"],
            LookupArgs(term="chôm", data_dir=Path("/d"), quiet=True, to="fr,es", limit=3),
        ),
        (
            ["thesaurus", "lookup", "--json", "--lang", "fr", "--scheme", "s", "x y"],
            LookupArgs(term="x y", json=True, lang="fr", scheme="s"),
        ),
    ],
)
def test_parse_accepts_plain_lookups(argv: list[str], expected: LookupArgs) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["thesaurus", "lookup", "--help"],
        ["thesaurus", "lookup"],  # missing term: Typer's usage error
        ["thesaurus", "lookup", "a", "b"],
        ["thesaurus", "lookup", "pension", "-n5"],  # short option glued to its value
        ["thesaurus", "lookup", "pension", "--limit", "0"],
        ["thesaurus", "lookup", "pension", "--limit", "1001"],
        ["thesaurus", "lookup", "pension", "--lang", "fr", "--lang", "en"],  # repeated
        ["thesaurus", "lookup", "--", "-x"],
        ["thesaurus", "lookup", "pension", "--json=1"],
        ["thesaurus", "lookup", "pension", "--verbose"],  # a global flag in the wrong place
        ["-v", "thesaurus", "lookup", "pension"],  # tracebacks wanted: the full CLI
        ["--data-dir", "thesaurus", "lookup", "pension"],
        ["thesaurus", "show", "pension"],
        ["bib", "list"],
    ],
)
def test_parse_leaves_everything_else_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


@pytest.mark.parametrize(
    "args",
    [
        ["thesaurus", "lookup", "retraite anticipée"],
        ["thesaurus", "lookup", "accidente laboral", "--to", "fr,en"],
        ["thesaurus", "lookup", "unemploymnet", "--json"],
        ["thesaurus", "lookup", "chôm", "--lang", "fr", "-n", "3", "--json"],
        ["-q", "thesaurus", "lookup", "pension", "--to=es"],
        ["thesaurus", "lookup", "pension of old age", "--lang", "en"],
        ["thesaurus", "lookup", "seguro de desempelo", "--json"],
    ],
)
def test_fast_path_prints_what_typer_prints(home: Path, args: list[str]) -> None:
    for columns in ("200", "80"):
        fast = socsec(home, *args, columns=columns)
        full = socsec(home, *args, fast=False, columns=columns)
        assert fast == full
        assert fast[0] == 0 and fast[1]


def test_errors_keep_the_typer_message_and_exit_code(home: Path) -> None:
    code, out, err = socsec(home, "thesaurus", "lookup", "pensoin")
    assert code == 4 and out == ""
    assert "No concept matches 'pensoin'" in err and "Did you mean" in err
    code, _out, err = socsec(home, "thesaurus", "lookup", "pension", "--limit", "0")
    assert code == 2 and "--limit" in err
    # A language the thesaurus has no labels in is a usage error on both paths.
    for fast in (True, False):
        code, out, err = socsec(home, "thesaurus", "lookup", "pension", "--lang", "de", fast=fast)
        assert code == 2 and out == "" and "no labels in de" in err
        code, out, err = socsec(home, "thesaurus", "lookup", "pension", "--to", "en,de", fast=fast)
        assert code == 2 and "--to" in err


def test_first_run_goes_through_the_full_cli(tmp_path: Path) -> None:
    code, out, err = socsec(tmp_path / "new", "thesaurus", "lookup", "pension", "--json")
    assert code == 0 and '"uri"' in out
    assert "Initialised the thesaurus" in err and "Initialised the bibliography" in err


FRESH = """
import sys
from socsec.cli.main import main
sys.argv = ["socsec", "thesaurus", "lookup", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert exit.code == 0, exit.code
heavy = ("typer", "click", "rich", "dataclasses", "rdflib", "pyoxigraph")
print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["pension"], ["pension", "--json"], ["unemploymnet"]])
def test_fast_path_imports_no_cli_framework(home: Path, args: list[str]) -> None:
    env = {**os.environ, "SOCSEC_HOME": str(home)}
    env.pop(DISABLE_ENV, None)
    proc = subprocess.run(
        [sys.executable, "-c", FRESH, *args], capture_output=True, text=True, env=env, check=True
    )
    assert proc.stderr.strip().splitlines()[-1] == "[]"


def test_fast_path_knows_every_lookup_option() -> None:
    # An option added to the Typer command but not here would silently fall back (slow);
    # one handled here but gone from Typer would accept what the CLI refuses.
    from socsec.cli.app import _load
    from socsec.cli.fast import _LOOKUP_FLAGS, _LOOKUP_VALUES

    lookup = _load("thesaurus").get_command(None, "lookup")  # type: ignore[attr-defined,arg-type]
    options = {o for p in lookup.params for o in p.opts if o.startswith("-")}
    assert options == set(_LOOKUP_VALUES) | set(_LOOKUP_FLAGS)
