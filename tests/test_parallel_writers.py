"""Parallel writers in real processes: each exits 0, nothing is lost, the index keeps up.

A librarian's script and a colleague's edits run at once on one data dir. SQLite writers
wait for each other (busy timeout, BEGIN IMMEDIATE) and index upkeep takes turns (the index
writer lock), so no process fails after its record was committed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from socsec.bibliography.store import BibliographyStore

WRITERS = 10
DATA = Path(__file__).parent / "data" / "bibliography"


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """Wait for every process: (exit code, stdout, stderr) each, in order."""
    done = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        done.append((p.returncode, out, err))
    return done


def test_parallel_adds_edits_and_imports_all_land(
    bundled_data_dir: Path, start_socsec: Callable[..., subprocess.Popen[str]]
) -> None:
    data = bundled_data_dir

    def socsec(*args: str) -> subprocess.Popen[str]:
        return start_socsec(data, *args)

    assert [(c, e) for c, _o, e in finish([socsec("index", "rebuild")])] == [(0, "")]
    with BibliographyStore.open(data / "bibliography.sqlite") as store:
        before = store.count()
    adds = [
        socsec(
            "bib",
            "add",
            "--title",
            f"Par {i}",
            "--author",
            "Doe, J",
            "--year",
            "2020",
            "--type",
            "report",
        )  # fmt: skip
        for i in range(WRITERS)
    ]
    edit = ("bib", "edit", "nber-w0654", "--set")
    edits = [socsec(*edit, f"notes=edit {i}") for i in range(8)]
    imports = [
        socsec("bib", "import", str(DATA / "sample.bib"), "--json"),
        socsec(
            "bib",
            "import",
            str(DATA / "eurlex-10.jsonl"),
            "--format",
            "eurlex-jsonl",
            "--drop-unknown-subjects",
            "--json",
        ),  # fmt: skip
    ]
    imported = finish(imports)
    assert [code for code, _out, _err in imported] == [0, 0], imported
    created = sum(json.loads(out)["created"] for _code, out, _err in imported)
    results = finish(adds + edits)
    assert [code for code, _out, _err in results] == [0] * len(results), results
    assert not any("Traceback" in err or "locked" in err for _code, _out, err in results)
    with BibliographyStore.open(data / "bibliography.sqlite") as store:
        assert store.count() == before + WRITERS + created
        titles = {r.title for r in store.iter_records() if r.title.startswith("Par ")}
        assert titles == {f"Par {i}" for i in range(WRITERS)}
        assert store.get("nber-w0654").notes in {f"edit {i}" for i in range(8)}
    status = finish([socsec("index", "status", "--check")])
    assert [(c, e) for c, _o, e in status] == [(0, "")], status
