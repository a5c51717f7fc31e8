"""`extractor ingest`: existing datasets (CSV, JSONL, folders of .txt/.html) into the articles table."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from extractor.crawl.pages import PageError, decode_page, extract_page, join_text, to_utc
from extractor.crawl.store import ArticleRecord, open_store, save_article
from extractor.crawl.urls import URLError, canonicalise, host_key
from extractor.document import DocumentError, read_path
from extractor.patterns import load_yaml

TABLE_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
PAGE_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml"}
FIELDS = ("title", "text", "url", "date", "source", "lang")
COLUMN_OPTIONS = ("title", "text", "url", "date", "source")
VALUE_OPTIONS = ("outlet", "lang")
# A first line this long is running text, not a headline (normalised datasets have no line breaks).
MAX_TITLE_CHARS = 300
# UTF-8 byte sequences read as Latin-1: a lead byte and its continuation bytes.
MOJIBAKE = re.compile(
    "[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}|[\u00f0-\u00f4][\u0080-\u00bf]{3}"
)


class IngestError(Exception):
    """A file that cannot be ingested at all (unreadable, unknown kind, no text column)."""


@dataclass
class IngestSummary:
    """What an ingest did: files and rows seen, articles new/updated/unchanged, rows skipped, problems."""

    files: int = 0
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed_files: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.files} files, {self.rows} rows: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped; {self.failed_files} files failed"
        )


def normalise_name(name: str) -> str:
    """'Published At' -> 'publishedat', for forgiving column matching."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def guess_columns(columns: Iterable[str], mapping: dict[str, str | None]) -> dict[str, str | None]:
    """Map each article field to a column: the one named in `mapping`, else the first known alias present."""
    columns = list(columns)
    by_name = {normalise_name(c): c for c in columns}
    aliases = load_yaml("ingest_columns.yaml")
    chosen: dict[str, str | None] = {}
    for name in FIELDS:
        given = mapping.get(name) if name in COLUMN_OPTIONS else None
        if given:
            if given not in columns:
                raise IngestError(f"no column {given!r} (columns: {', '.join(columns)})")
            chosen[name] = given
            continue
        chosen[name] = next((by_name[normalise_name(a)] for a in aliases[name] if normalise_name(a) in by_name), None)
    if chosen["text"] is None:
        raise IngestError(f"no text column among {', '.join(columns) or 'no columns'}; name one with --text")
    return chosen


def repair_mojibake(value: str) -> str:
    """UTF-8 read as Latin-1 ('â\\x80\\x93' for '–') put back, sequence by sequence; the rest left alone."""

    def fix(match: re.Match) -> str:
        """One sequence back to its character, or left as it was."""
        try:
            return match.group().encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    repaired = MOJIBAKE.sub(fix, value)
    if repaired != value:
        # A no-break space whose second byte became a plain space leaves a lone 'Â' behind.
        repaired = repaired.replace("\u00c2 ", " ")
    return repaired


def parse_date(value: object) -> str | None:
    """A date or time from a dataset cell (ISO 8601, RFC 2822 or Unix seconds) in UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat(timespec="seconds")
    text = str(value or "").strip()
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return parse_date(float(text))
    return to_utc(text)


def read_rows(path: Path, kind: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line or row number, row, problem) for each record of a JSONL, JSON, CSV or TSV file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if kind == "jsonl":
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, None, f"not valid JSON ({exc.msg})"
                    continue
                yield (n, row, None) if isinstance(row, dict) else (n, None, "not a JSON object")
        elif kind == "json":
            data = json.load(fh)
            data = data.get("articles", data) if isinstance(data, dict) else data
            if not isinstance(data, list):
                raise IngestError("expected a JSON list of objects")
            for n, row in enumerate(data, 1):
                yield (n, row, None) if isinstance(row, dict) else (n, None, "not a JSON object")
        else:
            csv.field_size_limit(sys.maxsize)
            reader = csv.DictReader(fh, delimiter="\t" if kind == "tsv" else ",")
            for n, row in enumerate(reader, 2):
                yield n, row, None


def table_records(
    path: Path, kind: str, mapping: dict[str, str | None], summary: IngestSummary
) -> Iterator[ArticleRecord]:
    """Articles from the rows of a table file; rows without text are reported and skipped."""
    columns: dict[str, str | None] | None = None
    for n, row, problem in read_rows(path, kind):
        summary.rows += 1
        if problem or row is None:
            summary.skipped += 1
            summary.problems.append(f"{path}:{n}: {problem}: skipped")
            continue
        if columns is None:
            columns = guess_columns(row.keys(), mapping)
        cell = {name: row.get(col) if col else None for name, col in columns.items()}
        body = repair_mojibake(str(cell["text"] or "")).strip()
        if not body:
            summary.skipped += 1
            summary.problems.append(f"{path}:{n}: no text: skipped")
            continue
        title = repair_mojibake(" ".join(str(cell["title"] or "").split())) or None
        url = row_url(cell["url"], path, row.get("id") or n)
        source = str(cell["source"]).strip() if cell["source"] else None
        yield ArticleRecord(
            url=url,
            text=join_text(title, body),
            title=title,
            published_at=parse_date(cell["date"]),
            outlet=mapping.get("outlet") or source or outlet_of(url),
            lang=mapping.get("lang") or cell["lang"],
            source=f"ingest:{path}",
        )


def row_url(value: object, path: Path, key: object) -> str:
    """The row's own http(s) URL, canonicalised, else a file URL naming the row."""
    if isinstance(value, str) and value.strip():
        try:
            return canonicalise(value)
        except URLError:
            pass
    return f"{path.resolve().as_uri()}#{key}"


