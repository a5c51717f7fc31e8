"""End to end with the real NLP pipeline: our articles -> run_extract -> SQLite -> Datasette.

These depend on what the pipeline finds in our own test articles; they assert only facts the texts
state plainly (the two liquidations, the bitcoin move) and the store's own work on them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from extractor.extract import run_extract
from extractor.serve import build_datasette

pytestmark = pytest.mark.real_pipeline


def rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from store_fixtures import ARTICLES, add_articles

    path = tmp_path_factory.mktemp("pipeline") / "news.db"
    add_articles(path, ARTICLES)
    summary = run_extract(path)
    assert (summary.articles, summary.errors) == (5, [])
    return path


def test_liquidations_are_stored_with_resolved_event_dates(extracted: Path) -> None:
    assert rows(extracted, "select article_id, amount_usd, side, time_phrase, event_date from liquidations "
                           "order by article_id") == [
        (1, 9.1e9, "long", "on Sunday", "2021-04-18"),
        (2, 4e8, "short", "yesterday", "2021-04-21"),
    ]


def test_price_moves_keep_their_figures_and_offsets(extracted: Path) -> None:
    from store_fixtures import ARTICLES

    found = rows(extracted, "select asset, from_usd, to_usd, pct, direction, start, [end], text from price_moves "
                            "where article_id = 1")
    assert [r[:5] for r in found] == [("BTC", 60200, 51700, -14, "down")]
    start, end, text = found[0][5:]
    assert ARTICLES[0]["text"][start:end] == text


def test_accented_and_plain_spellings_are_one_person(extracted: Path) -> None:
    people = rows(extracted, "select id, name from people where name_key = 'ipek ozkardeskaya'")
    assert len(people) == 1
    articles = {a for (a,) in rows(extracted, f"select article_id from quotes where person_id = {people[0][0]}")}
    assert {1, 3} <= articles


def test_canned_query_over_the_real_extraction(extracted: Path) -> None:
    ds = build_datasette(extracted)
    response = asyncio.run(ds.client.get("/news/liquidations_per_day.json?_shape=array"))
    assert [(r["day"], r["side"], r["largest_usd"]) for r in response.json()] == [
        ("2021-04-18", "long", 9.1e9), ("2021-04-21", "short", 4e8)]
