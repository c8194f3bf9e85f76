"""The write path of a small change (curation, undo): files, quad index and cache rows.

An import rewrites most files and recompiles the cache (:func:`socsec.thesaurus.manage.
commit_store`); a curation change rewrites one or two scheme files. Here the changed
files' triples are compared with what the quad index holds for them, the files are
replaced, and the index and the lookup cache are updated for the difference only. If the
cache does not match the files as they were (an older cache, or a crash between a file
write and the cache update) it is recompiled whole instead: slower, never wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from socsec.fileutil import atomic_write_bytes
from socsec.thesaurus.cache_update import (
    CacheUpdate,
    cache_digests,
    touched_resources,
    update_cache,
)
from socsec.thesaurus.compile import build_cache
from socsec.thesaurus.journal import crash_point
from socsec.thesaurus.quadindex import QuadIndex, scoped, sha256
from socsec.thesaurus.rdfio import RdfFormat, parse_bytes
from socsec.thesaurus.store import MANIFEST, Manifest

# Above this many changed triples (an undone import) one full recompilation is faster.
_INCREMENTAL_LIMIT = 5000
_REWRITE_FILE = 200  # changed triples in one file above which its index rows are reloaded

if TYPE_CHECKING:
    from socsec.workspace import Workspace


def commit_files(
    ws: Workspace,
    index: QuadIndex,
    manifest: Manifest,
    before: dict[str, bytes],
    payloads: dict[str, bytes],
    removed: Sequence[str] = (),
    *,
    parsed: dict[str, list[ox.Triple]] | None = None,
    manifest_bytes: bytes | None = None,
) -> CacheUpdate:
    """Replace store files and update the index and the cache for the difference.

    Call with the writer lock held and ``index`` in step with ``before``.

    Args:
        ws: the data dir.
        index: the quad index (holding ``before``).
        manifest: the manifest to save.
        before: every store file's bytes before the change.
        payloads: file name -> new bytes.
        removed: files to delete.
        parsed: file name -> its (scoped) triples after the change, when the caller has
            them (saves parsing ``payloads`` again).
        manifest_bytes: the manifest to write as it is (an undo restores it byte for byte).
    """
    touched = [*payloads, *removed]
    new = {
        name: set(parsed[name]) if parsed and name in parsed else set(_parse(data, name))
        for name, data in payloads.items()
    }
    old = {name: set(index.of_file(name)) for name in touched}
    old_set = {t for triples in old.values() for t in triples}
    new_set = {t for triples in new.values() for t in triples}
    added, gone = new_set - old_set, old_set - new_set
    digests = {name: sha256(data) for name, data in before.items()}
    small = len(added) + len(gone) <= _INCREMENTAL_LIMIT
    incremental = small and cache_digests(ws.thesaurus_cache) == digests
    delta = 0
    if incremental:  # triples another file also holds do not change the union's size
        delta = sum(not _elsewhere(index, t, touched) for t in added)
        delta -= sum(not _elsewhere(index, t, touched) for t in gone)
    after = {name: d for name, d in digests.items() if name not in removed}
    after.update({name: sha256(data) for name, data in payloads.items()})
    for name, data in payloads.items():
        atomic_write_bytes(ws.thesaurus_dir / name, data)
        crash_point("after-file")
    for name in removed:
        (ws.thesaurus_dir / name).unlink(missing_ok=True)
    if manifest_bytes is not None:
        atomic_write_bytes(ws.thesaurus_dir / MANIFEST, manifest_bytes)
        manifest = Manifest.load(ws.thesaurus_dir)
    elif removed:
        manifest.files = {n: s for n, s in manifest.files.items() if n not in removed}
        manifest.save(ws.thesaurus_dir)
    with index.transaction():
        for name in removed:
            index.replace_file(name, None, None)
        for name, triples in new.items():
            plus, minus = triples - old[name], old[name] - triples
            if len(plus) + len(minus) > _REWRITE_FILE:  # an undone import: reload the file
                index.replace_file(name, list(triples), after[name])
            else:
                index.apply(name, plus, minus, after[name])
    crash_point("after-index")
    changed = sorted(added | gone, key=str)
    if incremental:
        return update_cache(ws.thesaurus_cache, index, changed, manifest, after, triple_delta=delta)
    union = list(dict.fromkeys(t for t, _f in index.query("1", ())))
    build_id = build_cache(union, manifest, ws.thesaurus_cache, digests=after)
    return CacheUpdate(build_id=build_id, affected=touched_resources(changed))


def _parse(data: bytes, name: str) -> list[ox.Triple]:
    return scoped(parse_bytes(data, RdfFormat.ttl), name)


def _elsewhere(index: QuadIndex, t: ox.Triple, touched: Sequence[str]) -> bool:
    """Whether a file other than the ``touched`` ones also holds ``t``."""
    return any(name not in touched for found, name in index.about(str(t.subject)) if found == t)
