"""Typing reported prices from their sentence alone (extractor/figures.py)."""

from __future__ import annotations

import pytest

from extractor.figures import (
    band_of,
    detect_venue,
    find_percentages,
    find_prices,
    type_figure,
    type_figures,
    type_percentage,
)

# (sentence, figure text, kind, direction, venue, market); sentences written for these tests.
CASES = [
    (
        "Bitcoin fell as low as $29,000 on Bitstamp early Sunday.",
        "$29,000",
        "extreme",
        "down",
        "bitstamp",
        "spot",
    ),
    ("BTC hit a high of $64,895 on Wednesday before reversing.", "$64,895", "extreme", "up", None, None),
    ("The largest token bottomed at $30,100 overnight.", "$30,100", "extreme", "down", None, None),
    ("Bitcoin touched $60K before sellers stepped in.", "$60K", "extreme", None, None, None),
    ("Ether peaked at $4,380 on Kraken.", "$4,380", "extreme", "up", "kraken", None),
    ("Bitcoin fell to $22,000 on Monday.", "$22,000", "move_end", "down", None, None),
    (
        "Bitcoin dropped from $60,000 to $52,148 in the past 24 hours.",
        "$52,148",
        "move_end",
        "down",
        None,
        None,
    ),
    ("Bitcoin dropped from $60,000 to $52,148 in the past 24 hours.", "$60,000", "level", None, None, None),
    ("Bitcoin rose 5% to $35,400 on Saturday.", "$35,400", "move_end", "up", None, None),
    ("Bitcoin sank 8% to about $8,000 on Thursday.", "$8,000", "move_end", "down", None, None),
    ("BTC was trading near $56,700 at press time.", "$56,700", "level", None, None, None),
    ("Bitcoin was last at $41,250, down 3%.", "$41,250", "level", None, None, None),
    ("Ether was changing hands at $1,800 on Huobi.", "$1,800", "level", None, "huobi", None),
    ("Bitcoin rebounded to $31,000 later in the day.", "$31,000", "level", None, None, None),
    ("Bitcoin slid below $60,000 on Sunday.", "$60,000", "threshold", "down", None, None),
    ("Bitcoin topped $40,000 for the first time.", "$40,000", "threshold", "up", None, None),
    (
        "Bitcoin broke $30,000 as buyers piled in and prices rallied.",
        "$30,000",
        "threshold",
        "up",
        None,
        None,
    ),
    ("Bitcoin lost the $30,000 level on Tuesday.", "$30,000", "threshold", "down", None, None),
    (
        "Bitcoin futures on Binance plunged to $47,500 while spot on Coinbase held above $51,000.",
        "$47,500",
        "move_end",
        "down",
        "binance",
        "futures",
    ),
    (
        "Bitcoin futures on Binance plunged to $47,500 while spot on Coinbase held above $51,000.",
        "$51,000",
        "threshold",
        "up",
        "coinbase",
        "spot",
    ),
    ("On OKEx perpetual swaps, bitcoin wicked to $8,000.", "$8,000", "extreme", None, "okx", "futures"),
    ("Analysts see support at $28,000.", "$28,000", "outlook", None, None, None),
    ("Bitcoin could fall to $20,000, the strategist said.", "$20,000", "outlook", None, None, None),
    ("On May 19 bitcoin plunged to around $30,000.", "$30,000", "move_end", "down", None, None),
    ("BTC was last trading just under $1,800.", "$1,800", "level", None, None, None),
    ("Bitcoin has since fallen closer to $27,000.", "$27,000", "move_end", "down", None, None),
    ("It hit bear market lows in the $15,000s.", "$15,000s", "extreme", "down", None, None),
    ("It ranged in the $26,500-$27,000 area all week.", "$26,500", "range", None, None, None),
    ("It ranged in the $26,500-$27,000 area all week.", "$27,000", "range", None, None, None),
    ("Support sits in the $25,200-400 zone.", "$25,200", "range", None, None, None),
    ("Bitcoin traded between $26,000 to $31,000 range for weeks.", "$26,000", "range", None, None, None),
    ("A wallet moved $300,000 worth of bitcoin.", "$300,000", "amount", None, None, None),
    ("If bitcoin breaks above $30,000, shorts may be squeezed.", "$30,000", "outlook", None, None, None),
    ("Bitcoin climbed to $28,300 after the consumer price index data.", "$28,300", "move_end", "up", None, None),
    ("Bitcoin's index price on Deribit slid to $28,100.", "$28,100", "move_end", "down", "deribit", "index"),
]


