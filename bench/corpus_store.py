"""Make a socsec data dir holding N benchmark records (the fault tests and the 1M bench use it).

Usage:
    .venv/bin/python bench/corpus_store.py DATA_DIR --n 100000
    .venv/bin/python bench/corpus_store.py DATA_DIR --n 20000 --bundled

The records are the real NBER papers and EUR-Lex acts of bench/index_corpus.py, repeated with
new ids ("<id>~<n>") past the 31,399 real ones; the thesaurus is the full EuroVoc extract
(both from the shared data beside the repo). With ``--bundled`` they are the 1,802 records of
the sample bibliography shipped in the package, repeated the same way, with the bundled
thesaurus: nothing outside a clean clone is needed (the CI's quick fault test uses it).
An existing data dir with at least N records is reused.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import SHARED, corpus

from socsec.bibliography.store import BibliographyStore, Located
from socsec.config import Settings
from socsec.workspace import Workspace


def make(root: Path, n: int) -> Workspace:
    """The data dir at ``root`` with the full EuroVoc and ``n`` corpus records."""
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    if not ws.thesaurus_cache.exists():
        from socsec.thesaurus.manage import import_file

        root.mkdir(parents=True, exist_ok=True)
        import_file(ws, SHARED / "eurovoc/eurovoc-en-fr-es.ttl", replace=True)
    with BibliographyStore.open(ws.bibliography_db) as store:
        have = store.count()
        if have >= n:  # reused (fault tests add a record or two)
            return ws
        if have:
            raise SystemExit(f"{root} already holds {have} records, not {n}: remove it first")
        start = time.perf_counter()
        from socsec.thesaurus.lookup import get_cache

        located = (Located(r, i + 1) for i, r in enumerate(corpus(n)))
        with get_cache(ws) as cache:
            store.import_records(located, source="bench corpus", checker=cache)
        print(f"imported {n} records in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return ws


def make_bundled(root: Path, n: int) -> Workspace:
    """The data dir at ``root`` with the bundled data, its sample records repeated to ``n``."""
    from socsec.app.setup import open_workspace
    from socsec.thesaurus.lookup import get_cache

    ws = open_workspace(Settings.load(data_dir=root, env={}))  # bundled data on first use
    with BibliographyStore.open(ws.bibliography_db) as store:
        have = store.count()
        if have >= n:
            return ws
        base = [r for r in store.iter_records() if "~" not in r.id]
        if have != len(base):
            raise SystemExit(f"{root} holds {have} records, not the sample's: remove it first")
        start = time.perf_counter()
        repeats = (
            replace(base[i % len(base)], id=f"{base[i % len(base)].id}~{i // len(base)}")
            for i in range(len(base), n)
        )
        located = (Located(r, i + 1) for i, r in enumerate(repeats))
        with get_cache(ws) as cache:
            store.import_records(located, source="bundled sample, repeated", checker=cache)
        seconds = time.perf_counter() - start
        print(f"imported {n - have} records in {seconds:.0f} s", file=sys.stderr)
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--bundled", action="store_true", help="the package's sample records and thesaurus"
    )
    args = parser.parse_args()
    (make_bundled if args.bundled else make)(args.data_dir.absolute(), args.n)


if __name__ == "__main__":
    main()
