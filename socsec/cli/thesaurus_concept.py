"""`socsec thesaurus concept add|edit|link|unlink|deprecate|merge`, `history` and `undo`.

Each command parses, makes one call to :mod:`socsec.thesaurus.curation` and renders the
change it recorded. pyoxigraph is imported only when a command runs (lookups stay fast).

JSON shapes (``--json``):
- every change: ``{uri, cache_version, id, when, who, action, concepts: [uri], summary,
  before: [n-triples], after: [n-triples], files: {name: [sha256|null, sha256|null]},
  retagged, undoes, notes: [text]}``.
- history: ``[{id, when, who, action, concepts, summary, before, after, files, retagged,
  undoes, notes}]``, newest first (``[]`` when empty).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socsec.cli.options import JsonOpt
from socsec.cli.output import key_values, table
from socsec.cli.state import get_state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from socsec.app.uow import Outcome
    from socsec.thesaurus.curation import LabelEdit
    from socsec.thesaurus.history import HistoryEntry
    from socsec.thesaurus.working import ChangeResult

app = typer.Typer(
    help="Curate concepts: add, edit labels and notes, link, deprecate, merge.",
    no_args_is_help=True,
)

ConceptArg = Annotated[str, typer.Argument(help="Concept: URI, notation, or a label.")]
Tagged = Annotated[list[str] | None, typer.Option(metavar="LANG:TEXT")]
Values = list[str] | None  # a repeatable option


def _edit_opt(flag: str, metavar: str, help_text: str) -> Any:
    """One of ``edit``'s repeatable label and note options (they differ only in these)."""
    return typer.Option(flag, metavar=metavar, help=help_text)


def _split(values: list[str] | None, option: str, *, value: bool = True) -> list[tuple[str, str]]:
    from socsec.thesaurus.curation import split_tagged

    try:
        return [split_tagged(v, value=value) for v in values or ()]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


def _change_json(result: ChangeResult) -> dict[str, Any]:
    return {"uri": result.uri, "cache_version": result.cache_version, **asdict(result.entry)}


def _change_view(result: ChangeResult) -> RenderableType:
    e = result.entry
    pairs = {"change": f"#{e.id} {e.action}", "summary": e.summary, "who": e.who, "when": e.when}
    if e.retagged:
        pairs["records re-tagged"] = str(e.retagged)
    for i, note in enumerate(e.notes, 1):
        pairs[f"note {i}"] = note
    return key_values(pairs, title=result.uri)


def _emit(ctx: typer.Context, json: bool, outcome: Outcome[ChangeResult]) -> None:
    state, result = get_state(ctx, json), outcome.value
    for warning in outcome.warnings:
        state.out.warn(warning)
    state.out.emit(_change_json(result), lambda: _change_view(result))


