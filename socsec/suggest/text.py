"""Documents from records and free text, language guessing, and analysed token streams."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from socsec.analysis import STOPWORDS, SUPPORTED_LANGUAGES, base_language, stem, tokenize
from socsec.bibliography.model import Record
from socsec.suggest.model import Document


def guess_language(text: str, default: str = "en") -> str:
    """The supported language (en, fr, es) whose function words are most frequent in ``text``.

    Ties (including text with no function word at all) go to ``default``.
    """
    words = tokenize(text)
    best, best_hits = default, 0
    for lang in SUPPORTED_LANGUAGES:
        hits = sum(1 for w in words if w in STOPWORDS[lang])
        if hits > best_hits:
            best, best_hits = lang, hits
    return best


def document_language(doc: Document) -> str:
    """The language a document is analysed in: its own when supported, else a guess."""
    lang = base_language(doc.lang)
    if lang in SUPPORTED_LANGUAGES:
        return lang
    return guess_language(f"{doc.title} {doc.text}")


def document_from_record(record: Record, *, curated_only: bool = True) -> Document:
    """The document of a record: title and abstract; gold subjects are its curated ones."""
    subjects = tuple(s.uri for s in record.subjects if s.curated or not curated_only)
    return Document(
        id=record.id,
        title=record.title,
        text=record.abstract or "",
        lang=record.language or record.title_language,
        subjects=subjects,
    )


def document_from_text(text: str, *, lang: str | None = None, id: str = "") -> Document:
    """A document from free text: its first non-empty line is the title, the rest the body."""
    lines = text.strip().splitlines()
    title = lines[0].strip() if lines else ""
    return Document(id=id, title=title, text="\n".join(lines[1:]).strip(), lang=lang)


@dataclass(frozen=True)
class Analysed:
    """Stemmed, folded tokens of a document's title and text, in its language.

    Attributes:
        lang: the language the fields were analysed in.
        title: the title's tokens.
        text: the text's tokens.
        sentences: where each sentence of the text starts (token offsets into ``text``,
            ascending, the first 0 when there is text).
    """

    lang: str
    title: tuple[str, ...]
    text: tuple[str, ...]
    sentences: tuple[int, ...] = ()


# Sentence ends: punctuation then space, or a line break (summaries list points line by line).
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


@lru_cache(maxsize=200_000)
def _stem(word: str, lang: str) -> str:
    return stem(word, lang)


def analyse(text: str, lang: str) -> tuple[str, ...]:
    """:func:`socsec.analysis.analyze` with the stems memoised (training analyses a corpus)."""
    stops = STOPWORDS.get(lang, frozenset())
    return tuple(_stem(w, lang) for w in tokenize(text) if w not in stops)


# Both members analyse the same document when it is scored: the second one reuses it.
@lru_cache(maxsize=512)
def analyse_document(doc: Document) -> Analysed:
    """Analyse both fields of ``doc`` in its language."""
    lang = document_language(doc)
    # Analysing sentence by sentence gives the same tokens as the whole text (no word spans
    # a sentence end) and says where each sentence starts.
    text: list[str] = []
    starts: list[int] = []
    for sentence in _SENTENCE_END.split(doc.text):
        tokens = analyse(sentence, lang)
        if tokens:
            starts.append(len(text))
            text += tokens
    return Analysed(lang, analyse(doc.title, lang), tuple(text), tuple(starts))
