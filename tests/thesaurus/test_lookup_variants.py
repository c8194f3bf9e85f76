"""Lookup of realistic input: word order, partial overlap, inflection, typos, domain ranking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.analysis import inflection_key, singular
from socsec.cli.app import app
from socsec.thesaurus.evaluate import evaluate_lookup, read_judged
from socsec.thesaurus.hits import MatchKind
from socsec.thesaurus.lookup import ThesaurusCache, domain_schemes
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace

from .conftest import make_ws

JUDGED = Path(__file__).parent.parent / "data" / "lookup-judged" / "judged.tsv"
EV = "http://eurovoc.europa.eu/"


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("pensions", "en", "pension"),
        ("benefits", "en", "benefit"),
        ("pensioner", "en", "pensioner"),
        ("allowances", "en", "allowance"),
        ("status", "en", "status"),
        ("prestations", "fr", "prestation"),
        ("principaux", "fr", "principal"),
        ("prestaciones", "es", "prestacion"),
        ("familiares", "es", "familiar"),
        ("cotizaciones", "es", "cotizacion"),
        ("voces", "es", "voz"),
        ("pensiones", "es", "pension"),
    ],
)
def test_singular(word: str, lang: str, expected: str) -> None:
    assert singular(word, lang) == expected


def test_inflection_key_drops_elision_and_function_words() -> None:
    assert inflection_key("Prestations d'invalidité", "fr") == inflection_key(
        "prestation invalidite", "fr"
    )
    assert inflection_key("pension of old age", "en") == "pension old age"


def test_reordered_words_find_the_label(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("pension of old age", lang="en")[0]
    assert (hit.match, hit.matched_label) == (MatchKind.reordered, "old age pension")
    assert hit.uri == EV + "3751"


def test_a_compound_written_apart_is_a_folded_match(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("healthcare", lang="en")[0]
    assert (hit.match, hit.matched_label, hit.uri) == (MatchKind.folded, "health care", EV + "5899")


def test_plural_of_a_label_in_another_spelling_is_stemmed(bundled_cache: ThesaurusCache) -> None:
    # Snowball stems familiares/familiar differently; the plural rule still joins them.
    hit = bundled_cache.lookup("prestaciones familiares", lang="es")[0]
    assert (hit.match, hit.uri) == (MatchKind.stemmed, EV + "2604")


def test_partial_match_is_marked_and_weighs_rare_words(bundled_cache: ThesaurusCache) -> None:
    hits = bundled_cache.lookup("prestaciones de desempleo", lang="es")
    assert hits[0].match is MatchKind.partial
    # "desempleo" is rarer than "prestación": unemployment insurance before social benefit.
    assert hits[0].uri == EV + "3332"
    assert all(h.score < 90 for h in hits)


def test_a_word_variant_the_labels_attest_finds_the_concept(
    bundled_cache: ThesaurusCache,
) -> None:
    # "prestation"/"allocation" name one concept in two of its labels, in several concepts
    # (prestation familiale / allocations familiales, prestation sociale / allocation
    # sociale): "prestations de maladie" is "allocation de maladie" (health insurance), not
    # any "prestation" label sharing the generic head word.
    for term, uri, label in (
        ("prestations de maladie", "3512", "allocation de maladie"),
        ("prestations de chômage", "3332", "allocation de chômage"),
        ("prestations d'invalidité", "3412", "allocation d'invalidité"),
    ):
        hit = bundled_cache.lookup(term, lang="fr")[0]
        assert (hit.match, hit.uri, hit.matched_label) == (MatchKind.variant, EV + uri, label)
        assert hit.score < 90


def test_a_variant_needs_two_concepts_and_no_real_match(bundled_cache: ThesaurusCache) -> None:
    from socsec.thesaurus.variants import MIN_SUPPORT, support

    conn = bundled_cache._conn  # the variant reader takes the connection
    assert support(conn, "fr", "prestat", {"alloc"})["alloc"] >= MIN_SUPPORT
    # "allocation de naissance" is one entry term of maternity benefit: not a variant.
    assert support(conn, "fr", "matern", {"naissanc"}) == {"naissanc": 1}
    # So "congé de naissance" is not taken for "congé de maternité".
    hits = bundled_cache.lookup("congé de naissance", lang="fr")
    assert all(h.match is not MatchKind.variant for h in hits)
    # A term a label carries is matched as itself, never through a variant.
    hits = bundled_cache.lookup("prestations sociales", lang="fr")
    assert hits[0].match is MatchKind.stemmed
    assert all(h.match is not MatchKind.variant for h in hits)


def test_typo_in_a_multiword_term(bundled_cache: ThesaurusCache) -> None:
    for term in ("seguro de desempelo", "unemploymnet benefit"):
        hit = bundled_cache.lookup(term)[0]
        assert (hit.match, hit.uri) == (MatchKind.fuzzy, EV + "3332")
    # Word order and a typo together.
    assert bundled_cache.lookup("desempelo seguro")[0].uri == EV + "3332"


def test_a_correctly_spelt_term_is_not_taken_for_a_typo(bundled_cache: ThesaurusCache) -> None:
    hits = bundled_cache.lookup("contribution", lang="en")
    assert hits and all(h.match is not MatchKind.fuzzy for h in hits)
    assert hits[0].uri == EV + "250"  # social-security contribution


TIE = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:dom a skos:ConceptScheme ; skos:prefLabel "social protection"@en .
ex:off a skos:ConceptScheme ; skos:prefLabel "elections"@en .
ex:a a skos:Concept ; skos:inScheme ex:off ; skos:prefLabel "invalidity of an election"@en .
ex:b a skos:Concept ; skos:inScheme ex:dom ; skos:prefLabel "invalidity insurance"@en .
ex:c a skos:Concept ; skos:inScheme ex:off ; skos:prefLabel "contribution"@en .
ex:d a skos:Concept ; skos:inScheme ex:dom ; skos:prefLabel "contribution"@en .
"""