@app.command()
def add(
    ctx: typer.Context,
    label: Annotated[
        list[str], typer.Option("--label", metavar="LANG:TEXT", help="prefLabel (repeat per lang).")
    ],
    scheme: Annotated[str | None, typer.Option("--scheme", help="Scheme URI.")] = None,
    broader: Annotated[
        list[str] | None, typer.Option("--broader", help="Broader concept (repeatable).")
    ] = None,
    notation: Annotated[str | None, typer.Option("--notation", help="Notation.")] = None,
    definition: Annotated[
        list[str] | None, typer.Option("--definition", metavar="LANG:TEXT", help="Definition.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Add a concept; its URI is minted under the scheme's namespace (thesaurus.uri_pattern).

    Example: socsec thesaurus concept add --label en:"bridge pension" --label fr:"pension de
    raccordement" --broader "early retirement"
    """
    from socsec.app.thesaurus import add_concept

    ws = get_state(ctx, json).workspace()
    result = add_concept(
        ws,
        _split(label, "--label"),
        scheme=scheme,
        broader=broader or (),
        notation=notation,
        definitions=_split(definition, "--definition"),
    )
    _emit(ctx, json, result)


def _notes(values: list[str] | None, option: str, *, value: bool) -> list[tuple[str, str, str]]:
    out = []
    for v in values or ():
        kind, sep, rest = v.partition(":")
        if not sep or not kind.strip():
            raise typer.BadParameter(
                f"{v!r}: expected KIND:LANG{':TEXT' if value else ''}", param_hint=option
            )
        lang, text = _split([rest], option, value=value)[0]
        out.append((kind.strip(), lang, text))
    return out


def _edits(opts: dict[str, list[str] | None]) -> list[LabelEdit]:
    from socsec.thesaurus.curation import LabelEdit

    removes, sets = [], []
    for kind in ("pref", "alt", "hidden", "definition"):
        bare = kind in ("pref", "definition")
        for lang, text in _split(opts[f"remove_{kind}"], f"--remove-{kind}", value=not bare):
            removes.append(LabelEdit("remove", kind, lang, None if bare else text))
        op = "set" if bare else "add"
        sets += [LabelEdit(op, kind, lang, text) for lang, text in _split(opts[kind], f"--{kind}")]
    removes += [
        LabelEdit("remove", k, lang, None)
        for k, lang, _ in _notes(opts["remove_note"], "--remove-note", value=False)
    ]
    sets += [
        LabelEdit("set", k, lang, t) for k, lang, t in _notes(opts["note"], "--note", value=True)
    ]
    return removes + sets


# edit's options: a label or note kind to set or add, and to remove.
PrefOpt = Annotated[Values, _edit_opt("--pref", "LANG:TEXT", "Set the prefLabel.")]
RemovePrefOpt = Annotated[Values, _edit_opt("--remove-pref", "LANG", "Remove the prefLabel.")]
AltOpt = Annotated[Values, _edit_opt("--alt", "LANG:TEXT", "Add an altLabel.")]
RemoveAltOpt = Annotated[Values, _edit_opt("--remove-alt", "LANG:TEXT", "Remove an altLabel.")]
HiddenOpt = Annotated[Values, _edit_opt("--hidden", "LANG:TEXT", "Add a hiddenLabel.")]
RemoveHiddenOpt = Annotated[
    Values, _edit_opt("--remove-hidden", "LANG:TEXT", "Remove a hiddenLabel.")
]
DefinitionOpt = Annotated[Values, _edit_opt("--definition", "LANG:TEXT", "Set the definition.")]
RemoveDefinitionOpt = Annotated[
    Values, _edit_opt("--remove-definition", "LANG", "Remove the definition.")
]
NoteOpt = Annotated[
    Values, _edit_opt("--note", "KIND:LANG:TEXT", "Set a note (scopeNote, example...).")
]
RemoveNoteOpt = Annotated[
    Values, _edit_opt("--remove-note", "KIND:LANG", "Remove notes of a kind.")
]


@app.command()
def edit(
    ctx: typer.Context,
    concept: ConceptArg,
    pref: PrefOpt = None,
    remove_pref: RemovePrefOpt = None,
    alt: AltOpt = None,
    remove_alt: RemoveAltOpt = None,
    hidden: HiddenOpt = None,
    remove_hidden: RemoveHiddenOpt = None,
    definition: DefinitionOpt = None,
    remove_definition: RemoveDefinitionOpt = None,
    note: NoteOpt = None,
    remove_note: RemoveNoteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Set, add or remove labels and notes per language (removals apply first, one change).

    Example: socsec thesaurus concept edit "early retirement" --remove-alt en:"pre-retirement"
    --alt es:"prejubilación" --definition en:"Retirement before the statutory age."
    """
    from socsec.app.thesaurus import edit_concept

    edits = _edits(
        {
            "pref": pref,
            "remove_pref": remove_pref,
            "alt": alt,
            "remove_alt": remove_alt,
            "hidden": hidden,
            "remove_hidden": remove_hidden,
            "definition": definition,
            "remove_definition": remove_definition,
            "note": note,
            "remove_note": remove_note,
        }
    )
    if not edits:
        raise typer.BadParameter("give at least one edit option (see --help)")
    _emit(ctx, json, edit_concept(get_state(ctx, json).workspace(), concept, edits))


RelOpt = Annotated[str | None, typer.Option(help="The other concept.")]


def _relation(broader: str | None, narrower: str | None, related: str | None) -> tuple[str, str]:
    given = [
        (r, v) for r, v in (("broader", broader), ("narrower", narrower), ("related", related)) if v
    ]
    if len(given) != 1:
        raise typer.BadParameter("give exactly one of --broader, --narrower, --related")
    return given[0]


def _link_command(action: str, doc: str) -> Callable[..., None]:
    """``link`` or ``unlink``: the same options, the app function of that name."""

    def command(
        ctx: typer.Context,
        concept: ConceptArg,
        broader: RelOpt = None,
        narrower: RelOpt = None,
        related: RelOpt = None,
        json: JsonOpt = False,
    ) -> None:
        from socsec.app import thesaurus

        relation, other = _relation(broader, narrower, related)
        run = thesaurus.link if action == "link" else thesaurus.unlink
        _emit(ctx, json, run(get_state(ctx, json).workspace(), concept, relation, other))

    command.__doc__ = doc
    return command


link = app.command("link")(
    _link_command(
        "link",
        """Link a concept to another; refuses broader cycles and related-to-ancestor links.

    Example: socsec thesaurus concept link "early retirement" --related "retirement pension"
    """,
    )
)
unlink = app.command("unlink")(
    _link_command(
        "unlink",
        """Remove a broader, narrower or related link (a concept left without broader goes top).

    Example: socsec thesaurus concept unlink "early retirement" --broader 3522
    """,
    )
)


@app.command()
def deprecate(
    ctx: typer.Context,
    concept: ConceptArg,
    replaced_by: Annotated[
        str | None, typer.Option("--replaced-by", help="The concept that replaces it.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Deprecate a concept; with --replaced-by its links and bibliography tags move there.

    Example: socsec thesaurus concept deprecate 3626 --replaced-by "retirement"
    """
    from socsec.app.thesaurus import deprecate as run

    _emit(ctx, json, run(get_state(ctx, json).workspace(), concept, replaced_by=replaced_by))


@app.command()
def merge(
    ctx: typer.Context,
    concept: ConceptArg,
    into: Annotated[str, typer.Option("--into", help="The concept that absorbs it.")],
    json: JsonOpt = False,
) -> None:
    """Merge a concept into another: labels become altLabels, links and records move.

    Example: socsec thesaurus concept merge "early retirement" --into "retirement"
    """
    from socsec.app.thesaurus import merge as run

    _emit(ctx, json, run(get_state(ctx, json).workspace(), concept, into=into))


def _history_view(entries: list[HistoryEntry]) -> RenderableType:
    rows = [(f"#{e.id}", e.when, e.who, e.action, e.summary) for e in entries]
    return table(("change", "when", "who", "action", "summary"), rows, title="Thesaurus history")


def history(
    ctx: typer.Context,
    concept: Annotated[str | None, typer.Argument(help="Only changes about this concept.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most entries shown.")] = 50,
    json: JsonOpt = False,
) -> None:
    """Show the curation history (who, when, what, before/after), newest first.

    Example: socsec thesaurus history "early retirement" --json
    """
    from socsec.thesaurus.curation import concept_history

    state = get_state(ctx, json)
    entries = concept_history(state.workspace(), concept)[:limit]
    state.out.emit([asdict(e) for e in entries], lambda: _history_view(entries))


def undo(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Revert the last curation change (the store files it changed are restored).

    Example: socsec thesaurus undo
    """
    from socsec.app.thesaurus import undo as run

    _emit(ctx, json, run(get_state(ctx, json).workspace()))


def register(thesaurus_app: typer.Typer) -> None:
    """Add the `concept` group, `history` and `undo` to the `socsec thesaurus` group."""
    thesaurus_app.add_typer(app, name="concept")
    thesaurus_app.command("history")(history)
    thesaurus_app.command("undo")(undo)
