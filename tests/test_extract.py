"""`run_extract` over real SQLite files, fed known facts through the `analyse` argument."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from store_fixtures import ARTICLES, EMPTY, KnownFacts, add_articles, known_facts

from extractor.extract import ExtractError, pipeline_version, run_extract
from extractor.patterns import patterns_hash


def rows(db_path: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    """Run a query on a fresh connection."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def fact_counts(db_path: Path) -> dict[str, int]:
    tables = ["liquidations", "price_moves", "exchange_mentions", "provider_mentions", "quotes", "people",
              "organizations"]
    return {t: rows(db_path, f"select count(*) from {t}")[0][0] for t in tables}


def test_extract_stores_every_fact_with_its_article_run_and_offsets(corpus_db: Path) -> None:
    summary = run_extract(corpus_db, analyse=KnownFacts())
    assert summary.articles == 5
    assert summary.errors == []
    assert summary.facts == {"liquidations": 2, "price_moves": 2, "exchange_mentions": 5,
                             "provider_mentions": 1, "quotes": 6}
    assert fact_counts(corpus_db) == {"liquidations": 2, "price_moves": 2, "exchange_mentions": 5,
                                      "provider_mentions": 1, "quotes": 6, "people": 3, "organizations": 3}
    liquidation = rows(corpus_db, "select article_id, run_id, amount_usd, side, event_date, outlet, start, "
                                  "[end], text, sentence from liquidations order by amount_usd desc")[0]
    text = ARTICLES[0]["text"]
    article_id, run_id, amount, side, event_date, outlet, start, end, fact_text, sentence = liquidation
    assert (article_id, run_id, amount, side, event_date, outlet) == (1, summary.run_id, 9.1e9, "long",
                                                                       "2021-04-18", "Coin Ledger")
    assert text[start:end] == fact_text
    assert sentence.startswith("More than $9.1 billion of long positions were liquidated on Sunday")
    run = rows(corpus_db, "select status, pipeline_version, patterns_hash, articles, liquidations, "
                          "price_moves, exchange_mentions, quotes, provider_mentions, errors from runs")
    assert run == [("done", pipeline_version(), patterns_hash(), 5, 2, 2, 5, 6, 1, 0)]


