"""Query parameters shared by the API and the pages, validated before any library call.

Bounds keep every request cheap and every bad value a 400 with a message: lengths of free
text, page sizes, page depth, language tags, record types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from socsec.bibliography.model import RecordType
from socsec.errors import InputDataError
from socsec.indexer.base import Sort
from socsec.indexer.service import SearchRequest
from socsec.years import year_range

MAX_TEXT = 500
MAX_URI = 2000
MAX_SIZE = 100
MAX_PAGE = 1000
# Beyond this many hits a client should use the export endpoint (ES max_result_window too).
MAX_DEPTH = 10_000
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
RECORD_TYPES = tuple(t.value for t in RecordType)

Text = Annotated[
    str, Query(max_length=MAX_TEXT, description="Words in English, French or Spanish.")
]
Lang = Annotated[
    str | None,
    Query(
        max_length=35,
        pattern=LANG_PATTERN,
        description="Language (en, fr, es) of the query and of the labels shown.",
    ),
]
ConceptRef = Annotated[
    str | None,
    Query(max_length=MAX_URI, description="Concept URI, notation or label."),
]


def parse_years(value: str | None) -> tuple[int | None, int | None]:
    """The year parameter, read as the CLI reads --year.

    Raises:
        InputDataError: a range socsec.years cannot read.
    """
    if value is None or not value.strip():
        return None, None
    try:
        return year_range(value)
    except ValueError as exc:
        raise InputDataError(f"year {exc}") from None


@dataclass(frozen=True)
class SearchParams:
    """The options of ``socsec search``, as query parameters."""

    q: Text = ""
    concept: ConceptRef = None
    exact_concept: Annotated[
        bool, Query(description="Only records indexed with the concept itself, not narrower.")
    ] = False
    expand: Annotated[
        bool, Query(description="Match concepts the text names (false: the records' text only).")
    ] = True
    lang: Lang = None
    qlang: Annotated[
        str | None,
        Query(
            max_length=35,
            pattern=LANG_PATTERN,
            description="Query language (default: detected); `lang` is the display language.",
        ),
    ] = None
    year: Annotated[
        str | None, Query(max_length=20, description="YEAR, FROM..TO, FROM.. or ..TO.")
    ] = None
    type: Annotated[
        list[str] | None, Query(max_length=20, description="Record type (repeatable).")
    ] = None
    language: Annotated[
        list[str] | None, Query(max_length=20, description="Record language (repeatable).")
    ] = None
    author: Annotated[str | None, Query(max_length=200, description="Author name.")] = None
    facets: Annotated[bool, Query(description="Subject/year/type/language counts.")] = False
    sort: Annotated[Sort, Query(description="Result order.")] = Sort.relevance
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number.")] = 1
    size: Annotated[int, Query(ge=1, le=MAX_SIZE, description="Hits per page.")] = 10

    def request(self) -> SearchRequest:
        """The library request; raises :class:`InputDataError` for values the types allow."""
        if self.page * self.size > MAX_DEPTH:
            raise InputDataError(
                f"page {self.page} of size {self.size} is beyond hit {MAX_DEPTH}",
                hint="narrow the search, or download every hit from /api/search/export",
            )
        bad = [t for t in self.type or () if t not in RECORD_TYPES]
        if bad:
            raise InputDataError(
                f"unknown record type {bad[0]!r}", hint="one of: " + ", ".join(RECORD_TYPES)
            )
        bad = [lg for lg in self.language or () if not re.match(LANG_PATTERN, lg)]
        if bad:
            raise InputDataError(f"language {bad[0][:40]!r} is not a language tag (e.g. en)")
        first, last = parse_years(self.year)
        return SearchRequest(
            text=self.q,
            concept=self.concept or None,
            exact_concept=self.exact_concept,
            expand=self.expand,
            lang=self.lang,
            query_lang=self.qlang,
            year_from=first,
            year_to=last,
            types=tuple(self.type or ()),
            languages=tuple(self.language or ()),
            author=self.author or None,
            facets=self.facets,
            sort=self.sort,
            page=self.page,
            size=self.size,
        )
