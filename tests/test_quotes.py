import pytest

from extractor.nlp.pipeline import analyse_text
from extractor.nlp.quotes import find_passages


def quotes(nlp, text):
    return [(q["speaker"], q["title"], q["org"], q["text"]) for q in analyse_text(nlp, text)["quotes"]]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            '"Leverage got ahead of spot demand," said Hana Sato, head of derivatives at Kestrel Labs.',
            [("Hana Sato", "head of derivatives", "Kestrel Labs", "Leverage got ahead of spot demand")],
        ),
        (
            "Omar Reyes, a senior strategist at Tidewater Securities, said: “Funding has flipped negative.”",
            [("Omar Reyes", "senior strategist", "Tidewater Securities", "Funding has flipped negative.")],
        ),
        (
            "“The bid came back fast,” Lena Fischer told CoinDesk in a Telegram chat.",
            [("Lena Fischer", None, None, "The bid came back fast")],
        ),
        (
            "“We are watching the basis closely,” wrote trader Malik Osei of Harbor Row in a tweet.",
            [("Malik Osei", "trader", "Harbor Row", "We are watching the basis closely")],
        ),
        (
            "“The market is healthier now,” Greyfield Capital analyst Sofia Marin said.",
            [("Sofia Marin", "analyst", "Greyfield Capital", "The market is healthier now")],
        ),
        (
            "“We have paused withdrawals for maintenance,” Kraken said in a statement.",
            [],
        ),
        ("Some traders called it a “capitulation candle” on social media.", []),
    ],
)
def test_attribution_shapes(nlp, text, expected):
    assert quotes(nlp, text) == expected


def test_pronoun_resolves_to_person_introduced_before(nlp):
    text = (
        "Title\n\n"
        "Dmitri Volkov, a partner at Ninefold Ventures, told clients that open interest had halved. "
        "“This looks like a reset, not a top,” he said."
    )
    expected = [("Dmitri Volkov", "partner", "Ninefold Ventures", "This looks like a reset, not a top")]
    assert quotes(nlp, text) == expected


def test_surname_resolves_to_full_name(nlp):
    text = (
        "Title\n\nGrace Obuya, chief executive of Lumen Exchange, spoke on Tuesday.\n\n"
        "“Volumes doubled overnight,” Obuya said."
    )
    assert quotes(nlp, text) == [("Grace Obuya", "chief executive", "Lumen Exchange", "Volumes doubled overnight")]


def test_one_passage_over_paragraphs_is_one_quote(nlp):
    text = (
        "Title\n\n"
        "“The first leg down was forced selling,” said Ana Lima, an analyst at Quarry Research. "
        "“The second leg was people choosing to sell.\n\n"
        "“That is a different market.”\n\nBitcoin recovered later."
    )
    result = quotes(nlp, text)
    assert [q[3] for q in result] == [
        "The first leg down was forced selling",
        "The second leg was people choosing to sell.\n\n“That is a different market.",
    ]


def test_normalised_text(nlp):
    text = (
        "markets calm after the flush\n"
        "“funding reset and that was healthy” rosa delgado head of research at pinecone digital told reporters "
        "“the next move depends on spot buyers”"
    )
    assert quotes(nlp, text) == [
        ("Rosa Delgado", "head of research", "Pinecone Digital", "funding reset and that was healthy"),
        ("Rosa Delgado", "head of research", "Pinecone Digital", "the next move depends on spot buyers"),
    ]


def test_offsets_slice_the_text(nlp):
    text = "T\n\n“Spot led the bounce,” said Ivo Petrov, a trader at Brightwater."
    (q,) = analyse_text(nlp, text)["quotes"]
    assert text[q["start"]:q["end"]] == q["text"]


@pytest.mark.parametrize(
    "text",
    ['He said "unclosed', "“never closed\n\nnext paragraph", "” stray closer “", '"""', "‘’’‘", "“”"],
)
def test_unbalanced_marks_never_crash(nlp, text):
    analyse_text(nlp, text)
    for p in find_passages(text):
        assert 0 <= p.inner_start <= p.inner_end <= len(text)


def test_straight_single_quotes(nlp):
    text = "T\n\n'Spot buyers are back,' said Nora Quist, an analyst at Fjord Research. Traders' books were thin."
    assert quotes(nlp, text) == [("Nora Quist", "analyst", "Fjord Research", "Spot buyers are back")]


def test_she_skips_men_named_since(nlp):
    text = (
        "T\n\nMaria Lund, a strategist at Harbor Bank, spoke after Peter Nagy of Vire Capital had left.\n\n"
        "“We are not done yet,” she said."
    )
    assert [q[0] for q in quotes(nlp, text)] == ["Maria Lund"]


def test_social_media_handle_speaks(nlp):
    text = "T\n\n“Funding is negative everywhere,” pseudonymous trader @KoiCapital wrote on X."
    assert quotes(nlp, text) == [("@KoiCapital", "trader", None, "Funding is negative everywhere")]


def test_role_words_before_the_organisation(nlp):
    text = "T\n\n“Spot led,” said Priya Raman, head of derivatives research at Larkspur Capital."
    assert quotes(nlp, text) == [("Priya Raman", "head of derivatives research", "Larkspur Capital", "Spot led")]


LIMA = "T\n\n“A,” said Ana Lima, an analyst at Quarry.\n\n"


@pytest.mark.parametrize(
    "text",
    [
        LIMA + "One trader described the market as “a house of cards in the wind.”",
        LIMA + "The SEC said the filing was “incomplete and not ready for review.”",
        LIMA + "Celsius, which froze withdrawals, said it wanted to “stabilize liquidity and operations.”",
    ],
)
def test_someone_else_speaking_ends_the_speakers_turn(nlp, text):
    assert [q[3] for q in quotes(nlp, text)] == ["A"]


def test_described_person_with_capitalised_title(nlp):
    text = (
        "T\n\nBalaji Srinivasan, an investor, bet on bitcoin.\n\n"
        "“I spent my own money on this signal,” the former Coinbase CTO wrote."
    )
    assert [q[0] for q in quotes(nlp, text)] == ["Balaji Srinivasan"]


@pytest.mark.parametrize(
    "text",
    [
        "T\n\n“Supply overhang is the whole story.” That was the blunt assessment of Choi Min-jun, "
        "a senior trader at Daehan Digital, who had been selling.",
        "T\n\n“Supply overhang is the whole story.” So said Choi Min-jun, who trades for a family office.",
    ],
)
def test_speaker_named_in_the_next_sentence(nlp, text):
    assert [(q[0], q[3]) for q in quotes(nlp, text)] == [("Choi Min-jun", "Supply overhang is the whole story.")]
