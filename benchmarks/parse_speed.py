"""Speed of the full pipeline against a bare spaCy tokenizer pass over the same texts, in one run.

    python benchmarks/parse_speed.py [--articles 1200] [--model en_core_web_sm]

Prints articles and words per second for each, the ratio full/bare, and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import spacy  # noqa: E402
from corpus import build_corpus  # noqa: E402

from extractor.nlp.pipeline import analyse_texts, build_pipeline  # noqa: E402


def timed(label: str, run, texts: list[str], words: int) -> float:
    """Run once to warm up on a slice, then time a full pass; print and return words per second."""
    run(texts[:20])
    start = time.perf_counter()
    run(texts)
    elapsed = time.perf_counter() - start
    wps = words / elapsed
    print(f"{label:<28} {len(texts) / elapsed:9.1f} articles/s {wps:12,.0f} words/s  ({elapsed:.2f} s)")
    return wps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1200)
    ap.add_argument("--model", help="also time the rules plus a trained spaCy pipeline")
    args = ap.parse_args()
    texts = build_corpus(args.articles)
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} distinct articles, {words:,} words")
    bare = spacy.blank("en")
    full = build_pipeline()
    bare_wps = timed("bare spacy.blank('en')", lambda ts: list(bare.pipe(ts, batch_size=64)), texts, words)
    full_wps = timed(
        "full pipeline (rules)", lambda ts: list(analyse_texts(full, ((t, None) for t in ts))), texts, words
    )
    # peak memory is measured on a separate pass: tracing allocations slows Python several times over
    tracemalloc.start()
    list(analyse_texts(full, ((t, None) for t in texts[:200])))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"ratio full/bare: {full_wps / bare_wps:.3f}  (goal >= 0.10)")
    if args.model:
        model = build_pipeline(model=args.model)
        model_wps = timed(
            f"rules + {args.model}", lambda ts: list(analyse_texts(model, ((t, None) for t in ts))), texts, words
        )
        print(f"ratio rules+model/bare: {model_wps / bare_wps:.3f}")
    print(
        f"peak Python memory over 200 articles: {peak / 2**20:.1f} MiB; "
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
