"""Event windows from the publication time and a time phrase (extractor/windows.py)."""

from __future__ import annotations

import pytest

from extractor.windows import event_window, find_time_phrase, find_time_phrases, nearest_time_phrase, parse_published

TUESDAY = "2021-04-20T14:30:00Z"  # a Tuesday


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        (None, "2021-04-19T14:30:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("on Sunday", "2021-04-18T00:00:00+00:00", "2021-04-19T00:00:00+00:00"),
        ("early Sunday", "2021-04-18T00:00:00+00:00", "2021-04-18T12:00:00+00:00"),
        ("late on Sunday", "2021-04-18T12:00:00+00:00", "2021-04-19T00:00:00+00:00"),
        ("Sunday evening", "2021-04-18T18:00:00+00:00", "2021-04-19T00:00:00+00:00"),
        ("Sunday evening ET", "2021-04-18T22:00:00+00:00", "2021-04-19T04:00:00+00:00"),
        ("on Tuesday", "2021-04-20T00:00:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("on Wednesday", "2021-04-14T00:00:00+00:00", "2021-04-15T00:00:00+00:00"),
        ("overnight", "2021-04-19T18:00:00+00:00", "2021-04-20T10:00:00+00:00"),
        ("in the past 24 hours", "2021-04-19T14:30:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("over the last 48 hours", "2021-04-18T14:30:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("in the past week", "2021-04-13T14:30:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("on Feb. 21", "2021-02-21T00:00:00+00:00", "2021-02-22T00:00:00+00:00"),
        ("on December 5", "2020-12-05T00:00:00+00:00", "2020-12-06T00:00:00+00:00"),
        ("on 13 March 2020", "2020-03-13T00:00:00+00:00", "2020-03-14T00:00:00+00:00"),
        ("last week", "2021-04-12T00:00:00+00:00", "2021-04-19T00:00:00+00:00"),
        ("this week", "2021-04-19T00:00:00+00:00", "2021-04-20T14:30:00+00:00"),
        ("over the weekend", "2021-04-17T00:00:00+00:00", "2021-04-19T00:00:00+00:00"),
        ("yesterday", "2021-04-19T00:00:00+00:00", "2021-04-20T00:00:00+00:00"),
        ("earlier today", "2021-04-20T00:00:00+00:00", "2021-04-20T14:30:00+00:00"),
    ],
)
def test_event_window(phrase: str | None, start: str, end: str) -> None:
    window = event_window(TUESDAY, phrase)
    assert (window.start.isoformat(), window.end.isoformat()) == (start, end)


def test_default_window_says_so() -> None:
    assert event_window(TUESDAY, None).basis == "default: 24 hours before publication"
    assert event_window(TUESDAY, "at some point").basis == (
        "unread phrase 'at some point': default: 24 hours before publication"
    )


def test_event_date_is_used_when_the_phrase_is_not_understood() -> None:
    window = event_window(TUESDAY, "at the weekly close", event_date="2021-04-18")
    assert (window.start.isoformat(), window.end.isoformat(), window.basis) == (
        "2021-04-18T00:00:00+00:00",
        "2021-04-19T00:00:00+00:00",
        "event_date 2021-04-18",
    )


def test_a_bare_publication_date_stands_for_its_whole_day() -> None:
    window = event_window("2021-04-20", None)
    assert (window.start.isoformat(), window.end.isoformat()) == (
        "2021-04-20T00:00:00+00:00",
        "2021-04-21T00:00:00+00:00",
    )
    assert event_window("2021-04-20", "on Tuesday").start.isoformat() == "2021-04-20T00:00:00+00:00"


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2023-05-31T09:11:00+00:00", "2023-05-31T09:11:00+00:00"),
        ("2021-04-20T16:30:00+02:00", "2021-04-20T14:30:00+00:00"),
        ("Tue, 20 Apr 2021 14:30:00 GMT", "2021-04-20T14:30:00+00:00"),
    ],
)
def test_parse_published(value: str, iso: str) -> None:
    assert parse_published(value)[0].isoformat() == iso


def test_no_publication_time_gives_no_window() -> None:
    assert event_window(None, "on Sunday") is None
    with pytest.raises(ValueError, match="cannot read the publication time 'soon'"):
        event_window("soon", None)


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Bitcoin slid to $51,000 early Sunday ET, exchange data show.", "early Sunday ET"),
        ("The token lost 12% in the past 24 hours.", "in the past 24 hours"),
        ("On Feb. 21 ether climbed to a record.", "On Feb. 21"),
        ("Prices swung wildly overnight.", "overnight"),
        ("Bitcoin topped $40,000 last week and fell back on Monday.", "last week"),
        ("Bitcoin was trading near $56,700.", None),
    ],
)
def test_find_time_phrase(sentence: str, phrase: str | None) -> None:
    assert find_time_phrase(sentence) == phrase


SATURDAY_2023 = "2023-05-20T10:00:00Z"


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("in November 2021", "2021-11-01T00:00:00+00:00", "2021-12-01T00:00:00+00:00"),
        ("early May 2021", "2021-05-01T00:00:00+00:00", "2021-05-11T00:00:00+00:00"),
        ("last month", "2023-04-01T00:00:00+00:00", "2023-05-01T00:00:00+00:00"),
        ("earlier this month", "2023-05-01T00:00:00+00:00", "2023-05-20T10:00:00+00:00"),
        ("this year", "2023-01-01T00:00:00+00:00", "2023-05-20T10:00:00+00:00"),
        ("last year", "2022-01-01T00:00:00+00:00", "2023-01-01T00:00:00+00:00"),
        ("back in 2019", "2019-01-01T00:00:00+00:00", "2020-01-01T00:00:00+00:00"),
        ("last June", "2022-06-01T00:00:00+00:00", "2022-07-01T00:00:00+00:00"),
        ("in mid-April", "2023-04-11T00:00:00+00:00", "2023-04-21T00:00:00+00:00"),
        ("late-March", "2023-03-21T00:00:00+00:00", "2023-04-01T00:00:00+00:00"),
        ("in May", "2023-05-01T00:00:00+00:00", "2023-05-20T10:00:00+00:00"),
    ],
)
def test_months_and_years(phrase: str, start: str, end: str) -> None:
    window = event_window(SATURDAY_2023, phrase)
    assert (window.start.isoformat(), window.end.isoformat()) == (start, end)


def test_may_the_verb_is_no_month() -> None:
    assert find_time_phrase("Prices may 10% lower by then.") is None
    assert find_time_phrase("It peaked at $69,000 in November 2021.") == "in November 2021"


def test_nearest_time_phrase_skips_phrases_beyond_another_figure() -> None:
    text = "Bitcoin rose to $28,000 on Tuesday morning, up from $26,000 last week."
    first = (text.index("$28,000"), text.index("$28,000") + 7)
    second = (text.index("$26,000"), text.index("$26,000") + 7)
    assert find_time_phrases(text) == [("on Tuesday morning", 24, 42), ("last week", 60, 69)]
    assert nearest_time_phrase(text, *first, others=[second]) == "on Tuesday morning"
    assert nearest_time_phrase(text, *second, others=[first]) == "last week"
    assert nearest_time_phrase("No time here, $5.", 14, 16) is None
