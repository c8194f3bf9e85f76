"""Relative IRIs as the RDF specifications say: resolved against the file's URI, or --base.

The inline vocabularies are small hand-written SKOS files in each syntax (as rdflib's and
Annif's tests write theirs); the relative-IRI forms are the ones RDF/XML, Turtle and JSON-LD
specify (rdf:about="conceptA", <conceptA>, "@id": "conceptA").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socsec.workspace import Workspace

from .test_cli import run

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_XML = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="{SKOS}">
  <skos:ConceptScheme rdf:about="scheme"/>
  <skos:Concept rdf:about="conceptA">
    <skos:inScheme rdf:resource="scheme"/>
    <skos:prefLabel xml:lang="en">relative pension</skos:prefLabel>
  </skos:Concept>
</rdf:RDF>
"""
TURTLE = f"""@prefix skos: <{SKOS}> .
<scheme> a skos:ConceptScheme .
<conceptA> a skos:Concept ; skos:inScheme <scheme> ; skos:prefLabel "relative pension"@en .
"""
JSON_LD = json.dumps(
    {
        "@context": {"skos": SKOS},
        "@graph": [
            {"@id": "scheme", "@type": "skos:ConceptScheme"},
            {
                "@id": "conceptA",
                "@type": "skos:Concept",
                "skos:inScheme": {"@id": "scheme"},
                "skos:prefLabel": {"@value": "relative pension", "@language": "en"},
            },
        ],
    }
)
FILES = {"vocab.rdf": RDF_XML, "vocab.ttl": TURTLE, "vocab.jsonld": JSON_LD}


def _concept_uri(ws: Workspace) -> str:
    code, out, err = run(ws, "lookup", "relative pension", "--json")
    assert code == 0, err
    uri: str = json.loads(out)[0]["uri"]
    return uri


@pytest.mark.parametrize("name", list(FILES))
def test_relative_iris_resolve_against_the_file(ws: Workspace, tmp_path: Path, name: str) -> None:
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_text(FILES[name], encoding="utf-8")
    code, _out, err = run(ws, "import", str(path))
    assert code == 0, err
    assert _concept_uri(ws) == (tmp_path / "in").resolve().as_uri() + "/conceptA"


@pytest.mark.parametrize("name", list(FILES))
def test_base_option_sets_the_base(ws: Workspace, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    code, _out, err = run(ws, "import", str(path), "--base", "http://example.org/voc/")
    assert code == 0, err
    assert _concept_uri(ws) == "http://example.org/voc/conceptA"
    code, _out, err = run(ws, "import", str(path), "--base", "not an iri")
    assert code == 5 and "--base" in err


def test_n_triples_stay_absolute_only(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "vocab.nt"
    path.write_text(f'<conceptA> <{SKOS}prefLabel> "relative pension"@en .\n', encoding="utf-8")
    code, _out, err = run(ws, "import", str(path), "--base", "http://example.org/voc/")
    assert code == 5 and "line 1" in err


def test_check_reports_invalid_iris_as_findings(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "vocab.ttl"
    path.write_text(
        TURTLE + "<http://example.org/a b> a skos:Concept ; skos:inScheme <scheme> ; "
        'skos:prefLabel "spaced"@en .\n',
        encoding="utf-8",
    )
    code, out, err = run(ws, "check", str(path), "--lang", "en", "--json")
    assert code == 3, err  # the gate fails; the file was read
    report = json.loads(out)
    found = [f for f in report["findings"] if f["check"] == "invalid-iri"]
    assert [f["resources"] for f in found] == [["http://example.org/a b"]]
    code, _out, err = run(ws, "import", str(path))
    assert code == 5 and "Invalid IRI" in err  # an import stays strict
