"""How `socsec search` shows results: shared by the Typer command and the fast path.

Kept apart from :mod:`socsec.cli.search` so the fast path (:mod:`socsec.cli.fast`) renders
the same output without importing Typer.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, TextIO

from socsec.cli.output import _clip, table
from socsec.cli.plain_table import BoxTable

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from socsec.indexer.service import ResultHit, SearchResponse


def _markup(text: str) -> Text:
    """Text with the words the library marks <em> in bold (titles, the "why" lines)."""
    from rich.markup import escape
    from rich.text import Text

    return Text.from_markup(escape(text).replace("<em>", "[bold yellow]").replace("</em>", "[/]"))


AUTOMATIC_NOTE = "* automatic subject (assigned by the suggestion model)"


def _subjects(hit: ResultHit) -> str:
    """The hit's subjects, an automatic one marked with a star (explained under the table)."""
    return "; ".join(s.label + ("*" if s.provenance == "automatic" else "") for s in hit.subjects)


def _authors(hit: ResultHit) -> str:
    """The first three authors, then "et al."."""
    return "; ".join(hit.authors[:3]) + (" et al." if len(hit.authors) > 3 else "")


def _any_automatic(hits: list[ResultHit]) -> bool:
    return any(s.provenance == "automatic" for h in hits for s in h.subjects)


def hits_table(hits: list[ResultHit], explain: bool) -> RenderableType:
    """The hits as a table: id, year, highlighted title, authors, subjects (and why)."""
    columns = ["id", "year", "title", "authors", "subjects"] + (["why"] if explain else [])
    rows = [
        (
            h.id,
            h.year,
            _markup(h.highlight or h.title),
            _authors(h),
            _subjects(h),
            *([_markup("\n".join(h.why))] if explain else []),
        )
        for h in hits
    ]
    return table(columns, rows, no_wrap=("id",))


# Text rich would read as markup or emoji codes ("[b]", ":smile:"), or control characters:
# such pages are drawn by rich itself.
_RICH_ONLY = re.compile(r"[\[\]\\\x00-\x1f\x7f]|:\S*?:")


class TitledTable(BoxTable):
    """A box table under a line of text, drawn without rich (see :func:`render`).

    Args:
        title: the line printed above the table.
        columns: the column names.
        rows: the cells.
        no_wrap: columns that are never wrapped.
    """

    def __init__(
        self,
        title: str,
        columns: list[str],
        rows: list[list[str]],
        *,
        no_wrap: tuple[str, ...] = (),
    ) -> None:
        super().__init__(columns, rows, no_wrap=no_wrap)
        self.title = title

    footer: str | None = None

    def print(self, stream: TextIO | None = None) -> None:
        """Write the title line, then the table, then the footer line if any."""
        stream = stream or sys.stdout
        stream.write(self.title + "\n")
        super().print(stream)
        if self.footer:
            stream.write(self.footer + "\n")


def _plain(resp: SearchResponse) -> TitledTable | None:
    """The page drawn without rich, when it looks exactly as rich would draw it.

    That is when nothing is styled (output not to a terminal, so the highlights are plain)
    and no cell holds text rich would transform; else None.
    """
    if sys.stdout.isatty() or os.environ.get("FORCE_COLOR") or resp.facets:
        return None
    rows = [
        [
            _clip(h.id),
            _clip(h.year),
            (h.highlight or h.title).replace("<em>", "").replace("</em>", ""),
            _clip(_authors(h)),
            _clip(_subjects(h)),
        ]
        for h in resp.hits
    ]
    if any(_RICH_ONLY.search(cell) for row in rows for cell in row):
        return None
    columns = ["id", "year", "title", "authors", "subjects"]
    plain = TitledTable(_count_line(resp), columns, rows, no_wrap=("id",))
    plain.footer = AUTOMATIC_NOTE if _any_automatic(resp.hits) else None
    return plain


def _count_line(resp: SearchResponse) -> str:
    first = (resp.page - 1) * resp.size + 1 if resp.hits else 0
    return f"{resp.total} hits" + (f", {first}-{first + len(resp.hits) - 1}" if resp.hits else "")


def render(resp: SearchResponse, explain: bool) -> RenderableType | BoxTable:
    """A page of results as shown by ``socsec search``: hits, then facets if asked.

    Piped output of a plain page is drawn without rich (its import and layout cost more
    than the search), to the same characters.
    """
    if not explain and (plain := _plain(resp)) is not None:
        return plain
    return rich_render(resp, explain)


def rich_render(resp: SearchResponse, explain: bool) -> RenderableType:
    """The page drawn by rich (styled highlights on a terminal, facets, explanations)."""
    from rich.console import Group

    parts: list[RenderableType] = []
    if explain:
        how = "given" if not resp.query_lang_detected else "detected"
        parts.append(f"query language: {resp.query_lang or 'any (en/fr/es)'} ({how})")
    if explain and resp.expansions:
        rows = [(e.words, e.label, f"{e.matched_lang} {e.matched_label!r} ({e.match})"
                 + (f", replaces deprecated {e.replaced}" if e.replaced else ""), e.uri)
                for e in resp.expansions]  # fmt: skip
        parts.append(
            table(("query words", "concept", "matched label", "uri"), rows, title="Expanded with")
        )
    if explain and resp.translations:
        trows = [(t.words, f"{t.target} {t.text!r}", f"{t.via} ({t.source})")
                 for t in resp.translations]  # fmt: skip
        parts.append(table(("query word", "translation", "from"), trows, title="Translated"))
    hits = hits_table(resp.hits, explain)
    parts.append(_count_line(resp))
    parts.append(hits)
    if _any_automatic(resp.hits):
        parts.append(AUTOMATIC_NOTE)
    among = f" (among the first {resp.facets_sampled} hits)" if resp.facets_sampled else ""
    for name, values in (resp.facets or {}).items():
        rows2 = [(v.label or v.value, v.count) for v in values]
        parts.append(table((name, "count"), rows2, title=f"facet: {name}{among}"))
    return Group(*parts)
