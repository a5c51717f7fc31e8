"""The held-out corpus (tests/heldout/): its gold must be consistent with its articles.

The held-out set is annotated blind and kept out of tuning, so nothing here runs the pipeline or
scores it: these tests only check the annotations themselves (ids, keys, values, and that every
supporting passage really occurs in its article, as read by `extractor.document.read_path`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_eval_gate import DIRECTIONS, REQUIRED, SHARED, SIDES, texts_missing_from, visible_text

from extractor.document import read_path

HELDOUT = Path(__file__).parent / "heldout"
ARTICLES = HELDOUT / "articles"
GOLD = HELDOUT / "gold.jsonl"
OTHER_CORPUS = Path(__file__).parent / "corpus" / "articles"
SHINGLE_WORDS = 10


def load_gold() -> list[dict]:
    """The held-out gold annotations, one dict per article, in file order."""
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def article_path(doc_id: str) -> Path:
    """The one article file (.txt or .html) with this id."""
    (path,) = [p for p in ARTICLES.iterdir() if p.stem == doc_id]
    return path


def shingles(text: str) -> set[str]:
    """Every run of SHINGLE_WORDS consecutive words (lower-cased letters and digits only)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


GOLDS = load_gold()


def test_every_gold_id_has_one_article_and_every_article_is_annotated() -> None:
    ids = [g["id"] for g in GOLDS]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    stems = sorted(p.stem for p in ARTICLES.iterdir())
    assert stems == ids
    assert {p.suffix for p in ARTICLES.iterdir()} == {".txt", ".html"}
    assert len(ids) == 30
    assert len(list(ARTICLES.glob("*.html"))) == 5


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g["id"])
def test_gold_items_have_the_schema_keys_and_consistent_values(gold: dict) -> None:
    assert set(gold) == {"id", "published", "liquidations", "price_moves", "exchanges", "quotes"}
    published = gold["published"]
    assert published is None or (re.fullmatch(r"\d{4}-\d{2}-\d{2}", published) and "2019" <= published < "2026")
    for field, keys in REQUIRED.items():
        for item in gold[field]:
            assert set(item) == keys, f"{field} item keys: {sorted(item)}"
            assert isinstance(item["text"], str) and item["text"].strip() == item["text"] != ""
    for item in gold["liquidations"]:
        assert isinstance(item["amount_usd"], int | float) and item["amount_usd"] > 0
        assert item["side"] in SIDES
    for item in gold["price_moves"]:
        assert item["direction"] in DIRECTIONS
        assert re.fullmatch(r"[A-Z0-9]+", item["asset"])
        if item["pct"] is not None:
            assert (item["pct"] > 0) == (item["direction"] == "up"), f"pct sign vs direction: {item['text']}"
        if item["from_usd"] is not None and item["to_usd"] is not None:
            assert (item["to_usd"] > item["from_usd"]) == (item["direction"] == "up"), item["text"]
    for item in gold["quotes"]:
        assert item["speaker"][0].isupper()
    assert all(isinstance(name, str) and name for name in gold["exchanges"])
    assert len(set(gold["exchanges"])) == len(gold["exchanges"])


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g["id"])
def test_gold_texts_occur_in_their_article(gold: dict) -> None:
    assert texts_missing_from(gold, visible_text(article_path(gold["id"]))) == []


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g["id"])
def test_gold_texts_survive_document_reading(gold: dict) -> None:
    """What the pipeline is handed (HTML boilerplate removed) still holds every annotated passage."""
    document = read_path(str(article_path(gold["id"])))
    assert texts_missing_from(gold, document.text) == []
    if article_path(gold["id"]).suffix == ".html":
        assert document.published == gold["published"]


def test_lowercase_articles_are_in_the_normalised_dataset_form() -> None:
    lowercase = [g["id"] for g in GOLDS if g["published"] is None]
    assert len(lowercase) == 6
    for doc_id in lowercase:
        text = article_path(doc_id).read_text(encoding="utf-8")
        headline, body = text.split("\n\n", 1)
        assert text == text.lower() and not re.search(r"[0-9$%.,]", text), doc_id
        assert "  " in body and "\n" not in body.strip(), doc_id
        assert "\u201c" in body and "\u201d" in body, doc_id


def test_heldout_articles_share_no_passage_with_the_other_texts() -> None:
    """Held out means written apart: no ten-word run from the tuning corpus, the dev set or the seed."""
    others = list(OTHER_CORPUS.iterdir())
    if SHARED.is_dir():
        others += sorted((SHARED / "eval" / "dev").glob("*.txt")) + sorted((SHARED / "seed").glob("*.txt"))
    seen: set[str] = set()
    for path in others:
        seen |= shingles(visible_text(path) if path.suffix == ".html" else path.read_text(encoding="utf-8"))
    shared = {p.stem: sorted(shingles(visible_text(p)) & seen) for p in sorted(ARTICLES.iterdir())}
    assert {k: v for k, v in shared.items() if v} == {}
