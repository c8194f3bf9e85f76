"""Duplicate detection: the blocks by first author find what comparing all pairs found."""

from __future__ import annotations

import dataclasses

import pytest

from socsec.bibliography.duplicates import find_duplicates, find_pairs
from socsec.bibliography.formats import csljson
from socsec.bibliography.model import Person, Record

from .conftest import DATA


def _with_copies() -> tuple[list[Record], Record]:
    records = list(csljson.read(DATA / "sample.json"))
    original = next(r for r in records if r.id == "nber-h0055")
    copies = [
        dataclasses.replace(original, id="same-author", title=original.title.upper()),
        dataclasses.replace(original, id="no-author", authors=()),
        dataclasses.replace(original, id="other-author", authors=(Person("Gruber", "J."),)),
        dataclasses.replace(original, id="other-year", year=(original.year or 0) + 1),
    ]
    return records + copies, original


@pytest.mark.parametrize(
    ("threshold", "found"),
    [
        # A different first author costs 25 points: found only below 76.
        (90.0, {"same-author", "no-author"}),
        (75.0, {"same-author", "no-author", "other-author"}),
    ],
)
def test_copies_found_in_their_blocks(threshold: float, found: set[str]) -> None:
    records, original = _with_copies()
    reasons = {
        p.a if p.b == original.id else p.b: p.reason
        for p in find_pairs(records, threshold)
        if original.id in (p.a, p.b)
    }
    assert set(reasons) == found
    assert reasons["no-author"].endswith("same first author")  # none counts as the same
    assert "first author" not in reasons.get("other-author", "")


def test_groups_join_pairs() -> None:
    records, original = _with_copies()
    (group,) = find_duplicates(records, 90.0)
    # other-author pairs with no-author (no first author to differ), which joins the group.
    assert group.ids == sorted([original.id, "same-author", "no-author", "other-author"])
    assert group.score == 100
