"""TBX-Basic and glossary CSV exports, and reading TBX back.

The TBX-Basic schemas (the TBX core RNG and the TBX-Basic DCA Schematron) are not shipped by
any PyPI package, so these tests check the structure the Schematron's dialect rules ask for
(data-category types, allowed values, levels); the exports of the bundled thesaurus, EuroVoc
and UNESCO were validated against TBXcoreStructV03.rng once by hand (see the final report).
"""

from __future__ import annotations

import csv
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from socsec.errors import InputDataError
from socsec.thesaurus.checks_io import snapshot_from_file
from socsec.thesaurus.export_csv import glossary_header, write_csv
from socsec.thesaurus.export_tbx import TBX_NS, entry_id, write_tbx
from socsec.thesaurus.glossary import entries_from_snapshot
from socsec.thesaurus.import_tbx import read_tbx

from .conftest import BUNDLED, graph, snap

NS = {"t": TBX_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGS = ["en", "fr", "es"]

SMALL = """
ex:s a skos:ConceptScheme ; skos:prefLabel "Social protection"@en, "protection sociale"@fr ;
    skos:hasTopConcept ex:a .
ex:a a skos:Concept ; skos:inScheme ex:s ; skos:notation "2836" ;
    skos:prefLabel "early retirement"@en, "retraite anticipée"@fr, "jubilación anticipada"@es ;
    skos:altLabel "early pension"@en, "pré-retraite"@fr, "préretraite"@fr,
        "retraites anticipées"@fr ;
    skos:hiddenLabel "retraite anticipee"@fr ;
    skos:definition "Retirement before the statutory age, with a reduced pension."@en .
ex:i a skos:Concept ; skos:prefLabel "International Social Security Association"@en ;
    skos:altLabel "ISSA"@en, "SERP"@en .
ex:b a skos:Concept ; skos:inScheme ex:s ; skos:broader ex:a ;
    skos:prefLabel "bridging pension, \\"partial\\" <b>"@en .
ex:old a skos:Concept ; owl:deprecated true ; skos:prefLabel "obsolete"@en ;
    dct:isReplacedBy ex:a .
<urn:x:c> a skos:Concept ; skos:prefLabel "urn concept"@en .
"""


def _tbx(text: str, langs: list[str] = LANGS) -> bytes:
    out = io.BytesIO()
    write_tbx(snap(text), out, langs)
    return out.getvalue()


def assert_tbx_basic(data: bytes) -> ET.Element:
    """The structural rules of TBX-Basic (DCA style) that the Schematron enforces."""
    root = ET.fromstring(data)
    assert root.tag == f"{{{TBX_NS}}}tbx"
    assert root.get("type") == "TBX-Basic" and root.get("style") == "dca"
    assert root.get(XML_LANG)
    allowed = {
        "descrip": {"subjectField", "context", "definition"},
        "termNote": {
            "administrativeStatus",
            "partOfSpeech",
            "geographicalUsage",
            "grammaticalGender",
            "termLocation",
            "termType",
        },
        "xref": {"externalCrossReference", "xGraphic"},
        "admin": {"customerSubset", "projectSubset", "source"},
    }
    parents = {child: parent for parent in root.iter() for child in parent}
    ids = [e.get("id") for e in root.iter(f"{{{TBX_NS}}}conceptEntry")]
    assert len(ids) == len(set(ids)) and all(
        re.fullmatch(r"[A-Za-z_][\w.-]*", i or "") for i in ids
    )
    for elem in root.iter():
        assert elem.tag.startswith(f"{{{TBX_NS}}}"), elem.tag  # DCA: no foreign elements
        name = elem.tag.split("}")[1]
        parent = parents.get(elem)
        parent_name = parent.tag.split("}")[1] if parent is not None else None
        if name in allowed:
            assert elem.get("type") in allowed[name], (name, elem.get("type"))
        if name == "termNote":
            assert parent_name == "termSec"
        if name == "termNote" and elem.get("type") == "administrativeStatus":
            assert elem.text in {
                "preferredTerm-admn-sts",
                "admittedTerm-admn-sts",
                "deprecatedTerm-admn-sts",
                "supersededTerm-admn-sts",
            }
        if name == "termNote" and elem.get("type") == "termType":
            assert elem.text in {
                "fullForm",
                "acronym",
                "abbreviation",
                "shortForm",
                "variant",
                "phrase",
            }
        if name == "descrip" and elem.get("type") == "subjectField":
            assert parent_name == "conceptEntry"
        if name == "descrip" and elem.get("type") == "definition":
            assert parent_name in ("conceptEntry", "langSec")
        if elem.get("target") is not None:
            assert re.fullmatch(r"https?://.+", elem.get("target", "")) or elem.get("target") in ids
        if name == "conceptEntry":
            assert elem.findall("t:langSec", NS), "a conceptEntry needs a langSec"
        if name == "langSec":
            assert elem.get(XML_LANG) and elem.findall("t:termSec", NS)
        if name == "termSec":
            assert elem.find("t:term", NS) is not None and len(elem) >= 1
    return root


def _terms(lang_sec: ET.Element) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (
            t.findtext("t:term", namespaces=NS),
            t.findtext("t:termNote[@type='administrativeStatus']", namespaces=NS),
            t.findtext("t:termNote[@type='termType']", namespaces=NS),
        )
        for t in lang_sec.findall("t:termSec", NS)
    ]


