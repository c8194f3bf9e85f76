"""Write the thesaurus as a glossary CSV for spreadsheets (UTF-8 with BOM, one row per concept)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, BinaryIO

from socsec.thesaurus.glossary import GlossaryEntry, as_entries

if TYPE_CHECKING:
    from rdflib import Graph

    from socsec.thesaurus.checks_io import SkosSnapshot

# Several alternative labels or definitions share one cell, separated by this.
MULTI_SEPARATOR = " | "


def glossary_header(langs: Sequence[str]) -> list[str]:
    """Column names: uri, notation, status, replaced_by, then per-language columns.

    Per language: pref_label_xx, alt_labels_xx (equivalents), entry_terms_xx (entry terms,
    not equivalents), definition_xx.
    """
    columns = ["uri", "notation", "status", "replaced_by"]
    for lang in langs:
        columns += [
            f"pref_label_{lang}",
            f"alt_labels_{lang}",
            f"entry_terms_{lang}",
            f"definition_{lang}",
        ]
    return columns


def glossary_row(entry: GlossaryEntry, langs: Sequence[str]) -> list[str]:
    """The cells of one entry, in :func:`glossary_header` order."""
    status = "deprecated" if entry.deprecated else "current"
    row = [entry.uri, entry.notation or "", status, MULTI_SEPARATOR.join(entry.replaced_by)]
    for lang in langs:
        row += [
            entry.pref.get(lang, ""),
            MULTI_SEPARATOR.join(entry.alt.get(lang, ())),
            MULTI_SEPARATOR.join(entry.entry_terms.get(lang, ())),
            MULTI_SEPARATOR.join(entry.definitions.get(lang, ())),
        ]
    return row


def write_csv(
    source: SkosSnapshot | Graph | Iterable[GlossaryEntry], stream: BinaryIO, langs: Sequence[str]
) -> int:
    """Write the glossary CSV and return the number of concept rows.

    UTF-8 with a byte-order mark and CRLF line ends, so Excel and LibreOffice open it with the
    accents intact; cells are quoted as needed, so labels with commas or quotes survive.

    Args:
        source: a snapshot, an rdflib graph, or glossary entries.
        stream: a binary stream (a file opened "wb", ``io.BytesIO``...).
        langs: languages, one group of columns each.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(glossary_header(langs))
        count = 0
        for entry in as_entries(source, langs):
            writer.writerow(glossary_row(entry, langs))
            count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open
    return count
