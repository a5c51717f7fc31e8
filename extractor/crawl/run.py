"""The crawl: feeds, then their article pages, into SQLite; every outcome in `fetch_log`."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils
from tqdm import tqdm

from extractor.crawl.feeds import (
    FEEDS_FILE,
    FeedEntry,
    FeedError,
    FeedSource,
    ParsedFeed,
    append_feeds,
    feed_links,
    feed_sources,
    guessed_feed_urls,
    load_feeds,
    parse_feed,
)
from extractor.crawl.fetch import (
    HTML_TYPES,
    RETRY_STATUSES,
    Attempt,
    Fetcher,
    FetchError,
    FetchSettings,
    Response,
    host_of,
)
from extractor.crawl.pages import (
    Page,
    PageError,
    decode_page,
    extract_page,
    has_time,
    join_text,
    read_metadata,
)
from extractor.crawl.store import ArticleRecord, known_url, open_store, save_article, utc_now
from extractor.crawl.urls import URLError, canonicalise
from extractor.patterns import patterns_dir

# Failures worth another try on the next run: the feed's validators are not saved while any remain.
TRANSIENT_OUTCOMES = {"timeout", "network-error", "host-unreachable"}


@dataclass
class CrawlSummary:
    """What a crawl did, counted; `str()` gives the one-line summary."""

    feeds_read: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_skipped: int = 0
    articles_failed: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"feeds: {self.feeds_read} read, {self.feeds_not_modified} not modified, "
            f"{self.feeds_failed} failed; "
            f"articles: {self.articles_new} new, {self.articles_updated} updated, "
            f"{self.articles_unchanged} unchanged, {self.articles_skipped} skipped, "
            f"{self.articles_failed} failed ({self.seconds:.1f} s)"
        )


@dataclass
class FeedContext:
    """What a feed lends its articles: its row id, the outlet named in the feed list, the feed's language."""

    feed_id: int
    outlet: str | None
    fallback_outlet: str | None
    lang: str | None


