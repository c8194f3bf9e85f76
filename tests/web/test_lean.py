"""The lean lookup path: the full route's answers, and nothing on the event loop that may block.

Well-formed lookup and autocomplete requests skip FastAPI's parameter solving
(socsec.web.lean) and are computed on the event loop when the in-memory index is current
(docs/decisions/0003-lookups-on-the-event-loop.md). A request the planner declines goes to the
full route: repeating a parameter with the same value is one, so each answer below is
compared, byte for byte and header for header, with the full route's answer to the same
request.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from socsec.app.thesaurus import edit_concept
from socsec.thesaurus.curation import LabelEdit
from socsec.thesaurus.label_index import IndexedCache, LabelIndex
from socsec.web.api import _autocomplete_plan, _lookup_plan
from socsec.web.app import create_app
from socsec.web.resources import Resources
from socsec.workspace import Workspace

from .conftest import served_workspace

EARLY = "http://eurovoc.europa.eu/3626"  # early retirement, in the bundled extract
TERMS = ["pension", "early retirement", "retraite anticipée", "pensoin", "chôm", "ab", "x", "  "]


@pytest.mark.parametrize(
    ("query", "accepted"),
    [
        ("q=pension", True),
        ("q=pension&limit=100&lang=fr-CA&scheme=http://x/1", True),
        ("q=pension&other=1", True),  # unknown parameters are ignored, as FastAPI does
        ("q=pension&limit=010", False),
        ("q=pension&limit=101", False),
        ("q=pension&limit=0", False),
        ("q=pension&limit=+5", False),
        ("q=pension&limit=", False),
        ("q=", False),
        ("limit=5", False),
        ("q=pension&lang=e", False),
        ("q=pension&lang=en%0A", False),
        ("q=pension&lang=", False),
        ("q=pension&scheme=", False),
        ("q=a&q=b", False),
        ("q=" + "a" * 501, False),
    ],
)
def test_lookup_planner_takes_only_requests_it_answers_as_the_full_route(
    query: str, accepted: bool
) -> None:
    assert (_lookup_plan(QueryParams(query)) is not None) is accepted


def test_autocomplete_planner_checks_display_and_its_own_limit() -> None:
    assert _autocomplete_plan(QueryParams("q=pen&display=fr&limit=50")) is not None
    assert _autocomplete_plan(QueryParams("q=pen&limit=51")) is None
    assert _autocomplete_plan(QueryParams("q=pen&display=f")) is None


def _same(client: TestClient, path: str, query: str) -> None:
    lean = client.get(f"{path}?{query}")
    full = client.get(f"{path}?{query}&{query.split('&')[-1]}")  # repeated: declined
    assert (lean.status_code, lean.content) == (full.status_code, full.content), query
    assert lean.headers == full.headers, query


def test_lean_answers_are_the_full_routes_answers(sqlite_client: TestClient) -> None:
    for term in TERMS:
        for extra in ("", "&limit=3", "&lang=fr", "&limit=100&lang=es-ES"):
            _same(sqlite_client, "/api/lookup", f"q={term}{extra}")
        for extra in ("", "&display=es", "&limit=2&lang=fr"):
            _same(sqlite_client, "/api/autocomplete", f"q={term}{extra}")
    # Bad parameters are the full route's errors (the planner declines them).
    for query in ("q=", "q=pension&limit=0", "q=pension&lang=e"):
        resp = sqlite_client.get(f"/api/lookup?{query}")
        assert resp.status_code == 400
        assert resp.json()["error"]["type"] == "Invalid parameter"


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_the_event_loop_runs_no_statement_but_the_check_and_a_rebuild_runs_in_a_thread(
    tmp_path: Path, _workspace_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws: Workspace = served_workspace(tmp_path / "data", _workspace_template)
    app = create_app(ws)
    res: Resources = app.state.resources
    seen: list[tuple[str, bool]] = []
    builds: list[bool] = []
    build = LabelIndex.build.__func__  # type: ignore[attr-defined]

    def spy(cls: type[LabelIndex], cache: IndexedCache) -> LabelIndex:
        builds.append(_in_event_loop())
        return build(cls, cache)  # type: ignore[no-any-return]

    monkeypatch.setattr(LabelIndex, "build", classmethod(spy))
    with TestClient(app) as client:
        assert client.get("/api/lookup", params={"q": "pension"}).status_code == 200
        assert res.wait_for_index(60)  # the first lookup started the build (no warm-up)
        with res.lookup_thesaurus() as cache:  # the pooled cache that answers lookups
            assert isinstance(cache, IndexedCache)
            conn: sqlite3.Connection = cache._conn
            conn.set_trace_callback(lambda sql: seen.append((sql, _in_event_loop())))
        for term in ("retraite", "pensoin", "unemployment benefit", "chôm"):
            assert client.get("/api/lookup", params={"q": term}).status_code == 200
        on_loop = {sql for sql, loop in seen if loop}
        # The data version, asked with no busy wait (the timeout read once, set, restored).
        check = {"PRAGMA data_version", "PRAGMA busy_timeout", "PRAGMA busy_timeout = 0"}
        assert on_loop == {*check, "PRAGMA busy_timeout = 5000"}
        assert sum(sql == "PRAGMA data_version" for sql, loop in seen if loop) == 4
        assert all(not loop for sql, loop in seen if sql.startswith("SELECT"))
        assert builds == [False]

        # An edit makes the index stale: the lookup after it starts a new build, off the loop.
        edit_concept(ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
        found = client.get("/api/lookup", params={"q": "zqxwvkj"}).json()
        assert [(h["uri"], h["match"]) for h in found] == [(EARLY, "exact")]
        assert res.wait_for_index(60)
        assert builds == [False, False]


def test_a_term_in_another_script_is_looked_up_in_a_thread(
    tmp_path: Path, _workspace_template: Path
) -> None:
    # Its prefix and word sources ask FTS5 (a file read): never on the loop.
    ws = served_workspace(tmp_path / "data", _workspace_template)
    app = create_app(ws)
    res: Resources = app.state.resources
    seen: list[tuple[str, bool]] = []
    with TestClient(app) as client:
        assert client.get("/api/lookup", params={"q": "pension"}).status_code == 200
        assert res.wait_for_index(60)
        with res.lookup_thesaurus() as cache:
            assert isinstance(cache, IndexedCache)
            cache._conn.set_trace_callback(lambda sql: seen.append((sql, _in_event_loop())))
        assert client.get("/api/lookup", params={"q": "пенсия"}).json() == []
    assert any("label_words" in sql for sql, _loop in seen)
    assert all(not loop for sql, loop in seen if "label_words" in sql)
