"""Articles stored per second: `extractor crawl` against a bare sequential httpx loop, same pages, same run.

A local server (its own process, so it does not share our GIL) serves N invented article pages and one
RSS feed listing them. The crawler runs with the per-host delay off; the baseline fetches each URL in
turn with httpx, extracts it with the same function and inserts it with one commit per article.

    python benchmarks/crawl_speed.py [--pages 500] [--latency-ms 0,20] [--concurrency 8] [--rounds 2]

`--latency-ms` makes the server wait before each answer, as a remote site would; 0 leaves both CPU-bound.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from crawl_fixtures import article_html, paragraphs, rss2  # noqa: E402

from extractor.crawl.pages import decode_page, extract_page  # noqa: E402
from extractor.crawl.run import run_crawl  # noqa: E402
from extractor.crawl.store import ArticleRecord, open_store, save_article  # noqa: E402


def serve(port_queue: multiprocessing.Queue, pages: int, latency: float) -> None:
    """Serve /feed.xml and /news/<n> until killed."""
    bodies = {
        f"/news/{n}": article_html(f"Invented story {n}", paragraphs(f"story-{n}", 6)).encode() for n in range(pages)
    }

    class Handler(BaseHTTPRequestHandler):
        """The feed and the pages, keep-alive, after the simulated latency."""

        protocol_version = "HTTP/1.1"  # keep-alive, as real sites allow

        def setup(self) -> None:
            """Send small writes at once."""
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm holds the second.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            """Answer one GET."""
            if latency:
                time.sleep(latency)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.xml":
                items = [{"title": f"Story {n}", "link": f"{host}/news/{n}"} for n in range(pages)]
                body, ctype = rss2(items).encode(), "application/rss+xml"
            elif self.path in bodies:
                body, ctype = bodies[self.path], "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Stay quiet."""
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def bare_loop(db_path: Path, urls: list[str]) -> int:
    """The baseline: one request after another, extract, insert; return articles stored."""
    db = open_store(db_path)
    stored = 0
    with httpx.Client(timeout=30) as client:
        for url in urls:
            response = client.get(url)
            html, _ = decode_page(response.content, response.charset_encoding)
            page = extract_page(html, url)
            outcome, _ = save_article(db, ArticleRecord(url=url, text=page.text, title=page.title, html=html))
            stored += outcome == "new"
    db.close()
    return stored


def time_crawl(db_path: Path, host: str, concurrency: int) -> tuple[int, float]:
    """(articles stored, seconds) for one `run_crawl` of the feed."""
    started = time.perf_counter()
    summary = run_crawl(db_path, feeds=[f"{host}/feed.xml"], delay=0.0, concurrency=concurrency, progress=False)
    return summary.articles_new, time.perf_counter() - started


def time_bare(db_path: Path, urls: list[str]) -> tuple[int, float]:
    """(articles stored, seconds) for one sequential loop."""
    started = time.perf_counter()
    stored = bare_loop(db_path, urls)
    return stored, time.perf_counter() - started


def measure(pages: int, latency_ms: float, concurrency: int, rounds: int) -> float:
    """Rounds in alternating order against one server; print the best rate of each, return crawl / bare."""
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, pages, latency_ms / 1000), daemon=True)
    server.start()
    crawls: list[tuple[int, float]] = []
    bares: list[tuple[int, float]] = []
    try:
        host = f"http://127.0.0.1:{ports.get(timeout=30)}"
        urls = [f"{host}/news/{n}" for n in range(pages)]
        with tempfile.TemporaryDirectory() as tmp:
            # Warm-up: imports and first-call costs would otherwise fall on whichever runs first.
            bare_loop(Path(tmp) / "warm.db", urls[:10])
            run_crawl(Path(tmp) / "warm.db", feeds=[f"{host}/feed.xml"], delay=0.0, max_articles=0, progress=False)
            for n in range(rounds):
                crawl_db, bare_db = Path(tmp) / f"crawl-{n}.db", Path(tmp) / f"bare-{n}.db"
                if n % 2:
                    bares.append(time_bare(bare_db, urls))
                    crawls.append(time_crawl(crawl_db, host, concurrency))
                else:
                    crawls.append(time_crawl(crawl_db, host, concurrency))
                    bares.append(time_bare(bare_db, urls))
    finally:
        server.terminate()
    crawl_stored, crawl_seconds = min(crawls, key=lambda r: r[1])
    bare_stored, bare_seconds = min(bares, key=lambda r: r[1])
    crawl_rate, bare_rate = crawl_stored / crawl_seconds, bare_stored / bare_seconds
    print(f"pages: {pages}, server latency: {latency_ms:g} ms, concurrency: {concurrency}, best of {rounds}")
    print(f"  extractor crawl:   {crawl_stored} articles in {crawl_seconds:.2f} s = {crawl_rate:.1f} /s")
    print(f"  sequential httpx:  {bare_stored} articles in {bare_seconds:.2f} s = {bare_rate:.1f} /s")
    print(f"  ratio (crawl / bare): {crawl_rate / bare_rate:.2f}x")
    return crawl_rate / bare_rate


def main() -> None:
    """Measure at each server latency asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--latency-ms", default="0,20", help="comma-separated server delays per response")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, alternating which goes first")
    args = parser.parse_args()
    for latency in args.latency_ms.split(","):
        measure(args.pages, float(latency), args.concurrency, args.rounds)


if __name__ == "__main__":
    main()
