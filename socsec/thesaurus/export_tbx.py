"""Write the thesaurus as TBX (ISO 30042:2019, TBX-Basic dialect, DCA style) for CAT tools.

``version="2008"`` writes the same content as TBX-Basic of ISO 30042:2008 (``martif``,
``termEntry``, ``langSet``, ``tig``): the only TBX many CAT tools and translate-toolkit read.

One ``conceptEntry`` per concept: the subject field (scheme label), the concept URI as an
``externalCrossReference``, then one ``langSec`` per language with its definition and one
``termSec`` per term: the prefLabel as ``preferredTerm-admn-sts``, equivalents (alternative
labels that are variants or acronyms of it, :mod:`socsec.thesaurus.term_status`) as
``admittedTerm-admn-sts`` with termType ``acronym`` or ``fullForm``; every term of a
deprecated concept as ``deprecatedTerm-admn-sts`` (with a note naming the replacement). The
other alternative labels, entry points for narrower notions, are listed in a ``note`` of the
``langSec``, never as terms; hidden labels are never exported. Entries are written one at
a time, so memory stays flat on large vocabularies.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, BinaryIO

from socsec.thesaurus.checks_io import SkosSnapshot, snapshot_from_graph
from socsec.thesaurus.glossary import GlossaryEntry, as_entries

if TYPE_CHECKING:
    from rdflib import Graph

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFERRED = "preferredTerm-admn-sts"
ADMITTED = "admittedTerm-admn-sts"
DEPRECATED = "deprecatedTerm-admn-sts"
# The langSec note listing entry terms (read back by import_tbx).
ENTRY_TERMS_NOTE = "Entry terms (narrower or related notions indexed here; not equivalents): "
# The TBX-Basic schemas the LTAC publishes; CAT tools ignore these processing instructions.
_SCHEMA_PIS = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/'
    'TBXcoreStructV03.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/'
    'DCA/TBX-Basic_DCA.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)


@dataclass(frozen=True)
class TbxVersion:
    """Element names of one edition of ISO 30042 (the content model is the same)."""

    root: str
    header: str
    entry: str
    lang_set: str
    term_set: str
    opening: str  # root start tag, with "{lang}" for the document language


TBX_VERSIONS = {
    "2019": TbxVersion(
        "tbx", "tbxHeader", "conceptEntry", "langSec", "termSec",
        _SCHEMA_PIS + f'<tbx type="TBX-Basic" style="dca" xml:lang="{{lang}}" xmlns="{TBX_NS}">',
    ),
    "2008": TbxVersion(
        "martif", "martifHeader", "termEntry", "langSet", "tig",
        '<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">\n'
        '<martif type="TBX-Basic" xml:lang="{lang}">',
    ),
}  # fmt: skip
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]")
_HTTP = re.compile(r"https?://.+")


def entry_id(uri: str, used: set[str]) -> str:
    """A unique xml:id-safe id for a concept: "c" + the URI's last segment ("c1044")."""
    tail = re.split(r"[/#]", uri.rstrip("/#"))[-1] or "concept"
    base = _NOT_NAME.sub("_", tail)
    base = base if base[:1].isalpha() else f"c{base}"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def _is_graph(source: object) -> bool:
    from rdflib import Graph

    return isinstance(source, Graph)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, tag, attrs)
    if text is not None:
        elem.text = text
    return elem


def _term(
    lang_sec: ET.Element, term: str, status: str, term_set: str, term_type: str = "fullForm"
) -> None:
    term_sec = _sub(lang_sec, term_set)
    _sub(term_sec, "term", term)
    _sub(term_sec, "termNote", term_type, type="termType")
    _sub(term_sec, "termNote", status, type="administrativeStatus")


