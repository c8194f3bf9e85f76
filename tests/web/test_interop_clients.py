"""Real clients against a real server: NatLibFi's skosmos-client and SPARQLWrapper over HTTP.

A uvicorn server on 127.0.0.1 (a free port) serves a copy of the fixture data dir; the
clients are used exactly as their documentation shows, pointed at it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from skosmos_client import SkosmosClient
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from socsec.workspace import Workspace
from tests.web.browser import live_server

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
TERMINATION = "http://eurovoc.europa.eu/3522"
LABELS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    f"SELECT ?label WHERE {{ <{EARLY_RETIREMENT}> skos:prefLabel ?label }}"
)


@pytest.fixture(scope="module")
def server(sqlite_ws: Workspace) -> Iterator[str]:
    """Base URL of a real uvicorn server over the fixture data dir."""
    with live_server(sqlite_ws, warm_up=False) as url:
        yield url


@pytest.fixture(scope="module")
def skosmos(server: str) -> SkosmosClient:
    return SkosmosClient(api_base=f"{server}/rest/v1/")


# -- skosmos-client ---------------------------------------------------------------------------


def test_skosmos_client_vocabularies_and_search(skosmos: SkosmosClient) -> None:
    assert [v["id"] for v in skosmos.vocabularies("en")] == ["socsec"]
    results = skosmos.search("retraite anticip*", lang="fr")
    assert results[0]["uri"] == EARLY_RETIREMENT
    assert results[0]["prefLabel"] == "retraite anticipée"
    in_vocab = skosmos.search("jubilación*", vocabs="socsec", lang="es")
    assert EARLY_RETIREMENT in {r["uri"] for r in in_vocab}


def test_skosmos_client_lookup_and_label(skosmos: SkosmosClient) -> None:
    found = skosmos.lookup("socsec", "jubilación anticipada", lang="es")
    assert [r["uri"] for r in found] == [EARLY_RETIREMENT]
    with pytest.raises(ValueError):  # the client's way of saying 404
        skosmos.lookup("socsec", "no such label at all")
    concept = skosmos.get_concept("socsec", EARLY_RETIREMENT)
    assert concept.label("fr") == "retraite anticipée"
    assert concept.label("en") == "early retirement"


def test_skosmos_client_hierarchy(skosmos: SkosmosClient) -> None:
    concept = skosmos.get_concept("socsec", EARLY_RETIREMENT)
    assert concept.broader("en") == [{"uri": TERMINATION, "prefLabel": "termination of employment"}]
    chain = concept.broaderTransitive("en")
    assert chain[EARLY_RETIREMENT]["broader"] == [TERMINATION]
    unemployment = skosmos.get_concept("socsec", "http://eurovoc.europa.eu/5974")
    assert len(unemployment.narrower("es")) == 10
    assert unemployment.related("en")
    info = skosmos.get_vocabulary("socsec", lang="en")
    assert info["id"] == "socsec"
    assert skosmos.top_concepts("socsec", lang="en")
    with pytest.raises(ValueError):
        skosmos.get_vocabulary("yso")


def test_skosmos_client_data_is_an_rdflib_graph(
    skosmos: SkosmosClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # skosmos-client 0.3.0 (2019) asks for RDF/XML and parses it with Graph.parse(data=...)
    # and no format: rdflib 4/5 read that as RDF/XML, rdflib >= 6 tries Turtle and fails
    # whatever the server sends. Restore the default the client was written for.
    parse = Graph.parse

    def parse_as_rdflib5(graph: Graph, *args: Any, **kwargs: Any) -> Graph:
        kwargs.setdefault("format", "xml")
        return parse(graph, *args, **kwargs)

    monkeypatch.setattr(Graph, "parse", parse_as_rdflib5)
    graph = skosmos.data(EARLY_RETIREMENT, vocid="socsec")
    labels = set(graph.objects(URIRef(EARLY_RETIREMENT), SKOS.prefLabel))
    assert Literal("jubilación anticipada", lang="es") in labels
    assert (URIRef(EARLY_RETIREMENT), SKOS.broader, URIRef(TERMINATION)) in graph


# -- SPARQLWrapper ----------------------------------------------------------------------------


def _wrapper(server: str) -> SPARQLWrapper:
    return SPARQLWrapper(f"{server}/sparql", agent="socsec-tests")


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_by_get_and_post(server: str, method: str) -> None:
    sparql = _wrapper(server)
    sparql.setMethod(method)
    sparql.setQuery(LABELS)
    sparql.setReturnFormat(JSON)
    result = sparql.queryAndConvert()
    assert isinstance(result, dict)
    labels = {(b["label"]["value"], b["label"]["xml:lang"]) for b in result["results"]["bindings"]}
    assert ("jubilación anticipada", "es") in labels and len(labels) == 3


def test_sparqlwrapper_xml_csv_and_ask(server: str) -> None:
    sparql = _wrapper(server)
    sparql.setQuery(LABELS)
    sparql.setReturnFormat(XML)
    xml = sparql.queryAndConvert()
    assert len(xml.getElementsByTagName("literal")) == 3  # type: ignore[union-attr]
    sparql.setReturnFormat(CSV)
    text = sparql.queryAndConvert()
    assert isinstance(text, bytes) and text.decode().splitlines()[0] == "label"
    sparql.setQuery(f"ASK {{ <{EARLY_RETIREMENT}> ?p ?o }}")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True  # type: ignore[index]


def test_sparqlwrapper_construct_as_turtle(server: str) -> None:
    sparql = _wrapper(server)
    sparql.setQuery(f"DESCRIBE <{EARLY_RETIREMENT}>")
    sparql.setReturnFormat(TURTLE)
    data = sparql.queryAndConvert()
    assert isinstance(data, bytes) and b"jubilaci" in data


def test_sparqlwrapper_insert_is_refused(server: str) -> None:
    sparql = _wrapper(server)
    sparql.setMethod(POST)
    sparql.setQuery(f'INSERT DATA {{ <{EARLY_RETIREMENT}> <urn:p> "x" }}')
    with pytest.raises(urllib.error.HTTPError) as refused:
        sparql.query()
    assert refused.value.code == 403
    sparql = _wrapper(server)
    sparql.setQuery(f"ASK {{ <{EARLY_RETIREMENT}> <urn:p> ?o }}")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is False  # type: ignore[index]


# -- reconciliation over HTTP, as OpenRefine sends it ------------------------------------------


def test_openrefine_style_form_post(server: str) -> None:
    manifest = json.loads(urllib.request.urlopen(f"{server}/reconcile", timeout=10).read())
    assert manifest["preview"]["url"].startswith(server)
    form = urllib.parse.urlencode({"queries": json.dumps({"q0": {"query": "paro"}})}).encode()
    with urllib.request.urlopen(f"{server}/reconcile", data=form, timeout=10) as resp:
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        body = json.loads(resp.read())
    assert body["q0"]["result"][0]["id"] == "http://eurovoc.europa.eu/5974"
