"""Keep the pages' gettext catalogs in step with the code (run after changing any UI text).

    python scripts/i18n.py            # extract msgids -> socsec/web/locale/messages.pot,
                                      # then merge them into the fr and es .po files
    python scripts/i18n.py --check    # exit 1 if the .pot is stale or a translation is missing

The .po files are the sources translators edit; the server compiles them in memory at first
use (socsec/web/i18n.py), so there is no .mo file to build or ship.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "socsec" / "web"
LOCALE = WEB / "locale"
LANGS = ("fr", "es")
METHODS = [
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract() -> Catalog:
    """Every translatable string of socsec/web (templates and Python)."""
    catalog = Catalog(project="socsec", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB), METHODS, OPTIONS, KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, [(f"socsec/web/{filename}", lineno)],
                    auto_comments=comments, context=context)  # fmt: skip
    return catalog


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _undated(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith((b'"POT-', b'"PO-'))]


def _write(path: Path, catalog: Catalog) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, ignore_obsolete=True)
    # Unchanged but for the header dates: leave the file alone (no diff, no merge conflict).
    if path.exists() and _undated(path.read_bytes()) == _undated(buf.getvalue()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def problems() -> list[str]:
    """What is stale or untranslated ([] when the catalogs are complete)."""
    fresh = {m.id for m in extract() if m.id}
    pot = LOCALE / "messages.pot"
    found = [] if not pot.exists() else [m.id for m in _read(pot) if m.id]
    out = [] if set(found) == fresh else ["messages.pot is stale: run python scripts/i18n.py"]
    for lang in LANGS:
        po = _read(LOCALE / lang / "LC_MESSAGES" / "messages.po", lang)
        for msgid in sorted(fresh, key=str):
            m = po.get(msgid)
            strings = m.string if m is not None else None
            empty = not strings or (isinstance(strings, tuple) and not all(strings))
            if m is None or empty or m.fuzzy:
                out.append(f"{lang}: no translation for {msgid!r}")
    return out


def main() -> int:
    """Write the message catalogues, or with --check report what is missing (exit 1)."""
    if "--check" in sys.argv:
        found = problems()
        print("\n".join(found) or "catalogs complete")
        return 1 if found else 0
    template = extract()
    _write(LOCALE / "messages.pot", template)
    for lang in LANGS:
        path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
        po = _read(path, lang) if path.exists() else Catalog(locale=lang, project="socsec")
        po.update(template, no_fuzzy_matching=True)
        po.fuzzy = False  # the header: a fuzzy header would drop its Plural-Forms at compile
        po.last_translator = "socsec developers"
        po.language_team = {"fr": "French", "es": "Spanish"}[lang]
        _write(path, po)
    return 0


if __name__ == "__main__":
    sys.exit(main())
