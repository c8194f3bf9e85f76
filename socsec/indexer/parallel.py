"""Enrichment in worker processes, for rebuilds: records in, documents out, in order.

Enrichment (stemming, label matching) is pure Python and CPU-bound, the slowest step of a
rebuild; worker processes share it out. What crosses the pipes must cost far less than
enriching, or the workers lose to one process (measured: pickled records in and pickled
documents out made 2 workers slower than 1 even with 2 idle cores). So a worker reads its
own slice of records from the store (the parent sends two ids) and sends back its
documents as one ``marshal`` blob of plain tuples (:func:`encode_docs`), which the parent
turns back into the same documents at a fraction of the cost of pickling objects.

Memory stays bounded: at most two slices per worker are in flight. Workers are forked
(they inherit the label matcher already built), open the thesaurus cache and the store
themselves, and die with their parent (PR_SET_PDEATHSIG on Linux).
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socsec.indexer.base import IndexDoc

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.bibliography.store import BibliographyStore
    from socsec.indexer.documents import Enricher

CHUNK = 500

_FIELDS = tuple(f.name for f in fields(IndexDoc))

_parent: Enricher | None = None  # set in the parent before the fork
_enricher: Enricher | None = None  # each worker's own
_store: BibliographyStore | None = None  # each worker's own connection, when reading slices
_init_error: Exception | None = None  # why this worker could not open what it reads


def encode_docs(docs: Iterable[IndexDoc]) -> bytes:
    """Documents as one compact blob (``marshal`` of one tuple of field values per document).

    Raises:
        ValueError: a document holds a value marshal cannot write (documents hold only
            strings, numbers, None, tuples, lists and dicts).
    """
    return marshal.dumps([tuple(getattr(d, name) for name in _FIELDS) for d in docs])


def decode_docs(blob: bytes) -> list[IndexDoc]:
    """The documents of :func:`encode_docs`, equal to the ones encoded (same types too)."""
    # The cyclic GC would run every few hundred containers made and walk the parent's heap
    # (the label matcher): 8x the cost of the decoding itself. Plain data holds no cycles.
    paused = gc.isenabled()
    gc.disable()
    try:
        return [IndexDoc(*values) for values in marshal.loads(blob)]
    finally:
        if paused:
            gc.enable()


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _init(cache_path: str, store_path: str | None) -> None:
    global _enricher, _store, _init_error
    _die_with_parent()
    try:
        from socsec.thesaurus.lookup import ThesaurusCache

        assert _parent is not None
        # The parent's matcher and concept cache (inherited), this process's own connection.
        thesaurus = ThesaurusCache.open(Path(cache_path))
        _enricher = replace(_parent, thesaurus=thesaurus)
        if store_path is not None:
            from socsec.bibliography.store import BibliographyStore

            _store = BibliographyStore.open(Path(store_path))
    except Exception as exc:  # Pool would start a failed worker again and again, forever
        _init_error = exc


def _ready() -> Enricher:
    """This worker's enricher, or the error that kept it from opening (raised in the parent)."""
    if _init_error is not None:
        raise _init_error
    assert _enricher is not None
    return _enricher


def _enrich_chunk(records: list[Record]) -> bytes:
    enricher = _ready()
    return encode_docs(enricher.enrich(r) for r in records)


def _enrich_slice(after: str, upto: str) -> bytes:
    enricher = _ready()
    assert _store is not None
    return encode_docs(enricher.enrich(r) for r in _store.iter_records(after=after, upto=upto))


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Below this many records forking and warming workers costs more than it saves.
AUTO_MIN_RECORDS = 10 * CHUNK
AUTO_MAX_WORKERS = 4  # the parent writing the index is the bottleneck beyond this


def workers_for(setting: int | str, records: int) -> int:
    """Enrichment processes for a rebuild of ``records``: ``index.workers`` as a number or auto.

    ``auto`` gives one process per core this process may run on (at most
    ``AUTO_MAX_WORKERS``) for a store of at least ``AUTO_MIN_RECORDS`` records, else 1.
    """
    if setting != "auto":
        return int(setting)
    if records < AUTO_MIN_RECORDS or not can_fork():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity call
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_MAX_WORKERS))


def can_fork() -> bool:
    """Whether worker processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _in_order(
    enricher: Enricher,
    cache_path: Path,
    store_path: Path | None,
    func: Callable[..., bytes],
    tasks: Iterable[tuple[Any, ...]],
    workers: int,
) -> Iterator[IndexDoc]:
    """Documents of ``func(*task)`` run by ``workers`` processes, in the order of ``tasks``."""
    global _parent
    from socsec.indexer.documents import spared_by_collector

    if enricher.detect:
        enricher.matcher.prepare()  # built once here, inherited by every worker
    _parent = enricher
    ctx = multiprocessing.get_context("fork")
    initargs = (str(cache_path), None if store_path is None else str(store_path))
    # Objects made so far (the matcher: hundreds of thousands) leave the GC's reach, in the
    # workers too: their collections would otherwise walk them and dirty their pages
    # (copy-on-write).
    with spared_by_collector(), ctx.Pool(workers, initializer=_init, initargs=initargs) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[bytes]] = deque()
        for task in tasks:
            pending.append(pool.apply_async(func, task))
            if len(pending) >= 2 * workers:
                yield from decode_docs(pending.popleft().get())
        while pending:
            yield from decode_docs(pending.popleft().get())


def enrich_parallel(
    enricher: Enricher, cache_path: Path, records: Iterable[Record], workers: int
) -> Iterator[IndexDoc]:
    """The documents of ``records`` in order, enriched by ``workers`` processes.

    The records are pickled to the workers: prefer :func:`enrich_store` for records that
    are in a store. Falls back to ``enricher`` in this process when ``workers`` is 1 or
    fork is unavailable.

    Args:
        enricher: the parent's enricher (its label matcher is handed to the workers).
        cache_path: the thesaurus cache file the workers open.
        records: the records, streamed.
        workers: number of worker processes.
    """
    if workers <= 1 or not can_fork():
        yield from enricher.enrich_all(records)
        return
    tasks = ((chunk,) for chunk in _chunks(records))
    yield from _in_order(enricher, cache_path, None, _enrich_chunk, tasks, workers)


def enrich_store(
    enricher: Enricher, cache_path: Path, store: BibliographyStore, workers: int
) -> Iterator[IndexDoc]:
    """The documents of every record of ``store`` in id order, enriched by ``workers`` processes.

    Each worker reads its slice of records from the store itself; only two ids go to it and
    one blob of documents comes back. Falls back to ``enricher`` in this process when
    ``workers`` is 1 or fork is unavailable.

    Args:
        enricher: the parent's enricher (its label matcher is handed to the workers).
        cache_path: the thesaurus cache file the workers open.
        store: the bibliography store (the workers open its file).
        workers: number of worker processes.
    """
    if workers <= 1 or not can_fork():
        yield from enricher.enrich_all(store.iter_records())
        return
    tasks = store.id_slices(CHUNK)
    yield from _in_order(enricher, cache_path, store.path, _enrich_slice, tasks, workers)
