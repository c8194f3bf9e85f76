"""The read-only SPARQL endpoint: result formats, updates refused, time and size limits."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from socsec.web.app import create_app
from socsec.workspace import Workspace

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LABELS = f"SELECT ?l WHERE {{ <{EARLY_RETIREMENT}> <{SKOS}prefLabel> ?l }} ORDER BY ?l"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = {"content-type": "application/x-www-form-urlencoded"}
SPARQL_JSON = "application/sparql-results+json"
QUERY_BODY = {"content-type": "application/sparql-query"}


def expected_labels() -> list[str]:
    return sorted(["early retirement", "retraite anticipée", "jubilación anticipada"])


def test_get_select_as_json(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get("/sparql", params={"query": LABELS})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == SPARQL_JSON
    assert resp.headers["access-control-allow-origin"] == "*"
    body = resp.json()
    assert body["head"]["vars"] == ["l"]
    got = {(b["l"]["value"], b["l"]["xml:lang"]) for b in body["results"]["bindings"]}
    assert got == {
        ("early retirement", "en"),
        ("retraite anticipée", "fr"),
        ("jubilación anticipada", "es"),
    }


def test_post_form_and_direct_post_answer_alike(sqlite_client: TestClient) -> None:
    get = sqlite_client.get("/sparql", params={"query": LABELS}).json()
    form = sqlite_client.post("/sparql", data={"query": LABELS})
    direct = sqlite_client.post(
        "/sparql", content=LABELS.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json() == get


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("application/json", SPARQL_JSON),
        ("*/*", SPARQL_JSON),
    ],
)
def test_select_formats_by_accept(sqlite_client: TestClient, accept: str, media: str) -> None:
    resp = sqlite_client.get("/sparql", params={"query": LABELS}, headers={"accept": accept})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == media
    if media.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(resp.text)))
        assert rows[0] == ["l"]
        assert sorted(r[0] for r in rows[1:]) == expected_labels()
    elif "xml" in media:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(resp.content)
        literals = sorted(e.text or "" for e in root.iterfind(".//r:literal", ns))
        assert literals == expected_labels()


def test_format_parameter_overrides_accept(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get(
        "/sparql", params={"query": LABELS, "format": "csv"}, headers={"accept": SPARQL_JSON}
    )
    assert resp.headers["content-type"].startswith("text/csv")


def test_ask(sqlite_client: TestClient) -> None:
    query = f"ASK {{ <{EARLY_RETIREMENT}> a <{SKOS}Concept> }}"
    assert sqlite_client.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_construct_and_describe_as_turtle(sqlite_client: TestClient) -> None:
    construct = (
        f"CONSTRUCT {{ ?c <{SKOS}prefLabel> ?l }} "
        f"WHERE {{ ?c <{SKOS}prefLabel> ?l FILTER(?c = <{EARLY_RETIREMENT}>) }}"
    )
    for query in (construct, f"DESCRIBE <{EARLY_RETIREMENT}>"):
        resp = sqlite_client.get(
            "/sparql", params={"query": query}, headers={"accept": "text/turtle"}
        )
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "text/turtle; charset=utf-8"
        triples = list(ox.parse(resp.content, format=ox.RdfFormat.TURTLE))
        labels = {t.object.value for t in triples if t.predicate.value == f"{SKOS}prefLabel"}
        assert labels == set(expected_labels())


def test_construct_as_rdf_xml_and_json_ld(sqlite_client: TestClient) -> None:
    query = f"DESCRIBE <{EARLY_RETIREMENT}>"
    for accept, fmt in (
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        resp = sqlite_client.get("/sparql", params={"query": query}, headers={"accept": accept})
        assert resp.headers["content-type"].startswith(accept)
        assert len(list(ox.parse(resp.content, format=fmt))) > 10


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("get", {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}),
        ("post", {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}),
        ("post", {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}),
        ("get", {"params": {"update": "CLEAR ALL"}}),
        (
            "post",
            {
                "content": b"DROP ALL",
                "headers": {"content-type": "application/sparql-update"},
            },
        ),
    ],
)
def test_updates_are_refused(sqlite_client: TestClient, method: str, kwargs: Any) -> None:
    resp = sqlite_client.request(method.upper(), "/sparql", **kwargs)
    assert resp.status_code == 403, resp.text
    assert "read-only" in resp.json()["error"]["message"]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n = sqlite_client.get("/sparql", params={"query": count}).json()
    assert int(n["results"]["bindings"][0]["n"]["value"]) > 1000  # nothing was deleted


@pytest.fixture
def limited(sqlite_ws: Workspace) -> Iterator[TestClient]:
    """A client whose SPARQL engine has a 1 s time limit and a 2 kB result limit."""
    app = create_app(sqlite_ws)
    with TestClient(app, raise_server_exceptions=False) as client:
        engine = app.state.resources.sparql()
        engine.timeout = 1.0
        engine.max_bytes = 2000
        yield client


def test_time_limit_stops_a_runaway_query_and_the_next_one_works(limited: TestClient) -> None:
    resp = limited.get("/sparql", params={"query": CROSS_JOIN})
    assert resp.status_code == 422, resp.text
    assert "time limit" in resp.json()["error"]["message"]
    again = limited.get("/sparql", params={"query": LABELS})
    assert again.status_code == 200, again.text  # a fresh worker took over
    assert len(again.json()["results"]["bindings"]) == 3


def test_result_size_limit(limited: TestClient) -> None:
    resp = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert resp.status_code == 422, resp.text
    assert "2,000 bytes" in resp.json()["error"]["message"]
    construct = limited.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"accept": "text/turtle"},
    )
    assert construct.status_code == 422


def test_service_is_refused_but_the_word_in_a_literal_is_not(sqlite_client: TestClient) -> None:
    federated = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    resp = sqlite_client.get("/sparql", params={"query": federated})
    assert resp.status_code == 400
    assert "SERVICE" in resp.json()["error"]["message"]
    literal = (
        f'SELECT ?c WHERE {{ ?c <{SKOS}prefLabel> ?l FILTER(CONTAINS(STR(?l), "civil service")) }}'
    )
    assert sqlite_client.get("/sparql", params={"query": literal}).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", "/sparql", {}, 400),
        ("get", "/sparql?query=", {}, 400),
        ("get", "/sparql?query=SELEC%20*", {}, 400),
        ("get", "/sparql?query=SELECT%20*%20WHERE%20%7B", {}, 400),
        ("get", "/sparql?query=a&query=b", {}, 400),
        ("get", "/sparql?query=ASK%7B%7D&default-graph-uri=urn:x", {}, 400),
        ("post", "/sparql", {"data": {"query": "x" * 100_001}}, 400),
        (
            "post",
            "/sparql",
            {"content": b"query=ASK{}", "headers": {"content-type": "text/plain"}},
            415,
        ),
        ("post", "/sparql", {"content": b"\xff\xfe", "headers": QUERY_BODY}, 400),
        ("post", "/sparql", {"content": b"query=%ff", "headers": FORM}, 400),
        ("post", "/sparql", {"content": b"q" * 500_000, "headers": FORM}, 413),
        ("put", "/sparql", {}, 405),
        (
            "get",
            "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20-1",
            {},
            400,
        ),
        ("get", "/sparql?query=SELECT%20(1%2F0%20AS%20%3Fx)%20%7B%7D", {}, 200),
    ],
)
def test_hostile_requests_are_4xx(
    sqlite_client: TestClient, method: str, url: str, kwargs: dict[str, Any], status: int
) -> None:
    resp = sqlite_client.request(method.upper(), url, **kwargs)
    assert resp.status_code == status, resp.text
    if status >= 400:
        assert json.loads(resp.text)["error"]["message"]
