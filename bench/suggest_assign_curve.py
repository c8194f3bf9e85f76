"""Precision/recall curves of assigned subject sets: 5-fold CV on the EUR-Lex training acts,
then (only with ``--validation``) the validation acts, read once.

The product ensemble (``EnsembleSuggester``, all of EuroVoc) ranks each document's concepts;
the assigned set is the concepts scoring at least a threshold, at most ``limit`` of them.
For each limit the script prints micro precision and recall per threshold, and the highest
recall among thresholds whose precision is at least 0.6 (issue 13's target: precision >= 0.6
at recall >= 0.4). It also prints F1@5 of the rankings. The validation labels are used for
nothing but these figures.

``--also-train`` adds the 188 newer acts of tests/data/suggest/eurlex-test-part.jsonl to the
validation model's training acts (not to the cross-validation, which stays on the training acts);
``--also-train-file PATH`` (repeatable) adds the acts of such a JSON-lines file too (e.g. the
EURLEX57K acts written by scripts/eurlex57k.py; an act also measured is refused). The
validation run also prints P@5, nDCG@10, the assigned sets at the tuned threshold (at most 5)
and the training time.

    nice -n 5 .venv/bin/python bench/suggest_assign_curve.py [--validation] [--also-train]
        [--also-train-file PATH ...] [--skip-cv] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
EURLEX = SHARED / "eurlex" / "eurlex-train-validation.jsonl"
EUROVOC = SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"
NEWER = Path(__file__).resolve().parents[1] / "tests/data/suggest/eurlex-test-part.jsonl"
LIMITS = (3, 5, 10)
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 13))
WINDOW = 10  # suggestions kept per document (the largest limit)


def curves(ranked: list[list[tuple[str, float]]], golds: list[set[str]]) -> dict[str, Any]:
    """F1@5 and, per limit, (threshold, precision, recall, assigned per doc) rows."""
    from socsec.suggest.assign import assigned_scores
    from socsec.suggest.metrics import f1_at_k, mean, ndcg_at_k, precision_at_k

    pairs = [([u for u, _ in r], g) for r, g in zip(ranked, golds, strict=True)]
    out: dict[str, Any] = {
        "documents": len(golds),
        "gold_per_doc": round(sum(map(len, golds)) / len(golds), 2),
        "f1_at_5": round(mean([f1_at_k(r, g, 5) for r, g in pairs]), 4),
        "precision_at_5": round(mean([precision_at_k(r, g, 5) for r, g in pairs]), 4),
        "ndcg_at_10": round(mean([ndcg_at_k(r, g, 10) for r, g in pairs]), 4),
    }
    for limit in LIMITS:
        rows = [assigned_scores(ranked, golds, t, limit) for t in THRESHOLDS]
        reach = [a.recall for a in rows if a.precision >= 0.6]
        out[f"limit_{limit}"] = {
            "curve": [
                [a.threshold, round(a.precision, 3), round(a.recall, 3), round(a.per_doc, 2)]
                for a in rows
            ],
            "best_recall_at_precision_0.6": round(max(reach), 3) if reach else None,
        }
    return out


def main() -> None:
    """Train, rank, print the curves."""
    from socsec.config import Settings
    from socsec.suggest.ensemble import EnsembleSuggester, kfold
    from socsec.suggest.evaluate import extra_training, read_jsonl
    from socsec.suggest.vocabulary import Vocabulary
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    parser = argparse.ArgumentParser()
    parser.add_argument("--validation", action="store_true", help="also read the validation acts")
    parser.add_argument("--skip-cv", action="store_true", help="no cross-validation run")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument(
        "--also-train", action="store_true",
        help=f"train the validation model on {NEWER.name} too (the newer acts)",
    )  # fmt: skip
    parser.add_argument(
        "--also-train-file", type=Path, action="append", default=[], metavar="PATH",
        help="train the validation model on this JSON-lines file's acts too (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    items = read_jsonl(EURLEX)
    train = [d for d, s in items if s == "train" and d.subjects]
    extra_files = ([NEWER] if args.also_train else []) + args.also_train_file
    extra = [d for path in extra_files for d, _s in read_jsonl(path)]
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(root=Path(tmp), settings=Settings.load(data_dir=Path(tmp), env={}))
        import_file(ws, EUROVOC, replace=True)
        with ThesaurusCache.open(ws.thesaurus_cache) as cache:
            vocab = Vocabulary.from_cache(cache)

    def rank(model: EnsembleSuggester, docs: list) -> list[list[tuple[str, float]]]:  # type: ignore[type-arg]
        return [[(s.uri, s.score) for s in found] for found in model.suggest_many(docs, WINDOW)]

    figures: dict[str, dict[str, Any]] = {}
    ranked: list[list[tuple[str, float]]] = [[] for _d in train]
    for held in [] if args.skip_cv else kfold(train, 5, 0):
        held_set = set(held)
        model = EnsembleSuggester(vocab)
        model.fit([d for i, d in enumerate(train) if i not in held_set])
        for i, found in zip(held, rank(model, [train[i] for i in held]), strict=True):
            ranked[i] = found
    if not args.skip_cv:
        figures["cv_train"] = curves(ranked, [set(d.subjects) for d in train])
    if args.validation:
        from socsec.suggest.assign import assigned_scores

        test = [d for d, s in items if s != "train" and d.subjects]
        newer = extra_training(extra, test)  # refuses a measured act
        model = EnsembleSuggester(vocab)
        started = time.perf_counter()
        model.fit(train + newer)
        seconds = time.perf_counter() - started
        ranked_test = rank(model, test)
        golds = [set(d.subjects) for d in test]
        figures["validation"] = curves(ranked_test, golds)
        tuned = assigned_scores(ranked_test, golds, model.threshold, 5)
        figures["validation"] |= {
            "train_documents": len(train) + len(newer),
            "fit_seconds": round(seconds, 1),
            "weights": vars(model.weights),
            "tuned_threshold": model.threshold,
            "assigned_at_tuned_5": tuned.to_dict(),
        }
    for name, fig in figures.items():
        print(
            f"{name}: {fig['documents']} documents, {fig['gold_per_doc']} gold each,"
            f" F1@5 {fig['f1_at_5']}, P@5 {fig['precision_at_5']}, nDCG@10 {fig['ndcg_at_10']}"
        )
        for key in ("train_documents", "fit_seconds", "weights", "tuned_threshold"):
            if key in fig:
                print(f"  {key}: {fig[key]}")
        if "assigned_at_tuned_5" in fig:
            print("  assigned at the tuned threshold, at most 5:", fig["assigned_at_tuned_5"])
        for limit in LIMITS:
            part = fig[f"limit_{limit}"]
            print(
                f"  limit {limit}: best recall at precision >= 0.6:",
                part["best_recall_at_precision_0.6"],
            )
            print("    threshold precision recall per_doc")
            for t, p, r, n in part["curve"]:
                print(f"    {t:9.2f} {p:9.3f} {r:6.3f} {n:7.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
