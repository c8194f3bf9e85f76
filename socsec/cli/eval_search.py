"""`socsec eval search`: nDCG@10, MAP and recall@100 of search, with and without expansion."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socsec.cli.options import JsonOpt
from socsec.cli.output import table
from socsec.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from socsec.indexer.evaluate import SearchEvalReport


class BackendChoice(StrEnum):
    """Search backends ``--backend`` may pick for one run."""

    sqlite = "sqlite"
    elasticsearch = "elasticsearch"


def _table(report: SearchEvalReport) -> RenderableType:
    rows = [
        (s.group, s.queries, *(f"{x:.3f}" for x in (
            s.expanded.ndcg_at_10, s.unexpanded.ndcg_at_10, s.expanded.map, s.unexpanded.map,
            s.expanded.recall_at_100, s.unexpanded.recall_at_100)))
        for s in report.summary
    ]  # fmt: skip
    from rich.console import Group

    columns = ("lang", "queries", "nDCG@10", "(no exp.)", "MAP", "(no exp.)", "R@100", "(no exp.)")
    parts: list[RenderableType] = [
        table(columns, rows, title=f"{report.qrels} ({report.backend}): expanded vs not")
    ]
    if report.ratios:
        ratio_rows = [(f"{r.lang.upper()}÷EN", r.topics, *(f"{x:.3f}" for x in (
            r.ndcg_at_10, r.map, r.recall_at_100, r.unexpanded_ndcg_at_10)))
            for r in report.ratios]  # fmt: skip
        ratio_cols = ("ratio", "topics", "nDCG@10", "MAP", "R@100", "nDCG@10 (no exp.)")
        parts.append(table(ratio_cols, ratio_rows, title="Cross-language ratios"))
    if report.concepts:
        from socsec.indexer.evaluate import concept_summary

        concept_rows = [(c.topic, c.concept.rsplit("/", 1)[-1], *(f"{x:.3f}" for x in (
            c.scores.ndcg_at_10, c.text_ndcg_at_10, c.ratio_to_text, c.scores.recall_at_100,
            c.text_recall_at_100, c.recall_ratio_to_text)))
            for c in report.concepts]  # fmt: skip
        mean = concept_summary(report.concepts)
        concept_rows.append(("mean", f"{mean['topics']} topics", *(f"{mean[k]:.3f}" for k in (
            "ndcg_at_10", "text_ndcg_at_10", "ndcg_ratio", "recall_at_100",
            "text_recall_at_100", "recall_ratio"))))  # fmt: skip
        concept_cols = ("topic", "concept", "nDCG@10", "text", "÷ text", "R@100", "text", "÷ text")
        parts.append(table(concept_cols, concept_rows, title="Concept search (--concept)"))
    return Group(*parts)


def eval_search(
    ctx: typer.Context,
    qrels: Annotated[
        Path,
        typer.Option(
            "--qrels",
            exists=True,
            dir_okay=False,
            help="Judged queries: 'Q<TAB>id<TAB>lang<TAB>text' lines, then TREC "
            "'id 0 record_id grade' lines (grade 0-2; '#' starts a comment).",
        ),
    ],
    backend: Annotated[
        BackendChoice | None,
        typer.Option("--backend", case_sensitive=False, help="Override the configured backend."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """nDCG@10, MAP and recall@100 of `socsec search` on judged queries, with and without
    concept expansion, per query language and overall; FR÷EN and ES÷EN ratios; and the
    concept search of each topic that names a concept.

    Example: socsec eval search --qrels tests/data/qrels/socsec-sample.qrels --backend sqlite
    """
    from socsec.indexer.evaluate import evaluate_search

    state = get_state(ctx, json)
    with state.out.progress("Searching") as advance:
        report = evaluate_search(
            state.workspace(), qrels, backend=backend.value if backend else None,
            on_notice=state.out.notice, on_progress=advance,
        )  # fmt: skip
    state.out.emit(report.to_dict(), lambda: _table(report))
