"""The two sets annotated blind by other hands (tests/heldout/, tests/blind/): gold consistent with articles.

Nothing here runs the pipeline or scores it (tests/test_eval_gate.py does): these tests check the annotations
themselves — ids, keys, values, that every supporting passage occurs in its article as read by
`extractor.document.read_path`, the form of the lower-cased dataset texts, and that no passage is shared with
the other test sets or `../shared/`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_eval_gate import DIRECTIONS, REQUIRED, SHARED, SIDES, texts_missing_from, visible_text

from extractor.document import read_path

TESTS = Path(__file__).parent
SHINGLE_WORDS = 10


@dataclass(frozen=True)
class AnnotatedSet:
    """One annotated set and what its README promises about it."""

    name: str
    html_pages: int
    lowercase_articles: int
    written_apart_from: tuple[str, ...]
    lowercase_items_carry_no_figures: bool = False

    @property
    def articles(self) -> Path:
        """The folder of article files."""
        return TESTS / self.name / "articles"

    def golds(self) -> list[dict]:
        """The gold annotations, one dict per article, in file order."""
        with (TESTS / self.name / "gold.jsonl").open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    def article_path(self, doc_id: str) -> Path:
        """The one article file (.txt or .html) with this id."""
        (path,) = [p for p in self.articles.iterdir() if p.stem == doc_id]
        return path


SETS = [
    AnnotatedSet("heldout", html_pages=5, lowercase_articles=6, written_apart_from=("corpus",)),
    AnnotatedSet("blind", html_pages=4, lowercase_articles=8, written_apart_from=("corpus", "heldout"),
                 lowercase_items_carry_no_figures=True),
]
CASES = [(s, g) for s in SETS for g in s.golds()]


def case_id(case) -> str:
    return f"{case[0].name}-{case[1]['id']}" if isinstance(case, tuple) else ""


def shingles(text: str) -> set[str]:
    """Every run of SHINGLE_WORDS consecutive words (lower-cased letters and digits only)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


@pytest.mark.parametrize("annotated", SETS, ids=lambda s: s.name)
def test_every_gold_id_has_one_article_and_every_article_is_annotated(annotated: AnnotatedSet) -> None:
    ids = [g["id"] for g in annotated.golds()]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert sorted(p.stem for p in annotated.articles.iterdir()) == ids
    assert {p.suffix for p in annotated.articles.iterdir()} == {".txt", ".html"}
    assert len(ids) == 30
    assert len(list(annotated.articles.glob("*.html"))) == annotated.html_pages


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gold_items_have_the_schema_keys_and_consistent_values(case: tuple[AnnotatedSet, dict]) -> None:
    _, gold = case
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


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gold_texts_occur_in_their_article(case: tuple[AnnotatedSet, dict]) -> None:
    annotated, gold = case
    assert texts_missing_from(gold, visible_text(annotated.article_path(gold["id"]))) == []


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gold_texts_survive_document_reading(case: tuple[AnnotatedSet, dict]) -> None:
    """What the pipeline is handed (HTML boilerplate removed) still holds every annotated passage."""
    annotated, gold = case
    path = annotated.article_path(gold["id"])
    document = read_path(str(path))
    assert texts_missing_from(gold, document.text) == []
    if path.suffix == ".html":
        assert document.published == gold["published"]


@pytest.mark.parametrize("annotated", SETS, ids=lambda s: s.name)
def test_lowercase_articles_are_in_the_normalised_dataset_form(annotated: AnnotatedSet) -> None:
    lowercase = [g for g in annotated.golds() if g["published"] is None]
    assert len(lowercase) == annotated.lowercase_articles
    for gold in lowercase:
        text = annotated.article_path(gold["id"]).read_text(encoding="utf-8")
        headline, body = text.split("\n\n", 1)
        assert text == text.lower() and not re.search(r"[0-9$%.,]", text), gold["id"]
        assert "  " in body and "\n" not in body.strip(), gold["id"]
        assert "\u201c" in body and "\u201d" in body, gold["id"]
        if annotated.lowercase_items_carry_no_figures:
            # digits are gone, so no lowercase gold item can carry a figure that was written in digits
            moves = gold["price_moves"]
            assert all(m["pct"] is None and m["to_usd"] is None and m["from_usd"] is None for m in moves)


@pytest.mark.parametrize("annotated", SETS, ids=lambda s: s.name)
def test_articles_share_no_passage_with_the_other_texts(annotated: AnnotatedSet) -> None:
    """Written apart: no ten-word run from the sets before it, the dev set or the seed."""
    others = [p for name in annotated.written_apart_from for p in (TESTS / name / "articles").iterdir()]
    if SHARED.is_dir():
        others += sorted((SHARED / "eval" / "dev").glob("*.txt")) + sorted((SHARED / "seed").glob("*.txt"))
    seen: set[str] = set()
    for path in others:
        seen |= shingles(visible_text(path) if path.suffix == ".html" else path.read_text(encoding="utf-8"))
    shared = {p.stem: sorted(shingles(visible_text(p)) & seen) for p in sorted(annotated.articles.iterdir())}
    assert {k: v for k, v in shared.items() if v} == {}
