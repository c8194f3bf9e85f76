"""`socsec thesaurus check|gaps|import-labels|diff`: quality gate, translation gaps, version diff.

``register(app)`` adds these commands to the `socsec thesaurus` group. The library functions
do the work; each command parses, calls one of them and renders.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.cli.options import BaseOpt, JsonOpt
from socsec.cli.output import table
from socsec.cli.state import CliState, get_state
from socsec.errors import QualityGateFailed

if TYPE_CHECKING:
    from rich.console import RenderableType

    from socsec.thesaurus.checks import QualityReport, Severity
    from socsec.thesaurus.checks_io import SkosSnapshot
    from socsec.thesaurus.diff import ThesaurusDiff
    from socsec.thesaurus.gaps import Gap, LabelAddition

DEFAULT_LANGS = ",".join(SUPPORTED_LANGUAGES)
LangsOpt = Annotated[
    str, typer.Option("--lang", "-l", help="Required languages, comma-separated (e.g. en,fr,es).")
]
RdfFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="RDF format of FILE: ttl, xml, nt or jsonld (default: from the extension).",
    ),
]


class FailOn(StrEnum):
    """The lowest severity that fails the gate."""

    error = "error"
    warning = "warning"


class GapsFormat(StrEnum):
    """How `gaps` prints the work list."""

    table = "table"
    csv = "csv"
    json = "json"


def _langs(text: str, option: str = "--lang") -> list[str]:
    langs = list(dict.fromkeys(t.strip().lower() for t in text.split(",") if t.strip()))
    if not langs:
        raise typer.BadParameter("give at least one language, e.g. en,fr,es", param_hint=option)
    return langs


def _snapshot(
    state: CliState, file: Path | None, fmt: str | None, base: str | None = None
) -> SkosSnapshot:
    from socsec.thesaurus.checks_io import snapshot_from_dir, snapshot_from_file

    if file is not None:
        return snapshot_from_file(file, fmt, base=base)
    return snapshot_from_dir(state.workspace().thesaurus_dir)


# ---------------------------------------------------------------- check


def _report_json(report: QualityReport, fail_on: FailOn) -> dict[str, Any]:
    counts = report.counts()
    return {
        "source": report.source,
        "languages": list(report.languages),
        "concepts": report.concepts,
        "schemes": report.schemes,
        "fail_on": fail_on.value,
        "passed": not report.failed(_severity(fail_on)),
        "ignored": list(report.ignored),
        "summary": [
            {
                "check": c.id,
                "severity": c.severity.value,
                "title": c.title,
                "reference": c.reference,
                "count": counts[c.id],
            }
            for c in report.checks
        ],
        "findings": [
            {
                "check": f.check,
                "severity": f.severity.value,
                "resources": list(f.resources),
                "lang": f.lang,
                "message": f.message,
            }
            for f in report.findings
        ],
        "coverage": [asdict(row) for row in report.coverage],
    }


def _report_view(report: QualityReport, limit: int) -> RenderableType:
    from rich.console import Group

    counts = report.counts()
    parts: list[RenderableType] = [
        table(
            ("check", "severity", "findings", "what"),
            [(c.id, c.severity.value, counts[c.id], c.title) for c in report.checks],
            title=f"{report.source}: {report.concepts} concepts, {report.schemes} schemes",
            no_wrap=("check",),
        ),
    ]
    for info in report.checks:
        found = [f for f in report.findings if f.check == info.id]
        if not found or info.severity.value == "info":
            continue  # info findings are counted, not listed: they can run to thousands
        rows = [(f.resources[0], f.lang or "", f.message) for f in found[:limit]]
        more = (
            f" (first {limit} of {len(found)}; use --limit or --json)" if len(found) > limit else ""
        )
        parts.append(
            table(
                ("resource", "lang", "message"),
                rows,
                title=f"{info.id} [{info.severity.value}]{more}",
                no_wrap=("resource",),
            )
        )
    parts.append(
        table(
            ("lang", "concepts", "pref_label", "alt_label", "definition"),
            [
                (r.lang, r.concepts, r.pref_label, r.alt_label, r.definition)
                for r in report.coverage
            ],
            title="Label coverage",
        )
    )
    return Group(*parts)


def _severity(fail_on: FailOn) -> Severity:
    from socsec.thesaurus.checks import Severity

    return Severity(fail_on.value)


def check(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="RDF file to check as it is (default: the stored thesaurus)."),
    ] = None,
    lang: LangsOpt = DEFAULT_LANGS,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on", case_sensitive=False, help="Lowest severity that fails the gate (exit 3)."
        ),
    ] = FailOn.error,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip a check by id (repeatable).")
    ] = None,
    fmt: RdfFormatOpt = None,
    base: BaseOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Findings listed per check in the table.")
    ] = 10,
    json: JsonOpt = False,
) -> None:
    """Check a SKOS vocabulary (a file, or the stored thesaurus); exit 3 if the gate fails.

    Example: socsec thesaurus check unesco.ttl --lang en,fr --fail-on warning --ignore empty-label
    """
    from socsec.thesaurus.checks import catalogue, run_checks

    state = get_state(ctx, json)
    unknown = sorted(set(ignore or ()) - {c.id for c in catalogue()})
    if unknown:
        raise typer.BadParameter(f"unknown check {', '.join(unknown)}", param_hint="--ignore")
    snapshot = _snapshot(state, file, fmt, base)
    report = run_checks(snapshot, languages=_langs(lang), ignore=ignore or ())
    state.out.emit(_report_json(report, fail_on), lambda: _report_view(report, limit))
    if report.failed(_severity(fail_on)):
        failing = sum(1 for f in report.findings if f.severity.rank >= _severity(fail_on).rank)
        raise QualityGateFailed(
            f"{failing} finding(s) at severity {fail_on.value} or above in {report.source}"
        )


# ---------------------------------------------------------------- gaps


def _gap_rows(gaps: list[Gap]) -> list[dict[str, Any]]:
    return [
        {
            "uri": g.uri,
            "notation": g.notation,
            "lang": g.lang,
            "missing": list(g.missing),
            "pref_label": g.pref or None,
            "sources": {
                lang: {"pref_label": p or None, "definition": d or None}
                for lang, (p, d) in g.sources.items()
            },
        }
        for g in gaps
    ]


def _gaps_view(gaps: list[Gap], sources: list[str]) -> RenderableType:
    rows = [
        (g.uri, " ".join(g.missing), *(g.sources.get(s, ("", ""))[0] for s in sources))
        for g in gaps
    ]
    return table(
        ("uri", "missing", *sources),
        rows,
        title=f"{len(gaps)} concept(s) to translate",
        no_wrap=("uri",),
    )


def gaps(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", "-l", help="Target language (e.g. es).")],
    file: Annotated[
        Path | None, typer.Argument(help="RDF file (default: the stored thesaurus).")
    ] = None,
    source_langs: Annotated[
        str, typer.Option("--from", help="Languages to translate from, comma-separated.")
    ] = DEFAULT_LANGS,
    out_format: Annotated[
        GapsFormat, typer.Option("--format", "-f", case_sensitive=False, help="table, csv or json.")
    ] = GapsFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the CSV to this file (default: stdout)."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """List concepts lacking a prefLabel or definition in a language: the translators' work list.

    Fill in the pref_label_<lang> / alt_labels_<lang> / definition_<lang> columns of the CSV and
    load it back with `socsec thesaurus import-labels`.

    Example: socsec thesaurus gaps --lang es --format csv -o gaps-es.csv
    """
    from socsec.fileutil import atomic_write_bytes
    from socsec.thesaurus.gaps import find_gaps, write_gaps_csv

    state = get_state(ctx, json or out_format is GapsFormat.json)
    target, sources = _langs(lang)[0], _langs(source_langs, "--from")
    found = find_gaps(_snapshot(state, file, None), target, source_langs=sources)
    if out_format is GapsFormat.csv or output is not None:
        buffer = io.BytesIO()
        write_gaps_csv(found, buffer, target, sources)
        if output is None:
            sys.stdout.buffer.write(buffer.getvalue())
            return
        atomic_write_bytes(output, buffer.getvalue())
        state.out.notice(f"Wrote {len(found)} concept(s) to translate into {target} to {output}")
        return
    state.out.emit(_gap_rows(found), lambda: _gaps_view(found, [s for s in sources if s != target]))


# ---------------------------------------------------------------- import-labels


def _additions_view(additions: list[LabelAddition]) -> RenderableType:
    return table(
        ("line", "uri", "lang", "kind", "value"),
        [(a.line, a.uri, a.lang, a.kind, a.value) for a in additions],
        title=f"{len(additions)} label(s) to add",
        no_wrap=("uri",),
    )


def import_labels(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Filled-in gaps CSV, glossary CSV, or TBX file (.tbx).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show the additions; change nothing.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Add the labels and definitions of a filled-in gaps CSV to the thesaurus (all rows or none).

    A TBX file (.tbx) from a CAT tool is read too: its preferred terms become prefLabels,
    admitted terms altLabels; labels the thesaurus already has are skipped.

    Example: socsec thesaurus import-labels gaps-es.csv --dry-run
    """
    from socsec.thesaurus.gaps import (
        additions_from_entries,
        read_label_additions,
        validate_additions,
    )
    from socsec.thesaurus.import_tbx import read_tbx

    state = get_state(ctx, json)
    if file.suffix.lower() in (".tbx", ".xml"):
        additions = additions_from_entries(read_tbx(file))
    else:
        additions = read_label_additions(file)
    additions = validate_additions(_snapshot(state, None, None), additions, path=file)
    if not dry_run and additions:
        from socsec.app.thesaurus import add_labels

        for warning in add_labels(state.workspace(), additions).warnings:
            state.out.warn(warning)
    state.out.emit([asdict(a) for a in additions], lambda: _additions_view(additions))
    if not dry_run:
        state.out.notice(f"Added {len(additions)} label(s) and definition(s) from {file}")


