"""Sentence boundaries for news text: line breaks always end a sentence, and so do . ! ? outside abbreviations."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

ENDERS = {".", "!", "?", "…"}
CLOSERS = {"”", '"', "’", "'", ")", "]"}


@Language.component("crypto_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Mark sentence starts: after a line break, and after sentence-final punctuation (and any closing quote)."""
    n = len(doc)
    if not n:
        return doc
    starts = [False] * n
    starts[0] = True
    for i in range(n - 1):
        text = doc[i].text
        if "\n" in text and doc[i].is_space:
            j = i + 1
            while j < n and doc[j].is_space:
                j += 1
            if j < n:
                starts[j] = True
        elif text in ENDERS or (len(text) > 1 and text[-1] in "!?"):
            j = i + 1
            while j < n and (is_closer(doc, j) or doc[j].text in ENDERS or doc[j].is_space):
                j += 1
            if j < n and not doc[j].is_lower:
                starts[j] = True
    for i, token in enumerate(doc):
        token.is_sent_start = starts[i]
    return doc


def is_closer(doc: Doc, j: int) -> bool:
    """A closing quote or bracket: straight quotes close only when glued to the preceding token."""
    text = doc[j].text
    if text not in CLOSERS:
        return False
    return text not in {'"', "'"} or not doc[j - 1].whitespace_
