"""Piped search results drawn without rich are the characters rich draws."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.console import Console

from socsec.cli.search_view import TitledTable, _plain, rich_render
from socsec.indexer.service import ConceptRef, SearchRequest, SearchResponse, SearchService
from socsec.workspace import Workspace

QUERIES = ["pension", "retraite anticipée", "unemployment benefit", "qqqzzzxx", "health"]


@pytest.fixture(scope="module")
def responses(_workspace_template: object, tmp_path_factory: pytest.TempPathFactory) -> list:
    import shutil

    from socsec.config import Settings

    root = tmp_path_factory.mktemp("view") / "data"
    shutil.copytree(_workspace_template, root)  # type: ignore[arg-type]
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with SearchService.open(ws) as svc:
        found = [svc.search(SearchRequest(text=q, size=s)) for q in QUERIES for s in (3, 10)]
    assert any(r.hits for r in found) and any(not r.hits for r in found)
    return found


def _rich(resp: SearchResponse, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, soft_wrap=False).print(rich_render(resp, False))
    return out.getvalue()


@pytest.mark.parametrize("width", [40, 80, 120, 250])
def test_plain_table_is_rich_table(
    responses: list[SearchResponse], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for resp in responses:
        plain = _plain(resp)
        assert isinstance(plain, TitledTable)
        stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        plain.print(stream)
        stream.seek(0)
        assert stream.read() == _rich(resp, width)


def test_text_rich_would_transform_is_left_to_rich(responses: list[SearchResponse]) -> None:
    resp = next(r for r in responses if r.hits)
    hit = resp.hits[0]
    for odd in ("[b]x[/b]", "a :smile: b", "tab\there", "line\nbreak"):
        changed = replace(resp, hits=[replace(hit, title=odd, highlight=None), *resp.hits[1:]])
        assert _plain(changed) is None
    subjects = [ConceptRef("u", "x [EU]")]
    assert _plain(replace(resp, hits=[replace(hit, subjects=subjects)])) is None
    assert _plain(replace(resp, facets={"type": []})) is None
