"""Lenient reading of the messy values of real files: years, dates, months, identifiers, markup.

Each change is a :class:`Fix`, reported to the user with the record's file and line (``--strict``
turns them into errors). Where the normalised value loses information, the original is kept in
the record's ``extra`` under ``original.<field>``.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from typing import Any

from socsec.bibliography.model import Record
from socsec.bibliography.validate import normalize_language


@dataclass(frozen=True)
class Fix:
    """One normalisation applied to a value as read."""

    field: str
    original: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


# "no date" in English, French, Spanish, German, Latin catalogues.
_NO_DATE = frozenset(
    "nd n.d. n.d n. d. s.d. s.d sd s. d. s.f. s.f sf s. f. o.j. o. j. undated "
    "no date sans date sin fecha".split(" ")
) | {"no date", "sans date", "sin fecha", "n. d.", "s. d.", "s. f.", "o. j."}
_YEAR = re.compile(r"\d{4}")
_YEAR_SUFFIX = re.compile(r"(\d{4})([a-z])")
_YEAR_RANGE = re.compile(r"(\d{4})\s*[-–—/]\s*(\d{1,4})")
_YEAR_DECORATED = re.compile(
    r"[\[(]?\s*(?:c\.?|ca\.?|circa|cop\.?|©|p)?\s*(\d{4})\s*\??\s*[\])]?\.?"
)
MAX_YEAR_TEXT = 64  # longer "years" are not years (a 5,000-digit value is refused quickly)


def is_no_date(text: str) -> bool:
    """Whether ``text`` says the work is undated (n.d., s.d., s.f., o.J., ...)."""
    return " ".join(text.lower().split()) in _NO_DATE


def parse_year(text: str, field: str = "year") -> tuple[int | None, list[Fix], dict[str, str]]:
    """A year from the forms real files use; returns (year, fixes, extra values to keep).

    ``2017b`` gives 2017 (the suffix kept), ``1950-51`` gives 1950 (the range kept), ``[1981]``
    or ``c1981`` gives 1981, ``n.d.``/``s.d.``/``s.f.`` give no year.

    Raises:
        ValueError: the text is not a year in any of these forms.
    """
    value = " ".join(text.split())
    if _YEAR.fullmatch(value):
        return int(value), [], {}
    keep = {f"original.{field}": value}
    if len(value) <= MAX_YEAR_TEXT:
        if is_no_date(value):
            return None, [Fix(field, value, f"{value!r} means no date: left empty")], {}
        if m := _YEAR_SUFFIX.fullmatch(value):
            message = f"year {value!r} read as {m.group(1)} (letter suffix kept)"
            return int(m.group(1)), [Fix(field, value, message)], keep
        if m := _YEAR_RANGE.fullmatch(value):
            message = f"year range {value!r} read as {m.group(1)} (range kept)"
            return int(m.group(1)), [Fix(field, value, message)], keep
        if m := _YEAR_DECORATED.fullmatch(value):
            message = f"year {value!r} read as {m.group(1)}"
            return int(m.group(1)), [Fix(field, value, message)], keep
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise ValueError(f"invalid year {shown!r}")


_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_EDTF_QUALIFIER = re.compile(r"[?~%]+$")


def parse_date(text: str, field: str = "issued") -> tuple[str | None, list[Fix], dict[str, str]]:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) from the forms real files use; returns
    (date, fixes, extra values to keep). Date ranges (``2017/2018``, ``1950-51``) give their
    start (the range kept), EDTF qualifiers (``2017?``, ``2017~``) are dropped, other forms go
    through :func:`parse_year`.

    Raises:
        ValueError: not a date in any of these forms.
    """
    value = " ".join(text.split())
    if _ISO_DATE.fullmatch(value) and (len(value) == 4 or 1 <= int(value[5:7]) <= 12):
        return value, [], {}  # "1950-51" is a range, not May of 1950
    keep = {f"original.{field}": value[:MAX_YEAR_TEXT]}
    if len(value) <= MAX_YEAR_TEXT:
        bare = _EDTF_QUALIFIER.sub("", value)
        if bare != value and _ISO_DATE.fullmatch(bare) and not _YEAR_RANGE.fullmatch(bare):
            return (
                bare,
                [Fix(field, value, f"date {value!r} read as {bare} (qualifier kept)")],
                keep,
            )
        start, slash, _ = value.partition("/")
        if slash and _ISO_DATE.fullmatch(start.strip()):
            start = start.strip()
            return (
                start,
                [Fix(field, value, f"date range {value!r} read as {start} (range kept)")],
                keep,
            )
    year, fixes, extra = parse_year(value, field)
    return (None if year is None else str(year)), fixes, extra


_MONTH_NAMES: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "januar februar märz april mai juni juli august september oktober november dezember",
):
    for _i, _name in enumerate(_names.split(), start=1):
        _MONTH_NAMES.setdefault(_name, _i)
        _MONTH_NAMES.setdefault(_name[:3], _i)
_MONTH_NAMES.update({"sept": 9, "fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9,
                     "maerz": 3, "mrz": 3, "okt": 10, "dez": 12, "ene": 1, "dic": 12})  # fmt: skip


def parse_month(text: str) -> int | None:
    """A month number from a number (1-12) or an English, French, Spanish or German name or
    abbreviation ("Jan.", "janvier", "ene"); None when it is not a month.
    """
    key = text.strip().lower().rstrip(".")
    if key.isdigit():
        n = int(key) if len(key) <= 2 else 0
        return n if 1 <= n <= 12 else None
    return _MONTH_NAMES.get(key)


