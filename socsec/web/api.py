"""The JSON read API (``/api``): lookup, concepts, hierarchy, search, records, exports.

Each endpoint validates its parameters, makes the same library call as the matching CLI
command and returns the result; see ``/docs`` or ``/openapi.json`` for the schemas.
"""

import io
import json
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import QueryParams

from socsec.errors import InputDataError
from socsec.indexer.service import SearchResponse
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.model import SchemeInfo
from socsec.web.exports import ConceptFormat, GlossaryFormat, concept_rdf, glossary
from socsec.web.hits_json import encode_hits
from socsec.web.lean import LeanRoute, Plan, lean, single, small_int
from socsec.web.params import (
    LANG_PATTERN,
    MAX_TEXT,
    MAX_URI,
    Lang,
    SearchParams,
)
from socsec.web.resources import Resources
from socsec.web.views import (
    LANGS,
    ConceptLink,
    ConceptPayload,
    LookupHitJSON,
    SchemeTop,
    Suggestion,
    children,
    concept_payload,
    display_lang,
    suggestions,
    top_concepts,
)

# Lookup and autocomplete have a lean path (socsec.web.lean); other routes are plain.
router = APIRouter(prefix="/api", route_class=LeanRoute)

Term = Annotated[
    str,
    Query(min_length=1, max_length=MAX_TEXT, description="A term in English, French or Spanish."),
]
Uri = Annotated[
    str, Query(min_length=1, max_length=MAX_URI, description="Concept URI, notation or label.")
]
Scheme = Annotated[str | None, Query(max_length=MAX_URI, description="Concept scheme URI.")]


class RecordFormat(StrEnum):
    """Bibliographic formats a search can be downloaded as."""

    bibtex = "bibtex"
    ris = "ris"
    csljson = "csljson"


_RECORD_MEDIA = {
    RecordFormat.bibtex: ("application/x-bibtex; charset=utf-8", "bib"),
    RecordFormat.ris: ("application/x-research-info-systems; charset=utf-8", "ris"),
    RecordFormat.csljson: ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


async def resources(request: Request) -> Resources:
    """The server's shared library objects (async: a sync dependency costs a thread hop)."""
    res: Resources = request.app.state.resources
    return res


Res = Annotated[Resources, Depends(resources)]


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _encode(data: Any) -> bytes:
    # The hot path skips response-model validation: the library already returns typed values.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _lookup_answer(
    q: str, lang: str | None, scheme: str | None, limit: int
) -> Callable[[ThesaurusCache], bytes]:
    def answer(cache: ThesaurusCache) -> bytes:
        hits = cache.lookup(q, lang=lang, scheme=scheme, limit=limit)
        # The in-memory index keeps its concepts' encoded parts; SQLite's are encoded anew.
        return encode_hits(hits, LANGS, getattr(cache, "fragments", None))

    return answer


def _autocomplete_answer(
    q: str, lang: str | None, shown: str, limit: int
) -> Callable[[ThesaurusCache], bytes]:
    def answer(cache: ThesaurusCache) -> bytes:
        found = suggestions(cache, q, lang=lang, display=shown, limit=limit)
        return _encode([s.to_json() for s in found])

    return answer


_LANG = re.compile(LANG_PATTERN)


def _tag(values: dict[str, str], name: str) -> tuple[bool, str | None]:
    """(well-formed, value) of an optional language tag parameter."""
    tag = values.get(name)
    return tag is None or (len(tag) <= 35 and _LANG.fullmatch(tag) is not None), tag


def _lookup_plan(params: QueryParams) -> Plan | None:
    """The lean path of /api/lookup: the parameters when the full route would accept them."""
    values = single(params, ("q", "lang", "scheme", "limit"))
    if values is None:
        return None
    q, scheme = values.get("q", ""), values.get("scheme")
    limit = small_int(values.get("limit"), 10, 100)
    lang_ok, lang = _tag(values, "lang")
    if not 0 < len(q) <= MAX_TEXT or limit is None or not lang_ok:
        return None
    if scheme is not None and not 0 < len(scheme) <= MAX_URI:
        return None
    return ("lookup", q, lang, scheme, limit), q, _lookup_answer(q, lang, scheme, limit)


