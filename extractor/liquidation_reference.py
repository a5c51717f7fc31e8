"""Reference daily liquidations (date, exchange or `all`, long_usd, short_usd) as providers export them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from extractor.candles import iso, parse_time

DATE_HEADERS = ("date", "day", "time", "timestamp", "datetime", "t")
MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}
AMOUNT = re.compile(r"^\$?\s*(?P<num>-?[\d,]*\.?\d+)\s*(?P<unit>k|m|bn|b)?$", re.IGNORECASE)


class ReferenceFileError(Exception):
    """A reference file that cannot be read at all (missing columns, not CSV)."""


@dataclass
class ReferenceImport:
    """Rows stored from one reference file and the messages about the rest."""

    source: str
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def parse_amount(value: str) -> float:
    """A USD amount cell: `1234567`, `$1,234,567.5`, `12.5M`, `1.1B`."""
    match = AMOUNT.match(value.strip())
    if not match:
        raise ValueError(f"not an amount: {value!r}")
    number = float(match.group("num").replace(",", ""))
    unit = (match.group("unit") or "").lower()
    return number * MULTIPLIERS.get(unit, 1)


def _columns(header: list[str]) -> dict[str, int | None]:
    keys = [re.sub(r"[^a-z]", "", h.lower()) for h in header]
    found: dict[str, int | None] = {
        "date": next((i for i, k in enumerate(keys) if k in DATE_HEADERS), None),
        "exchange": next((i for i, k in enumerate(keys) if "exchange" in k or "venue" in k), None),
        "long": next((i for i, k in enumerate(keys) if "long" in k), None),
        "short": next((i for i, k in enumerate(keys) if "short" in k), None),
    }
    missing = [name for name in ("date", "long", "short") if found[name] is None]
    if missing:
        raise ReferenceFileError(
            f"unknown header layout {header!r}: need columns for date, long and short amounts "
            f"(missing {', '.join(missing)})")
    return found


def read_reference(text: str, default_exchange: str = "all") -> tuple[list[dict], list[str]]:
    """Rows of a reference CSV text, and a message for each row left out."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ReferenceFileError("empty file")
    cols = _columns(rows[0])
    out: dict[tuple[str, str], dict] = {}
    warnings: list[str] = []
    for n, row in enumerate(rows[1:], 2):
        try:
            day = parse_time(row[cols["date"]]).date().isoformat()
            long_usd = parse_amount(row[cols["long"]])
            short_usd = parse_amount(row[cols["short"]])
        except (ValueError, IndexError, OverflowError, OSError) as exc:
            warnings.append(f"line {n}: {exc if isinstance(exc, ValueError) else 'short row'}; skipped")
            continue
        exchange = (row[cols["exchange"]].strip() if cols["exchange"] is not None else "") or default_exchange
        key = (day, exchange.lower())
        if key in out:
            warnings.append(f"line {n}: a second row for {day} {exchange}; the last one kept")
        out[key] = {"date": day, "exchange": exchange.lower(), "long_usd": long_usd, "short_usd": short_usd,
                    "total_usd": long_usd + short_usd}
    return list(out.values()), warnings


def import_reference(db: sqlite_utils.Database, path: str | Path, default_exchange: str = "all"
                     ) -> ReferenceImport:
    """Upsert one reference file into `liquidation_reference`; errors are reported, never raised."""
    path = Path(path)
    result = ReferenceImport(source=str(path))
    try:
        rows, result.warnings = read_reference(path.read_bytes().decode("utf-8-sig"), default_exchange)
    except ReferenceFileError as exc:
        result.error = str(exc)
        return result
    except OSError as exc:
        result.error = f"cannot read the file: {exc.strerror or exc}"
        return result
    except UnicodeDecodeError:
        result.error = "not a text (CSV) file"
        return result
    now = iso(dt.datetime.now(dt.UTC))
    for row in rows:
        row.update(source=f"file:{path.name}", imported_at=now)
    if rows:
        db["liquidation_reference"].upsert_all(rows, pk=("date", "exchange"))
    result.rows = len(rows)
    return result
