"""Year ranges typed by users."""

from __future__ import annotations

import pytest

from socsec.years import year_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, (None, None)),
        ("2005", (2005, 2005)),
        ("2000..2010", (2000, 2010)),
        ("2000..", (2000, None)),
        ("..2010", (None, 2010)),
        ("1990-2000", (1990, 2000)),
        (" 1990 .. 2000 ", (1990, 2000)),
    ],
)
def test_accepted(text: str | None, expected: tuple[int | None, int | None]) -> None:
    assert year_range(text) == expected


@pytest.mark.parametrize("text", ["", "..", "abc", "2010..2000", "2000...2010", "20000"])
def test_refused(text: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        year_range(text)