def _autocomplete_plan(params: QueryParams) -> Plan | None:
    """The lean path of /api/autocomplete (as :func:`_lookup_plan`)."""
    values = single(params, ("q", "lang", "display", "limit"))
    if values is None:
        return None
    q = values.get("q", "")
    limit = small_int(values.get("limit"), 8, 50)
    lang_ok, lang = _tag(values, "lang")
    display_ok, display = _tag(values, "display")
    if not 0 < len(q) <= MAX_TEXT or limit is None or not lang_ok or not display_ok:
        return None
    shown = display_lang(display)
    key = ("autocomplete", q, lang, shown, limit)
    return key, q, _autocomplete_answer(q, lang, shown, limit)


@router.get("/lookup", response_model=list[LookupHitJSON], tags=["thesaurus"])
@lean(_lookup_plan)
def lookup(
    request: Request,
    q: Term,
    lang: Lang = None,
    scheme: Scheme = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Most hits.")] = 10,
) -> Response:
    """Concepts whose labels match ``q`` (exact, folded, stemmed, prefix, then typo), best first.

    The same matching ladder and JSON as ``socsec thesaurus lookup --json`` (``pref`` and
    ``alt`` keyed by en, fr, es); ``[]`` when nothing matches.
    """
    # Sync: a typo lookup is CPU work, run in the thread pool so it never blocks the event
    # loop. Well-formed requests take the lean path (socsec.web.lean) and never get here.
    res: Resources = request.app.state.resources
    key = ("lookup", q, lang, scheme, limit)
    return _json(res.lookup_answer(key, _lookup_answer(q, lang, scheme, limit)))


@router.get("/autocomplete", response_model=list[Suggestion], tags=["thesaurus"])
@lean(_autocomplete_plan)
def autocomplete(
    request: Request,
    q: Term,
    lang: Lang = None,
    display: Annotated[
        str | None, Query(pattern=LANG_PATTERN, max_length=35, description="Label language.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Most suggestions.")] = 8,
) -> Response:
    """Suggestions for a search box: the matched label and the concept's en/fr/es labels."""
    res: Resources = request.app.state.resources
    shown = display_lang(display)
    key = ("autocomplete", q, lang, shown, limit)
    return _json(res.lookup_answer(key, _autocomplete_answer(q, lang, shown, limit)))


@router.get("/schemes", response_model=list[SchemeInfo], tags=["thesaurus"])
def schemes(res: Res) -> list[SchemeInfo]:
    """The concept schemes with their size, licence and attribution."""
    with res.thesaurus() as cache:
        return cache.schemes()


@router.get("/concept", response_model=ConceptPayload, tags=["thesaurus"])
def concept(res: Res, uri: Uri, response: Response, lang: Lang = None) -> ConceptPayload:
    """A concept with its labels in every language, notes, broader paths, narrower, related.

    The ``ETag`` header is its version, for the ``If-Match`` of an edit.
    """
    from socsec.app.versions import concept_tag

    with res.thesaurus() as cache:
        payload = concept_payload(cache, uri, lang=display_lang(lang))
        response.headers["ETag"] = concept_tag(cache.concept(payload.uri))
        return payload


@router.get("/concepts/top", response_model=list[SchemeTop], tags=["thesaurus"])
def top(res: Res, scheme: Scheme = None, lang: Lang = None) -> list[SchemeTop]:
    """Each concept scheme (or only ``scheme``) with its top concepts."""
    with res.thesaurus() as cache:
        return top_concepts(cache, lang=display_lang(lang), scheme=scheme)


@router.get("/concepts/children", response_model=list[ConceptLink], tags=["thesaurus"])
def narrower(res: Res, uri: Uri, lang: Lang = None) -> list[ConceptLink]:
    """The direct narrower concepts of a concept, with their own narrower counts."""
    with res.thesaurus() as cache:
        return children(cache, uri, lang=display_lang(lang))


@router.get(
    "/concept/export",
    tags=["exports"],
    responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}},
)
def concept_export(
    res: Res, uri: Uri, format: Annotated[ConceptFormat, Query()] = ConceptFormat.ttl
) -> Response:
    """One concept as SKOS Turtle or JSON-LD."""
    with res.thesaurus() as cache:
        view = cache.concept(cache.resolve(uri))
    return Response(concept_rdf(view, format), media_type=format.media_type)


