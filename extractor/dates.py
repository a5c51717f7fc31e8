"""Resolve the day an event happened from an article's publication time and a time phrase.

"on Sunday" in an article published on Tuesday 2021-04-20 is 2021-04-18; "yesterday" is the day
before publication; "April 18" is that day of the publication year (or of the year before, when it
would otherwise lie in the future). Phrases that name no single day resolve to None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import re
from functools import cache

from extractor.patterns import load_yaml

WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_DAY_RE = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
DAY_MONTH_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b", re.I
)
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
WEEKDAY_RE = re.compile(r"\b(last\s+)?(" + "|".join(WEEKDAYS) + r")s?\b", re.I)
DAYS_AGO_RE = re.compile(r"\b(\d+|[a-z]+)\s+days?\s+ago\b", re.I)


@cache
def _time_words() -> tuple[re.Pattern, dict[str, int], dict[str, int]]:
    data = load_yaml("time_phrases.yaml")
    relative_days = {" ".join(k.lower().split()): v for k, v in data["relative_days"].items()}
    # Longest phrase first, so "the day before yesterday" wins over "yesterday".
    words = "|".join(re.escape(k) for k in sorted(relative_days, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\b"), relative_days, dict(data["number_words"])


def parse_published(published_at: str | None) -> dt.date | None:
    """The calendar day of a publication timestamp (ISO 8601 or RFC 2822), or None if unreadable."""
    if not published_at:
        return None
    value = published_at.strip()
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _calendar_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _explicit_date(phrase: str, published: dt.date) -> dt.date | None:
    if m := ISO_DATE_RE.search(phrase):
        return _calendar_date(int(m[1]), int(m[2]), int(m[3]))
    if m := MONTH_DAY_RE.search(phrase):
        month, day, year = MONTHS[m[1].lower()], int(m[2]), m[3]
    elif m := DAY_MONTH_RE.search(phrase):
        day, month, year = int(m[1]), MONTHS[m[2].lower()], m[3]
    else:
        return None
    if year:
        return _calendar_date(int(year), month, day)
    found = _calendar_date(published.year, month, day)
    if found and found > published + dt.timedelta(days=1):
        # "December 30" in an article of January 2 is last year's.
        found = _calendar_date(published.year - 1, month, day)
    return found


def _relative_date(phrase: str, published: dt.date) -> dt.date | None:
    relative_re, relative_days, number_words = _time_words()
    lowered = " ".join(phrase.lower().split())
    if m := relative_re.search(lowered):
        return published + dt.timedelta(days=relative_days[m[0]])
    if m := DAYS_AGO_RE.search(lowered):
        count = int(m[1]) if m[1].isdigit() else number_words.get(m[1])
        if count is not None:
            return published - dt.timedelta(days=count)
    return None


def _weekday_date(phrase: str, published: dt.date) -> dt.date | None:
    m = WEEKDAY_RE.search(phrase)
    if not m:
        return None
    back = (published.weekday() - WEEKDAYS[m[2].lower()]) % 7
    if back == 0 and m[1]:
        back = 7  # "last Tuesday" in a Tuesday article is a week earlier
    return published - dt.timedelta(days=back)


def resolve_event_date(published_at: str | None, time_phrase: str | None) -> str | None:
    """The ISO day an event happened, from the publication time and a phrase such as "on Sunday"."""
    published = parse_published(published_at)
    if published is None or not time_phrase:
        return None
    for rule in (_explicit_date, _relative_date, _weekday_date):
        found = rule(time_phrase, published)
        if found is not None:
            return found.isoformat()
    return None
