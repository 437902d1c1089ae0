"""The web reader in a real browser: Playwright driving Debian's chromium, headless, against the
server on loopback. Screenshots of each step are kept in test-artifacts/screenshots/.

Skipped when chromium or Playwright is missing (`.ci/run` installs both)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regex
from serving import ROOT, SEED, SEED_TITLE, build_store, live_server

from fagui.serve import ServeOptions, create_app

CHROMIUM = os.environ.get("FAGUI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-artifacts" / "screenshots"
# Playwright adds --headless and a fresh, empty profile of its own.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium to drive")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("browser") / "fagui.db")
    with live_server(create_app(ServeOptions(db=db))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=False)
    context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_seed(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/docs")
    page.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_selector("h1#title")
    assert page.inner_text("h1#title") == SEED_TITLE
    assert page.title() == f"{SEED_TITLE} · fagui"


def test_follow_an_article_from_the_table_of_contents(page: Any, base_url: str) -> None:
    open_seed(page, base_url)
    page.locator("nav.toc").get_by_role("link", name="第十条", exact=True).click()
    page.wait_for_url("**#art_10")
    article = page.locator("section#art_10")
    assert article.inner_text().startswith("第十条")
    assert "党员不得通过网络制作" in article.inner_text()
    box = article.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    shot(page, "toc-art_10")


def test_switch_to_traditional(page: Any, base_url: str) -> None:
    open_seed(page, base_url)
    page.click("#to-traditional")
    page.wait_for_url("**script=traditional*")
    body = page.inner_text("article#body")
    assert "黨員" in body and "党员" not in body
    shot(page, "traditional")


def test_filter_norms_to_prohibitions(page: Any, base_url: str) -> None:
    open_seed(page, base_url)
    page.select_option("#kind-filter", "prohibition")
    page.wait_for_url("**kind=prohibition*")
    kinds = page.eval_on_selector_all("#register tbody tr", "rows => rows.map(r => r.dataset.kind)")
    assert kinds and set(kinds) == {"prohibition"}
    marked = page.eval_on_selector_all("mark.norm", "ms => ms.map(m => m.dataset.kind)")
    assert marked and set(marked) == {"prohibition"}
    # 第十条's prohibition is among them, marked in the text
    assert page.locator("section#art_10 mark.k-prohibition").count() >= 1
    page.locator("#norms").scroll_into_view_if_needed()
    shot(page, "prohibitions")


def test_search_and_open_a_hit(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/search")
    page.fill("input[name=q]", "网络")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#hits li.hit")
    assert "网络" in page.inner_text("#hits li.hit mark")
    shot(page, "search")
    first = page.locator("#hits li.hit a").first
    target = first.get_attribute("href")
    assert target and "#" in target
    first.click()
    page.wait_for_url(f"**{target}")
    eid = target.split("#", 1)[1]
    assert "网络" in page.inner_text(f"[id='{eid}']")


def test_recover_a_pasted_copy(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/recover")
    page.fill("textarea#pasted", SEED.read_text(encoding="utf-8"))
    page.click("#recover-button")
    page.wait_for_selector("#recovered-title")
    assert page.inner_text("#recovered-title") == SEED_TITLE
    removed = page.eval_on_selector_all(
        "#changes tr[data-kind=noise] del", "ds => ds.map(d => d.textContent)"
    )
    emoji = [r for r in removed if regex.search(r"\p{Extended_Pictographic}", r)]
    assert emoji, removed[:10]
    shot(page, "recover")
