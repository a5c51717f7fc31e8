"""Store test inputs: articles we write ourselves, their facts, an analyser that knows them, a loader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from extractor.ingest import ingest_paths
from extractor.schema import connect

# Our own articles. Facts below are written against these texts; offsets are found, not typed.
ARTICLES = [
    {
        "url": "https://coinledger.example/markets/longs-wiped-out",
        "outlet": "Coin Ledger",
        "published_at": "2021-04-20T09:15:00+00:00",  # a Tuesday
        "title": "Bitcoin slides as leveraged longs are wiped out",
        "text": (
            "Bitcoin slides as leveraged longs are wiped out\n\n"
            "More than $9.1 billion of long positions were liquidated on Sunday across "
            "Binance and OKX. Bitcoin dropped 14% from $60,200 to $51,700 over the weekend. "
            "\"Funding stayed hot for weeks and the unwinding was brutal,\" said Ipek Ozkardeskaya, "
            "senior analyst at Swissquote Bank. \"Leverage had simply run too far,\" Ozkardeskaya added."
        ),
    },
    {
        "url": "https://blockdaily.example/2021/04/22/shorts-squeezed",
        "outlet": "Block Daily",
        "published_at": "2021-04-22T14:00:00+00:00",  # a Thursday
        "title": "Shorts squeezed as ether rebounds",
        "text": (
            "Shorts squeezed as ether rebounds\n\n"
            "Some $400 million of short positions were liquidated yesterday, most of them on Binance, "
            "according to Coinglass. Binance and Bybit saw the heaviest volumes. "
            "\"Bears were caught leaning the wrong way,\" said ipek ozkardeskaya of Swissquote. "
            "\"I would not chase this bounce,\" said Tom Lee, head of research at Fundstrat. "
            "\"Nobody wants to be the last short,\" said Amy Lee, a trader at Kestrel Markets."
        ),
    },
    {
        "url": "https://coinledger.example/markets/ether-climbs",
        "outlet": "Coin Ledger",
        "published_at": "2021-04-26T08:00:00+00:00",  # a Monday
        "title": "Ether climbs 8% to $2,650",
        "text": (
            "Ether climbs 8% to $2,650\n\n"
            "Ether rose 8% to $2,650 on Saturday while Binance reported record open interest. "
            "\"Momentum is back, for now,\" said \u0130pek \u00d6zkarde\u015fkaya, "
            "senior analyst at Swissquote."
        ),
    },
    {
        "url": "https://blockdaily.example/2021/04/27/quiet-day",
        "outlet": "Block Daily",
        "published_at": "2021-04-27T08:00:00+00:00",
        "title": "A quiet day for crypto markets",
        "text": "A quiet day for crypto markets\n\nMarkets drifted sideways and nothing of note happened.",
    },
    {
        "url": "https://blockdaily.example/2021/04/28/empty",
        "outlet": "Block Daily",
        "published_at": "2021-04-28T08:00:00+00:00",
        "title": "An article whose text could not be read",
        "text": "",
    },
]


def span(text: str, phrase: str) -> dict:
    """The text, start and end of a phrase found in an article text."""
    start = text.index(phrase)
    return {"text": phrase, "start": start, "end": start + len(phrase)}


def quote(text: str, words: str, speaker: str, title: str | None, org: str | None) -> dict:
    """A quote fact on the given words."""
    return {"speaker": speaker, "title": title, "org": org, **span(text, words)}


def known_facts() -> dict[str, dict]:
    """The facts of each article above, keyed by its text (what the pipeline should find)."""
    a1, a2, a3 = (ARTICLES[i]["text"] for i in range(3))
    return {
        a1: {
            "liquidations": [{
                "amount_usd": 9.1e9, "side": "long", "exchange": None, "asset": None,
                "time_phrase": "on Sunday", "event_date": None,
                "sentence": a1.split("\n\n")[1].split(". ")[0] + ".",
                **span(a1, "More than $9.1 billion of long positions were liquidated on Sunday"),
            }],
            "price_moves": [{
                "asset": "BTC", "from_usd": 60200, "to_usd": 51700, "pct": -14.0, "direction": "down",
                "time_phrase": "over the weekend", "event_date": None,
                "figures": [{"value_usd": 60200, "kind": "from"}, {"value_usd": 51700, "kind": "to"}],
                **span(a1, "Bitcoin dropped 14% from $60,200 to $51,700"),
            }],
            "exchanges": [{"name": "Binance", "mentions": 1}, {"name": "OKX", "mentions": 1}],
            "providers": [],
            "quotes": [
                quote(a1, "Funding stayed hot for weeks and the unwinding was brutal,", "Ipek Ozkardeskaya",
                      "senior analyst", "Swissquote Bank"),
                quote(a1, "Leverage had simply run too far,", "Ozkardeskaya", None, None),
            ],
        },
        a2: {
            "liquidations": [{
                "amount_usd": 4e8, "side": "short", "exchange": "Binance", "asset": None,
                "time_phrase": "yesterday", "event_date": None,
                **span(a2, "$400 million of short positions were liquidated yesterday"),
            }],
            "price_moves": [],
            "exchanges": [{"name": "Binance", "mentions": 2}, {"name": "Bybit", "mentions": 1}],
            "providers": [{"name": "Coinglass", "mentions": 1}],
            "quotes": [
                quote(a2, "Bears were caught leaning the wrong way,", "ipek ozkardeskaya", None,
                      "Swissquote"),
                quote(a2, "I would not chase this bounce,", "Tom Lee", "head of research", "Fundstrat"),
                quote(a2, "Nobody wants to be the last short,", "Amy Lee", "trader", "Kestrel Markets"),
            ],
        },
        a3: {
            "liquidations": [],
            "price_moves": [{
                "asset": "ETH", "from_usd": None, "to_usd": 2650, "pct": 8.0, "direction": "up",
                "time_phrase": "on Saturday", "event_date": None,
                "figures": [{"value_usd": 2650, "kind": "to"}],
                **span(a3, "Ether rose 8% to $2,650 on Saturday"),
            }],
            "exchanges": [{"name": "Binance", "mentions": 1}],
            "providers": [],
            "quotes": [
                quote(a3, "Momentum is back, for now,", "\u0130pek \u00d6zkarde\u015fkaya", "senior analyst",
                      "Swissquote"),
            ],
        },
    }


EMPTY = {"liquidations": [], "price_moves": [], "exchanges": [], "quotes": [], "providers": []}


class KnownFacts:
    """An analyser (the `analyse` argument of run_extract) answering from a text -> facts map."""

    def __init__(self, facts: dict[str, dict] | None = None, fail_on: str | None = None) -> None:
        self.facts = known_facts() if facts is None else facts
        self.fail_on = fail_on
        self.seen: list[str] = []

    def __call__(self, items: list[tuple[str, str | None]]) -> list[dict]:
        results = []
        for text, _published in items:
            if self.fail_on and self.fail_on in text:
                raise RuntimeError("the analyser choked on this text")
            self.seen.append(text)
            results.append(self.facts.get(text, EMPTY))
        return results


def insert_article(db_path: Path, article: dict) -> int:
    """Insert one article row directly, for rows `extractor ingest` rightly refuses."""
    db = connect(db_path)
    try:
        row = {"lang": "en", "fetched_at": "2021-05-01T00:00:00+00:00", **article}
        row.setdefault("content_hash", content_hash(row.get("text") or ""))
        return db["articles"].insert(row).last_pk
    finally:
        db.conn.close()


def content_hash(text: str) -> str:
    """The hash stored with an article text (as the crawler stores one)."""
    return hashlib.sha256(text.encode()).hexdigest()


def add_articles(db_path: Path, articles: list[dict]) -> list[int]:
    """Load articles the way users do, through `extractor ingest` (one JSONL file each); returns their ids."""
    ids = []
    for n, article in enumerate(articles):
        if not (article.get("text") or "").strip():
            ids.append(insert_article(db_path, article))  # ingest refuses empty texts; extract must cope anyway
            continue
        row = {"title": article.get("title"), "text": article["text"], "url": article["url"],
               "date": article.get("published_at"), "source": article.get("outlet")}
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        path = Path(db_path).parent / f"ingest-{len(ids)}-{n}.jsonl"
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
        summary = ingest_paths(db_path, [path], lang="en")
        assert summary.new + summary.updated + summary.unchanged == 1, summary.problems
        db = connect(db_path)
        try:
            ids.append(db.execute("select max(id) from articles").fetchone()[0])
        finally:
            db.conn.close()
    return ids
