"""The fact tables in schema.py: creation, migration of an older file, full-text search triggers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from extractor.schema import FACT_TABLES, TABLES, connect


def test_every_fact_table_ties_rows_to_article_run_sentence_and_offsets(db_path: Path) -> None:
    db = connect(db_path)
    for table in FACT_TABLES:
        columns = db[table].columns_dict
        assert {"article_id", "run_id", "sentence", "start", "end", "text"} <= set(columns), table
        assert {fk.other_table for fk in db[table].foreign_keys} >= {"articles", "runs"}
    assert db["liquidations"].columns_dict["amount_usd"] is float
    assert {"price_usd", "from_usd", "to_usd", "pct"} <= set(db["price_moves"].columns_dict)
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.conn.close()


def test_a_fact_for_a_missing_article_is_refused(db_path: Path) -> None:
    db = connect(db_path)
    try:
        db.execute("insert into quotes (article_id, text) values (99, 'words')")
    except sqlite3.IntegrityError as exc:
        assert "FOREIGN KEY" in str(exc)
    else:
        raise AssertionError("foreign key not enforced")
    finally:
        db.conn.close()


def test_an_older_database_is_migrated_in_place(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(
        """
        create table articles (id integer primary key, url text not null unique, title text, text text);
        insert into articles values (1, 'https://old.example/a', 'Old headline', 'Old body about leverage.');
        create table quotes (id integer primary key, article_id integer, speaker text, text text);
        insert into quotes values (1, 1, 'Ada Novak', 'Leverage is back.');
        """
    )
    conn.commit()
    conn.close()
    db = connect(db_path)
    assert set(TABLES) <= set(db.table_names())
    assert set(TABLES["quotes"]["columns"]) <= set(db["quotes"].columns_dict)
    assert set(TABLES["articles"]["columns"]) <= set(db["articles"].columns_dict)
    assert db.execute("select speaker, text, person_id from quotes").fetchall() == [
        ("Ada Novak", "Leverage is back.", None)]
    # The search indexes are built over the rows already there.
    found = db.execute("select rowid from articles_fts where articles_fts match 'leverage'").fetchall()
    assert found == [(1,)]
    assert db.execute("select rowid from quotes_fts where quotes_fts match 'novak'").fetchall() == [(1,)]
    db.conn.close()
    # Opening it again changes nothing.
    db = connect(db_path)
    assert db.execute("select count(*) from quotes_fts").fetchone() == (1,)
    db.conn.close()


def test_search_index_follows_inserts_updates_and_deletes(db_path: Path) -> None:
    db = connect(db_path)
    db["articles"].insert({"id": 1, "url": "https://example.test/1", "title": "T", "text": "Body"})
    db["quotes"].insert({"id": 1, "article_id": 1, "speaker": "\u00d6zlem Kaya", "org": "Kestrel Markets",
                         "text": "Open interest kept climbing."})

    def search(words: str) -> list[int]:
        return [r[0] for r in db.execute("select rowid from quotes_fts where quotes_fts match ?", [words])]

    assert search("climbing") == [1]
    assert search("ozlem") == [1]  # accents folded by the tokenizer
    assert search("kestrel") == [1]
    db["quotes"].update(1, {"text": "Funding turned negative."})
    assert (search("climbing"), search("funding")) == ([], [1])
    db["quotes"].delete(1)
    assert search("funding") == []
    db.conn.close()
