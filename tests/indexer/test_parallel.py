"""Enrichment in worker processes gives the very documents of the serial path, in order."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from socsec.bibliography.model import Record
from socsec.bibliography.store import BibliographyStore
from socsec.errors import NotFoundError
from socsec.indexer import parallel
from socsec.indexer.documents import Enricher
from socsec.indexer.service import SearchService
from socsec.workspace import Workspace


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_parallel_equals_serial(
    records: list[Record], thesaurus: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 7)  # several chunks per worker, reordered by speed
    serial = list(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]
    path = Path(thesaurus.path)  # type: ignore[attr-defined]
    enricher = Enricher(thesaurus)  # type: ignore[arg-type]
    forked = list(parallel.enrich_parallel(enricher, path, iter(records), 3))
    assert forked == serial  # every field, with its type (a tuple never comes back a list)
    assert [d.id for d in forked] == [r.id for r in records]


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
@pytest.mark.parametrize("detect", [True, False])
def test_workers_reading_store_slices_equal_serial(
    workspace: Workspace, thesaurus: object, monkeypatch: pytest.MonkeyPatch, detect: bool
) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 7)  # 9 slices of the 60 records, the last short
    with BibliographyStore.open(workspace.bibliography_db) as store:
        serial = list(Enricher(thesaurus, detect).enrich_all(store.iter_records()))  # type: ignore[arg-type]
        enricher = Enricher(thesaurus, detect)  # type: ignore[arg-type]
        path = Path(thesaurus.path)  # type: ignore[attr-defined]
        forked = list(parallel.enrich_store(enricher, path, store, 2))
    assert len(serial) == 60
    assert forked == serial  # the workers enrich as the parent's enricher says
    assert any(d.detected for d in serial) is detect
    assert [type(d.author_keys) for d in forked] == [tuple] * 60


def test_encoded_documents_decode_equal(records: list[Record], thesaurus: object) -> None:
    docs = list(Enricher(thesaurus).enrich_all(records))  # type: ignore[arg-type]
    blob = parallel.encode_docs(docs)
    assert parallel.decode_docs(blob) == docs


def test_id_slices_cover_every_record_once(workspace: Workspace) -> None:
    with BibliographyStore.open(workspace.bibliography_db) as store:
        slices = list(store.id_slices(7))
        ids = [r.id for a, b in slices for r in store.iter_records(after=a, upto=b)]
        assert ids == [r.id for r in store.iter_records()]
    assert len(ids) == 60 and len(slices) == 9
    assert slices[0][0] == ""
    assert all(b == c for (_a, b), (c, _d) in zip(slices, slices[1:], strict=False))


def test_rebuild_with_workers_setting(workspace: Workspace) -> None:
    (workspace.root / "config.toml").write_text('[index]\nworkers = "2"\n', encoding="utf-8")
    from socsec.config import Settings

    ws = Workspace(root=workspace.root, settings=Settings.load(data_dir=workspace.root, env={}))
    with SearchService.open(ws) as svc:
        assert svc.workers == 2
        assert svc.rebuild().indexed == 60
        assert svc.backend.count() == 60


def test_auto_workers_follow_the_store_size_and_the_cores() -> None:
    from socsec.indexer.parallel import AUTO_MAX_WORKERS, AUTO_MIN_RECORDS, workers_for

    cores = len(os.sched_getaffinity(0))
    assert workers_for("auto", AUTO_MIN_RECORDS - 1) == 1  # forking would cost more
    assert workers_for("auto", AUTO_MIN_RECORDS) == min(cores, AUTO_MAX_WORKERS)
    assert workers_for("3", 10) == 3  # a number is taken as given


def test_auto_is_the_default_and_a_bad_value_is_refused(workspace: Workspace) -> None:
    from socsec.config import Settings
    from socsec.errors import ConfigError

    assert Settings.load(data_dir=workspace.root, env={}).get("index.workers") == "auto"
    with pytest.raises(ConfigError, match="auto or a whole number"):
        Settings.load(data_dir=workspace.root, env={"SOCSEC_INDEX_WORKERS": "many"})


def test_enrich_all_sets_objects_aside_only_while_it_runs(
    records: list[Record], thesaurus: object
) -> None:
    enricher = Enricher(thesaurus)  # type: ignore[arg-type]
    stream = enricher.enrich_all(records)
    next(stream), next(stream)
    assert gc.get_freeze_count() > 0  # the matcher and caches: out of the collector's walks
    stream.close()  # a consumer that stops early
    assert gc.get_freeze_count() == 0
    assert len(list(enricher.enrich_all(records))) == 60
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")
def test_a_worker_that_cannot_open_the_thesaurus_fails_the_rebuild(
    workspace: Workspace, thesaurus: object, tmp_path: Path
) -> None:
    # multiprocessing.Pool starts a worker whose initializer raised again, forever: the
    # error must reach the parent instead.
    with BibliographyStore.open(workspace.bibliography_db) as store:
        enricher = Enricher(thesaurus)  # type: ignore[arg-type]
        with pytest.raises(NotFoundError, match="not found"):
            list(parallel.enrich_store(enricher, tmp_path / "gone.sqlite", store, 2))
