"""Every SKOS file of the real-world corpus (tests/data/realworld/skos, see its README) is
imported (warnings allowed) or refused with exit 5 naming the file and a line, never exit 1,
by ``thesaurus import`` and ``thesaurus check`` alike; an import adds as many concepts as a
count made with rdflib (not socsec's parser) finds.

The independent count follows socsec's documented notion of a concept without any RDFS
inference: IRIs typed ``skos:Concept`` directly (a subclass of it does not count), or used as
one as the subject of ``skos:inScheme``, ``skos:topConceptOf``, ``skos:broader`` or
``skos:narrower`` with an IRI object; minus IRIs typed ``skos:ConceptScheme``,
``skos:Collection`` or ``skosxl:Label``. ``thesaurus check`` counts the typed ones only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Namespace, URIRef

from socsec.workspace import Workspace

from .test_cli import run

CORPUS = Path(__file__).parent.parent / "data" / "realworld" / "skos"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
_RDFLIB_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".jsonld": "json-ld", ".nt": "nt"}
_HINTS = (SKOS.inScheme, SKOS.topConceptOf, SKOS.broader, SKOS.narrower)
_NOT_CONCEPTS = (SKOS.ConceptScheme, SKOS.Collection, URIRef(str(SKOSXL) + "Label"))

# The files socsec refuses, with what the message must say (everything else must import).
REFUSED = {
    "qskos-invalidCharacters.rdf": "Invalid IRI code point",  # rdf:about="\*_ingredient"
    "qskos-skosxl.rdf": "Unexpected text event",  # stray " ;" between property elements
    "qskos-nocontent.rdf": "holds no triples",
    "skosify-dctype.in.rdf": "XML entity declarations",  # internal <!ENTITY> in a DOCTYPE
    "skosify-dctype.out.rdf": "malformed XML",  # Turtle under a .rdf name
    "openactive-activity-list.jsonld": "remote contexts",  # "@context": "https://openactive.io/"
    "openactive-holistic.jsonld": "remote contexts",
}
# Refused as a whole, not at a place in it.
_WHOLE_FILE = {"qskos-nocontent.rdf"}
# check reads leniently (an invalid IRI is a finding) and reports on an empty file.
CHECK_READS = {"qskos-invalidCharacters.rdf", "qskos-nocontent.rdf"}


def independent_count(path: Path) -> tuple[int, int]:
    """Concepts in ``path`` by rdflib, with the rule of the module docstring: those typed
    ``skos:Concept``, and those typed or used as concepts."""
    graph = Graph()
    logging.disable(logging.CRITICAL)  # rdflib logs a traceback for skosmos-date's bad xsd:date
    try:
        graph.parse(path, format=_RDFLIB_FORMATS[path.suffix])
    finally:
        logging.disable(logging.NOTSET)
    typed = {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
    used = {
        s
        for p in _HINTS
        for s, o in graph.subject_objects(p)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    }
    other = {s for t in _NOT_CONCEPTS for s in graph.subjects(RDF.type, t)}
    return len(typed - other), len((typed | used) - other)


def test_corpus_is_as_fetched() -> None:
    assert len(MANIFEST) >= 8
    assert {Path(m["file"]).suffix for m in MANIFEST} >= {".ttl", ".rdf", ".jsonld"}
    for m in MANIFEST:
        data = (CORPUS / m["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == m["sha256"], m["file"]
        assert len(data) < 2 * 1024 * 1024, m["file"]
        assert m["licence"] and m["repo"] and len(m["commit"]) == 40
    assert set(REFUSED) <= {m["file"] for m in MANIFEST}


def _concepts(ws: Workspace) -> int:
    code, out, err = run(ws, "info", "--json")
    assert code == 0, err
    count: int = json.loads(out)["concepts"]
    return count


def _assert_refusal(name: str, src: Path, code: int, err: str) -> None:
    assert code == 5, (code, err[-400:])
    assert str(src) in err and REFUSED[name] in err, err
    if name not in _WHOLE_FILE:
        assert re.search(rf"{re.escape(str(src))}, line \d+(, column \d+)?:", err), err


@pytest.mark.parametrize("name", [m["file"] for m in MANIFEST])
def test_corpus_file_imports_or_exits_5(name: str, bundled_ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "in" / name  # a copy: nothing may be written beside it
    src.parent.mkdir()
    shutil.copy(CORPUS / name, src)
    before = _concepts(bundled_ws)
    code, out, err = run(bundled_ws, "import", str(src), "--json")
    if name in REFUSED:
        _assert_refusal(name, src, code, err)
        assert _concepts(bundled_ws) == before
    else:
        assert code == 0, (code, err[-400:])
        typed, expected = independent_count(src)
        assert expected > 0
        assert json.loads(out)["concepts"] - before == expected
    # check reads the file alone, leniently (invalid IRIs become findings): 0 passed, 3 gate.
    code, out, err = run(bundled_ws, "check", str(src), "--json")
    if name in REFUSED and name not in CHECK_READS:
        _assert_refusal(name, src, code, err)
    else:
        assert code in (0, 3), (code, err[-400:])
        report = json.loads(out)
        if name not in REFUSED:
            assert report["concepts"] == typed
    assert sorted(p.name for p in src.parent.iterdir()) == [name]


def test_invalid_iri_is_a_check_finding_with_its_position(bundled_ws: Workspace) -> None:
    """The import names where the bad IRI is; check reads the file and reports it."""
    src = CORPUS / "qskos-invalidCharacters.rdf"
    code, _out, err = run(bundled_ws, "import", str(src))
    assert code == 5 and f"{src}, line 5, column 33:" in err
    code, out, _err = run(bundled_ws, "check", str(src), "--json")
    assert code == 3
    report = json.loads(out)
    assert report["concepts"] == 1
    bad = [f for f in report["findings"] if f["check"] == "invalid-iri"]
    assert [f["resources"] for f in bad] == [["http://zbw.eu/stw/\\*_ingredient"]]


def test_skosxl_labels_in_a_scheme_are_not_concepts(bundled_ws: Workspace) -> None:
    """YSO gives its SKOS-XL labels skos:inScheme; they were counted as concepts (279, not 270)."""
    code, _out, err = run(bundled_ws, "import", str(CORPUS / "skosmos-yso.ttl"))
    assert code == 0, err
    code, out, _err = run(bundled_ws, "show", "http://www.yso.fi/onto/yso/p1464", "--json")
    assert code == 0 and json.loads(out)["concept"]["uri"] == "http://www.yso.fi/onto/yso/p1464"
    code, _out, err = run(bundled_ws, "show", "http://www.yso.fi/onto/yso-meta/p1464#sme_1")
    assert code == 4 and "No concept matches" in err
