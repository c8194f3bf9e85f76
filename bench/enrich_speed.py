"""Enrichment records/s of this tree against git revisions', and with worker processes.

Usage:
    .venv/bin/python bench/enrich_speed.py [--n 31399] [--against f3c461a --against 9911ad0]
        [--rounds 2] [--warm] [--workers 2] [--same-as d09fb61]

Anchors: f3c461a is the revision issue #20 was filed at (its "2,300 records/s"), 9911ad0 the
base of the first session on it. Each revision's ``socsec`` package is extracted with ``git
archive`` into a temporary dir. Each run is a child process that enriches the same first N
distinct real records (NBER + EUR-Lex, no repeats, in memory) with the full EuroVoc, after
building the label matcher (not timed), in the order A B C C B A ... (the anchors are
measured in the same run). Rates are given by wall clock and per CPU second of the process
(less sensitive to other load on a shared machine). Older revisions lack the newer API: the
child adapts (no worker processes there, which they did not have).

Each run prints a digest of its documents (every field): ``--same-as`` runs that revision
once and says whether this tree gives byte-identical documents (the f3c461a and 9911ad0
anchors analyse differently, so theirs differ). Last, the rebuild path on the same records
held in a store: serial (``store.iter_records`` + enrich) against ``--workers`` processes
that read their slices of the store themselves (``index.workers``), by wall clock, in the
order S P P S; both must give the same digest. The store is made once under
$SOCSEC_BENCH_DIR (default /tmp/socsec-bench).
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
import hashlib, os, resource, sys, time
sys.path[:0] = [{root!r}, {bench!r}]  # before the editable install and the working dir
import socsec
assert socsec.__file__.startswith({root!r}), socsec.__file__
from index_corpus import corpus, workspace
from socsec.indexer.documents import Enricher
from socsec.thesaurus.lookup import get_cache

def cpu():  # this process and its waited-for children (the workers)
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in used)

records = list(corpus({n}))
with get_cache(workspace()) as cache:
    enricher = Enricher(cache)
    _ = enricher.matcher
    for _r in records[: {warm}]:  # --warm: caches filled as after a rebuild's first records
        enricher.enrich(_r)
    store = None
    if {store!r}:
        from socsec.bibliography.store import BibliographyStore
        from socsec.indexer.parallel import enrich_store
        store = BibliographyStore.open(__import__("pathlib").Path({store!r}))
        docs = enrich_store(enricher, cache.path, store, {workers})
    else:
        docs = enricher.enrich_all(records)
    digest = hashlib.blake2b(digest_size=8)
    load = os.getloadavg()[0]
    start, used, count = time.perf_counter(), cpu(), 0
    for doc in docs:
        digest.update(repr(doc).encode())
        count += 1
    wall = time.perf_counter() - start
    rate = count / wall
    if store is not None:
        store.close()
    cpu_rate = count / (cpu() - used)
    assert count == len(records), count
print(f"{{rate:.1f}} {{cpu_rate:.1f}} {{digest.hexdigest()}} {{load:.2f}}")
"""


def run(
    package_root: Path, n: int, warm: bool, store: Path | None = None, workers: int = 1
) -> tuple[float, float, str, float]:
    """Records/s (wall, CPU), documents digest and load average of one child."""
    code = CHILD.format(
        root=str(package_root),
        bench=str(HERE),
        n=n,
        warm=n if warm else 0,
        store=str(store) if store else "",
        workers=workers,
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=package_root, check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), out[2], float(out[3])


def extract(rev: str, into: Path) -> Path:
    """The ``socsec`` package of git revision ``rev``, extracted under ``into``."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "socsec"], check=True, capture_output=True
    ).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(into, filter="data")
    return into


def bench_store(n: int) -> Path:
    """A store holding the first ``n`` corpus records (made once, reused)."""
    sys.path.insert(0, str(HERE))
    from index_corpus import BENCH_DIR, corpus, workspace

    from socsec.bibliography.store import BibliographyStore, Located
    from socsec.thesaurus.lookup import get_cache

    path = BENCH_DIR / f"enrich-store-{n}.sqlite"
    with BibliographyStore.open(path) as store:
        if store.count() != n:
            if store.count():
                raise SystemExit(f"{path} holds {store.count()} records, not {n}: remove it")
            located = (Located(r, i + 1) for i, r in enumerate(corpus(n)))
            with get_cache(workspace()) as cache:
                store.import_records(located, source="enrich bench", checker=cache)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=31_399)
    parser.add_argument(
        "--against", action="append", help="git revision of an anchor (default f3c461a, 9911ad0)"
    )
    parser.add_argument("--same-as", default="d09fb61", help="revision whose documents must match")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="enrich the records once before timing (word and concept caches full, as in "
        "the later part of a large rebuild)",
    )
    args = parser.parse_args()
    anchors = args.against or ["f3c461a", "9911ad0"]
    names = [*anchors, "this tree"]
    runs: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {rev: extract(rev, Path(tmp) / rev) for rev in anchors}
        roots["this tree"] = ROOT
        for r in range(args.rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                rate, cpu_rate, digest, load = run(roots[name], args.n, args.warm)
                runs[name].append(rate)
                cpu[name].append(cpu_rate)
                digests[name] = digest
                print(
                    f"  {name}: {rate:,.0f} records/s, {cpu_rate:,.0f} per CPU second "
                    f"(documents digest {digest}, load {load:.2f})",
                    flush=True,
                )
        if args.same_as:
            same = run(extract(args.same_as, Path(tmp) / "same"), args.n, args.warm)[2]
            verdict = "identical" if same == digests["this tree"] else "DIFFERENT"
            print(f"documents of this tree and {args.same_as}: {verdict} ({same})")
    this_wall = statistics.median(runs["this tree"])
    for label, rates in (("wall clock", runs), ("CPU time", cpu)):
        this = statistics.median(rates["this tree"])
        for rev in anchors:
            anchor = statistics.median(rates[rev])
            print(
                f"enrichment ({label}) this tree {this:,.0f} vs {rev} {anchor:,.0f} "
                f"records/s: {this / anchor:.2f}x (medians, same {args.n} records, same run"
                f"{', warm caches' if args.warm else ''})"
            )
    if args.workers > 1:
        store = bench_store(args.n)
        rebuild: dict[int, list[float]] = {1: [], args.workers: []}
        seen: set[str] = set()
        for workers in (1, args.workers, args.workers, 1):
            rate, cpu_rate, digest, load = run(ROOT, args.n, args.warm, store, workers)
            rebuild[workers].append(rate)
            seen.add(digest)
            print(
                f"  store, {workers} process(es): {rate:,.0f} records/s, {cpu_rate:,.0f} per "
                f"CPU second of all processes (digest {digest}, load {load:.2f})",
                flush=True,
            )
        serial = statistics.median(rebuild[1])
        par = statistics.median(rebuild[args.workers])
        print(
            f"rebuild path (records read from the store): {args.workers} workers {par:,.0f} vs "
            f"serial {serial:,.0f} records/s = {par / serial:.2f}x wall clock; "
            f"{par / this_wall:.2f}x this tree serial in memory; "
            + "; ".join(f"{par / statistics.median(runs[rev]):.2f}x {rev}" for rev in anchors)
            + f"; documents {'identical' if len(seen) == 1 else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
