"""Turn a file or a page into a `Document`: decoded text with its headline, ready for the pipeline."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

MAX_BYTES = 10 * 1024 * 1024
MIN_ARTICLE_WORDS = 12  # below this, what trafilatura finds is navigation, not an article
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<p[ >])", re.IGNORECASE)


class DocumentError(Exception):
    """A file that cannot be turned into an article (empty, binary, too large, no article text)."""


@dataclass
class Document:
    """An article's text as the pipeline sees it: the headline, a blank line, then the body."""

    source: str
    id: str
    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode bytes: UTF-8, else the declared charset, else Windows-1252 or a detected one, else UTF-8 with U+FFFD."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared), warnings
        except (UnicodeDecodeError, LookupError):
            warnings.append(f"declared charset {declared!r} does not fit the bytes")
    lenient = data.decode("utf-8", errors="replace")
    if any(ord(c) > 127 and c != "\ufffd" for c in lenient):
        # real multi-byte UTF-8 next to a few broken bytes: UTF-8 it is
        warnings.append("invalid UTF-8 bytes were replaced with U+FFFD")
        return lenient, warnings
    try:
        return data.decode("cp1252"), warnings
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in data if b > 127)
    best = charset_normalizer.from_bytes(data).best() if high >= 8 and high > 0.01 * len(data) else None
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        try:
            return data.decode(best.encoding), warnings
        except UnicodeDecodeError:
            pass
    warnings.append("invalid UTF-8 bytes were replaced with U+FFFD")
    return lenient, warnings


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or mostly control characters."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.1


def split_headline(text: str) -> tuple[str | None, str]:
    """Return (headline, text): the first non-empty line is the headline."""
    for line in text.splitlines():
        if line.strip():
            return line.strip(), text
    return None, text


def from_text(text: str, source: str = "-", doc_id: str | None = None) -> Document:
    """A plain-text article: first non-empty line is the headline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError("the file is empty")
    title, text = split_headline(text)
    return Document(source=source, id=doc_id or stem(source), text=text, title=title)


def join_text(title: str | None, body: str) -> str:
    """An article's text: headline, blank line, body (a body opening with the headline does not repeat it)."""
    body = body.strip()
    if title:
        first, _, rest = body.partition("\n")
        if " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
            body = rest.strip()  # trafilatura keeps the page's <h1>; the headline is already on top
    return f"{title}\n\n{body}" if title else body


def from_html(html: str, source: str = "-", doc_id: str | None = None, url: str | None = None) -> Document:
    """An HTML page: trafilatura finds the main text and metadata."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
    )
    body = (getattr(extracted, "text", None) or "").strip() if extracted is not None else ""
    if len(body.split()) < MIN_ARTICLE_WORDS:
        raise DocumentError("no article text found in the HTML page")
    title = (getattr(extracted, "title", None) or "").strip() or None
    text = join_text(title, body)
    published = getattr(extracted, "date", None) or None
    return Document(source=source, id=doc_id or stem(source), text=text, title=title, published=published, url=url)


def too_large(size: int) -> str:
    """The message for a file over the size limit."""
    return f"the file is {size / 2**20:.1f} MB, over the {MAX_BYTES // 2**20} MB limit"


def stem(source: str) -> str:
    """The id of a document: its file name without the suffix (`-` for standard input)."""
    return "-" if source == "-" else Path(source).stem


def read_bytes(data: bytes, source: str, is_html: bool | None = None) -> Document:
    """Build a Document from raw bytes, refusing empty, binary and oversized input with a clear reason."""
    if not data.strip():
        raise DocumentError("the file is empty")
    if len(data) > MAX_BYTES:
        raise DocumentError(too_large(len(data)))
    if looks_binary(data):
        raise DocumentError("the file is binary, not text")
    text, warnings = decode_bytes(data)
    if is_html is None:
        is_html = bool(HTML_SNIFF.match(data[:512]))
    document = from_html(text, source) if is_html else from_text(text, source)
    document.warnings.extend(warnings)
    return document


def read_path(path: str) -> Document:
    """Read a `.txt` or `.html` file, or standard input for `-`."""
    if path == "-":
        return read_bytes(sys.stdin.buffer.read(), "-")
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(too_large(size))
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError("no such file") from exc
    except IsADirectoryError as exc:
        raise DocumentError("is a directory, not a file") from exc
    except PermissionError as exc:
        raise DocumentError("permission denied") from exc
    return read_bytes(data, path, is_html=p.suffix.lower() in HTML_SUFFIXES or None)
