"""Venues (`patterns/exchanges.jsonl`) and asset symbols (`patterns/symbols.yaml`): BTC -> BTCUSDT on Binance."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from extractor.patterns import load_jsonl, load_yaml

SYMBOLS_FILE = "symbols.yaml"
VENUES_FILE = "exchanges.jsonl"


@dataclass(frozen=True)
class Venue:
    """A trading venue: canonical id, display name, the names articles use, its only market if any."""

    id: str
    name: str
    aliases: tuple[str, ...]
    market: str | None = None
    case_sensitive: tuple[str, ...] = ()


@cache
def venues() -> tuple[Venue, ...]:
    """Every venue of exchanges.jsonl, in file order, with its only market from symbols.yaml."""
    markets = load_yaml(SYMBOLS_FILE).get("venue_markets", {})
    return tuple(
        Venue(
            id=row["id"],
            name=row.get("name", row["id"]),
            aliases=tuple(row.get("aliases", [])),
            market=markets.get(row["id"]),
            case_sensitive=tuple(row.get("case_sensitive", [])),
        )
        for row in load_jsonl(VENUES_FILE)
    )


def venue(venue_id: str) -> Venue | None:
    """The venue with this id (case-insensitive), or None."""
    wanted = venue_id.lower()
    return next((v for v in venues() if v.id == wanted), None)


@cache
def _asset_symbols() -> dict[str, dict[str, str]]:
    data = load_yaml(SYMBOLS_FILE)
    return {row["id"].upper(): {k.lower(): str(v).upper() for k, v in row["symbols"].items()}
            for row in data["assets"]}


def symbol_for(asset: str, exchange: str) -> str | None:
    """The symbol `asset` trades under on `exchange` (upper case), or None when the map has none."""
    return _asset_symbols().get(asset.upper(), {}).get(exchange.lower())


def symbols_for(asset: str) -> dict[str, str]:
    """Every exchange id -> symbol for one asset (empty when the asset is not mapped)."""
    return dict(_asset_symbols().get(asset.upper(), {}))
