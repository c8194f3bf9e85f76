"""HTTP hardening: security headers on every kind of response, HEAD, and no blocking on the loop."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from socsec.accounts.model import Role
from socsec.web import auth, concept_edit, reconcile, record_edit, review, signin, sparql, upload
from socsec.web.api import resources
from socsec.web.app import create_app
from socsec.workspace import Workspace

EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
HTML = {"Accept": "text/html"}

# (path, params, headers) of one response of each kind: JSON, data file, page, docs, static,
# an error in JSON and one as a page.
RESPONSES = [
    ("/api/lookup", {"q": "pension"}, {}),
    ("/api/health", {}, {}),
    ("/api/concept/export", {"uri": EARLY_RETIREMENT}, {}),
    ("/", {}, HTML),
    ("/concept", {"uri": EARLY_RETIREMENT}, HTML),
    ("/docs", {}, {}),
    ("/redoc", {}, {}),
    ("/openapi.json", {}, {}),
    ("/static/app.css", {}, {}),
    ("/api/concept", {"uri": "zzz-none"}, {}),
    ("/concept", {"uri": "zzz-none"}, HTML),
]


@pytest.mark.parametrize(("path", "params", "headers"), RESPONSES)
def test_security_headers_on_every_response(
    sqlite_client: TestClient, path: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    resp = sqlite_client.get(path, params=params, headers=headers)
    assert resp.status_code in (200, 404), resp.text
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "same-origin"
    assert resp.headers["x-frame-options"] == "DENY"
    csp = resp.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if resp.headers["content-type"].startswith("text/html") and path not in ("/docs", "/redoc"):
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    elif not resp.headers["content-type"].startswith(("text/html", "text/css")):
        assert csp.startswith("default-src 'none'")


def test_static_asset_path_exists(sqlite_client: TestClient) -> None:
    # The parametrized case above needs a real asset, not a 404.
    assert sqlite_client.get("/static/app.css").status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/lookup", {"q": "retraite"}),
        ("/api/health", {}),
        ("/api/search", {"q": "pension"}),
        ("/", {}),
        ("/docs", {}),
        ("/openapi.json", {}),
        ("/static/app.css", {}),
        ("/api/glossary", {"format": "csv"}),
    ],
)
def test_head_answers_like_get_without_a_body(
    sqlite_client: TestClient, path: str, params: dict[str, str]
) -> None:
    get = sqlite_client.get(path, params=params)
    head = sqlite_client.head(path, params=params)
    assert get.status_code == 200 and head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"] == get.headers["content-security-policy"]
    if "content-length" in get.headers:
        assert head.headers["content-length"] == get.headers["content-length"]


def test_head_of_a_missing_thing_is_404_without_body(sqlite_client: TestClient) -> None:
    resp = sqlite_client.head("/api/concept", params={"uri": "zzz-none"})
    assert resp.status_code == 404 and resp.content == b""


def test_other_methods_still_refused(sqlite_client: TestClient) -> None:
    resp = sqlite_client.post("/api/lookup", params={"q": "pension"})
    assert resp.status_code == 405
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]


# Coroutines allowed on the event loop: each is known to return without blocking.
NON_BLOCKING = {
    resources,  # returns an attribute of the app state
    # Reconciliation and SPARQL read the request body with await (bounded), then run the
    # lookup or the query with run_in_threadpool.
    reconcile.service_get,
    reconcile.service_post,
    sparql.sparql_get,
    sparql.sparql_post,
    # Accounts: the session or token lookup runs with run_in_threadpool; sign-out too.
    auth.credentials,
    auth.current_user,
    *(auth.require_role(role) for role in Role),
    auth.BEARER_SCHEME,  # reads a header
    signin.signout,
    # Editing forms: the form is read with await, then the write runs with run_in_threadpool.
    review.accept_all,
    review.decide,
    record_edit.create_record,
    record_edit.save_record,
    record_edit.delete_record,
    record_edit.merge_records,
    concept_edit.save_labels,
    concept_edit.relation,
    concept_edit.retire,
    concept_edit.create,
    concept_edit.undo_last,
    upload.import_upload,
}
# The framework's own routes (schema and docs pages): built once, served from memory.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _calls(dependant: object) -> list[object]:
    """The endpoint and every dependency callable of a route, recursively."""
    found = [getattr(dependant, "call", None)]
    for sub in getattr(dependant, "dependencies", ()):
        found += _calls(sub)
    return [c for c in found if c is not None]


def _leaves(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, descending into included routers (FastAPI >= 0.165 keeps them nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaves(inner.routes)
        else:
            yield route


def test_no_route_blocks_the_event_loop(sqlite_ws: Workspace) -> None:
    """Every endpoint and dependency is sync (run in the thread pool) or known non-blocking."""
    app = create_app(sqlite_ws)
    checked = 0
    for route in _leaves(app.routes):
        if getattr(route, "path", "") in FRAMEWORK_ROUTES:
            continue
        if isinstance(route, APIRoute):
            for call in _calls(route.dependant):
                target = call if inspect.isfunction(call) else getattr(call, "__call__", call)  # noqa: B004
                if inspect.iscoroutinefunction(target):
                    assert call in NON_BLOCKING, f"{route.path}: async {call!r} may block"
            checked += 1
        elif isinstance(route, Mount):
            # Static files: StaticFiles reads files in worker threads (anyio).
            assert isinstance(route.app, StaticFiles), route.path
        else:
            raise AssertionError(f"unchecked route {route!r}")
    assert checked >= 15
