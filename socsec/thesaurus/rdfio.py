"""Parse and serialize RDF files with Oxigraph (fast, and it never resolves XML entities).

Oxigraph reads RDF 1.1 terms: it writes ``"x"^^xsd:string`` as ``"x"`` and language tags in
lower case ("fr-CA" -> "fr-ca"). Both are the same RDF 1.1 term, but rdflib (and so
``rdflib.compare``) tells them apart. To keep the round trip exact, :func:`literal_originals`
finds such literals (with rdflib, only in files that have them) so the store can keep them
as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from socsec.errors import InputDataError

if TYPE_CHECKING:
    from rdflib import Graph, Literal


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
_RDFLIB_FORMATS = {
    RdfFormat.ttl: "turtle",
    RdfFormat.xml: "xml",
    RdfFormat.nt: "nt",
    RdfFormat.jsonld: "json-ld",
}
# Cheap tests on the raw bytes: an explicit xsd:string, or a language tag with capitals.
_XSD_STRING = re.compile(rb"XMLSchema#string|:string\b")
_CAPITAL_TAG = re.compile(
    rb"@[A-Za-z0-9-]*[A-Z]|xml:lang=\"[^\"]*[A-Z]|\"@language\"\s*:\s*\"[^\"]*[A-Z]"
)


def _needs_second_look(data: bytes) -> bool:
    if b"string" in data and _XSD_STRING.search(data):
        return True
    return any(
        m.group(0)[:1] != b"@" or data[m.start() - 1 : m.start()] in (b'"', b"'")
        for m in _CAPITAL_TAG.finditer(data)
    )


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
        raise InputDataError(
            "XML entity declarations and external references are not allowed "
            f"(refused for safety: {type(exc).__name__})",
            path=path,
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
        raise InputDataError(
            f"{fmt.value} syntax error: {message}", path=path, line=line, column=column
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


_DIRECTIVE = re.compile(rb"^[ \t]*(?:@prefix|@base|PREFIX|BASE)\b.*$", re.MULTILINE | re.IGNORECASE)


def _candidate_statements(data: bytes, fmt: RdfFormat) -> bytes | None:
    """For Turtle/N-Triples: the directives plus only the blocks that need a second look."""
    if fmt is RdfFormat.nt:
        return b"\n".join(line for line in data.splitlines() if _needs_second_look(line))
    if fmt is not RdfFormat.ttl:
        return None
    # Serializers separate subjects by blank lines; a wrong split fails to parse or is caught
    # by the check in literal_originals, and then the whole file is read instead.
    blocks = [b for b in re.split(rb"\n[ \t]*\n", data) if _needs_second_look(b)]
    return b"\n".join(_DIRECTIVE.findall(data)) + b"\n" + b"\n\n".join(blocks) + b"\n"


def literal_originals(
    path: Path, fmt: RdfFormat, triples: list[ox.Triple], *, base: str | None = None
) -> dict[ox.Triple, str]:
    """Triples whose literal Oxigraph normalises, mapped to their Turtle form as written.

    Only files that contain an explicit ``xsd:string`` or a capitalised language tag get a
    second reading, with rdflib, of just the statements concerned (of the whole file when
    they cannot be cut out safely). Triples with a blank-node subject stay normalised.
    Call after :func:`parse_file` succeeded (XML already checked for entities).
    """
    data = path.read_bytes()
    if not _needs_second_look(data):
        return {}
    from rdflib import Graph

    known = set(triples)
    public = base_iri(path, fmt, base)
    part = _candidate_statements(data, fmt)
    if part is not None:
        try:
            found = _originals(
                Graph().parse(data=part, format=_RDFLIB_FORMATS[fmt], publicID=public)
            )
        except Exception:  # any failure means: read the whole file
            found = None
        if found is not None and all(t in known for t in found):
            return found
    return _originals(Graph().parse(path, format=_RDFLIB_FORMATS[fmt], publicID=public))


def _nt_literal(o: Literal) -> str:
    """A literal in N-Triples syntax (also valid Turtle), datatype and tag exactly as parsed."""
    text = str(o).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    text = text.replace("\r", "\\r")
    if o.language:
        return f'"{text}"@{o.language}'
    return f'"{text}"^^<{o.datatype}>' if o.datatype else f'"{text}"'


def _originals(graph: Graph) -> dict[ox.Triple, str]:
    from rdflib import XSD, BNode, Literal

    out: dict[ox.Triple, str] = {}
    for s, p, o in graph:
        if not isinstance(o, Literal) or isinstance(s, BNode):
            continue
        if o.datatype == XSD.string or (o.language and o.language != o.language.lower()):
            text = f"<{s}> <{p}> {_nt_literal(o)} .\n"
            (triple,) = parse_bytes(text.encode("utf-8"), RdfFormat.ttl)
            out[triple] = text
    return out


def serialize_with_originals(
    triples: list[ox.Triple], originals: list[str], fmt: RdfFormat, prefixes: dict[str, str]
) -> bytes:
    """Like :func:`serialize`, but the ``originals`` (N-Triples statements) replace their
    normalised twins in ``triples``. Turtle and N-Triples get them appended verbatim; RDF/XML
    and JSON-LD are written by rdflib (slower, and only when needed)."""
    from rdflib import Graph

    block = "".join(originals).encode("utf-8")
    normalised = set(parse_bytes(block, RdfFormat.ttl))
    plain = [t for t in triples if t not in normalised]
    if fmt in (RdfFormat.ttl, RdfFormat.nt):
        return serialize(plain, fmt, prefixes) + b"\n" + block
    graph = Graph()
    for name, iri in sorted(prefixes.items()):
        graph.bind(name, iri, override=True)
    graph.parse(data=serialize(plain, RdfFormat.nt), format="nt")
    graph.parse(data=block, format="turtle")
    data = graph.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
