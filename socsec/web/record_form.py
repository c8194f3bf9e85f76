"""A bibliographic record as the fields of an HTML form, and the changes a posted form asks.

Form values are text: people one per line ("Family, Given" or an institution), keywords one
per line, other fields as typed. :func:`changes` compares the posted text with the record's
current text, so an edit sends the store only the fields the editor touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from socsec.web.i18n import N_

if TYPE_CHECKING:
    from socsec.bibliography.model import Record

# (field, label, widget): "line", "text" (several lines), "lines" (one value per line),
# "number", "type" (the record-type menu). The order is the form's.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("type", N_("Type"), "type"),
    ("title", N_("Title"), "text"),
    ("title_language", N_("Language of the title"), "line"),
    ("authors", N_("Authors (one per line: Family, Given)"), "lines"),
    ("editors", N_("Editors (one per line)"), "lines"),
    ("year", N_("Year"), "number"),
    ("issued", N_("Issued (YYYY, YYYY-MM or YYYY-MM-DD)"), "line"),
    ("container_title", N_("In (journal, book or series)"), "line"),
    ("volume", N_("Volume"), "line"),
    ("issue", N_("Issue"), "line"),
    ("pages", N_("Pages"), "line"),
    ("edition", N_("Edition"), "line"),
    ("publisher", N_("Publisher"), "line"),
    ("place", N_("Place"), "line"),
    ("language", N_("Language (ISO 639-1, e.g. en)"), "line"),
    ("doi", N_("DOI"), "line"),
    ("isbn", N_("ISBN"), "line"),
    ("issn", N_("ISSN"), "line"),
    ("url", N_("Link"), "line"),
    ("keywords", N_("Keywords (one per line)"), "lines"),
    ("abstract", N_("Abstract"), "text"),
    ("notes", N_("Notes"), "text"),
)
NAMES = tuple(f[0] for f in FIELDS)
_LISTS = {"authors", "editors", "keywords"}


def values(record: Record | None) -> dict[str, str]:
    """The form's text for each field (empty for a new record)."""
    if record is None:
        return dict.fromkeys(NAMES, "") | {"type": "report"}
    out: dict[str, str] = {}
    for name in NAMES:
        value = getattr(record, name)
        if name in ("authors", "editors"):
            out[name] = "\n".join(p.display for p in value)
        elif name == "keywords":
            out[name] = "\n".join(value)
        elif name == "type":
            out[name] = value.value
        else:
            out[name] = "" if value is None else str(value)
    return out


def _norm(name: str, text: str) -> str:
    """Text as compared: line ends unified, blank lines and outer spaces dropped."""
    if name in _LISTS:
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text.replace("\r\n", "\n").strip()


def posted(fields: Mapping[str, list[str]]) -> dict[str, str]:
    """The record fields of a posted form (first value of each; missing ones empty)."""
    return {name: _norm(name, (fields.get(name) or [""])[0]) for name in NAMES}


def as_value(name: str, text: str) -> object:
    """A form text as the store takes it: lists for people and keywords, an int year."""
    if name in _LISTS:
        return [line for line in text.splitlines() if line.strip()]
    if name == "year" and text:
        return int(text) if text.isdigit() else text
    return text


def changes(current: Mapping[str, str], wanted: Mapping[str, str]) -> dict[str, object]:
    """The fields whose text differs, as values for ``socsec.app.records.edit``."""
    return {
        name: as_value(name, wanted[name])
        for name in NAMES
        if name in wanted and _norm(name, wanted[name]) != _norm(name, current.get(name, ""))
    }


def changed_fields(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Names of the fields whose text differs between two versions."""
    return [n for n in NAMES if _norm(n, before.get(n, "")) != _norm(n, after.get(n, ""))]


def rebase(
    original: Mapping[str, str], mine: Mapping[str, str], current: Mapping[str, str]
) -> dict[str, str]:
    """The editor's changed fields (``original`` -> ``mine``) over the ``current`` values."""
    out = dict(current)
    for name in changed_fields(original, mine):
        out[name] = mine.get(name, "")
    return out
