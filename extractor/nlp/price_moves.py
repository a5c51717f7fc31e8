"""Price moves: an asset, a move verb and the figures that follow it (pct, from, to, thresholds, levels)."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.context import figures, inside, quoted_ranges, spans_in, time_phrase
from extractor.nlp.liquidations import _plain

SUBJECT_WINDOW = {"finite": 12, "s": 6, "ing": 16, "base": 2, "state": 8}
MAX_SCAN = 18


@dataclass
class PriceMove:
    """One reported price move of one asset."""

    asset: str
    direction: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    headline: bool
    text: str = ""
    from_usd: float | None = None
    to_usd: float | None = None
    pct: float | None = None
    change_usd: float | None = None
    time_phrase: str | None = None
    figures: list[dict] = field(default_factory=list)

    @property
    def numeric(self) -> bool:
        """True when the move carries at least one figure."""
        return any(v is not None for v in (self.from_usd, self.to_usd, self.pct, self.change_usd))

    def conflicts(self, other: PriceMove) -> bool:
        """Two moves that report different figures for the same slot are two moves."""
        return any(a is not None and b is not None and abs(a - b) > 1e-9 for a, b in (
            (self.from_usd, other.from_usd), (self.to_usd, other.to_usd), (self.pct, other.pct)))

    def absorb(self, other: PriceMove) -> None:
        """Fill empty figures from a second verb of the same move ("fell 11%, sliding from $3,350 to $2,980")."""
        self.from_usd = self.from_usd if self.from_usd is not None else other.from_usd
        self.to_usd = self.to_usd if self.to_usd is not None else other.to_usd
        self.pct = self.pct if self.pct is not None else other.pct
        self.change_usd = self.change_usd if self.change_usd is not None else other.change_usd
        self.figures.extend(other.figures)
        self.end = max(self.end, other.end)
        self.time_phrase = self.time_phrase or other.time_phrase

    def to_json(self) -> dict:
        """The SCHEMA.md object, with extra keys."""
        return {
            "asset": self.asset, "from_usd": _plain(self.from_usd), "to_usd": _plain(self.to_usd),
            "pct": _plain(self.pct), "direction": self.direction, "text": self.text, "start": self.start,
            "end": self.end, "change_usd": _plain(self.change_usd), "time_phrase": self.time_phrase,
            "figures": self.figures, "sentence": self.sentence, "sentence_start": self.sentence_start,
            "headline": self.headline,
        }


def _verbs(doc: Doc, sent: Span, percents: list) -> list[tuple[Span, str, str]]:
    """(span, direction, form) for every move verb and every "down 5%"-style state word in the sentence."""
    out = []
    for span in spans_in(doc.spans.get("move", []), sent.start, sent.end):
        direction, form = span.label_.split(":")
        out.append((span, direction, form))
    for span in spans_in(doc.spans.get("state", []), sent.start, sent.end):
        after = any(0 <= f.start - span.end <= 1 for f in percents)
        before = any(f.end == span.start for f in percents)
        if after or before:
            out.append((span, span.label_, "state"))
    out.sort(key=lambda v: (v[0].start, -v[0].end))
    kept, last_end = [], -1
    for v in out:
        if v[0].start >= last_end:
            kept.append(v)
            last_end = v[0].end
    return kept


class MoveRules:
    """The word lists of `patterns/price_moves.yaml`, ready for lookups."""

    def __init__(self, data: dict) -> None:
        self.blockers = {w.lower() for w in data["subject_blockers"]}
        self.scan_stop = {w.lower() for w in data["scan_stop"]}
        self.determiners = {w.lower() for w in data["determiners"]}
        self.modals = [m.lower().split() for m in data["modals"]]
        self.needs_number = {w.lower() for d in ("down", "up") for w in data[d]["needs_number"]}
        kinds = data["figure_kinds"]
        self.thresholds = {w.lower() for w in kinds["threshold"]}
        self.extremes = [w.lower().split() for w in kinds["extreme"]]

    def forecast(self, doc: Doc, start: int) -> bool:
        """True when a modal or forecast word stands just before the verb."""
        words = [t.lower_ for t in doc[max(0, start - 4):start]]
        for modal in self.modals:
            n = len(modal)
            for k in range(len(words) - n + 1):
                if words[k:k + n] == modal:
                    return True
        return False


def _subject(doc: Doc, sent: Span, verb: Span, form: str, rules: MoveRules) -> Span | None:
    """The asset the verb is about: the nearest asset on its left, with no other subject in between."""
    window = SUBJECT_WINDOW[form]
    assets = [a for a in spans_in(doc.spans.get("asset", []), sent.start, verb.start)
              if verb.start - a.end <= window]
    if not assets:
        return None
    subject = assets[-1]
    between = doc[subject.end:verb.start]
    words = [t.lower_ for t in between]
    if any(w in rules.blockers for w in words) or "open interest" in between.text.lower():
        return None
    if form == "base" and any(w not in {"price", "prices", "'s", "’s"} for w in words):
        return None
    return subject


def _prep(doc: Doc, start: int, lo: int) -> list[str]:
    """The (up to three) lower-cased words just before a figure, nearest last."""
    return [t.lower_ for t in doc[max(lo, start - 3):start] if not t.is_space]


def _read_figures(doc: Doc, move: PriceMove, figs: list, rules: MoveRules, lo: int) -> None:
    """Assign the figures after the verb to the move's slots and record each with its kind."""
    for fig in figs:
        a = fig.amount
        prep = _prep(doc, fig.start, lo)
        last = prep[-1] if prep else ""
        if a.kind == "percent":
            if move.pct is None:
                move.pct = -abs(a.value) if move.direction == "down" else abs(a.value)
            continue
        usd = a.usd if a.kind == "money" else (a.value if last in {"from", "to"} else None)
        if usd is None or usd >= 1e7:
            continue
        qual = a.qualifier or ""
        if last == "from":
            kind = "move_start"
            move.from_usd = usd if move.from_usd is None else move.from_usd
        elif qual in {"as low as", "as high as"} or any(prep[-len(e):] == e for e in rules.extremes if e):
            kind = "extreme"
        elif last == "to":
            kind = "move_end"
        elif last in rules.thresholds or qual in {"over", "under", "north of"}:
            kind = "threshold"
        elif last == "by" or (not prep or fig.start == lo):
            kind = "change"
            move.change_usd = usd if move.change_usd is None else move.change_usd
        else:
            kind = "level"
        if kind in {"move_end", "extreme", "threshold", "level"} and move.to_usd is None:
            move.to_usd = usd
        move.figures.append({"value_usd": _plain(usd), "kind": kind, "text": a.text, "start": a.start,
                             "end": a.end})


