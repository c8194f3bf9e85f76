"""Pages in en/fr/es (gettext catalogs), catalogue features, Skosmos-style browsing, escaping.

The served data dir is a copy of the fixture workspace, curated through the application layer
(the write path every face uses): a deprecation with its replacement, a label edit, and a
concept and a record with hostile text, so history, feed and escaping have something to show.
"""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from socsec.web.app import create_app
from socsec.web.i18n import accept_language, format_number, format_when, translations
from socsec.workspace import Workspace
from tests.web.conftest import served_workspace

ROOT = Path(__file__).resolve().parents[2]
HTML = {"Accept": "text/html"}
EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
RETIREMENT_CONDITIONS = "http://eurovoc.europa.eu/5329"  # deprecated below, replaced by 3626
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def _i18n_script() -> object:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory, _workspace_template: Path) -> Workspace:
    """The fixture data dir after a few curation steps (see the module docstring)."""
    from socsec.app import records, thesaurus
    from socsec.bibliography.model import Record, RecordType, Subject
    from socsec.thesaurus.curation import LabelEdit

    ws = served_workspace(tmp_path_factory.mktemp("i18n") / "data", _workspace_template)
    thesaurus.deprecate(ws, RETIREMENT_CONDITIONS, replaced_by=EARLY_RETIREMENT)
    thesaurus.edit_concept(
        ws, EARLY_RETIREMENT, [LabelEdit("remove", "alt", "en", "voluntary retirement")]
    )
    hostile = thesaurus.add_concept(
        ws, [("en", SCRIPT), ("fr", IMG), ("es", SCRIPT + IMG)], broader=[EARLY_RETIREMENT]
    ).value.uri
    assert hostile
    records.add(
        ws,
        Record(
            id="hostile-1",
            type=RecordType.report,
            title=f"{SCRIPT} {IMG}",
            authors=(),
            year=2001,
            publisher=IMG,
            subjects=(Subject(hostile),),
        ),
    )
    # Values set by this test to see every citation field on the page (not bibliographic data).
    records.edit(ws, "nber-w0204", {"volume": "10", "pages": "361-377"})
    return ws


