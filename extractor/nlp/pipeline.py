"""Build the pipeline and turn texts into fact dictionaries (the `extractor parse` contract)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractor.document import MAX_BYTES
from extractor.nlp import amounts, lexicon, liquidations, price_moves, quotes, sentences, textform  # noqa: F401

COMPONENTS = ("crypto_text_form", "crypto_sentences", "crypto_lexicon", "crypto_amounts", "crypto_liquidations",
              "crypto_price_moves", "crypto_quotes")


class KeepText:
    """Wraps the tokenizer so that each Doc keeps its original text (`doc.text` rebuilds it on every call)."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["text"] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        """Tokenize a stream of texts."""
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


def build_pipeline(model: str | None = None) -> Language:
    """A blank English pipeline plus our components; `model` adds a trained pipeline's entities."""
    if model:
        try:
            nlp = spacy.load(model, exclude=["lemmatizer"])
        except OSError as exc:
            raise ValueError(f"spaCy pipeline {model!r} is not installed: {exc}") from exc
        if "parser" in nlp.pipe_names:
            nlp.disable_pipe("parser")
        nlp.add_pipe("crypto_text_form", first=True)
        nlp.add_pipe("crypto_sentences", after="crypto_text_form")
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("crypto_text_form")
        nlp.add_pipe("crypto_sentences")
    nlp.tokenizer = KeepText(nlp.tokenizer)
    # our rules need no parser memory: any document `extractor.document` accepts may be processed
    nlp.max_length = max(nlp.max_length, 2 * MAX_BYTES)
    for name in COMPONENTS[2:]:
        nlp.add_pipe(name)
    return nlp


def mentions(doc: Doc, kind: str) -> list[dict]:
    """Canonical names of one entity kind with their mention counts, most mentioned first."""
    if kind not in doc.spans:
        return []
    lex = doc._.lexicon
    counts = Counter(s.label_ for s in doc.spans[kind])
    return [{"name": lex.names.get((kind, label), label), "mentions": n} for label, n in counts.most_common()]


def doc_facts(doc: Doc) -> dict:
    """The facts of one processed Doc as plain JSON-ready data."""
    facts = {
        "liquidations": [x.to_json() for x in doc._.liquidations or []],
        "price_moves": [x.to_json() for x in doc._.price_moves or []],
        "exchanges": mentions(doc, "exchange"),
        "quotes": [x.to_json() for x in doc._.quotes or []],
        "providers": mentions(doc, "provider"),
        "assets": [{"ticker": m["name"] and label, "mentions": m["mentions"]}
                   for m, label in zip(mentions(doc, "asset"), _labels(doc, "asset"))],
    }
    if doc.ents:
        facts["entities"] = [{"label": e.label_, "text": e.text, "start": e.start_char, "end": e.end_char}
                             for e in doc.ents if e.label_ in {"PERSON", "ORG", "GPE", "DATE", "MONEY"}]
    return facts


def _labels(doc: Doc, kind: str) -> list[str]:
    return [label for label, _ in Counter(s.label_ for s in doc.spans[kind]).most_common()] if kind in doc.spans else []


def analyse_text(nlp: Language, text: str, published: str | None = None) -> dict:
    """Facts of one article text: liquidations, price_moves, exchanges, quotes (SCHEMA.md keys)."""
    return next(iter(analyse_texts(nlp, [(text, published)])))


def analyse_texts(nlp: Language, items: Iterable[tuple[str, str | None]], batch_size: int = 32) -> Iterator[dict]:
    """Facts for many (text, published) pairs, using `nlp.pipe` in batches."""
    for doc in nlp.pipe((text for text, _ in items), batch_size=batch_size):
        yield doc_facts(doc)
