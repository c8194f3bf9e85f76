"""Bibliographic file formats, one module per format, and the registry that picks one.

Each module has ``NAME``, ``EXTENSIONS``, ``LOST_FIELDS`` (Record fields the format cannot
carry; they are dropped on export and listed rather than lost silently), ``read_located``,
``read`` and (except read-only formats) ``write``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Protocol

from socsec.bibliography.limits import MAX_DECOMPRESSED_BYTES, MAX_RATIO, RATIO_FLOOR
from socsec.bibliography.model import Record
from socsec.bibliography.store import Located
from socsec.errors import InputDataError, NotFoundError

Source = Path | str | IO[str]
ErrorSink = Callable[[InputDataError], None]
# Fields that only the store keeps: no exchange format carries them (listed in LOST_FIELDS).
STORE_ONLY_FIELDS: dict[str, str] = {
    "aliases": "ids merged into the record live in the store only",
    "created": "store timestamp",
    "modified": "store timestamp",
}

_MODULES = {
    "bibtex": "socsec.bibliography.formats.bibtex",
    "ris": "socsec.bibliography.formats.ris",
    "csljson": "socsec.bibliography.formats.csljson",
    "marcxml": "socsec.bibliography.formats.marcxml",
    "csv": "socsec.bibliography.formats.csv",
    "eurlex-jsonl": "socsec.bibliography.formats.eurlex",
}
_EXTENSIONS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".json": "csljson",
    ".csljson": "csljson",
    ".xml": "marcxml",
    ".marcxml": "marcxml",
    ".mrcx": "marcxml",
    ".csv": "csv",
    ".jsonl": "eurlex-jsonl",
}
FORMAT_NAMES: tuple[str, ...] = tuple(_MODULES)
WRITABLE: tuple[str, ...] = ("bibtex", "ris", "csljson", "marcxml", "csv")


# Formats that say who assigned each subject; the others are given automatic subjects (the
# suggestion model's, unreviewed) only when asked, so a reference manager's keywords stay
# a librarian's.
WITH_PROVENANCE: frozenset[str] = frozenset({"csljson", "csv"})


def exportable(records: Iterable[Record], fmt: str, *, automatic: bool) -> Iterable[Record]:
    """``records`` as format ``fmt`` exports them: without automatic subjects, unless
    ``automatic`` is true or the format records provenance (CSL-JSON, CSV).
    """
    if automatic or fmt in WITH_PROVENANCE:
        return records
    return (_without_automatic(r) for r in records)


def _without_automatic(record: Record) -> Record:
    if all(s.curated for s in record.subjects):
        return record
    import dataclasses

    return dataclasses.replace(record, subjects=tuple(s for s in record.subjects if s.curated))


class LabelSource(Protocol):
    """What exports need from the thesaurus to print subject labels (``ThesaurusCache``)."""

    def pref_label(self, uri: str, lang: str) -> str:
        """The preferred label of a concept in a language, with fallback."""
        ...


def subject_label(uri: str, lang: str, labels: LabelSource | None) -> str:
    """A concept's label in ``lang``; its URI when there is no thesaurus or it is unknown."""
    if labels is None:
        return uri
    try:
        return labels.pref_label(uri, lang)
    except Exception:  # an unknown concept exports as its URI rather than failing the export
        return uri


def get_format(name: str) -> ModuleType:
    """The module of a format by name.

    Raises:
        NotFoundError: unknown name (the known ones are suggested).
    """
    import importlib

    key = name.lower().replace("_", "-")
    key = {"bib": "bibtex", "biblatex": "bibtex", "csl-json": "csljson", "json": "csljson",
           "marc": "marcxml", "eurlex": "eurlex-jsonl"}.get(key, key)  # fmt: skip
    if key not in _MODULES:
        raise NotFoundError(f"unknown format {name!r}", suggestions=list(_MODULES))
    return importlib.import_module(_MODULES[key])


