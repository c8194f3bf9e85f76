"""Security headers on every response, and HEAD answered wherever GET is.

A pure ASGI middleware (no ``BaseHTTPMiddleware``: that one costs a task and a stream per
request on the lookup hot path). Headers a response sets itself are kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Pages load their own scripts, styles and images only, and nobody may frame them
# (clickjacking); data answers (JSON, Turtle, downloads) load nothing at all.
PAGE_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc start from an inline script, and ReDoc runs a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP level 2
)


def _csp(path: str, content_type: bytes) -> bytes:
    if path.startswith(DOCS_PATHS):
        return DOCS_CSP.encode()
    if content_type.startswith(b"text/html"):
        return PAGE_CSP.encode()
    return DATA_CSP.encode()


class SecurityHeaders:
    """Adds the security headers to every HTTP response and answers HEAD as GET without a body.

    Args:
        app: the wrapped ASGI application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection (only HTTP ones are touched)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            # Every GET route answers HEAD: the same status and headers, no body.
            scope = {**scope, "method": "GET"}
        path: str = scope.get("path", "")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
                names = {k.lower() for k, _v in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = [(k, v) for k, v in COMMON if k not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", _csp(path, content_type)))
                message = {**message, "headers": headers + extra}
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # swallow the body; the last (empty) chunk ends the response
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, wrapped)
