"""Serve the bundled sample news site over HTTP on 127.0.0.1, in a background thread.

The pages and feeds carry absolute links to the placeholder origin `build_site.ORIGIN`; the server
replaces it with its own address, so the crawler follows real links to this server.
"""

from __future__ import annotations

import errno
import hashlib
import socket
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from extractor.demo.build_site import ORIGIN, SITE_DIR

PORT_ATTEMPTS = 50
TEXT_TYPES = ("text/", "application/rss+xml", "application/atom+xml", "application/xml")


class PortUnavailable(OSError):
    """No free port could be bound near the one asked for."""


@dataclass
class Request:
    """One request the site server answered."""

    method: str
    path: str
    status: int


def content_type(path: Path) -> str:
    """The Content-Type the site serves a file with."""
    name = path.name
    if name == "atom.xml":
        return "application/atom+xml; charset=utf-8"
    if name.endswith(".xml"):
        return "application/rss+xml; charset=utf-8"
    if name.endswith(".txt"):
        return "text/plain; charset=utf-8"
    if name.endswith(".csv"):
        return "text/csv; charset=utf-8"
    return "text/html; charset=utf-8"


def bind_server(host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Bind `port` on `host`, or the next free one above it (port 0 lets the system choose)."""
    last_error: OSError | None = None
    candidates = [0] if port == 0 else range(port, port + PORT_ATTEMPTS)
    for candidate in candidates:
        try:
            return ThreadingHTTPServer((host, candidate), handler)
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            last_error = exc
    last = port + PORT_ATTEMPTS - 1
    raise PortUnavailable(f"no free port on {host} between {port} and {last}: {last_error}")


def free_port(host: str = "127.0.0.1", port: int = 0) -> int:
    """The first port at or above `port` that can be bound on `host` now (any free port for 0)."""
    candidates = [0] if port == 0 else range(port, port + PORT_ATTEMPTS)
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers themselves bind
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise PortUnavailable(f"no free port on {host} between {port} and {port + PORT_ATTEMPTS - 1}")


@dataclass
class SiteServer:
    """The sample site served from `root` on `host`; `start()` binds and serves in a daemon thread."""

    root: Path = SITE_DIR
    host: str = "127.0.0.1"
    port: int = 0
    requested_port: int = 0
    requests: list[Request] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        """The base URL the site is reachable at, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def moved(self) -> bool:
        """True when the requested port was busy and another one was taken."""
        return self.requested_port not in (0, self.port)

    def url(self, path: str) -> str:
        """The absolute URL of a site path such as `/robots.txt`."""
        return self.origin + path

    def start(self) -> SiteServer:
        """Bind a port (the requested one or the next free one) and serve until `stop()`."""
        self.requested_port = self.port
        handler = type("SiteHandler", (SiteHandler,), {"site": self})
        self._httpd = bind_server(self.host, self.port, handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SiteHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the site folder, with ETag/Last-Modified and 304s."""

    site: SiteServer
    server_version = "extractor-demo-site/1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        """Serve a file."""
        self.respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Serve a file's headers."""
        self.respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: requests are recorded in `site.requests` instead."""

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL path names, or None when there is none (nothing outside the root)."""
        root = self.site.root.resolve()
        target = (root / unquote(url_path).lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None
        if target.is_dir():
            for index in ("index.html", "index.xml"):
                if (target / index).is_file():
                    return target / index
            return None
        return target if target.is_file() else None

    def respond(self, send_body: bool) -> None:
        """Find, rewrite and send the file, honouring conditional requests."""
        url_path = urlsplit(self.path).path or "/"
        target = self.resolve(url_path)
        if target is not None and target.name.startswith("index.") and not url_path.endswith("/"):
            self.finish_with(HTTPStatus.MOVED_PERMANENTLY, send_body, location=self.site.url(url_path + "/"))
            return
        if target is None:
            self.finish_with(HTTPStatus.NOT_FOUND, send_body, body=b"not found\n")
            return
        ctype = content_type(target)
        body = target.read_bytes()
        if ctype.startswith(TEXT_TYPES):
            body = body.replace(ORIGIN.encode(), self.site.origin.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        mtime = target.stat().st_mtime
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}
        if self.not_modified(etag, mtime):
            self.finish_with(HTTPStatus.NOT_MODIFIED, send_body, headers=headers)
            return
        self.finish_with(HTTPStatus.OK, send_body, body=body, ctype=ctype, headers=headers)

    def not_modified(self, etag: str, mtime: float) -> bool:
        """True when the client's ETag or date says it already has this version."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return int(mtime) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def finish_with(
        self,
        status: HTTPStatus,
        send_body: bool,
        body: bytes = b"",
        ctype: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        location: str | None = None,
    ) -> None:
        """Send status, headers and (for GET) the body; record the request."""
        self.site.requests.append(Request(self.command, urlsplit(self.path).path, int(status)))
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if location:
            self.send_header("Location", location)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)
