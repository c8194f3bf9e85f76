"""The rich-free lookup table draws what rich draws, on real lookups and at many widths."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from socsec.cli.lookup_view import cell
from socsec.cli.output import table
from socsec.cli.plain_table import BoxTable, cell_width, terminal_width, wrap
from socsec.thesaurus.bundle import initialize_thesaurus
from socsec.thesaurus.lookup import ThesaurusCache
from tests.thesaurus.conftest import make_ws

TERMS = ["pension", "chôm", "retraite anticipée", "accidente laboral", "unemploymnet", "family"]
LANG_SETS = [["en", "fr", "es"], ["fr"], ["es", "en"]]
# Below ~60 columns a six-column table is degenerate (1-character columns) and rich's
# rounding differs; those widths are only checked to stay inside the terminal.
WIDTHS = [300, 160, 120, 100, 80, 72, 60]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> ThesaurusCache:
    root = tmp_path_factory.mktemp("table")
    initialize_thesaurus(make_ws(root))
    return ThesaurusCache.open(root / "thesaurus.sqlite")


def lookup_table(
    cache: ThesaurusCache, term: str, to: list[str]
) -> tuple[list[str], list[list[str]]]:
    hits = cache.lookup(term, limit=20)
    rows = [
        [h.match.value, f"{h.matched_label} @{h.matched_lang}"]
        + [cell(h.pref.get(t), h.alt.get(t, [])) for t in to]
        + [h.uri]
        for h in hits
    ]
    return ["match", "matched", *to, "uri"], rows


def rich_render(columns: list[str], rows: list[list[str]], width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, soft_wrap=False).print(
        table(columns, rows, no_wrap=("match", "uri"))
    )
    return out.getvalue()


@pytest.mark.parametrize("term", TERMS)
def test_same_bytes_as_rich(cache: ThesaurusCache, term: str) -> None:
    for to in LANG_SETS:
        columns, rows = lookup_table(cache, term, to)
        assert rows
        for width in WIDTHS:
            mine = BoxTable(columns, rows, no_wrap=("match", "uri")).render(width)
            assert mine == rich_render(columns, rows, width), (term, to, width)


@pytest.mark.parametrize("width", [50, 40, 30, 20])
def test_narrow_terminals_stay_inside_the_width(cache: ThesaurusCache, width: int) -> None:
    columns, rows = lookup_table(cache, "pension", ["en", "fr", "es"])
    lines = BoxTable(columns, rows, no_wrap=("match", "uri")).render(width).splitlines()
    assert {cell_width(line) for line in lines} == {width}


def test_wrap_breaks_at_words_and_folds_long_words() -> None:
    assert wrap("régime de retraite", 10) == ["régime de", "retraite"]
    assert wrap("occupationalpension x", 8) == ["occupati", "onalpens", "ion x"]
    assert wrap("a\n(b; c)", 20) == ["a", "(b; c)"]


def test_cell_width_counts_wide_and_combining_characters() -> None:
    assert cell_width("sécurité") == 8
    assert cell_width("se\u0301curite\u0301") == 8  # decomposed accents take no column
    assert cell_width("社会保障") == 8


def test_non_utf8_output_gets_the_ascii_box() -> None:
    text = BoxTable(["en", "fr"], [["pension", "retraite"]]).render(40, ascii_only=True)
    lines = text.splitlines()  # rich's box.ASCII: crosses only under the header
    assert lines[0] == "+--------------------+" and lines[2] == "|---------+----------|"
    assert text.isascii()


def test_header_is_bold_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    tbl = BoxTable(["en"], [["pension"]])
    assert "\x1b[1men\x1b[0m" in tbl.render(40, bold_header=True)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = io.StringIO()  # not a terminal
    tbl.print(out)
    assert "\x1b" not in out.getvalue()
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = io.StringIO()
    tbl.print(out)
    assert "\x1b[1men\x1b[0m" in out.getvalue()


def test_width_follows_columns_then_terminal_then_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "132")
    assert terminal_width() == 132
    monkeypatch.delenv("COLUMNS")
    assert terminal_width() > 0


def test_labels_with_brackets_print_literally(tmp_path: Path) -> None:
    # Real EuroVoc definitions hold square brackets; rich would read them as markup.
    rows = [["definition", "[...] the state [of succession]"]]
    mine = BoxTable(["field", "value"], rows).render(80)
    assert "[...] the state [of succession]" in mine
    assert mine == rich_render(["field", "value"], rows, 80)
