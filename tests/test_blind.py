"""The third, blind corpus (tests/blind/): its gold must be consistent with its articles.

Like the held-out set, this one is annotated blind and kept out of tuning, so nothing here runs the
pipeline or scores it: these tests only check the annotations themselves (ids, keys, values, that every
supporting passage really occurs in its article as read by `extractor.document.read_path`, and that no
passage is shared with the other test sets or `../shared/`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_eval_gate import SHARED, texts_missing_from, visible_text
from test_heldout import shingles
from test_heldout import test_gold_items_have_the_schema_keys_and_consistent_values as check_schema_and_values

from extractor.document import read_path

BLIND = Path(__file__).parent / "blind"
ARTICLES = BLIND / "articles"
GOLD = BLIND / "gold.jsonl"
OTHER_SETS = [Path(__file__).parent / "corpus" / "articles", Path(__file__).parent / "heldout" / "articles"]


def load_gold() -> list[dict]:
    """The blind gold annotations, one dict per article, in file order."""
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def article_path(doc_id: str) -> Path:
    """The one article file (.txt or .html) with this id."""
    (path,) = [p for p in ARTICLES.iterdir() if p.stem == doc_id]
    return path


GOLDS = load_gold()


def test_every_gold_id_has_one_article_and_every_article_is_annotated() -> None:
    ids = [g["id"] for g in GOLDS]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert sorted(p.stem for p in ARTICLES.iterdir()) == ids
    assert {p.suffix for p in ARTICLES.iterdir()} == {".txt", ".html"}
    assert len(ids) == 30
    assert len(list(ARTICLES.glob("*.html"))) == 4


@pytest.mark.parametrize("gold", GOLDS, ids=lambda g: g["id"])
def test_gold_items_have_the_schema_keys_and_consistent_values(gold: dict) -> None:
    """The held-out set's checks, unchanged: keys, sides, directions, signs, tickers, speakers, venues."""
    check_schema_and_values(gold)


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
    lowercase = [g for g in GOLDS if g["published"] is None]
    assert len(lowercase) == 8
    for gold in lowercase:
        text = article_path(gold["id"]).read_text(encoding="utf-8")
        headline, body = text.split("\n\n", 1)
        assert text == text.lower() and not re.search(r"[0-9$%.,]", text), gold["id"]
        assert "  " in body and "\n" not in body.strip(), gold["id"]
        assert "\u201c" in body and "\u201d" in body, gold["id"]
        # digits are gone, so no lowercase gold item can carry a figure that was written in digits
        assert all(m["pct"] is None and m["to_usd"] is None and m["from_usd"] is None for m in gold["price_moves"])


def test_blind_articles_share_no_passage_with_the_other_texts() -> None:
    """Written apart: no ten-word run from the tuning corpus, the held-out set, the dev set or the seed."""
    others = [p for folder in OTHER_SETS for p in folder.iterdir()]
    if SHARED.is_dir():
        others += sorted((SHARED / "eval" / "dev").glob("*.txt")) + sorted((SHARED / "seed").glob("*.txt"))
    seen: set[str] = set()
    for path in others:
        seen |= shingles(visible_text(path) if path.suffix == ".html" else path.read_text(encoding="utf-8"))
    shared = {p.stem: sorted(shingles(visible_text(p)) & seen) for p in sorted(ARTICLES.iterdir())}
    assert {k: v for k, v in shared.items() if v} == {}
