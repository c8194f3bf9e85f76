"""The process that evaluates SPARQL queries over the thesaurus (run by socsec.thesaurus.sparql).

It loads the thesaurus of record into an in-memory Oxigraph store, then answers one query
per request frame on stdin with a header frame and a body frame on stdout. It runs apart
from the server so that a query past the time limit can be stopped by ending the process,
and under a memory cap so that one query cannot exhaust the machine. It never writes: the
store only ever receives SELECT/ASK/CONSTRUCT/DESCRIBE queries.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import IO, Any, cast

FRAME_LENGTH = struct.Struct(">I")
MEMORY_CAP = 3 * 1024**3  # bytes of address space for the worker


class TooLarge(OSError):
    """The serialised result went past the byte limit (an OSError: writers raise those)."""


class _Capped:
    """A binary writer that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing buffered here."""


def write_frame(out: IO[bytes], data: bytes) -> None:
    """One length-prefixed frame."""
    out.write(FRAME_LENGTH.pack(len(data)) + data)
    out.flush()


def read_frame(inp: IO[bytes]) -> bytes | None:
    """One length-prefixed frame; None at end of input."""
    head = inp.read(FRAME_LENGTH.size)
    if len(head) < FRAME_LENGTH.size:
        return None
    (size,) = FRAME_LENGTH.unpack(head)
    return inp.read(size)


def _answer(store: Any, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    import pyoxigraph as ox

    try:
        result = store.query(request["query"])
    except SyntaxError as exc:
        return {"status": "error", "kind": "syntax", "message": str(exc)}, b""
    sink = _Capped(int(request["max_bytes"]))
    output = cast("IO[bytes]", sink)
    try:
        if isinstance(result, ox.QueryTriples):
            rdf = ox.RdfFormat.from_media_type(request["graph"])
            assert rdf is not None  # the engine only sends media types it listed
            form, media = "graph", rdf.media_type
            ox.serialize(result, output=output, format=rdf, prefixes=request.get("prefixes") or {})
        else:
            table = ox.QueryResultsFormat.from_media_type(request["results"])
            assert table is not None
            form = "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
            media = table.media_type
            result.serialize(output=output, format=table)
    except (OSError, ValueError) as exc:  # evaluation errors surface while results are read
        if sink.size > sink.limit:
            message = f"the result is over {sink.limit:,} bytes"
            return {"status": "error", "kind": "too_large", "message": message}, b""
        return {"status": "error", "kind": "failed", "message": str(exc)[:500]}, b""
    return {"status": "ok", "form": form, "media": media}, b"".join(sink.parts)


def _cap_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    except (ImportError, ValueError, OSError):  # not on this platform, or a lower cap already
        pass


def main(directory: str) -> int:
    """Load the thesaurus in ``directory``, then answer queries until stdin closes."""
    import pyoxigraph as ox

    from socsec.thesaurus.store import read_all

    _cap_memory()
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in read_all(Path(directory)))
    write_frame(out, json.dumps({"status": "ready", "triples": len(store)}).encode())
    while (frame := read_frame(inp)) is not None:
        header, body = _answer(store, json.loads(frame))
        write_frame(out, json.dumps(header).encode())
        write_frame(out, body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