def test_domain_schemes_break_ties_and_are_configurable(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "tie")
    source = tmp_path / "tie.ttl"
    source.write_text(TIE, encoding="utf-8")
    import_file(ws, source, replace=True)
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        for domain, first in ((["http://example.org/dom"], "b"), (["http://example.org/off"], "a")):
            hits = cache.lookup("invalidity", domain=domain)
            assert [h.match for h in hits] == [MatchKind.partial, MatchKind.partial]
            assert hits[0].uri == "http://example.org/" + first and hits[0].in_domain
        # Two exact matches: the in-domain one first, whatever the URI order.
        hits = cache.lookup("contribution", domain=["http://example.org/dom"])
        assert [h.uri for h in hits] == ["http://example.org/d", "http://example.org/c"]
        # An off-domain concept matching better still comes first (only ties are broken).
        hits = cache.lookup("invalidity of an election", domain=["http://example.org/dom"])
        assert hits[0].uri == "http://example.org/a"
    assert domain_schemes({"thesaurus.domain_schemes": "none"}) == ()
    assert domain_schemes({"thesaurus.domain_schemes": "urn:a, urn:b"}) == ("urn:a", "urn:b")
    assert domain_schemes({}) == domain_schemes({"thesaurus.domain_schemes": None})


def _ws_deprecating_a(tmp_path: Path) -> Workspace:
    """A data dir holding the TIE thesaurus with ex:a deprecated for ex:b."""
    ws = make_ws(tmp_path / "dep")
    source = tmp_path / "dep.ttl"
    source.write_text(
        TIE.replace(
            "ex:a a skos:Concept ; skos:inScheme ex:off ;",
            "ex:a a skos:Concept ; skos:inScheme ex:off ; "
            "<http://www.w3.org/2002/07/owl#deprecated> true ; "
            "<http://purl.org/dc/terms/isReplacedBy> ex:b ;",
        ),
        encoding="utf-8",
    )
    import_file(ws, source, replace=True)
    return ws


