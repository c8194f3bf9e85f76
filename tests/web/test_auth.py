"""Accounts on the web: sign-in form, session cookie flags, CSRF, bearer tokens, throttling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.web.accounts import PASSWORD, add_user, sign_in, token_headers
from tests.web.conftest import served_workspace


@pytest.fixture
def ws(tmp_path: Path, _workspace_template: Path) -> Workspace:
    ws = served_workspace(tmp_path / "data", _workspace_template)
    add_user(ws, "ed", "editor")
    add_user(ws, "rita", "reader")
    add_user(ws, "ada", "admin")
    return ws


@pytest.fixture
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c


def test_sign_in_sets_a_safe_session_cookie_and_the_page_shows_the_user(client):
    page = client.get("/signin")
    assert page.status_code == 200
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    resp = client.post(
        "/signin",
        data={"name": "ed", "password": PASSWORD, "signin_token": token, "next": "/search?q=x"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"] == "/search?q=x"
    cookie = next(c for c in resp.headers.get_list("set-cookie") if c.startswith("socsec_session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # plain http in the test; https sets it (next test)
    home = client.get("/")
    assert ">ed<" in home.text and 'action="/signout"' in home.text
    assert client.get("/api/me").json()["via"] == "session"


def test_session_cookie_is_secure_over_https(ws):
    with TestClient(create_app(ws), base_url="https://testserver") as c:
        page = c.get("/signin")
        token = page.text.split('name="signin_token" value="')[1].split('"')[0]
        resp = c.post(
            "/signin",
            data={"name": "ed", "password": PASSWORD, "signin_token": token},
            follow_redirects=False,
        )
    cookie = next(x for x in resp.headers.get_list("set-cookie") if x.startswith("socsec_session="))
    assert "secure" in {p.strip().lower() for p in cookie.split(";")}


def test_wrong_password_is_401_and_the_sixth_failure_is_throttled(client):
    for _ in range(5):
        page = client.get("/signin")
        token = page.text.split('name="signin_token" value="')[1].split('"')[0]
        resp = client.post(
            "/signin", data={"name": "ed", "password": "nope nope nope", "signin_token": token}
        )
        assert resp.status_code == 401
        assert "Wrong user name or password" in resp.text
    page = client.get("/signin")
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    # Even the right password is refused while throttled.
    resp = client.post("/signin", data={"name": "ed", "password": PASSWORD, "signin_token": token})
    assert resp.status_code == 429
    assert int(resp.headers["retry-after"]) > 0


def test_sign_in_form_without_its_token_is_refused(client):
    resp = client.post("/signin", data={"name": "ed", "password": PASSWORD})
    assert resp.status_code == 403
    assert "socsec_session" not in resp.headers.get("set-cookie", "")


def test_open_redirect_is_refused(client):
    page = client.get("/signin?next=//evil.example/")
    token = page.text.split('name="signin_token" value="')[1].split('"')[0]
    resp = client.post(
        "/signin",
        data={"name": "ed", "password": PASSWORD, "signin_token": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert resp.headers["location"] == "/"


def test_sign_out_needs_csrf_and_ends_the_session(client):
    csrf = sign_in(client, "ed")
    assert client.post("/signout").status_code == 403
    assert client.get("/api/me").status_code == 200
    resp = client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303
    assert client.get("/api/me").status_code == 401


def test_bearer_token_and_revocation(ws, client):
    from socsec.app import accounts

    headers = token_headers(ws, "ed", "script")
    me = client.get("/api/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body == {"name": "ed", "role": "editor", "created": body["created"], "via": "token"}
    (info,) = accounts.list_tokens(ws, "ed")
    assert info.last_used is not None
    accounts.revoke_token(ws, info.id)
    resp = client.get("/api/me", headers=headers)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")
    forged = {"Authorization": "Bearer socsec_forged"}
    assert client.get("/api/me", headers=forged).status_code == 401


def test_anonymous_me_is_401(client):
    assert client.get("/api/me").status_code == 401


def test_closed_reading_sends_anonymous_readers_to_sign_in(tmp_path, _workspace_template):
    ws = served_workspace(
        tmp_path / "closed", _workspace_template, '[web]\nanonymous_read = "false"\n'
    )
    add_user(ws, "rita", "reader")
    with TestClient(create_app(ws)) as c:
        assert c.get("/api/lookup?q=pension").status_code == 401
        page = c.get("/search?q=pension", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/signin?next=%2Fsearch%3Fq%3Dpension"
        assert c.get("/signin").status_code == 200
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/lookup?q=pension", headers=token_headers(ws, "rita")).status_code == 200
        sign_in(c, "rita")
        assert c.get("/search?q=pension").status_code == 200


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_sign_in_and_its_errors_speak_the_readers_language(ws, lang):
    from tests.web.test_pages_i18n import _english_fragments, _visible

    english = _english_fragments(lang)
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        c.cookies.set("lang", lang)
        pages = [c.get("/signin")]
        token = pages[0].text.split('name="signin_token" value="')[1].split('"')[0]
        pages.append(
            c.post("/signin", data={"name": "ed", "password": "x" * 12, "signin_token": token})
        )
        pages.append(c.post("/signin", data={"name": "ed", "password": "x"}))  # expired form
        sign_in(c, "rita")
        c.cookies.set("lang", lang)
        pages.append(c.get("/"))  # the header: user name and the sign-out button
        pages.append(c.post("/signout", headers={"Accept": "text/html"}))  # no CSRF token: 403
    for page in pages:
        assert f'<html lang="{lang}">' in page.text, page.status_code
        left = [
            (frag, t)
            for t in _visible(page.text)
            for frag in english
            if t == frag or (len(frag.split()) >= 3 and frag in t)
        ]
        assert not left, (page.status_code, left[:5])
    assert {p.status_code for p in pages} >= {200, 401, 403}
