"""The review queue both faces serve: what a librarian confirms, record by record.

One queue, in one order: first the records holding automatic subjects (to confirm or reject,
in id order), then the records without any subject with the concepts the model suggests for
them and why (in id order). Nothing a librarian rejected for a record is offered again. The
queue is paged by a cursor (:attr:`QueueItem.cursor`) that names the part and the record, so
a page stays put while the records before it leave the queue. The suggestion model is loaded
only when the queue reaches the second part, once per call.

A verdict (:func:`decide`) is made on the version of the record that was shown: a record
changed meanwhile is not written (:class:`~socsec.errors.StaleVersion`).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from socsec.app.stores import bibliography, thesaurus_checker
from socsec.app.suggestions import review
from socsec.app.versions import guard, record_tag

if TYPE_CHECKING:
    from socsec.app.uow import Outcome
    from socsec.bibliography.model import Record
    from socsec.bibliography.store import BibliographyStore
    from socsec.suggest.model import Method, Suggestion
    from socsec.suggest.service import Notify
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

CONFIRM = "confirm"  # the part of records holding automatic subjects
SUGGEST = "suggest"  # the part of records without subjects


@dataclass(frozen=True)
class Reason:
    """One piece of evidence for a suggestion, labelled for the reader.

    Attributes:
        source: "label", "hierarchy" or "record".
        text: the matched label (label), the narrower concept's label (hierarchy) or the
            similar record's title (record).
        where: "title" or "text" for labels.
        lang: the matched label's language.
        kind: "pref", "alt" or "hidden" for labels.
        count: occurrences of the label in the text.
        weight: similarity of a voting record, 0..1.
        link: the narrower concept's URI or the similar record's id.
    """

    source: str
    text: str
    where: str = ""
    lang: str = ""
    kind: str = ""
    count: int = 0
    weight: float = 0.0
    link: str = ""


@dataclass(frozen=True)
class Candidate:
    """A concept to decide on for a record.

    Attributes:
        uri: the concept.
        label: its preferred label in the language asked for.
        score: the model's score, 0..1 (None for an automatic subject stored without one).
        automatic: True when the record holds it as an automatic subject (to confirm), False
            for a suggestion (to accept).
        method: the method that assigned it (automatic subjects), else None.
        model: the version of the model that assigned it (automatic subjects), else None.
        reasons: the evidence (suggestions only).
    """

    uri: str
    label: str
    score: float | None
    automatic: bool
    method: str | None = None
    model: str | None = None
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class QueueItem:
    """One record of the queue with its candidates.

    Attributes:
        record: the record as stored when it was read (title, abstract, authors...).
        version: the record's version tag; a verdict names it (:func:`decide`).
        candidates: its automatic subjects to confirm, or the suggestions for it.
        cursor: where the queue goes on after this item (the ``after`` of the next page).
    """

    record: Record
    version: str
    candidates: tuple[Candidate, ...]
    cursor: str

    @property
    def automatic(self) -> bool:
        """Whether the candidates are automatic subjects to confirm (not suggestions)."""
        return any(c.automatic for c in self.candidates)


@dataclass(frozen=True)
class Page:
    """Some items of the queue and the cursor of the next page (None at the end)."""

    items: list[QueueItem]
    next_after: str | None


def _cursor(after: str | None) -> tuple[str, str | None]:
    """(part, record id) of a cursor; a bare record id (or anything else) is in the first part."""
    if not after:
        return CONFIRM, None
    part, sep, rid = after.partition(":")
    if sep and part in (CONFIRM, SUGGEST):
        return part, rid or None
    return CONFIRM, after


def queue(
    ws: Workspace,
    *,
    lang: str = "en",
    method: Method | None = None,
    limit: int = 5,
    min_score: float = 0.0,
    after: str | None = None,
    records: int | None = None,
    on_notice: Notify | None = None,
) -> Generator[QueueItem, None, None]:
    """The review queue from ``after`` on, one record at a time.

    Each record is read when its turn comes, so a consumer may write verdicts between items.

    Args:
        ws: the data dir.
        lang: the language of the concepts' labels (en, fr, es).
        method: the suggestion method (default: ensemble).
        limit: most candidates per record (automatic subjects and suggestions alike).
        min_score: least score of a suggestion (automatic subjects are all shown).
        after: a cursor (:attr:`QueueItem.cursor`; a bare record id counts as the first part).
        records: most records yielded.
        on_notice: called with a message when the model is trained first.
    """
    part, rid = _cursor(after)
    shown = 0
    with thesaurus_checker(ws) as cache:
        if part == CONFIRM:
            with bibliography(ws) as store:
                ids = store.ids_with_automatic(rid)
            for record_id in ids:
                if records is not None and shown >= records:
                    return
                item = _confirm_item(ws, record_id, cache, lang, limit)
                if item is not None:
                    shown += 1
                    yield item
            rid = None
        if records is not None and shown >= records:
            return
        yield from _suggest_items(
            ws, cache, lang=lang, method=method, limit=limit, min_score=min_score, after=rid,
            records=None if records is None else records - shown, on_notice=on_notice,
        )  # fmt: skip


def page(
    ws: Workspace,
    *,
    size: int,
    lang: str = "en",
    method: Method | None = None,
    limit: int = 5,
    min_score: float = 0.0,
    after: str | None = None,
    on_notice: Notify | None = None,
) -> Page:
    """``size`` items of the queue from ``after`` on, and the cursor of the next page.

    The model is loaded at most once, and only if the page reaches records without subjects.
    """
    items = queue(
        ws, lang=lang, method=method, limit=limit, min_score=min_score, after=after,
        records=size, on_notice=on_notice,
    )  # fmt: skip
    with closing(items):
        shown = list(islice(items, size))
    return Page(shown, shown[-1].cursor if len(shown) == size else None)


def decide(
    ws: Workspace,
    record_id: str,
    *,
    version: str | None,
    accept: Sequence[str] = (),
    reject: Sequence[str] = (),
) -> Outcome[Record]:
    """A librarian's verdict on a record of the queue, if it is still at ``version``.

    Accepted concepts become ``accepted`` subjects (an automatic one keeps its score, method
    and model); rejected automatic subjects are removed; every rejected concept is remembered,
    so neither automatic indexing nor the queue offers it for this record again. The search
    index is brought up to date after the write.

    Raises:
        PreconditionRequired: no ``version``.
        StaleVersion: the record changed since ``version`` (nothing written).
        NotFoundError: no such record.
        ValidationFailed: a concept both accepted and rejected, or unknown to the thesaurus.
    """
    with guard(ws, "record", record_id, version):
        return review(ws, record_id, accept=accept, reject=reject)


def _label(cache: ThesaurusCache | None, uri: str, lang: str) -> str:
    """A concept's preferred label in ``lang`` (its URI when the data dir has no thesaurus)."""
    return uri if cache is None else cache.pref_label(uri, lang)


