"""Build the pipeline and turn texts into fact dictionaries (the `extractor parse` contract)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language

from extractor.document import Document


def build_pipeline(model: str | None = None) -> Language:
    """A blank English pipeline plus our components (or a trained pipeline named by `model`)."""
    nlp = spacy.load(model) if model else spacy.blank("en")
    if "sentencizer" not in nlp.pipe_names and "parser" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp


def analyse_text(nlp: Language, text: str, published: str | None = None) -> dict:
    """Facts of one article text: liquidations, price_moves, exchanges, quotes (SCHEMA.md keys)."""
    return next(iter(analyse_texts(nlp, [(text, published)])))


def analyse_texts(
    nlp: Language, items: Iterable[tuple[str, str | None]], batch_size: int = 32
) -> Iterator[dict]:
    """Facts for many (text, published) pairs, using `nlp.pipe` in batches."""
    for _doc in nlp.pipe((t for t, _ in items), batch_size=batch_size):
        yield {"liquidations": [], "price_moves": [], "exchanges": [], "quotes": []}


def analyse_documents(nlp: Language, documents: Iterable[Document]) -> Iterator[dict]:
    """Facts for each Document, in order."""
    return analyse_texts(nlp, ((d.text, d.published) for d in documents))
