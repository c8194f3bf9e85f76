"""Enrichment records/s of this tree against a git revision's, and with worker processes.

Usage:
    .venv/bin/python bench/enrich_speed.py [--n 20000] [--against 9911ad0] [--rounds 2]

The revision's ``socsec`` package is extracted with ``git archive`` into a temporary dir.
Each run is a child process that enriches the same first N distinct real records (NBER +
EUR-Lex, no repeats) with the full EuroVoc, after building the label matcher (not timed),
in the order A B B A ... (A = the revision: the anchor, same run). Each run also prints a
digest of the documents' fingerprints: equal digests mean both trees produce the same
documents. Last, this tree with ``index.workers`` = 2 worker processes on the same records.
"""

from __future__ import annotations

import argparse
import os
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
sys.path.insert(0, {bench!r})
from index_corpus import corpus, workspace
from socsec.indexer.documents import Enricher
from socsec.indexer.parallel import enrich_parallel
from socsec.thesaurus.lookup import get_cache

records = list(corpus({n}))
with get_cache(workspace()) as cache:
    enricher = Enricher(cache)
    _ = enricher.matcher
    digest = hashlib.blake2b(digest_size=8)
    start = time.perf_counter()
    for doc in enrich_parallel(enricher, cache.path, iter(records), {workers}):
        digest.update(doc.fingerprint.encode())
    rate = len(records) / (time.perf_counter() - start)
print(f"{{rate:.1f}} {{digest.hexdigest()}}")
"""


def run(package_root: Path, n: int, workers: int) -> tuple[float, str]:
    """Records/s and documents digest of one child enriching with ``package_root``'s socsec."""
    code = CHILD.format(bench=str(HERE), n=n, workers=workers)
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), out[1]


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
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"anchor": [], "this tree": []}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"anchor": extract(args.against, Path(tmp)), "this tree": ROOT}
        for r in range(args.rounds):
            order = ["anchor", "this tree"] if r % 2 == 0 else ["this tree", "anchor"]
            for name in order:
                rate, digest = run(roots[name], args.n, 1)
                runs[name].append(rate)
                print(f"  {name}: {rate:,.0f} records/s (documents digest {digest})")
    anchor, this = statistics.median(runs["anchor"]), statistics.median(runs["this tree"])
    print(
        f"enrichment this tree {this:,.0f} vs {args.against} {anchor:,.0f} records/s: "
        f"{this / anchor:.2f}x (medians, same {args.n} records, same run)"
    )
    rate, digest = run(ROOT, args.n, 2)
    print(
        f"this tree with 2 worker processes: {rate:,.0f} records/s "
        f"({rate / this:.2f}x serial; documents digest {digest})"
    )


if __name__ == "__main__":
    main()
