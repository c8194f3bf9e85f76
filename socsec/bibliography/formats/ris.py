"""RIS (Research Information Systems): records are checked line by line (TY ... ER) and each one
is parsed by rispy. Subject URIs travel in ``C8`` (" ; "-separated), labels in ``C7``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import rispy

from socsec.bibliography.codec import parse_name
from socsec.bibliography.formats import STORE_ONLY_FIELDS, ErrorSink, reader, writer
from socsec.bibliography.limits import MAX_RECORD_CHARS, too_long
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.normalize import Fix, parse_date
from socsec.bibliography.store import Located
from socsec.errors import InputDataError

NAME = "ris"
EXTENSIONS = (".ris",)
LOST_FIELDS: dict[str, str] = {
    "title_language": "RIS has no tag for the language of the title",
    **STORE_ONLY_FIELDS,
    "extra": "RIS has no free fields left for them",
    "subjects.provenance": "read back as manual (automatic ones exported only when asked)",
    "isbn": "one SN tag: a non-book record with an ISSN keeps the ISSN",
    "issn": "one SN tag: a book keeps its ISBN",
    "abstract.line_breaks": "RIS values are one line",
    "notes.line_breaks": "RIS values are one line",
}
FROM_RIS = {
    "JOUR": RecordType.article, "EJOUR": RecordType.article, "MGZN": RecordType.article,
    "NEWS": RecordType.article, "JFULL": RecordType.article, "BOOK": RecordType.book,
    "EBOOK": RecordType.book, "EDBOOK": RecordType.book, "CHAP": RecordType.chapter,
    "ECHAP": RecordType.chapter, "RPRT": RecordType.report, "GOVDOC": RecordType.report,
    "THES": RecordType.thesis, "LEGAL": RecordType.legislation, "STAT": RecordType.legislation,
    "BILL": RecordType.legislation, "CASE": RecordType.legislation, "DATA": RecordType.dataset,
    "DBASE": RecordType.dataset, "CPAPER": RecordType.paper_conference,
    "CONF": RecordType.paper_conference, "ELEC": RecordType.webpage, "BLOG": RecordType.webpage,
}  # fmt: skip
TO_RIS = {
    RecordType.article: "JOUR", RecordType.book: "BOOK", RecordType.chapter: "CHAP",
    RecordType.report: "RPRT", RecordType.thesis: "THES", RecordType.legislation: "LEGAL",
    RecordType.dataset: "DATA", RecordType.paper_conference: "CPAPER",
    RecordType.webpage: "ELEC", RecordType.other: "GEN",
}  # fmt: skip


class _Writer(rispy.RisWriter):  # type: ignore[misc]
    """rispy's writer without the "1." counter line before each record."""

    def set_header(self, count: int) -> str:
        return ""


_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_ISSN_LIKE = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def _skipped_notes(skipped: list[tuple[int, str]]) -> tuple[Fix, ...]:
    """The warning for lines skipped outside any record (none when none were)."""
    if not skipped:
        return ()
    first, text = skipped[0]
    return (Fix("(file)", text[:80], f"{len(skipped)} line(s) outside any record "
                f"skipped, from line {first}: {text[:40]!r}"),)  # fmt: skip


