"""The result type of a thesaurus lookup, kept free of dataclasses.

A lookup runs as a whole process for every `socsec thesaurus lookup`; importing
:mod:`dataclasses` (and the :mod:`inspect` it pulls in) costs 20 ms of that here, so the
lookup path uses a NamedTuple. The richer views of :mod:`socsec.thesaurus.model` are
dataclasses: they serve commands that do more work.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class MatchKind(StrEnum):
    """How a lookup hit matched, best first (the order of the lookup ladder)."""

    exact = "exact"
    folded = "folded"
    stemmed = "stemmed"
    prefix = "prefix"
    fuzzy = "fuzzy"


class LookupHit(NamedTuple):
    """One concept found by :meth:`ThesaurusCache.lookup`.

    Attributes:
        uri: the concept URI.
        match: how the term matched (exact, folded, stemmed, prefix, fuzzy).
        matched_label: the label that matched.
        matched_lang: the language tag of that label ("" when untagged).
        matched_kind: "pref", "alt" or "hidden".
        score: 100 for exact..prefix ranks, the similarity (0-100) for fuzzy hits.
        pref: preferred label per base language ("en", "fr", "es", ...).
        alt: alternative labels per base language.
        notation: the concept's notation, if any.
        schemes: URIs of the schemes the concept is in.
        deprecated: owl:deprecated true.
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

    def to_json(self, langs: tuple[str, ...] | list[str]) -> dict[str, Any]:
        """The documented JSON shape (CLI ``--json``, web API), labels keyed by ``langs``."""
        return {
            "uri": self.uri,
            "match": self.match.value,
            "matched_label": self.matched_label,
            "matched_lang": self.matched_lang,
            "matched_kind": self.matched_kind,
            "score": self.score,
            "pref": {t: self.pref.get(t) for t in langs},
            "alt": {t: self.alt.get(t, []) for t in langs},
            "notation": self.notation,
            "schemes": list(self.schemes),
            "deprecated": self.deprecated,
        }
