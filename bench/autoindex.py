"""Automatic subject indexing speed, in process, beside anchors measured in the same run.

Part 1 (default): a fresh data dir with the bundled sample (1,802 records); the model is
loaded once, then ``socsec.app.autoindex.assign`` scores and writes every record without a
manual subject (the 1,610 NBER papers). Anchors: ``python -c pass`` (process start) and a raw
loop over the same records (read + document, no scoring). Medians of ``--repeat`` runs.

Part 2 (``--import N``): N records of the benchmark corpus (bench/index_corpus.py, real
NBER and EUR-Lex records; ids prefixed so that all are new, subjects dropped) imported
into a fresh data dir with and without automatic subjects; wall time and CPU time (user +
system of this process) of each, and what automatic subjects add.

    .venv/bin/python bench/autoindex.py [--repeat 3] [--import 100000]
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

from socsec.app.setup import open_workspace
from socsec.config import Settings
from socsec.workspace import Workspace


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fresh(root: Path) -> Workspace:
    return open_workspace(Settings.load(data_dir=root, env={}))


def sample_speed(repeat: int) -> None:
    """Part 1: records/s of automatic indexing on the bundled sample, with anchors."""
    from socsec.app import autoindex
    from socsec.bibliography.store import get_store
    from socsec.suggest.service import load_model
    from socsec.suggest.text import document_from_record

    with tempfile.TemporaryDirectory() as tmp:
        ws = _fresh(Path(tmp))
        load_model(ws)  # train once, outside the timings
        starts, loops, runs = [], [], []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            starts.append(time.perf_counter() - t)
            t = time.perf_counter()
            with get_store(ws) as store:
                docs = [
                    document_from_record(r)
                    for r in store.iter_records()
                    if not any(s.provenance == "manual" for s in r.subjects)
                ]
            loops.append(time.perf_counter() - t)
            report = autoindex.assign(ws, threshold=0.0)  # every record changes: worst case
            runs.append(report)
        seconds = statistics.median(r.seconds for r in runs)
        records = runs[0].records
        print(f"records scored: {records} (raw loop read {len(docs)})")
        print(f"python -c pass (anchor): {statistics.median(starts) * 1000:.0f} ms")
        print(f"raw loop over the records (anchor): {statistics.median(loops) * 1000:.0f} ms")
        print(
            f"autoindex: {seconds:.2f} s = {records / seconds:.0f} records/s "
            f"(model load {statistics.median(r.load_seconds for r in runs):.2f} s; "
            f"{seconds / statistics.median(loops):.1f}x the raw loop, "
            f"{seconds / statistics.median(starts):.1f}x python -c pass)"
        )


def import_cost(n: int) -> None:
    """Part 2: import N corpus records with and without automatic subjects."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from index_corpus import corpus  # type: ignore[import-not-found]

    from socsec.app.records import import_file
    from socsec.bibliography.codec import record_to_dict
    from socsec.suggest.service import load_model

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus.jsonl"
        records = [
            dataclasses.replace(r, id=f"bench-{r.id}", subjects=(), aliases=()) for r in corpus(n)
        ]
        items = [record_to_dict(r) for r in records]
        source = Path(tmp) / "corpus.json"
        source.write_text(json.dumps(_as_csl(items)), encoding="utf-8")
        figures = {}
        for auto in (False, True):
            ws = _fresh(Path(tmp) / f"dir-{auto}")
            load_model(ws)
            cpu, wall = _cpu(), time.perf_counter()
            report = import_file(ws, source, fmt="csljson", auto_subjects=auto).value
            figures[auto] = (time.perf_counter() - wall, _cpu() - cpu, report)
        (w0, c0, r0), (w1, c1, r1) = figures[False], figures[True]
        print(
            f"import of {r0.created} records without automatic subjects: {w0:.1f} s wall, "
            f"{c0:.1f} s CPU"
        )
        print(
            f"import of {r1.created} records with automatic subjects: {w1:.1f} s wall, "
            f"{c1:.1f} s CPU; {r1.auto_indexed} records given subjects"
        )
        print(
            f"automatic subjects add {w1 - w0:.1f} s wall ({(w1 - w0) / max(w0, 1e-9):.0%}), "
            f"{c1 - c0:.1f} s CPU = {r1.created / max(c1 - c0, 1e-9):.0f} records per CPU s"
        )


def _as_csl(items: list[dict[str, object]]) -> list[dict[str, object]]:
    from socsec.bibliography.codec import record_from_dict
    from socsec.bibliography.formats.csljson import to_csl

    return [to_csl(record_from_dict(i)) for i in items]


def main() -> None:
    """Run part 1, and part 2 when asked."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import", dest="n", type=int, default=0)
    args = parser.parse_args()
    sample_speed(args.repeat)
    if args.n:
        import_cost(args.n)


if __name__ == "__main__":
    main()
