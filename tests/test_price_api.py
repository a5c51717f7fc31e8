"""`extractor prices fetch` against a local server speaking Binance's klines protocol."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from extractor.cli import cli
from extractor.price_api import fetch_binance, fetch_coinbase, parse_moment
from extractor.schema import connect

HOUR_MS = 3_600_000
FIRST_MS = 1618617600000  # 2021-04-17T00:00Z
KLINES = [
    [
        FIRST_MS + i * HOUR_MS,
        "60000.0",
        f"{60100 + i}.0",
        f"{59900 - i}.0",
        "60050.0",
        "1.5",
        FIRST_MS + (i + 1) * HOUR_MS - 1,
        "90000.0",
        10,
        "0.7",
        "42000.0",
        "0",
    ]
    for i in range(24 * 5)
]


class Exchange:
    """A klines endpoint as Binance serves it: startTime, endTime and limit, plus scripted failures."""

    def __init__(self, failures: list[Response] | None = None, weight: int = 10) -> None:
        self.failures = list(failures or [])
        self.weight = weight
        self.requests: list[dict] = []

    def __call__(self, request: Request) -> Response:
        args = {k: request.args[k] for k in request.args}
        self.requests.append(args)
        if self.failures:
            return self.failures.pop(0)
        return self.answer(args)

    def answer(self, args: dict) -> Response:
        """The klines between startTime and endTime, `limit` at most."""
        if args.get("symbol") != "BTCUSDT":
            return Response(json.dumps({"code": -1121, "msg": "Invalid symbol."}), status=400)
        start, end = int(args["startTime"]), int(args["endTime"])
        limit = min(int(args.get("limit", 500)), 1000)
        page = [k for k in KLINES if start <= k[0] <= end][:limit]
        return Response(
            json.dumps(page),
            content_type="application/json",
            headers={"X-MBX-USED-WEIGHT-1M": str(self.weight)},
        )


@pytest.fixture
def db(tmp_path: Path):
    return connect(tmp_path / "prices.db")


def serve(httpserver: HTTPServer, exchange: Exchange, path: str = "/api/v3/klines") -> str:
    httpserver.expect_request(path).respond_with_handler(exchange)
    return httpserver.url_for("/")


START, END = parse_moment("2021-04-17"), parse_moment("2021-04-19", end_of_day=True)


def fetch(db, url: str, sleeps: list[float], symbol: str = "BTCUSDT", **options):
    """BTCUSDT 1h klines of 2021-04-17 to 2021-04-19 from the local server, recording the waits."""
    return fetch_binance(db, symbol, options.pop("interval", "1h"), START, END, base_url=url,
                         sleep=sleeps.append, **options)


def test_pages_through_the_limit(httpserver: HTTPServer, db) -> None:
    exchange = Exchange()
    sleeps: list[float] = []
    result = fetch(db, serve(httpserver, exchange), sleeps, symbol="btcusdt", page_limit=20)
    assert (result.error, result.pages, result.rows, result.retries, sleeps) == (None, 4, 72, 0, [])
    assert [int(r["startTime"]) for r in exchange.requests] == [FIRST_MS + n * 20 * HOUR_MS for n in range(4)]
    assert {r["endTime"] for r in exchange.requests} == {str(FIRST_MS + 72 * HOUR_MS - 1)}
    rows = list(db.query("select open_time, high, low from candles order by open_time"))
    assert (rows[0], rows[-1]) == (
        {"open_time": "2021-04-17T00:00:00Z", "high": 60100.0, "low": 59900.0},
        {"open_time": "2021-04-19T23:00:00Z", "high": 60171.0, "low": 59829.0},
    )


def test_fetching_a_range_twice_stores_each_candle_once(httpserver: HTTPServer, db) -> None:
    url = serve(httpserver, Exchange())
    fetch(db, url, [])
    fetch(db, url, [])
    assert db["candles"].count == 72


def test_a_429_is_waited_out_for_retry_after(httpserver: HTTPServer, db) -> None:
    exchange = Exchange([Response("Too many requests", status=429, headers={"Retry-After": "7"})])
    sleeps: list[float] = []
    result = fetch(db, serve(httpserver, exchange), sleeps)
    assert (result.error, result.rows, result.retries, sleeps) == (None, 72, 1, [7.0])
    assert result.warnings == ["waited 7s: HTTP 429 (Retry-After: 7)"]


def test_5xx_answers_are_retried_with_backoff(httpserver: HTTPServer, db) -> None:
    exchange = Exchange([Response("bad gateway", status=502), Response("unavailable", status=503)])
    sleeps: list[float] = []
    result = fetch(db, serve(httpserver, exchange), sleeps)
    assert (result.error, result.rows, sleeps) == (None, 72, [1.0, 2.0])


def test_a_server_that_keeps_failing_keeps_the_pages_already_stored(httpserver: HTTPServer, db) -> None:
    class FailsAfterFirstPage(Exchange):
        def __call__(self, request: Request) -> Response:
            if len(self.requests) >= 1:
                self.requests.append({})
                return Response("down", status=500)
            return super().__call__(request)

    sleeps: list[float] = []
    result = fetch(db, serve(httpserver, FailsAfterFirstPage()), sleeps, page_limit=30, max_retries=2)
    assert result.error == "HTTP 500 after 3 attempts"
    assert (result.rows, db["candles"].count, sleeps) == (30, 30, [1.0, 2.0])


def test_the_used_weight_header_makes_it_pause(httpserver: HTTPServer, db) -> None:
    sleeps: list[float] = []
    result = fetch(db, serve(httpserver, Exchange(weight=1150)), sleeps)
    assert result.rows == 72 and len(sleeps) == 1 and 0 < sleeps[0] <= 60
    assert result.warnings[0].endswith("request weight 1150 of 1200 used this minute")


def test_futures_use_their_own_path(httpserver: HTTPServer, db) -> None:
    url = serve(httpserver, Exchange(), path="/fapi/v1/klines")
    result = fetch(db, url, [], interval="1d", market="futures")
    assert result.series == ("binance", "futures", "BTCUSDT", "1d")
    assert result.error is None


def test_cli_fetch_reports_a_refusal(httpserver: HTTPServer, tmp_path: Path) -> None:
    url = serve(httpserver, Exchange())
    db_path = tmp_path / "news.db"
    runner = CliRunner()
    common = ["--start", "2021-04-17", "--end", "2021-04-18", "--base-url", url, "--db", str(db_path)]
    ok = runner.invoke(cli, ["prices", "fetch", "--symbol", "BTCUSDT", "--interval", "1h", *common])
    assert ok.exit_code == 0, ok.output
    assert "binance spot BTCUSDT 1h: 48 candles in 1 pages (0 retries)" in ok.output
    bad = runner.invoke(cli, ["prices", "fetch", "--symbol", "NOPE", *common])
    assert bad.exit_code == 1
    assert 'extractor: error: HTTP 400: {"code": -1121, "msg": "Invalid symbol."}' in bad.output


def test_parse_moment() -> None:
    assert parse_moment("2021-04-19", end_of_day=True) == dt.datetime(2021, 4, 20, tzinfo=dt.UTC)
    assert parse_moment("2021-04-19T06:00:00Z", end_of_day=True) == dt.datetime(2021, 4, 19, 6, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        parse_moment("yesterday")


class Coinbase(Exchange):
    """Coinbase Exchange's candles endpoint: granularity, ISO start and end, newest first, 300 at most."""

    def answer(self, args: dict) -> Response:
        """The candles from start to end (both included), newest first."""
        step = int(args["granularity"])
        first = int(dt.datetime.fromisoformat(args["start"].replace("Z", "+00:00")).timestamp())
        last = int(dt.datetime.fromisoformat(args["end"].replace("Z", "+00:00")).timestamp())
        rows = [[t, 59000.0 - t % 7, 61000.0 + t % 5, 60000.0, 60100.0, 2.5] for t in range(first, last + 1, step)]
        return Response(json.dumps(list(reversed(rows))[:300]), content_type="application/json")


