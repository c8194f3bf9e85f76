"""Smoke tests of the Elasticsearch wrapper against a real server (SOCSEC_TEST_ES_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from socsec.bibliography.model import Record
from socsec.errors import IndexingError
from socsec.indexer.base import BackendConfig, IndexDoc, Query
from socsec.indexer.documents import Enricher, query_groups

pytestmark = pytest.mark.elastic


@pytest.fixture
def backend(es_url: str, es_index: str) -> Iterator[object]:
    from socsec.indexer.elastic import ElasticBackend

    b = ElasticBackend(BackendConfig(url=es_url, index=es_index))
    yield b
    b.drop()
    b.close()


@pytest.fixture(scope="module")
def two_docs(records: list[Record], thesaurus: object) -> list[IndexDoc]:
    return list(Enricher(thesaurus).enrich_all(records[:2]))  # type: ignore[arg-type]


def test_create_index_search_delete(
    backend: object, two_docs: list[IndexDoc], es_index: str
) -> None:
    from socsec.indexer.elastic import ElasticBackend

    assert isinstance(backend, ElasticBackend)
    backend.ensure_schema()
    physical = backend.info().physical
    assert physical is not None and physical.startswith(f"{es_index}-")
    assert backend.index(two_docs).indexed == 2
    hits = backend.search(Query(groups=query_groups("pension plans", "en"))).hits
    assert {h.id for h in hits} == {d.id for d in two_docs}
    assert backend.delete([two_docs[0].id]) == 1
    assert backend.count() == 1


def test_mapping_is_explicit_and_strict(backend: object, two_docs: list[IndexDoc]) -> None:
    from socsec.indexer.elastic import ElasticBackend

    assert isinstance(backend, ElasticBackend)
    backend.ensure_schema()
    name = backend.info().physical
    assert name is not None
    mapping = backend.client.indices.get_mapping(index=name).body[name]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["subjects"]["type"] == "keyword"
    assert mapping["properties"]["title"]["analyzer"] == "whitespace"


def test_rejected_document_is_reported_with_its_id(
    backend: object, two_docs: list[IndexDoc]
) -> None:
    from socsec.indexer.elastic import ElasticBackend

    assert isinstance(backend, ElasticBackend)
    backend.ensure_schema()
    bad = replace(two_docs[0], id="bad-1", year=10**12)  # out of range for an integer field
    with pytest.raises(IndexingError) as info:
        backend.index([two_docs[1], bad])
    assert [i for i, _ in info.value.failures] == ["bad-1"]
    assert backend.count() == 1


def test_pages_beyond_the_result_window(
    backend: object, records: list[Record], thesaurus: object
) -> None:
    # The window is lowered on the real index (the server then refuses from + size past it),
    # so pages past it must be reached by walking with search_after, and match paging by
    # offset over the same hits.
    from socsec.indexer.elastic import ElasticBackend

    assert isinstance(backend, ElasticBackend)
    backend.ensure_schema()
    backend.index(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]
    backend.client.indices.refresh(index=backend.alias)
    everything = [h.id for h in backend.search(Query(size=60)).hits]
    assert len(everything) == 60
    backend.client.indices.put_settings(
        index=backend.alias, settings={"index": {"max_result_window": 20}}
    )
    backend.result_window = 20
    paged = []
    for page in range(1, 10):
        result = backend.search(Query(size=7, page=page, facets=True))
        assert result.total == 60 and result.facets is not None
        paged += [h.id for h in result.hits]
    assert paged == everything
    assert backend.search(Query(size=7, page=30)).hits == []
