"""Measured suggestion quality: cross-validation or a train/test split, per method."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from socsec.errors import InputDataError
from socsec.suggest.assign import (
    ASSIGN_LIMIT,
    ASSIGN_THRESHOLD,
    THRESHOLDS,
    AssignedScores,
    assigned_scores,
)
from socsec.suggest.ensemble import EnsembleSuggester, Scorer, kfold
from socsec.suggest.lexical import LexicalSuggester
from socsec.suggest.metrics import f1_at_k, mean, ndcg_at_k, precision_at_k, recall_at_k
from socsec.suggest.model import Document, Method
from socsec.suggest.vocabulary import Vocabulary

ProgressFn = Callable[[int], None]
KS = (1, 3, 5, 10)
EUROVOC = "http://eurovoc.europa.eu/"


@dataclass(frozen=True)
class MethodScores:
    """Sample-averaged metrics of one method over the evaluated documents."""

    method: str
    documents: int
    precision: dict[int, float]
    recall: dict[int, float]
    f1_at_5: float
    ndcg_at_10: float
    ms_per_doc: float
    hit_at_5: float = 0.0  # share of documents with at least one gold subject in the top 5
    # Assigned sets (score >= threshold, at most ASSIGN_LIMIT) at the default threshold, and
    # over the range THRESHOLDS.
    assigned: AssignedScores | None = None
    thresholds: tuple[AssignedScores, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``precision_at_5`` etc. as flat keys)."""
        data: dict[str, object] = {"method": self.method, "documents": self.documents}
        data |= {f"precision_at_{k}": round(v, 4) for k, v in self.precision.items()}
        data |= {f"recall_at_{k}": round(v, 4) for k, v in self.recall.items()}
        data |= {
            "f1_at_5": round(self.f1_at_5, 4),
            "ndcg_at_10": round(self.ndcg_at_10, 4),
            "hit_at_5": round(self.hit_at_5, 4),
            "ms_per_doc": round(self.ms_per_doc, 2),
        }
        if self.assigned is not None:
            data["assigned"] = self.assigned.to_dict()
            data["thresholds"] = [a.to_dict() for a in self.thresholds]
        return data


@dataclass(frozen=True)
class EvalReport:
    """The result of an evaluation: where the documents came from, how they were split."""

    source: str
    protocol: str  # "5-fold cross-validation" or "train/validation split"
    train_documents: int
    test_documents: int
    methods: list[MethodScores]
    # The threshold the ensemble tuned on out-of-fold scores of its training records (the
    # mean over folds in cross-validation); None when the ensemble was not evaluated.
    tuned_threshold: float | None = None
    # Of train_documents, how many came from extra training files (never measured).
    also_train_documents: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "protocol": self.protocol,
            "train_documents": self.train_documents,
            "test_documents": self.test_documents,
            "also_train_documents": self.also_train_documents,
            "methods": [m.to_dict() for m in self.methods],
            "tuned_threshold": self.tuned_threshold,
        }


def score_rankings(
    method: str,
    scored: Sequence[Sequence[tuple[str, float]]],
    golds: Sequence[set[str]],
    seconds: float,
) -> MethodScores:
    """Average the per-document metrics of ranked (uri, score) lists against gold subjects."""
    n = len(scored)
    rankings = [[uri for uri, _s in found] for found in scored]
    pairs = list(zip(rankings, golds, strict=True))
    grid = sorted({*THRESHOLDS, ASSIGN_THRESHOLD})
    return MethodScores(
        method=method,
        documents=n,
        precision={k: mean([precision_at_k(r, g, k) for r, g in pairs]) for k in KS},
        recall={k: mean([recall_at_k(r, g, k) for r, g in pairs]) for k in KS},
        f1_at_5=mean([f1_at_k(r, g, 5) for r, g in pairs]),
        ndcg_at_10=mean([ndcg_at_k(r, g, 10) for r, g in pairs]),
        ms_per_doc=1000 * seconds / n if n else 0.0,
        hit_at_5=mean([float(any(u in g for u in r[:5])) for r, g in pairs]),
        assigned=assigned_scores(scored, golds, ASSIGN_THRESHOLD, ASSIGN_LIMIT),
        thresholds=tuple(assigned_scores(scored, golds, t, ASSIGN_LIMIT) for t in grid),
    )


def _members(model: Scorer | EnsembleSuggester, method: Method) -> Scorer:
    if isinstance(model, EnsembleSuggester) and method is not Method.ensemble:
        return model.lexical if method is Method.lexical else model.associative
    return model


def _train(vocab: Vocabulary, methods: Sequence[Method], docs: Sequence[Document]) -> Scorer:
    # One ensemble fit trains both members too; lexical alone needs no ensemble.
    model: Scorer
    if methods == [Method.lexical]:
        model = LexicalSuggester(vocab)
    else:
        model = EnsembleSuggester(vocab)
    model.fit(docs)
    return model


