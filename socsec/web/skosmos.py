"""A subset of the Skosmos REST API v1 at ``/rest/v1/``, in Skosmos's own JSON shapes.

Shapes follow Skosmos's RestController (src/controller/RestController.php) where it and
its OpenAPI description (swagger.json) differ: e.g. ``broaderTransitive`` is an object
keyed by URI, as the controller returns it. The whole thesaurus is one vocabulary,
:data:`VOCID`, whose concept schemes are socsec's schemes. Errors are 4xx with socsec's
JSON error body (Skosmos answers plain text; its clients only read the status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from socsec.analysis import SUPPORTED_LANGUAGES, base_language
from socsec.errors import InputDataError, NotFoundError
from socsec.thesaurus.label_search import LabelMatch, pref_labels, search_labels
from socsec.web.forms import reply
from socsec.web.params import LANG_PATTERN, MAX_TEXT, MAX_URI
from socsec.web.resources import Resources

router = APIRouter(prefix="/rest/v1", tags=["skosmos"])

VOCID = "socsec"
DEFAULT_LANG = "en"
MAX_HITS = 1000
TRANSITIVE_LIMIT = 1000
SKOS = "http://www.w3.org/2004/02/skos/core#"
CONTEXT = {"skos": SKOS, "uri": "@id", "type": "@type"}
ONKI = "http://schema.onki.fi/onki#"
# The RDF serialisations of /data, by media type (Skosmos's SUPPORTED_FORMATS less MARCXML).
DATA_FORMATS = ("application/rdf+xml", "text/turtle", "application/ld+json", "application/json")

LangQ = Annotated[
    str | None, Query(max_length=35, pattern=LANG_PATTERN, description="Label language.")
]
UriQ = Annotated[str, Query(min_length=1, max_length=MAX_URI, description="Concept URI.")]
VocidP = Annotated[str, Path(max_length=100, description=f"Vocabulary id ({VOCID!r}).")]


def _res(request: Request) -> Resources:
    res: Resources = request.app.state.resources
    return res


def _vocab(vocid: str) -> None:
    if vocid != VOCID:
        raise NotFoundError(f"No vocabulary {vocid[:60]!r}", suggestions=[VOCID])


def _lang(lang: str | None) -> str:
    return (base_language(lang) or DEFAULT_LANG) if lang else DEFAULT_LANG


def _label(prefs: dict[str, str], lang: str, fallback: str | None = None) -> str | None:
    if lang in prefs:
        return prefs[lang]
    if fallback and fallback in prefs:
        return prefs[fallback]
    return None


def _ctx(**extra: Any) -> dict[str, Any]:
    return {**CONTEXT, **extra}


# -- global methods ---------------------------------------------------------------------------


@router.get("/vocabularies")
def vocabularies(request: Request, lang: LangQ = None) -> Response:
    """The vocabularies on this server (one: the socsec thesaurus); ``lang`` is required."""
    if not lang:
        raise InputDataError("lang parameter missing")
    body = {
        "@context": {
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "onki": ONKI,
            "title": {"@id": "rdfs:label", "@language": lang},
            "vocabularies": "onki:hasVocabulary",
            "id": "onki:vocabularyIdentifier",
            "uri": "@id",
            "@base": f"{request.base_url}rest/v1/vocabularies",
        },
        "uri": "",
        "vocabularies": [{"uri": VOCID, "id": VOCID, "title": _title(lang)}],
    }
    return reply(body, request)


def _title(lang: str) -> str:
    titles = {
        "en": "socsec social security thesaurus",
        "fr": "thésaurus de la sécurité sociale socsec",
        "es": "tesauro de la seguridad social socsec",
    }
    return titles.get(_lang(lang), titles["en"])


def _hit(m: LabelMatch, prefs: dict[str, str], shown: str | None, notation: str | None) -> Any:
    # As Skosmos: prefLabel in the display language (else the matched label's), the label
    # that matched when it is not that prefLabel, and the matched label's language.
    label = _label(prefs, shown or m.lang, m.lang)
    hit: dict[str, Any] = {"uri": m.uri, "type": ["skos:Concept"]}
    if label is not None:
        hit["prefLabel"] = label
    hit["lang"] = m.lang
    if m.kind == "pref" and m.label != label:
        hit["matchedPrefLabel"] = m.label
    elif m.kind == "alt":
        hit["altLabel"] = m.label
    elif m.kind == "hidden":
        hit["hiddenLabel"] = m.label
    if notation:
        hit["notation"] = notation
    hit["vocab"] = VOCID
    return hit


def _search(
    request: Request,
    query: str,
    lang: str | None,
    labellang: str | None,
    vocab: str | None,
    maxhits: int | None,
    offset: int,
    unique: bool,
    parent: str | None,
) -> Response:
    for vocid in (vocab or "").split():
        _vocab(vocid)
    if not query.strip():
        raise InputDataError("query parameter missing")
    with _res(request).thesaurus() as cache:
        matches = search_labels(cache, query, lang=lang, unique=unique)
        if parent:
            matches = [m for m in matches if parent in cache.ancestors(m.uri)]
        matches = matches[offset : offset + (maxhits or MAX_HITS)]
        prefs = pref_labels(cache)
        shown = labellang or lang
        notations = {u: cache.concept(u).notation for u in {m.uri for m in matches}}
    results = [_hit(m, prefs.get(m.uri, {}), shown, notations[m.uri]) for m in matches]
    ctx = _ctx(
        isothes="http://purl.org/iso25964/skos-thes#",
        onki=ONKI,
        results={"@id": "onki:results", "@container": "@list"},
        prefLabel="skos:prefLabel",
        altLabel="skos:altLabel",
        hiddenLabel="skos:hiddenLabel",
    )
    if shown:
        ctx["@language"] = shown
    return reply({"@context": ctx, "uri": "", "results": results}, request)


Query_ = Annotated[str, Query(max_length=MAX_TEXT, description="Term; * is a wildcard.")]
MaxHits = Annotated[int | None, Query(ge=1, le=MAX_HITS, description="Most results.")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Results to skip.")]
Unique = Annotated[bool, Query(description="One result per concept.")]
Parent = Annotated[str | None, Query(max_length=MAX_URI, description="Broader concept URI.")]


@router.get("/search")
def search(
    request: Request,
    query: Query_,
    lang: LangQ = None,
    labellang: LangQ = None,
    vocab: Annotated[str | None, Query(max_length=200)] = None,
    maxhits: MaxHits = None,
    offset: Offset = 0,
    unique: Unique = False,
    parent: Parent = None,
) -> Response:
    """Concepts with a label matching ``query`` (``*`` wildcard; case and accents ignored)."""
    return _search(request, query, lang, labellang, vocab, maxhits, offset, unique, parent)


@router.get("/label")
def global_label(request: Request, uri: UriQ, lang: LangQ = None) -> Response:
    """The labels of a concept in ``lang``."""
    return _labels(request, uri, lang)


@router.get("/data")
def global_data(
    request: Request,
    uri: UriQ,
    format: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """A concept as RDF/XML, Turtle or JSON-LD (``format`` or the Accept header)."""
    return _data(request, uri, format)


# -- vocabulary methods -----------------------------------------------------------------------


@router.get("/{vocid}/")
def vocabulary(request: Request, vocid: VocidP, lang: LangQ = None) -> Response:
    """The vocabulary: title, languages and concept schemes."""
    _vocab(vocid)
    shown = _lang(lang)
    with _res(request).thesaurus() as cache:
        schemes = cache.schemes()
    conceptschemes = []
    for s in schemes:
        title = s.title.get(shown) or s.title.get(DEFAULT_LANG) or next(iter(s.title.values()), "")
        conceptschemes.append(
            {"uri": s.uri, "type": "skos:ConceptScheme", "prefLabel": title, "title": title}
        )
    body = {
        "@context": {
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "skos": SKOS,
            "onki": ONKI,
            "dct": "http://purl.org/dc/terms/",
            "uri": "@id",
            "type": "@type",
            "conceptschemes": "onki:hasConceptScheme",
            "id": "onki:vocabularyIdentifier",
            "defaultLanguage": "onki:defaultLanguage",
            "languages": "onki:language",
            "label": "rdfs:label",
            "prefLabel": "skos:prefLabel",
            "title": "dct:title",
            "@language": shown,
            "@base": f"{request.base_url}rest/v1/{VOCID}/",
        },
        "uri": "",
        "id": VOCID,
        "title": _title(shown),
        "defaultLanguage": DEFAULT_LANG,
        "languages": sorted(SUPPORTED_LANGUAGES),
        "conceptschemes": conceptschemes,
    }
    return reply(body, request)


@router.get("/{vocid}/search")
def vocab_search(
    request: Request,
    vocid: VocidP,
    query: Query_,
    lang: LangQ = None,
    labellang: LangQ = None,
    maxhits: MaxHits = None,
    offset: Offset = 0,
    unique: Unique = False,
    parent: Parent = None,
) -> Response:
    """Concepts of the vocabulary with a label matching ``query``."""
    _vocab(vocid)
    return _search(request, query, lang, labellang, vocid, maxhits, offset, unique, parent)


@router.get("/{vocid}/topConcepts")
def top_concepts(
    request: Request,
    vocid: VocidP,
    lang: LangQ = None,
    scheme: Annotated[str | None, Query(max_length=MAX_URI)] = None,
) -> Response:
    """Top concepts of one scheme (``scheme``) or of every scheme."""
    _vocab(vocid)
    shown = _lang(lang)
    with _res(request).thesaurus() as cache:
        uris = [s.uri for s in cache.schemes()]
        if scheme is not None and scheme not in uris:
            raise NotFoundError(f"No concept scheme {scheme[:80]!r}", suggestions=uris[:5])
        wanted = [scheme] if scheme else uris
        tops = []
        for s in wanted:
            for uri in cache.top_concepts(s):
                entry: dict[str, Any] = {
                    "uri": uri,
                    "topConceptOf": s,
                    "label": cache.pref_label(uri, shown),
                    "hasChildren": cache.narrower_count(uri) > 0,
                }
                notation = cache.concept(uri).notation
                if notation:
                    entry["notation"] = notation
                tops.append(entry)
    ctx = _ctx(
        onki=ONKI,
        topconcepts="skos:hasTopConcept",
        notation="skos:notation",
        label="skos:prefLabel",
    )
    ctx["@language"] = shown
    body = {"@context": ctx, "uri": scheme or wanted, "topconcepts": tops}
    return reply(body, request)


_ORDER = {"pref": 0, "alt": 1, "hidden": 2}


@router.get("/{vocid}/lookup")
def lookup(
    request: Request,
    vocid: VocidP,
    label: Annotated[str, Query(max_length=MAX_TEXT, description="The label to find.")],
    lang: LangQ = None,
) -> Response:
    """The concepts whose label is ``label``: preferred labels first, then alternative ones.

    Skosmos's order: exact preferred label, then case-insensitive, then alternative labels.
    """
    _vocab(vocid)
    if not label.strip():
        raise InputDataError("label parameter missing")
    with _res(request).thesaurus() as cache:
        matches = list(search_labels(cache, label.replace("*", " "), lang=lang))
        prefs = pref_labels(cache)
        hits = _lookup_hits(matches, label.strip())
        notations = {m.uri: cache.concept(m.uri).notation for m in hits}
    if not hits:
        raise NotFoundError(f"Could not find label {label[:80]!r}")
    result = [_hit(m, prefs.get(m.uri, {}), lang or m.lang, notations[m.uri]) for m in hits]
    ctx = _ctx(
        onki=ONKI,
        results={"@id": "onki:results"},
        prefLabel="skos:prefLabel",
        altLabel="skos:altLabel",
        hiddenLabel="skos:hiddenLabel",
    )
    if lang:
        ctx["@language"] = lang
    return reply({"@context": ctx, "result": result}, request)


def _lookup_hits(matches: list[LabelMatch], label: str) -> list[LabelMatch]:
    # The first non-empty rung wins, as in RestController::findLookupHits.
    rungs: tuple[Callable[[LabelMatch], bool], ...] = (
        lambda m: m.kind == "pref" and m.label == label,
        lambda m: m.kind == "pref" and m.label.casefold() == label.casefold(),
        lambda m: m.kind == "alt" and m.label == label,
        lambda m: m.kind == "alt" and m.label.casefold() == label.casefold(),
        lambda m: m.kind == "pref",  # same words, other accents or punctuation
        lambda m: m.kind == "alt",
    )
    for rung in rungs:
        hits = [m for m in matches if rung(m)]
        if hits:
            return list({m.uri: m for m in reversed(hits)}.values())[::-1]
    return []


@router.get("/{vocid}/label")
def label(request: Request, vocid: VocidP, uri: UriQ, lang: LangQ = None) -> Response:
    """The labels of a concept in ``lang`` (prefLabel, altLabel, hiddenLabel)."""
    _vocab(vocid)
    return _labels(request, uri, lang)


def _labels(request: Request, uri: str, lang: str | None) -> Response:
    shown = _lang(lang)
    with _res(request).thesaurus() as cache:
        view = _concept(cache, uri)
    body: dict[str, Any] = {
        "@context": _ctx(
            prefLabel="skos:prefLabel",
            altLabel="skos:altLabel",
            hiddenLabel="skos:hiddenLabel",
            **{"@language": shown},
        ),
        "uri": uri,
    }
    if shown in view.pref:
        body["prefLabel"] = view.pref[shown]
    if view.alt.get(shown):
        body["altLabel"] = view.alt[shown]
    if view.hidden.get(shown):
        body["hiddenLabel"] = view.hidden[shown]
    return reply(body, request)


def _concept(cache: Any, uri: str) -> Any:
    if not cache.exists(uri):
        raise NotFoundError(f"Could not find concept <{uri[:200]}>")
    return cache.concept(uri)


def _related(request: Request, uri: str, lang: str | None, prop: str) -> Response:
    shown = _lang(lang)
    with _res(request).thesaurus() as cache:
        view = _concept(cache, uri)
        links = [{"uri": u, "prefLabel": cache.pref_label(u, shown)} for u in getattr(view, prop)]
    links.sort(key=lambda x: x["prefLabel"].casefold())
    ctx = _ctx(prefLabel="skos:prefLabel", **{prop: f"skos:{prop}", "@language": shown})
    return reply({"@context": ctx, "uri": uri, prop: links}, request)


def _transitive(request: Request, uri: str, lang: str | None, limit: int, up: bool) -> Response:
    shown = _lang(lang)
    direct, name = ("broader", "broaderTransitive") if up else ("narrower", "narrowerTransitive")
    with _res(request).thesaurus() as cache:
        _concept(cache, uri)
        chain = [uri, *(cache.ancestors(uri) if up else cache.descendants(uri))][:limit]
        members = set(chain)
        out: dict[str, Any] = {}
        for u in chain:
            entry: dict[str, Any] = {"uri": u, "prefLabel": cache.pref_label(u, shown)}
            links = [x for x in getattr(cache.concept(u), direct) if x in members]
            if links:
                entry[direct] = links
            out[u] = entry
    ctx = _ctx(
        prefLabel="skos:prefLabel",
        **{
            direct: {"@id": f"skos:{direct}", "@type": "@id"},
            name: {"@id": f"skos:{name}", "@container": "@index"},
            "@language": shown,
        },
    )
    return reply({"@context": ctx, "uri": uri, name: out}, request)


Limit = Annotated[int, Query(ge=1, le=TRANSITIVE_LIMIT, description="Most concepts.")]


def _direct_route(prop: str, doc: str) -> None:
    """The route of one direct relation (``/{vocid}/broader``, ``narrower``, ``related``)."""

    def endpoint(request: Request, vocid: VocidP, uri: UriQ, lang: LangQ = None) -> Response:
        _vocab(vocid)
        return _related(request, uri, lang, prop)

    endpoint.__name__, endpoint.__doc__ = prop, doc  # the name makes the OpenAPI operation id
    router.get(f"/{{vocid}}/{prop}")(endpoint)


def _transitive_route(name: str, up: bool, doc: str) -> None:
    """The route of a transitive relation (``/{vocid}/broaderTransitive``, ``narrower...``)."""

    def endpoint(
        request: Request, vocid: VocidP, uri: UriQ, lang: LangQ = None, limit: Limit = 1000
    ) -> Response:
        _vocab(vocid)
        return _transitive(request, uri, lang, limit, up=up)

    endpoint.__name__ = name.replace("Transitive", "_transitive")  # as the direct ones
    endpoint.__doc__ = doc
    router.get(f"/{{vocid}}/{name}")(endpoint)


# Registered in the order the routes had when each was written out.
_direct_route("broader", "The direct broader concepts.")
_transitive_route(
    "broaderTransitive",
    True,
    "The concept and all its broader concepts, keyed by URI, each with its direct broader.",
)
_direct_route("narrower", "The direct narrower concepts.")
_transitive_route(
    "narrowerTransitive",
    False,
    "The concept and all its narrower concepts, keyed by URI, each with its direct narrower.",
)
_direct_route("related", "The related concepts.")


@router.get(
    "/{vocid}/data",
    responses={200: {"content": {m: {} for m in DATA_FORMATS}}},
)
def data(
    request: Request,
    vocid: VocidP,
    uri: Annotated[str | None, Query(max_length=MAX_URI, description="Concept URI.")] = None,
    format: Annotated[str | None, Query(max_length=100, description="Media type.")] = None,
) -> Response:
    """A concept (``uri``) or the whole vocabulary as RDF/XML, Turtle or JSON-LD."""
    _vocab(vocid)
    return _data(request, uri, format)


def _negotiate(request: Request, format: str | None) -> str:
    if format is not None:
        wanted = format.split(";")[0].strip().lower()
        if wanted in DATA_FORMATS:
            return wanted
        raise _not_acceptable()
    from socsec.web.pages import negotiate

    found = negotiate(request.headers.get("accept"), DATA_FORMATS)
    if found is None:
        raise _not_acceptable()
    return found


def _not_acceptable() -> Exception:
    from starlette.exceptions import HTTPException

    return HTTPException(406, "Supported media types: " + " ".join(DATA_FORMATS))


def _data(request: Request, uri: str | None, format: str | None) -> Response:
    import pyoxigraph as ox  # RDF output only: never on the lookup path

    from socsec.web.exports import PREFIXES, concept_triples

    media = _negotiate(request, format)
    res = _res(request)
    triples: list[ox.Triple]
    if uri is not None:
        with res.thesaurus() as cache:
            triples = concept_triples(_concept(cache, uri))
    else:
        from socsec.thesaurus.store import read_all

        triples = list(dict.fromkeys(read_all(res.ws.thesaurus_dir)))
    fmt = {
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/json": ox.RdfFormat.JSON_LD,
    }[media]
    body = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    assert body is not None  # no output file given: bytes are returned
    return Response(bytes(body), media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
