"""Library errors and invalid parameters as HTTP answers: JSON for the API, a page for people.

Every error is ``{"error": {"type", "message", "hint", "suggestions"}}`` with a 4xx status
for bad input; nothing ever returns a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socsec.errors import (
    AmbiguousReference,
    AuthenticationFailed,
    BackendUnavailable,
    ConfigError,
    InputDataError,
    NotFoundError,
    PermissionDenied,
    PreconditionRequired,
    SocsecError,
    StaleVersion,
    TooManyAttempts,
)

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from starlette.responses import Response

log = logging.getLogger("socsec.web")
# Paths whose clients are programs: errors there are JSON whatever the Accept header says.
MACHINE_PREFIXES = ("/api", "/reconcile", "/rest/v1/", "/sparql")

# Subclasses first: the first matching type wins.
STATUS: tuple[tuple[type[SocsecError], int], ...] = (
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (TooManyAttempts, 429),
    (PreconditionRequired, 428),
    (StaleVersion, 412),
    (AmbiguousReference, 409),
    (NotFoundError, 404),
    (InputDataError, 400),
    (BackendUnavailable, 503),
    (ConfigError, 500),
)


# What an anonymous client learns of a server-side failure: no addresses, no configuration.
PUBLIC_MESSAGES: dict[int, str] = {
    503: "the search backend is unavailable; try again later (details in the server log)",
    500: "the server is misconfigured or failed; see the server log",
}


def status_for(error: SocsecError) -> int:
    """The HTTP status of a library error."""
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def error_body(
    kind: str, message: str, *, hint: str | None = None, suggestions: list[str] | None = None
) -> dict[str, Any]:
    """The JSON error shape."""
    return {
        "error": {"type": kind, "message": message, "hint": hint, "suggestions": suggestions or []}
    }


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    from socsec.web.pages import negotiate

    return (
        negotiate(request.headers.get("accept"), ("text/html", "application/json")) == "text/html"
    )


def _respond(request: Request, status: int, body: dict[str, Any]) -> Response:
    if _wants_html(request):
        from socsec.web.pages import render_error

        return render_error(request, status, body["error"])
    return JSONResponse(body, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    async def socsec_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SocsecError)
        status = status_for(exc)
        if status >= 500:
            # The details (which server, which URL) go to the log, never to the client.
            log.error("%s: %s", type(exc).__name__, exc)
            body = error_body(exc.prefix, PUBLIC_MESSAGES.get(status, PUBLIC_MESSAGES[500]))
            return _respond(request, status, body)
        if status == 401 and request.method == "GET" and _wants_html(request):
            # A person opening a page that needs a sign-in is sent to the sign-in form.
            from urllib.parse import quote

            from fastapi.responses import RedirectResponse

            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/signin?next=" + quote(target, safe=""), status_code=303)
        suggestions = exc.suggestions if isinstance(exc, NotFoundError) else []
        body = error_body(exc.prefix, exc.message, hint=exc.hint, suggestions=suggestions)
        response = _respond(request, status, body)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="socsec"'
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _respond(request, 400, error_body("Invalid parameter", _validation_message(exc)))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        body = error_body("HTTP error", str(exc.detail))
        response = _respond(request, exc.status_code, body)
        response.headers.update(exc.headers or {})
        return response

    async def bug(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        body = error_body("Internal error", "unexpected server error; see the server log")
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(SocsecError, socsec_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, bug)
