"""The Reconciliation Service API 0.2 at /reconcile: every answer checked against the CG schemas.

The schemas are the W3C Entity Reconciliation Community Group's own (tests/data/reconciliation,
copied unchanged with their licence); the queries are real labels of the bundled EuroVoc extract.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from socsec.workspace import Workspace

SCHEMAS = Path(__file__).parents[1] / "data" / "reconciliation" / "schemas-0.2"
EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
UNEMPLOYMENT = "http://eurovoc.europa.eu/5974"
PENSION_SCHEME = "http://eurovoc.europa.eu/3751"
SOCIAL_BENEFIT = "http://eurovoc.europa.eu/2605"
SOCIAL_PROTECTION = "http://eurovoc.europa.eu/100214"  # a scheme (microthesaurus)
EMPLOYMENT = "http://eurovoc.europa.eu/100232"  # another scheme
FOOD_CONTROL = ("http://eurovoc.europa.eu/181", "http://eurovoc.europa.eu/1442")  # pref / alt
SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = DRAFT7.create_resource(schema)  # $schema names no draft: ajv read draft-07
        resources.append((schema["$id"], resource))
    return Registry().with_resources(resources)  # type: ignore[no-any-return]


REGISTRY = _registry()


def validate(name: str, data: Any) -> None:
    """Raise if ``data`` does not validate against the 0.2 schema ``name``."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    Draft7Validator(schema, registry=REGISTRY).validate(data)


def reconcile(client: TestClient, queries: dict[str, Any], method: str = "post") -> Any:
    validate("reconciliation-query-batch", queries)  # our test input is a valid batch too
    if method == "post":
        resp = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        resp = client.get("/reconcile", params={"queries": json.dumps(queries)})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    validate("reconciliation-result-batch", body)
    assert set(body) == set(queries)
    return body


def first(body: Any, key: str) -> dict[str, Any]:
    result: list[dict[str, Any]] = body[key]["result"]
    assert result, f"no candidate for {key}"
    return result[0]


