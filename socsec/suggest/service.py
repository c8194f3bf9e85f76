"""Suggestion in a data dir: the trained model file, suggesting, applying, reviewing, evaluating.

The model (thesaurus snapshot, lexical and associative members, ensemble weights) is trained
on the records with curated subjects and saved as arrays and JSON in
``<data dir>/suggest/model.npz`` (:mod:`socsec.suggest.store`); suggesting loads it with numpy
alone. Training is explicit (``socsec bib suggest --train``), or happens before a suggestion
when there is no model yet or it is stale beyond :data:`STALE_SHARE`: the number of curated
subject links or of thesaurus concepts differs by more than that share from what the model was
trained on. A smaller change (a few tags, thesaurus edits) never trains: the model in hand is
used, and a notice says how to refresh it. Nothing else (tagging, editing, search) trains.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socsec.errors import ConfigError, InputDataError, NotFoundError
from socsec.suggest import store as model_file

# Re-exported: automatic assignment reads them here with the rest of the service.
from socsec.suggest.assign import ASSIGN_LIMIT as ASSIGN_LIMIT
from socsec.suggest.assign import ASSIGN_THRESHOLD as ASSIGN_THRESHOLD
from socsec.suggest.assign import assigned as assigned
from socsec.suggest.ensemble import EnsembleSuggester, Scorer, Weights
from socsec.suggest.evaluate import EvalReport, cross_validate, evaluate_split, read_jsonl
from socsec.suggest.model import Document, Method, Suggestion
from socsec.suggest.replacements import replaced_subjects, use_replacements
from socsec.suggest.text import document_from_record, document_from_text, document_language
from socsec.suggest.vocabulary import Vocabulary

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.bibliography.store import BibliographyStore
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

Notify = Callable[[str], None]
ProgressFn = Callable[[int], None]
MODEL_FORMAT = 4
# Retrain before suggesting only when curated links or concepts changed by more than this share.
STALE_SHARE = 0.2
TRAINING_FIX = "pip install 'socsec[suggest]'"
# Counts each training run of this process (tests prove commands that must not train don't).
TRAININGS = [0]


@dataclass
class SuggestModel:
    """The trained ensemble and where it came from."""

    ensemble: EnsembleSuggester
    thesaurus_version: str
    records: int
    trained_at: str
    seconds: float
    curated_links: int = 0
    concepts: int = 0
    format: int = MODEL_FORMAT
    _version: str | None = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def version(self) -> str:
        """A short hash of what the model is: its vocabulary, arrays and weights.

        Automatic subjects record it. Training the same records on the same thesaurus gives
        the same version, so the bundled sample's subjects name the model a fresh data dir
        trains; ``trained_at`` and the thesaurus cache's build id are left out for that reason.
        """
        if self._version is None:
            import json

            digest = hashlib.sha256()
            vocab = {k: v for k, v in self.ensemble.vocab.to_json().items() if k != "version"}
            digest.update(json.dumps(vocab, sort_keys=True, ensure_ascii=False).encode())
            digest.update(repr(sorted(dataclasses.asdict(self.ensemble.weights).items())).encode())
            for name, array in sorted(self.ensemble.to_arrays().items()):
                digest.update(name.encode())
                digest.update(array.tobytes())
            self._version = digest.hexdigest()[:12]
        return self._version

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
            "curated_links": self.curated_links,
            "weights": dataclasses.asdict(self.ensemble.weights),
            "version": self.version,
            "threshold": self.ensemble.threshold,
        }

    @property
    def threshold(self) -> float:
        """Ensemble score from which a suggestion is assigned automatically.

        Tuned at training time on out-of-fold scores (the lowest threshold whose assigned
        sets are 60% right); :data:`ASSIGN_THRESHOLD` when there were too few records or
        no threshold reached that precision.
        """
        return self.ensemble.threshold

    def save(self, path: Path) -> None:
        """Write the model file (arrays and JSON, see :mod:`socsec.suggest.store`)."""
        meta = {
            "format": self.format,
            "thesaurus_version": self.thesaurus_version,
            "records": self.records,
            "trained_at": self.trained_at,
            "seconds": self.seconds,
            "curated_links": self.curated_links,
            "concepts": self.concepts,
            "weights": dataclasses.asdict(self.ensemble.weights),
            "threshold": self.ensemble.threshold,
        }
        arrays = {
            "meta.json": model_file.json_array(meta),
            "vocab.json": model_file.json_array(self.ensemble.vocab.to_json()),
        }
        model_file.write(path, arrays | self.ensemble.to_arrays())

    @classmethod
    def load(cls, path: Path) -> SuggestModel | None:
        """The model saved at ``path``; None when missing, unreadable or of another format."""
        if not path.is_file():
            return None
        arrays = model_file.read(path)
        if arrays is None or "meta.json" not in arrays:
            return None
        meta: dict[str, Any] = model_file.array_json(arrays["meta.json"])
        if meta.get("format") != MODEL_FORMAT:
            return None
        vocab = Vocabulary.from_json(model_file.array_json(arrays["vocab.json"]))
        ensemble = EnsembleSuggester.from_arrays(vocab, Weights(**meta["weights"]), arrays)
        ensemble.threshold = float(meta.get("threshold", ASSIGN_THRESHOLD))
        return cls(
            ensemble=ensemble,
            thesaurus_version=meta["thesaurus_version"],
            records=meta["records"],
            trained_at=meta["trained_at"],
            seconds=meta["seconds"],
            curated_links=meta["curated_links"],
            concepts=meta["concepts"],
        )


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
    return ws.root / "suggest" / "model.npz"


def training_documents(store: BibliographyStore) -> list[Document]:
    """Documents of the records that have curated subjects."""
    docs = (document_from_record(r) for r in store.iter_records())
    return [d for d in docs if d.subjects]


def _curated_links(store: BibliographyStore) -> int:
    return int(str(store.stats()["curated_links"]))


def require_training() -> None:
    """Check that the training libraries (the ``suggest`` extra) are installed.

    Raises:
        ConfigError: scikit-learn or scipy is missing; the message names the pip command.
    """
    try:
        import scipy  # type: ignore[import-untyped]  # noqa: F401
        import sklearn  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        raise ConfigError(f"training the suggestion model needs: {TRAINING_FIX}") from None


def train(ws: Workspace, *, on_progress: ProgressFn | None = None, folds: int = 3) -> SuggestModel:
    """Train the model on the records with curated subjects and save it in the data dir.

    Raises:
        NotFoundError: the data dir has no thesaurus.
        ConfigError: the ``suggest`` extra (scikit-learn, scipy) is not installed.
    """
    from socsec.bibliography.store import get_store
    from socsec.thesaurus.lookup import get_cache

    require_training()
    TRAININGS[0] += 1
    started = time.perf_counter()
    with get_store(ws) as store:
        docs = training_documents(store)
        links = _curated_links(store)
    # With no curated record the lexical method still works (untrained formula); the
    # associative one then suggests nothing.
    with get_cache(ws) as cache:
        vocab = Vocabulary.from_cache(cache)
        replaced = cache.replacements()
    docs = [replaced_subjects(d, replaced) for d in docs]
    ensemble = EnsembleSuggester(vocab, folds=folds)
    ensemble.fit(docs, on_progress=on_progress)
    model = SuggestModel(
        ensemble=ensemble,
        thesaurus_version=vocab.version,
        records=len(docs),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - started,
        curated_links=links,
        concepts=len(vocab),
    )
    model.save(model_path(ws))
    model_path(ws).with_name("model.pickle").unlink(missing_ok=True)  # the old format
    return model


def update(ws: Workspace) -> tuple[SuggestModel, int]:
    """Add the records tagged since training to the saved model, without refitting.

    Incremental training (see :meth:`EnsembleSuggester.add`): the new records join the
    associative member's kNN index and the lexical member's keyphraseness counts; the
    ranking trees, the ridge coefficients, the IDF weights, the ensemble weights and the
    threshold are kept. Records already in the model whose tags changed, deleted records and
    thesaurus changes need a full :func:`train`. Needs neither scikit-learn nor scipy. With no
    saved model, trains one.

    Returns:
        The updated model and the number of records added.
    """
    from socsec.bibliography.store import get_store

    model = SuggestModel.load(model_path(ws))
    if model is None:
        model = train(ws)
        return model, model.records
    with get_store(ws) as store:
        docs = training_documents(store)
        links = _curated_links(store)
    added = model.ensemble.add(docs)
    if added:
        model.records += added
        model.curated_links = links
        model.save(model_path(ws))
    return model, added


@dataclass(frozen=True)
class Staleness:
    """How the data dir moved on since the model was trained.

    Attributes:
        links: curated subject links now and at training time.
        concepts: thesaurus concepts now and at training time.
        thesaurus_changed: the thesaurus cache was rebuilt since (any edit or import).
    """

    links: tuple[int, int]
    concepts: tuple[int, int]
    thesaurus_changed: bool

    @property
    def stale(self) -> bool:
        """Anything changed since training."""
        return self.thesaurus_changed or self.links[0] != self.links[1]

    @property
    def beyond_threshold(self) -> bool:
        """Changed by more than :data:`STALE_SHARE` of the links or of the concepts."""
        return any(
            abs(now - then) > STALE_SHARE * max(then, 1)
            for now, then in (self.links, self.concepts)
        )


def staleness(ws: Workspace, model: SuggestModel) -> Staleness:
    """Compare the data dir with what ``model`` was trained on (two counts, no training)."""
    from socsec.bibliography.store import get_store
    from socsec.thesaurus.lookup import get_cache

    with get_cache(ws) as cache:
        version, concepts = cache.version(), cache.count()
    with get_store(ws) as store:
        links = _curated_links(store)
    return Staleness(
        (links, model.curated_links),
        (concepts, model.concepts),
        version != model.thesaurus_version,
    )


def load_model(ws: Workspace, *, on_notice: Notify | None = None) -> SuggestModel:
    """The saved model; trained first only when missing or stale beyond the threshold.

    A model stale within the threshold is used as it is, with a notice naming the command that
    refreshes it (see the module docstring).
    """
    notify = on_notice or (lambda _m: None)
    model = SuggestModel.load(model_path(ws))
    if model is None:
        notify("Training the suggestion model on the records with curated subjects (once).")
        return train(ws)
    state = staleness(ws, model)
    if state.beyond_threshold:
        notify(
            f"The curated subjects ({state.links[1]} -> {state.links[0]} links) or the thesaurus"
            f" ({state.concepts[1]} -> {state.concepts[0]} concepts) changed by more than"
            f" {STALE_SHARE:.0%} since training: retraining."
        )
        return train(ws)
    if state.stale:
        notify(
            f"The suggestion model predates recent changes (trained {model.trained_at});"
            " refresh it with: socsec bib suggest --train"
        )
    return model


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
    model: SuggestModel | None = None,
) -> SuggestResult:
    """Ranked concepts for ``doc`` with their preferred labels in its language.

    ``model``: one already loaded (a loop over records loads it once); default
    :func:`load_model`.
    """
    from socsec.thesaurus.lookup import get_cache

    model = model or load_model(ws, on_notice=on_notice)
    lang = document_language(doc)
    # A few more than asked: concepts deleted since training are dropped here.
    found = model.scorer(method).suggest(doc, limit + 5)
    with get_cache(ws) as cache:
        labelled = _labelled(cache, found, cache.replacements(), lang, limit)
    return SuggestResult(doc.id, doc.title, lang, method.value, labelled)


def _labelled(
    cache: ThesaurusCache,
    found: Sequence[Suggestion],
    replacements: Mapping[str, Sequence[str]],
    lang: str,
    limit: int,
) -> list[Suggestion]:
    """``found`` with deprecated concepts replaced, unknown ones dropped, labels in ``lang``."""
    return [
        dataclasses.replace(s, label=cache.pref_label(s.uri, lang))
        for s in use_replacements(found, replacements)
        if cache.exists(s.uri)
    ][:limit]


def suggest_many(
    ws: Workspace,
    docs: Sequence[Document],
    *,
    limit: int = 10,
    model: SuggestModel | None = None,
    on_notice: Notify | None = None,
) -> list[SuggestResult]:
    """:func:`suggest` (ensemble) for a batch of documents: the model and the thesaurus
    cache are opened once, and the lexical ranking trees called once for the batch.

    Args:
        ws: the data dir.
        docs: the documents.
        limit: most suggestions per document.
        model: the model to use (default: :func:`load_model`, which may train once).
        on_notice: receives the notices of :func:`load_model`.

    For automatic assignment keep ``[s for s in result.suggestions[:ASSIGN_LIMIT] if
    s.score >= model.threshold]`` (see :mod:`socsec.suggest.assign`).
    """
    from socsec.thesaurus.lookup import get_cache

    model = model or load_model(ws, on_notice=on_notice)
    found = model.ensemble.suggest_many(docs, limit + 5)
    out: list[SuggestResult] = []
    with get_cache(ws) as cache:
        replacements = cache.replacements()
        for doc, suggestions in zip(docs, found, strict=True):
            lang = document_language(doc)
            labelled = _labelled(cache, suggestions, replacements, lang, limit)
            out.append(SuggestResult(doc.id, doc.title, lang, Method.ensemble.value, labelled))
    return out


def review_queue(
    ws: Workspace,
    *,
    method: Method = Method.ensemble,
    limit: int = 5,
    records: int | None = None,
    min_score: float = 0.0,
    after: str | None = None,
    on_notice: Notify | None = None,
) -> Generator[tuple[Record, SuggestResult], None, None]:
    """Suggestions scoring at least ``min_score`` for each record without subjects, less the
    concepts a librarian rejected for it (records left with none are skipped), one record at
    a time, in id order from the first id after ``after``; at most ``records`` records.

    Yields each record as it was read and scored, with its suggestions (the version a
    verdict must name is the one scored).
    """
    from socsec.bibliography.store import get_store

    # Loaded (or trained) once, before the first record: not once per record.
    model = load_model(ws, on_notice=on_notice)
    with get_store(ws) as store:
        ids = store.ids_without_subjects(after)
    shown = 0
    for rid in ids:
        if records is not None and shown >= records:
            return
        with get_store(ws) as store:
            try:
                record = store.get(rid)
            except NotFoundError:  # deleted since the ids were read
                continue
            refused = store.rejected([rid]).get(rid, set())
        result = suggest(ws, document_from_record(record), method=method, limit=limit, model=model)
        kept = [s for s in result.suggestions if s.score >= min_score and s.uri not in refused]
        if kept:
            shown += 1
            yield record, dataclasses.replace(result, suggestions=kept)


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
    also_train: Sequence[Path] = (),
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
        also_train: JSON-lines files of documents added to the training side only (their
            ``split`` is ignored); a document id also measured is refused.
        on_progress: called with 1 after each fold.

    Raises:
        InputDataError: no split field, too few documents, an extra document also measured.
        ConfigError: the ``suggest`` extra (scikit-learn, scipy) is not installed.
    """
    from socsec.bibliography.store import get_store

    require_training()

    vocab = _vocabulary(ws, thesaurus)
    if file is None:
        with get_store(ws) as store:
            items = [(d, "") for d in training_documents(store)]
        source = str(ws.bibliography_db)
    else:
        items = read_jsonl(file)
        source = str(file)
    docs = [d for d, _s in items]
    extra = [d for path in also_train for d, _s in read_jsonl(path)]
    if not split:
        return cross_validate(
            docs, vocab, methods=methods, folds=folds, seed=seed, source=source,
            also_train=extra, on_progress=on_progress,
        )  # fmt: skip
    if not any(s for _d, s in items):
        raise InputDataError("the documents have no split field", hint="drop --split")
    train_docs = [d for d, s in items if s == "train"]
    test_docs = [d for d, s in items if s != "train"]
    return evaluate_split(
        train_docs, test_docs, vocab, methods=methods, source=source, also_train=extra,
        on_progress=on_progress,
    )  # fmt: skip
