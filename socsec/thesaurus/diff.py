"""Compare two versions of a vocabulary: concepts added, removed, deprecated, relabelled, moved.

Both versions are read into :class:`SkosSnapshot` objects and compared with set operations,
so all of EuroVoc diffs in about a second (parsing included).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from socsec.thesaurus.checks_io import SkosSnapshot, snapshot_from_graph
from socsec.thesaurus.model import LABEL_KINDS

if TYPE_CHECKING:
    from rdflib import Graph


@dataclass(frozen=True)
class LabelChange:
    """Labels of one kind and language that differ between the versions of a concept.

    Attributes:
        uri: the concept.
        lang: the language tag ("" for untagged labels).
        kind: "pref", "alt", "hidden" or "definition".
        old: the values before (sorted).
        new: the values after (sorted).
    """

    uri: str
    lang: str
    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def change(self) -> str:
        """What happened to the value: "added", "removed" or "changed"."""
        if not self.old:
            return "added"
        if not self.new:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class MovedConcept:
    """A concept whose broader concepts changed."""

    uri: str
    old_broader: tuple[str, ...]
    new_broader: tuple[str, ...]


@dataclass(frozen=True)
class RelationChange:
    """A skos:related link added or removed (``source`` < ``target``, one entry per pair)."""

    source: str
    target: str
    change: str  # "added" | "removed"


@dataclass(frozen=True)
class ThesaurusDiff:
    """What changed from ``old`` to ``new``.

    Attributes:
        old_source / new_source: what was compared.
        old_concepts / new_concepts: concept counts.
        added / removed: concepts only in the new / old version.
        deprecated: concepts deprecated in the new version and not in the old one.
        label_changes: label and definition changes of concepts in both versions.
        moved: concepts in both versions whose broader concepts changed.
        relation_changes: skos:related links added or removed.
        labels: a display label (prefLabel) for each concept named above, for tables.
    """

    old_source: str
    new_source: str
    old_concepts: int
    new_concepts: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    deprecated: tuple[str, ...]
    label_changes: tuple[LabelChange, ...]
    moved: tuple[MovedConcept, ...]
    relation_changes: tuple[RelationChange, ...]
    labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def label(self, uri: str) -> str:
        """The display label of a concept (its URI when it has none)."""
        return self.labels.get(uri, uri)

    def summary(self) -> dict[str, int]:
        """Counts per kind of change."""
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "deprecated": len(self.deprecated),
            "label_changes": len(self.label_changes),
            "relabelled": len({c.uri for c in self.label_changes if c.kind == "pref"}),
            "moved": len(self.moved),
            "relations_added": sum(1 for r in self.relation_changes if r.change == "added"),
            "relations_removed": sum(1 for r in self.relation_changes if r.change == "removed"),
        }

    def label_counts(self) -> dict[str, dict[str, int]]:
        """Label changes per language, then per "<kind> <change>" (e.g. "pref changed")."""
        out: dict[str, Counter[str]] = {}
        for c in self.label_changes:
            out.setdefault(c.lang, Counter())[f"{c.kind} {c.change}"] += 1
        return {lang: dict(sorted(counts.items())) for lang, counts in sorted(out.items())}

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not any(self.summary().values())


def _values(snap: SkosSnapshot, kind: str, uri: str) -> dict[str, tuple[str, ...]]:
    lits = snap.notes_of("definition", uri) if kind == "definition" else snap.labels_of(kind, uri)
    out: dict[str, set[str]] = {}
    for lit in lits:
        out.setdefault(lit.lang, set()).add(lit.value)
    return {lang: tuple(sorted(values)) for lang, values in out.items()}


def _display(new: SkosSnapshot, old: SkosSnapshot, uri: str, langs: Sequence[str]) -> str:
    for snap in (new, old):
        prefs = {lit.lang.split("-")[0]: lit.value for lit in snap.labels_of("pref", uri)}
        for lang in langs:
            if lang in prefs:
                return prefs[lang]
        if prefs:
            return min(prefs.values())
    return ""


def _related_pairs(snap: SkosSnapshot) -> set[tuple[str, str]]:
    return {(a, b) for a, targets in snap.related.items() for b in targets if a < b}


def diff_snapshots(
    old: SkosSnapshot, new: SkosSnapshot, *, langs: Sequence[str] | None = None
) -> ThesaurusDiff:
    """Compare two snapshots.

    Args:
        old: the earlier version.
        new: the later version.
        langs: compare labels in these base languages only (None: all languages).
    """
    both = sorted(old.concepts & new.concepts)
    wanted = None if langs is None else {lang.lower() for lang in langs}
    changes: list[LabelChange] = []
    for uri in both:
        for kind in (*LABEL_KINDS, "definition"):
            before, after = _values(old, kind, uri), _values(new, kind, uri)
            for lang in sorted(set(before) | set(after)):
                if wanted is not None and lang.split("-")[0] not in wanted:
                    continue
                if before.get(lang, ()) != after.get(lang, ()):
                    changes.append(
                        LabelChange(uri, lang, kind, before.get(lang, ()), after.get(lang, ()))
                    )
    moved = [
        MovedConcept(
            uri, tuple(sorted(old.broader.get(uri, ()))), tuple(sorted(new.broader.get(uri, ())))
        )
        for uri in both
        if old.broader.get(uri, set()) != new.broader.get(uri, set())
    ]
    old_pairs, new_pairs = _related_pairs(old), _related_pairs(new)
    relations = [RelationChange(a, b, "added") for a, b in sorted(new_pairs - old_pairs)]
    relations += [RelationChange(a, b, "removed") for a, b in sorted(old_pairs - new_pairs)]
    relations.sort(key=lambda r: (r.source, r.target, r.change))
    named = {uri for m in moved for uri in (m.uri, *m.old_broader, *m.new_broader)}
    named |= {c.uri for c in changes} | {u for r in relations for u in (r.source, r.target)}
    shown = [*(langs or ()), "en"]
    labels = {uri: _display(new, old, uri, shown) for uri in named}
    return ThesaurusDiff(
        old_source=old.source,
        new_source=new.source,
        old_concepts=len(old.concepts),
        new_concepts=len(new.concepts),
        added=tuple(sorted(new.concepts - old.concepts)),
        removed=tuple(sorted(old.concepts - new.concepts)),
        deprecated=tuple(sorted((new.deprecated - old.deprecated) & new.concepts)),
        label_changes=tuple(changes),
        moved=tuple(moved),
        relation_changes=tuple(relations),
        labels={uri: label for uri, label in labels.items() if label},
    )


def diff_graphs(old: Graph, new: Graph, *, langs: Sequence[str] | None = None) -> ThesaurusDiff:
    """Compare two rdflib graphs (see :func:`diff_snapshots`)."""
    return diff_snapshots(
        snapshot_from_graph(old, source="old"), snapshot_from_graph(new, source="new"), langs=langs
    )
