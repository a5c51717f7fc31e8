"""Article pages: decoding, dates in UTC, JSON-LD and Open Graph metadata."""

from __future__ import annotations

import pytest
from crawl_fixtures import article_html, paragraphs

from extractor.crawl.fetch import retry_after
from extractor.crawl.pages import decode_page, extract_page, join_text, to_utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T14:30:00+01:00", "2024-03-05T13:30:00+00:00"),
        ("2024-03-05T14:30:00Z", "2024-03-05T14:30:00+00:00"),
        ("2024-03-05T14:30:00", "2024-03-05T14:30:00+00:00"),
        ("Tue, 05 Mar 2024 09:30:00 -0500", "2024-03-05T14:30:00+00:00"),
        ("2024-03-05", "2024-03-05"),
        ("last Tuesday", None),
        ("", None),
    ],
)
def test_to_utc(value: str, expected: str | None) -> None:
    assert to_utc(value) == expected


DETECTED = (
    "<p>Les traders français ont vu le « bitcoin » chuter : à 9 h, la baisse dépassait 3 %, et les dépôts "
    "ont été retirés très vite, après une séance agitée où le coût du crédit a grimpé.</p>"
)
RUSSIAN = "<p>Биткоин упал на три процента утром.</p>"


@pytest.mark.parametrize(
    ("data", "header", "expected"),
    [
        ("\u201cCaf\u00e9\u201d \u20ac5".encode("cp1252"), "windows-1252", "\u201cCaf\u00e9\u201d \u20ac5"),
        ("\u201cCaf\u00e9\u201d \u20ac5".encode("cp1252"), "ISO-8859-1", "\u201cCaf\u00e9\u201d \u20ac5"),
        (
            '<meta charset="latin1"><p>\u2018ol\u00e9\u2019</p>'.encode("cp1252"),
            None,
            '<meta charset="latin1"><p>\u2018ol\u00e9\u2019</p>',
        ),
        ("d\u00e9j\u00e0 vu".encode(), "iso-8859-1", "d\u00e9j\u00e0 vu"),
        (DETECTED.encode("cp1252"), None, DETECTED),
        (RUSSIAN.encode("cp1251"), None, RUSSIAN),
    ],
)
def test_decode_page(data: bytes, header: str | None, expected: str) -> None:
    assert decode_page(data, header)[0] == expected


def test_json_ld_graph_and_open_graph_fill_gaps() -> None:
    html = article_html("Graph story", paragraphs("graph"), published=None, author=None).replace(
        "</head>",
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": ["NewsArticle"], '
        '"datePublished": "2024-01-02T03:04:05-08:00", "author": [{"name": "Ann One"}, "Bob Two"], '
        '"keywords": "bitcoin, futures", "publisher": {"name": "Graph Times"}}]}</script>'
        '<link rel="canonical" href="/canon/graph?utm_source=feed"></head>',
    )
    page = extract_page(html, "https://example.com/news/graph")
    assert page.published_at == "2024-01-02T11:04:05+00:00"
    assert page.authors == ["Ann One", "Bob Two"]
    assert page.tags == ["bitcoin", "futures"]
    assert page.site_name == "Graph Times"
    assert page.canonical_url == "https://example.com/canon/graph"
    assert page.lang == "en"
    assert page.text == join_text("Graph story", "\n".join(paragraphs("graph")))


def test_join_text_drops_repeated_headline() -> None:
    assert join_text("Head line", "Head  line\nBody.") == "Head line\n\nBody."
    assert join_text(None, "Body.") == "Body."


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), ("", None)],
)
def test_retry_after(header: str, expected: float | None) -> None:
    import httpx

    assert retry_after(httpx.Headers({"Retry-After": header} if header else {})) == expected
