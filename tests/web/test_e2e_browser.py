"""End to end in headless Chromium: a French term, its suggestion, English records.

Uses Debian's chromium (/usr/bin/chromium) driven by the Python playwright package; the
browser download of playwright does not work here. Without chromium the test is skipped
locally and fails when CI=true. Screenshots go to tests/web/artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socsec.workspace import Workspace
from tests.web.browser import ARTIFACTS, chromium, live_server


@pytest.fixture(scope="module")
def server_url(sqlite_ws: Workspace) -> Iterator[str]:
    """A real uvicorn server over a copy of the fixture data dir."""
    with live_server(sqlite_ws) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def artifacts() -> Path:
    # Only this module's shots go: test_e2e_editing may be writing its own beside them (xdist).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("[0-9]-*.png"):
        old.unlink()
    return ARTIFACTS


def test_french_term_suggestion_english_records(
    browser: object, server_url: str, artifacts: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server_url + "/")
    box = page.get_by_role("combobox", name="Search records or concepts")
    box.click()
    box.press_sequentially("retraite anti", delay=40)
    option = page.get_by_role("option").first
    expect(option).to_contain_text("retraite anticipée")
    expect(option).to_contain_text("early retirement")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(artifacts / "1-autocomplete.png"))
    box.press("ArrowDown")  # keyboard only: highlight, then open the suggestion
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url("**/search?*")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("retraite anticipée")
    titles = page.locator("ol.hits a.title")
    expect(titles.first).to_be_visible()
    english = titles.all_inner_texts()
    assert "The Effect of Social Security on Early Retirement" in english
    assert all(t.get_attribute("lang") == "en" for t in titles.all()[:5])
    expect(page.locator(".expansions")).to_contain_text("early retirement")
    page.screenshot(path=str(artifacts / "2-results.png"), full_page=True)
    page.close()


def test_concept_page_on_a_phone(browser: object, server_url: str, artifacts: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.goto(server_url + "/concept?uri=http%3A%2F%2Feurovoc.europa.eu%2F3626&lang=fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("retraite anticipée")
    expect(page.locator('td[lang="es"]').first).to_have_text("jubilación anticipada")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(artifacts / "3-concept-phone.png"), full_page=True)
    phone.close()
