"""The root `socsec` command: global options, command groups, error mapping."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from socsec import __version__
from socsec.cli import bib, config_cmd, index, search, thesaurus, thesaurus_quality
from socsec.cli.errors import exit_code_for, format_error
from socsec.cli.state import CliState, get_state
from socsec.errors import SocsecError

if TYPE_CHECKING:
    # Typer >= 0.26 vendors Click; its Context is the type TyperGroup.invoke declares.
    from typer._click.core import Context as ClickContext


class SocsecGroup(TyperGroup):
    """Turns library errors into one red line and an exit code, for every subcommand."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except SocsecError as error:
            state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            if state.out.verbose or os.environ.get("SOCSEC_DEBUG"):
                import traceback

                traceback.print_exc()
            state.out.error(format_error(error))
            if not state.out.verbose:
                state.out.hint("Run with --verbose (or SOCSEC_DEBUG=1) for a traceback.")
            raise typer.Exit(exit_code_for(error)) from None


app = typer.Typer(
    cls=SocsecGroup,
    name="socsec",
    help="Social security bibliography and EN/FR/ES thesaurus: search literature by concept.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # tracebacks only with --verbose; locals may hold API keys
    context_settings={"help_option_names": ["-h", "--help"]},
)
thesaurus_quality.register(thesaurus.app)
app.add_typer(thesaurus.app, name="thesaurus")
app.add_typer(bib.app, name="bib")
app.add_typer(index.app, name="index")
app.command("search")(search.search)
app.add_typer(config_cmd.app, name="config")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"socsec {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Data directory (env SOCSEC_HOME; default: the per-user data dir)."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (env SOCSEC_CONFIG; default: DATA_DIR/config.toml)."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only data and errors; no notices or progress.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="More detail, and tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Social security bibliography and EN/FR/ES thesaurus: search literature by concept."""
    state = get_state(ctx)
    state.data_dir = data_dir
    state.config_file = config
    state.out.quiet = quiet
    state.out.verbose = verbose


def main() -> None:
    """Console-script entry point."""
    app()
