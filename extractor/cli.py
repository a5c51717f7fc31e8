"""The command-line interface: a thin click layer over the library functions."""

from __future__ import annotations

import json
import sys

import click

from extractor import __version__
from extractor.schema import DEFAULT_DB, connect


@click.group()
@click.version_option(__version__, prog_name="extractor")
def cli() -> None:
    """Turn crypto market news into data: liquidations, price moves, exchanges and quotes."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--published", metavar="YYYY-MM-DD", callback=lambda ctx, param, value: _date(value),
              help="Publication date, to anchor relative dates.")
@click.option("--model", metavar="NAME", default=None, help="Add a trained spaCy pipeline's entities.")
def parse(paths: tuple[str, ...], published: str | None, model: str | None) -> None:
    """Parse article files (.txt, .html, or - for stdin) and print one JSON object per file.

    Nothing is written to any database. Example:

        extractor parse articles/*.txt --published 2021-04-20 > facts.jsonl
    """
    from extractor.parse import parse_paths

    failed = 0
    for obj in parse_paths(paths, published=published, model=model):
        if "error" in obj:
            failed += 1
            click.echo(f"extractor: {obj['source']}: {obj['error']}", err=True)
        for warning in obj.get("warnings", []):
            click.echo(f"extractor: {obj['source']}: warning: {warning}", err=True)
        click.echo(json.dumps(obj, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _date(value: str | None) -> str | None:
    from extractor.parse import check_date

    try:
        return check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _db_option(function):
    return click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True, metavar="PATH",
                        help="SQLite database (created with its folder if missing).")(function)


@cli.group()
def prices() -> None:
    """Exchange price data (candles): import files or fetch them from an exchange's API."""


@prices.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_db_option
@click.option("--exchange", default=None, help="Exchange id (default: binance; coinbase for .json files).")
@click.option("--market", type=click.Choice(["spot", "futures", "index"]), default=None,
              help="Market of the series (default: from the path, else spot).")
@click.option("--symbol", default=None, help="Symbol, when the file name does not say (BTCUSDT).")
@click.option("--interval", default=None, help="Candle interval, when the file name does not say (1h, 1d).")
def prices_import(files: tuple[str, ...], db_path: str, exchange: str | None, market: str | None,
                  symbol: str | None, interval: str | None) -> None:
    """Import candle files: Binance kline CSV or zip (checked against a .CHECKSUM beside it), Coinbase
    candles JSON, or a plain OHLCV CSV with a header. Importing twice stores each candle once.

    Example:

    \b
        extractor prices import BTCUSDT-1h-2021-04.zip ../shared/corpus/btcusdt-1d-2019-2023.csv
    """
    from extractor.candles import SeriesHint, import_files

    db = connect(db_path)
    hint = SeriesHint(exchange=exchange, market=market, symbol=symbol, interval=interval)
    failed = 0
    for result in import_files(db, files, hint):
        for warning in result.warnings:
            click.echo(f"extractor: {result.source}: warning: {warning}", err=True)
        if result.error:
            failed += 1
            click.echo(f"extractor: {result.source}: error: {result.error}", err=True)
            continue
        series = "; ".join(" ".join(s) for s in result.series)
        click.echo(f"{result.source}: {result.rows} candles -> {series}")
    if failed:
        sys.exit(1)


@prices.command("fetch")
@_db_option
@click.option("--exchange", type=click.Choice(["binance", "coinbase"]), default="binance", show_default=True)
@click.option("--market", type=click.Choice(["spot", "futures"]), default="spot", show_default=True,
              help="Binance only: spot or USD-M futures (Coinbase is spot).")
@click.option("--symbol", required=True, help="Exchange symbol, e.g. BTCUSDT on Binance, BTC-USD on Coinbase.")
@click.option("--interval", default="1h", show_default=True, help="Candle interval (1m, 1h, 1d ...).")
@click.option("--start", required=True, metavar="DATE", help="First day (YYYY-MM-DD) or ISO datetime, UTC.")
@click.option("--end", required=True, metavar="DATE", help="Last day, inclusive (or an exclusive datetime).")
@click.option("--base-url", default=None, metavar="URL", help="Another server speaking the same API.")
def prices_fetch(db_path: str, exchange: str, market: str, symbol: str, interval: str, start: str, end: str,
                 base_url: str | None) -> None:
    """Fetch candles from the exchange's public REST API, page by page, respecting its rate limits.

    Example:

    \b
        extractor prices fetch --symbol BTCUSDT --interval 1h --start 2021-04-17 --end 2021-04-19
    """
    from extractor.price_api import fetch_binance, fetch_coinbase, parse_moment

    try:
        first, last = parse_moment(start), parse_moment(end, end_of_day=True)
        if exchange == "coinbase":
            if market != "spot":
                raise ValueError("Coinbase candles are spot only")
            result = fetch_coinbase(connect(db_path), symbol, interval, first, last, base_url=base_url)
        else:
            result = fetch_binance(connect(db_path), symbol, interval, first, last, market=market, base_url=base_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    for warning in result.warnings:
        click.echo(f"extractor: warning: {warning}", err=True)
    click.echo(f"{' '.join(result.series)}: {result.rows} candles in {result.pages} pages "
               f"({result.retries} retries)")
    if result.error:
        click.echo(f"extractor: error: {result.error} (candles fetched before it are stored)", err=True)
        sys.exit(1)


@cli.command()
@_db_option
@click.option("--tolerance", "tolerance_pct", type=float, default=1.0, show_default=True, metavar="PCT",
              help="How far (in %) a reported extreme may be from the window's low or high.")
@click.option("--liquidation-tolerance", "liquidation_tolerance_pct", type=float, default=10.0,
              show_default=True, metavar="PCT", help="The same for liquidation totals vs the reference.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None, metavar="FILE.png",
              help="Also draw the candles of compared windows with the reported figures marked.")
@click.option("--article", "article_id", type=int, default=None, help="Plot only this article's windows.")
def compare(db_path: str, tolerance_pct: float, liquidation_tolerance_pct: float, plot_path: str | None,
            article_id: int | None) -> None:
    """Compare reported prices (and liquidation totals) with exchange data; fills `comparisons`.

    Verdicts: consistent, off, no data, ambiguous. Example:

    \b
        extractor compare --db db/news.db --tolerance 1.5 --plot compare.png
    """
    from tabulate import tabulate

    from extractor.compare import compare_db, comparison_rows

    result = compare_db(db_path, tolerance_pct, liquidation_tolerance_pct)
    for message in result.messages:
        click.echo(f"extractor: {message}", err=True)
    table = [
        [r["article_id"], r["asset"], r["figure_text"], r["kind"], (r["window_start"] or "")[:16],
         r["actual_low"], r["actual_high"], r["deviation_pct"], r["verdict"],
         {1: "yes", 0: "no"}.get(r["venue_mismatch"], "")]
        for r in comparison_rows(db_path)
    ]
    click.echo(tabulate(table, headers=["article", "asset", "reported", "kind", "window from", "low", "high",
                                       "dev %", "verdict", "venue mismatch"]))
    counts = ", ".join(f"{n} {v}" for v, n in sorted(result.verdicts.items()))
    click.echo(f"{result.rows} comparisons: {counts or 'none'}")
    if plot_path:
        from extractor.plot import NothingToPlot, plot_comparisons

        try:
            click.echo(f"plot: {plot_comparisons(db_path, plot_path, article_id)}")
        except NothingToPlot as exc:
            click.echo(f"extractor: {exc}", err=True)
            sys.exit(1)


@cli.group()
def liquidations() -> None:
    """Reference liquidation data to compare reported totals with."""


@liquidations.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_db_option
@click.option("--exchange", default="all", show_default=True,
              help="Exchange of files without an exchange column (all = whole market).")
def liquidations_import(files: tuple[str, ...], db_path: str, exchange: str) -> None:
    """Import daily liquidations (CSV: date, exchange, long_usd, short_usd) into `liquidation_reference`.

    Example:

    \b
        extractor liquidations import coinglass-daily.csv
    """
    from extractor.liquidation_reference import import_reference

    db = connect(db_path)
    failed = 0
    for path in files:
        result = import_reference(db, path, exchange)
        for warning in result.warnings:
            click.echo(f"extractor: {path}: warning: {warning}", err=True)
        if result.error:
            failed += 1
            click.echo(f"extractor: {path}: error: {result.error}", err=True)
        else:
            click.echo(f"{path}: {result.rows} days")
    if failed:
        sys.exit(1)
