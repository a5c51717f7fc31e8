"""The bundled sample news site: files up to date, pages extract cleanly, candles agree with the claims."""

from __future__ import annotations

import csv
import filecmp
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.robotparser import RobotFileParser

import feedparser
import pytest

from extractor.demo import build_candles, build_site
from extractor.demo.build_site import CANONICAL, ORIGIN, SITE_DIR, enrich, load_articles, page_file
from extractor.document import from_html

DATA = load_articles()
ARTICLES = enrich(load_articles())
TOLERANCE = 0.01


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET a URL; return status, headers and body (HTTP errors are answers too)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def tree(root: Path, skip: str = "data") -> list[Path]:
    """Every file under root, relative, except under `skip`."""
    files = (p.relative_to(root) for p in root.rglob("*") if p.is_file())
    return sorted(p for p in files if p.parts[0] != skip)


def test_committed_site_is_what_the_builder_renders(tmp_path: Path) -> None:
    written = build_site.render_site(tmp_path)
    assert sorted(written) == tree(tmp_path)
    assert tree(tmp_path) == tree(SITE_DIR)
    mismatch = [str(p) for p in tree(tmp_path) if not filecmp.cmp(tmp_path / p, SITE_DIR / p, shallow=False)]
    assert mismatch == [], "run `python -m extractor.demo.build_site` and commit the result"


