"""The demo in a real browser: Debian's chromium driven headless through Playwright's Python package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.demo.server import SiteServer

CHROMIUM = Path(os.environ.get("EXTRACTOR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless chromium, or a skip saying why there is none."""
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}: `make browser` installs Debian's package (needs root and apt)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: `pip install -e '.[test]'`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_sample_site_reads_in_a_browser(browser, tmp_path: Path) -> None:
    with SiteServer() as site:
        page = browser.new_page()
        page.goto(site.url("/"))
        assert page.title() == "Sample crypto news: the extractor demo site"
        page.click("text=Saturday sell-off triggers $1.7 billion in liquidations")
        assert page.url == site.url("/chainbrief/markets/saturday-sell-off-triggers-17-billion-in-liquidations")
        assert page.title() == "Saturday sell-off triggers $1.7 billion in liquidations | Chainbrief"
        assert "Bitcoin tumbled as low as $61,950 on Saturday" in page.inner_text("body")
        page.screenshot(path=str(tmp_path / "article.png"))
        page.close()
    assert (tmp_path / "article.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
