"""One table from library exception types to exit codes and one-line messages."""

from __future__ import annotations

from socsec.cli.exit_codes import ExitCode
from socsec.errors import (
    BackendUnavailable,
    ConfigError,
    IndexingError,
    InputDataError,
    NotFoundError,
    QualityGateFailed,
    SocsecError,
)

# Subclasses before their bases: the first match wins.
ERROR_EXIT_CODES: tuple[tuple[type[SocsecError], ExitCode], ...] = (
    (QualityGateFailed, ExitCode.QUALITY_GATE),
    (NotFoundError, ExitCode.NOT_FOUND),
    (InputDataError, ExitCode.INVALID_INPUT),
    (ConfigError, ExitCode.CONFIG),
    (BackendUnavailable, ExitCode.BACKEND_UNAVAILABLE),
    (IndexingError, ExitCode.BACKEND_UNAVAILABLE),
)


def exit_code_for(error: SocsecError) -> ExitCode:
    """The exit code a library error maps to."""
    for kind, code in ERROR_EXIT_CODES:
        if isinstance(error, kind):
            return code
    return ExitCode.UNEXPECTED


def format_error(error: SocsecError) -> str:
    """One line: what went wrong and where, then the next step when there is one."""
    text = f"{error.prefix}: {error.message}"
    if isinstance(error, NotFoundError) and error.suggestions:
        text += ". Did you mean: " + ", ".join(error.suggestions[:5]) + "?"
    if isinstance(error, IndexingError) and error.failures:
        text += " (" + "; ".join(f"{i}: {r}" for i, r in error.failures[:3]) + ")"
    if error.hint:
        text += f" ({error.hint})"
    return text
