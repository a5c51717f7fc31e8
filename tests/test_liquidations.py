import pytest

from extractor.nlp.pipeline import analyse_text


def liqs(nlp, text):
    return [(x["amount_usd"], x["side"], x["exchange"], x["asset"]) for x in analyse_text(nlp, text)["liquidations"]]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Traders saw $730 million of positions liquidated on Thursday.", [(730_000_000, "total", None, None)]),
        ("Roughly $2.1bn in leveraged longs were wiped out overnight.", [(2_100_000_000, "long", None, None)]),
        ("Short sellers were hit hardest, with $310 million of shorts liquidated.",
         [(310_000_000, "short", None, None)]),
        ("Liquidations of ether futures reached $150 million.", [(150_000_000, "total", None, "ETH")]),
        ("About $44 million of bitcoin longs were liquidated on Bybit.", [(44_000_000, "long", "Bybit", "BTC")]),
        ("Open interest fell by $2 billion as $400 million of positions were liquidated.",
         [(400_000_000, "total", None, None)]),
        ("Some €90 million of positions were liquidated in Europe.", []),
        ("Bitcoin fell to $41,000, liquidating $120 million of longs.", [(120_000_000, "long", None, "BTC")]),
    ],
)
def test_single_sentence(nlp, text, expected):
    assert liqs(nlp, text) == expected


def test_enumeration_and_continuation(nlp):
    text = (
        "Cascade hits derivatives\n\n"
        "More than $900 million of leveraged positions were liquidated in a day. "
        "Longs accounted for $700 million of the total, while shorts made up $200 million. "
        "OKX led with $250 million, followed by Bybit with $180 million and Bitget with $60 million."
    )
    assert liqs(nlp, text) == [
        (900_000_000, "total", None, None),
        (700_000_000, "long", None, None),
        (200_000_000, "short", None, None),
        (250_000_000, "total", "OKX", None),
        (180_000_000, "total", "Bybit", None),
        (60_000_000, "total", "Bitget", None),
    ]


def test_no_continuation_across_paragraphs(nlp):
    text = "Title\n\n$300 million of longs were liquidated.\n\nETF inflows reached $500 million, led by longs."
    assert [x[0] for x in liqs(nlp, text)] == [300_000_000]


def test_headline_figure_repeated_in_body_counts_once(nlp):
    text = "$640M LIQUIDATED AS BITCOIN SLUMPS\n\nAbout $640 million of positions were liquidated on Friday."
    result = analyse_text(nlp, text)["liquidations"]
    assert [(x["amount_usd"], x["headline"]) for x in result] == [(640_000_000, False)]


def test_headline_figure_alone_is_kept(nlp):
    text = "SHORT SQUEEZE LIQUIDATES $420M\n\nBitcoin surged past $70,000 on Monday."
    assert [(x["amount_usd"], x["headline"]) for x in analyse_text(nlp, text)["liquidations"]] == [
        (420_000_000, True)
    ]


def test_offsets_and_time_phrase(nlp):
    text = "Headline\n\nOn Sunday, $1.5 billion of longs were liquidated across exchanges."
    (x,) = analyse_text(nlp, text)["liquidations"]
    assert text[x["start"]:x["end"]] == x["text"]
    assert x["time_phrase"] == "On Sunday"
    assert x["qualifier"] is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("About US$38 mln of short positions in XRP futures were liquidated.", [(38_000_000, "short", None, "XRP")]),
        ("Liquidations came to USD 480 mln on Tuesday.", [(480_000_000, "total", None, None)]),
        ("wrap\nliquidations came to more than three hundred million dollars over  hours",
         [(300_000_000, "total", None, None)]),
        ("wrap\nbitcoin slid  to  its lowest in monthsliquidations came to half a billion dollars",
         [(500_000_000, "total", None, None)]),
    ],
)
def test_abbreviations_words_and_glued_text(nlp, text, expected):
    assert liqs(nlp, text) == expected


def test_continuation_cues(nlp):
    text = ("T\n\nAbout $400 million of positions were liquidated. Binance led with $200 million. "
            "OKX followed with $87 million, and Bybit took the largest hit among smaller venues, at $50 million.")
    assert [(x[0], x[2]) for x in liqs(nlp, text)] == [
        (400_000_000, None), (200_000_000, "Binance"), (87_000_000, "OKX"), (50_000_000, "Bybit")
    ]
