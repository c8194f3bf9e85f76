"""The search service the faces call: analyse a request, run it, shape the hits.

It joins the thesaurus (concepts the query names, labels shown), the query vocabulary
(label keys and translations, :mod:`socsec.indexer.vocab`) and the configured backend. The
other jobs live beside it: :mod:`~socsec.indexer.explain` (why a hit matched),
:mod:`~socsec.indexer.export` (writing hits out) and :mod:`~socsec.indexer.upkeep` (building
and updating the index).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from socsec.analysis import base_language, fold
from socsec.errors import BackendUnavailable, NotFoundError
from socsec.indexer.base import OWN_FIELDS, TEXT_FIELDS, Hit, IndexReport, ProgressFn, Query, Sort
from socsec.indexer.documents import ANALYSIS_VERSION, highlight, query_groups
from socsec.indexer.understand import Translation  # a field type of SearchResponse (web API)
from socsec.indexer.upkeep import IndexStatus, IndexUpkeep, StaleIndex, UpdateReport, sync_index

if TYPE_CHECKING:
    from socsec.bibliography.store import BibliographyStore
    from socsec.indexer.base import SearchBackend
    from socsec.indexer.labels import LabelMatch, LabelMatcher
    from socsec.indexer.understand import QueryAnalyser
    from socsec.indexer.vocab import Vocabulary
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

__all__ = [
    "ConceptRef",
    "Expansion",
    "FacetValue",
    "IndexStatus",
    "ResultHit",
    "SearchRequest",
    "SearchResponse",
    "SearchService",
    "StaleIndex",
    "UpdateReport",
    "sync_index",
]

STREAM_PAGE = 500
VOCABULARY_FILE = "query-vocabulary.sqlite"
MAX_KEPT_LABELS = 50_000


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked for, before analysis (see ``socsec search --help``).

    Attributes:
        text: free text in any of en/fr/es (may be empty: filters only).
        concept: a concept URI, notation or label restricting the results.
        exact_concept: do not include narrower concepts of ``concept``.
        expand: match the concepts the text names, their labels and translations.
        lang: display language of labels and references (None: English); never changes
            which records match.
        query_lang: language of ``text`` (None: detected from its words).
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
    query_lang: str | None = None
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
    """A concept the query text names, and why: the words and the label that matched.

    ``match`` is "exact", "stemmed" or "folded"; ``replaced`` is the deprecated concept whose
    label matched when ``uri`` is its replacement.
    """

    uri: str
    label: str
    words: str
    matched_label: str
    matched_lang: str
    match: str
    replaced: str | None = None


@dataclass(frozen=True)
class ConceptRef:
    """A concept as shown: URI, label in the display language, and (for a record's subject)
    who assigned it: manual, accepted or automatic.
    """

    uri: str
    label: str
    provenance: str | None = None


@dataclass(frozen=True)
class ResultHit:
    """One hit as shown or exported.

    ``concept_match`` says, in a search by concept, how the record holds the concept: as a
    "manual", "accepted" or "automatic" subject, through a "narrower" subject, or "named" in
    its title or abstract (the concept or a narrower one); None in other searches.
    """

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
    concept_match: str | None = None


@dataclass(frozen=True)
class FacetValue:
    """One facet bucket; ``label`` is the concept label for subject facets."""

    value: str | int
    count: int
    label: str | None = None


@dataclass(frozen=True)
class SearchResponse:
    """A page of results with its total, facets, and how the query was understood.

    ``facets_sampled`` is None when the facets count every hit, else how many hits, the
    first in the result order, they count (the sqlite backend caps that work).
    """

    hits: list[ResultHit]
    total: int
    page: int
    size: int
    terms: list[list[str]]
    expansions: list[Expansion]
    concept_filter: list[ConceptRef]
    facets: dict[str, list[FacetValue]] | None = None
    query_lang: str | None = None
    query_lang_detected: bool = False
    translations: list[Translation] = field(default_factory=list)
    facets_sampled: int | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``socsec search --json`` (snake_case keys)."""
        return asdict(self)


@dataclass(frozen=True)
class Analysed:
    """A request turned into a backend query, with what was understood on the way."""

    query: Query
    expansions: list[Expansion]
    concept_filter: list[str]
    translations: list[Translation]
    query_lang: str | None
    detected: bool


def concept_match(hit: Hit, concepts: Iterable[str]) -> str | None:
    """How ``hit`` holds the strongest of ``concepts`` (see ``ResultHit.concept_match``):
    the tiers a search by concept ranks by, strongest first.
    """
    found: list[str] = []
    for uri in concepts:
        if uri in hit.subjects:
            found.append(hit.provenance.get(uri, "manual"))
        elif uri in hit.ancestors:
            found.append("narrower")
        else:
            found.append("named")
    order = ("manual", "accepted", "automatic", "narrower", "named")
    return min(found, key=order.index) if found else None


def _workers_setting(value: str | None) -> int | str:
    if value is None or value == "auto":
        return "auto"
    return int(value)


class SearchService:
    """Searches the index of one workspace (and gives access to its upkeep).

    Args:
        backend: the search backend (see :func:`socsec.indexer.registry.open_backend`).
        thesaurus: the compiled thesaurus cache.
        store: the bibliography store (needed to build, update and export).
        vocabulary: the query vocabulary file (None: built in memory when first needed).
        write_lock: a lock file held by rebuilds and updates (None: no cross-process lock).
        workers: enrichment processes of a rebuild, or ``"auto"`` (``index.workers``).
    """

    def __init__(
        self,
        backend: SearchBackend,
        thesaurus: ThesaurusCache,
        store: BibliographyStore | None = None,
        *,
        vocabulary: Path | None = None,
        write_lock: Path | None = None,
        workers: int | str = 1,
    ) -> None:
        self.backend = backend
        self._write_lock = write_lock
        self.workers = workers
        self.thesaurus = thesaurus
        self._store = store
        self._vocab_path = vocabulary
        self._vocab: Vocabulary | None = None
        self._analyser: QueryAnalyser | None = None
        self._built = False
        self._record_langs: tuple[tuple[str, ...] | None] | None = None
        # Labels shown on hits and facets, kept while the thesaurus cache is unchanged: a
        # page names the same few concepts again and again.
        self._labels: dict[tuple[str, str], str] = {}
        self._labels_version: int | None = None

    @classmethod
    def open(cls, ws: Workspace) -> SearchService:
        """The service of a workspace, with its configured backend."""
        from socsec.bibliography.store import get_store
        from socsec.indexer.registry import open_backend
        from socsec.thesaurus.lookup import get_cache

        return cls(
            open_backend(ws),
            get_cache(ws),
            get_store(ws),
            vocabulary=ws.root / VOCABULARY_FILE,
            write_lock=ws.index_lock,
            workers=_workers_setting(ws.settings.get("index.workers")),
        )

    @property
    def store(self) -> BibliographyStore:
        """The bibliography store; NotFoundError when the service was made without one."""
        if self._store is None:
            raise NotFoundError("No bibliography store was given to the search service")
        return self._store

    def close(self) -> None:
        """Close the backend, the vocabulary, the thesaurus cache and the store."""
        self.backend.close()
        if self._vocab is not None:
            self._vocab.close()
        self.thesaurus.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- query analysis ------------------------------------------------------------------------
    @property
    def vocabulary(self) -> Vocabulary:
        """The query vocabulary (opened, or built once per thesaurus version)."""
        if self._vocab is None:
            from socsec.indexer.vocab import Vocabulary

            self._vocab = Vocabulary.open(self._vocab_path, self.thesaurus)
        return self._vocab

    @property
    def analyser(self) -> QueryAnalyser:
        """The query analyser over :attr:`vocabulary`."""
        if self._analyser is None:
            from socsec.indexer.understand import QueryAnalyser

            self._analyser = QueryAnalyser(self.vocabulary, self._pref_labels)
        return self._analyser

    def _fresh_labels(self) -> None:
        """Forget the kept labels if the thesaurus cache changed since they were read."""
        version = self.thesaurus.data_version()
        if version != self._labels_version or len(self._labels) > MAX_KEPT_LABELS:
            self._labels.clear()
            self._labels_version = version

    def _label(self, uri: str, lang: str) -> str:
        """The preferred label of ``uri`` in ``lang`` (see :meth:`_fresh_labels`)."""
        key = (uri, lang)
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = self.thesaurus.pref_label(uri, lang)
        return label

    def _pref_labels(self, uri: str) -> dict[str, str]:
        pref = self.thesaurus.concept(uri).pref
        return {base_language(tag) or "": label for tag, label in sorted(pref.items())}

    def matcher(self) -> LabelMatcher:
        """The thesaurus label matcher with every key in memory (for enriching records)."""
        return self.vocabulary.memory_matcher()

    def expand(self, text: str, query_lang: str | None = None) -> list[Expansion]:
        """Concepts named by ``text``: the longest spans that are a label in some language.

        Each language's labels are matched with that language's analysis; exact labels win
        over singular forms, which win over accent-folded ones (see
        :mod:`socsec.indexer.labels`). A deprecated concept gives way to its replacement.
        """
        self._fresh_labels()
        understood = self.analyser.understand(text, query_lang)
        return self._expansions(understood.matches, "en")

    def _expansions(self, matches: Iterable[LabelMatch], lang: str) -> list[Expansion]:
        found: dict[str, Expansion] = {}
        for m in matches:
            label = self._label(m.uri, lang)
            found.setdefault(
                m.uri,
                Expansion(m.uri, label, m.words, m.label, m.lang, m.match, m.replaced),
            )
        return list(found.values())

    def _concept_filter(self, ref: str) -> list[str]:
        """The concept a search is limited to, and its replacements when it is deprecated.

        Records curated before the concept was deprecated keep it; records curated since
        carry the replacement: both are about the subject asked for.
        """
        uri = self.thesaurus.resolve(ref)
        view = self.thesaurus.concept(uri)  # not replacements(): every deprecated concept
        return [uri, *(view.replaced_by if view.deprecated else ())]

    def _concept_text(
        self, uris: list[str], *, exact: bool
    ) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], ...]]:
        """The concepts whose mention in a record's text puts it under the concept filter,
        and the filter's labels as word groups (see ``Query.concept_detected``).

        A record naming the concept, or a narrower one, in its title or abstract is about it
        as a catalogue reads it; ``--exact-concept`` keeps to records indexed with it.
        """
        if not uris or exact:
            return (), ()
        mentioned = dict.fromkeys(uris)
        labels: dict[tuple[tuple[str, ...], ...], None] = {}
        for uri in uris:
            mentioned.update(dict.fromkeys(self.thesaurus.descendants(uri)))
            view = self.thesaurus.concept(uri)
            named = [(tag, pref) for tag, pref in view.pref.items()]
            named += [(tag, alt) for tag, alts in view.alt.items() for alt in alts]
            for tag, label in named:
                groups = query_groups(label, base_language(tag) or None)
                if groups:
                    labels[groups] = None
        return tuple(mentioned), tuple(labels)

    def _targets(self) -> tuple[str, ...] | None:
        """Languages of the indexed records (None: not recorded, translate into all)."""
        if self._record_langs is None:
            from socsec.indexer.upkeep import RECORD_LANGUAGES

            try:
                known = self.backend.info().meta.get(RECORD_LANGUAGES)
            except BackendUnavailable:
                known = None
            self._record_langs = (tuple(filter(None, known.split(","))),) if known else (None,)
        return self._record_langs[0]

    def analyse(self, request: SearchRequest) -> Analysed:
        """The backend query of a request and what was understood (language, concepts...)."""
        display = base_language(request.lang) or "en"
        understood = self.analyser.understand(
            request.text, request.query_lang, expand=request.expand, targets=self._targets()
        )
        expansions = self._expansions(understood.matches, display)
        concept_filter = self._concept_filter(request.concept) if request.concept else []
        detected, labels = self._concept_text(concept_filter, exact=request.exact_concept)
        query = Query(
            groups=understood.groups,
            fields=TEXT_FIELDS if request.expand else OWN_FIELDS,
            concepts=tuple(e.uri for e in expansions),
            concept_filter=tuple(concept_filter),
            include_narrower=not request.exact_concept,
            concept_detected=detected,
            concept_labels=labels,
            year_from=request.year_from,
            year_to=request.year_to,
            types=request.types,
            languages=tuple(base_language(lg) or lg for lg in request.languages),
            author=fold(request.author) if request.author else None,
            facets=request.facets,
            sort=request.sort,
            page=request.page,
            size=request.size,
        )
        return Analysed(
            query,
            expansions,
            concept_filter,
            understood.translations,
            understood.lang,
            understood.detected,
        )

    # -- searching -----------------------------------------------------------------------------
    def search(self, request: SearchRequest, *, explain: bool = False) -> SearchResponse:
        """One page of results for ``request``.

        Args:
            request: the search.
            explain: fill each hit's ``why`` with the concepts and terms it matched on.
        """
        self._ensure_built()
        self._fresh_labels()
        a = self.analyse(request)
        result = self.backend.search(a.query)
        lang = base_language(request.lang) or "en"
        hits = [self._hit(h, a, lang, explain) for h in result.hits]
        facets = None
        if result.facets is not None:
            f = result.facets
            label = self._label
            facets = {
                "subjects": [FacetValue(u, n, label(u, lang)) for u, n in f.subjects],
                "year": [FacetValue(y, n) for y, n in f.year],
                "type": [FacetValue(t, n) for t, n in f.type],
                "language": [FacetValue(lg, n) for lg, n in f.language],
            }
        return SearchResponse(
            hits=hits,
            total=result.total,
            page=request.page,
            size=request.size,
            terms=[list(g) for g in a.query.groups],
            expansions=a.expansions,
            concept_filter=[ConceptRef(u, self._label(u, lang)) for u in a.concept_filter],
            facets=facets,
            query_lang=a.query_lang,
            query_lang_detected=a.detected,
            translations=a.translations if explain else [],
            facets_sampled=result.facets.sampled if result.facets is not None else None,
        )

    def iter_hits(self, request: SearchRequest, *, explain: bool = False) -> Iterator[ResultHit]:
        """Every hit of ``request``, streamed with keyset paging (no deep-offset limit)."""
        self._ensure_built()
        self._fresh_labels()
        a = self.analyse(request)
        query = replace(a.query, size=STREAM_PAGE, facets=False, page=1)
        lang = base_language(request.lang) or "en"
        while True:
            result = self.backend.search(query)
            for h in result.hits:
                yield self._hit(h, replace(a, query=query), lang, explain)
            if len(result.hits) < query.size:
                return
            query = replace(query, after=result.hits[-1].sort)

    def _hit(self, hit: Hit, a: Analysed, lang: str, explain: bool) -> ResultHit:
        display = hit.display
        title = str(display.get("title") or "")
        title_lang = display.get("title_language")
        wanted = {t for g in a.query.groups for t in g}
        marked = highlight(title, str(title_lang) if title_lang else None, wanted)
        reasons: list[str] = []
        if explain:
            from socsec.indexer.explain import why

            reasons = why(hit, marked, a.expansions, a.concept_filter, lang, self.thesaurus)
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
            subjects=[
                ConceptRef(u, self._label(u, lang), hit.provenance.get(u, "manual"))
                for u in hit.subjects
            ],
            why=reasons,
            concept_match=concept_match(hit, a.concept_filter),
        )

    def _ensure_built(self) -> None:
        """Build an embedded index on first search (or after an analysis change)."""
        if self._built or self.backend.capabilities.server:
            return
        meta = self.backend.info().meta
        outdated = meta.get("analysis_version", "1") != ANALYSIS_VERSION
        if ("last_build" not in meta or outdated) and self._store is not None:
            self.rebuild()
            self._record_langs = None
        self._built = True

    # -- the other jobs, for the faces (one call each) ------------------------------------------
    def export(
        self, request: SearchRequest, fmt: str, target: Path | IO[str], *, style: str | None = None
    ) -> int:
        """Write every hit (see :func:`socsec.indexer.export.export_hits`)."""
        from socsec.indexer.export import export_hits

        return export_hits(self, request, fmt, target, style=style)

    @property
    def upkeep(self) -> IndexUpkeep:
        """Building, updating and checking this index (:class:`IndexUpkeep`)."""
        return IndexUpkeep(
            self.backend,
            self.thesaurus,
            self.store,
            self.matcher,
            write_lock=self._write_lock,
            workers=self.workers,
        )

    def rebuild(self, on_progress: ProgressFn | None = None) -> IndexReport:
        """Index every record anew (see :meth:`IndexUpkeep.rebuild`)."""
        self._record_langs = None
        return self.upkeep.rebuild(on_progress)

    def reindex(self, ids: Iterable[str]) -> int:
        """Re-index these records now (see :meth:`IndexUpkeep.reindex`)."""
        return self.upkeep.reindex(ids)

    def status(self) -> IndexStatus:
        """How the index compares with the store (see :meth:`IndexUpkeep.status`)."""
        return self.upkeep.status()

    def check(self) -> IndexStatus:
        """The status, or :class:`StaleIndex` (see :meth:`IndexUpkeep.check`)."""
        return self.upkeep.check()

    def update(self, on_progress: ProgressFn | None = None) -> UpdateReport:
        """Index what changed (see :meth:`IndexUpkeep.update`)."""
        return self.upkeep.update(on_progress)
