"""`socsec index` commands: rebuild, status, update."""

from __future__ import annotations

from typing import Annotated

import typer

from socsec.cli.options import JsonOpt
from socsec.cli.output import key_values
from socsec.cli.state import get_state
from socsec.indexer.service import SearchService

app = typer.Typer(
    help="Build and inspect the search index (sqlite or elasticsearch).", no_args_is_help=True
)


@app.command()
def rebuild(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Build a new index from the bibliography and switch to it atomically.

    Searches keep using the old index until the new one is complete; a failed rebuild
    leaves it untouched. If a cluster node dies during the load, it loads once more on the
    nodes left ("attempts: 2").

    Example: socsec index rebuild
    """
    state = get_state(ctx, json)
    with SearchService.open(state.workspace()) as svc:
        with state.out.progress("Indexing", total=svc.store.count()) as advance:
            report = svc.rebuild(on_progress=advance)
    payload: dict[str, object] = {"indexed": report.indexed, "seconds": round(report.seconds, 3)}
    if report.attempts > 1:  # a node loss cost the first load its shards
        payload["attempts"] = report.attempts
    state.out.emit(payload, lambda: key_values(payload, title="index rebuilt"))


@app.command()
def status(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Exit non-zero when the index is out of date.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Show the backend, index, document and record counts, and what is stale.

    Example: socsec index status --check
    """
    state = get_state(ctx, json)
    with SearchService.open(state.workspace()) as svc:
        result = svc.status()
        state.out.emit(result.to_dict(), lambda: key_values(result.to_dict(), title="index"))
        if check:
            svc.check()


@app.command()
def update(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Re-index the records changed since the last build or update (and thesaurus changes).

    Example: socsec index update
    """
    state = get_state(ctx, json)
    with SearchService.open(state.workspace()) as svc:
        with state.out.progress("Updating") as advance:
            report = svc.update(on_progress=advance)
    state.out.emit(report.to_dict(), lambda: key_values(report.to_dict(), title="index updated"))
