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


@cli.command()
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="A feed to read (repeatable).")
@click.option(
    "--feeds-file", type=click.Path(dir_okay=False), help="A YAML list of feeds (url, outlet, lang)."
)
@click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True, help="The SQLite database.")
@click.option(
    "--delay", type=float, default=1.0, show_default=True, help="Minimum seconds between requests to a host."
)
@click.option("--concurrency", type=int, default=8, show_default=True, help="Requests in flight at most.")
@click.option("--max-articles", type=int, default=None, help="Fetch at most N article pages this run.")
@click.option("--refresh", is_flag=True, help="Re-fetch known pages (changed ones become new revisions).")
def crawl(
    feeds: tuple[str, ...],
    feeds_file: str | None,
    db_path: str,
    delay: float,
    concurrency: int,
    max_articles: int | None,
    refresh: bool,
) -> None:
    """Read RSS/Atom feeds and store their articles; without --feed/--feeds-file, patterns/feeds.yaml.

    Every fetch is logged in the fetch_log table. Example:

        extractor crawl --feed https://example.com/rss --db db/news.db --max-articles 50
    """
    from extractor.crawl.feeds import FeedError
    from extractor.crawl.run import run_crawl

    try:
        summary = run_crawl(
            db_path,
            feeds=list(feeds) or None,
            feeds_file=feeds_file,
            delay=delay,
            concurrency=concurrency,
            max_articles=max_articles,
            refresh=refresh,
        )
    except FeedError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(summary))
    if summary.feeds_failed and not (summary.feeds_read or summary.feeds_not_modified):
        sys.exit(1)


@cli.command()
@click.argument("url")
@click.option(
    "--feeds-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="The YAML feeds file to add to (default: patterns/feeds.yaml).",
)
def discover(url: str, feeds_file: str | None) -> None:
    """Find a site's RSS/Atom feeds and add the new ones to the feeds file.

    Looks at <link rel="alternate"> tags, then common paths (/feed, /rss.xml, ...). Example:

        extractor discover https://example.com/ --feeds-file my-feeds.yaml
    """
    from extractor.crawl.feeds import FeedError
    from extractor.crawl.fetch import FetchError
    from extractor.crawl.run import discover_feeds

    try:
        found, added = discover_feeds(url, feeds_file)
    except (FetchError, FeedError, ValueError) as exc:
        raise click.ClickException(f"{url}: {exc}") from exc
    if not found:
        raise click.ClickException(f"{url}: no feed found")
    new = {source.url for source in added}
    for source in found:
        state = "added" if source.url in new else "already listed"
        click.echo(f"{source.url}\t{source.outlet or ''}\t{source.lang or ''}\t{state}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True, help="The SQLite database.")
@click.option(
    "--title", metavar="COLUMN", help="Column holding the headline (guessed: title, headline, ...)."
)
@click.option("--text", metavar="COLUMN", help="Column holding the body (guessed: text, body, content, ...).")
@click.option("--url", metavar="COLUMN", help="Column holding the article URL (guessed: url, link, ...).")
@click.option(
    "--date", metavar="COLUMN", help="Column holding the publication time (guessed: published, date)."
)
@click.option("--source", metavar="COLUMN", help="Column naming the outlet (guessed: source, outlet, ...).")
@click.option("--outlet", metavar="NAME", help="Outlet name for every article ingested.")
@click.option("--lang", metavar="CODE", help="Language code for every article ingested, e.g. en.")
def ingest(paths: tuple[str, ...], db_path: str, **mapping: str | None) -> None:
    """Load existing datasets into the articles table: CSV/TSV/JSON/JSONL files, .txt/.html files or folders.

    Rows with no text are reported and skipped; loading the same file twice adds nothing. Example:

        extractor ingest ../shared/corpus/cryptonews-2023.jsonl articles/ --db db/news.db
    """
    from extractor.ingest import ingest_paths

    summary = ingest_paths(db_path, paths, **{k: v for k, v in mapping.items() if v})
    for problem in summary.problems:
        click.echo(f"extractor: {problem}", err=True)
    click.echo(str(summary))
    if summary.failed_files:
        sys.exit(1)


def _date(value: str | None) -> str | None:
    from extractor.parse import check_date

    try:
        return check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def db_option(func):
    """The shared --db option."""
    from extractor.schema import DEFAULT_DB

    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False), default=str(DEFAULT_DB), show_default=True,
        help="SQLite database file (created, with its folder, if missing).",
    )(func)


