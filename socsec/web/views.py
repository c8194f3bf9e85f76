"""What the API and the pages show, built from the same library calls as the CLI.

Nothing here searches or matches by itself: every function calls the thesaurus, bibliography
or indexer library and reshapes the result for JSON or a template.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from socsec.analysis import SUPPORTED_LANGUAGES, base_language

if TYPE_CHECKING:
    from socsec.indexer.service import SearchResponse
    from socsec.thesaurus.lookup import ThesaurusCache

LANGS: tuple[str, ...] = SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete entry: the label that matched and the concept's labels in en/fr/es."""

    uri: str
    label: str
    matched_label: str
    matched_lang: str
    match: str
    notation: str | None
    labels: dict[str, str | None]

    def to_json(self) -> dict[str, Any]:
        """The JSON object (built by hand: this is the hot path)."""
        return {
            "uri": self.uri,
            "label": self.label,
            "matched_label": self.matched_label,
            "matched_lang": self.matched_lang,
            "match": self.match,
            "notation": self.notation,
            "labels": self.labels,
        }


@dataclass(frozen=True)
class ConceptLink:
    """A concept named on a page: URI, label in the display language, narrower count."""

    uri: str
    label: str
    narrower_count: int = 0


@dataclass(frozen=True)
class ConceptPayload:
    """A concept with labels in every language and its place in the hierarchy.

    Attributes:
        uri: the concept URI.
        notation: its notation.
        label: preferred label in the display language.
        pref: preferred label per language tag.
        alt: alternative labels per language tag.
        notes: SKOS notes per property and language tag.
        broader: direct broader concepts.
        narrower: direct narrower concepts.
        related: related concepts.
        broader_paths: paths from the parent up to a top concept, nearest first.
        schemes: scheme URIs.
        mappings: exactMatch/closeMatch/... URIs.
        deprecated: owl:deprecated.
        replaced_by: replacement concepts.
    """

    uri: str
    notation: str | None
    label: str
    pref: dict[str, str]
    alt: dict[str, list[str]]
    notes: dict[str, dict[str, list[str]]]
    broader: list[ConceptLink]
    narrower: list[ConceptLink]
    related: list[ConceptLink]
    broader_paths: list[list[ConceptLink]]
    schemes: list[str]
    mappings: dict[str, list[str]] = field(default_factory=dict)
    deprecated: bool = False
    replaced_by: list[ConceptLink] = field(default_factory=list)


@dataclass(frozen=True)
class SchemeTop:
    """A concept scheme with its top concepts."""

    uri: str
    title: str
    concepts: int
    top: list[ConceptLink]


@dataclass(frozen=True)
class LookupHitJSON:
    """The JSON of one lookup hit (:meth:`LookupHit.to_json` with en/fr/es), for the API docs."""

    uri: str
    match: str
    matched_label: str
    matched_lang: str
    matched_kind: str
    score: float
    pref: dict[str, str | None]
    alt: dict[str, list[str]]
    notation: str | None
    schemes: list[str]
    deprecated: bool


def suggestions(
    cache: ThesaurusCache, term: str, *, lang: str | None, display: str, limit: int
) -> list[Suggestion]:
    """Autocomplete entries for ``term`` in any of en/fr/es (or only ``lang``)."""
    hits = cache.lookup(term, lang=lang, limit=limit)
    return [
        Suggestion(
            uri=h.uri,
            label=h.pref.get(display) or h.pref.get("en") or h.matched_label,
            matched_label=h.matched_label,
            matched_lang=h.matched_lang,
            match=h.match.value,
            notation=h.notation,
            labels={t: h.pref.get(t) for t in LANGS},
        )
        for h in hits
    ]


def _link(cache: ThesaurusCache, uri: str, lang: str) -> ConceptLink:
    return ConceptLink(uri, cache.pref_label(uri, lang), cache.narrower_count(uri))


def _by_label(links: list[ConceptLink]) -> list[ConceptLink]:
    return sorted(links, key=lambda c: (c.label.casefold(), c.uri))


