"""The result type of a thesaurus lookup, kept free of dataclasses.

A lookup runs as a whole process for every `socsec thesaurus lookup`; importing
:mod:`dataclasses` (and the :mod:`inspect` it pulls in) costs 20 ms of that here, so the
lookup path uses a NamedTuple. The richer views of :mod:`socsec.thesaurus.model` are
dataclasses: they serve commands that do more work.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple


class MatchKind(StrEnum):
    """How a lookup hit matched, best first (the order of the lookup ladder)."""

    exact = "exact"
    folded = "folded"
    stemmed = "stemmed"
    reordered = "reordered"  # the same words in another order ("pension of old age")
    variant = "variant"  # one word replaced by a word the labels use for it, check it
    prefix = "prefix"
    partial = "partial"  # some words in common: a related or broader notion, check it
    fuzzy = "fuzzy"


class LookupHit(NamedTuple):
    """One concept found by :meth:`ThesaurusCache.lookup`.

    Attributes:
        uri: the concept URI.
        match: how the term matched (exact, folded, stemmed, reordered, variant, prefix,
            partial, fuzzy).
        matched_label: the label that matched.
        matched_lang: the language tag of that label ("" when untagged).
        matched_kind: "pref", "alt" or "hidden".
        score: a confidence from 0 to 100: 100 exact, 99 folded, 95 stemmed, 92 reordered,
            85 variant;
            for prefix, partial and fuzzy hits, how much of the term and label agree.
        pref: preferred label per base language ("en", "fr", "es", ...).
        alt: alternative labels per base language.
        notation: the concept's notation, if any.
        schemes: URIs of the schemes the concept is in.
        deprecated: owl:deprecated true.
        replaced_by: for a deprecated concept, its replacements as (URI, preferred label).
        in_domain: the concept is in one of the preferred (domain) schemes.
    """

    uri: str
    match: MatchKind
    matched_label: str
    matched_lang: str
    matched_kind: str
    score: float
    pref: dict[str, str]
    alt: dict[str, list[str]]
    notation: str | None = None
    schemes: tuple[str, ...] = ()
    deprecated: bool = False
    replaced_by: tuple[tuple[str, str], ...] = ()
    in_domain: bool = False

    def to_json(self, langs: tuple[str, ...] | list[str]) -> dict[str, Any]:
        """The documented JSON shape (CLI ``--json``, web API), labels keyed by ``langs``."""
        return {
            "uri": self.uri,
            "match": self.match.value,
            "matched_label": self.matched_label,
            "matched_lang": self.matched_lang,
            "matched_kind": self.matched_kind,
            "score": self.score,
            **self.concept_json(langs),
        }

    def concept_json(self, langs: Sequence[str]) -> dict[str, Any]:
        """The concept's keys of :meth:`to_json` (the same for every hit of the concept)."""
        return {
            "pref": {t: self.pref.get(t) for t in langs},
            "alt": {t: self.alt.get(t, []) for t in langs},
            "notation": self.notation,
            "schemes": list(self.schemes),
            "deprecated": self.deprecated,
            "replaced_by": [{"uri": u, "label": label} for u, label in self.replaced_by],
        }