def concept_entry(
    entry: GlossaryEntry,
    entry_id: str,
    langs: Sequence[str],
    version: TbxVersion = TBX_VERSIONS["2019"],
) -> ET.Element | None:
    """The ``conceptEntry`` element of one glossary entry (None when it has no term in ``langs``).

    Elements are built without a namespace: they are serialised inside the ``<tbx>`` element,
    whose default namespace is the TBX one.
    """
    if not any(entry.pref.get(lang) or entry.alt.get(lang) for lang in langs):
        return None
    elem = ET.Element(version.entry, {"id": entry_id})
    shown_fields = entry.subject_fields.get(langs[0]) or next(
        iter(entry.subject_fields.values()), ()
    )
    for subject_field in shown_fields:
        _sub(elem, "descrip", subject_field, type="subjectField")
    if _HTTP.fullmatch(entry.uri):
        # TBX-Basic's Schematron wants targets to be http(s) URIs or internal ids.
        _sub(elem, "xref", entry.uri, type="externalCrossReference", target=entry.uri)
    else:
        _sub(elem, "note", f"URI: {entry.uri}")
    if entry.notation:
        _sub(elem, "note", f"notation: {entry.notation}")
    if entry.deprecated:
        use = ", ".join(entry.replaced_by)
        _sub(elem, "note", "Deprecated concept" + (f"; use: {use}" if use else ""))
    for lang in langs:
        pref, alts = entry.pref.get(lang), entry.alt.get(lang, ())
        if not pref and not alts:
            continue
        lang_sec = _sub(elem, version.lang_set, **{XML_LANG: lang})
        for definition in entry.definitions.get(lang, ()):
            _sub(lang_sec, "descrip", definition, type="definition")
        if entry.entry_terms.get(lang):
            _sub(lang_sec, "note", ENTRY_TERMS_NOTE + "; ".join(entry.entry_terms[lang]))
        abbreviations = set(entry.abbreviations.get(lang, ()))
        if pref:
            _term(lang_sec, pref, DEPRECATED if entry.deprecated else PREFERRED, version.term_set)
        for alt in alts:
            status = DEPRECATED if entry.deprecated else ADMITTED
            kind = "acronym" if alt in abbreviations else "fullForm"
            _term(lang_sec, alt, status, version.term_set, kind)
    return elem


def write_tbx(
    source: SkosSnapshot | Graph | Iterable[GlossaryEntry],
    stream: BinaryIO,
    langs: Sequence[str],
    *,
    title: str = "socsec thesaurus",
    source_note: str | None = None,
    version: str = "2019",
) -> int:
    """Write a TBX-Basic file (UTF-8) and return the number of concept entries written.

    Args:
        source: a snapshot, an rdflib graph, or glossary entries (:mod:`socsec.thesaurus.glossary`).
        stream: a binary stream (a file opened "wb", ``io.BytesIO``...).
        langs: languages to export, the first is the document's ``xml:lang`` (e.g. en, fr, es).
        title: the file title, in the TBX header.
        source_note: provenance and licence text for the header; by default the attribution,
            rights and licence stated in the data (EuroVoc and UNESCO require them kept).
        version: "2019" (ISO 30042:2019) or "2008" (the ``martif`` edition older tools read).
    """
    edition = TBX_VERSIONS[version]
    langs = list(langs)
    if not langs:
        raise ValueError("at least one language is needed")
    if not isinstance(source, SkosSnapshot) and _is_graph(source):
        source = snapshot_from_graph(source)  # type: ignore[arg-type]
    if source_note is None and isinstance(source, SkosSnapshot):
        source_note = source.provenance_note()
    header = ET.Element(edition.header)
    file_desc = _sub(header, "fileDesc")
    # Core order: 2019 publicationStmt?, titleStmt?, sourceDesc+; 2008 titleStmt first.
    published = f"Exported by socsec on {date.today().isoformat()}"
    if version == "2008":
        _sub(_sub(file_desc, "titleStmt"), "title", title)
    _sub(_sub(file_desc, "publicationStmt"), "p", published)
    if version != "2008":
        _sub(_sub(file_desc, "titleStmt"), "title", title)
    _sub(_sub(file_desc, "sourceDesc"), "p", source_note or "SKOS thesaurus exported by socsec")
    stream.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(edition.opening.format(lang=langs[0]).encode() + b"\n")
    stream.write(
        ET.tostring(header, encoding="utf-8", xml_declaration=False) + b"\n<text>\n<body>\n"
    )
    used: set[str] = set()
    count = 0
    for entry in as_entries(source, langs):
        elem = concept_entry(entry, entry_id(entry.uri, used), langs, edition)
        if elem is None:
            continue
        stream.write(ET.tostring(elem, encoding="utf-8", xml_declaration=False) + b"\n")
        count += 1
    stream.write(f"</body>\n</text>\n</{edition.root}>\n".encode())
    return count