def test_coinbase_pages_in_spans_of_300_candles(httpserver: HTTPServer, db) -> None:
    server = Coinbase([Response("slow down", status=429, headers={"Retry-After": "1"})])
    httpserver.expect_request("/products/BTC-USD/candles").respond_with_handler(server)
    sleeps: list[float] = []
    result = fetch_coinbase(db, "btc-usd", "5m", START, END, base_url=httpserver.url_for("/"), sleep=sleeps.append)
    assert (result.error, result.pages, result.rows, sleeps) == (None, 3, 864, [1.0])
    assert [(r["start"], r["end"]) for r in server.requests[1:]] == [
        ("2021-04-17T00:00:00Z", "2021-04-18T00:55:00Z"),
        ("2021-04-18T01:00:00Z", "2021-04-19T01:55:00Z"),
        ("2021-04-19T02:00:00Z", "2021-04-19T23:55:00Z"),
    ]
    first = db.execute("select exchange, market, symbol, interval, open_time from candles order by open_time")
    assert first.fetchone() == ("coinbase", "spot", "BTC-USD", "5m", "2021-04-17T00:00:00Z")


def test_coinbase_refuses_an_interval_it_does_not_serve(db, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Coinbase serves candles of 60, 300, 900, 3600, 21600, 86400 seconds"):
        fetch_coinbase(db, "BTC-USD", "4h", START, END)
    result = CliRunner().invoke(cli, ["prices", "fetch", "--exchange", "coinbase", "--market", "futures",
                                      "--symbol", "BTC-USD", "--start", "2021-04-17", "--end", "2021-04-18",
                                      "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "Coinbase candles are spot only" in result.output
