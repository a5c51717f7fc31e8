"""`extractor extract`: run the pipeline over stored articles and store their facts.

Articles not yet extracted with the current pipeline version (code version + hash of `patterns/`)
are analysed in batches, in worker processes when asked; the parent process alone writes. Each
article's old facts are replaced by its new ones in one transaction, so an interrupted run leaves
every article either fully old or fully new, and a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from extractor import __version__
from extractor.dates import resolve_event_date
from extractor.patterns import patterns_hash
from extractor.people import display_score, org_key, resolve_speakers, same_person, split_name
from extractor.schema import FACT_TABLES, TABLES, connect

Analyse = Callable[[list[tuple[str, str | None]]], list[dict]]
Progress = Callable[[int, int], None]

BATCH_SIZE = 32
LOCK_ATTEMPTS = 5
# Failures of one article's facts (malformed values from the analyser): reported, the run goes on.
STORE_ERRORS = (sqlite3.Error, TypeError, ValueError, KeyError, AttributeError)
FACT_KEYS = {
    "liquidations": "liquidations",
    "price_moves": "price_moves",
    "exchange_mentions": "exchanges",
    "provider_mentions": "providers",
    "quotes": "quotes",
}


class ExtractError(Exception):
    """A run that cannot go on (a database locked by another writer, a bad path)."""


@dataclass
class ExtractSummary:
    """What one `extract` run did."""

    run_id: int | None
    pipeline_version: str
    articles: int = 0
    up_to_date: int = 0
    facts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_TABLES, 0))
    errors: list[str] = field(default_factory=list)


class PipelineAnalyser:
    """The real NLP pipeline as an `Analyse` callable, built on first use in each process."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model
        self._nlp = None

    def __getstate__(self) -> dict:
        return {"model": self.model, "_nlp": None}

    def __call__(self, items: list[tuple[str, str | None]]) -> list[dict]:
        """Facts for each (text, published) pair, in order."""
        from extractor.nlp.pipeline import analyse_texts, build_pipeline

        if self._nlp is None:
            self._nlp = build_pipeline(model=self.model)
        return list(analyse_texts(self._nlp, items, batch_size=max(1, len(items))))


def pipeline_version() -> str:
    """The version stamped on extracted facts: code version plus the hash of `patterns/`."""
    return f"{__version__}+{patterns_hash()}"


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# --- analysis (runs in worker processes) -------------------------------------------------------

_WORKER_ANALYSE: Analyse | None = None


def _init_worker(analyse: Analyse) -> None:
    global _WORKER_ANALYSE
    _WORKER_ANALYSE = analyse


def _analyse_in_worker(batch: list[dict]) -> list[tuple[dict, dict | None, str | None]]:
    assert _WORKER_ANALYSE is not None
    return analyse_batch(_WORKER_ANALYSE, batch)


def analyse_batch(analyse: Analyse, batch: list[dict]) -> list[tuple[dict, dict | None, str | None]]:
    """Analyse article rows; on a failing batch, retry one by one so one bad article spoils nothing."""
    results: list[tuple[dict, dict | None, str | None]] = []
    todo = [a for a in batch if (a.get("text") or "").strip()]
    facts_by_id: dict[int, dict] = {}
    errors_by_id: dict[int, str] = {}
    try:
        found = analyse([(a["text"], a.get("published_at")) for a in todo]) if todo else []
        if len(found) != len(todo):
            raise ValueError(f"analyser returned {len(found)} results for {len(todo)} texts")
        facts_by_id = {a["id"]: f for a, f in zip(todo, found, strict=True)}
    except Exception:
        for article in todo:
            try:
                facts_by_id[article["id"]] = analyse([(article["text"], article.get("published_at"))])[0]
            except Exception as exc:  # noqa: BLE001 - any failure of one article is reported, not fatal
                errors_by_id[article["id"]] = f"{type(exc).__name__}: {exc}"
    for article in batch:
        meta = {k: v for k, v in article.items() if k != "text"}
        if article["id"] in errors_by_id:
            results.append((meta, None, errors_by_id[article["id"]]))
        else:
            results.append((meta, facts_by_id.get(article["id"], {}), None))
    return results


# --- reading --------------------------------------------------------------------------------------

def pending_articles(db: sqlite_utils.Database, version: str, everything: bool = False) -> list[int]:
    """Ids of articles whose facts are missing, stale (older version) or of an older text."""
    sql = """
        SELECT a.id FROM articles a LEFT JOIN extractions e ON e.article_id = a.id
        WHERE :all OR e.article_id IS NULL OR e.pipeline_version IS NOT :version
           OR e.content_hash IS NOT a.content_hash
        ORDER BY a.id
    """
    return [row[0] for row in db.execute(sql, {"all": int(everything), "version": version}).fetchall()]


