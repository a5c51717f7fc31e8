"""What kind of figure a reported price is, read from the words around it in its sentence.

A price in an article is not always an extreme. `extreme` ("as low as $29,000", "hit a high of"),
`move_end` ("fell to $22,000", the `to` of "from $60,000 to $52,148"), `level` ("trading near $56,700",
"was last at", and the `from` of a move), `threshold` ("slid below $60,000", "topped $40,000"). Three
kinds are no traded price and are not judged: `outlook` (targets, support, "could fall to"), `range`
("the $26,500-$27,000 area") and `amount` ("$300,000 worth of bitcoin"). A band ("the mid-$27,000s")
keeps the prices it stands for. The venue and market the sentence names ("on Huobi", "futures on
Binance", "spot") are kept with each figure.

Pure functions over the sentence text and a figure's offsets: no pipeline, no database. The cue
phrases live in `patterns/figure_kinds.yaml`, the venues in `patterns/exchanges.jsonl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.patterns import load_yaml
from extractor.symbols import venue, venues

KINDS_FILE = "figure_kinds.yaml"
KINDS = ("extreme", "move_end", "level", "threshold", "pct", "outlook", "range", "amount", "relative")
NOT_TRADED = {
    "outlook": "not a traded price (a target, support or forecast)",
    "range": "a range of prices, not one price",
    "amount": "an amount of money, not a price",
    "relative": "a change measured from a past high or low, not over the window",
}
PRICE = re.compile(
    r"(?:US)?\$\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?!\d|[,.]\d)"
    r"(?:\s?(?P<k>[kK]\b|thousand\b))?(?:(?P<band>s)(?![a-z]))?"
    r"(?!\s?(?:[mb]n?\b|million|billion|trillion|[MB]\b))"
    r"|(?P<num2>\d{1,3}(?:,\d{3})+|\d+)(?P<dec2>\.\d+)?\s?(?:USDT?|dollars)\b"
)
PERCENT = re.compile(r"(?<![\d.,$])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?\s?(?:%|per\s?cent\b|percent\b)")
# "up 8.5% versus the monthly lows", "100% from its November lows": measured from a past extreme.
RELATIVE_AFTER = re.compile(
    r"^[^.;]{0,12}?\b(?:versus|vs\.?|compared\s+(?:with|to)|from|below|above|off|since|against)\b[^.;]{0,50}?"
    r"\b(?:highs?|lows?|peaks?|bottoms?|tops?|records?|ATH|all-time)\b", re.IGNORECASE)
# Words before a percentage that make it a bound: "more than 80%" (at least), "almost 10%" (at most).
AT_LEAST = re.compile(r"\b(?:more\s+than|over|above|at\s+least|upwards\s+of|in\s+excess\s+of|north\s+of)\s*$",
                      re.IGNORECASE)
AT_MOST = re.compile(r"\b(?:almost|nearly|just\s+under|up\s+to|less\s+than|under|close\s+to)\s*$", re.IGNORECASE)
PCT_SOFTENERS = frozenset({"some", "around", "about", "roughly", "nearly", "almost", "over", "more", "than", "by",
                           "just", "a", "further", "another", "approximately", "close", "to", "at", "least"})
CLAUSE_BREAK = re.compile(r"[;:\u2014]|\s-\s|\.\s")
CLAUSE_AFTER = re.compile(r"\b(?:while|whereas|but|although|though)\b|[;\u2014]", re.IGNORECASE)
WORD = re.compile(r"[a-z][a-z'\-]*|\d[\d,.%]*")
BAND_PREFIX = re.compile(r"\b(low|mid|middle|upper|high)(?:-|\s+)(?:the\s+)?$", re.IGNORECASE)
BAND_THIRDS = {"low": 0, "mid": 1, "middle": 1, "upper": 2, "high": 2}
RANGE_JOIN = re.compile(r"^\s*(?:-|\u2013|/|to)\s*$")
RANGE_AFTER = re.compile(r"^\s*(?:-|\u2013|/)\s*\$?\d")
LEVEL_BEFORE_BOUND = frozenset({
    "trading", "trades", "traded", "trade", "hands", "was", "is", "last", "sat", "sits", "stood", "stands",
    "priced", "currently", "hovering", "hovered", "consolidating", "consolidated",
})
BOUND_WORDS = frozenset({"under", "over", "above", "below", "beneath"})
SOFTENERS = frozenset({"just", "slightly", "well", "comfortably", "a", "bit", "little", "touch", "hair"})
MOVE_LOOKBACK_WORDS = 5
OUTLOOK_LOOKBACK_WORDS = 6


@dataclass(frozen=True)
class Figure:
    """One reported price (or percentage move) and what kind of figure it is; offsets index into the sentence."""

    value_usd: float | None
    text: str
    start: int
    end: int
    kind: str
    direction: str | None
    venue: str | None
    market: str | None
    cue: str | None
    band: tuple[float, float] | None = None
    value_pct: float | None = None
    bound: str | None = None  # "at least" or "at most" for "more than 80%", "almost 10%"


@dataclass(frozen=True)
class _Cues:
    phrases: tuple[tuple[str, str, str | None], ...]  # (phrase, kind, direction), longest first
    down_verbs: frozenset[str]
    up_verbs: frozenset[str]
    soft: frozenset[str]
    fillers: frozenset[str]
    after: frozenset[str]
    outlook: frozenset[str]
    markets: tuple[tuple[str, str], ...]
    amount_after: tuple[str, ...]


@cache
def _cues() -> _Cues:
    data = load_yaml(KINDS_FILE)
    phrases: list[tuple[str, str, str | None]] = []
    side = {"low": "down", "high": "up", "down": "down", "up": "up", "either": None}
    for kind in ("extreme", "level", "threshold"):
        for key, words in data[kind].items():
            if key in side:
                phrases.extend((w.lower(), kind, side[key]) for w in words)
    phrases.sort(key=lambda p: -len(p[0]))
    markets = [(w.lower(), market) for market, words in data["markets"].items() for w in words]
    markets.sort(key=lambda p: -len(p[0]))
    return _Cues(
        phrases=tuple(phrases),
        down_verbs=frozenset(w.lower() for w in data["move_end"]["verbs_down"]),
        up_verbs=frozenset(w.lower() for w in data["move_end"]["verbs_up"]),
        soft=frozenset(data["level"]["soft"]),
        fillers=frozenset(data["fillers"]),
        after=frozenset(data["threshold"]["after"]),
        outlook=frozenset(data["outlook"]["words"]),
        markets=tuple(markets),
        amount_after=tuple(sorted((w.lower() for w in data["amount"]["after"]), key=len, reverse=True)),
    )


def find_prices(sentence: str) -> list[tuple[float, int, int]]:
    """Every USD price in a sentence as (value, start, end); millions and billions are not prices."""
    found = []
    for match in PRICE.finditer(sentence):
        number = match.group("num") or match.group("num2")
        decimals = match.group("dec") or match.group("dec2") or ""
        value = float(number.replace(",", "") + decimals)
        if match.group("k"):
            value *= 1000
        found.append((value, match.start(), match.end()))
    return found


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _ends_with(words: list[str], phrase: str) -> bool:
    parts = phrase.split()
    return len(words) >= len(parts) and words[-len(parts):] == parts


def _verb_direction(words: list[str], cues: _Cues) -> str | None:
    """The direction of the nearest move verb, reading backwards (two-word verbs like "edged up" too)."""
    for i in range(len(words) - 1, -1, -1):
        pair = " ".join(words[i - 1:i + 1]) if i else ""
        if pair in cues.down_verbs:
            return "down"
        if pair in cues.up_verbs:
            return "up"
        if words[i] in cues.down_verbs and words[i] not in ("down", "lower"):
            return "down"
        if words[i] in cues.up_verbs and words[i] not in ("up", "higher"):
            return "up"
    return None


def sentence_direction(sentence: str, start: int, end: int) -> str | None:
    """Which way the sentence says the price moved, from the verbs nearest before (else after) the figure."""
    cues = _cues()
    return _verb_direction(_words(sentence[:start]), cues) or _verb_direction(
        list(reversed(_words(sentence[end:]))), cues)


def _clause_start(sentence: str, start: int, floor: int) -> int:
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(sentence, floor, start)]
    return max([floor, *breaks])


def _is_outlook(before_words: list[str], cues: _Cues) -> bool:
    window = before_words[-OUTLOOK_LOOKBACK_WORDS:]
    for i, word in enumerate(window):
        if word not in cues.outlook:
            continue
        following = window[i + 1] if i + 1 < len(window) else ""
        if word == "may" and following[:1].isdigit():
            continue  # the month, not the modal
        return True
    return False


def _match_cue(words: list[str], segment_is_to: bool, previous_cue: str | None,
               cues: _Cues) -> tuple[str, str | None, str] | None:
    """(kind, direction, cue) from the words before a figure, stripping fillers one by one."""
    soft_seen = None
    words = list(words)
    while words:
        for phrase, kind, direction in cues.phrases:
            if _ends_with(words, phrase):
                if phrase in BOUND_WORDS and _level_before(words[:-1]):
                    return "level", None, f"{_level_before(words[:-1])} ... {phrase}"
                return kind, direction, phrase
        if words[-1] == "to":
            if segment_is_to and previous_cue == "from":
                return "move_end", None, "from ... to"
            lookback = words[-1 - MOVE_LOOKBACK_WORDS:-1]
            direction = _verb_direction(lookback, cues)
            if direction:
                return "move_end", direction, f"{_nearest_verb(lookback, cues)} ... to"
        if words[-1] in cues.fillers:
            if words[-1] in cues.soft and soft_seen is None:
                soft_seen = words[-1]
            words.pop()
            continue
        break
    if soft_seen:
        return "level", None, soft_seen
    return None


def _level_before(words: list[str]) -> str | None:
    """The trading verb before a bound word ("trading just under"), skipping softeners."""
    words = list(words)
    while words and words[-1] in SOFTENERS:
        words.pop()
    return words[-1] if words and words[-1] in LEVEL_BEFORE_BOUND else None


def band_of(sentence: str, start: int, end: int, value: float) -> tuple[float, float] | None:
    """The prices a band like "$27,000s" or "the mid-$27,000s" stands for, or None for a plain price."""
    if not sentence[start:end].endswith("s"):
        return None
    digits = str(int(value))
    width = 10 ** (len(digits) - len(digits.rstrip("0"))) if value >= 10 else 1
    prefix = BAND_PREFIX.search(sentence[max(0, start - 12):start])
    if prefix:
        third = BAND_THIRDS[prefix.group(1).lower()]
        return value + width * third / 3, value + width * (third + 1) / 3
    return value, value + width


def _is_range(sentence: str, start: int, end: int, previous: list[tuple[int, int]], previous_cue: str | None
              ) -> bool:
    """Two prices joined as a range ("$26,500-$27,000", "$25,200-400"), not the "from ... to" of a move."""
    if RANGE_AFTER.match(sentence[end:]):
        return True
    if previous and RANGE_JOIN.match(sentence[previous[-1][1]:start]):
        return previous_cue != "from" and not sentence[previous[-1][1]:start].strip() == "to"
    follow = re.match(r"\s*to\s*\$\d[\d,.]*[kK]?s?\s+(?:range|area|region|zone|band)\b", sentence[end:])
    if follow and _words(sentence[:start])[-1:] != ["from"]:
        return True
    after_previous = previous and sentence[previous[-1][1]:start].strip() == "to"
    return bool(after_previous and re.match(r"\s*(?:range|area|region|zone|band)\b", sentence[end:])
                and previous_cue != "from")


def _is_amount(sentence: str, end: int, cues: _Cues) -> bool:
    after = " ".join(sentence[end:end + 40].lower().split())
    return any(after.startswith(phrase) for phrase in cues.amount_after)


def _nearest_verb(words: list[str], cues: _Cues) -> str:
    return next((w for w in reversed(words) if w in cues.down_verbs or w in cues.up_verbs), "")


def _nearest(sentence: str, pattern: re.Pattern, start: int, end: int, lo: int, hi: int
             ) -> tuple[re.Match | None, int | None]:
    best, best_distance = None, None
    for match in pattern.finditer(sentence, lo, hi):
        distance = match.start() - end if match.start() >= end else start - match.end()
        if best_distance is None or distance < best_distance:
            best, best_distance = match, distance
    return best, best_distance


@cache
def _venue_patterns() -> tuple[tuple[re.Pattern, dict[str, str]], ...]:
    """One pattern for aliases matched without case, one for those matched exactly ("Gemini")."""
    out = []
    for flags, pairs in ((re.IGNORECASE, [(a.lower(), v.id) for v in venues() for a in v.aliases]),
                         (0, [(a, v.id) for v in venues() for a in v.case_sensitive])):
        mapping = dict(pairs)
        if not mapping:
            continue
        names = sorted({a for a, _ in pairs}, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w])", flags)
        out.append((pattern, mapping))
    return tuple(out)


@cache
def _market_pattern() -> tuple[re.Pattern, dict[str, str]]:
    word_to_market = dict(_cues().markets)
    names = sorted(word_to_market, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE), word_to_market


def detect_venue(sentence: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The venue (exchange id) and market named nearest to a figure: between its neighbours first."""
    prices = find_prices(sentence)
    lo = max([e for _, _, e in prices if e <= start], default=0)
    hi = min([s for _, s, _ in prices if s >= end], default=len(sentence))
    if stop := CLAUSE_AFTER.search(sentence, end, hi):
        hi = stop.start()
    market_re, word_to_market = _market_pattern()
    found: dict[str, str | None] = {"venue": None, "market": None}
    best: tuple[int, int] | None = None
    for pattern, mapping in _venue_patterns():
        for region, rank in (((lo, hi), 0), ((0, len(sentence)), 1)):
            match, distance = _nearest(sentence, pattern, start, end, *region)
            if match is not None:
                key = mapping.get(match.group(1).lower(), mapping.get(match.group(1)))
                if best is None or (rank, distance) < best:
                    best, found["venue"] = (rank, distance), key
                break
    match, _ = _nearest(sentence, market_re, start, end, lo, hi)
    if match is None:
        match, _ = _nearest(sentence, market_re, start, end, 0, len(sentence))
    found["market"] = word_to_market[match.group(1).lower()] if match else None
    if found["market"] is None and found["venue"]:
        found["market"] = venue(found["venue"]).market
    return found["venue"], found["market"]


