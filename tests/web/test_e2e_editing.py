"""End to end in headless Chromium: an editor edits a concept, a colleague gets the conflict,
a reviewer accepts a suggested subject, and the pages speak French.

Debian's chromium driven by playwright (tests/web/browser.py, shared with
test_e2e_browser.py). Screenshots go to tests/web/artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from socsec.workspace import Workspace
from tests.web.accounts import PASSWORD, add_user
from tests.web.browser import ARTIFACTS, chromium, live_server
from tests.web.conftest import served_workspace

EARLY = "http://eurovoc.europa.eu/3626"  # early retirement / retraite anticipée
NEW_LABEL = "départ anticipé à la retraite"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium (skipped without it locally, a failure under CI=true)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def edit_ws(tmp_path_factory: pytest.TempPathFactory, _workspace_template: Path) -> Workspace:
    ws = served_workspace(tmp_path_factory.mktemp("e2e-edit") / "data", _workspace_template)
    add_user(ws, "claire", "editor")
    add_user(ws, "diego", "editor")
    return ws


@pytest.fixture(scope="module")
def url(edit_ws: Workspace) -> Iterator[str]:
    """A real uvicorn server over the editable data dir."""
    with live_server(edit_ws) as served:
        yield served


def signed_in(browser: object, url: str, name: str, lang: str = "en") -> object:
    """A new browser context (its own cookies) signed in as ``name`` through the form."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang)
    page = context.new_page()
    page.goto(f"{url}/signin?lang={lang}")
    page.locator("#signin-name").fill(name)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("form.signin button[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_editor_adds_a_french_label_finds_the_record_and_a_colleague_gets_the_conflict(
    browser: object, url: str, shots: Path
) -> None:
    from playwright.sync_api import Page, expect

    claire = signed_in(browser, url, "claire", "fr")
    diego = signed_in(browser, url, "diego")
    assert isinstance(claire, Page) and isinstance(diego, Page)
    edit = f"{url}/concept/edit?uri={quote(EARLY, safe='')}"
    diego.goto(edit)  # Diego opens the same concept first and leaves the form open
    claire.goto(f"{url}/concept?uri={quote(EARLY, safe='')}&lang=fr")
    claire.get_by_role("link", name="Modifier ce concept").click()
    expect(claire.get_by_role("heading", level=1)).to_contain_text("Modifier le concept")
    alt_fr = claire.locator('textarea[name="alt.fr"]')
    alt_fr.fill((alt_fr.input_value() + "\n" + NEW_LABEL).strip())
    claire.screenshot(path=str(shots / "edit-1-concept-form-fr.png"), full_page=True)
    claire.get_by_role("button", name="Enregistrer les libellés et les notes").click()
    expect(claire.locator(".notice")).to_have_text("Enregistré.")
    expect(claire.locator("body")).to_contain_text(NEW_LABEL)
    # She searches with the new label and finds the record about early retirement.
    box = claire.get_by_role("combobox")
    box.fill(NEW_LABEL)
    box.press("Enter")
    claire.wait_for_url("**/search?*")
    expect(claire.locator("ol.hits a.title").first).to_be_visible()
    titles = claire.locator("ol.hits a.title").all_inner_texts()
    assert "The Effect of Social Security on Early Retirement" in titles
    claire.screenshot(path=str(shots / "edit-2-search-new-label.png"), full_page=True)
    # Diego saves his stale form: nothing is overwritten, he sees what changed.
    alt_es = diego.locator('textarea[name="alt.es"]')
    alt_es.fill((alt_es.input_value() + "\nretiro temprano").strip())
    diego.get_by_role("button", name="Save labels and notes").click()
    conflict = diego.locator("section.conflict")
    expect(conflict).to_contain_text("Someone else changed this concept")
    expect(conflict).to_contain_text(NEW_LABEL)
    expect(diego.locator('textarea[name="alt.fr"]')).to_contain_text(NEW_LABEL)  # rebased
    expect(diego.locator('textarea[name="alt.es"]')).to_contain_text("retiro temprano")
    diego.screenshot(path=str(shots / "edit-3-conflict.png"), full_page=True)
    diego.get_by_role("button", name="Save labels and notes").click()  # on the new version
    expect(diego.locator(".notice")).to_have_text("Saved.")
    expect(diego.locator("body")).to_contain_text("retiro temprano")
    expect(diego.locator("body")).to_contain_text(NEW_LABEL)  # Claire's label kept
    claire.context.close()
    diego.context.close()


