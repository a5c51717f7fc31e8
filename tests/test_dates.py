"""Event days resolved from a publication time and a time phrase."""

from __future__ import annotations

import pytest

from extractor.dates import parse_published, resolve_event_date

TUESDAY = "2021-04-20T09:15:00+00:00"


@pytest.mark.parametrize(
    ("published", "phrase", "expected"),
    [
        (TUESDAY, "on Sunday", "2021-04-18"),
        (TUESDAY, "Sunday", "2021-04-18"),
        (TUESDAY, "late on Sunday night", "2021-04-18"),
        (TUESDAY, "on Monday", "2021-04-19"),
        (TUESDAY, "on Tuesday", "2021-04-20"),
        (TUESDAY, "last Tuesday", "2021-04-13"),
        (TUESDAY, "on Wednesday", "2021-04-14"),
        (TUESDAY, "yesterday", "2021-04-19"),
        (TUESDAY, "Yesterday afternoon", "2021-04-19"),
        (TUESDAY, "today", "2021-04-20"),
        (TUESDAY, "over the past 24 hours", "2021-04-20"),
        (TUESDAY, "overnight", "2021-04-20"),
        (TUESDAY, "two days ago", "2021-04-18"),
        (TUESDAY, "3 days ago", "2021-04-17"),
        (TUESDAY, "on April 18", "2021-04-18"),
        (TUESDAY, "on Apr. 18th", "2021-04-18"),
        (TUESDAY, "on 18 April", "2021-04-18"),
        (TUESDAY, "on March 3, 2020", "2020-03-03"),
        (TUESDAY, "on 2021-04-02", "2021-04-02"),
        ("2021-01-02", "on December 30", "2020-12-30"),
        ("2021-04-20", "on Sunday", "2021-04-18"),
        ("Tue, 20 Apr 2021 09:15:00 GMT", "on Sunday", "2021-04-18"),
        ("2021-04-20T23:30:00-05:00", "yesterday", "2021-04-19"),
    ],
)
def test_time_phrases_resolve_to_the_event_day(published: str, phrase: str, expected: str) -> None:
    assert resolve_event_date(published, phrase) == expected


@pytest.mark.parametrize(
    ("published", "phrase"),
    [
        (TUESDAY, "last week"),
        (TUESDAY, "over the weekend"),
        (TUESDAY, "in recent months"),
        (TUESDAY, ""),
        (TUESDAY, None),
        (TUESDAY, "on February 30"),
        (None, "on Sunday"),
        ("", "yesterday"),
        ("not a date", "yesterday"),
    ],
)
def test_phrases_naming_no_single_day_or_no_publication_give_none(published, phrase) -> None:
    assert resolve_event_date(published, phrase) is None


def test_publication_day_is_taken_in_the_timezone_stated() -> None:
    assert parse_published("2021-04-20T23:30:00-05:00").isoformat() == "2021-04-20"
    assert parse_published("2021-04-20T01:00:00Z").isoformat() == "2021-04-20"
