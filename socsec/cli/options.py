"""Options shared by many commands, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

import typer

from socsec.years import year_range

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LimitOpt = Annotated[
    int, typer.Option("--limit", "-n", min=1, max=10_000, help="Most results to show.")
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="Language (en, fr or es) of labels shown and of the query."),
]


def parse_year_range(value: str | None) -> tuple[int | None, int | None]:
    """The --year option: a library year range, or a usage error naming the option."""
    try:
        return year_range(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from None


BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="IRI that relative IRIs in FILE resolve against (default: the file's own URI; "
        "N-Triples needs absolute IRIs).",
    ),
]