@pytest.fixture(scope="module")
def _client(curated: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(curated), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def web(_client: TestClient) -> TestClient:
    """A client of the app over the curated data dir (sqlite backend), with no lang cookie."""
    _client.cookies.clear()
    return _client


def _hostile_uri(ws: Workspace) -> str:
    from socsec.thesaurus.lookup import get_cache

    with get_cache(ws) as cache:
        (hit,) = cache.lookup(SCRIPT, limit=1)
        return hit.uri


def pages(ws: Workspace) -> list[str]:
    """Every page of the site (errors included), one address each."""
    hostile = _hostile_uri(ws)
    return [
        "/",
        "/search?q=pension",
        "/search?q=pension&year_from=1980&year_to=2000&sort=-year",
        "/search?q=unemploymnet+xyzzy",
        f"/search?concept={EARLY_RETIREMENT}",
        f"/concept?uri={EARLY_RETIREMENT}",
        f"/concept?uri={RETIREMENT_CONDITIONS}",
        f"/concept?uri={hostile}",
        "/record/nber-w0204",
        "/record/hostile-1",
        "/alphabetical",
        "/alphabetical?letter=R",
        "/changes",
        f"/changes?uri={EARLY_RETIREMENT}",
        "/concept?uri=pensoin",  # 404 with suggestions
        "/search?year=abc",  # 400
        "/nowhere",  # 404 from the router
    ]


class _Text(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud or shown."""

    ATTRS = ("title", "aria-label", "placeholder", "alt", "data-status-template")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def _visible(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts]


def _english_left(html: str, english: list[str]) -> list[tuple[str, str]]:
    """(fragment, text) pairs: English UI strings still shown on a page (the first five)."""
    return [
        (frag, t)
        for t in _visible(html)
        for frag in english
        if t == frag or (len(frag.split()) >= 3 and frag in t)
    ][:5]


def _english_fragments(lang: str) -> list[str]:
    """The English UI phrases that must not appear in ``lang``: msgid pieces between
    placeholders, for msgids whose translation differs from the English."""
    from babel.messages.pofile import read_po

    with (ROOT / "socsec/web/locale/messages.pot").open("rb") as fh:
        pot = read_po(fh)
    out = []
    tr = translations(lang)
    for m in pot:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        for msgid in ids:
            translated = tr.ngettext(ids[0], ids[-1], 2) if len(ids) > 1 else tr.gettext(msgid)
            if translated == msgid:
                continue  # "Type", "Volume", "notation": the same word in French
            for piece in re.split(r"%\(\w+\)s", msgid):
                piece = " ".join(piece.strip(" :;.,“”()").split())
                if re.search(r"[A-Za-z]{2}", piece) and piece not in translated:
                    out.append(piece)
    return sorted(set(out))


def test_catalogs_are_complete_and_current() -> None:
    """Every msgid in the templates and code has a French and a Spanish translation."""
    assert _i18n_script().problems() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_english_ui_text_left(web: TestClient, curated: Workspace, lang: str) -> None:
    english = _english_fragments(lang)
    assert "Refine" in english and "Hierarchy" in english and "Labels" in english
    for path in pages(curated):
        sep = "&" if "?" in path else "?"
        page = web.get(f"{path}{sep}lang={lang}", headers=HTML)
        assert page.status_code < 500, path
        assert f'<html lang="{lang}">' in page.text, path
        left = _english_left(page.text, english)
        assert not left, (path, left)


def editing_pages(ws: Workspace) -> list[str]:
    """The pages an editor sees (each needs a signed-in editor)."""
    hostile = quote(_hostile_uri(ws), safe="")
    return [
        f"/concept/edit?uri={EARLY_RETIREMENT}",
        f"/concept/edit?uri={hostile}",
        "/concepts/new",
        "/records/new",
        "/record/nber-w0204/edit",
        "/record/hostile-1/edit",
        "/duplicates?threshold=60",
        "/import",
        "/review",
    ]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_english_ui_text_left_on_editing_pages(curated: Workspace, lang: str) -> None:
    from tests.web.accounts import add_user, sign_in

    add_user(curated, "ada", "admin")
    english = _english_fragments(lang)
    assert "Someone else changed this record while you were editing it" in english
    with TestClient(create_app(curated), raise_server_exceptions=False) as client:
        csrf = sign_in(client, "ada")
        shown = {}
        for path in editing_pages(curated):
            sep = "&" if "?" in path else "?"
            shown[path] = client.get(f"{path}{sep}lang={lang}", headers=HTML)
        # A stale record form (409) and an import refused (400), in the reader's language.
        stale = {"csrf_token": csrf, "etag": '"r-0"', "original": "{}", "title": "x"}
        shown["conflict"] = client.post(f"/record/nber-w0204/edit?lang={lang}", data=stale)
        bad = (ROOT / "tests/data/bibliography/bad-truncated.bib").read_bytes()
        shown["import error"] = client.post(
            f"/import?lang={lang}", data={"csrf_token": csrf},
            files={"file": ("bad-truncated.bib", bad, "text/plain")},
        )  # fmt: skip
    assert shown["conflict"].status_code == 409 and shown["import error"].status_code == 400
    for path, page in shown.items():
        assert page.status_code < 500, path
        assert f'<html lang="{lang}">' in page.text, path
        left = _english_left(page.text, english)
        assert not left, (path, left)


def test_english_pages_still_english(web: TestClient) -> None:
    html = web.get("/search", params={"q": "pension"}, headers=HTML).text
    assert "Refine" in html and "Sort by" in html


def test_language_from_parameter_then_cookie_then_accept_language(web: TestClient) -> None:
    accept_fr = {**HTML, "Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}
    assert "Affiner" in web.get("/search?q=pension", headers=accept_fr).text
    # The parameter beats the header, and is remembered in a cookie.
    page = web.get("/search?q=pension&lang=es", headers=accept_fr)
    assert "Refinar" in page.text
    assert (
        "lang=es" in page.headers["set-cookie"]
        and "samesite=lax" in page.headers["set-cookie"].lower()
    )
    web.cookies.set("lang", "es")
    try:
        assert "Refinar" in web.get("/search?q=pension", headers=accept_fr).text
        assert "Refine" in web.get("/search?q=pension&lang=en", headers=accept_fr).text
    finally:
        web.cookies.clear()
    assert page.headers["vary"] == "Accept-Language, Cookie"
    concept = web.get(f"/concept?uri={EARLY_RETIREMENT}", headers=HTML)
    assert concept.headers["vary"] == "Accept, Accept-Language, Cookie"
    assert accept_language("de, es;q=0.5, fr;q=0.7") == "fr"
    assert accept_language("de") is None and accept_language("es;q=0") is None


def test_numbers_and_dates_localised() -> None:
    assert format_number(1610, "en") == "1,610"
    assert format_number(1610, "fr") == "1\u202f610"
    assert format_number(1610, "es") == "1.610"
    assert format_when("2026-11-30T03:06:31Z", "fr") == "30 nov. 2026, 03:06:31 UTC"
    assert format_when("2026-11-30T03:06:31Z", "es") == "30 nov 2026, 3:06:31 UTC"


def test_record_page_full_citation_cite_and_export(web: TestClient) -> None:
    html = web.get("/record/nber-w0204?lang=fr", headers=HTML).text
    for label, value in (("Volume", "10"), ("Pages", "361-377"),
                         ("Année", "1977"), ("Type", "rapport")):  # fmt: skip
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html, label
    assert html.count('class="reference"') == 1
    assert "Boskin, M. J., &amp; Hurd, M. D. (1977)" in html  # APA by default
    assert '<span aria-current="true">APA</span>' in html and ">Chicago (auteur-date)</a>" in html
    harvard = web.get("/record/nber-w0204?lang=fr&style=harvard", headers=HTML).text
    assert "Boskin, M.J. et Hurd, M.D. (1977)" in harvard  # French CSL locale: "et"
    chicago = web.get("/record/nber-w0204?lang=es&style=chicago-author-date", headers=HTML)
    assert "Boskin, M. J., y M. D. Hurd. 1977." in chicago.text
    assert web.get("/record/nber-w0204?style=mla", headers=HTML).status_code == 400
    bib = web.get("/record/nber-w0204/export?format=bibtex")
    assert bib.status_code == 200 and "attachment" in bib.headers["content-disposition"]
    assert bib.text.startswith("@techreport{nber-w0204,")
    assert "volume = {10}" in bib.text and "pages = {361-377}" in bib.text
    ris = web.get("/record/nber-w0204/export?format=ris").text
    assert "TI  - The Effect of Social Security on Early Retirement" in ris and "VL  - 10" in ris
    (item,) = json.loads(web.get("/record/nber-w0204/export?format=csljson").text)
    assert item["volume"] == "10" and item["page"] == "361-377"
    assert web.get("/record/nber-w0204/export?format=docx").status_code == 400
    assert web.get("/record/no-such-record/export").status_code == 404


def test_sort_control_keeps_the_search(web: TestClient) -> None:
    html = web.get("/search?q=pension&sort=-year&lang=es", headers=HTML).text
    assert '<select id="sort" name="sort" data-autosubmit>' in html
    assert '<option value="-year" selected>' in html
    form = html.split('<form class="sort"')[1].split("</form>")[0]
    assert '<input type="hidden" name="q" value="pension">' in form
    assert 'name="sort" value=' not in form  # the select owns it
    years = [int(y) for y in re.findall(r"· (\d{4}) ·", html)]
    assert years == sorted(years, reverse=True) and len(years) > 3


def test_did_you_mean_on_zero_results(web: TestClient) -> None:
    html = web.get("/search?q=unemploymnet+xyzzy&lang=fr", headers=HTML).text
    assert "0 notice pour" in html
    assert "Vouliez-vous dire" in html and 'href="/search?q=unemployment' in html


def test_year_histogram_is_svg_with_from_to_fields(web: TestClient) -> None:
    html = web.get("/search?q=pension", headers=HTML).text
    svg = html.split("<svg")[1].split("</svg>")[0]
    bars = re.findall(r'<a href="(/search\?[^"]*year=[^"]*)"><rect', svg)
    assert len(bars) >= 5 and "<script" not in html.split("</head>")[1]
    assert 'name="year_from"' in html and 'name="year_to"' in html
    # A bar filters to its year; the fields filter to a range (swapped when reversed).
    first = web.get(bars[0].replace("&amp;", "&"), headers=HTML)
    assert first.status_code == 200
    hits = web.get("/api/search?q=pension&year=1990..1995&size=100").json()
    page = web.get("/search?q=pension&year_from=1995&year_to=1990&size=100", headers=HTML).text
    assert re.search(rf'<h1 id="results-title">{hits["total"]} records? for', page)
    assert 'value="1990"' in page and 'value="1995"' in page


def test_deprecated_concept_flagged_with_replacement(web: TestClient) -> None:
    html = web.get(f"/concept?uri={RETIREMENT_CONDITIONS}&lang=es", headers=HTML).text
    assert '<span class="badge">obsoleto</span>' in html
    note = html.split('class="deprecated"')[1].split("</div>")[0]
    assert "Úsese en su lugar" in note and ">jubilación anticipada</a>" in note
    assert "uri=http%3A//eurovoc.europa.eu/3626" in note


def test_hierarchy_sidebar_and_history_link(web: TestClient) -> None:
    html = web.get(f"/concept?uri={EARLY_RETIREMENT}&lang=fr", headers=HTML).text
    sidebar = html.split('class="sidebar"')[1].split("</nav>")[0]
    assert '<strong aria-current="page">retraite anticipée</strong>' in sidebar
    assert ">cessation d&#39;emploi</a>" in sidebar  # its broader concept, above it
    assert sidebar.index("cessation d&#39;emploi") < sidebar.index("retraite anticipée")
    assert "/changes?uri=http%3A//eurovoc.europa.eu/3626" in html


FAKE_URL = type("U", (), {"path": "/concept", "query": ""})()
FAKE_REQUEST = type("R", (), {"query_params": QueryParams(""), "url": FAKE_URL})()


def test_mappings_shown() -> None:
    from socsec.web.pages import templates
    from socsec.web.views import ConceptPayload

    c = ConceptPayload(
        uri="http://example.org/c", notation=None, label="c", pref={"en": "c"}, alt={},
        notes={}, broader=[], narrower=[], related=[], broader_paths=[], schemes=[],
        mappings={"exactMatch": ["http://zbw.eu/stw/descriptor/1", "javascript:alert(1)"]},
    )  # fmt: skip
    html = templates.get_template("concept.html").render(
        c=c, sidebar=[], mapped={}, tagged=type("T", (), {"total": 0, "hits": []})(),
        lang="fr", langs=("en", "fr", "es"), lang_names={"en": "", "fr": "", "es": ""},
        more_link="", text_link="", request=FAKE_REQUEST,
        signed_in=lambda: None, csrf_token=lambda: "", csrf_field=lambda: "",  # no session
    )  # fmt: skip
    assert "Correspondance exacte" in html
    assert '<a href="http://zbw.eu/stw/descriptor/1" rel="noopener noreferrer">' in html
    assert 'href="javascript' not in html and "<code>javascript:alert(1)</code>" in html


def test_alphabetical_index(web: TestClient) -> None:
    html = web.get("/alphabetical?lang=fr&letter=r", headers=HTML).text
    assert '<span aria-current="page">R</span>' in html
    assert ">retraite anticipée</a>" in html
    html = web.get("/alphabetical?lang=fr&letter=P", headers=HTML).text
    # An alternative label sends the reader to the preferred one, as Skosmos does.
    assert re.search(r'préretraite</span> <span lang="fr">employer</span> <a [^>]*>retraite '
                     r"anticipée</a>", html)  # fmt: skip
    es = web.get("/alphabetical?lang=es&letter=J", headers=HTML).text
    assert ">jubilación anticipada</a>" in es
    # Accents are folded: "É" files under "E"; an unknown letter shows the first one.
    assert web.get("/alphabetical?lang=fr&letter=É", headers=HTML).status_code == 200
    assert 'aria-current="page">A<' in web.get("/alphabetical?letter=Ж", headers=HTML).text
    assert 'aria-current="page">0-9<' in web.get("/alphabetical?letter=%3F", headers=HTML).text


def test_recent_changes_and_atom_feed(web: TestClient) -> None:
    html = web.get("/changes?lang=fr", headers=HTML).text
    assert "3 modifications du thésaurus" in html
    assert "déclaré obsolète" in html and "ajouté" in html and "modifié" in html
    assert re.search(r"<time datetime=\"[^\"]+\">\d+ \w+\.? 20\d\d, [\d:]+ UTC</time>", html)
    one = web.get(f"/changes?uri={EARLY_RETIREMENT}&lang=en", headers=HTML).text
    assert "3 changes to the thesaurus" in one  # deprecated into it, edited, a child added
    feed = web.get("/changes.atom?lang=es")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.findtext("a:title", namespaces=ns) == "Tesauro socsec: cambios recientes"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 3
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert titles[-1] == "declarado obsoleto: condición de jubilación, jubilación anticipada"
    assert all(e.findtext("a:author/a:name", namespaces=ns) for e in entries)
    assert all(e.findtext("a:updated", namespaces=ns) for e in entries)


def test_hostile_text_is_escaped_everywhere(web: TestClient, curated: Workspace) -> None:
    for path in pages(curated):
        html = web.get(path, headers=HTML).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
    record = web.get("/record/hostile-1", headers=HTML).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in record
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in record
    alpha = web.get("/alphabetical?lang=en&letter=0", headers=HTML).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in alpha
    feed = web.get("/changes.atom").content
    ET.fromstring(feed)  # still well-formed XML
    assert b"<script>" not in feed


HOSTILE_VALUES = [
    SCRIPT, IMG, "'", '"', "%00", "\x00", "../../etc/passwd", "A" * 3000, "😀", "-1",
    "99999999999999999999", "1e9", "NaN", "fr\r\nSet-Cookie: x=1", "{{7*7}}", "%(q)s",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_no_5xx_for_hostile_parameters(web: TestClient, value: str) -> None:
    routes = [
        ("/alphabetical", ("letter", "lang")),
        ("/changes", ("uri", "page", "lang")),
        ("/changes.atom", ("lang",)),
        ("/search", ("q", "sort", "year_from", "year_to", "year", "lang", "qlang")),
        ("/record/nber-w0204", ("lang", "style")),
        ("/record/nber-w0204/export", ("format", "lang")),
        ("/concept", ("uri", "lang")),
        ("/", ("lang",)),
    ]
    for path, names in routes:
        for name in names:
            params = {"uri": EARLY_RETIREMENT} if path == "/concept" and name != "uri" else {}
            page = web.get(path, params={**params, name: value}, headers=HTML)
            assert page.status_code < 500, (path, name, value[:20], page.status_code)
            assert "<script>alert" not in page.text
    rid = quote(value[:150], safe="")
    for path in (f"/record/{rid}", f"/record/{rid}/export"):
        assert web.get(path, headers=HTML).status_code < 500, path
    header = quote(value[:200], safe=" ;=,-*")  # headers carry bytes a client can send
    cookie = web.get("/search?q=pension", headers={**HTML, "Cookie": "lang=" + header})
    assert cookie.status_code == 200
    assert web.get("/", headers={**HTML, "Accept-Language": header}).status_code == 200
