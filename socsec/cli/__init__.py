"""The `socsec` command line: a thin Typer layer over the library."""
