import pytest

from extractor.nlp.pipeline import analyse_text


def moves(nlp, text):
    return [
        (m["asset"], m["direction"], m["from_usd"], m["to_usd"], m["pct"])
        for m in analyse_text(nlp, text)["price_moves"]
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Bitcoin fell from $64,000 to $57,500 on Sunday.", [("BTC", "down", 64000, 57500, None)]),
        ("Ether jumped 7.5% to $3,910.", [("ETH", "up", None, 3910, 7.5)]),
        ("Solana was dipping 4.1% to $141 in Asian hours.", [("SOL", "down", None, 141, -4.1)]),
        ("XRP gained 9%.", [("XRP", "up", None, None, 9)]),
        ("Dogecoin slid 12 per cent to 9 cents.", [("DOGE", "down", None, 0.09, -12)]),
        ("Bitcoin dropped sharply late on Friday.", [("BTC", "down", None, None, None)]),
        ("BTC is down 3% over the past 24 hours.", [("BTC", "down", None, None, -3)]),
        ("Cardano rose 5% while Polkadot lost 2%.", [("ADA", "up", None, None, 5), ("DOT", "down", None, None, -2)]),
        ("Bitcoin slipped below $60,000 for the first time since May.", [("BTC", "down", None, 60000, None)]),
        ("Ether fell as low as $2,100 before recovering.", [("ETH", "down", None, 2100, None)]),
        ("Bitcoin broke below $28,000.", [("BTC", "down", None, 28000, None)]),
    ],
)
def test_moves(nlp, text, expected):
    assert moves(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bitcoin was little changed at $43,900.",
        "Analysts say bitcoin could fall to $50,000 if support breaks.",
        "Bitcoin is expected to rise further this year.",
        "The weekend plunge hurt bitcoin bulls.",
        "Bitcoin miners' shares fell 10% on Monday.",
        "The bitcoin rally stalled.",
        "Coinbase shares dropped 6%.",
        "“Bitcoin could drop 20% from here,” said one trader.",
    ],
)
def test_not_moves(nlp, text):
    assert moves(nlp, text) == []


def test_two_verbs_of_one_move_merge(nlp):
    text = "Ether tumbled 9% on Wednesday, sliding from $2,450 to $2,230 within hours."
    assert moves(nlp, text) == [("ETH", "down", 2450, 2230, -9)]


def test_figure_kinds_and_offsets(nlp):
    text = "Headline\n\nBitcoin rose from $61,000 to a high of $66,500 on Tuesday."
    (m,) = analyse_text(nlp, text)["price_moves"]
    assert [f["kind"] for f in m["figures"]] == ["move_start", "extreme"]
    assert text[m["start"]:m["end"]] == m["text"] == "Bitcoin rose from $61,000 to a high of $66,500"
    assert m["time_phrase"] == "on Tuesday"


def test_headline_move_repeated_in_body_counts_once(nlp):
    text = "Ether tumbles 9% in early trade\n\nEther tumbled 9% to $2,230 on Wednesday."
    result = analyse_text(nlp, text)["price_moves"]
    assert [(m["to_usd"], m["headline"]) for m in result] == [(2230, False)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Litecoin, ether and solana fell 3%, 5% and 8% respectively.",
         [("LTC", "down", None, None, -3), ("ETH", "down", None, None, -5), ("SOL", "down", None, None, -8)]),
        ("Cardano and XRP each gained about 6%.", [("ADA", "up", None, None, 6), ("XRP", "up", None, None, 6)]),
        ("This week ether has risen 21%, solana 34% and dogecoin 40%.",
         [("ETH", "up", None, None, 21), ("SOL", "up", None, None, 34), ("DOGE", "up", None, None, 40)]),
        ("Bitcoin opened at $90,100. By noon it had fallen 4% to $86,500.", [("BTC", "down", None, 86500, -4)]),
        ("Ether lagged behind bitcoin, falling 6% to $3,010.", [("ETH", "down", None, 3010, -6)]),
        ("Bitcoin, which had been flat all week, jumped 5% to $71,000.", [("BTC", "up", None, 71000, 5)]),
        ("Bitcoin rose 2.1% to 15.4 million yen on bitFlyer.", [("BTC", "up", None, None, 2.1)]),
        ("Bitcoin futures open interest fell to $19 billion from $22 billion.", []),
    ],
)
def test_shared_and_implicit_subjects(nlp, text, expected):
    assert moves(nlp, text) == expected


