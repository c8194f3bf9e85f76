"""A small, fast LaTeX-to-Unicode decoder for BibTeX field values (accents, escapes, braces).

bibtexparser's ``LatexDecodingMiddleware`` (pylatexenc) decodes ~500 entries/s, far below the
import target; bibliographic values only use this small subset of LaTeX.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a",
}  # fmt: skip
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
    "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "S": "§", "P": "¶", "textendash": "–",
    "textemdash": "—", "textasciitilde": "~", "textbackslash": "\\", "euro": "€",
    "pounds": "£", "textquoteright": "’", "ldots": "…",
}  # fmt: skip
_ACCENT_RE = re.compile(
    r"\\([`'^\"~=.]|[uvHckr](?![A-Za-z]))\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"
)
_SYMBOL_RE = re.compile(
    r"\\(" + "|".join(sorted(_SYMBOLS, key=len, reverse=True)) + r")(?![A-Za-z])\s?(?:\{\})?"
)
_ESCAPE_RE = re.compile(r"\\([&%$#_{}])")
_ENCODE = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"}
_ENCODE_RE = re.compile(r"(?<!\\)[&%$#_]")


def _accent(match: re.Match[str]) -> str:
    letter = (match.group(2) or match.group(3)).lstrip("\\")
    letter = {"i": "i", "j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", letter + _ACCENTS[match.group(1)])


def decode(value: str) -> str:
    """LaTeX markup in a field value to plain Unicode text (braces removed)."""
    if "\\" not in value and "{" not in value and "~" not in value and "--" not in value:
        return value
    text = re.sub(r"(?<!\\)~", "\u00a0", value)
    text = _ACCENT_RE.sub(_accent, text)
    text = text.replace("---", "—").replace("--", "–")
    text = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)], text)
    # Braces protect case in BibTeX; drop them, keeping escaped ones.
    text = re.sub(r"(?<!\\)[{}]", "", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    return text.replace("\u00a0", " ")


def encode(value: str) -> str:
    """Plain text to a BibTeX-safe value (UTF-8 kept; special characters escaped)."""
    text = value.replace("\\", "\x00")
    text = _ENCODE_RE.sub(lambda m: _ENCODE[m.group(0)], text)
    if "{" in text or "}" in text:
        text = text.replace("{", r"\{").replace("}", r"\}")
    if "--" in text:
        text = re.sub(r"-(?=-)", "-{}", text)  # literal hyphens, not TeX's dash ligatures
    if "~" in text:
        text = text.replace("~", r"\textasciitilde{}")
    return text.replace("\x00", r"\textbackslash{}")
