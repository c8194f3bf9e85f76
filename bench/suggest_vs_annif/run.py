"""socsec vs Annif on the EUR-Lex validation split (full EuroVoc), side by side.

Run from the repository root with socsec's venv (Annif lives in its own venv, a benchmark
dependency only):
    python3 -m venv bench/.annif-venv && bench/.annif-venv/bin/pip install "annif[omikuji]"
    .venv/bin/python bench/suggest_vs_annif/run.py [--skip-annif-train]

Steps: write the corpora and a Punkt model (prepare.py, in the Annif venv); load EuroVoc into
Annif; train tfidf, mllm, omikuji on the train split (plus two ensembles of them, one with
weights tuned on the validation docs: an optimistic bound); `annif eval` each
on the validation split; time per document = (eval of all validation docs - eval of one doc)
/ (n - 1), so Annif's start-up and model loading are left out. Then socsec's three methods,
trained on the same split with the same vocabulary (socsec.suggest.evaluate). Results are
written to bench/results/suggest_vs_annif/results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WORK = ROOT / "bench" / "results" / "suggest_vs_annif"
ANNIF_VENV = ROOT / "bench" / ".annif-venv"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
EUROVOC = SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"
EURLEX = SHARED / "eurlex" / "eurlex-train-validation.jsonl"
PROJECTS = ("tfidf", "mllm", "omikuji", "ensemble", "ensemble-tuned")


def annif(*args: str) -> float:
    """Run an annif command in WORK; returns its wall time in seconds."""
    env = os.environ | {
        "ANNIF_PROJECTS": str(WORK / "projects.toml"),
        "NLTK_DATA": str(WORK / "nltk_data"),
    }
    started = time.perf_counter()
    subprocess.run(
        [str(ANNIF_VENV / "bin" / "annif"), *args], cwd=WORK, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def run_annif(train: bool) -> dict[str, dict[str, float]]:
    """Train (optionally) and evaluate the Annif projects."""
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(ANNIF_VENV / "bin" / "python"), str(HERE / "prepare.py"), str(WORK)], check=True
    )
    shutil.copy(HERE / "projects.toml", WORK / "projects.toml")
    one = WORK / "corpus" / "one"
    one.mkdir(exist_ok=True)
    first = sorted((WORK / "corpus" / "validation").glob("*.txt"))[0]
    for path in (first, first.with_suffix(".tsv")):
        shutil.copy(path, one / path.name)
    n_docs = len(list((WORK / "corpus" / "validation").glob("*.txt")))
    if train:
        annif("load-vocab", "eurovoc", str(EUROVOC))
    results: dict[str, dict[str, float]] = {}
    for name in PROJECTS:
        project = f"eurovoc-{name}"
        trainable = train and not name.startswith("ensemble")
        train_s = annif("train", project, "corpus/train") if trainable else 0.0
        metrics = WORK / f"eval-{name}.json"
        args = ("--limit", "10", "--metric", "F1@5", "--metric", "NDCG@10")
        total = annif("eval", project, "corpus/validation", *args, "--metrics-file", str(metrics))
        single = annif("eval", project, "corpus/one", *args)
        found = json.loads(metrics.read_text())
        results[f"annif {name}"] = {
            "f1_at_5": found["F1@5"],
            "ndcg_at_10": found["NDCG@10"],
            "ms_per_doc": 1000 * max(total - single, 0.0) / (n_docs - 1),
            "ms_per_doc_with_startup": 1000 * total / n_docs,
            "train_seconds": train_s,
        }
    return results


def run_socsec() -> dict[str, dict[str, float]]:
    """socsec's methods trained on the train split and measured on the validation split."""
    from socsec.config import Settings
    from socsec.suggest.evaluate import evaluate_split, read_jsonl
    from socsec.suggest.vocabulary import Vocabulary
    from socsec.thesaurus.lookup import get_cache
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    root = WORK / "socsec-data"
    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    if not ws.thesaurus_cache.exists():
        root.mkdir(parents=True, exist_ok=True)
        import_file(ws, EUROVOC, replace=True)
    with get_cache(ws) as cache:
        vocab = Vocabulary.from_cache(cache)
    items = read_jsonl(EURLEX)
    train = [d for d, s in items if s == "train"]
    test = [d for d, s in items if s == "validation"]
    started = time.perf_counter()
    report = evaluate_split(train, test, vocab, source=str(EURLEX))
    elapsed = time.perf_counter() - started
    return {
        f"socsec {m.method}": {
            "f1_at_5": m.f1_at_5,
            "ndcg_at_10": m.ndcg_at_10,
            "ms_per_doc": m.ms_per_doc,
            "ms_per_doc_with_startup": m.ms_per_doc,  # in-process: no start-up to add
            "train_seconds": elapsed,  # one ensemble fit trains all three (incl. inner CV)
        }
        for m in report.methods
    }


def main() -> None:
    """Run both tools and print the table."""
    results = run_annif(train="--skip-annif-train" not in sys.argv)
    results |= run_socsec()
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    print(f"{'system':<22} {'F1@5':>7} {'nDCG@10':>8} {'ms/doc':>8} {'+start':>8} {'train s':>8}")
    for name, r in results.items():
        print(
            f"{name:<22} {r['f1_at_5']:>7.4f} {r['ndcg_at_10']:>8.4f} {r['ms_per_doc']:>8.1f} "
            f"{r['ms_per_doc_with_startup']:>8.1f} {r['train_seconds']:>8.1f}"
        )


if __name__ == "__main__":
    main()
