"""Feeds: the feed list (YAML), RSS/Atom parsing with feedparser, and feed links found in HTML pages."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import yaml
from bs4 import BeautifulSoup

from extractor.crawl.pages import clean, primary_language, to_utc
from extractor.crawl.urls import CRAWL_PATTERNS, URLError, canonicalise, host_key
from extractor.patterns import load_yaml

FEEDS_FILE = "feeds.yaml"
FEED_LINK_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
}
BLOCK_TAGS = re.compile(r"(?i)</?(p|div|br|li|h[1-6]|blockquote|section|article)\b[^>]*>")


class FeedError(Exception):
    """A feed that cannot be read at all, or a feed list that is not a list of feeds."""


@dataclass
class FeedSource:
    """A feed to crawl: its URL, the outlet it belongs to and the language it is written in."""

    url: str
    outlet: str | None = None
    lang: str | None = None
    id: str | None = None


@dataclass
class FeedEntry:
    """One item of a feed: the article link plus what the feed says about it."""

    url: str
    title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    content: str = ""


@dataclass
class ParsedFeed:
    """A feed as parsed: title, language, entries, and warnings (malformed XML, unusable links)."""

    title: str | None
    lang: str | None
    entries: list[FeedEntry]
    warnings: list[str] = field(default_factory=list)
    version: str = ""


def feed_sources(rows: object, origin: str) -> list[FeedSource]:
    """Turn a YAML feed list (a list of mappings or URLs) into FeedSources, checking each has a URL."""
    if isinstance(rows, dict) and "feeds" in rows:
        rows = rows["feeds"]
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise FeedError(f"{origin}: expected a list of feeds, got {type(rows).__name__}")
    sources = []
    for n, row in enumerate(rows, 1):
        if isinstance(row, str):
            row = {"url": row}
        if not isinstance(row, dict) or not isinstance(row.get("url"), str):
            raise FeedError(f"{origin}: feed #{n} has no url")
        sources.append(
            FeedSource(url=row["url"].strip(), outlet=row.get("outlet"), lang=row.get("lang"), id=row.get("id"))
        )
    return sources


def load_feeds(feeds_file: str | Path | None = None) -> list[FeedSource]:
    """The feeds of a YAML file, or of the packaged `patterns/feeds.yaml` when no file is given."""
    if feeds_file is None:
        return feed_sources(load_yaml(FEEDS_FILE), FEEDS_FILE)
    path = Path(feeds_file)
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FeedError(f"{path}: no such feeds file") from exc
    except yaml.YAMLError as exc:
        raise FeedError(f"{path}: not valid YAML: {exc}") from exc
    return feed_sources(rows, str(path))


def struct_to_utc(value: object) -> str | None:
    """feedparser's parsed UTC time tuple as an ISO 8601 UTC timestamp."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return moment.isoformat(timespec="seconds")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by a blank line."""
    if not html.strip():
        return ""
    marked = BLOCK_TAGS.sub("\n\n", html)
    text = BeautifulSoup(marked, "lxml").get_text()
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def parse_feed(content: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse RSS 0.9x/1.0/2.0 or Atom; links resolved against the feed URL; malformed XML is a warning."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(content, response_headers=headers)
    except Exception as exc:  # noqa: BLE001 - feedparser is lenient; whatever escapes it means "not a feed"
        raise FeedError(f"not a feed: {type(exc).__name__}: {exc}") from exc
    warnings = []
    if parsed.bozo:
        reason = clean(str(parsed.get("bozo_exception", ""))) or "malformed feed"
        if not parsed.entries and not parsed.get("version"):
            raise FeedError(f"not a feed: {reason}")
        warnings.append(f"malformed feed, parsed as far as possible: {reason}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS or Atom feed")
    entries = []
    for n, item in enumerate(parsed.entries, 1):
        link = item.get("link") or next((ln.get("href") for ln in item.get("links", []) if ln.get("href")), None)
        if not link:
            warnings.append(f"entry #{n} has no link: skipped")
            continue
        try:
            link = canonicalise(link, base=url)
        except URLError as exc:
            warnings.append(f"entry #{n}: {exc}: skipped")
            continue
        content_html = item["content"][0].get("value", "") if item.get("content") else item.get("summary", "")
        authors = [a.get("name") for a in item.get("authors", []) if isinstance(a, dict) and a.get("name")]
        if not authors and item.get("author"):
            authors = [item["author"]]
        entries.append(
            FeedEntry(
                url=link,
                title=clean(item.get("title")),
                published_at=struct_to_utc(item.get("published_parsed") or item.get("updated_parsed"))
                or to_utc(item.get("published")),
                authors=[clean(a) for a in authors if clean(a)],
                tags=[t.get("term") for t in item.get("tags", []) if t.get("term")],
                content=html_to_text(content_html or ""),
            )
        )
    feed = parsed.get("feed", {})
    return ParsedFeed(
        title=clean(feed.get("title")),
        lang=primary_language(feed.get("language")),
        entries=entries,
        warnings=warnings,
        version=parsed.get("version", ""),
    )


def feed_links(html: str, base: str) -> list[str]:
    """Feed URLs announced by a page's `<link rel="alternate">` tags, resolved and deduplicated."""
    soup = BeautifulSoup(html, "lxml")
    found = []
    for link in soup.find_all("link", href=True):
        rels = [r.lower() for r in (link.get("rel") or [])]
        if "alternate" in rels and (link.get("type") or "").split(";")[0].strip().lower() in FEED_LINK_TYPES:
            try:
                found.append(canonicalise(link["href"], base=base))
            except URLError:
                continue
    return list(dict.fromkeys(found))


def guessed_feed_urls(url: str) -> list[str]:
    """The common feed paths of a site, to try when its pages announce no feed."""
    root = host_key(url)
    return [root + path for path in load_yaml(CRAWL_PATTERNS)["feed_paths"]]


def append_feeds(feeds_file: str | Path, sources: list[FeedSource]) -> list[FeedSource]:
    """Append feeds not yet listed to a YAML feeds file (keeping its comments); return those added."""
    path = Path(feeds_file)
    if path.exists() and not isinstance(yaml.safe_load(path.read_text(encoding="utf-8")) or [], list):
        raise FeedError(f"{path}: can only add feeds to a file that is a YAML list")
    existing = load_feeds(path) if path.exists() else []
    known = {s.url for s in existing}
    known_ids = {s.id for s in existing if s.id}
    added = []
    for source in sources:
        if source.url in known:
            continue
        base_id = source.id or re.sub(r"[^a-z0-9]+", "-", (source.outlet or source.url).lower()).strip("-")
        feed_id, n = base_id, 2
        while feed_id in known_ids:
            feed_id, n = f"{base_id}-{n}", n + 1
        known_ids.add(feed_id)
        known.add(source.url)
        added.append(FeedSource(url=source.url, outlet=source.outlet, lang=source.lang, id=feed_id))
    if added:
        rows = [
            {k: v for k, v in {"id": s.id, "outlet": s.outlet, "url": s.url, "lang": s.lang}.items() if v}
            for s in added
        ]
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + yaml.safe_dump(rows, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return added
