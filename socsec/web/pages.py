"""Server-rendered HTML pages: home with search box, results with facets, concept, record.

Pages use the same views as the API. Autocomplete is progressive enhancement: without
JavaScript the search box still submits a free-text search (which the thesaurus expands).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from socsec.indexer.service import SearchRequest
from socsec.web import i18n, ui_names
from socsec.web.api import Res, Uri
from socsec.web.exports import ConceptFormat, concept_rdf
from socsec.web.histogram import year_histogram
from socsec.web.params import Lang, SearchParams
from socsec.web.qvalues import weighted
from socsec.web.views import (
    LANGS,
    concept_payload,
    display_lang,
    hierarchy_sidebar,
    relabel,
    top_concepts,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(FsPath(__file__).parent / "templates"))
LANG_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
TAGGED_SHOWN = 20
# What a concept URI can be served as, in the server's order of preference.
CONCEPT_MEDIA = ("text/html", "text/turtle", "application/ld+json", "application/json")


def _replace_lang(params: Any, code: str) -> str:
    """The current query string with ``lang`` set to ``code`` (the language switcher)."""
    pairs = [(k, v) for k, v in params.multi_items() if k != "lang"]
    return urlencode([*pairs, ("lang", code)])


templates.env.filters["replace_lang"] = _replace_lang
i18n.install(templates.env)
templates.env.globals.update(
    types=ui_names.RECORD_TYPES,
    note_names=ui_names.NOTES,
    mapping_names=ui_names.MAPPINGS,
    style_names=ui_names.CITE_STYLES,
    kind_names=ui_names.LABEL_KINDS,
    relation_names=ui_names.RELATIONS,
    done_names=ui_names.DONE,
    language_name=i18n.language_name,
)


def negotiate(accept: str | None, offered: tuple[str, ...] = CONCEPT_MEDIA) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured), None if none.

    Ties go to the earlier entry of ``offered``; a missing header or ``*/*`` means HTML.
    """
    if not accept:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for value, q in weighted(accept):
        media = value.lower()
        if q <= 0:
            continue
        for rank, candidate in enumerate(offered):
            major = candidate.split("/")[0]
            if media in (candidate, "*/*", f"{major}/*"):
                key = (q, -rank, candidate)
                if best is None or key > best:
                    best = key
    return best[2] if best else None


def query_link(params: dict[str, Any], **changes: Any) -> str:
    """``/search?...`` with ``changes`` applied (None removes a key; lists repeat it)."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value is False:
            continue
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, "true" if v is True else str(v)))
    return "/search?" + urlencode(pairs)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page from ``templates/`` in the reader's language (security headers: middleware).

    A ``lang`` parameter also sets the ``lang`` cookie, so the choice holds on later pages.
    """
    lang = i18n.choose_lang(request)
    base = {"lang": lang, "langs": LANGS, "lang_names": LANG_NAMES, "q": ""}
    response = templates.TemplateResponse(
        request, name, {**base, **context, "lang": lang}, status_code=status
    )
    # The language may come from the cookie or Accept-Language: caches must key on them.
    response.headers["Vary"] = "Accept-Language, Cookie"
    chosen = request.query_params.get("lang")
    if chosen and chosen == lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def render_error(request: Request, status: int, error: dict[str, Any]) -> Response:
    """The error page (used by the error handlers for non-API paths)."""
    return render(request, "error.html", {"status": status, "error": error}, status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, res: Res, lang: Lang = None) -> Response:
    """Search box and the schemes with their top concepts."""
    shown = i18n.choose_lang(request)
    with res.thesaurus() as cache:
        schemes = top_concepts(cache, lang=shown)
    return render(request, "home.html", {"schemes": schemes})


YearBound = Annotated[int | None, Query(ge=0, le=9999, description="Year range bound.")]


