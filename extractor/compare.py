"""`extractor compare`: did the market really do what the article says?

Each reported price of each stored price move is typed (extractor.figures), given a window
(extractor.windows) and checked against the candles covering that window:

- `extreme`, `move_end`: the window's low (a fall) or high (a rise) within the tolerance;
- `level`: inside the window's range widened by the tolerance;
- `threshold`: the window's low went below (or its high above) the threshold.

Verdicts: `consistent`, `off`, `no data` (no candles cover the window) or `ambiguous` (no number,
no time to anchor it, or a price nobody traded such as a target). Reported liquidation totals are
checked the same way against `liquidation_reference`. The `comparisons` table is rebuilt on each run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from extractor.candles import interval_seconds, iso, parse_iso
from extractor.figures import NOT_TRADED, Figure, find_percentages, find_prices, type_figure, type_percentage
from extractor.schema import connect
from extractor.symbols import symbols_for, venue
from extractor.windows import Window, event_window, find_time_phrases, nearest_time_phrase

DEFAULT_TOLERANCE_PCT = 1.0
DEFAULT_LIQUIDATION_TOLERANCE_PCT = 10.0
VERDICTS = ("consistent", "off", "no data", "ambiguous")
# A figure this far (in %) from every price of the window is taken for another asset's price or an amount.
IMPLAUSIBLE_PCT = 50.0
# A reported % move may also be off by this share of itself ("around 65%" is a rounded number).
PCT_RELATIVE_TOLERANCE = 0.05
LOWER_BOUND_WORDS = ("more than", "over", "above", "at least", "upwards of", "in excess of", "north of")


@dataclass(frozen=True)
class Series:
    """One candle series in the database."""

    exchange: str
    market: str
    symbol: str
    interval: str

    @property
    def label(self) -> str:
        """How a series is shown: `binance futures BTCUSDT 1d`."""
        return f"{self.exchange} {self.market} {self.symbol} {self.interval}"


@dataclass
class CompareResult:
    """Counts of verdicts and the messages of one compare run."""

    rows: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def list_series(db: sqlite_utils.Database) -> list[Series]:
    """Every candle series stored."""
    rows = db.execute("select distinct exchange, market, symbol, interval from candles").fetchall()
    return [Series(*row) for row in rows]


def _slots(window: Window, step: int) -> list[str]:
    """Open times of the candles a window needs, from the one holding its start to the one before its end."""
    start = int(window.start.timestamp()) // step * step
    stop = int(window.end.timestamp())
    return [iso(dt.datetime.fromtimestamp(t, dt.UTC)) for t in range(start, stop, step)] or [
        iso(dt.datetime.fromtimestamp(start, dt.UTC))]


def window_candles(db: sqlite_utils.Database, series: Series, window: Window) -> tuple[list[dict], int]:
    """The candles of a series over a window, and how many the window needs."""
    slots = _slots(window, interval_seconds(series.interval))
    rows = list(db.query(
        "select open_time, open, high, low, close from candles where exchange = ? and market = ? "
        "and symbol = ? and interval = ? and open_time >= ? and open_time <= ? order by open_time",
        [series.exchange, series.market, series.symbol, series.interval, slots[0], slots[-1]],
    ))
    return rows, len(slots)


def _rank(series: Series, figure_venue: str | None, figure_market: str | None) -> tuple:
    return (
        0 if figure_venue and series.exchange == figure_venue else 1,
        0 if figure_market and series.market == figure_market else 1,
        0 if series.market == "spot" else 1,
        interval_seconds(series.interval),
    )


def pick_series(db: sqlite_utils.Database, all_series: list[Series], asset: str, window: Window,
                figure_venue: str | None, figure_market: str | None
                ) -> tuple[Series | None, list[dict], str | None]:
    """The best series fully covering the window: the reported venue and market first, then the finest."""
    mapped = symbols_for(asset)
    candidates = [s for s in all_series if mapped.get(s.exchange) == s.symbol.upper()]
    if not candidates:
        return None, [], f"no candles stored for {asset} ({', '.join(sorted(set(mapped.values())))})"
    partial = None
    for series in sorted(candidates, key=lambda s: _rank(s, figure_venue, figure_market)):
        candles, needed = window_candles(db, series, window)
        if len(candles) == needed:
            return series, candles, None
        if candles and partial is None:
            partial = f"{series.label} has {len(candles)} of the {needed} candles of the window"
    return None, [], partial or f"no {asset} candles between {iso(window.start)} and {iso(window.end)}"


def judge(kind: str, direction: str | None, figure: float, high: float, low: float,
          tolerance_pct: float, band: tuple[float, float] | None = None) -> tuple[str, float, float]:
    """(verdict, reference price, deviation %) of one figure (or band of prices) against a window's range."""
    lo, hi = band or (figure, figure)
    if kind in ("extreme", "move_end"):
        if direction is None:  # "touched $60K" with no verb: whichever end it is nearer
            direction = "down" if abs(figure - low) <= abs(figure - high) else "up"
        reference = low if direction == "down" else high
        deviation = (min(max(reference, lo), hi) - reference) / reference * 100
        return ("consistent" if abs(deviation) <= tolerance_pct + 1e-9 else "off"), reference, deviation
    if kind == "level":
        # From the band's (or price's) nearest end to the window's range; 0 when they overlap.
        if hi < low:
            nearest, reference = hi, low
        elif lo > high:
            nearest, reference = lo, high
        else:
            nearest = reference = min(max(figure, low), high)
        deviation = (nearest - reference) / reference * 100
        return ("consistent" if abs(deviation) <= tolerance_pct + 1e-9 else "off"), reference, deviation
    if kind == "threshold":
        if direction == "up":
            return ("consistent" if high >= figure else "off"), high, (high - figure) / figure * 100
        return ("consistent" if low <= figure else "off"), low, (low - figure) / figure * 100
    raise ValueError(f"cannot judge a figure of kind {kind!r}")