class Crawler:
    """One crawl run: a database, a polite fetcher, and the run's counters."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        fetcher: Fetcher,
        refresh: bool = False,
        max_articles: int | None = None,
        bar: tqdm | None = None,
    ) -> None:
        self.db = db
        self.fetcher = fetcher
        self.refresh = refresh
        self.max_articles = max_articles
        self.bar = bar
        self.summary = CrawlSummary()
        self.claimed: set[str] = set()
        self.fetched = 0

    def log(
        self,
        url: str,
        kind: str,
        status: int | None,
        outcome: str,
        message: str = "",
        elapsed_ms: int = 0,
        attempt: int = 1,
    ) -> None:
        """Add one row to `fetch_log`."""
        # Plain SQL: sqlite-utils' insert inspects the table on every call, and this runs per fetch.
        with self.db.atomic():
            self.db.execute(
                "insert into fetch_log (at, url, kind, status, outcome, message, elapsed_ms, attempt) "
                "values (?, ?, ?, ?, ?, ?, ?, ?)",
                [utc_now(), url, kind, status, outcome, message, elapsed_ms, attempt],
            )

    def log_attempt(self, attempt: Attempt) -> None:
        """The fetcher's retries and robots.txt reads, into `fetch_log`."""
        self.log(
            attempt.url,
            attempt.kind,
            attempt.status,
            attempt.outcome,
            attempt.message,
            attempt.elapsed_ms,
            attempt.attempt,
        )

    def feed_row(self, source: FeedSource) -> dict:
        """The `feeds` row of a source, created on first sight; outlet and language follow the feed list."""
        table = self.db["feeds"]
        rows = list(table.rows_where("url = ?", [source.url]))
        if rows:
            row = rows[0]
            changes = {k: v for k, v in (("outlet", source.outlet), ("lang", source.lang)) if v and row[k] != v}
            if changes:
                table.update(row["id"], changes)
                row.update(changes)
            return row
        row_id = table.insert(
            {"url": source.url, "outlet": source.outlet, "lang": source.lang, "added_at": utc_now()}
        ).last_pk
        return table.get(row_id)

    async def crawl_feed(self, source: FeedSource) -> None:
        """Read one feed (conditional GET) and crawl its entries; save its validators once all are handled."""
        row = self.feed_row(source)
        headers = {}
        if not self.refresh:
            if row.get("etag"):
                headers["If-None-Match"] = row["etag"]
            if row.get("last_modified"):
                headers["If-Modified-Since"] = row["last_modified"]
        try:
            response = await self.fetcher.get(source.url, "feed", headers=headers)
            parsed = (
                None
                if response.status == 304
                else parse_feed(response.content, response.url, response.headers.get("content-type"))
            )
        except (FetchError, FeedError) as exc:
            status = getattr(exc, "status", None)
            outcome = getattr(exc, "outcome", "not-a-feed")
            self.log(
                source.url,
                "feed",
                status,
                "failed",
                f"{outcome}: {exc}",
                getattr(exc, "elapsed_ms", 0),
                getattr(exc, "attempts", 1),
            )
            self.db["feeds"].update(
                row["id"],
                {
                    "last_fetched_at": utc_now(),
                    "last_status": status,
                    "last_outcome": "failed",
                    "last_message": str(exc),
                },
            )
            self.summary.feeds_failed += 1
            return
        if parsed is None:
            self.log(source.url, "feed", 304, "not-modified", "", response.elapsed_ms, response.attempts)
            self.db["feeds"].update(
                row["id"],
                {
                    "last_fetched_at": utc_now(),
                    "last_status": 304,
                    "last_outcome": "not-modified",
                    "last_message": None,
                },
            )
            self.summary.feeds_not_modified += 1
            return
        message = f"{len(parsed.entries)} entries" + "".join(f"; warning: {w}" for w in parsed.warnings)
        self.log(source.url, "feed", response.status, "read", message, response.elapsed_ms, response.attempts)
        self.summary.feeds_read += 1
        if self.bar is not None:
            self.bar.total = (self.bar.total or 0) + len(parsed.entries)
            self.bar.refresh()
        context = FeedContext(
            feed_id=row["id"],
            outlet=source.outlet or row.get("outlet"),
            fallback_outlet=parsed.title or host_of(source.url),
            lang=source.lang or row.get("lang") or parsed.lang,
        )
        done = await asyncio.gather(*(self.crawl_entry(entry, context) for entry in parsed.entries))
        changes = {
            "last_fetched_at": utc_now(),
            "last_status": response.status,
            "title": parsed.title,
            "last_outcome": "read",
            "last_message": message,
        }
        if all(done):
            # Only a feed whose every entry was handled may answer 304 next time, or entries would be lost.
            changes.update(etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"))
        else:
            changes["last_outcome"] = "incomplete"
        self.db["feeds"].update(row["id"], changes)

    async def crawl_entry(self, entry: FeedEntry, context: FeedContext) -> bool:
        """Fetch and store one article; False when it should be tried again on a later run."""
        try:
            if entry.url in self.claimed:
                self.summary.articles_skipped += 1
                return True
            self.claimed.add(entry.url)
            if not self.refresh and known_url(self.db, entry.url):
                self.summary.articles_skipped += 1
                return True
            if self.max_articles is not None and self.fetched >= self.max_articles:
                return False
            self.fetched += 1
            return await self.fetch_article(entry, context)
        finally:
            if self.bar is not None:
                self.bar.update(1)

    async def fetch_article(self, entry: FeedEntry, context: FeedContext) -> bool:
        """Fetch, extract and store one page; the feed's own content stands in when the page has no body."""
        try:
            response = await self.fetcher.get(entry.url, "page", accept=HTML_TYPES)
        except FetchError as exc:
            self.log(entry.url, "page", exc.status, exc.outcome, exc.message, exc.elapsed_ms, exc.attempts)
            if exc.outcome == "disallowed":
                self.summary.articles_skipped += 1  # robots.txt said no: a choice honoured, not a failure
            else:
                self.summary.articles_failed += 1
            return not is_transient(exc)
        html, warnings = decode_page(response.content, response.charset)
        if response.redirects:
            warnings.append(f"redirected to {response.url}")
        try:
            page = extract_page(html, response.url)
            record = self.record_from_page(page, entry)
        except PageError as exc:
            if not entry.content:
                return self.page_failed(entry.url, response, "no-text", f"{exc}; the feed entry has none either")
            warnings.append(f"{exc}: the feed entry's content was stored instead")
            record = self.record_from_entry(entry, html, response.url)
        except Exception as exc:  # noqa: BLE001 - one odd page must not stop the crawl
            return self.page_failed(entry.url, response, "failed", f"extraction failed: {type(exc).__name__}: {exc}")
        record.outlet = context.outlet or record.outlet or context.fallback_outlet
        record.lang = record.lang or context.lang
        record.feed_id = context.feed_id
        record.html = html
        with self.db.atomic():
            outcome, article_id = save_article(self.db, record)
            self.log(
                entry.url,
                "page",
                response.status,
                outcome,
                "; ".join([f"article {article_id}", *warnings]),
                response.elapsed_ms,
                response.attempts,
            )
        counter = f"articles_{outcome}"
        setattr(self.summary, counter, getattr(self.summary, counter) + 1)
        return True

    def page_failed(self, url: str, response: Response, outcome: str, message: str) -> bool:
        """Log a fetched page that gave no article; True: trying again later would not help."""
        self.log(url, "page", response.status, outcome, message, response.elapsed_ms, response.attempts)
        self.summary.articles_failed += 1
        return True

    @staticmethod
    def record_from_page(page: Page, entry: FeedEntry) -> ArticleRecord:
        """An article from an extracted page, with the feed entry filling what the page leaves out."""
        title = page.title or entry.title
        published = page.published_at if has_time(page.published_at) else (entry.published_at or page.published_at)
        return ArticleRecord(
            url=entry.url,
            text=join_text(title, page.body),
            canonical_url=page.canonical_url or canonical_or_none(page.url),
            outlet=page.site_name,
            title=title,
            authors=page.authors or entry.authors,
            published_at=published,
            lang=page.lang,
            tags=page.tags or entry.tags,
            source="crawl",
        )

    @staticmethod
    def record_from_entry(entry: FeedEntry, html: str, final_url: str) -> ArticleRecord:
        """An article from the feed entry alone (the page had no article body), metadata from the page."""
        meta = read_metadata(html, final_url)
        title = entry.title or meta.get("title")
        return ArticleRecord(
            url=entry.url,
            text=join_text(title, entry.content),
            canonical_url=meta.get("canonical_url") or canonical_or_none(final_url),
            outlet=meta.get("site_name"),
            title=title,
            authors=entry.authors or meta.get("authors") or [],
            published_at=entry.published_at or meta.get("published_at"),
            lang=meta.get("lang"),
            tags=entry.tags or meta.get("tags") or [],
            source="crawl",
        )


def is_transient(exc: FetchError) -> bool:
    """Timeouts, network errors, 429 and 5xx may go away; 404, robots and wrong types will not."""
    return exc.outcome in TRANSIENT_OUTCOMES or (exc.outcome == "http-error" and (exc.status or 0) in RETRY_STATUSES)


def canonical_or_none(url: str) -> str | None:
    """The canonical spelling of a URL, or None when it has none."""
    try:
        return canonicalise(url)
    except URLError:
        return None


def resolve_sources(feeds: Sequence[str | dict] | None, feeds_file: str | Path | None) -> list[FeedSource]:
    """The feeds given plus those of the feeds file; the packaged list when neither is given."""
    sources: list[FeedSource] = []
    if feeds:
        sources += feed_sources(list(feeds), "--feed")
    if feeds_file is not None:
        sources += load_feeds(feeds_file)
    if not feeds and feeds_file is None:
        sources = load_feeds()
    unique: dict[str, FeedSource] = {}
    for source in sources:
        try:
            source.url = canonicalise(source.url)
        except URLError as exc:
            raise FeedError(str(exc)) from exc
        unique.setdefault(source.url, source)
    return list(unique.values())


def run_crawl(
    db_path: str | Path,
    feeds: Sequence[str | dict] | None = None,
    feeds_file: str | Path | None = None,
    delay: float = 1.0,
    concurrency: int = 8,
    max_articles: int | None = None,
    refresh: bool = False,
    progress: bool | None = None,
    settings: FetchSettings | None = None,
) -> CrawlSummary:
    """Crawl feeds (URLs or {url, outlet, lang}) and their articles into `db_path`."""
    sources = resolve_sources(feeds, feeds_file)
    settings = replace(settings or FetchSettings(), delay=delay, concurrency=concurrency)
    if progress is None:
        progress = sys.stderr.isatty()
    db = open_store(db_path)
    started = time.monotonic()
    bar = tqdm(total=0, unit="article", desc="crawl", file=sys.stderr) if progress else None
    try:
        summary = asyncio.run(crawl_sources(db, sources, settings, refresh, max_articles, bar))
    finally:
        if bar is not None:
            bar.close()
        db.close()
    summary.seconds = time.monotonic() - started
    return summary


async def crawl_sources(
    db: sqlite_utils.Database,
    sources: list[FeedSource],
    settings: FetchSettings,
    refresh: bool,
    max_articles: int | None,
    bar: tqdm | None,
) -> CrawlSummary:
    """Crawl every feed concurrently under one fetcher (its limits are shared by all feeds)."""
    crawler: Crawler | None = None
    fetcher = Fetcher(settings, log=lambda attempt: crawler.log_attempt(attempt) if crawler else None)
    async with fetcher:
        crawler = Crawler(db, fetcher, refresh=refresh, max_articles=max_articles, bar=bar)
        await asyncio.gather(*(crawler.crawl_feed(source) for source in sources))
    return crawler.summary


def default_feeds_file() -> Path:
    """The feeds file `extractor discover` adds to when none is named: the project's `patterns/feeds.yaml`."""
    return patterns_dir() / FEEDS_FILE


def discover_feeds(
    url: str, feeds_file: str | Path | None = None, settings: FetchSettings | None = None
) -> tuple[list[FeedSource], list[FeedSource]]:
    """Find a site's feeds (rel=alternate links, else common paths) and add new ones to the feeds file.

    Returns (found, added).
    """
    url = canonicalise(url)
    found = asyncio.run(find_feeds(url, settings or FetchSettings(delay=0.0)))
    added = append_feeds(feeds_file or default_feeds_file(), found) if found else []
    return found, added


async def find_feeds(url: str, settings: FetchSettings) -> list[FeedSource]:
    """The feeds a page announces, or the first common feed path that answers with a feed."""
    async with Fetcher(settings) as fetcher:
        response = await fetcher.get(url, "page")
        feed = try_parse(response)
        if feed is not None:
            return [FeedSource(url=canonicalise(response.url), outlet=feed.title, lang=feed.lang)]
        html, _ = decode_page(response.content, response.charset)
        meta = read_metadata(html, response.url)
        outlet = meta.get("site_name")
        candidates = feed_links(html, response.url)
        found = []
        for candidate in candidates or guessed_feed_urls(response.url):
            try:
                feed = try_parse(await fetcher.get(candidate, "feed"))
            except FetchError:
                continue
            if feed is not None:
                found.append(
                    FeedSource(
                        url=candidate,
                        outlet=outlet or feed.title or host_of(url),
                        lang=feed.lang or meta.get("lang"),
                    )
                )
                if not candidates:
                    break
        return found


def try_parse(response: Response) -> ParsedFeed | None:
    """The response parsed as a feed, or None when it is not one."""
    if response.status != 200 or "html" in response.content_type:
        return None
    try:
        return parse_feed(response.content, response.url, response.headers.get("content-type"))
    except FeedError:
        return None
