"""Liquidations: US-dollar figures tied to liquidation language, with side, exchange, asset and time."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.context import (
    Figure,
    SortedSpans,
    doc_text,
    figures,
    figures_in,
    kind_spans,
    paragraph_of,
    paragraph_starts,
    sentences,
    spans_in,
    time_phrase,
)

MIN_LIQUIDATION_USD = 1_000_000
SIDE_WINDOW = 12
ENTITY_WINDOW = 10
STOP_PUNCT = {",", ";", ":", "(", ")", "—", "–"}


@dataclass
class Liquidation:
    """One reported liquidation figure."""

    amount_usd: float
    side: str
    exchange: str | None
    asset: str | None
    text: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    qualifier: str | None
    upper_usd: float | None
    time_phrase: str | None
    headline: bool

    def to_json(self) -> dict:
        """The SCHEMA.md object, with extra keys."""
        return {
            "amount_usd": _plain(self.amount_usd), "side": self.side, "exchange": self.exchange,
            "asset": self.asset, "text": self.text, "start": self.start, "end": self.end,
            "qualifier": self.qualifier, "upper_usd": _plain(self.upper_usd), "time_phrase": self.time_phrase,
            "sentence": self.sentence, "sentence_start": self.sentence_start, "headline": self.headline,
        }


def _plain(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 6)


def _labelled(doc: Doc, kind: str, label: str) -> list[Span]:
    return kind_spans(doc, kind, label)


def side_tokens(doc: Doc, words: list[Span], heads: frozenset[str], triggers: list[Span]) -> list[Span]:
    """Side words that really name a side: plural forms, or long/short before a head noun or after of/in."""
    trigger_tokens = {i for t in triggers for i in range(t.start, t.end)}
    out = []
    for span in words:
        if span.start in trigger_tokens:
            continue
        if len(span) == 1 and span.text.lower() in {"long", "short"}:
            nxt = doc[span.end].lower_ if span.end < len(doc) else ""
            prev = doc[span.start - 1].lower_ if span.start > 0 else ""
            if nxt in {"-", "term", "as", "time", "while", "ago"}:
                continue
            if nxt not in heads and nxt not in {"and", "or", "/"} and prev not in {"of", "in"}:
                continue
        out.append(span)
    return out


def nearest_side(fig: Figure, lo: int, hi: int, longs: list[Span], shorts: list[Span]) -> str:
    """The side named next to the figure: on its left within its slot, or just after as "of longs"."""
    best: tuple[int, str] | None = None
    for side, spans in (("long", longs), ("short", shorts)):
        for s in spans_in(spans, max(lo, fig.start - SIDE_WINDOW - 4), min(hi, fig.end + 6)):
            if lo <= s.start and s.end <= fig.start and fig.start - s.end <= SIDE_WINDOW:
                dist = fig.start - s.end
            elif fig.end <= s.start < hi and s.start - fig.end <= 3:
                between = fig.span.doc[fig.end:s.start]
                if any(t.text in STOP_PUNCT for t in between):
                    continue
                dist = s.start - fig.end
            else:
                continue
            if best is None or dist < best[0]:
                best = (dist, side)
    return best[1] if best else "total"


def nearest_entity(doc: Doc, fig: Figure, lo: int, hi: int, kind: str) -> str | None:
    """The venue or asset named in the figure's slot: one name on its left, or "on X" right after it."""
    if kind not in doc.spans:
        return None
    left = [s for s in spans_in(kind_spans(doc, kind), max(lo, fig.start - ENTITY_WINDOW), fig.start)]
    names = {s.label_ for s in left}
    if len(names) == 1:
        return names.pop()
    if len(names) > 1:
        return None if kind == "exchange" else left[-1].label_
    right = spans_in(kind_spans(doc, kind), fig.end, min(hi, fig.end + 10))
    for span in right:
        if span.start - fig.end <= 3 or doc[span.start - 1].lower_ in {"on", "at", "via", "across", "in", "of"}:
            return span.label_
    return None


def distracted(doc: Doc, fig: Figure, lo: int, hi: int, distractors: list[Span]) -> bool:
    """True when the figure is tied to a word that makes it something else (open interest, inflows ...)."""
    for d in spans_in(distractors, max(lo, fig.start - 8), min(hi, fig.end + 6)):
        if lo <= d.start and d.end <= fig.start and fig.start - d.end <= 5:
            between = doc[d.end:fig.start]
        elif fig.end <= d.start < hi and d.start - fig.end <= 3:
            between = doc[fig.end:d.start]
        else:
            continue
        if not any(t.text in STOP_PUNCT for t in between):
            return True
    return False


