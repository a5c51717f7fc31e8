"""The demo in a real browser: Debian's chromium driven headless through Playwright's Python package."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.demo.server import SiteServer

CHROMIUM = Path(os.environ.get("EXTRACTOR_CHROMIUM", "/usr/bin/chromium"))
BLOCKED = "/blockside/members/reading-the-liquidation-cascade.html"
KENJI_QUOTE = "A geopolitical shock on a weekend, with the banks shut and the order books thin"
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


def read_until(process: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    """Lines the process prints, up to and including the first one containing `marker`."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if marker in line:
            process.lines = lines  # the rest, for after Ctrl-C
            return seen
    raise AssertionError("the demo never printed " + repr(marker) + ":\n" + "\n".join(seen))


def test_the_demo_end_to_end_in_a_browser(browser, tmp_path: Path) -> None:
    for module in ("extractor.crawl.run", "extractor.extract", "extractor.candles", "extractor.compare"):
        pytest.importorskip(module, reason=f"the demo needs {module} (crawl, store and compare issues)")
    with socket.socket() as busy, socket.socket() as busy_site:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        busy_site.bind(("127.0.0.1", 0))
        busy_site.listen()
        port, site_port = busy.getsockname()[1], busy_site.getsockname()[1]
        command = [sys.executable, "-m", "extractor", "demo", "--db", str(tmp_path / "demo.db"),
                   "--port", str(port), "--site-port", str(site_port)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        try:
            printed = read_until(process, "Datasette: http://", timeout=180)
            assert f"Port {site_port} is in use: the sample site is served on port" in "\n".join(printed)
            moved = re.search(rf"Port {port} is in use: Datasette is served on port (\d+) instead", "\n".join(printed))
            assert moved, printed
            base = f"http://127.0.0.1:{moved.group(1)}"
            assert printed[-1].startswith(f"Datasette: {base}/demo ")
            assert "robots.txt kept 1 page(s) out of the crawl: " + BLOCKED in printed

            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/demo/quotes_by_analyst?name=kenji+morita")
            cells = page.locator("td.col-text").all_inner_texts()
            assert any(cell.startswith(KENJI_QUOTE) for cell in cells), cells
            assert set(page.locator("td.col-person").all_inner_texts()) == {"Kenji Morita"}
            page.screenshot(path=str(tmp_path / "quotes-by-analyst.png"), full_page=True)

            page.goto(f"{base}/-/dashboards/market")
            page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=20_000)
            page.wait_for_function("document.querySelectorAll('.vega-embed svg, .vega-embed canvas').length >= 3")
            assert page.locator("h1").first.inner_text().strip() == "Market at a glance"
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            page.close()
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=30)
    rest = []
    while (line := process.lines.get(timeout=5)) is not None:
        rest.append(line)
    assert code == 0 and "Stopped Datasette and the sample site." in rest
    for name in ("quotes-by-analyst.png", "dashboard.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
