"""Export every hit of a search as bibliographic records or formatted references."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from socsec.analysis import base_language

if TYPE_CHECKING:
    from socsec.indexer.service import SearchRequest, SearchService


def export_hits(
    service: SearchService,
    request: SearchRequest,
    fmt: str,
    target: Path | IO[str],
    *,
    style: str | None = None,
) -> int:
    """Write every hit of ``request`` to a file or stream; returns the number of records.

    A file is replaced only when the export succeeds (a bad style writes nothing).

    Args:
        service: the search service (its store gives the records).
        request: the search; every hit is written, in result order.
        fmt: a bibliographic format (bibtex, ris, csljson, csv, ...), or "text" for
            formatted references, one per line, in the CSL ``style`` and the locale of
            ``request.lang`` (English by default).
        target: a file path, or an open text stream.
        style: the citation style of "text" (apa by default).

    Raises:
        NotFoundError: unknown format or citation style.
    """
    if isinstance(target, Path):
        from socsec.fileutil import atomic_file

        with atomic_file(target, "w") as fh:
            return export_hits(service, request, fmt, fh, style=style)
    ids = [h.id for h in service.iter_hits(request)]
    records = service.store.iter_records(ids)
    lang = base_language(request.lang) or "en"
    if fmt == "text":
        from socsec.bibliography.cite import DEFAULT_STYLE, format_references

        references = format_references(list(records), style=style or DEFAULT_STYLE, lang=lang)
        target.writelines(text + "\n" for text in references)
        return len(references)
    from socsec.bibliography.formats import exportable, get_format

    shown = exportable(records, fmt, automatic=False)  # RIS/BibTeX keywords: a librarian's
    count: int = get_format(fmt).write(shown, target, subject_lang=lang, labels=service.thesaurus)
    return count
