"""`socsec index` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Build and inspect the search index (sqlite or elasticsearch).", no_args_is_help=True)
