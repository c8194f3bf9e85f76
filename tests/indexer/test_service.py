"""The search service on both backends: cross-lingual retrieval, concepts, lifecycle."""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from socsec.bibliography.model import Record, RecordType
from socsec.bibliography.store import BibliographyStore
from socsec.config import Settings
from socsec.errors import AmbiguousReference, NotFoundError
from socsec.indexer import registry
from socsec.indexer.base import BackendConfig, Sort
from socsec.indexer.service import SearchRequest, SearchService, StaleIndex
from socsec.thesaurus.lookup import get_cache
from socsec.workspace import Workspace
from tests.backends import backend_params

PENSION_PLANS = {"nber-w0910", "nber-w0924", "nber-w0935", "nber-w10543"}  # "... Pension Plan(s)"
EARLY_RETIREMENT = {"nber-w0204", "nber-w0654", "nber-w12237", "nber-w12303"}
PENSION_SCHEME = "http://eurovoc.europa.eu/3751"


def _service(request: pytest.FixtureRequest, workspace: Workspace) -> Iterator[SearchService]:
    if request.param == "elasticsearch":
        url = request.getfixturevalue("es_url")
        config = BackendConfig(url=url, index=f"test-{uuid.uuid4().hex[:12]}")
    else:
        config = BackendConfig(index_path=workspace.index_db)
    backend = registry.create(request.param, config)
    svc = SearchService(
        backend, get_cache(workspace), BibliographyStore.open(workspace.bibliography_db)
    )
    svc.rebuild()
    yield svc
    backend.drop()
    svc.close()


@pytest.fixture(params=backend_params())
def service(request: pytest.FixtureRequest, workspace: Workspace) -> Iterator[SearchService]:
    yield from _service(request, workspace)


@pytest.fixture(scope="module", params=backend_params())
def read_service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _workspace_template: Path,
) -> Iterator[SearchService]:
    """:func:`service` built once per module and backend, for the tests that only search."""
    root = tmp_path_factory.mktemp("read") / "data"
    shutil.copytree(_workspace_template, root)
    yield from _service(
        request, Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    )


def ids(svc: SearchService, text: str, **kw: object) -> set[str]:
    return {h.id for h in svc.iter_hits(SearchRequest(text=text, **kw))}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("retraite", PENSION_PLANS),  # fr altLabel of "pension scheme"
        ("régime de retraite", PENSION_PLANS),  # fr prefLabel
        ("retraite anticipée", EARLY_RETIREMENT),
        ("jubilación anticipada", EARLY_RETIREMENT),
    ],
)
def test_cross_lingual_through_concepts(
    read_service: SearchService, query: str, expected: set[str]
) -> None:
    # The fixture records are English-only: French/Spanish words reach them only via concepts.
    assert expected <= ids(read_service, query)
    assert ids(read_service, query, expand=False) == set()


def test_same_query_in_english_matches_text(read_service: SearchService) -> None:
    assert EARLY_RETIREMENT <= ids(read_service, "early retirement", expand=False)
    # Spanish "plan de pensiones" shares stems with "pension plans", and names the concept.
    assert PENSION_PLANS <= ids(read_service, "plan de pensiones")


def test_explain_names_the_concept(read_service: SearchService) -> None:
    resp = read_service.search(SearchRequest(text="retraite", size=50), explain=True)
    assert [e.uri for e in resp.expansions] == [PENSION_SCHEME]
    assert resp.expansions[0].matched_label == "retraite"
    hit = next(h for h in resp.hits if h.id == "nber-w0910")
    assert "concept in title/abstract: pension scheme (query 'retraite')" in hit.why


def test_highlight_marks_stemmed_words(read_service: SearchService) -> None:
    resp = read_service.search(SearchRequest(text="retirements", size=50))
    marked = {h.id: h.highlight for h in resp.hits}
    assert marked["nber-w0204"] == "The Effect of Social Security on Early <em>Retirement</em>"


def test_concept_filter_by_label_in_any_language(read_service: SearchService) -> None:
    wide = ids(read_service, "", concept="sécurité sociale")
    exact = ids(read_service, "", concept="seguridad social", exact_concept=True)
    assert exact and exact < wide
    with pytest.raises(NotFoundError) as info:
        ids(read_service, "", concept="no such concept zzz")
    assert not isinstance(info.value, AmbiguousReference)


def test_facets_use_labels_in_chosen_language(read_service: SearchService) -> None:
    resp = read_service.search(SearchRequest(facets=True, lang="fr", size=1))
    assert resp.facets is not None
    labels = {f.value: f.label for f in resp.facets["subjects"]}
    assert labels["http://eurovoc.europa.eu/2605"] == "prestation sociale"
    assert resp.total == 60


def test_sort_and_filters(read_service: SearchService) -> None:
    resp = read_service.search(
        SearchRequest(year_from=2000, year_to=2010, sort=Sort.year_desc, types=("report",), size=50)
    )
    years = [h.year for h in resp.hits]
    assert years == sorted(years, reverse=True)  # type: ignore[type-var]
    assert all(2000 <= (y or 0) <= 2010 for y in years) and years


def test_status_update_cycle(service: SearchService, records: list[Record]) -> None:
    status = service.check()
    assert not status.stale and status.documents == status.records == 60
    service.store.add(Record(id="new-1", type=RecordType.report, title="Retirement and pensions"))
    with pytest.raises(StaleIndex):
        service.check()
    report = service.update()
    # The new record is found by its modification time: no scan of every fingerprint.
    assert (report.reindexed, report.deleted, report.full_scan) == (1, 0, False)
    assert "new-1" in ids(service, "plan de pensiones")
    service.store.delete("new-1")
    report = service.update()
    assert report.deleted == 1
    assert not service.status().stale


def test_export_bibtex(read_service: SearchService) -> None:
    out = io.StringIO()
    n = read_service.export(SearchRequest(text="jubilación anticipada"), "bibtex", out)
    assert n >= len(EARLY_RETIREMENT)
    assert "Early Retirement" in out.getvalue()


def test_failed_rebuild_leaves_live_index(service: SearchService, tmp_path: Path) -> None:
    before = service.backend.count()

    class BrokenError(Exception):
        pass

    def explode(*_a: object) -> None:
        raise BrokenError

    with pytest.raises(BrokenError):
        service.rebuild(on_progress=explode)
    assert service.backend.count() == before
    assert ids(service, "retraite")


def test_reindex_hook(service: SearchService) -> None:
    from dataclasses import replace

    record = service.store.get("nber-w0860")  # "Labor Supply under Disability Insurance"
    service.store.replace(replace(record, title="Labor Supply under Early Retirement"))
    assert service.reindex(["nber-w0860", "no-such-record"]) == 1
    assert "nber-w0860" in ids(service, "jubilación anticipada")
