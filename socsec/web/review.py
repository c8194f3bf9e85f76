"""The review queue as a page: each record's text beside the concepts to decide on.

The queue is the application layer's (:mod:`socsec.app.review`, the one ``socsec bib review``
walks): first the records holding automatic subjects, ticked, to confirm; then the records
without subjects with the concepts the model suggests and the evidence for each. A librarian
accepts the ticked ones (the others are removed if automatic and remembered as rejected),
rejects them all, or accepts everything on the page. Each form carries its record's version
(ETag): a record changed since the page was read is not written. Keyboard shortcuts are in
static/review.js; without JavaScript the buttons do the same.
"""

from __future__ import annotations

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
PAGE = 10  # records per page: a suggestion costs a model call (tens of milliseconds)
SUGGESTIONS = 5
MIN_SCORE = 0.1


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    res: Res,
    user: Editor,
    after: Annotated[
        str | None, Query(max_length=220, description="Start after this queue position.")
    ] = None,
) -> Response:
    """The next records of the review queue with their candidates and evidence."""
    from socsec.app.review import page

    notices: list[str] = []
    shown = page(
        res.ws, size=PAGE, lang=i18n.choose_lang(request), limit=SUGGESTIONS,
        min_score=MIN_SCORE, after=after, on_notice=notices.append,
    )  # fmt: skip
    context = {
        "items": shown.items,
        "after": after,
        "next_after": shown.next_after,
        "notices": notices,
        "user": user,
    }
    return render(request, "review.html", context)


def _split(values: list[str]) -> list[tuple[str, str]]:
    """(record id, value) of the ``id<TAB>value`` fields of the accept-all form."""
    pairs = [v.partition("\t") for v in values]
    return [(rid, value) for rid, _tab, value in pairs if rid and value]


@router.post("/review/accept-all")
async def accept_all(request: Request, res: Res, user: Editor) -> Response:
    """Accept every candidate shown on the page.

    Fields: ``pick`` (record id, tab, concept URI) and ``version`` (record id, tab, the
    record's ETag when shown); a record changed since is left for the next page.
    """
    from socsec.app.review import decide as verdict
    from socsec.errors import StaleVersion

    fields = await form_fields(request, user)

    def work() -> Response:
        picks: dict[str, list[str]] = {}
        for rid, uri in _split(fields.get("pick", [])):
            picks.setdefault(rid, []).append(uri)
        versions = dict(_split(fields.get("version", [])))
        ws = workspace_for(res.ws, user)
        warnings: list[str] = []
        stale = 0
        for rid, uris in picks.items():
            try:
                warnings.extend(verdict(ws, rid, version=versions.get(rid), accept=uris).warnings)
            except StaleVersion:
                stale += 1  # changed meanwhile: shown again, as it is now
        kind = "accepted_but_stale" if stale else "accepted"
        return redirect_with_notice(request, "/review", kind, len(picks) - stale, warnings)

    return await run_in_threadpool(work)


@router.post("/review/{record_id}")
async def decide(
    request: Request,
    res: Res,
    user: Editor,
    record_id: Annotated[str, Path(max_length=200)],
) -> Response:
    """Accept the ticked candidates and reject the others, or reject them all."""
    from socsec.app.review import decide as verdict
    from socsec.errors import StaleVersion

    fields = await form_fields(request, user)

    def work() -> Response:
        shown = list(dict.fromkeys(fields.get("shown", [])))
        ticked = [u for u in dict.fromkeys(fields.get("uri", [])) if u in shown]
        if (fields.get("action") or ["accept"])[0] == "reject":
            ticked = []
        rejected = [u for u in shown if u not in ticked]
        after = (fields.get("after") or [""])[0] or None
        target = "/review" + (f"?{urlencode({'after': after})}" if after else "")
        version = (fields.get("etag") or [""])[0]
        if not shown:
            return redirect_with_notice(request, target, "unchanged", 0, [])
        warnings: list[str] = []
        try:
            outcome = verdict(
                workspace_for(res.ws, user), record_id, version=version, accept=ticked,
                reject=rejected,
            )  # fmt: skip
        except StaleVersion:
            return redirect_with_notice(request, target, "stale", 0, [])
        warnings.extend(outcome.warnings)
        kind = "accepted" if ticked else "rejected"
        return redirect_with_notice(request, target, kind, 1, warnings)

    return await run_in_threadpool(work)
