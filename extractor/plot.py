"""Draw the candles of compared windows with the reported figures marked (matplotlib, no display needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from extractor.candles import interval_seconds, iso, parse_iso
from extractor.compare import Series, candles_between
from extractor.schema import connect

MAX_PANELS = 6
VERDICT_COLOURS = {"consistent": "#1a7f37", "off": "#cf222e", "no data": "#8c959f", "ambiguous": "#9a6700"}


class NothingToPlot(Exception):
    """No comparison has candle data to draw."""


def _groups(db_path: str | Path, article_id: int | None) -> list[tuple[Series, str, str, list[dict]]]:
    db = connect(db_path)
    where = "fact = 'price' and exchange is not null"
    params: list = []
    if article_id is not None:
        where += " and article_id = ?"
        params.append(article_id)
    rows = list(db.query(f"select * from comparisons where {where} order by article_id, id", params))
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (row["exchange"], row["market"], row["symbol"], row["interval"], row["window_start"],
               row["window_end"])
        groups.setdefault(key, []).append(row)
    return [(Series(*key[:4]), key[4], key[5], members) for key, members in groups.items()]


def plot_comparisons(db_path: str | Path, out_path: str | Path, article_id: int | None = None) -> Path:
    """Write a PNG with one panel per compared window (at most six): candles, window, reported figures."""
    groups = _groups(db_path, article_id)[:MAX_PANELS]
    if not groups:
        raise NothingToPlot("no comparison has candle data to plot (import candles, then compare)")
    db = connect(db_path)
    figure = Figure(figsize=(10, 3.2 * len(groups)), layout="constrained")
    axes = figure.subplots(len(groups), 1, squeeze=False)[:, 0]
    for ax, (series, start, end, members) in zip(axes, groups, strict=True):
        _panel(ax, db, series, start, end, members)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format="png", dpi=90)
    return out


def _panel(ax, db, series: Series, start: str, end: str, members: list[dict]) -> None:
    step = interval_seconds(series.interval)
    w_start, w_end = parse_iso(start), parse_iso(end)
    pad = max(dt.timedelta(seconds=step), (w_end - w_start) / 2)
    candles = candles_between(db, series, iso(w_start - pad), iso(w_end + pad))
    width = step / 86400 * 0.7
    for c in candles:
        x = date2num(parse_iso(c["open_time"]) + dt.timedelta(seconds=step / 2))
        colour = "#2da44e" if c["close"] >= c["open"] else "#d1242f"
        ax.vlines(x, c["low"], c["high"], color=colour, linewidth=1)
        body = abs(c["close"] - c["open"]) or (c["high"] - c["low"]) * 0.01 or 1e-9
        ax.add_patch(Rectangle((x - width / 2, min(c["open"], c["close"])), width, body, color=colour))
    ax.axvspan(date2num(w_start), date2num(w_end), color="#0969da", alpha=0.08, label="event window")
    for row in members:
        if row["figure_usd"] is None:
            continue
        colour = VERDICT_COLOURS.get(row["verdict"], "black")
        ax.hlines(row["figure_usd"], date2num(w_start), date2num(w_end), colors=colour, linestyles="--")
        label = f"{row['figure_text']} {row['kind']}: {row['verdict']}"
        ax.annotate(label, (date2num(w_start), row["figure_usd"]), xytext=(3, 3), textcoords="offset points",
                    fontsize=8, color=colour)
    ax.xaxis_date()
    articles = sorted({row["article_id"] for row in members})
    label = ("article " if len(articles) == 1 else "articles ") + ", ".join(map(str, articles))
    ax.set_title(f"{label} · {series.label} · {start} to {end}", fontsize=9)
    ax.set_ylabel("USD")
    ax.autoscale_view()
