"""`socsec search`: find records by text and concept, in any of EN/FR/ES."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socsec.cli.options import JsonOpt, parse_year_range
from socsec.cli.search_view import hits_table, render
from socsec.cli.state import CliState, get_state
from socsec.indexer.base import Sort
from socsec.indexer.service import SearchRequest, SearchService

if TYPE_CHECKING:
    from socsec.indexer.service import ResultHit


class ExportFormat(StrEnum):
    """What hits can be exported as: bibliographic records, or formatted references."""

    bibtex = "bibtex"
    ris = "ris"
    csljson = "csljson"
    csv = "csv"
    text = "text"


def _service(state: CliState) -> SearchService:
    return SearchService.open(state.workspace())


def search(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Words in English, French or Spanish.")] = None,
    concept: Annotated[
        str | None,
        typer.Option(
            "--concept",
            "-c",
            help="Concept URI, notation or label: records indexed with it or a narrower "
            "concept, or naming one in their title/abstract (ranked in that order).",
        ),
    ] = None,
    exact_concept: Annotated[
        bool,
        typer.Option(
            "--exact-concept",
            help="Only records indexed with the concept itself (no narrower, not named).",
        ),
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
            state.out.emit([_hit_dict(h) for h in hits], lambda: hits_table(hits, explain))
        else:
            resp = svc.search(request, explain=explain)
            state.out.emit(resp.to_dict(), lambda: render(resp, explain))


def _hit_dict(hit: ResultHit) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(hit)
