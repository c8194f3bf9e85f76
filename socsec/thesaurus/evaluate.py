"""Quality of the term lookup on a judged list: top-1 and top-3 accuracy per language.

The judged list is UTF-8, tab-separated, one term a line (blank lines and lines starting
with ``#`` are ignored): ``lang<TAB>term<TAB>gold concept URI<TAB>variant<TAB>source``, where
variant says how the term differs from the thesaurus labels (exact, plural, order, synonym,
accentless, typo, spelling, phrasing) and source where the term was found.

Each term is looked up as a translator would, in its language (``lookup(term, lang=...)``);
a hit is correct when its URI is the gold concept. ``exact_share`` is the share of terms
that are, letter for letter, a label of the thesaurus: the rest test real-input matching.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.errors import InputDataError, NotFoundError
from socsec.thesaurus.lookup import ThesaurusCache

TOP_K = 3


@dataclass(frozen=True)
class JudgedTerm:
    """One line of the judged list."""

    lang: str
    term: str
    gold: str
    variant: str
    source: str


@dataclass(frozen=True)
class TermResult:
    """How one judged term fared: the rank of the gold concept (None: not in the top 3)."""

    lang: str
    term: str
    gold: str
    variant: str
    rank: int | None
    first: str | None  # URI of the first hit
    match: str | None  # match kind of the first hit


@dataclass(frozen=True)
class LanguageScores:
    """Accuracy over the terms of one language (or "all")."""

    lang: str
    terms: int
    top1: float
    top3: float
    exact_share: float


@dataclass(frozen=True)
class LookupEvalReport:
    """What `socsec eval lookup` prints."""

    judged: str
    concepts: int
    scores: list[LanguageScores]
    misses: list[TermResult] = field(default_factory=list)  # terms whose gold is not first

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the report."""
        return asdict(self)


def read_judged(path: Path) -> list[JudgedTerm]:
    """Parse a judged list.

    Raises:
        InputDataError: a line has fewer than three fields or an unsupported language.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot read the judged list: {exc}", path=str(path)) from None
    terms = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or fields[0] not in SUPPORTED_LANGUAGES or not fields[1].strip():
            raise InputDataError(
                "expected lang<TAB>term<TAB>gold URI[<TAB>variant<TAB>source] with lang "
                + "/".join(SUPPORTED_LANGUAGES),
                path=str(path),
                line=number,
            )
        variant = fields[3] if len(fields) > 3 else ""
        source = fields[4] if len(fields) > 4 else ""
        terms.append(JudgedTerm(fields[0], fields[1].strip(), fields[2].strip(), variant, source))
    if not terms:
        raise InputDataError("the judged list has no terms", path=str(path))
    return terms


def evaluate_lookup(cache: ThesaurusCache, path: Path) -> LookupEvalReport:
    """Top-1 and top-3 accuracy of ``cache.lookup`` on the judged list at ``path``.

    Raises:
        InputDataError: the list is malformed.
        NotFoundError: a gold concept is not in the thesaurus (the list does not fit it).
    """
    terms = read_judged(path)
    missing = sorted({t.gold for t in terms if not cache.exists(t.gold)})
    if missing:
        raise NotFoundError(
            f"{len(missing)} gold concept(s) of {path} are not in the thesaurus",
            suggestions=missing[:5],
        )
    labels = {label for _uri, _lang, _kind, label in cache.iter_labels()}
    results = []
    for t in terms:
        hits = cache.lookup(t.term, lang=t.lang, limit=TOP_K)
        uris = [h.uri for h in hits]
        rank = uris.index(t.gold) + 1 if t.gold in uris else None
        results.append(
            TermResult(
                t.lang,
                t.term,
                t.gold,
                t.variant,
                rank,
                uris[0] if uris else None,
                hits[0].match.value if hits else None,
            )
        )
    scores = []
    for lang in [*SUPPORTED_LANGUAGES, "all"]:
        group = [r for r in results if lang in ("all", r.lang)]
        if not group:
            continue
        n = len(group)
        scores.append(
            LanguageScores(
                lang=lang,
                terms=n,
                top1=round(sum(r.rank == 1 for r in group) / n, 3),
                top3=round(sum(r.rank is not None for r in group) / n, 3),
                exact_share=round(sum(r.term in labels for r in group) / n, 3),
            )
        )
    return LookupEvalReport(
        judged=str(path),
        concepts=cache.count(),
        scores=scores,
        misses=[r for r in results if r.rank != 1],
    )
