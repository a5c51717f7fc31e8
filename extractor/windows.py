"""Event windows: the span of time a reported figure is about, from `published_at` and a time phrase.

"on Sunday" in an article published Tuesday 20 April 2021 is the UTC day 2021-04-18; "early Sunday"
its first half; "overnight" the night before publication; "in the past 24 hours" the 24 hours before
publication; "on Feb. 21" that day; "last week" the previous Monday-to-Monday week. A text that names
no time gets the 24 hours before publication. Days are UTC days unless the text names a zone (ET, HKT...).
A window never ends after publication: nobody reports what has not happened yet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

UTC = dt.UTC
DEFAULT_HOURS = 24
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
# Parts of a day, as hours [from, to) in the day's own zone.
DAY_PARTS = {
    "early": (0, 12), "morning": (0, 12), "late": (12, 24), "afternoon": (12, 18), "evening": (18, 24),
    "night": (18, 24),
}
# "Overnight": from 18:00 the day before publication to 10:00 on the day, in the zone of the text.
OVERNIGHT_HOURS = (-6, 10)
ZONES = {
    "utc": "UTC", "gmt": "UTC", "et": "America/New_York", "est": "America/New_York",
    "edt": "America/New_York", "eastern": "America/New_York", "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "bst": "Europe/London",
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
}

_WEEKDAY = "|".join(WEEKDAYS)
# Month names only capitalised, so that "may" the verb is no month.
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
PAST_SPAN = re.compile(
    r"\b(?:in|over|during)\s+the\s+(?:past|last|previous|prior)\s+(?P<n>\d+|one|two|three|seven|24|48)?\s*"
    r"(?P<unit>hours?|days?|weeks?|sessions?)\b", re.IGNORECASE)
LAST_WEEK = re.compile(r"\blast\s+week\b", re.IGNORECASE)
THIS_WEEK = re.compile(r"\bthis\s+week\b", re.IGNORECASE)
WEEKEND = re.compile(r"\b(?:over\s+the|this|last)\s+weekend\b", re.IGNORECASE)
OVERNIGHT = re.compile(r"\bovernight\b", re.IGNORECASE)
YESTERDAY = re.compile(r"\byesterday\b", re.IGNORECASE)
TODAY = re.compile(r"\b(?:earlier\s+)?today\b|\bthis\s+(?:morning|afternoon)\b|\bon\s+the\s+day\b", re.IGNORECASE)
WEEKDAY = re.compile(
    rf"\b(?:(?P<pre>early|late)\s+(?:on\s+)?)?(?:on\s+)?(?P<day>{_WEEKDAY})(?:'s)?"
    rf"(?:\s+(?P<post>morning|afternoon|evening|night))?\b", re.IGNORECASE)
MONTH_DAY = re.compile(
    rf"\b(?:(?P<pre>(?i:early|late))\s+)?(?:(?i:on)\s+)?(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}))(?:,?\s+(?P<year>(?:19|20)\d\d))?\b(?!%)")
LAST_MONTH = re.compile(r"\b(?:last|previous)\s+month\b", re.IGNORECASE)
THIS_MONTH = re.compile(r"\b(?:earlier\s+)?this\s+month\b|\bearlier\s+in\s+the\s+month\b|\bmonth-to-date\b",
                        re.IGNORECASE)
THIS_YEAR = re.compile(r"\b(?:earlier\s+|so\s+far\s+)?this\s+year\b|\byear-to-date\b|\bfor\s+the\s+year\b|\bYTD\b",
                       re.IGNORECASE)
LAST_YEAR = re.compile(r"\blast\s+year\b", re.IGNORECASE)
MONTH_YEAR = re.compile(
    rf"\b(?:(?i:in)\s+)?(?:(?P<part>(?i:early|mid|late))[-\s]+)?(?P<month>{_MONTH})\s+(?P<year>(?:19|20)\d\d)\b")
MONTH_ALONE = re.compile(
    rf"\b(?:(?P<last>(?i:last))\s+|(?P<since>(?i:since)\s+)|(?i:in|during|from|by)\s+)(?:(?P<part>(?i:early|mid|late))[-\s]+)?"
    rf"(?P<month>{_MONTH})(?![\s.]*\d)\b|\b(?P<part2>(?i:early|mid|late))-(?P<month2>{_MONTH})(?![\s.]*\d)\b")
YEAR = re.compile(r"\b(?:in|during|back\s+in)\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
# Thirds of a month: early = days 1-10, mid = 11-20, late = 21 to the end.
MONTH_PARTS = {"early": (1, 11), "mid": (11, 21), "late": (21, None)}
ZONE = re.compile(r"\(?\b(" + "|".join(ZONES) + r")\b\)?", re.IGNORECASE)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "seven": 7}
PHRASES = (PAST_SPAN, LAST_WEEK, THIS_WEEK, WEEKEND, OVERNIGHT, YESTERDAY, TODAY, LAST_MONTH, THIS_MONTH, THIS_YEAR,
           LAST_YEAR, MONTH_DAY, MONTH_YEAR, MONTH_ALONE, YEAR, WEEKDAY)


@dataclass(frozen=True)
class Window:
    """A span of time in UTC, and what it was read from (`basis`)."""

    start: dt.datetime
    end: dt.datetime
    basis: str

    @property
    def hours(self) -> float:
        """Length of the window in hours."""
        return (self.end - self.start).total_seconds() / 3600


def parse_published(value: str | dt.datetime | dt.date) -> tuple[dt.datetime, bool]:
    """A publication moment in UTC and whether it had a time of day (a bare date counts as its day's end)."""
    if isinstance(value, dt.datetime):
        moment, has_time = value, True
    elif isinstance(value, dt.date):
        moment, has_time = dt.datetime.combine(value, dt.time()), False
    else:
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            has_time = bool(re.search(r"\d[T ]\d", text))
        except ValueError:
            try:
                moment, has_time = parsedate_to_datetime(text), True
            except (TypeError, ValueError) as exc:
                raise ValueError(f"cannot read the publication time {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not has_time:
        moment += dt.timedelta(days=1)
    return moment, has_time


def find_time_phrases(text: str) -> list[tuple[str, int, int]]:
    """Every time phrase of a text as (phrase, start, end), in text order, overlaps resolved to the longest."""
    found: list[re.Match] = []
    for pattern in PHRASES:
        for match in pattern.finditer(text or ""):
            if pattern is not MONTH_DAY or _is_date(match):
                found.append(match)
    found.sort(key=lambda m: (m.start(), -m.end()))
    out: list[tuple[str, int, int]] = []
    for match in found:
        if out and match.start() < out[-1][2]:
            continue
        phrase, end = match.group(0), match.end()
        zone = ZONE.match(text, end + (1 if text[end:end + 1] == " " else 0))
        if zone:
            phrase, end = f"{phrase} {zone.group(1)}", zone.end(1)
        out.append((phrase, match.start(), end))
    return out


def find_time_phrase(text: str) -> str | None:
    """The first time phrase a sentence uses ("early Sunday", "in the past 24 hours"...), or None."""
    phrases = find_time_phrases(text)
    return phrases[0][0] if phrases else None


def nearest_time_phrase(text: str, start: int, end: int, others: list[tuple[int, int]] = ()) -> str | None:
    """The time phrase nearest to text[start:end] with none of the `others` figures between them, or None.

    "rose to $28,000 on Tuesday, up from $26,000 last week": Tuesday for the first, last week for the second.
    """
    phrases = find_time_phrases(text)
    if not phrases:
        return None

    def between(phrase: tuple[str, int, int]) -> bool:
        lo, hi = (end, phrase[1]) if phrase[1] >= end else (phrase[2], start)
        return any(lo <= o_start and o_end <= hi for o_start, o_end in others)

    near = [p for p in phrases if not between(p)] or phrases
    return min(near, key=lambda p: p[1] - end if p[1] >= end else max(0, start - p[2]))[0]


def _is_date(match: re.Match) -> bool:
    day = int(match.group("d1") or match.group("d2"))
    return 1 <= day <= 31


def _zone(phrase: str) -> ZoneInfo | dt.timezone:
    match = ZONE.search(phrase)
    if not match:
        return UTC
    name = ZONES[match.group(1).lower()]
    return UTC if name == "UTC" else ZoneInfo(name)


def _day_start(day: dt.date, zone: ZoneInfo | dt.timezone) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(UTC)


def _day_window(day: dt.date, zone: ZoneInfo | dt.timezone, part: str | None,
                published: dt.datetime, basis: str) -> Window:
    first, last = DAY_PARTS.get(part or "", (0, 24))
    start = _day_start(day, zone) + dt.timedelta(hours=first)
    end = _day_start(day, zone) + dt.timedelta(hours=last)
    return Window(start, min(end, published), basis)


def event_window(published_at: str | dt.datetime | dt.date | None, phrase: str | None = None,
                 event_date: str | None = None) -> Window | None:
    """The window a figure is about; None when there is no publication time to anchor it."""
    if not published_at:
        return None
    published, has_time = parse_published(published_at)
    phrase = (phrase or "").strip()
    if phrase:
        window = _phrase_window(published, has_time, phrase)
        if window:
            return window
    if event_date:
        day = dt.date.fromisoformat(event_date[:10])
        return _day_window(day, UTC, None, published, f"event_date {day.isoformat()}")
    basis = f"unread phrase {phrase!r}: " if phrase else ""
    return Window(published - dt.timedelta(hours=DEFAULT_HOURS), published,
                  basis + f"default: {DEFAULT_HOURS} hours before publication")


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return MONTHS[name[:4] if name.startswith("sept") else name[:3]]


def _month_window(year: int, month: int, part: str | None, zone: ZoneInfo | dt.timezone,
                  published: dt.datetime, basis: str) -> Window | None:
    first_day, stop_day = MONTH_PARTS.get((part or "").lower(), (1, None))
    start = dt.date(year, month, first_day)
    end = dt.date(year + month // 12, month % 12 + 1, 1) if stop_day is None else dt.date(year, month, stop_day)
    if _day_start(start, zone) >= published:
        return None
    return Window(_day_start(start, zone), min(_day_start(end, zone), published), basis)


def _phrase_window(published: dt.datetime, has_time: bool, phrase: str) -> Window | None:
    zone = _zone(phrase)
    # A bare publication date stands for the end of that day: "today" is the day that just ended.
    today = (published if has_time else published - dt.timedelta(seconds=1)).astimezone(zone).date()
    basis = phrase
    if match := PAST_SPAN.search(phrase):
        n = (match.group("n") or "one").lower()
        count = NUMBER_WORDS[n] if n in NUMBER_WORDS else int(n)
        unit = match.group("unit").lower().rstrip("s")
        hours = {"hour": 1, "day": 24, "session": 24, "week": 168}[unit] * count
        return Window(published - dt.timedelta(hours=hours), published, basis)
    if LAST_WEEK.search(phrase):
        monday = today - dt.timedelta(days=today.weekday())
        return Window(_day_start(monday - dt.timedelta(days=7), zone), _day_start(monday, zone), basis)
    if THIS_WEEK.search(phrase):
        monday = today - dt.timedelta(days=today.weekday())
        return Window(_day_start(monday, zone), published, basis)
    if WEEKEND.search(phrase):
        saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7)
        end = min(_day_start(saturday + dt.timedelta(days=2), zone), published)
        return Window(_day_start(saturday, zone), end, basis)
    if OVERNIGHT.search(phrase):
        midnight = _day_start(today, zone)
        first, last = OVERNIGHT_HOURS
        end = min(midnight + dt.timedelta(hours=last), published)
        return Window(midnight + dt.timedelta(hours=first), end, basis)
    if YESTERDAY.search(phrase):
        return _day_window(today - dt.timedelta(days=1), zone, None, published, basis)
    if TODAY.search(phrase):
        return _day_window(today, zone, None, published, basis)
    if LAST_MONTH.search(phrase):
        last = today.replace(day=1) - dt.timedelta(days=1)
        return _month_window(last.year, last.month, None, zone, published, basis)
    if THIS_MONTH.search(phrase):
        return _month_window(today.year, today.month, None, zone, published, basis)
    if THIS_YEAR.search(phrase):
        return Window(_day_start(dt.date(today.year, 1, 1), zone), published, basis)
    if LAST_YEAR.search(phrase):
        return Window(_day_start(dt.date(today.year - 1, 1, 1), zone), _day_start(dt.date(today.year, 1, 1), zone),
                      basis)
    if (match := MONTH_DAY.search(phrase)) and _is_date(match):
        month = _month_number(match.group("m1") or match.group("m2"))
        day_number = int(match.group("d1") or match.group("d2"))
        year = int(match.group("year")) if match.group("year") else today.year
        try:
            day = dt.date(year, month, day_number)
        except ValueError:
            return None
        if not match.group("year") and day > today:
            day = day.replace(year=year - 1)
        return _day_window(day, zone, (match.group("pre") or "").lower() or None, published, basis)
    if match := MONTH_YEAR.search(phrase):
        return _month_window(int(match.group("year")), _month_number(match.group("month")), match.group("part"), zone,
                             published, basis)
    if match := MONTH_ALONE.search(phrase):
        month = _month_number(match.group("month") or match.group("month2"))
        # The latest such month that has begun; "last June" in June is a year back.
        year = today.year if month < today.month or (month == today.month and not match.group("last")) \
            else today.year - 1
        window = _month_window(year, month, match.group("part") or match.group("part2"), zone, published, basis)
        if window and match.group("since"):
            return Window(window.start, published, basis)
        return window
    if match := YEAR.search(phrase):
        year = int(match.group("year"))
        if year > today.year:
            return None
        return Window(_day_start(dt.date(year, 1, 1), zone), min(_day_start(dt.date(year + 1, 1, 1), zone), published),
                      basis)
    if match := WEEKDAY.search(phrase):
        target = WEEKDAYS.index(match.group("day").lower())
        day = today - dt.timedelta(days=(today.weekday() - target) % 7)
        part = (match.group("pre") or match.group("post") or "").lower() or None
        return _day_window(day, zone, part, published, basis)
    return None
