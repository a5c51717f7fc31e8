"""`extractor prices import`: every candle file format, and every bad input the issue names."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.candles import SeriesHint, epoch_to_datetime, hint_from_name, import_file, import_files
from extractor.cli import cli
from extractor.schema import connect

# 2021-04-18 00:00, 01:00, 02:00 UTC in milliseconds.
T0 = 1618704000000
HOUR = 3_600_000
SPOT_ROWS = [
    f"{T0},60090.14,60200.00,59800.00,59900.50,812.5,{T0 + HOUR - 1},48700000.1,41000,400.1,24000000.2,0",
    f"{T0 + HOUR},59900.50,60010.00,59000.00,59100.00,901.0,{T0 + 2 * HOUR - 1},53500000.0,45000,420.0,1,0",
    f"{T0 + 2 * HOUR},59100.00,59300.00,57000.00,57500.25,1500.0,{T0 + 3 * HOUR - 1},87000000,70000,700,1,0",
]
FUTURES_HEADER = (
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
    "taker_buy_quote_volume,ignore"
)


@pytest.fixture
def db(tmp_path: Path):
    return connect(tmp_path / "candles.db")


def candles(db, **where) -> list[tuple]:
    clause = " and ".join(f"{k} = ?" for k in where) or "1"
    return [
        tuple(r)
        for r in db.execute(
            f"select exchange, market, symbol, interval, open_time, open, high, low, close from candles "
            f"where {clause} order by open_time",
            list(where.values()),
        ).fetchall()
    ]


def write_zip(path: Path, member: str, text: str, checksum: str | None = "right") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    if checksum:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if checksum == "right" else checksum
        path.with_name(path.name + ".CHECKSUM").write_text(f"{digest}  {path.name}\n")
    return path


def test_binance_spot_zip_without_header_checked_against_its_checksum(db, tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "BTCUSDT-1h-2021-04-18.zip", "BTCUSDT-1h-2021-04-18.csv", "\n".join(SPOT_ROWS)
    )
    result = import_file(db, path)
    assert (result.error, result.rows, result.warnings) == (None, 3, [])
    assert result.series == [("binance", "spot", "BTCUSDT", "1h")]
    assert candles(db) == [
        ("binance", "spot", "BTCUSDT", "1h", "2021-04-18T00:00:00Z", 60090.14, 60200.0, 59800.0, 59900.5),
        ("binance", "spot", "BTCUSDT", "1h", "2021-04-18T01:00:00Z", 59900.5, 60010.0, 59000.0, 59100.0),
        ("binance", "spot", "BTCUSDT", "1h", "2021-04-18T02:00:00Z", 59100.0, 59300.0, 57000.0, 57500.25),
    ]


def test_a_zip_member_without_a_name_takes_the_zip_s(db, tmp_path: Path) -> None:
    path = write_zip(tmp_path / "ETHUSDT-1h-2021-04-18.zip", "data.csv", "\n".join(SPOT_ROWS))
    assert import_file(db, path).series == [("binance", "spot", "ETHUSDT", "1h")]


def test_a_zip_without_checksum_is_imported_with_a_note(db, tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "BTCUSDT-1h-2021-04-18.zip",
        "BTCUSDT-1h-2021-04-18.csv",
        "\n".join(SPOT_ROWS),
        checksum=None,
    )
    result = import_file(db, path)
    assert result.rows == 3
    assert result.warnings == ["no BTCUSDT-1h-2021-04-18.zip.CHECKSUM beside the file: not verified"]


def test_a_checksum_mismatch_is_refused(db, tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "BTCUSDT-1h-2021-04-18.zip",
        "BTCUSDT-1h-2021-04-18.csv",
        "\n".join(SPOT_ROWS),
        checksum="0" * 64,
    )
    result = import_file(db, path)
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.error == (
        f"checksum mismatch: BTCUSDT-1h-2021-04-18.zip.CHECKSUM says {'0' * 64}, "
        f"the file hashes to {actual}; refused"
    )
    assert candles(db) == []


def test_a_truncated_zip_is_an_error_and_the_next_file_still_lands(db, tmp_path: Path) -> None:
    whole = write_zip(
        tmp_path / "BTCUSDT-1h-2021-04-18.zip",
        "BTCUSDT-1h-2021-04-18.csv",
        "\n".join(SPOT_ROWS * 50),
        checksum=None,
    )
    cut = tmp_path / "ETHUSDT-1h-2021-04-18.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    good = tmp_path / "BTCUSDT-1h-2021-04-19.csv"
    good.write_text(SPOT_ROWS[0] + "\n")
    bad, fine = import_files(db, [cut, good])
    assert bad.error.startswith("not a readable zip (truncated or damaged?)")
    assert (fine.error, fine.rows) == (None, 1)
    assert [c[2] for c in candles(db)] == ["BTCUSDT"]


def test_usdm_futures_csv_with_header_from_the_futures_folder(db, tmp_path: Path) -> None:
    folder = tmp_path / "data" / "futures" / "um" / "daily" / "klines" / "BTCUSDT" / "1h"
    folder.mkdir(parents=True)
    path = folder / "BTCUSDT-1h-2021-04-18.csv"
    path.write_text(
        FUTURES_HEADER + "\n" + f"{T0},60090.1,60400.0,50050.0,56140.0,1.5,{T0 + HOUR - 1},9,9,9,9,0\n"
    )
    result = import_file(db, path)
    assert (result.error, result.warnings) == (None, [])
    assert candles(db) == [
        ("binance", "futures", "BTCUSDT", "1h", "2021-04-18T00:00:00Z", 60090.1, 60400.0, 50050.0, 56140.0)
    ]


def test_a_header_row_alone_makes_the_market_futures_with_a_warning(db, tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-1h-2021-04-18.csv"
    path.write_text(FUTURES_HEADER + "\n" + SPOT_ROWS[0] + "\n")
    result = import_file(db, path)
    assert result.series == [("binance", "futures", "BTCUSDT", "1h")]
    assert result.warnings == [
        "market taken as futures (Binance's futures kline files carry a header row); "
        "give --market to say otherwise"
    ]
    assert import_file(db, path, SeriesHint(market="spot")).series == [("binance", "spot", "BTCUSDT", "1h")]


def test_index_price_klines_are_the_index_market(db, tmp_path: Path) -> None:
    assert (
        hint_from_name(
            tmp_path / "futures/um/daily/indexPriceKlines/BTCUSDT/1m/BTCUSDT-1m-2021-04-18.zip"
        ).market
        == "index"
    )


def test_spot_files_from_2025_in_microseconds(db, tmp_path: Path) -> None:
    # 2025-01-01 00:00:00 and 00:00:01 UTC in microseconds.
    path = tmp_path / "BTCUSDT-1s-2025-01-01.csv"
    path.write_text(
        "1735689600000000,93576.00,93580.00,93570.00,93575.00,1.0,1735689600999999,1,1,1,1,0\n"
        "1735689601000000,93575.00,93577.00,93574.00,93576.00,1.0,1735689601999999,1,1,1,1,0\n"
    )
    result = import_file(db, path)
    assert result.rows == 2 and result.series == [("binance", "spot", "BTCUSDT", "1s")]
    assert [c[4] for c in candles(db)] == ["2025-01-01T00:00:00Z", "2025-01-01T00:00:01Z"]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        (1618704000, "2021-04-18T00:00:00+00:00"),
        (1618704000000, "2021-04-18T00:00:00+00:00"),
        (1618704000000000, "2021-04-18T00:00:00+00:00"),
    ],
)
def test_epoch_units_are_told_apart_by_size(value: int, iso: str) -> None:
    assert epoch_to_datetime(value).isoformat() == iso


def test_coinbase_json_has_low_before_high(db, tmp_path: Path) -> None:
    path = tmp_path / "BTC-USD-3600.json"
    # Coinbase answers newest first: [time, low, high, open, close, volume]
    path.write_text(
        json.dumps(
            [
                [1618707600, 51500.0, 56000.0, 55000.0, 52000.0, 900.1],
                [1618704000, 54800.0, 60300.0, 60100.0, 55000.0, 700.5],
            ]
        )
    )
    result = import_file(db, path)
    assert (result.error, result.warnings) == (None, [])
    assert candles(db) == [
        ("coinbase", "spot", "BTC-USD", "1h", "2021-04-18T00:00:00Z", 60100.0, 60300.0, 54800.0, 55000.0),
        ("coinbase", "spot", "BTC-USD", "1h", "2021-04-18T01:00:00Z", 55000.0, 56000.0, 51500.0, 52000.0),
    ]


def test_ohlc_ordered_json_is_caught_by_the_low_high_check(db, tmp_path: Path) -> None:
    path = tmp_path / "BTC-USD-1h-2021-04-18.json"
    path.write_text(
        json.dumps([[1618704000, 60100.0, 60300.0, 54800.0, 55000.0, 1.0]])
    )  # open, high, low, close
    result = import_file(db, path)
    assert result.warnings == [
        "candle 2021-04-18T00:00:00Z: low above open or close; skipped",
        "no candles stored from this file",
    ]
    assert candles(db) == []


def test_plain_ohlcv_csv_with_seconds_like_the_shared_file(db, tmp_path: Path) -> None:
    path = tmp_path / "btcusdt-1d-2019-2023.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume,trade\n"
        "1618704000,60090.14,60450.0,50050.0,56140.05,1,1\n"
        "1618790400,56140.05,57532.7,54200.0,55634.39,1,1\n"
    )
    result = import_file(db, path, SeriesHint(market="futures"))
    assert result.series == [("binance", "futures", "BTCUSDT", "1d")]
    assert candles(db)[1] == (
        "binance",
        "futures",
        "BTCUSDT",
        "1d",
        "2021-04-19T00:00:00Z",
        56140.05,
        57532.7,
        54200.0,
        55634.39,
    )


def test_options_name_what_the_file_name_does_not(db, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("date,open,high,low,close\n2021-04-18,1,2,0.5,1.5\n")
    assert (
        import_file(db, path).error == "export.csv: no interval in the file name; give --interval (e.g. 1h)"
    )
    result = import_file(db, path, SeriesHint(exchange="kraken", symbol="xbtusd", interval="1d"))
    assert result.series == [("kraken", "spot", "XBTUSD", "1d")]


def test_importing_twice_stores_each_candle_once(db, tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-1h-2021-04-18.csv"
    path.write_text("\n".join(SPOT_ROWS))
    import_file(db, path)
    import_file(db, path)
    assert db["candles"].count == 3


def test_gaps_and_duplicates_are_reported_and_the_rest_lands(db, tmp_path: Path) -> None:
    changed = SPOT_ROWS[0].replace("59900.50", "59950.00", 1)
    path = tmp_path / "BTCUSDT-1h-2021-04-18.csv"
    path.write_text("\n".join([SPOT_ROWS[0], SPOT_ROWS[0], changed, SPOT_ROWS[2], "1618718400000,1,2"]))
    result = import_file(db, path)
    assert result.warnings == [
        "row 5: 3 columns, expected 12 (truncated line?); skipped",
        "2 duplicate rows dropped (1 with different prices: last kept)",
        "1 gaps in the series (1 candles missing), the first after 2021-04-18T00:00:00Z",
    ]
    assert [(c[4], c[8]) for c in candles(db)] == [
        ("2021-04-18T00:00:00Z", 59950.0),
        ("2021-04-18T02:00:00Z", 57500.25),
    ]


def test_a_file_mixing_symbols(db, tmp_path: Path) -> None:
    path = tmp_path / "mixed-1h.csv"
    path.write_text(
        "symbol,open_time,open,high,low,close,volume\n"
        f"BTCUSDT,{T0},60000,60100,59900,60050,1\nETHUSDT,{T0},2300,2310,2290,2305,1\n"
        f"BTCUSDT,{T0 + HOUR},60050,60200,60000,60100,1\n"
    )
    result = import_file(db, path)
    assert result.warnings == ["the file mixes symbols: BTCUSDT, ETHUSDT"]
    assert sorted(result.series) == [
        ("binance", "spot", "BTCUSDT", "1h"),
        ("binance", "spot", "ETHUSDT", "1h"),
    ]
    db["candles"].delete_where()
    result = import_file(db, path, SeriesHint(symbol="BTCUSDT"))
    assert result.warnings == [
        "the file mixes symbols: BTCUSDT, ETHUSDT",
        "1 rows of other symbols (ETHUSDT) left out: this import is for BTCUSDT",
    ]
    assert [c[2] for c in candles(db)] == ["BTCUSDT", "BTCUSDT"]


def test_a_header_in_an_unknown_layout(db, tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-1h-x.csv"
    path.write_text("when,price,amount\n2021-04-18,60000,1\n")
    assert import_file(db, path).error == (
        "unknown header layout ['when', 'price', 'amount']: need a time column (timestamp, open_time, time, "
        "date) and open, high, low, close"
    )


def test_cli_imports_the_good_files_and_fails_on_the_bad(tmp_path: Path) -> None:
    good = tmp_path / "BTCUSDT-1h-2021-04-18.csv"
    good.write_text("\n".join(SPOT_ROWS))
    empty = tmp_path / "ETHUSDT-1h-2021-04-18.csv"
    empty.write_text("")
    db_path = tmp_path / "sub" / "news.db"
    result = CliRunner().invoke(cli, ["prices", "import", str(empty), str(good), "--db", str(db_path)])
    assert result.exit_code == 1
    assert f"extractor: {empty}: error: empty file: no candles" in result.output
    assert f"{good}: 3 candles -> binance spot BTCUSDT 1h" in result.output
    assert connect(db_path)["candles"].count == 3
