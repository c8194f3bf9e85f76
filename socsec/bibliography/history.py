"""Per-record field history of the bibliography: which change (an import, an edit, a merge...)
changed which field, before and after, when and by whom; and the undo of one whole import.

Rows are written in the transaction of the change they describe, so a killed write leaves
neither the change nor its history.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from socsec.bibliography.codec import record_to_dict
from socsec.bibliography.model import Record

CREATED = "(created)"  # the field of the row that says a change created the record
DELETED = "(deleted)"  # ... deleted it (``before`` holds the whole record)
_SKIP = ("created", "modified", "aliases", "id")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

SCHEMA = """
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    undone_by INTEGER
);
CREATE TABLE history (
    change_id INTEGER NOT NULL REFERENCES changes(id),
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX history_record ON history(record_id);
CREATE INDEX history_change ON history(change_id);
"""


def current_user(configured: str | None = None) -> str:
    """Who is writing: the ``user`` setting, else $USER / $LOGNAME, else "unknown"."""
    return configured or os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


@dataclass(frozen=True)
class FieldChange:
    """One field of one record changed by one change."""

    change_id: int
    kind: str
    source: str | None
    at: str
    user: str
    record_id: str
    field: str
    before: Any
    after: Any
    undone_by: int | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "change": self.change_id,
            "kind": self.kind,
            "source": self.source,
            "at": self.at,
            "user": self.user,
            "record": self.record_id,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "undone_by": self.undone_by,
        }


@dataclass(frozen=True)
class ChangeInfo:
    """One change (an import, an edit...) as a whole."""

    id: int
    kind: str
    source: str | None
    at: str
    user: str
    undone_by: int | None
    records: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id, "kind": self.kind, "source": self.source, "at": self.at,
            "user": self.user, "undone_by": self.undone_by, "records": self.records,
        }  # fmt: skip


def begin(db: sqlite3.Connection, kind: str, source: str | None, at: str, user: str) -> int:
    """Open a change (inside the caller's transaction); returns its id."""
    cur = db.execute(
        "INSERT INTO changes (kind, source, at, user) VALUES (?, ?, ?, ?)", (kind, source, at, user)
    )
    return int(cur.lastrowid or 0)


def _fields(record: Record) -> dict[str, Any]:
    data = record_to_dict(record, with_empty=True)
    for key in _SKIP:
        data.pop(key, None)
    return data


def diff_rows(change: int, old: Record | None, new: Record | None) -> list[tuple[Any, ...]]:
    """History rows for one record going from ``old`` to ``new`` (None: absent)."""
    if old is None and new is not None:
        return [(change, new.id, CREATED, None, None)]
    if new is None and old is not None:
        return [(change, old.id, DELETED, _JSON.encode(_fields(old)), None)]
    assert old is not None and new is not None
    before, after = _fields(old), _fields(new)
    return [
        (change, new.id, key, _JSON.encode(before.get(key)), _JSON.encode(value))
        for key, value in after.items()
        if before.get(key) != value
    ]


def write_rows(db: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Store history rows (from :func:`diff_rows`)."""
    db.executemany(
        "INSERT INTO history (change_id, record_id, field, before, after) VALUES (?, ?, ?, ?, ?)",
        rows,
    )


def write_created(db: sqlite3.Connection, change: int, after: int) -> None:
    """Store the rows saying that ``change`` created the records stored after rowid ``after``,
    in the order they were stored (one statement: an import writes one row per record it
    creates, right after inserting them; new rows take rowids above the last one).
    """
    db.execute(
        "INSERT INTO history (change_id, record_id, field, before, after) "
        "SELECT ?, id, ?, NULL, NULL FROM records WHERE rowid > ? ORDER BY rowid",
        (change, CREATED, after),
    )


def of_records(db: sqlite3.Connection, ids: Sequence[str]) -> list[FieldChange]:
    """Every field change of these record ids (a record and its aliases), oldest first."""
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        "SELECT c.id, c.kind, c.source, c.at, c.user, h.record_id, h.field, h.before, h.after, "
        f"c.undone_by FROM history h JOIN changes c ON c.id = h.change_id "
        f"WHERE h.record_id IN ({marks}) ORDER BY c.id, h.rowid",
        list(ids),
    )
    return [
        FieldChange(r[0], r[1], r[2], r[3], r[4], r[5], r[6], _load(r[7]), _load(r[8]), r[9])
        for r in rows
    ]


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def changes(db: sqlite3.Connection, kind: str | None = None) -> list[ChangeInfo]:
    """The changes, newest first (of one kind when given)."""
    where = "WHERE c.kind = ?" if kind else ""
    rows = db.execute(
        "SELECT c.id, c.kind, c.source, c.at, c.user, c.undone_by, "
        "(SELECT count(DISTINCT record_id) FROM history h WHERE h.change_id = c.id) "
        f"FROM changes c {where} ORDER BY c.id DESC",
        (kind,) if kind else (),
    )
    return [ChangeInfo(*r) for r in rows]


def touched(db: sqlite3.Connection, change: int) -> dict[str, list[tuple[str, Any]]]:
    """Per record id, the (field, before) pairs of one change."""
    out: dict[str, list[tuple[str, Any]]] = {}
    rows = db.execute(
        "SELECT record_id, field, before FROM history WHERE change_id = ? ORDER BY rowid",
        (change,),
    )
    for rid, name, before in rows:
        out.setdefault(rid, []).append((name, _load(before)))
    return out


def later_change(db: sqlite3.Connection, record_id: str, change: int) -> int | None:
    """A later change of the record that is still in force, if any.

    Automatic indexing (kind ``autoindex``) does not count: it is re-run at will, and an
    import's undo must stay possible after the import assigned automatic subjects.
    """
    row = db.execute(
        "SELECT c.id FROM history h JOIN changes c ON c.id = h.change_id WHERE h.record_id = ? "
        "AND c.id > ? AND c.undone_by IS NULL AND c.kind NOT IN ('undo', 'autoindex') "
        "ORDER BY c.id LIMIT 1",
        (record_id, change),
    ).fetchone()
    return None if row is None else int(row[0])