def judge_pct(reported: float, open_: float, close: float, high: float, low: float, tolerance_pp: float,
              bound: str | None = None) -> tuple[str, float, float]:
    """(verdict, reference %, deviation in points) of a reported % move against the window's candles.

    Articles quote either the net change (open to close) or the move to the extreme (open to low or high):
    a figure between the two is consistent, within the tolerance in points or 5% of the figure, whichever
    is larger ("around 65%" is a rounded number). "More than 80%" asks only that the move reached 80%.
    """
    net = (close - open_) / open_ * 100
    extreme = ((low if reported < 0 else high) - open_) / open_ * 100
    lo, hi = sorted((net, extreme))
    reference = min(max(reported, lo), hi)
    if bound == "at least":  # the larger move (in the reported direction) only needs to reach the figure
        best = lo if reported < 0 else hi
        reference = best if abs(best) < abs(reported) else reported
    elif bound == "at most":
        least = hi if reported < 0 else lo
        reference = least if abs(least) > abs(reported) else reference
    deviation = reported - reference
    tolerance = max(tolerance_pp, PCT_RELATIVE_TOLERANCE * abs(reported))
    return ("consistent" if abs(deviation) <= tolerance + 1e-9 else "off"), reference, deviation


def _mismatch(figure: Figure | None, series: Series | None) -> int | None:
    if figure is None or series is None or (figure.venue is None and figure.market is None):
        return None
    if figure.venue and figure.venue != series.exchange:
        return 1
    if figure.market and figure.market != series.market:
        return 1
    return 0


def _sentence_offset(article_text: str | None, sentence: str, start: int | None) -> int | None:
    if not article_text or not sentence:
        return None
    near = max(0, (start or 0) - len(sentence))
    found = article_text.find(sentence, near)
    return found if found >= 0 else (article_text.find(sentence) if sentence in article_text else None)


def move_figures(move: dict) -> list[Figure]:
    """The typed prices of one stored price move: those inside its span, else all of its sentence."""
    sentence = move.get("sentence") or move.get("text") or ""
    prices = find_prices(sentence)
    offset = _sentence_offset(move.get("article_text"), sentence, move.get("start"))
    if offset is not None and move.get("start") is not None and move.get("end") is not None:
        lo, hi = move["start"] - offset, move["end"] - offset
        inside = [p for p in prices if p[1] >= lo and p[2] <= hi]
        prices = inside or prices
    return [type_figure(sentence, s, e) for _, s, e in prices]


