"""Check and normalise a record: identifiers, year, language, subjects (unknown ones refused)."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Protocol

from socsec.bibliography.model import Record, Subject
from socsec.errors import ValidationFailed


class ConceptChecker(Protocol):
    """What validation needs from the thesaurus (``ThesaurusCache`` satisfies it)."""

    def exists(self, uri: str) -> bool:
        """Whether the concept URI is in the thesaurus."""
        ...


class RememberingChecker:
    """Asks the thesaurus once per concept: the records of an import repeat the same few."""

    def __init__(self, checker: ConceptChecker) -> None:
        self._checker = checker
        self._known: dict[str, bool] = {}

    def exists(self, uri: str) -> bool:
        """Whether the concept URI is in the thesaurus."""
        found = self._known.get(uri)
        if found is None:
            found = self._known[uri] = self._checker.exists(uri)
        return found


# ISO 639-1 codes (the 184 two-letter codes).
ISO639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
# ISO 639-2 (bibliographic and terminology codes) of the languages a social-security library
# meets, mapped to 639-1; MARC 041/008 and many RIS files use these.
ISO639_2 = {
    "eng": "en", "fre": "fr", "fra": "fr", "spa": "es", "ger": "de", "deu": "de", "ita": "it",
    "por": "pt", "dut": "nl", "nld": "nl", "swe": "sv", "dan": "da", "nor": "no", "nob": "nb",
    "nno": "nn", "fin": "fi", "pol": "pl", "cze": "cs", "ces": "cs", "slo": "sk", "slk": "sk",
    "slv": "sl", "hun": "hu", "rum": "ro", "ron": "ro", "bul": "bg", "gre": "el", "ell": "el",
    "hrv": "hr", "srp": "sr", "est": "et", "lav": "lv", "lit": "lt", "mlt": "mt", "gle": "ga",
    "cat": "ca", "baq": "eu", "eus": "eu", "glg": "gl", "rus": "ru", "ukr": "uk", "tur": "tr",
    "ara": "ar", "heb": "he", "chi": "zh", "zho": "zh", "jpn": "ja", "kor": "ko", "hin": "hi",
    "lat": "la", "ice": "is", "isl": "is", "wel": "cy", "cym": "cy", "ltz": "lb", "alb": "sq",
    "sqi": "sq", "mac": "mk", "mkd": "mk", "per": "fa", "fas": "fa", "ind": "id", "vie": "vi",
    "tha": "th", "afr": "af", "swa": "sw",
}  # fmt: skip
LANGUAGE_NAMES = {"english": "en", "french": "fr", "français": "fr", "spanish": "es",
                  "español": "es", "german": "de", "deutsch": "de"}  # fmt: skip

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dXx])$")
_URL = re.compile(r"^(?:https?|ftp)://[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MIN_YEAR, MAX_YEAR = 1000, 2100


def normalize_doi(value: str) -> str:
    """Lowercase, without resolver prefix; raises ValueError when not a DOI."""
    doi = _DOI_PREFIX.sub("", value.strip()).lower()
    if not _DOI.match(doi):
        raise ValueError(f"invalid DOI {value!r} (expected 10.NNNN/suffix)")
    return doi


def normalize_isbn(value: str) -> str:
    """ISBN-13 digits with a checked check digit (ISBN-10 converted); raises ValueError."""
    digits = re.sub(r"[\s-]", "", value.strip()).upper()
    if digits.upper().startswith("ISBN"):
        digits = digits[4:].lstrip(":")
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            raise ValueError(f"invalid ISBN-10 {value!r} (check digit)")
        digits = "978" + digits[:9]
        return digits + _isbn13_check(digits)
    if re.fullmatch(r"97[89]\d{10}", digits):
        if _isbn13_check(digits[:12]) != digits[12]:
            raise ValueError(f"invalid ISBN-13 {value!r} (check digit)")
        return digits
    raise ValueError(f"invalid ISBN {value!r} (expected 10 or 13 digits)")


def _isbn13_check(first12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalize_issn(value: str) -> str:
    """NNNN-NNNC with a checked check digit; raises ValueError."""
    m = _ISSN.match(value.strip())
    if not m:
        raise ValueError(f"invalid ISSN {value!r} (expected NNNN-NNNN)")
    digits = (m.group(1) + m.group(2)).upper()
    total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        raise ValueError(f"invalid ISSN {value!r} (check digit)")
    return f"{digits[:4]}-{digits[4:]}"


def normalize_url(value: str) -> str:
    """An absolute http(s) or ftp URL; raises ValueError."""
    url = value.strip()
    if not _URL.match(url):
        raise ValueError(f"invalid URL {value!r} (expected http(s)://host/...)")
    return url


@functools.lru_cache(maxsize=1024)  # called twice per imported record, on a few distinct values
def normalize_language(value: str) -> str:
    """ISO 639-1 code from a 639-1/639-2 code, a BCP 47 tag or an English name; ValueError."""
    tag = value.strip().lower().replace("_", "-")
    base = tag.split("-", 1)[0]
    if base in ISO639_1:
        return base
    if base in ISO639_2:
        return ISO639_2[base]
    if tag in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag]
    raise ValueError(f"unknown language {value!r} (expected an ISO 639-1 code such as en, fr, es)")


@functools.lru_cache(maxsize=4096)
def normalize_issued(value: str) -> str:
    """An issued date as "YYYY", "YYYY-MM" or "YYYY-MM-DD" (also from 'YYYY/MM/DD').

    Raises:
        ValueError: not such a date.
    """
    text = value.strip().replace("/", "-").rstrip("-")
    m = _YEAR.match(text)
    if not m:
        raise ValueError(f"invalid date {value!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m.groups()
    _check_year(int(year))
    if month and not 1 <= int(month) <= 12:
        raise ValueError(f"invalid month in date {value!r}")
    if day and not 1 <= int(day) <= 31:
        raise ValueError(f"invalid day in date {value!r}")
    return text


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"implausible year {year} (expected {MIN_YEAR}-{MAX_YEAR})")


_NORMALIZERS = (
    ("doi", normalize_doi),
    ("isbn", normalize_isbn),
    ("issn", normalize_issn),
    ("url", normalize_url),
    ("language", normalize_language),
    ("title_language", normalize_language),
    ("issued", normalize_issued),
)


def validate(record: Record, checker: ConceptChecker | None = None) -> Record:
    """Return the record checked and normalised.

    Args:
        record: the record as read.
        checker: the thesaurus; when given, unknown subject concepts are refused. Without one,
            a record with subjects is refused (they cannot be checked).

    Raises:
        ValidationFailed: the first rule the record breaks, with the field named.
    """
    changes: dict[str, object] = {}
    try:
        if not record.title or not record.title.strip():
            raise ValueError("title is required")
        if record.type is None:
            raise ValueError("type is required")
        title = record.title
        # A printable title has no whitespace but spaces: unless doubled or at an end, the
        # split and join below would give it back unchanged (the usual case, skipped).
        if not title.isprintable() or "  " in title or title[0] == " " or title[-1] == " ":
            title = " ".join(title.split())
            if title != record.title:
                changes["title"] = title
        for name, fn in _NORMALIZERS:
            value = getattr(record, name)
            if value is not None:
                new = fn(value)
                if new != value:
                    changes[name] = new
        issued = changes.get("issued", record.issued)
        year = record.year
        if year is None and isinstance(issued, str):
            year = int(issued[:4])
            changes["year"] = year
        if year is not None:
            _check_year(year)
            if isinstance(issued, str) and int(issued[:4]) != year:
                raise ValueError(f"year {year} differs from issued date {issued}")
        subjects = _check_subjects(record.subjects, checker)
        if subjects != record.subjects:
            changes["subjects"] = subjects
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from None
    return dataclasses.replace(record, **changes) if changes else record  # type: ignore[arg-type]


def _check_subjects(
    subjects: tuple[Subject, ...], checker: ConceptChecker | None
) -> tuple[Subject, ...]:
    seen: dict[str, Subject] = {}
    for subject in subjects:
        uri = subject.uri.strip()
        if checker is None:
            raise ValueError(f"subject {uri} cannot be checked: no thesaurus is available")
        if not checker.exists(uri):
            raise ValueError(f"unknown subject concept {uri} (not in the thesaurus)")
        # The stronger provenance wins for the same concept (manual > accepted > automatic).
        if uri not in seen or subject.strength > seen[uri].strength:
            seen[uri] = dataclasses.replace(subject, uri=uri) if uri != subject.uri else subject
    return tuple(seen.values())
