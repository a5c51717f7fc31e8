"""Evaluation gate: extraction scores on the annotated corpus must not fall below the pinned floors.

Like trafilatura's eval gate: `tests/corpus/articles/` holds our own articles, `tests/corpus/gold.jsonl`
their annotations (the SCHEMA.md gold format), and `tests/corpus/floors.json` the per-field F1 floors.
Floors are only ever raised. The scorer is the shared one (`../shared/eval/score.py`), imported from
its path, never copied; set EXTRACTOR_SHARED to the shared folder when the checkout is not beside it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from types import ModuleType

import pytest
from bs4 import BeautifulSoup

from extractor.document import read_path
from extractor.parse import parse_paths

CORPUS = Path(__file__).parent / "corpus"
ARTICLES = CORPUS / "articles"
GOLD = CORPUS / "gold.jsonl"
FLOORS = CORPUS / "floors.json"
SHARED = Path(os.environ.get("EXTRACTOR_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SCORE_PY = SHARED / "eval" / "score.py"

REQUIRED = {
    "liquidations": {"amount_usd", "side", "exchange", "asset", "text"},
    "price_moves": {"asset", "from_usd", "to_usd", "pct", "direction", "text"},
    "quotes": {"speaker", "title", "org", "text"},
}
SIDES = {"long", "short", "total"}
DIRECTIONS = {"up", "down"}


def load_gold() -> list[dict]:
    """The gold annotations, one dict per article, in file order."""
    with GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def article_files() -> dict[str, Path]:
    """Article files of the corpus by id (file stem)."""
    return {p.stem: p for p in sorted(ARTICLES.iterdir()) if p.suffix in (".txt", ".html")}


def fold(text: str) -> str:
    """Case-insensitive, whitespace-folded form used to find gold texts in articles."""
    return " ".join(text.lower().split())


def visible_text(path: Path) -> str:
    """The text a reader sees: the file itself, or for HTML the text of its elements and entities resolved."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        soup = BeautifulSoup(raw, "lxml")
        for tag in soup(["script", "style", "template"]):
            tag.decompose()
        return soup.get_text()
    return raw


def texts_missing_from(gold: dict, text: str) -> list[str]:
    """Gold supporting texts that do not occur in `text` (case-insensitive, whitespace-folded)."""
    folded = fold(text)
    return [
        item["text"]
        for field in ("liquidations", "price_moves", "quotes")
        for item in gold[field]
        if fold(item["text"]) not in folded
    ]