@cli.command()
@db_option
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes running the pipeline (the main process writes).")
@click.option("--all", "everything", is_flag=True,
              help="Extract every article again, not only new or stale ones.")
@click.option("--model", metavar="NAME", default=None, help="Add a trained spaCy pipeline's entities.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def extract(db_path: str, workers: int, everything: bool, model: str | None, quiet: bool) -> None:
    """Extract facts from stored articles not yet done with this pipeline version.

    Each article's facts are replaced in one transaction; running it twice changes nothing.
    Example:

        extractor extract --db db/news.db --workers 2
    """
    from tqdm import tqdm

    from extractor.extract import ExtractError, run_extract

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="article", disable=quiet, file=sys.stderr)
        bar.update(done - bar.n)

    try:
        summary = run_extract(db_path, workers=workers, all=everything, progress=progress, model=model)
    except ExtractError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
    for error in summary.errors:
        click.echo(f"extractor: {error}", err=True)
    facts = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in summary.facts.items())
    run = f"run #{summary.run_id}" if summary.run_id else "nothing to do"
    click.echo(
        f"{run}: {summary.articles} articles extracted ({facts}), {summary.up_to_date} up to date, "
        f"{len(summary.errors)} errors; pipeline {summary.pipeline_version}"
    )
    if summary.errors:
        sys.exit(1)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on.")
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the database with Datasette: read-only, with canned queries and charts.

    Example:

        extractor serve --db db/news.db --port 8001
    """
    from extractor.serve import ServeError
    from extractor.serve import serve as run_server

    try:
        run_server(db_path, host=host, port=port)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def stats(db_path: str, as_json: bool) -> None:
    """Print rows per table and the last extraction run.

    Example:

        extractor stats --db db/news.db
    """
    from extractor.stats import database_stats, format_stats

    result = database_stats(db_path)
    click.echo(json.dumps(result, indent=2) if as_json else format_stats(result))


@cli.group()
def prices() -> None:
    """Exchange price data (candles): import files or fetch them from an exchange's API."""


@prices.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
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
@db_option
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
@db_option
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
@db_option
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


@cli.command()
@click.option("--db", "db_path", default="db/demo.db", show_default=True, type=click.Path(dir_okay=False),
              help="Database to fill (created if missing; reused and resumed if there).")
@click.option("--port", default=8001, show_default=True, help="Datasette port (the next free one if taken).")
@click.option("--site-port", default=8765, show_default=True,
              help="Port of the sample news site (the next free one if taken).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve Datasette at the end, until Ctrl-C.")
def demo(db_path: str, port: int, site_port: int, serve: bool) -> None:
    """Run the whole job on the bundled sample news site, then browse the result in Datasette.

    Serves the sample site on 127.0.0.1, crawls its feeds over HTTP, extracts, imports its candle
    files, compares reported prices with them, prints a summary and starts Datasette. Running it
    again reuses what the database holds. Example:

        extractor demo --db db/demo.db --port 8001
    """
    from extractor.demo.run import run_demo

    try:
        run_demo(db_path, port=port, site_port=site_port, serve=serve, echo=click.echo,
                 progress=sys.stderr.isatty())
    except KeyboardInterrupt:
        click.echo("\nInterrupted: everything stored so far is kept; run the demo again to resume.", err=True)
        sys.exit(130)
