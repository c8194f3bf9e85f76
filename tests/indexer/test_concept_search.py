"""Search by concept on the bundled data, on every backend: records holding the concept, a
narrower one or naming either in their text, ranked by how they hold it (``CONCEPT_TIERS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socsec.cli.app import app
from socsec.config import Settings
from socsec.indexer.service import SearchRequest, SearchService
from socsec.workspace import Workspace

DISABILITY_INSURANCE = "http://eurovoc.europa.eu/3412"
FAMILY_BENEFIT = "http://eurovoc.europa.eu/2604"
SOCIAL_SECURITY_BENEFIT = "http://eurovoc.europa.eu/2605"  # broader than both
TIERS = ("manual", "accepted", "automatic", "narrower", "named")
runner = CliRunner()


def _ws(root: Path) -> Workspace:
    return Workspace(root=root, settings=Settings.load(data_dir=root, env={}))


def search(data_dir: Path, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), "search", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def hits(data: dict[str, object]) -> list[dict[str, object]]:
    found = data["hits"]
    assert isinstance(found, list)
    return found


def test_tiers_rank_subjects_above_records_naming_the_concept(indexed_read_only: Path) -> None:
    data = search(indexed_read_only, "--concept", "disability insurance", "--explain", "-n", "1000")
    found = hits(data)
    assert data["total"] == len(found)
    matches = [h["concept_match"] for h in found]
    # The model's subjects first, then the papers that only name the concept in their title.
    assert matches == sorted(matches, key=TIERS.index)  # type: ignore[arg-type]
    assert {"automatic", "named"} <= set(matches)
    for hit in found:
        marks = {s["uri"]: s["provenance"] for s in hit["subjects"]}  # type: ignore[attr-defined]
        if hit["concept_match"] == "automatic":
            assert marks[DISABILITY_INSURANCE] == "automatic"
            assert "tagged disability insurance (automatic)" in hit["why"]  # type: ignore[operator]
            assert 4 <= hit["score"] < 5  # type: ignore[operator]
        else:
            assert DISABILITY_INSURANCE not in marks
            assert "names disability insurance in title/abstract" in hit["why"]  # type: ignore[operator]
            assert 2 <= hit["score"] < 3  # type: ignore[operator]
    by_id = {h["id"]: h for h in found}
    # Real titles naming the concept without the model assigning it.
    assert (
        by_id["nber-w0813"]["concept_match"] == "named"
    )  # Health Care Incentives under Disability Insurance
    # Within a tier, a whole label in the title ranks above one in the abstract only.
    assert by_id["nber-w0813"]["score"] == 2.5


def test_manual_over_accepted_over_automatic_by_concept(
    indexed_data_dir: Path, provenance_trio: Callable[[Path], tuple[str, str, str]]
) -> None:
    ws = _ws(indexed_data_dir)
    manual, accepted, automatic = provenance_trio(indexed_data_dir)
    data = search(indexed_data_dir, "--concept", DISABILITY_INSURANCE, "-n", "1000")
    by_id = {h["id"]: h for h in hits(data)}
    assert [by_id[i]["concept_match"] for i in (manual, accepted, automatic)] == list(TIERS[:3])
    scores = [by_id[i]["score"] for i in (manual, accepted, automatic)]
    assert (
        scores[0]
        > scores[1]
        > scores[2]
        > max(h["score"] for h in by_id.values() if h["concept_match"] == "named")
    )  # type: ignore[operator]
    # Streaming (keyset paging) gives the same order as one page.
    with SearchService.open(ws) as svc:
        streamed = [h.id for h in svc.iter_hits(SearchRequest(concept=DISABILITY_INSURANCE))]
    assert streamed == list(by_id)


def test_narrower_concepts_are_included_below_the_concept_itself(indexed_read_only: Path) -> None:
    wide = search(
        indexed_read_only, "--concept", "social-security benefit", "--explain", "-n", "1000"
    )
    found = hits(wide)
    by_id = {h["id"]: h for h in found}
    matches = [h["concept_match"] for h in found]
    assert matches == sorted(matches, key=TIERS.index)  # type: ignore[arg-type]
    # An act indexed with the concept by its librarians comes first.
    assert found[0]["concept_match"] == "manual"
    assert any(s["uri"] == SOCIAL_SECURITY_BENEFIT for s in found[0]["subjects"])  # type: ignore[attr-defined]
    # A paper the model indexed with a concept narrower than this one.
    narrower = next(h for h in found if h["concept_match"] == "narrower")
    assert any("narrower than social-security benefit" in w for w in narrower["why"])  # type: ignore[attr-defined]
    # "Child Benefits in the U.S. Tax Code" names family benefit (its alt label "child
    # benefit"), narrower than social-security benefit.
    paper = by_id["nber-w8031"]
    assert paper["concept_match"] == "named"
    assert (
        "names family benefit in title/abstract, narrower than social-security benefit"
        in paper["why"]  # type: ignore[operator]
    )
    exact = search(
        indexed_read_only, "--concept", "social-security benefit", "--exact-concept", "-n", "1000"
    )
    exact_ids = {h["id"] for h in hits(exact)}
    assert "nber-w8031" not in exact_ids and narrower["id"] not in exact_ids
    assert {h["concept_match"] for h in hits(exact)} <= {"manual", "accepted", "automatic"}
    assert exact_ids < set(by_id)


def test_family_benefit_finds_nber_papers_naming_it_in_any_language(
    indexed_read_only: Path,
) -> None:
    data = search(indexed_read_only, "--concept", "family benefit", "--facets", "--explain")
    found = hits(data)
    papers = {h["id"] for h in found if str(h["id"]).startswith("nber-")}
    # Real titles: "... Child Benefits in the U.S. Tax Code", "... the National Child Benefit".
    assert {"nber-w8031", "nber-w21101", "nber-w10968", "nber-w14624"} <= papers
    # The papers the model indexed with it come first, marked automatic; then those whose
    # title names it, marked named (the sample's automatic subjects come from build_sample.py).
    kinds = [h["concept_match"] for h in found]
    assert kinds == sorted(kinds, key=["automatic", "named"].index)
    automatic = [h for h in found if h["concept_match"] == "automatic"]
    assert automatic and all(str(h["id"]).startswith("nber-") for h in automatic)
    assert all("tagged family benefit (automatic)" in h["why"] for h in automatic)  # type: ignore[operator]
    named = [h for h in found if h["concept_match"] == "named"]
    assert {"nber-w8031", "nber-w10968", "nber-w14624"} <= {h["id"] for h in named}
    assert all("names family benefit in title/abstract" in h["why"] for h in named)  # type: ignore[operator]
    # The same concept by its French and Spanish labels.
    for label in ("prestation familiale", "prestación familiar"):
        other = search(indexed_read_only, "--concept", label)
        assert [h["id"] for h in hits(other)] == [h["id"] for h in found]


def test_text_with_a_concept_filter_keeps_text_ranking(indexed_read_only: Path) -> None:
    """With words, the concept only filters: the text decides the order."""
    data = search(
        indexed_read_only, "labor supply", "--concept", "disability insurance", "-n", "1000"
    )
    found = hits(data)
    assert found and all("supply" in str(h["title"]).lower() for h in found[:5])
    alone = {
        h["id"]
        for h in hits(search(indexed_read_only, "--concept", "disability insurance", "-n", "1000"))
    }
    assert {h["id"] for h in found} <= alone
    assert "nber-w0860" in {h["id"] for h in found}  # Labor Supply under Disability Insurance


@pytest.mark.parametrize("sort", ["year", "-year"])
def test_concept_search_sorted_by_year(indexed_read_only: Path, sort: str) -> None:
    data = search(indexed_read_only, "--concept", "family benefit", "--sort", sort, "-n", "1000")
    years = [h["year"] for h in hits(data)]
    assert years == sorted(years, reverse=sort == "-year")  # type: ignore[type-var]


def test_concept_page_marks_records_naming_the_concept(bundled_data_dir: Path) -> None:
    from fastapi.testclient import TestClient

    from socsec.web.app import create_app

    with TestClient(create_app(_ws(bundled_data_dir))) as client:
        for lang, mark in (("fr", "nommé dans le texte"), ("es", "nombrado en el texto")):
            page = client.get(f"/concept?uri={FAMILY_BENEFIT}&lang={lang}")
            assert page.status_code == 200
            assert mark in page.text and "/record/nber-w8031" in page.text
        family = client.get(f"/concept?uri={FAMILY_BENEFIT}&lang=fr").text
        # The model's subjects are listed before the records that only name the concept.
        automatic = family.rfind(">automatique</small>")
        assert 0 < automatic < family.find(">nommé dans le texte</small>")
