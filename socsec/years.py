"""Year ranges as users type them: "2000..2010", "2000..", "..2010", "2005", "2000-2010"."""

from __future__ import annotations

import re

# ".." is the documented separator; "-" is accepted too because librarians write "1990-2000".
_YEARS = re.compile(r"^\s*(\d{1,4})?\s*(?:(\.\.|-)\s*(\d{1,4})?)?\s*$")


def year_range(value: str | None) -> tuple[int | None, int | None]:
    """Parse a year range into (first, last); None means no filter.

    Raises:
        ValueError: with a message saying what is wrong.
    """
    if value is None:
        return None, None
    m = _YEARS.match(value)
    if not m or not (m.group(1) or m.group(3)):
        raise ValueError(f"{value!r}: use YEAR, FROM..TO, FROM.. or ..TO")
    first = int(m.group(1)) if m.group(1) else None
    last = int(m.group(3)) if m.group(3) else None
    if m.group(2) is None:
        last = first
    if first is not None and last is not None and first > last:
        raise ValueError(f"{value!r}: the first year is after the last")
    return first, last
