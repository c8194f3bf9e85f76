"""Cross-origin access for the protocol endpoints that web clients call from other sites.

The Reconciliation API requires CORS on every endpoint, and Skosmos and SPARQL clients
running in a browser expect it. Only those prefixes get it: the rest of the API and the
pages stay same-origin, so a page elsewhere cannot read an intranet's bibliography.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CORS_PREFIXES = ("/reconcile", "/rest/v1/", "/sparql")
_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
    (b"access-control-allow-headers", b"Content-Type, Accept"),
]


class ProtocolCors:
    """ASGI middleware: ``Access-Control-Allow-Origin: *`` on :data:`CORS_PREFIXES`.

    Args:
        app: the application wrapped.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the CORS headers under the interop prefixes."""
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":  # a preflight: answered here, for every route
            await send({"type": "http.response.start", "status": 204, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_cors)
