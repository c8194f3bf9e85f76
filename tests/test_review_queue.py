"""The one review queue (socsec.app.review) on the bundled data, and `bib review` walking it.

The bundled sample ships automatic subjects on NBER papers and records without subjects: the
queue offers the former to confirm, then suggestions for the latter; a verdict is written on
the version shown, and a rejection is never offered or assigned again.
"""

from __future__ import annotations

import sqlite3
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from socsec.app import autoindex
from socsec.app.review import CONFIRM, SUGGEST, decide, page, queue
from socsec.bibliography.codec import record_to_dict
from socsec.bibliography.store import get_store
from socsec.cli.app import app
from socsec.config import Settings
from socsec.errors import PreconditionRequired, StaleVersion
from socsec.workspace import Workspace

runner = CliRunner()


def _ws(root: Path) -> Workspace:
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


def cli(data_dir: Path, *args: str, input: str | None = None, code: int = 0) -> Result:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], input=input)
    assert result.exit_code == code, f"{args}: {result.stderr}"
    return result


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_automatic_subjects_first_then_suggestions_paged_with_one_model_load(
    bundled_data_dir: Path, model_loads: list[Path]
) -> None:
    ws = _ws(bundled_data_dir)
    with get_store(ws) as store:
        automatic = store.ids_with_automatic()
        bare = set(store.ids_without_subjects())
    first = page(ws, size=5)
    assert [i.record.id for i in first.items] == automatic[:5]
    assert all(i.automatic and i.cursor == f"{CONFIRM}:{i.record.id}" for i in first.items)
    item = first.items[0]
    held = {s.uri: s for s in item.record.subjects if s.provenance == "automatic"}
    for c in item.candidates:
        assert c.automatic and c.label and c.label != c.uri
        assert (c.score, c.method, c.model) == (held[c.uri].score, "ensemble", held[c.uri].model)
    second = page(ws, size=5, after=first.next_after)
    assert [i.record.id for i in second.items] == automatic[5:10]
    assert not model_loads  # confirming automatic subjects needs no model
    # A page across the two parts: the last automatic records, then suggestions.
    across = page(ws, size=6, after=f"{CONFIRM}:{automatic[-3]}", min_score=0.1)
    assert len(model_loads) == 1
    ids = [i.record.id for i in across.items]
    assert ids[:2] == automatic[-2:] and len(ids) == 6
    suggested = across.items[2:]
    assert [i.record.id for i in suggested] == sorted(i.record.id for i in suggested)
    assert all(not i.automatic and i.record.id in bare for i in suggested)
    assert all(c.score is not None and c.score >= 0.1 for i in suggested for c in i.candidates)
    assert any(c.reasons for i in suggested for c in i.candidates)
    assert across.next_after == f"{SUGGEST}:{ids[-1]}"
    later = page(ws, size=3, after=across.next_after, min_score=0.1)
    assert len(model_loads) == 2  # once per page
    assert later.items and all(i.record.id > ids[-1] for i in later.items)
    # The generator and the pages agree; a bare record id (an old link) starts in part one.
    walked = [i.record.id for i in queue(ws, records=8)]
    assert walked == automatic[:8]
    assert [i.record.id for i in page(ws, size=2, after=automatic[1]).items] == automatic[2:4]


def test_confirm_turns_provenance_accepted_and_changes_nothing_else(
    indexed_data_dir: Path,
) -> None:
    ws = _ws(indexed_data_dir)
    (item,) = page(ws, size=1).items
    target = item.candidates[0].uri
    db = ws.bibliography_db
    subjects_sql = "SELECT record_id, uri, provenance, score, method, model, position FROM subjects"
    records_sql = "SELECT id, type, title, year, doi, isbn, language, data, created FROM records"
    subjects, records = _rows(db, subjects_sql), _rows(db, records_sql)
    before = record_to_dict(item.record)
    decide(ws, item.record.id, version=item.version, accept=[target])
    expected = [
        (r[0], r[1], "accepted", *r[3:]) if r[:2] == (item.record.id, target) else r
        for r in subjects
    ]
    assert _rows(db, subjects_sql) == expected
    assert _rows(db, records_sql) == records  # byte-identical, the record's own row included
    with get_store(ws) as store:
        after = record_to_dict(store.get(item.record.id))
    assert {k for k in before if before[k] != after[k]} <= {"subjects", "modified"}
    cli(indexed_data_dir, "index", "status", "--check")
    # The record left the queue if it held no other automatic subject.
    rest = [c.uri for c in item.candidates[1:]]
    shown = page(ws, size=1).items[0]
    assert shown.record.id != item.record.id or [c.uri for c in shown.candidates] == rest


