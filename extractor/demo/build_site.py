"""Render the sample news site (pages, feeds, robots.txt, index) from `articles.yaml` and the templates.

Run `python -m extractor.demo.build_site` after editing the articles or templates; the output in site/ is
committed. Links to follow use the placeholder origin `ORIGIN`, which the demo server replaces with its own
address; canonical URLs use `CANONICAL`, left as it is, so that an article keeps one identity whichever port
the site was served on.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import jinja2
import yaml

DEMO_DIR = Path(__file__).resolve().parent
ARTICLES_FILE = DEMO_DIR / "articles.yaml"
TEMPLATES_DIR = DEMO_DIR / "templates"
SITE_DIR = DEMO_DIR / "site"
DATA_DIR = SITE_DIR / "data"
ORIGIN = "http://site.placeholder.invalid"
CANONICAL = "https://sample-news.invalid"
TEMPLATE_FOR_KIND = {
    "wordpress": "wordpress.html", "jsonld": "jsonld.html", "amp": "amp.html", "split": "split.html"
}
GENERATED = ("index.html", "robots.txt", "ledgerline", "chainbrief", "blockside")
OPEN_QUOTE = re.compile(r'(^|[\s(\[])"')


def load_articles(path: Path = ARTICLES_FILE) -> dict:
    """Read the articles file: cast, outlets, robots rule and the articles."""
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def typographic(text: str) -> str:
    """Curly quotes and apostrophes, as WordPress's texturizer prints them."""
    text = OPEN_QUOTE.sub(lambda m: m.group(1) + "\u201c", text)
    return text.replace('"', "\u201d").replace("'", "\u2019")


def slug(name: str) -> str:
    """A URL slug for a person's name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def jsonld(article: dict, outlet: dict) -> str:
    """The NewsArticle JSON-LD block of a Chainbrief page, safe inside a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "description": article["summary"],
        "datePublished": article["published_iso"],
        "dateModified": article["published_iso"],
        "author": [{"@type": "Person", "name": article["author"],
                    "url": f"{CANONICAL}/chainbrief/authors/{article['author_slug']}"}],
        "publisher": {"@type": "Organization", "name": outlet["name"],
                      "logo": {"@type": "ImageObject", "url": f"{CANONICAL}/chainbrief/img/logo.png"}},
        "mainEntityOfPage": {"@type": "WebPage", "@id": article["canonical"]},
        "articleSection": "Markets",
        "keywords": article["tags"],
        "inLanguage": "en",
    }
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def enrich(data: dict) -> list[dict]:
    """Add URLs, formatted dates, ids and neighbours to every article, sorted by publication time."""
    articles = sorted(data["articles"], key=lambda a: a["published"])
    for index, article in enumerate(articles):
        published = datetime.fromisoformat(article["published"].replace("Z", "+00:00"))
        outlet = data["outlets"][article["outlet"]]
        article.update(
            index=index,
            url=ORIGIN + article["path"],
            canonical=CANONICAL + article["path"],
            published_iso=published.isoformat(),
            published_rfc822=format_datetime(published),
            date_human=f"{published:%B} {published.day}, {published.year}",
            author_slug=slug(article["author"]),
            outlet_name=outlet["name"],
            post_id=4100 + 7 * index,
        )
        article["title_typo"] = typographic(article["title"])
        article["paragraphs_typo"] = [typographic(p) for p in article["paragraphs"]]
        article["guid"] = {
            "ledgerline": f"{ORIGIN}/ledgerline/?p={article['post_id']}",
            "chainbrief": f"tag:chainbrief.sample,2024:{article['id']}",
        }.get(article["outlet"], article["canonical"])
        if article["kind"] in ("jsonld", "amp"):
            article["jsonld"] = jsonld(article, outlet)
    for outlet in data["outlets"]:
        own = [a for a in articles if a["outlet"] == outlet]
        for i, article in enumerate(own):
            article["prev"] = own[i - 1] if i > 0 else None
            article["next"] = own[i + 1] if i + 1 < len(own) else None
    return articles


def page_file(path: str) -> Path:
    """The file under site/ that serves a URL path (`/a/b/` is `a/b/index.html`)."""
    rel = path.lstrip("/")
    return Path(rel + "index.html") if rel.endswith("/") or not rel else Path(rel)


def render_site(out_dir: Path, articles_file: Path = ARTICLES_FILE) -> list[Path]:
    """Write every page, feed, robots.txt and the index under `out_dir`; return the files written."""
    data = load_articles(articles_file)
    articles = enrich(data)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    written: list[Path] = []

    def write(rel: Path, text: str) -> None:
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(rel)

    for article in articles:
        own = [a for a in articles if a["outlet"] == article["outlet"] and a is not article]
        newest = sorted(own, key=lambda a: a["published"], reverse=True)
        others = [a for a in articles if a["outlet"] != article["outlet"]][-5:]
        related = [a for a in own if a["published"] < article["published"]][-3:] or newest[:3]
        template = env.get_template(TEMPLATE_FOR_KIND[article["kind"]])
        recent = others if article["kind"] == "jsonld" else newest[:5]
        page = template.render(a=article, origin=ORIGIN, recent=recent, related=related)
        write(page_file(article["path"]), page)

    feeds = []
    for key, outlet in data["outlets"].items():
        items = sorted((a for a in articles if a["outlet"] == key), key=lambda a: a["published"])[::-1]
        updated = datetime.fromisoformat(items[0]["published_iso"])
        feed = {
            "title": outlet["name"],
            "description": outlet["description"],
            "url": ORIGIN + outlet["feed"]["path"],
            "home": ORIGIN + outlet["home"],
            "id": f"tag:{key}.sample,2024:feed",
            "updated_iso": updated.isoformat(),
            "updated_rfc822": format_datetime(updated),
            "format": outlet["feed"]["format"],
            "type": "application/atom+xml" if outlet["feed"]["format"] == "Atom" else "application/rss+xml",
        }
        template = env.get_template("atom.xml" if feed["format"] == "Atom" else "rss.xml")
        write(Path(outlet["feed"]["file"]), template.render(feed=feed, items=items))
        feeds.append(feed)

    blocked = next(a for a in articles if a["id"] == data["robots_disallowed"])
    write(
        Path("robots.txt"),
        "# The extractor demo site. One members-only page is kept out of crawlers' reach.\n"
        f"User-agent: *\nDisallow: {blocked['path']}\n",
    )
    candle_files = sorted(p.name for p in DATA_DIR.glob("*.csv"))
    index = env.get_template("index.html")
    listing = index.render(feeds=feeds, articles=articles, origin=ORIGIN, candle_files=candle_files)
    write(Path("index.html"), listing)
    return written


def main() -> None:
    """Regenerate the committed site (the candle files in site/data are left alone)."""
    for name in GENERATED:
        target = SITE_DIR / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    written = render_site(SITE_DIR)
    print(f"wrote {len(written)} files under {SITE_DIR}")


if __name__ == "__main__":
    main()
