"""The one text-analysis pipeline: case/accent folding and EN/FR/ES stemming.

Both search backends and the thesaurus lookup call these functions, so a query is
analysed the same way whichever backend answers it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Protocol

SUPPORTED_LANGUAGES = ("en", "fr", "es")
_SNOWBALL_NAMES = {"en": "english", "fr": "french", "es": "spanish"}

# Letters that NFKD does not decompose but readers treat as plain Latin letters.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
    }
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Elisions ("l'assurance", "d'invalidité") are split so the noun is matched on its own.
_ELISION = re.compile(r"\b(?:[lLdDjJmMnNsStTcC]|[qQ]u)['’]")

# Short function-word lists: the words that carry no subject in titles and labels.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an and are as at be by for from in into is it of on or that the to with "
        "its their this these those".split()
    ),
    "fr": frozenset(
        "au aux avec ce ces dans de des du en et la le les leur leurs ou par pour "
        "sa se ses son sur un une l d".split()
    ),
    "es": frozenset(
        "a al con de del el en la las lo los o para por que se su sus un una y".split()
    ),
}


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # noqa: N802 - PyStemmer's name


def base_language(tag: str | None) -> str | None:
    """Map a language tag to its base ("fr-CA" -> "fr", "es-419" -> "es"); None stays None."""
    if not tag:
        return None
    return tag.split("-", 1)[0].split("_", 1)[0].lower() or None


def fold(text: str) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces.

    Example: "Sécurité  sociale!" -> "securite sociale".
    """
    text = _ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    if text.isascii():  # most labels: nothing to decompose (and casefold is lower here)
        return " ".join(_WORD.findall(text.lower()))
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(stripped))


def folds_to_itself(word: str) -> bool:
    """Whether :func:`fold` leaves this one word as it is (ASCII, alphanumeric, lowercase).

    A cheap test that spares analysing a word twice, as written and folded (most words).
    """
    return word.isascii() and word.isalnum() and word == word.lower()


def tokenize(text: str) -> list[str]:
    """Lowercased words of ``text`` with accents kept (the stemmers want them)."""
    if "'" in text or "’" in text:
        text = _ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    if text.isascii():  # most titles: no ligature, nothing to compose, casefold is lower
        return _WORD.findall(text.lower())
    text = unicodedata.normalize("NFC", text.translate(_LIGATURES).casefold())
    return list(_WORD.findall(text))


@lru_cache(maxsize=8)
def _stemmer(lang: str) -> _Stemmer | None:
    name = _SNOWBALL_NAMES.get(lang)
    if name is None:
        return None
    import Stemmer  # PyStemmer: C Snowball stemmers, imported only when text is analysed

    stemmer: _Stemmer = Stemmer.Stemmer(name)
    return stemmer


def stem(word: str, lang: str | None) -> str:
    """Snowball stem of one lowercased word, folded; unknown languages are only folded."""
    stemmer = _stemmer(base_language(lang) or "")
    stemmed = stemmer.stemWord(word) if stemmer is not None else word
    return fold(stemmed) or fold(word)


def light_stem(word: str, lang: str | None) -> str:
    """Singular form of one lowercased word (plural and, in fr/es, gender endings), accents kept.

    An inflectional stemmer, lighter than Snowball: "pensioners" -> "pensioner" but never
    "pension", so a query names the concept whose label it inflects, not a derived one.
    English follows Harman's S-stemmer; French and Spanish strip the plural and then a final
    unaccented vowel (after Savoy's light stemmers), so "prestaciones familiares" and
    "prestación familiar", "sociales" and "social" meet. Words of 3 letters or fewer are kept.

    Args:
        word: one lowercased word (see :func:`tokenize`).
        lang: a language tag; only en, fr and es are stemmed.
    """
    base = base_language(lang)
    if len(word) <= 3:
        return word
    if base == "en":
        if word.endswith("ies") and not word.endswith(("eies", "aies")):
            return word[:-3] + "y"
        if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
            return word[:-1]
        if word.endswith("s") and not word.endswith(("us", "ss", "is")):
            return word[:-1]
        return word
    if base == "fr":
        if word.endswith("aux") and len(word) > 4:
            return word[:-3] + "al"
        if word[-1] in "sx":
            word = word[:-1]
        return word[:-1] if word.endswith("e") and len(word) > 4 else word
    if base == "es":
        if word.endswith("ces") and len(word) > 4:
            return word[:-3] + "z"
        if word.endswith("es") and len(word) > 4 and word[-3] in "nlrdjsyz":
            word = word[:-2]
        elif word.endswith("s"):
            word = word[:-1]
        return word[:-1] if word[-1] in "aeo" and len(word) > 4 else word
    return word


def analyze(text: str, lang: str | None, *, keep_stopwords: bool = False) -> list[str]:
    """Stemmed, folded terms of ``text`` in language ``lang`` (None: fold only, no stemming).

    Args:
        text: any text (title, label, query).
        lang: a language tag; only its base (en/fr/es) chooses the stemmer.
        keep_stopwords: keep function words (used for exact phrase keys).
    """
    base = base_language(lang)
    stops = STOPWORDS.get(base or "", frozenset()) if not keep_stopwords else frozenset()
    return [stem(w, base) for w in tokenize(text) if w not in stops]


_VOWELS = frozenset("aeiou")


def singular(word: str, lang: str | None) -> str:
    """A folded word with its plural ending removed (en/fr/es rules); other words unchanged.

    Lighter than stemming: "pensions" -> "pension" but "pensioner" stays, so an inflected
    form can be told from a derived word. Example: singular("prestaciones", "es") ->
    "prestacion"; singular("principaux", "fr") -> "principal".
    """
    base = base_language(lang)
    n = len(word)
    if base == "en":
        if n > 4 and word.endswith("ies"):
            return word[:-3] + "y"
        if n > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
    elif base == "fr":
        if n > 4 and word.endswith("aux"):
            return word[:-3] + "al"
        if n > 3 and word.endswith(("s", "x")) and not word.endswith("ss"):
            return word[:-1]
    elif base == "es":
        if n > 4 and word.endswith("ces"):
            return word[:-3] + "z"
        if n > 4 and word.endswith("es") and word[-3] not in _VOWELS:
            return word[:-2]
        if n > 3 and word.endswith("s") and word[-2] in _VOWELS:
            return word[:-1]
    return word


def inflection_key(text: str, lang: str | None) -> str:
    """Folded words of ``text`` without function words, each made singular.

    Two texts with the same key differ only by case, accents, plural endings, elision and
    "de"/"of"-type words: the same term, inflected.
    """
    return folded_inflection_key(fold(text), lang)


def folded_inflection_key(folded: str, lang: str | None) -> str:
    """:func:`inflection_key` of a text already folded (``folded == fold(text)``)."""
    base = base_language(lang)
    stops = STOPWORDS.get(base or "", frozenset())
    return " ".join(singular(w, base) for w in folded.split() if w not in stops)


def analyze_all(text: str) -> dict[str, list[str]]:
    """Analyse ``text`` once per supported language, for text of unknown language."""
    return {lang: analyze(text, lang) for lang in SUPPORTED_LANGUAGES}