def test_numeric_headline_merges_into_a_bare_body_move(nlp):
    text = "SOLANA JUMPS 15% TO $210\n\nSolana surged on Thursday as traders piled in."
    result = analyse_text(nlp, text)["price_moves"]
    assert [(m["asset"], m["to_usd"], m["pct"], m["headline"], m["text"]) for m in result] == [
        ("SOL", 210, 15, False, "Solana surged")
    ]


def test_headline_level_crossed(nlp):
    assert moves(nlp, "Bitcoin tops $100K for the first time") == [("BTC", "up", None, 100000, None)]


def test_from_and_to_around_threshold_words(nlp):
    text = "Bitcoin has since reversed, dropping from above $28,000 to under $27,000."
    (m,) = analyse_text(nlp, text)["price_moves"]
    assert (m["from_usd"], m["to_usd"], [f["kind"] for f in m["figures"]]) == (28000, 27000, ["move_start", "move_end"])


def test_reference_level_after_versus_is_not_the_move(nlp):
    assert moves(nlp, "Bitcoin is down over 15% versus its yearly highs above $31,000.") == [
        ("BTC", "down", None, None, -15)
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Traders blamed a 12% drop in ether on the upgrade delay.", [("ETH", "down", None, None, -12)]),
        ("Bitcoin's 8% rally caught shorts off guard.", [("BTC", "up", None, None, 8)]),
        ("A 3% gain in the S&P 500 helped sentiment.", []),
    ],
)
def test_moves_told_as_nouns(nlp, text, expected):
    assert moves(nlp, text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Bitcoin opened at $90,000. The largest cryptocurrency by market value was down 6% by noon.",
         [("BTC", "down", None, None, -6)]),
        ("Bitcoin is up 18% on the week and has climbed 35% since the election.",
         [("BTC", "up", None, None, 18), ("BTC", "up", None, None, 35)]),
        ("Luna traded at $80 on Monday. The token has lost roughly half its value in two days.",
         [("LUNA", "down", None, None, -50)]),
    ],
)
def test_second_predicates_descriptions_and_fractions(nlp, text, expected):
    assert moves(nlp, text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("wrap\nbitcoin is up  on the week", [("BTC", "up", None, None, None)]),
        ("wrap\nether the secondlargest cryptocurrency rose  to  while xrp slid ",
         [("ETH", "up", None, None, None), ("XRP", "down", None, None, None)]),
        ("wrap\nbitcoin is currently trading near  – up  from sundays low", []),
    ],
)
def test_normalised_text_moves_without_digits(nlp, text, expected):
    assert moves(nlp, text) == expected


def test_ambiguous_name_unmade_by_the_word_after_it(nlp):
    assert moves(nlp, "Avalanche fell 3% to $29.90.") == [("AVAX", "down", None, 29.9, -3)]
    assert moves(nlp, "An avalanche of sell orders fell on the market.") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("wrap\nin asia bitcoin had recovered to “funding was hot” said a trader", [("BTC", "up", None, None, None)]),
        ("wrap\nether dropped  to  and solana lost “i bought the dip” said a trader",
         [("ETH", "down", None, None, None), ("SOL", "down", None, None, None)]),
    ],
)
def test_normalised_figures_stripped_before_a_quote(nlp, text, expected):
    assert moves(nlp, text) == expected
