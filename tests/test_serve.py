"""Datasette on an extracted database, through Datasette's own client: canned queries, search,
charts, and that nothing can write."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import yaml
from store_fixtures import ARTICLES, KnownFacts, add_articles

from extractor.datasette_plugin import REFUSAL
from extractor.extract import run_extract
from extractor.schema import TABLES
from extractor.serve import build_datasette, load_metadata, metadata_path

HOSTILE = "'; DROP TABLE quotes; --"
IPEK = "\u0130pek \u00d6zkarde\u015fkaya"


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our articles, extracted with known facts, in a file named news.db."""
    path = tmp_path_factory.mktemp("serve") / "news.db"
    add_articles(path, ARTICLES)
    run_extract(path, analyse=KnownFacts())
    return path


@pytest.fixture(scope="module")
def ds(served_db: Path):
    return build_datasette(served_db)


def get(ds, path: str):
    """GET through datasette.client."""
    return asyncio.run(ds.client.get(path))


def query(ds, canned: str, **params: str) -> list[dict]:
    """Rows of a canned query, as a list of objects."""
    response = get(ds, f"/news/{canned}.json?" + urlencode({"_shape": "array", **params}))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("name", ["ipek ozkardeskaya", "\u00d6ZKARDE\u015eKAYA", "Ozkardeskaya", " ipek "])
def test_quotes_by_analyst_ignores_casing_and_accents(ds, name: str) -> None:
    rows = query(ds, "quotes_by_analyst", name=name)
    assert [(r["person"], r["speaker"], r["text"]) for r in rows] == [
        (IPEK, IPEK, "Momentum is back, for now,"),
        (IPEK, "ipek ozkardeskaya", "Bears were caught leaning the wrong way,"),
        (IPEK, "Ipek Ozkardeskaya", "Funding stayed hot for weeks and the unwinding was brutal,"),
        (IPEK, "Ozkardeskaya", "Leverage had simply run too far,"),
    ]


def test_quotes_by_analyst_finds_one_lee_or_both(ds) -> None:
    assert [r["speaker"] for r in query(ds, "quotes_by_analyst", name="tom lee")] == ["Tom Lee"]
    assert sorted(r["speaker"] for r in query(ds, "quotes_by_analyst", name="Lee")) == ["Amy Lee", "Tom Lee"]


@pytest.mark.parametrize(("name", "params"), [
    ("quotes_by_analyst", {"name": ""}),
    ("quotes_by_analyst", {"name": "   "}),
    ("quotes_by_analyst", {"name": HOSTILE}),
    ("price_moves_of_asset", {"asset": ""}),
    ("price_moves_of_asset", {"asset": HOSTILE}),
    ("article_facts", {"id": ""}),
    ("article_facts", {"id": HOSTILE}),
])
def test_empty_or_hostile_parameters_find_nothing_and_drop_nothing(ds, served_db, name, params) -> None:
    assert query(ds, name, **params) == []
    assert len(get(ds, "/news/quotes.json?_shape=array").json()) == 6


def test_most_quoted_people(ds) -> None:
    rows = query(ds, "most_quoted_people")
    found = [(r["name"], r["quote_count"], r["articles"], r["latest_title"], r["latest_org"]) for r in rows]
    assert found == [
        (IPEK, 4, 3, "senior analyst", "Swissquote Bank"),
        ("Amy Lee", 1, 1, "trader", "Kestrel Markets"),
        ("Tom Lee", 1, 1, "head of research", "Fundstrat"),
    ]


def test_largest_liquidations(ds) -> None:
    rows = query(ds, "largest_liquidations")
    keys = ("amount_usd", "side", "exchange", "day", "outlet", "article_id")
    found = [tuple(r[k] for k in keys) for r in rows]
    assert found == [
        (9.1e9, "long", None, "2021-04-18", "Coin Ledger", 1),
        (4e8, "short", "Binance", "2021-04-21", "Block Daily", 2),
    ]


def test_liquidations_per_day_by_side(ds) -> None:
    assert query(ds, "liquidations_per_day") == [
        {"day": "2021-04-18", "side": "long", "reports": 1, "articles": 1, "largest_usd": 9.1e9},
        {"day": "2021-04-21", "side": "short", "reports": 1, "articles": 1, "largest_usd": 4e8},
    ]


def test_price_moves_by_asset(ds) -> None:
    assert query(ds, "price_moves_by_asset") == [
        {"asset": "BTC", "moves": 1, "up": 0, "down": 1, "largest_rise_pct": -14.0, "largest_fall_pct": -14.0,
         "articles": 1, "first_day": "2021-04-20", "last_day": "2021-04-20"},
        {"asset": "ETH", "moves": 1, "up": 1, "down": 0, "largest_rise_pct": 8.0, "largest_fall_pct": 8.0,
         "articles": 1, "first_day": "2021-04-24", "last_day": "2021-04-24"},
    ]
    rows = query(ds, "price_moves_of_asset", asset=" eth")
    assert [(r["day"], r["asset"], r["direction"], r["pct"], r["to_usd"]) for r in rows] == [
        ("2021-04-24", "ETH", "up", 8.0, 2650.0)]


def test_exchanges_mentioned_per_week(ds) -> None:
    rows = query(ds, "exchanges_per_week")
    assert [(r["week_start"], r["exchange"], r["articles"], r["mentions"]) for r in rows] == [
        ("2021-04-19", "Binance", 2, 3),
        ("2021-04-19", "Bybit", 1, 1),
        ("2021-04-19", "OKX", 1, 1),
        ("2021-04-26", "Binance", 1, 1),
    ]


