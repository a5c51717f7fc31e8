"""Quotes: direct quotations attributed to named people, with their title and organisation.

Works on cased, punctuated text and on lower-cased normalised text: where capital letters are missing, the
structure around the quotation (speech verb, role noun, "at"/"of"/"with" organisation) finds the speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractor.nlp.context import doc_text, paragraph_of, paragraph_starts, sentence_at, token_at
from extractor.nlp.lexicon import first_names, name_gender

MAX_TAIL = 30
MAX_HEAD = 30
HEAD_GAP = 16
PARTICLES = {"de", "van", "der", "von", "da", "di", "le", "la", "al", "bin", "el", "del", "dos", "du", "ten", "ter",
             "st", "mc", "mac", "al-", "ben"}
ORG_CONNECTORS = {"of", "&", "and", "'s", "’s", "-", ".", "de", "for", "the"}
ORG_PREPS = {"at", "of", "with", "from", "for"}
DAYS_MONTHS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
               "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
               "nov", "dec", "today", "yesterday", "tomorrow", "weekend", "week", "month", "year"}
NOT_NAMES = STOP_WORDS | DAYS_MONTHS | {"mr", "mrs", "ms", "dr", "prof", "sir", "utc", "gmt", "et", "am", "pm"}
SMALL_WORDS = {"of", "and", "the", "for", "at", "de", "van", "von", "der", "la", "le", "da", "di", "du", "&"}
PRONOUN_GENDER = {"he": "male", "him": "male", "his": "male", "she": "female", "her": "female"}
MARKS = re.compile("[“”‘’«»„\"'\n]")
INITIALS = re.compile(r"(?:[A-Z]\.){1,3}|[JS]r\.")
HANDLE = re.compile(r"@\w{2,30}")
CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
SINGLE_CLOSE = re.compile(r"(?<=[,.!?])'(?![A-Za-z0-9])")
PAIRS = {"“": "”", "‘": "’", "«": "»", "„": "“"}
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


@dataclass
class Passage:
    """A stretch of text inside quotation marks; `inner_*` exclude the marks."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    continues: bool = False
    speaker: Person | None = None
    explicit: bool = False


@dataclass
class Person:
    """A person named in the text, with what the text says of them."""

    name: str
    title: str | None = None
    org: str | None = None
    at: int = 0
    tokens: tuple[str, ...] = field(default_factory=tuple)
    key: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # lower-case name, for matching mentions of the same person
        self.key = " ".join(self.tokens).lower() if self.tokens else self.name.lower()


ORGANISATION = Person("an organisation")


@dataclass
class Quote:
    """One quoted passage attributed to one person."""

    speaker: str
    title: str | None
    org: str | None
    text: str
    start: int
    end: int
    attribution: str  # "explicit", "pronoun", "inherited"

    def to_json(self) -> dict:
        """The SCHEMA.md object, with extra keys."""
        return {"speaker": self.speaker, "title": self.title, "org": self.org, "text": self.text,
                "start": self.start, "end": self.end, "attribution": self.attribution}


def find_passages(text: str) -> list[Passage]:
    """Quoted passages: curly pairs anywhere, straight pairs within a paragraph, paragraph-spanning quotes."""
    passages: list[Passage] = []
    starts = paragraph_starts(text)
    para_end = [s - 1 for s in starts[1:]] + [len(text)]
    n = len(text)
    open_at: int | None = None
    open_mark = ""

    def run_to(end: int) -> None:
        """The open quote ran to `end` without its closing mark."""
        while end > open_at + 1 and text[end - 1].isspace():
            end -= 1
        passages.append(Passage(open_at, end, open_at + 1, end))

    events = [m.start() for m in MARKS.finditer(text)]
    k = 0
    while k < len(events):
        i = events[k]
        c = text[i]
        if open_at is not None:
            para_stop = para_end[paragraph_of(starts, open_at)]
            closing = PAIRS.get(open_mark, '"')
            if c == "\n":
                if i >= para_stop:  # a new paragraph before the close
                    run_to(para_stop)
                    open_at = None
                k += 1
                continue
            if c == closing and (closing != "’" or i + 1 >= n or not text[i + 1].isalpha()):
                passages.append(Passage(open_at, i + 1, open_at + 1, i))
                open_at = None
                k += 1
                continue
            if not (c == open_mark and open_mark != '"'):
                k += 1
                continue
            run_to(i)  # a new opening mark before the close: read it as an opener below
            open_at = None
        if c in PAIRS and (c != "‘" or i == 0 or not text[i - 1].isalnum()):
            open_at, open_mark = i, c
        elif c == '"':
            open_at, open_mark = i, '"'
        elif c == "'" and (i == 0 or text[i - 1] in " \n\t(—–") and i + 1 < n and text[i + 1].isalpha():
            # straight single quotes only as a pair closing on punctuation: ',' said X. / 'Like this.'
            close = SINGLE_CLOSE.search(text, i + 1, para_end[paragraph_of(starts, i)] + 1)
            if close is not None:
                passages.append(Passage(i, close.end(), i + 1, close.end() - 1))
                while k < len(events) and events[k] < close.end():
                    k += 1
                continue
        k += 1
    if open_at is not None:
        run_to(para_end[paragraph_of(starts, open_at)])
    for prev, cur in zip(passages, passages[1:]):
        gap = text[prev.end:cur.start]
        if not gap.strip() and "\n" in gap and text[prev.end - 1:prev.end] not in ("”", '"', "’"):
            cur.continues = True
    return [p for p in passages if text[p.inner_start:p.inner_end].strip()]


