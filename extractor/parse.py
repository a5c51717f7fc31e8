"""`extractor parse`: files in, one JSON object per file out, no database involved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from extractor.document import Document, DocumentError, read_path
from extractor.nlp.pipeline import analyse_text, build_pipeline


def check_date(value: str | None) -> str | None:
    """Validate a YYYY-MM-DD date given on the command line."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValueError(f"--published must be YYYY-MM-DD, not {value!r}") from exc


def parse_paths(paths: Iterable[str], published: str | None = None, model: str | None = None) -> Iterator[dict]:
    """Yield one result object per path, in input order; unreadable files yield an `error` object."""
    published = check_date(published)
    nlp = build_pipeline(model=model)
    slots: list[dict | Document] = []
    for path in paths:
        try:
            document = read_path(path)
            if published:
                document.published = published
            slots.append(document)
        except DocumentError as exc:
            slots.append({"source": path, "id": "-" if path == "-" else _stem(path), "error": str(exc)})
    for slot in slots:
        if isinstance(slot, dict):
            yield slot
            continue
        try:
            facts = analyse_text(nlp, slot.text, slot.published)
        except Exception as exc:  # a bug of ours on one document must not cost the others
            yield {"source": slot.source, "id": slot.id, "error": f"extraction failed: {exc!r}"}
            continue
        obj = {"source": slot.source, "id": slot.id, "title": slot.title, "published": slot.published}
        obj.update(facts)
        if slot.warnings:
            obj["warnings"] = slot.warnings
        yield obj


def _stem(path: str) -> str:
    from extractor.document import stem

    return stem(path)
