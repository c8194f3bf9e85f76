"""The lookup index after a thesaurus edit: built in the background, lookups never wait for it.

While a new index builds, lookups answer through the SQLite engine (the same answers, see
tests/thesaurus/test_label_index.py), so an edit is found at once. ``Resources.build_hook``
runs in the build thread before each build: these tests hold a build on an event, or fail it,
to see what lookups do meanwhile. The stores are real (the bundled thesaurus, edits through
the application layer).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socsec.app.thesaurus import edit_concept
from socsec.thesaurus.curation import LabelEdit
from socsec.thesaurus.label_index import IndexedCache
from socsec.web.app import create_app
from socsec.web.resources import Resources
from socsec.workspace import Workspace

from .conftest import served_workspace

EARLY = "http://eurovoc.europa.eu/3626"  # early retirement, in the bundled extract
BUILDER = "socsec-lookup-index"


@pytest.fixture
def served(tmp_path: Path, _workspace_template: Path) -> Iterator[tuple[Workspace, TestClient]]:
    """A warmed-up app (its first index built and frozen) over a copy of the template."""
    ws = served_workspace(tmp_path / "data", _workspace_template)
    with TestClient(create_app(ws, warm_up=True)) as client:
        yield ws, client
    gc.unfreeze()  # the app's frozen objects: give them back to the collector


def _res(client: TestClient) -> Resources:
    res: Resources = client.app.state.resources  # type: ignore[attr-defined]
    return res


def _exact(client: TestClient, term: str) -> list[str]:
    found = client.get("/api/lookup", params={"q": term})
    assert found.status_code == 200
    return [h["uri"] for h in found.json() if h["match"] == "exact"]


def _builders() -> int:
    return sum(t.name == BUILDER for t in threading.enumerate())


def test_a_lookup_after_an_edit_finds_it_while_the_index_builds(
    served: tuple[Workspace, TestClient],
) -> None:
    ws, client = served
    res = _res(client)
    assert res.builds == 1  # at start-up
    held = threading.Event()
    res.build_hook = lambda: held.wait(60)
    try:
        assert _exact(client, "zqxwvkj") == []
        edit_concept(ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
        # The build is held: the lookups answer now, through SQLite, edit included.
        for _ in range(3):
            assert _exact(client, "zqxwvkj") == [EARLY]
        assert _exact(client, "early retirement") == [EARLY]
        with res.lookup_thesaurus() as cache:
            assert not isinstance(cache, IndexedCache)  # never the old index
        assert not res.wait_for_index(0)
        assert _builders() == 1  # many stale lookups, one build
        assert res.builds == 1
    finally:
        held.set()
    assert res.wait_for_index(60)
    assert res.builds == 2 and _builders() == 0
    gc.unfreeze()  # then see the swap freeze the new index
    assert gc.get_freeze_count() == 0
    with res.lookup_thesaurus() as cache:  # the new index, swapped in
        assert isinstance(cache, IndexedCache)
        assert [h.uri for h in cache.lookup("zqxwvkj")] == [EARLY]
        rows = len(cache.index.rows)
    # A new build freezes as start-up does: another edit, its index built and swapped in.
    res.build_hook = None
    edit_concept(ws, EARLY, [LabelEdit("remove", "alt", "fr", "zqxwvkj")])
    assert _exact(client, "zqxwvkj") == []
    assert res.wait_for_index(60)
    assert res.builds == 3
    assert gc.get_freeze_count() > rows
    assert _exact(client, "zqxwvkj") == []


def test_an_edit_during_a_build_is_in_the_index_swapped_in(
    served: tuple[Workspace, TestClient],
) -> None:
    ws, client = served
    res = _res(client)
    started, held = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        held.wait(60)

    res.build_hook = hold
    try:
        edit_concept(ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
        assert _exact(client, "zqxwvkj") == [EARLY]
        assert started.wait(60)
        edit_concept(ws, EARLY, [LabelEdit("add", "alt", "es", "jkvwxqz")])
        assert _exact(client, "jkvwxqz") == [EARLY]
    finally:
        res.build_hook = None
        held.set()
    assert res.wait_for_index(60)
    assert _exact(client, "jkvwxqz") == [EARLY]
    with res.lookup_thesaurus() as cache:  # current: both edits in it
        assert isinstance(cache, IndexedCache)
        assert [h.uri for h in cache.lookup("jkvwxqz")] == [EARLY]
        assert [h.uri for h in cache.lookup("zqxwvkj")] == [EARLY]


def test_a_failed_build_leaves_lookups_on_sqlite_and_is_logged_once(
    served: tuple[Workspace, TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    ws, client = served
    res = _res(client)

    def fail() -> None:
        raise OSError("no room for the index")

    res.build_hook = fail
    edit_concept(ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
    with caplog.at_level(logging.ERROR, logger="socsec.web"):
        assert _exact(client, "zqxwvkj") == [EARLY]
        assert res.wait_for_index(60)
        for term in ("zqxwvkj", "early retirement", "pensoin"):  # stale: no new attempt
            assert client.get("/api/lookup", params={"q": term}).status_code == 200
        assert res.wait_for_index(60)
    failures = [r for r in caplog.records if "index build failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is not None
    assert res.builds == 1
    with res.lookup_thesaurus() as cache:
        assert not isinstance(cache, IndexedCache)
        assert [h.uri for h in cache.lookup("zqxwvkj")] == [EARLY]

    # The next change of the thesaurus is built again.
    res.build_hook = None
    edit_concept(ws, EARLY, [LabelEdit("add", "alt", "es", "jkvwxqz")])
    assert _exact(client, "jkvwxqz") == [EARLY]
    assert res.wait_for_index(60)
    assert res.builds == 2
    with res.lookup_thesaurus() as cache:
        assert isinstance(cache, IndexedCache)
