"""Exchange price data in: read candle files (Binance klines, Coinbase JSON, plain OHLCV CSV), store candles.

Every file is read on its own: a bad file gets an error and the next one is still imported; bad rows
inside a file are skipped with a message and the good rows land. Storing is an upsert on
(exchange, market, symbol, interval, open_time), so importing a file twice stores each candle once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

CANDLE_PK = ("exchange", "market", "symbol", "interval", "open_time")
MARKETS = ("spot", "futures", "index")
INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# The twelve columns of Binance kline files (spot and USD-M futures share them; futures files carry a
# header row since 2022, spot files none).
BINANCE_KLINE_COLUMNS = (
    "open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count",
    "taker_buy_volume", "taker_buy_quote_volume", "ignore",
)
TIME_COLUMNS = ("timestamp", "open_time", "time", "date", "datetime", "opentime", "open time", "unix")
OHLC_COLUMNS = ("open", "high", "low", "close")
FILE_NAME = re.compile(
    r"^(?P<symbol>[A-Za-z0-9]+(?:-[A-Za-z]{3,4})?)-(?P<interval>\d+[smhdw]?)(?=[-_.]|$)", re.IGNORECASE
)
COINBASE_GRANULARITY = {60: "1m", 300: "5m", 900: "15m", 3600: "1h", 21600: "6h", 86400: "1d"}


class CandleFileError(Exception):
    """A candle file that cannot be imported at all (unreadable, unknown layout, checksum mismatch)."""


@dataclass
class ImportResult:
    """What one file gave: the series it filled, how many candles, and every message about it."""

    source: str
    series: list[tuple[str, str, str, str]] = field(default_factory=list)
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class SeriesHint:
    """What the caller or the file name says about a file: exchange, market, symbol, interval."""

    exchange: str | None = None
    market: str | None = None
    symbol: str | None = None
    interval: str | None = None


def interval_seconds(interval: str) -> int:
    """Length of a candle interval such as `1m`, `4h`, `1d`, `1w` in seconds."""
    match = re.fullmatch(r"(\d+)([smhdw])", interval or "")
    if not match:
        raise CandleFileError(f"unknown candle interval {interval!r} (expected e.g. 1m, 1h, 1d)")
    return int(match.group(1)) * INTERVAL_UNITS[match.group(2)]


def iso(moment: dt.datetime) -> str:
    """A UTC moment as stored in the database: `2021-04-18T00:00:00Z`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> dt.datetime:
    """Read back a stored UTC moment."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def epoch_to_datetime(value: float) -> dt.datetime:
    """A Unix timestamp in seconds, milliseconds or microseconds (told apart by size) as a UTC datetime."""
    if value >= 1e14:
        value /= 1_000_000
    elif value >= 1e11:
        value /= 1000
    return dt.datetime.fromtimestamp(value, dt.UTC)


def parse_time(value: str) -> dt.datetime:
    """A time cell: Unix epoch (s, ms or µs) or an ISO date/datetime (UTC unless it says otherwise)."""
    value = value.strip()
    try:
        return epoch_to_datetime(float(value))
    except ValueError:
        pass
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def hint_from_name(path: str | Path) -> SeriesHint:
    """Symbol and interval from a file name like `BTCUSDT-1h-2021-04.zip`, market from its folders."""
    path = Path(path)
    hint = SeriesHint()
    match = FILE_NAME.match(path.name)
    if match:
        hint.symbol = match.group("symbol").upper()
        interval = match.group("interval")
        if interval.isdigit():
            interval = COINBASE_GRANULARITY.get(int(interval), f"{interval}s")
        hint.interval = interval
    parts = {p.lower() for p in path.parts}
    if "indexpriceklines" in parts:
        hint.market = "index"
    elif parts & {"futures", "um", "cm"}:
        hint.market = "futures"
    return hint


def merge_hints(given: SeriesHint, from_name: SeriesHint) -> SeriesHint:
    """What the caller gave wins over what the file name says."""
    return SeriesHint(
        exchange=given.exchange or from_name.exchange,
        market=given.market or from_name.market,
        symbol=(given.symbol or from_name.symbol or "").upper() or None,
        interval=given.interval or from_name.interval,
    )


def _number(value: str) -> float:
    return float(value.strip().replace(",", ""))


def _candle(moment: dt.datetime, o: float, h: float, low: float, c: float, v: float | None) -> dict:
    return {"open_time": iso(moment), "open": o, "high": h, "low": low, "close": c, "volume": v}


def _check_candle(candle: dict) -> str | None:
    if candle["low"] > candle["high"]:
        return "low above high"
    if not candle["low"] <= min(candle["open"], candle["close"]) + 1e-9:
        return "low above open or close"
    if not candle["high"] + 1e-9 >= max(candle["open"], candle["close"]):
        return "high below open or close"
    return None


def read_binance_rows(rows: list[list[str]], warnings: list[str]) -> list[dict]:
    """Binance kline rows (header already removed): open_time, open, high, low, close, volume, ..."""
    candles = []
    for n, row in enumerate(rows, 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 6:
            warnings.append(f"row {n}: {len(row)} columns, expected 12 (truncated line?); skipped")
            continue
        try:
            candles.append(_candle(epoch_to_datetime(float(row[0])), *(_number(x) for x in row[1:6])))
        except (ValueError, OverflowError, OSError):
            warnings.append(f"row {n}: not a kline row {row[:6]!r}; skipped")
    return candles


def read_plain_rows(header: list[str], rows: list[list[str]], warnings: list[str]) -> list[dict]:
    """OHLCV rows under a header naming a time column and open/high/low/close (volume, symbol optional)."""
    names = [h.strip().lower() for h in header]
    time_col = next((names.index(c) for c in TIME_COLUMNS if c in names), None)
    missing = [c for c in OHLC_COLUMNS if c not in names]
    if time_col is None or missing:
        raise CandleFileError(
            f"unknown header layout {header!r}: need a time column ({', '.join(TIME_COLUMNS[:4])}) "
            f"and open, high, low, close"
        )
    cols = [names.index(c) for c in OHLC_COLUMNS]
    vol = names.index("volume") if "volume" in names else None
    sym = names.index("symbol") if "symbol" in names else None
    candles = []
    for n, row in enumerate(rows, 2):
        if not row or not "".join(row).strip():
            continue
        try:
            values = [_number(row[i]) for i in cols]
            volume = _number(row[vol]) if vol is not None and row[vol].strip() else None
            candle = _candle(parse_time(row[time_col]), *values, volume)
        except (ValueError, IndexError, OverflowError, OSError):
            warnings.append(f"line {n}: cannot read {row!r}; skipped")
            continue
        if sym is not None:
            candle["_symbol"] = row[sym].strip().upper()
        candles.append(candle)
    return candles


def read_csv_text(text: str, warnings: list[str]) -> tuple[list[dict], str]:
    """Candles of a CSV text (Binance kline with or without header, or plain OHLCV) and its layout."""
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not "".join(rows[0]).strip():
        rows.pop(0)
    if not rows:
        raise CandleFileError("empty file: no candles")
    first = rows[0][0].strip() if rows[0] else ""
    if re.fullmatch(r"\d+(\.\d+)?", first):
        if len(rows[0]) < 6:
            raise CandleFileError(f"a header-less file with {len(rows[0])} columns is no Binance kline file")
        return read_binance_rows(rows, warnings), "binance-noheader"
    header = [h.strip().lower() for h in rows[0]]
    if tuple(header[:6]) == BINANCE_KLINE_COLUMNS[:6] and "close_time" in header:
        return read_binance_rows(rows[1:], warnings), "binance-header"
    return read_plain_rows(rows[0], rows[1:], warnings), "plain"


def read_coinbase_json(data: bytes) -> tuple[list[dict], list[str]]:
    """Coinbase Exchange candles: a JSON list of `[time, low, high, open, close, volume]` (low first)."""
    try:
        payload = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CandleFileError(f"not valid JSON: {exc}") from exc
    if isinstance(payload, dict) and "candles" in payload:
        payload = payload["candles"]
    if not isinstance(payload, list):
        raise CandleFileError("Coinbase candles must be a JSON list of [time, low, high, open, close, vol]")
    candles, warnings = [], []
    for n, row in enumerate(payload, 1):
        try:
            time, low, high, open_, close, volume = row[:6]
            candles.append(_candle(epoch_to_datetime(float(time)), float(open_), float(high), float(low),
                                   float(close), float(volume)))
        except (TypeError, ValueError, OverflowError, OSError):
            warnings.append(f"item {n}: not [time, low, high, open, close, volume]: {row!r}; skipped")
    return candles, warnings


def verify_checksum(path: Path) -> str | None:
    """Check a zip against the `.CHECKSUM` file beside it; raise on mismatch, return a note when absent."""
    checksum_path = path.with_name(path.name + ".CHECKSUM")
    if not checksum_path.exists():
        return f"no {checksum_path.name} beside the file: not verified"
    expected = checksum_path.read_text(encoding="utf-8", errors="replace").split()
    if not expected:
        raise CandleFileError(f"{checksum_path.name} is empty")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual.lower() != expected[0].lower():
        raise CandleFileError(
            f"checksum mismatch: {checksum_path.name} says {expected[0]}, "
            f"the file hashes to {actual}; refused"
        )
    return None


def read_zip(path: Path, warnings: list[str]) -> list[tuple[str, list[dict], str]]:
    """Each CSV member of a zip as (member name, candles, layout), after the checksum check."""
    note = verify_checksum(path)
    if note:
        warnings.append(note)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if not members:
                raise CandleFileError("the zip holds no .csv file")
            out = []
            for member in members:
                text = archive.read(member).decode("utf-8-sig")
                candles, layout = read_csv_text(text, warnings)
                out.append((member, candles, layout))
            return out
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise CandleFileError(f"not a readable zip (truncated or damaged?): {exc}") from exc


def clean_series(candles: list[dict], step: int, warnings: list[str]) -> list[dict]:
    """Sort by time, drop duplicate and impossible candles (with a message), report gaps."""
    by_time: dict[str, dict] = {}
    duplicates = conflicting = 0
    for candle in candles:
        problem = _check_candle(candle)
        if problem:
            warnings.append(f"candle {candle['open_time']}: {problem}; skipped")
            continue
        previous = by_time.get(candle["open_time"])
        if previous is not None:
            duplicates += 1
            if any(previous[k] != candle[k] for k in OHLC_COLUMNS):
                conflicting += 1
        by_time[candle["open_time"]] = candle
    if duplicates:
        warnings.append(
            f"{duplicates} duplicate rows dropped ({conflicting} with different prices: last kept)"
        )
    ordered = [by_time[k] for k in sorted(by_time)]
    gaps, missing, first_gap = 0, 0, None
    for before, after in zip(ordered, ordered[1:], strict=False):
        delta = (parse_iso(after["open_time"]) - parse_iso(before["open_time"])).total_seconds()
        if delta > step:
            gaps += 1
            missing += int(delta // step) - 1
            first_gap = first_gap or before["open_time"]
    if gaps:
        warnings.append(f"{gaps} gaps in the series ({missing} candles missing), the first after {first_gap}")
    return ordered


def store_candles(db: sqlite_utils.Database, candles: Iterable[dict], hint: SeriesHint, source: str) -> int:
    """Upsert candles of one series; returns how many rows were written."""
    now = iso(dt.datetime.now(dt.UTC))
    rows = [
        {**c, "exchange": hint.exchange, "market": hint.market, "symbol": hint.symbol,
         "interval": hint.interval, "source": source, "imported_at": now}
        for c in candles
    ]
    if rows:
        db["candles"].upsert_all(rows, pk=CANDLE_PK)
    return len(rows)


def _split_symbols(candles: list[dict], given: str | None, from_name: str | None, warnings: list[str]
                   ) -> dict[str, list[dict]]:
    """Group candles by symbol: the --symbol option, else a `symbol` column, else the file name."""
    named = {c["_symbol"] for c in candles if c.get("_symbol")}
    if len(named) > 1:
        warnings.append(f"the file mixes symbols: {', '.join(sorted(named))}")
    groups: dict[str | None, list[dict]] = {}
    for candle in candles:
        groups.setdefault(candle.pop("_symbol", None) or from_name, []).append(candle)
    if given:
        others = {s: len(g) for s, g in groups.items() if s not in (given, None, from_name)}
        if others:
            warnings.append(
                f"{sum(others.values())} rows of other symbols ({', '.join(sorted(others))}) left out: "
                f"this import is for {given}"
            )
        kept = [c for s, g in groups.items() if s not in others for c in g]
        return {given: kept} if kept else {}
    if None in groups:
        warnings.append(f"{len(groups.pop(None))} rows name no symbol; give --symbol")
    return groups


def import_file(db: sqlite_utils.Database, path: str | Path, given: SeriesHint | None = None) -> ImportResult:
    """Import one candle file (zip, csv or json) into `candles`; errors are reported, never raised."""
    path = Path(path)
    result = ImportResult(source=str(path))
    try:
        _import_file(db, path, given or SeriesHint(), result)
    except CandleFileError as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = f"cannot read the file: {exc.strerror or exc}"
    except UnicodeDecodeError:
        result.error = "not a text file (and not a zip)"
    return result


def _import_file(db: sqlite_utils.Database, path: Path, given: SeriesHint, result: ImportResult) -> None:
    suffix = path.suffix.lower()
    parts: list[tuple[str, list[dict], str]]
    if suffix == ".zip":
        parts = read_zip(path, result.warnings)
    elif suffix == ".json":
        candles, warnings = read_coinbase_json(path.read_bytes())
        result.warnings.extend(warnings)
        parts = [(path.name, candles, "coinbase")]
    elif suffix in (".csv", ".txt"):
        candles, layout = read_csv_text(path.read_bytes().decode("utf-8-sig"), result.warnings)
        parts = [(path.name, candles, layout)]
    else:
        raise CandleFileError(f"unknown file type {suffix or '(none)'}: expected .zip, .csv or .json")
    for member, candles, layout in parts:
        # A zip member's own name tells its symbol (else the zip's name does); the zip's folders tell the market.
        name_hint = merge_hints(hint_from_name(path.parent / member), hint_from_name(path)) if suffix == ".zip" \
            else hint_from_name(path)
        hint = merge_hints(given, name_hint)
        hint.exchange = hint.exchange or ("coinbase" if layout == "coinbase" else "binance")
        if not hint.market:
            if layout == "binance-header":
                hint.market = "futures"
                result.warnings.append(
                    "market taken as futures (Binance's futures kline files carry a header row); "
                    "give --market to say otherwise"
                )
            else:
                hint.market = "spot"
        if hint.market not in MARKETS:
            raise CandleFileError(f"unknown market {hint.market!r}: expected one of {', '.join(MARKETS)}")
        if not hint.interval:
            raise CandleFileError(f"{member}: no interval in the file name; give --interval (e.g. 1h)")
        step = interval_seconds(hint.interval)
        groups = _split_symbols(candles, (given.symbol or "").upper() or None, name_hint.symbol,
                                result.warnings)
        if not groups:
            raise CandleFileError(f"{member}: no symbol in the file name; give --symbol (e.g. BTCUSDT)")
        for symbol, group in groups.items():
            series_hint = SeriesHint(hint.exchange, hint.market, symbol, hint.interval)
            series = clean_series(group, step, result.warnings)
            result.rows += store_candles(db, series, series_hint, source=f"file:{path.name}")
            result.series.append((series_hint.exchange, series_hint.market, symbol, series_hint.interval))
    if result.rows == 0:
        result.warnings.append("no candles stored from this file")


def import_files(db: sqlite_utils.Database, paths: Iterable[str | Path], given: SeriesHint | None = None
                 ) -> list[ImportResult]:
    """Import many candle files, each on its own (one bad file does not stop the others)."""
    return [import_file(db, path, given) for path in paths]
