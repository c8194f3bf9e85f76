"""Index upkeep: build, update, re-index and check the search index of a workspace.

The application layer calls :func:`update_records` and :func:`delete_records` after a write;
``socsec index`` calls :class:`IndexUpkeep` through the search service.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from socsec.errors import BackendUnavailable, NotFoundError, QualityGateFailed, ShardsLost
from socsec.fileutil import exclusive_lock
from socsec.indexer.base import IndexDoc, IndexReport, ProgressFn, Query, SearchBackend, Sort
from socsec.indexer.documents import ANALYSIS_VERSION, Enricher, query_groups

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.indexer.documents import ThesaurusLike
    from socsec.indexer.labels import LabelMatcher
    from socsec.workspace import Workspace


class StaleIndex(QualityGateFailed):
    """`socsec index status --check` found the index out of date with the store or thesaurus."""

    prefix = "Index out of date"


@dataclass(frozen=True)
class IndexStatus:
    """How the index compares with the store and the thesaurus."""

    backend: str
    name: str
    physical: str | None
    documents: int
    records: int
    last_build: str | None
    last_update: str | None
    thesaurus_version: str | None
    indexed_thesaurus_version: str | None
    modified_since_update: int
    deleted_since_update: int
    stale: bool
    reasons: list[str]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``socsec index status --json``."""
        return asdict(self)


