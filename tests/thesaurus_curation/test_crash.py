"""Killed writers, destructive imports: files, cache and history always agree afterwards.

Real processes (``python -m socsec``) are killed with SIGKILL, at named points of the commit
(``SOCSEC_CRASH_AT``) and at a sweep of times over a whole `concept add`; the next command
recovers. Data: the bundled EuroVoc extract ((c) European Union).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socsec.thesaurus.compile import build_cache
from socsec.thesaurus.history import read_log
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.store import Manifest, read_all
from socsec.workspace import Workspace
from tests.thesaurus_curation.conftest import SCHEME, store_bytes

LABEL = "kill test pension"


def _socsec(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "socsec", "--data-dir", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "USER": "curator", **(env or {})},
    )


def _add(root: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return _socsec(
        root, "thesaurus", "concept", "add", "--label", f"en:{LABEL}", "--scheme", SCHEME, env=env
    )


def _assert_consistent(root: Path, tmp: Path) -> bool:
    """Recover (a read command), then: files, cache and history agree; no temp files left.

    Returns whether the added concept is there.
    """
    done = _socsec(root, "thesaurus", "info", "--json")
    _out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    ws_dir = root / "thesaurus"
    assert not list(ws_dir.glob(".*")) and not list(root.glob(".thesaurus.sqlite*"))
    assert not (root / "thesaurus.sqlite.staging").exists()
    reference = tmp / "reference.sqlite"
    build_cache(read_all(ws_dir), Manifest.load(ws_dir), reference)
    with ThesaurusCache.open(reference) as ref, ThesaurusCache.open(root / "thesaurus.sqlite") as c:
        assert c.count() == ref.count()
        in_files = bool(ref.lookup(LABEL))
        assert bool(c.lookup(LABEL)) == in_files
    added = [e for e in read_log(_ws(root)) if e.action == "add"]
    assert len(added) == int(in_files)
    return in_files


def _ws(root: Path) -> Workspace:
    from socsec.config import Settings

    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


@pytest.mark.parametrize(
    "point", ["before-journal", "after-journal", "after-file", "after-index", "before-history"]
)
def test_killed_at_each_commit_step(data_dir: Path, tmp_path: Path, point: str) -> None:
    proc = _add(data_dir, env={"SOCSEC_CRASH_AT": point})
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    # Before the journal the change never happened; after it, recovery finishes it.
    assert _assert_consistent(data_dir, tmp_path) == (point != "before-journal")


def test_kill_sweep_over_a_concept_add(data_dir: Path, tmp_path: Path) -> None:
    pristine = tmp_path / "pristine"
    import shutil

    shutil.copytree(data_dir, pristine)
    start = time.perf_counter()
    proc = _add(data_dir)
    proc.communicate(timeout=120)
    whole = time.perf_counter() - start
    assert proc.returncode == 0
    points = 12
    outcomes = []
    for k in range(1, points + 1):
        root = tmp_path / f"run{k}"
        shutil.copytree(pristine, root)
        proc = _add(root)
        time.sleep(whole * k / (points + 1))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        outcomes.append(_assert_consistent(root, tmp_path))
        shutil.rmtree(root)
    assert len(outcomes) == points


def test_empty_file_never_wipes_the_thesaurus(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing\n", encoding="utf-8")
    before = store_bytes(data_dir)
    proc = _socsec(data_dir, "thesaurus", "import", str(empty), "--replace", "--yes")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 5 and b"no triples" in err
    assert store_bytes(data_dir) == before


def test_a_replace_is_refused_without_yes_then_undone(data_dir: Path, tmp_path: Path) -> None:
    small = Path(__file__).parents[1] / "data" / "thesaurus" / "eurovoc-socprot-mini.ttl"
    before = store_bytes(data_dir)
    proc = _socsec(data_dir, "thesaurus", "import", str(small), "--replace")  # stdin: no TTY
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 5 and b"would remove 367 concept(s)" in err
    assert store_bytes(data_dir) == before
    proc = _socsec(data_dir, "thesaurus", "import", str(small), "--replace", "--yes", "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["concepts"] == 88
    proc = _socsec(data_dir, "thesaurus", "undo")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    after = store_bytes(data_dir)
    ttl = {k: v for k, v in before.items() if k.endswith((".ttl", "manifest.json"))}
    assert {k: v for k, v in after.items() if k.endswith((".ttl", "manifest.json"))} == ttl
    with ThesaurusCache.open(data_dir / "thesaurus.sqlite") as cache:
        assert cache.count() == 455
