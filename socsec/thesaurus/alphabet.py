"""The alphabetical index of the thesaurus in one language, as Skosmos shows it.

Every preferred and alternative label of that language, under its initial letter (accents
folded: "É" files under "E"); an alternative label points to its concept's preferred label.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socsec.analysis import base_language

if TYPE_CHECKING:
    from socsec.thesaurus.lookup import ThesaurusCache

OTHER = "0-9"  # labels starting with a digit or a sign


@dataclass(frozen=True)
class IndexEntry:
    """One line of the index.

    Attributes:
        label: the label, as written.
        uri: the concept it names.
        pref: the concept's preferred label in the language when ``label`` is an alternative
            one ("use ..."), else None.
    """

    label: str
    uri: str
    pref: str | None = None


@dataclass(frozen=True)
class AlphabeticalIndex:
    """The letters that have labels, and the entries under the chosen letter.

    Attributes:
        lang: the language of the labels.
        letters: initial letters with at least one label, in order (``0-9`` last).
        letter: the letter shown.
        entries: its entries, sorted as a reader expects (case and accents ignored).
    """

    lang: str
    letters: list[str]
    letter: str | None
    entries: list[IndexEntry]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def initial(label: str) -> str:
    """The index letter of ``label``: its first letter, accents folded, upper case."""
    folded = _fold(label.strip())
    first = folded[:1]
    return first.upper() if first.isalpha() else OTHER


# (thesaurus build id, language) -> letters and entries per letter. Building reads every label
# (~50,000 for the whole of EuroVoc), so it is done once per build and language.
_BUILT: dict[tuple[str, str], tuple[list[str], dict[str, list[IndexEntry]]]] = {}
_BUILT_MAX = 12
_LOCK = threading.Lock()


def _build(cache: ThesaurusCache, base: str) -> tuple[list[str], dict[str, list[IndexEntry]]]:
    prefs: dict[str, str] = {}
    alts: list[tuple[str, str]] = []
    for uri, tag, kind, label in cache.iter_labels():
        if base_language(tag) != base:
            continue
        if kind == "pref":
            prefs.setdefault(uri, label)
        elif kind == "alt":
            alts.append((uri, label))
    entries = [IndexEntry(label, uri) for uri, label in prefs.items()]
    entries += [IndexEntry(label, uri, prefs.get(uri) or uri) for uri, label in alts]
    by_letter: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_letter.setdefault(initial(entry.label), []).append(entry)
    for shown in by_letter.values():
        shown.sort(key=lambda e: (_fold(e.label), e.label, e.uri))
    letters = sorted(by_letter, key=lambda x: (x == OTHER, x))
    return letters, by_letter


def alphabetical_index(
    cache: ThesaurusCache, lang: str, letter: str | None = None
) -> AlphabeticalIndex:
    """The index of the labels in ``lang`` (its base: "fr-CA" reads French labels).

    Args:
        cache: the compiled thesaurus.
        lang: the language of the labels.
        letter: the letter to list (case and accents ignored); the first letter when None or
            when no label starts with it.
    """
    base = base_language(lang) or "en"
    key = (cache.version(), base)
    with _LOCK:
        built = _BUILT.get(key)
    if built is None:
        built = _build(cache, base)
        with _LOCK:
            if len(_BUILT) >= _BUILT_MAX:
                _BUILT.pop(next(iter(_BUILT)))
            _BUILT[key] = built
    letters, by_letter = built
    wanted = initial(letter) if letter else None
    chosen = wanted if wanted in by_letter else (letters[0] if letters else None)
    shown = list(by_letter.get(chosen, [])) if chosen else []
    return AlphabeticalIndex(lang=base, letters=letters, letter=chosen, entries=shown)
