"""The ASCII fast path of fold/tokenize gives what the general Unicode path gives."""

from __future__ import annotations

import unicodedata

import pytest

from socsec import analysis
from socsec.bibliography.model import Record


def general_fold(text: str) -> str:
    text = analysis._ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    decomposed = unicodedata.normalize("NFKD", text.translate(analysis._LIGATURES).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(analysis._WORD.findall(stripped))


def general_tokenize(text: str) -> list[str]:
    text = analysis._ELISION.sub(lambda m: m.group(0)[:-1] + " ", text)
    text = unicodedata.normalize("NFC", text.translate(analysis._LIGATURES).casefold())
    return list(analysis._WORD.findall(text))


@pytest.mark.parametrize(
    "text",
    ["Social Security's Earnings Test", "l'assurance d'invalidite", "A_B c-d 3.5% (1999)", "\t"],
)
def test_ascii_cases(text: str) -> None:
    assert analysis.fold(text) == general_fold(text)
    assert analysis.tokenize(text) == general_tokenize(text)


def test_real_titles_and_abstracts(records: list[Record]) -> None:
    texts = [t for r in records for t in (r.title, r.abstract or "")]
    assert any(t.isascii() and t for t in texts)
    for text in texts:
        assert analysis.fold(text) == general_fold(text)
        assert analysis.tokenize(text) == general_tokenize(text)
