"""`extractor demo`: the whole job on the bundled sample site, then Datasette on the result.

Serve the sample site on 127.0.0.1, crawl its feeds over HTTP with the real crawler, extract, import
the site's candle files, compare, print a summary and serve the database. Every stage is resumable and
idempotent, so a second run (or a run after a killed one) reuses what the database already holds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from extractor.demo.build_site import DATA_DIR, load_articles
from extractor.demo.server import SiteServer, free_port

DEFAULT_DB = Path("db") / "demo.db"
SITE_PORT = 8765
FACT_TABLES = {
    "liquidations": "liquidations",
    "price_moves": "price moves",
    "exchange_mentions": "exchange mentions",
    "quotes": "quotes",
    "provider_mentions": "data-provider mentions",
}

Echo = Callable[[str], None]


@dataclass
class DemoReport:
    """What the demo did and what the database now holds."""

    site: str
    feeds: int
    crawl: str = ""
    extract: str = ""
    candles: str = ""
    compare: str = ""
    articles: int = 0
    outlets: list[tuple[str, int]] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)
    top_people: list[tuple[str, int]] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    discrepancies: list[dict] = field(default_factory=list)
    kept_out: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The printed summary."""
        facts = ", ".join(f"{self.facts.get(t, 0)} {label}" for t, label in FACT_TABLES.items())
        outlets = ", ".join(f"{name} {n}" for name, n in self.outlets)
        people = ", ".join(f"{name} ({n})" for name, n in self.top_people) or "nobody"
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(self.verdicts.items(), key=lambda x: -x[1])) or "none"
        lines = [
            f"Articles: {self.articles} ({outlets})",
            f"Facts: {facts}",
            f"Most quoted: {people}",
            f"Reported prices vs exchange candles: {verdicts}",
        ]
        if self.discrepancies:
            lines.append(f"Discrepancies ({len(self.discrepancies)}):")
            lines += [f"  {describe_discrepancy(row)}" for row in self.discrepancies]
        if self.kept_out:
            pages = ", ".join(self.kept_out)
            lines.append(f"robots.txt kept {len(self.kept_out)} page(s) out of the crawl: {pages}")
        lines.append(f"(done in {self.seconds:.1f} s)")
        return lines


def money(value: float) -> str:
    """A dollar figure as articles print it: cents only below $100."""
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.4f}".rstrip("0").rstrip(".")


def describe_discrepancy(row: dict) -> str:
    """One line for a comparison whose verdict is `off`."""
    if row.get("kind") == "pct" and row.get("figure_pct") is not None:
        reported = f"{row['figure_pct']:+.1f}%"
        actual = f"{row['reference_pct']:+.1f}%" if row.get("reference_pct") is not None else "?"
        deviation = f" ({row['deviation_pct']:+.1f} points)" if row.get("deviation_pct") is not None else ""
    else:
        reported = money(row["figure_usd"]) if row.get("figure_usd") is not None else "?"
        actual = money(row["reference_usd"]) if row.get("reference_usd") is not None else "?"
        deviation = f" ({row['deviation_pct']:+.1f}%)" if row.get("deviation_pct") is not None else ""
    kind = row.get("kind") or "figure"
    line = (
        f"{(row.get('published_at') or '')[:10]} {row.get('outlet')}: {row.get('asset')} {kind} {reported} "
        f"reported, candles say {actual}{deviation}"
    )
    if row.get("venue_mismatch"):
        line += f" [{row.get('note') or 'another venue than the candles'}]"
    return line


def demo_feeds(site: SiteServer) -> list[dict]:
    """The sample site's feeds, as the crawler takes them: URL, outlet, language."""
    outlets = load_articles()["outlets"]
    return [{"url": site.url(o["feed"]["path"]), "outlet": o["name"], "lang": "en"} for o in outlets.values()]


def candle_files() -> list[Path]:
    """The sample site's Binance kline files."""
    return sorted(DATA_DIR.glob("*.csv"))


