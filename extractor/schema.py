"""The one place that defines every table: created and migrated with sqlite-utils.

Each table is a column map; `ensure_schema` creates missing tables and adds missing columns, so a
database made by an older version is migrated in place rather than rebuilt.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

DEFAULT_DB = Path("db") / "news.db"
SCHEMA_VERSION = 1


def _fact_table(columns: dict, foreign_keys: list[tuple[str, str, str]] | None = None) -> dict:
    """A fact table: its article, run, outlet and date, its own columns, then the words and offsets."""
    return {
        "columns": {
            "id": int, "article_id": int, "run_id": int, "outlet": str, "published_at": str, **columns,
            "text": str, "sentence": str, "start": int, "end": int,
        },
        "pk": "id",
        "not_null": {"article_id"},
        "foreign_keys": [("article_id", "articles", "id"), ("run_id", "runs", "id"), *(foreign_keys or [])],
    }


TABLES: dict[str, dict] = {
    "feeds": {
        "columns": {
            "id": int, "url": str, "outlet": str, "lang": str, "title": str, "etag": str,
            "last_modified": str, "last_fetched_at": str, "last_status": int, "added_at": str,
            "last_outcome": str, "last_message": str,
        },
        "pk": "id",
        "not_null": {"url"},
        "unique": [["url"]],
    },
    "articles": {
        "columns": {
            "id": int, "url": str, "canonical_url": str, "outlet": str, "title": str, "authors": str,
            "published_at": str, "fetched_at": str, "lang": str, "tags": str, "text": str,
            "html": bytes, "content_hash": str, "revision": int, "feed_id": int, "source": str,
        },
        "pk": "id",
        "not_null": {"url"},
        "unique": [["url"]],
        "foreign_keys": [("feed_id", "feeds", "id")],
    },
    # Earlier versions of an article whose content changed: the articles row always holds the latest.
    "article_revisions": {
        "columns": {
            "id": int, "article_id": int, "revision": int, "url": str, "canonical_url": str, "title": str,
            "authors": str, "published_at": str, "fetched_at": str, "text": str, "html": bytes,
            "content_hash": str, "replaced_at": str,
        },
        "pk": "id",
        "not_null": {"article_id", "revision"},
        "unique": [["article_id", "revision"]],
        "foreign_keys": [("article_id", "articles", "id")],
    },
    "fetch_log": {
        "columns": {
            "id": int, "at": str, "url": str, "kind": str, "status": int, "outcome": str,
            "message": str, "elapsed_ms": int, "attempt": int,
        },
        "pk": "id",
    },
    "runs": {
        "columns": {
            "id": int, "started_at": str, "finished_at": str, "status": str, "pipeline_version": str,
            "code_version": str, "patterns_hash": str, "model": str, "workers": int, "articles": int,
            "liquidations": int, "price_moves": int, "exchange_mentions": int, "quotes": int,
            "provider_mentions": int, "errors": int,
        },
        "pk": "id",
    },
    "extractions": {
        "columns": {
            "article_id": int, "run_id": int, "pipeline_version": str, "content_hash": str,
            "extracted_at": str, "facts": int, "error": str,
        },
        "pk": "article_id",
        "foreign_keys": [("article_id", "articles", "id"), ("run_id", "runs", "id")],
    },
    "organizations": {
        "columns": {
            "id": int, "name": str, "name_key": str, "quote_count": int, "people_count": int,
            "first_quoted_at": str, "last_quoted_at": str,
        },
        "pk": "id",
        "not_null": {"name", "name_key"},
    },
    "people": {
        "columns": {
            "id": int, "name": str, "name_key": str, "quote_count": int, "latest_title": str,
            "latest_org": str, "roles": str, "first_quoted_at": str, "last_quoted_at": str,
        },
        "pk": "id",
        "not_null": {"name", "name_key"},
    },
    "liquidations": _fact_table({
        "event_date": str, "time_phrase": str, "amount_usd": float, "side": str, "exchange": str,
        "asset": str,
    }),
    "price_moves": _fact_table({
        "event_date": str, "time_phrase": str, "asset": str, "direction": str, "pct": float,
        "from_usd": float, "to_usd": float, "price_usd": float, "change_usd": float, "figures": str,
    }),
    "exchange_mentions": _fact_table({"exchange": str, "mentions": int}),
    "provider_mentions": _fact_table({"provider": str, "mentions": int}),
    "quotes": _fact_table(
        {"person_id": int, "organization_id": int, "speaker": str, "title": str, "org": str},
        [("person_id", "people", "id"), ("organization_id", "organizations", "id")],
    ),
    # Exchange price data: one row per candle of a series (exchange, market, symbol, interval).
    "candles": {
        "columns": {
            "exchange": str, "market": str, "symbol": str, "interval": str, "open_time": str,
            "open": float, "high": float, "low": float, "close": float, "volume": float,
            "source": str, "imported_at": str,
        },
        "pk": ("exchange", "market", "symbol", "interval", "open_time"),
        "not_null": {"exchange", "market", "symbol", "interval", "open_time"},
    },
    # Reference daily liquidations as data providers export them (exchange "all" for a market total).
    "liquidation_reference": {
        "columns": {
            "date": str, "exchange": str, "long_usd": float, "short_usd": float, "total_usd": float,
            "source": str, "imported_at": str,
        },
        "pk": ("date", "exchange"),
        "not_null": {"date", "exchange"},
    },
    # `extractor compare`: each reported figure against what the exchange data show over its window.
    "comparisons": {
        "columns": {
            "id": int, "fact": str, "fact_id": int, "article_id": int, "asset": str, "figure_usd": float,
            "figure_low_usd": float, "figure_high_usd": float, "figure_text": str, "figure_start": int,
            "figure_end": int, "kind": str, "direction": str,
            "reported_venue": str, "reported_market": str, "sentence": str, "published_at": str,
            "time_phrase": str, "window_start": str, "window_end": str, "window_basis": str,
            "exchange": str, "market": str, "symbol": str, "interval": str, "candles": int,
            "actual_open": float, "actual_high": float, "actual_low": float, "actual_close": float,
            "figure_pct": float, "actual_change_pct": float, "reference_pct": float, "reference_usd": float,
            "deviation_pct": float, "tolerance_pct": float, "verdict": str,
            "venue_mismatch": int, "note": str, "compared_at": str,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
    },
}

INDEXES: list[tuple[str, list[str]]] = [
    ("articles", ["canonical_url"]),
    ("articles", ["published_at"]),
    ("articles", ["content_hash"]),
    ("fetch_log", ["url"]),
    ("extractions", ["pipeline_version"]),
    ("people", ["name_key"]),
    ("organizations", ["name_key"]),
    ("liquidations", ["article_id"]),
    ("liquidations", ["event_date"]),
    ("liquidations", ["amount_usd"]),
    ("price_moves", ["article_id"]),
    ("price_moves", ["asset"]),
    ("exchange_mentions", ["article_id"]),
    ("exchange_mentions", ["exchange"]),
    ("provider_mentions", ["article_id"]),
    ("quotes", ["article_id"]),
    ("quotes", ["person_id"]),
    ("quotes", ["organization_id"]),
    ("candles", ["symbol", "interval", "open_time"]),
    ("comparisons", ["article_id"]),
    ("comparisons", ["verdict"]),
]

# Full-text search: (table, columns); sqlite-utils keeps the index current with triggers.
FTS: list[tuple[str, list[str]]] = [
    ("articles", ["title", "text"]),
    ("quotes", ["text", "speaker", "title", "org"]),
]

# Tables that hold one row per extracted fact, each tied to an article and a run.
FACT_TABLES = ("liquidations", "price_moves", "exchange_mentions", "provider_mentions", "quotes")


def connect(path: str | Path = DEFAULT_DB, timeout: float = 30.0) -> sqlite_utils.Database:
    """Open (creating folder and file as needed) a database in WAL mode with foreign keys on."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, add missing columns and indexes; never drops anything."""
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(
                spec["columns"],
                pk=spec.get("pk"),
                not_null=spec.get("not_null"),
                foreign_keys=spec.get("foreign_keys"),
            )
            for columns in spec.get("unique", []):
                table.create_index(columns, unique=True, if_not_exists=True)
        else:
            missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
            for column, col_type in missing.items():
                table.add_column(column, col_type)
    for table_name, columns in INDEXES:
        db[table_name].create_index(columns, if_not_exists=True)
    for table_name, columns in FTS:
        if not db[table_name].detect_fts():
            db[table_name].enable_fts(columns, create_triggers=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
