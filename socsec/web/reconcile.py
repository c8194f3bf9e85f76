"""The W3C Reconciliation Service API 0.2 at ``/reconcile`` (what OpenRefine speaks).

Manifest, reconciliation query batches (GET or form POST ``queries``), entity/type/property
suggest, HTML preview, property proposals and data extension (``extend``). Candidates come
from :func:`socsec.thesaurus.reconcile.reconcile`; this module parses and shapes the JSON
of the specification (schemas in tests/data/reconciliation/).
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from socsec import __version__
from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.errors import InputDataError, NotFoundError
from socsec.thesaurus.reconcile import (
    CONCEPT_TYPE,
    CONCEPT_TYPE_NAMES,
    CONSTRAINTS,
    EXTEND_PROPERTIES,
    Candidate,
    Constraint,
    describe,
    extend,
    reconcile,
)
from socsec.web.forms import json_param, one, params, reply
from socsec.web.params import MAX_TEXT, MAX_URI
from socsec.web.resources import Resources

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])

BATCH_SIZE = 1000
MAX_IDS = 1000
DEFAULT_LIMIT = 5
SUGGEST_PAGE = 10
CONCEPT = {"id": CONCEPT_TYPE, "name": "skos:Concept"}


def _res(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def manifest(request: Request) -> dict[str, Any]:
    """The service manifest: versions, spaces, default type and the sub-services' URLs."""
    base = _base(request)
    service = f"{base}/reconcile"
    return {
        "versions": ["0.1", "0.2"],
        "name": "socsec thesaurus (SKOS, en/fr/es)",
        "identifierSpace": "http://www.w3.org/2004/02/skos/core#Concept",
        "schemaSpace": "http://www.w3.org/2004/02/skos/core#",
        "documentation": f"{base}/docs#/reconciliation",
        "serviceVersion": __version__,
        "batchSize": BATCH_SIZE,
        "defaultTypes": [CONCEPT],
        "view": {"url": f"{base}/concept?uri={{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 420, "height": 160},
        "suggest": {
            kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/properties"},
            "property_settings": [],
        },
    }


# -- query batches ----------------------------------------------------------------------------


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            out.append(item["id"])
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            out.append(str(item))
        else:
            raise InputDataError(f"{what}: values must be strings or {{'id': ...}} objects")
    return tuple(v[:MAX_URI] for v in out)


def _constraints(value: Any, key: str) -> tuple[Constraint, ...]:
    if not isinstance(value, list):
        raise InputDataError(f"query {key!r}: properties must be a list of {{pid, v}}")
    out = []
    for prop in value:
        if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
            raise InputDataError(f"query {key!r}: each property needs a string pid and a v")
        out.append(Constraint(prop["pid"], _strings(prop["v"], f"query {key!r}")))
    return tuple(out)


def _limit(value: Any, key: str) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise InputDataError(f"query {key!r}: limit must be a positive integer")
    return int(min(value, 100))


class _Query:
    """One parsed reconciliation query."""

    def __init__(self, key: str, spec: Any) -> None:
        if not isinstance(spec, dict):
            raise InputDataError(f"query {key[:40]!r} must be an object")
        text = spec.get("query", "")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise InputDataError(f"query {key[:40]!r}: query must be text of <= {MAX_TEXT} chars")
        self.key = key
        self.text = text
        self.types = _strings(spec["type"], f"query {key!r}") if spec.get("type") else ()
        self.limit = _limit(spec.get("limit"), key)
        self.constraints = _constraints(spec["properties"], key) if spec.get("properties") else ()
        if not text.strip() and not self.constraints:
            raise InputDataError(f"query {key[:40]!r} needs a query or properties")


def parse_batch(text: str) -> list[_Query]:
    """The queries of a ``queries`` parameter.

    Raises:
        InputDataError: not a JSON object of query objects.
        HTTPException: 413 for more than :data:`BATCH_SIZE` queries.
    """
    batch = json_param(text, "queries")
    if not isinstance(batch, dict):
        raise InputDataError("queries must be a JSON object of queries keyed by id")
    if len(batch) > BATCH_SIZE:
        raise HTTPException(413, f"{len(batch)} queries in one batch; the most is {BATCH_SIZE}")
    return [_Query(str(k), v) for k, v in batch.items()]


def _candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.uri,
        "name": c.name,
        "description": c.description,
        "score": c.score,
        "match": c.match,
        "type": [CONCEPT],
        "features": [
            {"id": "exact_label", "value": c.match_kind in ("exact", "id")},
            {"id": "label_score", "value": c.score},
        ],
    }


