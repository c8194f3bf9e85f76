"""Enrichment records/s of this tree against a git revision's, and with worker processes.

Usage:
    .venv/bin/python bench/enrich_speed.py [--n 20000] [--against 9911ad0] [--rounds 2]

The revision's ``socsec`` package is extracted with ``git archive`` into a temporary dir.
Each run is a child process that enriches the same first N distinct real records (NBER +
EUR-Lex, no repeats) with the full EuroVoc, after building the label matcher (not timed),
in the order A B B A ... (A = the revision: the anchor, same run). Rates are given by wall
clock and per CPU second of the process (less sensitive to other load on a shared
machine). Each run also prints a digest of the documents' fingerprints: equal digests mean
both trees produce the same documents. Last, this tree with 2 worker processes
(``index.workers = 2``) on the same records.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = """
import hashlib, sys, time
sys.path[:0] = [{root!r}, {bench!r}]  # before the editable install and the working dir
import socsec
assert socsec.__file__.startswith({root!r}), socsec.__file__
from index_corpus import corpus, workspace
from socsec.indexer.documents import Enricher
from socsec.indexer.parallel import enrich_parallel
from socsec.thesaurus.lookup import get_cache

records = list(corpus({n}))
with get_cache(workspace()) as cache:
    enricher = Enricher(cache)
    _ = enricher.matcher
    for _r in records[: {warm}]:  # --warm: caches filled as after a rebuild's first records
        enricher.enrich(_r)
    digest = hashlib.blake2b(digest_size=8)
    start, cpu = time.perf_counter(), time.process_time()
    for doc in enrich_parallel(enricher, cache.path, iter(records), {workers}):
        digest.update(doc.fingerprint.encode())
    rate = len(records) / (time.perf_counter() - start)
    cpu_rate = len(records) / (time.process_time() - cpu)
print(f"{{rate:.1f}} {{cpu_rate:.1f}} {{digest.hexdigest()}}")
"""


def run(package_root: Path, n: int, workers: int, warm: bool) -> tuple[float, float, str]:
    """Records/s (wall, CPU) and documents digest of a child enriching with ``package_root``."""
    code = CHILD.format(
        root=str(package_root), bench=str(HERE), n=n, workers=workers, warm=n if warm else 0
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=package_root, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), out[2]


def extract(rev: str, into: Path) -> Path:
    """The ``socsec`` package of git revision ``rev``, extracted under ``into``."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "socsec"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--against", default="9911ad0", help="git revision of the anchor")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="enrich the records once before timing (word and concept caches full, as in "
        "the later part of a large rebuild)",
    )
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"anchor": [], "this tree": []}
    cpu: dict[str, list[float]] = {"anchor": [], "this tree": []}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"anchor": extract(args.against, Path(tmp)), "this tree": ROOT}
        for r in range(args.rounds):
            order = ["anchor", "this tree"] if r % 2 == 0 else ["this tree", "anchor"]
            for name in order:
                rate, cpu_rate, digest = run(roots[name], args.n, 1, args.warm)
                runs[name].append(rate)
                cpu[name].append(cpu_rate)
                print(
                    f"  {name}: {rate:,.0f} records/s, {cpu_rate:,.0f} per CPU second "
                    f"(documents digest {digest})"
                )
    for label, rates in (("wall clock", runs), ("CPU time", cpu)):
        anchor, this = statistics.median(rates["anchor"]), statistics.median(rates["this tree"])
        print(
            f"enrichment ({label}) this tree {this:,.0f} vs {args.against} {anchor:,.0f} "
            f"records/s: {this / anchor:.2f}x (medians, same {args.n} records, same run"
            f"{', warm caches' if args.warm else ''})"
        )
    this = statistics.median(runs["this tree"])
    rate, _cpu, digest = run(ROOT, args.n, 2, args.warm)
    print(
        f"this tree with 2 worker processes: {rate:,.0f} records/s "
        f"({rate / this:.2f}x serial; documents digest {digest})"
    )


if __name__ == "__main__":
    main()
