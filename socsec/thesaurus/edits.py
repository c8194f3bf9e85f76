"""A concept's labels and notes as one table, and the edits that turn one table into another.

An edit form shows the table (kind and language -> values) and sends back the values wanted;
:func:`edits_between` gives the :class:`~socsec.thesaurus.curation.LabelEdit` list that one
curation change applies, and :func:`changed_cells` what differs between two tables (what
another editor changed since a form was loaded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from socsec.thesaurus.model import LABEL_KINDS, NOTE_KINDS

if TYPE_CHECKING:
    from socsec.thesaurus.curation import LabelEdit
    from socsec.thesaurus.model import ConceptView

Cell = tuple[str, str]  # (kind, language): ("alt", "fr"), ("definition", "en")
Table = dict[Cell, list[str]]
EDITABLE_NOTES = ("definition", "scopeNote", "example", "editorialNote")


@dataclass(frozen=True)
class CellChange:
    """One cell whose values differ between two tables.

    Attributes:
        kind: "pref", "alt", "hidden" or a note kind.
        lang: the language tag.
        before: the values in the first table.
        after: the values in the second.
    """

    kind: str
    lang: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def table(view: ConceptView, langs: Iterable[str]) -> Table:
    """The labels and editable notes of ``view`` in ``langs`` (every cell, empty ones too)."""
    out: Table = {}
    for lang in langs:
        out[("pref", lang)] = [view.pref[lang]] if lang in view.pref else []
        out[("alt", lang)] = list(view.alt.get(lang, []))
        out[("hidden", lang)] = list(view.hidden.get(lang, []))
        for kind in EDITABLE_NOTES:
            out[(kind, lang)] = list(view.notes.get(kind, {}).get(lang, []))
    return out


def _clean(values: Sequence[str]) -> list[str]:
    """Stripped, non-empty, first occurrence kept."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


def edits_between(
    current: Mapping[Cell, Sequence[str]], wanted: Mapping[Cell, Sequence[str]]
) -> list[LabelEdit]:
    """The edits that give each cell of ``wanted`` its values (cells not in it are left alone).

    Removals come first, so a label can move from alt to pref within one change; curation
    validates the result as a whole.

    Raises:
        ValueError: an unknown kind in ``wanted``.
    """
    from socsec.thesaurus.curation import LabelEdit  # pyoxigraph: only when a form is saved

    removes: list[LabelEdit] = []
    adds: list[LabelEdit] = []
    for (kind, lang), values in wanted.items():
        if kind not in LABEL_KINDS and kind not in NOTE_KINDS:
            raise ValueError(f"unknown label or note kind {kind!r}")
        new = _clean(values)
        old = list(current.get((kind, lang), []))
        if kind == "pref":
            if new[:1] != old[:1]:
                adds.append(
                    LabelEdit("set", kind, lang, new[0]) if new else LabelEdit("remove", kind, lang)
                )
            continue
        removes.extend(LabelEdit("remove", kind, lang, v) for v in old if v not in new)
        adds.extend(LabelEdit("add", kind, lang, v) for v in new if v not in old)
    return removes + adds


def changed_cells(
    before: Mapping[Cell, Sequence[str]], after: Mapping[Cell, Sequence[str]]
) -> list[CellChange]:
    """The cells whose values differ (order within a cell ignored), sorted by language, kind."""
    out = []
    for cell in sorted(set(before) | set(after), key=lambda c: (c[1], c[0])):
        old, new = tuple(before.get(cell, ())), tuple(after.get(cell, ()))
        if sorted(old) != sorted(new):
            out.append(CellChange(cell[0], cell[1], old, new))
    return out


def rebase(
    original: Mapping[Cell, Sequence[str]],
    mine: Mapping[Cell, Sequence[str]],
    current: Mapping[Cell, Sequence[str]],
) -> Table:
    """An editor's changes (``original`` -> ``mine``) carried over to ``current``.

    Cells the editor did not touch take their current values, so saving the result keeps
    what another editor changed meanwhile; cells both changed take the editor's values.
    """
    out: Table = {cell: list(values) for cell, values in current.items()}
    for cell, values in mine.items():
        if sorted(_clean(values)) != sorted(_clean(original.get(cell, ()))):
            out[cell] = list(values)
    return out
