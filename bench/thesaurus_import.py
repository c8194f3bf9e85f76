"""Import time and peak memory of the full vocabularies (prints figures, asserts nothing).

Usage: .venv/bin/python bench/thesaurus_import.py [FILE ...]

Each file is imported into a fresh data dir in a child process (cache build included), so
the peak RSS reported is that of one import alone.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(
    os.environ.get("SOCSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
DEFAULT = [
    SHARED / "eurovoc/eurovoc-en-fr-es.ttl",
    SHARED / "unesco/unesco-thesaurus-2024-10-08.ttl",
]

CHILD = """
import sys, time
from pathlib import Path
from socsec.config import Settings
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace
root = Path(sys.argv[2])
ws = Workspace(root=root, settings=Settings.load(data_dir=root))
steps = {}
last = [time.perf_counter()]
def step(name):
    now = time.perf_counter(); steps[name] = now; last[0] = now
t0 = time.perf_counter()
report = import_file(ws, Path(sys.argv[1]), on_progress=step)
t1 = time.perf_counter()
parse = steps["store"] - steps["parse"]; store = steps["compile"] - steps["store"]
print(f"{report.triples} triples, {report.concepts} concepts, {len(report.schemes)} schemes; "
      f"import {t1 - t0:.2f} s (parse+split {parse:.2f}, serialize {store:.2f}, "
      f"compile+commit {t1 - steps['compile']:.2f})")
"""


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or DEFAULT
    for path in files:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            wall = time.perf_counter() - start
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            cache = Path(tmp, "thesaurus.sqlite").stat().st_size / 1e6
            print(f"{path.name}: {out.stdout.strip()}")
            print(
                f"  process wall {wall:.2f} s, peak RSS (max child so far) {rss:.0f} MB, "
                f"cache {cache:.1f} MB"
            )


if __name__ == "__main__":
    main()
