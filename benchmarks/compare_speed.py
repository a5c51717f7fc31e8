"""How fast `extractor compare` runs: price moves per second, against typing the same sentences alone.

Builds a throw-away database of N invented price moves over a year of hourly candles, then times
(a) `type_figures` over the sentences (the baseline: no SQLite at all) and (b) `compare_db`, and
prints the ratio measured in this run. Usage: python benchmarks/compare_speed.py [N]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from extractor.candles import SeriesHint, iso, store_candles
from extractor.compare import compare_db
from extractor.figures import type_figures
from extractor.schema import connect

TEMPLATES = (
    "Bitcoin fell as low as ${low:,} on Sunday.",
    "Bitcoin was trading near ${mid:,} at press time.",
    "Bitcoin slid below ${low:,} early Sunday.",
    "Bitcoin dropped from ${high:,} to ${low:,} in the past 24 hours.",
)


def build(path: Path, moves: int) -> list[str]:
    """A database with a year of hourly candles and `moves` articles; returns the sentences."""
    db = connect(path)
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    candles = [{"open_time": iso(start + dt.timedelta(hours=h)), "open": 50_000.0, "high": 50_500.0 + h % 7,
                "low": 49_500.0 - h % 5, "close": 50_000.0, "volume": 1.0} for h in range(24 * 365)]
    store_candles(db, candles, SeriesHint("binance", "spot", "BTCUSDT", "1h"), "bench")
    sentences = []
    for n in range(moves):
        published = start + dt.timedelta(days=2 + n % 360, hours=9)
        sentence = TEMPLATES[n % len(TEMPLATES)].format(low=49_500, mid=50_000, high=50_500)
        sentences.append(sentence)
        db["articles"].insert({"id": n + 1, "url": f"https://bench.example/{n}", "text": sentence,
                               "published_at": iso(published)})
        db["price_moves"].insert({"article_id": n + 1, "asset": "BTC", "direction": "down", "text": sentence,
                                  "sentence": sentence, "start": 0, "end": len(sentence)})
    return sentences


def main(moves: int = 2000) -> None:
    """Print moves per second for typing alone and for the whole compare, and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        sentences = build(path, moves)
        t0 = time.perf_counter()
        figures = sum(len(type_figures(s)) for s in sentences)
        typing = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = compare_db(path)
        comparing = time.perf_counter() - t0
    print(f"moves: {moves}, figures: {figures}, comparisons: {result.rows} {result.verdicts}")
    print(f"type_figures alone: {moves / typing:,.0f} moves/s")
    print(f"compare_db:         {moves / comparing:,.0f} moves/s")
    print(f"compare costs {comparing / typing:.1f}x the typing alone")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