def test_a_rejection_is_remembered_across_runs(bundled_data_dir: Path) -> None:
    ws = _ws(bundled_data_dir)
    item = next(i for i in queue(ws) if len(i.candidates) >= 2)
    rid, (kept, refused) = item.record.id, [c.uri for c in item.candidates[:2]]
    decide(ws, rid, version=item.version, reject=[refused])
    again = next(i for i in queue(ws) if i.record.id == rid)
    assert refused not in {c.uri for c in again.candidates} and kept in {
        c.uri for c in again.candidates
    }
    # Automatic indexing at threshold 0 does not give it back.
    autoindex.run(ws, [rid], threshold=0.0, limit=20)
    with get_store(ws) as store:
        assert refused not in {s.uri for s in store.get(rid).subjects}
        assert store.rejected([rid])[rid] == {refused}
    # A rejected suggestion is not suggested again either.
    (offered,) = page(ws, size=1, after=f"{SUGGEST}:", min_score=0.0, limit=10).items
    dropped = offered.candidates[0].uri
    decide(ws, offered.record.id, version=offered.version, reject=[dropped])
    (again,) = page(ws, size=1, after=f"{SUGGEST}:", min_score=0.0, limit=10).items
    assert again.record.id == offered.record.id
    assert dropped not in {c.uri for c in again.candidates}


def test_a_verdict_on_a_changed_record_writes_nothing(bundled_data_dir: Path) -> None:
    ws = _ws(bundled_data_dir)
    (item,) = page(ws, size=1).items
    rid, uri = item.record.id, item.candidates[0].uri
    with pytest.raises(PreconditionRequired):
        decide(ws, rid, version=None, accept=[uri])
    cli(bundled_data_dir, "bib", "edit", rid, "--set", "notes=checked by hand")
    with pytest.raises(StaleVersion):
        decide(ws, rid, version=item.version, reject=[uri])
    with get_store(ws) as store:
        assert uri in {s.uri for s in store.get(rid).subjects}
        assert not store.rejected([rid])


def test_bib_review_confirms_in_french_and_remembers_the_rejection(
    indexed_data_dir: Path,
) -> None:
    ws = _ws(indexed_data_dir)
    items = list(islice(queue(ws, lang="fr", limit=2), 50))
    at = next(n for n, i in enumerate(items) if len(i.candidates) == 2)
    item, rid = items[at], items[at].record.id
    first, second = item.candidates
    args = ("bib", "review", "--force-interactive", "--lang", "fr", "-n", "2")
    # Records before it hold one automatic subject each (shown, skipped); then y, n, quit.
    result = cli(indexed_data_dir, *args, input="s\n" * at + "y\nn\nq\n")
    out = " ".join(result.stdout.split())
    assert item.record.title[:30] in out and "to confirm" in out
    assert first.label in out and first.label != first.uri
    assert f"Confirm {first.label!r}?" in result.stderr
    assert f"{rid}: 1 accepted, 1 rejected." in result.stderr
    with get_store(ws) as store:
        kinds = {s.uri: s.provenance for s in store.get(rid).subjects}
        assert store.rejected([rid])[rid] == {second.uri}
    assert kinds[first.uri] == "accepted" and second.uri not in kinds
    cli(indexed_data_dir, "index", "status", "--check")
    # The next run starts after what was decided; the rejected concept is not offered.
    shown = [c.uri for i in queue(ws, limit=20) if i.record.id == rid for c in i.candidates]
    assert second.uri not in shown and first.uri not in shown


def test_bib_review_shows_the_abstract(bundled_data_dir: Path) -> None:
    """A EUR-Lex act (real abstract) given automatic subjects beside its manual ones comes
    first in the queue (ids sort before nber-), shown with its abstract on both faces.
    """
    from fastapi.testclient import TestClient

    from socsec.web.app import create_app
    from tests.web.accounts import add_user, sign_in

    ws = _ws(bundled_data_dir)
    act = "31979L0007"
    report = autoindex.run(ws, [act], threshold=0.0, limit=2, include_manual=True).value
    assert report.changed == 1
    (item,) = page(ws, size=1).items
    assert item.record.id == act and item.record.abstract and item.candidates
    opening = " ".join(item.record.abstract.split())[:40]
    result = cli(bundled_data_dir, "bib", "review", "--force-interactive", input="q\n")
    assert opening in " ".join(result.stdout.split())
    add_user(ws, "ed", "editor")
    with TestClient(create_app(ws)) as client:
        sign_in(client, "ed")
        shown = client.get("/review").text
    assert '<details class="abstract" open>' in shown and opening[:30] in shown
