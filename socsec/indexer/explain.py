"""Why a hit matched: the lines ``socsec search --explain`` shows under each hit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socsec.indexer.base import Hit
    from socsec.indexer.documents import ThesaurusLike
    from socsec.indexer.service import Expansion


def why(
    hit: Hit,
    marked: str | None,
    expansions: Sequence[Expansion],
    concept_filter: Sequence[str],
    lang: str,
    thesaurus: ThesaurusLike,
) -> list[str]:
    """Reasons, in English, why ``hit`` matched (title words, concepts, concept filter).

    Args:
        hit: the backend hit.
        marked: its highlighted title, if any query word is in it.
        expansions: the concepts the query named.
        concept_filter: the concepts the search was restricted to.
        lang: language of the concept labels shown.
        thesaurus: for labels and the hierarchy.
    """
    out = []
    if marked:
        out.append(f"title: {marked}")
    for e in expansions:
        said = f"{e.label} (query {e.words!r})"
        if e.uri in hit.subjects:
            out.append(f"{_kind(hit, e.uri)} subject: {said}")
        elif e.uri in hit.ancestors:
            out.append(f"broader than a subject: {said}")
        elif e.uri in hit.detected:
            out.append(f"concept in title/abstract: {said}")
    for uri in concept_filter:
        label = thesaurus.pref_label(uri, lang)
        if uri in hit.subjects:
            out.append(f"tagged {label} ({_kind(hit, uri)})")
        elif uri in hit.ancestors:
            narrower = [u for u in hit.subjects if uri in thesaurus.ancestors(u)]
            names = ", ".join(
                f"{thesaurus.pref_label(u, lang)} ({_kind(hit, u)})" for u in narrower
            )
            out.append(f"tagged {names}, narrower than {label}")
        elif uri in hit.detected:
            out.append(f"names {label} in title/abstract")
        else:
            named = [u for u in hit.detected if uri in thesaurus.ancestors(u)]
            if named:
                names = ", ".join(thesaurus.pref_label(u, lang) for u in named)
                out.append(f"names {names} in title/abstract, narrower than {label}")
    if not out:
        out.append("labels or text of the record (abstract, keywords, subject labels)")
    return out


def _kind(hit: Hit, uri: str) -> str:
    """Who assigned a subject of the hit: manual, accepted or automatic."""
    return hit.provenance.get(uri, "manual")
