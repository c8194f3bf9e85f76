"""`socsec thesaurus` commands: lookup, show, tree, translate, import, export, info.

Kept light at import time: `socsec thesaurus lookup` must start fast, so the RDF machinery
(pyoxigraph, via socsec.thesaurus.manage) is imported inside the commands that write.

JSON shapes (``--json``; stable, snake_case, ``[]`` when empty):
- lookup: ``[{uri, match: exact|folded|stemmed|reordered|variant|prefix|partial|fuzzy,
  matched_label, matched_lang, matched_kind: pref|alt|hidden, score (confidence 0-100),
  pref: {lang: label|null}, alt: {lang: [label]}, notation, schemes: [uri], deprecated, replaced_by:
  [{uri, label}]}]`` (``pref``/``alt`` keyed by the ``--to`` languages); ``[]`` (exit 4) when
  nothing matches.
- show: ``{concept: {uri, notation, pref: {tag: label}, alt: {tag: [..]}, hidden, broader,
  narrower, related, schemes, top_of, collections, deprecated, replaced_by,
  notes: {definition|scopeNote|...: {tag: [text]}}, mappings: {exactMatch|...: [uri]},
  created, modified}, broader_paths: [[uri, ...]], labels: {uri: label}}``.
- tree: ``[{uri, label, narrower_count, is_scheme, children: [...]}]``.
- translate: ``[{term, found, uri, match, matched_label, labels: {lang: label},
  alternatives: {lang: [label]}, candidates: [label], score, deprecated, replaced_by:
  [label]}]``; ``--csv`` gives ``term,found,match,score,deprecated,uri,<lang>...,candidates``;
  ``--gaps FILE`` writes ``term,lang,status,nearest,uri_of_nearest,concept`` (status
  not_found, partial or variant).
- import: ``{source, format, triples, concepts, schemes, files_written, files_removed,
  seconds, cache_version}``; export -o: ``{path, format, bytes}`` (format: ttl, xml, nt,
  jsonld, tbx or csv).
- info: ``{concepts, schemes: [{uri, title, concepts, top_concepts, notation, license,
  rights, attribution, source, version, file}], labels: {lang: {pref, alt, hidden}}, triples,
  cache_version, built_at, imports: [{source, sha256, format, imported_at, triples, schemes,
  files}], sources: [{uri, title, issued, source, license, rights, attribution}]}``.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socsec.cli.lookup_view import (
    DEFAULT_LIMIT,
    DEFAULT_TO,
    LOOKUP_FLAG_OPTIONS,
    LOOKUP_VALUE_OPTIONS,
    MAX_LIMIT,
    cell,
    hits_table,
    lang_error,
    parse_langs,
    unknown_langs,
)
from socsec.cli.options import BaseOpt, JsonOpt, LangOpt
from socsec.cli.output import key_values, table
from socsec.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from socsec.thesaurus.browse import ConceptDetail
    from socsec.thesaurus.model import ThesaurusInfo, Translation, TreeNode

app = typer.Typer(
    help="Look up, browse, import and export the SKOS thesaurus (EN/FR/ES).", no_args_is_help=True
)

SchemeOpt = Annotated[str | None, typer.Option("--scheme", help="Only this concept scheme (URI).")]
ToOpt = Annotated[
    str, typer.Option("--to", help="Languages to show, comma-separated (e.g. en,fr,es).")
]


def _langs(text: str) -> list[str]:
    langs = parse_langs(text)
    if not langs:
        raise typer.BadParameter("give at least one language, e.g. --to en,fr")
    return langs


@app.command()
def lookup(
    ctx: typer.Context,
    term: Annotated[str, typer.Argument(help="A term in English, French or Spanish.")],
    lang: Annotated[
        str | None,
        typer.Option(*LOOKUP_VALUE_OPTIONS["lang"], help="Language (en, fr or es) of the term."),
    ] = None,
    to: Annotated[
        str,
        typer.Option(*LOOKUP_VALUE_OPTIONS["to"], help="Languages to show, e.g. en,fr,es."),
    ] = DEFAULT_TO,
    limit: Annotated[
        int, typer.Option(*LOOKUP_VALUE_OPTIONS["limit"], min=1, max=MAX_LIMIT, help="Most hits.")
    ] = DEFAULT_LIMIT,
    scheme: Annotated[
        str | None,
        typer.Option(*LOOKUP_VALUE_OPTIONS["scheme"], help="Only this concept scheme (URI)."),
    ] = None,
    json: Annotated[
        bool, typer.Option(*LOOKUP_FLAG_OPTIONS["json"], help="Print JSON instead of a table.")
    ] = False,
) -> None:
    """Find concepts by any label and show their equivalents in en/fr/es.

    Example: socsec thesaurus lookup "retraite anticipée" --to en,es
    """
    from socsec.errors import NotFoundError
    from socsec.thesaurus.lookup import find, get_cache

    state = get_state(ctx, json)
    cache = get_cache(state.workspace())
    langs = _checked(cache.languages(), lang=lang, to=to)
    try:
        hits = find(cache, term, lang=lang, scheme=scheme, limit=limit)
    except NotFoundError:
        if json:  # valid JSON whatever happens; the message and exit code 4 still follow
            state.out.data([])
        raise
    state.out.emit([h.to_json(langs) for h in hits], lambda: hits_table(hits, langs))


def _checked(present: list[str], *, lang: str | None, to: str, source: str = "--lang") -> list[str]:
    """The --to languages, after checking them and --lang (usage error for unknown ones)."""
    langs = _langs(to)
    for option, values in ((source, [lang] if lang else []), ("--to", langs)):
        bad = unknown_langs(values, present)
        if bad:
            raise typer.BadParameter(lang_error(option, bad, present))
    return langs


def _detail_view(d: ConceptDetail, lang: str | None) -> RenderableType:
    c = d.concept

    def name(u: str) -> str:
        return f"{d.labels.get(u, u)} <{u}>"

    rows: list[tuple[str, str, str]] = [("uri", "", c.uri), ("notation", "", c.notation or "")]
    for kind, values in (
        ("pref", {k: [v] for k, v in c.pref.items()}),
        ("alt", c.alt),
        ("hidden", c.hidden),
    ):
        rows += [(kind, tag or "-", "; ".join(v)) for tag, v in sorted(values.items())]
    for note, by_lang in c.notes.items():
        rows += [(note, tag or "-", " | ".join(v)) for tag, v in sorted(by_lang.items())]
    rows += [
        ("broader path", "", " > ".join(d.labels.get(u, u) for u in p)) for p in d.broader_paths
    ]
    rows += [(rel, "", name(u)) for rel in ("narrower", "related") for u in getattr(c, rel)]
    rows += [(m, "", u) for m, us in c.mappings.items() for u in us]
    rows += [("scheme", "", s) for s in c.schemes]
    if c.deprecated or c.replaced_by:
        rows += [("deprecated", "", "yes")] + [("replaced by", "", name(u)) for u in c.replaced_by]
    return table(("field", "lang", "value"), rows, title=d.labels.get(c.uri), no_wrap=("field",))


@app.command()
def show(
    ctx: typer.Context,
    concept: Annotated[str, typer.Argument(help="URI, notation, or a label in any language.")],
    lang: LangOpt = None,
    scheme: SchemeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show every label, note, relation and mapping of one concept.

    Example: socsec thesaurus show "accident du travail"
    """
    from socsec.thesaurus.browse import concept_detail
    from socsec.thesaurus.lookup import get_cache

    state = get_state(ctx, json)
    detail = concept_detail(get_cache(state.workspace()), concept, lang=lang, scheme=scheme)
    state.out.emit(asdict(detail), lambda: _detail_view(detail, lang))


