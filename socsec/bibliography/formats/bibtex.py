"""BibTeX/BibLaTeX, parsed by bibtexparser v2 in chunks of entries (streaming, exact lines).

Subjects are written as ``subject-uri = {URI ; URI}`` (read back) and, for people,
``subject = {label ; label}`` in the chosen language (not read back).
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from sys import intern
from typing import IO, Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from socsec.bibliography.codec import parse_name
from socsec.bibliography.formats import STORE_ONLY_FIELDS, ErrorSink, reader, writer
from socsec.bibliography.formats.latex import decode, encode
from socsec.bibliography.limits import MAX_RECORD_CHARS, too_long
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.normalize import Fix, parse_date, parse_month, parse_year
from socsec.bibliography.store import Located
from socsec.errors import InputDataError

# bibtexparser logs each failed block; we raise InputDataError instead, so keep it off stderr
# (a NullHandler stops the lastResort handler, yet an app's own logging still sees it).
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

NAME = "bibtex"
EXTENSIONS = (".bib", ".bibtex")
LOST_FIELDS: dict[str, str] = {
    "title_language": "BibTeX has no field for the language of the title",
    **STORE_ONLY_FIELDS,
    "extra": "only extra fields read from BibTeX (bibtex.*) are written back",
    "subjects.provenance": "read back as manual (automatic ones exported only when asked)",
}
CHUNK = 1000  # entries parsed per bibtexparser call
# biblatex entry types that group or share data of other entries rather than describe a work.
CONTAINERS = frozenset(("set", "xdata"))

FROM_BIBTEX = {
    "article": RecordType.article,
    "book": RecordType.book,
    "mvbook": RecordType.book,
    "booklet": RecordType.book,
    "proceedings": RecordType.book,
    "inbook": RecordType.chapter,
    "incollection": RecordType.chapter,
    "inproceedings": RecordType.paper_conference,
    "conference": RecordType.paper_conference,
    "techreport": RecordType.report,
    "report": RecordType.report,
    "phdthesis": RecordType.thesis,
    "mastersthesis": RecordType.thesis,
    "thesis": RecordType.thesis,
    "legislation": RecordType.legislation,
    "legal": RecordType.legislation,
    "jurisdiction": RecordType.legislation,
    "dataset": RecordType.dataset,
    "online": RecordType.webpage,
    "electronic": RecordType.webpage,
    "www": RecordType.webpage,
}
TO_BIBTEX = {
    RecordType.article: "article",
    RecordType.book: "book",
    RecordType.chapter: "incollection",
    RecordType.report: "techreport",
    RecordType.thesis: "phdthesis",
    RecordType.legislation: "legislation",
    RecordType.dataset: "dataset",
    RecordType.paper_conference: "inproceedings",
    RecordType.webpage: "online",
    RecordType.other: "misc",
}
# BibTeX field -> Record attribute (first present wins for aliases).
_FIELDS = {
    "journal": "container_title",
    "journaltitle": "container_title",
    "booktitle": "container_title",
    "series": "container_title",
    "publisher": "publisher",
    "institution": "publisher",
    "school": "publisher",
    "organization": "publisher",
    "address": "place",
    "location": "place",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",
    "pages": "pages",
    "edition": "edition",
    "doi": "doi",
    "isbn": "isbn",
    "issn": "issn",
    "url": "url",
    "language": "language",
    "langid": "language",
    "abstract": "abstract",
    "note": "notes",
    "annote": "notes",
}
_HANDLED = set(_FIELDS) | {"title", "author", "editor", "year", "date", "month", "keywords",
                           "subject", "subject-uri", "type"}  # fmt: skip
_WRITE = (
    ("container_title", "journal"), ("publisher", "publisher"), ("place", "address"),
    ("volume", "volume"), ("issue", "number"), ("pages", "pages"), ("edition", "edition"),
    ("doi", "doi"), ("isbn", "isbn"), ("issn", "issn"), ("url", "url"),
    ("language", "langid"), ("abstract", "abstract"), ("notes", "note"),
)  # fmt: skip
_ENTRY_START = re.compile(r"^\s*@")
_LINE_AT = re.compile(r"\n[^\S\r\n]*@")  # a line break, then a line starting with @
_IO_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_READ_SIZE = 1 << 20
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def split_names(value: str) -> tuple[Person, ...]:
    """BibTeX name list ("A and B") into persons; ``{Institution}`` gives a literal."""
    if "{" not in value and "\\" not in value:
        return tuple(parse_name(n) for n in _AND.split(value.strip()) if n.strip())
    names: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            m = _AND.match(value, i)
            if m and i > start:
                names.append(value[start:i])
                start = i = m.end()
                continue
        i += 1
    names.append(value[start:])
    people = []
    for raw in names:
        raw = raw.strip()
        if not raw:
            continue
        if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1:
            people.append(Person(literal=decode(raw[1:-1]).strip()))
        else:
            people.append(parse_name(decode(raw)))
    return tuple(people)


RawEntry = tuple[str, str, dict[str, str]]  # key, entry type, fields (cheap to pickle)

# bibtexparser's default parse stack, applied only where it changes something: it costs a
# fifth of the parse, and nearly every value is a plain ``{...}`` that needs no more than
# its braces cut.
_RESOLVE = ResolveStringReferencesMiddleware(allow_inplace_modification=True)
_UNENCLOSE = RemoveEnclosingMiddleware(allow_inplace_modification=True)


def _raw(entry: Entry, lib: Any, strings: dict[str, str]) -> RawEntry:
    """Key, type and field values without their enclosing braces or quotes; field names in
    lower case (the last of a name wins), unbraced macro names replaced from ``strings``.
    """
    fields: dict[str, str] = {}
    for f in entry.fields:
        value = f.value
        if (
            value[:1] == "{" and value[-1:] == "}" and value.count("{") == 1
            and value.count("}") == 1 and value[-2:] != "\\}"
        ):  # fmt: skip
            fields[intern(f.key.lower())] = value[1:-1]
        elif value[:1] in ("{", '"'):
            # Quotes, nested braces, concatenations: bibtexparser's own rules decide.
            _UNENCLOSE.transform_entry(entry, lib)
            fields = {intern(f.key.lower()): f.value for f in entry.fields}
            break
        else:
            fields[intern(f.key.lower())] = value.strip()
    if strings:
        # Unbraced macro values (@string) and month abbreviations come back as the bare name.
        for name, value in fields.items():
            if value.lower() in strings:
                fields[name] = strings[value.lower()]
    # Interned names are pickled once per chunk, not once per entry.
    return entry.key, intern(entry.entry_type), fields


_PARAGRAPHS = frozenset(("abstract", "note", "annote"))  # line breaks kept there only
_KEYWORD_SEP = re.compile(r"[;,]")


def _text(fields: dict[str, str], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    out = decode(value).strip()
    if name not in _PARAGRAPHS:
        out = " ".join(out.split())
    return out or None


_LATEX_COMMAND = re.compile(r"\\[A-Za-z`'^\"~=.]")


def _dates(fields: dict[str, str]) -> tuple[int | None, str | None, list[Fix], dict[str, str]]:
    """Year and issued date from ``year``/``date``/``month``, leniently (see normalize)."""
    fixes: list[Fix] = []
    extra: dict[str, str] = {}
    year_text = _text(fields, "year")
    date_text = _text(fields, "date")
    year = issued = None
    if year_text:
        year, more, keep = parse_year(year_text)
        fixes += more
        extra.update(keep)
    if date_text:
        issued, more, keep = parse_date(date_text)
        fixes += more
        extra.update(keep)
        if year is None and issued is not None:
            year = int(issued[:4])
    month_text = _text(fields, "month")
    if issued is None and year is not None:
        if month_text:
            month = parse_month(month_text)
            if month is None:
                fixes.append(
                    Fix("month", month_text, f"month {month_text!r} not understood (kept)")
                )
                extra["original.month"] = month_text
            else:
                issued = f"{year:04d}-{month:02d}"
    return year, issued, fixes, extra


def _entry_to_record(raw: RawEntry) -> tuple[Record, list[Fix]]:
    key, entry_type, fields = raw
    values: dict[str, Any] = {}
    for name, attr in _FIELDS.items():  # the first alias with a value wins
        if name in fields and attr not in values and (value := _text(fields, name)) is not None:
            values[attr] = value
    if "pages" in values:
        values["pages"] = values["pages"].replace("–", "-")
    year, issued, fixes, kept = _dates(fields)
    latex = [k for k in ("title", "author", "editor", "journal", "booktitle")
             if k in fields and _LATEX_COMMAND.search(fields[k])]  # fmt: skip
    if latex:
        fixes.append(Fix(latex[0], fields[latex[0]][:80], "LaTeX decoded in " + ", ".join(latex)))
    keywords: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    if "keywords" in fields:
        words = _KEYWORD_SEP.split(_text(fields, "keywords") or "")
        keywords = tuple(k.strip() for k in words if k.strip())
    if "subject-uri" in fields:
        uris = (_text(fields, "subject-uri") or "").split(";")
        subjects = tuple(Subject(uri=u.strip()) for u in uris if u.strip())
    extra = {f"bibtex.{k}": decode(v) for k, v in fields.items() if k not in _HANDLED}
    extra.update(kept)
    record = Record(
        id=key,
        type=FROM_BIBTEX.get(entry_type.lower(), RecordType.other),
        title=_text(fields, "title") or "",
        authors=split_names(fields["author"]) if "author" in fields else (),
        editors=split_names(fields["editor"]) if "editor" in fields else (),
        year=year,
        issued=issued,
        keywords=keywords,
        subjects=subjects,
        extra=extra,
        **values,
    )
    return record, fixes


def _chunks(fh: IO[str], name: str = "<stream>") -> Iterator[tuple[int, str]]:
    """Blocks of about CHUNK entries, cut before a line starting with ``@``; (first line, text).

    The file is read in big pieces searched by one regex: a loop over its lines cost a tenth
    of an import's main process. An entry longer than MAX_RECORD_CHARS is refused before
    more of it is read.
    """
    parts: list[str] = []
    first = line = 1
    entries = 0
    tail = ""
    offset = 0  # characters of the file before ``text``
    last: tuple[int, str, int, int, bool] = (0, "", 0, 1, False)  # offset, text, pos, line, cr

    def refuse(at: tuple[int, str, int, int, bool], size: int) -> None:
        _, where_text, pos, base, where_cr = at
        entry_line = base + _line_breaks(where_text, 0, pos, where_cr)
        raise InputDataError(
            too_long("the entry", size, MAX_RECORD_CHARS), path=name, line=entry_line
        )

    while True:
        data = fh.read(_READ_SIZE)
        text = tail + data
        if data:  # whole lines only; the rest waits for the next piece
            end = text.rfind("\n") + 1
            text, tail = text[:end], text[end:]
        cr = "\r" in text
        start = counted = 0  # line is the number of the line at offset counted
        piece_line = line
        for pos in _entry_starts(text, cr):
            if offset + pos - last[0] > MAX_RECORD_CHARS:
                refuse(last, offset + pos - last[0])
            last = (offset + pos, text, pos, piece_line, cr)
            if entries >= CHUNK:
                line += _line_breaks(text, counted, pos, cr)
                counted = pos
                parts.append(text[start:pos])
                yield first, "".join(parts)
                parts, first, entries, start = [], line, 0, pos
            entries += 1
        if offset + len(text) + len(tail) - last[0] > MAX_RECORD_CHARS:
            refuse(last, offset + len(text) + len(tail) - last[0])
        parts.append(text[start:])
        line += _line_breaks(text, counted, len(text), cr)
        offset += len(text)
        if not data:
            break
    if any(parts):
        yield first, "".join(parts)


def _entry_starts(text: str, cr: bool) -> Iterator[int]:
    """Offsets of the lines of ``text`` that start with ``@`` (``text`` starts a line)."""
    if not cr or text.count("\r") == text.count("\r\n"):
        for m in _LINE_AT.finditer("\n" + text):  # m.start() is the line's offset in text
            yield m.start()
        return
    # Lone CR line breaks (old Mac files): line by line, as file iteration splits them.
    pos = 0
    for row in _IO_LINE.findall(text):
        if _ENTRY_START.match(row):
            yield pos
        pos += len(row)


def _line_breaks(text: str, start: int, end: int, cr: bool) -> int:
    """Line breaks in ``text[start:end]`` as file iteration counts them: LF, CRLF, lone CR."""
    n = text.count("\n", start, end)
    return n + text.count("\r", start, end) - text.count("\r\n", start, end) if cr else n


# (line, raw entry, or the reason it failed); records are made by the caller so that the
# worker processes only run bibtexparser.
Parsed = list[tuple[int, RawEntry | None, str | None]]
_STRING_DEF = re.compile(r"^\s*@string\b", re.IGNORECASE | re.MULTILINE)
_STRING_HINT = re.compile(r"@string\b", re.IGNORECASE)  # 10x faster; _STRING_DEF confirms
POOL_MIN_CHUNKS = 2  # a file of more chunks than this is parsed by worker processes


def _parse_chunk(first: int, text: str, strings: dict[str, str]) -> tuple[Parsed, dict[str, str]]:
    """Parse one chunk (also in a worker process): its entries and the @string macros it adds."""
    lib = parse_string(text, parse_stack=[])
    added: dict[str, str] = {}
    if lib.strings:  # without @string blocks the resolving step changes nothing
        lib = _RESOLVE.transform(lib)
        for s in lib.strings:
            _UNENCLOSE.transform_string(s, lib)
            added[s.key.lower()] = str(s.value)
    known = {**strings, **added}
    out: Parsed = []
    for block in lib.blocks:  # in file order
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            # A key seen before in the file: the import matches it to the first one (fills
            # its empty fields, reports conflicts), as it does for duplicates across chunks.
            block = block.ignore_error_block
        if isinstance(block, Entry):
            line = first + (block.start_line or 0)
            try:
                out.append((line, _raw(block, lib, known), None))
            except (ValueError, TypeError) as exc:
                out.append((line, None, str(exc)))
        elif isinstance(block, ParsingFailedBlock):
            out.append((first + (block.start_line or 0), None, _failure_reason(block)))
    return out, added


def _parsed_chunks(chunks: Iterator[tuple[int, str]], workers: int) -> Iterator[Parsed]:
    """Parsed chunks in file order; bibtexparser is the slow part of an import, so big files
    are parsed by ``workers`` processes while the caller validates and stores.
    """
    strings: dict[str, str] = {}
    head = []
    for chunk in chunks:
        head.append(chunk)
        if len(head) > POOL_MIN_CHUNKS:
            break
    if workers < 1 or len(head) <= POOL_MIN_CHUNKS:
        for first, text in [*head, *chunks]:
            parsed, added = _parse_chunk(first, text, strings)
            strings.update(added)
            yield parsed
        return
    import multiprocessing
    import os
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from itertools import chain

    # spawn, not fork: the caller holds an open SQLite connection.
    context = multiprocessing.get_context("spawn")
    pending: deque[Future[tuple[Parsed, dict[str, str]]] | Parsed] = deque()
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_setup,
        initargs=(os.getpid(),),
    ) as pool:
        for first, text in chain(head, chunks):
            if _STRING_HINT.search(text) and _STRING_DEF.search(text):
                # Macros defined here apply to later chunks only: parse it now, in order.
                parsed, added = _parse_chunk(first, text, strings)
                strings.update(added)
                pending.append(parsed)
            else:
                pending.append(pool.submit(_parse_chunk, first, text, dict(strings)))
            while len(pending) > workers * 2:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _worker_setup(parent: int | None = None) -> None:
    # A chunk's parse objects all live until the chunk is done: at the default threshold
    # (700) the collector walks them over and over, 5% of the parse.
    gc.set_threshold(50_000, 10, 10)
    if parent is not None:
        die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies, even by kill -9 (which runs no
    clean-up): Linux delivers SIGKILL on the parent's death; elsewhere a thread watches.
    """
    import os
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before prctl took effect, and other systems need a watcher.
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="socsec-parent-watch").start()