def load_scorer() -> ModuleType:
    """Import the shared scorer from its path (skip the test when the shared folder is absent)."""
    if not SCORE_PY.is_file():
        pytest.skip(f"shared scorer not found at {SCORE_PY}; set EXTRACTOR_SHARED to the shared/ folder")
    spec = importlib.util.spec_from_file_location("extractor_eval_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_gold_id_has_one_article_and_every_article_is_annotated() -> None:
    gold_ids = [g["id"] for g in load_gold()]
    assert len(gold_ids) == len(set(gold_ids)), "duplicate ids in gold.jsonl"
    stems = [p.stem for p in ARTICLES.iterdir() if p.suffix in (".txt", ".html")]
    assert len(stems) == len(set(stems)), "two article files share an id"
    assert sorted(gold_ids) == sorted(stems)
    assert len(gold_ids) >= 40


@pytest.mark.parametrize("gold", load_gold(), ids=lambda g: g["id"])
def test_gold_items_are_well_formed(gold: dict) -> None:
    assert set(gold) >= {"id", "published", "liquidations", "price_moves", "exchanges", "quotes"}
    if gold["published"] is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", gold["published"])
    for field, keys in REQUIRED.items():
        for item in gold[field]:
            assert set(item) == keys, f"{field} item keys: {sorted(item)}"
            assert isinstance(item["text"], str) and item["text"].strip()
    for item in gold["liquidations"]:
        assert isinstance(item["amount_usd"], int | float) and item["amount_usd"] > 0
        assert item["side"] in SIDES
    for item in gold["price_moves"]:
        assert item["direction"] in DIRECTIONS
        assert item["asset"] and item["asset"] == item["asset"].upper()
        if item["pct"] is not None:
            assert (item["pct"] > 0) == (item["direction"] == "up"), f"pct sign vs direction: {item['text']}"
    for item in gold["quotes"]:
        assert item["speaker"] and item["speaker"][0].isupper()
    assert all(isinstance(name, str) and name for name in gold["exchanges"])
    assert len(set(gold["exchanges"])) == len(gold["exchanges"])


@pytest.mark.parametrize("gold", load_gold(), ids=lambda g: g["id"])
def test_gold_texts_occur_in_their_article(gold: dict) -> None:
    assert texts_missing_from(gold, visible_text(article_files()[gold["id"]])) == []


@pytest.mark.parametrize("gold", load_gold(), ids=lambda g: g["id"])
def test_gold_texts_survive_document_reading(gold: dict) -> None:
    """What the pipeline is given (HTML boilerplate removed) still holds every annotated passage."""
    assert texts_missing_from(gold, read_path(str(article_files()[gold["id"]])).text) == []


def test_floors_cover_every_scored_field() -> None:
    scorer = load_scorer()
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert set(floors) == set(scorer.FIELDS) | {"macro"}
    assert all(0.0 <= v <= 1.0 for v in floors.values())


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Parse every corpus article, write the predictions as JSONL and score them against the gold."""
    scorer = load_scorer()
    paths = [str(p) for p in article_files().values()]
    predictions = list(parse_paths(paths))
    errors = [(p["source"], p["error"]) for p in predictions if "error" in p]
    assert errors == []
    pred_path = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    lines = (json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)
    pred_path.write_text("".join(lines), encoding="utf-8")
    gold, pred = scorer.load(str(GOLD)), scorer.load(str(pred_path))
    assert set(gold) <= set(pred), "some articles got no prediction"
    tallies, misses = scorer.score(gold, pred)
    fields = {name: tally.prf()[2] for name, tally in tallies.items()}
    return {"fields": fields, "macro": sum(fields.values()) / len(fields), "misses": misses}


def test_every_field_f1_is_at_least_its_floor(figures: dict) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    below = {
        name: (round(f1, 3), floors[name]) for name, f1 in figures["fields"].items() if f1 < floors[name]
    }
    assert below == {}, f"F1 below floor (measured, floor): {below}; first misses: {figures['misses'][:20]}"


def test_macro_f1_is_at_least_its_floor(figures: dict) -> None:
    floor = json.loads(FLOORS.read_text(encoding="utf-8"))["macro"]
    assert figures["macro"] >= floor, f"macro F1 {figures['macro']:.3f} < floor {floor}: {figures['fields']}"


DEV = SHARED / "eval" / "dev"
DEV_FLOORS = CORPUS / "floors-dev.json"


def score_files(paths: list[str], gold: Path, out_dir: Path) -> dict:
    """Parse the files, score the predictions against a gold file: per-field F1, macro F1 and the misses."""
    scorer = load_scorer()
    predictions = list(parse_paths(paths))
    assert [p["source"] for p in predictions if "error" in p] == []
    pred_path = out_dir / "pred.jsonl"
    pred_path.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    tallies, misses = scorer.score(scorer.load(str(gold)), scorer.load(str(pred_path)))
    fields = {name: tally.prf()[2] for name, tally in tallies.items()}
    return {"fields": fields, "macro": sum(fields.values()) / len(fields), "misses": misses}


@pytest.fixture(scope="module")
def dev_figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The shared dev set (the seed article included), scored the same way."""
    if not DEV.is_dir():
        pytest.skip(f"shared dev set not found at {DEV}")
    paths = [str(p) for p in sorted(DEV.glob("*.txt"))]
    return score_files(paths, DEV / "gold.jsonl", tmp_path_factory.mktemp("dev"))


def test_dev_set_floors(dev_figures: dict) -> None:
    floors = json.loads(DEV_FLOORS.read_text(encoding="utf-8"))
    below = {name: (round(f1, 3), floors[name]) for name, f1 in dev_figures["fields"].items() if f1 < floors[name]}
    assert below == {}, f"dev F1 below floor (measured, floor): {below}; misses: {dev_figures['misses']}"
    assert dev_figures["macro"] >= floors["macro"]


@pytest.mark.parametrize("name", ["heldout", "blind"])
def test_other_hands_sets_floors(tmp_path: Path, name: str) -> None:
    """The sets annotated blind by other hands (see their READMEs), gated the same way."""
    folder = Path(__file__).parent / name
    paths = [str(p) for p in sorted((folder / "articles").iterdir()) if p.suffix in (".txt", ".html")]
    figures = score_files(paths, folder / "gold.jsonl", tmp_path)
    floors = json.loads((folder / "floors.json").read_text(encoding="utf-8"))
    below = {field: (round(f1, 3), floors[field]) for field, f1 in figures["fields"].items() if f1 < floors[field]}
    assert below == {}, f"{name} F1 below floor (measured, floor): {below}; misses: {figures['misses'][:20]}"
    assert figures["macro"] >= floors["macro"]
