"""A fast path for `socsec thesaurus lookup` and a plain `socsec search`, without Typer.

Building the Typer/Click application costs about as much as the lookup itself (80 ms of a
170 ms run here). When a command line is a plain lookup (or a search with only --json,
--lang, --size, --page) that this parser understands fully, it makes the same library calls
and prints through the same renderers as the Typer command (:mod:`socsec.cli.lookup_view`,
:mod:`socsec.cli.search_view`, :class:`socsec.cli.output.Output`). Anything else returns
``None`` and the full CLI runs instead: help, usage errors, an unknown term, a first run, an
index to build, an option written in a form not handled here. So every message and exit
code stays the Typer command's; the fast path only ever answers successful commands.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from socsec.cli.lookup_view import (
    DEFAULT_LIMIT,
    DEFAULT_TO,
    LOOKUP_FLAG_OPTIONS,
    LOOKUP_VALUE_OPTIONS,
    MAX_LIMIT,
    parse_langs,
)

# Disables the fast path (debugging, and the tests that compare both paths).
DISABLE_ENV = "SOCSEC_NO_FAST_PATH"

_GLOBAL_VALUES = {"--data-dir": "data_dir", "--config": "config_file"}
_GLOBAL_FLAGS = {"--quiet": "quiet", "-q": "quiet"}
_LOOKUP_VALUES = {flag: name for name, flags in LOOKUP_VALUE_OPTIONS.items() for flag in flags}
_LOOKUP_FLAGS = {flag: name for name, flags in LOOKUP_FLAG_OPTIONS.items() for flag in flags}
# The options of `socsec search` answered here (the Typer command's spellings).
_SEARCH_VALUES = {"--lang": "lang", "-l": "lang", "--size": "size", "-n": "size", "--page": "page"}
_SEARCH_FLAGS = {"--json": "json"}
MAX_SIZE = 1000


class LookupArgs(NamedTuple):
    """A command line the fast path can answer."""

    term: str
    data_dir: Path | None = None
    config_file: Path | None = None
    quiet: bool = False
    lang: str | None = None
    to: str = DEFAULT_TO
    limit: int = DEFAULT_LIMIT
    scheme: str | None = None
    json: bool = False


def _options(
    tokens: list[str], values: dict[str, str], flags: dict[str, str], found: dict[str, object]
) -> list[str] | None:
    """Consume options into ``found``; the positional arguments left, or None if unsure."""
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith("-") or token == "-":
            positional.append(token)
            continue
        name, eq, value = token.partition("=")
        if name in values and not eq:
            if i >= len(tokens):
                return None
            value = tokens[i]
            i += 1
        if name in values and not value.startswith("-") and values[name] not in found:
            found[values[name]] = value
        elif token in flags and flags[token] not in found:
            found[flags[token]] = True
        else:  # unknown, repeated, "--", "-n5", "--json=x": let Click decide
            return None
    return positional


def parse(argv: list[str]) -> LookupArgs | None:
    """The lookup this command line asks for, or None when the full CLI must handle it."""
    try:
        split = argv.index("thesaurus")
    except ValueError:
        return None
    found: dict[str, object] = {}
    before = _options(argv[:split], _GLOBAL_VALUES, _GLOBAL_FLAGS, found)
    rest = argv[split + 1 :]
    if before != [] or not rest or rest[0] != "lookup":
        return None
    positional = _options(rest[1:], _LOOKUP_VALUES, _LOOKUP_FLAGS, found)
    if positional is None or len(positional) != 1:
        return None
    limit = str(found.get("limit", DEFAULT_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        return None
    for key in ("data_dir", "config_file"):
        if key in found:
            found[key] = Path(str(found[key]))
    found["limit"] = int(limit)
    return LookupArgs(term=positional[0], **found)  # type: ignore[arg-type]


class SearchArgs(NamedTuple):
    """A search command line the fast path can answer."""

    text: str
    data_dir: Path | None = None
    config_file: Path | None = None
    quiet: bool = False
    lang: str | None = None
    size: int = 10
    page: int = 1
    json: bool = False


def parse_search(argv: list[str]) -> SearchArgs | None:
    """The search this command line asks for, or None when the full CLI must handle it."""
    try:
        split = argv.index("search")
    except ValueError:
        return None
    found: dict[str, object] = {}
    before = _options(argv[:split], _GLOBAL_VALUES, _GLOBAL_FLAGS, found)
    if before != []:
        return None
    positional = _options(argv[split + 1 :], _SEARCH_VALUES, _SEARCH_FLAGS, found)
    if positional is None or len(positional) != 1 or not positional[0].strip():
        return None
    for key, most in (("size", MAX_SIZE), ("page", None)):
        value = str(found.get(key, 1))
        if not value.isdigit() or int(value) < 1 or (most is not None and int(value) > most):
            return None
        if key in found:
            found[key] = int(value)
    for key in ("data_dir", "config_file"):
        if key in found:
            found[key] = Path(str(found[key]))
    return SearchArgs(text=positional[0], **found)  # type: ignore[arg-type]


def run(argv: list[str]) -> int | None:
    """Answer a plain lookup or search and return its exit code; None for the full CLI."""
    if os.environ.get(DISABLE_ENV):
        return None
    search = parse_search(argv)
    if search is not None:
        return run_search(search)
    args = parse(argv)
    if args is None:
        return None
    langs = parse_langs(args.to)
    if not langs:
        return None
    from socsec.cli.lookup_view import unknown_langs
    from socsec.config import Settings
    from socsec.errors import SocsecError
    from socsec.thesaurus.lookup import ThesaurusCache, domain_schemes, find
    from socsec.workspace import Workspace

    try:
        settings = Settings.load(data_dir=args.data_dir, config_file=args.config_file)
        ws = Workspace(root=settings.data_dir, settings=settings)
        if not (ws.thesaurus_dir.is_dir() and ws.bibliography_db.exists()):
            return None  # first run: the full CLI initialises the data dir and says so
        with ThesaurusCache.open(ws.thesaurus_cache) as cache:
            cache.domain = domain_schemes(settings.values)
            asked = [*([args.lang] if args.lang else []), *langs]
            # Only a language outside en/fr/es needs the thesaurus's own list (read from JSON).
            if unknown_langs(asked, []) and unknown_langs(asked, cache.languages()):
                return None  # a usage error: the full CLI words it
            hits = find(cache, args.term, lang=args.lang, scheme=args.scheme, limit=args.limit)
    except SocsecError:
        return None  # the full CLI reports it, with its message and exit code
    from socsec.cli.lookup_view import hits_table
    from socsec.cli.output import Output, OutputFormat

    out = Output(fmt=OutputFormat.json if args.json else OutputFormat.table, quiet=args.quiet)
    out.emit([h.to_json(langs) for h in hits], lambda: hits_table(hits, langs))
    return 0


def run_search(args: SearchArgs) -> int | None:
    """Answer a plain search (see :func:`parse_search`); None to hand over to the full CLI."""
    from socsec.config import Settings
    from socsec.errors import SocsecError
    from socsec.indexer.documents import ANALYSIS_VERSION
    from socsec.indexer.registry import open_backend
    from socsec.indexer.service import VOCABULARY_FILE, SearchRequest, SearchService
    from socsec.thesaurus.journal import needs_recovery, stale_temp_files
    from socsec.thesaurus.lookup import ThesaurusCache, domain_schemes
    from socsec.workspace import Workspace

    try:
        settings = Settings.load(data_dir=args.data_dir, config_file=args.config_file)
        ws = Workspace(root=settings.data_dir, settings=settings)
        if not (ws.thesaurus_dir.is_dir() and ws.bibliography_db.exists()):
            return None  # first run: the full CLI initialises the data dir and says so
        if needs_recovery(ws) or stale_temp_files(ws) or _hot_journal(ws.thesaurus_cache):
            return None  # an interrupted change: the full CLI recovers it first
        backend = open_backend(ws)
        cache = ThesaurusCache.open(ws.thesaurus_cache)
        cache.domain = domain_schemes(settings.values)
        # No bibliography store: the full CLI opens it to build a missing or outdated index.
        with SearchService(backend, cache, vocabulary=ws.root / VOCABULARY_FILE) as svc:
            if not backend.capabilities.server:
                meta = backend.info().meta
                if "last_build" not in meta or meta.get("analysis_version") != ANALYSIS_VERSION:
                    return None
            request = SearchRequest(text=args.text, lang=args.lang, page=args.page, size=args.size)
            resp = svc.search(request)
    except SocsecError:
        return None  # the full CLI reports it, with its message and exit code
    from socsec.cli.output import Output, OutputFormat
    from socsec.cli.search_view import render

    out = Output(fmt=OutputFormat.json if args.json else OutputFormat.table, quiet=args.quiet)
    out.emit(resp.to_dict(), lambda: render(resp, False))
    return 0


def _hot_journal(cache: Path) -> bool:
    """Whether an in-place cache update was killed (its SQLite journal is left)."""
    return Path(f"{cache}-journal").exists()
