"""The bibliographic record, modelled on CSL-JSON (shared by store, formats and indexer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal


class RecordType(str, Enum):  # noqa: UP042 - str() stays "RecordType.x" for other modules
    """Kinds of publication (CSL-JSON type names where CSL has one)."""

    article = "article"
    book = "book"
    chapter = "chapter"
    report = "report"
    thesis = "thesis"
    legislation = "legislation"
    dataset = "dataset"
    paper_conference = "paper-conference"
    webpage = "webpage"
    other = "other"


@dataclass(frozen=True)
class Person:
    """An author or editor: ``family``/``given`` for people, ``literal`` for institutions."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @property
    def display(self) -> str:
        """The name as cited: the literal, or 'Family, Given'."""
        if self.literal:
            return self.literal
        return ", ".join(p for p in (self.family, self.given) if p)


Provenance = Literal["manual", "accepted", "automatic"]
PROVENANCES: tuple[Provenance, ...] = ("manual", "accepted", "automatic")  # strongest first


@dataclass(frozen=True)
class Subject:
    """A thesaurus concept a record is about, and who assigned it.

    Attributes:
        uri: the concept.
        provenance: ``manual`` (a librarian), ``accepted`` (a suggestion a librarian
            accepted) or ``automatic`` (assigned by the suggestion model, unreviewed).
        score: the model's score (automatic and accepted subjects), else None.
        method: the suggestion method that assigned it (e.g. ``ensemble``), else None.
        model: the version of the model that assigned it, else None.
    """

    uri: str
    provenance: Provenance = "manual"
    score: float | None = None
    method: str | None = None
    model: str | None = None

    @property
    def curated(self) -> bool:
        """Whether a librarian assigned or confirmed it (manual or accepted): training data."""
        return self.provenance != "automatic"

    @property
    def strength(self) -> int:
        """Higher for stronger provenance (manual 3, accepted 2, automatic 1)."""
        return 3 - PROVENANCES.index(self.provenance)


@dataclass(frozen=True)
class Record:
    """One bibliographic record. Dates are ISO-8601 strings; ``year`` is always set when known."""

    id: str
    type: RecordType
    title: str
    title_language: str | None = None
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    year: int | None = None
    issued: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    container_title: str | None = None
    publisher: str | None = None
    place: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    edition: str | None = None
    doi: str | None = None
    isbn: str | None = None
    issn: str | None = None
    url: str | None = None
    language: str | None = None  # ISO 639-1 where known
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    subjects: tuple[Subject, ...] = ()
    notes: str | None = None
    aliases: tuple[str, ...] = ()  # ids of records merged into this one
    created: str | None = None
    modified: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # source-specific fields (e.g. celex)