def outlet_of(url: str) -> str | None:
    """The host of a web URL (without www.), None for file URLs."""
    if not url.startswith(("http://", "https://")):
        return None
    return host_key(url).split("://", 1)[1].removeprefix("www.")


def page_record(path: Path, mapping: dict[str, str | None], summary: IngestSummary) -> ArticleRecord | None:
    """An article from one .txt or .html file; None (reported) when it holds no text."""
    url = path.resolve().as_uri()
    source = f"ingest:{path}"
    summary.rows += 1
    try:
        if path.suffix.lower() in (".html", ".htm", ".xhtml"):
            html, _ = decode_page(path.read_bytes())
            page = extract_page(html, url)
            return ArticleRecord(
                url=url,
                text=page.text,
                canonical_url=page.canonical_url,
                title=page.title,
                authors=page.authors,
                published_at=page.published_at,
                lang=mapping.get("lang") or page.lang,
                tags=page.tags,
                html=html,
                outlet=mapping.get("outlet") or page.site_name,
                source=source,
            )
        document = read_path(str(path))
    except (DocumentError, PageError, OSError) as exc:
        summary.skipped += 1
        summary.problems.append(f"{path}: {exc}: skipped")
        return None
    title = document.title
    if title and len(title) > MAX_TITLE_CHARS:
        title = None
        summary.problems.append(f"{path}: warning: no headline (the first line is running text)")
    return ArticleRecord(
        url=url,
        text=document.text,
        title=title,
        outlet=mapping.get("outlet"),
        lang=mapping.get("lang"),
        source=source,
    )


def expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and the ingestible files inside folders named (sorted, recursively)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and (p.suffix.lower() in PAGE_SUFFIXES or p.suffix.lower() in TABLE_SUFFIXES)
            )
        else:
            yield path


def ingest_paths(db_path: str | Path, paths: Iterable[str | Path], **mapping: str | None) -> IngestSummary:
    """Load CSV/TSV/JSON/JSONL files and .txt/.html files or folders into `articles`, one commit per article.

    `mapping` names columns (title, text, url, date, source) or gives fixed values (outlet, lang).
    """
    unknown = set(mapping) - {*COLUMN_OPTIONS, *VALUE_OPTIONS}
    if unknown:
        raise TypeError(f"unknown mapping keys: {', '.join(sorted(unknown))}")
    summary = IngestSummary()
    db = open_store(db_path)
    try:
        for path in expand(paths):
            summary.files += 1
            try:
                for record in file_records(path, mapping, summary):
                    outcome, _ = save_article(db, record)
                    setattr(summary, outcome, getattr(summary, outcome) + 1)
            except (IngestError, OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
                summary.failed_files += 1
                summary.problems.append(f"{path}: {failure_reason(exc)}")
    finally:
        db.close()
    return summary


def failure_reason(exc: Exception) -> str:
    """A one-line reason why a whole file could not be ingested."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text; convert it first, e.g. iconv -f cp1252 -t utf-8"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg}, line {exc.lineno})"
    return str(exc)


def file_records(path: Path, mapping: dict[str, str | None], summary: IngestSummary) -> Iterator[ArticleRecord]:
    """The articles of one file, by its kind."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise IngestError("no such file")
    if suffix in TABLE_SUFFIXES:
        yield from table_records(path, TABLE_SUFFIXES[suffix], mapping, summary)
    elif suffix in PAGE_SUFFIXES:
        record = page_record(path, mapping, summary)
        if record is not None:
            yield record
    else:
        raise IngestError(
            f"unknown kind of file {suffix or '(no suffix)'}: expected "
            f"{', '.join(sorted({*TABLE_SUFFIXES, *PAGE_SUFFIXES}))}"
        )
