"""Articles per second: `extractor extract` into SQLite (1 and 2 workers) against `extractor parse`
of the same texts, measured in the same run.

N invented articles (liquidations, price moves, exchanges, quotes) are written as .txt files for
`parse` and stored as article rows for `extract`. The figures printed:

- parse: `parse_paths` over the files (read, analyse, build the JSON objects), the baseline;
- extract, workers 1 / 2: `run_extract` on a fresh copy of the database;
- store only: `run_extract` fed the facts the parse run found, so only reading, writing and people
  merging are measured: what storage costs on top of parsing.

Each is run `--repeat` times and the fastest kept: the machine is shared, and the fastest run is
the one least disturbed by others.

    python benchmarks/extract_speed.py [--articles 2000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from extractor.extract import run_extract
from extractor.parse import parse_paths
from extractor.schema import connect

ASSETS = [("Bitcoin", "BTC", 60000), ("Ether", "ETH", 3000), ("Solana", "SOL", 150), ("XRP", "XRP", 1.2)]
VENUES = ["Binance", "OKX", "Bybit", "Deribit", "Kraken", "Coinbase", "Bitfinex"]
FIRST = ["Maren", "Tomasz", "Aiyana", "Ruben", "Ines", "Kofi", "Lena", "Dmitri", "Sakura", "Callum", "Priya",
         "Mateo"]
LAST = ["Solberg", "Wierzbicki", "Brooks", "Alvarado", "Okafor", "Lindqvist", "Castellano", "Haddad", "Moreau",
        "Tanaka", "Fitzgerald", "Novak"]
ROLES = [("head of research", "Northwind Capital"), ("chief market strategist", "Vantor Markets"),
         ("derivatives analyst", "Kestrel Digital"), ("senior trader", "Halcyon Trading")]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FILLER = [
    "Open interest across the major venues had climbed for most of the month before the turn.",
    "Funding rates on perpetual contracts stayed positive through the week, a sign of crowded longs.",
    "Spot volumes were thinner than usual, which made the order books easier to push around.",
    "Options traders bought downside protection ahead of the monthly expiry.",
    "Stablecoin inflows to exchanges slowed after a busy start to the quarter.",
    "Miners sent more coins to exchanges than in any week since the start of the year.",
    "The basis between futures and spot prices narrowed as the rally lost steam.",
    "Several desks said clients had been asking about hedges for days before the sell-off.",
    "Trading in altcoins was choppier still, with smaller tokens swinging in both directions.",
    "Regulators in several countries were said to be looking at leverage limits for retail traders.",
    "Some market makers pulled quotes during the steepest part of the move, widening spreads.",
    "Analysts pointed to the macro calendar, with inflation figures due later in the week.",
    "The long-short ratio on the largest venues had tilted heavily towards longs over the weekend.",
    "Implied volatility jumped, with short-dated options repricing fastest.",
]


def article(n: int, rng: random.Random) -> tuple[str, str, str]:
    """Headline, text and publication time of one invented article."""
    name, ticker, price = rng.choice(ASSETS)
    fall = rng.random() < 0.6
    pct = rng.randint(3, 18)
    to = round(price * (1 - pct / 100) if fall else price * (1 + pct / 100), 2)
    amount = rng.choice(["$310 million", "$1.2 billion", "$640 million", "$95 million", "$2.4 billion"])
    side = "long" if fall else "short"
    venue, other = rng.sample(VENUES, 2)
    speaker = f"{rng.choice(FIRST)} {rng.choice(LAST)}"  # 144 people, some quoted often
    title, org = rng.choice(ROLES)
    day = rng.choice(DAYS)
    headline = f"{name} {'slides' if fall else 'jumps'} {pct}% as {side}s are liquidated"
    # About 2,000 characters, the length of a short market report.
    filler = rng.sample(FILLER, 10)
    body = [
        f"{name} {'fell' if fall else 'rose'} {pct}% to ${to:,} on {day}, data from {venue} showed.",
        f"More than {amount} of {side} positions were liquidated in 24 hours, most of them on {other}.",
        *filler[:4],
        f"\"The move caught a lot of traders leaning the wrong way,\" said {speaker}, {title} at {org}.",
        *filler[4:],
        f"Traders on {venue} and {other} will watch whether {ticker} holds the level into the weekend.",
    ]
    published = f"2021-{(n % 12) + 1:02d}-{(n % 27) + 1:02d}T{n % 24:02d}:00:00+00:00"
    return headline, f"{headline}\n\n" + " ".join(body), published


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(action, repeat: int) -> tuple[float, float, object]:
    """Wall and CPU seconds of the fastest of `repeat` runs of `action`, with the result of the last."""
    best, best_cpu = float("inf"), 0.0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        result = action()
        if time.perf_counter() - start < best:
            best, best_cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
    return best, best_cpu, result


def main() -> None:
    """Build the inputs, time each way, print articles per second and ratios to parse."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(20210420)
    items = [article(n, rng) for n in range(args.articles)]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = []
        for n, (_, text, _) in enumerate(items):
            path = root / "texts" / f"{n:05d}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            files.append(str(path))
        template = root / "template.db"
        db = connect(template)
        db["articles"].insert_all(
            {"url": f"https://news.example/{n}", "outlet": "Example News", "title": title, "text": text,
             "published_at": published, "content_hash": str(n)}
            for n, (title, text, published) in enumerate(items)
        )
        db.conn.close()

        parse_seconds, parse_cpu, parsed = timed(lambda: list(parse_paths(files)), args.repeat)
        facts_by_text = {text: obj for (_, text, _), obj in zip(items, parsed, strict=True)}
        results = [("parse (baseline)", parse_seconds, parse_cpu)]
        for label, kwargs in (("extract, workers 1", {"workers": 1}), ("extract, workers 2", {"workers": 2}),
                              ("store only (facts given)",
                               {"analyse": lambda batch: [facts_by_text[t] for t, _ in batch]})):
            copy = root / f"run-{len(results)}.db"

            def fresh_run(c=copy, k=kwargs):
                shutil.copy(template, c)
                return run_extract(c, **k)

            seconds, cpu, summary = timed(fresh_run, args.repeat)
            assert summary.articles == len(items), summary.errors[:3]
            results.append((label, seconds, cpu))
        conn = sqlite3.connect(copy)
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("liquidations", "price_moves", "exchange_mentions", "quotes", "people")}
        conn.close()

    print(f"{len(items)} articles; facts stored per run: "
          + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in counts.items()))
    # CPU seconds count the worker processes too: on a shared machine they show the work done
    # when the wall clock is stretched by other load.
    print(f"{'':28}{'seconds':>9}{'articles/s':>12}{'vs parse':>10}{'CPU s':>8}")
    for label, seconds, cpu in results:
        print(f"{label:28}{seconds:9.2f}{len(items) / seconds:12.1f}{parse_seconds / seconds:9.2f}x{cpu:8.2f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
