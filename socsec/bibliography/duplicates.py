"""Probable duplicates: equal DOI or ISBN, or a fuzzy title match with the same year and first
author (rapidfuzz), scored 0-100 and grouped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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


def _first_author(record: Record, fold: Callable[[str], str] = fold) -> str:
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
    pairs: dict[tuple[str, str], DuplicatePair] = {}

    def add(a: str, b: str, score: float, reason: str) -> None:
        key = (a, b) if a < b else (b, a)
        old = pairs.get(key)
        if old is None or old.score < score:
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
        if len(group) > 1:
            for a, b, score, reason in _similar_titles(group, threshold):
                add(a, b, score, reason)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a, p.b))


def _similar_titles(group: list[Record], threshold: float) -> Iterator[tuple[str, str, float, str]]:
    """Pairs of one year's records with similar titles, scored.

    Blocked by first author: two records with the same one (or one without) need a title
    score of ``threshold``; with different ones they need ``AUTHOR_MISMATCH_PENALTY`` more,
    which only a threshold of at most 100 minus the penalty allows, so only then are those
    compared. Each pair is compared at most once and scores as when all pairs were.
    """
    folded: dict[str, str] = {}  # duplicates repeat their titles and authors: fold each once

    def fold_once(text: str) -> str:
        if text not in folded:
            folded[text] = fold(text)
        return folded[text]

    titles = [fold_once(r.title) for r in group]
    authors = [_first_author(r, fold_once) for r in group]
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, author in enumerate(authors):
        blocks[author].append(i)
    anonymous = blocks.pop("", [])
    named = list(blocks.values())
    # Same first author, or none on one side: the title score as it is.
    candidates: list[tuple[list[int], list[int], float]] = [(b, b, threshold) for b in named]
    if anonymous:
        candidates.append((anonymous, anonymous, threshold))
        candidates += [(anonymous, b, threshold) for b in named]
    if threshold + AUTHOR_MISMATCH_PENALTY <= 100:
        # Different first authors: each block against the later ones (the exact test is below).
        higher = threshold + AUTHOR_MISMATCH_PENALTY - 1e-9
        for k, block in enumerate(named):
            candidates.append((block, [i for later in named[k + 1 :] for i in later], higher))
    reasons: dict[tuple[float, bool], str] = {}
    for left, right, cutoff in candidates:
        for i, j, title_score in _compare(titles, left, right, cutoff):
            score = float(title_score)
            same_author = authors[i] == authors[j] or not authors[i] or not authors[j]
            if not same_author:
                score -= AUTHOR_MISMATCH_PENALTY
            if score >= threshold:
                reason = reasons.get((title_score, same_author))
                if reason is None:
                    reason = f"similar title ({title_score:.0f}), same year"
                    reason += ", same first author" if same_author else ""
                    reasons[title_score, same_author] = reason
                yield group[i].id, group[j].id, score, reason


def _compare(
    titles: list[str], left: list[int], right: list[int], cutoff: float
) -> Iterator[tuple[int, int, float]]:
    """(i, j, title score) of the pairs of ``left`` x ``right`` scoring at least ``cutoff``;
    when ``left`` is ``right``, each unordered pair once.
    """
    from rapidfuzz import fuzz, process

    same = left is right
    choices = [titles[j] for j in right]
    for k, i in enumerate(left):
        start = k + 1 if same else 0
        if start >= len(choices):
            break
        matches = process.extract(
            titles[i], choices[start:], scorer=fuzz.token_sort_ratio,
            score_cutoff=cutoff, limit=None,
        )  # fmt: skip
        for _text, title_score, offset in matches:
            yield i, right[start + offset], title_score


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
    members: dict[str, set[str]] = defaultdict(set)  # a list's "in" made this quadratic
    for p in plist:
        key = root(p.a)
        g = groups.setdefault(key, DuplicateGroup(ids=[], score=0.0))
        g.pairs.append(p)
        g.score = max(g.score, p.score)
        members[key].update((p.a, p.b))
    for key, g in groups.items():
        g.ids = sorted(members[key])
    return sorted(groups.values(), key=lambda g: (-g.score, g.ids))


def find_duplicates(
    records: Iterable[Record], threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicateGroup]:
    """Groups of probable duplicates among ``records``."""
    return group_pairs(find_pairs(records, threshold))
