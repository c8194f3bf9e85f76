"""Downloads the server offers: one concept as SKOS RDF, the glossary as TBX/CSV.

The per-concept RDF is built from the compiled cache's :class:`ConceptView`, so it answers
without reading the whole thesaurus of record. (Candidate for socsec.thesaurus: a library
``concept_rdf(view, fmt)``; it lives here until the thesaurus area adopts it.)
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from socsec.errors import NotFoundError
from socsec.thesaurus.model import DCT, OWL_DEPRECATED, RDF_TYPE, SKOS

if TYPE_CHECKING:
    import pyoxigraph as ox

    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.thesaurus.model import ConceptView

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
PREFIXES = {
    "skos": SKOS,
    "dct": DCT,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


class ConceptFormat(StrEnum):
    """RDF serialisations of one concept, with their media types."""

    ttl = "ttl"
    jsonld = "jsonld"

    @property
    def media_type(self) -> str:
        """The response media type of the format."""
        return {"ttl": "text/turtle", "jsonld": "application/ld+json"}[self.value]


class GlossaryFormat(StrEnum):
    """Glossary files for translators."""

    tbx = "tbx"
    csv = "csv"

    @property
    def media_type(self) -> str:
        """The response media type of the glossary format."""
        return {"tbx": "application/x-tbx+xml", "csv": "text/csv; charset=utf-8"}[self.value]


def _triples(view: ConceptView) -> list[ox.Triple]:
    import pyoxigraph as ox

    s = ox.NamedNode(view.uri)
    out: list[ox.Triple] = [
        ox.Triple(s, ox.NamedNode(RDF_TYPE), ox.NamedNode(SKOS + "Concept")),
    ]

    def lit(text: str, tag: str) -> ox.Literal:
        return ox.Literal(text, language=tag) if tag else ox.Literal(text)

    def add_labels(prop: str, values: dict[str, list[str]]) -> None:
        for tag, texts in sorted(values.items()):
            for text in texts:
                out.append(ox.Triple(s, ox.NamedNode(SKOS + prop), lit(text, tag)))

    add_labels("prefLabel", {tag: [text] for tag, text in view.pref.items()})
    add_labels("altLabel", view.alt)
    add_labels("hiddenLabel", view.hidden)
    for prop, per_lang in sorted(view.notes.items()):
        add_labels(prop, per_lang)
    if view.notation:
        out.append(ox.Triple(s, ox.NamedNode(SKOS + "notation"), ox.Literal(view.notation)))
    links: list[tuple[str, Iterable[str]]] = [
        (SKOS + "broader", view.broader),
        (SKOS + "narrower", view.narrower),
        (SKOS + "related", view.related),
        (SKOS + "inScheme", view.schemes),
        (SKOS + "topConceptOf", view.top_of),
        (DCT + "isReplacedBy", view.replaced_by),
        *((SKOS + kind, uris) for kind, uris in sorted(view.mappings.items())),
    ]
    for prop, uris in links:
        for uri in sorted(uris):
            out.append(ox.Triple(s, ox.NamedNode(prop), ox.NamedNode(uri)))
    if view.deprecated:
        true = ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN))
        out.append(ox.Triple(s, ox.NamedNode(OWL_DEPRECATED), true))
    for prop, value in (("created", view.created), ("modified", view.modified)):
        if value:
            out.append(ox.Triple(s, ox.NamedNode(DCT + prop), ox.Literal(value)))
    return out


def concept_triples(view: ConceptView) -> list[ox.Triple]:
    """One concept's SKOS description as Oxigraph triples (for other serialisations)."""
    return _triples(view)


def concept_rdf(view: ConceptView, fmt: ConceptFormat) -> bytes:
    """One concept's SKOS description (labels, notes, links, mappings) as Turtle or JSON-LD."""
    import pyoxigraph as ox

    formats = {ConceptFormat.ttl: ox.RdfFormat.TURTLE, ConceptFormat.jsonld: ox.RdfFormat.JSON_LD}
    data = ox.serialize(_triples(view), format=formats[fmt], prefixes=PREFIXES)
    assert data is not None  # no output file given: bytes are returned
    return bytes(data)


def _attribution(cache: ThesaurusCache) -> str | None:
    notes = []
    for s in cache.schemes():
        for text in (s.attribution, s.rights, s.license):
            if text and text not in notes:
                notes.append(text)
    return "; ".join(notes) or None


def glossary(
    cache: ThesaurusCache,
    fmt: GlossaryFormat,
    langs: Sequence[str],
    *,
    concept: str | None = None,
    scheme: str | None = None,
) -> tuple[bytes, int]:
    """The glossary (TBX-Basic or CSV) of the whole thesaurus, one scheme or one branch.

    Args:
        cache: the thesaurus cache.
        fmt: tbx or csv.
        langs: languages, e.g. ("en", "fr", "es").
        concept: only this concept (URI, notation or label) and its descendants.
        scheme: only the concepts of this scheme URI.

    Returns:
        The file bytes and the number of concepts written.

    Raises:
        NotFoundError: unknown concept or scheme.
    """
    from socsec.thesaurus.export_csv import write_csv
    from socsec.thesaurus.export_tbx import write_tbx
    from socsec.thesaurus.glossary import entries_from_views

    infos = cache.schemes()
    if scheme is not None and scheme not in {s.uri for s in infos}:
        raise NotFoundError(f"No scheme {scheme!r}", suggestions=[s.uri for s in infos][:5])
    if concept is not None:
        root = cache.resolve(concept)
        uris = [root, *cache.descendants(root)]
    else:
        uris = list(dict.fromkeys(uri for uri, *_rest in cache.iter_labels()))
    views = [cache.concept(u) for u in sorted(uris)]
    if scheme is not None:
        views = [v for v in views if scheme in v.schemes]
    titles = {s.uri: s.title for s in infos}
    entries = list(entries_from_views(views, langs, titles))
    buf = io.BytesIO()
    if fmt is GlossaryFormat.tbx:
        count = write_tbx(entries, buf, langs, source_note=_attribution(cache))
    else:
        count = write_csv(entries, buf, langs)
    return buf.getvalue(), count
