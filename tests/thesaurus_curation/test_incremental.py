"""Curation updates the lookup cache in place: only the changed concepts' rows, same result.

Runs on the bundled EuroVoc extract (real data, (c) European Union). The reference for
"same result" is a full recompilation of the same store files.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from socsec.config import Settings
from socsec.thesaurus import curation
from socsec.thesaurus.compile import rebuild_cache
from socsec.thesaurus.curation import LabelEdit
from socsec.workspace import Workspace
from tests.thesaurus_curation.conftest import (
    EARLY_RETIREMENT,
    RETIREMENT_CONDITIONS,
    SCHEME,
    TERMINATION,
)


def _ws(root: Path) -> Workspace:
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={"USER": "t"}))


def _snapshot(cache: Path) -> dict[str, object]:
    """The cache's content keyed by URIs (ids differ between builds), meta aside."""
    conn = sqlite3.connect(cache)
    uri = dict(conn.execute("SELECT id, uri FROM concepts"))
    out: dict[str, object] = {
        "concepts": {
            row[0]: (row[1], row[2], row[3], json.loads(row[4]))
            for row in conn.execute(
                "SELECT uri, notation, deprecated, narrower_count, data FROM concepts"
            )
        },
        "labels": sorted((uri[c], *rest) for c, *rest in conn.execute("SELECT * FROM labels")),
        "broader": sorted((uri[c], uri[p]) for c, p in conn.execute("SELECT * FROM broader")),
        "closure": sorted((uri[a], uri[d], n) for a, d, n in conn.execute("SELECT * FROM closure")),
        "schemes": dict(conn.execute("SELECT uri, data FROM schemes")),
        "members": sorted(
            (uri[c], s, t) for c, s, t in conn.execute("SELECT * FROM concept_schemes")
        ),
        "words": conn.execute(
            "SELECT count(*) FROM label_words WHERE label_words MATCH 'retraite'"
        ).fetchone(),
    }
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    out["label_counts"] = json.loads(meta["label_counts"])
    out["triples"] = meta["triples"]
    conn.close()
    return out


def test_changes_then_undo_match_a_full_rebuild(data_dir: Path, tmp_path: Path) -> None:
    ws = _ws(data_dir)
    new = curation.add_concept(
        ws, [("en", "phased retirement"), ("fr", "retraite progressive")], broader=[TERMINATION]
    ).uri
    assert new is not None
    curation.edit_concept(ws, EARLY_RETIREMENT, [LabelEdit("add", "alt", "fr", "préretraite x")])
    curation.link(ws, new, "related", RETIREMENT_CONDITIONS)
    curation.link(ws, EARLY_RETIREMENT, "broader", new)  # moves a subtree
    curation.merge(ws, RETIREMENT_CONDITIONS, into=new)
    curation.undo(ws)
    incremental = _snapshot(ws.thesaurus_cache)
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    rebuild_cache(_ws(copy))
    assert incremental == _snapshot(_ws(copy).thesaurus_cache)


def test_an_edit_rewrites_only_the_rows_of_the_changed_concept(data_dir: Path) -> None:
    ws = _ws(data_dir)
    curation.edit_concept(ws, TERMINATION, [LabelEdit("add", "alt", "en", "warm-up")])
    before = _snapshot(ws.thesaurus_cache)
    result = curation.edit_concept(
        ws, EARLY_RETIREMENT, [LabelEdit("add", "alt", "en", "leaving work early")]
    )
    # One concept row (its data: the new label and dct:modified) and one label row.
    assert result.cache_rows == {"concepts": 1, "labels": 1}
    assert result.affected == {EARLY_RETIREMENT}
    after = _snapshot(ws.thesaurus_cache)
    changed = {
        u
        for u in before["concepts"]  # type: ignore[attr-defined]
        if before["concepts"][u] != after["concepts"][u]  # type: ignore[index]
    }
    assert changed == {EARLY_RETIREMENT}
    added = set(after["labels"]) - set(before["labels"])  # type: ignore[arg-type]
    assert {row[0] for row in added} == {EARLY_RETIREMENT} and len(added) == 1
    assert set(before["labels"]) - set(after["labels"]) == set()  # type: ignore[arg-type]


def test_moving_a_concept_affects_it_and_its_descendants(data_dir: Path) -> None:
    ws = _ws(data_dir)
    with sqlite3.connect(ws.thesaurus_cache) as conn:
        below = {
            u
            for (u,) in conn.execute(
                "SELECT c.uri FROM closure k JOIN concepts c ON c.id = k.des "
                "JOIN concepts a ON a.id = k.anc WHERE a.uri = ?",
                (TERMINATION,),
            )
        }
    assert EARLY_RETIREMENT in below
    target = curation.add_concept(ws, [("en", "labour market exit")], scheme=SCHEME).uri
    assert target is not None
    result = curation.link(ws, TERMINATION, "broader", target)
    assert result.affected == below | {TERMINATION}
    undone = curation.undo(ws)
    assert undone.affected == below | {TERMINATION}
