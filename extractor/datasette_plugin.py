"""Datasette plugin: SQL functions the canned queries use (registered through an entry point)."""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from extractor.people import fold


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Add `extractor_fold(text)`: lower-case ASCII words, so searches ignore casing and accents."""
    conn.create_function("extractor_fold", 1, fold, deterministic=True)