def answer_batch(res: Resources, queries: list[_Query]) -> dict[str, Any]:
    """The result batch of parsed queries (blocking: call it in the thread pool)."""
    out: dict[str, Any] = {}
    with res.thesaurus() as cache:
        schemes = {s.uri for s in cache.schemes()}
        for q in queries:
            scheme_types = [t for t in q.types if t in schemes]
            any_type = not q.types or any(t in CONCEPT_TYPE_NAMES for t in q.types)
            if not any_type and not scheme_types:
                out[q.key] = {"result": []}  # a type this thesaurus has no concepts of
                continue
            found = reconcile(
                cache,
                q.text,
                schemes=() if any_type else scheme_types,
                constraints=q.constraints,
                limit=q.limit,
            )
            out[q.key] = {"result": [_candidate_json(c) for c in found]}
    return out


# -- data extension ---------------------------------------------------------------------------


def parse_extend(text: str) -> tuple[list[str], list[str]]:
    """The ids and property ids of an ``extend`` parameter.

    Raises:
        InputDataError: not ``{"ids": [...], "properties": [{"id": ...}]}``.
        HTTPException: 413 for more than :data:`MAX_IDS` ids.
    """
    query = json_param(text, "extend")
    if not isinstance(query, dict):
        raise InputDataError('extend must be {"ids": [...], "properties": [{"id": ...}]}')
    ids, props = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InputDataError("extend: ids must be a list of concept URIs")
    if not isinstance(props, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in props
    ):
        raise InputDataError("extend: properties must be a list of {id}")
    if len(ids) > MAX_IDS:
        raise HTTPException(413, f"{len(ids)} ids in one request; the most is {MAX_IDS}")
    return [i[:MAX_URI] for i in ids], [p["id"] for p in props]


def answer_extend(res: Resources, ids: list[str], props: list[str]) -> dict[str, Any]:
    """The data extension response (blocking: call it in the thread pool)."""
    with res.thesaurus() as cache:
        rows = extend(cache, ids, props)
    meta: list[dict[str, Any]] = []
    for pid in props:
        entry: dict[str, Any] = {"id": pid, "name": EXTEND_PROPERTIES[pid]}
        if pid in ("broader", "narrower", "related"):
            entry["type"] = CONCEPT
        meta.append(entry)
    return {
        "meta": meta,
        "rows": {
            uri: {
                pid: [{"id": v.id, "name": v.text} if v.id else {"str": v.text} for v in values]
                for pid, values in row.items()
            }
            for uri, row in rows.items()
        },
    }


# -- routes -----------------------------------------------------------------------------------


@router.get("")
async def service_get(request: Request) -> Response:
    """The service: manifest (no parameter), ``queries`` batch, or ``extend`` request."""
    return await _service(request)


@router.post("")
async def service_post(request: Request) -> Response:
    """A form with ``queries`` (a JSON batch) or ``extend`` (a data extension request)."""
    return await _service(request)


async def _service(request: Request) -> Response:
    values = await params(request)
    queries, extend_text = one(values, "queries"), one(values, "extend")
    if queries is not None:
        batch = parse_batch(queries)
        return reply(await run_in_threadpool(answer_batch, _res(request), batch), request)
    if extend_text is not None:
        ids, props = parse_extend(extend_text)
        return reply(await run_in_threadpool(answer_extend, _res(request), ids, props), request)
    return reply(manifest(request), request)


Prefix = Annotated[str, Query(max_length=MAX_TEXT, description="What the user typed.")]
Cursor = Annotated[int, Query(ge=0, le=1000, description="Suggestions to skip.")]


