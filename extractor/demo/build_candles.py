"""Write the sample site's Binance-format kline files from the invented price paths in `prices.yaml`.

Run `python -m extractor.demo.build_candles` after editing `prices.yaml`; the output is committed.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

DEMO_DIR = Path(__file__).resolve().parent
PRICES_FILE = DEMO_DIR / "prices.yaml"
DATA_DIR = DEMO_DIR / "site" / "data"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Candle:
    """One kline: open time (UTC) and OHLCV."""

    open_time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float


def load_prices(path: Path = PRICES_FILE) -> dict:
    """Read the price-path description."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def parse_time(value: str) -> datetime:
    """An anchor time `YYYY-MM-DDTHH:MM` in UTC."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class PricePath:
    """Piecewise-linear path through anchors; `bounds` gives the anchors bracketing an interval."""

    def __init__(self, anchors: list[tuple[datetime, float]]) -> None:
        self.times = [t for t, _ in anchors]
        self.prices = [p for _, p in anchors]

    def value(self, t: datetime) -> float:
        """The interpolated price at `t` (held flat outside the anchors)."""
        i = bisect.bisect_right(self.times, t)
        if i == 0:
            return self.prices[0]
        if i == len(self.times):
            return self.prices[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        p0, p1 = self.prices[i - 1], self.prices[i]
        return p0 + (p1 - p0) * ((t - t0) / (t1 - t0))

    def bounds(self, start: datetime, end: datetime) -> tuple[float, float]:
        """Lowest and highest of the anchors at or before `start` and at or after `end`."""
        i = bisect.bisect_right(self.times, start) - 1
        j = bisect.bisect_left(self.times, end)
        left = self.prices[max(i, 0)]
        right = self.prices[min(j, len(self.prices) - 1)]
        return min(left, right), max(left, right)

    def is_anchor(self, t: datetime) -> bool:
        """True when `t` is one of the anchor times."""
        i = bisect.bisect_left(self.times, t)
        return i < len(self.times) and self.times[i] == t


def month_range(month: str) -> tuple[datetime, datetime]:
    """First hour of `YYYY-MM` and first hour of the next month."""
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def build_series(
    spec: dict, start: datetime, end: datetime, noise: float, wick: float, seed: str
) -> list[Candle]:
    """Hourly candles from `start` to `end` whose extremes are the anchors, with seeded noise in between."""
    path = PricePath([(parse_time(t), float(p)) for t, p in spec["anchors"]])
    rng = random.Random(seed)
    decimals = int(spec["decimals"])
    hours = int((end - start) / HOUR) + 1
    points: list[float] = []
    drift = 0.0
    for n in range(hours):
        t = start + n * HOUR
        drift = max(-1.0, min(1.0, 0.7 * drift + rng.uniform(-0.6, 0.6)))
        if path.is_anchor(t):
            points.append(path.value(t))
            continue
        low, high = path.bounds(t, t)
        value = path.value(t) * (1 + noise * drift)
        points.append(min(max(value, low), high))
    candles = []
    for n in range(hours - 1):
        t = start + n * HOUR
        o, c = points[n], points[n + 1]
        low_bound, high_bound = path.bounds(t, t + HOUR)
        high = min(max(o, c) * (1 + rng.uniform(0, wick)), high_bound)
        low = max(min(o, c) * (1 - rng.uniform(0, wick)), low_bound)
        move = abs(c - o) / o
        volume = spec["base_volume"] * (1 + 40 * move) * rng.uniform(0.6, 1.4)
        prices = (round(x, decimals) for x in (o, high, low, c))
        candles.append(Candle(t, *prices, volume))
    return candles


def kline_row(candle: Candle, rng: random.Random) -> str:
    """One line of a Binance spot kline CSV (no header, millisecond timestamps, 12 columns)."""
    open_ms = int(candle.open_time.timestamp() * 1000)
    close_ms = open_ms + 3_600_000 - 1
    mid = (candle.high + candle.low) / 2
    quote_volume = candle.volume * mid
    trades = int(candle.volume * rng.uniform(8, 14) * 100_000 / (mid * 10 + 1000)) + 100
    taker = candle.volume * rng.uniform(0.4, 0.6)
    fields = [
        str(open_ms), f"{candle.open:.8f}", f"{candle.high:.8f}", f"{candle.low:.8f}", f"{candle.close:.8f}",
        f"{candle.volume:.8f}", str(close_ms), f"{quote_volume:.8f}", str(trades), f"{taker:.8f}",
        f"{taker * mid:.8f}", "0",
    ]
    return ",".join(fields)


def build_files(prices: dict, out_dir: Path) -> list[Path]:
    """Write one `SYMBOL-1h-YYYY-MM.csv` per symbol and month; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    first, _ = month_range(prices["months"][0])
    _, last = month_range(prices["months"][-1])
    for symbol, spec in prices["symbols"].items():
        candles = build_series(spec, first, last, prices["noise"], prices["wick"], symbol)
        rng = random.Random(f"rows-{symbol}")
        for month in prices["months"]:
            start, end = month_range(month)
            rows = [kline_row(c, rng) + "\n" for c in candles if start <= c.open_time < end]
            path = out_dir / f"{symbol}-{prices['interval']}-{month}.csv"
            path.write_text("".join(rows), encoding="ascii")
            written.append(path)
    return written


def main() -> None:
    """Regenerate the committed candle files."""
    for path in build_files(load_prices(), DATA_DIR):
        print(path.relative_to(DEMO_DIR))


if __name__ == "__main__":
    main()
