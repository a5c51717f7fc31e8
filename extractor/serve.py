"""`extractor serve`: browse the database with Datasette, read-only, with our metadata and charts."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import yaml
from datasette.app import Datasette

from extractor import datasette_plugin
from extractor.patterns import PACKAGE_DIR
from extractor.schema import connect

# The database name used in db/metadata.yml; replaced by the served file's name.
METADATA_DB_NAME = "news"


class ServeError(Exception):
    """A database that cannot be served."""


def metadata_path() -> Path:
    """db/metadata.yml of the source tree, else the copy packaged with the wheel."""
    source_tree = PACKAGE_DIR.parent / "db" / "metadata.yml"
    return source_tree if source_tree.is_file() else PACKAGE_DIR / "_metadata.yml"


def load_metadata(db_name: str, path: str | Path | None = None) -> dict:
    """Read the metadata file and point its database entries and charts at `db_name`."""
    with Path(path or metadata_path()).open(encoding="utf-8") as fh:
        metadata = yaml.safe_load(fh)
    metadata = copy.deepcopy(metadata)
    databases = metadata.get("databases", {})
    if METADATA_DB_NAME in databases and db_name != METADATA_DB_NAME:
        databases[db_name] = databases.pop(METADATA_DB_NAME)
    dashboards = metadata.get("plugins", {}).get("datasette-dashboards", {})
    for dashboard in dashboards.values():
        for chart in dashboard.get("charts", {}).values():
            if chart.get("db") == METADATA_DB_NAME:
                chart["db"] = db_name
    return metadata


def prepare_database(db_path: str | Path) -> Path:
    """Create (with its folder) or migrate the database when writable; leave a read-only file alone."""
    path = Path(db_path)
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) if path.exists() else True
    if path.is_dir():
        raise ServeError(f"{path} is a folder, not a database file")
    if writable:
        # Migrates an older file and, on closing, folds the write-ahead log into the file, which an
        # immutable open would otherwise not see.
        connect(path).conn.close()
    elif Path(f"{path}-wal").exists() and Path(f"{path}-wal").stat().st_size:
        raise ServeError(f"{path} is read-only and has unmerged changes in {path}-wal; "
                         "run any extractor command on a writable copy first")
    return path


def build_datasette(db_path: str | Path, metadata: str | Path | None = None) -> Datasette:
    """A Datasette serving the database immutable (read-only) with our metadata, queries and charts."""
    path = prepare_database(db_path)
    from datasette.plugins import pm

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="extractor")
    return Datasette(
        immutables=[str(path)],
        metadata=load_metadata(path.stem, metadata),
        settings={"default_page_size": 50, "sql_time_limit_ms": 3000},
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Start Datasette on the database and serve until interrupted."""
    import uvicorn

    datasette = build_datasette(db_path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")
