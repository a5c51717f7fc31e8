"""Shared fixtures: one pipeline per test session (building it reads every pattern file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.nlp.pipeline import build_pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline: blank English plus our components."""
    return build_pipeline()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared/ folder beside the checkout (skips when absent)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present on this machine")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a fresh database file in a folder that does not exist yet."""
    return tmp_path / "data" / "news.db"


@pytest.fixture
def corpus_db(db_path: Path) -> Path:
    """A database holding the store tests' five articles (tests/store_fixtures.py), not yet extracted."""
    from store_fixtures import ARTICLES, add_articles

    add_articles(db_path, ARTICLES)
    return db_path
