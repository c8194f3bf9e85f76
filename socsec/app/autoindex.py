"""Automatic subject indexing: the suggestion model's best concepts become ``automatic`` subjects.

One run loads the saved model once, scores the records one by one, writes each batch of
records in one store transaction (one ``autoindex`` change of the history) and updates the
search index once at the end. A run replaces only automatic subjects: manual and accepted
ones are never touched, a concept a librarian rejected for a record is never assigned to it
again, and records a librarian indexed (holding a manual subject) are left alone unless asked.
Re-run it after the model or the thesaurus changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from socsec.app.stores import bibliography, thesaurus_checker
from socsec.app.uow import Outcome, UnitOfWork
from socsec.bibliography.model import Record, Subject

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.suggest.service import SuggestModel
    from socsec.workspace import Workspace

P = ParamSpec("P")
ProgressFn = Callable[[int], None]
Notify = Callable[[str], None]
BATCH = 500  # records written per transaction
METHOD = "ensemble"


@dataclass(frozen=True)
class AutoIndexReport:
    """What an automatic indexing run did.

    Attributes:
        records: records scored.
        changed: records whose automatic subjects changed (written, one history entry each).
        skipped: records left alone because a librarian indexed them (a manual subject).
        with_automatic: scored records holding at least one automatic subject afterwards.
        assigned: automatic subjects the scored records hold afterwards.
        seconds: time spent scoring and writing (model loading excluded).
        load_seconds: time spent loading (or training) the model.
        model: the model version the subjects name.
        method: the suggestion method.
        threshold: the least score assigned.
        limit: the most automatic subjects per record.
    """

    records: int
    changed: int
    skipped: int
    with_automatic: int
    assigned: int
    seconds: float
    load_seconds: float
    model: str
    method: str
    threshold: float
    limit: int

    @property
    def per_second(self) -> float:
        """Records scored per second (model loading excluded)."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "records": self.records,
            "changed": self.changed,
            "skipped": self.skipped,
            "with_automatic": self.with_automatic,
            "assigned": self.assigned,
            "seconds": round(self.seconds, 3),
            "load_seconds": round(self.load_seconds, 3),
            "records_per_second": round(self.per_second, 1),
            "model": self.model,
            "method": self.method,
            "threshold": self.threshold,
            "limit": self.limit,
        }


def settings_of(ws: Workspace) -> tuple[float, int]:
    """The configured threshold and per-record limit (``autoindex.threshold``, ``.limit``)."""
    return (
        float(ws.settings.get("autoindex.threshold") or 0.15),
        int(ws.settings.get("autoindex.limit") or 3),
    )


