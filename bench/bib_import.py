"""Benchmark: import 100,000 records from BibTeX and from CSL-JSON into a new store.

No real file that big is at hand, so the input is built by repeating the 1,802 real records
of the bundled sample (NBER working papers, EUR-Lex acts with their EuroVoc subjects) with
new ids (``<id>-r<N>``); everything else is the real data. Each import runs in a fresh
subprocess so that its peak RSS is its own. Subjects are checked against the real thesaurus
cache (the bundled EuroVoc extract).

    .venv/bin/python bench/bib_import.py [--records 100000] [--runs 3] [--anchor ../base]

Prints records/s (wall clock), records per CPU second of the busiest process (what an idle
machine would reach; BibTeX is parsed by a worker process on multi-core machines) and peak
RSS per format; target >= 5,000 records/s and < 500 MB. With ``--runs N`` each import runs
N times and the line gives the median of each figure (wall clock varies on a busy machine).

``--anchor DIR`` names another checkout with its own ``.venv`` (e.g. a worktree of an older
commit): the same files are imported by both, interleaved A B B A in each of the ``--runs``
rounds so that a busy machine slows both alike, and each line carries the anchor's median
records per CPU second and the ratio beside ours. The anchor imports with its own bench
script (``--run``) into a data dir its own code set up.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast


def build_inputs(workdir: Path, n: int) -> dict[str, Path]:
    """Write n records as BibTeX and CSL-JSON by repeating the sample with new ids."""
    from socsec.bibliography.bundle import sample_path
    from socsec.bibliography.formats import bibtex, csljson

    base = list(csljson.read(sample_path()))

    def records():  # type: ignore[no-untyped-def]
        for i in range(n):
            r = base[i % len(base)]
            yield dataclasses.replace(r, id=f"{r.id}-r{i // len(base)}")

    paths = {"bibtex": workdir / "bench.bib", "csljson": workdir / "bench.json"}
    with paths["bibtex"].open("w", encoding="utf-8") as fh:
        bibtex.write(records(), fh)
    with paths["csljson"].open("w", encoding="utf-8") as fh:
        csljson.write(records(), fh)
    return paths


def run_one(fmt: str, path: Path, data_dir: Path) -> None:
    """Import one file into a new store (child process); print a JSON line of figures."""
    from socsec.bibliography.service import import_file
    from socsec.bibliography.store import BibliographyStore
    from socsec.config import Settings
    from socsec.thesaurus.lookup import get_cache
    from socsec.workspace import Workspace

    ws = Workspace(root=data_dir, settings=Settings.load(data_dir=data_dir))
    checker = get_cache(ws)
    store = BibliographyStore.open(path.with_name(path.name + ".sqlite"))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    report = import_file(store, path, fmt=fmt, checker=checker)
    elapsed = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds do not depend on what else the machine runs (the wall clock does).
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    worker_cpu = kids.ru_utime + kids.ru_stime
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # BibTeX is parsed by worker processes on multi-core machines: report their peak too.
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "format": fmt,
        "records": report.total,
        "created": report.created,
        "seconds": round(elapsed, 2),
        "records_per_s": round(report.total / elapsed),
        "cpu_seconds": round(cpu, 2),
        "worker_cpu_seconds": round(worker_cpu, 2),
        "records_per_cpu_s": round(report.total / max(cpu, worker_cpu)),
        "peak_rss_mb": round(rss_mb),
        "worker_peak_rss_mb": round(child_mb),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "store_count": store.count(),
    }
    print(json.dumps(figures))


def main() -> None:
    """Build the inputs, then import each in a subprocess (interleaved with the anchor's)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="imports per format (medians)")
    parser.add_argument("--anchor", type=Path, help="another checkout to compare with")
    parser.add_argument("--run", nargs=3, metavar=("FORMAT", "FILE", "DATA_DIR"))
    args = parser.parse_args()
    if args.run:
        run_one(args.run[0], Path(args.run[1]), Path(args.run[2]))
        return
    from socsec.app.setup import open_workspace
    from socsec.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data_dir = workdir / "data"
        open_workspace(Settings.load(data_dir=data_dir))  # bundled thesaurus for subject checks
        setups = {"ours": ([sys.executable, __file__], data_dir)}
        order = ["ours"]
        if args.anchor is not None:
            root = args.anchor.resolve()
            anchor_data = workdir / "anchor-data"
            python = str(root / ".venv/bin/python")
            subprocess.run([python, "-c", _ANCHOR_SETUP, str(anchor_data)], cwd=root, check=True)
            setups["anchor"] = ([python, str(root / "bench/bib_import.py")], anchor_data)
            order = ["anchor", "ours", "ours", "anchor"]
        paths = build_inputs(workdir, args.records)
        for fmt, path in paths.items():
            runs: dict[str, list[dict[str, object]]] = {who: [] for who in setups}
            for _ in range(args.runs):
                for who in order:
                    runs[who].append(_import(*setups[who], fmt, path))
            line = _medians(runs["ours"])
            if args.anchor is not None:
                theirs = _medians(runs["anchor"])
                line["anchor"] = _describe_anchor(args.anchor)
                line["anchor_records_per_cpu_s"] = theirs["records_per_cpu_s"]
                line["anchor_records_per_s"] = theirs["records_per_s"]
                line["ratio_per_cpu_s"] = round(
                    cast(float, line["records_per_cpu_s"])
                    / cast(float, theirs["records_per_cpu_s"]),
                    3,
                )
            print(json.dumps(line))


# Run by the anchor's interpreter: a data dir with the bundled thesaurus, set up by its own code.
_ANCHOR_SETUP = """
import sys
from pathlib import Path
from socsec.config import Settings
settings = Settings.load(data_dir=Path(sys.argv[1]))
try:
    from socsec.app.setup import open_workspace
except ImportError:  # before the application layer
    from socsec.workspace import Workspace
    open_workspace = Workspace.open
open_workspace(settings)
"""


def _import(command: list[str], data_dir: Path, fmt: str, path: Path) -> dict[str, object]:
    """One import into a new store, in a subprocess; its figures."""
    for suffix in (".sqlite", ".sqlite-wal", ".sqlite-shm"):  # a new store each run
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    out = subprocess.run(
        [*command, "--run", fmt, str(path), str(data_dir)],
        check=True, capture_output=True, text=True, cwd=Path(command[1]).parent.parent,
    )  # fmt: skip
    figures: dict[str, object] = json.loads(out.stdout)
    return figures


def _describe_anchor(root: Path) -> str:
    """The anchor's short commit (or its path when it is no git checkout)."""
    out = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip() or str(root)


def _medians(runs: list[dict[str, object]]) -> dict[str, object]:
    """The first run's figures, numbers replaced by their medians over the runs."""
    if len(runs) == 1:
        return runs[0]
    out: dict[str, object] = {}
    for key, value in runs[0].items():
        values = [r[key] for r in runs]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(values)  # type: ignore[type-var]
        else:
            out[key] = value
    out["runs"] = len(runs)
    return out


if __name__ == "__main__":
    main()