def _read_batches(path: Path, ids: Sequence[int], batch_size: int) -> Iterator[list[dict]]:
    # Its own connection: with workers this generator is consumed by the pool's feeder thread.
    conn = sqlite3.connect(str(path), timeout=30.0)
    conn.row_factory = sqlite3.Row
    try:
        for i in range(0, len(ids), batch_size):
            chunk = list(ids[i : i + batch_size])
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT id, text, published_at, outlet, content_hash FROM articles WHERE id IN ({marks})",
                chunk,
            ).fetchall()
            by_id = {row["id"]: dict(row) for row in rows}
            yield [by_id[i] for i in chunk if i in by_id]
    finally:
        conn.close()


# --- writing --------------------------------------------------------------------------------------

def _columns(table: str) -> list[str]:
    return [c for c in TABLES[table]["columns"] if c != "id"]


def _pick(fact: dict, *keys: str) -> dict:
    return {k: fact.get(k) for k in keys}


def fact_rows(article: dict, facts: dict, run_id: int) -> dict[str, list[dict]]:
    """Turn one article's fact dictionary (SCHEMA.md keys) into rows for each fact table."""
    base = {"article_id": article["id"], "run_id": run_id, "outlet": article.get("outlet"),
            "published_at": article.get("published_at")}
    published = article.get("published_at")
    rows: dict[str, list[dict]] = {t: [] for t in FACT_TABLES}
    for fact in facts.get("liquidations") or []:
        row = base | _pick(fact, "amount_usd", "side", "exchange", "asset", "text", "sentence", "start",
                           "end", "time_phrase")
        row["event_date"] = fact.get("event_date") or resolve_event_date(published, fact.get("time_phrase"))
        rows["liquidations"].append(row)
    for fact in facts.get("price_moves") or []:
        row = base | _pick(fact, "asset", "direction", "pct", "from_usd", "to_usd", "change_usd", "text",
                           "sentence", "start", "end", "time_phrase")
        figures = fact.get("figures") or []
        row["price_usd"] = fact.get("to_usd")
        if row["price_usd"] is None and figures:
            row["price_usd"] = figures[0].get("value_usd")
        row["figures"] = json.dumps(figures, ensure_ascii=False) if figures else None
        row["event_date"] = fact.get("event_date") or resolve_event_date(published, fact.get("time_phrase"))
        rows["price_moves"].append(row)
    for table, key, name_column in (("exchange_mentions", "exchanges", "exchange"),
                                    ("provider_mentions", "providers", "provider")):
        for fact in facts.get(key) or []:
            fact = {"name": fact, "mentions": None} if isinstance(fact, str) else fact
            row = base | _pick(fact, "mentions", "text", "sentence", "start", "end")
            row[name_column] = fact.get("name")
            rows[table].append(row)
    for fact in facts.get("quotes") or []:
        quote = _pick(fact, "speaker", "title", "org", "text", "sentence", "start", "end")
        rows["quotes"].append(base | quote)
    return rows


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = _columns(table)
    names = ", ".join(f"[{c}]" for c in columns)
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"
    conn.executemany(sql, [[row.get(c) for c in columns] for row in rows])


def _find_person(conn: sqlite3.Connection, name: str) -> int | None:
    parts = split_name(name)
    if parts is None:
        return None
    candidates = conn.execute("SELECT id, name FROM people WHERE name_key = ? ORDER BY id", [parts.key])
    for person_id, known in candidates.fetchall():
        known_parts = split_name(known)
        if parts.is_surname_only and known_parts is not None and known_parts.is_surname_only:
            return person_id
        if same_person(name, known):
            if display_score(name) > display_score(known):
                conn.execute("UPDATE people SET name = ? WHERE id = ?", [name, person_id])
            return person_id
    cursor = conn.execute(
        "INSERT INTO people (name, name_key, quote_count) VALUES (?, ?, 0)", [name.strip(), parts.key]
    )
    return cursor.lastrowid


def _find_organization(conn: sqlite3.Connection, name: str | None, renamed: set[int]) -> int | None:
    key = org_key(name)
    if not key:
        return None
    name = name.strip()
    row = conn.execute("SELECT id, name FROM organizations WHERE name_key = ?", [key]).fetchone()
    if row:
        if display_score(name) > display_score(row[1]):
            conn.execute("UPDATE organizations SET name = ? WHERE id = ?", [name, row[0]])
            renamed.add(row[0])
        return row[0]
    cursor = conn.execute("INSERT INTO organizations (name, name_key, quote_count) VALUES (?, ?, 0)", [name, key])
    return cursor.lastrowid


