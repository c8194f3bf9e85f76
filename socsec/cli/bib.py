"""`socsec bib` commands: import, history, export, add, show, list, edit, delete, tag, untag,
info, duplicates, merge, cite.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from socsec.bibliography.codec import record_to_dict
from socsec.bibliography.model import Provenance, Record, RecordType, Subject
from socsec.cli.options import JsonOpt, LimitOpt, parse_year_range
from socsec.cli.output import key_values, table
from socsec.cli.state import CliState, get_state

if TYPE_CHECKING:
    from socsec.app.uow import Outcome
    from socsec.bibliography.store import BibliographyStore, ImportReport
    from socsec.thesaurus.lookup import ThesaurusCache

app = typer.Typer(
    help="Manage the bibliography: import, export, list, tag, cite.", no_args_is_help=True
)


class Format(StrEnum):
    """File formats (eurlex-jsonl is read-only)."""

    bibtex = "bibtex"
    ris = "ris"
    csljson = "csljson"
    marcxml = "marcxml"
    csv = "csv"
    eurlex_jsonl = "eurlex-jsonl"


class OnConflictChoice(StrEnum):
    """What a re-import does with differing values (see socsec.bibliography.merging)."""

    keep = "keep"
    incoming = "incoming"
    report = "report"


class SortKey(StrEnum):
    """Orders for `bib list`."""

    by_id = "id"
    by_year = "year"
    by_title = "title"
    by_modified = "modified"


_SORTS: dict[SortKey, Literal["id", "year", "title", "modified"]] = {
    SortKey.by_id: "id",
    SortKey.by_year: "year",
    SortKey.by_title: "title",
    SortKey.by_modified: "modified",
}

FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", case_sensitive=False, help="File format (default: from the extension)."
    ),
]
IdArg = Annotated[str, typer.Argument(help="Record id (or an alias left by a merge).")]
SubjectLangOpt = Annotated[
    str, typer.Option("--subject-lang", help="Language of subject labels (en, fr, es).")
]


T = TypeVar("T")


# -- helpers: open things, resolve concepts, render -------------------------------------------
def _open(ctx: typer.Context, json: bool = False) -> tuple[CliState, BibliographyStore]:
    from socsec.bibliography.store import get_store

    state = get_state(ctx, json)
    store = get_store(state.workspace())
    ctx.call_on_close(store.close)
    return state, store


def _cache(ctx: typer.Context) -> ThesaurusCache | None:
    """The thesaurus cache, opened once per invocation (None when there is no thesaurus)."""
    from socsec.app.stores import thesaurus_checker

    root = ctx.find_root()
    if "bib.thesaurus" not in root.meta:
        cache = root.with_resource(thesaurus_checker(get_state(ctx).workspace()))
        root.meta["bib.thesaurus"] = cache
    found: ThesaurusCache | None = root.meta["bib.thesaurus"]
    return found


def _resolve(ctx: typer.Context, refs: list[str], *, narrower: bool = False) -> list[str]:
    from socsec.errors import NotFoundError

    cache = _cache(ctx)
    if cache is None:
        raise NotFoundError(
            "no thesaurus in this data dir", hint="run: socsec thesaurus import FILE"
        )
    uris: list[str] = []
    for ref in refs:
        uri = cache.resolve(ref)
        uris += [uri, *(cache.descendants(uri) if narrower else [])]
    return list(dict.fromkeys(uris))


def _done(state: CliState, outcome: Outcome[T]) -> T:
    """The value of a use case's outcome, its warnings shown (e.g. a stale index)."""
    for warning in outcome.warnings:
        state.out.warn(warning)
    return outcome.value


def _label(cache: ThesaurusCache | None, uri: str, lang: str) -> str:
    from socsec.bibliography.formats import subject_label

    return subject_label(uri, lang, cache)


def provenance_mark(subject: Subject) -> str:
    """What a table shows after an automatic or accepted subject ("" for a manual one)."""
    if subject.provenance == "automatic":
        score = "" if subject.score is None else f" {subject.score:.2f}"
        return f" [automatic{score}]"
    if subject.provenance == "accepted":
        return " [accepted]"
    return ""


def _record_json(record: Record, cache: ThesaurusCache | None, lang: str = "en") -> dict[str, Any]:
    data = record_to_dict(record)
    for s in data.get("subjects", []):
        s["label"] = _label(cache, s["uri"], lang)
    return data


