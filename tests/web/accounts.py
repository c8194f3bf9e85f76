"""Test helpers for signed-in requests: make users, sign a TestClient in, make API tokens.

from tests.web.accounts import PASSWORD, add_user, sign_in, token_headers

add_user(ws, "eve", "editor")
csrf = sign_in(client, "eve")             # the client now holds the session cookie
client.post("/some/form", data={"csrf_token": csrf, ...})
client.post("/api/...", headers={"X-CSRF-Token": csrf}, json=...)
client.post("/api/...", headers=token_headers(ws, "eve"), json=...)  # no cookie, no CSRF
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from socsec.accounts.model import Role
from socsec.app import accounts
from socsec.workspace import Workspace

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="signin_token" value="([^"]+)"')


def add_user(ws: Workspace, name: str, role: str = "editor", password: str = PASSWORD) -> None:
    """Add a user to the data dir (the same call as ``socsec user add``); idempotent."""
    if name not in {u.name for u in accounts.list_users(ws)}:
        accounts.add_user(ws, name, password, Role(role))


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in through the real form; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/signin")
    token = _TOKEN.search(page.text)
    assert token, page.text[:300]
    resp = client.post(
        "/signin",
        data={"name": name, "password": password, "signin_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text[:300]
    me = client.get("/api/me")
    assert me.status_code == 200, me.text
    csrf: str = me.json()["csrf_token"]
    return csrf


def token_headers(ws: Workspace, name: str, label: str = "test") -> dict[str, str]:
    """``Authorization: Bearer`` headers with a new API token of ``name``."""
    _info, token = accounts.create_token(ws, name, label)
    return {"Authorization": f"Bearer {token}"}