def move_percentages(move: dict) -> list[Figure]:
    """The stored move's percentage, found in its sentence and typed (none when the move states none)."""
    if move.get("pct") is None:
        return []
    sentence = move.get("sentence") or move.get("text") or ""
    matches = [p for p in find_percentages(sentence) if abs(p[0] - abs(move["pct"])) < 1e-6]
    offset = _sentence_offset(move.get("article_text"), sentence, move.get("start"))
    if offset is not None and move.get("start") is not None and move.get("end") is not None:
        inside = [p for p in matches if p[1] >= move["start"] - offset and p[2] <= move["end"] - offset]
        matches = inside or matches
    if not matches:
        return []
    figure = type_percentage(sentence, matches[0][1], matches[0][2])
    if figure.direction is None and move.get("direction") in ("up", "down"):
        sign = -1 if move["direction"] == "down" else 1
        figure = Figure(**{**figure.__dict__, "direction": move["direction"], "value_pct": sign * abs(move["pct"])})
    return [figure]


def _published(fact: dict) -> str | None:
    """The article's publication time, else the one the fact row carries."""
    return fact.get("article_published_at") or fact.get("published_at")


def _base_row(move: dict, fact: str) -> dict:
    return {
        "fact": fact, "fact_id": move["id"], "article_id": move["article_id"], "asset": move.get("asset"),
        "sentence": move.get("sentence") or move.get("text"), "published_at": _published(move),
    }


def _window_for(move: dict, figure: Figure | None = None, others: list[tuple[int, int]] = ()
                ) -> tuple[Window | None, str | None]:
    """The window of a fact or of one of its figures: the time phrase nearest the figure when the sentence
    has several ("rose to $28,000 on Tuesday, up from $26,000 last week"), else the fact's own."""
    sentence = move.get("sentence") or move.get("text") or ""
    phrases = find_time_phrases(sentence)
    if figure is not None and len(phrases) > 1:
        phrase = nearest_time_phrase(sentence, figure.start, figure.end, others)
    else:
        phrase = move.get("time_phrase") or (phrases[0][0] if phrases else None)
    try:
        return event_window(_published(move), phrase, move.get("event_date")), phrase
    except ValueError:
        return None, phrase


def compare_move(db: sqlite_utils.Database, all_series: list[Series], move: dict, tolerance_pct: float,
                 messages: list[str]) -> Iterator[dict]:
    """Comparison rows for one price move: one per reported price (one `ambiguous` row when it has none)."""
    base = _base_row(move, "price")
    figures = move_figures(move) + move_percentages(move)
    offset = _sentence_offset(move.get("article_text"), base["sentence"] or "", move.get("start"))
    if not figures:
        yield {**base, **_window_fields(*_window_for(move)), "kind": None, "verdict": "ambiguous",
               "direction": move.get("direction"), "note": "no price or percentage in the sentence"}
        return
    spans = [(f.start, f.end) for f in figures]
    for figure in figures:
        window, phrase = _window_for(move, figure, [s for s in spans if s != (figure.start, figure.end)])
        row = {
            **base, **_window_fields(window, phrase), "figure_usd": figure.value_usd, "figure_pct": figure.value_pct,
            "figure_text": figure.text, "kind": figure.kind,
            "figure_low_usd": figure.band[0] if figure.band else None,
            "figure_high_usd": figure.band[1] if figure.band else None,
            "figure_start": figure.start + offset if offset is not None else None,
            "figure_end": figure.end + offset if offset is not None else None,
            "direction": figure.direction or move.get("direction"), "reported_venue": figure.venue,
            "reported_market": figure.market, "tolerance_pct": tolerance_pct,
        }
        yield _judge_row(db, all_series, move, figure, window, row, tolerance_pct, messages)


