"""`extractor discover`: feeds found on fixture sites over HTTP and added to a feeds file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from crawl_fixtures import atom, rss2
from pytest_httpserver import HTTPServer

from extractor.cli import cli
from extractor.crawl.feeds import load_feeds
from extractor.crawl.fetch import FetchSettings
from extractor.crawl.run import discover_feeds

HOME = """<!DOCTYPE html><html lang="de"><head><title>Beispiel</title>
<meta property="og:site_name" content="Beispiel Kurier">
<link rel="alternate" type="application/rss+xml" title="News" href="/feeds/news.xml">
<link rel="alternate" type="application/atom+xml" href="http://127.0.0.1:1/unreachable.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" href="/style.css">
</head><body><p>Startseite</p></body></html>"""
FAST = FetchSettings(delay=0.0, timeout=1.0, retries=1, backoff=0.01)

# The `server` and `running_server` fixtures (a real HTTP server on 127.0.0.1).
pytest_plugins = ["crawl_server"]


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "# my feeds\n- id: existing\n  outlet: Existing\n  url: https://example.com/rss\n  lang: en\n"
    )
    return path


def test_alternate_links_found_and_added(server: HTTPServer, feeds_file: Path) -> None:
    server.expect_request("/").respond_with_data(HOME, content_type="text/html")
    server.expect_request("/feeds/news.xml").respond_with_data(rss2([]), content_type="application/rss+xml")
    found, added = discover_feeds(server.url_for("/"), feeds_file, FAST)
    news = server.url_for("/feeds/news.xml")
    assert [(s.url, s.outlet, s.lang) for s in found] == [(news, "Beispiel Kurier", "en")]
    assert [s.id for s in added] == ["beispiel-kurier"]
    text = feeds_file.read_text()
    assert text.startswith("# my feeds\n- id: existing\n")
    assert [(s.id, s.url) for s in load_feeds(feeds_file)] == [
        ("existing", "https://example.com/rss"),
        ("beispiel-kurier", news),
    ]
    again_found, again_added = discover_feeds(server.url_for("/"), feeds_file, FAST)
    assert (len(again_found), again_added) == (1, [])
    assert feeds_file.read_text() == text


def test_common_paths_tried_when_no_link(server: HTTPServer, feeds_file: Path) -> None:
    server.expect_request("/").respond_with_data(
        "<html><head><title>Bare</title></head></html>", content_type="text/html"
    )
    server.expect_request("/rss.xml").respond_with_data(
        atom([], title="Bare Atom"), content_type="application/atom+xml"
    )
    found, added = discover_feeds(server.url_for("/"), feeds_file, FAST)
    assert [(s.url, s.outlet) for s in found] == [(server.url_for("/rss.xml"), "Bare Atom")]
    assert [s.id for s in added] == ["bare-atom"]
    paths = [request.path for request, _ in server.log]
    assert paths == ["/robots.txt", "/", "/feed", "/rss", "/feed.xml", "/rss.xml"]


def test_a_feed_url_is_its_own_discovery(server: HTTPServer, feeds_file: Path) -> None:
    server.expect_request("/rss").respond_with_data(
        rss2([], title="Direct"), content_type="application/rss+xml"
    )
    found, _ = discover_feeds(server.url_for("/rss"), feeds_file, FAST)
    assert [(s.url, s.outlet, s.lang) for s in found] == [(server.url_for("/rss"), "Direct", "en")]


def test_cli_reports_added_and_no_feed(server: HTTPServer, feeds_file: Path) -> None:
    home = HOME.replace("http://127.0.0.1:1/unreachable.xml", "/feeds/news.xml")
    server.expect_request("/").respond_with_data(home, content_type="text/html")
    server.expect_request("/feeds/news.xml").respond_with_data(rss2([]), content_type="application/rss+xml")
    server.expect_request("/empty").respond_with_data(
        "<html><body>nothing</body></html>", content_type="text/html"
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["discover", server.url_for("/"), "--feeds-file", str(feeds_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{server.url_for('/feeds/news.xml')}\tBeispiel Kurier\ten\tadded\n"
    result = runner.invoke(cli, ["discover", server.url_for("/empty"), "--feeds-file", str(feeds_file)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {server.url_for('/empty')}: no feed found\n"


def test_packaged_feed_list_loads_with_unique_ids() -> None:
    feeds = load_feeds()
    ids = [f.id for f in feeds]
    assert len(ids) == len(set(ids)) >= 7
    assert all(f.url.startswith("https://") and f.outlet and f.lang for f in feeds)
    assert {
        "CoinDesk",
        "Cointelegraph",
        "The Block",
        "Decrypt",
        "Bitcoin Magazine",
        "CryptoSlate",
        "CryptoNews",
    } <= {f.outlet for f in feeds}
    assert isinstance(
        yaml.safe_load((Path(__file__).parents[1] / "patterns" / "feeds.yaml").read_text()), list
    )
