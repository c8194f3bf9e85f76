"""Read an RDF file or the store of record into a plain SKOS snapshot for checks, diff and exports.

The snapshot holds only what the quality gate, the version diff and the translator exports
need, as plain strings, so those modules work the same on an rdflib ``Graph`` and on triples
parsed by pyoxigraph (through :mod:`socsec.thesaurus.rdfio`, about 20 times faster than rdflib
on all of EuroVoc).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from socsec.errors import NotFoundError
from socsec.thesaurus.model import (
    LABEL_KINDS,
    NOTE_KINDS,
    OWL_DEPRECATED,
    RDF_TYPE,
    SKOS,
)

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

DCT_IS_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
# Provenance kept for exports: attribution and licence must travel with derived files.
PROVENANCE = {
    "http://purl.org/dc/terms/rights": "rights",
    "http://purl.org/dc/terms/license": "license",
    "http://creativecommons.org/ns#attributionName": "attribution",
}

# Links whose object must be a resource of the vocabulary (mappings to other vocabularies are not).
LINK_KINDS = (
    "broader",
    "narrower",
    "related",
    "inScheme",
    "topConceptOf",
    "hasTopConcept",
    "member",
    "isReplacedBy",
)

_LABEL_PREDICATES = {
    SKOS + "prefLabel": "pref",
    SKOS + "altLabel": "alt",
    SKOS + "hiddenLabel": "hidden",
}
_NOTE_PREDICATES = {SKOS + kind: kind for kind in NOTE_KINDS}
_LINK_PREDICATES = {SKOS + kind: kind for kind in LINK_KINDS if kind != "isReplacedBy"}
_LINK_PREDICATES[DCT_IS_REPLACED_BY] = "isReplacedBy"
_TYPES = {
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "scheme",
    SKOS + "Collection": "collection",
    SKOS + "OrderedCollection": "collection",
}


class Lit(NamedTuple):
    """A literal: its lexical form and language tag ("" when untagged)."""

    value: str
    lang: str


Term = str | Lit  # IRIs as strings, blank nodes as "_:id", literals as Lit


@dataclass
class SkosSnapshot:
    """The SKOS content of one graph, as plain Python values.

    Attributes:
        source: where the data came from (a path, or "store").
        concepts / schemes / collections: URIs typed skos:Concept, ConceptScheme, Collection.
        labels: kind ("pref", "alt", "hidden") -> subject -> literals.
        notes: note kind ("definition", "scopeNote", ...) -> subject -> literals.
        notations: subject -> notations.
        links: link kind ("broader", "related", "inScheme", ...) -> (subject, object) pairs.
        deprecated: subjects with owl:deprecated true.
        provenance: "rights", "license", "attribution" -> the distinct values stated in the data.
        invalid_iris: IRIs RDF does not allow (a file read leniently), with their use counts.
    """

    source: str = ""
    concepts: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)
    collections: set[str] = field(default_factory=set)
    labels: dict[str, dict[str, list[Lit]]] = field(
        default_factory=lambda: {kind: defaultdict(list) for kind in LABEL_KINDS}
    )
    notes: dict[str, dict[str, list[Lit]]] = field(
        default_factory=lambda: {kind: defaultdict(list) for kind in NOTE_KINDS}
    )
    notations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[tuple[str, Term]]] = field(
        default_factory=lambda: {kind: [] for kind in LINK_KINDS}
    )
    deprecated: set[str] = field(default_factory=set)
    provenance: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    invalid_iris: dict[str, int] = field(default_factory=dict)

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        """Record one triple (others than the SKOS ones the snapshot keeps are ignored)."""
        if predicate == RDF_TYPE:
            kind = _TYPES.get(obj) if isinstance(obj, str) else None
            if kind == "concept":
                self.concepts.add(subject)
            elif kind == "scheme":
                self.schemes.add(subject)
            elif kind == "collection":
                self.collections.add(subject)
        elif predicate in _LABEL_PREDICATES:
            if isinstance(obj, Lit):
                self.labels[_LABEL_PREDICATES[predicate]][subject].append(obj)
        elif predicate in _NOTE_PREDICATES:
            if isinstance(obj, Lit):
                self.notes[_NOTE_PREDICATES[predicate]][subject].append(obj)
        elif predicate in _LINK_PREDICATES:
            self.links[_LINK_PREDICATES[predicate]].append((subject, obj))
        elif predicate == SKOS + "notation":
            self.notations[subject].append(obj.value if isinstance(obj, Lit) else obj)
        elif predicate in PROVENANCE:
            self.provenance[PROVENANCE[predicate]].add(obj.value if isinstance(obj, Lit) else obj)
        elif predicate == OWL_DEPRECATED:
            if isinstance(obj, Lit) and obj.value.strip().lower() in ("true", "1"):
                self.deprecated.add(subject)

    # Derived views, built once on first use; a snapshot is not changed after loading.

    def _links(
        self, forward: tuple[str, ...], inverse: tuple[str, ...] = ()
    ) -> dict[str, set[str]]:
        """Subject -> objects of ``forward`` links, and object -> subject of ``inverse`` ones."""
        out: dict[str, set[str]] = defaultdict(set)
        for kind in forward:
            for s, o in self.links[kind]:
                if isinstance(o, str):
                    out[s].add(o)
        for kind in inverse:
            for s, o in self.links[kind]:
                if isinstance(o, str):
                    out[o].add(s)
        return out

    @cached_property
    def broader(self) -> dict[str, set[str]]:
        """Concept -> its broader concepts (skos:broader plus inverted skos:narrower)."""
        return self._links(("broader",), ("narrower",))

    @cached_property
    def related(self) -> dict[str, set[str]]:
        """Concept -> related concepts (symmetric)."""
        return self._links(("related",), ("related",))

    @cached_property
    def in_scheme(self) -> dict[str, set[str]]:
        """Resource -> schemes (skos:inScheme, skos:topConceptOf, inverted skos:hasTopConcept)."""
        return self._links(("inScheme", "topConceptOf"), ("hasTopConcept",))

    @cached_property
    def top_of(self) -> dict[str, set[str]]:
        """Concept -> schemes it is a top concept of (either direction of the link)."""
        return self._links(("topConceptOf",), ("hasTopConcept",))

    @cached_property
    def replaced_by(self) -> dict[str, set[str]]:
        """Concept -> its dct:isReplacedBy targets."""
        return self._links(("isReplacedBy",))

    def labels_of(self, kind: str, subject: str) -> list[Lit]:
        """Labels of one kind on a subject ([] when none)."""
        return self.labels[kind].get(subject, [])

    def notes_of(self, kind: str, subject: str) -> list[Lit]:
        """Notes of one kind on a subject ([] when none)."""
        return self.notes[kind].get(subject, [])

    def provenance_note(self) -> str | None:
        """The attribution, rights and licence statements of the data, in one line (or None)."""
        parts = [
            f"{kind}: {value}" if kind == "license" else value
            for kind in ("attribution", "rights", "license")
            for value in sorted(self.provenance.get(kind, ()))
        ]
        return "; ".join(parts) or None

    def notation(self, subject: str) -> str | None:
        """The smallest notation of a subject, if any."""
        values = self.notations.get(subject)
        return min(values) if values else None


def _term_from_rdflib(node: object) -> Term:
    from rdflib import BNode, Literal

    if isinstance(node, Literal):
        return Lit(str(node), (node.language or "").lower())
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def snapshot_from_graph(graph: Graph, *, source: str = "graph") -> SkosSnapshot:
    """Build a snapshot from an rdflib graph.

    Args:
        graph: any rdflib graph holding SKOS data.
        source: a name for reports (path, "store", ...).
    """
    from rdflib import URIRef

    from socsec.thesaurus.rdfio import invalid_iri_counts

    snap = SkosSnapshot(source=source)
    iris: list[str] = []
    for s, p, o in graph:
        snap.add(str(_term_from_rdflib(s)), str(p), _term_from_rdflib(o))
        iris.extend(str(t) for t in (s, p, o) if isinstance(t, URIRef))
    snap.invalid_iris = invalid_iri_counts(iris)  # rdflib accepts IRIs RDF does not allow
    return snap


def _term_from_oxigraph(node: object) -> Term:
    import pyoxigraph as ox

    if isinstance(node, ox.Literal):
        return Lit(node.value, (node.language or "").lower())
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    return str(getattr(node, "value", node))


def snapshot_from_triples(triples: Iterable[ox.Triple], *, source: str) -> SkosSnapshot:
    """Build a snapshot from pyoxigraph triples (as the thesaurus store reads them)."""
    snap = SkosSnapshot(source=source)
    for t in triples:
        snap.add(
            str(_term_from_oxigraph(t.subject)), t.predicate.value, _term_from_oxigraph(t.object)
        )
    return snap


def snapshot_from_file(
    path: Path, fmt: str | None = None, *, base: str | None = None
) -> SkosSnapshot:
    """Parse one RDF file (Turtle, RDF/XML, N-Triples, JSON-LD) into a snapshot, importing nothing.

    The file is read leniently: IRIs RDF does not allow are kept in ``invalid_iris`` (the
    quality check reports them) instead of refusing the whole file.

    Args:
        path: the file.
        fmt: ttl, xml, nt or jsonld; default from the extension.
        base: the IRI relative IRIs resolve against (default: the file's URI).

    Raises:
        InputDataError: unknown format, unreadable file or syntax error (with line and column).
    """
    from socsec.thesaurus.rdfio import guess_format, invalid_iris, parse_file

    triples, _prefixes = parse_file(path, guess_format(path, fmt), base=base, lenient=True)
    snap = snapshot_from_triples(triples, source=str(path))
    snap.invalid_iris = invalid_iris(triples)
    return snap


def snapshot_from_dir(directory: Path, *, source: str = "store") -> SkosSnapshot:
    """The store of record (all Turtle files of the thesaurus directory) as one snapshot.

    Raises:
        NotFoundError: when the directory holds no thesaurus file.
    """
    from socsec.thesaurus.store import read_all, store_files

    if not store_files(directory):
        raise NotFoundError(
            f"no thesaurus files in {directory}",
            hint="import one with: socsec thesaurus import FILE",
        )
    return snapshot_from_triples(read_all(directory), source=source)
