"""In-process timing of typo (fuzzy) lookups with all of EuroVoc (prints figures, asserts nothing).

Usage: .venv/bin/python bench/thesaurus_fuzzy.py [--runs 31] [--bundled-only]

Builds a data dir from the bundled thesaurus plus all of EuroVoc (7,317 concepts) from
/work/shared/data, opens the cache once (as `socsec serve` does), warms it, then times
lookups of misspelt terms (the fuzzy rung) next to an exact lookup measured in the same run
(the anchor), interleaved, and prints medians and the ratio to the anchor. The fuzzy matcher
alone (``ThesaurusCache._fuzzy``, the candidate prefilter plus rapidfuzz) is timed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

SHARED = Path(
    os.environ.get("SOCSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
TYPOS = [
    "unemploymnet",
    "seguro de desempelo",
    "pensoin",
    "unemploymnet benefit",
    "cotisation socaile",
    "asurance chomage",
    "disability pensoin",
    "helth insurance",
]
ANCHOR = "early retirement"


def prepare(root: Path, full: bool) -> None:
    from socsec.config import Settings
    from socsec.thesaurus.bundle import initialize_thesaurus
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    initialize_thesaurus(ws)
    if full:
        import_file(ws, SHARED / "eurovoc/eurovoc-en-fr-es.ttl")


def ms(fn: object, *args: object, **kwargs: object) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call (CPU time moves less on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--bundled-only", action="store_true")
    args = parser.parse_args()
    from socsec.analysis import fold
    from socsec.thesaurus.lookup import FUZZY_HIT_CUTOFF, ThesaurusCache

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare(root, not args.bundled_only)
        cache = ThesaurusCache.open(root / "thesaurus.sqlite")
        for term in [ANCHOR, *TYPOS]:  # warm-up: imports, stemmers, length buckets
            cache.lookup(term)
        times: dict[str, list[tuple[float, float]]] = {"anchor": [], "lookup": [], "matcher": []}
        for _ in range(args.runs):
            for term in TYPOS:
                times["anchor"].append(ms(cache.lookup, ANCHOR))
                times["lookup"].append(ms(cache.lookup, term))
                times["matcher"].append(
                    ms(cache._fuzzy, fold(term), None, "", [], FUZZY_HIT_CUTOFF, 40)
                )
        anchor = statistics.median(w for w, _c in times["anchor"])
        print(f"{cache.count()} concepts; {args.runs} rounds x {len(TYPOS)} misspelt terms")
        print(f"  (load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        print("  ms: wall median / wall p95 / CPU median; ratio of wall medians to the anchor")
        for name, values in times.items():
            walls = [w for w, _c in values]
            med = statistics.median(walls)
            p95 = statistics.quantiles(walls, n=20)[-1]
            cpu = statistics.median(c for _w, c in values)
            print(f"  {name:8s} {med:6.2f} / {p95:6.2f} / {cpu:6.2f}   x{med / anchor:5.1f}")
        print(f"  anchor = exact lookup of {ANCHOR!r} in the same run")


if __name__ == "__main__":
    main()
