"""Probable duplicates: equal DOI or ISBN, or a fuzzy title match with the same year and first
author (rapidfuzz), scored 0-100 and grouped."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from socsec.analysis import fold
from socsec.bibliography.model import Record

DEFAULT_THRESHOLD = 90.0
AUTHOR_MISMATCH_PENALTY = 25.0


@dataclass(frozen=True)
class DuplicatePair:
    """Two records and why they look alike."""

    a: str
    b: str
    score: float
    reason: str


@dataclass
class DuplicateGroup:
    """Records that are probably the same publication; ``score`` is the best pair score."""

    ids: list[str]
    score: float
    pairs: list[DuplicatePair] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "ids": self.ids,
            "score": round(self.score, 1),
            "pairs": [
                {"a": p.a, "b": p.b, "score": round(p.score, 1), "reason": p.reason}
                for p in self.pairs
            ],
        }


def _first_author(record: Record) -> str:
    if not record.authors:
        return ""
    p = record.authors[0]
    return fold(p.family or p.literal or p.given or "")


def find_pairs(
    records: Iterable[Record], threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicatePair]:
    """Scored pairs at or above ``threshold``.

    Identifier matches score 100. Title similarity (rapidfuzz token-sort ratio on folded
    titles) is compared within the same year; a different first author costs
    ``AUTHOR_MISMATCH_PENALTY`` points.
    """
    from rapidfuzz import fuzz, process

    pairs: dict[tuple[str, str], DuplicatePair] = {}

    def add(a: str, b: str, score: float, reason: str) -> None:
        key = (a, b) if a < b else (b, a)
        if key not in pairs or pairs[key].score < score:
            pairs[key] = DuplicatePair(key[0], key[1], score, reason)

    by_doi: dict[str, list[str]] = defaultdict(list)
    by_isbn: dict[str, list[str]] = defaultdict(list)
    by_year: dict[int | None, list[Record]] = defaultdict(list)
    for r in records:
        if r.doi:
            by_doi[r.doi].append(r.id)
        if r.isbn:
            by_isbn[r.isbn].append(r.id)
        by_year[r.year].append(r)
    for label, index in (("same DOI", by_doi), ("same ISBN", by_isbn)):
        for ids in index.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    add(a, b, 100.0, label)
    for group in by_year.values():
        if len(group) < 2:
            continue
        titles = [fold(r.title) for r in group]
        authors = [_first_author(r) for r in group]
        for i in range(len(group) - 1):
            matches = process.extract(
                titles[i],
                titles[i + 1 :],
                scorer=fuzz.token_sort_ratio,
                score_cutoff=threshold,
                limit=None,
            )
            for _text, title_score, offset in matches:
                j = i + 1 + offset
                score = float(title_score)
                same_author = authors[i] == authors[j] or not authors[i] or not authors[j]
                if not same_author:
                    score -= AUTHOR_MISMATCH_PENALTY
                if score >= threshold:
                    reason = f"similar title ({title_score:.0f}), same year"
                    reason += ", same first author" if same_author else ""
                    add(group[i].id, group[j].id, score, reason)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a, p.b))


def group_pairs(pairs: Iterable[DuplicatePair]) -> list[DuplicateGroup]:
    """Connected groups of pairs, best-scored first."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    plist = list(pairs)
    for p in plist:
        ra, rb = root(p.a), root(p.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, DuplicateGroup] = {}
    for p in plist:
        g = groups.setdefault(root(p.a), DuplicateGroup(ids=[], score=0.0))
        g.pairs.append(p)
        g.score = max(g.score, p.score)
        for x in (p.a, p.b):
            if x not in g.ids:
                g.ids.append(x)
    for g in groups.values():
        g.ids.sort()
    return sorted(groups.values(), key=lambda g: (-g.score, g.ids))


def find_duplicates(
    records: Iterable[Record], threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicateGroup]:
    """Groups of probable duplicates among ``records``."""
    return group_pairs(find_pairs(records, threshold))