def _window_fields(window: Window | None, phrase: str | None) -> dict:
    if window is None:
        return {"time_phrase": phrase}
    return {"time_phrase": phrase, "window_start": iso(window.start), "window_end": iso(window.end),
            "window_basis": window.basis}


def _judge_row(db: sqlite_utils.Database, all_series: list[Series], move: dict, figure: Figure,
               window: Window | None, row: dict, tolerance_pct: float, messages: list[str]) -> dict:
    asset = move.get("asset")
    if figure.kind in NOT_TRADED:
        return {**row, "verdict": "ambiguous", "note": NOT_TRADED[figure.kind]}
    if not asset:
        return {**row, "verdict": "ambiguous", "note": "the move names no asset"}
    if window is None:
        return {**row, "verdict": "ambiguous", "note": "no publication time to anchor the window"}
    if not symbols_for(asset):
        message = (f"asset {asset} has no symbol mapping in patterns/symbols.yaml "
                   f"(article {move['article_id']})")
        messages.append(message)
        return {**row, "verdict": "no data", "note": message}
    series, candles, why = pick_series(db, all_series, asset, window, figure.venue, figure.market)
    if series is None:
        return {**row, "verdict": "no data", "note": why}
    high = max(c["high"] for c in candles)
    low = min(c["low"] for c in candles)
    open_, close = candles[0]["open"], candles[-1]["close"]
    reference_pct = None
    if figure.kind == "pct":
        verdict, reference_pct, deviation = judge_pct(figure.value_pct, open_, close, high, low, tolerance_pct,
                                                      figure.bound)
        reference = None
    else:
        verdict, reference, deviation = judge(figure.kind, row["direction"], figure.value_usd, high, low,
                                              tolerance_pct, figure.band)
    mismatch = _mismatch(figure, series)
    notes = []
    if figure.kind != "threshold" and abs(deviation) > IMPLAUSIBLE_PCT:
        verdict = "ambiguous"
        notes.append(f"{deviation:+.0f}% from the window's prices: another asset's price or an amount?")
    if mismatch:
        named = " ".join(x for x in (venue(figure.venue).name if figure.venue else None, figure.market) if x)
        notes.append(f"the article names {named}; candles are {series.exchange} {series.market}")
    note = "; ".join(notes) or None
    return {
        **row, "exchange": series.exchange, "market": series.market, "symbol": series.symbol,
        "interval": series.interval, "candles": len(candles), "actual_open": open_, "actual_high": high,
        "actual_low": low, "actual_close": close, "actual_change_pct": round((close - open_) / open_ * 100, 3),
        "reference_usd": reference, "reference_pct": round(reference_pct, 3) if reference_pct is not None else None,
        "deviation_pct": round(deviation, 3), "verdict": verdict,
        "venue_mismatch": mismatch, "note": note,
    }


def _reference_days(window: Window) -> list[str]:
    """UTC days standing for a window in daily data: those it covers for at least half a day."""
    days = []
    day = window.start.date()
    while dt.datetime.combine(day, dt.time(), dt.UTC) < window.end:
        start = max(window.start, dt.datetime.combine(day, dt.time(), dt.UTC))
        end = min(window.end, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC))
        if (end - start) >= dt.timedelta(hours=12):
            days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days or [(window.start + (window.end - window.start) / 2).date().isoformat()]


