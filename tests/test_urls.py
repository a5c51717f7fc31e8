"""URL canonicalisation: one spelling per article."""

from __future__ import annotations

import pytest

from extractor.crawl.urls import URLError, canonicalise


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Example.COM/News/A?utm_source=x&utm_medium=rss&id=7#comments",
            "https://example.com/News/A?id=7",
        ),
        ("http://example.com:80/a?fbclid=abc", "http://example.com/a"),
        ("https://example.com:8443/a?gclid=1&b=2&mc_cid=3", "https://example.com:8443/a?b=2"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com./a/?q=", "https://example.com/a/?q="),
    ],
)
def test_canonicalise(url: str, expected: str) -> None:
    assert canonicalise(url) == expected


def test_relative_resolved_against_base() -> None:
    assert (
        canonicalise("../b/c?utm_campaign=z", base="https://example.com/feeds/x.xml")
        == "https://example.com/b/c"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a", "not an http(s) URL: 'ftp://example.com/a'"),
        ("javascript:alert(1)", "not an http(s) URL: 'javascript:alert(1)'"),
        ("https:///nohost", "no host in URL: 'https:///nohost'"),
    ],
)
def test_uncrawlable_urls_refused(url: str, message: str) -> None:
    with pytest.raises(URLError) as info:
        canonicalise(url)
    assert str(info.value) == message
