"""Pages for browsing as Skosmos readers do, and one-record downloads.

``/alphabetical`` (the labels of one language under their initial letter), ``/changes`` (the
curation history, newest first) and ``/changes.atom`` (the same as an Atom feed), and
``/record/{id}/export`` (one record as BibTeX, RIS or CSL-JSON).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from socsec.web import i18n
from socsec.web.api import _RECORD_MEDIA, RecordFormat, Res
from socsec.web.pages import render
from socsec.web.params import MAX_URI, Lang

router = APIRouter(include_in_schema=False)
CHANGES_PER_PAGE = 50
FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry: a label holding one must not break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ACTIONS = {
    "add": i18n.N_("added"),
    "edit": i18n.N_("edited"),
    "link": i18n.N_("linked"),
    "unlink": i18n.N_("unlinked"),
    "deprecate": i18n.N_("marked deprecated"),
    "merge": i18n.N_("merged"),
    "import-labels": i18n.N_("labels imported"),
    "undo": i18n.N_("undone"),
}


@router.get("/alphabetical", response_class=HTMLResponse)
def alphabetical(
    request: Request,
    res: Res,
    lang: Lang = None,
    letter: Annotated[str | None, Query(max_length=10, description="Initial letter.")] = None,
) -> Response:
    """Every label of the reader's language under the chosen initial letter."""
    from socsec.thesaurus.alphabet import alphabetical_index

    shown = i18n.choose_lang(request)
    with res.thesaurus() as cache:
        index = alphabetical_index(cache, shown, letter)
    return render(request, "alphabetical.html", {"index": index})


@router.get("/changes", response_class=HTMLResponse)
def changes(
    request: Request,
    res: Res,
    lang: Lang = None,
    uri: Annotated[str | None, Query(max_length=MAX_URI, description="Only this concept.")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The thesaurus's curation history, newest first (one concept's when ``uri`` is given)."""
    from socsec.thesaurus.history import entries_for, read_log

    shown = i18n.choose_lang(request)
    entries = entries_for(read_log(res.ws), uri or None)
    start = (page - 1) * CHANGES_PER_PAGE
    chosen = entries[start : start + CHANGES_PER_PAGE]
    with res.thesaurus() as cache:
        concepts = {
            u: (cache.pref_label(u, shown), cache.exists(u)) for e in chosen for u in e.concepts
        }
    return render(
        request,
        "changes.html",
        {
            "entries": chosen,
            "total": len(entries),
            "page": page,
            "last_page": max(1, -(-len(entries) // CHANGES_PER_PAGE)),
            "concepts": concepts,
            "actions": ACTIONS,
            "uri": uri,
        },
    )


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = _NOT_XML.sub("", text)
    return el


@router.get("/changes.atom")
def changes_feed(request: Request, res: Res, lang: Lang = None) -> Response:
    """The latest thesaurus changes as an Atom feed (RFC 4287), titles in the reader's language."""
    from socsec.thesaurus.history import entries_for, now, read_log

    shown = i18n.choose_lang(request)
    gettext = i18n.translations(shown).gettext
    base = str(request.base_url)
    entries = entries_for(read_log(res.ws), None)[:FEED_ENTRIES]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": shown})
    _text(feed, "title", gettext("socsec thesaurus: recent changes"))
    _text(feed, "id", base + "changes.atom")
    _text(feed, "updated", entries[0].when if entries else now())
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": base + "changes.atom"})
    ET.SubElement(
        feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}changes?lang={shown}"}
    )
    from urllib.parse import quote

    with res.thesaurus() as cache:
        for e in entries:
            entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
            labels = ", ".join(cache.pref_label(u, shown) for u in e.concepts[:5])
            action = gettext(ACTIONS.get(e.action, e.action))
            _text(entry, "title", f"{action}: {labels}")
            _text(entry, "id", f"{base}changes#change-{e.id}")
            _text(entry, "updated", e.when)
            author = ET.SubElement(entry, f"{{{ATOM}}}author")
            _text(author, "name", e.who)
            _text(entry, "summary", e.summary)
            if e.concepts and cache.exists(e.concepts[0]):
                href = f"{base}concept?uri={quote(e.concepts[0], safe='')}&lang={shown}"
                ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": href})
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/record/{record_id}/export")
def record_export(
    res: Res,
    record_id: Annotated[str, Path(max_length=200)],
    format: Annotated[RecordFormat, Query()] = RecordFormat.bibtex,
    lang: Lang = None,
) -> Response:
    """One record as BibTeX, RIS or CSL-JSON (subject labels in ``lang``)."""
    from socsec.bibliography.formats import exportable, get_format
    from socsec.web.views import display_lang

    buf = io.StringIO()
    with res.search() as svc:
        rec = svc.store.get(record_id)
        get_format(format.value).write(
            exportable([rec], format.value, automatic=False),
            buf,
            subject_lang=display_lang(lang),
            labels=svc.thesaurus,
        )
    media, ext = _RECORD_MEDIA[format]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", rec.id)[:100]
    return Response(
        buf.getvalue().encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{safe}.{ext}"'},
    )
