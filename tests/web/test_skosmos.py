"""The Skosmos REST API v1 subset: Skosmos's JSON shapes on the bundled thesaurus, bad input 4xx.

The real client (NatLibFi's skosmos-client) is exercised in test_interop_clients.py.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
TERMINATION = "http://eurovoc.europa.eu/3522"  # its broader concept
UNEMPLOYMENT = "http://eurovoc.europa.eu/5974"
EMPLOYMENT_SCHEME = "http://eurovoc.europa.eu/100232"


def ok(client: TestClient, url: str, **params: Any) -> Any:
    resp = client.get(url, params=params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["access-control-allow-origin"] == "*"
    return resp.json()


def test_vocabularies_and_vocabulary_info(sqlite_client: TestClient) -> None:
    body = ok(sqlite_client, "/rest/v1/vocabularies", lang="en")
    assert body["uri"] == ""
    assert [v["id"] for v in body["vocabularies"]] == ["socsec"]
    info = ok(sqlite_client, "/rest/v1/socsec/", lang="fr")
    assert info["id"] == "socsec"
    assert info["languages"] == ["en", "es", "fr"]
    assert info["defaultLanguage"] == "en"
    schemes = {s["uri"]: s for s in info["conceptschemes"]}
    assert schemes[EMPLOYMENT_SCHEME]["type"] == "skos:ConceptScheme"
    assert schemes[EMPLOYMENT_SCHEME]["prefLabel"] == "emploi"


def test_search_wildcards_languages_and_paging(sqlite_client: TestClient) -> None:
    body = ok(sqlite_client, "/rest/v1/search", query="retraite anticip*", lang="fr")
    assert body["uri"] == ""
    assert body["@context"]["@language"] == "fr"
    hit = body["results"][0]
    assert hit == {
        "uri": EARLY_RETIREMENT,
        "type": ["skos:Concept"],
        "prefLabel": "retraite anticipée",
        "lang": "fr",
        "notation": "3626",
        "vocab": "socsec",
    }
    # No wildcard: the whole label, any case or accents.
    exact = ok(sqlite_client, "/rest/v1/search", query="JUBILACION ANTICIPADA")
    assert [h["uri"] for h in exact["results"]] == [EARLY_RETIREMENT]
    assert exact["results"][0]["lang"] == "es"
    # An alternative label is reported as the altLabel that matched.
    alt = ok(sqlite_client, "/rest/v1/search", query="pre-retirement", lang="en")
    assert alt["results"][0]["altLabel"] == "pre-retirement"
    assert alt["results"][0]["prefLabel"] == "early retirement"
    # lang restricts the labels matched; labellang the labels shown.
    shown = ok(sqlite_client, "/rest/v1/search", query="chômage", lang="fr", labellang="en")
    assert shown["results"][0]["prefLabel"] == "unemployment"
    assert shown["results"][0]["matchedPrefLabel"] == "chômage"
    assert ok(sqlite_client, "/rest/v1/search", query="chômage", lang="en")["results"] == []
    every = ok(sqlite_client, "/rest/v1/search", query="chôm*", lang="fr")["results"]
    page = ok(sqlite_client, "/rest/v1/search", query="chôm*", lang="fr", maxhits=2, offset=1)
    assert page["results"] == every[1:3]
    by_vocab = ok(sqlite_client, "/rest/v1/socsec/search", query="chôm*", lang="fr")["results"]
    assert by_vocab == every


def test_search_unique_gives_one_hit_per_concept(sqlite_client: TestClient) -> None:
    hits = ok(sqlite_client, "/rest/v1/search", query="*retraite*")["results"]
    unique = ok(sqlite_client, "/rest/v1/search", query="*retraite*", unique="true")["results"]
    assert len({h["uri"] for h in hits}) == len(unique) < len(hits)


def test_lookup_prefers_preferred_labels(sqlite_client: TestClient) -> None:
    body = ok(sqlite_client, "/rest/v1/socsec/lookup", label="paro", lang="es")
    assert [r["uri"] for r in body["result"]] == [UNEMPLOYMENT]
    assert body["result"][0]["prefLabel"] == "paro"
    alt = ok(sqlite_client, "/rest/v1/socsec/lookup", label="pre-retirement")
    assert alt["result"][0]["uri"] == EARLY_RETIREMENT
    assert alt["result"][0]["altLabel"] == "pre-retirement"
    missing = sqlite_client.get("/rest/v1/socsec/lookup", params={"label": "no such label"})
    assert missing.status_code == 404


def test_label_and_relations(sqlite_client: TestClient) -> None:
    label = ok(sqlite_client, "/rest/v1/socsec/label", uri=EARLY_RETIREMENT, lang="es")
    assert label["prefLabel"] == "jubilación anticipada"
    assert label["uri"] == EARLY_RETIREMENT
    assert ok(sqlite_client, "/rest/v1/label", uri=EARLY_RETIREMENT)["prefLabel"] == (
        "early retirement"
    )
    broader = ok(sqlite_client, "/rest/v1/socsec/broader", uri=EARLY_RETIREMENT, lang="fr")
    assert broader["broader"] == [{"uri": TERMINATION, "prefLabel": "cessation d'emploi"}]
    chain = ok(sqlite_client, "/rest/v1/socsec/broaderTransitive", uri=EARLY_RETIREMENT)
    assert chain["broaderTransitive"][EARLY_RETIREMENT]["broader"] == [TERMINATION]
    assert TERMINATION in chain["broaderTransitive"]
    narrower = ok(sqlite_client, "/rest/v1/socsec/narrower", uri=UNEMPLOYMENT)["narrower"]
    assert len(narrower) == 10
    below = ok(sqlite_client, "/rest/v1/socsec/narrowerTransitive", uri=UNEMPLOYMENT)
    assert set(below["narrowerTransitive"]) >= {n["uri"] for n in narrower}
    related = ok(sqlite_client, "/rest/v1/socsec/related", uri=UNEMPLOYMENT)["related"]
    assert "http://eurovoc.europa.eu/3332" in {r["uri"] for r in related}


def test_top_concepts(sqlite_client: TestClient) -> None:
    body = ok(sqlite_client, "/rest/v1/socsec/topConcepts", scheme=EMPLOYMENT_SCHEME, lang="es")
    assert body["uri"] == EMPLOYMENT_SCHEME
    tops = body["topconcepts"]
    assert tops and all(t["topConceptOf"] == EMPLOYMENT_SCHEME for t in tops)
    assert all(isinstance(t["hasChildren"], bool) for t in tops)
    every = ok(sqlite_client, "/rest/v1/socsec/topConcepts")["topconcepts"]
    assert len(every) > len(tops)


@pytest.mark.parametrize(
    ("how", "media", "fmt"),
    [
        ({"format": "text/turtle"}, "text/turtle", ox.RdfFormat.TURTLE),
        ({"format": "application/rdf+xml"}, "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ({"accept": "application/ld+json"}, "application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_data_by_format_or_accept(
    sqlite_client: TestClient, how: dict[str, str], media: str, fmt: ox.RdfFormat
) -> None:
    params = {"uri": EARLY_RETIREMENT, **({"format": how["format"]} if "format" in how else {})}
    headers = {"accept": how["accept"]} if "accept" in how else {}
    resp = sqlite_client.get("/rest/v1/socsec/data", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith(media)
    triples = list(ox.parse(resp.content, format=fmt))
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#prefLabel")}
    assert labels == {"early retirement", "retraite anticipée", "jubilación anticipada"}


def test_whole_vocabulary_data(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get("/rest/v1/socsec/data", params={"format": "text/turtle"})
    assert resp.status_code == 200
    subjects = {t.subject for t in ox.parse(resp.content, format=ox.RdfFormat.TURTLE)}
    assert ox.NamedNode(EARLY_RETIREMENT) in subjects and len(subjects) > 455


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/rest/v1/vocabularies", 400),
        ("/rest/v1/vocabularies?lang=<script>", 400),
        ("/rest/v1/search", 400),
        ("/rest/v1/search?query=", 400),
        ("/rest/v1/search?query=a&maxhits=0", 400),
        ("/rest/v1/search?query=a&maxhits=x", 400),
        ("/rest/v1/search?query=a&offset=-1", 400),
        ("/rest/v1/search?query=a&vocab=yso", 404),
        ("/rest/v1/search?query=" + "a" * 600, 400),
        ("/rest/v1/yso/", 404),
        ("/rest/v1/yso/search?query=a", 404),
        ("/rest/v1/socsec/lookup", 400),
        ("/rest/v1/socsec/lookup?label=", 400),
        ("/rest/v1/socsec/label", 400),
        ("/rest/v1/socsec/label?uri=http://example.org/x", 404),
        ("/rest/v1/socsec/broader?uri=http://example.org/x", 404),
        ("/rest/v1/socsec/broaderTransitive?uri=http://example.org/x", 404),
        (f"/rest/v1/socsec/broaderTransitive?uri={EARLY_RETIREMENT}&limit=0", 400),
        ("/rest/v1/socsec/narrowerTransitive?uri=http://example.org/x", 404),
        ("/rest/v1/socsec/related", 400),
        ("/rest/v1/socsec/topConcepts?scheme=http://example.org/s", 404),
        (f"/rest/v1/socsec/data?uri={EARLY_RETIREMENT}&format=text/html", 406),
        ("/rest/v1/socsec/data?uri=http://example.org/x&format=text/turtle", 404),
        ("/rest/v1/data", 400),
        ("/rest/v1/search?query=a&callback=alert(1)", 400),
    ],
)
def test_hostile_requests_are_4xx(sqlite_client: TestClient, url: str, status: int) -> None:
    resp = sqlite_client.get(url)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["message"]


def test_data_refuses_an_accept_it_cannot_serve(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get(
        "/rest/v1/socsec/data", params={"uri": EARLY_RETIREMENT}, headers={"accept": "image/png"}
    )
    assert resp.status_code == 406
