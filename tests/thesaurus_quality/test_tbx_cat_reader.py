"""The TBX 2008 glossary opens in translate-toolkit's TBX reader (Weblate, Pootle, Virtaal)."""

from __future__ import annotations

import json
from pathlib import Path

from translate.storage import tbx
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.thesaurus.checks_io import snapshot_from_file
from socsec.thesaurus.glossary import entries_from_snapshot
from socsec.thesaurus.import_tbx import read_tbx

from .conftest import BUNDLED

runner = CliRunner()


def export(data_dir: Path, fmt: str, out: Path) -> None:
    result = runner.invoke(
        app,
        ["--data-dir", str(data_dir), "-q", "thesaurus", "export", "--format", fmt,
         "--langs", "en,fr,es", "-o", str(out), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["format"] == fmt


def test_cat_reader_opens_the_tbx2008_glossary(tmp_path: Path) -> None:
    out = tmp_path / "glossary-2008.tbx"
    export(tmp_path / "home", "tbx2008", out)
    store = tbx.tbxfile.parsefile(str(out))
    units = {unit.getid(): unit for unit in store.units}
    assert len(units) == 455
    # early retirement (EuroVoc 3626): English source term, French target term.
    assert (units["c3626"].source, units["c3626"].target) == (
        "early retirement",
        "retraite anticipée",
    )
    assert (units["c825"].source, units["c825"].target) == (
        "occupational accident",
        "accident du travail",
    )


def test_both_editions_read_back_to_the_same_labels(tmp_path: Path) -> None:
    home = tmp_path / "home"
    export(home, "tbx", tmp_path / "g2019.tbx")
    export(home, "tbx2008", tmp_path / "g2008.tbx")
    new = {e.uri: (e.pref, e.alt) for e in read_tbx(tmp_path / "g2019.tbx")}
    old = {e.uri: (e.pref, e.alt) for e in read_tbx(tmp_path / "g2008.tbx")}
    assert new == old
    expected = {
        e.uri: (e.pref, e.alt)
        for e in entries_from_snapshot(snapshot_from_file(BUNDLED), ["en", "fr", "es"])
    }
    assert old == expected
