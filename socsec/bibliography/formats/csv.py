"""CSV, one record per row; people as "Family, Given" joined by " ; ", lists by " ; "."""

from __future__ import annotations

import csv as _csv
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from socsec.bibliography.codec import parse_name
from socsec.bibliography.formats import STORE_ONLY_FIELDS, ErrorSink, reader, writer
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.normalize import Fix, parse_date, parse_year
from socsec.bibliography.store import Located
from socsec.errors import InputDataError

NAME = "csv"
EXTENSIONS = (".csv",)
LOST_FIELDS: dict[str, str] = {
    **STORE_ONLY_FIELDS,
    "extra": "no column",
    "subjects.accepted": "accepted read back as manual; no score, method or model",
}
REQUIRED_COLUMNS = ("id", "type", "title")
_SCALARS = (
    "title_language", "issued", "container_title", "publisher", "place", "volume", "issue",
    "pages", "edition", "doi", "isbn", "issn", "url", "language", "abstract", "notes",
)  # fmt: skip
COLUMNS = (
    "id", "type", "title", "authors", "editors", "year", *_SCALARS, "keywords", "subjects",
    "suggested_subjects", "subject_labels",
)  # fmt: skip
SEP = " ; "


def _people(text: str) -> tuple[Person, ...]:
    out = []
    for part in text.split(";"):
        part = part.strip()
        if part:
            out.append(parse_name(part))
    return tuple(out)


def _person(p: Person) -> str:
    if p.literal:
        return "{" + p.literal + "}"
    return ", ".join(x for x in (p.family, p.given) if x)


def _list(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(";") if x.strip()]


def _parse(fh: IO[str], name: str, bad: ErrorSink) -> Iterator[Located]:
    """Stream the rows of a CSV file with a header row.

    Raises:
        InputDataError: a required column is missing, a row has the wrong number of cells, or a
            value is bad (with the line).
    """
    reader = _csv.DictReader(fh, strict=True)
    try:
        header = list(reader.fieldnames or [])
    except _csv.Error as exc:
        raise InputDataError(f"malformed CSV: {exc}", path=name, line=1) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputDataError(
            f"missing column(s) {', '.join(missing)} (required: {', '.join(REQUIRED_COLUMNS)})",
            path=name,
            line=1,
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InputDataError(
            f"unknown column(s) {', '.join(unknown)}",
            path=name,
            line=1,
            hint="known columns: " + ", ".join(COLUMNS),
        )
    number = 0
    end = reader.line_num
    try:
        for row in reader:
            number += 1
            line, end = end + 1, reader.line_num
            try:
                if None in row or any(v is None for v in row.values()):
                    raise ValueError(f"expected {len(header)} cells")
                if end > line:
                    _check_span(row, line, end)
                record, fixes = _row_to_record(row)
                yield Located(record, number, line, tuple(fixes))
            except (ValueError, TypeError) as exc:
                error = InputDataError(f"row {number}: {exc}", path=name, line=line)
                bad(error)
    except _csv.Error as exc:
        # The row that failed starts after the last good one (line_num may lag).
        raise InputDataError(f"malformed CSV: {exc}", path=name, line=end + 1) from None


MULTILINE_COLUMNS = frozenset(("abstract", "notes"))  # the only values that may hold line breaks


def _check_span(row: dict[str, str], first: int, last: int) -> None:
    """Refuse a row whose value spans lines in a one-line column: an unbalanced quote there
    would otherwise swallow the rows that follow into one value.
    """
    for column, value in row.items():
        if column not in MULTILINE_COLUMNS and value and ("\n" in value or "\r" in value):
            raise ValueError(
                f"the value of column {column!r} spans lines {first}-{last} (an unbalanced quote?)"
            )


def _row_to_record(row: dict[str, str]) -> tuple[Record, list[Fix]]:
    try:
        rtype = RecordType((row.get("type") or "").strip() or "other")
    except ValueError:
        raise ValueError(f"unknown type {row.get('type')!r}") from None
    fixes: list[Fix] = []
    extra: dict[str, str] = {}
    year = None
    year_text = (row.get("year") or "").strip()
    if year_text:
        year, fixes, extra = parse_year(year_text)
    scalars = {k: ((row.get(k) or "").strip() or None) for k in _SCALARS}
    if scalars["issued"]:
        issued, more, keep = parse_date(scalars["issued"])
        scalars["issued"], fixes, extra = issued, fixes + more, {**extra, **keep}
    subjects = [Subject(u) for u in _list(row.get("subjects"))]
    subjects += [Subject(u, "automatic") for u in _list(row.get("suggested_subjects"))]
    record = Record(
        id=(row.get("id") or "").strip(),
        type=rtype,
        title=(row.get("title") or "").strip(),
        authors=_people(row.get("authors") or ""),
        editors=_people(row.get("editors") or ""),
        year=year,
        keywords=tuple(_list(row.get("keywords"))),
        subjects=tuple(subjects),
        extra=extra,
        **scalars,  # type: ignore[arg-type]
    )
    return record, fixes


read_located, read = reader(_parse, "CSV")


def _write(records: Iterable[Record], stream: IO[str], label: Callable[[str], str]) -> None:
    """Write CSV with every column of :data:`COLUMNS`; returns the number of rows."""
    writer = _csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in records:
        row = [
            r.id,
            r.type.value,
            r.title,
            SEP.join(_person(p) for p in r.authors),
            SEP.join(_person(p) for p in r.editors),
            "" if r.year is None else str(r.year),
        ]
        row += [getattr(r, k) or "" for k in _SCALARS]
        row += [
            SEP.join(r.keywords),
            SEP.join(s.uri for s in r.subjects if s.curated),
            SEP.join(s.uri for s in r.subjects if not s.curated),
            SEP.join(label(s.uri) for s in r.subjects),
        ]
        writer.writerow(row)


write = writer(_write)
