"""Invented fixture sites for the crawler tests: article pages and feeds of every flavour, made up here."""

from __future__ import annotations

import json
from html import escape

SENTENCES = (
    "Traders on the invented Northwind exchange closed {n} leveraged positions before the weekly settlement.",
    "The made-up Larkspur index moved {n} points as volume on perpetual swaps rose through the afternoon.",
    "An analyst at the fictional Quarry Research desk said funding rates stayed positive for {n} hours.",
    "Open interest in the imaginary Pebble token futures reached {n} million dollars by the close.",
    "Market makers widened spreads by {n} basis points while order books thinned during the Asian session.",
    "A spokesperson for the pretend Harbour Custody firm said withdrawals normalised within {n} minutes.",
)


def paragraphs(slug: str, count: int = 4) -> list[str]:
    """A few invented paragraphs, different for every slug (so that content hashes differ)."""
    seed = sum(map(ord, slug))
    out = []
    for i in range(count):
        first = SENTENCES[(seed + i) % len(SENTENCES)].format(n=seed % 97 + i)
        second = SENTENCES[(seed + 2 * i + 1) % len(SENTENCES)].format(n=(seed * 7 + i) % 89 + 3)
        out.append(f"{first} {second} The report about {slug} adds detail number {i + 1}.")
    return out


def article_html(
    title: str,
    body: list[str],
    *,
    published: str | None = "2024-03-05T14:30:00+01:00",
    author: str | None = "Dana Example",
    canonical: str | None = None,
    charset: str | None = "utf-8",
    lang: str = "en",
    site_name: str = "Example Wire",
) -> str:
    """An article page with JSON-LD, Open Graph tags, navigation chrome and a main article body."""
    head = [f'<meta charset="{charset}">' if charset else "", f"<title>{escape(title)} | {site_name}</title>"]
    head.append(f'<meta property="og:title" content="{escape(title)}">')
    head.append(f'<meta property="og:site_name" content="{escape(site_name)}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{escape(canonical)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    ld_data: dict = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title}
    if published:
        ld_data["datePublished"] = published
    if author:
        ld_data["author"] = {"@type": "Person", "name": author}
    ld = json.dumps(ld_data)
    head.append(f'<script type="application/ld+json">{ld}</script>')
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head>{"".join(head)}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/about">About</a></li></ul></nav>
<main><article>
<h1>{escape(title)}</h1>
{paras}
</article></main>
<footer><p>Copyright Example Wire. All rights reserved.</p></footer>
</body></html>"""


def empty_page(title: str = "Markets overview") -> str:
    """A page with navigation and no article body."""
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> <a href="/markets">Markets</a></nav>
<footer>Example Wire</footer></body></html>"""


def rss2(items: list[dict], title: str = "Example Wire", link: str = "/") -> str:
    """An RSS 2.0 feed; each item has link, title and optionally description and pubDate."""
    parts = []
    for item in items:
        description = (
            f"<description>{escape(item['description'])}</description>" if "description" in item else ""
        )
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<pubDate>{item.get('pubDate', 'Tue, 05 Mar 2024 13:30:00 GMT')}</pubDate>{description}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{link}</link><language>en-gb</language>"
        f"{''.join(parts)}</channel></rss>"
    )


def atom(items: list[dict], title: str = "Example Atom") -> str:
    """An Atom 1.0 feed."""
    parts = "".join(
        f'<entry><title>{escape(i["title"])}</title><link rel="alternate" href="{escape(i["link"])}"/>'
        f"<id>urn:example:{escape(i['link'])}</id><updated>2024-03-06T08:00:00Z</updated>"
        f"<author><name>Sam Atom</name></author></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:example:feed</id><updated>2024-03-06T08:00:00Z</updated>"
        f"{parts}</feed>"
    )


def rss1(items: list[dict], title: str = "Example RDF") -> str:
    """An RSS 1.0 (RDF) feed."""
    seq = "".join(f'<rdf:li rdf:resource="{escape(i["link"])}"/>' for i in items)
    parts = "".join(
        f'<item rdf:about="{escape(i["link"])}"><title>{escape(i["title"])}</title>'
        f"<link>{escape(i['link'])}</link><dc:date>2024-03-07T09:15:00Z</dc:date></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="urn:example:rdf"><title>{escape(title)}</title><link>/</link>'
        f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{parts}</rdf:RDF>"
    )
