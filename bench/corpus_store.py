"""Make a socsec data dir holding N benchmark records (the fault tests and the 1M bench use it).

Usage:
    .venv/bin/python bench/corpus_store.py DATA_DIR --n 100000

The records are the real NBER papers and EUR-Lex acts of bench/index_corpus.py, repeated with
new ids ("<id>~<n>") past the 31,399 real ones; the thesaurus is the full EuroVoc extract.
An existing data dir with at least N records is reused.
"""

from __future__ import annotations

import argparse
import sys
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    make(args.data_dir.absolute(), args.n)


if __name__ == "__main__":
    main()