def _record_view(record: Record, cache: ThesaurusCache | None, lang: str) -> Any:
    data = record_to_dict(record)
    data["authors"] = "; ".join(p.display for p in record.authors)
    data["editors"] = "; ".join(p.display for p in record.editors)
    data["subjects"] = "\n".join(
        f"{_label(cache, s.uri, lang)} <{s.uri}>{provenance_mark(s)}" for s in record.subjects
    )
    for key in ("keywords", "aliases"):
        data[key] = "; ".join(data.get(key, []))
    data["extra"] = "; ".join(f"{k}={v}" for k, v in record.extra.items())
    return key_values({k: v for k, v in data.items() if v not in (None, "", [])}, title=record.id)


def _records_table(records: list[Record]) -> Any:
    rows = (
        (
            r.id,
            r.type.value,
            r.year,
            (r.authors[0].display if r.authors else ""),
            r.title if len(r.title) <= 90 else r.title[:89].rstrip() + "…",
            len(r.subjects),
        )
        for r in records
    )
    return table(("id", "type", "year", "first author", "title", "subjects"), rows, no_wrap=("id",))


def _report_table(report: ImportReport) -> Any:
    return key_values(report.to_dict(), title="Import summary")


_SHOWN = 20  # warnings, conflicts and rejections printed before "pass --report FILE"


def _describe(item: Any, source: str) -> str:
    from socsec.bibliography.importing import Conflict, Rejection

    if isinstance(item, Conflict):
        where = f"line {item.line}" if item.line is not None else f"record {item.number}"
        values = f"stored {_short(item.stored)}, incoming {_short(item.incoming)}"
        what = f"conflict in {item.id}.{item.field}"
        return f"{source}, {where}: {what}: {values} ({item.resolution})"
    if isinstance(item, Rejection):
        where = f"line {item.line}" if item.line is not None else f"record {item.number}"
        return f"{source}, {where}: rejected: {item.reason}"
    return str(item)


