"""Each check catches a minimal bad fixture and leaves clean ones alone."""

from __future__ import annotations

import pytest

from socsec.thesaurus.checks import Severity, catalogue, run_checks

from .conftest import graph, snap

# A small, clean vocabulary: every check must pass on it.
CLEAN = """
ex:s a skos:ConceptScheme ; skos:prefLabel "Scheme"@en ; skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:topConceptOf ex:s ;
    skos:prefLabel "social security"@en, "sécurité sociale"@fr, "seguridad social"@es ;
    skos:altLabel "social insurance"@en ;
    skos:definition "Public protection against loss of income."@en ;
    skos:exactMatch <http://other.example/vocab/42> .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "pension"@en, "pension"@fr, "pensión"@es ;
    skos:definition "A regular payment in old age."@en ;
    skos:related ex:c .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "retirement"@en, "retraite"@fr, "jubilación"@es ;
    skos:definition "Leaving work for good."@en .
"""

LABELS = 'skos:prefLabel "x"@en, "x"@fr, "x"@es'


def ids(turtle: str, check: str, **kwargs: object) -> list[tuple[str, ...]]:
    report = run_checks(graph(CLEAN + turtle), **kwargs)  # type: ignore[arg-type]
    return [f.resources for f in report.findings if f.check == check]


def test_clean_vocabulary_has_no_findings() -> None:
    report = run_checks(graph(CLEAN))
    assert report.findings == ()
    assert not report.failed(Severity.warning)
    assert report.counts() == {c.id: 0 for c in catalogue()}


def test_catalogue_ids_are_stable_and_documented() -> None:
    assert [c.id for c in catalogue()] == [
        "missing-pref-label",
        "multiple-pref-labels",
        "disjoint-labels",
        "duplicate-pref-label",
        "empty-label",
        "label-whitespace",
        "broader-cycle",
        "related-hierarchy-clash",
        "orphan-concept",
        "top-concept-with-broader",
        "scheme-without-top-concepts",
        "dangling-reference",
        "deprecated-without-replacement",
        "deprecated-in-use",
        "missing-language-tag",
        "missing-definition",
        "invalid-iri",
    ]
    from socsec.thesaurus import checks

    for info in catalogue():
        fn = getattr(checks, info.id.replace("-", "_"))
        assert fn.__doc__ and info.reference, info.id


BAD = [
    # (check id, bad Turtle added to CLEAN, expected resources of the findings)
    (
        "invalid-iri",
        f"<http://example.org/a b> a skos:Concept ; skos:broader ex:a ; {LABELS} .",
        [("http://example.org/a b",)],
    ),
    (
        "missing-pref-label",
        'ex:d a skos:Concept ; skos:broader ex:a ; skos:prefLabel "care"@en, "soins"@fr-CA .',
        [("http://example.org/d",)],
    ),
    (
        "multiple-pref-labels",
        'ex:a skos:prefLabel "social protection"@en .',
        [("http://example.org/a",)],
    ),
    ("disjoint-labels", 'ex:b skos:hiddenLabel "pension"@en .', [("http://example.org/b",)]),
    (
        "duplicate-pref-label",
        "ex:d a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ; "
        'skos:prefLabel "Pension"@en, "rente"@fr, "renta"@es .',
        [("http://example.org/b", "http://example.org/d")],
    ),
    ("empty-label", 'ex:c skos:altLabel " "@en .', [("http://example.org/c",)]),
    (
        "label-whitespace",
        'ex:c skos:altLabel "early  retirement"@en, " retired"@en .',
        [("http://example.org/c",), ("http://example.org/c",)],
    ),
    (
        "broader-cycle",
        "ex:a skos:broader ex:c .",
        [("http://example.org/a", "http://example.org/c")],
    ),
    (
        "related-hierarchy-clash",
        "ex:b skos:related ex:a .",
        [("http://example.org/a", "http://example.org/b")],
    ),
    (
        "orphan-concept",
        f"ex:d a skos:Concept ; skos:inScheme ex:s ; {LABELS} .",
        [("http://example.org/d",)],
    ),
    (
        "top-concept-with-broader",
        "ex:c skos:topConceptOf ex:s .",
        [("http://example.org/c", "http://example.org/a")],
    ),
    (
        "scheme-without-top-concepts",
        'ex:s2 a skos:ConceptScheme ; skos:prefLabel "Empty"@en .',
        [("http://example.org/s2",)],
    ),
    (
        "dangling-reference",
        "ex:c skos:related ex:nowhere ; skos:inScheme ex:a .",
        [
            ("http://example.org/c", "http://example.org/a"),
            ("http://example.org/c", "http://example.org/nowhere"),
        ],
    ),
    (
        "deprecated-without-replacement",
        f"ex:d a skos:Concept ; owl:deprecated true ; {LABELS} .",
        [("http://example.org/d",)],
    ),
    (
        "deprecated-in-use",
        f"ex:d a skos:Concept ; owl:deprecated true ; dct:isReplacedBy ex:b ; {LABELS} . "
        "ex:c skos:related ex:d .",
        [("http://example.org/d", "http://example.org/c")],
    ),
    (
        "missing-language-tag",
        'ex:c skos:altLabel "retiree" ; skos:scopeNote "Untagged note." .',
        [("http://example.org/c",), ("http://example.org/c",)],
    ),
    (
        "missing-definition",
        f"ex:d a skos:Concept ; skos:broader ex:a ; {LABELS} .",
        [("http://example.org/d",)],
    ),
]


