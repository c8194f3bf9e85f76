"""Enrichment in worker processes gives the very documents of the serial path, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from socsec.bibliography.model import Record
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
    assert [d.fingerprint for d in forked] == [d.fingerprint for d in serial]
    assert [d.id for d in forked] == [r.id for r in records]


def test_rebuild_with_workers_setting(workspace: Workspace) -> None:
    (workspace.root / "config.toml").write_text('[index]\nworkers = "2"\n', encoding="utf-8")
    from socsec.config import Settings

    ws = Workspace(root=workspace.root, settings=Settings.load(data_dir=workspace.root, env={}))
    with SearchService.open(ws) as svc:
        assert svc.workers == 2
        assert svc.rebuild().indexed == 60
        assert svc.backend.count() == 60
