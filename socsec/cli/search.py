"""`socsec search`: find records by text and concept, in any of EN/FR/ES."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socsec.cli.options import JsonOpt, parse_year_range
from socsec.cli.output import table
from socsec.cli.state import CliState, get_state
from socsec.indexer.base import Sort
from socsec.indexer.service import SearchRequest, SearchService

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from socsec.indexer.service import ResultHit, SearchResponse


class ExportFormat(StrEnum):
    """What hits can be exported as: bibliographic records, or formatted references."""

    bibtex = "bibtex"
    ris = "ris"
    csljson = "csljson"
    csv = "csv"
    text = "text"


def _markup(hit: ResultHit) -> Text:
    """The title with highlighted words in bold (the library marks them <em>)."""
    from rich.markup import escape
    from rich.text import Text

    text = escape(hit.highlight or hit.title)
    return Text.from_markup(text.replace("<em>", "[bold yellow]").replace("</em>", "[/]"))


def _hits_table(hits: list[ResultHit], explain: bool) -> RenderableType:
    columns = ["id", "year", "title", "authors", "subjects"] + (["why"] if explain else [])
    rows = [
        (
            h.id,
            h.year,
            _markup(h),
            "; ".join(h.authors[:3]) + (" et al." if len(h.authors) > 3 else ""),
            "; ".join(s.label + ("*" if s.provenance == "automatic" else "") for s in h.subjects),
            *(["\n".join(h.why)] if explain else []),
        )
        for h in hits
    ]
    caption = "* automatic subject (assigned by the suggestion model)"
    if any(s.provenance == "automatic" for h in hits for s in h.subjects):
        return table(columns, rows, no_wrap=("id",), title=caption)
    return table(columns, rows, no_wrap=("id",))


def _render(resp: SearchResponse, explain: bool) -> RenderableType:
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
    hits = _hits_table(resp.hits, explain)
    parts.append(title)
    parts.append(hits)
    for name, values in (resp.facets or {}).items():
        rows2 = [(v.label or v.value, v.count) for v in values]
        parts.append(table((name, "count"), rows2, title=f"facet: {name}"))
    return Group(*parts)


def _service(state: CliState) -> SearchService:
    return SearchService.open(state.workspace())


def search(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Words in English, French or Spanish.")] = None,
    concept: Annotated[
        str | None, typer.Option("--concept", "-c", help="Concept URI, notation or label.")
    ] = None,
    exact_concept: Annotated[
        bool, typer.Option("--exact-concept", help="Do not include narrower concepts.")
    ] = False,
    no_expand: Annotated[
        bool, typer.Option("--no-expand", help="Match the records' own text only, no concepts.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help="Language (en, fr or es) of the labels shown."),
    ] = None,
    query_lang: Annotated[
        str | None,
        typer.Option(
            "--query-lang",
            help="Language of the query words: en, fr or es (default: detected). "
            "--lang only sets the language of labels shown.",
        ),
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="YEAR, FROM..TO, FROM.. or ..TO.")
    ] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Record type (repeatable).")
    ] = None,
    language: Annotated[
        list[str] | None, typer.Option("--language", help="Record language (repeatable).")
    ] = None,
    author: Annotated[str | None, typer.Option("--author", help="Author name.")] = None,
    facets: Annotated[
        bool, typer.Option("--facets", help="Show subject/year/type/language counts.")
    ] = False,
    sort: Annotated[
        Sort, typer.Option("--sort", case_sensitive=False, help="Result order.")
    ] = Sort.relevance,
    page: Annotated[int, typer.Option("--page", min=1, help="Page number.")] = 1,
    size: Annotated[int, typer.Option("--size", "-n", min=1, max=1000, help="Hits per page.")] = 10,
    all_: Annotated[bool, typer.Option("--all", help="Stream every hit (no paging).")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the expansion and why each hit matched.")
    ] = False,
    json: JsonOpt = False,
    export: Annotated[
        ExportFormat | None,
        typer.Option(
            "--export",
            case_sensitive=False,
            help="Export every hit as records, or as formatted references (text).",
        ),
    ] = None,
    style: Annotated[
        str | None,
        typer.Option(
            "--style", help="Citation style of --export text: apa, chicago-author-date, harvard."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File for --export (default: stdout).")
    ] = None,
) -> None:
    """Search the bibliography by text and thesaurus concept, in any of EN/FR/ES.

    Example: socsec search "retraite anticipée" --year 2000..2010 --facets
    """
    state = get_state(ctx, json)
    if style is not None and export is not ExportFormat.text:
        raise typer.BadParameter("--style formats references: use it with --export text")
    first, last = parse_year_range(year)
    request = SearchRequest(
        text=text or "",
        concept=concept,
        exact_concept=exact_concept,
        expand=not no_expand,
        lang=lang,
        query_lang=query_lang,
        year_from=first,
        year_to=last,
        types=tuple(type_ or ()),
        languages=tuple(language or ()),
        author=author,
        facets=facets,
        sort=sort,
        page=page,
        size=size,
    )
    with _service(state) as svc:
        if export is not None:
            n = svc.export(request, export.value, output or sys.stdout, style=style)
            state.out.notice(f"Exported {n} records to {output or 'stdout'}")
        elif all_:
            hits = list(svc.iter_hits(request, explain=explain))
            state.out.emit([_hit_dict(h) for h in hits], lambda: _hits_table(hits, explain))
        else:
            resp = svc.search(request, explain=explain)
            state.out.emit(resp.to_dict(), lambda: _render(resp, explain))


def _hit_dict(hit: ResultHit) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(hit)
