"""Curation of the thesaurus of record: add, edit, link, deprecate and merge concepts, undo.

Every change follows the same path: open a :class:`~socsec.thesaurus.working.WorkingCopy`
(an indexed view of the store files), change the triples in memory, validate the result
(label clashes, broader cycles, related-to-ancestor...), then
:func:`~socsec.thesaurus.working.commit` it: journal (the commit point), changed files,
index and only the changed concepts' cache rows, history. A refused change raises before
anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from socsec.analysis import base_language
from socsec.errors import NotFoundError, ValidationFailed
from socsec.thesaurus import history
from socsec.thesaurus.history import HistoryEntry
from socsec.thesaurus.model import NOTE_KINDS, SKOS
from socsec.thesaurus.quadindex import label_key
from socsec.thesaurus.store import MANIFEST, Manifest, store_files
from socsec.thesaurus.working import (
    BROADER,
    CONCEPT,
    CREATED,
    DEPRECATED,
    HAS_TOP,
    IN_SCHEME,
    NARROWER,
    NOTATION,
    RELATED,
    REPLACED_BY,
    TOP_OF,
    TYPE,
    XSD,
    ChangeResult,
    TaggedRecords,
    WorkingCopy,
    commit,
    iri,
)

if TYPE_CHECKING:
    from socsec.thesaurus.gaps import LabelAddition
    from socsec.thesaurus.lookup import ThesaurusCache
    from socsec.workspace import Workspace

DEFAULT_URI_PATTERN = "{base}{n}"
URI_PATTERN_KEY = "thesaurus.uri_pattern"
# New concepts live under a namespace the user owns. The default is clearly local: the
# reserved .invalid domain (RFC 6761) never resolves and cannot be mistaken for EuroVoc's.
DEFAULT_BASE_URI = "https://socsec.invalid/concept/"
BASE_URI_KEY = "thesaurus.base_uri"

_LABEL_PROPS = {"pref": "prefLabel", "alt": "altLabel", "hidden": "hiddenLabel"}
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_BAD_SPACE = re.compile(r"\s{2,}|[\t\n\r\f\v]")


@dataclass(frozen=True)
class LabelEdit:
    """One change requested by `concept edit`.

    Attributes:
        op: "set" (replace the values of ``kind`` in ``lang``), "add" or "remove".
        kind: "pref", "alt", "hidden", or a SKOS note ("definition", "scopeNote", ...).
        lang: the language tag.
        value: the text ("set"/"add"; for "remove", None removes every value in ``lang``).
    """

    op: str
    kind: str
    lang: str
    value: str | None = None


def split_tagged(text: str, *, value: bool = True) -> tuple[str, str]:
    """Split ``en:"early retirement"`` into ("en", "early retirement").

    With ``value=False`` the text is a bare language tag ("en") and the value is "".

    Raises:
        ValueError: no ``lang:`` prefix, or a malformed language tag.
    """
    if not value:
        lang, rest = text.strip(), ""
    else:
        lang, sep, rest = text.partition(":")
        if not sep:
            raise ValueError(f'{text!r}: expected LANG:TEXT, e.g. en:"early retirement"')
    lang = lang.strip()
    if not _LANG_TAG.match(lang):
        raise ValueError(f"{lang!r} is not a language tag (e.g. en, fr, es, fr-CA)")
    return lang.lower(), rest


def _untag_back(entry: HistoryEntry, records: TaggedRecords | None) -> int:
    """Revert the re-tagging a merge or deprecation did; returns the records changed."""
    if records is None or not entry.retag_moved or len(entry.concepts) < 2:
        return 0
    old, new = entry.concepts[0], entry.concepts[1]
    return records.tag_back(entry.retag_moved, old, new, entry.retag_had_new)


def _cache(ws: Workspace) -> ThesaurusCache:
    from socsec.thesaurus.lookup import get_cache

    return get_cache(ws)


def _resolve(ws: Workspace, ref: str) -> str:
    """A concept URI from a URI, notation or label (NotFoundError / AmbiguousReference)."""
    with _cache(ws) as cache:
        return cache.resolve(ref)


def _label(work: WorkingCopy, uri: str) -> str:
    lits = work.literals(uri, iri(SKOS + "prefLabel"))
    by_lang = {base_language(lit.language or "") or "": lit.value for lit in lits}
    text = by_lang.get("en") or next(iter(sorted(by_lang.values())), "")
    return f"{text} <{uri}>" if text else f"<{uri}>"


def _path_text(work: WorkingCopy, path: Sequence[str]) -> str:
    return " > ".join(_label(work, u) for u in path)


def _check_text(kind: str, lang: str, value: str) -> str:
    if not value.strip():
        raise ValidationFailed(f"empty {kind} in {lang}")
    if value != value.strip() or _BAD_SPACE.search(value):
        raise ValidationFailed(f"{kind} {value!r}@{lang} has leading/trailing or doubled spaces")
    return value


def _label_literals(work: WorkingCopy, uri: str, kind: str) -> list[ox.Literal]:
    return work.literals(uri, iri(SKOS + _LABEL_PROPS[kind]))


def _label_problems(work: WorkingCopy, uri: str) -> list[str]:
    """What breaks the label rules for ``uri``: no prefLabel, S14, S13, a prefLabel clash."""
    problems = []
    prefs = _label_literals(work, uri, "pref")
    if not prefs:
        problems.append(f"{uri} has no prefLabel left")
    by_lang: dict[str, list[str]] = {}
    for lit in prefs:
        by_lang.setdefault(lit.language or "", []).append(lit.value)
    for lang, values in sorted(by_lang.items()):
        if len(values) > 1:
            problems.append(f"{uri} has {len(values)} prefLabels in {lang} (S14)")
    for kind in ("alt", "hidden"):
        for lit in _label_literals(work, uri, kind):
            if by_lang.get(lit.language or "") == [lit.value]:
                problems.append(
                    f"{lit.value!r}@{lit.language} is both the prefLabel and a {kind} label "
                    f"of {uri} (S13)"
                )
    alts = {(lit.language, lit.value) for lit in _label_literals(work, uri, "alt")}
    for lit in _label_literals(work, uri, "hidden"):
        if (lit.language, lit.value) in alts:
            problems.append(f"{lit.value!r}@{lit.language} is both alt and hidden (S13)")
    schemes = set(work.schemes_of(uri))
    for lit in prefs:
        clash = _pref_owner(work, lit, schemes, exclude=uri)
        if clash is not None:
            problems.append(
                f"prefLabel {lit.value!r}@{lit.language} is already used by {_label(work, clash)} "
                "in the same scheme"
            )
    return problems


def _check_labels(work: WorkingCopy, uri: str, before: Sequence[str] = ()) -> None:
    """Refuse a change that breaks a label rule for ``uri`` (defects it had ``before`` aside:
    real vocabularies have some, and fixing one should not need fixing all).
    """
    new = [p for p in _label_problems(work, uri) if p not in before]
    if new:
        hint = "choose another label, or merge the two concepts" if "used by" in new[0] else None
        raise ValidationFailed(new[0], hint=hint)


def _pref_owner(
    work: WorkingCopy, lit: ox.Literal, schemes: set[str], *, exclude: str
) -> str | None:
    """Another live concept of one of ``schemes`` with the same prefLabel in that language."""
    for other in work.pref_owners(lit.language or "", label_key(lit.value)):
        if other == exclude or work.is_deprecated(other):
            continue
        if not schemes or schemes & set(work.schemes_of(other)):
            return other
    return None


# ---------------------------------------------------------------- add


def _uri_pattern(ws: Workspace) -> str:
    value = ws.settings.values.get(URI_PATTERN_KEY)
    return value or DEFAULT_URI_PATTERN


def _base_uri(ws: Workspace) -> str:
    return ws.settings.values.get(BASE_URI_KEY) or DEFAULT_BASE_URI


def check_owned(uri: str, scheme: str, base: str) -> None:
    """Refuse a new concept URI in the namespace of an imported scheme the user does not own.

    A scheme's namespace is the user's when it lies under ``base`` (config key
    ``thesaurus.base_uri``); any other (EuroVoc's, UNESCO's) belongs to its publisher.

    Raises:
        ValidationFailed: ``uri`` is under the scheme's namespace, which is not under ``base``.
    """
    ns = _namespace(scheme)
    if uri.startswith(ns) and not uri.startswith(base):
        raise ValidationFailed(
            f"{uri} would be in the namespace of {scheme} ({ns}), which socsec does not own",
            hint=f"set {BASE_URI_KEY} to a namespace you own and use {{base}} in "
            f"{URI_PATTERN_KEY} (default {DEFAULT_URI_PATTERN})",
        )


def _namespace(uri: str) -> str:
    cut = max(uri.rfind("/"), uri.rfind("#"))
    return uri[: cut + 1] if cut >= 0 else uri + "/"


def mint_uri(
    pattern: str,
    scheme: str,
    taken: Callable[[str], bool],
    notation: str | None,
    base: str = DEFAULT_BASE_URI,
) -> str:
    """A new concept URI from ``pattern``.

    Placeholders: {base}, {ns}, {scheme}, {n}, {uuid}, {notation}. ``{base}`` is the user's
    base URI, ``{ns}`` the scheme's namespace (its URI up to the last "/" or "#"), ``{n}``
    the smallest number giving a URI not yet used.

    Raises:
        ValidationFailed: bad pattern, or {notation} without a notation.
    """
    import uuid

    if "{notation}" in pattern and not notation:
        raise ValidationFailed(f"the URI pattern {pattern!r} needs --notation")
    n = 1
    while True:
        try:
            uri = pattern.format(
                base=base,
                ns=_namespace(scheme),
                scheme=scheme,
                n=n,
                uuid=uuid.uuid4().hex,
                notation=notation or "",
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationFailed(
                f"bad URI pattern {pattern!r} ({exc}); use {{base}}, {{ns}}, {{scheme}}, {{n}}, "
                "{uuid}, {notation}",
                hint=f"config key {URI_PATTERN_KEY}",
            ) from None
        if "://" not in uri and not uri.startswith("urn:"):
            raise ValidationFailed(f"the URI pattern {pattern!r} made {uri!r}, not an absolute URI")
        if not taken(uri):
            return uri
        if "{n}" not in pattern and "{uuid}" not in pattern:
            raise ValidationFailed(f"{uri} is already used (URI pattern {pattern!r})")
        n += 1


def _scheme_for(work: WorkingCopy, scheme: str | None, broader: Sequence[str]) -> str:
    schemes = work.subjects(TYPE, SKOS + "ConceptScheme")
    if scheme is not None:
        if scheme not in schemes:
            raise NotFoundError(f"scheme {scheme!r} is not in the thesaurus", suggestions=schemes)
        return scheme
    if broader:
        found = [s for s in work.schemes_of(broader[0]) if s in schemes]
        if found:
            return found[0]
    if len(schemes) == 1:
        return schemes[0]
    raise ValidationFailed(
        f"the thesaurus has {len(schemes)} schemes: say which one the concept belongs to",
        hint="pass --scheme URI (see: socsec thesaurus info)",
    )


def _live_concept(work: WorkingCopy, uri: str, role: str) -> None:
    if not work.is_concept(uri):
        raise NotFoundError(f"{uri} is not a concept of the thesaurus")
    if work.is_deprecated(uri):
        replaced = work.uris(uri, REPLACED_BY)
        hint = f"use its replacement {replaced[0]}" if replaced else None
        raise ValidationFailed(f"{role} {_label(work, uri)} is deprecated", hint=hint)


def add_concept(
    ws: Workspace,
    labels: Sequence[tuple[str, str]],
    *,
    scheme: str | None = None,
    broader: Sequence[str] = (),
    notation: str | None = None,
    definitions: Sequence[tuple[str, str]] = (),
) -> ChangeResult:
    """Add a concept, minting its URI under the user's base URI.

    The URI follows the config keys ``thesaurus.uri_pattern`` (default ``{base}{n}``) and
    ``thesaurus.base_uri`` (default ``https://socsec.invalid/concept/``); a URI in the
    namespace of a scheme not under the base URI (an imported vocabulary) is refused.
    Without ``broader`` the concept becomes a top concept of its scheme.

    Args:
        ws: the data dir.
        labels: (language, prefLabel) pairs, at most one per language.
        scheme: the scheme URI (default: the broader concept's scheme, or the only scheme).
        broader: broader concepts (URI, notation or label).
        notation: the concept's notation (unique in the scheme).
        definitions: (language, definition) pairs.

    Raises:
        NotFoundError: unknown scheme or broader concept.
        ValidationFailed: no label, a bad label, a prefLabel another concept of the scheme
            has in that language, a notation already used.
    """
    when = history.now()
    parents = [_resolve(ws, ref) for ref in broader]
    work = WorkingCopy(ws)
    if not labels:
        raise ValidationFailed("a concept needs at least one prefLabel (--label en:TEXT)")
    for p in parents:
        _live_concept(work, p, "broader concept")
    chosen = _scheme_for(work, scheme, parents)
    if notation is not None:
        notation = _check_text("notation", "-", notation)
        for other in work.with_literal(NOTATION, ox.Literal(notation)):
            if chosen in work.schemes_of(other):
                raise ValidationFailed(f"notation {notation!r} is already used by {other}")
    base = _base_uri(ws)
    uri = mint_uri(
        _uri_pattern(ws),
        chosen,
        work.mentions,
        notation,
        base,
    )
    check_owned(uri, chosen, base)
    name = work.scheme_file(chosen)
    node = iri(uri)
    work.add(ox.Triple(node, TYPE, CONCEPT), name)
    work.add(ox.Triple(node, IN_SCHEME, iri(chosen)), name)
    for lang, text in labels:
        _check_text("prefLabel", lang, text)
        work.add(ox.Triple(node, iri(SKOS + "prefLabel"), ox.Literal(text, language=lang)), name)
    for lang, text in definitions:
        _check_text("definition", lang, text)
        lit = ox.Literal(text, language=lang)
        work.add(ox.Triple(node, iri(SKOS + "definition"), lit), name)
    if notation is not None:
        work.add(ox.Triple(node, NOTATION, ox.Literal(notation)), name)
    stamp = ox.Literal(when, datatype=iri(XSD + "dateTime"))
    work.add(ox.Triple(node, CREATED, stamp), name)
    work.stamp(uri, when)
    for p in parents:
        work.link(uri, BROADER, p)
        work.link(p, NARROWER, uri)
    if not parents:
        work.link(uri, TOP_OF, chosen)
        work.link(chosen, HAS_TOP, uri)
    _check_labels(work, uri)
    shown = ", ".join(f"{text!r}@{lang}" for lang, text in labels)
    return commit(
        work, action="add", concepts=[uri, *parents], summary=f"added {uri} ({shown})", when=when
    )


# ---------------------------------------------------------------- edit


def _prop(kind: str) -> ox.NamedNode:
    if kind in _LABEL_PROPS:
        return iri(SKOS + _LABEL_PROPS[kind])
    if kind in NOTE_KINDS:
        return iri(SKOS + kind)
    raise ValidationFailed(
        f"unknown label or note kind {kind!r} (pref, alt, hidden, {', '.join(NOTE_KINDS)})"
    )


def edit_concept(ws: Workspace, ref: str, edits: Sequence[LabelEdit]) -> ChangeResult:
    """Set, add or remove labels and notes of a concept, per language, in one change.

    The edits apply in order, then the result is validated as a whole (so a label can move
    from alt to pref in one call).

    Raises:
        NotFoundError: unknown concept.
        ValidationFailed: no edit, removing what is not there, no prefLabel left, two
            prefLabels in a language, a label both pref and alt/hidden, a prefLabel clash.
    """
    when = history.now()
    uri = _resolve(ws, ref)
    work = WorkingCopy(ws)
    if not edits:
        raise ValidationFailed("nothing to change: give at least one edit option")
    name = work.file_of(uri)
    node = iri(uri)
    known = _label_problems(work, uri)
    done = []
    for e in edits:
        prop = _prop(e.kind)
        lang = e.lang.lower()
        current = [lit for lit in work.literals(uri, prop) if (lit.language or "") == lang]
        if e.op in ("set", "add"):
            value = _check_text(e.kind, lang, e.value or "")
            if e.op == "set":
                for lit in current:
                    work.remove(ox.Triple(node, prop, lit))
            work.add(ox.Triple(node, prop, ox.Literal(value, language=lang)), name)
            done.append(f"{e.op} {e.kind} {value!r}@{lang}")
        elif e.op == "remove":
            gone = [lit for lit in current if e.value is None or lit.value == e.value]
            if not gone:
                what = f"{e.value!r}" if e.value is not None else "any value"
                raise ValidationFailed(f"{uri} has no {e.kind} {what} in {lang}")
            for lit in gone:
                work.remove(ox.Triple(node, prop, lit))
            done.append(f"remove {e.kind}@{lang}" + (f" {e.value!r}" if e.value else ""))
        else:
            raise ValidationFailed(f"unknown edit {e.op!r} (set, add, remove)")
    work.stamp(uri, when)
    _check_labels(work, uri, known)
    return commit(work, action="edit", concepts=[uri], summary="; ".join(done), when=when)


# ---------------------------------------------------------------- link / unlink

RELATIONS = ("broader", "narrower", "related")


def _check_broader(work: WorkingCopy, child: str, parent: str) -> None:
    """Refuse ``child`` broader ``parent`` if it closes a cycle or relates a concept to an
    ancestor (SKOS: skos:related is disjoint with skos:broaderTransitive).
    """
    if child == parent:
        raise ValidationFailed(f"{_label(work, child)} cannot be its own broader concept")
    loop = work.path(parent, child, work.parents)
    if loop is not None:
        raise ValidationFailed(
            "broader cycle: " + _path_text(work, [child, *loop]),
            hint="unlink one of these broader links first",
        )
    below = work.closure(child, work.children)
    for ancestor in sorted(work.closure(parent, work.parents)):
        for other in sorted(work.related(ancestor) & below):
            down = work.path(other, child, work.parents) or [other, child]
            up = work.path(parent, ancestor, work.parents) or [parent, ancestor]
            raise ValidationFailed(
                f"{_label(work, other)} is related to {_label(work, ancestor)}, which would become "
                f"its ancestor: {_path_text(work, [*down, *up])}",
                hint="unlink the related link first",
            )


def _check_related(work: WorkingCopy, a: str, b: str) -> None:
    if a == b:
        raise ValidationFailed(f"{_label(work, a)} cannot be related to itself")
    for x, y in ((a, b), (b, a)):
        path = work.path(x, y, work.parents)
        if path is not None:
            raise ValidationFailed(
                f"{_label(work, y)} is an ancestor of {_label(work, x)}: {_path_text(work, path)}",
                hint="a concept cannot be related to its own ancestor (SKOS S27)",
            )


def _set_broader(work: WorkingCopy, child: str, parent: str, notes: list[str]) -> None:
    work.link(child, BROADER, parent)
    work.link(parent, NARROWER, child)
    # A top concept placed under a concept of the same scheme is no longer top there.
    for scheme in sorted(set(work.uris(child, TOP_OF)) & set(work.schemes_of(parent))):
        work.unlink(child, TOP_OF, scheme)
        work.unlink(scheme, HAS_TOP, child)
        notes.append(f"{child} is no longer a top concept of {scheme}")


def _drop_broader(work: WorkingCopy, child: str, parent: str, notes: list[str]) -> bool:
    found = work.unlink(child, BROADER, parent)
    found = work.unlink(parent, NARROWER, child) or found
    if found and not work.parents(child) and not work.is_deprecated(child):
        # Keep it reachable: a concept without broader becomes a top concept of its schemes.
        for scheme in work.uris(child, IN_SCHEME):
            work.link(child, TOP_OF, scheme)
            work.link(scheme, HAS_TOP, child)
            notes.append(f"{child} is now a top concept of {scheme}")
    return found


def link(ws: Workspace, ref: str, relation: str, target: str) -> ChangeResult:
    """Link two concepts: ``ref`` gets ``target`` as broader, narrower or related concept.

    Both directions are written (skos:broader and skos:narrower, skos:related both ways).

    Raises:
        NotFoundError: unknown concept.
        ValidationFailed: a broader cycle, or related-to-ancestor (the path is shown), a
            deprecated concept, a link that exists already.
    """
    when = history.now()
    if relation not in RELATIONS:
        raise ValidationFailed(f"unknown relation {relation!r} ({', '.join(RELATIONS)})")
    a, b = _resolve(ws, ref), _resolve(ws, target)
    work = WorkingCopy(ws)
    _live_concept(work, a, "concept")
    _live_concept(work, b, "concept")
    notes: list[str] = []
    if relation == "related":
        if b in work.related(a):
            raise ValidationFailed(f"{_label(work, a)} is already related to {_label(work, b)}")
        _check_related(work, a, b)
        work.link(a, RELATED, b)
        work.link(b, RELATED, a)
    else:
        child, parent = (a, b) if relation == "broader" else (b, a)
        if parent in work.parents(child):
            raise ValidationFailed(
                f"{_label(work, parent)} is already broader than {_label(work, child)}"
            )
        _check_broader(work, child, parent)
        _set_broader(work, child, parent, notes)
    work.stamp(a, when)
    work.stamp(b, when)
    summary = f"{_label(work, a)} {relation} {_label(work, b)}"
    return commit(work, action="link", concepts=[a, b], summary=summary, when=when, notes=notes)


def unlink(ws: Workspace, ref: str, relation: str, target: str) -> ChangeResult:
    """Remove a broader, narrower or related link between two concepts (both directions).

    A concept left without a broader concept becomes a top concept of its schemes.

    Raises:
        NotFoundError: unknown concept, or no such link.
    """
    when = history.now()
    if relation not in RELATIONS:
        raise ValidationFailed(f"unknown relation {relation!r} ({', '.join(RELATIONS)})")
    a, b = _resolve(ws, ref), _resolve(ws, target)
    work = WorkingCopy(ws)
    notes: list[str] = []
    if relation == "related":
        found = work.unlink(a, RELATED, b)
        found = work.unlink(b, RELATED, a) or found
    else:
        child, parent = (a, b) if relation == "broader" else (b, a)
        found = _drop_broader(work, child, parent, notes)
    if not found:
        raise NotFoundError(f"{_label(work, a)} has no {relation} link to {_label(work, b)}")
    work.stamp(a, when)
    work.stamp(b, when)
    summary = f"{_label(work, a)} no longer {relation} {_label(work, b)}"
    return commit(work, action="unlink", concepts=[a, b], summary=summary, when=when, notes=notes)


# ---------------------------------------------------------------- deprecate / merge


def _move_links(work: WorkingCopy, old: str, new: str | None, notes: list[str]) -> None:
    """Take ``old`` out of the hierarchy; with ``new``, its links move there (validated)."""
    for parent in sorted(work.parents(old)):
        work.unlink(old, BROADER, parent)
        work.unlink(parent, NARROWER, old)
        if new is not None and parent != new and parent not in work.parents(new):
            _check_broader(work, new, parent)
            _set_broader(work, new, parent, notes)
    for child in sorted(work.children(old)):
        work.unlink(child, BROADER, old)
        work.unlink(old, NARROWER, child)
        if new is None:
            continue
        if child != new and new not in work.parents(child):
            _check_broader(work, child, new)
            _set_broader(work, child, new, notes)
    for other in sorted(work.related(old)):
        work.unlink(old, RELATED, other)
        work.unlink(other, RELATED, old)
        if new is None or other == new or other in work.related(new):
            continue
        if work.path(new, other, work.parents) or work.path(other, new, work.parents):
            notes.append(f"related link to {other} dropped: it is in the hierarchy of {new}")
            continue
        work.link(new, RELATED, other)
        work.link(other, RELATED, new)
    for scheme in work.uris(old, TOP_OF):
        work.unlink(old, TOP_OF, scheme)
        work.unlink(scheme, HAS_TOP, old)
    for scheme in work.subjects(HAS_TOP, old):
        work.unlink(scheme, HAS_TOP, old)
    if new is not None and not work.parents(new) and not work.uris(new, TOP_OF):
        for scheme in work.uris(new, IN_SCHEME):
            work.link(new, TOP_OF, scheme)
            work.link(scheme, HAS_TOP, new)


def _mark_deprecated(work: WorkingCopy, uri: str, replacement: str | None) -> None:
    name = work.file_of(uri)
    work.remove_all(uri, DEPRECATED)
    true = ox.Literal("true", datatype=iri(XSD + "boolean"))
    work.add(ox.Triple(iri(uri), DEPRECATED, true), name)
    if replacement is not None:
        work.remove_all(uri, REPLACED_BY)
        work.add(ox.Triple(iri(uri), REPLACED_BY, iri(replacement)), name)


def _start_retirement(
    ws: Workspace, ref: str, target: str | None
) -> tuple[WorkingCopy, str, str | None]:
    old = _resolve(ws, ref)
    new = _resolve(ws, target) if target is not None else None
    work = WorkingCopy(ws)
    if work.is_deprecated(old):
        raise ValidationFailed(f"{_label(work, old)} is already deprecated")
    if new is not None:
        if new == old:
            raise ValidationFailed(f"{_label(work, old)} cannot replace itself")
        _live_concept(work, new, "replacement")
    return work, old, new


def deprecate(
    ws: Workspace,
    ref: str,
    *,
    replaced_by: str | None = None,
    records: TaggedRecords | None = None,
) -> ChangeResult:
    """Deprecate a concept (owl:deprecated true), optionally replaced by another.

    The concept leaves the hierarchy. With a replacement its links move there and
    bibliography records tagged with it are re-tagged with the replacement; without one, a
    concept that still has narrower concepts is refused (move them first), and records keep
    their tag.

    Raises:
        NotFoundError: unknown concept.
        ValidationFailed: already deprecated, narrower concepts left without a replacement,
            or moving the links would make a cycle.
    """
    when = history.now()
    work, old, new = _start_retirement(ws, ref, replaced_by)
    if new is None and work.children(old):
        kids = ", ".join(_label(work, c) for c in sorted(work.children(old))[:3])
        raise ValidationFailed(
            f"{_label(work, old)} still has narrower concepts ({kids})",
            hint="give --replaced-by, or move its narrower concepts first",
        )
    notes: list[str] = []
    _move_links(work, old, new, notes)
    _mark_deprecated(work, old, new)
    work.stamp(old, when)
    if new is not None:
        work.stamp(new, when)
    summary = f"deprecated {_label(work, old)}" + (
        f", replaced by {_label(work, new)}" if new else ""
    )
    return commit(
        work,
        action="deprecate",
        concepts=[old, *([new] if new else [])],
        summary=summary,
        when=when,
        notes=notes,
        retag=(old, new) if new else None,
        records=records,
    )


def merge(
    ws: Workspace, ref: str, *, into: str, records: TaggedRecords | None = None
) -> ChangeResult:
    """Merge concept ``ref`` into ``into``: deprecate it, replaced by ``into``.

    Its prefLabels (and alt/hidden labels) become alt/hidden labels of ``into`` where they do
    not clash with the labels ``into`` has; its broader, narrower and related links move to
    ``into``; bibliography records tagged with it are re-tagged with ``into``.

    Raises:
        NotFoundError: unknown concept.
        ValidationFailed: the same concept, a deprecated one, or a cycle after the move.
    """
    when = history.now()
    work, old, new = _start_retirement(ws, ref, into)
    assert new is not None
    notes: list[str] = []
    name = work.file_of(new)
    known = _label_problems(work, new)
    taken = {
        ((lit.language or ""), label_key(lit.value))
        for kind in _LABEL_PROPS
        for lit in _label_literals(work, new, kind)
    }
    for kind, to in (("pref", "alt"), ("alt", "alt"), ("hidden", "hidden")):
        for lit in _label_literals(work, old, kind):
            key = ((lit.language or ""), label_key(lit.value))
            if key in taken:
                notes.append(f"label {lit.value!r}@{lit.language} not copied: {new} has it")
                continue
            taken.add(key)
            work.add(ox.Triple(iri(new), iri(SKOS + _LABEL_PROPS[to]), lit), name)
    _move_links(work, old, new, notes)
    _mark_deprecated(work, old, new)
    work.stamp(old, when)
    work.stamp(new, when)
    _check_labels(work, new, known)
    return commit(
        work,
        action="merge",
        concepts=[old, new],
        summary=f"merged {_label(work, old)} into {_label(work, new)}",
        when=when,
        notes=notes,
        retag=(old, new),
        records=records,
    )


# ---------------------------------------------------------------- import-labels


def add_labels(ws: Workspace, additions: Sequence[LabelAddition]) -> ChangeResult | None:
    """Write validated label additions (from `import-labels`) in one change.

    The additions are validated again against the store (:func:`validate_additions`);
    those that change nothing are dropped. Returns None when nothing is left to add.

    Raises:
        ValidationFailed: an addition is no longer valid.
    """
    from socsec.thesaurus.checks_io import snapshot_from_triples
    from socsec.thesaurus.gaps import validate_additions

    when = history.now()
    work = WorkingCopy(ws)
    snap = snapshot_from_triples(work.union(), source="store")
    todo = validate_additions(snap, additions)
    if not todo:
        return None
    prop = {"pref": "prefLabel", "alt": "altLabel", "definition": "definition"}
    concepts = sorted({a.uri for a in todo})
    for a in todo:
        lit = ox.Literal(a.value, language=a.lang.lower())
        work.add(ox.Triple(iri(a.uri), iri(SKOS + prop[a.kind]), lit), work.file_of(a.uri))
    for uri in concepts:
        work.stamp(uri, when)
    summary = f"imported {len(todo)} label(s) and definition(s) for {len(concepts)} concept(s)"
    return commit(work, action="import-labels", concepts=concepts, summary=summary, when=when)


# ---------------------------------------------------------------- history / undo


def concept_history(ws: Workspace, ref: str | None = None) -> list[HistoryEntry]:
    """The recorded changes, newest first; only those about ``ref`` when given.

    ``ref`` may be a URI that is no longer in the thesaurus (e.g. an undone `add`).

    Raises:
        NotFoundError: ``ref`` is neither a URI nor a known notation or label.
    """
    uri = None
    if ref is not None:
        uri = ref if "://" in ref or ref.startswith("urn:") else _resolve(ws, ref)
    return history.entries_for(history.read_log(ws), uri)


def undo(ws: Workspace, *, records: TaggedRecords | None = None) -> ChangeResult:
    """Revert the last change that was not undone: restore the files it changed, rebuild.

    Records a merge or deprecation re-tagged get their old tag back (the replacement's tag
    is removed unless they had it before).

    Raises:
        NotFoundError: nothing to undo.
        ValidationFailed: the files changed since (an import, or a manual edit).
    """
    from socsec.fileutil import exclusive_lock
    from socsec.thesaurus import journal
    from socsec.thesaurus.incremental import commit_files
    from socsec.thesaurus.quadindex import QuadIndex

    with exclusive_lock(ws.thesaurus_lock):
        journal.recover(ws, locked=True, records=records)
        when = history.now()
        entries = history.read_log(ws)
        target = history.last_undoable(entries)
        if target is None:
            raise NotFoundError("nothing to undo: the curation history is empty")
        directory = ws.thesaurus_dir
        current = {p.name: p.read_bytes() for p in store_files(directory)}
        manifest_now = directory / MANIFEST
        on_disk = (
            {**current, MANIFEST: manifest_now.read_bytes()} if manifest_now.is_file() else current
        )
        payloads: dict[str, bytes] = {}
        removed: list[str] = []
        for name, (before, after) in sorted(target.files.items()):
            if history.sha256(on_disk.get(name)) != after:
                raise ValidationFailed(
                    f"{name} changed after change #{target.id} ({target.summary}); cannot undo it",
                    hint="the thesaurus was imported or edited since",
                )
            if before is None:
                removed.append(name)
            else:
                payloads[name] = history.load_blob(ws, before)
        files = {name: [after, before] for name, (before, after) in target.files.items()}
        back = len(target.retag_moved) if len(target.concepts) >= 2 else 0
        entry = HistoryEntry(
            id=history.next_id(entries),
            when=when,
            who=history.current_user(ws),
            action="undo",
            concepts=list(target.concepts),
            summary=f"undid #{target.id}: {target.summary}",
            before=list(target.after),
            after=list(target.before),
            files=files,
            retagged=back,
            undoes=target.id,
            notes=[f"{back} bibliography record(s) tagged back"] if back else [],
        )
        journal.begin(ws, entry, payloads, removed, untag_back=target.id)  # the commit point
        manifest_bytes = payloads.pop(MANIFEST, None)
        index = QuadIndex.of(ws)
        try:
            index.sync(directory, current)
            update = commit_files(
                ws, index, Manifest.load(directory), current, payloads, removed,
                manifest_bytes=manifest_bytes,
            )  # fmt: skip
        finally:
            index.close()
        _untag_back(target, records)
        journal.finish(ws, entry)
        return ChangeResult(
            entry=entry,
            cache_version=update.build_id,
            uri=target.concepts[0] if target.concepts else None,
            affected=frozenset(update.affected),
            cache_rows=update.rows,
        )