# A person's quotes with the organisation by its merged name ("Swissquote" -> "Swissquote Bank").
_PERSON_QUOTES = """
    SELECT q.id, q.title, coalesce(o.name, q.org) AS org, q.published_at FROM quotes q
    LEFT JOIN organizations o ON o.id = q.organization_id WHERE q.person_id = :id
"""
REFRESH_PERSON = f"""
    UPDATE people SET
      quote_count = (SELECT count(*) FROM quotes WHERE person_id = :id),
      first_quoted_at = (SELECT min(published_at) FROM quotes WHERE person_id = :id),
      last_quoted_at = (SELECT max(published_at) FROM quotes WHERE person_id = :id),
      latest_title = (SELECT title FROM ({_PERSON_QUOTES}) WHERE title IS NOT NULL
                      ORDER BY published_at DESC, id DESC LIMIT 1),
      latest_org = (SELECT org FROM ({_PERSON_QUOTES}) WHERE org IS NOT NULL
                    ORDER BY published_at DESC, id DESC LIMIT 1),
      roles = (SELECT json_group_array(json_object('title', title, 'org', org, 'first_seen', first_seen,
                                                   'last_seen', last_seen, 'quotes', quotes))
               FROM (SELECT title, org, min(published_at) AS first_seen, max(published_at) AS last_seen,
                            count(*) AS quotes
                     FROM ({_PERSON_QUOTES}) WHERE title IS NOT NULL OR org IS NOT NULL
                     GROUP BY title, org ORDER BY first_seen, title, org))
    WHERE id = :id
"""
REFRESH_ORGANIZATION = """
    UPDATE organizations SET
      quote_count = (SELECT count(*) FROM quotes WHERE organization_id = :id),
      people_count = (SELECT count(DISTINCT person_id) FROM quotes WHERE organization_id = :id),
      first_quoted_at = (SELECT min(published_at) FROM quotes WHERE organization_id = :id),
      last_quoted_at = (SELECT max(published_at) FROM quotes WHERE organization_id = :id)
    WHERE id = :id
"""


def _refresh_people(conn: sqlite3.Connection, person_ids: set[int]) -> None:
    for person_id in person_ids:
        conn.execute(REFRESH_PERSON, {"id": person_id})
        conn.execute("DELETE FROM people WHERE id = ? AND quote_count = 0", [person_id])


def _refresh_organizations(conn: sqlite3.Connection, org_ids: set[int]) -> None:
    for org_id in org_ids:
        conn.execute(REFRESH_ORGANIZATION, {"id": org_id})
        conn.execute("DELETE FROM organizations WHERE id = ? AND quote_count = 0", [org_id])


def replace_facts(
    db: sqlite_utils.Database, article: dict, facts: dict, run_id: int, version: str
) -> dict[str, int]:
    """Replace one article's facts with new ones in a single transaction; returns rows per table."""
    conn = db.conn
    rows = fact_rows(article, facts, run_id)
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = conn.execute(
            "SELECT person_id, organization_id FROM quotes WHERE article_id = ?", [article["id"]]
        ).fetchall()
        people = {p for p, _ in old if p is not None}
        orgs = {o for _, o in old if o is not None}
        for table in FACT_TABLES:
            conn.execute(f"DELETE FROM [{table}] WHERE article_id = ?", [article["id"]])
        speakers = resolve_speakers((q.get("speaker") or "").strip() for q in rows["quotes"])
        renamed: set[int] = set()
        for quote in rows["quotes"]:
            speaker = (quote.get("speaker") or "").strip()
            quote["person_id"] = _find_person(conn, speakers[speaker]) if speaker else None
            quote["organization_id"] = _find_organization(conn, quote.get("org"), renamed)
            people.add(quote["person_id"])
            orgs.add(quote["organization_id"])
        for table, table_rows in rows.items():
            _insert(conn, table, table_rows)
        orgs.discard(None)
        _refresh_organizations(conn, orgs)
        if renamed:
            # People's roles name their organisation: refresh everyone quoted for a renamed one.
            marks = ",".join("?" * len(renamed))
            people.update(p for (p,) in conn.execute(
                f"SELECT DISTINCT person_id FROM quotes WHERE organization_id IN ({marks})", list(renamed)
            ))
        people.discard(None)
        _refresh_people(conn, people)
        conn.execute(
            "INSERT OR REPLACE INTO extractions (article_id, run_id, pipeline_version, content_hash, "
            "extracted_at, facts, error) VALUES (?, ?, ?, ?, ?, ?, NULL)",
            [article["id"], run_id, version, article.get("content_hash"), now(),
             sum(len(r) for r in rows.values())],
        )
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return {table: len(table_rows) for table, table_rows in rows.items()}


