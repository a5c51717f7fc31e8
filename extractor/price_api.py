"""Fetch candles from an exchange's public REST API (Binance klines, Coinbase candles) page by page.

Binance answers at most `limit` klines per request; we ask from `startTime` on and move the cursor past
the last kline received until the range is done. Each page is stored as it arrives, so an error late in
a long range keeps what came before. Rate limits: the `X-MBX-USED-WEIGHT-1M` header is watched and we
pause until the next minute near the limit; a 429 (or 418) is waited out for `Retry-After` seconds;
5xx answers and network errors are retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import sqlite_utils

from extractor import USER_AGENT
from extractor.candles import (
    SeriesHint,
    clean_series,
    epoch_to_datetime,
    interval_seconds,
    iso,
    store_candles,
)

# market -> (base URL, path, largest page the endpoint serves)
BINANCE_ENDPOINTS = {
    "spot": ("https://api.binance.com", "/api/v3/klines", 1000),
    "futures": ("https://fapi.binance.com", "/fapi/v1/klines", 1500),
}
WEIGHT_HEADER = "x-mbx-used-weight-1m"
DEFAULT_WEIGHT_LIMIT = 1200
WEIGHT_PAUSE_AT = 0.9
MAX_RETRIES = 5
BACKOFF_SECONDS = 1.0
MAX_PAGES = 10_000
SUPPORTED_EXCHANGES = ("binance", "coinbase")
# Coinbase Exchange: at most 300 candles per request, granularities in seconds.
COINBASE_BASE = "https://api.exchange.coinbase.com"
COINBASE_PAGE = 300
COINBASE_GRANULARITIES = (60, 300, 900, 3600, 21600, 86400)


class FetchError(Exception):
    """The exchange refused the request or kept failing; candles already stored stay stored."""


@dataclass
class FetchResult:
    """What one fetch did: pages asked, candles stored, retries and waits, and why it stopped early."""

    series: tuple[str, str, str, str]
    pages: int = 0
    rows: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def parse_moment(value: str, end_of_day: bool = False) -> dt.datetime:
    """A --start/--end value: ISO date (an --end date counts to the end of its day) or datetime, in UTC."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"expected YYYY-MM-DD or an ISO datetime, not {value!r}") from exc
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    if end_of_day and len(value.strip()) == 10:
        moment += dt.timedelta(days=1)
    return moment


class _Pacer:
    """Retries, backoff and rate-limit pauses, with an injectable sleep (tests do not wait)."""

    def __init__(self, result: FetchResult, sleep: Callable[[float], None], weight_limit: int,
                 max_retries: int) -> None:
        self.result, self.sleep = result, sleep
        self.weight_limit, self.max_retries = weight_limit, max_retries

    def wait(self, seconds: float, why: str) -> None:
        self.result.waited_seconds += seconds
        self.result.warnings.append(f"waited {seconds:g}s: {why}")
        self.sleep(seconds)

    def get(self, client: httpx.Client, url: str, params: dict) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            try:
                response = client.get(url, params=params)
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise FetchError(f"network error after {attempt + 1} attempts: {exc}") from exc
                self.result.retries += 1
                self.wait(BACKOFF_SECONDS * 2 ** attempt, f"network error ({exc})")
                continue
            if response.status_code in (429, 418):
                if response.status_code == 418 or attempt == self.max_retries:
                    raise FetchError(f"rate limited (HTTP {response.status_code}): {response.text[:200]}")
                self.result.retries += 1
                retry_after = response.headers.get("retry-after", "")
                seconds = float(retry_after) if retry_after.isdigit() else BACKOFF_SECONDS * 2 ** attempt
                self.wait(seconds, f"HTTP 429 (Retry-After: {retry_after or 'none'})")
                continue
            if response.status_code >= 500:
                if attempt == self.max_retries:
                    raise FetchError(f"HTTP {response.status_code} after {attempt + 1} attempts")
                self.result.retries += 1
                self.wait(BACKOFF_SECONDS * 2 ** attempt, f"HTTP {response.status_code}")
                continue
            if response.status_code != 200:
                raise FetchError(f"HTTP {response.status_code}: {response.text[:200]}")
            self.pace(response)
            return response
        raise FetchError("unreachable")  # pragma: no cover

    def pace(self, response: httpx.Response) -> None:
        used = response.headers.get(WEIGHT_HEADER)
        if used and used.isdigit() and int(used) >= self.weight_limit * WEIGHT_PAUSE_AT:
            seconds = 60 - time.time() % 60
            self.wait(round(seconds, 3), f"request weight {used} of {self.weight_limit} used this minute")


