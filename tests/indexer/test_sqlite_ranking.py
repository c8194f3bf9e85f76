"""The sqlite backend's ranked fast path and facet sample: the same hits, less work.

A text search without filters, in relevance order, ranks inside FTS5 alone and joins only
the page's rows; it must give exactly the hits of the full query (score, then id), ties
included. Facets count every match up to ``FACET_SAMPLE``, then the best-ranked sample.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socsec.bibliography.model import Record
from socsec.indexer import sqlite_fts
from socsec.indexer.base import BackendConfig, Hit, IndexDoc, Query, Sort
from socsec.indexer.documents import Enricher, query_groups
from socsec.indexer.sqlite_fts import SqliteBackend, _filters, match_expression

TEXTS = ["pension", "retraite anticipée", "social security", "health insurance", "work", "the"]


@pytest.fixture(scope="module")
def backend(
    records: list[Record], thesaurus: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqliteBackend]:
    docs: list[IndexDoc] = list(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]
    b = SqliteBackend(BackendConfig(index_path=tmp_path_factory.mktemp("rank") / "i.sqlite"))
    b.ensure_schema()
    b.index(docs)
    yield b
    b.close()


def _full(backend: SqliteBackend, query: Query) -> list[Hit]:
    """The hits of the full query (join every match, sort by score then id)."""
    where, params = _filters(query)
    source = "fts JOIN docs d ON d.rowid = fts.rowid"
    params = [match_expression(query), *params]
    return SqliteBackend._page(backend.conn, query, source, f"fts MATCH ? AND {where}", params)


def _key(hits: list[Hit]) -> list[tuple[str, float, object]]:
    return [(h.id, h.score, h.sort) for h in hits]


def _count(backend: SqliteBackend, query: Query) -> int:
    sql = "SELECT count(*) FROM fts WHERE fts MATCH ?"
    return int(backend.conn.execute(sql, [match_expression(query)]).fetchone()[0])


@pytest.mark.parametrize("facets", [False, True])
@pytest.mark.parametrize("margin", [sqlite_fts.TIE_MARGIN, 0])
def test_ranked_page_is_the_full_query_page(
    backend: SqliteBackend, margin: int, facets: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no margin, ties at the page's end go to the full query: the hits stay the same.

    With facets, every match (up to the sample) is fetched: the page is still cut from them
    by score then id, and the total is the number of matches without counting them again.
    """
    monkeypatch.setattr(sqlite_fts, "TIE_MARGIN", margin)
    compared = 0
    for text in TEXTS:
        for page, size in ((1, 10), (2, 3), (3, 7), (9, 1)):
            query = Query(groups=query_groups(text, None), page=page, size=size, facets=facets)
            result = backend.search(query)
            assert _key(result.hits) == _key(_full(backend, query)), (text, page, size)
            assert result.total == _count(backend, query), (text, page, size)
            compared += bool(result.hits)
    assert compared >= 15


def test_every_match_fetched_is_not_counted_again(backend: SqliteBackend) -> None:
    """Fewer matches than the rows asked for: they are all there, no count statement runs."""
    query = Query(groups=query_groups("retraite anticipée", None), size=3, facets=True)
    statements: list[str] = []
    backend.conn.set_trace_callback(statements.append)
    try:
        result = backend.search(query)
    finally:
        backend.conn.set_trace_callback(None)
    assert 3 < result.total < sqlite_fts.FACET_SAMPLE
    assert result.total == _count(backend, query)
    assert not [s for s in statements if "count(*)" in s and "GROUP BY" not in s]


def test_ranked_path_joins_only_the_page(backend: SqliteBackend) -> None:
    """No statement joins the match set with the documents table (a row lookup per match)."""
    statements: list[str] = []
    backend.conn.set_trace_callback(statements.append)
    try:
        result = backend.search(Query(groups=query_groups("pension", None), size=3))
    finally:
        backend.conn.set_trace_callback(None)
    assert result.total > 3
    assert len(result.hits) == 3
    assert not [s for s in statements if "MATCH" in s and "JOIN docs" in s]
    # A filter still takes the full query (the filter needs the documents' columns).
    statements.clear()
    backend.conn.set_trace_callback(statements.append)
    try:
        backend.search(Query(groups=query_groups("pension", None), year_from=1900))
    finally:
        backend.conn.set_trace_callback(None)
    assert [s for s in statements if "MATCH" in s and "JOIN docs" in s]


def test_facets_count_every_match_up_to_the_sample(
    backend: SqliteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = Query(groups=query_groups("pension", None), facets=True, size=2)
    exact = backend.search(query)
    assert exact.facets is not None and exact.facets.sampled is None
    assert sum(n for _t, n in exact.facets.type) == exact.total > 4

    monkeypatch.setattr(sqlite_fts, "FACET_SAMPLE", 4)
    sampled = backend.search(query)
    assert sampled.total == exact.total
    assert _key(sampled.hits) == _key(exact.hits)
    assert sampled.facets is not None and sampled.facets.sampled == 4
    assert sum(n for _t, n in sampled.facets.type) == 4
    # The sample is the best-ranked matches: the facets of the first 4 hits of the full order.
    best = backend.search(Query(groups=query_groups("pension", None), size=4)).hits
    assert sorted(sampled.facets.type) == sorted(_types(best))


def test_filtered_and_year_sorted_facets_sample_in_the_query_order(
    backend: SqliteBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_fts, "FACET_SAMPLE", 3)
    query = Query(facets=True, sort=Sort.year, size=3)  # no text: every document matches
    result = backend.search(query)
    assert result.facets is not None and result.facets.sampled == 3
    assert sorted(result.facets.type) == sorted(_types(result.hits))


def _types(hits: list[Hit]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for h in hits:
        counts[h.type] = counts.get(h.type, 0) + 1
    return list(counts.items())
