"""Curation library edge cases on small inline vocabularies (as Annif tests do)."""

from __future__ import annotations

from pathlib import Path

import pytest

from socsec.config import Settings
from socsec.errors import NotFoundError, ValidationFailed
from socsec.thesaurus.curation import (
    LabelEdit,
    concept_history,
    edit_concept,
    link,
    merge,
    mint_uri,
    split_tagged,
    undo,
)
from socsec.thesaurus.lookup import get_cache
from socsec.thesaurus.manage import import_file
from socsec.thesaurus.quadindex import scope_of
from socsec.workspace import Workspace

VOCAB = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/t/> .
ex:s a skos:ConceptScheme ; skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:topConceptOf ex:s ;
    skos:prefLabel "pension"@en, "pension"@fr ; skos:narrower ex:b, ex:c .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "annuity"@en, "Rente"@fr-CA ; skos:related ex:d ;
    skos:editorialNote [ skos:note "blank node note"@en ] .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "annuity"@en .
ex:d a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:c ;
    skos:prefLabel "survivor pension"@en .
"""
EX = "http://example.org/t/"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "data"
    root.mkdir()
    (root / "bibliography.sqlite").touch()  # no bibliography needed here
    source = tmp_path / "vocab.ttl"
    source.write_text(VOCAB, encoding="utf-8")
    ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={"USER": "t"}))
    import_file(ws, source, replace=True)
    return ws


def test_split_tagged() -> None:
    assert split_tagged("fr-CA:rente") == ("fr-ca", "rente")
    assert split_tagged("en:a: b") == ("en", "a: b")
    assert split_tagged("es", value=False) == ("es", "")
    for bad in ("no tag", "english:x", ":x"):
        with pytest.raises(ValueError):
            split_tagged(bad)


def test_mint_uri_patterns() -> None:
    taken = {"http://example.org/t/socsec-1"}
    assert mint_uri("{ns}socsec-{n}", EX + "s", taken.__contains__, None) == EX + "socsec-2"
    assert mint_uri("{scheme}/c{n}", EX + "s", taken.__contains__, None) == EX + "s/c1"
    assert mint_uri("{ns}{notation}", "http://x.org/v#s", taken.__contains__, "N1") == (
        "http://x.org/v#N1"
    )
    assert len(mint_uri("urn:uuid:{uuid}", EX, taken.__contains__, None)) == len("urn:uuid:") + 32
    with pytest.raises(ValidationFailed):
        mint_uri("{ns}{nope}", EX, taken.__contains__, None)
    with pytest.raises(ValidationFailed):
        mint_uri("c{n}", EX, taken.__contains__, None)  # not absolute
    with pytest.raises(ValidationFailed):
        mint_uri("{ns}socsec-1", EX + "s", taken.__contains__, None)  # taken, no {n}


def test_a_defect_already_there_does_not_block_other_edits(ws: Workspace) -> None:
    # ex:b and ex:c share "annuity"@en: a real-data defect; adding an alt to ex:b is fine.
    edit_concept(ws, EX + "b", [LabelEdit("add", "alt", "en", "life annuity")])
    # ...but a new clash is refused.
    with pytest.raises(ValidationFailed, match="already used by"):
        edit_concept(ws, EX + "d", [LabelEdit("set", "pref", "en", "Pension")])


def test_blank_nodes_and_regional_tags_survive_edits(ws: Workspace) -> None:
    files = sorted(ws.thesaurus_dir.glob("*.ttl"))
    before = "".join(p.read_text("utf-8") for p in files)
    assert '"Rente"@fr-ca' in before  # RDF 1.1 normal form (docs/decisions/0001)
    for text in ("one", "two", "three"):
        edit_concept(ws, EX + "b", [LabelEdit("add", "alt", "en", text)])
    after = "".join(p.read_text("utf-8") for p in sorted(ws.thesaurus_dir.glob("*.ttl")))
    assert '"Rente"@fr-ca' in after
    assert after.count("blank node note") == 1
    scopes = [scope_of(p.name) for p in files]
    assert not any(scope in after for scope in scopes)  # blank-node labels do not grow
    with get_cache(ws) as cache:
        assert sorted(cache.concept(EX + "b").alt["en"]) == ["one", "three", "two"]


def test_related_to_ancestor_after_a_move_is_refused_with_the_path(ws: Workspace) -> None:
    # b related d; putting c (d's parent) under b would make b an ancestor of d.
    with pytest.raises(ValidationFailed, match=r"survivor pension .* > annuity .* > annuity"):
        link(ws, EX + "c", "broader", EX + "b")


def test_merge_drops_links_that_would_loop_and_says_so(ws: Workspace) -> None:
    result = merge(ws, EX + "b", into=EX + "c")
    # b's related d is a narrower of c: kept out, with a note.
    assert any("related link" in note for note in result.entry.notes)
    with get_cache(ws) as cache:
        c = cache.concept(EX + "c")
        assert EX + "d" not in c.related and c.broader == [EX + "a"]
        assert c.alt.get("en") is None  # "annuity" is already c's prefLabel: not copied
        assert cache.concept(EX + "b").deprecated


def test_history_and_undo_of_everything(ws: Workspace) -> None:
    originals = {p.name: p.read_bytes() for p in ws.thesaurus_dir.glob("*.ttl")}
    edit_concept(ws, EX + "a", [LabelEdit("set", "definition", "en", "Money paid regularly.")])
    merge(ws, EX + "b", into=EX + "c")
    assert [e.action for e in concept_history(ws)] == ["merge", "edit"]
    assert [e.action for e in concept_history(ws, EX + "a")] == ["edit"]
    undo(ws)
    undo(ws)
    assert {p.name: p.read_bytes() for p in ws.thesaurus_dir.glob("*.ttl")} == originals
    with pytest.raises(NotFoundError, match="nothing to undo"):
        undo(ws)


def test_a_change_prepared_before_another_commit_is_refused(data_dir: Path) -> None:
    # Two librarians at once: the second read the thesaurus before the first committed.
    # Writing the second change would silently undo the first; it is refused instead.
    import pyoxigraph as ox

    from socsec.thesaurus.working import WorkingCopy, commit, iri

    from .conftest import EARLY_RETIREMENT, store_bytes

    ws = Workspace(root=data_dir, settings=Settings.load(data_dir=data_dir, env={}))
    late = WorkingCopy(ws)
    edit_concept(ws, EARLY_RETIREMENT, [LabelEdit("remove", "alt", "en", "gradual retirement")])
    after_first = store_bytes(data_dir)
    alt = iri("http://www.w3.org/2004/02/skos/core#altLabel")
    assert late.remove(
        ox.Triple(iri(EARLY_RETIREMENT), alt, ox.Literal("préretraite", language="fr"))
    )
    with pytest.raises(ValidationFailed, match="changed while this change was being prepared"):
        commit(late, action="edit", concepts=[EARLY_RETIREMENT], summary="late", when="now")
    assert store_bytes(data_dir) == after_first
    labels = get_cache(ws).concept(EARLY_RETIREMENT).alt
    assert "gradual retirement" not in labels["en"] and "préretraite" in labels["fr"]
