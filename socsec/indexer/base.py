"""The search-backend protocol and the value types every backend speaks.

Backends receive documents already analysed by :mod:`socsec.indexer.documents` and
queries already analysed by :mod:`socsec.indexer.service`, so the embedded and the
Elasticsearch backends see the same tokens and rank alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

ProgressFn = Callable[[int], None]
"""Called with the number of documents just processed (an increment, not a total)."""

# Analysed text fields and their weights. OWN_FIELDS hold the record's own text; the others
# come from the thesaurus (enrichment) and are not searched with --no-expand.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 10.0,
    "abstract": 3.0,
    "other": 2.0,
    "authors": 4.0,
    "subject_labels": 6.0,
    "ancestor_labels": 1.5,
    "detected_labels": 1.0,
}
TEXT_FIELDS: tuple[str, ...] = tuple(FIELD_WEIGHTS)
OWN_FIELDS: tuple[str, ...] = ("title", "abstract", "other", "authors")

# Weights of a subject by its provenance, strongest first: a librarian's subject, one a
# librarian accepted, one assigned by the suggestion model. Concepts merely detected in the
# text weigh less (CONCEPT_WEIGHTS["detected"]). Subjects without a provenance are manual.
# A backend indexes each provenance as its own concept field with this weight: kinds
# "subjects" (manual), "accepted" and "automatic" of CONCEPT_WEIGHTS.
PROVENANCE_WEIGHTS: dict[str, float] = {"manual": 8.0, "accepted": 7.0, "automatic": 4.0}


def subject_weight(provenance: str | None) -> float:
    """The weight of a subject of this provenance (None: manual, as today's subjects)."""
    return PROVENANCE_WEIGHTS.get(provenance or "manual", PROVENANCE_WEIGHTS["automatic"])


# Weights of a match on a concept URI the query expanded to, by how the record holds it.
# "subjects" ranks the manual subjects; every subject, whatever its provenance, is also in
# the concept filter, the facets and "ancestors".
CONCEPT_WEIGHTS: dict[str, float] = {
    "subjects": subject_weight("manual"),
    "accepted": subject_weight("accepted"),
    "automatic": subject_weight("automatic"),
    "detected": 2.0,
    "ancestors": 1.0,
}

# A search by concept alone (``--concept``, no text) ranks a record by the strongest way it
# holds the concept (a tier, these weights) and, within a tier, by where the concept's labels
# occur in its text (CONCEPT_LABEL_BONUS, < 1 so that no record jumps a tier): the
# librarian's subject, an accepted one, the model's, a subject narrower than the concept,
# the concept (or a narrower one) only named in the title or abstract. Both backends score
# this way (documented in README, "Searching by concept").
CONCEPT_TIERS: dict[str, float] = {
    "subjects": CONCEPT_WEIGHTS["subjects"],
    "accepted": CONCEPT_WEIGHTS["accepted"],
    "automatic": CONCEPT_WEIGHTS["automatic"],
    "narrower": 3.0,
    "detected": CONCEPT_WEIGHTS["detected"],
}
CONCEPT_LABEL_BONUS: dict[str, float] = {"title": 0.5, "abstract": 0.25}


class Sort(StrEnum):
    """Result order; ties are always broken by record id, ascending."""

    relevance = "relevance"
    year = "year"
    year_desc = "-year"


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do; tests and callers branch on these, never on the name."""

    stemming: bool = True
    highlight: bool = True
    facets: bool = True
    keyset: bool = True
    atomic_rebuild: bool = True
    server: bool = False


@dataclass(frozen=True)
class IndexDoc:
    """One search document, built from a record by :func:`socsec.indexer.documents.enrich`.

    Attributes:
        id: the record id (the document id in every backend).
        type: record type value ("article", "report"...).
        year: publication year, when known.
        language: base language of the record (en/fr/es or another tag), when known.
        author_keys: folded author names used by the author filter.
        subjects: subject concept URIs (every provenance).
        ancestors: the subjects and all their broader concepts (the concept filter field).
        detected: concepts found in title/abstract by label matching, not subjects.
        text: pre-analysed tokens (space-separated) per field of ``TEXT_FIELDS``.
        display: what is shown or exported: title, authors, container, doi, url, ...
        fingerprint: hash of everything above; an index update rewrites a doc when it changes.
        modified: the record's modification timestamp (ISO-8601), when known.
        notations: the subjects' notations.
        provenance: subject URI -> "accepted" or "automatic" (subjects not in it are manual).
    """

    id: str
    type: str
    year: int | None
    language: str | None
    author_keys: tuple[str, ...]
    subjects: tuple[str, ...]
    ancestors: tuple[str, ...]
    detected: tuple[str, ...]
    text: Mapping[str, str]
    display: Mapping[str, object]
    fingerprint: str
    modified: str | None = None
    notations: tuple[str, ...] = ()
    provenance: Mapping[str, str] = field(default_factory=dict)

    def subjects_by_kind(self) -> dict[str, tuple[str, ...]]:
        """The subjects split by ranking kind: "subjects" (manual), "accepted", "automatic"."""
        out: dict[str, list[str]] = {"subjects": [], "accepted": [], "automatic": []}
        for uri in self.subjects:
            prov = self.provenance.get(uri, "manual")
            out["subjects" if prov == "manual" else prov].append(uri)
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Query:
    """An analysed query.

    Attributes:
        groups: each group lists alternative tokens for one query word (its stems in each
            language); a document matches the text when every group matches some field.
        fields: text fields searched (``OWN_FIELDS`` when expansion is off).
        concepts: concept URIs the text names; a record holding one matches as well.
        concept_filter: restrict to records about one of these concepts.
        include_narrower: the concept filter also accepts narrower concepts.
        concept_detected: the concept filter also accepts records whose title or abstract
            names one of these concepts (the filter's concepts, and their narrower ones
            unless ``include_narrower`` is off); empty: subjects only.
        concept_labels: the labels of the filter's concepts, each as word groups (a word's
            stems, any of which matches); a search by concept alone ranks records whose
            title or abstract holds a whole label higher within a tier (``CONCEPT_TIERS``).
        year_from: first year (inclusive).
        year_to: last year (inclusive).
        types: accepted record types (empty: any).
        languages: accepted record languages (empty: any).
        author: folded author name that must be among ``author_keys``.
        facets: compute facet counts over all matches.
        facet_size: most subject facet values returned.
        sort: result order.
        page: 1-based page (ignored when ``after`` is given).
        size: hits per page.
        after: the ``sort`` value of the last hit seen, for keyset streaming.
    """

    groups: tuple[tuple[str, ...], ...] = ()
    fields: tuple[str, ...] = TEXT_FIELDS
    concepts: tuple[str, ...] = ()
    concept_filter: tuple[str, ...] = ()
    include_narrower: bool = True
    concept_detected: tuple[str, ...] = ()
    concept_labels: tuple[tuple[tuple[str, ...], ...], ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    author: str | None = None
    facets: bool = False
    facet_size: int = 20
    sort: Sort = Sort.relevance
    page: int = 1
    size: int = 10
    after: tuple[str | int | float, ...] | None = None

    @property
    def has_text(self) -> bool:
        """Whether the query has words or concepts to match (not only filters)."""
        return bool(self.groups or self.concepts)

    @property
    def concept_ranked(self) -> bool:
        """Whether hits are ranked by how they hold the filter's concept (``CONCEPT_TIERS``):
        a search by concept alone, in relevance order.
        """
        return bool(self.concept_filter) and not self.has_text and self.sort is Sort.relevance


@dataclass(frozen=True)
class Hit:
    """One matching document: its id, score, keyset sort value and stored fields."""

    id: str
    score: float
    sort: tuple[str | int | float, ...]
    year: int | None
    type: str
    language: str | None
    subjects: tuple[str, ...]
    ancestors: tuple[str, ...]
    detected: tuple[str, ...]
    display: Mapping[str, object]
    provenance: Mapping[str, str] = field(default_factory=dict)  # as IndexDoc.provenance


@dataclass(frozen=True)
class Facets:
    """Counts over all matches (not just the page), most frequent first (years ascending).

    ``sampled`` is None when the counts cover every match; otherwise how many matches,
    the first in the result order, they were counted over (a backend may cap that work).
    """

    subjects: list[tuple[str, int]] = field(default_factory=list)
    year: list[tuple[int, int]] = field(default_factory=list)
    type: list[tuple[str, int]] = field(default_factory=list)
    language: list[tuple[str, int]] = field(default_factory=list)
    sampled: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, the total number of matches and, when asked, facets."""

    hits: list[Hit]
    total: int
    facets: Facets | None = None


