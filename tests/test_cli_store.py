"""The store commands through click: extract, stats, serve (the last as a real served process)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from store_fixtures import ARTICLES, add_articles

from extractor.cli import cli


@pytest.mark.parametrize("command", ["extract", "serve", "stats"])
def test_every_store_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "--db" in result.output


@pytest.mark.real_pipeline
def test_extract_then_stats_with_the_real_pipeline(corpus_db: Path) -> None:
    # Counts only: what the pipeline finds in these articles is asserted in test_extract_pipeline.py.
    runner = CliRunner()
    result = runner.invoke(cli, ["extract", "--db", str(corpus_db), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("run #1: 5 articles extracted (")
    assert ", 0 up to date, 0 errors; pipeline " in result.output
    again = runner.invoke(cli, ["extract", "--db", str(corpus_db), "--quiet"])
    assert again.output.startswith("nothing to do: 0 articles extracted (")
    assert ", 5 up to date, 0 errors" in again.output
    stats = json.loads(runner.invoke(cli, ["stats", "--db", str(corpus_db), "--json"]).output)
    assert (stats["tables"]["articles"], stats["tables"]["runs"], stats["tables"]["extractions"]) == (5, 1, 5)
    assert (stats["last_run"]["articles"], stats["last_run"]["status"]) == (5, "done")


@pytest.mark.real_pipeline
def test_extract_with_two_workers_and_the_real_pipeline(corpus_db: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", "--db", str(corpus_db), "--workers", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("run #1: 5 articles extracted (")


def test_extract_refuses_zero_workers(corpus_db: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", "--db", str(corpus_db), "--workers", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_over_http_and_refuses_posts(tmp_path: Path) -> None:
    path = tmp_path / "served" / "news.db"
    add_articles(path, ARTICLES[:2])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                response = httpx.get(f"{url}/news/articles.json?_shape=array")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
        assert [a["title"] for a in response.json()] == [ARTICLES[1]["title"], ARTICLES[0]["title"]]
        assert httpx.post(f"{url}/news", data={"sql": "delete from articles"}).status_code == 405
    finally:
        process.terminate()
        process.wait(10)