def test_manifest_validates_and_names_the_services(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get("/reconcile")
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == "*"
    manifest = resp.json()
    validate("manifest", manifest)
    assert "0.2" in manifest["versions"]
    assert manifest["defaultTypes"] == [{"id": SKOS_CONCEPT, "name": "skos:Concept"}]
    assert manifest["preview"]["url"] == "http://testserver/reconcile/preview?id={{id}}"
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"
    assert manifest["extend"]["propose_properties"]["service_path"] == "/properties"


def test_french_spanish_english_and_misspelled_terms_reconcile_first(
    sqlite_client: TestClient,
) -> None:
    body = reconcile(
        sqlite_client,
        {
            "fr": {"query": "retraite anticipée"},
            "es": {"query": "jubilación anticipada"},
            "en": {"query": "early retirement"},
            "typo": {"query": "unemploymnet"},
            "es_typo": {"query": "plan de pensione"},
            "caps": {"query": "Retraite Anticipée"},
            "fr_plural": {"query": "allocations familiales"},
        },
    )
    assert first(body, "fr")["id"] == EARLY_RETIREMENT
    assert first(body, "es")["id"] == EARLY_RETIREMENT
    assert first(body, "en")["id"] == EARLY_RETIREMENT
    assert first(body, "typo")["id"] == UNEMPLOYMENT
    assert first(body, "es_typo")["id"] == PENSION_SCHEME
    assert first(body, "caps")["id"] == EARLY_RETIREMENT
    assert first(body, "fr_plural")["id"] == "http://eurovoc.europa.eu/2604"  # family benefit
    # The name is the preferred label in the language of the query; the description has all three.
    assert first(body, "fr")["name"] == "retraite anticipée"
    assert first(body, "es")["name"] == "jubilación anticipada"
    assert first(body, "fr")["description"] == (
        "en: early retirement · fr: retraite anticipée · es: jubilación anticipada"
    )


def test_match_only_for_an_unambiguous_exact_label(sqlite_client: TestClient) -> None:
    body = reconcile(
        sqlite_client,
        {
            "exact": {"query": "retraite anticipée"},
            "case": {"query": "RETRAITE ANTICIPÉE"},
            "typo": {"query": "unemploymnet"},
            "accents": {"query": "retraite anticipee"},
            "shared": {"query": "food control"},
            "prefix": {"query": "chôm"},
        },
    )
    assert first(body, "exact")["match"] is True
    assert first(body, "case")["match"] is True
    assert first(body, "typo")["match"] is False
    assert first(body, "accents")["match"] is False
    shared = body["shared"]["result"]
    assert {c["id"] for c in shared[:2]} == set(FOOD_CONTROL)
    assert not any(c["match"] for c in shared)  # two concepts carry that label
    assert not any(c["match"] for c in body["prefix"]["result"])
    # Better rungs score higher: exact > typo.
    assert first(body, "exact")["score"] > first(body, "typo")["score"]


def test_a_concept_uri_as_query_returns_that_concept(sqlite_client: TestClient) -> None:
    body = reconcile(sqlite_client, {"q": {"query": EARLY_RETIREMENT}})
    assert body["q"]["result"][0]["id"] == EARLY_RETIREMENT
    assert body["q"]["result"][0]["match"] is True


def test_limit_type_and_properties_are_honoured(sqlite_client: TestClient) -> None:
    body = reconcile(
        sqlite_client,
        {
            "limit": {"query": "chôm", "limit": 2},
            "any": {"query": "pension"},
            "scheme_type": {"query": "chôm", "type": EMPLOYMENT},
            "other_scheme": {"query": "retraite anticipée", "type": SOCIAL_PROTECTION},
            "lang_es": {"query": "pension", "properties": [{"pid": "lang", "v": "es"}]},
            "scheme_prop": {
                "query": "pension",
                "properties": [{"pid": "scheme", "v": {"id": SOCIAL_PROTECTION}}],
            },
            "broader": {
                "query": "pension",
                "properties": [{"pid": "broader", "v": SOCIAL_BENEFIT}],
            },
            "unknown_type": {"query": "pension", "type": "http://example.org/NotAType"},
            "concept_type": {"query": "pension", "type": ["skos:Concept"], "type_strict": "any"},
        },
    )
    assert len(body["limit"]["result"]) == 2
    assert body["scheme_type"]["result"]
    # Early retirement is in "employment" only: the other scheme offers at most partial
    # matches (a word in common), never a match.
    other = body["other_scheme"]["result"]
    assert all(c["id"] != "http://eurovoc.europa.eu/3626" and not c["match"] for c in other)
    assert all(c["score"] < 60 for c in other)
    es = body["lang_es"]["result"]
    assert es and all("es: " in c["description"] for c in es)
    assert first(body, "lang_es")["name"].startswith("plan de pensiones") or es
    assert body["scheme_prop"]["result"]
    assert body["broader"]["result"]
    assert all(c["id"] != SOCIAL_BENEFIT for c in body["broader"]["result"])
    assert body["unknown_type"]["result"] == []
    assert body["concept_type"]["result"] == body["any"]["result"]


def test_lang_constraint_only_matches_labels_in_that_language(sqlite_client: TestClient) -> None:
    body = reconcile(
        sqlite_client,
        {
            "fr_in_en": {"query": "retraite anticipée", "properties": [{"pid": "lang", "v": "en"}]},
            "fr_in_fr": {"query": "retraite anticipée", "properties": [{"pid": "lang", "v": "fr"}]},
        },
    )
    assert all(c["id"] != EARLY_RETIREMENT or not c["match"] for c in body["fr_in_en"]["result"])
    assert first(body, "fr_in_fr")["id"] == EARLY_RETIREMENT


def test_get_queries_answers_like_post(sqlite_client: TestClient) -> None:
    queries = {"q0": {"query": "paro"}}
    assert reconcile(sqlite_client, queries, "get") == reconcile(sqlite_client, queries)
    assert first(reconcile(sqlite_client, queries), "q0")["id"] == UNEMPLOYMENT


def test_data_extension_adds_english_and_spanish_to_french_terms(
    sqlite_client: TestClient,
) -> None:
    # The translator's workflow: reconcile French terms, then fetch en and es columns.
    found = reconcile(
        sqlite_client, {"a": {"query": "retraite anticipée"}, "b": {"query": "chômage"}}
    )
    ids = [first(found, "a")["id"], first(found, "b")["id"], "http://example.org/unknown"]
    query = {
        "ids": ids,
        "properties": [
            {"id": p} for p in ("prefLabel@en", "prefLabel@es", "prefLabel@fr", "altLabel@en")
        ]
        + [{"id": "broader"}, {"id": "notation"}],
    }
    validate("data-extension-query", query)
    resp = sqlite_client.post("/reconcile", data={"extend": json.dumps(query)})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    validate("data-extension-response", body)
    rows = body["rows"]
    assert rows[EARLY_RETIREMENT]["prefLabel@en"] == [{"str": "early retirement"}]
    assert rows[EARLY_RETIREMENT]["prefLabel@es"] == [{"str": "jubilación anticipada"}]
    assert rows[EARLY_RETIREMENT]["prefLabel@fr"] == [{"str": "retraite anticipée"}]
    assert {"str": "pre-retirement"} in rows[EARLY_RETIREMENT]["altLabel@en"]
    assert rows[EARLY_RETIREMENT]["broader"] == [
        {"id": "http://eurovoc.europa.eu/3522", "name": "termination of employment"}
    ]
    assert rows[EARLY_RETIREMENT]["notation"] == [{"str": "3626"}]
    assert rows[UNEMPLOYMENT]["prefLabel@es"] == [{"str": "paro"}]
    assert rows["http://example.org/unknown"]["prefLabel@en"] == []
    assert [m["id"] for m in body["meta"]][:2] == ["prefLabel@en", "prefLabel@es"]


def test_property_proposals_list_the_three_languages(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get("/reconcile/properties", params={"type": SKOS_CONCEPT})
    assert resp.status_code == 200
    body = resp.json()
    validate("data-extension-property-proposal", body)
    ids = {p["id"] for p in body["properties"]}
    assert {f"{k}@{lang}" for k in ("prefLabel", "altLabel") for lang in ("en", "fr", "es")} <= ids
    assert {"broader", "notation"} <= ids
    limited = sqlite_client.get("/reconcile/properties", params={"type": SKOS_CONCEPT, "limit": 2})
    validate("data-extension-property-proposal", limited.json())
    assert len(limited.json()["properties"]) == 2


def test_suggest_services(sqlite_client: TestClient) -> None:
    entity = sqlite_client.get("/reconcile/suggest/entity", params={"prefix": "chôm"}).json()
    validate("suggest-entities-response", entity)
    assert entity["result"][0]["id"] == UNEMPLOYMENT
    page2 = sqlite_client.get("/reconcile/suggest/entity", params={"prefix": "chôm", "cursor": 1})
    assert page2.json()["result"][0] == entity["result"][1]
    types = sqlite_client.get("/reconcile/suggest/type", params={"prefix": "social"}).json()
    validate("suggest-types-response", types)
    assert SOCIAL_PROTECTION in {t["id"] for t in types["result"]}
    props = sqlite_client.get("/reconcile/suggest/property", params={"prefix": "pref"}).json()
    validate("suggest-properties-response", props)
    assert "prefLabel@es" in {p["id"] for p in props["result"]}


def test_preview_is_an_escaped_html_card(sqlite_client: TestClient) -> None:
    resp = sqlite_client.get("/reconcile/preview", params={"id": EARLY_RETIREMENT})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "jubilación anticipada" in resp.text and "termination of employment" in resp.text
    missing = sqlite_client.get("/reconcile/preview", params={"id": "<script>alert(1)</script>"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"  # never HTML echoing input


def test_jsonp_callback_is_checked(sqlite_client: TestClient) -> None:
    ok = sqlite_client.get("/reconcile", params={"callback": "jQuery_123"})
    assert ok.status_code == 200
    assert ok.text.startswith("/**/jQuery_123(") and ok.text.endswith(");")
    bad = sqlite_client.get("/reconcile", params={"callback": "alert(1)//"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"queries": "{not json"}, 400),
        ({"queries": "[]"}, 400),
        ({"queries": '"text"'}, 400),
        ({"queries": '{"q": "not an object"}'}, 400),
        ({"queries": '{"q": {"query": 5}}'}, 400),
        ({"queries": '{"q": {}}'}, 400),
        ({"queries": '{"q": {"query": "a", "limit": -1}}'}, 400),
        ({"queries": '{"q": {"query": "a", "limit": "ten"}}'}, 400),
        ({"queries": '{"q": {"query": "a", "properties": "x"}}'}, 400),
        ({"queries": '{"q": {"query": "a", "properties": [{"pid": "colour", "v": "red"}]}}'}, 400),
        ({"queries": '{"q": {"query": "a", "properties": [{"pid": "lang", "v": "de"}]}}'}, 400),
        ({"queries": '{"q": {"query": "a", "properties": [{"pid": "lang", "v": [[1]]}]}}'}, 400),
        ({"queries": '{"q": {"query": "a", "type": {"x": 1}}}'}, 400),
        ({"queries": json.dumps({"q": {"query": "x" * 10_000}})}, 400),
        ({"queries": "[" * 100_000}, 400),
        ({"queries": json.dumps({f"q{i}": {"query": "a"} for i in range(1001)})}, 413),
        ({"extend": "{}"}, 400),
        ({"extend": '{"ids": "x", "properties": []}'}, 400),
        ({"extend": '{"ids": ["x"], "properties": [{"id": "colour"}]}'}, 400),
        ({"extend": '{"ids": [1], "properties": [{"id": "notation"}]}'}, 400),
        ({"extend": json.dumps({"ids": ["x"] * 1001, "properties": []})}, 413),
    ],
)
def test_hostile_batches_are_4xx(
    sqlite_client: TestClient, form: dict[str, str], status: int
) -> None:
    resp = sqlite_client.post("/reconcile", data=form)
    assert resp.status_code == status, resp.text
    assert resp.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", "/reconcile?queries=a&queries=b", {}, 400),
        (
            "post",
            "/reconcile",
            {
                "content": b"queries=%ff%fe",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            400,
        ),
        (
            "post",
            "/reconcile",
            {
                "content": b"x" * (3 * 1024 * 1024),
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            413,
        ),
        ("get", "/reconcile/suggest/entity", {}, 400),
        ("get", "/reconcile/suggest/entity?prefix=a&cursor=-1", {}, 400),
        ("get", "/reconcile/suggest/entity?prefix=" + "a" * 600, {}, 400),
        ("get", "/reconcile/suggest/type?prefix=a&cursor=x", {}, 400),
        ("get", "/reconcile/properties", {}, 400),
        ("get", "/reconcile/properties?type=x&limit=0", {}, 400),
        ("get", "/reconcile/preview", {}, 400),
        ("get", "/reconcile/preview?id=", {}, 400),
        ("get", "/reconcile/preview?id=nothing-like-this", {}, 404),
        ("get", "/reconcile/preview?id=food%20control", {}, 404),
        ("delete", "/reconcile", {}, 405),
    ],
)
def test_hostile_requests_are_4xx(
    sqlite_client: TestClient, method: str, url: str, kwargs: dict[str, Any], status: int
) -> None:
    resp = sqlite_client.request(method.upper(), url, **kwargs)
    assert resp.status_code == status, resp.text


def test_reconciliation_imports_neither_rdflib_nor_pyoxigraph(sqlite_ws: Workspace) -> None:
    script = f"""
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from socsec.config import Settings
from socsec.web.app import create_app
from socsec.workspace import Workspace
root = Path({str(sqlite_ws.root)!r})
ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={{}}))
with TestClient(create_app(ws)) as client:
    q = json.dumps({{"a": {{"query": "unemploymnet"}}, "b": {{"query": "paro"}}}})
    assert client.post("/reconcile", data={{"queries": q}}).status_code == 200
    ext = json.dumps({{"ids": ["{EARLY_RETIREMENT}"], "properties": [{{"id": "prefLabel@es"}}]}})
    assert client.post("/reconcile", data={{"extend": ext}}).status_code == 200
    assert client.get("/rest/v1/socsec/lookup", params={{"label": "paro"}}).status_code == 200
print(sorted(m for m in ("rdflib", "pyoxigraph") if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
