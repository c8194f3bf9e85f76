"""`socsec bib suggest --text ...` as a whole process, against `python -c pass` (same run).

Usage: .venv/bin/python bench/suggest_process.py [--rounds 7] [--data-dir DIR]

The data dir (default: a temporary one initialised from the bundled data) gets its model
trained first (not timed). Then each round runs ``python -c pass`` and the suggestion once,
interleaved; the figures are the medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
SOCSEC = str(Path(PY).with_name("socsec"))
TEXT = "Early retirement and pension reform in the public sector"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="socsec-suggest-") as tmp:
        root = args.data_dir or Path(tmp) / "data"
        env = {**os.environ, "SOCSEC_HOME": str(root)}
        subprocess.run([SOCSEC, "--quiet", "bib", "suggest", "--train"], env=env, check=True)
        suggest = [SOCSEC, "bib", "suggest", "--text", TEXT, "--json"]
        passes, runs = [], []
        for _ in range(args.rounds):
            passes.append(timed([PY, "-c", "pass"], env))
            runs.append(timed(suggest, env))
    anchor, figure = statistics.median(passes), statistics.median(runs)
    print(
        json.dumps(
            {
                "rounds": args.rounds,
                "python_c_pass_s": round(anchor, 3),
                "bib_suggest_text_s": round(figure, 3),
                "ratio_to_anchor": round(figure / anchor, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
