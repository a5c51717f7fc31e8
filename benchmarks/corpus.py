"""A benchmark corpus of distinct article texts, recombined from the real and annotated articles on disk."""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def source_articles() -> list[str]:
    """Article texts to draw paragraphs from: the shared real corpus (if present) and our annotated corpus."""
    texts = []
    real = SHARED / "corpus" / "cryptonews-2023.jsonl"
    if real.exists():
        for line in real.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append(f"{row['title']}\n\n{row['text']}")
    for path in sorted((ROOT / "tests" / "corpus" / "articles").glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    return texts


def build_corpus(n: int = 1200, seed: int = 7) -> list[str]:
    """n distinct articles: a headline and 4-12 paragraphs drawn from different source articles."""
    sources = source_articles()
    paragraphs = [p for t in sources for p in t.split("\n\n")[1:] if len(p.split()) > 5]
    headlines = [t.split("\n", 1)[0] for t in sources]
    rng = random.Random(seed)
    seen: set[str] = set()
    corpus: list[str] = []
    while len(corpus) < n:
        text = rng.choice(headlines) + "\n\n" + "\n\n".join(rng.sample(paragraphs, rng.randint(4, 12)))
        if text not in seen:
            seen.add(text)
            corpus.append(text)
    return corpus
