"""Generated citation keys: ``family`` + ``year`` + first significant title word, ASCII."""

from __future__ import annotations

import re
import unicodedata

from socsec.bibliography.model import Record

_SKIP = frozenset("a an the on of in and for to la le les el los las de du des un une".split())


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(record: Record) -> str:
    """A readable key such as ``costa1994agricultural`` (no uniqueness guarantee)."""
    name = ""
    if record.authors:
        first = record.authors[0]
        name = _ascii(first.family or first.literal or first.given or "")[:20]
    words = [_ascii(w) for w in record.title.split()]
    word = next((w for w in words if w and w not in _SKIP), "")
    key = f"{name}{record.year or ''}{word[:20]}"
    return key or "record"
