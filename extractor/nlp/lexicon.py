"""The gazetteer component: exchanges, assets, providers, media, roles and trigger words from `patterns/`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractor.patterns import load_jsonl, load_yaml

# Entity kinds compete for the same words ("Binance Coin" is an asset, not the exchange).
ENTITY_KINDS = ("exchange", "asset", "provider", "media")
ENTITY_FILES = {"exchange": "exchanges.jsonl", "asset": "assets.jsonl", "provider": "providers.jsonl",
                "media": "media.jsonl"}


@dataclass
class Lexicon:
    """Every phrase list of `patterns/`, as (kind, label) -> phrases, split by case sensitivity."""

    folded: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    exact: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    normalised: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    role_modifiers: frozenset[str] = frozenset()
    speech_flags: dict[str, list[str]] = field(default_factory=dict)
    pronouns: frozenset[str] = frozenset()
    org_stop: frozenset[str] = frozenset()
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    person_nouns: frozenset[str] = frozenset()
    org_nouns: frozenset[str] = frozenset()
    adverbs: frozenset[str] = frozenset()
    org_suffixes: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    descriptors: frozenset[str] = frozenset()
    after_cues: tuple[tuple[str, ...], ...] = ()
    not_before: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, kind: str, label: str, phrases: Iterable[str], exact: bool = False, normalised: bool = False) -> None:
        """Register phrases under (kind, label); `normalised` ones apply only to lower-cased dataset text."""
        target = self.normalised if normalised else self.exact if exact else self.folded
        bucket = target.setdefault((kind, label), set())
        # phrases keep their case even when matched without it: the tokenizer splits "Mt. Gox" and "mt. gox"
        # differently, and the matcher compares lower-cased tokens anyway
        seen = {b.lower() for b in bucket}
        for p in phrases:
            if p and (exact or p.lower() not in seen):
                bucket.add(p)
                seen.add(p.lower())


@cache
def load_lexicon() -> Lexicon:
    """Read every pattern file once."""
    lex = Lexicon()
    for kind, filename in ENTITY_FILES.items():
        for row in load_jsonl(filename):
            label = row["name"] if kind != "asset" else row["id"]
            lex.names[(kind, label)] = row["name"]
            lex.add(kind, label, [row["name"]] * (kind != "asset" and not row.get("case_sensitive")))
            lex.add(kind, label, row.get("aliases", []))
            lex.add(kind, label, row.get("case_sensitive", []), exact=True)
            for alias in row.get("aliases", []) if row.get("not_before") else []:
                # "avalanche of selling" is not the token: words that unmake an alias when they follow it
                lex.not_before[alias.lower()] = frozenset(w.lower() for w in row["not_before"])
            # dataset text drops punctuation ("crypto.com" -> "cryptocom") and capitals ("Gemini" -> "gemini")
            stripped = {re.sub(r"[^\w\s]", "", a.lower()) for a in row.get("aliases", []) + [row["name"]]}
            lex.add(kind, label, stripped | set(row.get("normalised", [])), normalised=True)
    roles = load_yaml("roles.yaml")
    lex.add("role", "role", roles["roles"])
    lex.role_modifiers = frozenset(m.lower() for m in roles["modifiers"])
    speech = load_yaml("speech.yaml")
    lex.speech_flags = {verb.lower(): flags for verb, flags in speech["verbs"].items()}
    lex.add("speech", "speech", lex.speech_flags)
    lex.pronouns = frozenset(speech["pronouns"])
    lex.org_stop = frozenset(speech["org_stop"])
    lex.person_nouns = frozenset(speech["person_nouns"])
    lex.org_nouns = frozenset(speech["org_nouns"])
    lex.adverbs = frozenset(speech["adverbs"])
    lex.after_cues = tuple(tuple(c.lower().split()) for c in speech["after_cues"])
    lex.org_suffixes = frozenset(roles["org_suffixes"])
    lex.places = frozenset(p.lower() for p in roles["places"])
    lex.descriptors = frozenset(d.lower() for d in roles["descriptors"])
    liq = load_yaml("liquidations.yaml")
    for key in ("triggers", "continuation", "long", "short", "distractors", "losses", "losers"):
        lex.add("liq", key, liq[key])
    moves = load_yaml("price_moves.yaml")
    for direction in ("down", "up"):
        for form in ("finite", "s", "ing", "base"):
            lex.add("move", f"{direction}:{form}", moves[direction][form])
        lex.add("state", direction, moves["state"][direction])
    return lex


def _matcher(nlp: Language, table: dict[tuple[str, str], set[str]], attr: str) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr=attr)
    for (kind, label), phrases in table.items():
        matcher.add(f"{kind}|{label}", list(nlp.tokenizer.pipe(sorted(phrases))))
    return matcher


if not Doc.has_extension("lexicon"):
    Doc.set_extension("lexicon", default=None)


@Language.factory("crypto_lexicon")
def make_lexicon(nlp: Language, name: str):
    """Mark exchanges, assets, providers, media (doc.spans by kind) and the trigger words the rules need."""
    lex = load_lexicon()
    folded = _matcher(nlp, lex.folded, "LOWER")
    exact = _matcher(nlp, lex.exact, "ORTH")
    normalised = _matcher(nlp, lex.normalised, "LOWER")
    strings = nlp.vocab.strings

    def component(doc: Doc) -> Doc:
        entities: list[Span] = []
        words: dict[str, list[Span]] = {}
        matches = list(folded(doc)) + list(exact(doc))
        if doc._.normalised:
            matches += list(normalised(doc))
        for match_id, start, end in matches:
            kind, label = strings[match_id].split("|", 1)
            span = Span(doc, start, end, label=label)
            if kind in ENTITY_KINDS:
                span = Span(doc, start, end, label=f"{kind}|{label}")
                entities.append(span)
            else:
                words.setdefault(kind, []).append(span)
        chosen = [s for s in filter_spans(entities)
                  if not (s.end < len(doc) and doc[s.end].lower_ in lex.not_before.get(s.text.lower(), ()))]
        for kind in ENTITY_KINDS:
            doc.spans[kind] = [
                Span(doc, s.start, s.end, label=s.label_.split("|", 1)[1]) for s in chosen
                if s.label_.startswith(kind + "|")
            ]
        for kind, spans in words.items():
            doc.spans[kind] = sorted(spans, key=lambda s: (s.start, -s.end))
        doc._.lexicon = lex
        return doc

    return component


@cache
def first_names() -> frozenset[str]:
    """Given names (gender-guesser's international dictionary), lower-cased, without English function words."""
    from gender_guesser.detector import Detector
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(n.lower() for n in Detector(case_sensitive=False).names) - STOP_WORDS


@cache
def name_gender(first: str) -> str:
    """'male', 'female' or 'unknown' for a given name (gender-guesser; 'mostly_' and 'andy' count as unknown)."""
    guess = _detector().get_gender(first.capitalize())
    return guess if guess in {"male", "female"} else "unknown"


@cache
def _detector():
    from gender_guesser.detector import Detector

    return Detector(case_sensitive=False)
