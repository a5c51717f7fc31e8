"""Price moves: an asset, a move verb and the figures that follow it (pct, from, to, thresholds, levels)."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.context import (
    doc_text,
    figures_in,
    inside,
    kind_spans,
    quoted_ranges,
    sentence_at,
    sentences,
    spans_in,
    time_phrase,
)
from extractor.nlp.liquidations import _plain

SUBJECT_WINDOW = {"finite": 12, "s": 4, "ing": 16, "base": 2, "state": 8}
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
    verb: str = ""
    sentence_index: int = 0

    @property
    def soft_to(self) -> bool:
        """True when the only end price is a level crossed ("slid below $60,000"), which a real end overrides."""
        kinds = {f["kind"] for f in self.figures if f["value_usd"] == _plain(self.to_usd)}
        return self.to_usd is not None and kinds <= {"threshold", "level"}

    @property
    def strong(self) -> bool:
        """A move with a size: a percentage, a start, or an end price that is not just a level crossed."""
        return self.pct is not None or self.from_usd is not None or (self.to_usd is not None and not self.soft_to)

    @property
    def numeric(self) -> bool:
        """True when the move carries at least one figure."""
        return any(v is not None for v in (self.from_usd, self.to_usd, self.pct, self.change_usd))

    def conflicts(self, other: PriceMove) -> bool:
        """Two moves that report different figures for the same slot are two moves."""
        pairs = [(self.from_usd, other.from_usd), (self.pct, other.pct)]
        if not (self.soft_to or other.soft_to):
            pairs.append((self.to_usd, other.to_usd))
        return any(a is not None and b is not None and abs(a - b) > 1e-9 for a, b in pairs)

    def absorb_figures(self, other: PriceMove) -> None:
        """Fill empty figures from another report of the same move, keeping this one's text and offsets."""
        start, end = self.start, self.end
        self.absorb(other)
        self.start, self.end = start, end

    def absorb(self, other: PriceMove) -> None:
        """Fill empty figures from a second verb of the same move ("fell 11%, sliding from $3,350 to $2,980")."""
        self.from_usd = self.from_usd if self.from_usd is not None else other.from_usd
        if self.to_usd is None or (self.soft_to and other.to_usd is not None and not other.soft_to):
            self.to_usd = other.to_usd
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
    for span in spans_in(kind_spans(doc, "move"), sent.start, sent.end):
        direction, form = span.label_.split(":")
        out.append((span, direction, form))
    for span in spans_in(kind_spans(doc, "state"), sent.start, sent.end):
        after = any(0 <= f.start - span.end <= 1
                    or (0 < f.start - span.end <= 3 and all(t.is_alpha and t.is_lower for t in doc[span.end:f.start]))
                    for f in percents)
        before = any(f.end == span.start for f in percents)
        # dataset text strips digits: "down  in  hours" still says how the price went
        stripped = doc._.normalised and span.end < sent.end and doc[span.end].is_space
        if after or before or stripped:
            out.append((span, span.label_, "state"))
    rank = {"finite": 0, "state": 1, "s": 2, "ing": 3, "base": 4}
    out.sort(key=lambda v: (v[0].start, -v[0].end, rank[v[2]]))
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
        self.base_after = {w.lower() for w in data["base_after"]}
        self.close_fillers = {w.lower() for w in data["close_fillers"]}
        self.pct_thresholds = {w.lower() for w in data["pct_thresholds"]}
        self.anaphor_heads = {w.lower() for w in data["anaphor_heads"]}
        self.coordinators = {w.lower() for w in data["coordinators"]}
        self.threshold_verbs = {w.lower() for w in data["threshold_verbs"]}
        self.neutral_verbs = {w.lower() for w in data["neutral_verbs"]}
        self.nouns = {w.lower(): d for d in ("down", "up") for w in data["nouns"][d]}
        self.comparison = {w.lower() for w in data["comparison"]}
        self.clause_breaks = {w.lower() for w in data["clause_breaks"]}

    def close(self, doc: Doc, subject: Span, verb: Span) -> bool:
        """True when only filler words stand between the asset and the verb ("Bitcoin (BTC) has fallen")."""
        asset_tokens = doc.user_data.get("asset_tokens")
        if asset_tokens is None:
            asset_tokens = {i for a in kind_spans(doc, "asset") for i in range(a.start, a.end)}
            doc.user_data["asset_tokens"] = asset_tokens
        between = [t for t in doc[subject.end:verb.start] if t.i not in asset_tokens and not t.is_space]
        return len(between) <= 4 and all(t.lower_ in self.close_fillers for t in between)

    def forecast(self, doc: Doc, start: int) -> bool:
        """True when a modal or forecast word stands just before the verb."""
        words = [t.lower_ for t in doc[max(0, start - 4):start]]
        for modal in self.modals:
            n = len(modal)
            for k in range(len(words) - n + 1):
                if words[k:k + n] == modal:
                    return True
        return False


