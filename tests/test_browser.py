"""End to end in a real browser: Playwright driving Debian's Chromium against the real server.

Pastes the example article, waits for the highlights, toggles a layer, a
technique family and one technique, checks the detail line, the phone
layout and escaping, opens the outlet page, and keeps a screenshot of the
article page in test-artifacts/. Skips with a reason when Playwright or
Chromium is missing (``UNSPIN_CHROMIUM`` overrides /usr/bin/chromium).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from .conftest import EXAMPLE, ROOT

pytestmark = [pytest.mark.network, pytest.mark.slow]  # a real browser: outside the fast lane

CHROMIUM = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[test]')")
pytest.importorskip("uvicorn", reason="the web server needs uvicorn (pip install '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from unspin.report.techniques import technique_info  # noqa: E402

from .test_web import seeded_analysis  # noqa: E402
from .test_web_server import start_server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from unspin.corpus import Corpus
    from unspin.store import ArticleRow

    db = tmp_path_factory.mktemp("browser") / "corpus.db"
    with Corpus(db) as store:  # article 1: the example with techniques, whatever this version's analyzers
        store.add(seeded_analysis(), ArticleRow(source="seeded.txt", outlet="balticledger.eu",
                                                title="Seeded gas deal", published="2026-10-03"))
    with start_server("--db", str(db)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        except Exception as exc:  # noqa: BLE001 - a browser that cannot start is an environment problem
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert not errors, errors  # no script errors, no CSP violations, no missing resources


def style(pg: Any, selector: str, prop: str) -> str:
    return pg.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_paste_example_toggle_layer_and_open_outlet(server, page):
    page.goto(server + "/")
    page.fill("#text", EXAMPLE.read_text(encoding="utf-8"))
    page.click("details.more summary")
    page.fill("#outlet", "balticledger.eu")
    page.click("#analyze-button")
    page.wait_for_url("**/articles/*")
    page.wait_for_selector("#a-text mark.hl .l-quote")
    assert page.inner_text("h1") == "Europe’s gas deal is a gift to Moscow, critics warn"
    assert page.locator("#a-text mark.hl").count() > 20

    quote = "#a-text .l-quote"
    shaded = style(page, quote, "background-color")
    assert shaded not in ("rgba(0, 0, 0, 0)", "transparent")
    page.uncheck('input[data-layer="quote"]')
    assert style(page, quote, "background-color") == "rgba(0, 0, 0, 0)"
    assert style(page, quote, "border-bottom-style") == "none"
    assert style(page, "#a-text .l-speaker", "border-bottom-style") == "double"  # other layers stay
    page.check('input[data-layer="quote"]')
    assert style(page, quote, "background-color") == shaded

    page.focus("#a-text mark.hl[tabindex]")
    assert "entity" in page.inner_text("#a-detail")

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "article-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.click("#outlet-link")
    page.wait_for_url("**/outlets/balticledger.eu")
    assert "Outlet: balticledger.eu" in page.inner_text("h1")
    assert page.locator("main svg.chart").count() >= 2


def test_technique_family_and_single_technique_toggles(server, page):
    page.goto(server + "/articles/1")
    mw = '#a-text .l-technique[data-family="manipulative-wording"]'
    ar = '#a-text .l-technique[data-family="attack-on-reputation"]'
    page.wait_for_selector(mw)
    assert "underline" in style(page, mw, "text-decoration-line")
    badge = page.eval_on_selector(mw + "[data-code]", "e => getComputedStyle(e, '::before').content")
    assert badge == '"MW"'

    page.uncheck('input[data-family="manipulative-wording"]')
    assert style(page, mw, "text-decoration-line") == "none"
    assert page.eval_on_selector(mw + "[data-code]", "e => getComputedStyle(e, '::before').display") == "none"
    assert "underline" in style(page, ar, "text-decoration-line")  # other families stay
    assert page.is_disabled('input[data-technique="Loaded_Language"]')
    page.check('input[data-family="manipulative-wording"]')
    assert "underline" in style(page, mw, "text-decoration-line")

    ck = '#a-text .l-technique[data-technique="Conversation_Killer"]'
    page.uncheck('input[data-technique="Conversation_Killer"]')
    assert style(page, ck, "text-decoration-line") == "none"
    assert "underline" in style(page, mw, "text-decoration-line")

    page.uncheck('input[data-layer="technique"]')
    assert style(page, ar, "text-decoration-line") == "none"

    # keyboard: tab from the toggles into the text reaches a highlight; the detail line explains it
    page.focus('#a-text mark.hl:has(.l-technique[data-technique="Loaded_Language"])')
    detail = page.inner_text("#a-detail")
    loaded = technique_info("Loaded_Language")
    assert loaded.label in detail and loaded.definition in detail and "0.91" in detail

    page.hover('#a-text mark.hl:has(.l-technique[data-technique="Name_Calling-Labeling"])')
    detail = page.inner_text("#a-detail")
    assert technique_info("Name_Calling-Labeling").label in detail and "attack on reputation" in detail
    assert "0.80" in detail


def test_phone_width_has_no_sideways_scroll(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    try:
        for path in ("/", "/articles/1", "/outlets/balticledger.eu", "/search?q=gas", "/stories"):
            pg.goto(server + path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        pg.goto(server + "/articles/1")
        pg.tap('#a-text mark.hl:has(.l-technique[data-technique="Conversation_Killer"])')
        assert technique_info("Conversation_Killer").label in pg.inner_text("#a-detail")
    finally:
        context.close()


def test_script_in_an_article_stays_text(server, page):
    hostile = "<script>window.pwned = 1</script>\n\nThe council said <img src=x onerror='window.pwned=2'> was fine.\n"
    resp = httpx.post(server + "/api/analyze", json={"text": hostile}, timeout=60)
    assert resp.status_code == 200
    page.goto(server + f"/articles/{resp.json()['id']}")
    page.wait_for_selector("#a-text")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert "<script>window.pwned = 1</script>" in page.inner_text("h1")
    assert "<img src=x" in page.inner_text("#a-text")