@router.get("/suggest/entity")
def suggest_entity(request: Request, prefix: Prefix, cursor: Cursor = 0) -> Response:
    """Concepts for an auto-complete field, by prefix (or a concept URI) in en/fr/es."""
    with _res(request).thesaurus() as cache:
        # Always the same window, so that pages do not overlap or skip.
        found = reconcile(cache, prefix, limit=100)[cursor : cursor + SUGGEST_PAGE]
    result = [
        {"id": c.uri, "name": c.name, "description": c.description, "notable": [CONCEPT]}
        for c in found
    ]
    return reply({"result": result}, request)


def _types(res: Resources) -> list[dict[str, str]]:
    with res.thesaurus() as cache:
        schemes = cache.schemes()
    titled = [
        {"id": s.uri, "name": s.title.get("en") or next(iter(s.title.values()), s.uri)}
        for s in schemes
    ]
    return [CONCEPT, *titled]


def _matches(prefix: str, *texts: str) -> bool:
    wanted = prefix.strip().casefold()
    return any(wanted in t.casefold() for t in texts)


@router.get("/suggest/type")
def suggest_type(request: Request, prefix: Prefix, cursor: Cursor = 0) -> Response:
    """Types to pick from: skos:Concept and each concept scheme (a type restricts to it)."""
    found = [t for t in _types(_res(request)) if _matches(prefix, t["id"], t["name"])]
    return reply({"result": found[cursor : cursor + SUGGEST_PAGE]}, request)


def _properties() -> list[dict[str, str]]:
    props = [{"id": pid, "name": name} for pid, name in EXTEND_PROPERTIES.items()]
    seen = {p["id"] for p in props}
    props += [{"id": pid, "name": name} for pid, name in CONSTRAINTS.items() if pid not in seen]
    return props


@router.get("/suggest/property")
def suggest_property(request: Request, prefix: Prefix, cursor: Cursor = 0) -> Response:
    """Properties for query constraints and data extension, by prefix."""
    found = [p for p in _properties() if _matches(prefix, p["id"], p["name"])]
    return reply({"result": found[cursor : cursor + SUGGEST_PAGE]}, request)


@router.get("/properties")
def propose_properties(
    request: Request,
    type: Annotated[str, Query(max_length=MAX_URI, description="Type id.")],
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Response:
    """Properties a data extension can fetch: labels per language, links, notation."""
    props = [{"id": pid, "name": name} for pid, name in EXTEND_PROPERTIES.items()]
    body: dict[str, Any] = {"type": type, "properties": props[:limit] if limit else props}
    if limit is not None:
        body["limit"] = limit
    return reply(body, request)


@router.get("/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    id: Annotated[str, Query(min_length=1, max_length=MAX_URI, description="Concept URI.")],
) -> Response:
    """A small HTML card of a concept (labels in en/fr/es, broader, notation) for an iframe."""
    with _res(request).thesaurus() as cache:
        if not cache.exists(id):  # ids are concept URIs; labels go through a query
            raise NotFoundError(f"No concept {id[:200]!r}", suggestions=cache.suggest(id))
        view = cache.concept(id)
        broader = [cache.pref_label(u, "en") for u in view.broader]
    esc = html.escape
    rows = "".join(
        f"<tr><th>{lang}</th><td>{esc(view.pref.get(lang, ''))}"
        f"<small>{esc('; '.join(view.alt.get(lang, [])))}</small></td></tr>"
        for lang in SUPPORTED_LANGUAGES
    )
    extra = f"<p>Broader: {esc('; '.join(broader))}</p>" if broader else ""
    notation = f" · {esc(view.notation)}" if view.notation else ""
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><title>'
        f"{esc(describe(view.pref))}</title><style>"
        "body{font:13px sans-serif;margin:6px}th{text-align:left;padding-right:8px}"
        "small{color:#666;margin-left:6px}</style></head><body>"
        f'<p><a href="{esc(view.uri)}" target="_blank">{esc(view.uri)}</a>{notation}</p>'
        f"<table>{rows}</table>{extra}</body></html>"
    )
    return HTMLResponse(page)