def type_figure(sentence: str, start: int, end: int) -> Figure:
    """Type the price at sentence[start:end]: kind, direction, venue and market, from the sentence alone."""
    cues = _cues()
    prices = find_prices(sentence)
    value = next((v for v, s, _ in prices if s == start), None)
    if value is None:
        parsed = find_prices(sentence[start:end])
        if not parsed:
            raise ValueError(f"no price at {start}:{end} in {sentence!r}")
        value = parsed[0][0]
    previous = [(s, e) for _, s, e in prices if e <= start]
    floor = previous[-1][1] if previous else 0
    clause = _clause_start(sentence, start, floor)
    segment = sentence[clause:start]
    before_words = _words(sentence[_clause_start(sentence, start, 0):start])
    previous_cue = None
    if previous:
        prev_words = _words(sentence[_clause_start(sentence, previous[-1][0], 0):previous[-1][0]])
        previous_cue = "from" if prev_words[-1:] == ["from"] else None
    found = _match_cue(_words(segment), _words(segment) == ["to"], previous_cue, cues)
    after_words = _words(sentence[end:end + 30])
    if found is None and after_words[:1] and after_words[0] in cues.after:
        found = ("threshold", None, f"the ... {after_words[0]}")
    if _is_outlook(before_words, cues) and (found is None or found[0] != "level" or found[2] != "from"):
        found = ("outlook", None, "outlook")
    if _is_range(sentence, start, end, previous, previous_cue):
        found = ("range", None, "range")
    if _is_amount(sentence, end, cues):
        found = ("amount", None, "amount")
    kind, direction, cue = found or ("level", None, None)
    if direction is None and kind in ("extreme", "move_end", "threshold"):
        direction = sentence_direction(sentence, start, end)
    where, market = detect_venue(sentence, start, end)
    return Figure(value_usd=value, text=sentence[start:end], start=start, end=end, kind=kind,
                  direction=direction, venue=where, market=market, cue=cue,
                  band=band_of(sentence, start, end, value))