RELATIVE = {"which", "who", "whose", "the", "a", "an", "its", "now", "still", "already", "once", "after", "having"}


BY_MARKET_VALUE = {"market", "value", "capitalization", "capitalisation", "cap"}


FIGURE_WORDS = {"to", "from", "at", "by", "below", "above", "under", "over", "past", "than", "about", "around",
                "nearly", "almost", "some", "roughly"}


def _stripped_figure(doc: Doc, start: int, stop: int, sent_end: int) -> bool:
    """In dataset text with digits stripped: a gap, a quotation mark or the sentence's end where a figure stood
    ("fell  to  on monday", "recovered to “...", "solana lost")."""
    for i in range(start, min(stop + 1, sent_end)):
        tok = doc[i]
        if tok.is_space:
            return True
        if i == start or doc[i - 1].lower_ in FIGURE_WORDS:
            if tok.text in "“”\"‘’" or tok.is_punct:
                return True
        if tok.lower_ not in FIGURE_WORDS:
            break
    return start >= sent_end - 1


def _coordinated_verb(doc: Doc, sent: Span, verb: Span, rules: MoveRules) -> bool:
    """True when the verb opens a second predicate of the same subject: "... and has climbed", "..., but fell"."""
    i = verb.start - 1
    while i > sent.start and doc[i].lower_ in rules.close_fillers and doc[i].lower_ not in {",", "and"}:
        i -= 1
    return i >= sent.start and doc[i].lower_ in {"and", "but", ","}


def _skip_clause(doc: Doc, lo: int, end: int) -> int:
    """Where the subject must end: before a comma-delimited aside that ends just before the verb."""
    if end - 1 > lo and doc[end - 1].text == ",":
        for c in range(end - 2, max(lo, end - 22) - 1, -1):
            if doc[c].text == "," and c + 1 < end and doc[c + 1].lower_ in RELATIVE:
                return c
    return end


def _coordinated(doc: Doc, subject: Span, assets: list[Span], rules: MoveRules) -> list[Span]:
    """The assets joined to the subject by commas and "and" ("Bitcoin, ether and solana fell")."""
    group = [subject]
    by_end = {a.end: a for a in assets}
    i = subject.start
    while True:
        j = i
        while j > 0 and (doc[j - 1].lower_ in rules.coordinators or doc[j - 1].is_space):
            j -= 1
        if j == i and not doc._.normalised:
            break
        prev = by_end.get(j)
        if prev is None or prev in group:
            break
        group.insert(0, prev)
        i = prev.start
    return group


def _anaphor(doc: Doc, sent: Span, verb: Span, rules: MoveRules) -> Span | None:
    """ "it had fallen": the asset named last before this sentence (one asset, two sentences back at most)."""
    first = max(sent.start, verb.start - 10)
    words = [t.lower_ for t in doc[first:verb.start]]
    # "the largest cryptocurrency by market value": the measure named after the noun is part of it
    words = [w if w not in BY_MARKET_VALUE else "by" for w in words]
    fillers = rules.close_fillers
    found = None
    # "it", or "the <up to four words> cryptocurrency/coin/token" standing just before the verb
    for k, word in enumerate(words):
        rest = words[k + 1:]
        if word == "it" and all(w in fillers for w in rest):
            found = (k, k + 1)
            break
        if word == "the":
            for h in range(k + 1, min(len(words), k + 6)):
                if words[h] in rules.anaphor_heads and all(w in fillers for w in words[h + 1:]):
                    found = (k, h + 1)
                    break
            if found:
                break
    if found is None:
        return None
    start = first + found[0]
    before = [a for a in kind_spans(doc, "asset") if a.end <= start and start - a.end < 60]
    if not before:
        return None
    last = before[-1]
    # the antecedent: the one asset named in the sentence before (or, in unpunctuated text, just before)
    window_start = max(sentence_at(doc, last.start).start, last.start - 30)
    if len({a.label_ for a in before if a.start >= window_start}) != 1:
        return None
    # the move is told from the words that stand for the asset, labelled with the asset
    return Span(doc, start, first + found[1], label=last.label_)


