"""The `socsec` console script: the lookup fast path first, else the full Typer CLI."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    from socsec.cli.fast import run

    code = run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from socsec.cli.app import app

    app()
