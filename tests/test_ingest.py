"""`extractor ingest`: CSV, JSONL, folders of .txt/.html, and the shared corpus and seed files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from crawl_fixtures import article_html, paragraphs

from extractor.cli import cli
from extractor.ingest import ingest_paths, repair_mojibake

# ../shared beside the checkout, read at run time, never copied; EXTRACTOR_SHARED points elsewhere.
SHARED = Path(os.environ.get("EXTRACTOR_SHARED") or Path(__file__).resolve().parents[2] / "shared")


def rows(db_path: Path) -> list[dict]:
    return list(sqlite_utils.Database(db_path).query("select * from articles order by id"))


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_csv_with_guessed_columns_and_an_empty_row(tmp_path: Path) -> None:
    csv_path = tmp_path / "news.csv"
    csv_path.write_text(
        "Headline,Body,Link,Published At,Outlet\n"
        'Pebble slides,"Pebble fell 4% to $1.20 on the invented Northwind exchange.",'
        "https://Example.com/a?utm_source=x,2024-03-05T14:30:00+01:00,Example Wire\n"
        "Nothing here,,https://example.com/b,2024-03-05,Example Wire\n",
        encoding="utf-8",
    )
    summary = ingest_paths(tmp_path / "db.sqlite", [csv_path])
    assert (summary.rows, summary.new, summary.skipped) == (2, 1, 1)
    assert summary.problems == [f"{csv_path}:3: no text: skipped"]
    [row] = rows(tmp_path / "db.sqlite")
    assert row["url"] == "https://example.com/a"
    assert row["text"] == "Pebble slides\n\nPebble fell 4% to $1.20 on the invented Northwind exchange."
    assert (row["title"], row["outlet"], row["published_at"]) == (
        "Pebble slides",
        "Example Wire",
        "2024-03-05T13:30:00+00:00",
    )
    assert row["source"] == f"ingest:{csv_path}"


def test_jsonl_with_mapping_bad_lines_and_unix_times(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "dump.jsonl",
        [
            {
                "id": "x1",
                "heading": "Larkspur index jumps",
                "story": "The invented Larkspur index rose 12 points.",
                "ts": 1709649000,
            },
            "{not json",
            ["a", "list"],
            {"id": "x2", "heading": "No story", "story": "   "},
        ],
    )
    summary = ingest_paths(
        tmp_path / "db.sqlite",
        [path],
        title="heading",
        text="story",
        date="ts",
        outlet="Invented Daily",
        lang="en",
    )
    assert (summary.rows, summary.new, summary.skipped) == (4, 1, 3)
    assert summary.problems == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes): skipped",
        f"{path}:3: not a JSON object: skipped",
        f"{path}:4: no text: skipped",
    ]
    [row] = rows(tmp_path / "db.sqlite")
    assert row["url"] == f"{path.resolve().as_uri()}#x1"
    assert (row["published_at"], row["outlet"], row["lang"]) == (
        "2024-03-05T14:30:00+00:00",
        "Invented Daily",
        "en",
    )


def test_missing_text_column_fails_that_file_only(tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"headline": "Only a title"}])
    (tmp_path / "notes.docx").write_bytes(b"PK invented")
    good = write_jsonl(tmp_path / "good.jsonl", [{"title": "Fine", "content": "Some invented body text."}])
    summary = ingest_paths(tmp_path / "db.sqlite", [bad, tmp_path / "missing.csv", tmp_path / "notes.docx", good])
    assert (summary.files, summary.failed_files, summary.new) == (4, 3, 1)
    assert summary.problems == [
        f"{bad}: no text column among headline; name one with --text",
        f"{tmp_path / 'missing.csv'}: no such file",
        f"{tmp_path / 'notes.docx'}: unknown kind of file .docx: expected .csv, .htm, .html, .json, .jsonl, "
        ".ndjson, .text, .tsv, .txt, .xhtml",
    ]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,text\nCaf\u00e9,Un texte invent\u00e9.\n".encode("cp1252"))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "x", "text": "y"},')
    summary = ingest_paths(tmp_path / "db.sqlite", [latin, broken])
    assert summary.failed_files == 2
    assert summary.problems == [
        f"{latin}: not UTF-8 text; convert it first, e.g. iconv -f cp1252 -t utf-8",
        f"{broken}: not valid JSON (Expecting value, line 1)",
    ]


def test_folder_of_txt_and_html(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "deep").mkdir(parents=True)
    (folder / "one.txt").write_text("Invented headline\n\nAn invented body about the Pebble token.\n")
    (folder / "deep" / "two.html").write_text(article_html("Page headline", paragraphs("two")))
    (folder / "empty.txt").write_text("   \n")
    (folder / "skip.png").write_bytes(b"\x89PNG")
    summary = ingest_paths(tmp_path / "db.sqlite", [folder])
    assert (summary.files, summary.new, summary.skipped) == (3, 2, 1)
    assert summary.problems == [f"{folder / 'empty.txt'}: the file is empty: skipped"]
    two, one = rows(tmp_path / "db.sqlite")
    assert one["text"] == "Invented headline\n\nAn invented body about the Pebble token.\n"
    assert two["text"] == "Page headline\n\n" + "\n".join(paragraphs("two"))
    assert (two["published_at"], json.loads(two["authors"])) == (
        "2024-03-05T13:30:00+00:00",
        ["Dana Example"],
    )


def test_reingest_adds_nothing_and_changes_become_revisions(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"url": "https://example.com/r", "title": "T", "text": "First."}])
    db_path = tmp_path / "db.sqlite"
    ingest_paths(db_path, [path])
    again = ingest_paths(db_path, [path])
    write_jsonl(path, [{"url": "https://example.com/r", "title": "T", "text": "Second."}])
    changed = ingest_paths(db_path, [path])
    assert (again.unchanged, changed.updated) == (1, 1)
    [row] = rows(db_path)
    assert (row["text"], row["revision"]) == ("T\n\nSecond.", 2)
    [old] = sqlite_utils.Database(db_path)["article_revisions"].rows
    assert old["text"] == "T\n\nFirst."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Record High \u00e2\u0080\u0093 What\u00e2\u0080\u0099s Next",
            "Record High \u2013 What\u2019s Next",
        ),
        ("Update \u00e2\u0080\u0093\u00c2 Here", "Update \u2013 Here"),
        ("Caf\u00e9 cr\u00e8me", "Caf\u00e9 cr\u00e8me"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_repair_mojibake(raw: str, expected: str) -> None:
    assert repair_mojibake(raw) == expected


def test_cli_ingest(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"title": "T", "body": "An invented body."}, {"title": "Empty"}])
    result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(tmp_path / "db.sqlite")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 files, 2 rows: 1 new, 0 updated, 0 unchanged, 1 skipped; 0 files failed\n"
    assert result.stderr == f"extractor: {path}:2: no text: skipped\n"


@pytest.mark.skipif(
    not (SHARED / "corpus" / "cryptonews-2023.jsonl").exists(), reason="shared/corpus is absent: set EXTRACTOR_SHARED"
)
def test_shared_corpus(tmp_path: Path) -> None:
    path = SHARED / "corpus" / "cryptonews-2023.jsonl"
    source = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    summary = ingest_paths(tmp_path / "db.sqlite", [path])
    assert (summary.rows, summary.new, summary.skipped, summary.problems) == (69, 69, 0, [])
    stored = rows(tmp_path / "db.sqlite")
    assert [r["url"] for r in stored] == [s["url"] for s in source]
    assert all(r["text"] == f"{r['title']}\n\n{s['text']}" for r, s in zip(stored, source, strict=True))
    assert not any("\u00e2\u0080" in r["title"] for r in stored)
    assert stored[0]["published_at"] == source[0]["published"]
    assert {r["outlet"] for r in stored} == {"cryptonews.com"}


@pytest.mark.skipif(
    not (SHARED / "seed" / "seed-article.txt").exists(), reason="shared/seed is absent: set EXTRACTOR_SHARED"
)
def test_shared_seed_article(tmp_path: Path) -> None:
    path = SHARED / "seed" / "seed-article.txt"
    summary = ingest_paths(tmp_path / "db.sqlite", [path])
    assert (summary.new, summary.problems) == (
        1,
        [f"{path}: warning: no headline (the first line is running text)"],
    )
    [row] = rows(tmp_path / "db.sqlite")
    assert row["title"] is None
    assert row["text"] == path.read_text(encoding="utf-8")
    assert row["url"] == path.resolve().as_uri()