def test_tbx_structure_and_content() -> None:
    root = assert_tbx_basic(_tbx(SMALL))
    entries = root.findall(".//t:conceptEntry", NS)
    assert [e.get("id") for e in entries] == ["a", "b", "i", "old", "urn_x_c"]
    a = entries[0]
    assert a.find("t:descrip[@type='subjectField']", NS).text == "Social protection"  # type: ignore[union-attr]
    assert a.find("t:xref", NS).get("target") == "http://example.org/a"  # type: ignore[union-attr]
    fr = a.find("t:langSec[@{http://www.w3.org/XML/1998/namespace}lang='fr']", NS)
    assert fr is not None
    # Equivalents only: the plural is one; "préretraite" (a neighbouring notion EuroVoc
    # lists as a non-preferred term) is an entry term, in a note; hidden labels never appear.
    assert _terms(fr) == [
        ("retraite anticipée", "preferredTerm-admn-sts", "fullForm"),
        ("retraites anticipées", "admittedTerm-admn-sts", "fullForm"),
    ]
    assert fr.findtext("t:note", namespaces=NS).endswith("pré-retraite; préretraite")  # type: ignore[union-attr]
    assert b"retraite anticipee" not in _tbx(SMALL)
    # An acronym of the preferred term is admitted and typed so; "SERP" is not one of it.
    issa = entries[2].find("t:langSec", NS)
    assert issa is not None
    assert _terms(issa)[1] == ("ISSA", "admittedTerm-admn-sts", "acronym")
    assert "SERP" in (issa.findtext("t:note", namespaces=NS) or "")
    assert [t[0] for t in _terms(issa)] == ["International Social Security Association", "ISSA"]
    # A deprecated concept: its terms deprecated, its replacement named.
    old = entries[3]
    assert _terms(old.find("t:langSec", NS)) == [  # type: ignore[arg-type]
        ("obsolete", "deprecatedTerm-admn-sts", "fullForm")
    ]
    assert "use: http://example.org/a" in "".join(n.text or "" for n in old.findall("t:note", NS))
    en = a.find("t:langSec[@{http://www.w3.org/XML/1998/namespace}lang='en']", NS)
    assert en is not None
    definition = en.findtext("t:descrip[@type='definition']", namespaces=NS) or ""
    assert definition.startswith("Retirement")
    # a non-HTTP URI goes in a note (the Schematron wants http(s) targets)
    assert entries[4].findtext("t:note", namespaces=NS) == "URI: urn:x:c"


def test_tbx_roundtrip_restores_the_labels() -> None:
    data = snap(SMALL)
    out = io.BytesIO()
    write_tbx(data, out, LANGS)
    back = {e.uri: e for e in read_tbx(io.BytesIO(out.getvalue()))}
    for entry in entries_from_snapshot(data, LANGS):
        assert back[entry.uri].pref == entry.pref
        assert back[entry.uri].alt == entry.alt
        assert back[entry.uri].entry_terms == entry.entry_terms
        assert back[entry.uri].deprecated == entry.deprecated
        assert back[entry.uri].definitions == entry.definitions
        assert back[entry.uri].notation == entry.notation


def test_tbx_roundtrip_of_the_bundled_thesaurus(tmp_path: Path) -> None:
    data = snapshot_from_file(BUNDLED)
    path = tmp_path / "bundled.tbx"
    with path.open("wb") as fh:
        assert write_tbx(data, fh, LANGS) == 455
    assert_tbx_basic(path.read_bytes())
    back = {e.uri: e for e in read_tbx(path)}
    original = list(entries_from_snapshot(data, LANGS))
    assert [(e.uri, e.pref, e.alt) for e in original] == [
        (e.uri, back[e.uri].pref, back[e.uri].alt) for e in original
    ]


def test_entry_ids_are_unique_ncnames() -> None:
    used: set[str] = set()
    assert entry_id("http://eurovoc.europa.eu/1044", used) == "c1044"
    assert entry_id("http://x.org/a/1044", used) == "c1044-2"
    assert entry_id("http://vocabularies.unesco.org/thesaurus/concept5090", used) == "concept5090"
    assert entry_id("urn:isbn:x y", used) == "urn_isbn_x_y"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<tbx><text><body><conceptEntry id='c1'>", "not well-formed"),
        (b'<?xml version="1.0"?><!DOCTYPE tbx [<!ENTITY e "x">]><tbx>&e;</tbx>', "unsafe"),
        (b"<html/>", "not a TBX file"),
    ],
)
def test_read_tbx_refuses_bad_input(payload: bytes, message: str) -> None:
    with pytest.raises(InputDataError, match=message):
        read_tbx(io.BytesIO(payload))