def test_committed_candles_are_what_the_builder_writes(tmp_path: Path) -> None:
    written = build_candles.build_files(build_candles.load_prices(), tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted(p.name for p in (SITE_DIR / "data").glob("*.csv"))
    assert len(names) == 10
    mismatch = [n for n in names if not filecmp.cmp(tmp_path / n, SITE_DIR / "data" / n, shallow=False)]
    assert mismatch == [], "run `python -m extractor.demo.build_candles` and commit the result"


def test_the_site_has_the_promised_shape() -> None:
    kinds = Counter(a["kind"] for a in ARTICLES)
    assert len(ARTICLES) == 28
    assert set(kinds) == {"wordpress", "jsonld", "amp", "split"} and min(kinds.values()) == 7
    days = sorted({a["published"][:10] for a in ARTICLES})
    assert days[0] == "2024-03-05" and days[-1] == "2024-04-14" and len(days) == 25
    assert len({a["id"] for a in ARTICLES}) == len({a["path"] for a in ARTICLES}) == 28


def test_each_analyst_of_the_cast_is_quoted_in_several_crawlable_articles() -> None:
    crawlable = [a for a in ARTICLES if a["id"] != DATA["robots_disallowed"]]
    for person in DATA["cast"]:
        introduced = [a["id"] for a in crawlable if f"{person['name']}, " in " ".join(a["paragraphs"])]
        assert len(introduced) >= 7, (person["name"], introduced)
        founder = person["title"] == "co-founder"
        titled = "co-founder of" if founder else f"{person['title']} at {person['org']}"
        assert all(titled in " ".join(a["paragraphs"]) for a in crawlable if a["id"] in introduced), person


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_page_extracts_to_its_headline_and_paragraphs_only(article: dict) -> None:
    html = (SITE_DIR / page_file(article["path"])).read_text(encoding="utf-8")
    document = from_html(html, source=article["path"], url=article["url"])
    wordpress = article["kind"] == "wordpress"
    plain = [p.removeprefix("> ") for p in article["paragraphs"]]
    paragraphs = article["paragraphs_typo"] if wordpress else plain
    assert document.title in (article["title"], article["title_typo"])
    assert document.text.split("\n")[2:] == paragraphs
    assert document.published == article["published"][:10]
    assert "Advertisement" not in document.text and "Related" not in document.text


def test_site_server_rewrites_links_and_serves_every_feed_entry() -> None:
    from extractor.demo.server import SiteServer

    with SiteServer() as site:
        entries = []
        for outlet in DATA["outlets"].values():
            status, headers, body = fetch(site.url(outlet["feed"]["path"]))
            assert status == 200 and ORIGIN.encode() not in body
            assert headers["Content-Type"].startswith(("application/rss+xml", "application/atom+xml"))
            parsed = feedparser.parse(body)
            assert not parsed.bozo, parsed.get("bozo_exception")
            entries += [entry.link for entry in parsed.entries]
        assert sorted(entries) == sorted(site.url(a["path"]) for a in ARTICLES)
        canonical = {site.url(a["path"]): CANONICAL + a["path"] for a in ARTICLES}
        for link in entries:
            status, headers, body = fetch(link)
            assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
            assert f'<link rel="canonical" href="{canonical[link]}"'.encode() in body  # whatever the port
            assert ORIGIN.encode() not in body


def test_robots_txt_keeps_exactly_one_listed_article_out() -> None:
    from extractor.demo.server import SiteServer

    with SiteServer() as site:
        status, _, body = fetch(site.url("/robots.txt"))
        robots = RobotFileParser()
        robots.parse(body.decode().splitlines())
        blocked = [a["id"] for a in ARTICLES if not robots.can_fetch("extractor/0.1", site.url(a["path"]))]
    assert status == 200
    assert blocked == [DATA["robots_disallowed"]]


def test_site_server_answers_conditional_requests_redirects_and_refuses_escapes() -> None:
    from extractor.demo.server import SiteServer

    with SiteServer() as site:
        status, headers, _ = fetch(site.url("/blockside/rss.xml"))
        assert status == 200
        assert fetch(site.url("/blockside/rss.xml"), {"If-None-Match": headers["ETag"]})[0] == 304
        since = {"If-Modified-Since": headers["Last-Modified"]}
        assert fetch(site.url("/blockside/rss.xml"), since)[0] == 304
        request = urllib.request.Request(site.url("/ledgerline/feed"))
        with urllib.request.urlopen(request, timeout=5) as response:  # follows the 301 to /ledgerline/feed/
            assert response.url == site.url("/ledgerline/feed/")
        assert fetch(site.url("/../pyproject.toml"))[0] == 404
        assert fetch(site.url("/%2e%2e/%2e%2e/build_site.py"))[0] == 404
        assert fetch(site.url("/no/such/page.html"))[0] == 404
    assert [r.status for r in site.requests] == [200, 304, 304, 301, 200, 404, 404, 404]


def test_a_busy_port_moves_the_site_to_the_next_free_one() -> None:
    from extractor.demo.server import SiteServer, free_port

    with SiteServer(port=0) as first:
        second = SiteServer(port=first.port).start()
        try:
            assert second.moved and second.requested_port == first.port and second.port > first.port
            assert fetch(second.url("/robots.txt"))[0] == 200
        finally:
            second.stop()
    assert free_port(port=second.port) == second.port  # released


def read_candles(symbol: str) -> list[tuple[datetime, float, float]]:
    """(open time, high, low) of every committed hourly candle of a symbol."""
    rows = []
    for path in sorted((SITE_DIR / "data").glob(f"{symbol}-1h-*.csv")):
        with path.open() as fh:
            for row in csv.reader(fh):
                rows.append((datetime.fromtimestamp(int(row[0]) / 1000, UTC), float(row[2]), float(row[3])))
    return rows


CLAIMS = [(a["id"], claim) for a in ARTICLES for claim in a["claims"]]


@pytest.mark.parametrize("article_id,claim", CLAIMS, ids=[f"{i}-{c['asset']}-{c['usd']}" for i, c in CLAIMS])
def test_candles_agree_with_the_annotated_claims(article_id: str, claim: dict) -> None:
    start, end = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in claim["window"])
    candles = read_candles(claim["asset"] + "USDT")
    window = [(h, lo) for t, h, lo in candles if t < end and t + timedelta(hours=1) > start]
    assert len(window) >= (end - start) / timedelta(hours=1)
    high, low, usd = max(h for h, _ in window), min(lo for _, lo in window), claim["usd"]
    if claim["type"] in ("extreme", "move_end"):
        actual = low if claim["direction"] == "down" else high
        agrees = abs(usd - actual) / actual <= TOLERANCE
    elif claim["type"] == "level":
        agrees = low * (1 - TOLERANCE) <= usd <= high * (1 + TOLERANCE)
    else:
        agrees = low < usd if claim["direction"] == "down" else high > usd
    assert agrees == (claim["expect"] == "consistent"), (high, low)


def test_a_few_claims_are_deliberately_wrong() -> None:
    off = sorted((i, c["asset"], c["usd"]) for i, c in CLAIMS if c["expect"] == "off")
    assert off == [
        ("chainbrief-ether-climbs-above-4000", "ETH", 4250),
        ("chainbrief-markets-steady", "BTC", 58200),
        ("ledgerline-futures-fell-below-spot", "BTC", 57900),
    ]
