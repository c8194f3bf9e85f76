"""`socsec config`: show, set and locate the configuration."""

from __future__ import annotations

from typing import Annotated

import typer

from socsec.cli.options import JsonOpt
from socsec.cli.output import key_values, table
from socsec.cli.state import get_state
from socsec.config import KEYS, set_config_value, validate

app = typer.Typer(
    help="Show and change settings (flags > env SOCSEC_* > config file > defaults).",
    no_args_is_help=True,
)


@app.command("show")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show every setting with where it came from; secrets are masked.

    Example: socsec config show --json
    """
    state = get_state(ctx, json)
    settings = state.settings
    values = settings.redacted()
    payload = {
        "data_dir": str(settings.data_dir),
        "config_file": str(settings.config_file),
        "settings": [
            {"key": k, "value": v, "source": settings.sources[k], "env": KEYS[k].env_var}
            for k, v in values.items()
        ],
    }
    state.out.emit(
        payload,
        lambda: table(
            ("key", "value", "source"),
            [
                ("data_dir", settings.data_dir, settings.sources["data_dir"]),
                ("config_file", settings.config_file, ""),
            ]
            + [(k, v, settings.sources[k]) for k, v in values.items()],
        ),
    )


@app.command("set")
def set_value(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=f"One of: {', '.join(KEYS)}.")],
    value: Annotated[str | None, typer.Argument(help="New value (omit with --unset).")] = None,
    unset: Annotated[
        bool, typer.Option("--unset", help="Remove the key from the config file.")
    ] = False,
) -> None:
    """Write one key to the config file (validated first).

    Example: socsec config set backend elasticsearch
    """
    state = get_state(ctx)
    if unset == (value is not None):
        raise typer.BadParameter("give a VALUE, or --unset without one")
    if value is not None:
        validate(key, value, "config set")  # fail before touching the file
    set_config_value(state.settings.config_file, key, value)
    shown = "********" if KEYS[key].secret else value
    state.out.notice(f"{key} = {shown}" if value is not None else f"{key} unset")
    state.out.hint(f"in {state.settings.config_file}")


@app.command("path")
def path(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Print the data directory and config file paths.

    Example: socsec --data-dir ./x config path
    """
    state = get_state(ctx, json)
    s = state.settings
    payload = {"data_dir": str(s.data_dir), "config_file": str(s.config_file)}
    if state.out.is_json:
        state.out.data(payload)
    else:
        state.out.render(key_values(payload))