def assign(
    ws: Workspace,
    ids: Sequence[str] | None = None,
    *,
    threshold: float | None = None,
    limit: int | None = None,
    include_manual: bool = False,
    on_progress: ProgressFn | None = None,
    on_notice: Notify | None = None,
) -> AutoIndexReport:
    """Assign automatic subjects to the given records (all by default), without the index
    update (:func:`run` adds it; use cases that update the index themselves call this).

    Args:
        ws: the data dir.
        ids: record ids or aliases (None: every record).
        threshold: least score assigned (default: the ``autoindex.threshold`` setting).
        limit: most automatic subjects per record (default: ``autoindex.limit``).
        include_manual: also index records that hold a manual subject.
        on_progress: called with the number of records just scored.
        on_notice: called with a one-line message (e.g. the model is being trained).

    Raises:
        NotFoundError: a given record is unknown, or the data dir has no thesaurus.
        ConfigError: the model must be trained and the ``suggest`` extra is missing.
    """
    from socsec.suggest.service import load_model

    default_threshold, default_limit = settings_of(ws)
    threshold = default_threshold if threshold is None else threshold
    limit = default_limit if limit is None else limit
    started = time.perf_counter()
    model = load_model(ws, on_notice=on_notice)
    loaded = time.perf_counter()
    version = model.version
    scored = changed = skipped = with_automatic = assigned = 0
    with bibliography(ws) as store, thesaurus_checker(ws) as checker:
        known = checker.exists if checker is not None else (lambda _uri: False)
        replacements = checker.replacements() if checker is not None else {}
        records: Iterable[Record] = (
            store.iter_records() if ids is None else store.iter_records(_resolved(store, ids))
        )
        pending: dict[str, list[Subject]] = {}
        seen = 0  # records read since the last progress call (skipped ones included)
        for record in records:
            seen += 1
            if not include_manual and any(s.provenance == "manual" for s in record.subjects):
                skipped += 1
                continue
            pending[record.id] = _choose(
                model, record, threshold, limit, known, replacements, version
            )
            scored += 1
            if len(pending) >= BATCH:
                changed += len(store.assign_automatic(pending, source=_source(version, threshold)))
                if on_progress is not None:
                    on_progress(seen)
                pending, seen = {}, 0
        if pending:
            changed += len(store.assign_automatic(pending, source=_source(version, threshold)))
        if on_progress is not None and seen:
            on_progress(seen)
        # What the scored records hold now (a rejected or already curated concept is not
        # assigned, so this can be less than what was chosen).
        stats = store.automatic_counts()
    with_automatic, assigned = stats if ids is None else _counts_of(ws, ids)
    return AutoIndexReport(
        records=scored,
        changed=changed,
        skipped=skipped,
        with_automatic=with_automatic,
        assigned=assigned,
        seconds=time.perf_counter() - loaded,
        load_seconds=loaded - started,
        model=version,
        method=METHOD,
        threshold=threshold,
        limit=limit,
    )


def _updating_index(
    assign_fn: Callable[Concatenate[Workspace, P], AutoIndexReport],
) -> Callable[Concatenate[Workspace, P], Outcome[AutoIndexReport]]:
    """``assign_fn`` with the search index brought up to date once after it (when it changed
    records): :func:`run` is :func:`assign` so wrapped, with the same arguments.
    """

    def run(ws: Workspace, /, *args: P.args, **kwargs: P.kwargs) -> Outcome[AutoIndexReport]:
        uow = UnitOfWork(ws)
        report = assign_fn(ws, *args, **kwargs)
        uow.records_changed = report.changed > 0
        return uow.outcome(report)

    run.__doc__ = "Assign automatic subjects (see :func:`assign`), then update the index once."
    return run


run = _updating_index(assign)


def _source(version: str, threshold: float) -> str:
    return f"{METHOD} model {version}, score >= {threshold:g}"


def _resolved(store: BibliographyStore, ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(store.resolve_id(i) for i in ids))


def _choose(
    model: SuggestModel,
    record: Record,
    threshold: float,
    limit: int,
    known: Callable[[str], bool],
    replacements: Mapping[str, Sequence[str]],
    version: str,
) -> list[Subject]:
    """The automatic subjects the model gives ``record``: score >= threshold, at most limit;
    a deprecated concept gives way to its replacement, as in every suggestion.
    """
    from socsec.suggest.model import Method
    from socsec.suggest.replacements import use_replacements
    from socsec.suggest.text import document_from_record

    doc = document_from_record(record)
    # A few more than kept: concepts deleted from the thesaurus since training are dropped.
    found = use_replacements(model.scorer(Method.ensemble).suggest(doc, limit + 5), replacements)
    chosen = [
        Subject(s.uri, "automatic", round(s.score, 4), METHOD, version)
        for s in found
        if s.score >= threshold and known(s.uri)
    ]
    return chosen[:limit]


def _counts_of(ws: Workspace, ids: Sequence[str]) -> tuple[int, int]:
    with bibliography(ws) as store:
        holding = [
            sum(1 for s in r.subjects if s.provenance == "automatic")
            for r in store.iter_records(_resolved(store, ids))
        ]
    return sum(1 for n in holding if n), sum(holding)