def find_price_moves(doc: Doc, rules: MoveRules) -> list[PriceMove]:
    """Every price move of the doc."""
    if "move" not in doc.spans and "state" not in doc.spans:
        return []
    if "asset" not in doc.spans or not len(doc.spans["asset"]):
        return []
    quoted = quoted_ranges(doc.text)
    all_figs = figures(doc)
    headline_end = doc.text.find("\n") if "\n" in doc.text.strip() else -1
    moves: list[PriceMove] = []
    for sent in doc.sents:
        sent_figs = [f for f in all_figs if f.start >= sent.start and f.end <= sent.end]
        percents = [f for f in sent_figs if f.amount.kind == "percent"]
        verbs = _verbs(doc, sent, percents)
        if not verbs:
            continue
        asset_starts = [a.start for a in spans_in(doc.spans["asset"], sent.start, sent.end)]
        sent_moves: list[PriceMove] = []
        for k, (verb, direction, form) in enumerate(verbs):
            if inside(quoted, verb.start_char):
                continue
            prev = doc[verb.start - 1].lower_ if verb.start > sent.start else ""
            if form in {"base", "s"} and prev in rules.determiners | {"to"}:
                continue
            if rules.forecast(doc, verb.start):
                continue
            subject = _subject(doc, sent, verb, form, rules)
            if subject is None:
                continue
            # the figures of this verb run to the next verb, the next asset or a clause word
            hi = verbs[k + 1][0].start if k + 1 < len(verbs) else sent.end
            hi = min([hi] + [s for s in asset_starts if s >= verb.end])
            stop = verb.end
            fig_tokens = {i for f in sent_figs for i in range(f.start, f.end)}
            while stop < hi and stop - verb.end < MAX_SCAN:
                tok = doc[stop]
                if stop not in fig_tokens and (tok.lower_ in rules.scan_stop or tok.text in {";", "—"}):
                    break
                stop += 1
            mine = [f for f in sent_figs if f.start >= verb.end and f.end <= stop]
            if form == "state":
                mine = [f for f in sent_figs if f.end == verb.start] + mine
            move = PriceMove(asset=subject.label_, direction=direction, start=subject.start_char,
                             end=verb.end_char, sentence=sent.text, sentence_start=sent.start_char,
                             headline=0 <= sent.start_char < headline_end)
            _read_figures(doc, move, mine, rules, verb.end)
            if verb.text.lower() in rules.needs_number and not move.numeric:
                continue
            if mine:
                move.end = max(move.end, max(f.span.end_char for f in mine))
            move.time_phrase = time_phrase(sent.text, verb.start_char - sent.start_char)
            previous = sent_moves[-1] if sent_moves else None
            if previous and previous.asset == move.asset and previous.direction == move.direction \
                    and not previous.conflicts(move):
                previous.absorb(move)
                continue
            sent_moves.append(move)
        numeric_assets = {m.asset for m in sent_moves if m.numeric}
        moves.extend(m for m in sent_moves if m.numeric or m.asset not in numeric_assets)
    for move in moves:
        move.text = doc.text[move.start:move.end]
    return drop_headline_repeats(moves)


def drop_headline_repeats(moves: list[PriceMove]) -> list[PriceMove]:
    """A headline move that the body reports too (same asset, same direction) is one report."""
    body = {(m.asset, m.direction) for m in moves if not m.headline}
    return [m for m in moves if not m.headline or (m.asset, m.direction) not in body]


if not Doc.has_extension("price_moves"):
    Doc.set_extension("price_moves", default=None)


@Language.factory("crypto_price_moves")
def make_price_moves(nlp: Language, name: str):
    """Find price moves; needs crypto_lexicon and crypto_amounts before it."""
    from extractor.patterns import load_yaml

    rules = MoveRules(load_yaml("price_moves.yaml"))

    def component(doc: Doc) -> Doc:
        doc._.price_moves = find_price_moves(doc, rules)
        return doc

    return component