@dataclass(frozen=True)
class IndexReport:
    """What an indexing call did.

    Attributes:
        indexed: documents written.
        seconds: wall time of the call.
        attempts: loads a rebuild took (2 after a node loss cost the first its shards).
    """

    indexed: int
    seconds: float
    attempts: int = 1


@dataclass(frozen=True)
class IndexInfo:
    """Where the live index is and what was recorded at its last build."""

    backend: str
    name: str
    physical: str | None
    count: int
    meta: Mapping[str, str]


@dataclass(frozen=True)
class BackendConfig:
    """Everything a backend constructor may need; each backend reads its own part.

    Attributes:
        index_path: the SQLite index file (sqlite backend).
        url: the Elasticsearch URL.
        index: the index alias (Elasticsearch) or logical index name.
        api_key: Elasticsearch API key (encoded form).
        username: basic-auth user.
        password: basic-auth password.
        ca_certs: CA bundle for TLS.
        shards: primary shards of a new index.
        replicas: replicas per shard (set after a rebuild's bulk load).
        wait_for_active_shards: shard copies active before a write ("1", "all", a number).
        timeout: seconds for a search or a small write (short: interactive commands).
        connect_timeout: seconds to open a connection to a node.
        bulk_timeout: seconds for one bulk request of a rebuild or update.
        bulk_threads: bulk requests in flight at once.
    """

    index_path: Path | None = None
    url: str | None = None
    index: str = "socsec"
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    shards: int = 1
    replicas: int = 0
    wait_for_active_shards: str = "1"
    timeout: float = 5.0
    connect_timeout: float = 2.0
    bulk_timeout: float = 120.0
    bulk_threads: int = 1


