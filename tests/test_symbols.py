"""The symbol map in patterns/ (symbols.yaml, venues from exchanges.jsonl) and the figure cues (figure_kinds.yaml)."""

from __future__ import annotations

from extractor.patterns import load_jsonl, load_yaml
from extractor.symbols import symbol_for, symbols_for, venue, venues


def test_pattern_files_load_with_unique_ids() -> None:
    data = load_yaml("symbols.yaml")
    venue_ids = {v["id"] for v in load_jsonl("exchanges.jsonl")}
    asset_ids = [a["id"] for a in data["assets"]]
    assert len(asset_ids) == len(set(asset_ids))
    assert set(data["venue_markets"]) <= venue_ids
    for asset in data["assets"]:
        assert set(asset["symbols"]) <= venue_ids, asset["id"]
    kinds = load_yaml("figure_kinds.yaml")
    assert {"extreme", "move_end", "level", "threshold", "outlook", "fillers", "markets"} <= set(kinds)


def test_assets_map_to_symbols_per_venue() -> None:
    assert symbol_for("BTC", "binance") == "BTCUSDT"
    assert symbol_for("btc", "Coinbase") == "BTC-USD"
    assert symbol_for("BTC", "kraken") == "XBTUSD"
    assert symbol_for("PEPE", "binance") is None
    assert symbols_for("NOPE") == {}


def test_venues_carry_their_aliases_and_only_market() -> None:
    assert venue("OKX").aliases == ("OKX", "OKEx", "OKCoin", "OK Coin")
    assert venue("bitmex").market == "futures" and venue("binance").market is None
    assert venue("gemini").case_sensitive == ("Gemini",)
    assert [v.id for v in venues()][:2] == ["binance", "coinbase"]