@pytest.mark.parametrize(("check", "bad", "expected"), BAD, ids=[b[0] for b in BAD])
def test_check_catches_its_bad_fixture(
    check: str, bad: str, expected: list[tuple[str, ...]]
) -> None:
    assert sorted(ids(bad, check)) == sorted(expected)


def test_every_check_has_a_bad_fixture() -> None:
    assert {b[0] for b in BAD} == {c.id for c in catalogue()}


# Look-alikes that are fine: each must not be flagged by the check named.
NEAR_MISSES = [
    (
        "missing-pref-label",
        'ex:a skos:prefLabel "sécu"@fr-CA .',
    ),  # a regional tag adds, never removes
    ("multiple-pref-labels", 'ex:a skos:prefLabel "social security"@en-GB .'),  # another tag
    ("disjoint-labels", 'ex:b skos:altLabel "pension"@de .'),  # another language
    (
        "duplicate-pref-label",
        "ex:t a skos:ConceptScheme ; skos:hasTopConcept ex:d . "
        'ex:d a skos:Concept ; skos:inScheme ex:t ; skos:prefLabel "pension"@en, "p"@fr, "p"@es .',
    ),
    ("empty-label", 'ex:c skos:altLabel "x"@en .'),
    ("label-whitespace", 'ex:c skos:altLabel "early retirement"@en .'),
    ("label-whitespace", 'ex:c skos:altLabel "مثال  مثال"@ar .'),  # ar is not required here
    ("broader-cycle", "ex:c skos:broader ex:b . ex:b skos:narrower ex:c ."),  # same direction
    ("related-hierarchy-clash", "ex:a skos:related ex:a2 . ex:a2 a skos:Concept ."),
    ("orphan-concept", f"ex:d a skos:Concept ; skos:topConceptOf ex:s ; {LABELS} ."),
    ("orphan-concept", f"ex:d a skos:Concept ; owl:deprecated true ; {LABELS} ."),
    ("orphan-concept", f"ex:d a skos:Concept ; {LABELS} . ex:a skos:narrower ex:d ."),
    # EuroVoc polyhierarchy: top concept of one microthesaurus, narrower of a concept of another.
    (
        "top-concept-with-broader",
        "ex:t a skos:ConceptScheme ; skos:hasTopConcept ex:c . ex:c skos:inScheme ex:t .",
    ),
    (
        "scheme-without-top-concepts",
        f"ex:t a skos:ConceptScheme . ex:d a skos:Concept ; skos:topConceptOf ex:t ; {LABELS} .",
    ),
    (
        "dangling-reference",
        "ex:c skos:closeMatch <http://other.example/x> ; skos:broadMatch ex:zz .",
    ),
    (
        "deprecated-without-replacement",
        f"ex:d a skos:Concept ; owl:deprecated true ; dct:isReplacedBy ex:b ; {LABELS} .",
    ),
    (
        "deprecated-in-use",
        f"ex:d a skos:Concept ; owl:deprecated true ; dct:isReplacedBy ex:b ; {LABELS} .",
    ),
    ("missing-language-tag", 'ex:c skos:notation "42"^^xsd:string .'),
    (
        "missing-definition",
        f'ex:d a skos:Concept ; skos:broader ex:a ; skos:definition "y"@fr ; {LABELS} .',
    ),
]


