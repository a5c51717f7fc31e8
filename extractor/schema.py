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

TABLES: dict[str, dict] = {
    "feeds": {
        "columns": {
            "id": int, "url": str, "outlet": str, "lang": str, "title": str, "etag": str,
            "last_modified": str, "last_fetched_at": str, "last_status": int, "added_at": str,
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
    "fetch_log": {
        "columns": {
            "id": int, "at": str, "url": str, "kind": str, "status": int, "outcome": str,
            "message": str, "elapsed_ms": int, "attempt": int,
        },
        "pk": "id",
    },
    # Fact tables (issue 4 owns them; the columns here follow its branch; compare reads them).
    "price_moves": {
        "columns": {
            "id": int, "article_id": int, "run_id": int, "outlet": str, "published_at": str, "event_date": str,
            "time_phrase": str, "asset": str, "direction": str, "pct": float, "from_usd": float, "to_usd": float,
            "price_usd": float, "change_usd": float, "figures": str, "text": str, "sentence": str, "start": int,
            "end": int,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
    },
    "liquidations": {
        "columns": {
            "id": int, "article_id": int, "run_id": int, "outlet": str, "published_at": str, "event_date": str,
            "time_phrase": str, "amount_usd": float, "side": str, "exchange": str, "asset": str, "text": str,
            "sentence": str, "start": int, "end": int,
        },
        "pk": "id",
        "foreign_keys": [("article_id", "articles", "id")],
    },
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
    ("fetch_log", ["url"]),
    ("price_moves", ["article_id"]),
    ("liquidations", ["article_id"]),
    ("candles", ["symbol", "interval", "open_time"]),
    ("comparisons", ["article_id"]),
    ("comparisons", ["verdict"]),
]


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
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
