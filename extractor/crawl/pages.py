"""Article pages: decode bytes, main text with trafilatura, metadata gaps filled from JSON-LD and OG."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass, field

import charset_normalizer
import trafilatura
from bs4 import BeautifulSoup, SoupStrainer

from extractor.crawl.urls import URLError, canonicalise
from extractor.document import decode_bytes, join_text

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# The WHATWG encoding standard reads these labels as windows-1252, and so do browsers.
WINDOWS_1252_LABELS = {
    "iso-8859-1",
    "iso8859-1",
    "latin1",
    "latin-1",
    "l1",
    "us-ascii",
    "ascii",
    "cp819",
    "windows-1252",
    "cp1252",
    "x-cp1252",
}
ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "liveblogposting",
}
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Only these tags hold metadata: building the rest of the tree would cost most of the time.
METADATA_TAGS = SoupStrainer(["meta", "link", "script"])
HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# Below this, what trafilatura found is page furniture (menus, footers), not an article.
MIN_BODY_CHARS = 120


class PageError(Exception):
    """A page that holds no article: no main text found."""


@dataclass
class Page:
    """An article page as stored: text is the headline, a blank line, then the body."""

    url: str
    text: str
    title: str | None = None
    body: str = ""
    canonical_url: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    lang: str | None = None
    tags: list[str] = field(default_factory=list)
    site_name: str | None = None


def decode_page(data: bytes, header_charset: str | None = None) -> tuple[str, list[str]]:
    """Decode with the header charset, else the meta tag's, else detection (latin-1 read as cp1252)."""
    declared = header_charset
    if not declared:
        match = META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", errors="ignore") if match else None
    if not declared and not is_utf8(data):
        declared = undeclared_charset(data)
    if declared and declared.strip().lower() in WINDOWS_1252_LABELS:
        declared = "cp1252"
    return decode_bytes(data, declared)


def is_utf8(data: bytes) -> bool:
    """True when the bytes are valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def undeclared_charset(data: bytes) -> str | None:
    """Detection, but windows-1252 whenever it fits as well as the best guess (browsers' default too)."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    if any(m.encoding in ("cp1252", "latin_1", "iso8859_15") and m.chaos <= best + 0.01 for m in matches):
        return "cp1252"
    return matches[0].encoding


def to_utc(value: object) -> str | None:
    """ISO 8601 in UTC (naive times taken as UTC); a bare date stays YYYY-MM-DD; None if unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if DATE_ONLY.match(text):
            return text
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def has_time(value: str | None) -> bool:
    """True for a timestamp with a time of day, False for a bare date or nothing."""
    return bool(value) and not DATE_ONLY.match(value or "")


def extract_page(html: str, url: str) -> Page:
    """Main text and metadata of an article page; raise PageError when it holds no article text."""
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    body = ((getattr(extracted, "text", None) or "") if extracted is not None else "").strip()
    if len(body) < MIN_BODY_CHARS:
        raise PageError("no article text found in the page")
    meta = read_metadata(html, url)
    page = Page(url=url, text="", body=body)
    page.title = clean(meta.get("title")) or clean(getattr(extracted, "title", None))
    page.canonical_url = meta.get("canonical_url")
    authors = meta.get("authors") or split_authors(getattr(extracted, "author", None))
    page.authors = list(dict.fromkeys(a for a in authors if a))
    page.published_at = meta.get("published_at") or to_utc(getattr(extracted, "date", None))
    page.lang = meta.get("lang") or primary_language(getattr(extracted, "language", None))
    tags = meta.get("tags") or [
        *(getattr(extracted, "tags", None) or []),
        *(getattr(extracted, "categories", None) or []),
    ]
    page.tags = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    page.site_name = meta.get("site_name") or clean(getattr(extracted, "sitename", None))
    page.text = join_text(page.title, body)
    return page


def clean(value: object) -> str | None:
    """A stripped one-line string, or None for empty values."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def split_authors(value: str | None) -> list[str]:
    """trafilatura joins authors with '; '."""
    return [a.strip() for a in (value or "").split(";") if a.strip()]


def primary_language(value: str | None) -> str | None:
    """'en-US' -> 'en'."""
    value = (value or "").strip().replace("_", "-")
    return value.split("-")[0].lower() or None


def read_metadata(html: str, url: str) -> dict:
    """Title, authors, time, canonical URL, language, tags and site name from JSON-LD, OG and meta tags."""
    soup = BeautifulSoup(html, "lxml", parse_only=METADATA_TAGS)
    meta: dict = {}
    ld = json_ld_article(soup)
    og = {
        tag.get("property", tag.get("name", "")).lower(): tag.get("content", "")
        for tag in soup.find_all("meta")
        if tag.get("content") and (tag.get("property") or tag.get("name"))
    }
    meta["title"] = clean(ld.get("headline")) or clean(og.get("og:title"))
    meta["authors"] = ld_names(ld.get("author")) or ([clean(og["author"])] if clean(og.get("author")) else [])
    published = [
        to_utc(ld.get("datePublished")),
        to_utc(og.get("article:published_time")),
        to_utc(og.get("date")),
        to_utc(ld.get("dateCreated")),
    ]
    meta["published_at"] = next((p for p in published if has_time(p)), None) or next((p for p in published if p), None)
    canonical = soup.find("link", rel=lambda rel: rel and "canonical" in rel, href=True)
    candidates = [canonical["href"] if canonical else None, og.get("og:url"), ld.get("url")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            try:
                meta["canonical_url"] = canonicalise(candidate, base=url)
                break
            except URLError:
                continue
    html_lang = HTML_LANG.search(html[:4096])
    meta["lang"] = (
        primary_language(html_lang.group(1) if html_lang else None)
        or primary_language(ld.get("inLanguage") if isinstance(ld.get("inLanguage"), str) else None)
        or primary_language(og.get("og:locale"))
    )
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    tags = [t for t in (keywords or []) if isinstance(t, str)]
    tags += [tag.get("content", "") for tag in soup.find_all("meta", property="article:tag")]
    meta["tags"] = [t.strip() for t in tags if t.strip()]
    publisher = ld.get("publisher")
    meta["site_name"] = (clean(publisher.get("name")) if isinstance(publisher, dict) else None) or clean(
        og.get("og:site_name")
    )
    return meta


def json_ld_article(soup: BeautifulSoup) -> dict:
    """The NewsArticle-like objects of the page's JSON-LD (inside @graph or lists too), merged; first wins."""
    merged: dict = {}
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                kinds = item.get("@type", [])
                kinds = [kinds] if isinstance(kinds, str) else kinds
                if any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds):
                    for key, value in item.items():
                        if value not in (None, "", [], {}):
                            merged.setdefault(key, value)
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity"))
    return merged


def ld_names(value: object) -> list[str]:
    """Names from a JSON-LD author value: a string, a Person, or a list of either."""
    if isinstance(value, str):
        return [clean(value)] if clean(value) else []
    if isinstance(value, dict):
        return [clean(value.get("name"))] if clean(value.get("name")) else []
    if isinstance(value, list):
        return [name for item in value for name in ld_names(item)]
    return []
