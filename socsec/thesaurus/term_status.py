"""Which non-preferred terms are equivalents a translator may use, and which are entry terms.

EuroVoc (like many thesauri) lists under "used for" both true variants of the preferred term
and entry points for narrower or neighbouring notions ("rent allowance" under "family
benefit", "old age pension" under "pension scheme"). A CAT tool proposes every admitted term
as a translation, so only the terms that are recognisably the same term are admitted:

* a lexical variant: the same words once folded, made singular and stripped of function words
  (any order), written with or without hyphens or spaces, or with at most one letter changed
  per word (harmonisation / harmonization);
* an abbreviation or acronym whose letters are the initials of the preferred term's words
  ("ISSA", "AISS", "LTC").

Anything else is an entry term: kept for lookup and search, exported apart from the
equivalents. The rule is conservative on purpose: a true synonym may be exported as an entry
term, never an entry term as an equivalent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from socsec.analysis import STOPWORDS, base_language, fold, inflection_key

_ACRONYM = re.compile(r"[A-ZÀ-Ý0-9][A-ZÀ-Ý0-9&.\-]{1,9}")


def is_abbreviation(term: str, full: str, lang: str | None) -> bool:
    """Whether ``term`` is an acronym of ``full`` (its letters are the initials of its words).

    Initials are taken with and without function words ("AISS" for "Association
    internationale de la sécurité sociale"). Example: is_abbreviation("ISSA",
    "International Social Security Association", "en") is True; ("SERP", "supplementary
    pension") is False.
    """
    if not _ACRONYM.fullmatch(term) or sum(c.isupper() for c in term) < 2:
        return False
    letters = fold(term).replace(" ", "")
    words = fold(full.replace("-", " ")).split()
    stops = STOPWORDS.get(base_language(lang) or "", frozenset())
    candidates = {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in stops)}
    return letters in candidates


def _close_words(a: str, b: str) -> bool:
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(_one_edit(x, y) for x, y in zip(wa, wb, strict=True))


def _one_edit(x: str, y: str) -> bool:
    if x == y:
        return True
    if abs(len(x) - len(y)) > 1 or min(len(x), len(y)) < 5:
        return False
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def is_variant(term: str, pref: str, lang: str | None) -> bool:
    """Whether ``term`` is a lexical variant of ``pref`` (see the module docstring)."""
    a, b = fold(term), fold(pref)
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    ka, kb = inflection_key(term, lang), inflection_key(pref, lang)
    if sorted(ka.split()) == sorted(kb.split()):
        return True
    return _close_words(ka, kb)


def classify(
    pref: str | None, alts: Sequence[str], lang: str | None
) -> tuple[list[str], list[str], list[str]]:
    """Split a language's non-preferred terms into (equivalents, abbreviations, entry terms).

    Abbreviations are also equivalents (listed in both). Without a preferred term, every
    non-preferred term is an entry term.
    """
    equivalents: list[str] = []
    abbreviations: list[str] = []
    entry: list[str] = []
    for alt in alts:
        if pref and is_abbreviation(alt, pref, lang):
            equivalents.append(alt)
            abbreviations.append(alt)
        elif pref and is_variant(alt, pref, lang):
            equivalents.append(alt)
        else:
            entry.append(alt)
    return equivalents, abbreviations, entry