def _rich_tree(nodes: list[TreeNode]) -> RenderableType:
    from rich.tree import Tree

    root = Tree("thesaurus", hide_root=True)

    def add(parent: Tree, node: TreeNode) -> None:
        style = "bold" if node.is_scheme else ""
        branch = parent.add(
            f"[{style}]{node.label}[/] [dim]({node.narrower_count}) {node.uri}[/]"
            if style
            else f"{node.label} [dim]({node.narrower_count}) {node.uri}[/]"
        )
        for child in node.children:
            add(branch, child)

    for n in nodes:
        add(root, n)
    return root


@app.command()
def tree(
    ctx: typer.Context,
    concept: Annotated[
        str | None, typer.Argument(help="Root concept (default: all schemes).")
    ] = None,
    depth: Annotated[int, typer.Option("--depth", "-d", min=0, max=20, help="Levels shown.")] = 2,
    lang: LangOpt = None,
    scheme: SchemeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show the hierarchy under a concept (or under each scheme), with narrower counts.

    Example: socsec thesaurus tree "social security" --depth 3 --lang fr
    """
    from socsec.thesaurus.browse import tree as build_tree
    from socsec.thesaurus.lookup import get_cache

    state = get_state(ctx, json)
    nodes = build_tree(get_cache(state.workspace()), concept, depth=depth, lang=lang, scheme=scheme)
    state.out.emit([asdict(n) for n in nodes], lambda: _rich_tree(nodes))


def _note(r: Translation) -> str:
    if not r.found:
        return ("did you mean: " + "; ".join(r.candidates)) if r.candidates else "no match"
    if r.deprecated:
        return "DEPRECATED" + (": use " + "; ".join(r.replaced_by) if r.replaced_by else "")
    return f"check: matched {r.matched_label!r}" if r.gap else ""


def _translations_table(rows: list[Translation], to: list[str]) -> RenderableType:
    return table(
        ("term", "match", "conf.", *to, "note"),
        [
            (
                r.term,
                r.match or "NOT FOUND",
                "" if r.score is None else f"{r.score:.0f}",
                *(cell(r.labels.get(t), r.alternatives.get(t, [])) for t in to),
                _note(r),
            )
            for r in rows
        ],
    )


def _csv(rows: list[Translation], to: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["term", "found", "match", "score", "deprecated", "uri", *to, "candidates"])
    for r in rows:
        writer.writerow(
            [
                r.term,
                str(r.found).lower(),
                r.match or "",
                "" if r.score is None else r.score,
                str(r.deprecated).lower(),
                r.uri or "",
                *(r.labels.get(t, "") for t in to),
                "; ".join(r.candidates),
            ]
        )
    return buf.getvalue().rstrip("\n")


@app.command()
def translate(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="File with one term per line, or - for stdin.")],
    source: Annotated[str | None, typer.Option("--from", help="Language of the terms.")] = None,
    to: ToOpt = DEFAULT_TO,
    scheme: SchemeOpt = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    gaps: Annotated[
        Path | None,
        typer.Option("--gaps", help="Write terms not found or only partly matched to this CSV."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Translate a batch of terms (one per line): match kind, confidence and equivalents.

    Example: socsec thesaurus translate terms.txt --from fr --to en,es --gaps todo.csv
    """
    from socsec.fileutil import atomic_write_text
    from socsec.thesaurus.browse import gaps_csv
    from socsec.thesaurus.browse import translate as run
    from socsec.thesaurus.lookup import get_cache

    state = get_state(ctx, json)
    cache = get_cache(state.workspace())
    langs = _checked(cache.languages(), lang=source, to=to, source="--from")
    lines = _read_lines(file)
    rows = run(cache, lines, source_lang=source, target_langs=langs, scheme=scheme)
    if gaps is not None:
        atomic_write_text(gaps, gaps_csv(rows, source))
        state.out.notice(f"{sum(r.gap is not None for r in rows)} term(s) to review in {gaps}")
    if csv and not json:
        return state.out.line(_csv(rows, langs))
    state.out.emit([asdict(r) for r in rows], lambda: _translations_table(rows, langs))


def _read_lines(file: str) -> list[str]:
    if file == "-":
        return sys.stdin.read().splitlines()
    from socsec.errors import InputDataError

    try:
        return Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot read terms: {exc}", path=file) from None


FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="ttl, xml, nt or jsonld (default: from the extension)."),
]


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="SKOS file: Turtle, RDF/XML, N-Triples or JSON-LD.")],
    fmt: FormatOpt = None,
    scheme: SchemeOpt = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the whole thesaurus.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Import even if it removes concepts.")
    ] = False,
    base: BaseOpt = None,
    json: JsonOpt = False,
) -> None:
    """Import a SKOS vocabulary; its schemes replace stored schemes of the same URI.

    An import that would remove concepts asks first (refused without --yes when stdin is
    not a terminal). Undo it with: socsec thesaurus undo

    Example: socsec thesaurus import unesco-thesaurus.ttl
    """
    from socsec.app.thesaurus import import_file

    def confirm(count: int) -> bool:
        if yes:
            return True
        question = f"This import removes {count} concept(s) from the thesaurus. Continue?"
        return sys.stdin.isatty() and typer.confirm(question, default=False, err=True)

    state = get_state(ctx, json)
    outcome = import_file(
        state.workspace(),
        file,
        fmt=fmt,
        scheme=scheme,
        replace=replace,
        on_progress=lambda step: state.out.hint(f"{step}..."),
        confirm=confirm,
        base=base,
    )
    report = outcome.value
    for warning in outcome.warnings:
        state.out.warn(warning)
    state.out.emit(
        asdict(report),
        lambda: key_values(
            {k: v for k, v in asdict(report).items() if k not in ("files_written", "schemes")}
        ),
    )


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="ttl, xml, nt, jsonld, or a glossary: tbx (TBX-Basic 2019), tbx2008, csv.",
        ),
    ] = "ttl",
    scheme: SchemeOpt = None,
    langs: Annotated[
        str, typer.Option("--langs", help="Glossary languages (tbx, csv), comma-separated.")
    ] = DEFAULT_TO,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Export the thesaurus (or one scheme) as RDF, or as a TBX/CSV glossary for translators.

    Example: socsec thesaurus export --format tbx --langs en,fr,es -o glossary.tbx
    """
    from socsec.fileutil import atomic_write_bytes
    from socsec.thesaurus.manage import export as run

    state = get_state(ctx, json)
    data = run(state.workspace(), fmt, scheme=scheme, langs=_langs(langs))
    if output is None:
        sys.stdout.buffer.write(data) if not json else state.out.data(
            {"format": fmt, "bytes": len(data)}
        )
        return
    atomic_write_bytes(output, data)
    state.out.emit(
        {"path": str(output), "format": fmt, "bytes": len(data)},
        lambda: f"Wrote {len(data)} bytes to {output}",
    )


def _info_view(info: ThesaurusInfo) -> RenderableType:
    from rich.console import Group

    counts = [
        (lg, *(n.get(k, 0) for k in ("pref", "alt", "hidden"))) for lg, n in info.labels.items()
    ]
    title = f"{info.concepts} concepts, {info.triples} triples (cache {info.cache_version[:8]})"
    summary = table(("language", "pref", "alt", "hidden"), sorted(counts), title=title)
    schemes = table(
        ("scheme", "title", "concepts", "version"),
        [(s.uri, _title(s.title), s.concepts, s.version or "") for s in info.schemes],
        title="Schemes",
        no_wrap=("scheme",),
    )
    sources = table(
        ("source", "issued", "licence", "attribution"),
        [
            (s["title"] or s["uri"], s["issued"], s["license"], s["attribution"] or s["rights"])
            for s in info.sources
        ],
        title="Sources",
    )
    imports = table(
        ("file", "format", "triples", "imported at", "sha256"),
        [(r.source, r.format, r.triples, r.imported_at, r.sha256[:12]) for r in info.imports],
        title="Imports",
    )
    rights = {r for s in info.schemes if (r := s.attribution or s.rights)}
    licences = {s.license for s in info.schemes if s.license}
    notes = [f"Licence: {x}" for x in sorted(licences)] + [
        f"Attribution: {r}" for r in sorted(rights)
    ]
    return Group(summary, schemes, sources, imports, *notes)


def _title(titles: dict[str, str]) -> str:
    return titles.get("en") or next(iter(titles.values()), "")


@app.command()
def info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show schemes, label counts per language, sources, versions, licences and attribution.

    Example: socsec thesaurus info --json
    """
    from socsec.thesaurus.manage import info as run

    state = get_state(ctx, json)
    result = run(state.workspace())
    state.out.emit(asdict(result), lambda: _info_view(result))
