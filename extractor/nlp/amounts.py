"""Money amounts, percentages and bare price figures found by regular expressions over the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
QUALIFIER = (
    r"(?:as low as|as high as|as far as|more than|over|nearly|almost|about|around|roughly|approximately|approx\.|some|"
    r"close to|at least|"
    r"up to|as much as|as little as|less than|under|just over|just under|an estimated|upwards of|"
    r"in excess of|north of|well over|a total of|a combined|a further|another|an additional)"
)
MULTIPLIERS = {
    "trillion": 1e12, "tn": 1e12, "t": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "bln": 1e9,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "mm": 1e6, "thousand": 1e3, "k": 1e3,
}
PREFIX_CURRENCIES = {
    "us$": "USD", "u.s.$": "USD", "$": "USD", "usd": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD",
    "ca$": "CAD", "hk$": "HKD", "nz$": "NZD", "s$": "SGD", "r$": "BRL", "€": "EUR", "eur": "EUR", "£": "GBP",
    "gbp": "GBP", "¥": "JPY", "jpy": "JPY", "cny": "CNY", "₩": "KRW", "krw": "KRW", "₹": "INR", "inr": "INR",
    "aud": "AUD", "cad": "CAD", "chf": "CHF",
}
SUFFIX_CURRENCIES = {
    "dollars": "USD", "dollar": "USD", "usd": "USD", "us dollars": "USD", "usdt": "USD", "usdc": "USD",
    "euros": "EUR", "euro": "EUR", "eur": "EUR", "pounds": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    "gbp": "GBP", "yen": "JPY", "jpy": "JPY", "won": "KRW", "krw": "KRW", "rupees": "INR", "yuan": "CNY",
    "renminbi": "CNY", "swiss francs": "CHF", "francs": "CHF", "reais": "BRL", "rubles": "RUB", "roubles": "RUB",
    "lira": "TRY", "australian dollars": "AUD", "canadian dollars": "CAD", "hong kong dollars": "HKD",
    "singapore dollars": "SGD",
}
_prefix = "|".join(sorted((re.escape(k) for k in PREFIX_CURRENCIES), key=len, reverse=True))
_suffix = "|".join(sorted((re.escape(k) for k in SUFFIX_CURRENCIES), key=len, reverse=True))
_mult_word = r"trillion|billion|million|thousand|tn|bn|bln|mn|mln"  # may stand after a space: "US$38 mln"
_mult_abbr = r"tn|bn|bln|mn|mln|mm|[tbmk]"

MONEY_PREFIXED = re.compile(
    rf"(?<![A-Za-z])(?P<cur>{_prefix})\s?(?P<num>{NUM})"
    rf"(?:\s?(?:-|–)\s?(?:{_prefix})?\s?(?P<num2>{NUM}))?"
    rf"(?:\s?(?P<mult>{_mult_word})\b|(?P<abbr>{_mult_abbr})\b)?"
    rf"(?:\s(?P<cur2>{_suffix})\b)?",
    re.IGNORECASE,
)
MONEY_SUFFIXED = re.compile(
    rf"(?<![\w$.,])(?P<num>{NUM})"
    rf"(?:\s?(?:-|–)\s?(?P<num2>{NUM}))?"
    rf"(?:\s?(?P<mult>{_mult_word})\b|(?P<abbr>{_mult_abbr})\b)?\s(?P<cur2>{_suffix})\b",
    re.IGNORECASE,
)
CENTS = re.compile(rf"(?<![\w$.])(?P<num>{NUM})\s?(?:cents?|¢)(?!\w)", re.IGNORECASE)
PERCENT = re.compile(
    rf"(?<![\w.])(?P<num>[-+−]?{NUM})"
    rf"(?:\s?(?:-|–)\s?(?P<num2>{NUM}))?\s?(?:%|per\s?cent\b|percent\b|pct\b|percentage points?\b)",
    re.IGNORECASE,
)
UNITS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
         "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
FRACTION_WORDS = {"half a": 0.5, "a quarter of a": 0.25}
_unit = "|".join(sorted(UNITS, key=len, reverse=True))
WORD_MONEY = re.compile(
    rf"\b(?P<num>half a|a quarter of a|(?:{_unit})(?:[\s-]+(?:{_unit}))?(?:\s+hundred)?)"
    r"\s+(?P<mult>trillion|billion|million)\s+(?P<cur2>dollars|usd|euros|pounds|yen)\b",
    re.IGNORECASE,
)
QUALIFIED = re.compile(rf"\b({QUALIFIER})\s+$", re.IGNORECASE)
FRACTIONS = {"half": 50.0, "a third": 100 / 3, "a quarter": 25.0, "two-thirds": 200 / 3, "two thirds": 200 / 3,
             "three-quarters": 75.0, "three quarters": 75.0}
FRACTION_OF_VALUE = re.compile(
    r"\b(?P<num>half|a third|a quarter|two-thirds|two thirds|three-quarters|three quarters)\s+(?:of\s+)?"
    r"(?:its|their|the token's|the coin's)\s+value\b",
    re.IGNORECASE,
)
BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
BARE = re.compile(r"(?<![\w$.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?P<abbr>k)\b)", re.IGNORECASE)


@dataclass
class Amount:
    """A figure in the text: money, a percentage or a bare number, with its character offsets."""

    start: int
    end: int
    text: str
    value: float
    kind: str  # "money", "percent" or "number"
    currency: str | None = None
    qualifier: str | None = None
    scaled: bool = False
    upper: float | None = None

    @property
    def usd(self) -> float | None:
        """The value in US dollars, or None for other currencies and non-money figures."""
        return self.value if self.kind == "money" and self.currency == "USD" else None


def to_float(text: str) -> float:
    """'1,234.5' -> 1234.5 (a leading unicode minus counts)."""
    return float(text.replace(",", "").replace("−", "-"))


def _scale(match: re.Match) -> tuple[float, bool]:
    word = match.group("mult") or match.group("abbr")
    if not word:
        return 1.0, False
    return MULTIPLIERS[word.lower()], True


def _money(match: re.Match, prefixed: bool) -> Amount | None:
    scale, scaled = _scale(match)
    abbr = match.group("abbr")
    if abbr and abbr.lower() == "t" and not prefixed:
        return None
    if prefixed:
        currency = PREFIX_CURRENCIES[match.group("cur").lower().replace(" ", "")]
        if match.group("cur2"):
            currency = SUFFIX_CURRENCIES[match.group("cur2").lower()]
    else:
        currency = SUFFIX_CURRENCIES[match.group("cur2").lower()]
    value = to_float(match.group("num")) * scale
    upper = to_float(match.group("num2")) * scale if match.group("num2") else None
    start = match.start("cur" if prefixed else "num")
    return Amount(start, match.end(), match.group(0)[start - match.start():], value, "money", currency,
                  None, scaled, upper)


def word_number(words: str) -> float:
    """'three hundred' -> 300, 'twenty five' -> 25, 'half a' -> 0.5."""
    words = words.lower()
    if words in FRACTION_WORDS:
        return FRACTION_WORDS[words]
    parts = words.replace("-", " ").split()
    hundred = parts[-1] == "hundred"
    if hundred:
        parts = parts[:-1]
    value = sum(UNITS.get(p, 0) for p in parts) or 1
    return value * 100 if hundred else value


def qualify(text: str, amount: Amount) -> Amount:
    """Take in a qualifier just before the figure ("more than $10 billion")."""
    m = QUALIFIED.search(text, max(0, amount.start - 40), amount.start)
    if m is None:
        return amount
    amount.qualifier = m.group(1).lower()
    amount.start = m.start()
    amount.text = text[amount.start:amount.end]
    return amount


def find_amounts(text: str) -> list[Amount]:
    """Every figure in the text, left to right, with overlapping matches resolved to the first found."""
    found: list[Amount] = []
    taken: set[int] = set()

    def add(amount: Amount | None) -> None:
        if amount is None:
            return
        if not any(i in taken for i in range(amount.start, amount.end)):
            amount = qualify(text, amount)
            found.append(amount)
            taken.update(range(amount.start, amount.end))

    lowered = text.lower()
    if "$" in text or "€" in text or "£" in text or "¥" in text or "₩" in text or "₹" in text or "usd" in lowered:
        for m in MONEY_PREFIXED.finditer(text):
            add(_money(m, prefixed=True))
    for m in MONEY_SUFFIXED.finditer(text):
        add(_money(m, prefixed=False))
    if "illion" in lowered:
        for m in WORD_MONEY.finditer(text):
            value = word_number(m.group("num")) * MULTIPLIERS[m.group("mult").lower()]
            add(Amount(m.start(), m.end(), m.group(0), value, "money", SUFFIX_CURRENCIES[m.group("cur2").lower()],
                       None, True))
    if "cent" in lowered or "¢" in text:
        for m in CENTS.finditer(text):
            add(Amount(m.start(), m.end(), m.group(0), to_float(m.group("num")) / 100, "money", "USD"))
    if "%" in text or "per" in lowered or "pct" in lowered:
        for m in PERCENT.finditer(text):
            upper = to_float(m.group("num2")) if m.group("num2") else None
            add(Amount(m.start(), m.end(), m.group(0), to_float(m.group("num")), "percent", None, None, False,
                       upper))
    if "value" in lowered:
        # "lost half its value": a share of the price, as a percentage
        for m in FRACTION_OF_VALUE.finditer(text):
            add(Amount(m.start(), m.end(), m.group(0), FRACTIONS[m.group("num").lower()], "percent"))
    for m in BARE.finditer(text):
        scale = 1e3 if m.group("abbr") else 1.0
        number = m.group("num")[:-1] if m.group("abbr") else m.group("num")
        add(Amount(m.start(), m.end(), m.group(0), to_float(number) * scale, "number", None, None, bool(scale > 1)))
    found.sort(key=lambda a: a.start)
    return join_between(text, found)


def join_between(text: str, found: list[Amount]) -> list[Amount]:
    """ "between $1.1 billion and $1.3 billion" is one figure with an upper bound."""
    out: list[Amount] = []
    for amount in found:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == amount.kind and prev.currency == amount.currency
                and text[prev.end:amount.start].strip().lower() == "and"
                and BETWEEN.search(text[max(0, prev.start - 12):prev.start])):
            out[-1] = Amount(prev.start, amount.end, text[prev.start:amount.end], prev.value, prev.kind,
                             prev.currency, prev.qualifier or "between", prev.scaled, amount.value)
            continue
        out.append(amount)
    return out


if not Doc.has_extension("amounts"):
    Doc.set_extension("amounts", default=None)


@Language.factory("crypto_amounts")
def make_amounts(nlp: Language, name: str):
    """Attach every money figure, percentage and bare number to `doc._.amounts`."""

    def component(doc: Doc) -> Doc:
        text = doc.user_data.get("text") or doc.text
        doc._.amounts = find_amounts(text) if any(c.isdigit() for c in text) or "illion" in text else []
        return doc

    return component