def _langs(value: str) -> list[str]:
    langs = [t.strip().lower() for t in value.split(",") if t.strip()]
    bad = [t for t in langs if t not in LANGS]
    if not langs or bad:
        raise InputDataError(
            f"languages {value[:40]!r}: give some of {', '.join(LANGS)}, comma-separated"
        )
    return list(dict.fromkeys(langs))


@router.get(
    "/glossary",
    tags=["exports"],
    responses={200: {"content": {"application/x-tbx+xml": {}, "text/csv": {}}}},
)
def glossary_export(
    res: Res,
    format: Annotated[GlossaryFormat, Query()] = GlossaryFormat.tbx,
    langs: Annotated[str, Query(max_length=40, description="e.g. en,fr,es")] = ",".join(LANGS),
    concept: Annotated[
        str | None, Query(max_length=MAX_URI, description="Only this concept and its branch.")
    ] = None,
    scheme: Scheme = None,
) -> Response:
    """The terminology as a TBX-Basic file (CAT tools) or a CSV glossary (spreadsheets)."""
    wanted = _langs(langs)
    with res.thesaurus() as cache:
        data, _count = glossary(cache, format, wanted, concept=concept, scheme=scheme)
    return _download(data, format.media_type, f"socsec-glossary.{format.value}")


@router.get("/search", response_model=SearchResponse, tags=["bibliography"])
def search(
    res: Res,
    params: Annotated[SearchParams, Depends()],
    explain: Annotated[bool, Query(description="Say why each hit matched.")] = False,
) -> SearchResponse:
    """Records by text (any of en/fr/es, expanded through the thesaurus) and concept.

    The options of ``socsec search``: concept filter (with narrower concepts unless
    ``exact_concept``), year range, types, languages, author, facets, sort and paging.
    """
    request = params.request()
    with res.search() as svc:
        return svc.search(request, explain=explain)


@router.get(
    "/search/export",
    tags=["exports"],
    responses={
        200: {
            "content": {
                "application/x-bibtex": {},
                "application/x-research-info-systems": {},
                "application/vnd.citationstyles.csl+json": {},
            }
        }
    },
)
def search_export(
    res: Res,
    params: Annotated[SearchParams, Depends()],
    format: Annotated[RecordFormat, Query()] = RecordFormat.bibtex,
) -> Response:
    """Every hit of a search (not just one page) as BibTeX, RIS or CSL-JSON."""
    request = params.request()
    buf = io.StringIO()
    with res.search() as svc:
        svc.export(request, format.value, buf)
    media, ext = _RECORD_MEDIA[format]
    return _download(buf.getvalue().encode("utf-8"), media, f"socsec-search.{ext}")


@router.get("/records/{record_id}", tags=["bibliography"])
def record(
    res: Res,
    record_id: Annotated[str, Path(max_length=200, description="Record id or alias.")],
    response: Response,
    lang: Lang = None,
) -> dict[str, Any]:
    """One record (as ``socsec bib show --json``), subjects labelled in ``lang``.

    The ``ETag`` header is its version, for the ``If-Match`` of an edit.
    """
    from socsec.app.versions import record_tag
    from socsec.bibliography.codec import record_to_dict

    with res.search() as svc:
        rec = svc.store.get(record_id)
        response.headers["ETag"] = record_tag(rec)
        data = record_to_dict(rec)
        shown = display_lang(lang)
        data["subject_labels"] = {
            s.uri: svc.thesaurus.pref_label(s.uri, shown) for s in rec.subjects
        }
    return data


@router.get("/health", tags=["service"])
def health(res: Res) -> dict[str, Any]:
    """Liveness: concept count, whether the thesaurus cache opens and the search backend answers.

    ``status`` is "ok", or "degraded" while the search backend is unavailable (lookups still
    work; searches answer 503).
    """
    with res.thesaurus() as cache:
        concepts, version = cache.count(), cache.version()
    search = res.search_health()
    return {
        "status": "ok" if search["available"] else "degraded",
        "concepts": concepts,
        "thesaurus_version": version,
        "search": search,
    }
