"""Polite HTTP: robots.txt, a delay per host, a global concurrency limit, retries, size and type checks."""

from __future__ import annotations

import asyncio
import email.utils
import time
import urllib.robotparser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from extractor import USER_AGENT
from extractor.crawl.urls import host_key, is_crawlable

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
    "text/plain",
    "text/html",
    "application/octet-stream",
    "application/x-rss+xml",
)


@dataclass
class FetchSettings:
    """How politely and how patiently to fetch; tests shrink the waits."""

    user_agent: str = USER_AGENT
    delay: float = 1.0
    concurrency: int = 8
    timeout: float = 15.0
    total_timeout: float = 60.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 60.0
    robots: bool = True


@dataclass
class Response:
    """A fetched resource: the final URL after redirects, its status, headers and body."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    elapsed_ms: int
    attempts: int = 1
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return media_type(self.headers)

    @property
    def charset(self) -> str | None:
        """The charset parameter of the Content-Type header, if any."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class FetchError(Exception):
    """A resource that could not be fetched; `outcome` is a short machine-readable reason."""

    def __init__(
        self, outcome: str, message: str, status: int | None = None, attempts: int = 1, elapsed_ms: int = 0
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.status = status
        self.attempts = attempts
        self.elapsed_ms = elapsed_ms


@dataclass
class Attempt:
    """One HTTP exchange worth a line in `fetch_log` (retries, robots.txt)."""

    url: str
    kind: str
    status: int | None
    outcome: str
    message: str
    elapsed_ms: int
    attempt: int


def media_type(headers: httpx.Headers) -> str:
    """The media type of a Content-Type header, lower-cased, without parameters."""
    return headers.get("content-type", "").split(";")[0].strip().lower()


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """An httpx client wrapped in the crawler's manners; use as `async with Fetcher(settings) as f`."""

    def __init__(self, settings: FetchSettings, log: Callable[[Attempt], None] | None = None) -> None:
        self.settings = settings
        self.log = log or (lambda attempt: None)
        self.client: httpx.AsyncClient | None = None
        self.slots = asyncio.Semaphore(max(1, settings.concurrency))
        self.host_locks: dict[str, asyncio.Lock] = {}
        self.host_next: dict[str, float] = {}
        self.host_delay: dict[str, float] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.unreachable: dict[str, str] = {}

    async def __aenter__(self) -> Fetcher:
        self.client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(1, self.settings.concurrency)),
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def get(
        self,
        url: str,
        kind: str,
        headers: dict[str, str] | None = None,
        accept: tuple[str, ...] | None = None,
    ) -> Response:
        """Fetch a URL (2xx or 304), following at most `max_redirects` redirects; else FetchError."""
        seen = [url]
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if not is_crawlable(current):
                raise FetchError("bad-url", f"not an http(s) URL: {current}")
            if self.settings.robots and kind != "robots" and not await self.allowed(current):
                host = host_key(current)
                if host in self.unreachable:
                    raise FetchError("host-unreachable", f"{host} skipped: {self.unreachable[host]}")
                raise FetchError("disallowed", f"robots.txt of {host} disallows {current}")
            response = await self.fetch_once(current, kind, headers, accept)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES:
                response.redirects = seen[:-1]
                return response
            if not location:
                raise FetchError("http-error", f"HTTP {response.status} without a Location header", response.status)
            current = urljoin(current, location)
            if current in seen:
                raise FetchError(
                    "redirect-loop", f"redirect loop: {' -> '.join([*seen, current])}", status=response.status
                )
            seen.append(current)
        raise FetchError(
            "too-many-redirects",
            f"more than {self.settings.max_redirects} redirects from {url}",
            status=response.status,
        )

    async def fetch_once(
        self, url: str, kind: str, headers: dict[str, str] | None, accept: tuple[str, ...] | None
    ) -> Response:
        """One URL without following redirects, retrying 429, 5xx, timeouts and network errors."""
        settings = self.settings
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            status: int | None = None
            wait: float | None = None
            try:
                async with self.host_turn(url), self.slots:
                    started = time.monotonic()
                    async with asyncio.timeout(settings.total_timeout):
                        status, response_headers, content = await self.download(url, headers, accept)
                elapsed = int((time.monotonic() - started) * 1000)
                if status not in RETRY_STATUSES:
                    if status >= 400:
                        raise FetchError("http-error", f"HTTP {status}", status, attempt, elapsed)
                    return Response(url, status, response_headers, content, elapsed, attempt)
                wait = retry_after(response_headers)
                error = FetchError("http-error", f"HTTP {status}", status, attempt, elapsed)
            except FetchError as exc:
                exc.attempts = attempt
                exc.elapsed_ms = exc.elapsed_ms or int((time.monotonic() - started) * 1000)
                raise
            except (httpx.TimeoutException, TimeoutError):
                elapsed = int((time.monotonic() - started) * 1000)
                error = FetchError("timeout", f"no response within {settings.timeout:g} s", None, attempt, elapsed)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchError("bad-url", f"cannot request {url}: {exc}", attempts=attempt) from exc
            except httpx.HTTPError as exc:
                elapsed = int((time.monotonic() - started) * 1000)
                message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                error = FetchError("network-error", message, None, attempt, elapsed)
            if attempt > settings.retries:
                if attempt > 1:
                    error.message = f"{error.message} after {attempt} attempts"
                    error.args = (error.message,)
                raise error
            source = "Retry-After" if wait is not None else "backoff"
            if wait is None:
                wait = settings.backoff * 2 ** (attempt - 1)
            wait = min(wait, settings.max_wait)
            self.log(
                Attempt(
                    url,
                    kind,
                    status,
                    "retry",
                    f"{error.message}; retrying in {wait:g} s ({source})",
                    error.elapsed_ms,
                    attempt,
                )
            )
            self.postpone(url, wait)

    async def download(
        self, url: str, headers: dict[str, str] | None, accept: tuple[str, ...] | None
    ) -> tuple[int, httpx.Headers, bytes]:
        """Stream one response; refuse a wrong content type or more than `max_bytes`."""
        assert self.client is not None, "use Fetcher as an async context manager"
        limit = self.settings.max_bytes
        async with self.client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status >= 300:
                return status, response.headers, b""
            ctype = media_type(response.headers)
            if accept is not None and ctype and not ctype.startswith(accept):
                raise FetchError(
                    "bad-content-type", f"content type {ctype!r} is not one of {', '.join(accept)}", status
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError("too-large", f"{int(declared)} bytes declared, over the {limit} byte limit", status)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise FetchError("too-large", f"over the {limit} byte limit; download abandoned", status)
            return status, response.headers, bytes(body)

    @asynccontextmanager
    async def host_turn(self, url: str) -> AsyncIterator[None]:
        """One request per host at a time, `delay` seconds after the previous one ended (if delay > 0)."""
        host = host_key(url)
        delay = self.host_delay.get(host, self.settings.delay)
        lock = self.host_locks.setdefault(host, asyncio.Lock()) if delay > 0 else None
        if lock is not None:
            await lock.acquire()
        try:
            ready = self.host_next.get(host, 0.0)
            if ready > time.monotonic():
                await asyncio.sleep(ready - time.monotonic())
            yield
        finally:
            if lock is not None:
                self.host_next[host] = max(self.host_next.get(host, 0.0), time.monotonic() + delay)
                lock.release()

    def postpone(self, url: str, seconds: float) -> None:
        """Keep the whole host quiet for `seconds` (a 429 or 5xx applies to the host, not one URL)."""
        host = host_key(url)
        self.host_next[host] = max(self.host_next.get(host, 0.0), time.monotonic() + seconds)

    async def allowed(self, url: str) -> bool:
        """True when the host's robots.txt (fetched once, cached) lets our user agent fetch `url`."""
        host = host_key(url)
        lock = self.robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self.robots:
                self.robots[host] = await self.read_robots(host)
        parser = self.robots[host]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    async def read_robots(self, host: str) -> urllib.robotparser.RobotFileParser | None:
        """Fetch robots.txt per RFC 9309: 4xx means no rules, 5xx or no answer means stay away."""
        url = f"{host}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(url)
        try:
            response = await self.get(url, "robots")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                self.log(
                    Attempt(
                        url,
                        "robots",
                        exc.status,
                        "no-robots",
                        "no robots.txt: everything allowed",
                        exc.elapsed_ms,
                        exc.attempts,
                    )
                )
                return None
            self.log(
                Attempt(
                    url,
                    "robots",
                    exc.status,
                    "failed",
                    f"{exc.message}: the host is treated as disallowed",
                    exc.elapsed_ms,
                    exc.attempts,
                )
            )
            parser.disallow_all = True
            self.unreachable[host] = f"its robots.txt could not be read ({exc.message})"
            return parser
        text = response.content.decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        delay = parser.crawl_delay(self.settings.user_agent)
        if delay and float(delay) > self.settings.delay:
            self.host_delay[host] = min(float(delay), self.settings.max_wait)
        self.log(
            Attempt(
                url,
                "robots",
                response.status,
                "ok",
                "robots.txt read",
                response.elapsed_ms,
                response.attempts,
            )
        )
        return parser


def host_of(url: str) -> str:
    """The host name of a URL, for outlet guesses."""
    return (urlsplit(url).hostname or "").removeprefix("www.")