def find_percentages(sentence: str) -> list[tuple[float, int, int]]:
    """Every percentage of a sentence as (value, start, end), unsigned."""
    return [(float(m.group("num").replace(",", "") + (m.group("dec") or "")), m.start(), m.end())
            for m in PERCENT.finditer(sentence)]


def type_percentage(sentence: str, start: int, end: int) -> Figure:
    """A percentage move ("fell 12%"): signed by the sentence's verbs; `outlook` when it is a forecast."""
    parsed = find_percentages(sentence[start:end])
    if not parsed:
        raise ValueError(f"no percentage at {start}:{end} in {sentence!r}")
    before_words = [w for w in _words(sentence[max(0, start - 40):start]) if w not in PCT_SOFTENERS]
    direction = ({"down": "down", "lower": "down", "up": "up", "higher": "up"}.get(before_words[-1])
                 if before_words else None) or sentence_direction(sentence, start, end)
    kind = "outlook" if _is_outlook(_words(sentence[_clause_start(sentence, start, 0):start]), _cues()) else "pct"
    if kind == "pct" and RELATIVE_AFTER.match(sentence[end:]):
        kind = "relative"
    before = sentence[max(0, start - 25):start]
    bound = "at least" if AT_LEAST.search(before) else "at most" if AT_MOST.search(before) else None
    value = -parsed[0][0] if direction == "down" else parsed[0][0]
    where, market = detect_venue(sentence, start, end)
    return Figure(value_usd=None, text=sentence[start:end], start=start, end=end, kind=kind, direction=direction,
                  venue=where, market=market, cue=bound, value_pct=value, bound=bound)


def type_figures(sentence: str) -> list[Figure]:
    """Every price in a sentence, typed."""
    return [type_figure(sentence, s, e) for _, s, e in find_prices(sentence)]
