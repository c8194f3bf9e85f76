"""Plain, frozen views of thesaurus data returned by the library (no rdflib types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

# Re-exported: the lookup types live apart so that a lookup imports no dataclass machinery.
from socsec.thesaurus.hits import LookupHit as LookupHit
from socsec.thesaurus.hits import MatchKind as MatchKind

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# SKOS-XL labels are disjoint from concepts (SKOS Reference, appendix B), even when they
# carry skos:inScheme (YSO gives its XL labels a scheme).
SKOSXL_LABEL = "http://www.w3.org/2008/05/skos-xl#Label"
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
DCT = "http://purl.org/dc/terms/"
CC = "http://creativecommons.org/ns#"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"

LabelKind = Literal["pref", "alt", "hidden"]
NoteKind = Literal[
    "definition",
    "scopeNote",
    "example",
    "historyNote",
    "editorialNote",
    "changeNote",
    "note",
]
# The same kinds as values (the Literal types let the web API accept exactly these).
LABEL_KINDS: tuple[str, ...] = get_args(LabelKind)
NOTE_KINDS: tuple[str, ...] = get_args(NoteKind)
MAPPING_KINDS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


@dataclass(frozen=True)
class ConceptView:
    """Everything the cache knows about one concept.

    Label and note dicts are keyed by the language tag as stored (lower case, e.g. "fr-ca");
    "" is the key of untagged literals. ``broader``/``narrower`` include inferred inverses;
    ``related`` is symmetric. ``notes`` maps a SKOS note property ("definition", "scopeNote",
    ...) to texts per language; ``mappings`` maps "exactMatch", "closeMatch", ... to URIs.
    """

    uri: str
    notation: str | None
    pref: dict[str, str]
    alt: dict[str, list[str]] = field(default_factory=dict)
    hidden: dict[str, list[str]] = field(default_factory=dict)
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    top_of: list[str] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: list[str] = field(default_factory=list)
    notes: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    mappings: dict[str, list[str]] = field(default_factory=dict)
    created: str | None = None
    modified: str | None = None


@dataclass(frozen=True)
class SchemeInfo:
    """A concept scheme with its size and the provenance stated in the data."""

    uri: str
    title: dict[str, str]
    concepts: int
    top_concepts: int
    notation: str | None = None
    license: str | None = None
    rights: str | None = None
    attribution: str | None = None
    source: str | None = None
    version: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class ImportRecord:
    """One import as recorded in the store manifest."""

    source: str
    sha256: str
    format: str
    imported_at: str
    triples: int
    schemes: list[str]
    files: list[str]


@dataclass(frozen=True)
class ThesaurusInfo:
    """What `socsec thesaurus info` shows."""

    concepts: int
    schemes: list[SchemeInfo]
    labels: dict[str, dict[str, int]]  # base language -> kind (pref/alt/hidden) -> count
    triples: int
    cache_version: str
    built_at: str
    imports: list[ImportRecord]
    sources: list[dict[str, str | None]]  # provenance resources stating a licence or rights


@dataclass(frozen=True)
class ImportReport:
    """The outcome of an import."""

    source: str
    format: str
    triples: int
    concepts: int
    schemes: list[str]
    files_written: list[str]
    files_removed: list[str]
    seconds: float
    cache_version: str


@dataclass(frozen=True)
class TreeNode:
    """One node of a hierarchy view: a scheme or a concept with its shown children."""

    uri: str
    label: str
    narrower_count: int
    children: list[TreeNode] = field(default_factory=list)
    is_scheme: bool = False


@dataclass(frozen=True)
class Translation:
    """One term of a batch translation."""

    term: str
    found: bool
    uri: str | None
    match: str | None
    matched_label: str | None
    labels: dict[str, str]  # target language -> preferred label
    alternatives: dict[str, list[str]]
    candidates: list[str]  # nearest labels when not found (or other concepts when ambiguous)
    score: float | None = None  # confidence 0-100 of the match (see LookupHit.score)
    deprecated: bool = False
    replaced_by: list[str] = field(default_factory=list)  # preferred labels of replacements

    @property
    def gap(self) -> str | None:
        """Why the librarian should look at this term: "not_found", "partial", "variant", or None.

        A variant match (one word replaced by one the labels use for it) is a term the
        thesaurus lacks as a label: a candidate entry term.
        """
        if not self.found:
            return "not_found"
        return self.match if self.match in ("partial", "variant") else None
