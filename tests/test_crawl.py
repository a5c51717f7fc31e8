"""`extractor crawl` against fixture sites served over HTTP on 127.0.0.1: every bad input of issue 3."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from crawl_fixtures import article_html, atom, empty_page, paragraphs, rss1, rss2
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from extractor import USER_AGENT
from extractor.cli import cli
from extractor.crawl.fetch import FetchSettings
from extractor.crawl.run import CrawlSummary, run_crawl

FAST = FetchSettings(timeout=2.0, total_timeout=5.0, retries=2, backoff=0.01, max_wait=0.5, max_bytes=200_000)

# The `server` and `running_server` fixtures (a real HTTP server on 127.0.0.1).
pytest_plugins = ["crawl_server"]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "news.db"


def page(server: HTTPServer, path: str, title: str, slug: str | None = None, **kwargs) -> str:
    """Serve an invented article at `path` (its text made from `slug`, default the path); return its URL."""
    server.expect_request(path).respond_with_data(
        article_html(title, paragraphs(slug or path), **kwargs), content_type="text/html; charset=utf-8"
    )
    return server.url_for(path)


def feed(server: HTTPServer, path: str, xml: str, content_type: str = "application/rss+xml") -> str:
    """Serve a feed at `path`; return its URL."""
    server.expect_request(path).respond_with_data(xml, content_type=content_type)
    return server.url_for(path)


def crawl(db_path: Path, feeds: list[str], settings: FetchSettings = FAST, **kwargs) -> CrawlSummary:
    """Crawl with no per-host delay and tiny waits."""
    return run_crawl(
        db_path,
        feeds=feeds,
        delay=kwargs.pop("delay", 0.0),
        concurrency=4,
        progress=False,
        settings=settings,
        **kwargs,
    )


def articles(db_path: Path) -> list[dict]:
    return list(sqlite_utils.Database(db_path).query("select * from articles order by url"))


def log(db_path: Path, kind: str | None = None) -> list[tuple]:
    """(path, kind, status, outcome) of every fetch_log row, in order."""
    db = sqlite_utils.Database(db_path)
    rows = db.query("select * from fetch_log order by id")
    return [
        (r["url"].split(":", 2)[-1].split("/", 1)[-1], r["kind"], r["status"], r["outcome"])
        for r in rows
        if kind is None or r["kind"] == kind
    ]


def messages(db_path: Path, outcome: str) -> list[str]:
    db = sqlite_utils.Database(db_path)
    return [
        r["message"]
        for r in db.query("select message from fetch_log where outcome = ? order by id", [outcome])
    ]


def requested(server: HTTPServer, path: str) -> int:
    """How many times the server was asked for `path`."""
    return sum(1 for request, _ in server.log if request.path == path)


def test_rss2_articles_stored_with_metadata(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/news/alpha", "Alpha futures cool off")
    b = page(server, "/news/beta", "Beta funding turns negative", author=None, published=None)
    url = feed(
        server,
        "/rss",
        rss2(
            [
                {"title": "Alpha", "link": a},
                {"title": "Beta from feed", "link": b, "pubDate": "Wed, 06 Mar 2024 10:00:00 +0200"},
            ]
        ),
    )
    summary = crawl(db_path, [{"url": url, "outlet": "Example Wire", "lang": "en"}])
    assert (summary.feeds_read, summary.articles_new, summary.articles_failed) == (1, 2, 0)
    rows = articles(db_path)
    assert [r["url"] for r in rows] == [a, b]
    alpha, beta = rows
    assert alpha["title"] == "Alpha futures cool off"
    assert alpha["text"] == "Alpha futures cool off\n\n" + "\n".join(paragraphs("/news/alpha"))
    assert json.loads(alpha["authors"]) == ["Dana Example"]
    assert alpha["published_at"] == "2024-03-05T13:30:00+00:00"
    assert (alpha["outlet"], alpha["lang"], alpha["revision"], alpha["canonical_url"]) == (
        "Example Wire",
        "en",
        1,
        a,
    )
    assert zlib.decompress(alpha["html"]).decode().startswith("<!DOCTYPE html>")
    # The page has no time of its own, so the feed's pubDate fills the gap.
    assert beta["published_at"] == "2024-03-06T08:00:00+00:00"
    assert json.loads(beta["authors"]) == []
    entries = log(db_path)
    assert entries[:2] == [("robots.txt", "robots", 404, "no-robots"), ("rss", "feed", 200, "read")]
    assert sorted(entries[2:]) == [("news/alpha", "page", 200, "new"), ("news/beta", "page", 200, "new")]
    feed_row = next(sqlite_utils.Database(db_path)["feeds"].rows)
    assert (feed_row["outlet"], feed_row["title"], feed_row["last_outcome"]) == (
        "Example Wire",
        "Example Wire",
        "read",
    )
    assert str(summary).startswith("feeds: 1 read, 0 not modified, 0 failed; articles: 2 new, 0 updated")
    assert {request.headers.get("User-Agent") for request, _ in server.log} == {USER_AGENT}
    assert USER_AGENT.startswith("extractor/")


def test_atom_rss1_and_rss091_feeds(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/atom/one", "Atom story one")
    r = page(server, "/rdf/one", "RDF story one")
    old = page(server, "/old/one", "RSS 0.91 story one")
    rss091 = rss2([{"title": "One", "link": old}], title="Old Wire").replace(
        'version="2.0"', 'version="0.91"'
    )
    summary = crawl(
        db_path,
        [
            feed(server, "/atom.xml", atom([{"title": "One", "link": a}]), "application/atom+xml"),
            feed(server, "/index.rdf", rss1([{"title": "One", "link": r}]), "application/rdf+xml"),
            feed(server, "/old.xml", rss091, "text/xml"),
        ],
    )
    assert (summary.feeds_read, summary.articles_new) == (3, 3)
    rows = articles(db_path)
    assert [row["title"] for row in rows] == ["Atom story one", "RSS 0.91 story one", "RDF story one"]
    # No outlet in the feed list: the page's own site name beats the feed's title.
    assert [row["outlet"] for row in rows] == ["Example Wire"] * 3


def test_malformed_feed_parsed_as_far_as_possible(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/news/broken-ok", "Still readable")
    xml = rss2([{"title": "Readable", "link": a}]).replace("</channel></rss>", "<item><title>Cut off & bad")
    summary = crawl(db_path, [feed(server, "/broken.xml", xml)])
    assert (summary.feeds_read, summary.feeds_failed, summary.articles_new) == (1, 0, 1)
    [message] = messages(db_path, "read")
    assert message.startswith("1 entries; warning: malformed feed, parsed as far as possible:")


def test_not_a_feed_fails_and_others_go_on(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/news/fine", "Fine story")
    bad = feed(server, "/notafeed", "just some words, no XML at all", "text/plain")
    summary = crawl(db_path, [bad, feed(server, "/rss", rss2([{"title": "Fine", "link": a}]))])
    assert (summary.feeds_read, summary.feeds_failed, summary.articles_new) == (1, 1, 1)
    assert ("notafeed", "feed", None, "failed") in log(db_path)


def test_relative_links_resolved(server: HTTPServer, db_path: Path) -> None:
    page(server, "/news/relative-story", "Relative story")
    url = feed(server, "/feeds/main.xml", rss2([{"title": "Relative", "link": "../news/relative-story#top"}]))
    crawl(db_path, [url])
    assert [r["url"] for r in articles(db_path)] == [server.url_for("/news/relative-story")]


def test_second_run_not_modified_costs_no_parsing(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/news/once", "Once only")
    xml = rss2([{"title": "Once", "link": a}])

    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            xml,
            content_type="application/rss+xml",
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 05 Mar 2024 13:30:00 GMT"},
        )

    server.expect_request("/rss").respond_with_handler(conditional)
    first = crawl(db_path, [server.url_for("/rss")])
    second = crawl(db_path, [server.url_for("/rss")])
    assert (first.feeds_read, first.articles_new) == (1, 1)
    assert (second.feeds_read, second.feeds_not_modified, second.articles_new, second.articles_skipped) == (
        0,
        1,
        0,
        0,
    )
    assert log(db_path, "feed") == [("rss", "feed", 200, "read"), ("rss", "feed", 304, "not-modified")]
    feed_row = next(sqlite_utils.Database(db_path)["feeds"].rows)
    assert (feed_row["etag"], feed_row["last_modified"]) == ('"v1"', "Tue, 05 Mar 2024 13:30:00 GMT")
    assert requested(server, "/news/once") == 1
    second_request = [request for request, _ in server.log if request.path == "/rss"][-1]
    assert second_request.headers.get("If-None-Match") == '"v1"'
    assert second_request.headers.get("If-Modified-Since") == "Tue, 05 Mar 2024 13:30:00 GMT"


def test_known_articles_skipped_unless_refresh(server: HTTPServer, db_path: Path) -> None:
    a = page(server, "/news/known", "Known story")
    url = feed(server, "/rss", rss2([{"title": "Known", "link": a}]))
    crawl(db_path, [url])
    again = crawl(db_path, [url])
    refreshed = crawl(db_path, [url], refresh=True)
    assert (again.articles_skipped, again.articles_new) == (1, 0)
    assert (refreshed.articles_unchanged, refreshed.articles_updated) == (1, 0)
    assert requested(server, "/news/known") == 2
    assert len(articles(db_path)) == 1


def test_robots_disallowed_path_not_fetched(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    ok = page(server, "/news/public", "Public story")
    hidden = page(server, "/private/secret", "Secret story")
    summary = crawl(
        db_path, [feed(server, "/rss", rss2([{"title": "P", "link": ok}, {"title": "S", "link": hidden}]))]
    )
    assert (summary.articles_new, summary.articles_failed, summary.articles_skipped) == (1, 0, 1)
    assert [r["url"] for r in articles(db_path)] == [ok]
    assert ("private/secret", "page", None, "disallowed") in log(db_path)
    assert requested(server, "/private/secret") == 0
    assert requested(server, "/robots.txt") == 1


def test_robots_for_our_user_agent_only(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        "User-agent: extractor\nDisallow: /\n\nUser-agent: *\nAllow: /\n", content_type="text/plain"
    )
    summary = crawl(db_path, [feed(server, "/rss", rss2([]))])
    assert (summary.feeds_failed, requested(server, "/rss")) == (1, 0)
    assert log(db_path, "feed") == [("rss", "feed", None, "failed")]


def test_429_retry_after_honoured(server: HTTPServer, db_path: Path) -> None:
    times: list[float] = []

    def record(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(article_html("Busy story", paragraphs("busy")), content_type="text/html")

    server.expect_oneshot_request("/news/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    server.expect_request("/news/busy").respond_with_handler(record)
    first_429 = time.monotonic()
    settings = FetchSettings(timeout=2.0, retries=2, backoff=0.01, max_wait=5.0)
    summary = crawl(
        db_path,
        [feed(server, "/rss", rss2([{"title": "B", "link": server.url_for("/news/busy")}]))],
        settings=settings,
    )
    assert summary.articles_new == 1
    assert times[0] - first_429 >= 0.95
    assert log(db_path, "page") == [("news/busy", "page", 429, "retry"), ("news/busy", "page", 200, "new")]
    assert messages(db_path, "retry") == ["HTTP 429; retrying in 1 s (Retry-After)"]


def test_500_then_success(server: HTTPServer, db_path: Path) -> None:
    server.expect_oneshot_request("/news/flaky").respond_with_data("oops", status=500)
    page(server, "/news/flaky", "Flaky story")
    summary = crawl(
        db_path, [feed(server, "/rss", rss2([{"title": "F", "link": server.url_for("/news/flaky")}]))]
    )
    assert (summary.articles_new, summary.articles_failed) == (1, 0)
    assert log(db_path, "page") == [("news/flaky", "page", 500, "retry"), ("news/flaky", "page", 200, "new")]
    attempts = [
        r["attempt"]
        for r in sqlite_utils.Database(db_path).query("select attempt from fetch_log where kind = 'page'")
    ]
    assert attempts == [1, 2]


def test_persistent_500_gives_up_and_feed_is_retried_next_run(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/news/down").respond_with_data("down", status=503)

    def etagged(request: Request) -> Response:
        return Response(
            rss2([{"title": "D", "link": "/news/down"}]),
            content_type="application/rss+xml",
            headers={"ETag": '"d1"'},
        )

    server.expect_request("/rss").respond_with_handler(etagged)
    summary = crawl(db_path, [server.url_for("/rss")])
    assert summary.articles_failed == 1
    assert [o for *_, o in log(db_path, "page")] == ["retry", "retry", "http-error"]
    assert messages(db_path, "http-error") == ["HTTP 503 after 3 attempts"]
    feed_row = next(sqlite_utils.Database(db_path)["feeds"].rows)
    assert (feed_row["etag"], feed_row["last_outcome"]) == (None, "incomplete")


def test_slow_response_times_out(server: HTTPServer, db_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(article_html("Slow", paragraphs("slow")), content_type="text/html")

    server.expect_request("/news/slow").respond_with_handler(slow)
    fast = page(server, "/news/fast", "Fast story")
    settings = FetchSettings(timeout=0.3, total_timeout=1.0, retries=0, backoff=0.01)
    summary = crawl(
        db_path,
        [
            feed(
                server,
                "/rss",
                rss2([{"title": "S", "link": server.url_for("/news/slow")}, {"title": "F", "link": fast}]),
            )
        ],
        settings=settings,
    )
    assert (summary.articles_new, summary.articles_failed) == (1, 1)
    assert ("news/slow", "page", None, "timeout") in log(db_path)
    assert messages(db_path, "timeout") == ["no response within 0.3 s"]


def test_unreachable_host_fails_fast(server: HTTPServer, db_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    ok = page(server, "/news/alive", "Alive story")
    items = [{"title": str(n), "link": f"{dead}/news/{n}"} for n in range(4)] + [{"title": "A", "link": ok}]
    summary = crawl(db_path, [feed(server, "/rss", rss2(items))])
    assert (summary.articles_new, summary.articles_failed) == (1, 4)
    rows = sqlite_utils.Database(db_path).query("select * from fetch_log order by id")
    dead_rows = [(r["kind"], r["outcome"]) for r in rows if r["url"].startswith(dead)]
    assert dead_rows == [
        ("robots", "retry"),
        ("robots", "retry"),
        ("robots", "failed"),
        *[("page", "host-unreachable")] * 4,
    ]
    assert len(set(messages(db_path, "host-unreachable"))) == 1
    assert messages(db_path, "host-unreachable")[0].startswith(
        f"{dead} skipped: its robots.txt could not be read (ConnectError: "
    )
    feed_row = next(sqlite_utils.Database(db_path)["feeds"].rows)
    assert (feed_row["etag"], feed_row["last_outcome"]) == (None, "incomplete")


def test_redirect_loop_and_too_many_redirects(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/loop/a").respond_with_data("", status=302, headers={"Location": "/loop/b"})
    server.expect_request("/loop/b").respond_with_data("", status=301, headers={"Location": "/loop/a"})
    for n in range(7):
        server.expect_request(f"/hop/{n}").respond_with_data(
            "", status=302, headers={"Location": f"/hop/{n + 1}"}
        )
    page(server, "/hop/7", "Far away")
    page(server, "/moved/target", "Moved story")
    server.expect_request("/moved/source").respond_with_data(
        "", status=301, headers={"Location": "/moved/target"}
    )
    server.expect_request("/to-ftp").respond_with_data(
        "", status=302, headers={"Location": "ftp://127.0.0.1/x"}
    )
    items = [
        {"title": t, "link": server.url_for(p)}
        for t, p in [("L", "/loop/a"), ("H", "/hop/0"), ("M", "/moved/source"), ("F", "/to-ftp")]
    ]
    summary = crawl(db_path, [feed(server, "/rss", rss2(items))])
    assert (summary.articles_new, summary.articles_failed) == (1, 3)
    outcomes = {path: outcome for path, kind, _, outcome in log(db_path, "page")}
    assert outcomes == {
        "loop/a": "redirect-loop",
        "hop/0": "too-many-redirects",
        "moved/source": "new",
        "to-ftp": "bad-url",
    }
    assert messages(db_path, "bad-url") == ["not an http(s) URL: ftp://127.0.0.1/x"]
    assert requested(server, "/hop/6") == 0
    [moved] = articles(db_path)
    assert (moved["url"], moved["canonical_url"]) == (
        server.url_for("/moved/source"),
        server.url_for("/moved/target"),
    )


def test_oversized_page_abandoned(server: HTTPServer, db_path: Path) -> None:
    big = article_html("Huge", paragraphs("huge") * 2000)
    server.expect_request("/news/declared").respond_with_data(big, content_type="text/html")

    def streamed(request: Request) -> Response:
        return Response((big[i : i + 4096] for i in range(0, len(big), 4096)), content_type="text/html")

    server.expect_request("/news/streamed").respond_with_handler(streamed)
    small = page(server, "/news/small", "Small story")
    items = [
        {"title": "D", "link": server.url_for("/news/declared")},
        {"title": "S", "link": server.url_for("/news/streamed")},
        {"title": "ok", "link": small},
    ]
    summary = crawl(db_path, [feed(server, "/rss", rss2(items))])
    assert (summary.articles_new, summary.articles_failed) == (1, 2)
    assert sorted(messages(db_path, "too-large")) == [
        f"{len(big.encode())} bytes declared, over the 200000 byte limit",
        "over the 200000 byte limit; download abandoned",
    ]


def test_windows_1252_and_latin1_pages(server: HTTPServer, db_path: Path) -> None:
    body = [
        "Caf\u00e9 owners in Z\u00fcrich said \u201cprices\u201d rose \u20ac1,200 \u2013 d\u00e9j\u00e0 vu.",
        *paragraphs("cp1252"),
    ]
    html = article_html("Na\u00efve traders \u2013 again", body, charset=None)
    server.expect_request("/news/cp1252").respond_with_data(
        html.encode("cp1252"), content_type="text/html; charset=windows-1252"
    )
    latin = article_html("Ol\u00e9 \u2018quoted\u2019", body, charset="iso-8859-1")
    server.expect_request("/news/latin").respond_with_data(latin.encode("cp1252"), content_type="text/html")
    crawl(
        db_path,
        [
            feed(
                server,
                "/rss",
                rss2(
                    [
                        {"title": "c", "link": server.url_for("/news/cp1252")},
                        {"title": "l", "link": server.url_for("/news/latin")},
                    ]
                ),
            )
        ],
    )
    cp, lat = articles(db_path)
    assert cp["title"] == "Na\u00efve traders \u2013 again"
    assert body[0] in cp["text"]
    assert lat["title"] == "Ol\u00e9 \u2018quoted\u2019"
    assert body[0] in lat["text"]


def test_page_without_body(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/news/empty").respond_with_data(empty_page(), content_type="text/html")
    server.expect_request("/news/empty-with-summary").respond_with_data(
        empty_page(), content_type="text/html"
    )
    summary_text = "Invented summary: the Pebble token fell 4% on the fictional Northwind exchange."
    items = [
        {"title": "Empty", "link": server.url_for("/news/empty")},
        {
            "title": "Summary kept",
            "link": server.url_for("/news/empty-with-summary"),
            "description": f"<p>{summary_text}</p>",
        },
    ]
    summary = crawl(db_path, [feed(server, "/rss", rss2(items))])
    assert (summary.articles_new, summary.articles_failed) == (1, 1)
    assert ("news/empty", "page", 200, "no-text") in log(db_path)
    [kept] = articles(db_path)
    assert kept["text"] == f"Summary kept\n\n{summary_text}"
    assert messages(db_path, "new") == [
        f"article {kept['id']}; no article text found in the page: "
        "the feed entry's content was stored instead"
    ]


def test_two_feeds_share_an_article(server: HTTPServer, db_path: Path) -> None:
    shared = page(server, "/news/shared", "Shared story")
    page(server, "/amp/shared", "Shared story", slug="/news/shared", canonical="/news/shared")
    feed_a = feed(server, "/a.xml", rss2([{"title": "S", "link": shared}]))
    feed_b = feed(server, "/b.xml", rss2([{"title": "S", "link": shared + "?utm_source=b&utm_medium=rss"}]))
    feed_c = feed(server, "/c.xml", rss2([{"title": "S", "link": server.url_for("/amp/shared")}]))
    first = crawl(db_path, [feed_a, feed_b])
    second = crawl(db_path, [feed_c])
    assert (first.articles_new, first.articles_skipped) == (1, 1)
    assert (second.articles_new, second.articles_unchanged) == (0, 1)
    assert [r["url"] for r in articles(db_path)] == [shared]
    assert requested(server, "/news/shared") == 1


def test_changed_content_becomes_a_revision(server: HTTPServer, db_path: Path) -> None:
    version = {"n": 1}

    def changing(request: Request) -> Response:
        body = paragraphs("changing") + (
            [] if version["n"] == 1 else ["A correction was added in version two."]
        )
        return Response(article_html("Changing story", body), content_type="text/html")

    server.expect_request("/news/changing").respond_with_handler(changing)
    url = feed(server, "/rss", rss2([{"title": "C", "link": server.url_for("/news/changing")}]))
    crawl(db_path, [url])
    version["n"] = 2
    summary = crawl(db_path, [url], refresh=True)
    assert summary.articles_updated == 1
    [row] = articles(db_path)
    assert row["revision"] == 2
    assert row["text"].endswith("A correction was added in version two.")
    db = sqlite_utils.Database(db_path)
    [old] = list(db["article_revisions"].rows)
    assert (old["article_id"], old["revision"]) == (row["id"], 1)
    assert old["text"] == "Changing story\n\n" + "\n".join(paragraphs("changing"))
    assert old["content_hash"] != row["content_hash"]
    assert [o for *_, o in log(db_path, "page")] == ["new", "updated"]


def test_non_html_content_type_skipped(server: HTTPServer, db_path: Path) -> None:
    server.expect_request("/files/report.pdf").respond_with_data(
        b"%PDF-1.4 invented", content_type="application/pdf"
    )
    ok = page(server, "/news/html", "HTML story")
    summary = crawl(
        db_path,
        [
            feed(
                server,
                "/rss",
                rss2(
                    [{"title": "P", "link": server.url_for("/files/report.pdf")}, {"title": "H", "link": ok}]
                ),
            )
        ],
    )
    assert (summary.articles_new, summary.articles_failed) == (1, 1)
    assert messages(db_path, "bad-content-type") == [
        "content type 'application/pdf' is not one of text/html, application/xhtml+xml"
    ]


def test_per_host_delay(server: HTTPServer, db_path: Path) -> None:
    times: list[float] = []

    def timed(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(article_html("Timed", paragraphs(request.path)), content_type="text/html")

    for n in range(3):
        server.expect_request(f"/news/t{n}").respond_with_handler(timed)
    items = [{"title": str(n), "link": server.url_for(f"/news/t{n}")} for n in range(3)]
    crawl(db_path, [feed(server, "/rss", rss2(items))], delay=0.2)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.19


def test_max_articles_then_the_rest(server: HTTPServer, db_path: Path) -> None:
    items = [{"title": str(n), "link": page(server, f"/news/m{n}", f"Story {n}")} for n in range(5)]
    url = feed(server, "/rss", rss2(items))
    first = crawl(db_path, [url], max_articles=2)
    second = crawl(db_path, [url])
    assert (first.articles_new, second.articles_new, second.articles_skipped) == (2, 3, 2)
    assert len(articles(db_path)) == 5


def test_killed_mid_run_then_resumed(server: HTTPServer, db_path: Path, tmp_path: Path) -> None:
    count = 24
    items = [
        {"title": str(n), "link": page(server, f"/news/k{n:02d}", f"Killed story {n}")} for n in range(count)
    ]
    url = feed(server, "/rss", rss2(items))
    command = [
        sys.executable,
        "-m",
        "extractor",
        "crawl",
        "--feed",
        url,
        "--db",
        str(db_path),
        "--delay",
        "0.1",
        "--concurrency",
        "2",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        stored = 0
        while stored < 5 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            if db_path.exists():
                try:
                    stored = (
                        sqlite_utils.Database(db_path).execute("select count(*) from articles").fetchone()[0]
                    )
                except Exception:  # noqa: BLE001 - the table may not exist yet
                    stored = 0
        assert process.poll() is None, "the crawl finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    partial = len(articles(db_path))
    assert 5 <= partial < count
    summary = crawl(db_path, [url])
    rows = articles(db_path)
    assert summary.articles_new == count - partial
    assert sorted(r["url"] for r in rows) == sorted(i["link"] for i in items)
    assert {r["revision"] for r in rows} == {1}
    new_rows = sqlite_utils.Database(db_path).execute(
        "select url, count(*) from fetch_log where outcome = 'new' group by url"
    ).fetchall()
    assert sorted(new_rows) == sorted((i["link"], 1) for i in items)
    assert sum(requested(server, f"/news/k{n:02d}") for n in range(count)) <= count + 2


def test_cli_crawl_with_feeds_file_and_progress(server: HTTPServer, db_path: Path, tmp_path: Path) -> None:
    a = page(server, "/news/cli", "CLI story")
    feeds_file = tmp_path / "feeds.yaml"
    rss = feed(server, "/rss", rss2([{"title": "C", "link": a}]))
    feeds_file.write_text(f"- id: cli\n  outlet: CLI Wire\n  url: {rss}\n  lang: en\n")
    result = CliRunner().invoke(
        cli, ["crawl", "--feeds-file", str(feeds_file), "--db", str(db_path), "--delay", "0"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("feeds: 1 read, 0 not modified, 0 failed; articles: 1 new, 0 updated, ")
    assert [(r["outlet"], r["lang"], r["feed_id"]) for r in articles(db_path)] == [("CLI Wire", "en", 1)]


def test_cli_crawl_fails_when_no_feed_could_be_read(server: HTTPServer, db_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["crawl", "--feed", server.url_for("/missing.xml"), "--db", str(db_path), "--delay", "0"]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("feeds: 0 read, 0 not modified, 1 failed; ")
    assert messages(db_path, "failed") == ["http-error: HTTP 404"]


def test_cli_crawl_bad_feeds_file(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("- outlet: No URL here\n")
    result = CliRunner().invoke(cli, ["crawl", "--feeds-file", str(bad), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: feed #1 has no url\n"


def test_progress_bar(server: HTTPServer, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [{"title": str(n), "link": page(server, f"/news/p{n}", f"Progress {n}")} for n in range(3)]
    run_crawl(db_path, feeds=[feed(server, "/rss", rss2(items))], delay=0, progress=True, settings=FAST)
    err = capsys.readouterr().err
    assert "crawl: 100%" in err and "3/3" in err


@pytest.mark.parametrize("command", ["crawl", "discover", "ingest"])
def test_help_has_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert f"Example:\n\n      extractor {command} " in result.output
