"""`extractor compare`: verdicts of invented articles against candles made here and against real candles."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.candles import SeriesHint, import_file, import_files, iso
from extractor.cli import cli
from extractor.compare import compare_db, comparison_rows, judge, judge_pct
from extractor.schema import connect

SHARED = Path(os.environ.get("EXTRACTOR_SHARED") or Path(__file__).resolve().parents[2] / "shared")
REAL_CANDLES = SHARED / "corpus" / "btcusdt-1d-2019-2023.csv"


def hourly(
    day: str, low: float, high: float, spikes: dict[int, tuple[float, float]] | None = None
) -> list[dict]:
    """24 hourly candles of one day trading between low and high, with some hours reaching further."""
    start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    candles = []
    for hour in range(24):
        lo, hi = (spikes or {}).get(hour, (low, high))
        mid = (lo + hi) / 2
        candles.append(
            {
                "open_time": iso(start + dt.timedelta(hours=hour)),
                "open": mid,
                "high": hi,
                "low": lo,
                "close": mid,
                "volume": 1.0,
            }
        )
    return candles


def write_klines(path: Path, candles: list[dict], header: bool) -> None:
    """Candles as a Binance kline file: a zip with its .CHECKSUM, or a CSV (with the futures header row)."""
    lines = ["open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
             "taker_buy_quote_volume,ignore"] if header else []
    for c in candles:
        ms = int(dt.datetime.fromisoformat(c["open_time"].replace("Z", "+00:00")).timestamp() * 1000)
        lines.append(f"{ms},{c['open']},{c['high']},{c['low']},{c['close']},{c['volume']},{ms + 3_599_999},0,0,0,0,0")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.with_suffix(".csv").name, "\n".join(lines) + "\n")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        path.with_name(path.name + ".CHECKSUM").write_text(f"{digest}  {path.name}\n")
    else:
        path.write_text("\n".join(lines) + "\n")


def add_article(
    db,
    article_id: int,
    published_at: str | None,
    sentences: list[str],
    moves: list[tuple[int, str | None, str]],
) -> None:
    """An article made of sentences, and one price_moves row (asset, direction) per (sentence index, ...)."""
    text = "Market report\n\n" + " ".join(sentences)
    db["articles"].insert(
        {
            "id": article_id,
            "url": f"https://news.example/{article_id}",
            "published_at": published_at,
            "title": "Market report",
            "text": text,
        }
    )
    for index, asset, direction in moves:
        sentence = sentences[index]
        start = text.index(sentence)
        db["price_moves"].insert(
            {
                "article_id": article_id,
                "asset": asset,
                "direction": direction,
                "text": sentence,
                "sentence": sentence,
                "start": start,
                "end": start + len(sentence),
            }
        )


@pytest.fixture
def made_db(tmp_path: Path) -> Path:
    """Candles made for April 17-20, 2021 (Binance spot and futures hourly) and invented articles."""
    path = tmp_path / "news.db"
    db = connect(path)
    candles = (
        hourly("2021-04-17", 60_500, 61_500)
        + hourly(
            "2021-04-18",
            55_000,
            57_000,
            {
                0: (59_600, 60_400),
                1: (59_000, 60_000),
                2: (57_000, 59_000),
                3: (53_000, 57_000),
                4: (51_000, 54_000),
            },
        )
        + hourly("2021-04-19", 55_000, 57_500)
        + hourly("2021-04-20", 55_500, 56_800)
    )
    # Written as the files Binance publishes, then imported: a spot zip with its checksum, a futures CSV.
    spot_zip = tmp_path / "spot" / "BTCUSDT-1h-2021-04.zip"
    write_klines(spot_zip, candles, header=False)
    futures_csv = tmp_path / "futures" / "um" / "BTCUSDT-1h-2021-04-18.csv"
    write_klines(futures_csv, hourly("2021-04-18", 54_800, 57_100, {4: (47_600, 53_000)}), header=True)
    results = import_files(db, [spot_zip, futures_csv])
    assert [(r.error, r.warnings, r.series) for r in results] == [
        (None, [], [("binance", "spot", "BTCUSDT", "1h")]), (None, [], [("binance", "futures", "BTCUSDT", "1h")])]
    tuesday = "2021-04-20T10:00:00Z"
    add_article(
        db,
        1,
        tuesday,
        [
            "Bitcoin fell as low as $51,200 early Sunday.",
            "It hit a high of $62,900 on Saturday.",
            "Bitcoin dropped from $60,000 to $51,400 on Sunday.",
            "BTC was trading near $56,700 at press time.",
            "Bitcoin was last at $59,900.",
        ],
        [(0, "BTC", "down"), (1, "BTC", "up"), (2, "BTC", "down"), (3, "BTC", None), (4, "BTC", None)],
    )
    add_article(
        db,
        2,
        tuesday,
        [
            "Bitcoin slid below $52,000 on Sunday.",
            "Bitcoin topped $60,000 on Monday.",
            "Bitcoin futures on Binance plunged to $47,500 on Sunday.",
            "Bitcoin fell as low as $52,300 on Coinbase on Sunday.",
        ],
        [(0, "BTC", "down"), (1, "BTC", "up"), (2, "BTC", "down"), (3, "BTC", "down")],
    )
    add_article(
        db,
        3,
        tuesday,
        [
            "Bitcoin touched $35,000 on Feb. 21.",
            "Bitcoin dropped sharply on Sunday.",
            "Bitcoin could fall to $45,000, one strategist said.",
            "Ether fell to $2,100 on Sunday.",
            "Pepecoin fell to $0.0001 on Sunday.",
        ],
        [(0, "BTC", "down"), (1, "BTC", "down"), (2, "BTC", "down"), (3, "ETH", "down"), (4, "PEPE", "down")],
    )
    add_article(db, 4, None, ["Bitcoin fell as low as $51,200 on Sunday."], [(0, "BTC", "down")])
    add_article(db, 5, tuesday, [
        "Bitcoin was last changing hands in the mid-$56,000s.",
        "Bitcoin was trading just under $57,000.",
        "It spent the previous week in the $58,000-$59,000 range.",
        "Whales moved $300,000 worth of bitcoin on Sunday.",
        "Bitcoin fell to $2,100 on Sunday.",
    ], [(0, "BTC", None), (1, "BTC", None), (2, "BTC", None), (3, "BTC", None), (4, "BTC", "down")])
    return path


# Hand-annotated: (article, reported text) -> (kind, verdict, venue_mismatch, deviation %), worked out
# from the candles above (spot Sunday low 51,000 at 04:00, high 60,400; Saturday high 61,500; futures
# Sunday low 47,600; the 24 hours before Tuesday 10:00 range 55,000-57,500).
ANNOTATED = {
    (1, "$51,200"): ("extreme", "consistent", None, 0.392),  # early Sunday low 51,000
    (1, "$62,900"): ("extreme", "off", None, 2.276),  # Saturday high 61,500
    (1, "$60,000"): ("level", "consistent", None, 0.0),  # inside Sunday's 51,000-60,400
    (1, "$51,400"): ("move_end", "consistent", None, 0.784),  # Sunday low 51,000
    (1, "$56,700"): ("level", "consistent", None, 0.0),  # inside 55,000-57,500
    (1, "$59,900"): ("level", "off", None, 4.174),  # above 57,500 by more than 1%
    (2, "$52,000"): ("threshold", "consistent", None, -1.923),  # low 51,000 went below
    (2, "$60,000"): ("threshold", "off", None, -4.167),  # Monday high 57,500 never topped it
    (2, "$47,500"): ("move_end", "consistent", 0, -0.21),  # futures low 47,600, same venue and market
    (2, "$52,300"): ("extreme", "off", 1, 2.549),  # Coinbase named; Binance spot low 51,000
    (3, "$35,000"): ("extreme", "no data", None, None),  # no candles in February
    (3, None): (None, "ambiguous", None, None),  # no number
    (3, "$45,000"): ("outlook", "ambiguous", None, None),  # a forecast, not a traded price
    (3, "$2,100"): ("move_end", "no data", None, None),  # no ETH candles
    (3, "$0.0001"): ("move_end", "no data", None, None),  # PEPE has no symbol mapping
    (4, "$51,200"): ("extreme", "ambiguous", None, None),  # no publication time
    (5, "$56,000s"): ("level", "consistent", None, 0.0),  # 56,333-56,667 inside 55,000-57,500
    (5, "$57,000"): ("level", "consistent", None, 0.0),  # "trading just under": a level, inside the range
    (5, "$58,000"): ("range", "ambiguous", None, None),  # a range, not a price
    (5, "$59,000"): ("range", "ambiguous", None, None),
    (5, "$300,000"): ("amount", "ambiguous", None, None),  # money, not a price
    (5, "$2,100"): ("move_end", "ambiguous", None, -95.882),  # far from any BTC price: ether's, probably
}


def test_compare_gives_the_hand_annotated_verdicts(made_db: Path) -> None:
    result = compare_db(made_db)
    rows = comparison_rows(made_db)
    got = {
        (r["article_id"], r["figure_text"]): (
            r["kind"],
            r["verdict"],
            r["venue_mismatch"],
            r["deviation_pct"],
        )
        for r in rows
    }
    assert got == {
        k: (kind, verdict, mismatch, pytest.approx(dev, abs=0.001) if dev is not None else None)
        for k, (kind, verdict, mismatch, dev) in ANNOTATED.items()
    }
    assert result.verdicts == {"consistent": 8, "off": 4, "no data": 3, "ambiguous": 7}
    assert result.messages == ["asset PEPE has no symbol mapping in patterns/symbols.yaml (article 3)"]


def test_compare_records_series_window_and_offsets(made_db: Path) -> None:
    compare_db(made_db)
    db = connect(made_db)
    row = next(db.query("select * from comparisons where figure_text = '$47,500'"))
    series = (row["exchange"], row["market"], row["symbol"], row["interval"])
    assert series == ("binance", "futures", "BTCUSDT", "1h")
    assert (row["window_start"], row["window_end"], row["candles"]) == (
        "2021-04-18T00:00:00Z",
        "2021-04-19T00:00:00Z",
        24,
    )
    assert (row["actual_low"], row["actual_high"], row["reference_usd"]) == (47_600, 57_100, 47_600)
    text = db["articles"].get(2)["text"]
    assert text[row["figure_start"] : row["figure_end"]] == "$47,500"
    coinbase = next(db.query("select * from comparisons where figure_text = '$52,300'"))
    named = (coinbase["reported_venue"], coinbase["exchange"], coinbase["market"])
    assert named == ("coinbase", "binance", "spot")
    assert coinbase["note"] == "the article names Coinbase; candles are binance spot"


def test_a_wider_tolerance_changes_only_the_near_misses(made_db: Path) -> None:
    compare_db(made_db, tolerance_pct=3.0)
    verdicts = {(r["article_id"], r["figure_text"]): r["verdict"] for r in comparison_rows(made_db)}
    assert verdicts[(1, "$62,900")] == "consistent"
    assert verdicts[(2, "$52,300")] == "consistent"
    assert verdicts[(1, "$59,900")] == "off"


def test_compare_twice_gives_the_same_rows(made_db: Path) -> None:
    compare_db(made_db)
    skip = ("id", "compared_at")
    first = [{k: v for k, v in r.items() if k not in skip} for r in comparison_rows(made_db)]
    compare_db(made_db)
    second = [{k: v for k, v in r.items() if k not in skip} for r in comparison_rows(made_db)]
    assert first == second and len(first) == len(ANNOTATED)


def test_a_gap_in_the_window_is_no_data(made_db: Path) -> None:
    db = connect(made_db)
    db.execute("delete from candles where open_time = '2021-04-18T07:00:00Z'")
    db.conn.commit()
    compare_db(made_db)
    row = next(db.query("select * from comparisons where figure_text = '$52,000'"))
    assert row["verdict"] == "no data"
    assert row["note"] == "binance spot BTCUSDT 1h has 23 of the 24 candles of the window"


@pytest.mark.parametrize(
    ("kind", "direction", "figure", "expected"),
    [
        ("extreme", "down", 101.0, ("consistent", 100.0, 1.0)),
        ("extreme", "down", 101.5, ("off", 100.0, 1.5)),
        ("extreme", "up", 198.0, ("consistent", 200.0, -1.0)),
        ("extreme", None, 199.0, ("consistent", 200.0, -0.5)),
        ("move_end", "up", 190.0, ("off", 200.0, -5.0)),
        ("level", None, 150.0, ("consistent", 150.0, 0.0)),
        ("level", None, 201.9, ("consistent", 200.0, 0.95)),
        ("level", None, 98.0, ("off", 100.0, -2.0)),
        ("threshold", "down", 100.0, ("consistent", 100.0, 0.0)),
        ("threshold", "down", 99.0, ("off", 100.0, 1.0101)),
        ("threshold", "up", 250.0, ("off", 200.0, -20.0)),
    ],
)
def test_judge(kind: str, direction: str | None, figure: float, expected: tuple) -> None:
    verdict, reference, deviation = judge(kind, direction, figure, high=200.0, low=100.0, tolerance_pct=1.0)
    assert (verdict, reference, round(deviation, 4)) == expected


@pytest.mark.parametrize(
    ("kind", "direction", "band", "expected"),
    [
        ("level", None, (190.0, 210.0), ("consistent", 190.0, 0.0)),  # overlaps the range
        ("level", None, (205.0, 210.0), ("off", 200.0, 2.5)),
        ("level", None, (90.0, 99.5), ("consistent", 100.0, -0.5)),
        ("extreme", "down", (99.0, 102.0), ("consistent", 100.0, 0.0)),  # the low is inside the band
        ("extreme", "up", (203.0, 206.0), ("off", 200.0, 1.5)),
    ],
)
def test_judge_a_band(kind: str, direction: str | None, band: tuple[float, float], expected: tuple) -> None:
    verdict, reference, deviation = judge(kind, direction, band[0], high=200.0, low=100.0, tolerance_pct=1.0,
                                          band=band)
    assert (verdict, reference, round(deviation, 4)) == expected


def test_percentage_moves_against_the_window(made_db: Path) -> None:
    # Sunday (spot): open 60,000, close 56,000 (-6.67%), low 51,000 (-15%).
    db = connect(made_db)
    sentences = [
        "Bitcoin dropped 15% on Sunday.",
        "Bitcoin fell 25% on Sunday.",
        "Bitcoin lost more than 10% on Sunday.",
        "Bitcoin is up 8% versus last week's lows.",
    ]
    add_article(db, 6, "2021-04-20T10:00:00Z", sentences, [(i, "BTC", "down") for i in range(3)] + [(3, "BTC", "up")])
    for move_id, pct in zip([r["id"] for r in db["price_moves"].rows_where("article_id = 6", order_by="id")],
                            [-15, -25, -10, 8], strict=True):
        db["price_moves"].update(move_id, {"pct": pct})
    compare_db(made_db)
    rows = [(r["figure_text"], r["kind"], r["figure_pct"], r["reference_pct"], r["deviation_pct"], r["verdict"])
            for r in db.query("select * from comparisons where article_id = 6 order by id")]
    assert rows == [
        ("15%", "pct", -15.0, -15.0, 0.0, "consistent"),  # the open-to-low move
        ("25%", "pct", -25.0, -15.0, -10.0, "off"),  # beyond even the open-to-low move
        ("10%", "pct", -10.0, -10.0, 0.0, "consistent"),  # "more than 10%": the low was 15% down
        ("8%", "relative", 8.0, None, None, "ambiguous"),  # measured from past lows
    ]


def test_the_fact_s_own_publication_time_serves_when_the_article_has_none(made_db: Path) -> None:
    db = connect(made_db)
    db["price_moves"].update(next(db["price_moves"].rows_where("article_id = 4"))["id"],
                             {"published_at": "2021-04-20T10:00:00Z"})
    compare_db(made_db)
    row = next(db.query("select * from comparisons where article_id = 4"))
    assert (row["window_start"], row["verdict"], row["deviation_pct"]) == ("2021-04-18T00:00:00Z", "consistent", 0.392)


def test_each_figure_takes_the_time_phrase_nearest_to_it(made_db: Path) -> None:
    db = connect(made_db)
    add_article(db, 7, "2021-04-20T10:00:00Z", ["Bitcoin climbed to $57,400 on Monday, up from $51,000 on Sunday."],
                [(0, "BTC", "up")])
    compare_db(made_db)
    rows = [(r["figure_text"], r["kind"], r["time_phrase"], r["verdict"])
            for r in db.query("select * from comparisons where article_id = 7 order by id")]
    assert rows == [("$57,400", "move_end", "on Monday", "consistent"),  # Monday high 57,500
                    ("$51,000", "level", "on Sunday", "consistent")]  # Sunday range 51,000-60,400


@pytest.mark.parametrize(
    ("reported", "bound", "expected"),
    [
        (-4.0, None, ("consistent", -4.0, 0.0)),  # between the net -2% and the open-to-low -10%
        (-1.5, None, ("consistent", -2.0, 0.5)),
        (-12.0, None, ("off", -10.0, -2.0)),
        (-12.0, "at least", ("off", -10.0, -2.0)),
        (-8.0, "at least", ("consistent", -8.0, 0.0)),
        (-0.5, "at most", ("off", -2.0, 1.5)),  # "almost 0.5%", yet even the net move was 2%
        (40.0, None, ("off", 5.0, 35.0)),  # up: between net -2% and open-to-high +5%
        (5.2, None, ("consistent", 5.0, 0.2)),
    ],
)
def test_judge_pct(reported: float, bound: str | None, expected: tuple) -> None:
    verdict, reference, deviation = judge_pct(reported, open_=100.0, close=98.0, high=105.0, low=90.0,
                                              tolerance_pp=1.0, bound=bound)
    assert (verdict, round(reference, 4), round(deviation, 4)) == expected


def test_liquidation_totals_against_the_reference(made_db: Path, tmp_path: Path) -> None:
    db = connect(made_db)
    reference = tmp_path / "liquidations.csv"
    reference.write_text(
        "date,exchange,long_usd,short_usd\n2021-04-18,all,9000000000,1100000000\n"
        "2021-04-18,binance,2400000000,200000000\n"
    )
    runner = CliRunner()
    out = runner.invoke(cli, ["liquidations", "import", str(reference), "--db", str(made_db)])
    assert out.exit_code == 0, out.output
    sentence = "More than $10 billion of positions were liquidated on Sunday."
    db["liquidations"].insert_all(
        [
            {"article_id": 1, "amount_usd": 10e9, "side": "total", "text": sentence, "sentence": sentence},
            {
                "article_id": 1,
                "amount_usd": 1.5e9,
                "side": "long",
                "exchange": "Binance",
                "sentence": "Longs worth $1.5 billion were wiped out on Binance on Sunday.",
            },
            {
                "article_id": 1,
                "amount_usd": 1e9,
                "side": "short",
                "exchange": "OKX",
                "sentence": "Shorts of $1 billion were liquidated on OKX on Sunday.",
            },
        ]
    )
    compare_db(made_db)
    rows = list(db.query("select * from comparisons where fact = 'liquidation' order by fact_id"))
    assert [(r["reference_usd"], r["verdict"]) for r in rows] == [
        (10.1e9, "consistent"),
        (2.4e9, "off"),
        (None, "no data"),
    ]
    assert rows[0]["note"] == "total over 2021-04-18; reported as a lower bound"
    assert rows[2]["note"] == "reference has 0 of 1 days for okx"


def test_cli_compare_prints_the_table_and_draws_the_plot(made_db: Path, tmp_path: Path) -> None:
    plot = tmp_path / "out" / "compare.png"
    result = CliRunner().invoke(cli, ["compare", "--db", str(made_db), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert "22 comparisons: 7 ambiguous, 8 consistent, 3 no data, 4 off" in result.output
    assert "asset PEPE has no symbol mapping" in result.output
    from PIL import Image

    with Image.open(plot) as image:
        image.verify()
    with Image.open(plot) as image:
        assert image.format == "PNG" and image.size == (900, 6 * 288)  # six panels at most
    one = tmp_path / "one.png"
    result = CliRunner().invoke(cli, ["compare", "--db", str(made_db), "--plot", str(one), "--article", "2"])
    assert result.exit_code == 0, result.output
    with Image.open(one) as image:
        assert image.size == (900, 3 * 288)  # article 2: Sunday spot, Monday spot, Sunday futures


def test_plot_without_candle_data_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    connect(path)
    result = CliRunner().invoke(cli, ["compare", "--db", str(path), "--plot", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "no comparison has candle data to plot" in result.output
    assert not (tmp_path / "x.png").exists()


def _real_candle(day: str) -> dict:
    """One day of the real candle file, to show in failures what the test was written from."""
    stamp = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())
    with REAL_CANDLES.open() as fh:
        return next(r for r in csv.DictReader(fh) if int(r["timestamp"]) == stamp)


# Invented articles about real days; what the real Binance BTCUSDT daily candles show, written by hand:
#   2020-03-12 Thu  low 4,347.00                        2021-04-18 Sun  low 50,050.00
#   2021-05-19 Wed  low 28,688.00                       2021-11-10 Wed  high 69,198.70
#   2022-06-18 Sat  low 17,593.20                       2022-11-09 Wed  low 15,462.60, high 18,574.90
#   2023-03-12 Sun  high 22,184.00                      2020-12-16 Wed  high 21,600.00
#   2021-01-07 + 2021-01-08 (the 24 hours before 2021-01-08 12:00): low 36,337.36, high 42,125.51
#   2019-09-05: before the file starts (2019-09-08)
#   November 2021: highest high 69,198.70 (11-10)      November 2022: lowest low 15,443.20 (11-21)
#   March 2020: lowest low 3,621.81 (03-13)
REAL_ARTICLES = [
    (1, "2020-03-13T08:00:00Z", "Bitcoin crashed to $4,380 on Thursday as markets sold off."),
    (2, "2021-04-19T09:00:00Z", "Bitcoin futures on Binance tumbled as low as $50,100 on Sunday."),
    (3, "2021-04-19T09:00:00Z", "On Coinbase, bitcoin fell as low as $51,541 on Sunday."),
    (4, "2021-05-20T06:00:00Z", "Bitcoin slid below $30,000 on Wednesday before recovering."),
    (5, "2021-11-11T07:00:00Z", "Bitcoin hit a record high of $69,000 on Wednesday."),
    (6, "2022-06-19T06:00:00Z", "Bitcoin fell below $17,000 on Saturday, a trader said."),
    (7, "2022-11-10T06:00:00Z", "Bitcoin was trading near $16,200 on Wednesday."),
    (8, "2022-11-10T06:00:00Z", "Bitcoin topped $21,000 on Wednesday."),
    (9, "2023-03-13T05:00:00Z", "Bitcoin climbed to $22,100 on Sunday."),
    (10, "2020-12-17T09:00:00Z", "Bitcoin broke above $20,000 on Wednesday."),
    (11, "2021-01-08T12:00:00Z", "Bitcoin was last at $41,000."),
    (12, "2019-09-05T12:00:00Z", "Bitcoin was trading near $10,600."),
    (13, "2022-01-10T12:00:00Z", "Bitcoin hit a record high of $69,000 in November 2021."),
    (14, "2023-01-05T12:00:00Z", "Bitcoin fell as low as $15,500 in November 2022."),
    (15, "2020-04-02T12:00:00Z", "Bitcoin plunged to $5,000 in March 2020."),
]
REAL_VERDICTS = {
    1: ("move_end", "consistent", None),  # 4,380 vs low 4,347: +0.76%
    2: ("extreme", "consistent", 0),  # 50,100 vs low 50,050: +0.10%, Binance futures as named
    3: ("extreme", "off", 1),  # 51,541 vs low 50,050: +2.98%; Coinbase named
    4: ("threshold", "consistent", None),  # low 28,688 went below 30,000
    5: ("extreme", "consistent", None),  # 69,000 vs high 69,198.70: -0.29%
    6: ("threshold", "off", None),  # low 17,593.20 stayed above 17,000
    7: ("level", "consistent", None),  # inside 15,462.60-18,574.90
    8: ("threshold", "off", None),  # high 18,574.90 never topped 21,000
    9: ("move_end", "consistent", None),  # 22,100 vs high 22,184: -0.38%
    10: ("threshold", "consistent", None),  # high 21,600 went above 20,000
    11: ("level", "consistent", None),  # inside 36,337.36-42,125.51
    12: ("level", "no data", None),  # before the candles start
    13: ("extreme", "consistent", None),  # 69,000 vs the month's high 69,198.70: -0.29%
    14: ("extreme", "consistent", None),  # 15,500 vs the month's low 15,443.20: +0.37%
    15: ("move_end", "off", None),  # 5,000 vs the month's low 3,621.81: +38%
}


@pytest.mark.skipif(not REAL_CANDLES.exists(), reason=f"real candle file absent: {REAL_CANDLES} (set EXTRACTOR_SHARED)")
def test_real_candles_give_the_verdicts_the_days_imply(tmp_path: Path) -> None:
    assert _real_candle("2021-04-18")["low"] == "50050.0"
    path = tmp_path / "real.db"
    db = connect(path)
    result = import_file(db, REAL_CANDLES, SeriesHint(market="futures"))
    assert (result.error, result.rows) == (None, 1368)
    assert result.series == [("binance", "futures", "BTCUSDT", "1d")]
    for article_id, published, sentence in REAL_ARTICLES:
        add_article(db, article_id, published, [sentence], [(0, "BTC", None)])
    compare_db(path)
    got = {r["article_id"]: (r["kind"], r["verdict"], r["venue_mismatch"]) for r in comparison_rows(path)}
    assert got == REAL_VERDICTS


def test_canned_queries_through_datasette(made_db: Path) -> None:
    import asyncio

    import yaml
    from datasette.app import Datasette

    compare_db(made_db)
    fragment = Path(__file__).resolve().parents[1] / "db" / "metadata.yml"
    metadata = yaml.safe_load(fragment.read_text())

    async def fetch(path: str) -> list[dict]:
        ds = Datasette([str(made_db)], metadata=metadata)
        response = await ds.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    everything = asyncio.run(fetch("/news/reported_vs_actual.json?_shape=array"))
    assert len(everything) == len(ANNOTATED)
    btc = asyncio.run(fetch("/news/reported_vs_actual.json?_shape=array&asset=btc"))
    assert [r["reported"] for r in btc if r["article_id"] == 2] == [
        "$52,000",
        "$60,000",
        "$47,500",
        "$52,300",
    ]
    worst = asyncio.run(fetch("/news/biggest_discrepancies.json?_shape=array"))
    assert [(r["reported"], r["deviation_pct"]) for r in worst] == [
        ("$59,900", 4.17),
        ("$60,000", -4.17),
        ("$52,300", 2.55),
        ("$62,900", 2.28),
    ]
    hostile = asyncio.run(
        fetch("/news/reported_vs_actual.json?_shape=array&asset='; DROP TABLE comparisons;--")
    )
    assert hostile == [] and connect(made_db)["comparisons"].count == len(ANNOTATED)


def test_price_moves_from_the_pipeline_compare_like_hand_made_ones(made_db: Path) -> None:
    """The NLP's price_moves (SCHEMA.md keys) stored as `extractor extract` stores them, then compared."""
    from extractor.nlp.pipeline import analyse_text, build_pipeline

    text = "Bitcoin slumps\n\nBitcoin fell as low as $51,200 early Sunday, exchange data show."
    moves = analyse_text(build_pipeline(), text, "2021-04-20")["price_moves"]
    db = connect(made_db)
    db["articles"].insert({"id": 9, "url": "https://news.example/9", "published_at": "2021-04-20T10:00:00Z",
                           "text": text})
    columns = set(db["price_moves"].columns_dict)
    db["price_moves"].insert_all([{**{k: v for k, v in m.items() if k in columns}, "article_id": 9} for m in moves])
    compare_db(made_db)
    rows = list(db.query("select * from comparisons where article_id = 9"))
    assert [(r["figure_text"], r["kind"], r["window_basis"], r["verdict"]) for r in rows] == [
        ("$51,200", "extreme", "early Sunday", "consistent")]


@pytest.mark.parametrize("command", [["prices", "import"], ["prices", "fetch"], ["compare"],
                                     ["liquidations", "import"]])
def test_every_compare_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "extractor " + command[0] in result.output
