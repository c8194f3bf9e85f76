"""Thesaurus editing pages: create a concept, its labels and notes per language, relations,
deprecate or merge it, undo the last change.

Every write is one call to socsec.app.thesaurus. The edit forms carry the concept's ETag and
the labels they showed; a form loaded before another editor's change writes nothing and shows
what changed (cell by cell), the current values and the editor's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socsec.app.versions import concept_tag, current_concept, guard
from socsec.errors import InputDataError, StaleVersion
from socsec.thesaurus.edits import EDITABLE_NOTES, changed_cells, edits_between, rebase, table
from socsec.web import i18n
from socsec.web.api import Res
from socsec.web.editing import (
    Editor,
    form_fields,
    redirect_with_notice,
    workspace_for,
)
from socsec.web.pages import render
from socsec.web.views import LANGS

if TYPE_CHECKING:
    from socsec.accounts.model import User
    from socsec.app.uow import Outcome
    from socsec.thesaurus.edits import Table
    from socsec.thesaurus.model import ConceptView
    from socsec.workspace import Workspace

router = APIRouter(include_in_schema=False)
Uri = Annotated[str, Query(min_length=1, max_length=2000, description="Concept URI.")]
KINDS = ("pref", "alt", "hidden", *EDITABLE_NOTES)


def _first(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0]


def _encode(cells: Table) -> str:
    """A label table as the JSON a form carries ("kind.lang" -> values)."""
    return json.dumps({f"{k}.{lang}": v for (k, lang), v in cells.items()}, ensure_ascii=False)


def _decode(text: str) -> Table:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: Table = {}
    for key, values in data.items():
        kind, _dot, lang = str(key).partition(".")
        if isinstance(values, list):
            out[(kind, lang)] = [str(v) for v in values]
    return out


def _posted(fields: dict[str, list[str]]) -> Table:
    """The label and note cells of a posted form (one value per line, pref a single line)."""
    out: Table = {}
    for kind in KINDS:
        for lang in LANGS:
            name = f"{kind}.{lang}"
            if name in fields:
                text = _first(fields, name)
                out[(kind, lang)] = [text] if kind == "pref" else text.splitlines()
    return out


def _page(
    request: Request, res: Any, view: ConceptView, *, cells: Table | None = None,
    error: str | None = None, conflict: list[Any] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    shown = i18n.choose_lang(request)
    current = table(view, LANGS)
    with res.thesaurus() as cache:
        label = cache.pref_label(view.uri, shown)

        def named(uris: list[str]) -> list[tuple[str, str]]:
            return sorted(((u, cache.pref_label(u, shown)) for u in uris), key=lambda p: p[1])

        relations = {
            "broader": named(view.broader),
            "narrower": named(view.narrower),
            "related": named(view.related),
        }
    context = {
        "c": view,
        "label": label,
        "cells": cells if cells is not None else current,
        "kinds": KINDS,
        "edit_langs": LANGS,
        "relations": relations,
        "etag": concept_tag(view),
        "original": _encode(current),
        "error": error,
        "conflict": conflict,
        "last_change": last_change(res.ws),
    }
    return render(request, "concept_edit.html", context, status)


@router.get("/concept/edit", response_class=HTMLResponse)
def edit_form(request: Request, res: Res, user: Editor, uri: Uri) -> Response:
    """The concept's labels and notes per language, its relations, deprecate and merge."""
    return _page(request, res, current_concept(res.ws, uri)[0])


def _concept_url(uri: str) -> str:
    from urllib.parse import quote

    return "/concept?uri=" + quote(uri, safe="")


Action = Callable[["Workspace", "ConceptView"], "tuple[Outcome[Any] | None, str]"]


def _guarded(
    request: Request, res: Any, user: User, uri: str, fields: dict[str, list[str]],
    action: Action, cells: Table | None = None,
) -> Response:  # fmt: skip
    """Run ``action`` if the form's ETag is the concept's current one (blocking: thread pool).

    A stale form writes nothing and gets the conflict page (409): the cells changed since the
    form was loaded, the current values, and the editor's values kept in the form.
    """
    view, _tag = current_concept(res.ws, uri)
    ws = workspace_for(res.ws, user)
    try:
        with guard(ws, "concept", view.uri, _first(fields, "etag")):
            outcome, done = action(ws, view)
    except StaleVersion:
        view, _tag = current_concept(res.ws, view.uri)
        before = _decode(_first(fields, "original"))
        now = table(view, LANGS)
        changed = changed_cells(before, now) if before else []
        # The form comes back with the editor's changes over the current version.
        merged = rebase(before, cells, now) if before and cells else cells
        return _page(request, res, view, cells=merged, conflict=changed, status=409)
    except InputDataError as exc:
        return _page(request, res, view, cells=cells, error=str(exc), status=400)
    if outcome is None:
        return redirect_with_notice(request, _concept_url(view.uri), "unchanged", 0, [])
    warnings = list(outcome.warnings)
    return redirect_with_notice(request, _concept_url(view.uri), done, 1, warnings)


