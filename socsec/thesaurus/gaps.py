"""Translation gaps: the work list of missing labels, and reading a filled-in list back.

``find_gaps`` lists the concepts that lack a prefLabel or a definition in one language while
other languages have one to translate from. ``write_gaps_csv`` makes the spreadsheet
translators fill in; ``read_label_additions`` (or ``additions_from_entries`` for a TBX file)
and ``validate_additions`` turn it back into checked label additions, and ``apply_additions``
adds them to an rdflib graph. Nothing is written unless every row is valid.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from socsec.analysis import base_language
from socsec.errors import InputDataError, ValidationFailed
from socsec.thesaurus.checks_io import SkosSnapshot
from socsec.thesaurus.export_csv import MULTI_SEPARATOR
from socsec.thesaurus.glossary import GlossaryEntry
from socsec.thesaurus.model import SKOS

if TYPE_CHECKING:
    from rdflib import Graph

GAP_KINDS = ("pref_label", "definition")
_COLUMN = re.compile(r"^(pref_label|alt_labels|definition)_([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_KIND_OF_COLUMN = {"pref_label": "pref", "alt_labels": "alt", "definition": "definition"}
_PREDICATE = {
    "pref": SKOS + "prefLabel",
    "alt": SKOS + "altLabel",
    "definition": SKOS + "definition",
}


@dataclass(frozen=True)
class Gap:
    """One concept missing a prefLabel and/or a definition in the target language.

    Attributes:
        uri: the concept.
        notation: its notation, if any.
        lang: the target language.
        missing: "pref_label" and/or "definition".
        pref: its prefLabel in the target language, when only the definition is missing.
        sources: per source language, (prefLabel, definition) to translate from ("" when none).
    """

    uri: str
    notation: str | None
    lang: str
    missing: tuple[str, ...]
    pref: str = ""
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelAddition:
    """One label or definition to add, with the CSV line it came from.

    Attributes:
        uri: the concept.
        lang: the language tag.
        kind: "pref", "alt" or "definition".
        value: the text (stripped).
        line: 1-based line in the CSV file (0 when made in code).
    """

    uri: str
    lang: str
    kind: str
    value: str
    line: int = 0


def _first(snap: SkosSnapshot, kind: str, uri: str, lang: str, *, note: bool = False) -> str:
    lits = snap.notes_of(kind, uri) if note else snap.labels_of(kind, uri)
    values = sorted(lit.value for lit in lits if base_language(lit.lang) == lang)
    return values[0] if values else ""


def find_gaps(
    snap: SkosSnapshot,
    lang: str,
    *,
    source_langs: Sequence[str] = ("en", "fr", "es"),
    kinds: Sequence[str] = GAP_KINDS,
) -> list[Gap]:
    """Concepts lacking a prefLabel or definition in ``lang`` that another language has.

    A definition missing in every language is not a translation gap (the quality gate's
    ``missing-definition`` check lists those).

    Args:
        snap: the vocabulary.
        lang: the target language (e.g. "es").
        source_langs: languages to translate from (the target is left out).
        kinds: "pref_label", "definition" or both.
    """
    sources = [s for s in source_langs if s != lang]
    gaps: list[Gap] = []
    for uri in sorted(snap.concepts - snap.deprecated):
        src = {
            s: (_first(snap, "pref", uri, s), _first(snap, "definition", uri, s, note=True))
            for s in sources
        }
        pref = _first(snap, "pref", uri, lang)
        missing = []
        if "pref_label" in kinds and not pref and any(p for p, _ in src.values()):
            missing.append("pref_label")
        if (
            "definition" in kinds
            and not _first(snap, "definition", uri, lang, note=True)
            and any(d for _, d in src.values())
        ):
            missing.append("definition")
        if missing:
            gaps.append(Gap(uri, snap.notation(uri), lang, tuple(missing), pref, src))
    return gaps


def gaps_header(lang: str, source_langs: Sequence[str]) -> list[str]:
    """Columns of the gaps CSV: what to translate from, then the columns to fill in."""
    columns = ["uri", "notation", "missing"]
    for s in source_langs:
        if s != lang:
            columns += [f"source_pref_label_{s}", f"source_definition_{s}"]
    return columns + [f"pref_label_{lang}", f"alt_labels_{lang}", f"definition_{lang}"]


def write_gaps_csv(
    gaps: Iterable[Gap],
    stream: BinaryIO,
    lang: str,
    source_langs: Sequence[str] = ("en", "fr", "es"),
) -> int:
    """Write the translation work list (UTF-8 with BOM) and return the number of rows.

    The target columns (``pref_label_<lang>``, ``alt_labels_<lang>``, ``definition_<lang>``)
    are left empty for the translator, except a prefLabel that already exists.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    sources = [s for s in source_langs if s != lang]
    count = 0
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(gaps_header(lang, source_langs))
        for gap in gaps:
            row = [gap.uri, gap.notation or "", " ".join(gap.missing)]
            for s in sources:
                row += list(gap.sources.get(s, ("", "")))
            writer.writerow(row + [gap.pref, "", ""])
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def read_label_additions(
    source: Path | BinaryIO, *, name: str | None = None
) -> list[LabelAddition]:
    """Read label additions from a filled-in gaps CSV or a glossary CSV.

    Columns ``pref_label_<lang>``, ``alt_labels_<lang>`` (several joined by " | ") and
    ``definition_<lang>`` are read; ``uri`` is required; other columns are ignored. Empty cells
    add nothing.

    Raises:
        InputDataError: unreadable or malformed CSV (no uri column, no label column, a row with
            the wrong number of cells, an empty URI, a control character in a label), with the line.
    """
    path = source if isinstance(source, Path) else None
    where = path or name
    try:
        raw = source.read_bytes() if isinstance(source, Path) else source.read()
    except OSError as error:
        raise InputDataError(str(error), path=where) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputDataError(
            f"not UTF-8 text ({error.reason} at byte {error.start})", path=where
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InputDataError("empty file: expected a header row", path=where, line=1)
        header = [h.strip() for h in header]
        if "uri" not in header:
            raise InputDataError("no 'uri' column in the header", path=where, line=1)
        columns = [
            (i, m.group(1), m.group(2).lower())
            for i, h in enumerate(header)
            if (m := _COLUMN.match(h))
        ]
        if not columns:
            raise InputDataError(
                "no label column (pref_label_xx, alt_labels_xx or definition_xx) in the header",
                path=where,
                line=1,
            )
        uri_col = header.index("uri")
        additions: list[LabelAddition] = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputDataError(
                    f"{len(row)} cells, the header has {len(header)}", path=where, line=line
                )
            uri = row[uri_col].strip()
            if not uri:
                raise InputDataError("empty uri", path=where, line=line)
            for i, column, lang in columns:
                cell = row[i].strip()
                if not cell:
                    continue
                kind = _KIND_OF_COLUMN[column]
                values = (
                    [v.strip() for v in cell.split(MULTI_SEPARATOR)] if kind == "alt" else [cell]
                )
                for value in values:
                    if _CONTROL.search(value):
                        raise InputDataError(
                            f"{header[i]}: control character or line break in {value!r}",
                            path=where,
                            line=line,
                        )
                    if value:
                        additions.append(LabelAddition(uri, lang, kind, value, line))
    except csv.Error as error:
        raise InputDataError(f"malformed CSV: {error}", path=where, line=reader.line_num) from None
    return additions


def additions_from_entries(entries: Iterable[GlossaryEntry]) -> list[LabelAddition]:
    """Label additions from glossary entries, e.g. a TBX file read by :func:`read_tbx`.

    Entries keep no line numbers, so :func:`validate_additions` names the concept instead.
    """
    out: list[LabelAddition] = []
    for entry in entries:
        for lang, pref in entry.pref.items():
            out.append(LabelAddition(entry.uri, lang, "pref", pref.strip()))
        for terms in (entry.alt, entry.entry_terms):  # both are altLabels in SKOS
            for lang, alts in terms.items():
                out.extend(LabelAddition(entry.uri, lang, "alt", alt.strip()) for alt in alts)
        for lang, definitions in entry.definitions.items():
            out.extend(LabelAddition(entry.uri, lang, "definition", d.strip()) for d in definitions)
    return [a for a in out if a.value]


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def validate_additions(
    snap: SkosSnapshot, additions: Sequence[LabelAddition], *, path: Path | str | None = None
) -> list[LabelAddition]:
    """Check additions against the vocabulary; return those that change something.

    Refused (nothing is added then): an unknown or deprecated concept; a second, different
    prefLabel or definition in a language (S14: edit the existing one instead); a prefLabel
    another concept of the same scheme already has; a label that would be both pref and alt of
    one concept (S13). Additions equal to what the vocabulary holds are dropped.

    Raises:
        ValidationFailed: the first invalid addition, with its CSV line.
    """

    def fail(addition: LabelAddition, reason: str) -> ValidationFailed:
        return ValidationFailed(reason, path=path, line=addition.line or None)

    # Existing prefLabels per (scheme, lang, key) for the clash check.
    owners: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for uri in snap.concepts - snap.deprecated:
        for lit in snap.labels_of("pref", uri):
            for scheme in snap.in_scheme.get(uri) or {""}:
                owners[(scheme, base_language(lit.lang) or "", _key(lit.value))].add(uri)
    new_single: dict[tuple[str, str, str], LabelAddition] = {}
    out: list[LabelAddition] = []
    for add in additions:
        if add.uri not in snap.concepts:
            raise fail(add, f"{add.uri} is not a concept of the thesaurus")
        if add.uri in snap.deprecated:
            raise fail(add, f"{add.uri} is deprecated; add labels to its replacement")
        lang = base_language(add.lang) or add.lang
        pref = {
            lit.value for lit in snap.labels_of("pref", add.uri) if base_language(lit.lang) == lang
        }
        alt = {
            lit.value
            for kind in ("alt", "hidden")
            for lit in snap.labels_of(kind, add.uri)
            if base_language(lit.lang) == lang
        }
        if add.kind in ("pref", "definition"):
            existing = (
                pref
                if add.kind == "pref"
                else {
                    lit.value
                    for lit in snap.notes_of("definition", add.uri)
                    if base_language(lit.lang) == lang
                }
            )
            if add.value in existing:
                continue
            if existing:
                shown = sorted(existing)[0]
                raise fail(
                    add,
                    f"{add.uri} already has a {add.kind} in {lang} ({shown!r}); change it with "
                    f"socsec thesaurus concept edit",
                )
            earlier = new_single.get((add.uri, lang, add.kind))
            if earlier is not None:
                if earlier.value == add.value:
                    continue
                raise fail(
                    add,
                    f"two {add.kind} values for {add.uri} in {lang} (see line {earlier.line})",
                )
            new_single[(add.uri, lang, add.kind)] = add
        if add.kind == "pref":
            new_alt = any(
                a.kind == "alt" and a.uri == add.uri and a.value == add.value for a in out
            )
            if add.value in alt or new_alt:
                raise fail(add, f"{add.value!r} is already an alt/hidden label of {add.uri} (S13)")
            for scheme in snap.in_scheme.get(add.uri) or {""}:
                others = owners[(scheme, lang, _key(add.value))] - {add.uri}
                if others:
                    raise fail(
                        add,
                        f"prefLabel {add.value!r}@{lang} is already used by {sorted(others)[0]}",
                    )
                owners[(scheme, lang, _key(add.value))].add(add.uri)
        if add.kind == "alt":
            if add.value in alt:
                continue
            new_pref = new_single.get((add.uri, lang, "pref"))
            if add.value in pref or (new_pref is not None and new_pref.value == add.value):
                raise fail(add, f"{add.value!r} is the prefLabel of {add.uri} in {lang} (S13)")
            if any(
                a.uri == add.uri and a.lang == add.lang and a.kind == "alt" and a.value == add.value
                for a in out
            ):
                continue
        out.append(add)
    return out


def apply_additions(graph: Graph, additions: Iterable[LabelAddition]) -> int:
    """Add validated label additions to an rdflib graph; returns the number of triples added."""
    from rdflib import Literal, URIRef

    before = len(graph)
    for add in additions:
        graph.add(
            (URIRef(add.uri), URIRef(_PREDICATE[add.kind]), Literal(add.value, lang=add.lang))
        )
    return len(graph) - before
