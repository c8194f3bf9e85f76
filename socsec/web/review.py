"""The suggestion review queue as a page: each record's text beside its suggested concepts.

Records without subjects come one after the other with the concepts the model suggests and
the evidence for each (a label found in the title or text, a narrower concept, similar
tagged records). A librarian accepts the ticked ones (the rest are remembered as rejected),
rejects them all, or accepts every suggestion on the page. Keyboard shortcuts are in
static/review.js; without JavaScript the buttons do the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socsec.web import i18n
from socsec.web.api import Res
from socsec.web.editing import Editor, form_fields, redirect_with_notice, workspace_for
from socsec.web.pages import render

router = APIRouter(include_in_schema=False)
PAGE = 10  # records per page: each costs a model call (tens of milliseconds)
SUGGESTIONS = 5
MIN_SCORE = 0.1


@dataclass(frozen=True)
class Reason:
    """One piece of evidence, ready for the page.

    Attributes:
        source: "label", "hierarchy" or "record".
        text: the matched label (label), the narrower concept's label (hierarchy) or the
            similar record's title (record).
        where: "title" or "text" for labels.
        lang: the matched label's language.
        kind: "pref", "alt" or "hidden".
        count: occurrences in the text.
        weight: similarity of a voting record, percent.
        link: the narrower concept's URI or the similar record's id.
    """

    source: str
    text: str
    where: str = ""
    lang: str = ""
    kind: str = ""
    count: int = 0
    weight: int = 0
    link: str = ""


@dataclass(frozen=True)
class Proposal:
    """A suggested concept labelled in the reader's language, with its evidence."""

    uri: str
    label: str
    score: int
    reasons: list[Reason]


@dataclass(frozen=True)
class Item:
    """One record of the queue."""

    id: str
    title: str
    title_lang: str
    abstract: str
    authors: str
    year: int | None
    proposals: list[Proposal]


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    res: Res,
    user: Editor,
    after: Annotated[
        str | None, Query(max_length=200, description="Start after this record.")
    ] = None,
) -> Response:
    """The next records of the review queue with their suggestions and evidence."""
    from socsec.suggest.service import review_queue

    shown = i18n.choose_lang(request)
    notices: list[str] = []
    results = list(
        review_queue(
            res.ws, limit=SUGGESTIONS, records=PAGE, min_score=MIN_SCORE, after=after,
            on_notice=notices.append,
        )
    )  # fmt: skip
    items: list[Item] = []
    with res.search() as svc:
        cache, store = svc.thesaurus, svc.store
        for result in results:
            rec = store.get(result.record_id)
            proposals = []
            for s in result.suggestions:
                reasons = []
                for e in s.evidence:
                    if e.source == "hierarchy":
                        text, link = cache.pref_label(e.detail, shown), e.detail
                    elif e.source == "record":
                        text, link = _title(store, e.detail), e.detail
                    else:
                        text, link = e.detail, ""
                    weight = round(e.weight * 100)
                    reasons.append(
                        Reason(e.source, text, e.where, e.lang, e.kind, e.count, weight, link)
                    )
                label = cache.pref_label(s.uri, shown)
                proposals.append(Proposal(s.uri, label, round(s.score * 100), reasons))
            items.append(
                Item(
                    rec.id, rec.title, rec.title_language or rec.language or "", rec.abstract or "",
                    "; ".join(p.display for p in rec.authors[:3]), rec.year, proposals,
                )
            )  # fmt: skip
    context = {
        "items": items,
        "after": after,
        "next_after": items[-1].id if len(items) == PAGE else None,
        "notices": notices,
        "user": user,
    }
    return render(request, "review.html", context)


def _title(store: object, record_id: str) -> str:
    from socsec.bibliography.store import BibliographyStore
    from socsec.errors import NotFoundError

    assert isinstance(store, BibliographyStore)
    try:
        return store.get(record_id).title
    except NotFoundError:
        return record_id


@router.post("/review/accept-all")
async def accept_all(request: Request, res: Res, user: Editor) -> Response:
    """Accept every suggestion shown on the page (``pick`` = record id, tab, concept URI)."""
    from socsec.app.suggestions import accept

    fields = await form_fields(request, user)

    def work() -> Response:
        picks: dict[str, list[str]] = {}
        for pick in fields.get("pick", []):
            rid, _tab, uri = pick.partition("\t")
            if rid and uri:
                picks.setdefault(rid, []).append(uri)
        ws = workspace_for(res.ws, user)
        warnings: list[str] = []
        for rid, uris in picks.items():
            warnings.extend(accept(ws, rid, uris).warnings)
        return redirect_with_notice(request, "/review", "accepted", len(picks), warnings)

    return await run_in_threadpool(work)


@router.post("/review/{record_id}")
async def decide(
    request: Request,
    res: Res,
    user: Editor,
    record_id: Annotated[str, Path(max_length=200)],
) -> Response:
    """Accept the ticked suggestions and reject the others, or reject them all."""
    from socsec.app.suggestions import accept, reject

    fields = await form_fields(request, user)

    def work() -> Response:
        shown = list(dict.fromkeys(fields.get("shown", [])))
        ticked = [u for u in dict.fromkeys(fields.get("uri", [])) if u in shown]
        action = (fields.get("action") or ["accept"])[0]
        ws = workspace_for(res.ws, user)
        warnings: list[str] = []
        if action == "reject":
            ticked = []
        if ticked:
            warnings.extend(accept(ws, record_id, ticked).warnings)
        rejected = [u for u in shown if u not in ticked]
        if rejected:
            reject(ws, record_id, rejected)
        after = (fields.get("after") or [""])[0] or None
        target = "/review" + (f"?{urlencode({'after': after})}" if after else "")
        kind = "accepted" if ticked else "rejected"
        return redirect_with_notice(request, target, kind, 1, warnings)

    return await run_in_threadpool(work)
