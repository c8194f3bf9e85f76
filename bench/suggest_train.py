"""Training the suggestion model at scale: seconds and peak memory, on the 100k bench corpus.

Usage: .venv/bin/python bench/suggest_train.py [--records 100000] [--data-dir DIR]

The data dir (default /tmp/socsec-bench-suggest-<records>) gets the full EuroVoc and the
bench corpus of bench/index_corpus.py (real NBER and EUR-Lex records, repeated with new ids;
the EUR-Lex copies carry their gold subjects) on first use. Then ``socsec.suggest.service.
train`` runs in this process; the anchor is the peak RSS after loading the libraries and
before training, in the same process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index_corpus import SHARED, corpus, peak_rss_mb

from socsec.config import Settings
from socsec.workspace import Workspace


def prepare(root: Path, n: int) -> Workspace:
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    if (root / "prepared").exists():
        return ws
    from socsec.bibliography.store import Located, get_store
    from socsec.thesaurus.lookup import get_cache
    from socsec.thesaurus.manage import import_file

    root.mkdir(parents=True, exist_ok=True)
    import_file(ws, SHARED / "eurovoc/eurovoc-en-fr-es.ttl", replace=True)
    with get_store(ws) as store, get_cache(ws) as checker:
        located = (Located(r, i + 1) for i, r in enumerate(corpus(n)))
        store.import_records(located, source="bench corpus", checker=checker)
    (root / "prepared").touch()
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--prepare", action="store_true", help="only fill the data dir")
    args = parser.parse_args()
    root = args.data_dir or Path(f"/tmp/socsec-bench-suggest-{args.records}")
    if args.prepare:
        prepare(root, args.records)
        return
    if not (root / "prepared").exists():
        # In a child process: the import's own memory must not count as training's.
        cmd = [sys.executable, __file__, "--prepare", "--records", str(args.records)]
        subprocess.run([*cmd, "--data-dir", str(root)], check=True)
    ws = prepare(root, args.records)
    import numpy  # noqa: F401  (libraries loaded before the anchor)

    from socsec.suggest import service

    anchor = peak_rss_mb()
    started = time.perf_counter()
    model = service.train(ws)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "records_in_store": args.records,
                "training_records": model.records,
                "concepts": len(model.ensemble.vocab),
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "anchor_rss_mb_before_training": round(anchor, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