def prepare(db_path: str | Path, site: SiteServer, echo: Echo, progress: bool = False) -> DemoReport:
    """Crawl the running sample site into `db_path`, extract, import candles and compare; report."""
    from extractor.candles import import_files
    from extractor.compare import compare_db
    from extractor.crawl.run import run_crawl
    from extractor.extract import run_extract
    from extractor.schema import connect

    started = time.monotonic()
    feeds = demo_feeds(site)
    report = DemoReport(site=site.origin, feeds=len(feeds))

    echo("Crawling the sample site's feeds (delay 0, robots.txt honoured)...")
    crawl = run_crawl(db_path, feeds=feeds, delay=0.0, progress=progress)
    report.crawl = str(crawl)
    echo(f"  {report.crawl}")

    echo("Extracting facts...")
    extract = run_extract(db_path, workers=1, progress=extract_progress() if progress else None)
    report.extract = (
        f"{extract.articles} articles extracted, {extract.up_to_date} already up to date, "
        f"{len(extract.errors)} errors"
    )
    echo(f"  {report.extract}")
    for error in extract.errors:
        echo(f"  error: {error}")

    echo("Importing the site's candle files...")
    db = connect(db_path)
    try:
        results = import_files(db, candle_files())
    finally:
        db.conn.close()
    rows = sum(r.rows for r in results)
    series = sorted({" ".join(s) for r in results for s in r.series})
    failed = [f"{r.source}: {r.error}" for r in results if r.error]
    report.candles = f"{len(results)} files, {rows} candles, {len(series)} series"
    echo(f"  {report.candles}")
    for message in failed:
        echo(f"  error: {message}")

    echo("Comparing reported prices with the candles...")
    compared = compare_db(db_path)
    report.compare = f"{compared.rows} figures compared"
    echo(f"  {report.compare}")

    fill_from_database(report, db_path)
    report.seconds = time.monotonic() - started
    return report


def extract_progress() -> Callable[[int, int], None]:
    """A tqdm bar fed by `run_extract`'s (done, total) callback."""
    from tqdm import tqdm

    bar: list[tqdm] = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit="article", desc="extract", file=sys.stderr))
        bar[0].update(done - bar[0].n)
        if done >= total:
            bar[0].close()

    return update


def fill_from_database(report: DemoReport, db_path: str | Path) -> None:
    """Counts, people, verdicts, discrepancies and robots exclusions as the database holds them now."""
    db = sqlite_utils.Database(str(db_path))
    try:
        tables = set(db.table_names())
        report.articles = db["articles"].count
        report.outlets = [(r["outlet"], r["n"]) for r in db.query(
            "select outlet, count(*) as n from articles group by outlet order by n desc, outlet")]
        report.facts = {t: db[t].count for t in FACT_TABLES if t in tables}
        if "people" in tables:
            report.top_people = [(r["name"], r["quote_count"]) for r in db.query(
                "select name, quote_count from people where quote_count > 0 "
                "order by quote_count desc, name limit 6")]
        if "comparisons" in tables:
            report.verdicts = {r["verdict"]: r["n"] for r in db.query(
                "select verdict, count(*) as n from comparisons group by verdict")}
            report.discrepancies = list(db.query(
                "select c.*, a.outlet as outlet, a.title as article from comparisons c "
                "left join articles a on a.id = c.article_id where c.verdict = 'off' "
                "order by abs(coalesce(c.deviation_pct, 0)) desc, c.id"))
        # The site's port may differ between runs: one page is one path.
        disallowed = db.query("select distinct url from fetch_log where outcome = 'disallowed'")
        report.kept_out = sorted({urlsplit(r["url"]).path for r in disallowed})
    finally:
        db.conn.close()


def serve_datasette(db_path: str | Path, host: str, port: int, echo: Echo) -> None:
    """Serve the database with Datasette until Ctrl-C (or SIGTERM)."""
    import uvicorn

    from extractor.serve import build_datasette

    datasette = build_datasette(db_path)
    config = uvicorn.Config(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    name = Path(db_path).stem
    echo(f"Datasette: http://{host}:{port}/{name}  (Ctrl-C to stop)")
    echo(f"  quotes by analyst: http://{host}:{port}/{name}/quotes_by_analyst?name=Kenji+Morita")
    echo(f"  charts: http://{host}:{port}/-/dashboards")
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn shuts down gracefully, then passes the signal on


def run_demo(
    db_path: str | Path = DEFAULT_DB,
    port: int = 8001,
    site_port: int = SITE_PORT,
    host: str = "127.0.0.1",
    serve: bool = True,
    echo: Echo = print,
    progress: bool = False,
) -> DemoReport:
    """The demo: serve the site, run every stage, print the summary, then serve Datasette (unless told not to)."""
    with SiteServer(port=site_port) as site:
        if site.moved:
            echo(f"Port {site_port} is in use: the sample site is served on port {site.port} instead.")
        echo(f"Sample site: {site.origin}/ ({len(demo_feeds(site))} feeds)")
        report = prepare(db_path, site, echo, progress=progress)
        echo("")
        for line in report.lines():
            echo(line)
        echo("")
        if serve:
            chosen = free_port(host, port)
            if chosen != port:
                echo(f"Port {port} is in use: Datasette is served on port {chosen} instead.")
            serve_datasette(db_path, host, chosen, echo)
            echo("Stopped Datasette and the sample site.")
    return report
