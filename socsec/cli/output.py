"""The one output sink: data to stdout (table or JSON), everything else to stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from socsec.cli.plain_table import BoxTable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rich.console import Console, RenderableType


class OutputFormat(StrEnum):
    """How read commands print their data."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


def _json_default(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


class Output:
    """Renders results; holds the chosen format and verbosity."""

    # A plain class, not a dataclass: importing dataclasses costs a fifth of a lookup.
    def __init__(
        self, fmt: OutputFormat = OutputFormat.table, quiet: bool = False, verbose: bool = False
    ) -> None:
        self.fmt = fmt
        self.quiet = quiet
        self.verbose = verbose

    # Consoles are made on first use: importing rich costs more than a JSON answer.
    @cached_property
    def stdout(self) -> Console:
        """The console for data."""
        from rich.console import Console

        return Console(soft_wrap=False)

    @cached_property
    def stderr(self) -> Console:
        """The console for notices, warnings, progress and errors."""
        from rich.console import Console

        return Console(stderr=True, soft_wrap=True)

    @property
    def is_json(self) -> bool:
        """Whether data is printed as JSON."""
        return self.fmt is not OutputFormat.table

    def data(self, payload: Any) -> None:
        """Print machine-readable data (JSON, or one object per line for jsonl)."""
        import json  # a table needs no encoder: the plain lookup never imports it

        if self.fmt is OutputFormat.jsonl and isinstance(payload, list):
            for item in payload:
                sys.stdout.write(json.dumps(item, ensure_ascii=False, default=_json_default) + "\n")
            return
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default)
        sys.stdout.write(text + "\n")

    def render(self, renderable: RenderableType | BoxTable) -> None:
        """Print a rich renderable (table, tree, panel) or a plain box table to stdout."""
        if isinstance(renderable, BoxTable):
            renderable.print(sys.stdout)
        else:
            self.stdout.print(renderable)

    def emit(self, payload: Any, build: Callable[[], RenderableType | BoxTable]) -> None:
        """JSON when asked for, else the rich renderable ``build()`` makes."""
        if self.is_json:
            self.data(payload)
        else:
            self.render(build())

    def line(self, text: str) -> None:
        """A plain line of data on stdout (for text exports)."""
        sys.stdout.write(text + "\n")

    def notice(self, text: str) -> None:
        """An informational line on stderr, hidden by --quiet."""
        if not self.quiet:
            self.stderr.print(text, style="cyan", highlight=False)

    def hint(self, text: str) -> None:
        """A hint on stderr, hidden by --quiet."""
        if not self.quiet:
            self.stderr.print(text, style="dim", highlight=False)

    def warn(self, text: str) -> None:
        """A warning on stderr (shown even with --quiet)."""
        self.stderr.print(f"Warning: {text}", style="yellow", highlight=False)

    def error(self, text: str) -> None:
        """One red line on stderr."""
        self.stderr.print(text, style="bold red", highlight=False, markup=False)

    def progress_enabled(self) -> bool:
        """Whether to draw progress bars (a table on a terminal, not quiet)."""
        return not self.quiet and not self.is_json and self.stderr.is_terminal

    @contextmanager
    def progress(
        self, description: str, total: int | None = None
    ) -> Iterator[Callable[[int], None]]:
        """Yield an ``on_progress(advance)`` callback backed by a transient rich bar on a TTY."""
        if not self.progress_enabled():
            yield lambda _n: None
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.stderr,
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    no_wrap: Sequence[str] = (),
) -> RenderableType:
    """A rich table; None cells print as empty.

    Cells are data, printed literally: a label like "pension [EU]" must not be read as rich
    markup. A cell that is a rich ``Text`` (e.g. search highlights) keeps its styles.
    """
    from rich.table import Table
    from rich.text import Text

    tbl = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        tbl.add_column(col, no_wrap=col in no_wrap, overflow="fold")
    for row in rows:
        tbl.add_row(*(c if isinstance(c, Text) else Text(_clip(c)) for c in row))
    return tbl


# A table cell longer than this is cut: rich lays out a cell in time that grows faster than
# its length (a 30 MB term took minutes). --json prints values whole.
MAX_CELL = 2000


def _clip(value: object) -> str:
    text = "" if value is None else str(value)
    if len(text) <= MAX_CELL:
        return text
    return f"{text[:MAX_CELL]}… [{len(text) - MAX_CELL:,} more characters; use --json]"


def key_values(pairs: Mapping[str, object], *, title: str | None = None) -> RenderableType:
    """A two-column table of names and values."""
    return table(
        ("key", "value"), ((k, v) for k, v in pairs.items()), title=title, no_wrap=("key",)
    )
