"""EUR-Lex acts as JSON lines (the shape of shared/data/eurlex/eurlex-train-validation.jsonl):
read-only conversion to records with their gold EuroVoc descriptors as curated subjects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

from socsec.bibliography.formats import ErrorSink, reader
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.store import Located
from socsec.errors import InputDataError

NAME = "eurlex-jsonl"
EXTENSIONS = (".jsonl",)
LOST_FIELDS: dict[str, str] = {}  # read-only
EUROVOC = "http://eurovoc.europa.eu/"
EURLEX_URL = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}"


def act_to_record(act: Mapping[str, Any], keep: Callable[[str], bool] | None = None) -> Record:
    """A record for one act; ``keep(uri)`` filters its subjects (default: all kept)."""
    celex = str(act.get("celex") or act.get("id") or "").strip()
    if not celex:
        raise ValueError("no celex/id")
    date = str(act.get("date") or "").strip() or None
    uris = [EUROVOC + str(i) for i in act.get("eurovoc_ids") or ()]
    title = str(act.get("title") or "").strip()
    text = str(act.get("text") or "").strip()
    notes = None
    if not title and text:
        # Two acts of the source have no heading; the summary's heading names them.
        title = text.splitlines()[0].strip()
        notes = "Title taken from the heading of the EUR-Lex summary (none in the source)."
    return Record(
        id=celex,
        type=RecordType.legislation,
        title=title,
        notes=notes,
        authors=(Person(literal="European Union"),),
        year=int(date[:4]) if date else None,
        issued=date,
        container_title="Official Journal of the European Union",
        url=EURLEX_URL.format(celex=celex),
        language=str(act.get("lang") or "en"),
        abstract=str(act.get("text") or "").strip() or None,
        keywords=tuple(str(s) for s in act.get("eurlex_subjects") or ()),
        subjects=tuple(Subject(uri=u) for u in uris if keep is None or keep(u)),
        extra={
            "celex": celex,
            "source": str(act.get("source") or ""),
            "license": str(act.get("license") or ""),
        },  # fmt: skip
    )


def _parse(
    fh: IO[str], name: str, bad: ErrorSink, keep: Callable[[str], bool] | None = None
) -> Iterator[Located]:
    """Stream the acts of a EUR-Lex JSON-lines file.

    Raises:
        InputDataError: a line is not a JSON object of an act, with its line number.
    """
    number = 0
    for line_no, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        number += 1
        try:
            act = json.loads(line)
            if not isinstance(act, Mapping):
                raise ValueError("expected a JSON object")
            yield Located(act_to_record(act, keep), number, line_no)
        except (ValueError, TypeError) as exc:
            error = InputDataError(f"act {number}: {exc}", path=name, line=line_no)
            bad(error)


read_located, read = reader(_parse, "EUR-Lex JSON-lines")