# ---------------------------------------------------------------- diff


def _diff_json(d: ThesaurusDiff) -> dict[str, Any]:
    return {
        "old": d.old_source,
        "new": d.new_source,
        "old_concepts": d.old_concepts,
        "new_concepts": d.new_concepts,
        "summary": d.summary(),
        "label_counts": d.label_counts(),
        "added": list(d.added),
        "removed": list(d.removed),
        "deprecated": list(d.deprecated),
        "label_changes": [
            {
                "uri": c.uri,
                "lang": c.lang,
                "kind": c.kind,
                "change": c.change,
                "old": list(c.old),
                "new": list(c.new),
            }
            for c in d.label_changes
        ],
        "moved": [
            {"uri": m.uri, "old_broader": list(m.old_broader), "new_broader": list(m.new_broader)}
            for m in d.moved
        ],
        "relation_changes": [asdict(r) for r in d.relation_changes],
    }


def _diff_view(d: ThesaurusDiff, limit: int) -> RenderableType:
    from rich.console import Group

    old, new = Path(d.old_source).name, Path(d.new_source).name
    title = f"{old} ({d.old_concepts}) -> {new} ({d.new_concepts})"
    parts: list[RenderableType] = [
        table(("change", "count"), list(d.summary().items()), title=title)
    ]
    label_rows = [
        (lang, kind, n) for lang, counts in d.label_counts().items() for kind, n in counts.items()
    ]
    if label_rows:
        parts.append(table(("lang", "label change", "count"), label_rows, title="Label changes"))
    prefs = [c for c in d.label_changes if c.kind == "pref"]
    if prefs:
        rows = [(c.uri, c.lang, " | ".join(c.old), " | ".join(c.new)) for c in prefs[:limit]]
        parts.append(
            table(("uri", "lang", "old", "new"), rows, title=_first(limit, prefs, "Relabelled"))
        )
    if d.moved:
        moved = [
            (
                d.label(m.uri),
                "; ".join(map(d.label, m.old_broader)),
                "; ".join(map(d.label, m.new_broader)),
            )
            for m in d.moved[:limit]
        ]
        parts.append(
            table(
                ("concept", "old broader", "new broader"),
                moved,
                title=_first(limit, d.moved, "Moved"),
            )
        )
    return Group(*parts)


