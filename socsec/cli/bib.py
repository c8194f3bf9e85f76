"""`socsec bib` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Manage the bibliography: import, export, list, tag, cite.", no_args_is_help=True)
