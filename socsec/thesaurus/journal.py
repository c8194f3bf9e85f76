"""One commit point for a thesaurus change, and recovery after a crash.

A change (an import, a curation edit, an undo) writes several things: store files, the
manifest, the quad index, the lookup cache, the history, maybe the bibliography's tags.
A kill between two of them used to leave them disagreeing (files changed, cache and history
not). Now every change first writes a journal, ``thesaurus/.journal.json``, atomically: the
history entry it will record, each file's new bytes with their sha256, and the re-tagging
it will do. Writing the
journal is the commit point:

* killed before it: nothing of the change is visible (only temp files, removed at recovery);
* killed after it: :func:`recover` finishes the change from the journal (files from the
  journal, history entry appended once, re-tagging redone, cache recompiled if it does not
  match the files), then deletes the journal.

The index and the cache are derived from the files and record the digests they were built
from, so recovery can always tell whether they are current.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.fileutil import atomic_write_bytes, atomic_write_text, exclusive_lock
from socsec.thesaurus import history
from socsec.thesaurus.history import HistoryEntry

if TYPE_CHECKING:
    from socsec.thesaurus.working import TaggedRecords
    from socsec.workspace import Workspace

JOURNAL = ".journal.json"
MANIFEST = "manifest.json"  # as in socsec.thesaurus.store (not imported: start-up stays light)


def journal_path(ws: Workspace) -> Path:
    """Where the journal of a data dir lives."""
    return ws.thesaurus_dir / JOURNAL


def begin(
    ws: Workspace,
    entry: HistoryEntry,
    payloads: dict[str, bytes],
    removed: list[str],
    *,
    retag: tuple[str, str | None] | None = None,
    untag_back: int | None = None,
) -> None:
    """Commit to a change: write the journal (with the new bytes) atomically.

    Call with the writer lock held, before any store file is touched.

    Args:
        ws: the data dir.
        entry: the history entry the change records.
        payloads: file name (a store file or ``manifest.json``) -> new bytes.
        removed: store files the change deletes.
        retag: (old, new) concept URIs whose records are re-tagged.
        untag_back: for an undo, the id of the change whose re-tagging is reverted.
    """
    files: dict[str, str | None] = {n: history.sha256(d) for n, d in payloads.items()}
    files.update(dict.fromkeys(removed))
    record = {
        "entry": asdict(entry),
        "files": files,
        # The new bytes travel in the journal itself: one file, one fsync (an import writes
        # ~130 files; a blob each cost about a second per import).
        "data": {name: data.decode("utf-8") for name, data in payloads.items()},
        "retag": list(retag) if retag else None,
        "untag_back": untag_back,
    }
    crash_point("before-journal")
    atomic_write_text(journal_path(ws), json.dumps(record, ensure_ascii=False, sort_keys=True))
    crash_point("after-journal")


def finish(ws: Workspace, entry: HistoryEntry, *, known: bool | None = None) -> None:
    """Record the entry in the history and drop the journal: the change is complete.

    ``known``: whether the log may hold the entry already (None: look; False: the caller
    knows it does not, as in a change that was not interrupted).
    """
    crash_point("before-history")
    if known is False or entry.id not in {e.id for e in history.read_log(ws)}:
        history.append(ws, entry)
    journal_path(ws).unlink(missing_ok=True)


def needs_recovery(ws: Workspace) -> bool:
    """Whether a change was interrupted after its commit point (a journal is left)."""
    return journal_path(ws).is_file()


def recover(ws: Workspace, *, locked: bool = False, records: TaggedRecords | None = None) -> bool:
    """Finish an interrupted change and remove temp files left by killed writers.

    Returns True when a journal was replayed. ``locked``: the caller holds the writer lock.
    ``records``: the records a replayed merge or undo re-tags (None: their tags are left).
    """
    if not locked:
        with exclusive_lock(ws.thesaurus_lock):
            return recover(ws, locked=True, records=records)
    remove_stale_temp_files(ws)
    path = journal_path(ws)
    replayed = False
    if path.is_file():
        record = json.loads(path.read_text(encoding="utf-8"))
        entry = HistoryEntry(**record["entry"])
        for name, digest in sorted(record["files"].items()):
            target = ws.thesaurus_dir / name
            if digest is None:
                target.unlink(missing_ok=True)
                continue
            current = target.read_bytes() if target.is_file() else None
            if history.sha256(current) != digest:
                atomic_write_bytes(target, record["data"][name].encode("utf-8"))
        known = {e.id for e in history.read_log(ws)}
        if record.get("retag") and entry.id not in known and records is not None:
            old, new = record["retag"]
            records.retag(old, new)
        if record.get("untag_back") and entry.id not in known:
            from socsec.thesaurus.curation import _untag_back

            for done in history.read_log(ws):
                if done.id == record["untag_back"]:
                    _untag_back(done, records)
        replayed = True
    ensure_cache(ws)
    if replayed:
        finish(ws, entry)
    return replayed


def ensure_cache(ws: Workspace) -> None:
    """Recompile the lookup cache if it does not match the store files (or is missing)."""
    from socsec.thesaurus.cache_update import cache_digests
    from socsec.thesaurus.compile import file_digests, rebuild_cache

    if not any(ws.thesaurus_dir.glob("*.ttl")):
        return
    if cache_digests(ws.thesaurus_cache) != file_digests(ws.thesaurus_dir):
        rebuild_cache(ws)


def needs_attention(ws: Workspace) -> bool:
    """Start-up check: a change was interrupted or a writer left temp files.

    Cheap (a stat and a few directory listings), so every command can afford it.
    """
    hot = Path(f"{ws.thesaurus_cache}-journal").exists()  # a killed in-place cache update
    return needs_recovery(ws) or hot or bool(stale_temp_files(ws))


def recover_at_start(ws: Workspace, records: TaggedRecords | None = None) -> bool:
    """Recover if :func:`needs_attention`; waits for the writer lock, so a writer still
    running is never disturbed. Returns whether anything was done.
    """
    if needs_attention(ws):
        recover(ws, records=records)
        return True
    return False


def stale_temp_files(ws: Workspace) -> list[Path]:
    """Temp files of thesaurus writers (stale unless a writer is running)."""
    folders = [ws.thesaurus_dir, history.history_dir(ws), history.history_dir(ws) / "blobs"]
    found = [p for folder in folders if folder.is_dir() for p in folder.glob(".*.tmp")]
    cache = ws.thesaurus_cache
    found += list(cache.parent.glob(f".{cache.name}*.tmp"))
    staging = cache.with_name(cache.name + ".staging")
    return found + ([staging] if staging.exists() else [])


def crash_point(name: str) -> None:
    """Test hook: ``SOCSEC_CRASH_AT=name`` kills the process here (as kill -9 would)."""
    if os.environ.get("SOCSEC_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def remove_stale_temp_files(ws: Workspace) -> list[Path]:
    """Delete the temp files of killed writers (call with the writer lock held)."""
    found = stale_temp_files(ws)
    for p in found:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    return found


__all__ = ["JOURNAL", "MANIFEST", "begin", "finish", "needs_recovery", "recover"]
