"""`extractor demo` as a library call: the whole job on the sample site, run twice, and resumed after a kill."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

for module in ("extractor.crawl.run", "extractor.extract", "extractor.candles", "extractor.compare"):
    pytest.importorskip(module, reason=f"the demo needs {module} (crawl, store and compare issues)")

from extractor.demo.run import DemoReport, demo_feeds, run_demo  # noqa: E402
from extractor.demo.server import SiteServer  # noqa: E402

BLOCKED = "/blockside/members/reading-the-liquidation-cascade.html"
CAST = {"Priya Raman", "Tomás Ferreira", "Hannah Okafor", "Daniel Whitcombe", "Lena Vogt", "Kenji Morita"}
DISCREPANCIES = {("BTC", 58200.0, "Chainbrief"), ("ETH", 4250.0, "Chainbrief"), ("BTC", 57900.0, "The Ledger Line")}
FACT_TABLES = ("articles", "liquidations", "price_moves", "exchange_mentions", "quotes", "provider_mentions",
               "people", "candles", "comparisons")


def counts(db_path: Path) -> dict[str, int]:
    """Rows per table, and distinct article URLs."""
    with sqlite3.connect(db_path) as conn:
        found = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in FACT_TABLES}
        distinct = conn.execute("select count(distinct canonical_url) from articles").fetchone()[0]
    found["distinct canonical urls"] = distinct
    return found


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoReport, list[str]]:
    """One demo run on a fresh database, without serving."""
    db_path = tmp_path_factory.mktemp("demo") / "demo.db"
    printed: list[str] = []
    report = run_demo(db_path, site_port=0, serve=False, echo=printed.append)
    return db_path, report, printed


def test_the_demo_crawls_extracts_compares_and_says_so(first_run) -> None:
    db_path, report, printed = first_run
    assert report.articles == 27
    assert report.outlets == [("Chainbrief", 14), ("The Ledger Line", 7), ("Blockside Daily", 6)]
    assert report.kept_out == [BLOCKED]
    assert {name for name, _ in report.top_people} == CAST
    assert all(report.facts[t] > 0 for t in ("liquidations", "price_moves", "exchange_mentions", "quotes"))
    assert {(r["asset"], r["figure_usd"], r["outlet"]) for r in report.discrepancies} == DISCREPANCIES
    assert report.verdicts["consistent"] >= 40
    assert f"robots.txt kept 1 page(s) out of the crawl: {BLOCKED}" in printed
    assert "Discrepancies (3):" in printed
    assert any(line.startswith("Articles: 27 (Chainbrief 14") for line in printed)
    with sqlite3.connect(db_path) as conn:
        blocked = conn.execute("select count(*) from articles where url like ?", (f"%{BLOCKED}",)).fetchone()[0]
        logged = conn.execute("select outcome from fetch_log where url like ?", (f"%{BLOCKED}",)).fetchall()
    assert blocked == 0 and logged == [("disallowed",)]


def test_a_second_run_reuses_the_database(first_run) -> None:
    db_path, first, _ = first_run
    before = counts(db_path)
    printed: list[str] = []
    again = run_demo(db_path, site_port=0, serve=False, echo=printed.append)
    assert counts(db_path) == before
    assert "  0 articles extracted, 27 already up to date, 0 errors" in printed
    assert again.lines()[:-1] == first.lines()[:-1]  # the same summary, timing aside


def test_a_half_written_database_is_resumed_without_duplicates(first_run, tmp_path: Path) -> None:
    from extractor.crawl.run import run_crawl
    from extractor.extract import run_extract

    db_path = tmp_path / "killed.db"
    with SiteServer() as site:  # what a run killed during extraction leaves: part crawled, part extracted
        run_crawl(db_path, feeds=demo_feeds(site), delay=0, max_articles=12, progress=False)
    run_extract(db_path)
    with sqlite3.connect(db_path) as conn:  # 11 or 12: the page robots.txt refuses may be among the first 12
        assert 10 < conn.execute("select count(*) from articles").fetchone()[0] <= 12
    report = run_demo(db_path, site_port=0, serve=False, echo=lambda line: None)
    assert counts(db_path) == counts(first_run[0])
    assert report.lines()[:-1] == first_run[1].lines()[:-1]
