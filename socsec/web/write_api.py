"""The JSON write API (``/api``): records, concepts, suggestion review, imports, with ETags.

Every route needs a signed-in user of the right role (:mod:`socsec.web.auth`: editor for
edits and reviews, admin for file imports) and calls the application layer acting as that
user, so the history names them. Editable resources carry an ``ETag`` (``GET
/api/records/{id}``, ``GET /api/concept``); an edit must send it back as ``If-Match`` (428
without it); a stale one gets 412 with the current representation and its ETag, and nothing
is written (:func:`socsec.app.versions.guard`). Routes are sync ``def``: writes block.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from socsec.app import versions
from socsec.app.accounts import acting_as
from socsec.errors import InputDataError, NotFoundError, StaleVersion
from socsec.thesaurus.model import LabelKind, NoteKind
from socsec.web.api import Res, Uri
from socsec.web.auth import Admin, Credentials, Editor, Reader, credentials
from socsec.web.errors import error_body
from socsec.web.params import LANG_PATTERN, MAX_URI, Lang
from socsec.web.views import concept_payload, display_lang

if TYPE_CHECKING:
    from collections.abc import Callable

    from socsec.accounts.model import User
    from socsec.app.uow import Outcome
    from socsec.bibliography.model import Record
    from socsec.thesaurus.working import ChangeResult
    from socsec.workspace import Workspace

router = APIRouter(prefix="/api")

MAX_LABEL = 1000
MAX_NOTE = 10_000
MAX_UPLOAD = 50 * 1024 * 1024
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=500,
        description="The ETag of the version this edit was made on (required).",
    ),
]
RecordId = Annotated[str, Path(min_length=1, max_length=200, description="Record id or alias.")]
LangTag = Annotated[str, Field(min_length=2, max_length=35, pattern=LANG_PATTERN)]
ConceptRef = Annotated[str, Field(min_length=1, max_length=MAX_URI)]


@router.get("/me", tags=["accounts"])
def me(user: Reader, creds: Annotated[Credentials, Depends(credentials)]) -> dict[str, Any]:
    """The signed-in user (name, role, how signed in); a session also gets its CSRF token.

    Scripts use it to check a token; a page's script reads ``csrf_token`` to send it back as
    the ``X-CSRF-Token`` header of its writes.
    """
    out: dict[str, Any] = {**user.to_json(), "via": creds.via}
    if creds.session is not None:
        out["csrf_token"] = creds.session.csrf
    return out


# ------------------------------------------------------------------ answers


def _record_json(record: Record) -> dict[str, Any]:
    from socsec.bibliography.codec import record_to_dict

    return record_to_dict(record)


def _record_answer(outcome: Outcome[Record], status: int = 200) -> JSONResponse:
    record = outcome.value
    etag = versions.record_tag(record)
    body = {"record": _record_json(record), "etag": etag, "warnings": list(outcome.warnings)}
    return JSONResponse(body, status_code=status, headers={"ETag": etag})


def _stale(exc: StaleVersion, current: dict[str, Any]) -> JSONResponse:
    body = error_body(exc.prefix, exc.message, hint=exc.hint)
    body["current"] = current
    body["etag"] = exc.current
    return JSONResponse(body, status_code=412, headers={"ETag": exc.current})


def _stale_record(ws: Workspace, record_id: str, exc: StaleVersion) -> JSONResponse:
    record, _etag = versions.current_record(ws, record_id)
    return _stale(exc, _record_json(record))


def _guarded_record_write(
    res: Res,
    user: User,
    record_id: str,
    if_match: str | None,
    write: Callable[[Workspace], Outcome[Record]],
    answer: Callable[[Outcome[Record]], JSONResponse] | None = None,
) -> JSONResponse:
    """Run ``write`` as ``user`` if the record is still at ``if_match`` and answer with the
    record (or ``answer``); a stale version gets the 412 answer and nothing is written.
    """
    ws = acting_as(res.ws, user.name)
    try:
        with versions.guard(ws, "record", record_id, if_match):
            outcome = write(ws)
    except StaleVersion as exc:
        return _stale_record(ws, record_id, exc)
    return (answer or _record_answer)(outcome)


def _concept_json(res: Res, ref: str, lang: str | None) -> tuple[dict[str, Any], str]:
    with res.thesaurus() as cache:
        uri = cache.resolve(ref)
        payload = asdict(concept_payload(cache, uri, lang=display_lang(lang)))
        etag = versions.concept_tag(cache.concept(uri))
    return payload, etag


def _change_answer(
    res: Res, outcome: Outcome[ChangeResult], lang: str | None, status: int = 200
) -> JSONResponse:
    result = outcome.value
    entry = result.entry
    change = {
        "id": entry.id,
        "action": entry.action,
        "who": entry.who,
        "when": entry.when,
        "summary": entry.summary,
        "concepts": entry.concepts,
        "retagged": entry.retagged,
        "notes": entry.notes,
    }
    body: dict[str, Any] = {"change": change, "warnings": list(outcome.warnings)}
    headers = {}
    if result.uri:
        try:
            body["concept"], etag = _concept_json(res, result.uri, lang)
        except NotFoundError:  # merged away
            body["concept"], etag = None, None
        if etag:
            body["etag"] = etag
            headers["ETag"] = etag
    return JSONResponse(body, status_code=status, headers=headers)


# ------------------------------------------------------------------ records


class RecordChanges(BaseModel):
    """Fields to change: names as in ``GET /api/records/{id}``; "" or null clears one."""

    model_config = {"extra": "allow"}


class MergeBody(BaseModel):
    """The record merged into the one named in the path (it becomes an alias)."""

    other: str = Field(min_length=1, max_length=200)


class SubjectsBody(BaseModel):
    """Concept URIs of a record's suggestions to accept or reject."""

    uris: list[ConceptRef] = Field(min_length=1, max_length=200)