class Speakers:
    """Finds the speaker of each passage from the words around it."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        lex = doc._.lexicon
        self.lex = lex
        self.lower_text = doc._.normalised
        self.speech_at: dict[int, tuple[int, set[str]]] = {}
        for span in doc.spans.get("speech", []):
            self.speech_at.setdefault(span.start, (span.end, set(lex.speech_flags.get(span.text.lower(), []))))
        self.role_at: dict[int, int] = {}
        for span in doc.spans.get("role", []):
            if span.end > self.role_at.get(span.start, -1):
                self.role_at[span.start] = span.end
        self.role_tokens = {i for s, e in self.role_at.items() for i in range(s, e)}
        self.entity_at: dict[int, tuple[int, str]] = {}
        for kind in ("exchange", "asset", "provider", "media"):
            for span in doc.spans.get(kind, []):
                self.entity_at[span.start] = (span.end, kind)
        self.entity_tokens = {i for s, (e, _) in self.entity_at.items() for i in range(s, e)}
        self.people: list[Person] = []
        self.known: dict[str, tuple[str | None, str | None]] = {}  # key -> first title and org seen
        self.first_names = first_names()
        self.subject_start = 0
        self.org_start = 0

    # ---- token classes -------------------------------------------------------------------------------------
    def is_namey(self, tok: Token) -> bool:
        """Could this token be part of a person's name?"""
        if HANDLE.fullmatch(tok.text) or INITIALS.fullmatch(tok.text):
            return True
        if not tok.is_alpha and not re.fullmatch(r"[A-Z]\.|[A-Za-z]+['’][A-Za-z]+", tok.text):
            return False
        low = tok.lower_
        if tok.i in self.role_tokens or tok.i in self.speech_at or low in self.lex.pronouns:
            return False
        if low in self.lex.role_modifiers:
            return False
        if self.lower_text:
            return low not in NOT_NAMES and tok.i not in self.entity_tokens and len(low) > 1
        if low in STOP_WORDS and low not in self.first_names:
            return False
        if low in PARTICLES:
            return True
        capitalised = tok.text[:1].isupper() and (any(c.islower() for c in tok.text) or len(tok.text) == 2)
        return capitalised and low not in DAYS_MONTHS and tok.i not in self.entity_tokens

    def speech(self, i: int, flag: str) -> int | None:
        """End of the speech verb starting at token i, if it has the flag."""
        hit = self.speech_at.get(i)
        return hit[0] if hit and flag in hit[1] else None

    # ---- names, roles, organisations ----------------------------------------------------------------------
    def name_forward(self, i: int, limit: int) -> int:
        """End of a name starting at token i (i itself when there is none)."""
        doc = self.doc
        j = i
        while j < limit and j - i < 6:
            tok = doc[j]
            if self.is_namey(tok) and not (tok.lower_ in PARTICLES and j == i and tok.is_lower):
                j += 1
            elif tok.text == "-" and j > i and j + 1 < limit and not tok.whitespace_ and not doc[j - 1].whitespace_ \
                    and doc[j + 1].is_alpha:
                j += 2
                continue
            else:
                break
        while j > i and doc[j - 1].lower_ in PARTICLES:
            j -= 1
        if j < limit and not self.lower_text and doc[j].lower_ in NAME_SUFFIXES:
            j += 1
        if self.lower_text and j - i > 2:
            j = i + 2 if j - i == 3 and self.role_start(i + 2) is None else j
        return j

    def name_backward(self, end: int, limit: int) -> int:
        """Start of a name ending at token `end` (end itself when there is none)."""
        doc = self.doc
        j = end
        cap = 3 if self.lower_text else 4
        while j > limit and end - j < cap:
            tok = doc[j - 1]
            if self.is_namey(tok):
                j -= 1
            elif tok.text == "-" and j - 1 > limit and self.is_namey(doc[j - 2]) and not doc[j - 2].whitespace_:
                j -= 1
            elif tok.is_alpha and tok.is_lower and j - 2 > limit and doc[j - 2].text == "-" \
                    and not doc[j - 2].whitespace_ and not doc[j - 3].whitespace_ and self.is_namey(doc[j - 3]):
                j -= 1
            else:
                break
        while j < end and doc[j].lower_ in PARTICLES and (doc[j].is_lower or self.lower_text):
            j += 1
        if self.lower_text and end - j == 3:
            j += 1
        return j

    def role_start(self, i: int) -> int | None:
        """End of a role phrase (modifiers, then a role noun) starting at token i."""
        doc = self.doc
        j = i
        while j < len(doc) and j - i < 5 and j not in self.role_at and doc[j].lower_ in self.lex.role_modifiers:
            j += 1
        if j in self.role_at:
            end = self.role_at[j]
            # "head of research": a lower-case complement after "of" in cased text belongs to the role
            if not self.lower_text and end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].is_lower \
                    and doc[end + 1].is_alpha and doc[end + 1].lower_ not in {"the", "a", "an"}:
                stretched = end + 2
                while stretched < len(doc) and doc[stretched].is_lower and doc[stretched].is_alpha \
                        and doc[stretched].lower_ not in ORG_PREPS:
                    stretched += 1
                if stretched >= len(doc) or not doc[stretched].is_alpha or doc[stretched].lower_ in ORG_PREPS:
                    end = stretched
            # "head of derivatives research at X": up to two more role words before the organisation
            k = end
            while k < len(doc) and k - end < 2 and doc[k].is_alpha and doc[k].is_lower \
                    and k not in self.speech_at and doc[k].lower_ not in ORG_PREPS | self.lex.org_stop:
                k += 1
            if k > end and k < len(doc) and doc[k].lower_ in {"at", "with"}:
                end = k
            return end
        return None

    def role_backward(self, end: int, limit: int) -> int | None:
        """Start of a role phrase ending at token `end`."""
        for start in range(max(limit, end - 7), end):
            if self.role_start(start) == end:
                return start
        return None

    def org_forward(self, i: int, limit: int) -> int:
        """End of an organisation name starting at token i."""
        doc = self.doc
        j = i
        if j < limit and doc[j].lower_ == "the":
            j += 1
        self.org_start = j
        if not self.lower_text and j < limit and doc[j].is_lower:
            # "the crypto fund Saltire Labs": a few lower-case words may describe the organisation first
            k = j
            while k < limit and k - j < 4 and doc[k].is_alpha and doc[k].is_lower and k not in self.speech_at \
                    and doc[k].lower_ not in self.lex.org_stop and doc[k].lower_ not in ORG_PREPS:
                k += 1
            if k > j and k < limit and doc[k].text[:1].isupper() and k not in self.entity_tokens | self.role_tokens:
                j = self.org_start = k
        if self.lower_text:
            while j < limit and j - i < 6:
                tok = doc[j]
                if (not (tok.is_alpha or tok.text in {"'s", "’s", "&", "-", "."}) or tok.i in self.speech_at
                        or tok.lower_ in self.lex.org_stop or tok.lower_ in self.lex.pronouns
                        or tok.text in "“”\"‘’" or tok.lower_ in {"said", "says", "told"}):
                    break
                j += 1
            return j
        while j < limit and j - i < 8:
            tok = doc[j]
            capital = tok.text[:1].isupper() or any(c.isupper() for c in tok.text[1:]) or tok.like_num
            if capital and tok.i not in self.speech_at:
                j += 1
            elif tok.lower_ in ORG_CONNECTORS and j > self.org_start and j + 1 < limit and not tok.is_space \
                    and (tok.text not in ".-" or not (tok.whitespace_ or doc[j - 1].whitespace_)) \
                    and (doc[j + 1].text[:1].isupper() or doc[j + 1].text in {"'s", "’s"}):
                j += 1
            elif tok.text in {"'s", "’s"} and j > self.org_start:
                j += 1
            else:
                break
        return j

    def display(self, span: Span) -> str:
        """A name as it should be shown: as written, or title-cased when the text has no capitals."""
        text = " ".join(t.text for t in span if not t.is_space).replace(" - ", "-").replace(" -", "-")
        text = re.sub(r"\s+(['’]s)\b", r"\1", text)
        if not self.lower_text:
            return text
        words = text.split()
        return " ".join(w if (k and w in SMALL_WORDS) else w[:1].upper() + w[1:] for k, w in enumerate(words))

    def appositive(self, i: int, limit: int) -> tuple[str | None, str | None, int]:
        """Parse ", (a) ROLE (at|of|with) ORG" from token i; returns (title, org, end)."""
        doc = self.doc
        j = i
        if j < limit and doc[j].text == ",":
            j += 1
        if j < limit and doc[j].lower_ in {"a", "an", "the"}:
            j += 1
        # "Swissquote analyst" style: organisation, then role
        org_first_end = self.org_forward(j, limit) if not self.lower_text else j
        for start in (j, org_first_end):
            role_end = self.role_start(start) if start < limit else None
            if role_end is None or role_end > limit:
                continue
            title = self.display_title(doc[start:role_end])
            org = self.display(doc[j:start]) if start > j else None
            k = role_end
            if k < limit and doc[k].lower_ in ORG_PREPS:
                org_end = self.org_forward(k + 1, limit)
                if org_end > self.org_start:
                    org = self.display(doc[self.org_start:org_end]).removeprefix("The ").removeprefix("the ")
                    k = org_end
            if org:
                org = org.removesuffix("'s").removesuffix("’s").strip() or None
            return title, org, k
        return None, None, i

    def display_title(self, span: Span) -> str:
        """A role as it should be shown: lower case unless it is an acronym."""
        words = [t.text if t.is_upper and len(t) > 1 else t.lower_ for t in span if not t.is_space]
        while len(words) > 1 and words[0].lower() in self.lex.descriptors:
            words = words[1:]
        return " ".join(words).replace(" - ", "-")

    def person(self, start: int, end: int, title: str | None, org: str | None) -> Person | None:
        """A Person for the name tokens [start, end), resolving a lone surname to an earlier full name."""
        if end <= start:
            return None
        span = self.doc[start:end]
        if len(span) == 1 and HANDLE.fullmatch(span.text):
            # a social-media handle names a (perhaps pseudonymous) person on its own
            found = Person(span.text, title, org, span.start_char, (span.text.lower(),))
            self.remember(found)
            return found
        words = tuple(t.lower_ for t in span if t.is_alpha)
        if not words:
            return None
        if words[-1] in self.lex.org_suffixes or words[-1] in self.lex.org_nouns or " ".join(words) in self.lex.places:
            return ORGANISATION
        if len(words) == 1:
            earlier = self.resolve_surname(words[0])
            if earlier is None and title is None:
                return None
            if earlier is not None:
                return Person(earlier.name, title or earlier.title, org or earlier.org, span.start_char,
                              earlier.tokens)
        longer = next((p for p in self.people if len(p.tokens) > len(words) and p.tokens[-len(words):] == words),
                       None)
        if longer is not None:
            # "Brennan-Oyelowo said" after "Hal Brennan-Oyelowo has been trading ..."
            found = Person(longer.name, title or longer.title, org or longer.org, span.start_char, longer.tokens)
        else:
            found = Person(self.display(span), title, org, span.start_char, words)
        self.remember(found)
        return found

    def resolve_surname(self, word: str) -> Person | None:
        """The last person named with this surname (or first name)."""
        # the person introduced first with that surname: later full names are often relatives or namesakes
        by_position = sorted(self.people, key=lambda p: p.at)
        for p in by_position:
            if (len(p.tokens) > 1 or p.title) and p.tokens and p.tokens[-1] == word:
                return p
        for p in by_position:
            if len(p.tokens) > 1 and word in p.tokens:
                return p
        return None

    def remember(self, person: Person) -> None:
        """Keep a mention; the latest title and organisation win, earlier ones fill gaps."""
        known = self.known.get(person.key)
        if known is not None:
            person.title = person.title or known[0]
            person.org = person.org or known[1]
        if person.title or person.org or known is None:
            old = known or (None, None)
            self.known[person.key] = (old[0] or person.title, old[1] or person.org)
        self.people.append(person)

    def last_person_before(self, char: int, pronoun: str | None = None) -> Person | None:
        """The most recent person named before a character offset ("she" skips the men named since)."""
        wanted = PRONOUN_GENDER.get(pronoun or "")
        for p in sorted((p for p in self.people if p.at < char), key=lambda p: p.at, reverse=True):
            if p is ORGANISATION:
                continue
            if wanted and p.tokens and name_gender(p.tokens[0]) not in {wanted, "unknown"}:
                continue
            return p
        return None

    def modifiers_before(self, first: int, lo: int) -> int:
        """Start of the words qualifying a role noun: known modifiers and hyphenated compounds ("market-structure")."""
        doc = self.doc
        while first > lo:
            prev = doc[first - 1]
            if prev.lower_ in self.lex.role_modifiers:
                first -= 1
            elif prev.text == "-" and not prev.whitespace_ and first - 2 >= lo and not doc[first - 2].whitespace_:
                first -= 2
            else:
                break
        return first

    def scan_lower_people(self) -> None:
        """In lower-cased text, people are introduced as "name (a) role at org": register them."""
        doc = self.doc
        for r in sorted(self.role_at):
            first = r
            first = self.modifiers_before(first, 0)
            c = first - 1 if first and doc[first - 1].lower_ in {"a", "an", "the"} else first
            start = self.name_backward(c, max(0, c - 3))
            if c - start >= 2:
                title, org, _ = self.appositive(c, min(len(doc), r + 15))
                if title is not None:
                    self.person(start, c, title, org)

    def scan_surnames(self) -> None:
        """Register later mentions by surname alone ("Abernathy, for her part, ...") as mentions of the person."""
        doc = self.doc
        surnames = {p.tokens[-1]: p for p in self.people if len(p.tokens) > 1}
        if not surnames:
            return
        starts = {p.at for p in self.people}
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in surnames) + r")\b", re.IGNORECASE)
        text = doc_text(doc)
        for m in pattern.finditer(text):
            if m.start() in starts or not (self.lower_text or text[m.start()].isupper()):
                continue
            i = token_at(doc, m.start())
            if doc[i].idx != m.start() or (i and self.is_namey(doc[i - 1])):
                continue  # inside a longer word, or part of a full name already registered
            p = surnames[m.group(1).lower()]
            self.people.append(Person(p.name, p.title, p.org, m.start(), p.tokens))

    # ---- attribution ---------------------------------------------------------------------------------------
    def after_verb(self, i: int, limit: int) -> Person | None:
        """Speaker named after a speech verb: `said (Org) (role) Name(, role at Org)`."""
        doc = self.doc
        if i < limit and doc[i].lower_ in self.lex.pronouns:
            return self.last_person_before(doc[i].idx, doc[i].lower_)
        j = i
        pre_title = pre_org = None
        title, org, k = self.appositive(j, limit)
        if title is not None:
            pre_title, pre_org, j = title, org, k
            if j < limit and doc[j].text == ",":
                j += 1
        name_end = self.name_forward(j, limit)
        if name_end == j:
            return None
        title, org, _ = self.appositive(name_end, limit)
        if title is None and name_end < limit and doc[name_end].lower_ in {"of", "at"}:
            org_end = self.org_forward(name_end + 1, limit)
            if org_end > self.org_start:
                org = self.display(doc[self.org_start:org_end])
        return self.person(j, name_end, title or pre_title, org or pre_org)

    def before_verb(self, verb: int, limit: int) -> Person | None:
        """Speaker named before a speech verb: `Name(, a role at Org,) said` or `(Org) role Name said`."""
        doc = self.doc
        j = verb
        while j - 1 >= limit and doc[j - 1].lower_ in self.lex.adverbs:
            j -= 1
        self.subject_start = j - 1
        if j - 1 >= limit and doc[j - 1].lower_ in self.lex.pronouns:
            return self.last_person_before(doc[j - 1].idx, doc[j - 1].lower_)
        described = self.description(j, limit)
        if described is not None:
            return described
        if self.entity_before(j, limit):
            return ORGANISATION
        title = org = None
        if j - 1 >= limit and doc[j - 1].text == "," and not self.lower_text:
            # "Name, a role at Org, said": find the comma that opens the appositive
            for c in range(j - 2, max(limit, j - 16) - 1, -1):
                if doc[c].text == ",":
                    t, o, end = self.appositive(c, j - 1)
                    if t is not None and end == j - 1:
                        title, org, j = t, o, c
                    elif c + 1 < len(doc) and doc[c + 1].lower_ in {"who", "a", "an", "the", "whose", "which"}:
                        j = c
                    break
        elif self.lower_text:
            # "name role at org said" with no commas: walk back over org and role
            for p in range(j - 1, max(limit, j - 9) - 1, -1):
                if doc[p].lower_ in ORG_PREPS and self.role_backward(p, limit) is not None:
                    if self.org_forward(p + 1, j) == j:
                        rs = self.role_backward(p, limit)
                        title = self.display_title(doc[rs:p])
                        org = self.display(doc[p + 1:j]).removeprefix("The ").removeprefix("the ")
                        j = rs
                        if j - 1 >= limit and doc[j - 1].lower_ in {"a", "an", "the"}:
                            j -= 1
                    break
            else:
                rs = self.role_backward(j, limit)
                if rs is not None:
                    title, j = self.display_title(doc[rs:j]), rs
        start = self.name_backward(j, limit)
        if start == j:
            if j - 1 >= limit and doc[j - 1].is_alpha:
                # "another analyst, who asked not to be named, said", "One described", "officials said":
                # someone speaks, but no named person
                return ORGANISATION
            return None
        self.subject_start = start
        if title is None and start > limit:
            rs = self.role_backward(start, limit)
            if rs is not None:
                title = self.display_title(doc[rs:start])
                org_start = rs
                while org_start > limit and not self.lower_text and (doc[org_start - 1].text[:1].isupper()
                                                                     or doc[org_start - 1].text in {"'s", "’s"}):
                    org_start -= 1
                if org_start < rs:
                    org = self.display(doc[org_start:rs]).removesuffix("'s").removesuffix("’s")
                self.subject_start = org_start
        found = self.person(start, j, title, org)
        if found is None:
            return ORGANISATION  # a subject we cannot take for a person ("Celsius said", "One described"): not theirs
        return found

    def entity_before(self, end: int, limit: int) -> bool:
        """True when an exchange, provider, outlet or token stands right before the verb ("Binance said")."""
        j = end
        while j - 1 >= limit and (self.doc[j - 1].lower_ in self.lex.adverbs or self.doc[j - 1].text == ","):
            j -= 1
        return j - 1 >= limit and j - 1 in self.entity_tokens

    def description(self, end: int, limit: int) -> Person | None:
        """ "the politician said" stands for the last person named; "the firm said" for an organisation."""
        doc = self.doc
        for start in range(end - 1, max(limit, end - 5) - 1, -1):
            if doc[start].lower_ in {"the", "this", "that"}:
                self.subject_start = start
                noun = doc[end - 1].lower_
                if noun in self.lex.org_nouns:
                    return ORGANISATION  # "the firm said", "the analysts wrote": not one named person
                if noun in self.lex.person_nouns or end - 1 in self.role_tokens:
                    return self.last_person_before(doc[start].idx)  # "the former Coinbase CTO wrote"
                if doc[end - 1].text[:1].isupper():
                    return ORGANISATION  # "the firm said", "the SEC said": a person is never "the Name"
                return None
            if not doc[start].is_alpha:
                return None
        return None

    def introduced_after(self, i: int, limit: int) -> Person | None:
        """ "“...” That was the view of Ana Lima, an analyst at ...": the next sentence names the speaker."""
        doc = self.doc
        words = [t.lower_ for t in doc[i:min(limit, i + 12)]]
        if not any(tuple(words[k:k + len(c)]) == c for c in self.lex.after_cues for k in range(len(words))):
            return None
        lo, hi = doc[i].idx if i < len(doc) else 0, doc[min(limit, i + 16) - 1].idx if limit > i else 0
        named = [p for p in self.people if lo <= p.at <= hi and p is not ORGANISATION]
        return min(named, key=lambda p: p.at) if named else None

    def from_tail(self, i: int, limit: int) -> Person | None:
        """Attribution after the closing mark."""
        doc = self.doc
        while i < limit and (doc[i].is_punct or doc[i].is_space) and doc[i].text not in "“\"‘":
            i += 1
        if i >= limit:
            return None
        verb_end = self.speech(i, "tail")
        if verb_end is not None:
            return self.after_verb(verb_end, limit)
        # name (or pronoun) first, then the verb within reach
        for v in range(i + 1, min(limit, i + 20)):
            if doc[v].text in "“\"‘" or (doc[v].text in {".", "!", "?"} and v > i + 1):
                break
            if self.speech(v, "tail") is not None:
                found = self.before_verb(v, i)
                # the speaker must open the tail: a name further on belongs to another sentence
                if self.subject_start > i + 2:
                    return None
                if found is None and v - i <= 2 and doc[i].text[:1].isupper():
                    return ORGANISATION  # someone we cannot name ("Tallis wrote"): not anybody else's quote
                return found
        return None

    def from_head(self, end: int, limit: int) -> Person | None:
        """Attribution before the opening mark: `Name said:` / `he added, "` / `Name told X in a note:`."""
        doc = self.doc
        for v in range(end - 1, max(limit, end - HEAD_GAP) - 1, -1):
            if doc[v].text in {".", "!", "?", "”", '"'} and v < end - 1:
                break
            verb_end = self.speech(v, "head")
            if verb_end is not None:
                if doc[v].lower_ == "according":
                    return self.after_verb(verb_end, end)
                if doc[v].lower_.endswith("ing"):
                    # "..., writing that": the sentence's subject speaks
                    person = self.last_person_before(doc[v].idx)
                    return person if person is not None and person.at >= sentence_at(doc, v).start_char else None
                found = self.before_verb(v, limit)
                if found is None and (v == limit or doc[v - 1].is_punct or doc[v - 1].is_space):
                    found = self.after_verb(verb_end, end)  # "Wrote Lena Szabo of Danube Capital:"
                return found
        return None

    def scan_people(self) -> None:
        """Register people introduced with a role anywhere ("Jonas Whitfield, a strategist at Northgate")."""
        doc = self.doc
        for r in sorted(self.role_at):
            lo = max(0, r - 12)
            first = r
            first = self.modifiers_before(first, lo)
            if not self.lower_text and first >= 1:
                c = first - 1
                if doc[c].lower_ in {"a", "an", "the"}:
                    c -= 1
                if c >= 1 and doc[c].text == ",":
                    start = self.name_backward(c, lo)
                    if start < c:
                        title, org, _ = self.appositive(c, min(len(doc), r + 15))
                        if title is None:
                            continue
                        self.person(start, c, title, org)
                        continue
            end = self.role_start(r)
            if end is not None and end < len(doc) and not self.lower_text:
                name_end = self.name_forward(end, min(len(doc), end + 4))
                single = name_end - end == 1 and name_end < len(doc) and doc[name_end].text in {"(", ","}
                if name_end - end >= 2 or single:
                    # "analyst Rachel Obi", and a one-word pseudonym: "pseudonymous analyst Tallis (@tallis)"
                    self.person(end, name_end, self.display_title(doc[first:end]), None)
        for ent in doc.ents:
            # a trained pipeline, when there is one, names people our rules do not know
            if ent.label_ == "PERSON" and len(ent) >= 2 and not any(t.i in self.entity_tokens for t in ent):
                self.person(ent.start, ent.end, None, None)
        if self.lower_text:
            self.scan_lower_people()
            return
        known = {p.at for p in self.people}
        covered = -1
        for m in CAPITALISED.finditer(doc_text(doc)):
            if m.start() in known or m.start() < covered or m.group(0).lower() not in self.first_names:
                continue
            i = token_at(doc, m.start())
            if doc[i].idx != m.start() or (i and (self.is_namey(doc[i - 1]) or doc[i - 1].lower_ in ORG_PREPS)):
                continue
            end = self.name_forward(i, min(len(doc), i + 5))
            if end - i >= 2:
                self.person(i, end, None, None)
                covered = doc[end - 1].idx + len(doc[end - 1])


