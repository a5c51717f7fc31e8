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
