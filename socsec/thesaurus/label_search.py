"""Label search with ``*`` wildcards, the way Skosmos's REST ``search`` and ``lookup`` match.

A pattern matches a whole label, ignoring case and accents; ``*`` stands for any text
(``retraite*``, ``*emploi*``). Without a wildcard the label must equal the pattern. One hit per
matching label (or per concept with ``unique``), ordered by label as Skosmos orders them.
Imports no rdflib: the labels come from the compiled cache.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, NamedTuple

from socsec.analysis import base_language, fold

if TYPE_CHECKING:
    from socsec.thesaurus.lookup import ThesaurusCache

_KIND_ORDER = {"pref": 0, "alt": 1, "hidden": 2}


class LabelMatch(NamedTuple):
    """A label that matched: concept URI, kind (pref, alt, hidden), language tag, text."""

    uri: str
    kind: str
    lang: str
    label: str


class _Labels(NamedTuple):
    version: str
    rows: list[tuple[str, LabelMatch]]  # (folded label, match)
    pref: dict[str, dict[str, str]]  # uri -> language tag -> preferred label


_cached: _Labels | None = None
_lock = threading.Lock()


def _load(cache: ThesaurusCache) -> _Labels:
    """Every label with its folded form, kept until the cache is rebuilt."""
    global _cached
    version = cache.version()
    with _lock:
        if _cached is None or _cached.version != version:
            rows: list[tuple[str, LabelMatch]] = []
            pref: dict[str, dict[str, str]] = {}
            for uri, lang, kind, label in cache.iter_labels():
                rows.append((fold(label), LabelMatch(uri, kind, lang, label)))
                if kind == "pref":
                    pref.setdefault(uri, {}).setdefault(lang, label)
            _cached = _Labels(version, rows, pref)
        return _cached


def pref_labels(cache: ThesaurusCache) -> dict[str, dict[str, str]]:
    """Preferred label per language tag of every concept (do not modify the result)."""
    return _load(cache).pref


def pattern_regex(pattern: str) -> re.Pattern[str] | None:
    """The regex of a search pattern over folded labels; None when it names nothing."""
    pieces = [fold(p) for p in pattern.split("*")]
    if not any(pieces):
        return None if "*" not in pattern else re.compile(".*")
    return re.compile(".*".join(re.escape(p) for p in pieces) + r"\Z")


def search_labels(
    cache: ThesaurusCache,
    pattern: str,
    *,
    lang: str | None = None,
    unique: bool = False,
    hidden: bool = False,
) -> list[LabelMatch]:
    """Labels matching ``pattern``, sorted by label then language.

    Args:
        cache: the thesaurus cache.
        pattern: text with optional ``*`` wildcards (case and accents ignored).
        lang: only labels in this language (base language compared: "fr-CA" is "fr").
        unique: one hit per concept, its best label (pref before alt, then by text).
        hidden: also match hidden labels.
    """
    regex = pattern_regex(pattern.strip())
    if regex is None:
        return []
    base = base_language(lang) if lang else None
    found = [
        match
        for folded, match in _load(cache).rows
        if (hidden or match.kind != "hidden")
        and (base is None or base_language(match.lang) == base)
        and regex.match(folded)
    ]
    found.sort(key=lambda m: (m.label.casefold(), m.lang, _KIND_ORDER[m.kind], m.uri))
    if unique:
        best: dict[str, LabelMatch] = {}
        for m in sorted(found, key=lambda m: (_KIND_ORDER[m.kind], m.label.casefold())):
            best.setdefault(m.uri, m)
        found = [m for m in found if best.get(m.uri) is m]
    return found