def token_index(doc: Doc, char: int) -> int:
    """Index of the token containing (or first after) a character offset."""
    i = token_at(doc, char)
    if i < len(doc) and doc[i].idx + len(doc[i].text) <= char:
        i += 1
    return min(i, len(doc))


def find_quotes(doc: Doc) -> list[Quote]:
    """Every attributed quotation of the doc."""
    text = doc_text(doc)
    if not any(c in text for c in "\"“‘«„'"):
        return []
    passages = find_passages(text)
    if not passages:
        return []
    sp = Speakers(doc)
    sp.scan_people()
    sp.scan_surnames()
    starts = paragraph_starts(text)
    bounds = [(token_index(doc, p.start), token_index(doc, p.inner_end)) for p in passages]
    for k, p in enumerate(passages):
        open_tok, close_tok = bounds[k]
        close_tok += 1 if close_tok < len(doc) and doc[close_tok].text in "”\"’»" else 0
        next_open = bounds[k + 1][0] if k + 1 < len(passages) else len(doc)
        tail_limit = min(next_open, close_tok + MAX_TAIL)
        para = paragraph_of(starts, p.end)
        para_end_char = starts[para + 1] if para + 1 < len(starts) else len(text) + 1
        while tail_limit > close_tok and doc[tail_limit - 1].idx >= para_end_char:
            tail_limit -= 1
        prev_close = bounds[k - 1][1] + 1 if k else 0
        para = paragraph_of(starts, p.start)
        if para and text[:p.start].rstrip().endswith(":"):
            para = paragraph_of(starts, len(text[:p.start].rstrip()) - 1)
        para_start_char = starts[para]
        head_limit = max(prev_close, open_tok - MAX_HEAD, token_index(doc, para_start_char))
        speaker = sp.from_tail(close_tok, tail_limit)
        if speaker is None:
            speaker = sp.from_head(open_tok, head_limit)
        if speaker is None:
            speaker = sp.introduced_after(close_tok, tail_limit)
        if speaker is ORGANISATION:
            p.explicit = True
        elif speaker is not None:
            p.speaker, p.explicit = speaker, True
    # chains of paragraph-spanning passages share a speaker; unattributed passages inherit from the last one
    for k, p in enumerate(passages):
        if p.speaker is None and p.continues and k and passages[k - 1].speaker is not None:
            p.speaker = passages[k - 1].speaker
    for k in range(len(passages) - 2, -1, -1):
        p, nxt = passages[k], passages[k + 1]
        if p.speaker is None and nxt.continues and nxt.speaker is not None:
            p.speaker = nxt.speaker
    last: Passage | None = None
    for p in passages:
        words = len(text[p.inner_start:p.inner_end].split())
        if p.speaker is None and not p.explicit and last is not None and last.speaker is not None and words >= 4:
            gap_paras = paragraph_of(starts, p.start) - paragraph_of(starts, last.end)
            if gap_paras <= 1 and not _names_between(sp, last.end, p.start, last.speaker):
                p.speaker = last.speaker
        if p.speaker is None and not p.explicit and words >= 4:
            p.speaker = _reported_speaker(doc, sp, starts, p, last)
        if p.explicit or (p.speaker is None and words >= 4):
            last = p  # an inherited passage hands on its speaker only through the passage it inherited from
    _sole_speaker(text, starts, passages)
    quotes: list[Quote] = []
    for p in passages:
        if p.speaker is None:
            continue
        if p.continues and quotes and quotes[-1].end >= p.start - 4 and quotes[-1].speaker == p.speaker.name:
            # a quotation running over several paragraphs is one passage
            quotes[-1].end = p.inner_end
            while quotes[-1].end > p.inner_start and text[quotes[-1].end - 1].isspace():
                quotes[-1].end -= 1
            quotes[-1].text = text[quotes[-1].start:quotes[-1].end]
            continue
        inner_start, inner_end = p.inner_start, p.inner_end
        while inner_start < inner_end and text[inner_start].isspace():
            inner_start += 1
        while inner_end > inner_start and (text[inner_end - 1].isspace() or text[inner_end - 1] in ",;"):
            inner_end -= 1
        if inner_end <= inner_start:
            continue
        person = p.speaker
        known = sp.known.get(person.key, (None, None))
        title = person.title or known[0]
        org = person.org or known[1]
        quotes.append(Quote(person.name, title, org, text[inner_start:inner_end], inner_start, inner_end,
                            "explicit" if p.explicit else "inherited"))
    return quotes


