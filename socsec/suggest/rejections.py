"""Suggestions a librarian rejected, remembered so the review queue does not offer them again.

A JSON-lines file in the data dir (``suggest/rejections.jsonl``), appended under a lock: one
line per rejected (record, concept), with who and when. Minimal on purpose: the subject
provenance work (manual/accepted/automatic) may move this into the bibliography store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from socsec.fileutil import exclusive_lock

if TYPE_CHECKING:
    from pathlib import Path

    from socsec.workspace import Workspace


def path(ws: Workspace) -> Path:
    """Where the rejections of a data dir are kept."""
    return ws.root / "suggest" / "rejections.jsonl"


def add(ws: Workspace, record_id: str, uris: Iterable[str], who: str) -> int:
    """Remember that ``who`` rejected ``uris`` for ``record_id``; returns the lines written."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [
        json.dumps({"record": record_id, "uri": u, "who": who, "at": at}, ensure_ascii=False)
        for u in dict.fromkeys(uris)
    ]
    if not lines:
        return 0
    target = path(ws)
    with exclusive_lock(target.with_suffix(".lock")), target.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return len(lines)


def rejected(ws: Workspace) -> dict[str, set[str]]:
    """Record id -> the concept URIs rejected for it (a torn last line is ignored)."""
    out: dict[str, set[str]] = {}
    target = path(ws)
    if not target.exists():
        return out
    for line in target.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
            out.setdefault(str(item["record"]), set()).add(str(item["uri"]))
        except (ValueError, KeyError, TypeError):
            continue
    return out