@dataclass(frozen=True)
class UpdateReport:
    """What ``socsec index update`` changed."""

    reindexed: int
    deleted: int
    full_scan: bool
    seconds: float

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``socsec index update --json``."""
        return asdict(self)


RECORD_LANGUAGES = "record_languages"
"""Index metadata: the languages of the indexed records (comma-separated), so that a query
is translated only into languages some record is written in."""


# A thesaurus change touching more concepts than this (with their narrower ones) re-enriches
# every record instead: the targeted queries would cost more than the scan.
MAX_TARGETED_CONCEPTS = 500


def _noting_languages(docs: Iterable[IndexDoc], langs: set[str]) -> Iterator[IndexDoc]:
    for doc in docs:
        if doc.language:
            langs.add(doc.language)
        yield doc


def _now() -> str:
    from socsec.bibliography.store import now_iso

    return now_iso()


class IndexUpkeep:
    """Keeps one backend's index in step with the store and the thesaurus.

    Args:
        backend: the search backend.
        thesaurus: the thesaurus cache (labels and hierarchy for enrichment).
        store: the bibliography store.
        matcher: a function giving the label matcher used to detect concepts in text.
        workers: processes that enrich records during a rebuild, or ``"auto"``
            (``index.workers``; see :func:`socsec.indexer.parallel.workers_for`).
        write_lock: a lock file held by rebuilds and updates, so that processes writing at
            once take turns (two updates that both read "changed since" would each re-index
            and stamp the index; taking turns, the second finds only what the first left).
    """

    def __init__(
        self,
        backend: SearchBackend,
        thesaurus: ThesaurusLike,
        store: BibliographyStore,
        matcher: Callable[[], LabelMatcher],
        *,
        write_lock: Path | None = None,
        workers: int | str = 1,
    ) -> None:
        self._write_lock = write_lock
        self.workers = workers
        self.backend = backend
        self.thesaurus = thesaurus
        self.store = store
        self._matcher = matcher

    def _enricher(self) -> Enricher:
        return Enricher(self.thesaurus, _matcher=self._matcher())

    def _meta(self, stamp: str) -> dict[str, str]:
        return {
            "last_update": stamp,
            "thesaurus_version": self.thesaurus.version(),
            "analysis_version": ANALYSIS_VERSION,
        }

    @contextmanager
    def _writing(self) -> Iterator[None]:
        if self._write_lock is None:
            yield
            return
        with exclusive_lock(self._write_lock):
            yield

    def rebuild(self, on_progress: ProgressFn | None = None) -> IndexReport:
        """Index every record into a new index and switch to it; the old one serves until then.

        When a node of a cluster dies during the load and takes shards of the new index with
        it (:class:`ShardsLost`: that index has no replicas yet), the failed index is gone
        and the load runs once more on the nodes left; a second loss raises.
        """
        with self._writing():
            start = time.perf_counter()
            try:
                return self._rebuild(on_progress)
            except ShardsLost:
                report = self._rebuild(on_progress)
            return replace(report, seconds=time.perf_counter() - start, attempts=2)

    def _rebuild(self, on_progress: ProgressFn | None) -> IndexReport:
        started = _now()
        langs: set[str] = set()
        enricher = self._enricher()
        path = getattr(self.thesaurus, "path", None)
        if path is None or self.workers == 1:
            enriched = enricher.enrich_all(self.store.iter_records())
        else:  # index.workers: enrichment in processes (in this one for a small store)
            from socsec.indexer.parallel import enrich_store, workers_for

            workers = workers_for(self.workers, self.store.count())
            enriched = enrich_store(enricher, path, self.store, workers)
        docs = _noting_languages(enriched, langs)
        meta = {"last_build": started, **self._meta(started)}
        report = self.backend.rebuild(docs, meta, on_progress)
        self.backend.set_meta({RECORD_LANGUAGES: ",".join(sorted(langs))})
        return report

    def _add_languages(self, langs: set[str]) -> None:
        known = self.backend.info().meta.get(RECORD_LANGUAGES)
        if known is not None and not langs <= set(known.split(",")):
            merged = langs | set(filter(None, known.split(",")))
            self.backend.set_meta({RECORD_LANGUAGES: ",".join(sorted(merged))})

    def reindex(self, ids: Iterable[str]) -> int:
        """Re-index these records now; ids no longer in the store leave the index.

        Returns the number of documents written.
        """
        with self._writing():
            return self._reindex(ids)

    def _reindex(self, ids: Iterable[str]) -> int:
        present: list[str] = []
        gone: list[str] = []
        for rid in dict.fromkeys(ids):
            try:
                present.append(self.store.resolve_id(rid))
            except NotFoundError:
                gone.append(rid)
        langs: set[str] = set()
        docs = _noting_languages(
            self._enricher().enrich_all(self.store.iter_records(present)), langs
        )
        written = self.backend.index(docs).indexed
        self._add_languages(langs)
        if gone:
            self.backend.delete(gone)
        return written

    def status(self) -> IndexStatus:
        """Backend, index, counts and whether the index lags the store or the thesaurus."""
        info = self.backend.info()
        records = self.store.count()
        last_build = info.meta.get("last_build")
        last_update = info.meta.get("last_update") or last_build
        indexed_version = info.meta.get("thesaurus_version")
        current = self.thesaurus.version()
        modified = deleted = 0
        reasons = []
        if last_update is None:
            reasons.append("never built: run socsec index rebuild")
        else:
            modified = len(self.store.ids_modified_since(last_update))
            deleted = len(self.store.deleted_since(last_update))
            if modified:
                reasons.append(f"{modified} records changed since the last update")
            if deleted:
                reasons.append(f"{deleted} records deleted since the last update")
            if indexed_version != current:
                reasons.append("the thesaurus changed since the last update")
            if info.meta.get("analysis_version", "1") != ANALYSIS_VERSION:
                reasons.append("socsec analyses text differently since the last build")
            if info.count != records:
                reasons.append(f"{info.count} documents for {records} records")
        return IndexStatus(
            backend=info.backend,
            name=info.name,
            physical=info.physical,
            documents=info.count,
            records=records,
            last_build=last_build,
            last_update=last_update,
            thesaurus_version=current,
            indexed_thesaurus_version=indexed_version,
            modified_since_update=modified,
            deleted_since_update=deleted,
            stale=bool(reasons),
            reasons=reasons,
        )

    def check(self) -> IndexStatus:
        """The status; raises :class:`StaleIndex` when the index is out of date."""
        status = self.status()
        if status.stale:
            raise StaleIndex(
                f"{status.name}: " + "; ".join(status.reasons),
                hint="run: socsec index update",
            )
        return status

    def update(self, on_progress: ProgressFn | None = None) -> UpdateReport:
        """Re-enrich and re-index only what changed since the last build or update.

        Records modified or deleted since then are re-indexed or removed. When the thesaurus
        or the analysis changed, every record is re-enriched but only the documents whose
        content changed are written, by comparing fingerprints.
        """
        with self._writing():
            return self._update(on_progress)

    def _update(self, on_progress: ProgressFn | None) -> UpdateReport:
        start = time.perf_counter()
        info = self.backend.info()
        since = info.meta.get("last_update") or info.meta.get("last_build")
        if since is None:
            report = self._rebuild(on_progress)
            return UpdateReport(report.indexed, 0, True, report.seconds)
        stamp = _now()
        enricher = self._enricher()
        full = (
            info.meta.get("thesaurus_version") != self.thesaurus.version()
            or info.meta.get("analysis_version", "1") != ANALYSIS_VERSION
        )
        indexed = deleted = 0
        langs: set[str] = set()
        if not full:
            ids = self.store.ids_modified_since(since)
            changed = _noting_languages(enricher.enrich_all(self.store.iter_records(ids)), langs)
            indexed = self.backend.index(changed, on_progress).indexed
            gone = self.store.deleted_since(since)
            deleted = self.backend.delete(gone) if gone else 0
            # Records added or deleted behind the index's back (a write whose index update
            # failed, a restored store): only then compare every fingerprint.
            full = self.backend.count() != self.store.count()
        if full:
            stored = self.backend.fingerprints()
            seen: set[str] = set()

            def differing() -> Iterator[IndexDoc]:
                for record in self.store.iter_records():
                    seen.add(record.id)
                    doc = enricher.enrich(record)
                    if stored.get(doc.id) != doc.fingerprint:
                        yield doc

            indexed += self.backend.index(
                _noting_languages(differing(), langs), on_progress
            ).indexed
            gone = [i for i in stored if i not in seen]
            deleted += self.backend.delete(gone) if gone else 0
        self._add_languages(langs)
        self.backend.set_meta(self._meta(stamp))
        return UpdateReport(indexed, deleted, full, time.perf_counter() - start)

    def update_after_change(
        self,
        concepts: Collection[str],
        labels: Collection[tuple[str, str]],
        previous_version: str | None,
        on_progress: ProgressFn | None = None,
    ) -> UpdateReport:
        """After a thesaurus change, re-enrich only the records it can alter.

        Those are the records holding one of ``concepts`` (whose labels or ancestors
        changed) or a narrower concept, as subject, ancestor or concept detected in the text;
        the records whose text has one of the ``labels`` (label, language) added or removed;
        and the records written since the last update (e.g. re-tagged by a merge). When the
        index did not reflect ``previous_version`` (the cache before the change), or the
        change is wide, this is :meth:`update`.
        """
        with self._writing():
            info = self.backend.info()
            since = info.meta.get("last_update") or info.meta.get("last_build")
            scope = self._with_narrower(concepts)
            if (
                since is None
                or previous_version is None
                or info.meta.get("thesaurus_version") != previous_version
                or info.meta.get("analysis_version", "1") != ANALYSIS_VERSION
                or len(scope) > MAX_TARGETED_CONCEPTS
            ):
                return self._update(on_progress)
            start = time.perf_counter()
            stamp = _now()
            ids = set(self.store.ids_modified_since(since))
            for uri in scope:
                ids.update(self.store.ids_tagged_with(uri))
            if scope:
                ids |= self._matching(Query(concepts=tuple(sorted(scope))))
            for label, lang in labels:
                groups = query_groups(label, lang)
                if groups:
                    ids |= self._matching(Query(groups=groups))
            present = []
            for rid in sorted(ids):
                try:
                    present.append(self.store.resolve_id(rid))
                except NotFoundError:
                    continue  # deleted: removed below with the other deletions
            langs: set[str] = set()
            docs = self._enricher().enrich_all(self.store.iter_records(present))
            indexed = self.backend.index(_noting_languages(docs, langs), on_progress).indexed
            gone = self.store.deleted_since(since)
            deleted = self.backend.delete(gone) if gone else 0
            self._add_languages(langs)
            self.backend.set_meta(self._meta(stamp))
            return UpdateReport(indexed, deleted, False, time.perf_counter() - start)

    def _with_narrower(self, concepts: Collection[str]) -> set[str]:
        scope = set(concepts)
        for uri in concepts:
            try:
                scope.update(self.thesaurus.descendants(uri))
            except NotFoundError:
                continue  # removed from the thesaurus: its records are found by the query
        return scope

    def _matching(self, query: Query) -> set[str]:
        """Ids of every indexed record matching ``query`` (walked in keyset pages)."""
        found: set[str] = set()
        after = None
        while True:
            page = self.backend.search(
                Query(
                    groups=query.groups,
                    concepts=query.concepts,
                    sort=Sort.year,
                    size=1000,
                    after=after,
                )
            )
            found.update(h.id for h in page.hits)
            if len(page.hits) < 1000:
                return found
            after = page.hits[-1].sort


def _built_upkeep(ws: Workspace, job: Callable[[IndexUpkeep], object]) -> str | None:
    """Run ``job`` on a built index; a one-line stale warning if the backend is down."""
    from socsec.indexer.service import SearchService

    try:
        with SearchService.open(ws) as service:
            if "last_build" not in service.backend.info().meta:
                return None  # never built: the first search builds it
            job(service.upkeep)
    except BackendUnavailable as exc:
        return (
            f"the search index is now stale ({exc.message}); when it is back: socsec index update"
        )
    return None


def update_records(ws: Workspace, ids: Iterable[str]) -> str | None:
    """Re-index these records of ``ws`` after they were added or changed.

    Returns None when done (or when the index was never built), else a one-line reason why
    the index is now stale: the store write has happened, so an unreachable server must not
    undo it.
    """
    wanted = list(ids)
    return _built_upkeep(ws, lambda u: u.reindex(wanted))


def delete_records(ws: Workspace, ids: Iterable[str]) -> str | None:
    """Remove these record ids from the index of ``ws`` (see :func:`update_records`)."""
    wanted = list(ids)
    return _built_upkeep(ws, lambda u: u.backend.delete(wanted))


def sync_index(ws: Workspace) -> str | None:
    """Bring a built index up to date with everything that changed (see :func:`update_records`)."""
    return _built_upkeep(ws, lambda u: u.update())


def sync_after_thesaurus_change(
    ws: Workspace,
    concepts: Collection[str],
    labels: Collection[tuple[str, str]],
    previous_version: str | None,
) -> str | None:
    """Re-enrich the records a thesaurus change can alter.

    See :meth:`IndexUpkeep.update_after_change`; returns a stale warning as
    :func:`update_records` does.
    """
    return _built_upkeep(ws, lambda u: u.update_after_change(concepts, labels, previous_version))
