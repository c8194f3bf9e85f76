"""Limits on what one imported file may hold (listed in the README, "Input limits").

Each breach is an :class:`~socsec.errors.InputDataError` (exit 5) naming the position, raised
while the file is streamed, before the data is held in memory.
"""

from __future__ import annotations

MAX_RECORD_CHARS = 16 * 2**20  # the text of one record (BibTeX entry, RIS record, JSON item)
MAX_FIELD_CHARS = 2**20  # one value (a title, an abstract...)
MAX_DECOMPRESSED_BYTES = 4 * 2**30  # what a .gz may expand to
MAX_RATIO = 200  # decompressed / compressed bytes of a .gz, checked once past RATIO_FLOOR
RATIO_FLOOR = 32 * 2**20


def too_long(what: str, size: int, limit: int) -> str:
    """The reason given when a record or value passes a limit."""
    return f"{what} is longer than {limit:,} characters ({size:,} read; see README, Input limits)"
