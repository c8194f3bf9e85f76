"""Server-rendered pages (search pages on every backend), negotiation and `socsec serve`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from socsec.web.pages import negotiate
from socsec.workspace import Workspace

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
HTML = {"Accept": "text/html"}


def test_home_has_accessible_search_box(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert re.search(r'<label for="q"[^>]*>', html)
    assert 'role="combobox"' in html and 'aria-controls="q-suggestions"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "Content-Security-Policy" in page.headers


def test_concept_page_three_languages_hierarchy_records(client: TestClient) -> None:
    page = client.get("/concept", params={"uri": EARLY_RETIREMENT}, headers=HTML)
    assert page.status_code == 200
    html = page.text
    for lang, label in (("en", "early retirement"), ("fr", "retraite anticipée"),
                        ("es", "jubilación anticipada")):  # fmt: skip
        assert f'<td lang="{lang}">{label}</td>' in html  # one row, side by side
    assert "Broader concepts" in html and "Records about this concept" in html
    assert "Search records that mention" in html


def test_results_page_has_facets_and_paging(client: TestClient) -> None:
    page = client.get("/search", params={"q": "pension", "lang": "fr"}, headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert 'aria-label="Affiner"' in html and "<summary>Sujet</summary>" in html  # lang=fr
    assert 'rel="next"' in html
    assert "/api/search/export?q=pension" in html


def test_results_page_searches_any_language_labels_in_readers(client: TestClient) -> None:
    html = client.get(
        "/search", params={"q": "retraite anticipée", "lang": "es"}, headers=HTML
    ).text
    assert "Early Retirement" in html  # English records found from a French query
    assert ">jubilación anticipada</a>" in html  # the expanded concept, labelled in Spanish


def test_tagged_records_on_concept_page(client: TestClient) -> None:
    tagged = client.get("/api/search", params={"concept": "http://eurovoc.europa.eu/4050"})
    first = tagged.json()["hits"][0]["id"]
    page = client.get("/concept", params={"uri": "http://eurovoc.europa.eu/4050"}, headers=HTML)
    assert f"/record/{first}" in page.text


def test_health_and_docs(sqlite_client: TestClient) -> None:
    health = sqlite_client.get("/api/health").json()
    assert health["status"] == "ok" and health["concepts"] > 400
    for page in ("/docs", "/redoc"):
        html = sqlite_client.get(page).text
        # Served from this server: an intranet without internet still gets its API docs.
        assert "cdn." not in html and "https://" not in html.split("<body")[0], page
        assets = [a.split('"')[0] for a in html.split('src="')[1:] + html.split('href="')[1:]]
        local = [a for a in assets if a.startswith("/static-offline-docs/")]
        assert local and all(sqlite_client.get(a).status_code == 200 for a in local), page


def test_record_page(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/record/nber-w0204", headers=HTML)
    assert page.status_code == 200
    assert "<dt>Authors</dt>" in page.text


def test_page_errors_are_html_4xx(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/concept", params={"uri": "zzz-none"}, headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in page.text
    bad = sqlite_client.get("/search", params={"page": "0"}, headers=HTML)
    assert bad.status_code == 400 and "page" in bad.text


def test_language_switch_keeps_the_query(sqlite_client: TestClient) -> None:
    html = sqlite_client.get("/search", params={"q": "retraite"}, headers=HTML).text
    assert 'href="?q=retraite&amp;lang=es"' in html


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("application/ld+json;q=0.1, text/turtle;q=0.2", "text/turtle"),
        ("text/*", "text/html"),
        ("application/*;q=0.5", "application/ld+json"),
        ("image/png", None),
        ("text/turtle;q=0", None),
        ("text/turtle;q=abc, application/json", "application/json"),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


def test_serve_help_and_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from socsec.cli.app import app

    runner = CliRunner()
    assert runner.invoke(app, ["serve", "--help"]).exit_code == 0
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 6
    assert "pip install 'socsec[web]'" in result.stderr


def test_search_backend_down_is_503_lookup_still_works(
    tmp_path: Path, sqlite_ws: Workspace
) -> None:
    import shutil

    from socsec.config import Settings
    from socsec.web.app import create_app

    root = tmp_path / "data"
    shutil.copytree(sqlite_ws.root, root)
    (root / "config.toml").write_text(
        'backend = "elasticsearch"\n[elasticsearch]\nurl = "http://127.0.0.1:9"\n', encoding="utf-8"
    )
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with TestClient(create_app(ws), raise_server_exceptions=False) as client:
        down = client.get("/api/search", params={"q": "pension"})
        assert down.status_code == 503
        assert down.json()["error"]["type"] == "Backend unavailable"
        assert client.get("/api/lookup", params={"q": "pension"}).status_code == 200


def test_serve_command_serves(sqlite_ws: Workspace) -> None:
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    socsec = str(Path(sys.executable).with_name("socsec"))
    env = {**os.environ, "SOCSEC_HOME": str(sqlite_ws.root)}
    proc = subprocess.Popen(
        [socsec, "--quiet", "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/lookup?q=retraite")
                resp = conn.getresponse()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "socsec serve did not answer"
                time.sleep(0.1)
        assert resp.status == 200
        assert b"pension scheme" in resp.read()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_record_page_escapes_stored_text(tmp_path: Path, sqlite_ws: Workspace) -> None:
    import shutil

    from socsec.bibliography.model import Record, RecordType
    from socsec.bibliography.store import BibliographyStore
    from socsec.config import Settings
    from socsec.web.app import create_app

    root = tmp_path / "data"
    shutil.copytree(sqlite_ws.root, root)
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with BibliographyStore.open(ws.bibliography_db) as store:
        store.add(
            Record(
                id="x-js",
                type=RecordType.report,
                title="<b>t</b>",
                url="https://example.org/a?b=%22%3E",
            )
        )
    with TestClient(create_app(ws), raise_server_exceptions=False) as client:
        html = client.get("/record/x-js", headers=HTML).text
    # The store refuses non-http URLs; the page escapes whatever text it holds.
    assert "<b>t</b>" not in html
    assert "&lt;b&gt;t&lt;/b&gt;" in html
