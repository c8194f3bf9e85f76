"""The UNESCO add-on of the bundled thesaurus: built by its script, with provenance per label."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from socsec.analysis import fold
from socsec.data import build_unesco_labels as build
from socsec.thesaurus.hits import MatchKind
from socsec.thesaurus.lookup import ThesaurusCache

from .conftest import SHARED

EV = "http://eurovoc.europa.eu/"
DATA = Path(build.__file__).parent


def _provenance() -> list[dict[str, str]]:
    with (DATA / "unesco-labels-socprot.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.skipif(not (SHARED / build.UNESCO_FILE).is_file(), reason="shared data absent")
def test_the_committed_addon_is_what_the_script_builds() -> None:
    rows = build.build(SHARED)
    assert [
        (r["eurovoc_concept"], r["lang"], r["label"], r["unesco_concept"]) for r in _provenance()
    ] == rows
    assert {r[1] for r in rows} == {"en", "fr", "es"}


def test_every_label_records_its_source_and_licence() -> None:
    rows = _provenance()
    assert rows
    for r in rows:
        assert r["repository"] == "https://github.com/javiervzpucp/metadatos-archivo"
        assert len(r["commit"]) == 40 and r["path"] == "thesaurus/unesco-thesaurus.ttl"
        assert len(r["sha256"]) == 64
        assert r["license"] == "https://creativecommons.org/licenses/by-sa/3.0/igo/"
        assert r["unesco_concept"].startswith("http://vocabularies.unesco.org/thesaurus/")
    text = (DATA / "unesco-labels-socprot.ttl").read_text(encoding="utf-8")
    assert text.count("@en") + text.count("@fr") + text.count("@es") >= len(rows)
    assert "creativecommons.org/licenses/by-sa/3.0/igo" in text


def test_a_unesco_concept_cut_differently_gives_no_label() -> None:
    concepts = {r["eurovoc_concept"] for r in _provenance()}
    # UNESCO's "Social security" also names unemployment insurance, family benefits... (its
    # labels are labels of other EuroVoc concepts): nothing of it is taken.
    assert EV + "4050" not in concepts


def test_the_bundle_finds_spanish_non_preferred_terms(bundled_cache: ThesaurusCache) -> None:
    hit = bundled_cache.lookup("violencia en el hogar", lang="es")[0]
    assert (hit.uri, hit.match, hit.matched_kind) == (EV + "6557", MatchKind.folded, "alt")
    assert "Violencia en el hogar" in hit.alt["es"]
    # No added label is a label of another concept of the bundle.
    owners: dict[tuple[str, str], set[str]] = {}
    for uri, lang, _kind, label in bundled_cache.iter_labels():
        owners.setdefault((lang, fold(label)), set()).add(uri)
    for r in _provenance():
        assert owners[r["lang"], fold(r["label"])] == {r["eurovoc_concept"]}
