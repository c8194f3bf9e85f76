"""The lookup ladder on the bundled EuroVoc extract, in all three directions."""

from __future__ import annotations

import pytest

from socsec.errors import AmbiguousReference, NotFoundError
from socsec.thesaurus.lookup import ThesaurusCache, find
from socsec.thesaurus.model import MatchKind

EARLY_RETIREMENT = {
    "en": "early retirement",
    "fr": "retraite anticipée",
    "es": "jubilación anticipada",
}
OCCUPATIONAL_ACCIDENT = {
    "en": "occupational accident",
    "fr": "accident du travail",
    "es": "accidente laboral",
}
SOCIAL_SECURITY = {"en": "social security", "fr": "sécurité sociale", "es": "seguridad social"}
UNEMPLOYMENT = {"en": "unemployment", "fr": "chômage", "es": "paro"}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
@pytest.mark.parametrize("labels", [EARLY_RETIREMENT, OCCUPATIONAL_ACCIDENT, SOCIAL_SECURITY])
def test_exact_label_in_each_language_gives_the_other_two(
    bundled_cache: ThesaurusCache, labels: dict[str, str], lang: str
) -> None:
    hit = bundled_cache.lookup(labels[lang])[0]
    assert hit.match is MatchKind.exact
    assert hit.matched_label == labels[lang]
    assert hit.matched_lang == lang
    assert {k: hit.pref[k] for k in ("en", "fr", "es")} == labels


@pytest.mark.parametrize(
    ("term", "labels"),
    [
        ("securite sociale", SOCIAL_SECURITY),
        ("SOCIAL-SECURITY", SOCIAL_SECURITY),
        ("jubilacion anticipada", EARLY_RETIREMENT),
        ("Accident du Travail!", OCCUPATIONAL_ACCIDENT),
    ],
)
def test_folded_match_ignores_case_accents_punctuation(
    bundled_cache: ThesaurusCache, term: str, labels: dict[str, str]
) -> None:
    hit = bundled_cache.lookup(term)[0]
    assert hit.match is MatchKind.folded
    assert hit.pref["en"] == labels["en"]
    assert hit.pref["fr"] == labels["fr"] and hit.pref["es"] == labels["es"]


def test_stemmed_match_pensions_finds_pension(bundled_cache: ThesaurusCache) -> None:
    hits = bundled_cache.lookup("pensions", lang="en")
    # "pension" is no label of the extract: labels holding the word, domain concepts first.
    assert hits[0].pref["en"] == "pension scheme" and hits[0].match is MatchKind.partial
    # Snowball stems pensioner to pension too, but it is a derived word, not an inflection.
    derived = next(h for h in hits if h.matched_label == "pensioner")
    assert derived.match is MatchKind.stemmed and derived.score < 90
    hit = bundled_cache.lookup("pension schemes")[0]
    assert (hit.match, hit.matched_label) == (MatchKind.stemmed, "pension scheme")
    assert hit.pref == {
        "en": "pension scheme",
        "fr": "régime de retraite",
        "es": "plan de pensiones",
    }


