"""Random text never breaks the pipeline, and every offset it reports slices the text it was given."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.nlp.pipeline import analyse_text

WORDS = ["bitcoin", "ether", "Binance", "fell", "rose", "liquidated", "longs", "shorts", "said", "analyst", "at",
         "$1.2 billion", "$58,000", "11%", "14 cents", "“", "”", '"', "'", ",", ".", "\n\n", "he", "Maria", "Keller",
         "head of research", "Polaris", "to", "from", "wiped out", "according to", "on Sunday", "‘", "’", "-"]

text_strategy = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=80).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_strategy)
def test_random_text(nlp, text):
    facts = analyse_text(nlp, text)
    for field in ("liquidations", "price_moves", "quotes"):
        for item in facts[field]:
            assert 0 <= item["start"] <= item["end"] <= len(text)
            assert text[item["start"]:item["end"]] == item["text"]
