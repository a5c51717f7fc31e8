"""Load the domain knowledge kept as data in `patterns/` (JSONL and YAML files)."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent


def patterns_dir() -> Path:
    """The folder holding the pattern files: $EXTRACTOR_PATTERNS, the source tree's, or the packaged copy."""
    override = os.environ.get("EXTRACTOR_PATTERNS")
    if override:
        return Path(override)
    source_tree = PACKAGE_DIR.parent / "patterns"
    if source_tree.is_dir():
        return source_tree
    return PACKAGE_DIR / "_patterns"


@cache
def load_jsonl(name: str) -> tuple[dict, ...]:
    """Read one JSONL pattern file (blank lines and `//` comment lines are skipped)."""
    path = patterns_dir() / name
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from exc
    return tuple(rows)


@cache
def load_yaml(name: str):
    """Read one YAML pattern file."""
    with (patterns_dir() / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def patterns_hash() -> str:
    """A short hash of every pattern file, so that a change of rules shows in the pipeline version."""
    digest = hashlib.sha256()
    root = patterns_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
