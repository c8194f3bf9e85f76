"""Read a TBX file (TBX-Basic or any TBX v3 DCA file) back into glossary entries, safely.

Parsing goes through defusedxml: a TBX file from a CAT tool is untrusted input, and entity
expansion or external DTDs are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from socsec.errors import InputDataError
from socsec.thesaurus.export_tbx import (
    ADMITTED,
    DEPRECATED,
    ENTRY_TERMS_NOTE,
    PREFERRED,
    TBX_NS,
    XML_LANG,
)
from socsec.thesaurus.glossary import GlossaryEntry

_URI_NOTE = re.compile(r"URI:\s*(\S+)")
_NOTATION_NOTE = re.compile(r"notation:\s*(.+)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem: ET.Element, *names: str) -> Iterator[ET.Element]:
    return (child for child in elem if _local(child.tag) in names)


def _text(elem: ET.Element) -> str:
    return "".join(elem.itertext()).strip()


def _entry(concept: ET.Element) -> GlossaryEntry:
    uri = notation = None
    for child in concept:
        name = _local(child.tag)
        if name == "xref" and child.get("type") == "externalCrossReference" and uri is None:
            uri = child.get("target")
        elif name == "note":
            text = _text(child)
            if (m := _URI_NOTE.match(text)) and uri is None:
                uri = m.group(1)
            elif m := _NOTATION_NOTE.match(text):
                notation = m.group(1).strip()
    pref: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    entry_terms: dict[str, tuple[str, ...]] = {}
    definitions: dict[str, list[str]] = {}
    deprecated = False
    # TBX v3 names first, then the TBX 2008 (martif) ones: langSet, tig / ntig.
    for lang_sec in _children(concept, "langSec", "langSet"):
        lang = (lang_sec.get(XML_LANG) or "").lower()
        for elem in lang_sec.iter():
            if _local(elem.tag) == "descrip" and elem.get("type") == "definition":
                definitions.setdefault(lang, []).append(_text(elem))
            elif _local(elem.tag) == "note" and _text(elem).startswith(ENTRY_TERMS_NOTE):
                listed = _text(elem)[len(ENTRY_TERMS_NOTE) :].split("; ")
                entry_terms[lang] = tuple(sorted(t for t in listed if t))
        marked: list[str] = []
        unmarked: list[str] = []
        old: list[str] = []
        for term_sec in _children(lang_sec, "termSec", "tig", "ntig"):
            term = next((_text(t) for t in term_sec.iter() if _local(t.tag) == "term"), "")
            status = next(
                (
                    _text(n)
                    for n in term_sec.iter()
                    if _local(n.tag) == "termNote" and n.get("type") == "administrativeStatus"
                ),
                None,
            )
            if not term:
                continue
            if status == PREFERRED:
                marked.append(term)
            elif status in (ADMITTED, None):
                unmarked.append(term)
            elif status == DEPRECATED:
                old.append(term)
            # superseded terms are not labels to restore
        # A language with deprecated terms only is a deprecated concept (socsec writes its
        # preferred term first); otherwise deprecated terms are not labels to restore.
        if old and not marked and not unmarked:
            marked, deprecated = old[:1], True
            unmarked = old[1:]
        # Many CAT tools write no status: the first term of a language is then its preferred one.
        terms = marked + unmarked
        if terms:
            pref.setdefault(lang, terms[0])
            alt.setdefault(lang, []).extend(t for t in terms[1:] if t != terms[0])
    return GlossaryEntry(
        uri=uri or f"#{concept.get('id', '')}",
        notation=notation,
        pref=pref,
        alt={lang: tuple(sorted(set(values))) for lang, values in alt.items() if values},
        definitions={lang: tuple(values) for lang, values in definitions.items()},
        entry_terms=entry_terms,
        deprecated=deprecated,
    )


def read_tbx(source: Path | BinaryIO) -> list[GlossaryEntry]:
    """Read the concept entries of a TBX file.

    The concept URI comes from the entry's ``externalCrossReference`` (or a "URI: ..." note, as
    :func:`socsec.thesaurus.export_tbx.write_tbx` writes for non-HTTP URIs); entries without
    either get "#" + their id. Preferred terms become prefLabels, admitted terms altLabels.

    TBX 2008 files (``martif``, ``termEntry``/``langSet``/``tig``) are read the same way.

    Raises:
        InputDataError: not well-formed XML (with line and column), forbidden DTD or entities,
            or not a TBX document.
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    path = source if isinstance(source, Path) else None
    try:
        root = SafeET.parse(source).getroot()
    except ET.ParseError as error:
        line, column = error.position
        raise InputDataError(
            f"not well-formed XML: {error}", path=path, line=line, column=column + 1
        ) from None
    except DefusedXmlException as error:
        raise InputDataError(f"refused unsafe XML ({error})", path=path) from None
    except OSError as error:
        raise InputDataError(str(error), path=path) from None
    if _local(root.tag) not in ("tbx", "martif"):
        raise InputDataError(f"not a TBX file (root element <{_local(root.tag)}>)", path=path)
    if root.tag.startswith("{") and not root.tag.startswith("{" + TBX_NS):
        raise InputDataError(f"unexpected TBX namespace in {root.tag}", path=path)
    return [
        _entry(concept)
        for concept in root.iter()
        if _local(concept.tag) in ("conceptEntry", "termEntry")
    ]