def test_stemmed_match_in_french_and_spanish(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("accidents du travail")[0]
    assert (hit.match, hit.pref["en"]) == (MatchKind.stemmed, "occupational accident")
    hit = bundled_cache.lookup("jubilaciones anticipadas", lang="es")[0]
    assert (hit.match, hit.pref["en"]) == (MatchKind.stemmed, "early retirement")


def test_prefix_match(bundled_cache: ThesaurusCache) -> None:
    hits = bundled_cache.lookup("chôm")
    assert {h.match for h in hits} == {MatchKind.prefix}
    first = hits[0]
    assert first.matched_label == "chômage"
    assert first.pref["en"] == "unemployment" and first.pref["es"] == "paro"


def test_fuzzy_match_for_typos(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("unemploymnet")[0]
    assert hit.match is MatchKind.fuzzy
    assert hit.matched_label == "unemployment"
    assert {k: hit.pref[k] for k in UNEMPLOYMENT} == UNEMPLOYMENT
    assert 80 <= hit.score < 100
    assert bundled_cache.lookup("chomage")[0].pref["en"] == "unemployment"


def test_ladder_order_and_one_hit_per_concept(bundled_cache: ThesaurusCache) -> None:
    hits = bundled_cache.lookup("social security", limit=20)
    order = [h.match for h in hits]
    assert order == sorted(order, key=list(MatchKind).index)
    assert len({h.uri for h in hits}) == len(hits)
    assert len(hits) >= 5


def test_alt_labels_side_by_side(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("early retirement")[0]
    assert "préretraite" in hit.alt["fr"] and "pre-retirement" in hit.alt["en"]
    assert hit.alt.get("es", []) == []  # EuroVoc has no Spanish altLabels


def test_lang_filter_and_scheme_filter(bundled_cache: ThesaurusCache) -> None:
    assert all(h.matched_lang == "en" for h in bundled_cache.lookup("retraite", lang="en"))
    assert bundled_cache.lookup("retraite anticipée", lang="fr")[0].match is MatchKind.exact
    hits = bundled_cache.lookup("paro", lang="es-419")
    assert hits and all(h.matched_lang == "es" for h in hits)
    scheme = bundled_cache.lookup("early retirement")[0].schemes[0]
    assert bundled_cache.lookup("early retirement", scheme=scheme)
    assert bundled_cache.lookup("early retirement", scheme="http://example.org/none") == []


def test_unknown_term_raises_not_found_with_suggestions(bundled_cache: ThesaurusCache) -> None:
    with pytest.raises(NotFoundError) as info:
        find(bundled_cache, "pensoin")
    assert "pensioner" in info.value.suggestions
    assert bundled_cache.lookup("") == [] and bundled_cache.lookup("  !? ") == []


def test_resolve_suggests_stemmed_and_prefix_matches_first(bundled_cache: ThesaurusCache) -> None:
    # "pension" is no label of the extract; the ladder's near hits beat look-alike words.
    with pytest.raises(NotFoundError) as info:
        bundled_cache.resolve("pension")
    # Labels holding the word (domain concepts first) come before a derived word.
    assert info.value.suggestions[0] == "pension scheme"
    assert "pensioner" not in info.value.suggestions[:5]
    assert "lesion" not in info.value.suggestions


def test_resolve_by_uri_notation_and_label(bundled_cache: ThesaurusCache) -> None:
    uri = bundled_cache.lookup("early retirement")[0].uri
    assert bundled_cache.resolve(uri) == uri
    assert bundled_cache.resolve("retraite anticipée") == uri
    assert bundled_cache.resolve("JUBILACION ANTICIPADA") == uri
    assert bundled_cache.resolve(bundled_cache.concept(uri).notation or "") == uri
    with pytest.raises(NotFoundError) as info:
        bundled_cache.resolve("unemploymnet")
    assert "unemployment" in info.value.suggestions


def test_resolve_ambiguous_alt_label_lists_candidates(bundled_cache: ThesaurusCache) -> None:
    labels: dict[str, set[str]] = {}
    for uri, _lang, kind, label in bundled_cache.iter_labels():
        if kind == "alt":
            labels.setdefault(label, set()).add(uri)
    shared = sorted(label for label, uris in labels.items() if len(uris) > 1)
    assert shared, "the extract has alt labels shared by several concepts"
    with pytest.raises(AmbiguousReference) as info:
        bundled_cache.resolve(shared[0])
    assert len(info.value.suggestions) == len(labels[shared[0]])


def test_concept_view_hierarchy_and_labels(bundled_cache: ThesaurusCache) -> None:
    uri = bundled_cache.resolve("early retirement")
    view = bundled_cache.concept(uri)
    assert view.pref == EARLY_RETIREMENT
    assert view.broader and bundled_cache.ancestors(uri)[0] in view.broader
    parent = view.broader[0]
    assert uri in bundled_cache.concept(parent).narrower  # inverse inferred
    assert uri in bundled_cache.descendants(parent)
    assert bundled_cache.narrower_count(parent) == len(bundled_cache.narrower(parent))
    assert bundled_cache.pref_label(uri, "es") == "jubilación anticipada"
    assert bundled_cache.pref_label(uri, "fr-CA") == "retraite anticipée"
    assert bundled_cache.pref_label(uri, "de") == "early retirement"
    assert bundled_cache.pref_label("http://example.org/x/tail") == "tail"
    assert bundled_cache.exists(uri) and not bundled_cache.exists("http://example.org/x")
    with pytest.raises(NotFoundError):
        bundled_cache.concept("http://example.org/x")


def test_iter_labels_counts_match_the_data(bundled_cache: ThesaurusCache) -> None:
    prefs = [lang for _u, lang, kind, _l in bundled_cache.iter_labels() if kind == "pref"]
    assert {lang: prefs.count(lang) for lang in ("en", "fr", "es")} == {
        "en": 455,
        "fr": 455,
        "es": 455,
    }
    assert bundled_cache.count() == 455
    assert len(bundled_cache.schemes()) == 23