def _run(
    vocab: Vocabulary,
    methods: Sequence[Method],
    folds: Sequence[tuple[Sequence[Document], Sequence[Document]]],
    on_progress: ProgressFn | None,
) -> tuple[list[MethodScores], float | None]:
    rankings: dict[Method, list[list[tuple[str, float]]]] = {m: [] for m in methods}
    seconds: dict[Method, float] = dict.fromkeys(methods, 0.0)
    golds: list[set[str]] = []
    tuned: list[float] = []
    for train, test in folds:
        model = _train(vocab, list(methods), train)
        if isinstance(model, EnsembleSuggester) and Method.ensemble in methods:
            tuned.append(model.threshold)
        for method in methods:
            scorer = _members(model, method)
            started = time.perf_counter()
            rankings[method] += [[(s.uri, s.score) for s in scorer.suggest(d, 10)] for d in test]
            seconds[method] += time.perf_counter() - started
        golds += [set(d.subjects) for d in test]
        if on_progress is not None:
            on_progress(1)
    scores = [score_rankings(m.value, rankings[m], golds, seconds[m]) for m in methods]
    return scores, (round(sum(tuned) / len(tuned), 4) if tuned else None)


def cross_validate(
    docs: Sequence[Document],
    vocab: Vocabulary,
    *,
    methods: Sequence[Method] = tuple(Method),
    folds: int = 5,
    seed: int = 0,
    source: str = "",
    also_train: Sequence[Document] = (),
    on_progress: ProgressFn | None = None,
) -> EvalReport:
    """k-fold cross-validation on documents with subjects.

    Args:
        docs: documents; those without subjects are left out.
        vocab: the thesaurus snapshot.
        methods: methods to measure.
        folds: number of folds (at least 2).
        seed: shuffling seed.
        source: where the documents came from (for the report).
        also_train: documents added to every fold's training part, never measured.
        on_progress: called with 1 after each fold.

    Raises:
        InputDataError: fewer tagged documents than folds.
    """
    tagged = [d for d in docs if d.subjects]
    if folds < 2 or len(tagged) < folds:
        raise InputDataError(
            f"{len(tagged)} documents with subjects cannot be split into {folds} folds",
            hint="tag more records, or use fewer --folds (at least 2)",
        )
    extra = extra_training(also_train, tagged)
    parts = kfold(tagged, folds, seed)
    splits = []
    for held in parts:
        held_set = set(held)
        train = [d for i, d in enumerate(tagged) if i not in held_set]
        splits.append((train + extra, [tagged[i] for i in held]))
    scores, tuned = _run(vocab, methods, splits, on_progress)
    return EvalReport(
        source,
        f"{folds}-fold cross-validation",
        len(tagged) - len(parts[0]) + len(extra),
        len(tagged),
        scores,
        tuned,
        len(extra),
    )


def evaluate_split(
    train: Sequence[Document],
    test: Sequence[Document],
    vocab: Vocabulary,
    *,
    methods: Sequence[Method] = tuple(Method),
    source: str = "",
    also_train: Sequence[Document] = (),
    on_progress: ProgressFn | None = None,
) -> EvalReport:
    """Train on ``train`` (and ``also_train``), measure on the tagged documents of ``test``."""
    test = [d for d in test if d.subjects]
    extra = extra_training(also_train, test)
    train = [d for d in train if d.subjects] + extra
    if not train or not test:
        raise InputDataError(
            f"the split has {len(train)} training and {len(test)} test documents with subjects",
            hint="check the split field of the file",
        )
    scores, tuned = _run(vocab, methods, [(train, test)], on_progress)
    return EvalReport(
        source, "train/validation split", len(train), len(test), scores, tuned, len(extra)
    )


def extra_training(extra: Sequence[Document], measured: Sequence[Document]) -> list[Document]:
    """The tagged extra documents; one also measured would inflate every figure, so refused.

    Raises:
        InputDataError: an extra document has the id of a measured one.
    """
    measured_ids = {d.id for d in measured}
    for doc in extra:
        if doc.id in measured_ids:
            raise InputDataError(
                f"document {doc.id} is both measured and in the extra training documents",
                hint="an extra training file must not repeat the documents measured",
            )
    return [d for d in extra if d.subjects]


def read_jsonl(path: Path) -> list[tuple[Document, str]]:
    """Documents with their split ("" when none) from a JSON-lines file.

    Each line is an object with ``title``, ``text`` (or ``abstract``), ``lang`` (or
    ``language``), ``subjects`` (URIs) or ``eurovoc_ids`` (EuroVoc ids, as in the EUR-Lex
    file), an ``id`` and an optional ``split``.

    Raises:
        InputDataError: the file is missing, or a line is not such an object.
    """
    if not path.is_file():
        raise InputDataError("file not found", path=path)
    out: list[tuple[Document, str]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("expected a JSON object")
                subjects = [str(s) for s in item.get("subjects") or ()]
                subjects += [EUROVOC + str(i) for i in item.get("eurovoc_ids") or ()]
                doc = Document(
                    id=str(item.get("id") or number),
                    title=str(item.get("title") or ""),
                    text=str(item.get("text") or item.get("abstract") or ""),
                    lang=item.get("lang") or item.get("language"),
                    subjects=tuple(dict.fromkeys(subjects)),
                )
            except (ValueError, TypeError) as exc:
                raise InputDataError(str(exc), path=path, line=number) from None
            out.append((doc, str(item.get("split") or "")))
    return out
