"""Shared views of a Doc for the rule components: sentences, paragraphs, figures as token spans, time phrases."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from extractor.nlp.amounts import Amount

DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
TIME_PHRASE = re.compile(
    rf"\b(?:(?:early|late|on|by|since|until|through)\s+)?(?:(?:early|late)\s+)?(?:{DAYS})"
    rf"(?:\s+(?:morning|afternoon|evening|night))?(?:'s|’s)?\b"
    rf"|\b(?:in|over|during|within)\s+the\s+(?:past|last|previous|prior)\s+(?:24|twenty-four|12|48|72|one|two)?\s*"
    rf"(?:hours?|days?|weeks?|months?|sessions?)\b"
    rf"|\b(?:overnight|yesterday|today|last\s+week|this\s+week|earlier\s+this\s+week|last\s+month|"
    rf"last\s+weekend|over\s+the\s+weekend|this\s+weekend|on\s+the\s+day|intraday|in\s+early\s+trading|"
    rf"in\s+(?:asian|european|u\.?s\.?|american|london|new\s+york)\s+(?:trading\s+)?hours)\b"
    rf"|\b(?:on\s+)?(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
    rf"|\bin\s+the\s+\d+\s+hours\s+to\s+\d{{1,2}}:\d{{2}}\s*(?:utc|gmt|et)?\b",
    re.IGNORECASE,
)


@dataclass
class Figure:
    """An Amount with the tokens it covers."""

    amount: Amount
    span: Span

    @property
    def start(self) -> int:
        """First token index."""
        return self.span.start

    @property
    def end(self) -> int:
        """Token index after the last token."""
        return self.span.end


def figures(doc: Doc) -> list[Figure]:
    """The doc's amounts as token spans (cached on the doc)."""
    cached = doc.user_data.get("figures")
    if cached is not None:
        return cached
    out = []
    for amount in doc._.amounts or []:
        span = doc.char_span(amount.start, amount.end, alignment_mode="expand")
        if span is not None and len(span):
            out.append(Figure(amount, span))
    doc.user_data["figures"] = out
    return out


def doc_text(doc: Doc) -> str:
    """The doc's text, built once (spaCy joins the tokens anew on every `doc.text`)."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def sentences(doc: Doc) -> list[Span]:
    """The doc's sentences as spans, computed once per doc from the boundaries crypto_sentences kept."""
    cached = doc.user_data.get("sent_spans")
    if cached is not None:
        return cached
    starts = doc.user_data.get("sent_starts")
    if starts is None:
        spans = list(doc.sents)
    else:
        bounds = list(starts) + [len(doc)]
        spans = [doc[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    doc.user_data["sent_spans"] = spans
    return spans


def sentence_at(doc: Doc, i: int) -> Span:
    """The sentence holding token i."""
    sents = sentences(doc)
    k = bisect.bisect_right([s.start for s in sents], i) - 1
    return sents[max(k, 0)]


def token_at(doc: Doc, char: int) -> int:
    """Index of the token holding (or, between tokens, the one before) a character offset."""
    starts = doc.user_data.get("token_starts")
    if starts is None:
        starts = doc.to_array("IDX").tolist() if len(doc) else []
        doc.user_data["token_starts"] = starts
    return max(bisect.bisect_right(starts, char) - 1, 0)


PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)*")


def paragraph_starts(text: str) -> list[int]:
    """Character offsets where each paragraph begins: a line break, or a run of them with blank lines, ends one."""
    return [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text)]


def paragraph_of(starts: list[int], char: int) -> int:
    """The paragraph index of a character offset."""
    return bisect.bisect_right(starts, char) - 1


def time_phrase(text: str, near: int | None = None) -> str | None:
    """The time phrase of a sentence ("on Sunday", "in the past 24 hours"), nearest to `near` if given."""
    found = list(TIME_PHRASE.finditer(text))
    if not found:
        return None
    if near is None:
        return found[0].group(0).strip()
    best = min(found, key=lambda m: min(abs(m.start() - near), abs(m.end() - near)))
    return best.group(0).strip()


class SortedSpans(list):
    """Spans sorted by start, with their starts kept for bisection (a SpanGroup builds new Spans on every pass)."""

    def __init__(self, spans=()) -> None:
        super().__init__(sorted(spans, key=lambda s: (s.start, s.end)))
        self.starts = [s.start for s in self]


def kind_spans(doc: Doc, kind: str, label: str | None = None) -> SortedSpans:
    """The doc's spans of one kind (and label), as a cached SortedSpans."""
    key = ("spans", kind, label)
    cached = doc.user_data.get(key)
    if cached is None:
        spans = list(doc.spans[kind]) if kind in doc.spans else []
        cached = doc.user_data[key] = SortedSpans(s for s in spans if label is None or s.label_ == label)
    return cached


def spans_in(spans, start: int, end: int) -> list[Span]:
    """Spans lying wholly inside the token range [start, end)."""
    if isinstance(spans, SortedSpans):
        i = bisect.bisect_left(spans.starts, start)
        out = []
        while i < len(spans) and spans.starts[i] < end:
            if spans[i].end <= end:
                out.append(spans[i])
            i += 1
        return out
    return [s for s in spans if s.start >= start and s.end <= end]


def figures_in(doc: Doc, start: int, end: int) -> list[Figure]:
    """The figures wholly inside a token range."""
    figs = figures(doc)
    starts = doc.user_data.get("figure_starts")
    if starts is None:
        starts = doc.user_data["figure_starts"] = [f.start for f in figs]
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(figs) and starts[i] < end:
        if figs[i].end <= end:
            out.append(figs[i])
        i += 1
    return out


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks (straight or curly), paragraph-bounded; cheap and lenient."""
    ranges = []
    for m in re.finditer(r"“[^”\n]*”?|\"[^\"\n]*\"?", text):
        ranges.append((m.start(), m.end()))
    return ranges


def inside(ranges: list[tuple[int, int]], char: int) -> bool:
    """True when the character offset falls inside one of the ranges."""
    k = bisect.bisect_left(ranges, (char, char)) - 1
    return k >= 0 and ranges[k][0] < char < ranges[k][1]
