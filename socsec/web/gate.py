"""Closed reading: with ``web.anonymous_read = false`` only signed-in users read anything.

A pure ASGI middleware installed only when reading is closed, so an open server's hot paths
pay nothing. The sign-in page, static files and the health check stay open.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from socsec.errors import AuthenticationFailed
from socsec.web.auth import resolve
from socsec.web.errors import MACHINE_PREFIXES, error_body

if TYPE_CHECKING:
    from socsec.web.middleware import ASGIApp, Receive, Scope, Send

OPEN_PATHS = ("/signin", "/signout", "/static/", "/api/health")


class ReadGate:
    """Answers 401 (JSON) or a redirect to ``/signin`` (pages) to anonymous requests.

    Args:
        app: the wrapped ASGI application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let signed-in requests and the open paths through."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            creds = await run_in_threadpool(resolve, request)
        except AuthenticationFailed:
            creds = None
        if creds is not None and creds.user is not None:
            await self.app(scope, receive, send)
            return
        if path.startswith(MACHINE_PREFIXES) or scope["method"] not in ("GET", "HEAD"):
            body = json.dumps(
                error_body("Not signed in", "sign in or send Authorization: Bearer <token>")
            ).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="socsec"'),
            ]
            status = 401
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            body = b""
            headers = [(b"location", ("/signin?next=" + quote(target, safe="")).encode())]
            status = 303
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