def test_read_tbx_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tbx"
    path.write_bytes(b"<tbx>\n<text>\n<body>\n</text>\n</tbx>\n")
    with pytest.raises(InputDataError) as info:
        read_tbx(path)
    assert info.value.line == 4 and info.value.path == str(path)


def test_read_tbx_without_status_takes_the_first_term_as_preferred() -> None:
    data = f"""<tbx xmlns="{TBX_NS}" type="TBX-Basic" style="dca" xml:lang="en"><text><body>
    <conceptEntry id="c1"><xref type="externalCrossReference" target="http://e.org/1">x</xref>
    <langSec xml:lang="es"><termSec><term>pensión</term></termSec>
    <termSec><term>jubilación</term></termSec>
    <termSec><term>retiro</term>
    <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
    </langSec></conceptEntry></body></text></tbx>""".encode()
    (entry,) = read_tbx(io.BytesIO(data))
    assert entry.uri == "http://e.org/1"
    assert entry.pref == {"es": "pensión"} and entry.alt == {"es": ("jubilación",)}


def test_csv_glossary() -> None:
    out = io.BytesIO()
    assert write_csv(graph(SMALL), out, LANGS) == 5
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == glossary_header(LANGS)
    assert rows[0][:8] == [
        "uri", "notation", "status", "replaced_by",
        "pref_label_en", "alt_labels_en", "entry_terms_en", "definition_en",
    ]  # fmt: skip
    by_uri = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    a = by_uri["http://example.org/a"]
    assert a["notation"] == "2836"
    assert a["pref_label_fr"] == "retraite anticipée"
    assert a["alt_labels_fr"] == "retraites anticipées"
    assert a["entry_terms_fr"] == "pré-retraite | préretraite" and a["status"] == "current"
    old = by_uri["http://example.org/old"]
    assert (old["status"], old["replaced_by"]) == ("deprecated", "http://example.org/a")
    assert "retraite anticipee" not in data.decode("utf-8-sig")  # hidden label
    assert a["definition_es"] == ""
    assert by_uri["http://example.org/b"]["pref_label_en"] == 'bridging pension, "partial" <b>'


def test_tbx_header_keeps_the_attribution_and_licence() -> None:
    out = io.BytesIO()
    write_tbx(snapshot_from_file(BUNDLED), out, LANGS)
    root = ET.fromstring(out.getvalue())
    source = root.findtext("t:tbxHeader/t:fileDesc/t:sourceDesc/t:p", namespaces=NS) or ""
    assert "© European Union" in source and "2011/833" in source


def test_entries_from_cache_views() -> None:
    from socsec.thesaurus.glossary import entries_from_views
    from socsec.thesaurus.model import ConceptView

    view = ConceptView(
        uri="http://eurovoc.europa.eu/1004",
        notation="1004",
        pref={"en": "welfare", "fr": "aide sociale", "de": "Sozialhilfe"},
        alt={"en": ["social assistance"]},
        schemes=["http://eurovoc.europa.eu/100185"],
        notes={"definition": {"en": ["Help for people in need."]}},
    )
    gone = ConceptView(
        uri="http://eurovoc.europa.eu/1", notation=None, pref={"en": "x"}, deprecated=True
    )
    titles = {"http://eurovoc.europa.eu/100185": {"en": "social protection"}}
    entry, old = entries_from_views([view, gone], LANGS, titles)
    assert old.deprecated and not entry.deprecated
    assert entry.pref == {"en": "welfare", "fr": "aide sociale"}
    # "social assistance" is no variant of "welfare": an entry term, not an equivalent.
    assert entry.alt == {} and entry.entry_terms == {"en": ("social assistance",)}
    assert entry.definitions == {"en": ("Help for people in need.",)}
    assert entry.subject_fields == {"en": ("social protection",)}
    out = io.BytesIO()
    assert write_tbx([entry], out, LANGS) == 1
    assert_tbx_basic(out.getvalue())


@pytest.mark.skipif(
    not os.environ.get("SOCSEC_TBX_RNG"),
    reason="set SOCSEC_TBX_RNG to the TBX core schema (TBXcoreStructV03.rng) to validate",
)
def test_tbx_validates_against_the_tbx_core_rng(tmp_path: Path) -> None:
    lxml = pytest.importorskip("lxml.etree")
    schema = lxml.RelaxNG(lxml.parse(os.environ["SOCSEC_TBX_RNG"]))
    path = tmp_path / "bundled.tbx"
    with path.open("wb") as fh:
        write_tbx(snapshot_from_file(BUNDLED), fh, LANGS)
    document = lxml.parse(str(path))
    assert schema.validate(document), schema.error_log
