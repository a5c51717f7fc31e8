"""Turn a file or a page into a `Document`: decoded text with its headline, ready for the pipeline."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

MAX_BYTES = 10 * 1024 * 1024
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
    """Decode bytes as UTF-8, else the declared or detected charset, else UTF-8 with replacement characters."""
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
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        encoding = "cp1252" if best.encoding in ("latin_1", "iso8859_15") else best.encoding
        try:
            return data.decode(encoding), warnings
        except UnicodeDecodeError:
            pass
    warnings.append("invalid UTF-8 bytes were replaced with U+FFFD")
    return data.decode("utf-8", errors="replace"), warnings


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


def from_html(html: str, source: str = "-", doc_id: str | None = None, url: str | None = None) -> Document:
    """An HTML page: trafilatura finds the main text and metadata."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
    )
    body = (getattr(extracted, "text", None) or "").strip() if extracted is not None else ""
    if not body:
        raise DocumentError("no article text found in the HTML page")
    title = (getattr(extracted, "title", None) or "").strip() or None
    text = f"{title}\n\n{body}" if title else body
    published = getattr(extracted, "date", None) or None
    return Document(source=source, id=doc_id or stem(source), text=text, title=title, published=published, url=url)


def stem(source: str) -> str:
    """The id of a document: its file name without the suffix (`-` for standard input)."""
    return "-" if source == "-" else Path(source).stem


def read_bytes(data: bytes, source: str, is_html: bool | None = None) -> Document:
    """Build a Document from raw bytes, refusing empty, binary and oversized input with a clear reason."""
    if not data.strip():
        raise DocumentError("the file is empty")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"the file is {len(data) / 1e6:.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
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
            raise DocumentError(f"the file is {size / 1e6:.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError("no such file") from exc
    except IsADirectoryError as exc:
        raise DocumentError("is a directory, not a file") from exc
    except PermissionError as exc:
        raise DocumentError("permission denied") from exc
    return read_bytes(data, path, is_html=p.suffix.lower() in HTML_SUFFIXES or None)