def fetch_binance(db: sqlite_utils.Database, symbol: str, interval: str, start: dt.datetime, end: dt.datetime,
                  market: str = "spot", base_url: str | None = None, client: httpx.Client | None = None,
                  sleep: Callable[[float], None] = time.sleep, page_limit: int | None = None,
                  weight_limit: int = DEFAULT_WEIGHT_LIMIT, max_retries: int = MAX_RETRIES) -> FetchResult:
    """Fetch Binance klines of [start, end) into `candles`; fetching a range twice stores each candle once."""
    if market not in BINANCE_ENDPOINTS:
        raise ValueError(f"Binance klines exist for {', '.join(BINANCE_ENDPOINTS)}, not {market!r}")
    symbol = symbol.upper()
    default_base, path, max_limit = BINANCE_ENDPOINTS[market]
    limit = min(page_limit or max_limit, max_limit)
    step_ms = interval_seconds(interval) * 1000
    hint = SeriesHint("binance", market, symbol, interval)
    result = FetchResult(series=("binance", market, symbol, interval))
    pacer = _Pacer(result, sleep, weight_limit, max_retries)
    url = (base_url or default_base).rstrip("/") + path
    cursor, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)

    def pages(client: httpx.Client) -> None:
        nonlocal cursor
        while cursor < end_ms and result.pages < MAX_PAGES:
            params = {"symbol": symbol, "interval": interval, "startTime": cursor, "endTime": end_ms - 1,
                      "limit": limit}
            page = _page(pacer, client, url, params, result)
            if not page:
                break
            candles = [_kline(row) for row in page if int(row[0]) < end_ms]
            result.rows += store_candles(db, clean_series(candles, step_ms // 1000, result.warnings), hint,
                                         source=f"api:{url}")
            cursor = max(cursor + step_ms, int(page[-1][0]) + step_ms)
            if len(page) < limit:
                break

    return _run(pages, result, url, client)


def fetch_coinbase(db: sqlite_utils.Database, product: str, interval: str, start: dt.datetime, end: dt.datetime,
                   base_url: str | None = None, client: httpx.Client | None = None,
                   sleep: Callable[[float], None] = time.sleep, max_retries: int = MAX_RETRIES) -> FetchResult:
    """Fetch Coinbase Exchange candles of [start, end) in spans of 300 candles (answers come newest first)."""
    product = product.upper()
    step = interval_seconds(interval)
    if step not in COINBASE_GRANULARITIES:
        raise ValueError(f"Coinbase serves candles of {', '.join(map(str, COINBASE_GRANULARITIES))} seconds, "
                         f"not {interval}")
    hint = SeriesHint("coinbase", "spot", product, interval)
    result = FetchResult(series=("coinbase", "spot", product, interval))
    pacer = _Pacer(result, sleep, DEFAULT_WEIGHT_LIMIT, max_retries)
    url = f"{(base_url or COINBASE_BASE).rstrip('/')}/products/{product}/candles"
    span = dt.timedelta(seconds=step * COINBASE_PAGE)

    def pages(client: httpx.Client) -> None:
        cursor = start
        while cursor < end and result.pages < MAX_PAGES:
            stop = min(cursor + span, end)
            # `end` is the last candle's own time: asking past it would make 301 and be refused.
            last = max(cursor, stop - dt.timedelta(seconds=step))
            page = _page(pacer, client, url, {"granularity": step, "start": iso(cursor), "end": iso(last)}, result)
            candles = [
                {"open_time": iso(epoch_to_datetime(float(t))), "open": float(o), "high": float(h), "low": float(lo),
                 "close": float(c), "volume": float(v)}
                for t, lo, h, o, c, v in (row[:6] for row in page) if cursor.timestamp() <= float(t) < stop.timestamp()
            ]
            result.rows += store_candles(db, clean_series(candles, step, result.warnings), hint, source=f"api:{url}")
            cursor = stop

    return _run(pages, result, url, client)


def _page(pacer: _Pacer, client: httpx.Client, url: str, params: dict, result: FetchResult) -> list:
    """One page of candles as the exchange's JSON list."""
    page = pacer.get(client, url, params).json()
    result.pages += 1
    if not isinstance(page, list):
        raise FetchError(f"unexpected answer: {str(page)[:200]}")
    return page


def _run(pages: Callable[[httpx.Client], None], result: FetchResult, url: str, client: httpx.Client | None
         ) -> FetchResult:
    """Run a paging loop; a refusal or a malformed answer ends it with an error, keeping what was stored."""
    own_client = client is None
    client = client or httpx.Client(timeout=30, headers={"User-Agent": USER_AGENT})
    try:
        pages(client)
    except FetchError as exc:
        result.error = str(exc)
    except (ValueError, TypeError, IndexError) as exc:
        result.error = f"unexpected answer from {url}: {exc}"
    finally:
        if own_client:
            client.close()
    return result


def _kline(row: list) -> dict:
    return {"open_time": iso(epoch_to_datetime(float(row[0]))), "open": float(row[1]), "high": float(row[2]),
            "low": float(row[3]), "close": float(row[4]), "volume": float(row[5])}

