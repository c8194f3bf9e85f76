"""Precision and recall of automatic subject sets by threshold, on the EUR-Lex split.

The ensemble is trained on the ``split == "train"`` documents of the EUR-Lex file (all of
EuroVoc as vocabulary) and assigns, to each validation document, the concepts scoring at
least a threshold, at most ``--limit`` of them: what ``socsec bib autoindex`` does. Precision
and recall are micro-averaged over the assigned sets (and macro per document beside).

    .venv/bin/python bench/autoindex_threshold.py [--limit 3] [--title-only]
        [--title-label SCORE] [--window N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
EURLEX = SHARED / "eurlex" / "eurlex-train-validation.jsonl"
EUROVOC = SHARED / "eurovoc" / "eurovoc-en-fr-es.ttl"
THRESHOLDS = (0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def main() -> None:
    """Train once, then print precision/recall/F1 of the assigned sets per threshold."""
    from socsec.config import Settings
    from socsec.suggest.ensemble import EnsembleSuggester
    from socsec.suggest.evaluate import read_jsonl
    from socsec.suggest.vocabulary import Vocabulary
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=3)
    parser.add_argument("--title-label", type=float, default=None)
    parser.add_argument(
        "--multiword", action="store_true", help="--title-label only for labels of 2+ words"
    )
    parser.add_argument(
        "--window", type=int, default=None, help="suggestions looked at (default: limit + 5)"
    )
    parser.add_argument(
        "--title-only", action="store_true", help="validation documents without their text"
    )
    args = parser.parse_args()
    items = read_jsonl(EURLEX)
    train = [d for d, s in items if s == "train" and d.subjects]
    test = [d for d, s in items if s != "train" and d.subjects]
    if args.title_only:  # as a record with no abstract (the NBER papers) is indexed
        import dataclasses

        test = [dataclasses.replace(d, text="") for d in test]
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(root=Path(tmp), settings=Settings.load(data_dir=Path(tmp), env={}))
        import_file(ws, EUROVOC, replace=True)
        with ThesaurusCache.open(ws.thesaurus_cache) as cache:
            vocab = Vocabulary.from_cache(cache)
    model = EnsembleSuggester(vocab)
    model.fit(train)
    ranked = [(set(d.subjects), model.suggest(d, args.window or args.limit + 5)) for d in test]
    print(f"train {len(train)} validation {len(test)} limit {args.limit}")
    print("threshold  precision  recall  F1     docs_with_any  mean_assigned")
    for t in THRESHOLDS:
        tp = assigned = gold = with_any = 0
        for truth, found in ranked:
            kept = [s.uri for s in found if _kept(s, t, args.title_label, args.multiword)]
            kept = kept[: args.limit]
            tp += len(truth & set(kept))
            assigned += len(kept)
            gold += len(truth)
            with_any += bool(kept)
        p = tp / assigned if assigned else 0.0
        r = tp / gold if gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        mean = assigned / len(ranked)
        print(f"{t:9.2f}  {p:9.3f}  {r:6.3f}  {f:.3f}  {with_any:13d}  {mean:13.2f}")


def _kept(s: object, t: float, title_label: float | None, multiword: bool = False) -> bool:
    score = s.score  # type: ignore[attr-defined]
    if score >= t:
        return True
    if title_label is None or score < title_label:
        return False
    return any(
        e.source == "label" and e.where == "title" and (not multiword or " " in e.detail)
        for e in s.evidence  # type: ignore[attr-defined]
    )


if __name__ == "__main__":
    main()
