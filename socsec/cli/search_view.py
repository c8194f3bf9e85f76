"""How `socsec search` shows results: shared by the Typer command and the fast path.

Kept apart from :mod:`socsec.cli.search` so the fast path (:mod:`socsec.cli.fast`) renders
the same output without importing Typer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socsec.cli.output import table

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from socsec.indexer.service import ResultHit, SearchResponse


def _markup(hit: ResultHit) -> Text:
    """The title with highlighted words in bold (the library marks them <em>)."""
    from rich.markup import escape
    from rich.text import Text

    text = escape(hit.highlight or hit.title)
    return Text.from_markup(text.replace("<em>", "[bold yellow]").replace("</em>", "[/]"))


def hits_table(hits: list[ResultHit], explain: bool) -> RenderableType:
    """The hits as a table: id, year, highlighted title, authors, subjects (and why)."""
    columns = ["id", "year", "title", "authors", "subjects"] + (["why"] if explain else [])
    rows = [
        (
            h.id,
            h.year,
            _markup(h),
            "; ".join(h.authors[:3]) + (" et al." if len(h.authors) > 3 else ""),
            "; ".join(s.label for s in h.subjects),
            *(["\n".join(h.why)] if explain else []),
        )
        for h in hits
    ]
    return table(columns, rows, no_wrap=("id",))


def render(resp: SearchResponse, explain: bool) -> RenderableType:
    """A page of results as shown by ``socsec search``: hits, then facets if asked."""
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
    first = (resp.page - 1) * resp.size + 1 if resp.hits else 0
    title = f"{resp.total} hits" + (f", {first}-{first + len(resp.hits) - 1}" if resp.hits else "")
    hits = hits_table(resp.hits, explain)
    parts.append(title)
    parts.append(hits)
    among = f" (among the best {resp.facets_sampled})" if resp.facets_sampled else ""
    for name, values in (resp.facets or {}).items():
        rows2 = [(v.label or v.value, v.count) for v in values]
        parts.append(table((name, "count"), rows2, title=f"facet: {name}{among}"))
    return Group(*parts)
