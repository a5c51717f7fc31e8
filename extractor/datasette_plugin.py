"""Datasette plugin (registered through an entry point): the SQL function the canned queries use,
and, when the metadata asks for it, a guard that refuses every request that could write."""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from extractor.people import fold

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSAL = b"This Datasette is read-only: only GET, HEAD and OPTIONS requests are served.\n"


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Add `extractor_fold(text)`: lower-case ASCII words, so searches ignore casing and accents."""
    conn.create_function("extractor_fold", 1, fold, deterministic=True)


def refuse_writes(app):
    """Wrap an ASGI app so that POST, PUT, PATCH and DELETE get 405 and never reach Datasette."""

    async def read_only_app(scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            await send({"type": "http.response.start", "status": 405, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS")]})
            await send({"type": "http.response.body", "body": REFUSAL})
            return
        await app(scope, receive, send)

    return read_only_app


@hookimpl
def asgi_wrapper(datasette):
    """Refuse writing methods when the metadata sets `plugins: extractor: read_only: true`."""
    config = datasette.plugin_config("extractor") or {}
    return refuse_writes if config.get("read_only") else (lambda app: app)