def _result(item: Any) -> Parsed:
    from concurrent.futures import Future

    if isinstance(item, Future):
        parsed: Parsed = item.result()[0]
        return parsed
    return item  # type: ignore[no-any-return]


def _parse(fh: IO[str], name: str, bad: ErrorSink, workers: int | None = None) -> Iterator[Located]:
    """Stream the entries of a BibTeX file (``read_located``: :func:`reader` opens the source).

    Args:
        fh: the open text.
        name: the file name, for messages.
        bad: takes each entry that cannot be read (it raises unless the caller collects them).
        workers: parser processes for big files (default: CPUs - 1, at most 3; 0 parses in
            this process).

    Raises:
        InputDataError: an entry cannot be parsed (e.g. truncated), with its line.
    """
    import os

    if workers is None:
        workers = min(3, (os.cpu_count() or 1) - 1)
    number = 0
    skipped: list[Fix] = []  # biblatex containers, reported with the next record
    try:
        for parsed in _parsed_chunks(_chunks(fh, name), workers):
            for line, raw, reason in parsed:
                number += 1
                record = None
                if raw is not None and raw[1].lower() in CONTAINERS:
                    message = f"@{raw[1]}{{{raw[0]}}} at line {line} skipped: not a work"
                    skipped.append(Fix("(entry)", raw[0], message))
                    continue
                if raw is not None:
                    try:
                        record, fixes = _entry_to_record(raw)
                    except (ValueError, TypeError) as exc:
                        reason = str(exc)
                if record is not None:
                    yield Located(record, number, line, (*skipped, *fixes))
                    skipped = []
                    continue
                error = InputDataError(f"entry {number}: {reason}", path=name, line=line)
                bad(error)
    except UnicodeDecodeError as exc:
        raise InputDataError(f"not UTF-8 text ({exc.reason})", path=name) from None


