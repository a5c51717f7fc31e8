"""Verdicts of `extractor compare` on the real articles of ../shared/corpus against the real daily candles.

Runs the pipeline over cryptonews-2023.jsonl (April-May 2023), stores its price moves as `extractor extract`
would, imports btcusdt-1d-2019-2023.csv (Binance futures) and prints the verdicts by kind: a check that the
figure typing and the windows hold on text we did not write. Nothing is kept (a temporary database).
Usage: python benchmarks/compare_corpus.py [SHARED_DIR]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from extractor.candles import SeriesHint, import_file
from extractor.compare import compare_db, comparison_rows
from extractor.nlp.pipeline import analyse_texts, build_pipeline
from extractor.schema import connect


def main(shared: Path) -> None:
    """Print comparisons by kind and verdict for the shared corpus."""
    articles = [json.loads(line) for line in (shared / "corpus" / "cryptonews-2023.jsonl").open(encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.db"
        db = connect(path)
        import_file(db, shared / "corpus" / "btcusdt-1d-2019-2023.csv", SeriesHint(market="futures"))
        columns = set(db["price_moves"].columns_dict) - {"figures"}
        texts = [(f"{a['title']}\n\n{a['text']}", a["published"]) for a in articles]
        for n, (article, (text, _), facts) in enumerate(zip(articles, texts, analyse_texts(build_pipeline(), texts),
                                                             strict=True), 1):
            db["articles"].insert({"id": n, "url": article["url"], "published_at": article["published"], "text": text})
            db["price_moves"].insert_all([{**{k: v for k, v in m.items() if k in columns}, "article_id": n}
                                          for m in facts["price_moves"]])
        moves = db["price_moves"].count
        t0 = time.perf_counter()
        result = compare_db(path)
        elapsed = time.perf_counter() - t0
        by_kind = Counter((r["kind"] or "(no figure)", r["verdict"]) for r in comparison_rows(path))
    print(f"{len(articles)} articles, {moves} price moves, {result.rows} comparisons in {elapsed:.2f}s")
    print(", ".join(f"{n} {v}" for v, n in sorted(result.verdicts.items())))
    for (kind, verdict), n in sorted(by_kind.items()):
        print(f"  {kind:12} {verdict:11} {n}")


if __name__ == "__main__":
    default = os.environ.get("EXTRACTOR_SHARED") or Path(__file__).resolve().parents[2] / "shared"
    main(Path(sys.argv[1] if len(sys.argv) > 1 else default))