def guess_format(path: Path | str) -> str:
    """The format name for a file name's extension (``.gz`` is looked through).

    Raises:
        InputDataError: the extension is not known; the user should pass ``--format``.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".gz":
        suffix = Path(p.stem).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InputDataError(
            f"cannot tell the format from the extension {suffix or '(none)'!r}",
            path=p,
            hint="pass --format, one of " + ", ".join(_MODULES),
        )
    return _EXTENSIONS[suffix]


def source_name(source: Source) -> str:
    """The file name of a source, or ``<stream>``."""
    if isinstance(source, (str, Path)):
        return str(source)
    return str(getattr(source, "name", "<stream>"))


@contextmanager
def open_text(source: Source) -> Iterator[IO[str]]:
    """A text stream for a path (``-`` is stdin, ``.gz`` is decompressed) or the stream itself."""
    if isinstance(source, (str, Path)):
        if str(source) == "-":
            yield sys.stdin
            return
        path = Path(source)
        try:
            if path.suffix == ".gz":
                with path.open("rb") as raw, _gunzip(raw, path) as fh:
                    yield fh
            else:
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    yield fh
        except FileNotFoundError:
            raise NotFoundError(f"file not found: {path}") from None
        except UnicodeDecodeError as exc:
            raise InputDataError(f"not UTF-8 text ({exc.reason})", path=path) from None
    else:
        yield source


class _LimitedGunzip(io.RawIOBase):
    """A .gz stream that refuses to expand beyond the size and ratio limits (a "zip bomb"),
    checked as it is read.
    """

    def __init__(self, raw: IO[bytes], path: Path) -> None:
        import gzip

        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._path = path
        self.out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        import zlib

        try:
            n = self._gz.readinto(buffer)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputDataError(
                f"corrupt gzip data after {self.out:,} bytes ({exc})", path=self._path
            ) from None
        self.out += n
        packed = max(1, self._raw.tell())
        if self.out > MAX_DECOMPRESSED_BYTES or (
            self.out > RATIO_FLOOR and self.out > MAX_RATIO * packed
        ):
            raise InputDataError(
                f"refused: {packed:,} compressed bytes expand to more than {self.out:,} "
                f"(limits: {MAX_DECOMPRESSED_BYTES:,} bytes, ratio {MAX_RATIO})",
                path=self._path,
            )
        return n


@contextmanager
def _gunzip(raw: IO[bytes], path: Path) -> Iterator[IO[str]]:
    stream = io.TextIOWrapper(
        io.BufferedReader(_LimitedGunzip(raw, path)), encoding="utf-8-sig", newline=""
    )
    try:
        yield stream
    finally:
        stream.detach()


# Exceptions parsers raise on malformed input; :func:`guarded` turns them into InputDataError.
PARSER_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, UnicodeError,
    EOFError, OSError, LookupError, ArithmeticError,
)  # fmt: skip


def guarded(located: Iterable[Located], name: str) -> Iterator[Located]:
    """The records of a reader, with any parser exception made one InputDataError that names
    the file and the position after the last good record (nothing escapes as a traceback).
    """
    last: Located | None = None
    try:
        # The reader runs only inside this loop's next(): its exceptions alone are caught.
        for item in located:
            yield item
            last = item
    except InputDataError:
        raise
    except (*PARSER_ERRORS, *_library_errors()) as exc:
        if isinstance(exc, FileNotFoundError):
            raise NotFoundError(f"file not found: {name}") from None
        where = "at the start" if last is None else f"after record {last.number}"
        line = None if last is None else last.line
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise InputDataError(
            f"cannot parse the file {where}: {type(exc).__name__}"
            + (f": {message}" if message else ""),
            path=name,
            line=line,
        ) from None


def _library_errors() -> tuple[type[BaseException], ...]:
    import csv
    import xml.sax

    errors: list[type[BaseException]] = [csv.Error, xml.sax.SAXException]
    try:
        from pymarc.exceptions import PymarcException

        errors.append(PymarcException)
    except ImportError:  # pragma: no cover - pymarc is a dependency
        pass
    return tuple(errors)


def records_only(located: Iterable[Located]) -> Iterator[Record]:
    """Drop positions."""
    for item in located:
        yield item.record


Parse = Callable[..., Iterator[Located]]


def reader(
    parse: Parse, what: str
) -> tuple[Callable[..., Iterator[Located]], Callable[..., Iterator[Record]]]:
    """A format's ``read_located`` and ``read``, from its ``parse``.

    Every format's reader opens the source (a path, ``-`` for stdin, ``.gz`` decompressed,
    or a stream), names it for messages and, for a record it cannot read, either raises or
    hands the error to ``on_error``: that is done here once. ``parse(fh, name, bad,
    **options)`` reads the open text stream and calls ``bad(error)`` for each bad record;
    the options (e.g. BibTeX's ``workers``) pass through.

    Args:
        parse: the format's parser; its docstring becomes ``read_located``'s.
        what: the format's name in ``read``'s docstring ("Records of a <what> file or stream.").
    """

    def read_located(
        source: Source, *, on_error: ErrorSink | None = None, **options: Any
    ) -> Iterator[Located]:
        with open_text(source) as fh:
            yield from parse(
                fh, source_name(source), _raise if on_error is None else on_error, **options
            )

    def read(source: Source, *, on_error: ErrorSink | None = None) -> Iterator[Record]:
        return records_only(read_located(source, on_error=on_error))

    read_located.__doc__ = parse.__doc__
    read.__doc__ = f"Records of a {what} file or stream."
    return read_located, read


def _raise(error: InputDataError) -> None:
    """What becomes of a bad record when the caller does not collect them."""
    raise error from None


WriteBody = Callable[[Iterable[Record], IO[str], Callable[[str], str]], None]


def writer(body: WriteBody) -> Callable[..., int]:
    """A format's ``write``: the options, the subject labels and the count are the same for
    every format; ``body`` (records, stream, the label of a subject URI) writes what is
    particular to one.
    """

    def write(
        records: Iterable[Record],
        stream: IO[str],
        *,
        subject_lang: str = "en",
        labels: LabelSource | None = None,
    ) -> int:
        counted = _Counted(records)
        body(counted, stream, lambda uri: subject_label(uri, subject_lang, labels))
        return counted.count

    write.__doc__ = body.__doc__
    return write


class _Counted:
    """The records, counting those handed out."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._records = records
        self.count = 0

    def __iter__(self) -> Iterator[Record]:
        for record in self._records:
            self.count += 1
            yield record


def read_text(source: Source) -> str:
    """The whole text of a source."""
    with open_text(source) as fh:
        try:
            return fh.read()
        except UnicodeDecodeError as exc:
            raise InputDataError(
                f"not UTF-8 text ({exc.reason})", path=source_name(source)
            ) from None


def to_string(write: Callable[..., None], records: Iterable[Record], **kwargs: object) -> str:
    """Run a format's ``write`` into a string (for tests and small exports)."""
    buf = io.StringIO()
    write(records, buf, **kwargs)
    return buf.getvalue()
