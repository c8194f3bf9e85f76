"""The root `socsec` command: global options, command groups, error mapping."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from socsec import __version__
from socsec.cli.errors import exit_code_for, format_error
from socsec.cli.exit_codes import ExitCode
from socsec.cli.state import CliState, get_state
from socsec.errors import SocsecError

if TYPE_CHECKING:
    from collections.abc import Callable

    # Typer >= 0.26 vendors Click; its Context and Command are the types TyperGroup declares.
    from typer._click.core import Command as ClickCommand
    from typer._click.core import Context as ClickContext


def _thesaurus() -> typer.Typer:
    from socsec.cli import thesaurus, thesaurus_concept, thesaurus_quality

    thesaurus_quality.register(thesaurus.app)
    thesaurus_concept.register(thesaurus.app)
    return thesaurus.app


def _bib() -> typer.Typer:
    from socsec.cli import bib, suggest

    suggest.register_bib(bib.app)
    return bib.app


def _eval() -> typer.Typer:
    from socsec.cli import suggest

    return suggest.eval_app


def _serve() -> Callable[..., None]:
    from socsec.cli.serve import serve

    return serve


def _index() -> typer.Typer:
    from socsec.cli import index

    return index.app


def _search() -> Callable[..., None]:
    from socsec.cli.search import search

    return search


def _config() -> typer.Typer:
    from socsec.cli import config_cmd

    return config_cmd.app


def _user() -> typer.Typer:
    from socsec.cli import user

    return user.app


# Command groups load on first use: a lookup must not pay for importing the search or
# bibliography layers (start-up time is the floor of every command).
LAZY_COMMANDS: dict[str, Callable[[], typer.Typer | Callable[..., None]]] = {
    "search": _search,
    "thesaurus": _thesaurus,
    "bib": _bib,
    "index": _index,
    "config": _config,
    "eval": _eval,
    "serve": _serve,
    "user": _user,
}
_loaded: dict[str, ClickCommand] = {}


class LazySubGroup(TyperGroup):
    """A command group that builds each subcommand from its Typer definition on first use.

    Typer turns every command's signature into Click parameters when a group is built (about
    2 ms each); a group of twenty commands would pay that on every call of one of them.
    """

    pending: dict[str, Callable[[], ClickCommand]]

    def list_commands(self, ctx: ClickContext) -> list[str]:
        """Every command name, built or pending."""
        return [*self.commands, *(n for n in self.pending if n not in self.commands)]

    def get_command(self, ctx: ClickContext, cmd_name: str) -> ClickCommand | None:
        """The command, building it on first use."""
        if cmd_name not in self.commands and cmd_name in self.pending:
            self.commands[cmd_name] = self.pending[cmd_name]()
        return self.commands.get(cmd_name)


def _lazy_group(sub: typer.Typer, name: str) -> ClickCommand:
    """The Click group of ``sub`` with its commands left unbuilt until asked for."""
    from typer.main import get_command_from_info, get_command_name, get_group_from_info
    from typer.models import TyperInfo

    options: dict[str, Any] = {
        "pretty_exceptions_short": sub.pretty_exceptions_short,
        "rich_markup_mode": sub.rich_markup_mode,
    }
    pending: dict[str, Callable[[], ClickCommand]] = {}
    for info in sub.registered_commands:
        assert info.callback is not None
        command_name = info.name or get_command_name(info.callback.__name__)
        pending[command_name] = partial(get_command_from_info, info, **options)
    for group_info in sub.registered_groups:
        pending[str(group_info.name)] = partial(
            get_group_from_info, group_info, suggest_commands=sub.suggest_commands, **options
        )
    registered = sub.registered_commands, sub.registered_groups
    sub.registered_commands, sub.registered_groups = [], []
    try:  # build the group shell only: its help, callback and settings
        group = get_group_from_info(
            TyperInfo(sub, name=name, cls=LazySubGroup),
            suggest_commands=sub.suggest_commands,
            **options,
        )
    finally:
        sub.registered_commands, sub.registered_groups = registered
    assert isinstance(group, LazySubGroup)
    group.pending = pending
    return group


def _load(name: str) -> ClickCommand:
    if name not in _loaded:
        target = LAZY_COMMANDS[name]()
        if isinstance(target, typer.Typer):
            _loaded[name] = _lazy_group(target, name)
        else:
            single = typer.Typer(add_completion=False)  # completion belongs to the root
            single.command(name)(target)
            _loaded[name] = typer.main.get_command(single)
    return _loaded[name]


class SocsecGroup(TyperGroup):
    """Loads command groups lazily, and turns library errors into one line and an exit code."""

    def list_commands(self, ctx: ClickContext) -> list[str]:
        """Every command name, the lazy groups first."""
        return [*LAZY_COMMANDS, *(n for n in super().list_commands(ctx) if n not in LAZY_COMMANDS)]

    def get_command(self, ctx: ClickContext, cmd_name: str) -> ClickCommand | None:
        """The command, building a lazily registered group on first use."""
        if cmd_name in LAZY_COMMANDS:
            return _load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: ClickContext) -> Any:
        """Run the command; a library error becomes one line and its exit code."""
        try:
            return super().invoke(ctx)
        except SocsecError as error:
            state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            if state.out.verbose or os.environ.get("SOCSEC_DEBUG"):
                import traceback

                traceback.print_exc()
            state.out.error(format_error(error))
            code = exit_code_for(error)
            # A traceback helps with a failing server or a bug, not with a wrong input.
            if not state.out.verbose and code in (
                ExitCode.UNEXPECTED,
                ExitCode.BACKEND_UNAVAILABLE,
            ):
                state.out.hint("Run with --verbose (or SOCSEC_DEBUG=1) for a traceback.")
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=SocsecGroup,
    name="socsec",
    help="Social security bibliography and EN/FR/ES thesaurus: search literature by concept.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # tracebacks only with --verbose; locals may hold API keys
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
