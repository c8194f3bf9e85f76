"""Deprecated concepts give way to their replacements in subject suggestions.

A model trained before a concept was deprecated (or on records curated with it) still
scores the old concept; a curator should be offered the concept that replaces it
(``dct:isReplacedBy``), and a deprecated concept with no replacement not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from socsec.suggest.model import Document, Suggestion


def use_replacements(
    found: Sequence[Suggestion], replacements: Mapping[str, Sequence[str]]
) -> list[Suggestion]:
    """``found`` with each deprecated concept swapped for its replacements, best first.

    A replacement takes the deprecated concept's score unless it scored higher itself; a
    concept appears once; a deprecated concept without replacement is dropped.

    Args:
        found: suggestions, best first.
        replacements: every deprecated concept with the concepts replacing it (see
            ``ThesaurusCache.replacements``).
    """
    best: dict[str, Suggestion] = {}
    for s in found:
        for uri in replacements.get(s.uri, ()) if s.uri in replacements else (s.uri,):
            if uri in replacements:  # a replacement itself deprecated: not offered either
                continue
            kept = best.get(uri)
            if kept is None or s.score > kept.score:
                best[uri] = dataclasses.replace(s, uri=uri)
    return sorted(best.values(), key=lambda s: -s.score)


def replaced_subjects(doc: Document, replacements: Mapping[str, Sequence[str]]) -> Document:
    """``doc`` with its deprecated subjects swapped for their replacements (for training).

    A record curated with a concept since deprecated teaches the model the concept that
    replaces it; the vocabulary the model learns has no deprecated concept.
    """
    if not any(u in replacements for u in doc.subjects):
        return doc
    subjects = (
        new
        for uri in doc.subjects
        for new in (replacements[uri] if uri in replacements else (uri,))
        if new not in replacements
    )
    return dataclasses.replace(doc, subjects=tuple(dict.fromkeys(subjects)))
