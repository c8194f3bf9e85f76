"""MARCXML (MARC 21 bibliographic), read with pymarc through a defusedxml SAX parser (XXE and
entity expansion refused) and streamed record by record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax import SAXParseException
from xml.sax.handler import feature_namespaces

import defusedxml.sax
import pymarc
from defusedxml import DefusedXmlException
from pymarc.exceptions import PymarcException
from pymarc.marcxml import XmlHandler

from socsec.bibliography.codec import parse_name
from socsec.bibliography.formats import STORE_ONLY_FIELDS, ErrorSink, reader, writer
from socsec.bibliography.limits import MAX_FIELD_CHARS, too_long
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.store import Located
from socsec.bibliography.validate import ISO639_2
from socsec.errors import InputDataError

NAME = "marcxml"
EXTENSIONS = (".xml", ".marcxml", ".mrcx")
LOST_FIELDS: dict[str, str] = {
    "title_language": "not written (041 holds the language of the text)",
    **STORE_ONLY_FIELDS,
    "extra": "not written",
    "subjects.provenance": "read back as manual (automatic ones exported only when asked)",
    "issue": "only periodical parts (773 $g) carry an issue number",
}
MARC_NS = "http://www.loc.gov/MARC21/slim"
TYPE_SOURCE = "socsec"  # $2 of the 655 genre field that carries our record type
# 639-1 -> MARC language code (MARC uses the 639-2/B codes).
_TO_MARC_LANG: dict[str, str] = {}
for _code, _one in ISO639_2.items():
    _TO_MARC_LANG.setdefault(_one, _code)
_LEADER_TYPE = {
    RecordType.article: "ab", RecordType.chapter: "aa", RecordType.book: "am",
    RecordType.report: "am", RecordType.thesis: "am", RecordType.legislation: "am",
    RecordType.dataset: "mm", RecordType.paper_conference: "aa", RecordType.webpage: "ai",
    RecordType.other: "am",
}  # fmt: skip


_to_xml_node: Any = pymarc.record_to_xml_node  # untyped in pymarc


class _Handler(XmlHandler):
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.ready: list[tuple[int | None, Any]] = []
        self.locator: Any = None
        self._start_line: int | None = None

    def setDocumentLocator(self, locator: Any) -> None:  # noqa: N802 - SAX API name
        self.locator = locator

    def startElementNS(self, name: Any, qname: Any, attrs: Any) -> None:  # noqa: N802
        if name[1] == "record" and self.locator is not None:
            self._start_line = self.locator.getLineNumber()
        super().startElementNS(name, qname, attrs)  # type: ignore[no-untyped-call]

    def characters(self, content: str) -> None:
        self._size = getattr(self, "_size", 0) + len(content) if self._text else len(content)
        if self._size > MAX_FIELD_CHARS:
            raise ValueError(too_long("a field", self._size, MAX_FIELD_CHARS))
        super().characters(content)  # type: ignore[no-untyped-call]

    def process_record(self, record: Any) -> None:
        self.ready.append((self._start_line, record))

    def line(self) -> int | None:
        """The line the parser is at."""
        return None if self.locator is None else int(self.locator.getLineNumber())


def _parse(fh: IO[str], name: str, bad: ErrorSink) -> Iterator[Located]:
    """Stream the records of a MARCXML collection.

    Raises:
        InputDataError: malformed XML, a DTD entity or external reference (refused for
            safety), or a record without a title field, with the line.
    """
    handler = _Handler()
    parser = defusedxml.sax.make_parser()
    parser.setFeature(feature_namespaces, 1)
    parser.setContentHandler(handler)
    # The parser only hands its locator to the handler in parse(), not feed(); it is one.
    handler.setDocumentLocator(parser)
    number = 0
    while True:
        try:
            chunk = fh.read(1 << 16)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except SAXParseException as exc:
            raise InputDataError(
                f"malformed XML: {exc.getMessage()}",
                path=name,
                line=exc.getLineNumber(),
                column=exc.getColumnNumber(),
            ) from None
        except DefusedXmlException as exc:
            raise InputDataError(
                f"refused unsafe XML ({type(exc).__name__}: entities, DTDs with external "
                "references and entity expansion are not allowed)",
                path=name,
            ) from None
        except (PymarcException, ValueError, TypeError, KeyError, IndexError) as exc:
            # pymarc refuses a bad leader, tag or indicator while the XML is parsed.
            number += len(handler.ready) + 1
            raise InputDataError(
                f"record {number}: {type(exc).__name__}: {str(exc)[:200]}",
                path=name,
                line=handler.line(),
            ) from None
        for line, marc in handler.ready:
            number += 1
            try:
                yield Located(marc_to_record(marc), number, line)
            except (ValueError, TypeError, KeyError) as exc:
                error = InputDataError(f"record {number}: {exc}", path=name, line=line)
                bad(error)
        handler.ready.clear()
        if not chunk:
            break
    if number == 0:
        raise InputDataError(
            "no MARC records found", path=name, hint=f"expected namespace {MARC_NS}"
        )


read_located, read = reader(_parse, "MARCXML")


def _sub(field: Any, code: str) -> str | None:
    values = field.get_subfields(code)
    return values[0].strip() if values else None


_INITIAL_END = re.compile(r"(?:^|[\s.])[A-Z]\.$")


def _strips_period(text: str) -> bool:
    # A final period is ISBD punctuation unless it closes an initial ("Boskin, Michael J.").
    return text.endswith(".") and not text.endswith("..") and not _INITIAL_END.search(text)


def _clean(text: str | None, strip: str = "/:;,=", period: bool = True) -> str | None:
    """A subfield value without its trailing ISBD punctuation ("Title /", "Paris :", "Title.")."""
    if text is None:
        return None
    out = text.strip()
    if out and out[-1] in strip:
        out = out[:-1].rstrip()
    if period and (_strips_period(out) or out.endswith("..")):
        out = out[:-1]
    return out or None


def _term(value: str | None) -> str | None:
    """Protect a final period that :func:`_clean` would take for ISBD punctuation."""
    if value and (_strips_period(value) or value.endswith("..")):
        return value + "."
    return value


def _person(field: Any, corporate: bool) -> Person:
    name = _clean(_sub(field, "a")) or ""
    return Person(literal=name) if corporate else parse_name(name)


def marc_to_record(marc: Any) -> Record:
    """A record from a pymarc record."""
    f245 = marc.get("245")
    if f245 is None:
        raise ValueError("no 245 title field")
    title = " ".join(x for x in (_clean(_sub(f245, "a")), _clean(_sub(f245, "b"))) if x)
    if _sub(f245, "b"):
        title = f"{_clean(_sub(f245, 'a'))}: {_clean(_sub(f245, 'b'))}"
    rtype = None
    for f in marc.get_fields("655"):
        if _sub(f, "2") == TYPE_SOURCE:
            rtype = RecordType(_sub(f, "a"))
    if rtype is None:
        level = marc.leader[7] if marc.leader and len(str(marc.leader)) > 7 else "m"
        rtype = {"a": RecordType.chapter, "b": RecordType.article, "m": RecordType.book}.get(
            level, RecordType.other
        )
        if marc.get("502") is not None:
            rtype = RecordType.thesis
    authors: list[Person] = []
    editors: list[Person] = []
    for f in marc.get_fields("100", "110", "700", "710"):
        person = _person(f, f.tag in ("110", "710"))
        role = (_sub(f, "e") or "author").rstrip(".").lower()
        (editors if role.startswith("ed") else authors).append(person)
    pub = marc.get("264") or marc.get("260")
    issued = None
    year = None
    if pub is not None and _sub(pub, "c"):
        m = re.search(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", _sub(pub, "c") or "")
        if m:
            issued = m.group(0)
            year = int(issued[:4])
    f008 = marc.get("008")
    language = None
    if f008 is not None and f008.data and len(f008.data) >= 38 and year is None:
        if f008.data[7:11].isdigit():
            year = int(f008.data[7:11])
    f041 = marc.get("041")
    if f041 is not None and _sub(f041, "a"):
        language = _sub(f041, "a")
    elif f008 is not None and f008.data and len(f008.data) >= 38 and f008.data[35:38].strip():
        language = f008.data[35:38]
    container = volume = issue = None
    f773 = marc.get("773")
    if f773 is not None:
        container = _clean(_sub(f773, "t"))
        g = _sub(f773, "g") or ""
        if m := re.search(r"vol\.\s*([^,\s]+)", g):
            volume = m.group(1)
        if m := re.search(r"no\.\s*([^,\s]+)", g):
            issue = m.group(1)
    f490 = marc.get("490")
    if f490 is not None and container is None:
        container = _clean(_sub(f490, "a"))
        volume = _clean(_sub(f490, "v"))
    doi = None
    for f in marc.get_fields("024"):
        if (_sub(f, "2") or "").lower() == "doi":
            doi = _sub(f, "a")
    subjects = tuple(
        Subject(uri=uri) for f in marc.get_fields("650") if (uri := _sub(f, "0")) and "://" in uri
    )

    def first(tag: str, code: str = "a", clean: bool = True) -> str | None:
        f = marc.get(tag)
        value = None if f is None else _sub(f, code)
        return _clean(value) if clean else (value.strip() or None if value else None)

    f300 = marc.get("300")
    pages = _clean(_sub(f300, "a"), period=False) if f300 is not None else None
    if pages:
        pages = re.sub(r"^(?:pp?\.\s*)", "", pages)
    f001 = marc.get("001")
    return Record(
        id=f001.data.strip() if f001 is not None and f001.data else "",
        type=rtype,
        title=title or "",
        authors=tuple(authors),
        editors=tuple(editors),
        year=year,
        issued=issued,
        container_title=container,
        publisher=_clean(_sub(pub, "b")) if pub is not None else None,
        place=_clean(_sub(pub, "a")) if pub is not None else None,
        volume=volume,
        issue=issue,
        pages=pages,
        edition=first("250"),
        doi=doi,
        isbn=first("020", clean=False),
        issn=first("022", clean=False),
        url=first("856", "u", clean=False),
        language=language,
        abstract=first("520", clean=False),
        keywords=tuple(
            k
            for f in marc.get_fields("653")
            for k in (_clean(x) for x in f.get_subfields("a"))
            if k
        ),
        subjects=subjects,
        notes=first("500", clean=False),
    )


def _df(tag: str, ind: str, pairs: Iterable[tuple[str, str | None]]) -> Any:
    subfields = [pymarc.Subfield(code=c, value=v) for c, v in pairs if v]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind[0], ind[1]), subfields=subfields)


def record_to_marc(record: Record, label: Callable[[str], str]) -> Any:
    """A pymarc record for a record."""
    marc: Any = pymarc.Record(force_utf8=True)
    lt = _LEADER_TYPE[record.type]
    marc.leader = pymarc.Leader(f"00000n{lt[0]}{lt[1]} a22000007i 4500")
    marc.add_field(pymarc.Field(tag="001", data=record.id))
    lang = _TO_MARC_LANG.get(record.language or "", "   ")
    year = f"{record.year:04d}" if record.year else "    "
    marc.add_field(pymarc.Field(tag="008", data=f"      s{year}    xx            000 0 {lang} d"))
    for tag, value in (("020", record.isbn), ("022", record.issn)):
        if value:
            marc.add_field(_df(tag, "  ", [("a", value)]))
    if record.doi:
        marc.add_field(_df("024", "7 ", [("a", record.doi), ("2", "doi")]))
    if record.language:
        marc.add_field(_df("041", "0 ", [("a", lang.strip() or record.language)]))
    people = [(p, "author") for p in record.authors] + [(p, "editor") for p in record.editors]
    for i, (p, role) in enumerate(people):
        corporate = bool(p.literal)
        main = i == 0 and role == "author"
        tag = ("110" if corporate else "100") if main else ("710" if corporate else "700")
        name = p.literal or ", ".join(x for x in (p.family, p.given) if x)
        marc.add_field(_df(tag, "2 " if corporate else "1 ", [("a", _term(name)), ("e", role)]))
    marc.add_field(_df("245", ("1" if record.authors else "0") + "0", [("a", _term(record.title))]))
    if record.edition:
        marc.add_field(_df("250", "  ", [("a", _term(record.edition))]))
    if record.place or record.publisher or record.issued or record.year:
        date = record.issued or (str(record.year) if record.year else None)
        marc.add_field(
            _df(
                "264",
                " 1",
                [("a", _term(record.place)), ("b", _term(record.publisher)), ("c", date)],
            )
        )
    if record.pages:
        marc.add_field(_df("300", "  ", [("a", record.pages)]))
    in_host = record.type in (RecordType.article, RecordType.chapter, RecordType.paper_conference)
    if record.container_title and not in_host:
        marc.add_field(
            _df("490", "0 ", [("a", _term(record.container_title)), ("v", _term(record.volume))])
        )
    if record.notes:
        marc.add_field(_df("500", "  ", [("a", record.notes)]))
    if record.abstract:
        marc.add_field(_df("520", "  ", [("a", record.abstract)]))
    for s in record.subjects:
        marc.add_field(_df("650", " 7", [("a", label(s.uri)), ("0", s.uri), ("2", "eurovoc")]))
    if record.keywords:
        marc.add_field(_df("653", "  ", [("a", _term(k)) for k in record.keywords]))
    marc.add_field(_df("655", " 7", [("a", record.type.value), ("2", TYPE_SOURCE)]))
    if in_host and (record.container_title or record.volume or record.issue):
        g = ", ".join(x for x in (
            f"vol. {record.volume}" if record.volume else "",
            f"no. {record.issue}" if record.issue else "") if x)  # fmt: skip
        marc.add_field(_df("773", "0 ", [("t", _term(record.container_title)), ("g", g or None)]))
    if record.url:
        marc.add_field(_df("856", "40", [("u", record.url)]))
    return marc


def _write(records: Iterable[Record], stream: IO[str], label: Callable[[str], str]) -> None:
    """Write a MARCXML collection; returns the number of records written."""
    stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARC_NS}">\n')
    for record in records:
        node = _to_xml_node(record_to_marc(record, label))
        stream.write(ElementTree.tostring(node, encoding="unicode") + "\n")
    stream.write("</collection>\n")


write = writer(_write)
