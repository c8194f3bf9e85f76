"""Translation gaps: the work list, and reading a filled-in list back (all or nothing)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from socsec.errors import InputDataError, ValidationFailed
from socsec.thesaurus.checks_io import snapshot_from_file, snapshot_from_graph
from socsec.thesaurus.gaps import (
    LabelAddition,
    apply_additions,
    find_gaps,
    gaps_header,
    read_label_additions,
    validate_additions,
    write_gaps_csv,
)

from .conftest import BUNDLED, graph, snap

VOCAB = """
ex:s a skos:ConceptScheme ; skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:topConceptOf ex:s ;
    skos:prefLabel "disability insurance"@en, "assurance d'invalidité"@fr ;
    skos:definition "Insurance paying a pension on disability."@en .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "family benefit"@en, "prestation familiale"@fr, "prestación familiar"@es ;
    skos:altLabel "subsidio familiar"@es ;
    skos:definition "A cash benefit for families."@en .
ex:c a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "occupational accident"@en, "accidente laboral"@es .
"""


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8-sig"))


def test_find_gaps_lists_missing_pref_and_translatable_definitions() -> None:
    gaps = {g.uri: g for g in find_gaps(snap(VOCAB), "es")}
    assert gaps["http://example.org/a"].missing == ("pref_label", "definition")
    assert gaps["http://example.org/a"].sources["fr"] == ("assurance d'invalidité", "")
    assert gaps["http://example.org/b"].missing == ("definition",)
    assert gaps["http://example.org/b"].pref == "prestación familiar"
    assert "http://example.org/c" not in gaps  # no definition anywhere: not a translation gap


def test_gaps_csv_round_trip() -> None:
    data = snap(VOCAB)
    out = io.BytesIO()
    assert write_gaps_csv(find_gaps(data, "es"), out, "es") == 2
    text = out.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == gaps_header("es", ["en", "fr", "es"])
    assert rows[0][-3:] == ["pref_label_es", "alt_labels_es", "definition_es"]
    # The translator fills in the last columns.
    rows[1][-3:] = [
        "seguro de invalidez",
        "seguro de discapacidad | pensión de invalidez",
        "Seguro que paga una pensión en caso de invalidez.",
    ]
    rows[2][-1] = "Prestación en metálico para las familias."
    filled = io.StringIO(newline="")
    csv.writer(filled).writerows(rows)
    additions = validate_additions(data, read_label_additions(_csv(filled.getvalue())))
    assert [(a.uri[-1], a.kind, a.value) for a in additions] == [
        ("a", "pref", "seguro de invalidez"),
        ("a", "alt", "seguro de discapacidad"),
        ("a", "alt", "pensión de invalidez"),
        ("a", "definition", "Seguro que paga una pensión en caso de invalidez."),
        ("b", "definition", "Prestación en metálico para las familias."),
    ]  # b's existing prefLabel, repeated in the sheet, adds nothing
    g = graph(VOCAB)
    assert apply_additions(g, additions) == 5
    assert (
        URIRef("http://example.org/a"),
        SKOS.prefLabel,
        Literal("seguro de invalidez", lang="es"),
    ) in g
    assert find_gaps(snapshot_from_graph(g), "es") == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty file"),
        ("url,pref_label_es\nhttp://example.org/a,x\n", 1, "no 'uri' column"),
        ("uri,label\nhttp://example.org/a,x\n", 1, "no label column"),
        ("uri,pref_label_es\nhttp://example.org/a,x,extra\n", 2, "3 cells"),
        ("uri,pref_label_es\n,x\n", 2, "empty uri"),
        ('uri,pref_label_es\nhttp://example.org/a,"x\ny"\n', 3, "line break"),
        ('uri,pref_label_es\nhttp://example.org/a,"x"y"\n', 2, "malformed CSV"),
    ],
)
def test_malformed_csv_is_refused_with_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputDataError, match=message) as info:
        read_label_additions(_csv(text), name="gaps.csv")
    assert info.value.line == line


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_bytes("uri,pref_label_es\nhttp://example.org/a,pensi\xf3n\n".encode("latin-1"))
    with pytest.raises(InputDataError, match="not UTF-8"):
        read_label_additions(path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("http://example.org/zz", "es", "pref", "x")], "not a concept"),
        ([("http://example.org/b", "es", "pref", "otra")], "already has a pref"),
        ([("http://example.org/a", "es", "pref", "accidente laboral")], "already used by"),
        ([("http://example.org/a", "es", "pref", "Accidente  Laboral")], "already used by"),
        (
            [
                ("http://example.org/b", "es", "pref", "prestación familiar"),
                ("http://example.org/b", "es", "alt", "prestación familiar"),
            ],
            "is the prefLabel",
        ),
        (
            [
                ("http://example.org/a", "es", "pref", "uno"),
                ("http://example.org/a", "es", "pref", "dos"),
            ],
            "two pref values",
        ),
        (
            [
                ("http://example.org/c", "es", "alt", "y"),
                ("http://example.org/a", "es", "alt", "seguro"),
                ("http://example.org/a", "es", "pref", "seguro"),
            ],
            "already an alt/hidden",
        ),
    ],
)
def test_invalid_additions_are_refused(rows: list[tuple[str, str, str, str]], message: str) -> None:
    additions = [LabelAddition(*row, line=i + 2) for i, row in enumerate(rows)]  # type: ignore[misc]
    with pytest.raises(ValidationFailed, match=message) as info:
        validate_additions(snap(VOCAB), additions, path="gaps.csv")
    assert info.value.line == len(rows) + 1 and info.value.path == "gaps.csv"


def test_deprecated_concept_gets_no_labels() -> None:
    data = snap(VOCAB + 'ex:d a skos:Concept ; owl:deprecated true ; skos:prefLabel "d"@en .')
    with pytest.raises(ValidationFailed, match="deprecated"):
        validate_additions(data, [LabelAddition("http://example.org/d", "es", "pref", "d", 2)])


def test_nothing_is_applied_when_a_row_is_invalid() -> None:
    g = graph(VOCAB)
    before = len(g)
    additions = [
        LabelAddition("http://example.org/a", "es", "pref", "seguro", 2),
        LabelAddition("http://example.org/nope", "es", "pref", "x", 3),
    ]
    with pytest.raises(ValidationFailed):
        apply_additions(g, validate_additions(snapshot_from_graph(g), additions))
    assert len(g) == before


def test_bundled_thesaurus_spanish_gaps_are_the_definitions() -> None:
    gaps = find_gaps(snapshot_from_file(BUNDLED), "es")
    assert {g.missing for g in gaps} == {("definition",)}  # every concept has a Spanish prefLabel
    # the concepts with an English or French definition (EuroVoc: en 46, fr 43)
    assert len(gaps) == 46