@router.post("/records", status_code=201, tags=["bibliography: write"])
def add_record(res: Res, user: Editor, record: dict[str, Any]) -> JSONResponse:
    """Add a record (the JSON shape of ``GET /api/records/{id}``; no id: one is minted).

    Answers 201 with the record, its ETag and a Location header.
    """
    from socsec.app.records import add
    from socsec.bibliography.codec import record_from_dict

    if len(record) > 64:
        raise InputDataError("too many fields")
    outcome = add(acting_as(res.ws, user.name), record_from_dict(record))
    response = _record_answer(outcome, 201)
    response.headers["Location"] = f"/api/records/{outcome.value.id}"
    return response


@router.patch("/records/{record_id}", tags=["bibliography: write"])
def edit_record(
    res: Res, user: Editor, record_id: RecordId, changes: dict[str, Any], if_match: IfMatch = None
) -> JSONResponse:
    """Change fields of a record (If-Match required; 412 with the current record if stale)."""
    from socsec.app.records import edit

    if not changes or len(changes) > 64:
        raise InputDataError("give 1 to 64 fields to change")
    return _guarded_record_write(
        res,
        user,
        record_id,
        if_match,
        lambda ws: edit(ws, record_id, {k: "" if v is None else v for k, v in changes.items()}),
    )


@router.delete("/records/{record_id}", tags=["bibliography: write"])
def delete_record(
    res: Res, user: Editor, record_id: RecordId, if_match: IfMatch = None
) -> JSONResponse:
    """Delete a record (If-Match required)."""
    from socsec.app.records import delete

    def deleted(outcome: Outcome[Record]) -> JSONResponse:
        return JSONResponse({"deleted": outcome.value.id, "warnings": list(outcome.warnings)})

    return _guarded_record_write(
        res, user, record_id, if_match, lambda ws: delete(ws, record_id), deleted
    )


@router.post("/records/{record_id}/merge", tags=["bibliography: write"])
def merge_records(
    res: Res, user: Editor, record_id: RecordId, body: MergeBody, if_match: IfMatch = None
) -> JSONResponse:
    """Merge a duplicate (``other``) into this record: fields filled, subjects united, the
    other's id kept as an alias (If-Match: this record's ETag).
    """
    from socsec.app.records import merge

    return _guarded_record_write(
        res, user, record_id, if_match, lambda ws: merge(ws, record_id, body.other)
    )


@router.get("/review", tags=["suggestions"])
def review_queue(
    res: Res,
    user: Editor,
    after: Annotated[
        str | None, Query(max_length=220, description="The next_after of the previous page.")
    ] = None,
    records: Annotated[int, Query(ge=1, le=50, description="Records per page.")] = 10,
    limit: Annotated[int, Query(ge=1, le=20, description="Most concepts per record.")] = 5,
    lang: Lang = None,
) -> dict[str, Any]:
    """The review queue of ``bib review`` and ``/review``: automatic subjects to confirm,
    then suggestions for records without subjects (score at least 0.1), with each record's
    ETag; decide with ``suggestions/accept`` and ``suggestions/reject`` (``If-Match``).
    """
    from socsec.app.review import page

    shown = page(
        res.ws, size=records, lang=display_lang(lang), limit=limit, min_score=0.1, after=after
    )
    items = [
        {
            "id": item.record.id,
            "title": item.record.title,
            "abstract": item.record.abstract,
            "etag": item.version,
            "kind": "confirm" if item.automatic else "suggest",
            "candidates": [asdict(c) for c in item.candidates],
        }
        for item in shown.items
    ]
    return {"items": items, "next_after": shown.next_after}