@pytest.mark.parametrize(("sentence", "text", "kind", "direction", "venue", "market"), CASES)
def test_type_figure(
    sentence: str, text: str, kind: str, direction: str | None, venue: str | None, market: str | None
) -> None:
    start = sentence.index(text)
    figure = type_figure(sentence, start, start + len(text))
    assert (figure.text, figure.kind, figure.direction, figure.venue, figure.market) == (
        text,
        kind,
        direction,
        venue,
        market,
    )


@pytest.mark.parametrize(
    ("sentence", "prices"),
    [
        ("More than $1.2 billion was liquidated as bitcoin fell 12% to $54,000.", [54000.0]),
        ("Bitcoin hit $60K and ether $2.5k; dogecoin sat at $0.35.", [60000.0, 2500.0, 0.35]),
        ("Open interest of $20bn and a $3 million fine.", []),
        ("It traded at 9,800 USDT, or US$9,810.", [9800.0, 9810.0]),
    ],
)
def test_find_prices(sentence: str, prices: list[float]) -> None:
    assert [value for value, _, _ in find_prices(sentence)] == prices


def test_type_figures_gives_offsets_into_the_sentence() -> None:
    sentence = "Bitcoin dropped from $60,000 to $52,148 on Sunday."
    assert [(f.start, f.end, f.value_usd, f.kind) for f in type_figures(sentence)] == [
        (21, 28, 60000.0, "level"),
        (32, 39, 52148.0, "move_end"),
    ]


def test_a_figure_outside_the_sentence_is_refused() -> None:
    with pytest.raises(ValueError, match="no price at 0:7"):
        type_figure("Bitcoin slid on Sunday.", 0, 7)


def test_a_venue_with_one_market_gives_it() -> None:
    sentence = "On BitMEX, bitcoin traded at $9,100."
    start = sentence.index("$")
    assert detect_venue(sentence, start, start + 6) == ("bitmex", "futures")


@pytest.mark.parametrize(("sentence", "band"), [
    ("It sat in the $27,000s.", (27000.0, 28000.0)),
    ("It sat in the low-$27,000s.", (27000.0, 27333.333)),
    ("It sat in the mid-$27,000s.", (27333.333, 27666.667)),
    ("It sat in the upper $20,000s.", (26666.667, 30000.0)),
    ("It sat in the $28,300s.", (28300.0, 28400.0)),
    ("It sat at $27,000.", None),
])
def test_band_of(sentence: str, band: tuple[float, float] | None) -> None:
    value, start, end = find_prices(sentence)[0]
    got = band_of(sentence, start, end, value)
    assert (tuple(round(x, 3) for x in got) if got else None) == band


@pytest.mark.parametrize(
    ("sentence", "text", "kind", "value", "bound"),
    [
        ("Bitcoin fell 12% on Sunday.", "12%", "pct", -12.0, None),
        ("BTC was down some 2.2% over the past day.", "2.2%", "pct", -2.2, None),
        ("Bitcoin is up more than 80% YTD.", "80%", "pct", 80.0, "at least"),
        ("Ether slid almost 10 percent overnight.", "10 percent", "pct", -10.0, "at most"),
        ("Bitcoin is up 8.5% versus the monthly lows it set last week.", "8.5%", "relative", 8.5, None),
        ("Bitcoin could rally 20% by the summer.", "20%", "outlook", 20.0, None),
    ],
)
def test_type_percentage(sentence: str, text: str, kind: str, value: float, bound: str | None) -> None:
    start = sentence.index(text)
    figure = type_percentage(sentence, start, start + len(text))
    assert (figure.kind, figure.value_pct, figure.bound, figure.value_usd) == (kind, value, bound, None)


def test_find_percentages_skips_prices() -> None:
    assert find_percentages("It fell 3.5% to $1,200, a 1,200% gain since 2019.") == [(3.5, 8, 12), (1200.0, 26, 32)]
