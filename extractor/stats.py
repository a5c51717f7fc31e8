"""`extractor stats`: rows per table and the last extraction run."""

from __future__ import annotations

from pathlib import Path

from extractor.schema import TABLES, connect


def database_stats(db_path: str | Path) -> dict:
    """Counts of rows in every table and the last run (None before the first), as plain data."""
    db = connect(db_path)
    try:
        counts = {name: db[name].count for name in TABLES}
        last = db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        columns = [c[0] for c in last.description]
        row = last.fetchone()
        last_run = dict(zip(columns, row, strict=True)) if row else None
        return {"database": str(db_path), "tables": counts, "last_run": last_run}
    finally:
        db.conn.close()


def format_stats(stats: dict) -> str:
    """The stats as aligned text lines for a terminal."""
    width = max(len(name) for name in stats["tables"])
    lines = [f"database: {stats['database']}"]
    lines += [f"{name:<{width}}  {count:>9,}" for name, count in stats["tables"].items()]
    run = stats["last_run"]
    if run is None:
        lines.append("last run: none yet")
    else:
        lines.append(
            f"last run: #{run['id']} {run['status']} started {run['started_at']} "
            f"finished {run['finished_at']} version {run['pipeline_version']}: "
            f"{run['articles']} articles, {run['liquidations']} liquidations, "
            f"{run['price_moves']} price moves, {run['exchange_mentions']} exchange mentions, "
            f"{run['quotes']} quotes, {run['provider_mentions']} provider mentions, {run['errors']} errors"
        )
    return "\n".join(lines)
