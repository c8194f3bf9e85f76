"""Sign-in and sign-out pages: a password form opening a server-side session (cookie).

The sign-in form is protected against login CSRF by a double-submit token: a random value in
a short-lived SameSite=Strict cookie that the form must repeat.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from socsec.errors import AuthenticationFailed, TooManyAttempts
from socsec.web import auth
from socsec.web.pages import render

router = APIRouter(include_in_schema=False)
SIGNIN_COOKIE = "socsec_signin"
MAX_FIELD = 1024


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in ("/" for anything else: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(c in target for c in "\r\n\t"):
        return "/"
    return target


def _form(
    request: Request, *, next_url: str, name: str = "", status: int = 200, error: str = ""
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "signin.html",
        {"next_url": next_url, "name": name, "error": error, "signin_token": token},
        status,
    )
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=3600,
        path="/signin",
        httponly=True,
        samesite="strict",
        secure=auth.secure_cookies(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/signin")
def signin_page(
    request: Request, next: Annotated[str | None, Query(max_length=MAX_FIELD)] = None
) -> Response:
    """The sign-in form."""
    return _form(request, next_url=safe_next(next))


@router.post("/signin")
def signin(
    request: Request,
    name: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    signin_token: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FIELD)] = "/",
) -> Response:
    """Check the password (throttled), open a session, and go back where the user was."""
    from socsec.app import accounts

    target = safe_next(next)
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), signin_token.encode()):
        return _form(request, next_url=target, name=name, status=403, error="expired")
    ws = auth.workspace(request)
    address = request.client.host if request.client else None
    try:
        new = accounts.sign_in(ws, name.strip(), password, address=address)
    except TooManyAttempts as exc:
        response = _form(request, next_url=target, name=name, status=429, error="throttled")
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthenticationFailed:
        return _form(request, next_url=target, name=name, status=401, error="wrong")
    previous = request.cookies.get(auth.SESSION_COOKIE)
    if previous:  # a new sign-in replaces the old session rather than leaving it alive
        accounts.sign_out(ws, previous)
    response = RedirectResponse(target, status_code=303)
    auth.set_session_cookie(request, response, new.secret, accounts.session_seconds(ws))
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session (the form carries its CSRF token) and go to the home page."""
    from starlette.concurrency import run_in_threadpool

    from socsec.app import accounts

    creds = await auth.credentials(request)
    response = RedirectResponse("/", status_code=303)
    if creds.session is not None:
        await auth.check_csrf(request, creds.session)
        secret = request.cookies.get(auth.SESSION_COOKIE, "")
        await run_in_threadpool(accounts.sign_out, auth.workspace(request), secret)
    auth.clear_session_cookie(request, response)
    return response
