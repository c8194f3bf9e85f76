"""One contract for every registered search backend: same cases, same expected results.

Setup may know backend names (to configure them); tests branch only on capabilities.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from socsec.bibliography.model import Record
from socsec.indexer import registry
from socsec.indexer.base import OWN_FIELDS, BackendConfig, IndexDoc, Query, SearchBackend, Sort
from socsec.indexer.documents import Enricher, query_groups
from tests.backends import backend_params

PENSION_SCHEME = "http://eurovoc.europa.eu/3751"  # "pension scheme"; broader: 2605
SOCIAL_BENEFIT = "http://eurovoc.europa.eu/2605"  # "social-security benefit"


@pytest.fixture(scope="module")
def docs(records: list[Record], thesaurus: object) -> list[IndexDoc]:
    return list(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]


def make_backend(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> SearchBackend:
    if name == "elasticsearch":
        url = request.getfixturevalue("es_url")
        index = f"test-{uuid.uuid4().hex[:12]}"
        # scripts/es-cluster-faults runs this suite on a 3-node cluster with replicas.
        replicas = int(os.environ.get("SOCSEC_TEST_ES_REPLICAS", "0"))
        shards = int(os.environ.get("SOCSEC_TEST_ES_SHARDS", "1"))
        # It checks answers, not latency: the fault test's loaded cluster gets more than 5 s.
        timeout = float(os.environ.get("SOCSEC_TEST_ES_TIMEOUT", "5"))
        config = BackendConfig(
            url=url, index=index, replicas=replicas, shards=shards, timeout=timeout
        )
        return registry.create(name, config)
    return registry.create(name, BackendConfig(index_path=tmp_path / "index.sqlite"))


@pytest.fixture(params=backend_params(), scope="module")
def ro_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, docs: list[IndexDoc]
) -> Iterator[SearchBackend]:
    """A backend shared by the tests that only read (indexing per test is slow on a server)."""
    b = make_backend(request.param, tmp_path_factory.mktemp("ro"), request)
    b.ensure_schema()
    b.index(docs)
    yield b
    b.drop()
    b.close()


@pytest.fixture(params=backend_params())
def backend(
    request: pytest.FixtureRequest, tmp_path: Path, docs: list[IndexDoc]
) -> Iterator[SearchBackend]:
    b = make_backend(request.param, tmp_path, request)
    b.ensure_schema()
    b.index(docs)
    yield b
    b.drop()
    b.close()


def q(text: str = "", **kw: object) -> Query:
    return Query(groups=query_groups(text, None), **kw)  # type: ignore[arg-type]


def ids(backend: SearchBackend, query: Query) -> list[str]:
    return [h.id for h in backend.search(query).hits]


def test_registry_lists_both_builtins() -> None:
    assert registry.names()[:2] == ["sqlite", "elasticsearch"]


def test_count_and_reindex_is_idempotent(backend: SearchBackend, docs: list[IndexDoc]) -> None:
    assert backend.count() == len(docs)
    backend.index(docs)
    assert backend.count() == len(docs)


def test_exact_title_term(ro_backend: SearchBackend, docs: list[IndexDoc]) -> None:
    expected = sorted(d.id for d in docs if "marijuana" in str(d.display["title"]).lower())
    assert expected
    found = ro_backend.search(q("Marijuana", size=50))
    assert sorted(h.id for h in found.hits) == expected
    assert found.total == len(expected)


def test_stemmed_and_folded(ro_backend: SearchBackend) -> None:
    # "Sécurité sociale" is the French label of social security; any accent form matches.
    plain = set(ids(ro_backend, q("securite sociale", size=100)))
    accented = set(ids(ro_backend, q("Sécurité  SOCIALE", size=100)))
    assert plain and plain == accented
    assert set(ids(ro_backend, q("pensions", size=100))) == set(
        ids(ro_backend, q("pension", size=100))
    )


def test_no_expand_fields_exclude_labels(ro_backend: SearchBackend) -> None:
    assert ids(ro_backend, q("securite sociale", fields=OWN_FIELDS)) == []


def test_concept_tokens_match(ro_backend: SearchBackend, docs: list[IndexDoc]) -> None:
    expected = {d.id for d in docs if PENSION_SCHEME in d.subjects + d.detected + d.ancestors}
    found = set(ids(ro_backend, Query(concepts=(PENSION_SCHEME,), size=100)))
    assert found == expected and expected


def test_concept_filter_narrower(ro_backend: SearchBackend, docs: list[IndexDoc]) -> None:
    wide = set(ids(ro_backend, Query(concept_filter=(SOCIAL_BENEFIT,), size=100)))
    exact = set(
        ids(ro_backend, Query(concept_filter=(SOCIAL_BENEFIT,), include_narrower=False, size=100))
    )
    assert wide == {d.id for d in docs if SOCIAL_BENEFIT in d.ancestors}
    assert exact == {d.id for d in docs if SOCIAL_BENEFIT in d.subjects}
    assert exact < wide


def test_filters(ro_backend: SearchBackend, docs: list[IndexDoc]) -> None:
    years = set(ids(ro_backend, Query(year_from=1995, year_to=2005, size=100)))
    assert years == {d.id for d in docs if d.year is not None and 1995 <= d.year <= 2005}
    laws = set(ids(ro_backend, Query(types=("legislation",), size=100)))
    assert laws == {d.id for d in docs if d.type == "legislation"}
    assert ids(ro_backend, Query(languages=("fr",))) == []
    assert len(ids(ro_backend, Query(languages=("en",), size=100))) == len(docs)
    costa = set(ids(ro_backend, Query(author="costa", size=100)))
    assert costa == {d.id for d in docs if "costa" in d.author_keys} and costa


def test_facets(ro_backend: SearchBackend, docs: list[IndexDoc]) -> None:
    if not ro_backend.capabilities.facets:
        pytest.skip("no facets")
    result = ro_backend.search(Query(facets=True, size=1))
    assert result.facets is not None
    assert dict(result.facets.type) == {"legislation": 25, "report": 35}
    assert dict(result.facets.language) == {"en": 60}
    assert sum(n for _, n in result.facets.year) == len(docs)
    counts = dict(result.facets.subjects)
    assert counts[SOCIAL_BENEFIT] == sum(SOCIAL_BENEFIT in d.subjects for d in docs)


@pytest.mark.parametrize("sort", list(Sort))
def test_paging_is_stable_and_keyset_matches(ro_backend: SearchBackend, sort: Sort) -> None:
    base = q("insurance", sort=sort, size=100)
    everything = ids(ro_backend, base)
    assert len(everything) > 7
    paged: list[str] = []
    for page in range(1, 20):
        paged += ids(ro_backend, replace(base, size=7, page=page))
    assert paged == everything
    if ro_backend.capabilities.keyset:
        streamed: list[str] = []
        query = replace(base, size=7)
        while True:
            hits = ro_backend.search(query).hits
            streamed += [h.id for h in hits]
            if len(hits) < 7:
                break
            query = replace(query, after=hits[-1].sort)
        assert streamed == everything
    if sort is Sort.year:
        years = [h.year for h in ro_backend.search(base).hits]
        assert years == sorted(years)  # type: ignore[type-var]


def test_ties_broken_by_id(ro_backend: SearchBackend) -> None:
    hits = ro_backend.search(Query(sort=Sort.year, size=100)).hits
    keys = [(h.year, h.id) for h in hits]
    assert keys == sorted(keys)


@pytest.mark.parametrize("text", ["", "   ", 'AND ) "(', "NEAR(", "*", "é", "日本語", "🙂", "a:b"])
def test_odd_queries_do_not_raise(ro_backend: SearchBackend, text: str) -> None:
    result = ro_backend.search(q(text))
    assert result.total >= 0


def test_delete(backend: SearchBackend, docs: list[IndexDoc]) -> None:
    victim = docs[0].id
    assert backend.delete([victim, "no-such-id"]) == 1
    assert backend.count() == len(docs) - 1
    assert victim not in ids(backend, Query(size=100))


def test_update_replaces_document(backend: SearchBackend, docs: list[IndexDoc]) -> None:
    doc = docs[0]
    changed = replace(doc, text={**doc.text, "title": "zyzzyva"}, fingerprint="changed")
    backend.index([changed])
    assert ids(backend, q("zyzzyva")) == [doc.id]
    assert backend.count() == len(docs)
    assert backend.fingerprints()[doc.id] == "changed"


def test_rebuild_switches_and_failed_rebuild_keeps_live(
    backend: SearchBackend, docs: list[IndexDoc]
) -> None:
    backend.rebuild(docs[:10], {"last_build": "2026-01-01T00:00:00.000000Z"})
    assert backend.count() == 10
    assert backend.info().meta["last_build"] == "2026-01-01T00:00:00.000000Z"

    def broken() -> Iterator[IndexDoc]:
        yield from docs[10:20]
        raise RuntimeError("enrichment failed")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken(), {"last_build": "later"})
    assert backend.count() == 10
    assert backend.info().meta["last_build"] == "2026-01-01T00:00:00.000000Z"
    assert len(ids(backend, Query(size=100))) == 10
