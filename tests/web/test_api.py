"""The JSON API through the ASGI test client, on every backend (same cases, same answers)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from socsec.workspace import Workspace

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"  # fr "retraite anticipée"
PENSION_SCHEME = "http://eurovoc.europa.eu/3751"  # broader: 2605
SOCIAL_BENEFIT = "http://eurovoc.europa.eu/2605"
EARLY_RETIREMENT_RECORDS = {"nber-w0204", "nber-w0654", "nber-w12237", "nber-w12303"}
SKOS = "http://www.w3.org/2004/02/skos/core#"


def ok(client: TestClient, url: str, **kw: Any) -> Any:
    resp = client.get(url, **kw)
    assert resp.status_code == 200, resp.text
    return resp.json()


# -- thesaurus -------------------------------------------------------------------------------


def test_lookup_french_term_gives_all_languages(client: TestClient) -> None:
    hits = ok(client, "/api/lookup", params={"q": "retraite anticipée"})
    assert isinstance(hits, list)
    first = hits[0]
    assert first["uri"] == EARLY_RETIREMENT
    assert first["match"] == "exact"
    assert first["matched_lang"] == "fr"
    assert first["pref"] == {
        "en": "early retirement",
        "fr": "retraite anticipée",
        "es": "jubilación anticipada",
    }


def test_lookup_shape_is_the_cli_json(client: TestClient, web_ws: Workspace) -> None:
    from typer.testing import CliRunner

    from socsec.cli.app import app

    cli = CliRunner().invoke(
        app,
        ["--data-dir", str(web_ws.root), "thesaurus", "lookup", "jubilacion", "--json"],
        env={},
    )
    assert cli.exit_code == 0, cli.stderr
    assert ok(client, "/api/lookup", params={"q": "jubilacion"}) == json.loads(cli.stdout)


def test_lookup_nothing_is_empty_list(client: TestClient) -> None:
    assert ok(client, "/api/lookup", params={"q": "qqqqzzzzxxxx"}) == []


def test_autocomplete_prefix_across_languages(client: TestClient) -> None:
    for term in ("retraite ant", "early retir", "jubilación anti"):
        items = ok(client, "/api/autocomplete", params={"q": term, "display": "en"})
        assert items[0]["uri"] == EARLY_RETIREMENT, term
        assert items[0]["label"] == "early retirement"
        assert items[0]["labels"]["es"] == "jubilación anticipada"


def test_concept_has_labels_in_all_languages_and_hierarchy(client: TestClient) -> None:
    c = ok(client, "/api/concept", params={"uri": PENSION_SCHEME, "lang": "fr"})
    assert c["uri"] == PENSION_SCHEME
    assert {"en", "fr", "es"} <= set(c["pref"])
    assert c["label"] == c["pref"]["fr"]
    assert SOCIAL_BENEFIT in [b["uri"] for b in c["broader"]]
    assert c["broader_paths"] and c["broader_paths"][0][0]["uri"] == SOCIAL_BENEFIT
    # A notation or a label resolves to the same concept.
    assert ok(client, "/api/concept", params={"uri": "3751"})["uri"] == PENSION_SCHEME


def test_top_concepts_and_children(client: TestClient) -> None:
    schemes = ok(client, "/api/concepts/top")
    assert schemes and all(s["top"] for s in schemes if s["concepts"])
    kids = ok(client, "/api/concepts/children", params={"uri": SOCIAL_BENEFIT, "lang": "es"})
    assert PENSION_SCHEME in [k["uri"] for k in kids]
    labels = [k["label"].casefold() for k in kids]
    assert labels == sorted(labels)


def test_schemes_carry_attribution(client: TestClient) -> None:
    schemes = ok(client, "/api/schemes")
    assert schemes and {"uri", "title", "concepts"} <= set(schemes[0])


# -- search ----------------------------------------------------------------------------------


def test_search_cross_lingual(client: TestClient) -> None:
    resp = ok(client, "/api/search", params={"q": "retraite anticipée", "size": 50})
    assert EARLY_RETIREMENT_RECORDS <= {h["id"] for h in resp["hits"]}
    assert resp["expansions"][0]["uri"] == EARLY_RETIREMENT
    none = ok(client, "/api/search", params={"q": "retraite anticipée", "expand": "false"})
    assert none["total"] == 0 and none["hits"] == []


def test_search_concept_filter_facets_and_language(client: TestClient) -> None:
    resp = ok(
        client,
        "/api/search",
        params={"concept": SOCIAL_BENEFIT, "facets": "true", "lang": "fr", "size": 5},
    )
    assert resp["concept_filter"][0]["uri"] == SOCIAL_BENEFIT
    assert resp["total"] > 0
    assert set(resp["facets"]) == {"subjects", "year", "type", "language"}
    exact = ok(client, "/api/search", params={"concept": SOCIAL_BENEFIT, "exact_concept": "true"})
    assert exact["total"] <= resp["total"]  # narrower concepts are included by default


def test_search_filters_and_stable_pages(client: TestClient) -> None:
    laws = ok(client, "/api/search", params={"type": "legislation", "size": 100})
    assert laws["total"] == 25 and {h["type"] for h in laws["hits"]} == {"legislation"}
    p1 = ok(client, "/api/search", params={"q": "pension", "size": 5, "page": 1})
    p2 = ok(client, "/api/search", params={"q": "pension", "size": 5, "page": 2})
    assert p1["total"] == p2["total"] > 5
    assert not {h["id"] for h in p1["hits"]} & {h["id"] for h in p2["hits"]}
    years = ok(client, "/api/search", params={"year": "2000..2010", "sort": "year", "size": 100})
    got = [h["year"] for h in years["hits"]]
    assert got == sorted(got) and all(2000 <= y <= 2010 for y in got)


def test_search_is_the_cli_json(client: TestClient, web_ws: Workspace) -> None:
    from typer.testing import CliRunner

    from socsec.cli.app import app

    args = ["search", "pension", "--facets", "--lang", "es", "--size", "7", "--page", "2"]
    cli = CliRunner().invoke(app, ["--data-dir", str(web_ws.root), *args, "--json"], env={})
    assert cli.exit_code == 0, cli.stderr
    params = {"q": "pension", "facets": "true", "lang": "es", "size": 7, "page": 2}
    assert ok(client, "/api/search", params=params) == json.loads(cli.stdout)


def test_record_by_id(client: TestClient) -> None:
    rec = ok(client, "/api/records/nber-w0204", params={"lang": "fr"})
    assert rec["id"] == "nber-w0204" and rec["title"]
    assert set(rec["subject_labels"]) == {s["uri"] for s in rec.get("subjects", [])}


# -- exports ---------------------------------------------------------------------------------


def test_concept_turtle_and_jsonld(client: TestClient) -> None:
    for fmt, media, rdf in (
        ("ttl", "text/turtle", ox.RdfFormat.TURTLE),
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        resp = client.get("/api/concept/export", params={"uri": EARLY_RETIREMENT, "format": fmt})
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith(media)
        triples = [q.triple for q in ox.parse(resp.content, format=rdf)]
        labels = {
            (t.object.value, t.object.language)
            for t in triples
            if t.predicate == ox.NamedNode(SKOS + "prefLabel")
        }
        assert ("retraite anticipée", "fr") in labels and ("early retirement", "en") in labels


def test_glossary_tbx_and_csv(client: TestClient) -> None:
    tbx = client.get("/api/glossary", params={"format": "tbx", "concept": SOCIAL_BENEFIT})
    assert tbx.status_code == 200
    root = ET.fromstring(tbx.content)
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    assert len(root.findall(".//t:conceptEntry", ns)) >= 2
    gl = client.get("/api/glossary", params={"format": "csv", "langs": "fr,es"})
    rows = list(csv.reader(io.StringIO(gl.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["uri", "notation", "status", "replaced_by", "pref_label_fr"]
    assert len(rows) > 400


@pytest.mark.parametrize(
    ("fmt", "marker"), [("bibtex", "@"), ("ris", "TY  - "), ("csljson", '"id"')]
)
def test_search_export(client: TestClient, fmt: str, marker: str) -> None:
    resp = client.get("/api/search/export", params={"q": "retraite anticipée", "format": fmt})
    assert resp.status_code == 200
    assert "attachment" in resp.headers["content-disposition"]
    assert resp.text.count(marker) >= len(EARLY_RETIREMENT_RECORDS)
    if fmt == "csljson":
        assert EARLY_RETIREMENT_RECORDS <= {r["id"] for r in json.loads(resp.text)}


# -- content negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("*/*", "text/html"),
    ],
)
def test_concept_uri_content_negotiation(client: TestClient, accept: str, media: str) -> None:
    resp = client.get("/concept", params={"uri": EARLY_RETIREMENT}, headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith(media)
    # A page also varies with the reader's language (cookie, Accept-Language); data does not.
    html = media == "text/html"
    assert resp.headers["vary"] == ("Accept, Accept-Language, Cookie" if html else "Accept")


def test_concept_uri_not_acceptable(client: TestClient) -> None:
    resp = client.get("/concept", params={"uri": EARLY_RETIREMENT}, headers={"Accept": "image/png"})
    assert resp.status_code == 406
    assert "text/turtle" in resp.json()["error"]["message"]


# -- bad input: 4xx JSON with a message, never a 500 -----------------------------------------

BAD = [
    ("/api/concept", {"uri": "http://example.org/no-such-concept"}, 404),
    ("/api/concept", {"uri": ""}, 400),
    ("/api/concepts/children", {"uri": "zzz-unknown"}, 404),
    ("/api/records/no-such-record", {}, 404),
    ("/api/search", {"page": "0"}, 400),
    ("/api/search", {"page": "-3"}, 400),
    ("/api/search", {"page": "abc"}, 400),
    ("/api/search", {"page": "99999999999999999999999"}, 400),
    ("/api/search", {"size": "0"}, 400),
    ("/api/search", {"size": "100000"}, 400),
    ("/api/search", {"size": "100", "page": "500"}, 400),
    ("/api/search", {"year": "2010..2000"}, 400),
    ("/api/search", {"year": "'; DROP TABLE records; --"}, 400),
    ("/api/search", {"type": "report' OR 1=1"}, 400),
    ("/api/search", {"language": 'en" OR "1"="1'}, 400),
    ("/api/search", {"lang": "fr'); DROP TABLE labels;--"}, 400),
    ("/api/search", {"sort": "title; DELETE"}, 400),
    ("/api/search", {"concept": "' OR '1'='1"}, 404),
    ("/api/search", {"q": "x" * 501}, 400),
    ("/api/lookup", {"q": ""}, 400),
    ("/api/lookup", {"q": "pension", "limit": "1000000"}, 400),
    ("/api/search/export", {"q": "pension", "format": "exe"}, 400),
    ("/api/glossary", {"langs": "en,xx"}, 400),
    ("/api/glossary", {"scheme": "http://example.org/none"}, 404),
    ("/api/concept/export", {"uri": "http://example.org/x", "format": "ttl"}, 404),
]


@pytest.mark.parametrize(("path", "params", "status"), BAD)
def test_bad_input_is_4xx_json(
    client: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    resp = client.get(path, params=params)
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    error = resp.json()["error"]
    assert error["message"] and "Traceback" not in resp.text


INJECTIONS = [
    'AND ) "(',
    "pension* OR title:x NEAR/2",
    '" OR 1=1 --',
    "'; DROP TABLE records; --",
    "<script>alert(1)</script>",
    "\x00\x01\x7f",
    "{{7*7}}",
    "%00%27",
    '{"query": {"match_all": {}}}',
    "\\\\\\",
    "retraite\u202e",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_attempts_are_plain_text(client: TestClient, text: str) -> None:
    for path, key in (
        ("/api/search", "q"),
        ("/api/lookup", "q"),
        ("/api/autocomplete", "q"),
        ("/api/search", "author"),
    ):
        resp = client.get(path, params={key: text})
        assert resp.status_code in (200, 400), (path, text, resp.text)
        assert resp.headers["content-type"].startswith("application/json")
    page = client.get("/search", params={"q": text})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = ok(client, "/openapi.json")
    paths = set(spec["paths"])
    assert {
        "/api/lookup",
        "/api/autocomplete",
        "/api/concept",
        "/api/concepts/top",
        "/api/concepts/children",
        "/api/search",
        "/api/records/{record_id}",
        "/api/concept/export",
        "/api/glossary",
        "/api/search/export",
    } <= paths
    search = spec["paths"]["/api/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "concept", "exact_concept", "lang", "year", "type", "language"} <= names
    assert {"author", "facets", "sort", "page", "size"} <= names
