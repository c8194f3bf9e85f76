"""What the compiled cache understands, on small inline SKOS graphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from socsec.thesaurus.lookup import ThesaurusCache
from socsec.thesaurus.manage import import_file
from socsec.workspace import Workspace

EDGE_CASES = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/> .
ex:s a skos:ConceptScheme ; skos:prefLabel "Test scheme"@en ; skos:hasTopConcept ex:top .
ex:top a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "employment insurance"@en ,
    "assurance-emploi"@fr-CA , "seguro de empleo"@es-419 ; skos:narrower ex:mid ;
    skos:notation "T1" ; skos:exactMatch <http://eurovoc.europa.eu/3332> .
ex:mid a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "benefit claim"@en ;
    skos:hiddenLabel "benefit claimm"@en ; skos:definition "A claim."@en , "Une demande."@fr .
ex:leaf a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "claim form"@en ;
    skos:broader ex:mid ; skos:related ex:top .
ex:old a skos:Concept ; skos:inScheme ex:s ; skos:prefLabel "obsolete claim"@en ;
    owl:deprecated true ; dct:isReplacedBy ex:leaf .
ex:c1 a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:c2 ; skos:prefLabel "cycle one"@en .
ex:c2 a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:c1 ; skos:prefLabel "cycle two"@en .
ex:coll a skos:Collection ; skos:member ex:leaf , ex:mid .
"""

EX = "http://example.org/"


@pytest.fixture
def cache(ws: Workspace, tmp_path: Path) -> ThesaurusCache:
    path = tmp_path / "edge.ttl"
    path.write_text(EDGE_CASES, encoding="utf-8")
    import_file(ws, path)
    return ThesaurusCache.open(ws.thesaurus_cache)


def test_regional_tags_kept_and_matched_to_base_language(cache: ThesaurusCache) -> None:
    hit = cache.lookup("assurance emploi", lang="fr")[0]
    assert hit.uri == EX + "top" and hit.matched_lang == "fr-ca"
    assert hit.pref == {
        "en": "employment insurance",
        "fr": "assurance-emploi",
        "es": "seguro de empleo",
    }
    assert cache.concept(EX + "top").pref["es-419"] == "seguro de empleo"
    assert cache.pref_label(EX + "top", "es") == "seguro de empleo"


def test_inverses_inferred_hidden_labels_notes_mappings(cache: ThesaurusCache) -> None:
    mid = cache.concept(EX + "mid")
    assert mid.broader == [EX + "top"] and mid.narrower == [EX + "leaf"]
    assert cache.concept(EX + "top").related == [EX + "leaf"]  # symmetric
    assert mid.hidden == {"en": ["benefit claimm"]}
    assert mid.notes["definition"] == {"en": ["A claim."], "fr": ["Une demande."]}
    assert mid.collections == [EX + "coll"]
    top = cache.concept(EX + "top")
    assert top.mappings == {"exactMatch": ["http://eurovoc.europa.eu/3332"]}
    assert top.top_of == [EX + "s"] and cache.top_concepts(EX + "s") == [EX + "top"]
    assert cache.resolve("T1") == EX + "top"
    assert cache.lookup("benefit claimm")[0].matched_kind == "hidden"


def test_deprecated_and_replacement(cache: ThesaurusCache) -> None:
    old = cache.concept(EX + "old")
    assert old.deprecated and old.replaced_by == [EX + "leaf"]
    assert cache.lookup("obsolete claim")[0].deprecated


def test_closure_and_cycles(cache: ThesaurusCache) -> None:
    assert cache.ancestors(EX + "leaf") == [EX + "mid", EX + "top"]
    assert cache.descendants(EX + "top") == [EX + "mid", EX + "leaf"]
    assert cache.ancestors(EX + "c1") == [EX + "c2"]  # a cycle does not loop
    assert cache.concept(EX + "leaf").schemes == [EX + "s"]
    (scheme,) = cache.schemes()
    assert scheme.title == {"en": "Test scheme"} and scheme.concepts == 6
