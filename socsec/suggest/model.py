"""Value types of subject suggestion: documents in, scored concepts with evidence out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Method(StrEnum):
    """The suggestion methods."""

    lexical = "lexical"
    associative = "associative"
    ensemble = "ensemble"


@dataclass(frozen=True)
class Document:
    """A text to index: a title, an optional abstract, and (for training) its gold subjects.

    Attributes:
        id: record id (empty for free text).
        title: the title, or the first line of a free text.
        text: abstract or body ("" when there is none).
        lang: ISO 639-1 code (en, fr, es) or None when unknown (guessed when analysed).
        subjects: gold concept URIs, in the record's order.
    """

    id: str
    title: str
    text: str = ""
    lang: str | None = None
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Why a concept was suggested.

    Attributes:
        source: "label" (a thesaurus label matched the text), "hierarchy" (a narrower concept
            matched), or "record" (a similar tagged record carries the concept).
        detail: the matched label, the narrower concept's URI, or the similar record's id.
        where: "title" or "text" for labels; "" otherwise.
        lang: language of the matched label ("" otherwise).
        kind: "pref", "alt" or "hidden" for labels ("" otherwise).
        count: occurrences of the label in the text.
        weight: the similarity of a voting record (0..1), else 0.
    """

    source: str
    detail: str
    where: str = ""
    lang: str = ""
    kind: str = ""
    count: int = 0
    weight: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (empty fields left out)."""
        data: dict[str, object] = {"source": self.source, "detail": self.detail}
        for key in ("where", "lang", "kind"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.count:
            data["count"] = self.count
        if self.weight:
            data["weight"] = round(self.weight, 4)
        return data


@dataclass(frozen=True)
class Suggestion:
    """One suggested concept.

    Attributes:
        uri: the concept.
        score: 0..1, higher is better; comparable within one method only.
        evidence: label matches and/or voting records, strongest first.
        scores: the per-method scores an ensemble combined ({"lexical": .., ...}).
        label: the concept's preferred label (filled in by the service, "" before).
    """

    uri: str
    score: float
    evidence: tuple[Evidence, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    label: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "uri": self.uri,
            "label": self.label,
            "score": round(self.score, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "evidence": [e.to_dict() for e in self.evidence],
        }


class Scorer(Protocol):
    """A single-method suggester: its name, its scores and the evidence behind them."""

    name: str

    def score(self, doc: Document) -> dict[str, float]:
        """Concept URI -> score for one document."""
        ...

    def evidence(self, doc: Document, uris: Sequence[str]) -> dict[str, tuple[Evidence, ...]]:
        """The evidence for each of ``uris`` in one document."""
        ...


def best_suggestions(scorer: Scorer, doc: Document, limit: int) -> list[Suggestion]:
    """A scorer's ``limit`` best concepts, best first (ties by URI), with their evidence."""
    ranked = sorted(scorer.score(doc).items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    evidence = scorer.evidence(doc, [u for u, _s in ranked])
    return [
        Suggestion(uri=u, score=s, evidence=evidence[u], scores={scorer.name: s}) for u, s in ranked
    ]