def test_one_article_with_all_its_facts_in_text_order(ds) -> None:
    rows = query(ds, "article_facts", id="1")
    assert [(r["kind"], r["text"]) for r in rows] == [
        ("article", ARTICLES[0]["title"]),
        ("liquidation", "More than $9.1 billion of long positions were liquidated on Sunday"),
        ("price move", "Bitcoin dropped 14% from $60,200 to $51,700"),
        ("quote", "Funding stayed hot for weeks and the unwinding was brutal,"),
        ("quote", "Leverage had simply run too far,"),
        ("exchange", "Binance"),
        ("exchange", "OKX"),
    ]
    assert [r["start"] for r in rows[1:5]] == sorted(r["start"] for r in rows[1:5])


def test_full_text_search_finds_a_quote_by_a_word_in_it(ds) -> None:
    rows = get(ds, "/news/quotes.json?_search=brutal&_shape=array").json()
    assert [r["speaker"] for r in rows] == ["Ipek Ozkardeskaya"]
    rows = get(ds, "/news/quotes.json?_search=kestrel&_shape=array").json()
    assert [r["speaker"] for r in rows] == ["Amy Lee"]
    rows = get(ds, "/news/articles.json?_search=squeezed&_shape=array").json()
    assert [r["id"] for r in rows] == [2]


def test_table_pages_carry_descriptions_facets_and_sort_order(ds) -> None:
    data = get(ds, "/news/liquidations.json?_extra=facet_results").json()
    assert set(data["facet_results"]) == {"side", "exchange", "asset", "outlet"}
    page = get(ds, "/news/liquidations").text
    assert "Reported liquidations of leveraged futures positions" in page
    assert "Amount liquidated, in US dollars." in page
    rows = get(ds, "/news/liquidations.json?_shape=array").json()
    assert [r["amount_usd"] for r in rows] == [9.1e9, 4e8]
    assert "-14.0&nbsp;%" in get(ds, "/news/price_moves").text


def test_dashboard_page_and_its_chart_queries(ds) -> None:
    page = get(ds, "/-/dashboards/market")
    assert page.status_code == 200
    assert "Largest liquidation reported per day, by side (USD)" in page.text
    charts = load_metadata("news")["plugins"]["datasette-dashboards"]["market"]["charts"]
    rows = get(ds, f"/news.json?_shape=array&sql={quote(charts['liquidations-per-day']['query'])}").json()
    assert rows == [{"day": "2021-04-18", "side": "long", "largest_usd": 9.1e9},
                    {"day": "2021-04-21", "side": "short", "largest_usd": 4e8}]
    rows = get(ds, f"/news.json?_shape=array&sql={quote(charts['exchange-mentions']['query'])}").json()
    assert [(r["exchange"], r["articles"]) for r in rows] == [("Binance", 3), ("Bybit", 1), ("OKX", 1)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_can_write(ds, served_db: Path) -> None:
    before = digest(served_db)
    response = get(ds, f"/news.json?sql={quote('delete from quotes')}")
    assert response.status_code == 400
    attempts = [("/news/quotes_by_analyst", {"name": "ipek"}), ("/news", {"sql": "delete from quotes"}),
                ("/news/quotes/1/-/delete", {}), ("/news/quotes", {"text": "forged"})]
    for path, data in attempts:
        response = asyncio.run(ds.client.post(path, data=data))
        assert (response.status_code, response.text) == (405, REFUSAL.decode()), path
    assert len(get(ds, "/news/quotes.json?_shape=array").json()) == 6
    assert digest(served_db) == before
    assert not Path(f"{served_db}-wal").exists()
    assert get(ds, "/-/databases.json").json()[0]["is_mutable"] is False


def test_metadata_describes_every_table_and_column() -> None:
    with metadata_path().open() as fh:
        tables = yaml.safe_load(fh)["databases"]["news"]["tables"]
    for name, spec in TABLES.items():
        assert tables[name]["title"] and tables[name]["description"], name
        assert set(spec["columns"]) <= set(tables[name]["columns"]), name
        assert all(tables[name]["columns"].values()), name


def test_database_of_another_name_gets_the_same_metadata(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    add_articles(path, ARTICLES[:1])
    run_extract(path, analyse=KnownFacts())
    ds = build_datasette(path)
    assert query_rows(ds, "/other/largest_liquidations.json?_shape=array") == [9.1e9]


def query_rows(ds, path: str) -> list:
    return [r["amount_usd"] for r in get(ds, path).json()]


def test_serving_creates_a_missing_database_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "news.db"
    ds = build_datasette(path)
    assert path.is_file()
    assert query(ds, "most_quoted_people") == []


def test_an_older_database_is_migrated_before_serving(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "news.db"
    conn = sqlite3.connect(path)
    conn.execute("create table articles (id integer primary key, url text, title text, text text)")
    conn.commit()
    conn.close()
    ds = build_datasette(path)
    assert query(ds, "largest_liquidations") == []


def test_a_read_only_database_is_served_untouched(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "news.db"
    add_articles(path, ARTICLES[:1])
    run_extract(path, analyse=KnownFacts())
    before = digest(path)
    # Tests run as root, for whom every file is writable: report this one as read-only.
    import extractor.serve

    monkeypatch.setattr(extractor.serve.os, "access", lambda p, mode: False)
    ds = build_datasette(path)
    assert query_rows(ds, "/news/largest_liquidations.json?_shape=array") == [9.1e9]
    assert digest(path) == before
