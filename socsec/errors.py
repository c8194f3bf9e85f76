"""Typed exceptions raised by the library; the CLI maps each kind to an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class SocsecError(Exception):
    """Base class of every error socsec reports to a user.

    Args:
        message: what went wrong, in one line.
        hint: the next step the user can take, if any.
    """

    prefix = "Error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(SocsecError):
    """A configuration value, file or key is wrong."""

    prefix = "Configuration error"


class InputDataError(SocsecError):
    """A file or text given to socsec cannot be read (syntax, encoding, content).

    Args:
        reason: what is wrong with the data.
        path: the file, when the data came from one.
        line: 1-based line (or record number when ``unit`` says so).
        column: 1-based column, when the parser gives it.
        unit: what ``line`` counts ("line" or "record").
    """

    prefix = "Invalid input"

    def __init__(
        self,
        reason: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        unit: str = "line",
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.unit = unit
        where = ""
        if self.path is not None:
            where = self.path
            if line is not None:
                where += f", {unit} {line}"
                if column is not None:
                    where += f", column {column}"
            where += ": "
        elif line is not None:
            where = f"{unit} {line}: "
        super().__init__(f"{where}{reason}", hint=hint)


class ValidationFailed(InputDataError):
    """A record or concept breaks a rule of the model (missing title, bad ISSN, cycle...)."""

    prefix = "Validation failed"


class NotFoundError(SocsecError):
    """A concept, record, scheme or index the user named does not exist.

    Args:
        message: what was not found.
        suggestions: close matches to offer as "did you mean".
    """

    prefix = "Not found"

    def __init__(
        self, message: str, *, suggestions: Sequence[str] = (), hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.suggestions = list(suggestions)


class AmbiguousReference(NotFoundError):
    """A label names several concepts; the candidates are listed."""

    prefix = "Ambiguous"


class BackendUnavailable(SocsecError):
    """A search backend (e.g. an Elasticsearch server) cannot be reached or used."""

    prefix = "Backend unavailable"


class IndexingError(SocsecError):
    """Documents could not be indexed; ``failures`` holds (id, reason) pairs."""

    prefix = "Indexing failed"

    def __init__(
        self, message: str, *, failures: Sequence[tuple[str, str]] = (), hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.failures = list(failures)


class ShardsLost(IndexingError):
    """A rebuild's new index lost shards with a node: documents sent to them are gone.

    The new index loads without replicas (faster), so a node killed during the load takes
    its primaries with it; a second load on the nodes left can complete.
    """


class QualityGateFailed(SocsecError):
    """A quality check found problems at or above the chosen severity."""

    prefix = "Quality gate failed"


class AuthenticationFailed(SocsecError):
    """No valid credentials: a wrong name or password, an unknown, expired or revoked token."""

    prefix = "Not signed in"


class PermissionDenied(SocsecError):
    """The user is known but their role does not allow the action."""

    prefix = "Forbidden"


class TooManyAttempts(SocsecError):
    """Sign-in refused for a while after repeated failures (per user and per client address).

    Args:
        message: what is refused.
        retry_after: seconds until a new attempt is accepted.
    """

    prefix = "Too many attempts"

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class PreconditionRequired(SocsecError):
    """An edit did not say which version it changes (HTTP: no ``If-Match``)."""

    prefix = "Version needed"


class StaleVersion(SocsecError):
    """An edit was based on a version that is no longer the current one; nothing was written.

    Args:
        message: what changed.
        current: the current version's tag (ETag).
    """

    prefix = "Changed meanwhile"

    def __init__(self, message: str, *, current: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.current = current
