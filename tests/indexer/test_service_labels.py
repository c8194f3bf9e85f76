"""Labels on hits are kept between searches, and an edit of the thesaurus is seen at once."""

from __future__ import annotations

from socsec.app.thesaurus import edit_concept
from socsec.indexer.service import SearchRequest, SearchService
from socsec.thesaurus.curation import LabelEdit
from socsec.workspace import Workspace


def _labels(svc: SearchService, text: str) -> dict[str, str]:
    resp = svc.search(SearchRequest(text=text, facets=True))
    return {s.uri: s.label for h in resp.hits for s in h.subjects}


def test_a_label_edit_is_shown_by_an_open_service(workspace: Workspace) -> None:
    with SearchService.open(workspace) as svc:
        before = _labels(svc, "pension")
        assert before
        uri, label = sorted(before.items())[0]
        statements: list[str] = []
        svc.thesaurus._conn.set_trace_callback(statements.append)
        assert _labels(svc, "pension") == before
        svc.thesaurus._conn.set_trace_callback(None)
        # The second search read no label: every one was kept.
        assert not [s for s in statements if "FROM labels" in s]

        edit_concept(workspace, uri, [LabelEdit("set", "pref", "en", f"{label} (renamed)")])
        after = _labels(svc, "pension")
        assert after[uri] == f"{label} (renamed)"