def _hidden(current: dict[str, Any], *skip: str) -> list[tuple[str, str]]:
    """The current search as hidden form fields, less ``skip`` (for the sort and year forms)."""
    pairs = []
    for key, value in current.items():
        if key in skip or value is None or value == "" or value is False:
            continue
        for v in value if isinstance(value, list) else [value]:
            pairs.append((key, "true" if v is True else str(v)))
    return pairs


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    res: Res,
    params: Annotated[SearchParams, Depends()],
    year_from: YearBound = None,
    year_to: YearBound = None,
) -> Response:
    """Results with facets and paging; ``lang`` is the reader's, ``qlang`` the query's (any).

    ``year_from``/``year_to`` are the fields under the year histogram; they set ``year``.
    """
    shown = i18n.choose_lang(request)
    if year_from is not None or year_to is not None:
        first, last = year_from, year_to
        if first is not None and last is not None and first > last:
            first, last = last, first
        bounds = ("" if b is None else str(b) for b in (first, last))
        params = replace(params, year="..".join(bounds))
    qlang = params.qlang
    req = replace(params.request(), facets=True)
    suggestions: list[str] = []
    with res.search() as svc:
        resp = relabel(svc.search(req), svc.thesaurus, shown)
        if resp.total == 0 and params.q.strip():
            # Did you mean: labels the lookup ladder finds near the words typed.
            typed = params.q.strip().casefold()
            suggestions = [
                s for s in svc.thesaurus.suggest(params.q, limit=5) if s.casefold() != typed
            ]
    current: dict[str, Any] = {
        "q": params.q,
        "concept": params.concept,
        "exact_concept": params.exact_concept or None,
        "expand": None if params.expand else "false",
        "lang": params.lang,
        "qlang": qlang,
        "year": params.year,
        "type": params.type or [],
        "language": params.language or [],
        "author": params.author,
        "sort": None if params.sort.value == "relevance" else params.sort.value,
        "size": None if params.size == 10 else params.size,
    }
    last_page = max(1, -(-resp.total // req.size))
    years = resp.facets.get("year", []) if resp.facets else []
    return render(
        request,
        "search.html",
        {
            "resp": resp,
            "params": params,
            "q": params.q,
            "current": current,
            "link": query_link,
            "hidden": _hidden,
            "last_page": last_page,
            "suggestions": suggestions,
            "histogram": year_histogram([(int(v.value), v.count) for v in years]),
            "year_from": req.year_from,
            "year_to": req.year_to,
            "export_query": query_link(current)[len("/search?") :],
        },
    )


@router.get(
    "/concept",
    responses={
        200: {
            "content": {m: {} for m in CONCEPT_MEDIA},
            "description": "HTML, Turtle, JSON-LD or JSON by the Accept header.",
        }
    },
)
def concept_page(
    request: Request,
    res: Res,
    uri: Uri,
    lang: Lang = None,
    format: Annotated[
        str | None, Query(pattern="^(html|ttl|jsonld|json)$", description="Overrides Accept.")
    ] = None,
) -> Response:
    """A concept URI, served as HTML, Turtle, JSON-LD or JSON (content negotiation)."""
    by_format = {
        "html": "text/html",
        "ttl": "text/turtle",
        "jsonld": "application/ld+json",
        "json": "application/json",
    }
    media = by_format[format] if format else negotiate(request.headers.get("accept"))
    vary = {"Vary": "Accept"}
    if media is None:
        return JSONResponse(
            {
                "error": {
                    "type": "Not acceptable",
                    "message": "this concept is available as " + ", ".join(CONCEPT_MEDIA),
                    "hint": None,
                    "suggestions": [],
                }
            },
            status_code=406,
            headers=vary,
        )
    # Data answers follow the parameter only (as /api/concept); pages follow the reader.
    shown = i18n.choose_lang(request) if media == "text/html" else display_lang(lang)
    if media in ("text/turtle", "application/ld+json"):
        fmt = ConceptFormat.ttl if media == "text/turtle" else ConceptFormat.jsonld
        with res.thesaurus() as cache:
            view = cache.concept(cache.resolve(uri))
        return Response(concept_rdf(view, fmt), media_type=media, headers=vary)
    with res.thesaurus() as cache:
        payload = concept_payload(cache, uri, lang=shown)
        if media == "application/json":
            return JSONResponse(asdict(payload), headers=vary)
        sidebar = hierarchy_sidebar(cache, payload, lang=shown)
        local = {u for uris in payload.mappings.values() for u in uris if cache.exists(u)}
        mapped = {u: cache.pref_label(u, shown) for u in local}
    with res.search() as svc:
        tagged = svc.search(SearchRequest(concept=payload.uri, lang=shown, size=TAGGED_SHOWN))
    response = render(
        request,
        "concept.html",
        {
            "c": payload,
            "tagged": tagged,
            "sidebar": sidebar,
            "mapped": mapped,
            "more_link": query_link({"concept": payload.uri, "lang": lang}),
            "text_link": query_link({"q": payload.label, "lang": lang}),
        },
    )
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


@router.get("/record/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    res: Res,
    record_id: Annotated[str, Path(max_length=200)],
    lang: Lang = None,
    style: Annotated[
        str, Query(pattern="^(apa|chicago-author-date|harvard)$", description="Citation style.")
    ] = "apa",
) -> Response:
    """One record: every stored field, subjects in the reader's language, cite and export.

    The reference is formatted in one CSL style at a time (links switch it): citeproc takes
    tens of milliseconds per style, up to 150 ms for Chicago.
    """
    from socsec.bibliography.cite import format_references

    shown = i18n.choose_lang(request)
    with res.search() as svc:
        rec = svc.store.get(record_id)
        subjects = [
            (s.uri, svc.thesaurus.pref_label(s.uri, shown), s.provenance) for s in rec.subjects
        ]
    (citation,) = format_references([rec], style=style, lang=shown)
    return render(
        request,
        "record.html",
        {"r": rec, "subjects": subjects, "style": style, "citation": citation},
    )