def _suggestions_route(action: str, doc: str) -> None:
    """``POST /records/{id}/suggestions/accept`` or ``reject``: the same request, the app
    function of that name.
    """

    def endpoint(
        res: Res, user: Editor, record_id: RecordId, body: SubjectsBody, if_match: IfMatch = None
    ) -> JSONResponse:
        from socsec.app import suggestions

        run = suggestions.accept if action == "accept" else suggestions.reject
        return _guarded_record_write(
            res, user, record_id, if_match, lambda ws: run(ws, record_id, body.uris)
        )

    endpoint.__name__, endpoint.__doc__ = f"{action}_suggestions", doc  # the OpenAPI operation
    router.post(f"/records/{{record_id}}/suggestions/{action}", tags=["suggestions"])(endpoint)


_suggestions_route(
    "accept", "Accept suggested concepts: the record is tagged with them as curated subjects."
)
_suggestions_route(
    "reject",
    """Reject suggested concepts: machine-applied (not curated) tags among them are removed;
    curated subjects are left alone.
    """,
)


class _Upload(io.StringIO):
    """An uploaded file's text, named as the client named it (for error positions)."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name


@router.post("/records/import", tags=["bibliography: write"])
def import_records(
    res: Res,
    user: Admin,
    file: Annotated[UploadFile, File(description="BibTeX, RIS, CSL-JSON, MARCXML or CSV.")],
    format: Annotated[
        Literal["bibtex", "ris", "csljson", "marcxml", "csv"] | None,
        Form(description="The file's format (default: from its extension)."),
    ] = None,
    skip_invalid: Annotated[bool, Form(description="Import the valid records only.")] = False,
    on_conflict: Annotated[
        Literal["keep", "incoming", "report"], Form(description="A stored value differs.")
    ] = "report",
) -> JSONResponse:
    """Import a file of records: all or nothing (unless ``skip_invalid``), as ``socsec bib
    import``. Bad input answers 422 with the file, line or record, and nothing is written.
    """
    from socsec.app.records import import_file
    from socsec.bibliography.formats import guess_format

    name = (file.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    try:
        raw = file.file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InputDataError(f"the file is over {MAX_UPLOAD // (1024 * 1024)} MB", path=name)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputDataError(f"not UTF-8 text ({exc.reason})", path=name) from None
        fmt = format or guess_format(name)
        outcome = import_file(
            acting_as(res.ws, user.name),
            _Upload(text, name),
            fmt=fmt,
            skip_invalid=skip_invalid,
            on_conflict=on_conflict,
        )
    except InputDataError as exc:
        body = error_body(exc.prefix, exc.message, hint=exc.hint)
        body["error"].update(
            {"path": exc.path or name, "line": exc.line, "column": exc.column, "unit": exc.unit}
        )
        return JSONResponse(body, status_code=422)
    report = outcome.value.to_dict(details=True)
    return JSONResponse({"report": report, "warnings": list(outcome.warnings)})


# ------------------------------------------------------------------ concepts


class NewConcept(BaseModel):
    """A new concept: preferred labels per language, optional place and definitions."""

    labels: dict[LangTag, Annotated[str, Field(min_length=1, max_length=MAX_LABEL)]] = Field(
        min_length=1, max_length=50
    )
    scheme: ConceptRef | None = None
    broader: list[ConceptRef] = Field(default=[], max_length=50)
    notation: Annotated[str, Field(max_length=200)] | None = None
    definitions: dict[LangTag, Annotated[str, Field(max_length=MAX_NOTE)]] = Field(
        default={}, max_length=50
    )


class Edit(BaseModel):
    """One label or note change: ``op`` set/add/remove, ``kind`` pref/alt/hidden or a SKOS
    note (definition, scopeNote...), in ``lang``; a removal without ``value`` removes all.
    """

    op: Literal["set", "add", "remove"]
    kind: Literal[LabelKind, NoteKind]
    lang: LangTag
    value: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)] | None = None


class Edits(BaseModel):
    """Label and note changes, made as one recorded change."""

    edits: list[Edit] = Field(min_length=1, max_length=100)


class Relation(BaseModel):
    """Add or remove a broader/narrower/related link to ``target``."""

    op: Literal["add", "remove"] = "add"
    relation: Literal["broader", "narrower", "related"]
    target: ConceptRef


class Deprecation(BaseModel):
    """Deprecate a concept, optionally naming its replacement (its records move there)."""

    replaced_by: ConceptRef | None = None


class Merge(BaseModel):
    """Merge the concept into ``into`` (its labels become alternatives, its records move)."""

    into: ConceptRef


def _concept_write(
    res: Res,
    user_name: str,
    uri: str,
    if_match: str | None,
    lang: str | None,
    run: Any,
) -> JSONResponse:
    ws = acting_as(res.ws, user_name)
    try:
        with versions.guard(ws, "concept", uri, if_match):
            outcome = run(ws)
    except StaleVersion as exc:
        current, _etag = _concept_json(res, uri, lang)
        return _stale(exc, current)
    return _change_answer(res, outcome, lang)


@router.post("/concepts", status_code=201, tags=["thesaurus: write"])
def add_concept(res: Res, user: Editor, body: NewConcept, lang: Lang = None) -> JSONResponse:
    """Add a concept (its URI is minted under ``thesaurus.base_uri``); 201 with its ETag."""
    from socsec.app.thesaurus import add_concept as run

    outcome = run(
        acting_as(res.ws, user.name),
        [(tag.lower(), text) for tag, text in body.labels.items()],
        scheme=body.scheme,
        broader=body.broader,
        notation=body.notation,
        definitions=[(tag.lower(), text) for tag, text in body.definitions.items()],
    )
    response = _change_answer(res, outcome, lang, 201)
    if outcome.value.uri:
        from urllib.parse import quote

        response.headers["Location"] = "/api/concept?uri=" + quote(outcome.value.uri, safe="")
    return response


@router.patch("/concept", tags=["thesaurus: write"])
def edit_concept(
    res: Res, user: Editor, uri: Uri, body: Edits, if_match: IfMatch = None, lang: Lang = None
) -> JSONResponse:
    """Set, add or remove labels and notes per language (one recorded change)."""
    from socsec.app.thesaurus import edit_concept as run
    from socsec.thesaurus.curation import LabelEdit

    edits = [LabelEdit(e.op, e.kind, e.lang.lower(), e.value) for e in body.edits]
    return _concept_write(res, user.name, uri, if_match, lang, lambda ws: run(ws, uri, edits))


@router.post("/concept/relations", tags=["thesaurus: write"])
def relate(
    res: Res, user: Editor, uri: Uri, body: Relation, if_match: IfMatch = None, lang: Lang = None
) -> JSONResponse:
    """Add or remove a broader, narrower or related link (cycles refused)."""
    from socsec.app.thesaurus import link, unlink

    run = link if body.op == "add" else unlink
    return _concept_write(
        res, user.name, uri, if_match, lang, lambda ws: run(ws, uri, body.relation, body.target)
    )


@router.post("/concept/deprecate", tags=["thesaurus: write"])
def deprecate(
    res: Res,
    user: Editor,
    uri: Uri,
    body: Deprecation,
    if_match: IfMatch = None,
    lang: Lang = None,
) -> JSONResponse:
    """Deprecate a concept; with a replacement, its records are re-tagged with it."""
    from socsec.app.thesaurus import deprecate as run

    return _concept_write(
        res, user.name, uri, if_match, lang, lambda ws: run(ws, uri, replaced_by=body.replaced_by)
    )


@router.post("/concept/merge", tags=["thesaurus: write"])
def merge_concept(
    res: Res, user: Editor, uri: Uri, body: Merge, if_match: IfMatch = None, lang: Lang = None
) -> JSONResponse:
    """Merge a concept into another; its records are re-tagged with ``into``."""
    from socsec.app.thesaurus import merge as run

    return _concept_write(
        res, user.name, uri, if_match, lang, lambda ws: run(ws, uri, into=body.into)
    )


@router.post("/thesaurus/undo", tags=["thesaurus: write"])
def undo(
    res: Res,
    user: Editor,
    lang: Lang = None,
    expect: Annotated[
        int | None, Query(ge=1, description="Undo only if this is still the last change's id.")
    ] = None,
) -> JSONResponse:
    """Revert the last thesaurus change (records a merge re-tagged get their old tag back)."""
    from socsec.app.thesaurus import undo as run
    from socsec.fileutil import exclusive_lock
    from socsec.thesaurus.history import last_undoable, read_log

    ws = acting_as(res.ws, user.name)
    with exclusive_lock(ws.root / "edit.lock"):
        if expect is not None:
            entry = last_undoable(read_log(ws))
            last = entry.id if entry else None
            if last != expect:
                body = error_body(
                    "Changed meanwhile",
                    f"the last change is #{last}, not #{expect}; nothing was undone",
                )
                return JSONResponse(body, status_code=412)
        outcome = run(ws)
    return _change_answer(res, outcome, lang)