def _subjects(doc: Doc, sent: Span, verb: Span, form: str, rules: MoveRules) -> list[Span]:
    """The assets the verb is about: the nearest asset on its left and any joined to it."""
    window = SUBJECT_WINDOW[form]
    limit = _skip_clause(doc, sent.start, verb.start)
    all_assets = spans_in(kind_spans(doc, "asset"), sent.start, verb.start)
    assets = [a for a in all_assets if a.end <= limit and limit - a.end <= window]
    if not assets:
        anaphor = _anaphor(doc, sent, verb, rules) if form in {"finite", "ing", "state"} else None
        return [anaphor] if anaphor is not None else []
    subject = assets[-1]
    if subject.start > sent.start and doc[subject.start - 1].lower_ in rules.comparison:
        earlier = [a for a in assets if a.end < subject.start]
        if not earlier:
            return []
        subject = earlier[-1]
    between = doc[subject.end:limit]
    words = [t.lower_ for t in between]
    if any(w in rules.blockers for w in words) or "open interest" in between.text.lower():
        return []
    coordinated = {a.start for a in all_assets}
    for t in between:
        if t.lower_ in rules.clause_breaks and t.i + 1 not in coordinated:
            # "Ether gained 7% but fell 4%" shares its subject; "... and the HYPE token fell" does not
            if not all(w.lower_ in rules.close_fillers for w in doc[t.i + 1:verb.start]):
                return []
    if form == "base" and (any(w not in {"price", "prices", "'s", "’s"} for w in words)
                           or subject.start == 0 or doc[subject.start - 1].lower_ not in rules.base_after):
        return []
    if form == "s" and not rules.close(doc, subject, doc[limit:verb.end] if limit < verb.start else verb):
        return []
    return _coordinated(doc, subject, all_assets, rules)


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
            if last in rules.pct_thresholds:
                continue
            if move.pct is None:
                move.pct = -abs(a.value) if move.direction == "down" else abs(a.value)
            continue
        usd = a.usd if a.kind == "money" else (a.value if last in {"from", "to"} else None)
        if usd is None or usd >= 1e7:
            continue
        qual = a.qualifier or ""
        if last == "from" or (len(prep) > 1 and prep[-2] == "from" and last in rules.thresholds):
            kind = "move_start"
            move.from_usd = usd if move.from_usd is None else move.from_usd
        elif qual in {"as low as", "as high as", "as far as"} or any(prep[-len(e):] == e for e in rules.extremes if e):
            kind = "extreme"
        elif last == "to" or "to" in prep[-3:-1] and last in rules.thresholds | {"just", "around", "about"}:
            kind = "move_end"
        elif last in rules.thresholds or qual in {"over", "under", "north of"}:
            kind = "threshold"
            if last in rules.pct_thresholds and move.verb in rules.neutral_verbs:
                # "broke below $28,000" is a fall, "broke above" a rise: the verb alone says neither
                move.direction = "down" if last in {"below", "under", "beneath"} else "up"
        elif fig.start == lo and move.verb in rules.threshold_verbs:
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
    quoted = quoted_ranges(doc_text(doc))
    headline_end = doc_text(doc).find("\n") if "\n" in doc_text(doc).strip() else -1
    moves: list[PriceMove] = []
    for n, sent in enumerate(sentences(doc)):
        sent_figs = figures_in(doc, sent.start, sent.end)
        percents = [f for f in sent_figs if f.amount.kind == "percent"]
        verbs = _verbs(doc, sent, percents)
        if not verbs:
            continue
        asset_starts = [a.start for a in spans_in(kind_spans(doc, "asset"), sent.start, sent.end)]
        sent_moves: list[PriceMove] = []
        last_subjects: list[Span] = []
        for k, (verb, direction, form) in enumerate(verbs):
            if inside(quoted, verb.start_char):
                continue
            prev = doc[verb.start - 1].lower_ if verb.start > sent.start else ""
            if form in {"base", "s"} and prev in rules.determiners | {"to"}:
                continue
            if rules.forecast(doc, verb.start):
                continue
            subjects = _subjects(doc, sent, verb, form, rules)
            if not subjects and last_subjects and _coordinated_verb(doc, sent, verb, rules):
                subjects = last_subjects  # "is up 18% on the week and has climbed 35% since Election Day"
            if not subjects:
                continue
            last_subjects = subjects
            subject = subjects[0]
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
            if not doc._.normalised and any(f.amount.usd is not None and f.amount.value >= 1e7 for f in mine):
                continue  # billions are open interest, volume or market value, not a price
            if form == "state":
                mine = [f for f in sent_figs if f.end == verb.start] + mine
            move = PriceMove(asset=subject.label_, direction=direction, start=subject.start_char,
                             end=verb.end_char, sentence=sent.text, sentence_start=sent.start_char,
                             headline=0 <= sent.start_char < headline_end, verb=verb.text.lower())
            _read_figures(doc, move, mine, rules, verb.end)
            # dataset text strips digits: a gap where a figure stood still shows the move had one
            stripped = doc._.normalised and _stripped_figure(doc, verb.end, stop, sent.end)
            near = rules.close(doc, subjects[-1], verb) or subject.start_char > verb.start_char
            if not (move.numeric or stripped and form != "state") and (verb.text.lower() in rules.needs_number
                                                                        or not near):
                continue
            if mine:
                move.end = max(move.end, max(f.span.end_char for f in mine))
            move.time_phrase = time_phrase(sent.text, verb.start_char - sent.start_char)
            after = [f for f in sent_figs if f.start >= verb.end]
            for each in _share(move, subjects, after, doc, sent):
                same = next((m for m in sent_moves if m.asset == each.asset and m.direction == each.direction
                             and not m.conflicts(each)), None)
                if same is not None:
                    same.absorb(each)
                    continue
                sent_moves.append(each)
        sent_moves.extend(_gapped(doc, sent, sent_moves, sent_figs))
        sent_moves.extend(_noun_moves(doc, sent, sent_moves, percents, rules, headline_end, quoted))
        numeric_assets = {m.asset for m in sent_moves if m.numeric}
        for m in sent_moves:
            m.sentence_index = n
        moves.extend(m for m in sent_moves if m.numeric or m.asset not in numeric_assets)
    for move in moves:
        move.text = doc_text(doc)[move.start:move.end]
    return drop_restatements(drop_headline_repeats(moves))


