"""Suggestion in a data dir: the trained model file, suggesting, applying, reviewing, evaluating.

The model (thesaurus snapshot, lexical and associative members, ensemble weights) is trained on
the records with curated subjects and pickled in ``<data dir>/suggest/model.pickle``. It is
trained on first use and again whenever the thesaurus changed since (its cache version).
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.errors import InputDataError, NotFoundError
from socsec.fileutil import atomic_write_bytes
from socsec.suggest.ensemble import EnsembleSuggester, Scorer
from socsec.suggest.evaluate import EvalReport, cross_validate, evaluate_split, read_jsonl
from socsec.suggest.model import Document, Method, Suggestion
from socsec.suggest.text import document_from_record, document_from_text, document_language
from socsec.suggest.vocabulary import Vocabulary

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

Notify = Callable[[str], None]
ProgressFn = Callable[[int], None]
MODEL_FORMAT = 1


@dataclass
class SuggestModel:
    """What is pickled: the trained ensemble and where it came from."""

    ensemble: EnsembleSuggester
    thesaurus_version: str
    records: int
    trained_at: str
    seconds: float
    curated_links: int = 0
    format: int = MODEL_FORMAT

    def scorer(self, method: Method) -> Scorer:
        """The member (or the ensemble) answering for ``method``."""
        if method is Method.lexical:
            return self.ensemble.lexical
        if method is Method.associative:
            return self.ensemble.associative
        return self.ensemble

    def info(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "records": self.records,
            "concepts": len(self.ensemble.vocab),
            "thesaurus_version": self.thesaurus_version,
            "trained_at": self.trained_at,
            "seconds": round(self.seconds, 2),
            "weights": dataclasses.asdict(self.ensemble.weights),
        }


@dataclass(frozen=True)
class SuggestResult:
    """Suggestions for one document."""

    record_id: str
    title: str
    lang: str
    method: str
    suggestions: list[Suggestion]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "record_id": self.record_id,
            "title": self.title,
            "lang": self.lang,
            "method": self.method,
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


def model_path(ws: Workspace) -> Path:
    """Where the trained model of a data dir is kept."""
    return ws.root / "suggest" / "model.pickle"


def training_documents(store: BibliographyStore) -> list[Document]:
    """Documents of the records that have curated subjects."""
    docs = (document_from_record(r) for r in store.iter_records())
    return [d for d in docs if d.subjects]


def _curated_links(store: BibliographyStore) -> int:
    return int(str(store.stats()["curated_links"]))


def train(ws: Workspace, *, on_progress: ProgressFn | None = None, folds: int = 3) -> SuggestModel:
    """Train the model on the records with curated subjects and save it in the data dir.

    Raises:
        NotFoundError: the data dir has no thesaurus.
    """
    from socsec.bibliography.store import get_store
    from socsec.thesaurus.lookup import get_cache

    started = time.perf_counter()
    with get_store(ws) as store:
        docs = training_documents(store)
        links = _curated_links(store)
    # With no curated record the lexical method still works (untrained formula); the
    # associative one then suggests nothing.
    with get_cache(ws) as cache:
        vocab = Vocabulary.from_cache(cache)
    ensemble = EnsembleSuggester(vocab, folds=folds)
    ensemble.fit(docs, on_progress=on_progress)
    model = SuggestModel(
        ensemble=ensemble,
        thesaurus_version=vocab.version,
        records=len(docs),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - started,
        curated_links=links,
    )
    atomic_write_bytes(model_path(ws), pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    return model


def load_model(ws: Workspace, *, on_notice: Notify | None = None) -> SuggestModel:
    """The saved model; trained first when missing, or when the thesaurus or the number of
    curated subject links changed since.
    """
    from socsec.bibliography.store import get_store
    from socsec.thesaurus.lookup import get_cache

    notify = on_notice or (lambda _m: None)
    path = model_path(ws)
    with get_cache(ws) as cache:
        version = cache.version()
    with get_store(ws) as store:
        links = _curated_links(store)
    if path.is_file():
        # The file is written only by train() into the user's own data dir.
        model = pickle.loads(path.read_bytes())
        if (
            isinstance(model, SuggestModel)
            and model.format == MODEL_FORMAT
            and model.thesaurus_version == version
            and model.curated_links == links
        ):
            return model
        notify("The thesaurus or the curated subjects changed since training: retraining.")
    else:
        notify("Training the suggestion model on the records with curated subjects (once).")
    return train(ws)


def target_document(
    store: BibliographyStore,
    *,
    record_id: str | None = None,
    text: str | None = None,
    file: Path | None = None,
    lang: str | None = None,
) -> Document:
    """The document to suggest for: a record, a text, or a text file (exactly one).

    Raises:
        NotFoundError: no such record or file.
        InputDataError: the text is empty, or the file is not UTF-8.
    """
    if record_id is not None:
        record = store.get(record_id)
        doc = document_from_record(record)
        return dataclasses.replace(doc, lang=lang or doc.lang)
    if file is not None:
        if not file.is_file():
            raise NotFoundError(f"file not found: {file}")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputDataError(f"not UTF-8 text ({exc.reason})", path=file) from None
    if not text or not text.strip():
        raise InputDataError("the text to suggest subjects for is empty")
    return document_from_text(text, lang=lang)


def suggest(
    ws: Workspace,
    doc: Document,
    *,
    method: Method = Method.ensemble,
    limit: int = 10,
    on_notice: Notify | None = None,
) -> SuggestResult:
    """Ranked concepts for ``doc`` with their preferred labels in its language."""
    from socsec.thesaurus.lookup import get_cache

    model = load_model(ws, on_notice=on_notice)
    lang = document_language(doc)
    found = model.scorer(method).suggest(doc, limit)
    with get_cache(ws) as cache:
        labelled = [dataclasses.replace(s, label=cache.pref_label(s.uri, lang)) for s in found]
    return SuggestResult(doc.id, doc.title, lang, method.value, labelled)


def review_queue(
    ws: Workspace,
    *,
    method: Method = Method.ensemble,
    limit: int = 5,
    records: int | None = None,
    min_score: float = 0.0,
    on_notice: Notify | None = None,
) -> Iterator[SuggestResult]:
    """Suggestions scoring at least ``min_score`` for each record without subjects (records
    left with none are skipped), one record at a time; at most ``records`` records.
    """
    from socsec.bibliography.store import get_store

    load_model(ws, on_notice=on_notice)  # train before the first record, not in the middle
    with get_store(ws) as store:
        ids = [r.id for r in store.iter_records() if not r.subjects]
    shown = 0
    for rid in ids:
        if records is not None and shown >= records:
            return
        with get_store(ws) as store:
            doc = target_document(store, record_id=rid)
        result = suggest(ws, doc, method=method, limit=limit)
        kept = [s for s in result.suggestions if s.score >= min_score]
        if kept:
            shown += 1
            yield dataclasses.replace(result, suggestions=kept)


def _vocabulary(ws: Workspace, thesaurus: Path | None) -> Vocabulary:
    from socsec.thesaurus.lookup import get_cache

    if thesaurus is None:
        with get_cache(ws) as cache:
            return Vocabulary.from_cache(cache)
    return Vocabulary.from_cache(_compiled(ws, thesaurus))


def _compiled(ws: Workspace, thesaurus: Path) -> ThesaurusCache:
    """A lookup cache of a thesaurus file, compiled once into the data dir (by content)."""
    from socsec.thesaurus.lookup import ThesaurusCache, get_cache
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    if not thesaurus.is_file():
        raise NotFoundError(f"thesaurus file not found: {thesaurus}")
    digest = hashlib.sha256(thesaurus.read_bytes()).hexdigest()[:16]
    other = Workspace(root=ws.root / "suggest" / "thesauri" / digest, settings=ws.settings)
    try:
        return get_cache(other)
    except NotFoundError:
        other.root.mkdir(parents=True, exist_ok=True)
        import_file(other, thesaurus, replace=True)
        return ThesaurusCache.open(other.thesaurus_cache)


def evaluate(
    ws: Workspace,
    *,
    methods: Sequence[Method] = tuple(Method),
    folds: int = 5,
    file: Path | None = None,
    thesaurus: Path | None = None,
    split: bool = False,
    seed: int = 0,
    on_progress: ProgressFn | None = None,
) -> EvalReport:
    """Measure the methods on the store's curated records or on a JSON-lines file.

    Args:
        ws: the data dir (its thesaurus, unless ``thesaurus`` is given).
        methods: methods to measure.
        folds: cross-validation folds (ignored with ``split``).
        file: a JSON-lines file of documents (see :func:`read_jsonl`); default: the store.
        thesaurus: an RDF file to use as the vocabulary instead of the data dir's thesaurus.
        split: train on the documents whose ``split`` is "train", measure on the others.
        seed: shuffling seed of the folds.
        on_progress: called with 1 after each fold.

    Raises:
        InputDataError: no split field, too few documents.
    """
    from socsec.bibliography.store import get_store

    vocab = _vocabulary(ws, thesaurus)
    if file is None:
        with get_store(ws) as store:
            items = [(d, "") for d in training_documents(store)]
        source = str(ws.bibliography_db)
    else:
        items = read_jsonl(file)
        source = str(file)
    docs = [d for d, _s in items]
    if not split:
        return cross_validate(
            docs, vocab, methods=methods, folds=folds, seed=seed, source=source,
            on_progress=on_progress,
        )  # fmt: skip
    if not any(s for _d, s in items):
        raise InputDataError("the documents have no split field", hint="drop --split")
    train_docs = [d for d, s in items if s == "train"]
    test_docs = [d for d, s in items if s != "train"]
    return evaluate_split(
        train_docs, test_docs, vocab, methods=methods, source=source, on_progress=on_progress
    )
