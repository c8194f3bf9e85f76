"""`socsec thesaurus` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Look up, browse, import and export the SKOS thesaurus (EN/FR/ES).", no_args_is_help=True)
