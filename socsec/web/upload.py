"""Importing a file of records by upload: BibTeX, RIS, CSL-JSON, MARCXML or CSV.

Admins only (imports are theirs, as for ``POST /api/records/import``). The same call as
``socsec bib import``: all or nothing by default, so a bad record leaves the
store unchanged and the page names the file and the position (line or record) of the
problem, as the CLI's one error line does. The report lists what was created, updated or
left, with the warnings and conflicts.
"""

from __future__ import annotations

import gzip
import io
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socsec.errors import InputDataError, NotFoundError
from socsec.web.api import Res
from socsec.web.auth import Admin
from socsec.web.editing import upload_fields, workspace_for
from socsec.web.pages import render

router = APIRouter(include_in_schema=False)
FORMATS = ("bibtex", "ris", "csljson", "marcxml", "csv")
CONFLICTS = ("report", "keep", "incoming")
SHOWN = 50


def _page(request: Request, **context: Any) -> Response:
    status = context.pop("status", 200)
    base = {"formats": FORMATS, "conflicts": CONFLICTS, "report": None, "error": None}
    return render(request, "import.html", {**base, **context}, status)


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, user: Admin) -> Response:
    """The upload form."""
    return _page(request)


def _text(filename: str, data: bytes) -> str:
    """The uploaded bytes as text (``.gz`` decompressed, a UTF-8 BOM dropped).

    Raises:
        InputDataError: not gzip when named so, or not UTF-8.
    """
    if filename.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputDataError(f"not a gzip file ({exc})", path=filename) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"not UTF-8 text (byte {exc.start}: {exc.reason})", path=filename
        ) from None


@router.post("/import")
async def import_upload(request: Request, res: Res, user: Admin) -> Response:
    """Import the uploaded file; the page reports the result or the one error."""
    from socsec.app.records import import_file
    from socsec.bibliography.formats import guess_format

    fields, files = await upload_fields(request, user)

    def work() -> Response:
        chosen = (fields.get("format") or [""])[0]
        on_conflict = (fields.get("on_conflict") or ["report"])[0]
        skip_invalid = bool(fields.get("skip_invalid"))
        upload = files.get("file")
        if upload is None or not upload[0]:
            return _page(request, error="choose a file to import", status=400)
        # Only the base name: a browser may send a path, and it is shown back on the page.
        filename = PurePath(upload[0].replace("\\", "/")).name or "upload"
        values = {"format": chosen, "on_conflict": on_conflict, "skip_invalid": skip_invalid}
        try:
            if chosen and chosen not in FORMATS:
                raise InputDataError(f"unknown format {chosen!r} ({', '.join(FORMATS)})")
            if on_conflict not in CONFLICTS:
                raise InputDataError(f"unknown conflict choice {on_conflict!r}")
            fmt = chosen or guess_format(filename.removesuffix(".gz"))
            stream = io.StringIO(_text(filename, upload[1]))
            stream.name = filename  # errors name the uploaded file, as the CLI names its file
            outcome = import_file(
                workspace_for(res.ws, user), stream, fmt=fmt, skip_invalid=skip_invalid,
                on_conflict=on_conflict,
            )  # fmt: skip
        except (InputDataError, NotFoundError) as exc:
            return _page(request, error=str(exc), values=values, status=400)
        report = outcome.value
        items = [*report.rejected, *report.warnings, *report.conflicts]
        return _page(
            request, report=report, items=items[:SHOWN], more=max(0, len(items) - SHOWN),
            warnings=list(outcome.warnings), values=values,
        )  # fmt: skip

    return await run_in_threadpool(work)