def _short(value: Any, width: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


# -- commands ---------------------------------------------------------------------------------
@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="File to import (.bib, .ris, .json, .xml, .csv, .jsonl; .gz ok; - for stdin)."
        ),
    ] = None,
    fmt: FormatOpt = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import valid records; report the rejected ones."),
    ] = False,
    report_file: Annotated[
        Path | None,
        typer.Option(
            "--report",
            "--rejected",
            help="Write rejected records, warnings and conflicts to this JSON-lines file.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Refuse records whose values need normalising.")
    ] = False,
    on_conflict: Annotated[
        OnConflictChoice,
        typer.Option(
            "--on-conflict",
            case_sensitive=False,
            help="A stored value differs: keep it, take the incoming one, or report (change "
            "nothing in that record).",
        ),
    ] = OnConflictChoice.report,
    undo: Annotated[
        bool, typer.Option("--undo", help="Undo the last import (of FILE when given).")
    ] = False,
    drop_unknown_subjects: Annotated[
        bool,
        typer.Option(
            "--drop-unknown-subjects",
            help="Drop subject concepts not in the thesaurus instead of refusing the record.",
        ),
    ] = False,
    no_auto_subjects: Annotated[
        bool,
        typer.Option(
            "--no-auto-subjects",
            help="Do not give records that arrive without subjects automatic ones "
            "(default: setting autoindex.on_import).",
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Import records: all or nothing unless --skip-invalid; re-importing never duplicates and
    never overwrites a value (conflicts are reported). Records without subjects get automatic
    ones from the suggestion model (see bib autoindex).

    Example: socsec bib import refs.bib --skip-invalid --report rejected.jsonl
    """
    from socsec.app.records import import_file, undo_import
    from socsec.bibliography.service import write_report

    state = get_state(ctx, json)
    if undo:
        change = _done(state, undo_import(state.workspace(), str(file) if file else None))
        state.out.emit(change.to_dict(), lambda: key_values(change.to_dict(), title="Undone"))
        return
    if file is None:
        raise typer.BadParameter("give a FILE to import (or --undo)", param_hint="FILE")
    with state.out.progress(f"Importing {file.name}") as advance:
        outcome = import_file(
            state.workspace(),
            file,
            fmt=fmt.value if fmt else None,
            skip_invalid=skip_invalid,
            drop_unknown_subjects=drop_unknown_subjects,
            strict=strict,
            on_conflict=on_conflict.value,
            on_progress=advance,
            auto_subjects=False if no_auto_subjects else None,
        )
    report = _done(state, outcome)
    if report_file is not None:
        write_report(report, report_file)
    elif not state.out.is_json:
        for item in [*report.warnings, *report.conflicts, *report.rejected][:_SHOWN]:
            state.out.warn(_describe(item, report.source))
        if report.rejected or report.warnings or report.conflicts:
            state.out.warn("full list: pass --report FILE (or --json)")
    state.out.emit(report.to_dict(details=True), lambda: _report_table(report))


@app.command("history")
def history(ctx: typer.Context, id: IdArg, json: JsonOpt = False) -> None:
    """Field history of a record: which import or edit changed which field, when, by whom.

    Example: socsec bib history nber-w0654
    """
    state, store = _open(ctx, json)
    rows = store.history(id)
    state.out.emit(
        [r.to_dict() for r in rows],
        lambda: table(
            ("change", "kind", "source", "at", "user", "field", "before", "after"),
            (
                (
                    r.change_id,
                    r.kind + (" (undone)" if r.undone_by else ""),
                    r.source or "",
                    r.at[:19],
                    r.user,
                    r.field,
                    _short(r.before),
                    _short(r.after),
                )
                for r in rows
            ),
        ),  # fmt: skip
    )


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output file (- for stdout).")
    ] = Path("-"),
    fmt: FormatOpt = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept", "-c", help="Only records tagged with this concept or a narrower one."
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="Only records whose title contains this text."),
    ] = None,
    rtype: Annotated[
        list[RecordType] | None,
        typer.Option("--type", "-t", case_sensitive=False, help="Only records of this type."),
    ] = None,
    subject_lang: SubjectLangOpt = "en",
    automatic_subjects: Annotated[
        bool,
        typer.Option(
            "--automatic-subjects",
            help="Also write automatic subjects to RIS, BibTeX and MARCXML (CSL-JSON and CSV "
            "always carry them, marked).",
        ),
    ] = False,
) -> None:
    """Export records (all, or those matching the filters) in a format.

    Example: socsec bib export -f ris --concept "early retirement" -o retire.ris
    """
    from socsec.bibliography.service import export_file

    state, store = _open(ctx)
    concepts = _resolve(ctx, concept, narrower=True) if concept else []
    target = sys.stdout if str(output) == "-" else output
    fmt = fmt or (Format.csljson if target is sys.stdout else None)
    with state.out.progress("Exporting", total=store.count()) as advance:
        count = export_file(
            store,
            target,
            fmt=fmt.value if fmt else None,  # None: from the file extension
            concepts=concepts,
            text=query,
            types=rtype or [],
            subject_lang=subject_lang,
            labels=_cache(ctx),
            on_progress=advance,
            automatic_subjects=automatic_subjects,
        )
    state.out.notice(
        f"Exported {count} record(s) to {'stdout' if target is sys.stdout else output}."
    )


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[
        str | None, typer.Option("--title", help="Title (required unless --from-json).")
    ] = None,
    rtype: Annotated[
        RecordType, typer.Option("--type", "-t", case_sensitive=False, help="Record type.")
    ] = RecordType.article,
    id: Annotated[
        str | None, typer.Option("--id", help="Citation key (generated when omitted).")
    ] = None,
    author: Annotated[
        list[str] | None,
        typer.Option("--author", "-a", help='"Family, Given" or {Institution}; repeat.'),
    ] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    container: Annotated[
        str | None, typer.Option("--container", help="Journal, book or series title.")
    ] = None,
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    doi: Annotated[str | None, typer.Option("--doi")] = None,
    isbn: Annotated[str | None, typer.Option("--isbn")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the publication (ISO 639).")
    ] = None,
    from_json: Annotated[
        Path | None,
        typer.Option(
            "--from-json", help="Read the record from a JSON file (as `show --json` prints)."
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Add one record, from flags or a JSON file.

    Example: socsec bib add --title "Pension reform" --author "Doe, Jane" --year 2020 --type report
    """
    from socsec.app import records
    from socsec.bibliography.service import fields_to_record, record_from_json

    state = get_state(ctx, json)
    if from_json is None and title is None:
        raise typer.BadParameter("give --title (or --from-json)", param_hint="--title")
    fields = {
        "id": id,
        "type": rtype.value,
        "title": title,
        "authors": author or [],
        "year": year,
        "container_title": container,
        "publisher": publisher,
        "doi": doi,
        "isbn": isbn,
        "url": url,
        "language": lang,
    }
    record = record_from_json(from_json) if from_json else fields_to_record(fields)
    saved = _done(state, records.add(state.workspace(), record))
    state.out.emit(_record_json(saved, None), lambda: _record_view(saved, _cache(ctx), "en"))


@app.command("show")
def show(
    ctx: typer.Context,
    id: IdArg,
    subject_lang: SubjectLangOpt = "en",
    json: JsonOpt = False,
) -> None:
    """Show one record with its subjects' labels.

    Example: socsec bib show nber-w0107 --json
    """
    state, store = _open(ctx, json)
    record, cache = store.get(id), _cache(ctx)
    state.out.emit(
        _record_json(record, cache, subject_lang), lambda: _record_view(record, cache, subject_lang)
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    rtype: Annotated[
        list[RecordType] | None,
        typer.Option("--type", "-t", case_sensitive=False, help="Only this type (repeatable)."),
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", "-y", help="YEAR, FROM..TO, FROM.. or ..TO.")
    ] = None,
    concept: Annotated[
        list[str] | None,
        typer.Option(
            "--concept",
            "-c",
            help="Tagged with this concept (URI, notation or label) or a narrower one.",
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="Language of the publication (ISO 639-1).")
    ] = None,
    sort: Annotated[SortKey, typer.Option("--sort", case_sensitive=False)] = SortKey.by_id,
    desc: Annotated[bool, typer.Option("--desc", help="Reverse the order.")] = False,
    limit: LimitOpt = 50,
    json: JsonOpt = False,
) -> None:
    """List records, filtered and sorted.

    Example: socsec bib list --concept "early retirement" --year 2000-2010 --sort year
    """
    state, store = _open(ctx, json)
    concepts = _resolve(ctx, concept, narrower=True) if concept else []
    records = store.query(
        types=rtype or [],
        years=parse_year_range(year),
        concepts=concepts,
        language=lang,
        sort=_SORTS[sort],
        descending=desc,
        limit=limit,
    )
    state.out.emit([_record_json(r, None) for r in records], lambda: _records_table(records))


@app.command("edit")
def edit(
    ctx: typer.Context,
    id: IdArg,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help='FIELD=VALUE (e.g. title="New", authors="Doe, J ; Roe, R"; empty clears).'
        ),
    ] = None,
    from_json: Annotated[
        Path | None,
        typer.Option("--from-json", help="Replace the record with this JSON (id kept)."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Change fields of a record.

    Example: socsec bib edit nber-w0107 --set doi=10.3386/w0107 --set language=en
    """
    from socsec.app import records
    from socsec.bibliography.service import record_from_json

    state = get_state(ctx, json)
    pairs = [s.partition("=") for s in set_ or []]
    if any(not sep for _k, sep, _v in pairs) or (not pairs and from_json is None):
        raise typer.BadParameter("give --set FIELD=VALUE or --from-json FILE", param_hint="--set")
    changes: dict[str, object] = {k.strip(): v for k, _s, v in pairs}
    if from_json is not None:
        changes = {
            k: v
            for k, v in record_to_dict(record_from_json(from_json), with_empty=True).items()
            if k not in ("id", "aliases", "created", "modified")
        } | changes
    saved = _done(state, records.edit(state.workspace(), id, changes))
    state.out.emit(_record_json(saved, None), lambda: _record_view(saved, _cache(ctx), "en"))


@app.command("delete")
def delete(
    ctx: typer.Context,
    id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a record (asks first unless --yes).

    Example: socsec bib delete nber-w0107 --yes
    """
    from socsec.app import records

    state, store = _open(ctx)
    record = store.get(id)
    if not yes and not typer.confirm(f"Delete {record.id}: {record.title[:60]}?", err=True):
        raise typer.Exit(0)
    _done(state, records.delete(state.workspace(), record.id))
    state.out.notice(f"Deleted {record.id}.")


@app.command("tag")
def tag(
    ctx: typer.Context,
    id: IdArg,
    concepts: Annotated[
        list[str], typer.Argument(help="Concepts by URI, notation or label in en/fr/es.")
    ],
    suggested: Annotated[
        bool,
        typer.Option("--suggested", help="Mark as automatic (machine-suggested), not manual."),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Tag a record with thesaurus concepts (an ambiguous label lists its candidates).

    Example: socsec bib tag nber-w0107 "early retirement" "retraite anticipée"
    """
    from socsec.app import records

    state = get_state(ctx, json)
    uris = _resolve(ctx, concepts)
    provenance: Provenance = "automatic" if suggested else "manual"
    record = _done(state, records.tag(state.workspace(), id, uris, provenance=provenance))
    state.out.emit(
        _record_json(record, _cache(ctx)), lambda: _record_view(record, _cache(ctx), "en")
    )


@app.command("untag")
def untag(
    ctx: typer.Context,
    id: IdArg,
    concepts: Annotated[list[str], typer.Argument(help="Concepts by URI, notation or label.")],
    json: JsonOpt = False,
) -> None:
    """Remove subject concepts from a record.

    Example: socsec bib untag nber-w0107 http://eurovoc.europa.eu/4050
    """
    from socsec.app import records

    state = get_state(ctx, json)
    uris = [c if "://" in c else _resolve(ctx, [c])[0] for c in concepts]
    record = _done(state, records.untag(state.workspace(), id, uris))
    state.out.emit(
        _record_json(record, _cache(ctx)), lambda: _record_view(record, _cache(ctx), "en")
    )


@app.command("info")
def info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Counts of the bibliography, and the provenance and licences of the bundled sample.

    Example: socsec bib info --json
    """
    from socsec.bibliography.bundle import SAMPLE_PROVENANCE

    state, store = _open(ctx, json)
    data = store.stats() | {"sample": store.get_meta("sample") or SAMPLE_PROVENANCE}
    flat = {
        k: (", ".join(f"{a or '-'}: {b}" for a, b in v.items()) if isinstance(v, dict) else v)
        for k, v in data.items()
    }
    state.out.emit(data, lambda: key_values(flat, title="Bibliography"))


@app.command("duplicates")
def duplicates(
    ctx: typer.Context,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0, max=100, help="Lowest score (0-100) reported.")
    ] = 90.0,
    json: JsonOpt = False,
) -> None:
    """Groups of probable duplicates (same DOI/ISBN, or similar title + first author + year).

    Example: socsec bib duplicates --threshold 85
    """
    from socsec.bibliography.duplicates import find_duplicates

    state, store = _open(ctx, json)
    groups = find_duplicates(store.iter_records(), threshold)
    rows = (
        (" ".join(g.ids), f"{g.score:.0f}", "; ".join(sorted({p.reason for p in g.pairs})))
        for g in groups
    )
    state.out.emit([g.to_dict() for g in groups], lambda: table(("ids", "score", "why"), rows))


@app.command("merge")
def merge(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="First record id.")],
    b: Annotated[str, typer.Argument(help="Second record id.")],
    keep: Annotated[
        str | None,
        typer.Option("--keep", help="Id to keep (default: the first); the other becomes an alias."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Merge two records: fields filled, subjects united, the other id kept as an alias.

    Example: socsec bib merge doe2020pension doe2020pensiona --keep doe2020pension
    """
    from socsec.app import records

    state = get_state(ctx, json)
    if keep is not None and keep not in (a, b):
        raise typer.BadParameter(f"--keep must be {a!r} or {b!r}", param_hint="--keep")
    keep_id, other = (b, a) if keep == b else (a, b)
    record = _done(state, records.merge(state.workspace(), keep_id, other))
    state.out.emit(_record_json(record, None), lambda: _record_view(record, _cache(ctx), "en"))


@app.command("cite")
def cite(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Record ids.")],
    style: Annotated[
        str, typer.Option("--style", "-s", help="apa, chicago-author-date or harvard.")
    ] = "apa",
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Locale of the references: en, fr or es.")
    ] = "en",
    json: JsonOpt = False,
) -> None:
    """Formatted references (citeproc-py with official CSL styles and locales).

    Example: socsec bib cite nber-w0107 31979L0007 --style harvard --lang fr
    """
    from socsec.bibliography.cite import format_references

    state, store = _open(ctx, json)
    records = [store.get(i) for i in ids]
    refs = format_references(records, style=style, lang=lang)
    if state.out.is_json:
        state.out.data([{"id": r.id, "reference": t} for r, t in zip(records, refs, strict=True)])
    else:
        for text in refs:
            state.out.line(text)