@runtime_checkable
class SearchBackend(Protocol):
    """A search index holding :class:`IndexDoc` documents."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def ensure_schema(self) -> None:
        """Create the index (and alias) when missing; leave an existing one alone."""

    def index(self, docs: Iterable[IndexDoc], on_progress: ProgressFn | None = None) -> IndexReport:
        """Add or replace documents in the live index (same id: replaced)."""

    def search(self, query: Query) -> SearchResult:
        """Run a query; hits are visible once ``index`` has returned."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many existed."""

    def count(self) -> int:
        """Number of documents in the live index (0 when there is none)."""

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        meta: Mapping[str, str],
        on_progress: ProgressFn | None = None,
    ) -> IndexReport:
        """Build a new index from ``docs`` and switch to it atomically.

        If anything fails the new index is dropped and the live one stays as it was.
        """

    def fingerprints(self) -> dict[str, str]:
        """Every document id with its stored fingerprint."""

    def info(self) -> IndexInfo:
        """Name, physical index, count and recorded metadata of the live index."""

    def set_meta(self, meta: Mapping[str, str]) -> None:
        """Merge values into the metadata stored with the live index."""

    def drop(self) -> None:
        """Delete the index and everything it holds (used by tests and `index rebuild`)."""

    def close(self) -> None:
        """Release connections and files."""
