"""Versions of editable resources (records, concepts) for optimistic concurrency (ETags).

A version tag is a hash of the resource's whole current state, so any change to it (by any
face) gives a new tag. An edit names the version it was made on; :func:`guard` holds the edit
lock while it compares that with the current version and the write runs, so two editors can
never both succeed from the same version: the second gets :class:`~socsec.errors.StaleVersion`
and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from socsec.errors import PreconditionRequired, StaleVersion
from socsec.fileutil import exclusive_lock

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.thesaurus.model import ConceptView
    from socsec.workspace import Workspace


def _tag(kind: str, data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f'"{kind[0]}-{hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]}"'


def record_tag(record: Record) -> str:
    """The version tag (a quoted strong ETag) of a record as stored."""
    from socsec.bibliography.codec import record_to_dict

    return _tag("record", record_to_dict(record))


def concept_tag(view: ConceptView) -> str:
    """The version tag of a concept: labels, notes, relations, status, all languages."""
    return _tag("concept", asdict(view))


def current_record(ws: Workspace, record_id: str) -> tuple[Record, str]:
    """A stored record and its version tag.

    Raises:
        NotFoundError: no such record.
    """
    from socsec.app.stores import bibliography

    with bibliography(ws) as store:
        record = store.get(record_id)
    return record, record_tag(record)


def current_concept(ws: Workspace, ref: str) -> tuple[ConceptView, str]:
    """A concept (by URI, notation or label) and its version tag.

    Raises:
        NotFoundError: no such concept.
    """
    from socsec.thesaurus.lookup import get_cache

    cache = get_cache(ws)
    try:
        view = cache.concept(cache.resolve(ref))
    finally:
        cache.close()
    return view, concept_tag(view)


def matches(expected: str, current: str) -> bool:
    """Whether an If-Match value (one tag, a list, or ``*``) names the current version."""
    tags = [t.strip().removeprefix("W/") for t in expected.split(",")]
    return "*" in tags or current in tags


@contextmanager
def guard(ws: Workspace, kind: str, ref: str, expected: str | None) -> Iterator[str]:
    """Run the block (the write) only if ``ref`` is still at version ``expected``.

    Edits of all faces that use it are serialised by one lock file in the data dir, held from
    the comparison to the end of the write.

    Args:
        ws: the data dir.
        kind: "record" or "concept".
        ref: the record id, or the concept's URI (or notation, label).
        expected: the version the edit was made on (an If-Match header value).

    Yields:
        The current version tag (before the write).

    Raises:
        PreconditionRequired: ``expected`` is None.
        StaleVersion: the resource changed since ``expected`` (nothing written).
        NotFoundError: no such resource.
    """
    if not expected:
        raise PreconditionRequired(
            f"say which version of the {kind} you change",
            hint="send If-Match with the ETag of your GET",
        )
    with exclusive_lock(ws.root / "edit.lock"):
        if kind == "record":
            current = current_record(ws, ref)[1]
        else:
            current = current_concept(ws, ref)[1]
        if not matches(expected, current):
            raise StaleVersion(
                f"the {kind} changed since you read it; nothing was written",
                current=current,
                hint="read it again (GET), redo your change, send the new ETag",
            )
        yield current
