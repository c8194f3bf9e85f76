"""kill -9 in the middle of `socsec index rebuild`: the live index keeps serving, whole.

The embedded backend builds a new file and renames it over the live one; a killed rebuild
leaves the old index (integrity intact, still current) and a half-built file that the next
rebuild removes. Real processes, the bundled 1,802-record sample.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

KILL_AFTER_S = (0.3, 0.8, 1.5, 2.5)


def test_a_killed_rebuild_leaves_the_live_index_serving(
    bundled_data_dir: Path, start_socsec: Callable[..., subprocess.Popen[str]]
) -> None:
    data = bundled_data_dir

    def run(*args: str) -> tuple[int, str, str]:
        proc = start_socsec(data, *args)
        out, err = proc.communicate(timeout=300)
        return proc.returncode, out, err

    assert run("index", "rebuild")[0] == 0
    before = json.loads(run("search", "pension", "--json")[1])
    for delay in KILL_AFTER_S:
        proc = start_socsec(data, "index", "rebuild")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with sqlite3.connect(data / "index.sqlite") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        code, out, err = run("search", "pension", "--json")
        assert code == 0, err
        assert json.loads(out) == before
        assert run("index", "status", "--check")[0] == 0
    assert run("index", "rebuild")[0] == 0
    assert not list(data.glob("index.sqlite.rebuild-*"))  # the killed rebuilds' files
