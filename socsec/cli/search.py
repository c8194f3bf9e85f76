"""`socsec search`: find records by text and concept, in any of EN/FR/ES."""

from __future__ import annotations

import typer


def search(ctx: typer.Context) -> None:
    """Search the bibliography by text and thesaurus concept."""
    raise NotImplementedError
