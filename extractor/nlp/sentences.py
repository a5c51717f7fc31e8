"""Sentence boundaries for news text: line breaks always end a sentence, and so do . ! ? outside abbreviations.

Set through `Doc.from_array` from token arrays, so that the cost stays near the tokenizer's.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IS_LOWER, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

ENDERS = {".", "!", "?", "…"}
CLOSERS = {"”", '"', "’", "'", ")", "]"}


def sentence_starts(doc: Doc) -> list[int]:
    """Token indices where sentences start."""
    n = len(doc)
    if not n:
        return []
    arr = doc.to_array([ORTH, IS_SPACE, IS_LOWER])
    orth, space, lower = arr[:, 0], arr[:, 1].astype(bool), arr[:, 2].astype(bool)
    strings = doc.vocab.strings
    newline_orths = [h for h in np.unique(orth[space]) if "\n" in strings[int(h)]]
    ender_orths = [strings.add(e) for e in ENDERS]
    closer_orths = {strings.add(c) for c in CLOSERS}
    starts = {0}
    for i in np.flatnonzero(np.isin(orth, newline_orths)):
        j = i + 1
        while j < n and space[j]:
            j += 1
        if j < n:
            starts.add(int(j))
    for i in np.flatnonzero(np.isin(orth, ender_orths)):
        j = i + 1
        while j < n and (orth[j] in closer_orths and _closes(doc, j) or orth[j] in ender_orths or space[j]):
            j += 1
        if j < n and not lower[j]:
            starts.add(int(j))
    return sorted(starts)


def _closes(doc: Doc, j: int) -> bool:
    """A straight quote closes only when glued to the token before it."""
    text = doc[j].text
    return text not in {'"', "'"} or not doc[j - 1].whitespace_


@Language.component("crypto_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Mark sentence starts and keep the boundaries in `doc.user_data["sent_starts"]`."""
    starts = sentence_starts(doc)
    if starts:
        values = np.full((len(doc), 1), -1, dtype="int64")
        values[starts, 0] = 1
        doc.from_array([SENT_START], values.astype("uint64"))
    doc.user_data["sent_starts"] = starts
    return doc
