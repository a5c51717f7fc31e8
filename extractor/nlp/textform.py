"""Tell published text from normalised dataset text, and mend words glued together where a line break was lost."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.context import doc_text
from extractor.nlp.lexicon import ENTITY_KINDS, load_lexicon

MIN_PART = 2
LETTERS = re.compile(r"[^\W\d_]")
CAPITALS = re.compile(r"[A-ZÀ-ÞΑ-ΩА-Я]")


def is_normalised(text: str) -> bool:
    """True for lower-cased dataset text: almost no capital letters among the letters."""
    sample = text[:20000]
    letters = len(LETTERS.findall(sample))
    capitals = len(CAPITALS.findall(sample))
    return letters > 0 and capitals < 0.01 * letters


def glued_names() -> frozenset[str]:
    """Single words (assets, venues, providers, media, liquidation words) that may be glued to a neighbour."""
    lex = load_lexicon()
    words = set()
    for (kind, _label), phrases in lex.folded.items():
        if kind in ENTITY_KINDS or (kind, _label) == ("liq", "triggers"):
            # names, and liquidation words, which often open a paragraph ("monthsliquidations came to")
            words.update(p.lower() for p in phrases if p.isalpha() and len(p) >= 4)
    return frozenset(words)


def split_point(word: str, names: frozenset[str]) -> int | None:
    """Where to cut a glued word so that one side is a known name ("bybtbitcoin" -> 4)."""
    if word in names:
        return None
    n = len(word)
    for cut in range(MIN_PART, n - 3):
        if word[cut:] in names:
            return cut
    for cut in range(n - MIN_PART, 3, -1):
        if word[:cut] in names:
            return cut
    return None


QUOTE_MARKS = "“”‘’\""


def pieces(word: str, names: frozenset[str]) -> list[str]:
    """A glued token cut into its words: at quotation marks inside it, then beside a known name."""
    parts: list[str] = []
    current = ""
    for i, c in enumerate(word):
        inner = 0 < i < len(word) - 1
        # an apostrophe between letters is part of the word ("we’ve"), any other inner mark is a seam
        if c in QUOTE_MARKS and inner and not (c in "’'" and word[i - 1].isalpha() and word[i + 1].isalpha()):
            if current:
                parts.append(current)
            parts.append(c)
            current = ""
        else:
            current += c
    if current:
        parts.append(current)
    out: list[str] = []
    for part in parts:
        cut = split_point(part.lower(), names) if len(part) >= 6 and part.isalpha() else None
        out.extend([part[:cut], part[cut:]] if cut is not None else [part])
    return out


if not Doc.has_extension("normalised"):
    Doc.set_extension("normalised", default=False)


@Language.factory("crypto_text_form")
def make_text_form(nlp: Language, name: str):
    """Flag normalised text (`doc._.normalised`) and split names glued to a neighbour at a lost line break."""
    names = glued_names()

    def component(doc: Doc) -> Doc:
        doc._.normalised = is_normalised(doc_text(doc))
        if not doc._.normalised:
            return doc
        splits = []
        for tok in doc:
            if len(tok) < 3 or tok.is_space:
                continue
            parts = pieces(tok.text, names)
            if len(parts) > 1:
                splits.append((tok, parts))
        if splits:
            with doc.retokenize() as retokenizer:
                for tok, parts in splits:
                    retokenizer.split(tok, parts, heads=[(tok, 0)] * len(parts))
        return doc

    return component