@router.post("/concept/edit")
async def save_labels(request: Request, res: Res, user: Editor, uri: Uri) -> Response:
    """Apply the label and note changes of the form as one curation change."""
    from socsec.app.thesaurus import edit_concept

    fields = await form_fields(request, user)
    wanted = _posted(fields)

    def action(ws: Workspace, view: ConceptView) -> tuple[Outcome[Any] | None, str]:
        edits = edits_between(table(view, LANGS), wanted)
        return (edit_concept(ws, view.uri, edits) if edits else None), "saved"

    return await run_in_threadpool(_guarded, request, res, user, uri, fields, action, wanted)


@router.post("/concept/relation")
async def relation(request: Request, res: Res, user: Editor, uri: Uri) -> Response:
    """Add (``op=add``) or remove a broader, narrower or related link."""
    from socsec.app.thesaurus import link, unlink

    fields = await form_fields(request, user)
    kind, target = _first(fields, "relation"), _first(fields, "target").strip()
    run = unlink if _first(fields, "op") == "remove" else link

    def action(ws: Workspace, view: ConceptView) -> tuple[Outcome[Any] | None, str]:
        if not target:
            raise InputDataError("give the other concept (label, notation or URI)")
        return run(ws, view.uri, kind, target), "saved"

    return await run_in_threadpool(_guarded, request, res, user, uri, fields, action)


@router.post("/concept/retire")
async def retire(request: Request, res: Res, user: Editor, uri: Uri) -> Response:
    """Deprecate the concept (``action=deprecate``, optional replacement) or merge it."""
    from socsec.app.thesaurus import deprecate, merge

    fields = await form_fields(request, user)
    target = _first(fields, "target").strip() or None
    merging = _first(fields, "action") == "merge"

    def action(ws: Workspace, view: ConceptView) -> tuple[Outcome[Any] | None, str]:
        if merging:
            if target is None:
                raise InputDataError("give the concept to merge this one into")
            return merge(ws, view.uri, into=target), "merged"
        return deprecate(ws, view.uri, replaced_by=target), "deprecated"

    return await run_in_threadpool(_guarded, request, res, user, uri, fields, action)


@router.get("/concepts/new", response_class=HTMLResponse)
def new_form(
    request: Request, res: Res, user: Editor, broader: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    """A form for a new concept: its preferred labels, a definition, its broader concept."""
    return _new_page(request, res, {"broader": broader}, None)


def _new_page(
    request: Request, res: Any, values: dict[str, str], error: str | None, status: int = 200
) -> Response:
    with res.thesaurus() as cache:
        schemes = [(s.uri, s.title) for s in cache.schemes()]
    context = {"values": values, "error": error, "schemes": schemes, "edit_langs": LANGS}
    return render(request, "concept_new.html", context, status)


@router.post("/concepts/new")
async def create(request: Request, res: Res, user: Editor) -> Response:
    """Add the concept (its URI minted under the configured base URI)."""
    from socsec.app.thesaurus import add_concept

    fields = await form_fields(request, user)

    def work() -> Response:
        values = {k: _first(fields, k).strip() for k in ("broader", "scheme", "notation")}
        labels = [(lang, _first(fields, f"pref.{lang}").strip()) for lang in LANGS]
        definitions = [(lang, _first(fields, f"definition.{lang}").strip()) for lang in LANGS]
        for lang in LANGS:
            values[f"pref.{lang}"] = _first(fields, f"pref.{lang}")
            values[f"definition.{lang}"] = _first(fields, f"definition.{lang}")
        try:
            outcome = add_concept(
                workspace_for(res.ws, user),
                [(lang, text) for lang, text in labels if text],
                scheme=values["scheme"] or None,
                broader=[values["broader"]] if values["broader"] else [],
                notation=values["notation"] or None,
                definitions=[(lang, text) for lang, text in definitions if text],
            )
        except InputDataError as exc:
            return _new_page(request, res, values, str(exc), 400)
        new_uri = outcome.value.uri or ""
        return redirect_with_notice(
            request, _concept_url(new_uri), "created", 1, list(outcome.warnings)
        )

    return await run_in_threadpool(work)


@router.post("/thesaurus/undo")
async def undo_last(request: Request, res: Res, user: Editor) -> Response:
    """Revert the last thesaurus change, if it is still the one the page showed (``expect``).

    Records a merge re-tagged get their tag back. Another editor's newer change is never
    undone by a page loaded before it: nothing happens and the page says so.
    """
    fields = await form_fields(request, user)
    expect = _first(fields, "expect")
    return await run_in_threadpool(_undo, request, res.ws, user, expect)


def _undo(request: Request, base: Workspace, user: User, expect: str) -> Response:
    from socsec.app.thesaurus import undo
    from socsec.fileutil import exclusive_lock
    from socsec.thesaurus.history import last_undoable, read_log

    ws = workspace_for(base, user)
    with exclusive_lock(ws.root / "edit.lock"):  # the lock the version guard holds
        entry = last_undoable(read_log(ws))
        if entry is None or str(entry.id) != expect:
            return redirect_with_notice(request, "/changes", "undo_stale", 0, [])
        outcome = undo(ws)
    return redirect_with_notice(request, "/changes", "undone", 1, list(outcome.warnings))


def last_change(ws: Workspace) -> Any:
    """The change an undo would revert now (None when there is none)."""
    from socsec.thesaurus.history import last_undoable, read_log

    return last_undoable(read_log(ws))
