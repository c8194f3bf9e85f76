"""The curation history of the thesaurus: who changed what, when, and how to undo it.

Kept beside the store files, in ``ws.thesaurus_dir / "history"``::

    log.jsonl            one JSON object per change (see :class:`HistoryEntry`)
    blobs/<sha256>.gz    the store files as they were before a change (for undo)

The log is rewritten atomically on every change; blobs are content-addressed, so a file
that did not change between two edits is stored once.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.errors import InputDataError
from socsec.fileutil import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from socsec.workspace import Workspace

HISTORY_DIR = "history"
LOG_NAME = "log.jsonl"


@dataclass(frozen=True)
class HistoryEntry:
    """One change of the thesaurus of record.

    Attributes:
        id: sequence number, from 1.
        when: ISO-8601 UTC time of the change.
        who: the user (setting ``user``, else the USER/LOGNAME environment variable).
        action: add, edit, link, unlink, deprecate, merge, import-labels or undo.
        concepts: the concepts the change is about (URIs).
        summary: one line saying what changed.
        before: the statements (N-Triples) that held before the change and no longer do.
        after: the statements (N-Triples) the change added.
        files: store file name -> [sha256 before, sha256 after] (None: no such file).
        retagged: bibliography records re-tagged by a merge or deprecation.
        retag_moved: the ids of those records (undo tags them back).
        retag_had_new: those of them already tagged with the replacement (undo keeps that tag).
        undoes: for an undo, the id of the change it reverted.
        notes: what the change did besides the request (links dropped, top concept set...).
    """

    id: int
    when: str
    who: str
    action: str
    concepts: list[str]
    summary: str
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    files: dict[str, list[str | None]] = field(default_factory=dict)
    retagged: int = 0
    retag_moved: list[str] = field(default_factory=list)
    retag_had_new: list[str] = field(default_factory=list)
    undoes: int | None = None
    notes: list[str] = field(default_factory=list)


def history_dir(ws: Workspace) -> Path:
    """Where the history of a data dir lives."""
    return ws.thesaurus_dir / HISTORY_DIR


def current_user(ws: Workspace) -> str:
    """Who is changing the thesaurus: setting ``user``, else $USER / $LOGNAME, else "unknown"."""
    configured = ws.settings.get("user")
    return configured or os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


def now() -> str:
    """The current UTC time, ISO-8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256(data: bytes | None) -> str | None:
    """Hex digest of ``data`` (None for an absent file)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_log(ws: Workspace) -> list[HistoryEntry]:
    """Every recorded change, oldest first ([] when there is no history).

    Raises:
        InputDataError: the log is not valid JSON lines.
    """
    path = history_dir(ws) / LOG_NAME
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(HistoryEntry(**json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise InputDataError(f"corrupt history log: {exc}", path=path, line=number) from None
    return entries


def save_blob(ws: Workspace, data: bytes) -> str:
    """Store a file's bytes (gzipped, by digest) and return the digest."""
    digest = hashlib.sha256(data).hexdigest()
    path = history_dir(ws) / "blobs" / f"{digest}.gz"
    if not path.is_file():
        # Level 1: an import saves megabytes here; level 9 took 5x longer for ~15% less.
        import gzip  # lazily: every start-up imports this module, few writes need it

        atomic_write_bytes(path, gzip.compress(data, compresslevel=1, mtime=0))
    return digest


def load_blob(ws: Workspace, digest: str) -> bytes:
    """The bytes saved by :func:`save_blob`.

    Raises:
        InputDataError: the blob is missing or damaged.
    """
    path = history_dir(ws) / "blobs" / f"{digest}.gz"
    try:
        import gzip

        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise InputDataError(f"history blob unreadable: {exc}", path=path) from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise InputDataError("history blob does not match its digest", path=path)
    return data


def append(ws: Workspace, entry: HistoryEntry) -> None:
    """Add one entry to the log (the log is rewritten atomically)."""
    path = history_dir(ws) / LOG_NAME
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    line = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True)
    atomic_write_text(path, old + line + "\n")


def next_id(entries: list[HistoryEntry]) -> int:
    """The id of the next entry."""
    return entries[-1].id + 1 if entries else 1


def last_undoable(entries: list[HistoryEntry]) -> HistoryEntry | None:
    """The latest change that is not an undo and has not been undone."""
    undone = {e.undoes for e in entries if e.undoes is not None}
    for entry in reversed(entries):
        if entry.action != "undo" and entry.id not in undone:
            return entry
    return None


def entries_for(entries: list[HistoryEntry], uri: str | None) -> list[HistoryEntry]:
    """Entries about one concept (all when ``uri`` is None), newest first."""
    chosen = [e for e in entries if uri is None or uri in e.concepts]
    return list(reversed(chosen))
