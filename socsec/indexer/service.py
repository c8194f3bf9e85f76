"""The search service the CLI calls: query expansion, paging, explain and index lifecycle.

It joins the three areas: the thesaurus (concepts named by the query, labels shown),
the bibliography store (records to index or export) and the configured search backend.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from socsec.analysis import base_language, fold
from socsec.errors import BackendUnavailable, NotFoundError, QualityGateFailed
from socsec.indexer.base import (
    OWN_FIELDS,
    TEXT_FIELDS,
    Hit,
    IndexDoc,
    IndexReport,
    ProgressFn,
    Query,
    SearchBackend,
    Sort,
)
from socsec.indexer.documents import Enricher, LabelMatcher, highlight, query_groups

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

STREAM_PAGE = 500


class StaleIndex(QualityGateFailed):
    """`socsec index status --check` found the index out of date with the store or thesaurus."""

    prefix = "Index out of date"


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for, before analysis (see ``socsec search --help``).

    Attributes:
        text: free text in any of en/fr/es (may be empty: filters only).
        concept: a concept URI, notation or label restricting the results.
        exact_concept: do not include narrower concepts of ``concept``.
        expand: match the concepts the text names, and the thesaurus labels of records.
        lang: language of the query and of the labels shown (None: any / English).
        year_from: first year.
        year_to: last year.
        types: record types.
        languages: record languages.
        author: an author name (family name or full name).
        facets: compute facets.
        sort: result order.
        page: 1-based page.
        size: hits per page.
    """

    text: str = ""
    concept: str | None = None
    exact_concept: bool = False
    expand: bool = True
    lang: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    author: str | None = None
    facets: bool = False
    sort: Sort = Sort.relevance
    page: int = 1
    size: int = 10


@dataclass(frozen=True)
class Expansion:
    """A concept the query text names, and why: the words and the label that matched."""

    uri: str
    label: str
    words: str
    matched_label: str
    matched_lang: str
    match: str


@dataclass(frozen=True)
class ConceptRef:
    """A concept as shown: URI and label in the display language."""

    uri: str
    label: str


@dataclass(frozen=True)
class ResultHit:
    """One hit as shown or exported."""

    id: str
    score: float
    year: int | None
    type: str
    language: str | None
    title: str
    highlight: str | None
    authors: list[str]
    subjects: list[ConceptRef]
    why: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FacetValue:
    """One facet bucket; ``label`` is the concept label for subject facets."""

    value: str | int
    count: int
    label: str | None = None


