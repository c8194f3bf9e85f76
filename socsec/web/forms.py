"""Bounded reading of request parameters for the protocol endpoints (reconcile, SPARQL).

Those clients POST ``application/x-www-form-urlencoded`` bodies (OpenRefine, SPARQLWrapper)
or a raw query; the body is read with a size cap so one request cannot hold the server's
memory, and parsed with the standard library (no python-multipart needed).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from socsec.errors import InputDataError

MAX_BODY = 2 * 1024 * 1024
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> str:
    """The request's content type without parameters, lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def params(request: Request, limit: int = MAX_BODY) -> dict[str, list[str]]:
    """Query-string parameters merged with those of a form-encoded POST body.

    Raises:
        InputDataError: a body that is not valid UTF-8.
    """
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    if request.method == "POST" and media_type(request) == "application/x-www-form-urlencoded":
        body = await read_body(request, limit)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputDataError("the form body is not UTF-8") from None
        for key, values in parse_qs(text, keep_blank_values=True).items():
            out.setdefault(key, []).extend(values)
    return out


def one(values: dict[str, list[str]], name: str) -> str | None:
    """The single value of parameter ``name``, None when absent.

    Raises:
        InputDataError: the parameter is given more than once.
    """
    found = values.get(name, [])
    if len(found) > 1:
        raise InputDataError(f"parameter {name!r} is given {len(found)} times; give it once")
    return found[0] if found else None


def json_param(text: str, name: str) -> Any:
    """A parameter holding JSON, parsed.

    Raises:
        InputDataError: the text is not JSON.
    """
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputDataError(f"parameter {name!r} is not valid JSON: {exc}"[:200]) from None


def reply(data: Any, request: Request) -> Response:
    """JSON, or JSONP when the request names a ``callback`` (older web clients use it).

    Raises:
        InputDataError: a callback that is not a plain JavaScript name (it could inject script).
    """
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(data)
    if not _CALLBACK.match(callback):
        raise InputDataError("callback must be a JavaScript identifier")
    body = bytes(JSONResponse(data).body).decode("utf-8")
    return Response(f"/**/{callback}({body});", media_type="application/javascript")
