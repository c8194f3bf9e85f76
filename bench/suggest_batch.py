"""Automatic indexing speed in process: records/s of batch scoring beside one-by-one scoring.

Usage: .venv/bin/python bench/suggest_batch.py [--data-dir DIR] [--batch 256] [--rounds 3]

The data dir (default: a temporary one initialised with the bundled data) gets its model
trained first (not timed). Then every record without subjects (the 1,610 NBER papers of the
bundled sample) is scored with ``EnsembleSuggester.suggest_many`` in batches, and, as the
same-run anchor, with ``suggest`` one record at a time; interleaved rounds, medians.
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

from socsec.config import Settings
from socsec.workspace import Workspace

SOCSEC = str(Path(sys.executable).with_name("socsec"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="socsec-batch-") as tmp:
        root = args.data_dir or Path(tmp) / "data"
        env = {**os.environ, "SOCSEC_HOME": str(root)}
        subprocess.run([SOCSEC, "--quiet", "bib", "suggest", "--train"], env=env, check=True)
        from socsec.bibliography.store import get_store
        from socsec.suggest import service
        from socsec.suggest.text import document_from_record

        ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
        model = service.load_model(ws)
        with get_store(ws) as store:
            docs = [document_from_record(r) for r in store.iter_records() if not r.subjects]
        batched, single = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            for i in range(0, len(docs), args.batch):
                model.ensemble.suggest_many(docs[i : i + args.batch], 10)
            batched.append(len(docs) / (time.perf_counter() - started))
            started = time.perf_counter()
            for doc in docs:
                model.ensemble.suggest(doc, 10)
            single.append(len(docs) / (time.perf_counter() - started))
    figure, anchor = statistics.median(batched), statistics.median(single)
    print(
        json.dumps(
            {
                "records": len(docs),
                "batch": args.batch,
                "one_by_one_records_per_s": round(anchor, 1),
                "batched_records_per_s": round(figure, 1),
                "ratio_to_anchor": round(figure / anchor, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