def test_event_dates_are_resolved_from_publication_and_time_phrase(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    assert rows(corpus_db, "select time_phrase, event_date from liquidations order by id") == [
        ("on Sunday", "2021-04-18"), ("yesterday", "2021-04-21")]
    assert rows(corpus_db, "select asset, time_phrase, event_date, price_usd, figures is not null "
                           "from price_moves order by id") == [
        ("BTC", "over the weekend", None, 51700.0, 1), ("ETH", "on Saturday", "2021-04-24", 2650.0, 1)]


def test_event_date_given_by_the_pipeline_is_kept(db_path: Path) -> None:
    text = "Headline\n\nLongs lost $5 million."
    add_articles(db_path, [{"url": "u1", "text": text, "published_at": "2021-04-20"}])
    liquidation = {"amount_usd": 5e6, "side": "long", "time_phrase": "on Sunday", "event_date": "2021-04-11",
                   "text": "x", "start": 0, "end": 1}
    facts = {text: {**EMPTY, "liquidations": [liquidation]}}
    run_extract(db_path, analyse=KnownFacts(facts))
    assert rows(db_path, "select event_date from liquidations") == [("2021-04-11",)]


def test_second_run_finds_nothing_to_do_and_changes_nothing(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    before = rows(corpus_db, "select * from quotes order by id") + rows(corpus_db, "select * from people")
    analyser = KnownFacts()
    summary = run_extract(corpus_db, analyse=analyser)
    assert (summary.run_id, summary.articles, summary.up_to_date) == (None, 0, 5)
    assert analyser.seen == []
    after = rows(corpus_db, "select * from quotes order by id") + rows(corpus_db, "select * from people")
    assert after == before
    assert rows(corpus_db, "select count(*) from runs") == [(1,)]


def test_only_new_articles_are_extracted_on_the_next_run(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    add_articles(corpus_db, [{"url": "https://example.test/new", "text": "New\n\nNothing much.",
                              "published_at": "2021-05-01"}])
    analyser = KnownFacts()
    summary = run_extract(corpus_db, analyse=analyser)
    assert (summary.articles, summary.up_to_date) == (1, 5)
    assert analyser.seen == ["New\n\nNothing much."]


def test_changed_text_is_extracted_again_and_its_old_facts_replaced(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    new_text = "Bitcoin steadies\n\nNo liquidations to speak of; Kraken was calm."
    conn = sqlite3.connect(corpus_db)
    with conn:
        conn.execute("update articles set text = ?, content_hash = 'v2' where id = 1", [new_text])
    conn.close()
    facts = known_facts() | {new_text: {**EMPTY, "exchanges": [{"name": "Kraken", "mentions": 1}]}}
    summary = run_extract(corpus_db, analyse=KnownFacts(facts))
    assert summary.articles == 1
    assert rows(corpus_db, "select exchange from exchange_mentions where article_id = 1") == [("Kraken",)]
    assert rows(corpus_db, "select count(*) from liquidations where article_id = 1") == [(0,)]
    # Ipek's two quotes of article 1 are gone; the person stays with the other two.
    assert rows(corpus_db, "select name, quote_count from people where name_key = 'ipek ozkardeskaya'") == [
        ("\u0130pek \u00d6zkarde\u015fkaya", 2)]


def test_all_re_extracts_everything_and_keeps_people_ids(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    people = rows(corpus_db, "select id, name, quote_count from people order by id")
    summary = run_extract(corpus_db, all=True, analyse=KnownFacts())
    assert (summary.run_id, summary.articles) == (2, 5)
    assert rows(corpus_db, "select distinct run_id from quotes") == [(2,)]
    assert rows(corpus_db, "select id, name, quote_count from people order by id") == people
    assert rows(corpus_db, "select count(*) from quotes") == [(6,)]


def test_pattern_change_makes_every_article_stale(corpus_db: Path, tmp_path: Path, monkeypatch) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    from extractor.patterns import patterns_dir

    for source in patterns_dir().iterdir():
        if source.is_file():
            (patterns / source.name).write_bytes(source.read_bytes())
    (patterns / "extra.yaml").write_text("added: true\n")
    monkeypatch.setenv("EXTRACTOR_PATTERNS", str(patterns))
    summary = run_extract(corpus_db, analyse=KnownFacts())
    assert summary.articles == 5
    assert summary.pipeline_version != rows(corpus_db, "select pipeline_version from runs where id = 1")[0][0]


def test_workers_store_the_same_rows_as_one_process(tmp_path: Path) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path, workers in ((one, 1), (two, 2)):
        add_articles(path, ARTICLES * 1)
        summary = run_extract(path, workers=workers, batch_size=2, analyse=KnownFacts())
        assert summary.articles == 5
    columns = "article_id, speaker, title, org, text, start, [end], person_id, organization_id"
    query = f"select {columns} from quotes order by id"
    assert rows(one, query) == rows(two, query)
    assert rows(one, "select * from people") == rows(two, "select * from people")


def test_progress_is_reported_per_article(corpus_db: Path) -> None:
    calls = []
    run_extract(corpus_db, analyse=KnownFacts(), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_empty_text_and_no_facts_are_extracted_with_no_rows(corpus_db: Path) -> None:
    analyser = KnownFacts()
    run_extract(corpus_db, analyse=analyser)
    assert "" not in analyser.seen  # the empty article is never given to the pipeline
    assert rows(corpus_db, "select article_id, facts, error from extractions where article_id in (4, 5)") == [
        (4, 0, None), (5, 0, None)]


def test_a_failing_article_is_reported_and_the_others_stored(corpus_db: Path) -> None:
    summary = run_extract(corpus_db, analyse=KnownFacts(fail_on="Shorts squeezed"))
    assert summary.articles == 4
    assert summary.errors == ["article 2: RuntimeError: the analyser choked on this text"]
    assert rows(corpus_db, "select count(*) from quotes where article_id = 2") == [(0,)]
    assert rows(corpus_db, "select count(*) from quotes where article_id in (1, 3)") == [(3,)]
    assert rows(corpus_db, "select errors, status from runs") == [(1, "done")]
    # The failed article is tried again next time, and only it.
    analyser = KnownFacts()
    summary = run_extract(corpus_db, analyse=analyser)
    assert (summary.articles, summary.errors) == (1, [])
    assert analyser.seen == [ARTICLES[1]["text"]]


def test_malformed_facts_leave_the_old_facts_whole(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    before = rows(corpus_db, "select * from liquidations order by id")
    facts = known_facts()
    broken = facts[ARTICLES[0]["text"]] | {"quotes": [{"speaker": "A Person", "start": {"not": "a number"}}]}
    facts[ARTICLES[0]["text"]] = broken
    summary = run_extract(corpus_db, all=True, analyse=KnownFacts(facts))
    assert summary.articles == 4
    assert summary.errors[0].startswith("article 1: could not store its facts: ")
    # Article 1 keeps its old liquidation (run 1); the transaction inserting new ones was rolled back.
    assert rows(corpus_db, "select * from liquidations where article_id = 1") == [before[0]]
    assert rows(corpus_db, "select count(*) from quotes where article_id = 1") == [(2,)]


class Interrupt:
    """An analyser that is killed (KeyboardInterrupt) when it reaches the third article."""

    def __init__(self) -> None:
        self.inner = KnownFacts()

    def __call__(self, items):
        if any(text == ARTICLES[2]["text"] for text, _ in items):
            raise KeyboardInterrupt
        return self.inner(items)


def test_a_kill_mid_run_leaves_each_article_fully_old_or_fully_new(corpus_db: Path) -> None:
    run_extract(corpus_db, analyse=KnownFacts())
    with pytest.raises(KeyboardInterrupt):
        run_extract(corpus_db, all=True, batch_size=1, analyse=Interrupt())
    runs = dict(rows(corpus_db, "select article_id, run_id from extractions"))
    assert runs == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    for article_id, run_id in runs.items():
        for table in ("liquidations", "price_moves", "exchange_mentions", "quotes"):
            assert {r for (r,) in rows(corpus_db, f"select run_id from {table} where article_id = ?",
                                       [article_id])} <= {run_id}
    assert rows(corpus_db, "select id, status, articles from runs") == [(1, "done", 5), (2, "interrupted", 2)]
    summary = run_extract(corpus_db, analyse=KnownFacts())
    assert summary.articles == 0  # articles 3-5 are still current from run 1


def test_unknown_db_path_is_created_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.db"
    summary = run_extract(path, analyse=KnownFacts())
    assert path.is_file()
    assert (summary.articles, summary.run_id) == (0, None)


def hold_write_lock(path: Path) -> tuple[threading.Event, threading.Thread]:
    """Another writer holding the database's write lock until the event is set."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("insert into feeds (url) values ('https://locker.example/feed')")
    release = threading.Event()

    def wait_then_release() -> None:
        release.wait(10)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=wait_then_release)
    thread.start()
    return release, thread


def test_a_locked_database_is_retried_then_extracted(corpus_db: Path) -> None:
    release, thread = hold_write_lock(corpus_db)
    threading.Timer(0.4, release.set).start()
    summary = run_extract(corpus_db, analyse=KnownFacts(), lock_timeout=0.1)
    thread.join()
    assert summary.articles == 5


def test_a_database_locked_for_good_gives_a_clear_error(corpus_db: Path) -> None:
    release, thread = hold_write_lock(corpus_db)
    try:
        message = r"news\.db is locked by another writer; gave up after 5 tries"
        with pytest.raises(ExtractError, match=message):
            run_extract(corpus_db, analyse=KnownFacts(), lock_timeout=0.05)
    finally:
        release.set()
        thread.join()
    assert rows(corpus_db, "select count(*) from quotes") == [(0,)]


def test_workers_below_one_are_refused(corpus_db: Path) -> None:
    with pytest.raises(ExtractError, match="--workers must be at least 1, not 0"):
        run_extract(corpus_db, workers=0, analyse=KnownFacts())


def test_one_person_per_speaker_with_roles_over_time_and_quote_counts(corpus_db: Path) -> None:
    import json

    run_extract(corpus_db, analyse=KnownFacts())
    people = rows(corpus_db, "select id, name, quote_count, latest_title, latest_org, first_quoted_at, "
                             "last_quoted_at, roles from people order by id")
    assert [p[:7] for p in people] == [
        (1, "\u0130pek \u00d6zkarde\u015fkaya", 4, "senior analyst", "Swissquote Bank",
         "2021-04-20T09:15:00+00:00", "2021-04-26T08:00:00+00:00"),
        (2, "Tom Lee", 1, "head of research", "Fundstrat", "2021-04-22T14:00:00+00:00",
         "2021-04-22T14:00:00+00:00"),
        (3, "Amy Lee", 1, "trader", "Kestrel Markets", "2021-04-22T14:00:00+00:00", "2021-04-22T14:00:00+00:00"),
    ]
    assert json.loads(people[0][7]) == [
        {"title": "senior analyst", "org": "Swissquote Bank", "first_seen": "2021-04-20T09:15:00+00:00",
         "last_seen": "2021-04-26T08:00:00+00:00", "quotes": 2},
        {"title": None, "org": "Swissquote Bank", "first_seen": "2021-04-22T14:00:00+00:00",
         "last_seen": "2021-04-22T14:00:00+00:00", "quotes": 1},
    ]
    # The bare "Ozkardeskaya" of article 1 is the Ipek Ozkardeskaya named in full there.
    assert rows(corpus_db, "select speaker, person_id from quotes where article_id = 1 order by id") == [
        ("Ipek Ozkardeskaya", 1), ("Ozkardeskaya", 1)]
    assert rows(corpus_db, "select name, quote_count, people_count from organizations order by id") == [
        ("Swissquote Bank", 3, 1), ("Fundstrat", 1, 1), ("Kestrel Markets", 1, 1)]


def test_a_surname_shared_by_two_people_of_an_article_stays_apart(db_path: Path) -> None:
    text = "Two Lees\n\nQuotes from Tom Lee, Amy Lee and Lee."
    add_articles(db_path, [{"url": "u", "text": text, "published_at": "2021-04-20"}])
    quotes = [{"speaker": s, "title": None, "org": None, "text": s, "start": 0, "end": 1}
              for s in ("Tom Lee", "Amy Lee", "Lee")]
    run_extract(db_path, analyse=KnownFacts({text: {**EMPTY, "quotes": quotes}}))
    assert rows(db_path, "select name, name_key, quote_count from people order by id") == [
        ("Tom Lee", "tom lee", 1), ("Amy Lee", "amy lee", 1), ("Lee", "lee", 1)]


def test_workers_are_fed_window_after_window_and_every_article_gets_its_own_facts(db_path: Path) -> None:
    texts = [f"Story {n}\n\nVenue{n} saw heavy volume." for n in range(40)]
    add_articles(db_path, [{"url": f"https://example.test/{n}", "text": t} for n, t in enumerate(texts)])
    facts = {t: {**EMPTY, "exchanges": [{"name": f"Venue{n}", "mentions": n + 1}]} for n, t in enumerate(texts)}
    # batch_size 1 and 2 workers make windows of 16 articles: 40 articles need three.
    summary = run_extract(db_path, workers=2, batch_size=1, analyse=KnownFacts(facts))
    assert (summary.articles, summary.facts["exchange_mentions"]) == (40, 40)
    assert rows(db_path, "select article_id, exchange, mentions from exchange_mentions order by article_id") == [
        (n + 1, f"Venue{n}", n + 1) for n in range(40)]
