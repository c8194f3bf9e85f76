"""Time of one curation edit and one undo with all of EuroVoc imported (prints, asserts nothing).

Usage: .venv/bin/python bench/curation_edit.py [ROUNDS]

In one fresh data dir: the bundled extract, then all of EuroVoc (7,317 concepts) imported
(timed: the "full import" anchor). Then ROUNDS rounds, interleaved: an edit and an undo as
library calls, the same as whole `socsec thesaurus concept edit` / `undo` processes, and
`python -c pass` (the process anchor). Medians are printed with their ratio to the anchors.
The first edit after an import also fills the quad index; it is reported on its own.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(
    os.environ.get("SOCSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
EUROVOC = SHARED / "eurovoc/eurovoc-en-fr-es.ttl"
CONCEPT = "http://eurovoc.europa.eu/3626"  # early retirement


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    from socsec.config import Settings
    from socsec.thesaurus import curation
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        env = {**os.environ, "SOCSEC_HOME": str(root), "USER": "bench"}
        ws = Workspace.open(Settings.load(data_dir=root, env={}))
        start = time.perf_counter()
        report = import_file(ws, EUROVOC)
        full_import = time.perf_counter() - start
        edit = curation.LabelEdit("add", "alt", "en", "bench label 0")
        start = time.perf_counter()
        curation.edit_concept(ws, CONCEPT, [edit])
        first = time.perf_counter() - start
        curation.undo(ws)
        lib_edit, lib_undo, cli_edit, cli_undo, anchor = [], [], [], [], []
        socsec = [sys.executable, "-m", "socsec"]
        for i in range(1, rounds + 1):
            edit = curation.LabelEdit("add", "alt", "en", f"bench label {i}")
            start = time.perf_counter()
            curation.edit_concept(ws, CONCEPT, [edit])
            lib_edit.append(time.perf_counter() - start)
            start = time.perf_counter()
            curation.undo(ws)
            lib_undo.append(time.perf_counter() - start)
            anchor.append(_run([sys.executable, "-c", "pass"], env))
            cmd = [*socsec, "thesaurus", "concept", "edit", CONCEPT, "--alt", f'en:"cli {i}"']
            cli_edit.append(_run(cmd, env))
            cli_undo.append(_run([*socsec, "thesaurus", "undo"], env))

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:7.1f} ms"

    base = statistics.median(anchor)
    print(f"all of EuroVoc: {report.concepts} concepts; {rounds} rounds, medians")
    print(f"  anchor  python -c pass          {ms(anchor)}")
    print(f"  anchor  full import (once)      {full_import * 1000:7.1f} ms")
    print(f"  first edit after the import     {first * 1000:7.1f} ms (fills the quad index)")
    for name, values in (
        ("edit   (library call)", lib_edit),
        ("undo   (library call)", lib_undo),
        ("edit   (whole process)", cli_edit),
        ("undo   (whole process)", cli_undo),
    ):
        med = statistics.median(values)
        print(
            f"  {name:<30}{ms(values)}  = {med / base:5.1f}x python -c pass, "
            f"{med / full_import:6.3f}x full import"
        )


if __name__ == "__main__":
    main()
