"""Record <-> plain dict (the store's JSON column, ``--json`` output, ``bib add --from-json``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from socsec.bibliography.model import PROVENANCES, Person, Record, RecordType, Subject
from socsec.errors import InputDataError

_SCALARS = (
    "title",
    "title_language",
    "issued",
    "container_title",
    "publisher",
    "place",
    "volume",
    "issue",
    "pages",
    "edition",
    "doi",
    "isbn",
    "issn",
    "url",
    "language",
    "abstract",
    "notes",
    "created",
    "modified",
)
# dict first: the Mapping ABC check is slow, and what is read from JSON is a dict.
_MAPPING = (dict, Mapping)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Record))
_FIELD_SET = frozenset(FIELD_NAMES)


def person_to_dict(person: Person) -> dict[str, str]:
    """A person as a dict without empty parts."""
    out = {}
    if person.family:
        out["family"] = person.family
    if person.given:
        out["given"] = person.given
    if person.literal:
        out["literal"] = person.literal
    return out


def person_from_value(value: object) -> Person:
    """A person from a dict (family/given/literal) or a "Family, Given" string."""
    if isinstance(value, _MAPPING):
        return Person(
            family=_opt_str(value.get("family")),
            given=_opt_str(value.get("given")),
            literal=_opt_str(value.get("literal")),
        )
    if isinstance(value, str):
        return parse_name(value)
    raise ValueError(f"a person must be an object or a string, not {type(value).__name__}")


def parse_name(text: str) -> Person:
    """Parse "Family, Given", "Given Family" or "{Institution}" into a person."""
    text = " ".join(text.split())
    if text.startswith("{") and text.endswith("}"):
        return Person(literal=text[1:-1].strip())
    if "," in text:
        family, _, given = text.partition(",")
        return Person(family=family.strip() or None, given=given.strip() or None)
    parts = text.rsplit(" ", 1)
    if len(parts) == 2:
        return Person(family=parts[1], given=parts[0])
    return Person(family=text) if text else Person()


def subject_to_dict(subject: Subject) -> dict[str, Any]:
    """A subject as a dict: uri and provenance, plus score, method and model when known."""
    out: dict[str, Any] = {"uri": subject.uri, "provenance": subject.provenance}
    if subject.score is not None:
        out["score"] = round(subject.score, 4)
    if subject.method:
        out["method"] = subject.method
    if subject.model:
        out["model"] = subject.model
    return out


def record_to_dict(record: Record, *, with_empty: bool = False) -> dict[str, Any]:
    """A record as a JSON-ready dict (snake_case keys, ISO dates, URIs as strings)."""
    out: dict[str, Any] = {
        "id": record.id,
        "type": record.type.value,
        "title": record.title,
        "title_language": record.title_language,
        "authors": [person_to_dict(p) for p in record.authors],
        "editors": [person_to_dict(p) for p in record.editors],
        "year": record.year,
    }
    for name in _SCALARS[2:]:
        out[name] = getattr(record, name)
    out["keywords"] = list(record.keywords)
    out["subjects"] = [subject_to_dict(s) for s in record.subjects]
    out["aliases"] = list(record.aliases)
    out["extra"] = dict(record.extra)
    if not with_empty:
        # Every optional value is a string, a positive year or a container: falsy means empty.
        out = {k: v for k, v in out.items() if v or k in ("id", "title")}
    return out


# Scalars of the store's JSON column, in record_to_dict's order (title is always there).
_DATA_SCALARS = _SCALARS[2:-2]


def record_to_data(record: Record) -> dict[str, Any]:
    """What the store keeps as JSON: :func:`record_to_dict` without empty values, the id and
    the fields it keeps in columns and tables (subjects, aliases, created, modified).

    Built directly, as it runs for every record an import writes.
    """
    out: dict[str, Any] = {"type": record.type.value, "title": record.title}
    if record.title_language:
        out["title_language"] = record.title_language
    if record.authors:
        out["authors"] = [person_to_dict(p) for p in record.authors]
    if record.editors:
        out["editors"] = [person_to_dict(p) for p in record.editors]
    if record.year:
        out["year"] = record.year
    for name in _DATA_SCALARS:
        value = getattr(record, name)
        if value:
            out[name] = value
    if record.keywords:
        out["keywords"] = list(record.keywords)
    if record.extra:
        out["extra"] = dict(record.extra)
    return out


def record_from_dict(data: Mapping[str, Any]) -> Record:
    """Build a record from a dict as made by :func:`record_to_dict` (unknown keys refused).

    Raises:
        InputDataError: a key is unknown or a value has the wrong shape.
    """
    unknown = data.keys() - _FIELD_SET
    if unknown:
        raise InputDataError(f"unknown field(s) {', '.join(sorted(unknown))}")
    try:
        rtype = RecordType(str(data.get("type") or "other"))
    except ValueError:
        choices = ", ".join(t.value for t in RecordType)
        raise InputDataError(f"unknown type {data.get('type')!r} (one of {choices})") from None
    try:
        # Absent scalars keep the Record default (None); this runs for every record read.
        kwargs: dict[str, Any] = {
            name: _opt_str(data[name]) for name in _SCALARS if data.get(name) is not None
        }
        kwargs["title"] = str(data.get("title") or "")
        year = data.get("year")
        kwargs["year"] = int(year) if year not in (None, "") else None
        kwargs["authors"] = tuple(person_from_value(p) for p in data.get("authors") or ())
        kwargs["editors"] = tuple(person_from_value(p) for p in data.get("editors") or ())
        kwargs["keywords"] = tuple(str(k) for k in data.get("keywords") or ())
        kwargs["subjects"] = tuple(_subject(s) for s in data.get("subjects") or ())
        kwargs["aliases"] = tuple(str(a) for a in data.get("aliases") or ())
        kwargs["extra"] = {str(k): str(v) for k, v in (data.get("extra") or {}).items()}
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputDataError(f"bad value: {exc}") from None
    return Record(id=str(data.get("id") or ""), type=rtype, **kwargs)


def _subject(value: object) -> Subject:
    if isinstance(value, Subject):
        return value
    if isinstance(value, str):
        return Subject(uri=value)
    if isinstance(value, Mapping):
        return subject_from_dict(value)
    raise ValueError("a subject must be a URI or an object with 'uri'")


def subject_from_dict(value: Mapping[str, Any]) -> Subject:
    """A subject from :func:`subject_to_dict`'s form.

    The ``curated`` flag of files written before provenance existed is read as
    ``manual`` (true) or ``automatic`` (false, a machine suggestion nobody reviewed).

    Raises:
        ValueError: an unknown provenance or a score that is not a number.
    """
    provenance = value.get("provenance")
    if provenance is None:
        provenance = "manual" if value.get("curated", True) else "automatic"
    if provenance not in PROVENANCES:
        raise ValueError(f"unknown provenance {provenance!r} (one of {', '.join(PROVENANCES)})")
    score = value.get("score")
    return Subject(
        uri=str(value["uri"]),
        provenance=provenance,
        score=None if score is None else float(score),
        method=_opt_str(value.get("method")),
        model=_opt_str(value.get("model")),
    )


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