def _confirm_item(
    ws: Workspace, record_id: str, cache: ThesaurusCache | None, lang: str, limit: int
) -> QueueItem | None:
    from socsec.errors import NotFoundError

    with bibliography(ws) as store:
        try:
            record = store.get(record_id)
        except NotFoundError:  # deleted since the queue was read
            return None
        refused = store.rejected([record_id]).get(record_id, set())
    candidates = tuple(
        Candidate(s.uri, _label(cache, s.uri, lang), s.score, True, s.method, s.model)
        for s in record.subjects
        if s.provenance == "automatic" and s.uri not in refused
    )[:limit]
    if not candidates:
        return None
    return QueueItem(record, record_tag(record), candidates, f"{CONFIRM}:{record.id}")


def _suggest_items(
    ws: Workspace,
    cache: ThesaurusCache | None,
    *,
    lang: str,
    method: Method | None,
    limit: int,
    min_score: float,
    after: str | None,
    records: int | None,
    on_notice: Notify | None,
) -> Iterator[QueueItem]:
    from socsec.suggest.model import Method
    from socsec.suggest.service import review_queue

    results = review_queue(
        ws, method=method or Method.ensemble, limit=limit, records=records,
        min_score=min_score, after=after, on_notice=on_notice,
    )  # fmt: skip
    with closing(results):
        for record, result in results:
            with bibliography(ws) as store:
                candidates = tuple(_suggestion(store, cache, lang, s) for s in result.suggestions)
            cursor = f"{SUGGEST}:{record.id}"
            yield QueueItem(record, record_tag(record), candidates, cursor)


def _suggestion(
    store: BibliographyStore, cache: ThesaurusCache | None, lang: str, suggestion: Suggestion
) -> Candidate:
    reasons = []
    for e in suggestion.evidence:
        if e.source == "hierarchy":
            text, link = _label(cache, e.detail, lang), e.detail
        elif e.source == "record":
            text, link = _title(store, e.detail), e.detail
        else:
            text, link = e.detail, ""
        reasons.append(Reason(e.source, text, e.where, e.lang, e.kind, e.count, e.weight, link))
    label = _label(cache, suggestion.uri, lang)
    return Candidate(suggestion.uri, label, suggestion.score, False, reasons=tuple(reasons))


def _title(store: BibliographyStore, record_id: str) -> str:
    from socsec.errors import NotFoundError

    try:
        return store.get(record_id).title
    except NotFoundError:
        return record_id
