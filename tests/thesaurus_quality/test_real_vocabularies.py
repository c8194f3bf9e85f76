"""The gate on real vocabularies: it finds their real defects, and not thousands of false ones.

Counts measured on the bundled EuroVoc extract, all of EuroVoc (2021 release, en/fr/es) and
the UNESCO Thesaurus (2024-10-08) with the default languages en, fr, es.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from socsec.thesaurus.checks import Severity, check_file

from .conftest import BUNDLED, EUROVOC_FULL, UNESCO_2024, need

NONZERO = {
    # The bundled extract keeps neighbour concepts one hop from MT 2836 without their
    # microthesaurus' top concepts: 34 are unreachable in the hierarchy, 19 schemes have no top.
    BUNDLED: {
        "label-whitespace": 1,
        "orphan-concept": 34,
        "scheme-without-top-concepts": 19,
        "missing-definition": 409,
    },
    # EuroVoc: one related link to a descendant (1005 <-> 1851), two double spaces in labels.
    EUROVOC_FULL: {"label-whitespace": 2, "related-hierarchy-clash": 1, "missing-definition": 6793},
    # UNESCO: "Cultura oceánica" names two concepts; one double space ("Matrimonio  precoz").
    UNESCO_2024: {"duplicate-pref-label": 1, "label-whitespace": 1, "missing-definition": 4484},
}


@pytest.mark.parametrize("path", list(NONZERO), ids=["bundled", "eurovoc", "unesco"])
def test_counts_per_check(path: Path) -> None:
    report = check_file(need(path))
    assert {k: v for k, v in report.counts().items() if v} == NONZERO[path]


def test_bundled_thesaurus_passes_the_default_gate() -> None:
    report = check_file(BUNDLED)
    assert not report.failed(Severity.error)
    assert report.failed(Severity.warning)


def test_unesco_in_all_its_languages_shows_more() -> None:
    report = check_file(need(UNESCO_2024), languages=["en", "fr", "es", "ar", "ru"])
    counts = report.counts()
    assert counts["duplicate-pref-label"] == 49  # 44 Arabic, 4 Russian, 1 Spanish
    assert counts["disjoint-labels"] == 3  # Arabic pref == alt (S13)
    assert counts["label-whitespace"] == 10