def test_deprecated_hit_names_its_replacement(tmp_path: Path) -> None:
    ws = _ws_deprecating_a(tmp_path)
    with ThesaurusCache.open(ws.thesaurus_cache) as cache:
        hit = cache.lookup("invalidity of an election")[0]
    assert hit.deprecated
    assert hit.replaced_by == (("http://example.org/b", "invalidity insurance"),)
    assert hit.to_json(["en"])["replaced_by"] == [
        {"uri": "http://example.org/b", "label": "invalidity insurance"}
    ]
    runner = CliRunner()
    args = ["--data-dir", str(ws.root), "thesaurus", "lookup", "invalidity of an election"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "DEPRECATED" in result.stdout and "invalidity insurance" in result.stdout


def test_judged_list_is_realistic() -> None:
    terms = read_judged(JUDGED)
    for lang in ("en", "fr", "es"):
        group = [t for t in terms if t.lang == lang]
        assert len(group) >= 30 and all(t.source for t in group)
    assert len({(t.lang, t.term) for t in terms}) == len(terms)


def test_eval_lookup_on_the_bundled_thesaurus(bundled_cache: ThesaurusCache) -> None:
    report = evaluate_lookup(bundled_cache, JUDGED)
    scores = {s.lang: s for s in report.scores}
    assert {s.terms for lang, s in scores.items() if lang != "all"} >= {31, 32}
    assert all(s.exact_share <= 0.4 for s in scores.values())
    # Measured figures (see the issue 16 note): a drop below them is a regression.
    assert scores["en"].top3 >= 0.9 and scores["en"].top1 >= 0.9
    assert scores["fr"].top3 >= 0.9 and scores["fr"].top1 >= 0.8
    assert scores["es"].top3 >= 0.65
    assert all(m.rank != 1 for m in report.misses)


def test_eval_lookup_cli(bundled_ws: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(bundled_ws.root), "-q", "eval", "lookup", "--judged"]
    result = runner.invoke(app, [*args, str(JUDGED), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [s["lang"] for s in report["scores"]] == ["en", "fr", "es", "all"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("de\tRente\thttp://x\n", encoding="utf-8")
    result = runner.invoke(app, [*args, str(bad)])
    assert result.exit_code == 5 and "line 1" in result.stderr
    unknown = tmp_path / "unknown.tsv"
    unknown.write_text("en\tpension\thttp://example.org/none\n", encoding="utf-8")
    assert runner.invoke(app, [*args, str(unknown)]).exit_code == 4


def test_translate_reports_confidence_and_writes_gaps(
    bundled_ws: Workspace, tmp_path: Path
) -> None:
    runner = CliRunner()
    gaps = tmp_path / "gaps.csv"
    terms = "retraite anticipée\nprestations de maladie\nxyzzy inconnu\n"
    args = ["--data-dir", str(bundled_ws.root), "-q", "thesaurus", "translate", "-"]
    result = runner.invoke(
        app, [*args, "--from", "fr", "--to", "en", "--json", "--gaps", str(gaps)], input=terms
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["match"], r["score"]) for r in rows] == [
        ("exact", 100.0),
        ("variant", rows[1]["score"]),
        (None, None),
    ]
    assert rows[1]["score"] < 90
    lines = gaps.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "term,lang,status,nearest,uri_of_nearest,concept"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["prestations de maladie", "fr", "variant"],
        ["xyzzy inconnu", "fr", "not_found"],
    ]
    result = runner.invoke(app, [*args, "--from", "de"], input=terms)
    assert result.exit_code == 2 and "--from" in result.stderr


def _deprecated_ws(tmp_path: Path) -> Workspace:
    """A data dir whose thesaurus deprecates ex:a for ex:b, with one record about ex:a."""
    from socsec.bibliography.model import Record, RecordType, Subject
    from socsec.bibliography.store import BibliographyStore

    ws = _ws_deprecating_a(tmp_path)
    record = Record(
        id="old-1",
        type=RecordType.report,
        title="Challenges to an election result",
        subjects=(Subject("http://example.org/a"),),
    )
    with (
        BibliographyStore.open(ws.bibliography_db) as store,
        ThesaurusCache.open(ws.thesaurus_cache) as cache,
    ):
        store.add(record, cache)
    return ws


def test_search_by_the_replacement_finds_records_of_the_deprecated_concept(
    tmp_path: Path,
) -> None:
    from socsec.bibliography.store import BibliographyStore
    from socsec.indexer import registry
    from socsec.indexer.base import BackendConfig
    from socsec.indexer.service import SearchRequest, SearchService

    ws = _deprecated_ws(tmp_path)
    backend = registry.create("sqlite", BackendConfig(index_path=ws.index_db))
    svc = SearchService(
        backend, ThesaurusCache.open(ws.thesaurus_cache), BibliographyStore.open(ws.bibliography_db)
    )
    try:
        svc.rebuild()
        new, old = "http://example.org/b", "http://example.org/a"
        for concept in (new, old):
            resp = svc.search(SearchRequest(text="", concept=concept))
            assert [h.id for h in resp.hits] == ["old-1"]
        # Asking for the deprecated concept searches its replacement too (and says so).
        assert [c.uri for c in svc.search(SearchRequest(text="", concept=old)).concept_filter] == [
            old,
            new,
        ]
        assert [c.uri for c in svc.search(SearchRequest(text="", concept=new)).concept_filter] == [
            new
        ]
        # Only the replacement's own records without it: an unrelated concept finds nothing.
        assert svc.search(SearchRequest(text="", concept="http://example.org/c")).hits == []
    finally:
        backend.drop()
        svc.close()


def test_suggestions_offer_the_replacement_of_a_deprecated_concept() -> None:
    from socsec.suggest.model import Document, Suggestion
    from socsec.suggest.replacements import replaced_subjects, use_replacements

    old, new, gone, other = (f"http://example.org/{n}" for n in "abxc")
    replacements = {old: [new], gone: []}
    found = [
        Suggestion(old, 0.9),
        Suggestion(gone, 0.8),
        Suggestion(new, 0.5),
        Suggestion(other, 0.4),
    ]
    out = use_replacements(found, replacements)
    # The replacement takes the old concept's better score; no deprecated concept is left.
    assert [(s.uri, s.score) for s in out] == [(new, 0.9), (other, 0.4)]
    doc = Document("r1", "t", "", "en", (old, other, gone))
    assert replaced_subjects(doc, replacements).subjects == (new, other)
    plain = Document("r2", "t", "", "en", (other,))
    assert replaced_subjects(plain, replacements) is plain


def test_automatic_subjects_take_the_replacement_of_a_deprecated_concept(tmp_path: Path) -> None:
    """Automatic indexing scores records as suggestion does: a model trained before a concept
    was deprecated still scores it, and it is assigned as its replacement, never itself.
    """
    from socsec.app import autoindex
    from socsec.bibliography.model import Record, RecordType
    from socsec.bibliography.store import BibliographyStore
    from socsec.suggest.service import train

    ws = make_ws(tmp_path / "dep")
    source = tmp_path / "tie.ttl"
    source.write_text(TIE, encoding="utf-8")
    import_file(ws, source, replace=True)
    paper = Record(id="new-1", type=RecordType.report, title="On the invalidity of an election")
    with (
        BibliographyStore.open(ws.bibliography_db) as store,
        ThesaurusCache.open(ws.thesaurus_cache) as cache,
    ):
        store.add(paper, cache)
    train(ws, folds=0)  # ex:a is a live concept when the model learns it
    _ws_deprecating_a(tmp_path)  # same data dir: ex:a deprecated for ex:b
    autoindex.assign(ws, ["new-1"], threshold=0.0, limit=5)
    with BibliographyStore.open(ws.bibliography_db) as store:
        uris = [s.uri for s in store.get("new-1").subjects]
    assert "http://example.org/b" in uris and "http://example.org/a" not in uris
