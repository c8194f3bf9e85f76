"""Read-only SPARQL over the thesaurus, with a time limit and a result-size limit.

Queries run in a worker process (:mod:`socsec.thesaurus.sparql_worker`) holding the
thesaurus in an in-memory Oxigraph store: a query past the time limit is stopped by ending
that process (a thread cannot be stopped), and the next query starts a fresh one. Updates
and federated queries (``SERVICE``, which would make the server fetch URLs) are refused.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

from socsec.errors import InputDataError
from socsec.thesaurus.sparql_worker import FRAME_LENGTH

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 20_000_000
MAX_QUERY = 100_000
LOAD_TIMEOUT = 120.0

RESULTS_MEDIA = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_MEDIA = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
PREFIXES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
# Strings, IRIs and comments, removed before looking for keywords (a label may say "service").
_LEXICAL = re.compile(
    r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


class UpdateRefused(InputDataError):
    """A SPARQL update sent to the read-only endpoint."""


class QueryTooCostly(InputDataError):
    """A query past the time limit or with a result past the size limit."""


class EndpointBusy(InputDataError):
    """Other queries held the worker for the whole time limit."""


class SparqlResult(NamedTuple):
    """A serialised answer: body bytes, media type and the query form."""

    body: bytes
    media_type: str
    form: str  # "solutions", "boolean" or "graph"


def _keywords(query: str) -> str:
    return _LEXICAL.sub(" ", query)


def looks_like_update(text: str) -> bool:
    """Whether ``text`` reads as a SPARQL update (for a clear refusal message)."""
    return bool(_UPDATE.search(_keywords(text)))


def check_query(text: str) -> None:
    """Refuse what must never reach the evaluator.

    Raises:
        InputDataError: empty or too long.
        UpdateRefused: never raised here (updates fail to parse as queries; see :meth:`query`).
    """
    if not text.strip():
        raise InputDataError("the query is empty")
    if len(text) > MAX_QUERY:
        raise InputDataError(f"the query is over {MAX_QUERY:,} characters")
    if _SERVICE.search(_keywords(text)):
        raise InputDataError("federated queries (SERVICE) are not allowed on this endpoint")


class SparqlEngine:
    """Evaluates queries over the thesaurus of record in ``directory``, one at a time.

    Args:
        directory: the thesaurus of record (``ws.thesaurus_dir``).
        timeout: seconds a query may run.
        max_bytes: most bytes of a serialised result.
    """

    def __init__(
        self,
        directory: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.directory = directory
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def query(
        self,
        text: str,
        *,
        results_media: str = RESULTS_MEDIA[0],
        graph_media: str = GRAPH_MEDIA[0],
    ) -> SparqlResult:
        """Evaluate ``text``: solutions/booleans in ``results_media``, graphs in ``graph_media``.

        Raises:
            InputDataError: a malformed query (message from the parser), SERVICE, or an
                evaluation error.
            UpdateRefused: an update (INSERT, DELETE, LOAD...).
            QueryTooCostly: past the time limit or the result-size limit.
            EndpointBusy: the worker stayed busy with other queries for the time limit.
        """
        check_query(text)
        if results_media not in RESULTS_MEDIA or graph_media not in GRAPH_MEDIA:
            raise InputDataError("unsupported result format")
        request = {
            "query": text,
            "results": results_media,
            "graph": graph_media,
            "max_bytes": self.max_bytes,
            "prefixes": PREFIXES,
        }
        if not self._lock.acquire(timeout=self.timeout):
            raise EndpointBusy(
                "the SPARQL endpoint is busy with other queries", hint="try again shortly"
            )
        try:
            header, body = self._ask(request)
        finally:
            self._lock.release()
        if header["status"] == "ok":
            return SparqlResult(body, str(header["media"]), str(header["form"]))
        message = str(header.get("message", "query failed"))
        if header.get("kind") == "syntax" and looks_like_update(text):
            raise UpdateRefused(
                "this endpoint is read-only: SPARQL updates are refused",
                hint="send SELECT, ASK, CONSTRUCT or DESCRIBE queries",
            )
        if header.get("kind") == "too_large":
            raise QueryTooCostly(message, hint="add LIMIT, or select fewer variables")
        raise InputDataError(message)

    def _spawn(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "socsec.thesaurus.sparql_worker", str(self.directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        try:
            ready = json.loads(self._read(proc, time.monotonic() + LOAD_TIMEOUT))
        except (TimeoutError, EOFError, ValueError):
            self._stop(proc)
            raise InputDataError("the SPARQL worker could not load the thesaurus") from None
        if ready.get("status") != "ready":
            self._stop(proc)
            raise InputDataError("the SPARQL worker could not load the thesaurus")
        return proc

    def _ask(self, request: dict[str, object]) -> tuple[dict[str, object], bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._spawn()
        proc = self._proc
        assert proc.stdin is not None
        frame = json.dumps(request).encode("utf-8")
        deadline = time.monotonic() + self.timeout
        try:
            proc.stdin.write(FRAME_LENGTH.pack(len(frame)) + frame)
            header = json.loads(self._read(proc, deadline))
            body = self._read(proc, deadline + 5.0)  # the body follows its header at once
        except TimeoutError:
            self._proc = None
            self._stop(proc)
            raise QueryTooCostly(
                f"the query ran past the time limit of {self.timeout:g} s",
                hint="add LIMIT or make the patterns more selective",
            ) from None
        except (EOFError, BrokenPipeError, ValueError):
            # The worker died (e.g. its memory cap): the query was too costly for it.
            self._proc = None
            self._stop(proc)
            raise QueryTooCostly(
                "the query used more memory than the endpoint allows",
                hint="add LIMIT or make the patterns more selective",
            ) from None
        return header, body

    @staticmethod
    def _read_exact(proc: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks: list[bytes] = []
        while size > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _w, _x = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _read(self, proc: subprocess.Popen[bytes], deadline: float) -> bytes:
        (size,) = FRAME_LENGTH.unpack(self._read_exact(proc, FRAME_LENGTH.size, deadline))
        return self._read_exact(proc, size, deadline)

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> None:
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            if self._proc is not None:
                self._stop(self._proc)
                self._proc = None