def record_error(db: sqlite_utils.Database, article: dict, run_id: int, error: str) -> None:
    """Note a failed article; its old facts stay, and the next run tries it again."""
    with db.conn:
        db.conn.execute(
            "INSERT INTO extractions (article_id, run_id, pipeline_version, content_hash, extracted_at, "
            "error) VALUES (?, ?, NULL, NULL, ?, ?) ON CONFLICT(article_id) DO UPDATE SET "
            "run_id = excluded.run_id, pipeline_version = NULL, extracted_at = excluded.extracted_at, "
            "error = excluded.error",
            [article["id"], run_id, now(), error],
        )


def retry_locked(action: Callable[[], object], path: Path, attempts: int = LOCK_ATTEMPTS, pause: float = 0.1):
    """Run a database action, retrying while another writer holds the lock; then fail clearly."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if attempt == attempts:
                raise ExtractError(
                    f"database {path} is locked by another writer; gave up after {attempts} tries"
                ) from exc
            time.sleep(pause * attempt)
    return None


# --- the run --------------------------------------------------------------------------------------

def _start_run(db: sqlite_utils.Database, version: str, model: str | None, workers: int) -> int:
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO runs (started_at, status, pipeline_version, code_version, patterns_hash, model, "
            "workers, articles, errors) VALUES (?, 'running', ?, ?, ?, ?, ?, 0, 0)",
            [now(), version, __version__, patterns_hash(), model, workers],
        )
    return cursor.lastrowid


def _finish_run(db: sqlite_utils.Database, summary: ExtractSummary, status: str) -> None:
    with db.conn:
        db.conn.execute(
            "UPDATE runs SET finished_at = ?, status = ?, articles = ?, liquidations = ?, price_moves = ?, "
            "exchange_mentions = ?, quotes = ?, provider_mentions = ?, errors = ? WHERE id = ?",
            [now(), status, summary.articles, *(summary.facts[t] for t in
             ("liquidations", "price_moves", "exchange_mentions", "quotes", "provider_mentions")),
             len(summary.errors), summary.run_id],
        )


def _analysed(analyse: Analyse, path: Path, ids: list[int], workers: int, batch_size: int) -> Iterator[tuple]:
    if workers <= 1:
        for batch in _read_batches(path, ids, batch_size):
            yield from analyse_batch(analyse, batch)
        return
    # The pool reads its whole input ahead, so feed it a window of articles at a time.
    window = batch_size * workers * 8
    with multiprocessing.Pool(workers, initializer=_init_worker, initargs=(analyse,)) as pool:
        for i in range(0, len(ids), window):
            for results in pool.imap(_analyse_in_worker, _read_batches(path, ids[i : i + window], batch_size)):
                yield from results


def run_extract(
    db_path: str | Path,
    workers: int = 1,
    all: bool = False,  # noqa: A002 - mirrors the --all option
    progress: Progress | None = None,
    analyse: Analyse | None = None,
    model: str | None = None,
    batch_size: int = BATCH_SIZE,
    lock_timeout: float = 30.0,
) -> ExtractSummary:
    """Extract facts from every article not yet done with this pipeline version; return a summary."""
    path = Path(db_path)
    if workers < 1:
        raise ExtractError(f"--workers must be at least 1, not {workers}")
    db = retry_locked(lambda: connect(path, timeout=lock_timeout), path)
    try:
        # WAL with synchronous=NORMAL: each commit stays atomic, without an fsync per article.
        db.execute("PRAGMA synchronous = NORMAL")
        version = pipeline_version()
        total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        ids = pending_articles(db, version, everything=all)
        summary = ExtractSummary(run_id=None, pipeline_version=version, up_to_date=total - len(ids))
        if not ids:
            return summary
        summary.run_id = retry_locked(lambda: _start_run(db, version, model, workers), path)
        analyse = analyse or PipelineAnalyser(model)
        status = "interrupted"
        try:
            analysed = _analysed(analyse, path, ids, workers, batch_size)
            for done, (article, facts, error) in enumerate(analysed, 1):
                if error is None:
                    try:
                        counts = retry_locked(
                            lambda a=article, f=facts: replace_facts(db, a, f, summary.run_id, version), path
                        )
                    except STORE_ERRORS as exc:
                        error = f"could not store its facts: {type(exc).__name__}: {exc}"
                if error is not None:
                    summary.errors.append(f"article {article['id']}: {error}")
                    retry_locked(lambda a=article, e=error: record_error(db, a, summary.run_id, e), path)
                else:
                    summary.articles += 1
                    for table, n in counts.items():
                        summary.facts[table] += n
                if progress:
                    progress(done, len(ids))
            status = "done"
        finally:
            retry_locked(lambda: _finish_run(db, summary, status), path)
        return summary
    finally:
        db.conn.close()
