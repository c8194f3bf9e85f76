"""Lookup hits as JSON bytes, a concept's part encoded once per in-memory index.

A lookup answer is a list of hits; most of each hit is its concept (labels in every
language, schemes, replacements), which is the same in every answer that names it. The
encoded part is kept in the index's ``fragments`` (it lives as long as that index, so it
is never older than the concept), and each answer writes only the hit's own fields.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping, Sequence
from json.encoder import encode_basestring as _string

from socsec.thesaurus.hits import LookupHit

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _number(value: float) -> str:
    # json's own spelling: repr for finite floats, json.dumps for the rest (ints, NaN, inf).
    if type(value) is float and value - value == 0:
        return float.__repr__(value)
    return _dumps(value)


def _concept_json(hit: LookupHit, langs: Sequence[str]) -> str:
    # The concept's keys of LookupHit.to_json, without the opening brace (they follow the
    # hit's own keys in the same object).
    return _dumps(hit.concept_json(langs))[1:]


def encode_hits(
    hits: Sequence[LookupHit],
    langs: tuple[str, ...],
    fragments: MutableMapping[object, str] | None = None,
) -> bytes:
    """The hits as compact JSON: the bytes of ``json.dumps([h.to_json(langs) ...])``.

    Args:
        hits: from a lookup.
        langs: the label languages shown.
        fragments: the concepts' encoded parts by (URI, langs), filled as needed; only one
            whose concepts cannot change while it lives (an in-memory index's). None:
            every part encoded anew.
    """
    parts = []
    for hit in hits:
        key = (hit.uri, langs)
        concept = None if fragments is None else fragments.get(key)
        if concept is None:
            concept = _concept_json(hit, langs)
            if fragments is not None:
                fragments[key] = concept
        parts.append(
            f'{{"uri":{_string(hit.uri)},"match":{_string(hit.match.value)},'
            f'"matched_label":{_string(hit.matched_label)},'
            f'"matched_lang":{_string(hit.matched_lang)},'
            f'"matched_kind":{_string(hit.matched_kind)},"score":{_number(hit.score)},{concept}'
        )
    return f"[{','.join(parts)}]".encode()