def _failure_reason(block: Any) -> str:
    error = getattr(block, "error", None)
    message = str(getattr(error, "abort_reason", "") or error or "").strip()
    message = message.splitlines()[-1] if message else "cannot parse the entry"
    raw = str(getattr(block, "raw", "")).strip().splitlines()
    head = raw[0][:60] if raw else ""
    return f"{message} (in: {head})" if head else message


read_located, read = reader(_parse, "BibTeX")


def _names(people: tuple[Person, ...]) -> str:
    parts = []
    for p in people:
        if p.literal:
            parts.append("{" + encode(p.literal) + "}")
        else:
            parts.append(", ".join(encode(x) for x in (p.family, p.given) if x))
    return " and ".join(parts)


def _write(records: Iterable[Record], stream: IO[str], label: Callable[[str], str]) -> None:
    """Write BibLaTeX-flavoured BibTeX (UTF-8); returns the number of entries written."""
    for record in records:
        fields: list[tuple[str, str]] = [("title", encode(record.title))]
        if record.authors:
            fields.append(("author", _names(record.authors)))
        if record.editors:
            fields.append(("editor", _names(record.editors)))
        if record.year is not None:
            fields.append(("year", str(record.year)))
        if record.issued and len(record.issued) > 4:
            fields.append(("date", record.issued))
        for attr, key in _WRITE:
            value = getattr(record, attr)
            if value:
                if key == "journal" and record.type in (
                    RecordType.chapter,
                    RecordType.paper_conference,
                ):
                    key = "booktitle"
                elif key == "journal" and record.type is not RecordType.article:
                    key = "series"
                fields.append((key, value if key in ("url", "doi") else encode(value)))
        if record.keywords:
            fields.append(("keywords", encode(", ".join(record.keywords))))
        if record.subjects:
            fields.append(
                (
                    "subject",
                    encode(" ; ".join(label(s.uri) for s in record.subjects)),
                )
            )
            fields.append(("subject-uri", " ; ".join(s.uri for s in record.subjects)))
        for key, value in record.extra.items():
            if key.startswith("bibtex."):
                fields.append((key[7:], encode(value)))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        stream.write(f"@{TO_BIBTEX[record.type]}{{{record.id},\n{body}\n}}\n\n")


write = writer(_write)
