"""Articles into SQLite: one row per article, deduplicated by URL, earlier contents kept as revisions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from extractor.schema import connect

REVISION_COLUMNS = (
    "url",
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "fetched_at",
    "text",
    "html",
    "content_hash",
)


@dataclass
class ArticleRecord:
    """An article ready to store; `text` is the headline, a blank line, then the body."""

    url: str
    text: str
    canonical_url: str | None = None
    outlet: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    lang: str | None = None
    tags: list[str] = field(default_factory=list)
    html: str | None = None
    feed_id: int | None = None
    source: str | None = None
    fetched_at: str | None = None


def open_store(db_path: str | Path) -> sqlite_utils.Database:
    """The database, with commits that survive a killed process without waiting for the disk each time."""
    db = connect(db_path)
    # In WAL mode NORMAL loses no committed transaction when the process dies, only on power loss.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def utc_now() -> str:
    """The current time as an ISO 8601 UTC timestamp."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def content_hash(text: str) -> str:
    """The SHA-256 of the stored text: what decides whether an article changed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compress_html(html: str | None) -> bytes | None:
    """The page's HTML, zlib-compressed (read back with `zlib.decompress(...).decode()`)."""
    return zlib.compress(html.encode("utf-8"), 6) if html else None


def find_article(db: sqlite_utils.Database, *urls: str | None) -> dict | None:
    """The stored article reached by any of these URLs (as its url or canonical_url), or None."""
    keys = sorted({u for u in urls if u})
    if not keys:
        return None
    marks = ", ".join("?" for _ in keys)
    cursor = db.execute(
        f"select * from articles where url in ({marks}) or canonical_url in ({marks}) order by id limit 1",
        [*keys, *keys],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def known_url(db: sqlite_utils.Database, url: str) -> bool:
    """True when an article was already stored under this URL or canonical URL."""
    return find_article(db, url) is not None


def save_article(db: sqlite_utils.Database, record: ArticleRecord) -> tuple[str, int]:
    """Insert or update one article atomically; return ('new'|'updated'|'unchanged', its id)."""
    fetched_at = record.fetched_at or utc_now()
    digest = content_hash(record.text)
    row = {
        "url": record.url,
        "canonical_url": record.canonical_url or record.url,
        "outlet": record.outlet,
        "title": record.title,
        "authors": json.dumps(record.authors, ensure_ascii=False),
        "published_at": record.published_at,
        "fetched_at": fetched_at,
        "lang": record.lang,
        "tags": json.dumps(record.tags, ensure_ascii=False),
        "text": record.text,
        "html": compress_html(record.html),
        "content_hash": digest,
        "feed_id": record.feed_id,
        "source": record.source,
    }
    with db.atomic():
        existing = find_article(db, record.url, record.canonical_url)
        if existing is None:
            row["revision"] = 1
            article_id = db["articles"].insert(row).last_pk
            return "new", int(article_id)
        article_id = int(existing["id"])
        if existing["content_hash"] == digest:
            db["articles"].update(article_id, {"fetched_at": fetched_at})
            return "unchanged", article_id
        old = {c: existing[c] for c in REVISION_COLUMNS}
        db["article_revisions"].insert(
            {
                "article_id": article_id,
                "revision": existing["revision"] or 1,
                **old,
                "replaced_at": fetched_at,
            }
        )
        # The first URL an article was stored under stays its key, so links to the row do not break.
        row["url"] = existing["url"]
        row["revision"] = (existing["revision"] or 1) + 1
        if row["feed_id"] is None:
            row["feed_id"] = existing["feed_id"]
        db["articles"].update(article_id, row)
        return "updated", article_id