@dataclass(frozen=True)
class SearchResponse:
    """A page of results with its total, facets and the expansion applied."""

    hits: list[ResultHit]
    total: int
    page: int
    size: int
    terms: list[list[str]]
    expansions: list[Expansion]
    concept_filter: list[ConceptRef]
    facets: dict[str, list[FacetValue]] | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``socsec search --json`` (snake_case keys)."""
        return asdict(self)


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


def _now() -> str:
    from socsec.bibliography.store import now_iso

    return now_iso()


class SearchService:
    """Searches and maintains the index of one workspace.

    Args:
        backend: the search backend (see :func:`socsec.indexer.registry.open_backend`).
        thesaurus: the compiled thesaurus cache.
        store: the bibliography store (needed to build, update and export).
    """

    def __init__(
        self,
        backend: SearchBackend,
        thesaurus: ThesaurusCache,
        store: BibliographyStore | None = None,
        *,
        label_cache: Path | None = None,
        workers: int = 1,
    ) -> None:
        self.backend = backend
        self.workers = workers
        self._label_cache = label_cache
        self._matcher: LabelMatcher | None = None
        self.thesaurus = thesaurus
        self._store = store
        self._built = False

    @classmethod
    def open(cls, ws: Workspace) -> SearchService:
        """The service of a workspace, with its configured backend."""
        from socsec.bibliography.store import get_store
        from socsec.indexer.registry import open_backend
        from socsec.thesaurus.lookup import get_cache

        label_cache = ws.root / "index-labels.json"
        workers = int(ws.settings.get("index.workers") or 1)
        return cls(
            open_backend(ws), get_cache(ws), get_store(ws), label_cache=label_cache, workers=workers
        )

    @property
    def store(self) -> BibliographyStore:
        if self._store is None:
            raise NotFoundError("No bibliography store was given to the search service")
        return self._store

    def close(self) -> None:
        """Close the backend, the thesaurus cache and the store."""
        self.backend.close()
        self.thesaurus.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- query analysis ------------------------------------------------------------------------
    @property
    def matcher(self) -> LabelMatcher:
        """The label matcher of the thesaurus, cached on disk per thesaurus version."""
        if self._matcher is None:
            self._matcher = self._load_matcher()
        return self._matcher

    def _load_matcher(self) -> LabelMatcher:
        version = self.thesaurus.version()
        path = self._label_cache
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == version:
                    return LabelMatcher.from_json(data["labels"])
            except (OSError, ValueError, KeyError, TypeError):
                pass  # a damaged cache is rebuilt below
        matcher = LabelMatcher.build(self.thesaurus.iter_labels())
        if path is not None:
            from socsec.fileutil import atomic_write_text

            payload = {"version": version, "labels": matcher.to_json()}
            with contextlib.suppress(OSError):  # a read-only data dir only costs speed
                atomic_write_text(path, json.dumps(payload, ensure_ascii=False))
        return matcher

    def expand(self, text: str, lang: str | None = None) -> list[Expansion]:
        """Concepts named by ``text``: the longest word spans that are a label in any language.

        Labels match after folding and stemming in the label's language (as index-time
        detection does), never by prefix or typo, so "retraite" expands to the concept
        labelled "retraite" and nothing looser.
        """
        base = base_language(lang)
        found: dict[str, Expansion] = {}
        for m in self.matcher.matches(text, base):
            found.setdefault(
                m.uri,
                Expansion(
                    uri=m.uri,
                    label=self.thesaurus.pref_label(m.uri, base or "en"),
                    words=m.words,
                    matched_label=m.label,
                    matched_lang=m.lang,
                    match="exact" if fold(m.words) == fold(m.label) else "stemmed",
                ),
            )
        return list(found.values())

    def analyse(self, request: SearchRequest) -> tuple[Query, list[Expansion], list[str]]:
        """The backend query of a request, the expansions applied and the concept filter."""
        expansions = self.expand(request.text, request.lang) if request.expand else []
        concept_filter: list[str] = []
        if request.concept:
            uri = self.thesaurus.resolve(request.concept)
            concept_filter = [uri]
        author = fold(request.author) if request.author else None
        query = Query(
            groups=query_groups(request.text, request.lang),
            fields=TEXT_FIELDS if request.expand else OWN_FIELDS,
            concepts=tuple(e.uri for e in expansions),
            concept_filter=tuple(concept_filter),
            include_narrower=not request.exact_concept,
            year_from=request.year_from,
            year_to=request.year_to,
            types=request.types,
            languages=tuple(base_language(lg) or lg for lg in request.languages),
            author=author,
            facets=request.facets,
            sort=request.sort,
            page=request.page,
            size=request.size,
        )
        return query, expansions, concept_filter

    # -- searching -----------------------------------------------------------------------------
    def search(self, request: SearchRequest, *, explain: bool = False) -> SearchResponse:
        """One page of results for ``request``.

        Args:
            request: the search.
            explain: fill each hit's ``why`` with the concepts and terms it matched on.
        """
        query, expansions, concept_filter = self.analyse(request)
        self._ensure_built()
        result = self.backend.search(query)
        lang = base_language(request.lang) or "en"
        hits = [self._hit(h, query, expansions, concept_filter, lang, explain) for h in result.hits]
        facets = None
        if result.facets is not None:
            f = result.facets
            facets = {
                "subjects": [
                    FacetValue(u, n, self.thesaurus.pref_label(u, lang)) for u, n in f.subjects
                ],
                "year": [FacetValue(y, n) for y, n in f.year],
                "type": [FacetValue(t, n) for t, n in f.type],
                "language": [FacetValue(lg, n) for lg, n in f.language],
            }
        return SearchResponse(
            hits=hits,
            total=result.total,
            page=request.page,
            size=request.size,
            terms=[list(g) for g in query.groups],
            expansions=expansions,
            concept_filter=[
                ConceptRef(u, self.thesaurus.pref_label(u, lang)) for u in concept_filter
            ],
            facets=facets,
        )

    def iter_hits(self, request: SearchRequest, *, explain: bool = False) -> Iterator[ResultHit]:
        """Every hit of ``request``, streamed with keyset paging (no deep-offset limit)."""
        query, expansions, concept_filter = self.analyse(request)
        query = replace(query, size=STREAM_PAGE, facets=False, page=1)
        self._ensure_built()
        lang = base_language(request.lang) or "en"
        while True:
            result = self.backend.search(query)
            for h in result.hits:
                yield self._hit(h, query, expansions, concept_filter, lang, explain)
            if len(result.hits) < query.size:
                return
            query = replace(query, after=result.hits[-1].sort)

    def _hit(
        self,
        hit: Hit,
        query: Query,
        expansions: list[Expansion],
        concept_filter: list[str],
        lang: str,
        explain: bool,
    ) -> ResultHit:
        display = hit.display
        title = str(display.get("title") or "")
        title_lang = display.get("title_language")
        wanted = {t for g in query.groups for t in g}
        marked = highlight(title, str(title_lang) if title_lang else None, wanted)
        why: list[str] = []
        if explain:
            why = self._why(hit, marked, expansions, concept_filter, lang)
        authors = display.get("authors") or []
        return ResultHit(
            id=hit.id,
            score=hit.score,
            year=hit.year,
            type=hit.type,
            language=hit.language,
            title=title,
            highlight=marked,
            authors=[str(a) for a in authors] if isinstance(authors, list) else [],
            subjects=[ConceptRef(u, self.thesaurus.pref_label(u, lang)) for u in hit.subjects],
            why=why,
        )

    def _why(
        self,
        hit: Hit,
        marked: str | None,
        expansions: list[Expansion],
        concept_filter: list[str],
        lang: str,
    ) -> list[str]:
        why = []
        if marked:
            why.append(f"title: {marked}")
        for e in expansions:
            said = f"{e.label} (query {e.words!r})"
            if e.uri in hit.subjects:
                why.append(f"subject: {said}")
            elif e.uri in hit.ancestors:
                why.append(f"broader than a subject: {said}")
            elif e.uri in hit.detected:
                why.append(f"concept in title/abstract: {said}")
        for uri in concept_filter:
            label = self.thesaurus.pref_label(uri, lang)
            if uri in hit.subjects:
                why.append(f"tagged {label}")
            elif uri in hit.ancestors:
                narrower = [u for u in hit.subjects if uri in self.thesaurus.ancestors(u)]
                names = ", ".join(self.thesaurus.pref_label(u, lang) for u in narrower)
                why.append(f"tagged {names}, narrower than {label}")
        if not why:
            why.append("labels or text of the record (abstract, keywords, subject labels)")
        return why

    def export(
        self,
        request: SearchRequest,
        fmt: str,
        target: Path | IO[str],
        *,
        style: str | None = None,
    ) -> int:
        """Write every hit of ``request`` to a file or stream; returns the number of records.

        A file is replaced only when the export succeeds (a bad style writes nothing).

        Args:
            request: the search; every hit is written, in result order.
            fmt: a bibliographic format (bibtex, ris, csljson, csv, ...), or "text" for
                formatted references, one per line, in the CSL ``style`` and the locale of
                ``request.lang`` (English by default).
            target: a file path, or an open text stream.
            style: the citation style of "text" (apa by default).

        Raises:
            NotFoundError: unknown format or citation style.
        """
        if isinstance(target, Path):
            from socsec.fileutil import atomic_file

            with atomic_file(target, "w") as fh:
                return self.export(request, fmt, fh, style=style)
        stream = target
        ids = [h.id for h in self.iter_hits(request)]
        records = self.store.iter_records(ids)
        lang = base_language(request.lang) or "en"
        if fmt == "text":
            from socsec.bibliography.cite import DEFAULT_STYLE, format_references

            references = format_references(list(records), style=style or DEFAULT_STYLE, lang=lang)
            stream.writelines(text + "\n" for text in references)
            return len(references)
        from socsec.bibliography.formats import get_format

        count: int = get_format(fmt).write(
            records, stream, subject_lang=lang, labels=self.thesaurus
        )
        return count

    def _ensure_built(self) -> None:
        """Build an embedded index on first search; a server index must be built explicitly."""
        if self._built or self.backend.capabilities.server:
            return
        if "last_build" not in self.backend.info().meta and self._store is not None:
            self.rebuild()
        self._built = True

    # -- lifecycle -----------------------------------------------------------------------------
    def rebuild(self, on_progress: ProgressFn | None = None) -> IndexReport:
        """Index every record into a new index and switch to it; the old one serves until then."""
        started = _now()
        enricher = Enricher(self.thesaurus, _matcher=self.matcher)
        meta = {
            "last_build": started,
            "last_update": started,
            "thesaurus_version": self.thesaurus.version(),
        }
        records = self.store.iter_records()
        path = getattr(self.thesaurus, "path", None)
        if self.workers > 1 and path is not None:
            from socsec.indexer.parallel import enrich_parallel

            docs = enrich_parallel(enricher, path, records, self.workers)
        else:
            docs = enricher.enrich_all(records)
        return self.backend.rebuild(docs, meta, on_progress)

    def reindex(self, ids: Iterable[str]) -> int:
        """Re-index these records now (the hook for record add/edit/tag/delete).

        Ids no longer in the store are removed from the index. Returns documents written.
        """
        wanted = list(dict.fromkeys(ids))
        present: list[str] = []
        gone: list[str] = []
        for rid in wanted:
            try:
                present.append(self.store.resolve_id(rid))
            except NotFoundError:
                gone.append(rid)
        enricher = Enricher(self.thesaurus, _matcher=self.matcher)
        written = self.backend.index(enricher.enrich_all(self.store.iter_records(present))).indexed
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
        changed, every record is re-enriched but only the documents whose content changed
        (new labels, moved or merged concepts) are written, by comparing fingerprints.
        """
        import time

        start = time.perf_counter()
        info = self.backend.info()
        since = info.meta.get("last_update") or info.meta.get("last_build")
        if since is None:
            report = self.rebuild(on_progress)
            return UpdateReport(report.indexed, 0, True, report.seconds)
        stamp = _now()
        enricher = Enricher(self.thesaurus, _matcher=self.matcher)
        version = self.thesaurus.version()
        full = info.meta.get("thesaurus_version") != version
        indexed = deleted = 0
        if not full:
            ids = self.store.ids_modified_since(since)
            changed = enricher.enrich_all(self.store.iter_records(ids))
            indexed = self.backend.index(changed, on_progress).indexed
            gone = self.store.deleted_since(since)
            deleted = self.backend.delete(gone) if gone else 0
            # Records added or deleted behind the index's back (a failed write, a restored
            # store): only then compare every fingerprint.
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

            indexed += self.backend.index(differing(), on_progress).indexed
            gone = [i for i in stored if i not in seen]
            deleted += self.backend.delete(gone) if gone else 0
        self.backend.set_meta({"last_update": stamp, "thesaurus_version": version})
        return UpdateReport(indexed, deleted, full, time.perf_counter() - start)


def sync_index(ws: Workspace) -> str | None:
    """Bring a built index up to date after the bibliography changed.

    An index that was never built is left alone (the first search builds it). Returns None
    when the index is current, else a one-line reason why it is now stale and how to fix it:
    the store write has already happened, so an unreachable server must not undo it.
    """
    try:
        with SearchService.open(ws) as service:
            if "last_build" not in service.backend.info().meta:
                return None
            service.update()
    except BackendUnavailable as exc:
        return (
            f"the search index is now stale ({exc.message}); when it is back: socsec index update"
        )
    return None
