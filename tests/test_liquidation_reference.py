"""`extractor liquidations import`: reference daily liquidations as providers export them."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.liquidation_reference import import_reference, parse_amount, read_reference
from extractor.schema import connect


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234567", 1234567.0),
        ("$1,234,567.5", 1234567.5),
        ("12.5M", 12_500_000.0),
        ("1.1B", 1.1e9),
        ("850k", 850_000.0),
    ],
)
def test_parse_amount(cell: str, value: float) -> None:
    assert parse_amount(cell) == pytest.approx(value)


def test_provider_export_with_other_column_names() -> None:
    text = (
        "Time,Exchange,Long Liquidation (USD),Short Liquidation (USD)\n"
        '1618704000,Binance,"$2,400,000,000",200M\n'
        "2021-04-18,all,9B,1.1B\n"
        "2021-04-19,all,oops,1\n"
    )
    rows, warnings = read_reference(text)
    assert rows == [
        {
            "date": "2021-04-18",
            "exchange": "binance",
            "long_usd": 2.4e9,
            "short_usd": 2e8,
            "total_usd": 2.6e9,
        },
        {"date": "2021-04-18", "exchange": "all", "long_usd": 9e9, "short_usd": 1.1e9, "total_usd": 1.01e10},
    ]
    assert warnings == ["line 4: not an amount: 'oops'; skipped"]


def test_files_without_an_exchange_column_are_the_whole_market_and_upserted(tmp_path: Path) -> None:
    db = connect(tmp_path / "news.db")
    path = tmp_path / "daily.csv"
    path.write_text("date,long_usd,short_usd\n2021-04-18,9000000000,1100000000\n")
    assert import_reference(db, path).rows == 1
    path.write_text("date,long_usd,short_usd\n2021-04-18,9100000000,1100000000\n2021-04-18,1,1\n")
    result = import_reference(db, path)
    assert result.warnings == ["line 3: a second row for 2021-04-18 all; the last one kept"]
    assert [(r["exchange"], r["total_usd"]) for r in db["liquidation_reference"].rows] == [("all", 2.0)]


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("day,amount\n2021-04-18,5\n")
    result = import_reference(connect(tmp_path / "news.db"), path)
    assert result.error == (
        "unknown header layout ['day', 'amount']: need columns for date, long and short "
        "amounts (missing long, short)"
    )