def drop_restatements(moves: list[PriceMove], reach: int = 4) -> list[PriceMove]:
    """A lead that says a move happened ("Bitcoin fell below $30,000") and a sentence soon after that sizes
    it ("dropped as much as 12% to $28,800") report one move: keep the sized one."""
    keep = []
    for m in moves:
        later = [o for o in moves if o is not m and o.asset == m.asset and o.direction == m.direction
                 and o.strong and 0 < o.sentence_index - m.sentence_index <= reach]
        if not m.strong and later:
            continue
        keep.append(m)
    return keep


def _share(move: PriceMove, subjects: list[Span], mine: list, doc: Doc, sent: Span) -> list[PriceMove]:
    """One move per joined asset: percentages in order with "respectively", else the same change for each."""
    if len(subjects) == 1:
        return [move]
    pcts = [f.amount.value for f in mine if f.amount.kind == "percent"]
    respectively = "respectively" in sent.text.lower()
    out = []
    for k, subject in enumerate(subjects):
        each = PriceMove(asset=subject.label_, direction=move.direction, start=subjects[0].start_char,
                         end=move.end, sentence=move.sentence, sentence_start=move.sentence_start,
                         headline=move.headline, time_phrase=move.time_phrase)
        if respectively and len(pcts) == len(subjects):
            each.pct = -abs(pcts[k]) if move.direction == "down" else abs(pcts[k])
        else:
            each.pct = move.pct
        each.figures = [f for f in move.figures if f["kind"] == "change"] if each.pct is not None else []
        out.append(each)
    return out