def test_reviewer_accepts_a_suggested_subject_with_the_keyboard(
    browser: object, url: str, shots: Path
) -> None:
    from playwright.sync_api import Page, expect

    page = signed_in(browser, url, "claire")
    assert isinstance(page, Page)
    page.goto(f"{url}/review")
    first = page.locator("li.review-item").first
    expect(first).to_be_visible(timeout=120_000)  # the model trains on first use
    title = first.locator("h2 a").inner_text()
    label = first.locator("ul.proposals > li").first.locator("strong").inner_text()
    page.screenshot(path=str(shots / "edit-4-review.png"), full_page=True)
    search = f"{url}/search?q={quote(title)}"

    def facet_count() -> int:
        """The count beside the concept in the subject facet of a search for the title."""
        page.goto(search)
        entry = page.locator(".facets li", has=page.get_by_role("link", name=label, exact=True))
        return int(entry.locator(".count").inner_text()) if entry.count() else 0

    before = facet_count()
    page.goto(f"{url}/review")
    first = page.locator("li.review-item").first
    expect(first.locator("h2 a")).to_have_text(title)
    page.keyboard.press("1")  # tick the first suggestion
    expect(first.locator('input[type="checkbox"]').first).to_be_checked()
    page.keyboard.press("a")  # accept
    expect(page.locator(".notice")).to_have_text("Subjects accepted.")
    # The record's page shows the subject; in the search, its hit and the facet count too.
    assert facet_count() == before + 1
    hit = page.locator("ol.hits li", has=page.locator("a.title", has_text=title)).first
    expect(hit.locator(".chip", has_text=label)).to_be_visible()
    page.screenshot(path=str(shots / "edit-6-facets.png"), full_page=True)
    hit.locator("a.title").click()
    expect(page.locator("a.chip", has_text=label)).to_be_visible()
    page.screenshot(path=str(shots / "edit-5-record-subject.png"), full_page=True)
    page.context.close()


def test_french_editing_pages(browser: object, url: str, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    page = signed_in(browser, url, "claire", "fr")
    assert isinstance(page, Page)
    page.goto(f"{url}/records/new?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle notice")
    expect(page.locator("nav.site-nav")).to_contain_text("Réviser les suggestions")
    page.goto(f"{url}/record/nber-w0204/edit?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Modifier la notice")
    expect(page.get_by_label("Titre", exact=True)).to_be_visible()
    page.screenshot(path=str(shots / "edit-7-record-form-fr.png"), full_page=True)
    page.goto(f"{url}/duplicates?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons probables")
    page.context.close()


@pytest.fixture(scope="module")
def bundled_ws(tmp_path_factory: pytest.TempPathFactory, bundled_template: Path) -> Workspace:
    """The bundled data dir (automatic subjects on NBER papers) with an editor."""
    ws = served_workspace(tmp_path_factory.mktemp("e2e-review") / "data", bundled_template)
    add_user(ws, "claire", "editor")
    return ws


def test_reviewer_confirms_and_rejects_automatic_subjects_with_the_keyboard(
    browser: object, bundled_ws: Workspace, shots: Path
) -> None:
    from playwright.sync_api import Page, expect

    from socsec.bibliography.store import get_store

    def subjects(rid: str) -> tuple[dict[str, str], set[str]]:
        with get_store(bundled_ws) as store:
            kinds = {s.uri: s.provenance for s in store.get(rid).subjects}
            return kinds, store.rejected([rid]).get(rid, set())

    with live_server(bundled_ws) as served:
        page = signed_in(browser, served, "claire")
        assert isinstance(page, Page)
        page.goto(f"{served}/review")
        first = page.locator("li.review-item").first
        expect(first.locator("legend")).to_have_text("Automatic subjects to confirm")
        boxes = first.locator('input[type="checkbox"]')
        expect(boxes.first).to_be_checked()  # automatic subjects come ticked
        rid = first.locator("code").inner_text()
        uri = boxes.first.get_attribute("value")
        assert uri and subjects(rid)[0][uri] == "automatic"
        page.screenshot(path=str(shots / "edit-8-review-automatic.png"), full_page=True)
        page.keyboard.press("a")  # confirm the ticked ones
        expect(page.locator(".notice")).to_have_text("Subjects accepted.")
        assert subjects(rid)[0][uri] == "accepted"
        first = page.locator("li.review-item").first
        rid2 = first.locator("code").inner_text()
        uri2 = first.locator('input[type="checkbox"]').first.get_attribute("value")
        assert rid2 != rid and uri2
        page.keyboard.press("r")  # reject all of the next record's
        expect(page.locator(".notice")).to_have_text("Suggestions rejected.")
        kinds, rejected = subjects(rid2)
        assert uri2 not in kinds and uri2 in rejected
        page.context.close()
