"""Security of the team service: headers on the new pages and answers, hostile input shown
escaped, and no 5xx for hostile parameters, bodies or credentials on any write route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.web.accounts import add_user, sign_in, token_headers
from tests.web.conftest import served_workspace
from tests.web.test_write_api import CONCEPT, RECORD, write_routes

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    SCRIPT, IMG, "'", '"', "\x00", "../../etc/passwd", "A" * 3000, "😀", "-1",
    "99999999999999999999", "NaN", "fr\r\nSet-Cookie: x=1", "{{7*7}}", "%(q)s", "",
]  # fmt: skip
HTML = {"Accept": "text/html"}
FORM_VALUES = (SCRIPT, IMG, "\x00", "A" * 3000)
FORM_FIELDS = ("csrf_token", "uri", "label", "value", "title", "etag")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, _workspace_template: Path) -> Workspace:
    ws = served_workspace(tmp_path_factory.mktemp("sec") / "data", _workspace_template)
    add_user(ws, "ed", "editor")
    add_user(ws, "ada", "admin")
    return ws


@pytest.fixture(scope="module")
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c


def _check_headers(resp) -> None:
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["x-frame-options"] == "DENY"
    csp = resp.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_headers_on_sign_in_page_and_write_answers(ws, client):
    page = client.get("/signin")
    _check_headers(page)
    assert page.headers["cache-control"] == "no-store"
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self'
    # No inline script on the page (the CSP would block it anyway).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    ed = token_headers(ws, "ed")
    for resp in (
        client.patch(f"/api/records/{RECORD}", json={"notes": "x"}, headers=ed),  # 428
        client.post("/api/records", json={}),  # 401
        client.get(f"/api/records/{RECORD}"),
    ):
        _check_headers(resp)
        assert resp.headers["content-security-policy"].startswith("default-src 'none'")


def test_hostile_labels_and_titles_are_shown_escaped(ws, client):
    ed = token_headers(ws, "ed")
    etag = client.get("/api/concept", params={"uri": CONCEPT}).headers["etag"]
    edits = [
        {"op": "add", "kind": "alt", "lang": "en", "value": SCRIPT},
        {"op": "add", "kind": "alt", "lang": "fr", "value": IMG},
        {"op": "set", "kind": "definition", "lang": "en", "value": IMG + SCRIPT},
    ]
    resp = client.patch(
        "/api/concept",
        params={"uri": CONCEPT},
        json={"edits": edits},
        headers={**ed, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.text
    etag = client.get(f"/api/records/{RECORD}").headers["etag"]
    resp = client.patch(
        f"/api/records/{RECORD}",
        json={"title": f"Pensions {SCRIPT} {IMG}", "abstract": IMG},
        headers={**ed, "If-Match": etag},
    )
    assert resp.status_code == 200, resp.text
    sign_in(client, "ed")  # pages as a signed-in editor (the header shows the account)
    for path, params in (
        ("/concept", {"uri": CONCEPT, "lang": "fr"}),
        ("/concept", {"uri": CONCEPT, "lang": "en"}),
        (f"/record/{RECORD}", {}),
        ("/search", {"q": "pensions"}),
        ("/changes", {}),
        ("/signin", {"next": IMG}),
    ):
        page = client.get(path, params=params, headers=HTML)
        assert page.status_code == 200, (path, page.status_code)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
    record = client.get(f"/record/{RECORD}", headers=HTML).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in record
    failed = client.post("/signin", data={"name": IMG, "password": "x", "signin_token": "x"})
    assert failed.status_code == 403 and "<img src=x" not in failed.text


@pytest.mark.parametrize("value", HOSTILE)
def test_no_5xx_for_hostile_input_on_write_routes(ws, client, value):
    ed = token_headers(ws, "ada")  # an admin reaches every route
    safe_header = quote(value[:300], safe=" ;=,-*\"'")
    for method, path in write_routes(client.app):
        if not path.startswith("/api/"):
            # Browser form routes parse forms: one hostile form each, for the markup-breaking
            # and oversized values (some of them compute suggestions: seconds per request).
            if value in FORM_VALUES:
                form = dict.fromkeys(
                    ("csrf_token", "uri", "label", "value", "title", "etag"), value
                )
                resp = client.request(
                    method, path, params={"uri": value[:2000]}, data=form, headers=ed
                )
                assert resp.status_code < 500, (method, path, value[:20], resp.status_code)
            continue
        bodies = [
            {"uri": value, "edits": [{"op": "add", "kind": "alt", "lang": "en", "value": value}]},
            {"labels": {value[:30] or "x": value}, "broader": [value]},
            {"other": value, "uris": [value], "into": value, "target": value, "relation": value},
            {value[:50] or "title": value, "title": value},
            [value],
            value,
        ]
        for body in bodies:
            resp = client.request(
                method,
                path,
                params={"uri": value[:2000], "lang": value[:35], "expect": value[:30]},
                json=body,
                headers={**ed, "If-Match": safe_header},
            )
            assert resp.status_code < 500, (
                method,
                path,
                value[:20],
                resp.status_code,
                resp.text[:200],
            )
    files = {"file": (value[:100] or "x", value.encode("utf-8", "replace"), "text/plain")}
    resp = client.post("/api/records/import", files=files, data={"format": value[:20]}, headers=ed)
    assert resp.status_code < 500, (value[:20], resp.text[:200])
    rid = quote(value[:150], safe="") or "x"
    for method, path in (("PATCH", f"/api/records/{rid}"), ("DELETE", f"/api/records/{rid}")):
        resp = client.request(method, path, json={"notes": value}, headers={**ed, "If-Match": "*"})
        assert resp.status_code < 500, (path, resp.status_code)
    # Hostile credentials: a bad token or cookie is a 401 or anonymous, never a 5xx.
    anonymous = TestClient(client.app, raise_server_exceptions=False)
    for headers in (
        {"Authorization": "Bearer " + safe_header},
        {"Authorization": safe_header},
        {"Cookie": "socsec_session=" + quote(value[:200], safe="")},
    ):
        assert anonymous.get("/api/me", headers=headers).status_code == 401, headers
        assert anonymous.get("/", headers={**HTML, **headers}).status_code < 500
    form = anonymous.post(
        "/signin", data={"name": value, "password": value, "signin_token": value, "next": value}
    )
    assert form.status_code < 500
