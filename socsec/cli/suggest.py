"""`socsec bib suggest`, `socsec bib review` and `socsec eval suggest`: subject suggestion."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socsec.cli.eval_lookup import eval_lookup
from socsec.cli.eval_search import eval_search
from socsec.cli.options import JsonOpt, LangOpt
from socsec.cli.output import key_values, table
from socsec.cli.state import get_state

if TYPE_CHECKING:
    from socsec.suggest.evaluate import EvalReport
    from socsec.suggest.service import SuggestResult


class MethodChoice(StrEnum):
    """Suggestion methods (the CLI's copy of socsec.suggest.Method, for lazy imports)."""

    lexical = "lexical"
    associative = "associative"
    ensemble = "ensemble"


MethodOpt = Annotated[
    MethodChoice,
    typer.Option("--method", "-m", case_sensitive=False, help="Suggestion method."),
]
SuggestLimitOpt = Annotated[
    int, typer.Option("--limit", "-n", min=1, max=100, help="Most suggestions to show.")
]


def _method(choice: MethodChoice) -> Any:
    from socsec.suggest.model import Method

    return Method(choice.value)


def _evidence_text(result: SuggestResult, index: int) -> str:
    parts = []
    for e in result.suggestions[index].evidence[:3]:
        if e.source == "label":
            parts.append(f'"{e.detail}" in {e.where} x{e.count}')
        elif e.source == "record":
            parts.append(f"{e.detail} ({e.weight:.2f})")
        else:
            parts.append(f"narrower {e.detail.rsplit('/', 1)[-1]}")
    return "; ".join(parts)


def _suggestions_table(result: SuggestResult) -> Any:
    rows = (
        (i + 1, s.label, s.uri, f"{s.score:.3f}", _evidence_text(result, i))
        for i, s in enumerate(result.suggestions)
    )
    title = f"{result.record_id or 'text'} ({result.lang}, {result.method})"
    return table(("#", "concept", "uri", "score", "evidence"), rows, title=title, no_wrap=("uri",))


def suggest(
    ctx: typer.Context,
    id: Annotated[str | None, typer.Argument(help="Record id (or use --text / --file).")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Text to suggest for.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="UTF-8 text file.")] = None,
    lang: LangOpt = None,
    limit: SuggestLimitOpt = 10,
    method: MethodOpt = MethodChoice.ensemble,
    apply: Annotated[
        bool, typer.Option("--apply", help="Tag the record with the suggestions (not curated).")
    ] = False,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0.0, max=1.0, help="Least score --apply keeps.")
    ] = 0.0,
    train: Annotated[
        bool, typer.Option("--train", help="(Re)train the model on the curated records first.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Suggest thesaurus concepts for a record or a text, with the evidence for each.

    Example: socsec bib suggest 31979L0007 --limit 5 --apply --min-score 0.3
    """
    from socsec.bibliography.store import get_store
    from socsec.suggest import service

    state = get_state(ctx, json)
    given = sum(x is not None for x in (id, text, file))
    if given != 1 and not (train and given == 0):
        raise typer.BadParameter("give exactly one of ID, --text or --file", param_hint="ID")
    if apply and id is None:
        raise typer.BadParameter("--apply needs a record ID", param_hint="--apply")
    ws = state.workspace()
    if train:
        with state.out.progress("Training") as advance:
            model = service.train(ws, on_progress=advance)
        state.out.notice(f"Trained on {model.records} records in {model.seconds:.1f} s.")
        if given == 0:
            return state.out.emit(model.info(), lambda: key_values(model.info(), title="Model"))
    with get_store(ws) as store:
        doc = service.target_document(store, record_id=id, text=text, file=file, lang=lang)
    result = service.suggest(
        ws, doc, method=_method(method), limit=limit, on_notice=state.out.notice
    )
    if apply:
        from socsec.app.suggestions import apply as apply_suggestions

        outcome = apply_suggestions(ws, result, min_score=min_score)
        for warning in outcome.warnings:
            state.out.warn(warning)
        _record, added = outcome.value
        state.out.notice(f"Tagged {result.record_id} with {len(added)} suggested concept(s).")
    state.out.emit(result.to_dict(), lambda: _suggestions_table(result))


def review(
    ctx: typer.Context,
    method: MethodOpt = MethodChoice.ensemble,
    limit: SuggestLimitOpt = 5,
    records: Annotated[
        int | None, typer.Option("--records", min=1, help="Stop after this many records.")
    ] = None,
    min_score: Annotated[
        float,
        typer.Option(
            "--min-score", min=0.0, max=1.0, help="Hide weaker suggestions (unindexed records)."
        ),
    ] = 0.1,
    lang: LangOpt = None,
    force_interactive: Annotated[
        bool, typer.Option("--force-interactive", hidden=True, help="Prompt without a TTY.")
    ] = False,
) -> None:
    """Confirm automatic subjects, then suggestions for the records without any.

    y accepts ("accepted"), n rejects (removed, never assigned again), s skips, q stops.

    Each record is shown with its title and abstract; the web page /review has this queue.

    Needs a terminal: with stdin not a TTY it says so and exits without waiting.

    Example: socsec bib review --records 10
    """
    from socsec.app.review import decide, queue
    from socsec.errors import StaleVersion

    state = get_state(ctx)
    if not sys.stdin.isatty() and not force_interactive:
        state.out.warn("bib review is interactive and stdin is not a terminal; nothing done.")
        state.out.hint("Use: socsec bib autoindex, or socsec bib suggest ID --apply.")
        return
    ws = state.workspace()
    items = queue(
        ws, lang=lang or "en", method=_method(method), limit=limit, min_score=min_score,
        records=records, on_notice=state.out.notice,
    )  # fmt: skip
    for item in items:
        state.out.render(_review_view(item))
        verb = "Confirm" if item.automatic else "Accept"
        accepted, rejected = [], []
        answer = "s"
        for candidate in item.candidates:
            answer = _ask_verdict(f"{verb} {candidate.label!r}?")
            if answer == "q":
                break
            if answer == "y":
                accepted.append(candidate.uri)
            elif answer == "n":
                rejected.append(candidate.uri)
        rid = item.record.id
        if accepted or rejected:
            try:
                outcome = decide(ws, rid, version=item.version, accept=accepted, reject=rejected)
            except StaleVersion:
                state.out.warn(f"{rid} changed meanwhile; nothing written for it.")
            else:
                for warning in outcome.warnings:
                    state.out.warn(warning)
                state.out.notice(f"{rid}: {len(accepted)} accepted, {len(rejected)} rejected.")
        if answer == "q":
            return


def _candidate_line(candidate: Any) -> str:
    score = "" if candidate.score is None else f"{candidate.score:.2f}"
    how = ", ".join(p for p in (score, candidate.method) if p)
    line = f"{candidate.label} ({how}) <{candidate.uri}>" if how else candidate.label
    reasons = []
    for r in candidate.reasons[:3]:
        if r.source == "label":
            reasons.append(f'"{r.text}" in {r.where}')
        elif r.source == "record":
            reasons.append(f"similar: {r.text[:60]}")
        else:
            reasons.append(f"narrower: {r.text}")
    return f"{line}: {'; '.join(reasons)}" if reasons else line


def _review_view(item: Any) -> Any:
    record = item.record
    abstract = record.abstract or ""
    if len(abstract) > 600:
        abstract = abstract[:599].rstrip() + "…"
    pairs = {
        "title": record.title,
        "year": record.year,
        "authors": "; ".join(p.display for p in record.authors[:5]),
        "abstract": abstract or "(none)",
        ("to confirm" if item.automatic else "suggested"): "\n".join(
            _candidate_line(c) for c in item.candidates
        ),
    }
    return key_values({k: v for k, v in pairs.items() if v}, title=record.id)


def _ask_verdict(question: str) -> str:
    try:
        choice = typer.prompt(f"{question} [y/n/s/q]", default="s", show_default=False, err=True)
    except (typer.Abort, EOFError):  # end of input: stop, keeping what was decided
        return "q"
    answer = str(choice).strip().lower()[:1]
    return answer if answer in ("y", "n", "s", "q") else "s"


def autoindex(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Argument(help="Record ids (or --all for every record).")
    ] = None,
    all_records: Annotated[bool, typer.Option("--all", help="Every record.")] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Least score assigned (default: setting autoindex.threshold).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=20,
            help="Most automatic subjects per record (default: setting autoindex.limit).",
        ),
    ] = None,
    include_manual: Annotated[
        bool,
        typer.Option("--include-manual", help="Also index records a librarian indexed."),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Give records automatic subjects from the suggestion model (re-run after the model or
    the thesaurus changed): only automatic subjects are replaced, never manual or accepted
    ones, and a rejected concept is never assigned again.

    Example: socsec bib autoindex --all
    """
    from socsec.app import autoindex as use_case
    from socsec.app.stores import bibliography

    state = get_state(ctx, json)
    if bool(ids) == all_records:
        raise typer.BadParameter("give record IDS or --all (not both)", param_hint="IDS")
    ws = state.workspace()
    with bibliography(ws) as store:
        total = store.count() if all_records else len(ids or [])
    with state.out.progress("Indexing subjects", total=total) as advance:
        outcome = use_case.run(
            ws, None if all_records else ids, threshold=threshold, limit=limit,
            include_manual=include_manual, on_progress=advance, on_notice=state.out.notice,
        )  # fmt: skip
    for warning in outcome.warnings:
        state.out.warn(warning)
    report = outcome.value
    state.out.emit(
        report.to_dict(), lambda: key_values(report.to_dict(), title="Automatic subjects")
    )


def _eval_table(report: EvalReport) -> Any:
    rows = [
        (
            m.method, m.documents, f"{m.precision[1]:.3f}", f"{m.precision[5]:.3f}",
            f"{m.recall[5]:.3f}", f"{m.recall[10]:.3f}", f"{m.f1_at_5:.3f}",
            f"{m.ndcg_at_10:.3f}", f"{m.ms_per_doc:.1f}",
        )
        for m in report.methods
    ]  # fmt: skip
    columns = ("method", "docs", "P@1", "P@5", "R@5", "R@10", "F1@5", "nDCG@10", "ms/doc")
    trained = f"trained on {report.train_documents}"
    if report.also_train_documents:
        trained += f" ({report.also_train_documents} from --also-train)"
    heading = f"{report.protocol}: {report.source}, {trained}, measured on {report.test_documents}"
    ranking = table(columns, rows, title=heading)
    assigned = [m for m in report.methods if m.assigned is not None]
    if not assigned:
        return ranking
    from rich.console import Group

    first = assigned[0].assigned
    assert first is not None
    title = (
        f"Assigned subjects (score >= {first.threshold:g}, at most {first.limit}):"
        " micro precision and recall"
    )
    rows_assigned = [
        (
            m.method, f"{a.precision:.3f}", f"{a.recall:.3f}", f"{a.per_doc:.2f}",
            f"{a.empty:.1%}",
        )
        for m in assigned
        if (a := m.assigned) is not None
    ]  # fmt: skip
    columns_assigned = ("method", "precision", "recall", "per doc", "docs with none")
    parts: list[Any] = [ranking, table(columns_assigned, rows_assigned, title=title)]
    if report.tuned_threshold is not None:
        parts.append(
            f"Threshold the ensemble tuned on its training records: {report.tuned_threshold:g}"
        )
    return Group(*parts)


def eval_suggest(
    ctx: typer.Context,
    folds: Annotated[int, typer.Option("--folds", min=2, max=20, help="CV folds.")] = 5,
    method: Annotated[
        list[MethodChoice] | None,
        typer.Option("--method", "-m", case_sensitive=False, help="Method(s); default: all."),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="JSON-lines documents (default: the store).")
    ] = None,
    thesaurus: Annotated[
        Path | None,
        typer.Option("--thesaurus", help="RDF vocabulary file (default: the data dir's)."),
    ] = None,
    split: Annotated[
        bool, typer.Option("--split", help="Train on split=train, measure on the rest.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Shuffling seed of the folds.")] = 0,
    also_train: Annotated[
        list[Path] | None,
        typer.Option(
            "--also-train",
            help="JSON-lines documents added to the training side only (repeatable).",
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Precision@k, recall@k, F1@5 and nDCG@10 of each method on curated subjects.

    Example: socsec eval suggest --file eurlex.jsonl --thesaurus eurovoc.ttl --split
    """
    from socsec.suggest import service

    state = get_state(ctx, json)
    methods = [_method(m) for m in (method or list(MethodChoice))]
    with state.out.progress("Evaluating", total=1 if split else folds) as advance:
        report = service.evaluate(
            state.workspace(), methods=methods, folds=folds, file=file, thesaurus=thesaurus,
            split=split, seed=seed, also_train=also_train or (), on_progress=advance,
        )  # fmt: skip
    state.out.emit(report.to_dict(), lambda: _eval_table(report))


eval_app = typer.Typer(
    help="Measure quality: subject suggestion, search and term lookup.", no_args_is_help=True
)
eval_app.command("suggest")(eval_suggest)
eval_app.command("search")(eval_search)
eval_app.command("lookup")(eval_lookup)


def register_bib(app: typer.Typer) -> None:
    """Add `suggest`, `review` and `autoindex` to the `bib` group."""
    app.command("suggest")(suggest)
    app.command("review")(review)
    app.command("autoindex")(autoindex)


def register_root(app: typer.Typer) -> None:
    """Add the `eval` group (with `eval suggest`) to the root app."""
    app.add_typer(eval_app, name="eval")
