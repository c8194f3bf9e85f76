"""CSL-JSON (the citeproc/Zotero/Pandoc exchange format); subjects travel as
``"custom": {"subjects": [URI, ...], "subject_provenance": [{"uri", "provenance", ...}]}``
(the provenance list is parallel to the URIs: manual, accepted or automatic, with the
model's score, method and version for automatic ones) and are read back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from socsec.bibliography.codec import (
    person_from_value,
    person_to_dict,
    subject_from_dict,
    subject_to_dict,
)
from socsec.bibliography.formats import STORE_ONLY_FIELDS, ErrorSink, reader, writer
from socsec.bibliography.limits import MAX_RECORD_CHARS, too_long
from socsec.bibliography.model import Record, RecordType, Subject
from socsec.bibliography.normalize import Fix, parse_date, parse_year
from socsec.bibliography.store import Located
from socsec.errors import InputDataError

NAME = "csljson"
EXTENSIONS = (".json", ".csljson")
LOST_FIELDS: dict[str, str] = {
    "title_language": "CSL-JSON has no field for the language of the title",
    **STORE_ONLY_FIELDS,
    "extra": "not written (custom holds exactly the subjects and their provenance)",
}
TO_CSL = {
    RecordType.article: "article-journal",
    RecordType.book: "book",
    RecordType.chapter: "chapter",
    RecordType.report: "report",
    RecordType.thesis: "thesis",
    RecordType.legislation: "legislation",
    RecordType.dataset: "dataset",
    RecordType.paper_conference: "paper-conference",
    RecordType.webpage: "webpage",
    RecordType.other: "document",
}
FROM_CSL = {v: k for k, v in TO_CSL.items()} | {
    "article": RecordType.article,
    "article-magazine": RecordType.article,
    "article-newspaper": RecordType.article,
    "bill": RecordType.legislation,
    "regulation": RecordType.legislation,
    "treaty": RecordType.legislation,
    "legal_case": RecordType.legislation,
    "post-weblog": RecordType.webpage,
    "post": RecordType.webpage,
    "manuscript": RecordType.other,
}
# JSON gives dicts: checked before the slower Mapping ABC check.
_MAPPING = (dict, Mapping)
_PLAIN = {
    "container-title": "container_title",
    "publisher": "publisher",
    "publisher-place": "place",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "edition": "edition",
    "DOI": "doi",
    "ISBN": "isbn",
    "ISSN": "issn",
    "URL": "url",
    "language": "language",
    "abstract": "abstract",
    "note": "notes",
}


def to_csl(record: Record) -> dict[str, Any]:
    """A record as a CSL-JSON item (also what citeproc-py is given)."""
    item: dict[str, Any] = {"id": record.id, "type": TO_CSL[record.type], "title": record.title}
    if record.authors:
        item["author"] = [person_to_dict(p) for p in record.authors]
    if record.editors:
        item["editor"] = [person_to_dict(p) for p in record.editors]
    if record.issued or record.year:
        parts = [int(x) for x in (record.issued or str(record.year)).split("-")]
        item["issued"] = {"date-parts": [parts]}
    for key, attr in _PLAIN.items():
        value = getattr(record, attr)
        if value:
            item[key] = value
    if record.container_title and record.type in (RecordType.report, RecordType.book):
        item["collection-title"] = item.pop("container-title")  # a series, for CSL styles
    if record.issue and record.type in (RecordType.report, RecordType.legislation):
        item["number"] = item.pop("issue")  # CSL's report/act number
    if record.keywords:
        item["keyword"] = ", ".join(record.keywords)
    if record.subjects:
        item["custom"] = {
            "subjects": [s.uri for s in record.subjects],
            "subject_provenance": [subject_to_dict(s) for s in record.subjects],
        }
    return item


_ISO_DATE = {1: "{:04d}", 2: "{:04d}-{:02d}", 3: "{:04d}-{:02d}-{:02d}"}  # by number of parts


def _date(date: object) -> tuple[int | None, str | None, list[Fix], dict[str, str]]:
    """Year and ISO date of a CSL date: date-parts (numbers or numeric strings; extra parts
    and nulls dropped), else ``raw``/``literal`` read leniently.
    """
    if isinstance(date, _MAPPING):
        parts = date.get("date-parts")
        first = parts[0] if isinstance(parts, list) and parts else None
        if isinstance(first, list) and first and first[0] not in (None, ""):
            nums: list[int] = first[:3]
            # The usual parts are small numbers: the loop below reads any other kind.
            if any(n.__class__ is not int or not 0 <= n <= 9999 for n in nums):
                nums = []
                for part in first[:3]:
                    text = str(part).strip()
                    if len(text) > 4 or not text.isdigit():
                        if not nums:
                            year, fixes, keep = parse_year(text)
                            return year, (None if year is None else f"{year:04d}"), fixes, keep
                        break  # a bad month or day: the year alone is kept
                    nums.append(int(text))
            return nums[0], _ISO_DATE[len(nums)].format(*nums), [], {}
        raw = date.get("raw") or date.get("literal")
        if raw:
            found, fixes, keep = parse_date(str(raw))
            return (int(found[:4]) if found else None), found, fixes, keep
        return None, None, [], {}
    if isinstance(date, (str, int)) and not isinstance(date, bool):
        found, fixes, keep = parse_date(str(date)[:100])
        return (int(found[:4]) if found else None), found, fixes, keep
    return None, None, [], {}


def _subjects(custom: Mapping[str, Any]) -> tuple[Subject, ...]:
    """custom.subjects, with the provenance of custom.subject_provenance where it names them
    (a subject without one is manual, as in files written before provenance existed).
    """
    known = {
        str(d["uri"]): subject_from_dict(d)
        for d in custom.get("subject_provenance") or ()
        if isinstance(d, _MAPPING) and "uri" in d
    }
    return tuple(known.get(str(u)) or Subject(uri=str(u)) for u in custom.get("subjects") or ())


def from_csl(item: Mapping[str, Any]) -> Record:
    """A record from a CSL-JSON item; raises ValueError/TypeError/KeyError on bad shapes."""
    return from_csl_fixed(item)[0]


def from_csl_fixed(item: Mapping[str, Any]) -> tuple[Record, list[Fix]]:
    """A record from a CSL-JSON item and the normalisations applied to it."""
    ctype = str(item.get("type") or "")
    if not ctype:
        raise ValueError("type is required")
    year, issued, fixes, kept = _date(item.get("issued"))
    custom = item.get("custom")
    subjects = _subjects(custom) if custom else ()
    keywords_raw = item.get("keyword")
    keywords = (
        tuple(k.strip() for k in str(keywords_raw).split(",") if k.strip()) if keywords_raw else ()
    )
    kwargs: dict[str, Any] = {}
    for key, attr in _PLAIN.items():
        value = item.get(key)
        if value is None:  # most keys are absent: the Record's default (None) stands
            continue
        if isinstance(value, list):  # Crossref gives ISSN (print and electronic) as a list
            kept[f"original.{key}"] = "; ".join(str(v) for v in value)
            fixes.append(Fix(attr, kept[f"original.{key}"], f"{key} list: the first kept"))
            value = value[0] if value else None
        kwargs[attr] = _text(value)
    kwargs["issue"] = kwargs.get("issue") or _text(item.get("number"))
    kwargs["container_title"] = kwargs.get("container_title") or _text(item.get("collection-title"))
    record = Record(
        id=str(item.get("id") or ""),
        type=FROM_CSL.get(ctype, RecordType.other),
        title=str(item.get("title") or ""),
        authors=tuple(map(person_from_value, item.get("author") or ())),
        editors=tuple(map(person_from_value, item.get("editor") or ())),
        year=year,
        issued=issued,
        keywords=keywords,
        subjects=subjects,
        extra=kept,
        **kwargs,
    )
    return record, fixes


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _parse(fh: IO[str], name: str, bad: ErrorSink) -> Iterator[Located]:
    """Stream the items of a CSL-JSON array (or one object), without loading it whole.

    Raises:
        InputDataError: malformed JSON or item, with the line and item number.
    """
    decoder = json.JSONDecoder()
    buf, pos, line, number = "", 0, 1, 0
    eof = False

    def fill() -> bool:
        nonlocal buf, pos, eof
        # Read as much again as is waiting: an item cut by the buffer is decoded again
        # after each read, which must not make a long item cost quadratic time.
        chunk = fh.read(max(1 << 16, len(buf) - pos))
        if not chunk:
            eof = True
            return False
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws(extra: str = "") -> str:
        nonlocal pos, line
        while True:
            while pos < len(buf) and (buf[pos].isspace() or buf[pos] in extra):
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf) or not fill():
                return buf[pos] if pos < len(buf) else ""

    first = skip_ws()
    if first == "{":
        single = True
    elif first == "[":
        single = False
        pos += 1
    else:
        raise InputDataError("expected a JSON array of CSL items", path=name, line=line)
    while True:
        ch = skip_ws("," if not single else "")
        if ch == "" and not single:
            raise InputDataError("unexpected end of file inside the array", path=name, line=line)
        if ch == "]" and not single:
            return
        if ch == "" and single:
            return
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                break
            except RecursionError:
                raise InputDataError(
                    f"item {number + 1}: JSON nested too deeply", path=name, line=line
                ) from None
            except json.JSONDecodeError as exc:
                if len(buf) - pos > MAX_RECORD_CHARS:
                    raise InputDataError(
                        f"item {number + 1}: "
                        + too_long("the item", len(buf) - pos, MAX_RECORD_CHARS),
                        path=name,
                        line=line,
                    ) from None
                if not eof and fill():
                    continue
                raise InputDataError(
                    f"malformed JSON: {exc.msg}",
                    path=name,
                    line=line + exc.lineno - 1,
                    column=exc.colno if exc.lineno > 1 else None,
                ) from None
            except ValueError:  # not a syntax error: e.g. a 5,000-digit number
                raise InputDataError(
                    f"item {number + 1}: a number has too many digits", path=name, line=line
                ) from None
        start_line = line
        line += buf.count("\n", pos, end)
        pos = end
        number += 1
        try:
            if not isinstance(obj, _MAPPING):
                raise ValueError("an item must be a JSON object")
            record, fixes = from_csl_fixed(obj)
            yield Located(record, number, start_line, tuple(fixes))
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            error = InputDataError(f"item {number}: {exc}", path=name, line=start_line)
            bad(error)
        if single:
            if skip_ws() != "":
                raise InputDataError("extra data after the JSON object", path=name, line=line)
            return


read_located, read = reader(_parse, "CSL-JSON")


def _write(records: Iterable[Record], stream: IO[str], label: Callable[[str], str]) -> None:
    """Write a CSL-JSON array, one item per line; returns the number written."""
    stream.write("[")
    separator = "\n"
    for record in records:
        stream.write(separator)
        stream.write(json.dumps(to_csl(record), ensure_ascii=False, separators=(",", ":")))
        separator = ",\n"
    stream.write("\n]\n")


write = writer(_write)
