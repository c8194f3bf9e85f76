"""The library objects a running server shares between requests, reopened when the data changes.

The thesaurus cache and the search service hold SQLite connections (and, for Elasticsearch, an
HTTP client). Requests run in a thread pool, so each resource is used under its own lock; the
lookup hot path takes a pooled cache of its own, so lookups never wait for a search.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from socsec.web.memo import AnswerMemo

# An answer's memo key: the identity of the cache file it was computed from, and the request.
MemoKey = tuple[tuple[int, int, int], Hashable]
# Lookup caches open at most at once: more than the cores gains nothing, each is a connection.
LOOKUP_POOL = 1

if TYPE_CHECKING:
    from socsec.indexer.service import SearchService
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.thesaurus.sparql import SparqlEngine
    from socsec.workspace import Workspace


log = logging.getLogger("socsec.web")


def _signature(ws: Workspace) -> tuple[int, int, int]:
    """Identity of the compiled cache file (inode, mtime, size).

    An import replaces the file (new inode); an edit rewrites rows in place (new mtime).
    """
    try:
        st = os.stat(ws.thesaurus_cache)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Resources:
    """Lazily opened thesaurus cache and search service of one workspace.

    Args:
        ws: the data dir served.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._cache: ThesaurusCache | None = None
        self._cache_sig: tuple[int, int, int] | None = None
        self._service: SearchService | None = None
        self._service_sig: tuple[int, int, int] | None = None
        self._sparql: SparqlEngine | None = None
        self._sparql_sig: tuple[int, int, int] | None = None
        self._pool: queue.Queue[tuple[ThesaurusCache, tuple[int, int, int]]] = queue.Queue()
        self._pool_open = 0
        self._pool_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._search_lock = threading.Lock()
        self.answers = AnswerMemo()

    @contextmanager
    def thesaurus(self) -> Iterator[ThesaurusCache]:
        """The thesaurus cache, held exclusively for the ``with`` block."""
        with self._cache_lock:
            sig = _signature(self.ws)
            if self._cache is None or sig != self._cache_sig:
                from socsec.thesaurus.lookup import get_cache

                if self._cache is not None:
                    self._cache.close()
                self._cache = get_cache(self.ws)
                self._cache_sig = _signature(self.ws)
            yield self._cache

    @contextmanager
    def lookup_thesaurus(self) -> Iterator[ThesaurusCache]:
        """One of up to ``LOOKUP_POOL`` caches, held exclusively for the ``with`` block.

        For the lookup hot path, called from the thread pool: an in-memory
        :class:`~socsec.thesaurus.label_index.IndexedCache`, shared by the threads one at a
        time. A thesaurus import is noticed (the cache file's identity) and the stale cache
        reopened; an edit in place is noticed by the cache itself (its data version).
        """
        from socsec.thesaurus.lookup import get_cache

        cache, sig = self._take()
        current = _signature(self.ws)
        if sig != current:
            cache.close()
            cache, sig = get_cache(self.ws, indexed=True), _signature(self.ws)
        try:
            yield cache
        finally:
            self._pool.put((cache, sig))

    def lookup_answer(self, key: Hashable, answer: Callable[[ThesaurusCache], bytes]) -> bytes:
        """The encoded answer to a lookup-like request, from the memo or computed and kept.

        Args:
            key: the request (endpoint and parameters), hashable.
            answer: computes the body from a thesaurus cache (on a miss only).
        """
        memo_key, body = self.remembered(key)
        return self.compute_answer(memo_key, answer) if body is None else body

    def remembered(self, key: Hashable) -> tuple[MemoKey, bytes | None]:
        """The memo key of a request and its answer if kept (a dict read: fit for the event loop).

        The key holds the identity of the cache file, taken before any cache is used: the
        cache that computes a missing answer is at least this new, so an answer is never
        kept under the identity of a newer file than the one it was computed from.
        """
        memo_key = (_signature(self.ws), key)
        return memo_key, self.answers.get(memo_key)

    def answer_in_memory(
        self, memo_key: MemoKey, term: str, answer: Callable[[ThesaurusCache], bytes]
    ) -> bytes | None:
        """Compute an answer now if that reads memory only, else None (never waits).

        For the event loop: it takes the pooled lookup cache only if it is free and still
        the served file's (one ``stat``), and computes only if the cache's in-memory index
        is current and answers ``term`` from memory
        (:meth:`~socsec.thesaurus.label_index.IndexedCache.in_memory`). Otherwise the
        caller runs :meth:`compute_answer` in the thread pool (which may rebuild the index).

        Args:
            memo_key: from :meth:`remembered`.
            term: the term the answer looks up.
            answer: computes the body from a thesaurus cache.
        """
        try:
            cache, sig = self._pool.get_nowait()
        except queue.Empty:
            return None
        body = None
        try:
            in_memory = getattr(cache, "in_memory", None)
            # The memo key holds the file's identity, taken just before (no second stat).
            if in_memory is not None and sig == memo_key[0]:
                with in_memory(term) as ok:
                    if ok:
                        body = answer(cache)
        finally:
            self._pool.put((cache, sig))
        if body is not None:
            self.answers.put(memo_key, body)
        return body

    def compute_answer(self, memo_key: MemoKey, answer: Callable[[ThesaurusCache], bytes]) -> bytes:
        """Compute an answer missing from the memo (blocking: run it in the thread pool).

        Args:
            memo_key: from :meth:`remembered`.
            answer: computes the body from a thesaurus cache.
        """
        with self.lookup_thesaurus() as cache:
            body = answer(cache)
        self.answers.put(memo_key, body)
        return body

    def _take(self) -> tuple[ThesaurusCache, tuple[int, int, int]]:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._pool_lock:
            grow = self._pool_open < LOOKUP_POOL
            if grow:
                self._pool_open += 1
        if not grow:
            return self._pool.get()
        from socsec.thesaurus.lookup import get_cache

        try:
            return get_cache(self.ws, indexed=True), _signature(self.ws)
        except BaseException:
            with self._pool_lock:
                self._pool_open -= 1
            raise

    @contextmanager
    def search(self) -> Iterator[SearchService]:
        """The search service (backend, its own thesaurus cache, the bibliography store)."""
        with self._search_lock:
            sig = _signature(self.ws)
            if self._service is None or sig != self._service_sig:
                from socsec.indexer.service import SearchService

                if self._service is not None:
                    self._service.close()
                    self._service = None
                self._service = SearchService.open(self.ws)
                self._service_sig = _signature(self.ws)
            yield self._service

    def sparql(self) -> SparqlEngine:
        """The SPARQL engine (its worker process starts on the first query)."""
        with self._cache_lock:
            sig = _signature(self.ws)
            if self._sparql is None or sig != self._sparql_sig:
                from socsec.thesaurus.sparql import SparqlEngine

                if self._sparql is not None:
                    self._sparql.close()
                self._sparql = SparqlEngine(self.ws.thesaurus_dir)
                self._sparql_sig = sig
            return self._sparql

    def warm_up(self) -> None:
        """Open everything and build the embedded index if needed, so first requests are fast.

        An unreachable search server does not stop the service: it is logged, searches
        answer 503 and /api/health says so until the server is back.
        """
        from socsec.errors import BackendUnavailable
        from socsec.indexer.service import SearchRequest

        with self.thesaurus() as cache:
            cache.lookup("pension", limit=1)
        with self.lookup_thesaurus() as cache:  # builds the in-memory lookup index
            cache.lookup("pension", limit=1)
            cache.lookup("pensoin", limit=1)  # imports the typo matcher
        try:
            with self.search() as svc:
                svc.search(SearchRequest(text="pension", size=1))
        except BackendUnavailable as exc:
            log.warning("search backend unavailable at start-up: %s", exc)
        # What start-up built lives as long as the process: the lookup index alone is some
        # 400,000 objects with all of EuroVoc, which every full garbage collection would walk
        # again (pauses of 0.2-0.4 s under load). Frozen, collections skip them.
        gc.collect()
        gc.freeze()

    def search_health(self) -> dict[str, object]:
        """Whether the search backend answers: ``{"backend", "available"}`` (and why not)."""
        from socsec.errors import SocsecError

        name = self.ws.settings.backend
        try:
            with self.search() as svc:
                svc.backend.count()
        except SocsecError as exc:
            log.warning("search backend unavailable: %s", exc)
            return {"backend": name, "available": False}
        return {"backend": name, "available": True}

    def close(self) -> None:
        """Close the caches and the service."""
        while True:
            try:
                cache, _sig = self._pool.get_nowait()
            except queue.Empty:
                break
            cache.close()
        with self._cache_lock:
            if self._cache is not None:
                self._cache.close()
                self._cache = None
        with self._search_lock:
            if self._service is not None:
                self._service.close()
                self._service = None
        if self._sparql is not None:
            self._sparql.close()
            self._sparql = None
