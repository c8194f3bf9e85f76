"""Enrichment: records become search documents with their concepts' labels and ancestors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socsec.bibliography.model import Record
from socsec.indexer.base import BackendConfig, Query
from socsec.indexer.documents import Enricher, LabelMatcher, highlight, query_groups, terms
from socsec.indexer.labels import SqliteKeys, build_keys, save_keys
from socsec.indexer.sqlite_fts import SqliteBackend

PENSION_SCHEME = "http://eurovoc.europa.eu/3751"


@pytest.fixture(scope="module")
def enricher(thesaurus: object) -> Enricher:
    return Enricher(thesaurus)  # type: ignore[arg-type]


def by_id(records: list[Record], rid: str) -> Record:
    return next(r for r in records if r.id == rid)


def test_subjects_bring_labels_in_three_languages_and_ancestors(
    enricher: Enricher, records: list[Record], thesaurus: object
) -> None:
    record = next(r for r in records if r.subjects)
    doc = enricher.enrich(record)
    assert doc.subjects == tuple(s.uri for s in record.subjects)
    for uri in doc.subjects:
        assert set(thesaurus.ancestors(uri)) <= set(doc.ancestors)  # type: ignore[attr-defined]
    assert set(doc.subjects) <= set(doc.ancestors)
    assert doc.notations
    first = thesaurus.concept(doc.subjects[0])  # type: ignore[attr-defined]
    for lang in ("en", "fr", "es"):
        for term in terms(first.pref[lang], lang):
            assert term in doc.text["subject_labels"].split()


def test_detected_concepts_are_kept_apart(enricher: Enricher, records: list[Record]) -> None:
    doc = enricher.enrich(by_id(records, "nber-w0910"))  # "... Public Pension Plans"
    assert doc.subjects == () and doc.ancestors == ()
    assert PENSION_SCHEME in doc.detected
    assert "retrait" in doc.text["detected_labels"].split()  # fr "retraite" (stemmed)
    assert doc.text["subject_labels"] == ""


def test_fingerprint_is_stable_and_changes_with_content(
    enricher: Enricher, records: list[Record]
) -> None:
    from dataclasses import replace

    record = records[0]
    assert enricher.enrich(record).fingerprint == enricher.enrich(record).fingerprint
    changed = replace(record, title=record.title + " revisited")
    assert enricher.enrich(changed).fingerprint != enricher.enrich(record).fingerprint


def test_accents_and_unknown_language() -> None:
    assert set(terms("securite", "fr")) & set(terms("sécurité", "fr"))
    unknown = terms("pensiones", None)
    assert set(terms("pensiones", "es")) <= set(unknown)
    assert query_groups("the", "en") == (("the",),)  # only stop words: kept, not empty


def test_label_matcher_longest_match_and_spans() -> None:
    rows = [
        ("u:early", "fr", "pref", "retraite anticipée"),
        ("u:ret", "fr", "alt", "retraite"),
        ("u:es", "es", "pref", "jubilación anticipada"),
    ]
    matcher = LabelMatcher.build(rows)
    found = matcher.matches("La retraite anticipee en France", "fr")
    assert [(m.uri, m.words) for m in found] == [("u:early", "retraite anticipee")]
    assert matcher.find("jubilacion anticipada", None) == ["u:es"]
    conn = sqlite3.connect(":memory:")
    save_keys(conn, "label", build_keys(rows))  # the SQLite-resident form matches the same
    assert LabelMatcher(SqliteKeys(conn, "label")).find("retraite", "fr") == ["u:ret"]


def test_highlight() -> None:
    wanted = set(query_groups("retirement", "en")[0])
    assert highlight("Early Retirement Rates", "en", wanted) == "Early <em>Retirement</em> Rates"
    assert highlight("Pensions", "en", wanted) is None


@pytest.fixture(scope="module")
def fts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteBackend]:
    backend = SqliteBackend(BackendConfig(index_path=tmp_path_factory.mktemp("h") / "i.sqlite"))
    yield backend
    backend.close()


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_text_is_a_safe_fts_query(fts: SqliteBackend, text: str) -> None:
    try:
        fts.search(Query(groups=query_groups(text, None)))
    except sqlite3.OperationalError:  # pragma: no cover - the property under test
        pytest.fail(f"query {text!r} broke the MATCH syntax")