def concept_payload(cache: ThesaurusCache, ref: str, *, lang: str) -> ConceptPayload:
    """A concept by URI, notation or label, with its neighbourhood labelled in ``lang``.

    Raises:
        NotFoundError: no such concept (with suggestions).
        AmbiguousReference: the label names several concepts.
    """
    from socsec.thesaurus.browse import concept_detail

    detail = concept_detail(cache, ref, lang=lang)
    c = detail.concept

    def links(uris: list[str]) -> list[ConceptLink]:
        return [_link(cache, u, lang) for u in uris if cache.exists(u)]

    return ConceptPayload(
        uri=c.uri,
        notation=c.notation,
        label=cache.pref_label(c.uri, lang),
        pref=c.pref,
        alt=c.alt,
        notes=c.notes,
        broader=_by_label(links(c.broader)),
        narrower=_by_label(links(c.narrower)),
        related=_by_label(links(c.related)),
        broader_paths=[links(p) for p in detail.broader_paths],
        schemes=c.schemes,
        mappings=c.mappings,
        deprecated=c.deprecated,
        replaced_by=links(c.replaced_by),
    )


def top_concepts(cache: ThesaurusCache, *, lang: str, scheme: str | None = None) -> list[SchemeTop]:
    """Each scheme (or only ``scheme``) with its top concepts, sorted by label.

    Raises:
        NotFoundError: ``scheme`` is not a scheme of the thesaurus.
    """
    from socsec.thesaurus.browse import tree

    out = []
    schemes = {s.uri: s for s in cache.schemes()}
    for node in tree(cache, None, depth=1, lang=lang, scheme=scheme):
        out.append(
            SchemeTop(
                uri=node.uri,
                title=node.label,
                concepts=schemes[node.uri].concepts if node.uri in schemes else 0,
                top=[ConceptLink(k.uri, k.label, k.narrower_count) for k in node.children],
            )
        )
    return out


def children(cache: ThesaurusCache, ref: str, *, lang: str) -> list[ConceptLink]:
    """Direct narrower concepts of a concept (URI, notation or label), sorted by label."""
    from socsec.thesaurus.browse import tree

    (node,) = tree(cache, ref, depth=1, lang=lang)
    return [ConceptLink(k.uri, k.label, k.narrower_count) for k in node.children]


def display_lang(lang: str | None) -> str:
    """The base language labels are shown in: en, fr or es (English otherwise)."""
    base = base_language(lang)
    return base if base in LANGS else "en"


def relabel(resp: SearchResponse, cache: ThesaurusCache, lang: str) -> SearchResponse:
    """The same response with every concept label in ``lang``.

    Pages search in any language (the query's) but show labels in the reader's language,
    which ``SearchRequest.lang`` ties together.
    """
    from socsec.indexer.service import ConceptRef

    def ref(c: ConceptRef) -> ConceptRef:
        return ConceptRef(c.uri, cache.pref_label(c.uri, lang), c.provenance)

    facets = resp.facets
    if facets is not None:
        subjects = [
            replace(v, label=cache.pref_label(str(v.value), lang)) for v in facets["subjects"]
        ]
        facets = {**facets, "subjects": subjects}
    return replace(
        resp,
        hits=[replace(h, subjects=[ref(s) for s in h.subjects]) for h in resp.hits],
        expansions=[replace(e, label=cache.pref_label(e.uri, lang)) for e in resp.expansions],
        concept_filter=[ref(c) for c in resp.concept_filter],
        facets=facets,
    )


@dataclass(frozen=True)
class TreeNode:
    """A concept in the hierarchy sidebar: its children are shown only along the open path."""

    uri: str
    label: str
    narrower_count: int
    current: bool = False
    children: list[TreeNode] = field(default_factory=list)


SIBLINGS_SHOWN = 100


def hierarchy_sidebar(cache: ThesaurusCache, c: ConceptPayload, *, lang: str) -> list[TreeNode]:
    """The tree a Skosmos sidebar shows: the path from a top concept down to ``c``.

    The concept sits among its siblings (the other narrower concepts of its first broader
    concept, or the top concepts of its scheme), with its own narrower concepts below it.
    """
    here = TreeNode(
        c.uri,
        c.label,
        len(c.narrower),
        current=True,
        children=[TreeNode(n.uri, n.label, n.narrower_count) for n in c.narrower],
    )
    path = list(reversed(c.broader_paths[0])) if c.broader_paths else []
    if path:
        sibling_uris = cache.narrower(path[-1].uri)
    else:
        sibling_uris = cache.top_concepts(c.schemes[0]) if c.schemes else []
    siblings = [
        here if u == c.uri else TreeNode(**vars(_link(cache, u, lang)))
        for u in sibling_uris[:SIBLINGS_SHOWN]
    ]
    if here not in siblings:
        siblings.append(here)
    level = sorted(siblings, key=lambda n: (n.label.casefold(), n.uri))
    for ancestor in reversed(path):
        level = [TreeNode(ancestor.uri, ancestor.label, ancestor.narrower_count, children=level)]
    return level