def compare_liquidation(db: sqlite_utils.Database, fact: dict, tolerance_pct: float) -> dict:
    """A comparison row for one reported liquidation total against `liquidation_reference`."""
    row = {**_base_row(fact, "liquidation"), "figure_usd": fact.get("amount_usd"), "kind": "total",
           "direction": fact.get("side"), "reported_venue": fact.get("exchange"),
           "tolerance_pct": tolerance_pct, "figure_text": fact.get("text")}
    window, phrase = _window_for(fact)
    row["time_phrase"] = phrase
    if not fact.get("amount_usd"):
        return {**row, "verdict": "ambiguous", "note": "no amount"}
    if window is None:
        return {**row, "verdict": "ambiguous", "note": "no publication time to anchor the window"}
    row.update(window_start=iso(window.start), window_end=iso(window.end), window_basis=window.basis)
    days = _reference_days(window)
    exchange = (fact.get("exchange") or "all").lower()
    refs = list(db.query(
        f"select * from liquidation_reference where lower(exchange) = ? and date in "
        f"({', '.join('?' for _ in days)}) order by date", [exchange, *days]))
    if len(refs) < len(days):
        return {**row, "verdict": "no data",
                "note": f"reference has {len(refs)} of {len(days)} days for {exchange}"}
    side = fact.get("side") or "total"
    column = {"long": "long_usd", "short": "short_usd"}.get(side, "total_usd")
    reference = sum(r[column] or 0 for r in refs)
    amount = fact["amount_usd"]
    deviation = (amount - reference) / reference * 100 if reference else None
    text = (fact.get("text") or fact.get("sentence") or "").lower()
    lower_bound = any(w in text for w in LOWER_BOUND_WORDS)
    if deviation is None:
        verdict = "no data"
    elif lower_bound:
        verdict = "consistent" if reference >= amount * (1 - tolerance_pct / 100) else "off"
    else:
        verdict = "consistent" if abs(deviation) <= tolerance_pct else "off"
    return {**row, "exchange": exchange, "reference_usd": reference, "verdict": verdict,
            "deviation_pct": round(deviation, 3) if deviation is not None else None,
            "note": f"{side} over {', '.join(days)}" + ("; reported as a lower bound" if lower_bound else "")}


def _facts(db: sqlite_utils.Database, table: str) -> Iterator[dict]:
    if not db[table].exists() or not db["articles"].exists():
        return iter(())
    return db.query(
        f"select f.*, a.published_at as article_published_at, a.text as article_text from {table} f "
        f"left join articles a on a.id = f.article_id order by f.article_id, f.id")


def compare_db(db_path: str | Path, tolerance_pct: float = DEFAULT_TOLERANCE_PCT,
               liquidation_tolerance_pct: float = DEFAULT_LIQUIDATION_TOLERANCE_PCT) -> CompareResult:
    """Rebuild the `comparisons` table of a database from its price moves, liquidations and candles."""
    db = connect(db_path)
    result = CompareResult()
    all_series = list_series(db)
    now = iso(dt.datetime.now(dt.UTC))
    rows: list[dict] = []
    seen: set[tuple] = set()
    for move in _facts(db, "price_moves"):
        for row in compare_move(db, all_series, move, tolerance_pct, result.messages):
            key = (row["article_id"], row.get("asset"), row.get("figure_start"), row.get("figure_text"))
            if row.get("figure_text") and key in seen:
                continue  # two moves of one sentence share its prices
            seen.add(key)
            rows.append(row)
    if db["liquidation_reference"].count:
        for fact in _facts(db, "liquidations"):
            rows.append(compare_liquidation(db, fact, liquidation_tolerance_pct))
    for row in rows:
        row["compared_at"] = now
        result.verdicts[row["verdict"]] = result.verdicts.get(row["verdict"], 0) + 1
    with db.conn:
        db.execute("delete from comparisons")
        if rows:
            db["comparisons"].insert_all(rows, alter=False)
    result.rows = len(rows)
    result.messages = sorted(set(result.messages))
    return result


def comparison_rows(db_path: str | Path) -> list[dict]:
    """Every comparison row, in article order (for printing and plotting)."""
    db = connect(db_path)
    return list(db.query("select * from comparisons order by article_id, fact, figure_start, id"))


def candles_between(db: sqlite_utils.Database, series: Series, start: str, end: str) -> list[dict]:
    """Candles of one series whose open time lies in [start, end)."""
    step = interval_seconds(series.interval)
    first = iso(dt.datetime.fromtimestamp(int(parse_iso(start).timestamp()) // step * step, dt.UTC))
    return list(db.query(
        "select * from candles where exchange = ? and market = ? and symbol = ? and interval = ? "
        "and open_time >= ? and open_time < ? order by open_time",
        [series.exchange, series.market, series.symbol, series.interval, first, end]))
