import pytest

from extractor.nlp.amounts import find_amounts


@pytest.mark.parametrize(
    "text,expected",
    [
        ("More than $1.2 billion of positions", [("More than $1.2 billion", 1.2e9, "money", "USD", "more than")]),
        ("a loss of $1.2bn", [("$1.2bn", 1.2e9, "money", "USD", None)]),
        ("US$950m changed hands", [("US$950m", 9.5e8, "money", "USD", None)]),
        ("bitcoin at $58,000", [("$58,000", 58000, "money", "USD", None)]),
        ("tops $58K", [("$58K", 58000, "money", "USD", None)]),
        ("back to 58k", [("58k", 58000, "number", None, None)]),
        ("to 14 cents", [("14 cents", 0.14, "money", "USD", None)]),
        ("10 billion dollars of bets", [("10 billion dollars", 1e10, "money", "USD", None)]),
        ("over 80% of trades", [("over 80%", 80, "percent", None, "over")]),
        ("fell 11 per cent", [("11 per cent", 11, "percent", None, None)]),
        ("€500 million in bonds", [("€500 million", 5e8, "money", "EUR", None)]),
        ("¥2 billion of yen", [("¥2 billion", 2e9, "money", "JPY", None)]),
        ("£40m raised", [("£40m", 4e7, "money", "GBP", None)]),
        ("300 million euros", [("300 million euros", 3e8, "money", "EUR", None)]),
        ("HK$3 billion", [("HK$3 billion", 3e9, "money", "HKD", None)]),
        ("as low as $29,000", [("as low as $29,000", 29000, "money", "USD", "as low as")]),
        ("from $3,350 to $2,980", [("$3,350", 3350, "money", "USD", None), ("$2,980", 2980, "money", "USD", None)]),
    ],
)
def test_amounts(text, expected):
    found = [(a.text, a.value, a.kind, a.currency, a.qualifier) for a in find_amounts(text)]
    assert [(t, pytest.approx(v), k, c, q) for t, v, k, c, q in expected] == found


def test_range_keeps_upper_bound():
    (amount,) = find_amounts("between $1.1-1.3 billion")
    assert (amount.value, amount.upper) == (pytest.approx(1.1e9), pytest.approx(1.3e9))


def test_offsets_slice_the_text():
    text = "Longs lost $940 million while shorts lost about $260 million; ether fell 4.5%."
    for amount in find_amounts(text):
        assert text[amount.start:amount.end] == amount.text


def test_usd_only_for_dollars():
    usd = [a.usd for a in find_amounts("$5 million and €5 million and 5%")]
    assert usd == [5e6, None, None]
