"""`socsec eval lookup`: top-1/top-3 accuracy of the term lookup on a judged list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socsec.cli.options import JsonOpt
from socsec.cli.output import table
from socsec.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from socsec.thesaurus.evaluate import LookupEvalReport


def _table(report: LookupEvalReport) -> RenderableType:
    from rich.console import Group

    scores = table(
        ("lang", "terms", "top-1", "top-3", "exact labels"),
        [(s.lang, s.terms, f"{s.top1:.3f}", f"{s.top3:.3f}", f"{s.exact_share:.0%}")
         for s in report.scores],
        title=f"{report.judged} ({report.concepts} concepts)",
    )  # fmt: skip
    misses = table(
        ("lang", "term", "variant", "gold rank", "first hit", "match"),
        [(m.lang, m.term, m.variant, m.rank or "-", m.first or "-", m.match or "-")
         for m in report.misses],
        title="Terms whose gold concept is not first",
    )  # fmt: skip
    return Group(scores, misses)


def eval_lookup(
    ctx: typer.Context,
    judged: Annotated[
        Path,
        typer.Option(
            "--judged",
            exists=True,
            dir_okay=False,
            help="Judged terms: 'lang<TAB>term<TAB>gold URI<TAB>variant<TAB>source' lines.",
        ),
    ],
    json: JsonOpt = False,
) -> None:
    """Top-1 and top-3 accuracy of `thesaurus lookup` per language on judged terms.

    Example: socsec eval lookup --judged tests/data/lookup-judged/judged.tsv
    """
    from socsec.thesaurus.evaluate import evaluate_lookup
    from socsec.thesaurus.lookup import get_cache

    state = get_state(ctx, json)
    report = evaluate_lookup(get_cache(state.workspace()), judged)
    state.out.emit(report.to_dict(), lambda: _table(report))
