"""What the editing pages share: the signed-in editor, reading a posted form, the answer.

Accounts, sessions and the CSRF check are :mod:`socsec.web.auth`'s (the ``Editor``
dependency refuses anonymous users with 401, readers with 403, and a form without the
session's CSRF token with 403); this module reads the form and turns an action's result into
a redirect to the page that shows it (post/redirect/get: reloading repeats nothing).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from socsec.web import auth

if TYPE_CHECKING:
    from socsec.accounts.model import User
    from socsec.workspace import Workspace

log = logging.getLogger("socsec.web")
Editor = auth.Editor
MAX_FIELD = 4 * 1024 * 1024  # a text field: long abstracts and notes, never megabytes


async def _form(request: Request) -> Any:
    from socsec.errors import InputDataError

    try:
        return await request.form(max_part_size=MAX_FIELD)
    except (ValueError, KeyError, AssertionError) as exc:  # malformed multipart or encoding
        raise InputDataError(f"the form could not be read: {exc}"[:200]) from None


async def form_fields(request: Request, user: User) -> dict[str, list[str]]:
    """The text fields of a posted form (URL-encoded or multipart), each with its values.

    Args:
        request: the POST request.
        user: the signed-in editor (the dependency already checked the form's CSRF token).

    Raises:
        InputDataError: a body that cannot be read as a form.
    """
    form = await _form(request)
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


async def upload_fields(
    request: Request, user: User
) -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]]]:
    """The text fields and the files (field -> (file name, bytes)) of a multipart form post.

    Raises:
        InputDataError: the body is not a readable form.
    """
    form = await _form(request)
    fields: dict[str, list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(key, []).append(value)
        else:
            files[key] = (value.filename or "", await value.read())
    return fields, files


def workspace_for(ws: Workspace, user: User) -> Workspace:
    """The data dir acting as ``user``: every history entry of the write names them."""
    from socsec.app.accounts import acting_as

    return acting_as(ws, user.name)


def redirect_with_notice(
    request: Request, target: str, done: str, count: int, warnings: list[str]
) -> Response:
    """303 to ``target`` saying what was done (``done``; ``n`` a count), in the reader's language.

    Warnings (a stale search index) are logged and flagged with ``warn=1``: the page shows a
    fixed, translated message rather than text taken from the address.
    """
    for warning in warnings:
        log.warning("%s", warning)
    lang = request.query_params.get("lang")
    pairs = [("done", done), ("n", str(count))]
    if warnings:
        pairs.append(("warn", "1"))
    if lang:
        pairs.append(("lang", lang))
    sep = "&" if "?" in target else "?"
    return RedirectResponse(target + sep + urlencode(pairs), status_code=303)