_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_HTML_ENTITY = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h\d)\b[^<>]*>", re.IGNORECASE)


def strip_html(text: str) -> str:
    """Plain text from HTML markup: block tags become line breaks, entities are decoded."""
    out = _BLOCK_TAG.sub("\n", text)
    out = _HTML_TAG.sub("", out)
    out = html.unescape(out)
    lines = (" ".join(line.split()) for line in out.splitlines())
    return "\n".join(line for line in lines if line)


_ISBN_TOKEN = re.compile(r"(?:97[89][\s‐‑–-]?)?(?:\d[\s‐‑–-]?){9}[\dXx]")
_ISSN_TOKEN = re.compile(r"\b\d{4}[\s‐‑–-]?\d{3}[\dXx]\b")
_URL_TOKEN = re.compile(r"(?:https?|ftp)://\S+", re.IGNORECASE)


def _keep(changes: dict[str, Any], record: Record, field: str, value: str) -> None:
    """Keep an original value in ``extra`` (the normalised one lost part of it)."""
    extra = changes.setdefault("extra", dict(record.extra))
    extra[f"original.{field}"] = value


def _identifiers(record: Record, changes: dict[str, Any], fixes: list[Fix]) -> None:
    """ISBN and ISSN: spaces, hyphens, "ISBN" prefixes, qualifiers such as "(pbk.)" and
    second values dropped (the original kept); an ISSN found in the ISBN field moves.
    """
    if record.isbn:
        text = re.sub(r"^\s*ISBN(?:-1[03])?:?\s*", "", record.isbn, flags=re.IGNORECASE)
        found = _ISBN_TOKEN.search(text)
        issn = _ISSN_TOKEN.match(text.strip())
        if issn and not record.issn and (not found or len(re.sub(r"\D", "", text)) % 8 == 0):
            changes["isbn"] = None
            changes["issn"] = issn.group(0)
            fixes.append(Fix("isbn", record.isbn, f"ISBN field {record.isbn!r} holds an ISSN"))
            if text.strip() != issn.group(0):
                _keep(changes, record, "isbn", record.isbn)
        elif found:
            bare = re.sub(r"[\s‐‑–-]", "", found.group(0))
            if bare != record.isbn:
                changes["isbn"] = bare
                fixes.append(Fix("isbn", record.isbn, f"ISBN {record.isbn!r} read as {bare}"))
                if text.strip() != found.group(0):
                    _keep(changes, record, "isbn", record.isbn)
    issn_text = changes.get("issn", record.issn)
    if issn_text:
        text = re.sub(r"^\s*ISSN:?\s*", "", issn_text, flags=re.IGNORECASE)
        found = _ISSN_TOKEN.search(text)
        if found:
            digits = re.sub(r"[\s‐‑–-]", "", found.group(0)).upper()
            bare = f"{digits[:4]}-{digits[4:]}"
            if bare != issn_text:
                changes["issn"] = bare
                fixes.append(Fix("issn", issn_text, f"ISSN {issn_text!r} read as {bare}"))
                if text.strip() != found.group(0):
                    _keep(changes, record, "issn", issn_text)


def normalize_record(record: Record) -> tuple[Record, list[Fix]]:
    """The record with the lenient rules applied, and the fixes made.

    DOIs lose their resolver URL or ``doi:`` prefix, ISBNs and ISSNs their spaces, hyphens
    and qualifiers, a second URL or identifier is kept in ``extra``, a language that is no
    language code is kept in ``extra``, abstracts lose their HTML. What cannot be understood
    (a bad check digit, a missing title...) is left for
    :func:`socsec.bibliography.validate.validate` to refuse.
    """
    fixes: list[Fix] = []
    changes: dict[str, Any] = {}
    if record.doi and _DOI_PREFIX.match(record.doi):
        changes["doi"] = _DOI_PREFIX.sub("", record.doi).strip()
        fixes.append(Fix("doi", record.doi, f"DOI {record.doi!r} read as {changes['doi']!r}"))
    _identifiers(record, changes, fixes)
    if record.url and len(urls := _URL_TOKEN.findall(record.url)) > 1:
        changes["url"] = urls[0]
        _keep(changes, record, "url", record.url)
        fixes.append(Fix("url", record.url, f"{len(urls)} URLs: the first kept as url"))
    for name in ("language", "title_language"):
        value = getattr(record, name)
        if value:
            try:
                normalize_language(value)
            except ValueError:
                changes[name] = None
                _keep(changes, record, name, value)
                fixes.append(Fix(name, value, f"language {value!r} not understood (kept)"))
    if record.abstract and (
        _HTML_TAG.search(record.abstract) or _HTML_ENTITY.search(record.abstract)
    ):
        plain = strip_html(record.abstract)
        if plain != record.abstract:
            changes["abstract"] = plain or None
            fixes.append(Fix("abstract", record.abstract[:80], "HTML markup removed from abstract"))
    # Every "no date" phrase starts with a letter: a date starting with a digit is no such.
    if record.issued and not record.issued[0].isdigit() and is_no_date(record.issued):
        changes["issued"] = None
        fixes.append(Fix("issued", record.issued, f"{record.issued!r} means no date: left empty"))
    if not changes:
        return record, fixes
    return dataclasses.replace(record, **changes), fixes
