"""Split an imported graph into one part per concept scheme plus a shared part.

Every triple lands in exactly one part, so the union of the parts is the imported graph.
A blank node never spans two parts (each store file is its own blank-node scope): triples
that touch blank nodes go to the part of the resources that reach them, or to the shared
part when several parts do.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from socsec.thesaurus.model import RDF_TYPE, SKOS

SHARED = ""  # key of the part holding triples that belong to no single scheme

_TYPE = ox.NamedNode(RDF_TYPE)
_SCHEME = ox.NamedNode(SKOS + "ConceptScheme")
_IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
_TOP_OF = ox.NamedNode(SKOS + "topConceptOf")
_HAS_TOP = ox.NamedNode(SKOS + "hasTopConcept")

Node = ox.NamedNode | ox.BlankNode


def scheme_uris(triples: Sequence[ox.Triple]) -> list[str]:
    """URIs of the skos:ConceptScheme resources in ``triples`` (named ones), sorted."""
    return sorted(
        t.subject.value
        for t in triples
        if t.predicate == _TYPE and t.object == _SCHEME and isinstance(t.subject, ox.NamedNode)
    )


def _find(parent: dict[Node, Node], node: Node) -> Node:
    while parent.get(node, node) != node:
        parent[node] = parent.get(parent[node], parent[node])
        node = parent[node]
    return node


def partition(triples: Sequence[ox.Triple]) -> dict[str, list[ox.Triple]]:
    """Parts keyed by scheme URI (``SHARED`` for the rest).

    A resource belongs to the scheme it is, or to the first (sorted) scheme it is in
    (skos:inScheme, skos:topConceptOf, or named by skos:hasTopConcept).
    """
    schemes = set(scheme_uris(triples))
    owner: dict[str, str] = {s: s for s in schemes}
    for t in sorted(
        (t for t in triples if t.predicate in (_IN_SCHEME, _TOP_OF, _HAS_TOP)),
        key=lambda t: str(t.subject if t.predicate == _HAS_TOP else t.object),
    ):
        member, scheme = (t.object, t.subject) if t.predicate == _HAS_TOP else (t.subject, t.object)
        if isinstance(member, ox.NamedNode) and isinstance(scheme, ox.NamedNode):
            if scheme.value in schemes:
                owner.setdefault(member.value, scheme.value)

    def part_of(node: object) -> str:
        return owner.get(node.value, SHARED) if isinstance(node, ox.NamedNode) else SHARED

    # Union-find over blank nodes and the subjects pointing at them.
    parent: dict[Node, Node] = {}
    touching: list[ox.Triple] = []
    for t in triples:
        s, o = t.subject, t.object
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            touching.append(t)
            if isinstance(o, ox.BlankNode) and isinstance(s, ox.NamedNode | ox.BlankNode):
                a, b = _find(parent, s), _find(parent, o)
                if a != b:
                    parent[a] = b
    component_parts: dict[Node, set[str]] = {}
    for t in touching:
        root = _find(parent, t.subject)  # type: ignore[arg-type]
        parts = component_parts.setdefault(root, set())
        if isinstance(t.subject, ox.NamedNode):
            parts.add(part_of(t.subject))
    parts_out: dict[str, list[ox.Triple]] = {}
    for t in triples:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            found = component_parts[_find(parent, t.subject)]  # type: ignore[arg-type]
            key = next(iter(found)) if len(found) == 1 else SHARED
        else:
            key = part_of(t.subject)
        parts_out.setdefault(key, []).append(t)
    return parts_out
