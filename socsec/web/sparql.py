"""A read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` over the thesaurus.

GET ``?query=``, POST form ``query=`` or POST ``application/sparql-query``. Solutions and
booleans come as SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE graphs as Turtle,
N-Triples, RDF/XML or JSON-LD, chosen by the Accept header (or ``format=``). Updates get 403,
a query past the time or size limit 422, a busy endpoint 429, a malformed query 400.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from socsec.errors import InputDataError
from socsec.thesaurus.sparql import (
    GRAPH_MEDIA,
    MAX_QUERY,
    RESULTS_MEDIA,
    EndpointBusy,
    QueryTooCostly,
    UpdateRefused,
)
from socsec.web.forms import media_type, one, params, read_body
from socsec.web.pages import negotiate
from socsec.web.resources import Resources

router = APIRouter(tags=["sparql"])

# Other names clients use for the same formats (SPARQLWrapper sends several of them).
_RESULT_ALIASES = {
    "application/json": RESULTS_MEDIA[0],
    "text/javascript": RESULTS_MEDIA[0],
    "application/javascript": RESULTS_MEDIA[0],
    "application/xml": RESULTS_MEDIA[1],
    "text/xml": RESULTS_MEDIA[1],
}
_GRAPH_ALIASES = {
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/xml": "application/rdf+xml",
    "application/json": "application/ld+json",
}
# The `format` parameter some clients add (SPARQLWrapper adds format=json, format=turtle...).
_FORMATS = {
    "json": (RESULTS_MEDIA[0], "application/ld+json"),
    "xml": (RESULTS_MEDIA[1], "application/rdf+xml"),
    "csv": (RESULTS_MEDIA[2], None),
    "tsv": (RESULTS_MEDIA[3], None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "n3": (None, "text/turtle"),
    "rdf+xml": (None, "application/rdf+xml"),
    "rdfxml": (None, "application/rdf+xml"),
    "json-ld": (None, "application/ld+json"),
    "jsonld": (None, "application/ld+json"),
    "ntriples": (None, "application/n-triples"),
}


def _choose(accept: str | None, offered: tuple[str, ...], aliases: dict[str, str]) -> str:
    names = (*offered, *aliases)
    found = negotiate(accept, names) if accept else None
    return aliases.get(found, found) if found else offered[0]


async def _query_text(request: Request, values: dict[str, list[str]]) -> str:
    if "update" in values or media_type(request) == "application/sparql-update":
        raise HTTPException(403, "this endpoint is read-only: SPARQL updates are refused")
    if values.get("default-graph-uri") or values.get("named-graph-uri"):
        raise InputDataError("this endpoint has one default graph: drop default/named-graph-uri")
    if request.method == "POST" and media_type(request) == "application/sparql-query":
        body = await read_body(request, MAX_QUERY * 4)
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputDataError("the query is not UTF-8") from None
    if request.method == "POST" and media_type(request) != "application/x-www-form-urlencoded":
        raise HTTPException(415, "POST a form (query=...) or application/sparql-query")
    text = one(values, "query")
    if text is None:
        raise InputDataError("query parameter missing", hint="e.g. /sparql?query=ASK{?s ?p ?o}")
    return text


@router.get("/sparql")
async def sparql_get(request: Request) -> Response:
    """Evaluate a SPARQL query (``query=``, read-only) over the thesaurus."""
    return await _sparql(request)


@router.post("/sparql")
async def sparql_post(request: Request) -> Response:
    """Evaluate a SPARQL query sent as a form (``query=``) or as application/sparql-query."""
    return await _sparql(request)


async def _sparql(request: Request) -> Response:
    values = await params(request, MAX_QUERY * 4)
    text = await _query_text(request, values)
    accept = request.headers.get("accept")
    results = _choose(accept, RESULTS_MEDIA, _RESULT_ALIASES)
    graph = _choose(accept, GRAPH_MEDIA, _GRAPH_ALIASES)
    fmt = (one(values, "format") or "").strip().lower()
    if fmt in _FORMATS:
        results = _FORMATS[fmt][0] or results
        graph = _FORMATS[fmt][1] or graph
    res: Resources = request.app.state.resources
    engine = res.sparql()
    try:
        answer = await run_in_threadpool(
            engine.query, text, results_media=results, graph_media=graph
        )
    except UpdateRefused as exc:
        raise HTTPException(403, exc.message) from None
    except QueryTooCostly as exc:
        detail = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
        raise HTTPException(422, detail) from None
    except EndpointBusy as exc:
        raise HTTPException(429, exc.message, headers={"Retry-After": "5"}) from None
    # Starlette adds "; charset=utf-8" to text/* types itself.
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})
