"""Enrichment in worker processes, for rebuilds: records in, documents out, in order.

Enrichment (stemming, label matching) is pure Python and CPU-bound, the slowest step of a
rebuild; worker processes share it out. Memory stays bounded: at most two chunks per worker
are in flight. Workers are forked (they inherit the label matcher already built), open the
thesaurus cache read-only themselves, and die with their parent (PR_SET_PDEATHSIG on Linux).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.bibliography.model import Record
    from socsec.indexer.base import IndexDoc
    from socsec.indexer.documents import Enricher, LabelMatcher

CHUNK = 500

_matcher: LabelMatcher | None = None  # set in the parent before the fork
_enricher: Enricher | None = None  # each worker's own


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _init(cache_path: str) -> None:
    global _enricher
    _die_with_parent()
    from socsec.indexer.documents import Enricher
    from socsec.thesaurus.lookup import ThesaurusCache

    _enricher = Enricher(ThesaurusCache.open(Path(cache_path)), _matcher=_matcher)


def _enrich_chunk(records: list[Record]) -> list[IndexDoc]:
    assert _enricher is not None
    return [_enricher.enrich(r) for r in records]


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def can_fork() -> bool:
    """Whether worker processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def enrich_parallel(
    enricher: Enricher, cache_path: Path, records: Iterable[Record], workers: int
) -> Iterator[IndexDoc]:
    """The documents of ``records`` in order, enriched by ``workers`` processes.

    Falls back to ``enricher`` in this process when ``workers`` is 1 or fork is unavailable.

    Args:
        enricher: the parent's enricher (its label matcher is handed to the workers).
        cache_path: the thesaurus cache file the workers open.
        records: the records, streamed.
        workers: number of worker processes.
    """
    global _matcher
    if workers <= 1 or not can_fork():
        yield from enricher.enrich_all(records)
        return
    _matcher = enricher.matcher  # built once here, inherited by every worker
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init, initargs=(str(cache_path),)) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[list[IndexDoc]]] = deque()
        for chunk in _chunks(records):
            pending.append(pool.apply_async(_enrich_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
