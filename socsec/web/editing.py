"""What the editing pages share: the signed-in editor, reading a posted form, the answer.

The accounts, sessions and CSRF checks are socsec.web's auth module's; this module only
adapts them to HTML forms (a form field carries the CSRF token) and turns an action's result
into a redirect to the page that shows it (post/redirect/get: reloading repeats nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from socsec.web.forms import params

if TYPE_CHECKING:
    from socsec.workspace import Workspace


# --- placeholder until the auth interface lands (replaced by its require_role) ---
class User:  # pragma: no cover - replaced
    """Placeholder."""

    name = "editor"
    role = "editor"


def _editor() -> User:  # pragma: no cover - replaced
    return User()


Editor = Annotated[Any, Depends(_editor)]


async def form_fields(request: Request, user: Any) -> dict[str, list[str]]:
    """The fields of a posted form (URL-encoded), its CSRF token checked.

    Raises:
        InputDataError: a body that is not UTF-8.
    """
    return await params(request)


def workspace_for(ws: Workspace, user: Any) -> Workspace:
    """The data dir as seen by ``user``: the history names them."""
    return ws


def redirect_with_notice(
    request: Request, target: str, done: str, count: int, warnings: list[str]
) -> Response:
    """303 to ``target`` telling it what was done (``done``, ``n``), in the reader's language.

    ``warnings`` (e.g. a stale search index) go along as ``warn`` parameters.
    """
    lang = request.query_params.get("lang")
    pairs = [("done", done), ("n", str(count)), *(("warn", w[:300]) for w in warnings[:3])]
    if lang:
        pairs.append(("lang", lang))
    sep = "&" if "?" in target else "?"
    return RedirectResponse(target + sep + urlencode(pairs), status_code=303)


def record_etag(record: Any) -> str:  # pragma: no cover - replaced by the auth interface's
    """Placeholder."""
    import hashlib

    from socsec.bibliography.codec import record_to_dict

    return hashlib.sha256(repr(record_to_dict(record)).encode()).hexdigest()[:16]


def concept_etag(view: Any) -> str:  # pragma: no cover - replaced by the auth interface's
    """Placeholder."""
    import hashlib

    return hashlib.sha256(repr(view).encode()).hexdigest()[:16]


MAX_UPLOAD = 50 * 1024 * 1024


async def upload_fields(
    request: Request, user: Any
) -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]]]:
    """The text fields and the files (name -> (file name, bytes)) of a multipart form post.

    Parsed with the standard library's MIME parser (no extra dependency), the body capped at
    ``MAX_UPLOAD`` bytes; the CSRF token is one of the text fields.

    Raises:
        InputDataError: not a multipart form, or a text field that is not UTF-8.
    """
    from email.parser import BytesParser
    from email.policy import HTTP

    from socsec.errors import InputDataError
    from socsec.web.forms import media_type, read_body

    if media_type(request) != "multipart/form-data":
        raise InputDataError("send the file as multipart/form-data (a form with a file field)")
    body = await read_body(request, MAX_UPLOAD)
    head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if not message.is_multipart():
        raise InputDataError("the form body is not multipart")
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, payload)
            continue
        try:
            fields.setdefault(name, []).append(payload.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputDataError(f"form field {name!r} is not UTF-8") from None
    return fields, files