def _first(limit: int, items: Sequence[object], title: str) -> str:
    return (
        f"{title} (first {limit} of {len(items)}; --json for all)" if len(items) > limit else title
    )


def diff(
    ctx: typer.Context,
    old: Annotated[Path, typer.Argument(help="Earlier version (RDF file).")],
    new: Annotated[
        Path | None, typer.Argument(help="Later version (RDF file; default: the stored thesaurus).")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="Languages whose labels are compared, or 'all'.")
    ] = DEFAULT_LANGS,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows listed per table.")] = 20,
    json: JsonOpt = False,
) -> None:
    """Compare two versions of a vocabulary: added, removed, deprecated, relabelled, moved concepts.

    Example: socsec thesaurus diff unesco-2019.ttl unesco-2024.ttl --json
    """
    from socsec.thesaurus.checks_io import snapshot_from_file
    from socsec.thesaurus.diff import diff_snapshots

    state = get_state(ctx, json)
    langs = None if lang.strip().lower() == "all" else _langs(lang)
    result = diff_snapshots(snapshot_from_file(old), _snapshot(state, new, None), langs=langs)
    state.out.emit(_diff_json(result), lambda: _diff_view(result, limit))


def register(app: typer.Typer) -> None:
    """Add check, gaps, import-labels and diff to the `socsec thesaurus` group."""
    app.command("check")(check)
    app.command("gaps")(gaps)
    app.command("import-labels")(import_labels)
    app.command("diff")(diff)
