"""Version diff on minimal graphs and on the two real UNESCO Thesaurus releases."""

from __future__ import annotations

from socsec.thesaurus.checks_io import snapshot_from_file
from socsec.thesaurus.diff import diff_graphs, diff_snapshots

from .conftest import EUROVOC_FULL, UNESCO_2019, UNESCO_2024, graph, need, snap

OLD = """
ex:a a skos:Concept ; skos:prefLabel "social integration"@en, "intégration sociale"@fr ;
    skos:altLabel "inclusion"@en ; skos:related ex:b .
ex:b a skos:Concept ; skos:prefLabel "pension"@en ; skos:broader ex:a .
ex:c a skos:Concept ; skos:prefLabel "old"@en .
ex:d a skos:Concept ; skos:prefLabel "to deprecate"@en .
"""
NEW = """
ex:a a skos:Concept ; skos:prefLabel "social inclusion"@en, "intégration sociale"@fr ;
    skos:altLabel "inclusion"@en, "integration"@en .
ex:b a skos:Concept ; skos:prefLabel "pension"@en ; skos:broader ex:e ; skos:related ex:e .
ex:d a skos:Concept ; skos:prefLabel "to deprecate"@en ; owl:deprecated true ;
    dct:isReplacedBy ex:e .
ex:e a skos:Concept ; skos:prefLabel "welfare"@en ; skos:narrower ex:b .
"""


def test_diff_of_minimal_graphs() -> None:
    d = diff_graphs(graph(OLD), graph(NEW))
    assert d.added == ("http://example.org/e",)
    assert d.removed == ("http://example.org/c",)
    assert d.deprecated == ("http://example.org/d",)
    assert [(c.uri, c.lang, c.kind, c.change, c.old, c.new) for c in d.label_changes] == [
        (
            "http://example.org/a",
            "en",
            "pref",
            "changed",
            ("social integration",),
            ("social inclusion",),
        ),
        (
            "http://example.org/a",
            "en",
            "alt",
            "changed",
            ("inclusion",),
            ("inclusion", "integration"),
        ),
    ]
    assert [(m.uri, m.old_broader, m.new_broader) for m in d.moved] == [
        ("http://example.org/b", ("http://example.org/a",), ("http://example.org/e",))
    ]
    assert [(r.source, r.target, r.change) for r in d.relation_changes] == [
        ("http://example.org/a", "http://example.org/b", "removed"),
        ("http://example.org/b", "http://example.org/e", "added"),
    ]
    assert d.summary() == {
        "added": 1,
        "removed": 1,
        "deprecated": 1,
        "label_changes": 2,
        "relabelled": 1,
        "moved": 1,
        "relations_added": 1,
        "relations_removed": 1,
    }
    assert d.label_counts() == {"en": {"alt changed": 1, "pref changed": 1}}


def test_same_graph_gives_an_empty_diff() -> None:
    assert diff_snapshots(snap(OLD), snap(OLD)).empty


def test_language_filter() -> None:
    d = diff_snapshots(snap(OLD), snap(NEW), langs=["fr"])
    assert d.label_changes == ()


def test_unesco_2019_to_2024() -> None:
    old = snapshot_from_file(need(UNESCO_2019))
    new = snapshot_from_file(need(UNESCO_2024))
    d = diff_snapshots(old, new, langs=["en", "fr", "es"])
    assert (d.old_concepts, d.new_concepts) == (4420, 4485)
    assert d.summary() == {
        "added": 65,
        "removed": 0,
        "deprecated": 0,
        "label_changes": 129,
        "relabelled": 24,
        "moved": 4,
        "relations_added": 160,
        "relations_removed": 8,
    }
    relabelled = {
        (c.uri.rsplit("/", 1)[1], c.lang): c.new for c in d.label_changes if c.kind == "pref"
    }
    assert relabelled[("concept12679", "en")] == ("Social inclusion",)  # was "Social integration"
    # every language: the 2024 release adds Arabic labels to all 4,420 older concepts
    assert diff_snapshots(old, new).label_counts()["ar"]["pref added"] == 4420


def test_all_of_eurovoc_diffs_against_itself_to_nothing() -> None:
    # Its speed is a bench figure, not a test: the machine is shared and noisy.
    path = need(EUROVOC_FULL)
    d = diff_snapshots(snapshot_from_file(path), snapshot_from_file(path))
    assert d.empty and d.new_concepts == 7317