def _split_records(fh: IO[str], name: str) -> Iterator[tuple[int, str, tuple[Fix, ...]]]:
    """(first line, text, notes of skipped text) of each TY..ER record; refuses a record
    without ER and a tag outside any record. Other text between records (an exporter's
    "Record #1 of 2", "Provider: ...") is skipped with a warning on the next record; text
    after the last record, with a warning on that one (so each record is yielded once the
    next starts or the file ends).
    """
    lines: list[str] = []
    start: int | None = None
    lineno = size = 0
    skipped: list[tuple[int, str]] = []
    records = 0
    pending: tuple[int, str, tuple[Fix, ...]] | None = None
    # readline with a limit: one huge line is refused without being read whole.
    for lineno, raw in enumerate(iter(lambda: fh.readline(MAX_RECORD_CHARS + 1), ""), start=1):
        size = size + len(raw) if start is not None else len(raw)
        if size > MAX_RECORD_CHARS:
            raise InputDataError(
                too_long("the record", size, MAX_RECORD_CHARS), path=name, line=start or lineno
            )
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        m = _TAG.match(line)
        tag = m.group(1) if m else None
        if tag == "TY":
            if start is not None:
                raise InputDataError(
                    f"the record starting here has no ER before the next TY (line {lineno})",
                    path=name,
                    line=start,
                )
            start, lines = lineno, []
        if start is None:
            # rispy and some exporters number records ("1.") between them.
            if line.strip() and not re.fullmatch(r"\d+\.", line.strip()):
                if tag is not None:  # a record whose TY line is missing or garbled
                    raise InputDataError(
                        f"expected 'TY  - ' to start a record, found {line[:40]!r}",
                        path=name,
                        line=lineno,
                    )
                skipped.append((lineno, line.strip()))
            continue
        lines.append(line)
        if tag == "ER":
            if pending is not None:
                yield pending
            records += 1
            pending = (start, "\n".join(lines) + "\n", _skipped_notes(skipped))
            skipped = []
            start = None
    if records == 0 and skipped:
        first, text = skipped[0]
        raise InputDataError(
            f"no RIS record ('TY  - ' line) found; line {first} is {text[:40]!r}",
            path=name,
            line=first,
        )
    if start is not None:
        raise InputDataError(
            f"the record starting here has no ER (file truncated?; last line {lineno})",
            path=name,
            line=start,
        )
    if pending is not None:
        first_line, text, leading = pending
        yield first_line, text, leading + _skipped_notes(skipped)


