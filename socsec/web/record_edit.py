"""Record editing pages: create, edit, delete, and merge probable duplicates.

Every write is one call to socsec.app.records. An edit form carries the record's ETag and the
values it showed; if the record changed since (another editor saved first), nothing is
written and the page shows which fields changed, their current values and the editor's own.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socsec.app.versions import current_record, guard
from socsec.errors import InputDataError, StaleVersion
from socsec.web import record_form
from socsec.web.api import Res
from socsec.web.editing import (
    Editor,
    form_fields,
    redirect_with_notice,
    workspace_for,
)
from socsec.web.pages import render

router = APIRouter(include_in_schema=False)
RecordId = Annotated[str, Path(max_length=200)]


def _record_url(record_id: str) -> str:
    """The record's page (the id quoted: EUR-Lex ids hold parentheses, others may hold more)."""
    from urllib.parse import quote

    return "/record/" + quote(record_id, safe="")


def _first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]


def _form(
    request: Request, *, record: Any, values: dict[str, str], etag: str, error: str | None,
    status: int = 200, conflict: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    context = {
        "record": record,
        "values": values,
        "fields": record_form.FIELDS,
        "etag": etag,
        "original": json.dumps(values, ensure_ascii=False),
        "error": error,
        "conflict": conflict,
    }
    return render(request, "record_edit.html", context, status)


@router.get("/records/new", response_class=HTMLResponse)
def new_record_form(request: Request, user: Editor) -> Response:
    """An empty record form."""
    return _form(request, record=None, values=record_form.values(None), etag="", error=None)


@router.post("/records/new")
async def create_record(request: Request, res: Res, user: Editor) -> Response:
    """Add the record the form describes (its id generated from it)."""
    from socsec.app.records import add
    from socsec.bibliography.service import fields_to_record

    fields = await form_fields(request, user)

    def work() -> Response:
        wanted = record_form.posted(fields)
        data = {k: record_form.as_value(k, v) for k, v in wanted.items() if v}
        try:
            outcome = add(workspace_for(res.ws, user), fields_to_record(data))
        except InputDataError as exc:
            return _form(request, record=None, values=wanted, etag="", error=str(exc), status=400)
        return redirect_with_notice(
            request, _record_url(outcome.value.id), "created", 1, list(outcome.warnings)
        )

    return await run_in_threadpool(work)


@router.get("/record/{record_id}/edit", response_class=HTMLResponse)
def edit_record_form(request: Request, res: Res, user: Editor, record_id: RecordId) -> Response:
    """The record's fields in a form, with its ETag."""
    rec, tag = current_record(res.ws, record_id)
    return _form(request, record=rec, values=record_form.values(rec), etag=tag, error=None)


@router.post("/record/{record_id}/edit")
async def save_record(request: Request, res: Res, user: Editor, record_id: RecordId) -> Response:
    """Save the fields the editor changed, unless the record changed since the form was loaded."""
    from socsec.app.records import edit

    fields = await form_fields(request, user)

    def work() -> Response:
        wanted = record_form.posted(fields)
        rec, tag = current_record(res.ws, record_id)
        current = record_form.values(rec)
        changes = record_form.changes(current, wanted)
        ws = workspace_for(res.ws, user)
        try:
            with guard(ws, "record", rec.id, _first(fields, "etag")):
                if not changes:
                    return redirect_with_notice(request, _record_url(rec.id), "unchanged", 0, [])
                outcome = edit(ws, rec.id, changes)
        except StaleVersion:
            rec, tag = current_record(res.ws, record_id)
            current = record_form.values(rec)
            return _conflict(request, rec, current, wanted, _first(fields, "original"), tag)
        except InputDataError as exc:
            return _form(request, record=rec, values=wanted, etag=tag, error=str(exc), status=400)
        target = _record_url(rec.id)
        return redirect_with_notice(request, target, "saved", 1, list(outcome.warnings))

    return await run_in_threadpool(work)


def _conflict(
    request: Request, rec: Any, current: dict[str, str], wanted: dict[str, str],
    original_json: str, etag: str,
) -> Response:  # fmt: skip
    """409: the form is stale. What changed since, the current values; nothing written."""
    try:
        original = json.loads(original_json)
        if not isinstance(original, dict):
            raise ValueError
    except ValueError:
        original = {}
    original = {str(k): str(v) for k, v in original.items()}
    changed = record_form.changed_fields(original, current)
    names = {f[0]: f[1] for f in record_form.FIELDS}
    conflict = {
        "changed": [
            (n, names[n], original.get(n, ""), current[n], wanted.get(n, "")) for n in changed
        ],
    }
    # The form comes back with the editor's changes over the current version (and its ETag):
    # saving it keeps the other editor's changes to fields this editor did not touch.
    merged = record_form.rebase(original, wanted, current) if original else wanted
    return _form(
        request, record=rec, values=merged, etag=etag, error=None, status=409, conflict=conflict
    )


@router.post("/record/{record_id}/delete")
async def delete_record(request: Request, res: Res, user: Editor, record_id: RecordId) -> Response:
    """Delete the record (the form carries its ETag: a record changed since is not deleted)."""
    from socsec.app.records import delete

    fields = await form_fields(request, user)

    def work() -> Response:
        ws = workspace_for(res.ws, user)
        try:
            with guard(ws, "record", record_id, _first(fields, "etag")):
                outcome = delete(ws, record_id)
        except StaleVersion:
            rec, tag = current_record(res.ws, record_id)
            current = record_form.values(rec)
            return _conflict(request, rec, current, current, _first(fields, "original"), tag)
        return redirect_with_notice(request, "/search", "deleted", 1, list(outcome.warnings))

    return await run_in_threadpool(work)


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates_page(
    request: Request,
    res: Res,
    user: Editor,
    threshold: Annotated[float, Query(ge=50, le=100, description="Lowest score shown.")] = 90.0,
) -> Response:
    """Groups of probable duplicates, each record summarised, with a merge form per pair."""
    from socsec.bibliography.duplicates import find_duplicates

    with res.search() as svc:
        store = svc.store
        groups = find_duplicates(store.iter_records(), threshold)
        records = {rid: store.get(rid) for g in groups for rid in g.ids}
    return render(
        request,
        "duplicates.html",
        {"groups": groups, "records": records, "threshold": threshold},
    )


@router.post("/duplicates/merge")
async def merge_records(request: Request, res: Res, user: Editor) -> Response:
    """Merge ``other`` into ``keep`` (fields filled, subjects united, ``other`` an alias)."""
    from socsec.app.records import merge

    fields = await form_fields(request, user)

    def work() -> Response:
        keep = _first(fields, "keep")
        a, _tab, b = _first(fields, "pair").partition("\t")
        if keep not in (a, b) or not a or not b:
            raise InputDataError("choose which record of the pair to keep")
        other = b if keep == a else a
        outcome = merge(workspace_for(res.ws, user), keep, other)
        target = _record_url(outcome.value.id)
        return redirect_with_notice(request, target, "merged", 1, list(outcome.warnings))

    return await run_in_threadpool(work)
