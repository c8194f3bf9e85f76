"""Glossary entries: the per-concept, per-language view the translator exports are made from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from socsec.analysis import base_language
from socsec.thesaurus.checks_io import Lit, SkosSnapshot, snapshot_from_graph

if TYPE_CHECKING:
    from rdflib import Graph

    from socsec.thesaurus.model import ConceptView


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept as a glossary row.

    Attributes:
        uri: the concept URI.
        notation: its notation, if any.
        pref: preferred label per language.
        alt: equivalents per language (sorted): the alternative labels that are variants or
            abbreviations of the preferred one (:mod:`socsec.thesaurus.term_status`).
        definitions: definitions per language.
        subject_fields: labels of the concept's schemes, per language.
        entry_terms: the other alternative labels per language (sorted): entry points
            for narrower or neighbouring notions, not equivalents a translator may use.
        abbreviations: the equivalents that are abbreviations or acronyms.
        deprecated: the concept is deprecated (its terms are exported as deprecated).
        replaced_by: URIs of the concepts that replace a deprecated one.
    """

    uri: str
    notation: str | None = None
    pref: dict[str, str] = field(default_factory=dict)
    alt: dict[str, tuple[str, ...]] = field(default_factory=dict)
    definitions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    subject_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entry_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deprecated: bool = False
    replaced_by: tuple[str, ...] = ()


def _split_alts(
    pref: dict[str, str], alt: dict[str, tuple[str, ...]]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(equivalents, abbreviations, entry terms) per language, each sorted, empty ones dropped."""
    from socsec.thesaurus.term_status import classify

    equivalents: dict[str, tuple[str, ...]] = {}
    abbreviations: dict[str, tuple[str, ...]] = {}
    entry: dict[str, tuple[str, ...]] = {}
    for lang, values in sorted(alt.items()):
        eq, ab, en = classify(pref.get(lang), values, lang)
        for out, got in ((equivalents, eq), (abbreviations, ab), (entry, en)):
            if got:
                out[lang] = tuple(sorted(got))
    return equivalents, abbreviations, entry


def _by_lang(lits: Iterable[Lit], langs: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lit in lits:
        lang = base_language(lit.lang)
        if lang is not None and lang in langs:
            out.setdefault(lang, []).append(lit.value)
    return out


def entries_from_snapshot(snap: SkosSnapshot, langs: Sequence[str]) -> Iterator[GlossaryEntry]:
    """Glossary entries of the concepts, sorted by URI (deprecated ones flagged).

    When a concept has several prefLabels in a language (an S14 defect), the smallest is kept.
    """
    scheme_labels = {
        scheme: {
            lang: min(values)
            for lang, values in _by_lang(snap.labels_of("pref", scheme), langs).items()
        }
        for scheme in snap.schemes
    }
    replaced = snap.replaced_by
    for uri in sorted(snap.concepts):
        pref = {
            lang: min(values)
            for lang, values in _by_lang(snap.labels_of("pref", uri), langs).items()
        }
        alt = {
            lang: tuple(sorted(set(v)))
            for lang, v in _by_lang(snap.labels_of("alt", uri), langs).items()
        }
        alt = {
            lang: tuple(v for v in values if v != pref.get(lang)) for lang, values in alt.items()
        }
        definitions = {
            lang: tuple(sorted(set(v)))
            for lang, v in _by_lang(snap.notes_of("definition", uri), langs).items()
        }
        fields: dict[str, list[str]] = {}
        for scheme in sorted(snap.in_scheme.get(uri, ())):
            for lang, label in scheme_labels.get(scheme, {}).items():
                fields.setdefault(lang, []).append(label)
        equivalents, abbreviations, entry_terms = _split_alts(pref, alt)
        yield GlossaryEntry(
            uri=uri,
            notation=snap.notation(uri),
            pref=dict(sorted(pref.items())),
            alt=equivalents,
            definitions=dict(sorted(definitions.items())),
            subject_fields={k: tuple(v) for k, v in sorted(fields.items())},
            entry_terms=entry_terms,
            abbreviations=abbreviations,
            deprecated=uri in snap.deprecated,
            replaced_by=tuple(sorted(replaced.get(uri, ()))),
        )


def entries_from_views(
    views: Iterable[ConceptView],
    langs: Sequence[str],
    scheme_titles: dict[str, dict[str, str]] | None = None,
) -> Iterator[GlossaryEntry]:
    """Glossary entries from the lookup cache's concept views (``ThesaurusCache.concept``).

    Args:
        views: concept views, e.g. ``(cache.concept(u) for u in uris)``.
        langs: languages to keep.
        scheme_titles: scheme URI -> title per language, for the subject field.
    """
    titles = scheme_titles or {}
    for view in views:
        pref = {
            base_language(k) or "": v for k, v in view.pref.items() if base_language(k) in langs
        }
        alt = {
            base_language(k) or "": tuple(sorted(v))
            for k, v in view.alt.items()
            if base_language(k) in langs
        }
        notes = view.notes.get("definition", {})
        defs = {
            base_language(k) or "": tuple(v) for k, v in notes.items() if base_language(k) in langs
        }
        fields: dict[str, list[str]] = {}
        for scheme in view.schemes:
            for lang, title in titles.get(scheme, {}).items():
                if lang in langs:
                    fields.setdefault(lang, []).append(title)
        equivalents, abbreviations, entry_terms = _split_alts(pref, alt)
        yield GlossaryEntry(
            uri=view.uri,
            notation=view.notation,
            pref=pref,
            alt=equivalents,
            definitions=defs,
            subject_fields={k: tuple(v) for k, v in fields.items()},
            entry_terms=entry_terms,
            abbreviations=abbreviations,
            deprecated=view.deprecated,
            replaced_by=tuple(view.replaced_by),
        )


def as_entries(
    source: SkosSnapshot | Graph | Iterable[GlossaryEntry], langs: Sequence[str]
) -> Iterable[GlossaryEntry]:
    """Glossary entries from a snapshot, an rdflib graph, or entries already made."""
    if isinstance(source, SkosSnapshot):
        return entries_from_snapshot(source, langs)
    from rdflib import Graph

    if isinstance(source, Graph):
        return entries_from_snapshot(snapshot_from_graph(source), langs)
    return source
