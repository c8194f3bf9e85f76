"""The library objects a running server shares between requests, reopened when the data changes.

The thesaurus cache and the search service hold SQLite connections (and, for Elasticsearch, an
HTTP client). Requests run in a thread pool, so each resource is used under its own lock; the
lookup hot path takes a cache of its own, so lookups never wait for a search: the in-memory
index, built in a background thread at start-up and after each change of the thesaurus, and
the SQLite engine while it builds, so lookups never wait for a build either.
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

if TYPE_CHECKING:
    from socsec.indexer.service import SearchService
    from socsec.thesaurus.label_index import IndexedCache
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


def _freeze_long_lived() -> None:
    """Set what exists now aside from the garbage collector's full walks.

    The lookup index alone is some 400,000 objects with all of EuroVoc, which every full
    collection would walk again (pauses of 0.2-0.4 s under load); frozen, collections skip
    them. Called once they are built: at start-up and when a new index is swapped in.
    """
    gc.collect()
    gc.freeze()


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
        # The indexed lookup cache (one: more than the cores gains nothing), once built.
        self._pool: queue.Queue[tuple[IndexedCache, tuple[int, int, int]]] = queue.Queue()
        self._indexed = False
        self._pool_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._builder: threading.Thread | None = None
        self._failed: tuple[int, int, int] | None = None  # the file whose index build failed
        self._closed = False
        self.builds = 0  # lookup indexes built and swapped in
        # Called in the build thread before each build: tests hold or fail builds with it.
        self.build_hook: Callable[[], None] | None = None
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
        """A cache that answers lookups now, held exclusively for the ``with`` block.

        For the lookup hot path, called from the thread pool: the in-memory
        :class:`~socsec.thesaurus.label_index.IndexedCache` when its index is of the file
        served (same identity, same data version), else the SQLite engine
        (:meth:`thesaurus`, the same answers) while a new index builds in the background
        (:meth:`wait_for_index`). No lookup waits for an index build, and none reads an
        index older than the file.
        """
        taken = self._take()
        current = False
        if taken is not None:
            try:
                current = taken[1] == _signature(self.ws) and taken[0].is_current()
            finally:
                if not current:
                    self._pool.put(taken)
        if taken is not None and current:
            cache = taken[0]
            try:
                with cache.trusted():  # just checked: the lookups skip their own check
                    yield cache
            finally:
                self._pool.put(taken)
            return
        self._start_build()
        with self.thesaurus() as sql:
            yield sql

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """Wait for the index build under way, if any; True when none is running any more.

        Args:
            timeout: seconds to wait at most (None: until it ends).
        """
        with self._build_lock:
            builder = self._builder
        if builder is None:
            return True
        builder.join(timeout)
        return not builder.is_alive()

    def _start_build(self) -> None:
        # One build at a time; a file whose build failed is not built again (logged once).
        with self._build_lock:
            if self._builder is not None or self._closed:
                return
            if self._failed is not None and self._failed == _signature(self.ws):
                return
            self._builder = threading.Thread(
                target=self._build_loop, name="socsec-lookup-index", daemon=True
            )
            self._builder.start()

    def _build_loop(self) -> None:
        from socsec.thesaurus.label_index import IndexedCache
        from socsec.thesaurus.lookup import get_cache

        while True:
            sig = _signature(self.ws)  # before opening: a later change is seen as stale
            try:
                if self.build_hook is not None:
                    self.build_hook()
                    sig = _signature(self.ws)  # the file may have changed while it held
                cache = get_cache(self.ws, indexed=True)
                try:
                    assert isinstance(cache, IndexedCache)
                    cache.build_index()
                except BaseException:
                    cache.close()
                    raise
            except Exception:
                log.exception("lookup index build failed: lookups use the SQLite engine")
                with self._build_lock:
                    self._failed = sig
                    self._builder = None
                return
            self._swap(cache, sig)
            with self._build_lock:
                # The file changed during the build: build again (lookups stay on SQL).
                if self._closed or _signature(self.ws) == sig:
                    self._builder = None
                    return

    def _swap(self, cache: IndexedCache, sig: tuple[int, int, int]) -> None:
        with self._pool_lock:
            if self._closed:
                cache.close()
                return
            had = self._indexed
            self._indexed = True
        # The old cache may be in a lookup (in memory: brief); the swap waits for it.
        old = self._pool.get() if had else None
        self._pool.put((cache, sig))
        if old is not None:
            old[0].close()
            del old
        self.builds += 1
        _freeze_long_lived()  # the new index lives until the next change of the thesaurus

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
        caller runs :meth:`compute_answer` in the thread pool (:meth:`lookup_thesaurus`).

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

    def _take(self) -> tuple[IndexedCache, tuple[int, int, int]] | None:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._pool_lock:
            indexed = self._indexed
        # In use by another lookup (in memory: brief), or no index built yet.
        return self._pool.get() if indexed else None

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
        self._start_build()  # the in-memory lookup index
        self.wait_for_index()
        with self.lookup_thesaurus() as cache:
            cache.lookup("pension", limit=1)
            cache.lookup("pensoin", limit=1)  # imports the typo matcher
        try:
            with self.search() as svc:
                svc.search(SearchRequest(text="pension", size=1))
        except BackendUnavailable as exc:
            log.warning("search backend unavailable at start-up: %s", exc)
        _freeze_long_lived()  # what start-up built lives as long as the process

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
        """Close the caches and the service (after the index build under way, if any)."""
        with self._build_lock:
            self._closed = True
        self.wait_for_index()
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
