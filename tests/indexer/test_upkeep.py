"""Index upkeep functions the application layer calls after a write."""

from __future__ import annotations

from socsec.indexer.service import SearchRequest, SearchService
from socsec.indexer.upkeep import delete_records, update_records
from socsec.workspace import Workspace

RECORD = "nber-w0860"


def _ids(ws: Workspace) -> set[str]:
    with SearchService.open(ws) as svc:
        return {h.id for h in svc.iter_hits(SearchRequest())}


def test_never_built_index_is_left_alone(workspace: Workspace) -> None:
    assert update_records(workspace, [RECORD]) is None
    assert not workspace.index_db.exists()


def test_delete_then_update_records(workspace: Workspace) -> None:
    with SearchService.open(workspace) as svc:
        svc.rebuild()
        total = svc.backend.count()
    assert delete_records(workspace, [RECORD]) is None
    assert RECORD not in _ids(workspace)
    with SearchService.open(workspace) as svc:
        assert svc.backend.count() == total - 1
    assert update_records(workspace, [RECORD]) is None
    assert RECORD in _ids(workspace)
    with SearchService.open(workspace) as svc:
        assert svc.backend.count() == total
        assert not svc.status().stale
