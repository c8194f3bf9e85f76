"""Editing in the browser: concept and record forms, stale-form conflicts, duplicates, upload.

Real data dir (bundled thesaurus + the 60 fixture records), real sessions through the sign-in
form; every write goes through socsec.app, so the history names the signed-in editor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from socsec.bibliography.store import BibliographyStore
from socsec.thesaurus.lookup import get_cache
from socsec.web.app import create_app
from socsec.workspace import Workspace
from tests.web.accounts import add_user, sign_in
from tests.web.conftest import served_workspace

DATA = Path(__file__).parent.parent / "data" / "bibliography"
EARLY = "http://eurovoc.europa.eu/3626"  # early retirement / retraite anticipée
EDIT = f"/concept/edit?uri={quote(EARLY, safe='')}"


@pytest.fixture
def ws(tmp_path: Path, _workspace_template: Path) -> Workspace:
    ws = served_workspace(tmp_path / "data", _workspace_template)
    add_user(ws, "ed", "editor")
    add_user(ws, "rita", "reader")
    return ws


@pytest.fixture
def client(ws: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c


def hidden(html: str, name: str) -> str:
    """The value of the first hidden input ``name`` of a page (HTML-unescaped)."""
    import html as htmllib

    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden {name}"
    return htmllib.unescape(m.group(1))


def label_form(page: str) -> dict[str, str]:
    """The label/notes form's fields as the browser would send them."""
    import html as htmllib

    form = page.split('class="edit labels-form"')[1].split("</form>")[0]
    data = {"csrf_token": hidden(form, "csrf_token"), "etag": hidden(form, "etag"),
            "original": hidden(form, "original")}  # fmt: skip
    for name, value in re.findall(r'<input id="f-[^"]+" name="([^"]+)" value="([^"]*)"', form):
        data[name] = htmllib.unescape(value)
    for name, value in re.findall(r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        data[name] = htmllib.unescape(value)
    return data


def test_write_pages_refuse_anonymous_readers_and_forms_without_csrf(client, ws):
    for page in (EDIT, "/review", "/duplicates", "/import", "/records/new"):
        resp = client.get(page, follow_redirects=False)  # a page: to the sign-in form
        assert resp.status_code == 303 and resp.headers["location"].startswith("/signin?next=")
    assert client.post("/records/new", data={"title": "x"}).status_code == 401
    sign_in(client, "rita")
    assert client.get(EDIT).status_code == 403
    assert client.get("/duplicates").status_code == 403
    csrf = sign_in(client, "ed")
    assert client.get(EDIT).status_code == 200
    page = client.post("/records/new", data={"title": "No token", "type": "report"})
    assert page.status_code == 403
    with BibliographyStore.open(ws.bibliography_db) as store:
        assert not any(r.title == "No token" for r in store.iter_records())
    assert csrf


def test_editor_adds_a_french_alt_label_and_the_history_names_them(client, ws):
    sign_in(client, "ed")
    data = label_form(client.get(EDIT).text)
    data["alt.fr"] = (data.get("alt.fr", "") + "\ndépart précoce à la retraite").strip()
    resp = client.post(EDIT, data=data, follow_redirects=False)
    assert resp.status_code == 303, resp.text[:2000]
    assert "done=saved" in resp.headers["location"]
    with get_cache(ws) as cache:
        assert "départ précoce à la retraite" in cache.concept(EARLY).alt["fr"]
    changes = client.get(f"/changes?uri={quote(EARLY, safe='')}").text
    assert "ed" in changes and "départ précoce à la retraite" in changes
    hits = client.get("/api/search", params={"q": "départ précoce à la retraite"}).json()
    assert hits["total"] > 0
