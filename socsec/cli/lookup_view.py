"""What `socsec thesaurus lookup` prints, shared by the Typer command and the fast path.

Imports neither typer nor rich: the table is a :class:`~socsec.cli.plain_table.BoxTable`,
drawn like rich's tables without rich's start-up cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socsec.analysis import SUPPORTED_LANGUAGES
from socsec.cli.plain_table import BoxTable

if TYPE_CHECKING:
    from socsec.thesaurus.model import LookupHit


# The lookup command's defaults and bounds, read by both the Typer command and the fast path.
DEFAULT_TO = ",".join(SUPPORTED_LANGUAGES)
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

# The lookup command's options: parameter -> its flags. The Typer command declares its options
# from these (socsec/cli/thesaurus.py) and the fast path parses with them (socsec/cli/fast.py),
# so an option exists in both or in neither.
LOOKUP_VALUE_OPTIONS: dict[str, tuple[str, ...]] = {
    "lang": ("--lang", "-l"),
    "to": ("--to",),
    "limit": ("--limit", "-n"),
    "scheme": ("--scheme",),
}
LOOKUP_FLAG_OPTIONS: dict[str, tuple[str, ...]] = {"json": ("--json",)}


def parse_langs(text: str) -> list[str]:
    """The ``--to`` list (``"en, FR"`` -> ``["en", "fr"]``); empty when nothing is given."""
    return [t.strip().lower() for t in text.split(",") if t.strip()]


def unknown_langs(langs: list[str], present: list[str]) -> list[str]:
    """The languages of ``langs`` that are neither supported (en, fr, es) nor in the thesaurus."""
    known = set(SUPPORTED_LANGUAGES) | set(present)
    return [lg for lg in langs if (lg.split("-", 1)[0].lower()) not in known]


def lang_error(option: str, bad: list[str], present: list[str]) -> str:
    """The usage message for languages the thesaurus has no labels in."""
    known = sorted(set(SUPPORTED_LANGUAGES) | set(present))
    return f"{option}: no labels in {', '.join(bad)}; choose from {', '.join(known)}"


def match_cell(hit: LookupHit) -> str:
    """The match column: the kind, and a deprecation flag with the replacement to use."""
    if not hit.deprecated:
        return hit.match.value
    use = "; ".join(label for _uri, label in hit.replaced_by)
    return f"{hit.match.value}\nDEPRECATED" + (f"\nuse: {use}" if use else "")


def cell(pref: str | None, alt: list[str]) -> str:
    """A preferred label with its alternatives in brackets on the next line."""
    return (pref or "") + ("\n(" + "; ".join(alt) + ")" if alt else "")


def hits_table(hits: list[LookupHit], to: list[str]) -> BoxTable:
    """The lookup table: how each hit matched, its labels per language, its URI."""
    rows = [
        (
            match_cell(h),
            f"{h.matched_label} @{h.matched_lang or '-'}",
            *(cell(h.pref.get(t), h.alt.get(t, [])) for t in to),
            h.uri,
        )
        for h in hits
    ]
    return BoxTable(("match", "matched", *to, "uri"), rows, no_wrap=("match", "uri"))
