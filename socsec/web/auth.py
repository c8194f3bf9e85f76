"""Who is asking: browser sessions (cookie), API tokens (``Authorization: Bearer``), CSRF checks.

Routes say what they need with a dependency; the signed-in :class:`~socsec.accounts.User` is
returned, and its name is what the history records (``socsec.app.accounts.acting_as``)::

    @router.post("/api/records")
    def create(user: Editor, ...) -> ...: ...

    # or: user: Annotated[User, Depends(require_role(Role.admin))]

An anonymous request gets 401, a signed-in user whose role is too low 403. A request with a
session cookie whose method changes state (POST, PUT, PATCH, DELETE) must also carry the
session's CSRF token, as the form field ``csrf_token`` or the header ``X-CSRF-Token``, else
403; a request with a bearer token needs none (a browser never adds one by itself). Templates
get ``csrf_field()`` (the hidden input), ``csrf_token()`` and ``signed_in()``.
"""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from socsec.accounts.model import Role, User
from socsec.errors import AuthenticationFailed, PermissionDenied

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from jinja2 import Environment
    from jinja2.runtime import Context
    from starlette.responses import Response

    from socsec.accounts.store import Session
    from socsec.workspace import Workspace

# Declared for the OpenAPI description only (/docs then offers "Authorize" with a token);
# the token itself is read by :func:`resolve`, which also accepts the session cookie.
BEARER_SCHEME = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `socsec user token create` (scripts need no CSRF token).",
)
SESSION_COOKIE = "socsec_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Credentials:
    """What a request proved: a user through a session or a token, or nothing (anonymous).

    Attributes:
        user: the signed-in user (None: anonymous).
        session: the browser session, when the user came with the session cookie.
        via: "session", "token" or "anonymous".
    """

    user: User | None
    session: Session | None = None
    via: str = "anonymous"


ANONYMOUS = Credentials(None)


def workspace(request: Request) -> Workspace:
    """The data dir the server serves."""
    ws: Workspace = request.app.state.resources.ws
    return ws


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (None without one)."""
    header = request.headers.get("authorization", "")
    scheme, _sp, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def resolve(request: Request) -> Credentials:
    """The request's credentials, looked up once per request (blocking: SQLite).

    Raises:
        AuthenticationFailed: an invalid or revoked bearer token (no silent fallback).
    """
    cached: Credentials | None = getattr(request.state, "credentials", None)
    if cached is not None:
        return cached
    from socsec.app import accounts

    ws = workspace(request)
    creds = ANONYMOUS
    token = bearer(request)
    if token is not None:
        creds = Credentials(accounts.token_user(ws, token), via="token")
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            found = accounts.session(ws, secret)
            if found is not None:
                creds = Credentials(found.user, found, "session")
    request.state.credentials = creds
    return creds


async def credentials(request: Request) -> Credentials:
    """Dependency: the request's :class:`Credentials` (the lookup runs in the thread pool)."""
    cached: Credentials | None = getattr(request.state, "credentials", None)
    if cached is not None:
        return cached
    return await run_in_threadpool(resolve, request)


async def current_user(request: Request) -> User | None:
    """Dependency: the signed-in user, or None for an anonymous request."""
    return (await credentials(request)).user


async def check_csrf(request: Request, session: Session) -> None:
    """Refuse (403) a state-changing request of a session without its CSRF token.

    The token is read from the ``X-CSRF-Token`` header, else the form field ``csrf_token``.

    Raises:
        PermissionDenied: the token is missing or wrong.
    """
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent is None and content_type in FORM_TYPES:
        form = await request.form()  # Starlette keeps it: the route reads the same form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise PermissionDenied(
            "missing or wrong CSRF token", hint="reload the page and submit the form again"
        )


@functools.cache  # one dependency per role: FastAPI then resolves it once per request
def require_role(role: Role) -> Callable[[Request], Awaitable[User]]:
    """A dependency that returns the signed-in user when their role allows ``role``.

    It awaits only: the account lookup runs in the thread pool, the form is read by Starlette.

    Raises (as HTTP answers):
        AuthenticationFailed: 401, nobody signed in (or a bad token).
        PermissionDenied: 403, the role is too low, or a session's write lacks its CSRF token.
    """

    async def dependency(
        request: Request, _scheme: Annotated[object, Depends(BEARER_SCHEME)] = None
    ) -> User:
        creds = await credentials(request)
        if creds.user is None:
            raise AuthenticationFailed(
                "sign in to do this",
                hint="sign in at /signin, or send Authorization: Bearer <token>",
            )
        if creds.session is not None and request.method not in SAFE_METHODS:
            await check_csrf(request, creds.session)
        if not creds.user.can(role):
            raise PermissionDenied(f"this needs the {role.value} role")
        return creds.user

    dependency.__name__ = f"require_{role.value}"
    return dependency


Reader = Annotated[User, Depends(require_role(Role.reader))]
Editor = Annotated[User, Depends(require_role(Role.editor))]
Admin = Annotated[User, Depends(require_role(Role.admin))]


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the Secure flag (setting ``web.secure_cookies``; auto: over https)."""
    mode = workspace(request).settings.get("web.secure_cookies") or "auto"
    if mode == "auto":
        return request.url.scheme == "https"
    return mode == "true"


def set_session_cookie(request: Request, response: Response, secret: str, seconds: int) -> None:
    """Put the session ``secret`` in the HttpOnly, SameSite=Lax cookie (Secure over https)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request)
    )


def _request_session(context: Context) -> Credentials:
    request = context.get("request")
    if not isinstance(request, Request):  # a template rendered outside a request
        return ANONYMOUS
    try:
        return resolve(request)
    except AuthenticationFailed:
        return ANONYMOUS


@pass_context
def _csrf_token(context: Context) -> str:
    session = _request_session(context).session
    return session.csrf if session is not None else ""


@pass_context
def _csrf_field(context: Context) -> Markup:
    token = _csrf_token(context)
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


@pass_context
def _signed_in(context: Context) -> User | None:
    return _request_session(context).user


@pass_context
def _here(context: Context) -> str:
    request = context.get("request")
    if not isinstance(request, Request):
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def install(env: Environment) -> None:
    """Give templates ``csrf_field()``, ``csrf_token()``, ``signed_in()`` and ``here()`` (the
    current path and query, for the sign-in link's ``next``).
    """
    env.globals.update(
        csrf_field=_csrf_field, csrf_token=_csrf_token, signed_in=_signed_in, here=_here
    )
