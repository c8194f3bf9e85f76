"""Parse and serialize RDF files with Oxigraph, socsec's one RDF stack (docs/decisions/0001).

Oxigraph reads RDF 1.1 terms: it writes ``"x"^^xsd:string`` as ``"x"`` and language tags in
lower case ("fr-CA" -> "fr-ca"). RDF 1.1 defines both pairs as the same term (simple literals
are xsd:string; language tags compare case-insensitively), so round trips are lossless as
RDF 1.1 defines it; only the spelling of those two forms changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from socsec.errors import InputDataError


class RdfFormat(StrEnum):
    """The RDF serialisations socsec reads and writes (CLI names)."""

    ttl = "ttl"
    xml = "xml"
    nt = "nt"
    jsonld = "jsonld"


_OX_FORMATS = {
    RdfFormat.ttl: ox.RdfFormat.TURTLE,
    RdfFormat.xml: ox.RdfFormat.RDF_XML,
    RdfFormat.nt: ox.RdfFormat.N_TRIPLES,
    RdfFormat.jsonld: ox.RdfFormat.JSON_LD,
}
_EXTENSIONS = {
    ".ttl": RdfFormat.ttl,
    ".turtle": RdfFormat.ttl,
    ".rdf": RdfFormat.xml,
    ".xml": RdfFormat.xml,
    ".owl": RdfFormat.xml,
    ".nt": RdfFormat.nt,
    ".ntriples": RdfFormat.nt,
    ".jsonld": RdfFormat.jsonld,
    ".json": RdfFormat.jsonld,
}
_POSITION = re.compile(r"line (\d+)(?:,? (?:between )?columns? (\d+))?")


def guess_format(path: Path, given: str | None = None) -> RdfFormat:
    """The format named by ``given``, else the one the file extension implies.

    Raises:
        InputDataError: unknown format name or extension.
    """
    names = ", ".join(f.value for f in RdfFormat)
    if given:
        try:
            return RdfFormat(given.lower().lstrip("."))
        except ValueError:
            raise InputDataError(f"unknown RDF format {given!r} (choose from: {names})") from None
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputDataError(
            f"cannot tell the RDF format from the extension {path.suffix!r}",
            path=path,
            hint=f"pass --format ({names})",
        )
    return fmt


def _check_xml(path: Path) -> None:
    """Refuse DTD entities (XXE, billion laughs) and report XML syntax errors with a position."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml import ElementTree as SafeET

    try:
        SafeET.parse(path, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        line, column = _position_of(path, b"<!ENTITY")
        raise InputDataError(
            "XML entity declarations and external references are not allowed "
            f"(refused for safety: {type(exc).__name__})",
            path=path,
            line=line,
            column=column,
            hint="replace each &entity; by its value (e.g. with xmllint --noent) and import again",
        ) from None
    except SafeET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise InputDataError(
            f"malformed XML: {reason}", path=path, line=line, column=column + 1
        ) from None


def base_iri(path: Path, fmt: RdfFormat, base: str | None = None) -> str | None:
    """The IRI relative IRIs of a file resolve against: ``base``, else the file's own URI.

    As RDF/XML, Turtle and JSON-LD specify (the document's retrieval URI, unless the document
    sets one itself with xml:base, @base or @base). N-Triples has absolute IRIs only: None.

    Raises:
        InputDataError: ``base`` is not an absolute IRI.
    """
    if fmt is RdfFormat.nt:
        return None
    if base is None:
        return path.resolve().as_uri()
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        raise InputDataError(f"--base {base!r} is not an absolute IRI: {exc}") from None
    return base


def invalid_iris(triples: Iterable[ox.Triple]) -> dict[str, int]:
    """IRIs that RDF does not allow (e.g. with spaces), read by a lenient parse, with counts."""
    return invalid_iri_counts(
        node.value
        for t in triples
        for node in (t.subject, t.predicate, t.object)
        if isinstance(node, ox.NamedNode)
    )


def invalid_iri_counts(values: Iterable[str]) -> dict[str, int]:
    """The values that are not valid absolute IRIs, with how often each occurs."""
    seen: dict[str, bool] = {}
    out: dict[str, int] = {}
    for value in values:
        if value not in seen:
            try:
                ox.NamedNode(value)
                seen[value] = True
            except ValueError:
                seen[value] = False
        if not seen[value]:
            out[value] = out.get(value, 0) + 1
    return out


# Limits on what an RDF file may hold (documented in the README, "Limits"). The largest real
# vocabularies socsec is used with are ~3.5 MB (EuroVoc, UNESCO, STW); a 50 MB Turtle file
# needs ~2 GB of memory to import, and one 32 MB literal overflows the parser.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_LITERAL_CHARS = 1024 * 1024
_SCAN_CHUNK = 1024 * 1024


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line number of byte ``offset`` (read in chunks)."""
    line, done = 1, 0
    with path.open("rb") as fh:
        while done < offset and (chunk := fh.read(min(_SCAN_CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _position_of(path: Path, *needles: bytes) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the first needle found in the file, else (None, None)."""
    for needle in needles:
        offset = _find(path, needle) if needle else -1
        if offset < 0:
            continue
        with path.open("rb") as fh:
            start = max(0, offset - _SCAN_CHUNK)
            fh.seek(start)
            before = fh.read(offset - start)
        newline = before.rfind(b"\n")
        if newline >= 0:
            column: int | None = len(before) - newline
        else:
            column = offset + 1 if start == 0 else None  # the line is longer than we read
        return _line_at(path, offset), column
    return None, None


_QUOTED = re.compile(r"'([^']+)'")


def _named_in(message: str) -> list[bytes]:
    """What a positionless parser message points at, most specific first.

    The quoted fragments (an IRI, a stray text), then the key a JSON-LD context error is about.
    """
    needles = [m.group(1).encode("utf-8") for m in _QUOTED.finditer(message)]
    if "context" in message.lower():
        needles.append(b'"@context"')
    return needles


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputDataError(
            f"the file is {size / 2**20:.1f} MiB; RDF files are read up to "
            f"{MAX_FILE_BYTES >> 20} MiB (the limit is reached here)",
            path=path,
            line=_line_at(path, MAX_FILE_BYTES),
            hint="split the vocabulary by scheme and import the parts",
        )


def _literal_too_long(path: Path, value: str | None) -> InputDataError:
    """The error for a literal over the limit, with the line where it starts when found."""
    line = None
    if value is not None:
        offset = _find(path, value[:64].encode("utf-8"))
        line = _line_at(path, offset) if offset >= 0 else None
    else:  # the parser gave up inside it: the first long stretch with no quote or bracket
        offset = _long_run(path)
        line = _line_at(path, offset) if offset >= 0 else None
    return InputDataError(
        f"a literal is longer than {MAX_LITERAL_CHARS >> 20} MiB characters, the limit for one "
        "label or note",
        path=path,
        line=line,
    )


def _find(path: Path, needle: bytes) -> int:
    """Byte offset of the first ``needle`` in the file (-1 if absent), read in chunks."""
    done, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            data = tail + chunk
            at = data.find(needle)
            if at >= 0:
                return done - len(tail) + at
            tail = data[-len(needle) :]
            done += len(chunk)
    return -1


def _long_run(path: Path) -> int:
    """Offset of the first run of ``MAX_LITERAL_CHARS`` bytes without ``"'<>``."""
    start, done = 0, 0
    stops = re.compile(rb"[\"'<>]")
    with path.open("rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            for m in stops.finditer(chunk):
                start = done + m.end()
            done += len(chunk)
            if done - start > MAX_LITERAL_CHARS:
                return start
    return -1


def parse_file(
    path: Path, fmt: RdfFormat, *, base: str | None = None, lenient: bool = False
) -> tuple[list[ox.Triple], dict[str, str]]:
    """All triples of an RDF file, and the prefixes it declares.

    Args:
        path: the file.
        fmt: its format.
        base: the IRI relative IRIs resolve against (default: the file's URI; see
            :func:`base_iri`).
        lenient: accept invalid IRIs (``thesaurus check`` reports them as findings).

    Raises:
        InputDataError: unreadable file or syntax error (with line and column when known),
            named graphs, or XML entity declarations.
    """
    if not path.is_file():
        raise InputDataError("no such file", path=path)
    _check_size(path)
    if fmt is RdfFormat.xml:
        _check_xml(path)
    try:
        parser = ox.parse(
            path=str(path),
            format=_OX_FORMATS[fmt],
            base_iri=base_iri(path, fmt, base),
            lenient=lenient,
        )
        quads = []
        for quad in parser:
            obj = quad.object
            if isinstance(obj, ox.Literal) and len(obj.value) > MAX_LITERAL_CHARS:
                raise _literal_too_long(path, obj.value)
            quads.append(quad)
        prefixes = dict(parser.prefixes) if fmt in (RdfFormat.ttl, RdfFormat.xml) else {}
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        message = exc.msg or str(exc)
        if line is None and (m := _POSITION.search(message)):
            line, column = int(m.group(1)), int(m.group(2)) if m.group(2) else None
        if line is None:  # RDF/XML and JSON-LD errors carry no position: find what they name
            line, column = _position_of(path, *_named_in(message))
        hint = None
        if "remote context" in message:
            hint = "socsec never fetches remote contexts: put the context inline and import again"
        raise InputDataError(
            f"{fmt.value} syntax error: {message}", path=path, line=line, column=column, hint=hint
        ) from None
    except MemoryError:  # Oxigraph's token buffer (16 MiB) overflowed: one huge literal
        raise _literal_too_long(path, None) from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot read {fmt.value}: {exc}", path=path) from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise InputDataError("named graphs are not supported in a thesaurus file", path=path)
    return [q.triple for q in quads], prefixes


def parse_bytes(data: bytes, fmt: RdfFormat) -> list[ox.Triple]:
    """Triples of an in-memory document written by socsec itself (store files)."""
    return [q.triple for q in ox.parse(data, format=_OX_FORMATS[fmt])]


def _key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


def serialize(
    triples: Iterable[ox.Triple], fmt: RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples in a stable order (diff-friendly), as ``fmt`` bytes."""
    ordered = sorted(triples, key=_key)
    names = None if fmt is RdfFormat.nt else dict(sorted((prefixes or {}).items()))
    data = ox.serialize(ordered, format=_OX_FORMATS[fmt], prefixes=names)
    assert data is not None  # no output file given: bytes are returned
    return data
