"""The rules that combine a stored record with another one: a re-imported version of it
(:func:`combine`: empty fields filled, differing values are conflicts) or a duplicate merged
into it (:func:`merge_records`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from socsec.bibliography.model import Record, RecordType, Subject

# What an import compares (the rest is the store's own).
CONTENT_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(Record)
    if f.name not in ("id", "subjects", "aliases", "created", "modified", "extra")
)


class OnConflict(StrEnum):
    """What a re-import does with a field whose stored and incoming values differ."""

    keep = "keep"  # keep the stored value (empty fields are still filled)
    incoming = "incoming"  # take the incoming value
    report = "report"  # change nothing in that record; report the conflict


@dataclass(frozen=True)
class FieldConflict:
    """A field whose stored value differs from the incoming one."""

    field: str
    stored: Any
    incoming: Any


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return bool(a == b)


def combine(
    stored: Record, incoming: Record, on_conflict: OnConflict
) -> tuple[Record, list[FieldConflict]]:
    """The stored record after a re-import of ``incoming`` and the conflicts found.

    Empty stored fields take the incoming value, keywords and subjects are united, a more
    precise date of the same year replaces a less precise one; other differences are
    conflicts, resolved by ``on_conflict`` (``report`` returns ``stored`` unchanged).
    """
    changes: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name in CONTENT_FIELDS:
        mine, theirs = getattr(stored, name), getattr(incoming, name)
        if theirs in (None, "", ()) or _same(mine, theirs):
            continue
        if name == "type":
            if mine is RecordType.other:
                changes[name] = theirs
            elif theirs is not RecordType.other:
                conflicts.append(FieldConflict(name, mine.value, theirs.value))
            continue
        if name == "keywords":
            united = tuple(dict.fromkeys((*mine, *theirs)))
            if united != mine:
                changes[name] = united
            continue
        if mine in (None, "", ()):
            changes[name] = theirs
        elif name == "issued" and theirs.startswith(mine):
            changes[name] = theirs  # "1981" made precise as "1981-04"
        elif name == "issued" and mine.startswith(theirs):
            continue  # less precise, same date
        else:
            conflicts.append(FieldConflict(name, _plain(mine), _plain(theirs)))
            if on_conflict is OnConflict.incoming:
                changes[name] = theirs
    extra = dict(stored.extra)
    for key, value in incoming.extra.items():
        if key not in extra:
            extra[key] = value
        elif extra[key] != value:
            conflicts.append(FieldConflict(f"extra.{key}", extra[key], value))
            if on_conflict is OnConflict.incoming:
                extra[key] = value
    if extra != stored.extra:
        changes["extra"] = extra
    have = {s.uri for s in stored.subjects}
    added = tuple(s for s in incoming.subjects if s.uri not in have)
    if added:
        changes["subjects"] = stored.subjects + added
    if conflicts and on_conflict is OnConflict.report:
        return stored, conflicts
    if not changes:
        return stored, conflicts
    return dataclasses.replace(stored, **changes), conflicts


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [getattr(v, "display", v) for v in value]
    return value


def merge_records(keep: Record, other: Record) -> Record:
    """``keep`` with its empty fields filled from ``other`` and lists united (keep first)."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Record):
        name = f.name
        if name in ("id", "created", "modified", "type", "title"):
            continue
        mine, theirs = getattr(keep, name), getattr(other, name)
        if name == "subjects":
            have: dict[str, Subject] = {s.uri: s for s in mine}
            for s in theirs:
                if s.uri not in have or s.strength > have[s.uri].strength:
                    have[s.uri] = s
            changes[name] = tuple(have.values())
        elif name == "aliases":
            changes[name] = tuple(dict.fromkeys((*mine, other.id, *theirs)))
        elif name == "extra":
            changes[name] = {**theirs, **mine}
        elif isinstance(mine, tuple):
            changes[name] = mine if mine else theirs
            if name == "keywords":
                changes[name] = tuple(dict.fromkeys((*mine, *theirs)))
        elif mine in (None, ""):
            changes[name] = theirs
    return dataclasses.replace(keep, **changes)
