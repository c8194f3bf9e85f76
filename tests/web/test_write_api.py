"""The JSON write API on real data: roles, CSRF, ETag/If-Match conflicts, history names the
user, and an edit is searchable at once on both backends.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socsec.indexer.service import SearchService
from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.backends import backend_params
from tests.web.accounts import PASSWORD, add_user, sign_in, token_headers
from tests.web.conftest import served_workspace

CONCEPT = "http://eurovoc.europa.eu/4050"  # tagged on fixture records (EUR-Lex)
RECORD = "nber-w0910"
# Read-only protocol endpoints that take POST bodies, and the sign-in forms themselves.
READ_POSTS = ("/reconcile", "/sparql", "/rest/v1", "/signin", "/signout")


def _make_ws(root: Path, template: Path, config: str = "") -> Workspace:
    ws = served_workspace(root, template, config)
    add_user(ws, "ed", "editor")
    add_user(ws, "rita", "reader")
    add_user(ws, "ada", "admin")
    return ws


@pytest.fixture
def ws(tmp_path: Path, _workspace_template: Path) -> Workspace:
    return _make_ws(tmp_path / "data", _workspace_template)


@pytest.fixture
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(params=backend_params())
def backend_ws(request, tmp_path: Path, _workspace_template: Path) -> Iterator[Workspace]:
    config = ""
    if request.param == "elasticsearch":
        url = request.getfixturevalue("es_url")
        index = f"test-{uuid.uuid4().hex[:12]}"
        config = f'backend = "elasticsearch"\n[elasticsearch]\nurl = "{url}"\nindex = "{index}"\n'
    ws = _make_ws(tmp_path / "data", _workspace_template, config)
    with SearchService.open(ws) as svc:
        svc.rebuild()
    yield ws
    with SearchService.open(ws) as svc:
        svc.backend.drop()


def _all_routes(routes) -> Iterator[object]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.16x nests routers
        if inner is not None:
            yield from _all_routes(inner.routes)
        else:
            yield route


def write_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in _all_routes(app.routes):
        methods = getattr(route, "methods", None) or set()
        for method in sorted(methods & {"POST", "PUT", "PATCH", "DELETE"}):
            if not route.path.startswith(READ_POSTS):
                out.append((method, route.path.replace("{record_id}", RECORD)))
    return out


def test_every_write_route_refuses_anonymous_reader_and_csrf_less_posts(ws, client):
    routes = write_routes(client.app)
    assert len(routes) >= 12, routes
    reader = token_headers(ws, "rita")
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    csrf = sign_in(client, "ed")
    for method, path in routes:
        anon = anonymous.request(method, path, json={})
        assert anon.status_code == 401, (method, path, anon.text)
        assert client.request(method, path, json={}, headers=reader).status_code == 403, path
        # Signed in as an editor, but without the CSRF token: refused before anything runs.
        assert client.request(method, path, json={}).status_code == 403, (method, path)
        form = client.request(method, path, data={"label": "x"})
        assert form.status_code == 403, (method, path)
    # The same session with its token gets through to the route (here: a missing If-Match).
    resp = client.patch(
        f"/api/records/{RECORD}", json={"note": "x"}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status_code == 428


def test_record_edit_conflict_412_leaves_the_winner_in_place(ws, client):
    ed, ada = token_headers(ws, "ed"), token_headers(ws, "ada")
    got = client.get(f"/api/records/{RECORD}")
    etag = got.headers["etag"]
    assert etag.startswith('"r-')
    assert (
        client.patch(f"/api/records/{RECORD}", json={"notes": "a"}, headers=ed).status_code == 428
    )
    first = client.patch(
        f"/api/records/{RECORD}", json={"notes": "checked by ed"}, headers={**ed, "If-Match": etag}
    )
    assert first.status_code == 200, first.text
    assert first.json()["record"]["notes"] == "checked by ed"
    assert first.headers["etag"] != etag
    second = client.patch(
        f"/api/records/{RECORD}",
        json={"notes": "checked by ada"},
        headers={**ada, "If-Match": etag},
    )
    assert second.status_code == 412
    body = second.json()
    assert body["current"]["notes"] == "checked by ed"
    assert second.headers["etag"] == first.headers["etag"] == body["etag"]
    assert client.get(f"/api/records/{RECORD}").json()["notes"] == "checked by ed"
    # With the new ETag the second editor's change goes through.
    third = client.patch(
        f"/api/records/{RECORD}",
        json={"notes": "checked by ada"},
        headers={**ada, "If-Match": second.headers["etag"]},
    )
    assert third.status_code == 200


def test_concept_conflict_between_two_editors(ws, client):
    add_user(ws, "eve", "editor")
    ed, eve = token_headers(ws, "ed"), token_headers(ws, "eve")
    etag = client.get("/api/concept", params={"uri": CONCEPT}).headers["etag"]
    edit = {
        "edits": [
            {"op": "add", "kind": "alt", "lang": "fr", "value": "pension de retraite anticipée"}
        ]
    }
    first = client.patch(
        "/api/concept", params={"uri": CONCEPT}, json=edit, headers={**ed, "If-Match": etag}
    )
    assert first.status_code == 200, first.text
    assert first.json()["change"]["who"] == "ed"
    assert "pension de retraite anticipée" in first.json()["concept"]["alt"]["fr"]
    other = {
        "edits": [{"op": "add", "kind": "alt", "lang": "es", "value": "jubilación adelantada"}]
    }
    second = client.patch(
        "/api/concept", params={"uri": CONCEPT}, json=other, headers={**eve, "If-Match": etag}
    )
    assert second.status_code == 412
    # The second editor sees what changed: the first editor's label is in the current version.
    assert "pension de retraite anticipée" in second.json()["current"]["alt"]["fr"]
    now = client.get("/api/concept", params={"uri": CONCEPT}).json()
    assert "jubilación adelantada" not in now["alt"].get("es", [])


def test_history_names_the_signed_in_user(ws, client):
    from socsec.bibliography.store import get_store
    from socsec.thesaurus.history import read_log

    csrf = sign_in(client, "ed")
    etag = client.get(f"/api/records/{RECORD}").headers["etag"]
    resp = client.patch(
        f"/api/records/{RECORD}",
        json={"notes": "seen"},
        headers={"X-CSRF-Token": csrf, "If-Match": etag},
    )
    assert resp.status_code == 200
    store = get_store(ws)
    try:
        assert store.changes()[0].user == "ed"
    finally:
        store.close()
    ada = token_headers(ws, "ada")
    etag = client.get("/api/concept", params={"uri": CONCEPT}).headers["etag"]
    edit = {"edits": [{"op": "add", "kind": "hidden", "lang": "en", "value": "early pension"}]}
    client.patch(
        "/api/concept", params={"uri": CONCEPT}, json=edit, headers={**ada, "If-Match": etag}
    )
    assert read_log(ws)[-1].who == "ada"


def test_record_create_merge_delete_and_suggestion_review(ws, client):
    ed = token_headers(ws, "ed")
    made = client.post(
        "/api/records",
        json={
            "type": "report",
            "title": "On Consumption-Indexed Public Pension Plans",
            "year": 1982,
        },
        headers=ed,
    )
    assert made.status_code == 201, made.text
    new_id = made.json()["record"]["id"]
    assert made.headers["location"] == f"/api/records/{new_id}"
    keep = client.get(f"/api/records/{RECORD}").headers["etag"]
    merged = client.post(
        f"/api/records/{RECORD}/merge", json={"other": new_id}, headers={**ed, "If-Match": keep}
    )
    assert merged.status_code == 200, merged.text
    assert new_id in merged.json()["record"]["aliases"]
    etag = merged.headers["etag"]
    accepted = client.post(
        f"/api/records/{RECORD}/suggestions/accept",
        json={"uris": [CONCEPT]},
        headers={**ed, "If-Match": etag},
    )
    assert accepted.status_code == 200
    assert {"uri": CONCEPT, "curated": True} in accepted.json()["record"][
        "subjects"
    ] or CONCEPT in json.dumps(accepted.json()["record"]["subjects"])
    # Rejecting leaves a curated subject alone.
    rejected = client.post(
        f"/api/records/{RECORD}/suggestions/reject",
        json={"uris": [CONCEPT]},
        headers={**ed, "If-Match": accepted.headers["etag"]},
    )
    assert rejected.status_code == 200
    assert CONCEPT in json.dumps(rejected.json()["record"]["subjects"])
    gone = client.delete(
        f"/api/records/{RECORD}", headers={**ed, "If-Match": rejected.headers["etag"]}
    )
    assert gone.status_code == 200
    assert client.get(f"/api/records/{RECORD}").status_code == 404


def test_concept_create_relate_deprecate_undo(ws, client):
    ed = token_headers(ws, "ed")
    made = client.post(
        "/api/concepts",
        json={"labels": {"en": "pension credit", "fr": "crédit de pension"}, "broader": [CONCEPT]},
        headers=ed,
    )
    assert made.status_code == 201, made.text
    uri = made.json()["concept"]["uri"]
    assert made.json()["concept"]["broader"][0]["uri"] == CONCEPT or CONCEPT in json.dumps(
        made.json()["concept"]
    )
    etag = made.headers["etag"]
    rel = client.post(
        "/api/concept/relations",
        params={"uri": uri},
        json={"op": "remove", "relation": "broader", "target": CONCEPT},
        headers={**ed, "If-Match": etag},
    )
    assert rel.status_code == 200, rel.text
    dep = client.post(
        "/api/concept/deprecate",
        params={"uri": uri},
        json={},
        headers={**ed, "If-Match": rel.headers["etag"]},
    )
    assert dep.status_code == 200, dep.text
    assert dep.json()["concept"]["deprecated"] is True
    last = dep.json()["change"]["id"]
    assert (
        client.post("/api/thesaurus/undo", params={"expect": last + 5}, headers=ed).status_code
        == 412
    )
    undone = client.post("/api/thesaurus/undo", params={"expect": last}, headers=ed)
    assert undone.status_code == 200, undone.text
    assert client.get("/api/concept", params={"uri": uri}).json()["deprecated"] is False


def test_import_upload_is_atomic_and_reports_the_position(ws, client):
    ada, ed = token_headers(ws, "ada"), token_headers(ws, "ed")
    good = (
        "@techreport{w9999,\n  title = {Social Security and Retirement},\n"
        "  author = {Gruber, Jonathan},\n  year = {1997}\n}\n"
    )
    bad = good + "@article{broken,\n  title = {Unfinished\n"
    files = {"file": ("refs.bib", bad.encode(), "application/x-bibtex")}
    assert client.post("/api/records/import", files=files, headers=ed).status_code == 403
    before = client.get("/api/search", params={"q": "Gruber"}).json()["total"]
    resp = client.post("/api/records/import", files=files, headers=ada)
    assert resp.status_code == 422, resp.text
    err = resp.json()["error"]
    assert err["path"] == "refs.bib" and err["line"]
    assert client.get("/api/search", params={"q": "Gruber"}).json()["total"] == before
    ok = client.post(
        "/api/records/import",
        files={"file": ("refs.bib", good.encode(), "text/plain")},
        headers=ada,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["report"]["created"] == 1


def test_edits_are_searchable_at_once(backend_ws):
    with TestClient(create_app(backend_ws), raise_server_exceptions=False) as client:
        ed = token_headers(backend_ws, "ed")
        term = "sécu"  # colloquial French for "sécurité sociale": no record has it yet
        assert client.get("/api/search", params={"q": term, "qlang": "fr"}).json()["total"] == 0
        etag = client.get("/api/concept", params={"uri": CONCEPT}).headers["etag"]
        edit = {"edits": [{"op": "add", "kind": "alt", "lang": "fr", "value": term}]}
        resp = client.patch(
            "/api/concept", params={"uri": CONCEPT}, json=edit, headers={**ed, "If-Match": etag}
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["warnings"] == []
        hits = client.get("/api/search", params={"q": term, "qlang": "fr"}).json()
        assert hits["total"] >= 1
        etag = client.get(f"/api/records/{RECORD}").headers["etag"]
        resp = client.patch(
            f"/api/records/{RECORD}",
            json={"title": "On Consumption-Indexed Public Pension Plans (annuities)"},
            headers={**ed, "If-Match": etag},
        )
        assert resp.status_code == 200
        hits = client.get("/api/search", params={"q": "annuities"}).json()
        assert RECORD in [h["id"] for h in hits["hits"]]


def test_secrets_never_reach_the_log(ws, client, caplog):
    caplog.set_level(logging.DEBUG)
    headers = token_headers(ws, "ed")
    token = headers["Authorization"].split()[1]
    client.get("/api/me", headers=headers)
    sign_in(client, "ed")
    client.post("/signin", data={"name": "ed", "password": PASSWORD + "x"})
    client.get("/api/me", headers={"Authorization": "Bearer " + token[:-2] + "zz"})
    assert PASSWORD not in caplog.text and token not in caplog.text