def _sole_speaker(text: str, starts: list[int], passages: list[Passage]) -> None:
    """In a piece that quotes one person only (an interview), a paragraph that is a quotation is theirs."""
    speakers = {p.speaker.key for p in passages if p.speaker is not None}
    if len(speakers) != 1 or any(p.explicit and p.speaker is None for p in passages):
        return
    person = next(p.speaker for p in passages if p.speaker is not None)
    for p in passages:
        para = paragraph_of(starts, p.start)
        opens_paragraph = not text[starts[para]:p.start].strip() or text[:p.start].rstrip().endswith(":")
        if p.speaker is None and opens_paragraph and len(text[p.inner_start:p.inner_end].split()) >= 6:
            p.speaker = person


def _reported_speaker(doc: Doc, sp: Speakers, starts: list[int], p: Passage, last: Passage | None) -> Person | None:
    """A paragraph-opening quotation after "Name said that ..." in the paragraph before belongs to Name."""
    text = doc_text(doc)
    para = paragraph_of(starts, p.start)
    if para == 0 or text[starts[para]:p.start].strip():
        return None
    person = sp.last_person_before(p.start)
    if person is None or person.at < starts[para - 1] or (last is not None and last.end > person.at):
        return None
    first = token_index(doc, person.at)
    verbs = [i for i in sp.speech_at if first < i < token_index(doc, p.start)]
    return person if verbs else None


def _names_between(sp: Speakers, start: int, end: int, speaker: Person) -> bool:
    """True when someone other than the speaker is named between two passages."""
    return any(start <= p.at < end and p.key != speaker.key for p in sp.people)


if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", default=None)


@Language.factory("crypto_quotes")
def make_quotes(nlp: Language, name: str):
    """Find attributed quotations; needs crypto_lexicon before it."""

    name_gender("maria")  # load the name dictionary now, not inside the first document

    def component(doc: Doc) -> Doc:
        doc._.quotes = find_quotes(doc)
        return doc

    return component
