"""kill -9 in the middle of `socsec index rebuild`: the live index keeps serving, whole.

The embedded backend builds a new file and renames it over the live one; a killed rebuild
leaves the old index (integrity intact, still current) and a half-built file that the next
rebuild removes. Real processes, the bundled 1,802-record sample.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

KILL_AFTER_S = (0.3, 0.8, 1.5, 2.5)


def socsec(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    return subprocess.Popen(
        [sys.executable, "-m", "socsec", "--data-dir", str(data_dir), "-q", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    proc = socsec(data_dir, *args)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def test_a_killed_rebuild_leaves_the_live_index_serving(bundled_data_dir: Path) -> None:
    data = bundled_data_dir
    assert run(data, "index", "rebuild")[0] == 0
    before = json.loads(run(data, "search", "pension", "--json")[1])
    for delay in KILL_AFTER_S:
        proc = socsec(data, "index", "rebuild")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with sqlite3.connect(data / "index.sqlite") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        code, out, err = run(data, "search", "pension", "--json")
        assert code == 0, err
        assert json.loads(out) == before
        assert run(data, "index", "status", "--check")[0] == 0
    assert run(data, "index", "rebuild")[0] == 0
    assert not list(data.glob("index.sqlite.rebuild-*"))  # the killed rebuilds' files