def _first(entry: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return str(value).strip()
    return None


def _name(text: str) -> Person:
    # RIS names are "Family, Given"; a name without a comma is an institution.
    text = " ".join(str(text).split())
    return parse_name(text) if "," in text else Person(literal=text)


# RIS dates: "YYYY/MM/DD/other info", every part after the year optional.
_RIS_DATE = re.compile(r"(\d{4})(?:[/-](\d{0,2})(?:[/-](\d{0,2})(?:/.*)?)?)?/?")


def _ris_date(text: str) -> tuple[int | None, str | None, list[Fix], dict[str, str]]:
    m = _RIS_DATE.fullmatch(text.strip())
    if m and all(not p or 1 <= int(p) <= (12, 31)[i] for i, p in enumerate(m.groups()[1:])):
        year = int(m.group(1))
        nums = [p for p in m.groups()[1:] if p]
        if m.group(3) and not m.group(2):
            nums = []  # a day without a month says nothing
        return year, "-".join([f"{year:04d}", *(f"{int(n):02d}" for n in nums)]), [], {}
    issued, fixes, keep = parse_date(text)
    return (int(issued[:4]) if issued else None), issued, fixes, keep


def _entry_to_record(entry: dict[str, Any]) -> tuple[Record, list[Fix]]:
    year: int | None = None
    issued: str | None = None
    fixes: list[Fix] = []
    kept: dict[str, str] = {}
    date = _first(entry, "date", "year", "publication_year")
    if date:
        year, issued, fixes, kept = _ris_date(date)
    sp, ep = _first(entry, "start_page"), _first(entry, "end_page")
    pages = f"{sp}-{ep}" if sp and ep else sp
    sn = _first(entry, "issn")
    isbn = issn = None
    if sn:
        if _ISSN_LIKE.match(sn):
            issn = sn
        else:
            isbn = sn
    subjects = tuple(
        Subject(uri=u.strip()) for u in (_first(entry, "custom8") or "").split(";") if u.strip()
    )
    people = [_name(a) for a in (entry.get("authors") or []) + (entry.get("first_authors") or [])]
    editors = [_name(a) for a in entry.get("secondary_authors") or []]
    notes = entry.get("notes") or []
    record = Record(
        id=_first(entry, "id") or "",
        type=FROM_RIS.get(str(entry.get("type_of_reference", "")).upper(), RecordType.other),
        title=_first(entry, "title", "primary_title") or "",
        authors=tuple(people),
        editors=tuple(editors),
        year=year,
        issued=issued,
        container_title=_first(entry, "secondary_title", "journal_name", "alternate_title3"),
        publisher=_first(entry, "publisher"),
        place=_first(entry, "place_published"),
        volume=_first(entry, "volume"),
        issue=_first(entry, "number"),
        pages=pages,
        edition=_first(entry, "edition"),
        doi=_first(entry, "doi"),
        isbn=isbn,
        issn=issn,
        url=_first(entry, "urls"),
        language=_first(entry, "language"),
        abstract=_first(entry, "abstract", "notes_abstract"),
        keywords=tuple(str(k).strip() for k in entry.get("keywords") or () if str(k).strip()),
        subjects=subjects,
        notes="\n".join(str(n) for n in notes) or None,
        extra=kept,
    )
    return record, fixes


def _parse(fh: IO[str], name: str, bad: ErrorSink) -> Iterator[Located]:
    """Stream the records of a RIS file.

    Raises:
        InputDataError: a record lacks ER, a line is outside any record, or a value is bad.
    """
    for number, (line, text, notes) in enumerate(_split_records(fh, name), start=1):
        try:
            entries = rispy.loads(text)
            if len(entries) != 1:
                raise ValueError("cannot parse the record")
            record, fixes = _entry_to_record(entries[0])
            fixes[:0] = notes
            yield Located(record, number, line, tuple(fixes))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            error = InputDataError(f"record {number}: {exc}", path=name, line=line)
            bad(error)


read_located, read = reader(_parse, "RIS")


def _person(p: Any) -> str:
    return str(p.literal or ", ".join(x for x in (p.family, p.given) if x))


def to_ris(record: Record, label: Callable[[str], str]) -> dict[str, Any]:
    """A record as a rispy dict."""
    entry: dict[str, Any] = {"type_of_reference": TO_RIS[record.type], "id": record.id,
                             "title": record.title}  # fmt: skip
    if record.authors:
        entry["authors"] = [_person(p) for p in record.authors]
    if record.editors:
        entry["secondary_authors"] = [_person(p) for p in record.editors]
    if record.issued:
        entry["date"] = record.issued.replace("-", "/")
    if record.year is not None:
        entry["year"] = str(record.year)
    if record.pages:
        sp, _, ep = record.pages.partition("-")
        entry["start_page"] = sp
        if ep:
            entry["end_page"] = ep
    sn = (
        record.isbn
        if record.isbn and (record.type is RecordType.book or not record.issn)
        else record.issn
    )
    for key, value in (
        ("secondary_title", record.container_title), ("publisher", record.publisher),
        ("place_published", record.place), ("volume", record.volume), ("number", record.issue),
        ("edition", record.edition), ("doi", record.doi), ("issn", sn),
        ("language", record.language), ("abstract", record.abstract),
    ):  # fmt: skip
        if value:
            entry[key] = " ".join(value.split())  # RIS values are one line
    if record.url:
        entry["urls"] = [record.url]
    if record.keywords:
        entry["keywords"] = list(record.keywords)
    if record.notes:
        entry["notes"] = [" ".join(record.notes.split())]
    if record.subjects:
        entry["custom7"] = " ; ".join(label(s.uri) for s in record.subjects)
        entry["custom8"] = " ; ".join(s.uri for s in record.subjects)
    return entry


def _write(records: Iterable[Record], stream: IO[str], label: Callable[[str], str]) -> None:
    """Write RIS; returns the number of records written."""
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(to_ris(record, label))
        if len(batch) >= 1000:
            stream.write(rispy.dumps(batch, implementation=_Writer))
            batch = []
    if batch:
        stream.write(rispy.dumps(batch, implementation=_Writer))


write = writer(_write)
