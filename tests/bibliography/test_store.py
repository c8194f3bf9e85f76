"""The SQLite store: schema, transactions, CRUD, tags, retag hook, merge, import semantics."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from socsec.bibliography.formats import csljson
from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.service import import_file
from socsec.bibliography.store import SCHEMA_VERSION, BibliographyStore, now_iso
from socsec.errors import InputDataError, NotFoundError, ValidationFailed
from socsec.thesaurus.lookup import ThesaurusCache
from socsec.workspace import Workspace

from .conftest import DATA, EARLY_RETIREMENT, SOCIAL_SECURITY


def test_schema_wal_foreign_keys(empty_store: BibliographyStore) -> None:
    assert empty_store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(empty_store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"records", "subjects", "aliases", "deletions", "meta"} <= tables
    assert empty_store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # Reopening does not re-run migrations.
    BibliographyStore.open(empty_store.path).close()


def test_newer_schema_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(InputDataError, match="newer"):
        BibliographyStore.open(path)


def test_sample_loaded(store: BibliographyStore) -> None:
    assert store.count() == 1802
    act = store.get("31979L0007")
    assert act.type is RecordType.legislation and act.year == 1979
    assert Subject(SOCIAL_SECURITY) in act.subjects
    paper = store.get("nber-w0107")
    assert paper.title == "Social Security and Retirement Decisions"
    assert paper.authors == (Person(family="Boskin", given="Michael J"),)


def test_add_get_delete(empty_store: BibliographyStore, cache: ThesaurusCache) -> None:
    rec = empty_store.add(
        Record(id="", type=RecordType.report, title="Social Security and Retirement Decisions",
               authors=(Person("Boskin", "Michael J"),), year=1975,
               subjects=(Subject(EARLY_RETIREMENT),)),
        cache,
    )  # fmt: skip
    assert rec.id == "boskin1975social"
    assert empty_store.get(rec.id).subjects == (Subject(EARLY_RETIREMENT),)
    with pytest.raises(ValidationFailed, match="already exists"):
        empty_store.add(dataclasses.replace(rec, created=None), cache)
    before = now_iso()
    empty_store.delete(rec.id)
    assert empty_store.deleted_since(before) == [rec.id]
    with pytest.raises(NotFoundError):
        empty_store.get(rec.id)


def test_failed_write_rolls_back(empty_store: BibliographyStore) -> None:
    with pytest.raises(ValidationFailed):
        empty_store.add(Record(id="x", type=RecordType.report, title="T",
                               subjects=(Subject("http://example.org/nope"),)), None)  # fmt: skip
    assert empty_store.count() == 0


def test_tag_untag_and_modified(store: BibliographyStore, cache: ThesaurusCache) -> None:
    since = now_iso()
    rec = store.tag("nber-w0910", [EARLY_RETIREMENT], checker=cache)
    assert Subject(EARLY_RETIREMENT) in rec.subjects
    assert store.ids_modified_since(since) == ["nber-w0910"]
    rec = store.tag("nber-w0910", [SOCIAL_SECURITY], provenance="automatic", checker=cache)
    assert Subject(SOCIAL_SECURITY, "automatic") in rec.subjects
    with pytest.raises(ValidationFailed, match="unknown subject"):
        store.tag("nber-w0910", ["http://eurovoc.europa.eu/0"], checker=cache)
    rec = store.untag("nber-w0910", [EARLY_RETIREMENT])
    assert [s.uri for s in rec.subjects] == [SOCIAL_SECURITY]
    with pytest.raises(NotFoundError):
        store.untag("nber-w0910", [EARLY_RETIREMENT])


def test_retag_hook(store: BibliographyStore, cache: ThesaurusCache) -> None:
    tagged = store.ids_tagged_with(SOCIAL_SECURITY)
    assert len(tagged) >= 10
    store.tag(tagged[0], [EARLY_RETIREMENT], provenance="automatic", checker=cache)
    had = set(store.ids_tagged_with(EARLY_RETIREMENT))  # the sample's automatic ones too
    since = now_iso()
    changed = store.retag(SOCIAL_SECURITY, EARLY_RETIREMENT)
    assert changed == len(tagged)
    assert store.ids_tagged_with(SOCIAL_SECURITY) == []
    both = sorted(set(tagged) | had)
    assert store.ids_tagged_with(EARLY_RETIREMENT) == both
    # Both tags on one record collapse to one, manual because the old one was.
    assert [s for s in store.get(tagged[0]).subjects if s.uri == EARLY_RETIREMENT] == [
        Subject(EARLY_RETIREMENT, "manual")
    ]
    assert sorted(store.ids_modified_since(since)) == sorted(tagged)
    assert store.retag(EARLY_RETIREMENT, None) == len(both)
    assert store.ids_tagged_with(EARLY_RETIREMENT) == []


def test_merge_keeps_alias(store: BibliographyStore, cache: ThesaurusCache) -> None:
    store.tag("nber-w0107", [EARLY_RETIREMENT], checker=cache)
    merged = store.merge("31979L0007", "nber-w0107")
    assert "nber-w0107" in merged.aliases
    assert {EARLY_RETIREMENT, SOCIAL_SECURITY} <= {s.uri for s in merged.subjects}
    assert merged.publisher == "National Bureau of Economic Research"  # filled from the other
    assert store.get("nber-w0107").id == "31979L0007"  # the alias resolves
    assert store.count() == 1801
    with pytest.raises(ValidationFailed, match="same record"):
        store.merge("31979L0007", "nber-w0107")


def test_import_all_or_nothing(empty_store: BibliographyStore, cache: ThesaurusCache) -> None:
    with pytest.raises(InputDataError) as info:
        import_file(empty_store, DATA / "bad-record.json", checker=cache)
    assert "bad-record.json, line 3" in str(info.value) and "ISBN" in str(info.value)
    assert empty_store.count() == 0


def test_import_skip_invalid(empty_store: BibliographyStore, cache: ThesaurusCache) -> None:
    report = import_file(empty_store, DATA / "bad-record.json", checker=cache, skip_invalid=True)
    assert (report.created, len(report.rejected)) == (1, 1)
    assert report.rejected[0].number == 2 and "check digit" in report.rejected[0].reason


def test_reimport_counts(
    empty_store: BibliographyStore, cache: ThesaurusCache, tmp_path: Path
) -> None:
    first = import_file(empty_store, DATA / "sample.json", checker=cache)
    assert (first.created, first.updated, first.unchanged) == (30, 0, 0)
    again = import_file(empty_store, DATA / "sample.json", checker=cache)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    # Same records from another format match on id: nothing new; some fields differ a bit.
    ris = import_file(empty_store, DATA / "sample.ris", checker=cache)
    assert ris.created == 0 and ris.total == 30
    assert empty_store.count() == 30


def test_match_on_doi_and_isbn(empty_store: BibliographyStore) -> None:
    base = Record(id="a", type=RecordType.book, title="Pensions", doi="10.3386/w0107",
                  isbn="0-306-40615-2")  # fmt: skip
    empty_store.upsert(base)
    _, status = empty_store.upsert(
        dataclasses.replace(base, id="b", doi="https://doi.org/10.3386/W0107")
    )
    assert status == "unchanged"
    _, status = empty_store.upsert(
        dataclasses.replace(base, id="c", doi=None, isbn="9780306406157", edition="2")
    )
    assert status == "updated"
    assert empty_store.count() == 1 and empty_store.get("a").edition == "2"


@pytest.mark.parametrize("batch", [2, 500])
def test_import_matches_records_of_the_same_batch(
    empty_store: BibliographyStore, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    from socsec.bibliography import importing
    from socsec.bibliography.store import Located

    # Within a batch new records are inserted together: later ones must still match them.
    monkeypatch.setattr(importing, "IMPORT_BATCH", batch)
    a = Record(id="a", type=RecordType.book, title="Pensions", doi="10.3386/w0107")
    nameless = Record(id="", type=RecordType.report, title="Early retirement", year=1994,
                      authors=(Person("Costa", "Dora L."),))  # fmt: skip
    records = [
        a,  # created
        dataclasses.replace(a, id="b", edition="2"),  # same DOI: fills a's edition
        dataclasses.replace(a, isbn="0-306-40615-2"),  # same id: fills a's ISBN
        Record(id="c", type=RecordType.book, title="Other", isbn="9780306406157"),  # a's ISBN,
        nameless,  # created with a generated key                   # another title: conflict
        nameless,  # same generated key and title: unchanged
        dataclasses.replace(a, edition="2", isbn="9780306406157"),  # nothing new: unchanged
    ]
    report = empty_store.import_records(
        [Located(r, n) for n, r in enumerate(records, start=1)], source="x"
    )
    counts = (report.created, report.updated, report.unchanged, report.conflicted)
    assert counts == (2, 2, 2, 1)
    assert report.ids == ["a", "a", "a", "costa1994early"]
    assert [(c.number, c.field, c.stored, c.incoming) for c in report.conflicts] == [
        (4, "title", "Pensions", "Other")
    ]
    assert sorted(r.id for r in empty_store.iter_records()) == ["a", "costa1994early"]
    assert (empty_store.get("a").title, empty_store.get("a").edition) == ("Pensions", "2")
    # One "(created)" row per created record, in the order written, before its changes.
    assert report.change_id is not None
    assert empty_store.created_by(report.change_id) == ["a", "costa1994early"]
    fields = [c.field for c in empty_store.history("a")]
    assert fields[0] == "(created)" and fields.count("(created)") == 1 and "edition" in fields


def test_created_rows_of_an_import_into_a_filled_store(
    store: BibliographyStore, cache: ThesaurusCache
) -> None:
    from socsec.bibliography.store import Located

    # The history's "(created)" rows name exactly the records this import created, in file
    # order, however many records (and deleted ones) the store held before.
    store.delete(next(iter(store.iter_records())).id)
    copies = [
        dataclasses.replace(r, id=f"{r.id}-copy", doi=None, isbn=None)
        for r in csljson.read(DATA / "sample.json")
    ]
    copies.reverse()  # not in id order
    report = store.import_records(
        [Located(r, n) for n, r in enumerate(copies, start=1)], source="copies", checker=cache
    )
    assert report.created == len(copies) == 30
    assert report.change_id is not None
    assert store.created_by(report.change_id) == [r.id for r in copies]


def test_query_filters(store: BibliographyStore) -> None:
    acts = store.query(types=[RecordType.legislation], years=(1979, 1979))
    assert "31979L0007" in [r.id for r in acts]
    tagged = store.query(concepts=[SOCIAL_SECURITY], sort="year", limit=3)
    assert [r.year for r in tagged] == sorted(r.year for r in tagged)
    assert store.query(language="fr") == []


def test_iter_records_streams_everything(store: BibliographyStore) -> None:
    ids = [r.id for r in store.iter_records()]
    assert len(ids) == 1802 and ids == sorted(ids)


def test_csljson_reader_streams(store: BibliographyStore) -> None:
    # The bundled sample is read by the streaming reader without loading it whole.
    assert sum(1 for _ in csljson.read(DATA / "sample.json")) == 30


def test_retag_through_the_application_layer(ws: Workspace) -> None:
    from socsec.app.retagging import BibliographyTags
    from socsec.bibliography.store import get_store

    with get_store(ws) as s:
        tagged = s.ids_tagged_with(SOCIAL_SECURITY)
    assert BibliographyTags(ws).retag(SOCIAL_SECURITY, EARLY_RETIREMENT) == len(tagged)
    with get_store(ws) as s:
        assert set(tagged) <= set(s.ids_tagged_with(EARLY_RETIREMENT))
        assert s.ids_tagged_with(SOCIAL_SECURITY) == []
