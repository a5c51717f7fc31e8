"""Decide when two speaker or organisation names refer to the same one, conservatively.

People: names are folded (accents, case, punctuation), middle initials dropped, and compared on
first and last name. A surname alone is only taken as a person when exactly one person of that
surname is named in full in the same article. Organisations: folded names with legal and generic
trailing words removed ("Swissquote Bank" is "Swissquote").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extractor.patterns import load_yaml

# Letters that Unicode does not decompose into a base letter plus an accent.
EXTRA_FOLDS = str.maketrans({"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d",
                             "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th"})
WORD_RE = re.compile(r"[a-z0-9]+")
HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "prof", "sir", "dame"})
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})


def fold(text: str | None) -> str:
    """Lower-case ASCII words of a name: accents, case and punctuation removed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(EXTRA_FOLDS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(WORD_RE.findall(plain.replace("'", "").replace("\u2019", "")))


@dataclass(frozen=True)
class PersonName:
    """A speaker name split into folded parts: first, middle parts and last."""

    first: str
    middle: tuple[str, ...]
    last: str
    generation: str = ""

    @property
    def key(self) -> str:
        """The lookup key: folded first and last name ("ipek ozkardeskaya"), or the surname alone."""
        return f"{self.first} {self.last}" if self.first else self.last

    @property
    def is_surname_only(self) -> bool:
        """True for a bare surname such as "Ozkardeskaya"."""
        return not self.first


def split_name(name: str) -> PersonName | None:
    """Split a speaker name into folded parts; None when nothing name-like is left."""
    words = [w for w in fold(name).split() if w not in HONORIFICS]
    generation = ""
    if len(words) > 1 and words[-1] in GENERATIONAL:
        generation = words.pop()
    if not words:
        return None
    if len(words) == 1:
        return PersonName("", (), words[0], generation)
    return PersonName(words[0], tuple(words[1:-1]), words[-1], generation)


def _middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    # Middle names or initials on both sides must agree letter by letter ("J" fits "James").
    for x, y in zip(a, b, strict=False):
        if not (x.startswith(y) or y.startswith(x)):
            return False
    return True


def same_person(a: str, b: str) -> bool:
    """True when two full names plainly name one person (case, accents, middle initials aside)."""
    pa, pb = split_name(a), split_name(b)
    if pa is None or pb is None or pa.is_surname_only or pb.is_surname_only:
        return False
    if pa.generation and pb.generation and pa.generation != pb.generation:
        return False
    return pa.key == pb.key and _middles_agree(pa.middle, pb.middle)


def resolve_speakers(speakers: Iterable[str]) -> dict[str, str]:
    """Map each speaker name of one article to the full name it stands for there.

    A bare surname maps to the one full name in the article with that surname; with none or with
    several ("Tom Lee" and "Amy Lee"), it maps to itself.
    """
    names = list(dict.fromkeys(s for s in speakers if s and s.strip()))
    full = [n for n in names if (p := split_name(n)) and not p.is_surname_only]
    resolved: dict[str, str] = {}
    for name in names:
        parts = split_name(name)
        if parts is None or not parts.is_surname_only:
            resolved[name] = name
            continue
        matches: dict[str, str] = {}
        for candidate in full:
            key = split_name(candidate).key
            if split_name(candidate).last == parts.last:
                matches[key] = max(matches.get(key, candidate), candidate, key=display_score)
        resolved[name] = next(iter(matches.values())) if len(matches) == 1 else name
    return resolved


def display_score(name: str) -> tuple[int, int, int, int]:
    """Rank spellings of one name: more words, then capitalised, then accents kept, then longer."""
    words = name.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    accents = sum(1 for c in name if ord(c) > 127)
    return (len(words), capitalised, accents, len(name))


@cache
def _org_suffixes() -> frozenset[str]:
    return frozenset(load_yaml("organizations.yaml")["suffixes"])


def org_key(name: str | None) -> str:
    """The folded key of an organisation name without trailing legal or generic words."""
    words = fold(name).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    suffixes = _org_suffixes()
    while len(words) > 1 and words[-1] in suffixes:
        words.pop()
    return " ".join(words)


def same_organization(a: str, b: str) -> bool:
    """True when two organisation names differ only by case, accents or a trailing legal word."""
    ka, kb = org_key(a), org_key(b)
    return bool(ka) and ka == kb