@pytest.mark.parametrize(("check", "fine"), NEAR_MISSES, ids=[n[0] for n in NEAR_MISSES])
def test_check_leaves_clean_look_alikes_alone(check: str, fine: str) -> None:
    assert ids(fine, check) == []


def test_language_option_changes_what_is_required() -> None:
    bad = 'ex:c skos:altLabel "مثال  مثال"@ar .'
    assert ids(bad, "label-whitespace", languages=["en", "ar"]) == [("http://example.org/c",)]
    only_en = run_checks(
        graph(CLEAN + 'ex:d a skos:Concept ; skos:broader ex:a ; skos:prefLabel "d"@en .'),
        languages=["en"],
    )
    assert only_en.counts()["missing-pref-label"] == 0
    assert [r.lang for r in only_en.coverage] == ["en"]


def test_broader_cycle_through_narrower_and_self_loop() -> None:
    found = ids("ex:c skos:narrower ex:a . ex:b skos:broader ex:b .", "broader-cycle")
    assert sorted(found) == [
        ("http://example.org/a", "http://example.org/c"),
        ("http://example.org/b",),
    ]


def test_deep_hierarchy_does_not_hit_the_recursion_limit() -> None:
    chain = " ".join(f"ex:n{i} a skos:Concept ; skos:broader ex:n{i + 1} ." for i in range(3000))
    assert (
        ids(chain + " ex:n3000 skos:broader ex:n0 .", "broader-cycle")[0][0]
        == "http://example.org/n0"
    )


def test_gate_levels() -> None:
    warning_only = run_checks(graph(CLEAN + 'ex:c skos:altLabel "a  b"@en .'))
    assert not warning_only.failed(Severity.error)
    assert warning_only.failed(Severity.warning)
    info_only = run_checks(graph(CLEAN + f"ex:d a skos:Concept ; skos:broader ex:a ; {LABELS} ."))
    assert info_only.counts()["missing-definition"] == 1
    assert not info_only.failed(Severity.warning)  # info never fails the gate


def test_ignore_skips_checks_and_rejects_unknown_ids() -> None:
    report = run_checks(snap(CLEAN + "ex:a skos:broader ex:c ."), ignore=["broader-cycle"])
    assert "broader-cycle" not in report.counts()
    assert report.ignored == ("broader-cycle",)
    with pytest.raises(ValueError, match="unknown check"):
        run_checks(snap(CLEAN), ignore=["no-such-check"])


def test_coverage_matrix() -> None:
    report = run_checks(graph(CLEAN))
    rows = {r.lang: (r.concepts, r.pref_label, r.alt_label, r.definition) for r in report.coverage}
    assert rows == {"en": (3, 3, 1, 3), "fr": (3, 3, 0, 0), "es": (3, 3, 0, 0)}


def test_findings_are_sorted_and_reproducible() -> None:
    bad = " ".join(f"ex:o{i} a skos:Concept ; {LABELS.replace('x', f'x{i}')} ." for i in (3, 1, 2))
    first = run_checks(graph(CLEAN + bad)).findings
    assert [f.resources[0] for f in first if f.check == "orphan-concept"] == [
        "http://example.org/o1",
        "http://example.org/o2",
        "http://example.org/o3",
    ]
    assert run_checks(graph(CLEAN + bad)).findings == first
