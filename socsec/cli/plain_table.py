"""A box table drawn without rich, for the lookup fast path.

Importing rich and running its layout engine costs about 100 ms per process here, more than
the lookup it would display. This draws the table rich draws by default (heavy-headed box,
one space of padding) with rich's own sizing rules: columns shrink widest-first, then
evenly, and cells wrap by words, folding words that do not fit. The tests compare its
output with rich's, byte for byte, at several widths.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import TextIO

# rich's box.HEAVY_HEAD and the ASCII box it falls back to: top, header, header rule, row,
# bottom; each as left, fill, cross, right.
_UNICODE = ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘")
_ASCII = ("+--+", "| ||", "|-+|", "| ||", "+--+")
_DEFAULT_WIDTH = 80  # rich's width when no terminal size is known
_PADDING = 2  # one space each side
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"
_WORD = re.compile(r"\s*\S+\s*")


def cell_width(text: str) -> int:
    """Terminal columns taken by ``text`` (wide CJK characters 2, combining marks 0)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _chop(word: str, width: int) -> list[str]:
    """Split a word into pieces of at most ``width`` columns."""
    if word.isascii():  # one column a character (URIs, mostly)
        return [word[i : i + width] for i in range(0, len(word), width)]
    pieces, piece, size = [], "", 0
    for ch in word:
        w = cell_width(ch)
        if piece and size + w > width:
            pieces.append(piece)
            piece, size = "", 0
        piece += ch
        size += w
    return [*pieces, piece] if piece else pieces


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: greedy by words, words too long folded (as rich)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if cell_width(paragraph.rstrip()) <= width:  # it fits: every word would join the line
            lines.append(paragraph)
            continue
        line, used = "", 0
        for match in _WORD.finditer(paragraph):
            word = match.group()
            length = cell_width(word.rstrip())
            if width - used >= length:
                line += word
                used += cell_width(word)
            elif length > width:
                *full, last = _chop(word, width)
                if line:
                    lines.append(line)
                lines.extend(full)
                line, used = last, cell_width(last)
            elif used:
                lines.append(line)
                line, used = word, cell_width(word)
            else:
                line, used = line + word, used + cell_width(word)
        lines.append(line)
    return [_fit(line, width) for line in lines]


def _fit(line: str, width: int) -> str:
    """Drop trailing spaces, then cut what is still wider than ``width``."""
    line = line.rstrip()
    while cell_width(line) > width:
        line = line[:-1]
    return line


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """Take ``total`` off ``values`` in proportion to ``ratios``, at most ``maximums`` each."""
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=True)]
    total_ratio, remaining, result = sum(ratios), total, []
    if not total_ratio:
        return list(values)
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Narrow the widest wrapable columns down towards the next widest until all fit."""
    excess = sum(widths) - max_width
    while any(wrapable) and excess > 0:
        widest = max(w for w, ok in zip(widths, wrapable, strict=True) if ok)
        second = max(w if ok and w != widest else 0 for w, ok in zip(widths, wrapable, strict=True))
        ratios = [int(ok and w == widest) for w, ok in zip(widths, wrapable, strict=True)]
        if not any(ratios) or widest == second:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - max_width
    return widths


def column_widths(natural: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Widths (padding included) that fit ``max_width``: widest-first, then evenly."""
    natural = [min(n, max_width) for n in natural]  # rich measures each column within the table
    widths = list(natural)
    if sum(widths) > max_width:
        widths = _collapse(widths, wrapable, max_width)
        if sum(widths) > max_width:
            widths = _ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [min(n, w) for n, w in zip(natural, widths, strict=True)]
    return widths


class BoxTable:
    """Columns and rows of text; :meth:`render` draws them for a given width."""

    def __init__(
        self, columns: Sequence[str], rows: Sequence[Sequence[str]], *, no_wrap: Sequence[str] = ()
    ) -> None:
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.wrapable = [c not in no_wrap for c in columns]

    def render(self, width: int, *, ascii_only: bool = False, bold_header: bool = False) -> str:
        """The table as text, at most ``width`` columns wide, ending with a newline."""
        grid = [self.columns, *self.rows]
        natural = [
            max(cell_width(line) for row in grid for line in row[i].split("\n")) + _PADDING
            for i in range(len(self.columns))
        ]
        border_width = len(self.columns) + 1
        widths = column_widths(natural, self.wrapable, width - border_width)
        top, head, rule, body, bottom = _ASCII if ascii_only else _UNICODE

        def border(chars: str) -> str:
            return chars[0] + chars[2].join(chars[1] * w for w in widths) + chars[3]

        def row_lines(cells: list[str], chars: str, header: bool) -> list[str]:
            # A column squeezed below one character of content shows nothing (as in rich).
            wrapped = [
                wrap(c, w - _PADDING) if w > _PADDING else [""]
                for c, w in zip(cells, widths, strict=True)
            ]
            height = max(len(lines) for lines in wrapped)
            if header:  # rich aligns header cells to the bottom, body cells to the top
                wrapped = [[""] * (height - len(lines)) + lines for lines in wrapped]
            out = []
            for n in range(height):
                parts = []
                for lines, w in zip(wrapped, widths, strict=True):
                    text = lines[n] if n < len(lines) else ""
                    if w <= _PADDING:
                        parts.append(" " * w)
                        continue
                    pad = " " * (w - _PADDING - cell_width(text))
                    styled = f"{_BOLD}{text}{_RESET}" if header and bold_header and text else text
                    parts.append(f" {styled}{pad} ")
                out.append(chars[0] + chars[2].join(parts) + chars[3])
            return out

        lines = [border(top), *row_lines(self.columns, head, True), border(rule)]
        for row in self.rows:
            lines += row_lines(row, body, False)
        lines.append(border(bottom))
        return "\n".join(lines) + "\n"

    def print(self, stream: TextIO | None = None) -> None:
        """Write the table to ``stream`` (stdout), sized and styled the way rich would."""
        stream = stream or sys.stdout
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        styled = (stream.isatty() or bool(os.environ.get("FORCE_COLOR"))) and os.environ.get(
            "TERM", ""
        ).lower() not in ("dumb", "unknown")
        stream.write(
            self.render(
                terminal_width(),
                ascii_only=not encoding.startswith("utf"),
                bold_header=styled,
            )
        )


def terminal_width() -> int:
    """COLUMNS if set, else the size of a terminal on stdin/stdout/stderr, else 80 (rich's rule).

    A piped lookup (``| less``) still fits the terminal it is read in.
    """
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    for fd in (0, 1, 2):
        try:
            columns = os.get_terminal_size(fd).columns
        except (OSError, ValueError):
            continue
        if columns:
            return columns
    return _DEFAULT_WIDTH
