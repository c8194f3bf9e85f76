"""Query understanding: per-language singular forms, label tiers, language, translations.

Labels are real EuroVoc labels (eurovoc-en-fr-es.ttl, © European Union), copied as rows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.analysis import light_stem
from socsec.cli.app import app
from socsec.config import Settings
from socsec.indexer.labels import LabelMatcher
from socsec.indexer.service import SearchRequest, SearchService
from socsec.indexer.understand import detect_language
from socsec.workspace import Workspace

RETIRED_PERSON = "http://eurovoc.europa.eu/3623"
PENSION_SCHEME = "http://eurovoc.europa.eu/3751"
FAMILY_BENEFIT = "http://eurovoc.europa.eu/2604"
UNEMPLOYMENT_INSURANCE = "http://eurovoc.europa.eu/3332"
SELF_EMPLOYED = "http://eurovoc.europa.eu/3545"

ROWS = [
    (RETIRED_PERSON, "en", "pref", "retired person"),
    (RETIRED_PERSON, "en", "alt", "pensioner"),
    (RETIRED_PERSON, "fr", "pref", "personne retraitée"),
    (RETIRED_PERSON, "fr", "alt", "retraité"),
    (RETIRED_PERSON, "es", "pref", "persona jubilada"),
    (PENSION_SCHEME, "en", "pref", "pension scheme"),
    (PENSION_SCHEME, "fr", "alt", "retraite"),
    (PENSION_SCHEME, "fr", "alt", "pension de retraite"),
    (PENSION_SCHEME, "es", "pref", "plan de pensiones"),
    (FAMILY_BENEFIT, "en", "pref", "family benefit"),
    (FAMILY_BENEFIT, "fr", "pref", "prestation familiale"),
    (FAMILY_BENEFIT, "es", "pref", "prestación familiar"),
    (UNEMPLOYMENT_INSURANCE, "en", "pref", "unemployment insurance"),
    (UNEMPLOYMENT_INSURANCE, "fr", "pref", "assurance chômage"),
    (SELF_EMPLOYED, "en", "pref", "self-employed person"),
    (SELF_EMPLOYED, "fr", "alt", "travailleur indépendant"),
]


@pytest.fixture(scope="module")
def matcher() -> LabelMatcher:
    return LabelMatcher.build(ROWS)


@pytest.mark.parametrize(
    ("word", "lang", "singular"),
    [
        ("pensioners", "en", "pensioner"),
        ("benefits", "en", "benefit"),
        ("policies", "en", "policy"),
        ("prestations", "fr", "prestation"),
        ("familiales", "fr", "familial"),
        ("sociaux", "fr", "social"),
        ("prestaciones", "es", "prestacion"),
        ("familiares", "es", "familiar"),
        ("pensiones", "es", "pension"),
    ],
)
def test_light_stem_reduces_plurals_in_each_language(word: str, lang: str, singular: str) -> None:
    assert light_stem(word, lang) == singular


def test_light_stem_keeps_derived_words_apart() -> None:
    # Snowball English stems both to "pension": the cause of pension -> "retired person".
    assert light_stem("pension", "en") != light_stem("pensioner", "en")
    assert light_stem("retraite", "fr") != light_stem("retraité", "fr")


def test_pension_does_not_name_retired_person(matcher: LabelMatcher) -> None:
    for lang in ("en", "fr", "es", None):
        assert RETIRED_PERSON not in matcher.find("pension", lang)
    assert matcher.find("pensioners", "en") == [RETIRED_PERSON]  # the plural of its label


@pytest.mark.parametrize(
    ("query", "lang", "uri"),
    [
        ("family benefits", "en", FAMILY_BENEFIT),
        ("prestations familiales", "fr", FAMILY_BENEFIT),
        ("prestaciones familiares", "es", FAMILY_BENEFIT),
        ("prestaciones familiares", None, FAMILY_BENEFIT),
        ("pensions de retraite", "fr", PENSION_SCHEME),
    ],
)
def test_plural_queries_name_the_singular_label(
    matcher: LabelMatcher, query: str, lang: str | None, uri: str
) -> None:
    assert matcher.find(query, lang) == [uri]


def test_exact_label_beats_accent_folded(matcher: LabelMatcher) -> None:
    found = matcher.matches("retraite", "fr")
    assert [(m.uri, m.match) for m in found] == [(PENSION_SCHEME, "exact")]
    found = matcher.matches("retraites", "fr")  # plural of "retraite", not of "retraité"
    assert [(m.uri, m.match) for m in found] == [(PENSION_SCHEME, "stemmed")]
    found = matcher.matches("retraités", "fr")
    assert [(m.uri, m.match) for m in found] == [(RETIRED_PERSON, "stemmed")]


def test_longest_phrases_inside_a_longer_query(matcher: LabelMatcher) -> None:
    found = matcher.matches("assurance chômage des travailleurs indépendants", "fr")
    assert [(m.uri, m.words) for m in found] == [
        (UNEMPLOYMENT_INSURANCE, "assurance chômage"),
        (SELF_EMPLOYED, "travailleurs indépendants"),
    ]


def test_a_deprecated_concept_leads_to_its_replacement() -> None:
    old = "http://example.org/old-family-allowance"
    rows = [*ROWS, (old, "en", "pref", "family allowance")]
    matcher = LabelMatcher.build(rows, {old: [FAMILY_BENEFIT]})
    [m] = matcher.matches("family allowances", "en")
    assert (m.uri, m.replaced) == (FAMILY_BENEFIT, old)
    assert LabelMatcher.build(rows, {old: []}).find("family allowance", "en") == []


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("prestaciones familiares", "es"),
        ("jubilación anticipada", "es"),
        ("assurance chômage", "fr"),
        ("retraite anticipée", "fr"),
        ("the early retirement of workers", "en"),
        ("pension", None),  # an English and a French word alike
    ],
)
def test_detect_language(service: SearchService, query: str, lang: str | None) -> None:
    assert detect_language(query, service.vocabulary) == lang


# -- through the search service (bundled thesaurus, fixture records) ------------------------------
@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, _workspace_template: Path
) -> Iterator[SearchService]:
    """Built once for the module: its tests only search."""
    root = tmp_path_factory.mktemp("understand") / "data"
    shutil.copytree(_workspace_template, root)
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
    with SearchService.open(ws) as svc:
        svc.rebuild()
        yield svc


def test_spanish_plural_query_finds_family_benefit_records(tmp_path: Path) -> None:
    # A fresh data dir: the bundled thesaurus and sample (issue 13 found 0 records here).
    args = ["--data-dir", str(tmp_path), "search", "prestaciones familiares", "--json"]
    result = CliRunner().invoke(app, [*args, "--explain"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["query_lang"], data["query_lang_detected"]) == ("es", True)
    assert [e["uri"] for e in data["expansions"]] == [FAMILY_BENEFIT]
    assert data["total"] >= 10
    english = json.loads(CliRunner().invoke(app, [*args[:3], "family benefits", "--json"]).stdout)
    assert {h["id"] for h in english["hits"]} & {h["id"] for h in data["hits"]}


def test_pension_query_does_not_expand_to_retired_person(service: SearchService) -> None:
    resp = service.search(SearchRequest(text="pension"))
    assert RETIRED_PERSON not in [e.uri for e in resp.expansions]


def test_display_language_does_not_change_the_hits(service: SearchService) -> None:
    en = service.search(SearchRequest(text="early retirement", size=100))
    es = service.search(SearchRequest(text="early retirement", lang="es", size=100))
    assert en.total > 0
    assert [h.id for h in es.hits] == [h.id for h in en.hits]
    assert es.query_lang == en.query_lang == "en"


def test_uncovered_words_are_translated_with_their_source(service: SearchService) -> None:
    resp = service.search(SearchRequest(text="discapacidad", query_lang="es"), explain=True)
    english = [t for t in resp.translations if t.target == "en"]
    assert english and all(t.via == "word" for t in english)
    assert {"eurovoc", "unesco"} & {s for t in english for s in t.source.split(",")}
    assert resp.total > 0


def test_cli_lang_is_display_only(workspace: Workspace) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(workspace.root), "search", "early retirement", "-n", "50", "--json"]
    en = runner.invoke(app, args)
    es = runner.invoke(app, [*args, "--lang", "es"])
    assert en.exit_code == 0 and es.exit_code == 0, es.stderr
    ids_en = [h["id"] for h in json.loads(en.stdout)["hits"]]
    assert ids_en and ids_en == [h["id"] for h in json.loads(es.stdout)["hits"]]
    fr = runner.invoke(app, [*args, "--query-lang", "fr", "--explain"])
    assert fr.exit_code == 0 and json.loads(fr.stdout)["query_lang"] == "fr"
