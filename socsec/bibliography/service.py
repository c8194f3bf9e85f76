"""File-level operations on the store: import and export in any format (used by the CLI)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from socsec.bibliography.formats import (
    WRITABLE,
    LabelSource,
    Source,
    exportable,
    get_format,
    guarded,
    guess_format,
    source_name,
)
from socsec.bibliography.history import ChangeInfo
from socsec.bibliography.importing import ImportOptions
from socsec.bibliography.merging import OnConflict
from socsec.bibliography.model import Record, RecordType
from socsec.bibliography.store import BibliographyStore, ImportReport, Located, ProgressFn
from socsec.bibliography.validate import ConceptChecker
from socsec.errors import InputDataError, NotFoundError
from socsec.fileutil import atomic_write_text


def _drop_unknown(located: Iterable[Located], checker: ConceptChecker | None) -> Iterator[Located]:
    for item in located:
        subjects = tuple(
            s for s in item.record.subjects if checker is not None and checker.exists(s.uri)
        )
        if subjects != item.record.subjects:
            item = dataclasses.replace(
                item, record=dataclasses.replace(item.record, subjects=subjects)
            )
        yield item


def import_file(
    store: BibliographyStore,
    source: Source,
    *,
    fmt: str | None = None,
    checker: ConceptChecker | None = None,
    skip_invalid: bool = False,
    drop_unknown_subjects: bool = False,
    strict: bool = False,
    on_conflict: OnConflict | str = OnConflict.report,
    on_progress: ProgressFn | None = None,
) -> ImportReport:
    """Import a file: all or nothing, or with ``skip_invalid`` every valid record.

    Messy values are normalised with a warning each (``strict`` refuses them instead); a
    record already stored has its empty fields filled, and differing values are conflicts
    resolved by ``on_conflict`` (see :mod:`socsec.bibliography.importing`).

    Args:
        store: the bibliography.
        source: a path (``.gz`` allowed, ``-`` for stdin) or text stream.
        fmt: format name; guessed from the extension when None.
        checker: the thesaurus, to check subject concepts.
        skip_invalid: import the valid records, report the rest (syntax errors too).
        drop_unknown_subjects: drop subjects not in the thesaurus instead of refusing records.
        strict: refuse records whose values needed normalising.
        on_conflict: keep, incoming or report (nothing changed in that record).
        on_progress: called with the number of records just processed.

    Raises:
        InputDataError: with file and line or record number; nothing was written.
    """
    name = source_name(source)
    if fmt is None:
        if not isinstance(source, (str, Path)) or str(source) == "-":
            raise InputDataError("the format of a stream must be given", hint="pass --format")
        fmt = guess_format(source)
    module = get_format(fmt)
    if isinstance(source, (str, Path)) and str(source) != "-" and not Path(source).is_file():
        raise NotFoundError(f"file not found: {source}")
    errors: list[InputDataError] = []
    located: Iterable[Located] = guarded(
        module.read_located(source, on_error=errors.append if skip_invalid else None), name
    )
    if drop_unknown_subjects:
        located = _drop_unknown(located, checker)
    options = ImportOptions(
        skip_invalid=skip_invalid, strict=strict, on_conflict=OnConflict(on_conflict)
    )
    return store.import_records(
        located,
        source=name,
        checker=checker,
        options=options,
        parse_errors=errors,
        on_progress=on_progress,
    )


def undo_import(store: BibliographyStore, source: str | None = None) -> ChangeInfo:
    """Undo the last import not undone yet (of ``source`` when given, matched on the file
    name as given to the import or its base name).

    Raises:
        NotFoundError: no such import.
        ValidationFailed: a record it wrote was changed since.
    """
    from socsec.bibliography.importing import undo_import as undo

    if source is None:
        return undo(store)
    for change in store.changes("import"):
        if (
            change.undone_by is None
            and change.source is not None
            and (change.source == source or Path(change.source).name == Path(source).name)
        ):
            return undo(store, change.id)
    raise NotFoundError(f"no import of {source} to undo", hint="see: socsec bib history ID")


def _counting(records: Iterable[Record], on_progress: ProgressFn) -> Iterator[Record]:
    n = 0
    for record in records:
        yield record
        n += 1
        if n == 500:
            on_progress(n)
            n = 0
    if n:
        on_progress(n)


def write_report(report: ImportReport, path: Path) -> None:
    """Write what an import did not take as it came, as JSON lines: rejected records
    (number, line, id, reason), then warnings and conflicts, each with a ``kind``.
    """
    lines = [{"kind": "rejected", **r.to_dict()} for r in report.rejected]
    lines += [{"kind": "warning", **w.to_dict()} for w in report.warnings]
    lines += [{"kind": "conflict", **c.to_dict()} for c in report.conflicts]
    text = "".join(json.dumps(x, ensure_ascii=False, default=str) + "\n" for x in lines)
    atomic_write_text(path, text)


def export_records(
    records: Iterable[Record],
    stream: IO[str],
    *,
    fmt: str,
    subject_lang: str = "en",
    labels: LabelSource | None = None,
    automatic_subjects: bool = False,
) -> int:
    """Write records in a format; returns how many were written.

    Automatic subjects go only to the formats that mark them (CSL-JSON, CSV), unless
    ``automatic_subjects`` (see :func:`~socsec.bibliography.formats.exportable`).

    Raises:
        NotFoundError: the format is unknown or cannot be written.
    """
    module = get_format(fmt)
    if module.NAME not in WRITABLE:
        raise NotFoundError(f"format {fmt!r} cannot be written", suggestions=list(WRITABLE))
    records = exportable(records, module.NAME, automatic=automatic_subjects)
    count: int = module.write(records, stream, subject_lang=subject_lang, labels=labels)
    return count


_LIST_FIELDS = ("authors", "editors", "keywords", "subjects", "aliases")


def fields_to_record(fields: Mapping[str, object]) -> Record:
    """A record from field values as typed on a command line: people "Family, Given", lists
    given as Python lists or " ; "-separated strings.

    Raises:
        InputDataError: unknown field or bad value.
    """
    from socsec.bibliography.codec import record_from_dict

    data: dict[str, object] = {}
    for key, value in fields.items():
        if key in _LIST_FIELDS and isinstance(value, str):
            value = [v.strip() for v in value.split(";") if v.strip()]
        data[key] = value
    return record_from_dict(data)


def record_from_json(path: Path | str) -> Record:
    """One record from a JSON file (the shape ``socsec bib show --json`` prints).

    Raises:
        InputDataError: the file is not JSON or not a record.
    """
    from socsec.bibliography.codec import record_from_dict
    from socsec.bibliography.formats import read_text

    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputDataError(f"malformed JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise InputDataError("expected one JSON object", path=path)
    try:
        return record_from_dict(data)
    except InputDataError as exc:
        raise InputDataError(exc.reason, path=path) from None


def edit_record(
    store: BibliographyStore,
    id: str,
    changes: dict[str, object],
    checker: ConceptChecker | None = None,
) -> Record:
    """Change fields of a record (an empty string clears a field) and save it.

    Raises:
        NotFoundError: no such record.
        InputDataError: unknown field or invalid result.
    """
    from socsec.bibliography.codec import record_to_dict

    old = store.get(id)
    data = record_to_dict(old, with_empty=True)
    for key in ("created", "modified"):
        data.pop(key, None)
    for key, value in changes.items():
        if key in ("id", "created", "modified", "aliases"):
            raise InputDataError(f"field {key!r} cannot be edited")
        data[key] = value
    new = dataclasses.replace(fields_to_record(data), id=old.id)
    return store.replace(new, checker)


def export_file(
    store: BibliographyStore,
    target: Path | IO[str],
    *,
    fmt: str | None = None,
    concepts: list[str] | None = None,
    text: str | None = None,
    types: list[RecordType] | None = None,
    subject_lang: str = "en",
    labels: LabelSource | None = None,
    on_progress: ProgressFn | None = None,
    automatic_subjects: bool = False,
) -> int:
    """Export the records matching the filters (all by default) to a file or stream.

    A file is written to a temporary name and renamed, so a failed export leaves no half file.

    Raises:
        InputDataError: the format cannot be told from the file name.
        NotFoundError: unknown or read-only format.
    """
    if fmt is None:
        if not isinstance(target, Path):
            raise InputDataError("the format of a stream must be given", hint="pass --format")
        fmt = guess_format(target)
    filtered = bool(concepts or text or types)
    records: Iterable[Record] = (
        store.query(concepts=concepts or (), text=text, types=types or ())
        if filtered else store.iter_records()
    )  # fmt: skip
    if on_progress is not None:
        records = _counting(records, on_progress)
    if not isinstance(target, Path):
        return export_records(
            records, target, fmt=fmt, subject_lang=subject_lang, labels=labels,
            automatic_subjects=automatic_subjects,
        )  # fmt: skip
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            count = export_records(
                records, fh, fmt=fmt, subject_lang=subject_lang, labels=labels,
                automatic_subjects=automatic_subjects,
            )  # fmt: skip
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return count