def find_liquidations(doc: Doc) -> list[Liquidation]:
    """Every liquidation figure of the doc."""
    figs = [f for f in figures(doc) if f.amount.usd is not None and f.amount.value >= MIN_LIQUIDATION_USD]
    if not figs or "liq" not in doc.spans:
        return []
    triggers = _labelled(doc, "liq", "triggers")
    if not triggers and not kind_spans(doc, "liq", "losses"):
        return []
    heads = doc.user_data.setdefault("side_heads", frozenset())
    longs = SortedSpans(side_tokens(doc, _labelled(doc, "liq", "long"), heads, triggers))
    shorts = SortedSpans(side_tokens(doc, _labelled(doc, "liq", "short"), heads, triggers))
    distractors = _labelled(doc, "liq", "distractors")
    cues = _labelled(doc, "liq", "continuation")
    losers = _labelled(doc, "liq", "losers")
    losses = _labelled(doc, "liq", "losses")
    starts = paragraph_starts(doc_text(doc))
    headline_end = doc_text(doc).find("\n") if "\n" in doc_text(doc).strip() else -1
    sents = sentences(doc)
    trigger_sents = {
        i for i, s in enumerate(sents)
        if spans_in(triggers, s.start, s.end)
        or any(0 <= v.start - w.end <= 3
               for w in spans_in(losers, s.start, s.end) for v in spans_in(losses, s.start, s.end))
    }
    found: list[Liquidation] = []
    productive: set[int] = set()
    for i, sent in enumerate(sents):
        sent_figs = [f for f in figures_in(doc, sent.start, sent.end)
                     if f.amount.usd is not None and f.amount.value >= MIN_LIQUIDATION_USD]
        if not sent_figs:
            continue
        if i not in trigger_sents:
            # a sentence that goes on about the last liquidation figures: a side or share word in the same
            # paragraph, or a share/loss word within a few sentences ("Binance accounted for $262 million")
            para = paragraph_of(starts, sent.start_char)
            same_para = any(j in productive and paragraph_of(starts, sents[j].start_char) == para
                            for j in (i - 1, i - 2))
            nearby = any(j in productive for j in range(max(0, i - 4), i))
            strong = spans_in(cues, sent.start, sent.end) or spans_in(losses, sent.start, sent.end)
            sided = spans_in(longs + shorts, sent.start, sent.end)
            if not ((same_para and (strong or sided)) or (nearby and strong)):
                continue
        for k, fig in enumerate(sent_figs):
            lo = sent_figs[k - 1].end if k else sent.start
            hi = sent_figs[k + 1].start if k + 1 < len(sent_figs) else sent.end
            if distracted(doc, fig, lo, hi, distractors):
                continue
            a = fig.amount
            clause = _clause(doc, fig, lo, hi)
            found.append(Liquidation(
                amount_usd=a.value, side=nearest_side(fig, lo, hi, longs, shorts),
                exchange=nearest_entity(doc, fig, lo, hi, "exchange"),
                asset=nearest_entity(doc, fig, lo, hi, "asset"),
                text=clause.text, start=clause.start_char, end=clause.end_char,
                sentence=sent.text, sentence_start=sent.start_char,
                qualifier=a.qualifier, upper_usd=a.upper,
                time_phrase=time_phrase(sent.text, a.start - sent.start_char),
                headline=0 <= sent.start_char < headline_end,
            ))
            productive.add(i)
    return drop_headline_repeats(found)


def _clause(doc: Doc, fig: Figure, lo: int, hi: int) -> Span:
    """The words around the figure inside its slot, trimmed at punctuation: the supporting phrase."""
    left = fig.start
    while left > lo and doc[left - 1].text not in STOP_PUNCT and not doc[left - 1].is_space and fig.start - left < 8:
        left -= 1
    right = fig.end
    while right < hi and doc[right].text not in STOP_PUNCT | {"."} and not doc[right].is_space \
            and right - fig.end < 8:
        right += 1
    return doc[left:right]


def drop_headline_repeats(found: list[Liquidation]) -> list[Liquidation]:
    """A headline figure that the body repeats is one report, not two."""
    body = [f for f in found if not f.headline]
    return [f for f in found if not f.headline or not any(abs(b.amount_usd - f.amount_usd) <= 0.005 * f.amount_usd
                                                          for b in body)]


if not Doc.has_extension("liquidations"):
    Doc.set_extension("liquidations", default=None)


@Language.factory("crypto_liquidations")
def make_liquidations(nlp: Language, name: str):
    """Find liquidation figures; needs crypto_lexicon and crypto_amounts before it."""
    from extractor.patterns import load_yaml

    heads = frozenset(w.lower() for w in load_yaml("liquidations.yaml").get("side_heads", []))

    def component(doc: Doc) -> Doc:
        doc.user_data["side_heads"] = heads
        doc._.liquidations = find_liquidations(doc)
        return doc

    return component