def _noun_moves(doc: Doc, sent: Span, moves: list[PriceMove], percents: list, rules: MoveRules,
                headline_end: int, quoted: list) -> list[PriceMove]:
    """ "a 12% drop in ether", "bitcoin's 8% rally": a percentage, a move noun and its asset."""
    out = []
    taken = {m.asset for m in moves}
    for fig in percents:
        if fig.end >= sent.end or inside(quoted, fig.span.start_char):
            continue
        k = fig.end + (1 if doc[fig.end].is_punct and doc[fig.end].text == "-" else 0)
        if k >= sent.end or doc[k].lower_ not in rules.nouns:
            continue
        direction = rules.nouns[doc[k].lower_]
        asset = None
        if k + 2 < sent.end and doc[k + 1].lower_ in {"in", "for", "of"}:
            asset = next((a for a in spans_in(kind_spans(doc, "asset"), k + 2, min(sent.end, k + 5))
                          if a.start <= k + 3), None)
        if asset is None and fig.start >= 2 and doc[fig.start - 1].lower_ in {"'s", "’s"}:
            asset = next((a for a in kind_spans(doc, "asset") if a.end in (fig.start, fig.start - 1)), None)
        if asset is None or asset.label_ in taken:
            continue
        start, end = min(asset.start_char, fig.span.start_char), max(asset.end_char, doc[k].idx + len(doc[k]))
        value = -abs(fig.amount.value) if direction == "down" else abs(fig.amount.value)
        out.append(PriceMove(asset=asset.label_, direction=direction, start=start, end=end, sentence=sent.text,
                             sentence_start=sent.start_char, headline=0 <= sent.start_char < headline_end,
                             pct=value, time_phrase=time_phrase(sent.text, fig.span.start_char - sent.start_char)))
        taken.add(asset.label_)
    return out


def _gapped(doc: Doc, sent: Span, moves: list[PriceMove], figs: list) -> list[PriceMove]:
    """ "solana rose 48%, avalanche 61% and dogecoin 72%": an asset and a percentage after a move, verb left out."""
    if not moves:
        return []
    taken = {m.asset for m in moves}
    last = moves[-1]
    out = []
    for asset in spans_in(kind_spans(doc, "asset"), sent.start, sent.end):
        if asset.start_char <= last.end or asset.label_ in taken or asset.start == 0:
            continue
        if doc[asset.start - 1].lower_ not in {",", "and", "while", "with"}:
            continue
        pct = next((f for f in figs if f.amount.kind == "percent" and f.start == asset.end), None)
        if pct is None:
            continue
        value = -abs(pct.amount.value) if last.direction == "down" else abs(pct.amount.value)
        out.append(PriceMove(asset=asset.label_, direction=last.direction, start=asset.start_char,
                             end=pct.span.end_char, sentence=last.sentence, sentence_start=last.sentence_start,
                             headline=last.headline, pct=value, time_phrase=last.time_phrase))
        taken.add(asset.label_)
    return out


def drop_headline_repeats(moves: list[PriceMove]) -> list[PriceMove]:
    """A headline move that the body reports too (same asset and direction, no figure of its own) is one report."""
    body = [m for m in moves if not m.headline]

    dropped: set[int] = set()
    for h in (m for m in moves if m.headline):
        same = [b for b in body if (b.asset, b.direction) == (h.asset, h.direction) and id(b) not in dropped]
        if not same:
            continue
        dropped.add(id(h))
        if h.numeric and not any(b.numeric for b in same):
            # the headline states figures the body's report of the move leaves out: one move, merged
            first = same[0]
            if not first.conflicts(h):
                first.absorb_figures(h)
    return [m for m in moves if id(m) not in dropped]


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)


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
