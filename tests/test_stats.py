"""`extractor stats`: counts per table and the last run."""

from __future__ import annotations

import re
from pathlib import Path

from store_fixtures import KnownFacts

from extractor.extract import pipeline_version, run_extract
from extractor.schema import TABLES
from extractor.stats import database_stats, format_stats


def test_stats_of_a_new_database(db_path: Path) -> None:
    stats = database_stats(db_path)
    assert stats["tables"] == dict.fromkeys(TABLES, 0)
    assert stats["last_run"] is None
    assert format_stats(stats).splitlines()[-1] == "last run: none yet"


def test_stats_after_a_run(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    stats = database_stats(corpus_db)
    counts = {k: v for k, v in stats["tables"].items() if v}
    assert counts == {"articles": 5, "runs": 1, "extractions": 5, "organizations": 3, "people": 3,
                      "liquidations": 2, "price_moves": 2, "exchange_mentions": 5, "provider_mentions": 1,
                      "quotes": 6}
    run = stats["last_run"]
    assert (run["id"], run["status"], run["articles"], run["quotes"], run["errors"]) == (1, "done", 5, 6, 0)
    text = format_stats(stats)
    assert re.search(r"\nquotes +6\n", text)
    assert f"last run: #1 done started {run['started_at']}" in text
    assert f"version {pipeline_version()}: 5 articles, 2 liquidations, 2 price moves, 5 exchange mentions, " \
           "6 quotes, 1 provider mentions, 0 errors" in text
