"""URL canonicalisation: one spelling per article, so that two feeds' links meet in one row."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from extractor.patterns import load_yaml

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
CRAWL_PATTERNS = "crawl.yaml"


@cache
def tracking_param() -> re.Pattern:
    """The query parameters to drop, from `patterns/crawl.yaml` (a trailing * matches any ending)."""
    names = load_yaml(CRAWL_PATTERNS)["tracking_params"]
    alternatives = (re.escape(n[:-1]) + r"\w*" if n.endswith("*") else re.escape(n) for n in names)
    return re.compile(f"^({'|'.join(alternatives)})$", re.IGNORECASE)


class URLError(ValueError):
    """A link that cannot be crawled: not http(s), or no host."""


def is_crawlable(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


def canonicalise(url: str, base: str | None = None) -> str:
    """Resolve against `base`; lower-case scheme and host; drop default port, fragment, tracking params."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise URLError(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise URLError(f"no host in URL: {url!r}")
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not tracking_param().match(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def host_key(url: str) -> str:
    """The politeness key of a URL: scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
