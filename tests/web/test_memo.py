"""The lookup answer memo: repeated requests are answered from memory, edits are seen at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from socsec.app.thesaurus import edit_concept
from socsec.thesaurus.curation import LabelEdit
from socsec.web.app import create_app
from socsec.web.memo import AnswerMemo
from socsec.web.resources import Resources

from .conftest import served_workspace

EARLY = "http://eurovoc.europa.eu/3626"  # early retirement, in the bundled extract


def test_memo_keeps_the_most_recent_answers() -> None:
    memo = AnswerMemo(max_entries=2)
    memo.put("a", b"[1]")
    memo.put("b", b"[2]")
    assert memo.get("a") == b"[1]"  # "a" is now the most recent
    memo.put("c", b"[3]")
    assert memo.get("b") is None
    assert (memo.get("a"), memo.get("c")) == (b"[1]", b"[3]")
    memo.put("big", b" " * (64 * 1024))
    assert memo.get("big") is None
    assert (memo.hits, memo.misses) == (3, 2)


def test_repeated_lookup_is_answered_from_the_memo_and_an_edit_is_seen(
    tmp_path: Path, _workspace_template: Path
) -> None:
    ws = served_workspace(tmp_path / "data", _workspace_template)
    app = create_app(ws)
    res: Resources = app.state.resources
    with TestClient(app) as client:
        first = client.get("/api/lookup", params={"q": "early retirement"})
        again = client.get("/api/lookup", params={"q": "early retirement"})
        assert first.status_code == again.status_code == 200
        assert first.content == again.content
        assert first.json()[0]["uri"] == EARLY
        assert (res.answers.hits, res.answers.misses) == (1, 1)
        # Another parameter is another answer.
        assert client.get("/api/autocomplete", params={"q": "early retirement"}).status_code == 200
        assert res.answers.misses == 2

        assert client.get("/api/lookup", params={"q": "zqxwvkj"}).json() == []
        edit_concept(ws, EARLY, [LabelEdit("add", "alt", "fr", "zqxwvkj")])
        found = client.get("/api/lookup", params={"q": "zqxwvkj"}).json()
        assert [(h["uri"], h["match"]) for h in found] == [(EARLY, "exact")]


def test_lookups_are_answered_from_the_in_memory_index(
    tmp_path: Path, _workspace_template: Path
) -> None:
    from socsec.thesaurus.label_index import IndexedCache

    ws = served_workspace(tmp_path / "data", _workspace_template)
    res = Resources(ws)
    try:
        with res.lookup_thesaurus() as cache:  # none built yet: the SQLite engine, a build starts
            assert not isinstance(cache, IndexedCache)
            assert cache.lookup("early retirement")[0].uri == EARLY
        assert res.wait_for_index(60)
        with res.lookup_thesaurus() as cache:
            assert isinstance(cache, IndexedCache)
            assert cache.lookup("early retirement")[0].uri == EARLY
    finally:
        res.close()
