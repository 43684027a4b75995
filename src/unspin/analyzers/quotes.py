"""Quotes: who says what, in quotation marks (direct) or reported (indirect).

The analyzer works on the shared spaCy parse in three steps:

1. **Quotations** are found in the raw text (:mod:`.quotation_marks`):
   “…”, "…", «…», „…“, ‹…› and ‘…’, apostrophes told apart, long quotes
   running on over paragraphs.
2. **Cues** come from the dependency parse: a reporting verb from
   ``data/attribution_cues_en.json`` with a subject and a clausal complement
   ("Putin stressed that …"), the same verb closing a sentence after a comma
   ("…, Russian President Vladimir Putin has announced.") or a prepositional
   cue ("according to the Russian leader"). Dependencies that cross a line
   break are ignored: a title without a full stop is parsed together with
   the first paragraph, and must not lend it a subject.
3. **Attribution**: a quotation that is (most of) a cue's complement, or that
   sits right before or after a cue in its sentence, is a direct quote of
   that cue's subject; a quotation with no cue of its own continues the
   speaker of the quote before it (cue ``None``); a cue whose complement is
   not a quotation is an indirect quote (partial quotations inside it, as in
   "told Politico that the deal was “a betrayal”", stay part of it). One to
   three quoted words with no cue are scare quotes and are left out.

Speakers are the noun phrase as written (with titles and appositions);
``name`` is the fullest form of that person's name in the article (PERSON
mentions grouped by their last word, :mod:`.names`), or an organisation's name. Pronouns and
role descriptions ("the Russian leader", "the commissioner") are resolved to
the most recent compatible person mention, which becomes ``resolved``.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterable

from sortedcontainers import SortedList

from ..config import Options
from .base import Context, registry
from ..types import Entity, Provenance, Quote, Span, Speaker
from .names import POSSESSIVE_RE, NameIndex, name_words
from .quotation_marks import WORD_RE, Quotation, find_quotations

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# --------------------------------------------------------------------------
# Language data
# --------------------------------------------------------------------------

CUES_RESOURCE = "attribution_cues_en.json"


@dataclass(frozen=True)
class CueLexicon:
    """The English words the analyzer relies on (see the JSON resource)."""

    speech_verbs: frozenset[str]
    naming_verbs: frozenset[str]
    thought_verbs: frozenset[str]
    evidence_verbs: frozenset[str]
    phrasal_verbs: dict[str, str]
    prepositional_cues: tuple[tuple[str, ...], ...]
    role_nouns: frozenset[str]
    generic_role_nouns: frozenset[str]
    titles: frozenset[str]
    male_titles: frozenset[str]
    female_titles: frozenset[str]
    male_pronouns: frozenset[str]
    female_pronouns: frozenset[str]
    plural_pronouns: frozenset[str]
    relative_pronouns: frozenset[str]
    abbreviations: dict[str, str]

    @property
    def cue_verbs(self) -> frozenset[str]:
        return self.speech_verbs | self.thought_verbs | self.evidence_verbs


@lru_cache(maxsize=1)
def load_lexicon() -> CueLexicon:
    raw = json.loads(resources.files("unspin").joinpath("data", CUES_RESOURCE).read_text("utf-8"))

    def words(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in raw[key])

    return CueLexicon(
        speech_verbs=words("speech_verbs") | words("naming_verbs"),
        naming_verbs=words("naming_verbs"),
        thought_verbs=words("thought_verbs"),
        evidence_verbs=words("evidence_verbs"),
        phrasal_verbs={k.lower(): v.lower() for k, v in raw["phrasal_verbs"].items()},
        prepositional_cues=tuple(tuple(w.lower() for w in cue) for cue in raw["prepositional_cues"]),
        role_nouns=words("role_nouns"),
        generic_role_nouns=words("generic_role_nouns"),
        titles=words("titles"),
        male_titles=words("male_titles"),
        female_titles=words("female_titles"),
        male_pronouns=words("male_pronouns"),
        female_pronouns=words("female_pronouns"),
        plural_pronouns=words("plural_pronouns"),
        relative_pronouns=words("relative_pronouns"),
        abbreviations={k.lower(): v.lower() for k, v in raw["title_abbreviations"].items()},
    )


#: Runs of characters that are not letters or digits (``str.isalnum``).
_NOT_ALNUM_RE = re.compile(r"[\W_]+")

#: Reports nest at most this deep ("A said that B said that C said …"): the
#: deepest in 840 PolNeAR articles is 3.
MAX_NESTING = 4
#: A speaker phrase longer than this many tokens is cut to its head word (the
#: longest in 840 PolNeAR articles has 39 words).
MAX_SPEAKER_TOKENS = 80
#: How many of the latest mentions (within its paragraph window) a pronoun
#: or role description may refer to: at most 21 in 840 PolNeAR articles.
MAX_ANTECEDENTS = 50

#: A quotation this short with no cue is a scare quote, not an attribution.
SCARE_QUOTE_WORDS = 3
#: A quotation with no cue and no earlier speaker to continue must be longer
#: than this to be kept (shorter ones are titles and phrases).
UNATTRIBUTED_MIN_WORDS = 6


# --------------------------------------------------------------------------
# The analyzer
# --------------------------------------------------------------------------


@dataclass
class Cue:
    """A reporting expression found in the parse."""

    token: "Token"  # the verb, or the first word of a prepositional cue
    start: int
    end: int
    subject: "Token | None"
    content: tuple[int, int] | None
    speech: bool  # may introduce a direct quotation


@dataclass
class _Mention:
    """A person (or group) mention that later pronouns may refer to."""

    start: int
    end: int
    text: str
    name: str | None
    plural: bool = False
    organisation: bool = False
    subject: bool = False
    gender: str | None = None
    descriptors: frozenset[str] = frozenset()
    #: Inside a quote's content: "he" in "he said" rarely refers to it.
    reported: bool = False


@dataclass
class _Draft:
    """A quote before its speaker is built."""

    content: tuple[int, int]
    kind: str
    cue: Cue | None
    subject: "Token | None" = None
    #: The quote whose speaker this one continues.
    inherited: "_Draft | None" = None
    speaker: Speaker | None = None
    #: The speaker's characters when they are not a parsed noun phrase.
    label: tuple[int, int] | None = None


class QuoteExtractor:
    name = "quotes"
    version = "1"

    def __init__(self, lexicon: CueLexicon | None = None) -> None:
        self.lex = lexicon or load_lexicon()

    def annotate(self, ctx: Context) -> None:
        quotes = self.extract(ctx.analysis.text, ctx.doc, ctx.analysis.entities)
        # A credit line ("The post Putin says … appeared first on …") repeats
        # the headline's words; it is provenance, not anybody speaking.
        credits = _credit_spans(ctx.analysis.provenance)
        ctx.analysis.quotes = [q for q in quotes if not any(_overlap(q.content, c) for c in credits)]

    # -- entry point --------------------------------------------------------

    def extract(self, text: str, doc: "Doc", entities: Iterable[Entity] | None = None) -> list[Quote]:
        run = _Run(self.lex, text, doc, list(entities) if entities is not None else None)
        return run.quotes()


def _credit_spans(provenance: Provenance) -> list[Span]:
    found = [provenance.syndicated_from.evidence] if provenance.syndicated_from else []
    if provenance.outlet is not None and provenance.outlet.evidence is not None:
        found.append(provenance.outlet.evidence)
    return found


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


class _Tree:
    """The dependency parse as plain lists, built once per article in linear time.

    spaCy walks the sentence on every ``Token.sent`` and the span of a
    token's subtree on every ``.children``, ``.lefts``, ``.rights`` and
    ``.subtree``; ``Span.root`` climbs to the root from each token. On a
    20,000-word "sentence" of hostile text, rules calling them for every
    token would take quadratic time. These lists answer the same questions
    in constant time.
    """

    def __init__(self, doc: "Doc") -> None:
        n = len(doc)
        self.doc = doc
        # HEAD is stored as an offset (an unsigned array of signed values)
        self.heads = [i + offset for i, offset in enumerate(doc.to_array("HEAD").view("int64").tolist())]
        self.children: list[list[int]] = [[] for _ in range(n)]
        for i, h in enumerate(self.heads):
            if h != i:
                self.children[h].append(i)
        self.sent_of = [0] * n
        self.sent_bounds: list[tuple[int, int]] = []
        for s, sent in enumerate(doc.sents):
            self.sent_bounds.append((sent.start, sent.end))
            for i in range(sent.start, sent.end):
                self.sent_of[i] = s
        # Depth, subtree extent and size, from the roots down (then up).
        order = [i for i in range(n) if self.heads[i] == i]
        self.depth = [0] * n
        for i in order:  # breadth-first: ``order`` grows as it is read
            for c in self.children[i]:
                self.depth[c] = self.depth[i] + 1
                order.append(c)
        self.reached = len(order) == n  # False only for a parse with a cycle
        self.sub_lo = list(range(n))
        self.sub_hi = list(range(n))
        self.sub_size = [1] * n
        for i in reversed(order):
            h = self.heads[i]
            if h != i:
                self.sub_lo[h] = min(self.sub_lo[h], self.sub_lo[i])
                self.sub_hi[h] = max(self.sub_hi[h], self.sub_hi[i])
                self.sub_size[h] += self.sub_size[i]
        self.order = order

    def kids(self, tok: "Token") -> list["Token"]:
        """``tok.children``."""
        return [self.doc[c] for c in self.children[tok.i]]

    def lefts(self, tok: "Token") -> list["Token"]:
        return [self.doc[c] for c in self.children[tok.i] if c < tok.i]

    def rights(self, tok: "Token") -> list["Token"]:
        return [self.doc[c] for c in self.children[tok.i] if c > tok.i]

    def sent(self, i: int) -> tuple[int, int]:
        """Token range ``[start, end)`` of the sentence of token ``i``."""
        return self.sent_bounds[self.sent_of[i]]

    def contiguous(self, i: int) -> bool:
        """Whether the subtree of ``i`` is exactly the tokens ``sub_lo..sub_hi``."""
        return self.sub_size[i] == self.sub_hi[i] - self.sub_lo[i] + 1

    def subtree(self, i: int) -> list[int]:
        """Indices of the subtree of ``i`` (any order)."""
        found, stack = [], [i]
        while stack:
            j = stack.pop()
            found.append(j)
            stack.extend(self.children[j])
        return found

    def span_root(self, lo: int, hi: int) -> "Token":
        """``doc[lo:hi].root``: the first sentence root in the span, else the
        token with the shortest path to the root whose head is outside the
        span (a childless space or punctuation only as a last resort, as
        spaCy does), the first one on ties."""
        doc = self.doc
        for i in range(lo, hi):
            if self.heads[i] == i:
                return doc[i]
        if not self.reached:
            return doc[lo:hi].root
        best, root = len(doc), -1
        for i in range(lo, hi):
            if lo <= self.heads[i] < hi:
                continue
            tok = doc[i]
            leaf = not self.children[i] and (tok.is_space or tok.is_punct)
            depth = len(doc) - 1 if leaf else self.depth[i]
            if depth < best:
                best, root = depth, i
        return doc[root] if root >= 0 else doc[lo]


class _Counts:
    """How many items of a flag list are true in a range, in constant time."""

    def __init__(self, flags: Iterable[bool]) -> None:
        self.prefix = [0]
        for f in flags:
            self.prefix.append(self.prefix[-1] + bool(f))

    def between(self, lo: int, hi: int) -> int:
        """True flags among indices ``lo..hi`` (inclusive; 0 when ``lo > hi``)."""
        if lo > hi:
            return 0
        lo = max(lo, 0)
        hi = min(hi, len(self.prefix) - 2)
        return self.prefix[hi + 1] - self.prefix[lo] if lo <= hi else 0


class _CharRuns:
    """Maximal runs of a character class in the text, to count them in any slice."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in pattern.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def count(self, a: int, b: int) -> int:
        """``len(pattern.findall(text[a:b]))`` without slicing."""
        if a >= b:
            return 0
        k = bisect.bisect_left(self.starts, a)
        n = bisect.bisect_left(self.starts, b) - k
        if k > 0 and self.ends[k - 1] > a:
            n += 1  # a run that begins before ``a`` reaches into the slice
        return n


class _CharTotals:
    """How many characters of a class a slice of the text holds, without slicing."""

    def __init__(self, text: str, runs: re.Pattern[str]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before = [0]  # characters in the runs before run k
        for m in runs.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.before.append(self.before[-1] + m.end() - m.start())

    def count(self, a: int, b: int) -> int:
        if a >= b:
            return 0
        first = bisect.bisect_right(self.ends, a)  # the first run ending after a
        stop = bisect.bisect_left(self.starts, b)  # runs from here on start at or after b
        if first >= stop:
            return 0
        total = self.before[stop] - self.before[first]
        total -= max(0, a - self.starts[first])  # the part of the first run before a
        total -= max(0, self.ends[stop - 1] - b)  # the part of the last run after b
        return total


class _Skip:
    """Nearest index at or after (before) each position whose flag is false."""

    def __init__(self, skip: list[bool]) -> None:
        n = len(skip)
        self.next = [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.next[i] = self.next[i + 1] if skip[i] else i
        self.prev = [-1] * n
        last = -1
        for i in range(n):
            if not skip[i]:
                last = i
            self.prev[i] = last


class _Taken:
    """Quotations already attributed or absorbed, with a jump to the next free one."""

    def __init__(self, n: int) -> None:
        self.flags = [False] * n
        self._next = list(range(n + 1))

    def __contains__(self, k: int) -> bool:
        return self.flags[k]

    def free_from(self, k: int) -> int:
        """The first quotation index ``>= k`` not taken (``n`` if none)."""
        root = k
        while self._next[root] != root:
            root = self._next[root]
        while self._next[k] != root:
            self._next[k], k = root, self._next[k]
        return root

    def take(self, k: int) -> None:
        self.flags[k] = True
        self._next[k] = k + 1


class _Intervals:
    """Whether any of a fixed set of character ranges overlaps a range."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.max_end = []
        best = -1
        for _, b in ordered:
            best = max(best, b)
            self.max_end.append(best)

    def overlaps(self, a: int, b: int) -> bool:
        k = bisect.bisect_left(self.starts, b)
        return k > 0 and self.max_end[k - 1] > a


class _Run:
    """The state of one article's extraction."""

    def __init__(self, lex: CueLexicon, text: str, doc: "Doc", entities: list[Entity] | None) -> None:
        self.lex = lex
        self.text = text
        self.doc = doc
        if entities is None:
            entities = [Entity(e.text, e.start_char, e.end_char, e.label_) for e in doc.ents]
        self.entities = sorted(entities, key=lambda e: e.start)
        self.entity_starts = [e.start for e in self.entities]
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.quotations = find_quotations(text)
        self.q_opens = [q.open for q in self.quotations]
        self.q_starts = [q.start for q in self.quotations]
        self.q_ends = [q.end for q in self.quotations]
        self.q_close_ends = [q.close_end for q in self.quotations]
        # Words between consecutive quotations, summed: words outside the
        # quotations inside any span come from two subtractions.
        self.words = _CharRuns(text, WORD_RE)
        self.gap_words = [0]
        for prev, q in itertools.pairwise(self.quotations):
            self.gap_words.append(self.gap_words[-1] + self.words.count(prev.close_end, q.open))
        self._not_alnum: _CharTotals | None = None
        self.tok_starts = [t.idx for t in doc]
        self.para = [self.paragraph(t.idx) for t in doc]
        self.in_quote = [False] * len(doc)
        for q in self.quotations:
            for i in self.token_range(q.open, max(q.close_end, q.close + 1)):
                self.in_quote[i] = True
        self.tree = _Tree(doc)
        self.build_token_indexes()
        #: ids of the cues whose complement is a quotation
        self.direct_cues: set[int] = set()
        self.names = NameIndex(lex.titles)
        for e in self.entities:
            if e.type == "PERSON":
                self.names.add(e.text, e.start)
        self._subjects: dict[tuple[int, int], "Token | None"] = {}
        self._descriptors: dict[tuple[int, int], frozenset[str]] = {}

    def build_token_indexes(self) -> None:
        """Per-token flags the rules test over ranges, counted once."""
        doc, lex, n = self.doc, self.lex, len(self.doc)
        punct, space, verb_or_aux, verb, lemma, texts = [], [], [], [], [], []
        for t in doc:
            punct.append(t.is_punct)
            space.append(t.is_space)
            pos = t.pos_
            verb.append(pos == "VERB")
            verb_or_aux.append(pos == "VERB" or pos == "AUX")
            lemma.append(t.lemma_.lower())
            texts.append(t.text)
        free = [not (p or s or q) for p, s, q in zip(punct, space, self.in_quote, strict=True)]
        self.verb_or_aux = _Counts(verb_or_aux)
        self.in_quote_count = _Counts(self.in_quote)
        self.word_tokens = _Counts(not (p or s) for p, s in zip(punct, space, strict=True))
        self.free_words = _Counts(free)
        self.free_cue_verbs = _Counts(
            f and v and lm in lex.cue_verbs for f, v, lm in zip(free, verb, lemma, strict=True)
        )
        self.speech_verb = [v and lm in lex.speech_verbs for v, lm in zip(verb, lemma, strict=True)]
        self.semicolons = [i for i, x in enumerate(texts) if x == ";" and not self.in_quote[i]]
        self.notings = [
            i
            for i in range(1, n)
            if lemma[i] in lex.speech_verbs
            and texts[i - 1] == ","
            and not self.in_quote[i]
            and doc[i].dep_ == "advcl"
            and doc[i].tag_ == "VBG"
        ]
        # Quotation marks that open or close a quotation stay at a span's edge.
        opens = {q.open for q in self.quotations}
        closes = {q.close for q in self.quotations if q.closed}
        starts = self.tok_starts
        self.edge_punct = _Skip([p or s for p, s in zip(punct, space, strict=True)])
        marks = list(zip(punct, space, starts, strict=True))
        self.trim_left = _Skip([s or (p and at not in opens) for p, s, at in marks])
        self.trim_right = _Skip([s or (p and at not in closes) for p, s, at in marks])
        self.space_or_comma = _Skip([s or x == "," for s, x in zip(space, texts, strict=True)])
        self.only_space = _Skip(space)
        self.para_first: list[int] = []
        self.para_last: list[int] = []
        for i, p in enumerate(self.para):
            while len(self.para_first) <= p:
                self.para_first.append(i)
                self.para_last.append(i - 1)
            self.para_last[p] = i
        # Above each token: the nearest speech verb, and the nearest ancestor
        # in another paragraph (who speaks in "…, noting that …").
        self.speech_above: list[int | None] = [None] * n
        self.para_break_above: list[int | None] = [None] * n
        heads = self.tree.heads
        for i in self.tree.order:
            h = heads[i]
            if h == i:
                continue
            self.speech_above[i] = h if self.speech_verb[h] else self.speech_above[h]
            self.para_break_above[i] = h if self.para[h] != self.para[i] else self.para_break_above[h]

    # -- positions ----------------------------------------------------------

    def paragraph(self, char: int) -> int:
        return bisect.bisect_right(self.newlines, char - 1) if char > 0 else 0

    def paragraph_start(self, p: int) -> int:
        """First character of paragraph ``p`` (0 for ``p <= 0``)."""
        return self.newlines[p - 1] + 1 if p > 0 else 0

    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.tok_starts, char) - 1)

    def token_range(self, start: int, end: int) -> range:
        """Indices of tokens that start in ``[start, end)``."""
        return range(bisect.bisect_left(self.tok_starts, start), bisect.bisect_left(self.tok_starts, end))

    def same_para(self, a: "Token", b: "Token") -> bool:
        return self.para[a.i] == self.para[b.i]

    def same_sent(self, a: "Token", b: "Token") -> bool:
        return self.tree.sent_of[a.i] == self.tree.sent_of[b.i]

    def quotation_at(self, char: int) -> Quotation | None:
        k = bisect.bisect_right(self.q_opens, char) - 1
        if k >= 0 and self.quotations[k].open <= char < max(self.quotations[k].close_end, self.quotations[k].close + 1):
            return self.quotations[k]
        return None

    def entity_at(self, char: int) -> Entity | None:
        """The entity covering ``char`` (spaCy's entities do not overlap)."""
        k = bisect.bisect_right(self.entity_starts, char) - 1
        if k >= 0 and self.entities[k].start <= char < self.entities[k].end:
            return self.entities[k]
        return None

    def last_visible_char(self, a: int, b: int) -> str:
        """The last non-space character of ``text[a:b]`` ("" if none)."""
        k = b - 1
        while k >= a and self.text[k].isspace():
            k -= 1
        return self.text[k] if k >= a else ""

    def alnum(self, start: int, end: int) -> int:
        """Letters and digits in ``text[start:end]``."""
        if self._not_alnum is None:
            self._not_alnum = _CharTotals(self.text, _NOT_ALNUM_RE)
        return max(0, end - start) - self._not_alnum.count(start, end)

    # -- main ---------------------------------------------------------------

    def quotes(self) -> list[Quote]:
        cues = [c for c in (self.cue_for(t) for t in self.doc) if c is not None]
        drafts: list[_Draft] = []
        taken = _Taken(len(self.quotations))  # quotations already attributed or absorbed
        used_cues = self.direct_cues

        # (a) quotations that are (most of) a cue's complement
        for cue in cues:
            if cue.content is None:
                continue
            first, stop = self.quotations_inside(cue.content)
            if first >= stop:
                continue
            direct = self.words_outside(cue.content, first, stop) <= 2
            k = taken.free_from(first)
            while k < stop:
                taken.take(k)
                if direct:
                    q = self.quotations[k]
                    drafts.append(_Draft((q.start, q.end), "direct", cue, cue.subject))
                k = taken.free_from(k + 1)
            if direct:
                used_cues.add(id(cue))

        for cue in cues:
            if cue.content is not None and id(cue) not in used_cues:
                drafts.append(_Draft(cue.content, "indirect", cue, cue.subject))

        # (b, c, d) the remaining quotations, in text order
        speech_cues = [c for c in cues if c.speech]
        cue_tokens = [c.token.i for c in speech_cues]
        absorbed = -1  # quotations before this offset are inside a reported clause
        earlier = _LatestDraft(drafts)
        for k, q in enumerate(self.quotations):
            if k in taken or q.open < absorbed:
                continue
            cue = self.suffix_cue(q, speech_cues, cue_tokens)
            if cue is None:
                cue = self.prefix_cue(q, speech_cues, cue_tokens)
                clause = self.embedding_clause(cue, q) if cue is not None else None
                if cue is not None and clause is not None:
                    # said for the first time that “top secret” intelligence had …
                    earlier.add(_Draft(clause, "indirect", cue, cue.subject))
                    absorbed = clause[1]
                    continue
            if cue is not None and self.is_label(cue, q):
                continue  # prices that critics call “outrageous”: a label, not speech
            if cue is not None:
                earlier.add(_Draft((q.start, q.end), "direct", cue, cue.subject))
                continue
            words = q.count_words(self.text)
            if words <= SCARE_QUOTE_WORDS and not self.standalone(q):
                continue  # scare quotes
            prev = self.previous_speaker(q, earlier)
            if prev is None and words <= UNATTRIBUTED_MIN_WORDS:
                continue  # a title or a phrase held at arm's length, not speech
            earlier.add(_Draft((q.start, q.end), "direct", None, None, inherited=prev))

        drafts.extend(self.colon_attributions(drafts))

        return self.finish(_shallow(drafts))

    def colon_attributions(self, drafts: list[_Draft]) -> list[_Draft]:
        """"PENCE: Well, look, …" (transcripts) and "Ryan: ‘…’" (headlines)."""
        found = []
        taken = _Intervals(d.content for d in drafts)
        for p, start in enumerate([0] + [n + 1 for n in self.newlines]):
            end = self.newlines[p] if p < len(self.newlines) else len(self.text)
            line = self.text[start:end]
            m = re.match(r"\s*([^\W\d_][\w.’'\- ]{0,40}?)\s*:\s+(?=\S)", line)
            if m is None:
                continue
            a, b = start + m.start(1), start + m.end(1)
            if not self.is_person_label(a, b):
                continue
            c0, c1 = start + m.end(), end
            while c1 > c0 and self.text[c1 - 1].isspace():
                c1 -= 1
            if self.words.count(c0, c1) < 3 or taken.overlaps(c0, c1):
                continue
            kind = "indirect"
            q = self.quotation_at(c0)
            if q is not None and q.open == c0 and q.close_end >= c1 - 1:
                kind, (c0, c1) = "direct", (q.start, q.end)
            colon = start + m.end(1) + self.text[start + m.end(1) : c0].index(":")
            cue = Cue(self.doc[self.token_at(colon)], colon, colon + 1, None, (c0, c1), True)
            head = self.doc[self.token_at(b - 1)]
            found.append(_Draft((c0, c1), kind, cue, head, label=(a, b)))
        return found

    def is_person_label(self, a: int, b: int) -> bool:
        label = self.text[a:b]
        if len(label.split()) > 4:
            return False
        e = self.entity_at(a)
        if e is not None and e.end >= b and e.type == "PERSON":
            return True
        key = name_words(label, self.lex.titles)
        return bool(key) and key[-1].lower() in self.names

    # -- cues ---------------------------------------------------------------

    def cue_for(self, tok: "Token") -> Cue | None:
        if self.in_quote[tok.i]:
            return None
        lower = tok.lower_
        for words in self.lex.prepositional_cues:
            if lower == words[0] and self.matches(tok, words):
                return self.prepositional_cue(tok, len(words))
        lemma = tok.lemma_.lower()
        if tok.pos_ != "VERB" or lemma not in self.lex.cue_verbs:
            return None
        particle = self.lex.phrasal_verbs.get(lemma)
        prt = None
        if particle is not None:
            prt = next((c for c in self.tree.kids(tok) if c.dep_ == "prt" and c.lower_ == particle), None)
            if prt is None:
                return None
        subject = self.subject_of(tok)
        if subject is None:
            return None
        content = self.complement(tok)
        if content is None and lemma not in self.lex.evidence_verbs:
            if tok.dep_ == "parataxis" and self.same_para(tok.head, tok) and self.same_sent(tok.head, tok):
                content = self.parenthetical(tok, subject)
            else:
                content = self.trailing_content(tok, subject)
        speech = lemma in self.lex.speech_verbs
        if content is None and not speech:
            return None
        group = [c for c in self.tree.lefts(tok) if c.dep_ in ("aux", "auxpass", "neg") and tok.i - c.i <= 4]
        first = min([tok.i] + [c.i for c in group])
        last = prt.i if prt is not None else tok.i
        return Cue(tok, self.doc[first].idx, self.doc[last].idx + len(self.doc[last]), subject, content, speech)

    def matches(self, tok: "Token", words: tuple[str, ...]) -> bool:
        if tok.i + len(words) > len(self.doc):
            return False
        return all(self.doc[tok.i + k].lower_ == w for k, w in enumerate(words))

    def prepositional_cue(self, tok: "Token", length: int) -> Cue | None:
        last = self.doc[tok.i + length - 1]
        obj = next((c for c in self.tree.kids(last) if c.dep_ == "pobj"), None)
        if obj is None or self.in_quote[obj.i] or not self.same_para(obj, tok):
            return None
        head = tok.head
        if head.pos_ not in ("VERB", "AUX") or not self.same_para(head, tok):
            head = self.tree.span_root(*self.tree.sent(tok.i))
        lo, hi = self.clip(head.left_edge.i, head.right_edge.i, tok)
        left = (lo, tok.left_edge.i - 1)
        right = (tok.right_edge.i + 1, hi)
        sides = [s for s in (left, right) if s[0] <= s[1]]
        content = None
        best = 0
        for a, b in sides:
            span = self.trim(a, b)
            if span and (n := self.alnum(*span)) > best:
                content, best = span, n
        if content is None or self.words.count(*content) < 2:
            return None
        return Cue(tok, tok.idx, last.idx + len(last), obj, content, True)

    def subject_of(self, verb: "Token", depth: int = 0) -> "Token | None":
        key = (verb.i, depth)
        if key not in self._subjects:
            # Conjoined cues ask for their head's subject again and again.
            self._subjects[key] = self.find_subject(verb, depth)
        return self._subjects[key]

    def find_subject(self, verb: "Token", depth: int) -> "Token | None":
        for c in self.tree.kids(verb):
            if c.dep_ in ("nsubj", "nsubjpass") and self.same_para(c, verb) and not self.in_quote[c.i]:
                if c.dep_ == "nsubjpass" and c.lower_ in ("it", "this", "that"):
                    return None
                if c.lower_ in self.lex.relative_pronouns and verb.dep_ == "relcl":
                    # "Lynch, who told Congress …": the speaker is "who",
                    # resolved to the noun it hangs off.
                    return c if not self.in_quote[verb.head.i] else None
                if c.lower_ in ("there", "what", "which", "this", "that", "these", "those"):
                    return None
                return c
        for c in self.tree.lefts(verb):
            # "Clinton, exasperated, responded:" — the subject went to the aside.
            if c.dep_ in ("parataxis", "advcl") and self.same_para(c, verb):
                subj = next((g for g in self.tree.lefts(c) if g.dep_ == "nsubj" and g.pos_ in ("PROPN", "NOUN")), None)
                if subj is not None and not self.in_quote[subj.i]:
                    return subj
        prev = self.doc[verb.i - 1] if verb.i > 0 else None
        if prev is not None and prev.is_punct and verb.lemma_.lower() in self.lex.speech_verbs:
            # “…,” said Oversight ranking Democrat Elijah Cummings: the parser
            # sometimes takes the inverted subject for an object.
            for c in self.tree.rights(verb):
                if c.dep_ in ("dobj", "attr", "npadvmod", "dep", "appos", "oprd") and c.pos_ in ("PROPN", "NOUN"):
                    return c if self.same_para(c, verb) and not self.in_quote[c.i] else None
        head = verb.head
        if depth < 2 and verb.dep_ == "advcl" and verb.tag_ == "VBG":
            # "X said that the plan …, noting that …": the parser often hangs
            # the participle inside the reported clause; X is still speaking.
            # (The nearest speech verb above it, unless a paragraph ends first.)
            speech, other_para = self.speech_above[verb.i], self.para_break_above[verb.i]
            if speech is not None and (other_para is None or self.tree.depth[speech] > self.tree.depth[other_para]):
                return self.subject_of(self.doc[speech], depth + 1)
        if depth < 2 and head is not verb and self.same_para(head, verb):
            if verb.dep_ in ("conj", "advcl", "xcomp") and head.pos_ in ("VERB", "AUX"):
                return self.subject_of(head, depth + 1)
            if verb.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN") and verb.tag_ == "VBG":
                return head if not self.in_quote[head.i] else None
        return None

    def complement(self, verb: "Token") -> tuple[int, int] | None:
        comps = [c for c in self.tree.kids(verb) if c.dep_ == "ccomp" and self.same_para(c, verb)]
        if not comps:
            return None
        right = [c for c in comps if c.i > verb.i]
        quoted = [c for c in comps if c.i < verb.i and self.in_quote[c.i]]
        if quoted:  # “…,” Trump said in February of a company that announced …
            right = []
            comps = quoted
        comp = min(right, key=lambda c: c.i) if right else max(comps, key=lambda c: c.i)
        lo, hi = self.clip(comp.left_edge.i, comp.right_edge.i, verb)
        if right:
            lo = max(lo, verb.i + 1)
            hi = self.extend_to_sentence_end(verb, hi)
        else:
            hi = min(hi, verb.i - 1)
        first = self.doc[lo] if lo <= hi else None
        if first is not None and first.lower_ == "that" and first.dep_ == "mark":
            lo += 1
        j = bisect.bisect_left(self.notings, lo + 2)
        if j < len(self.notings) and self.notings[j] <= hi:
            hi = self.notings[j] - 2  # "…, noting that …" is a quote of its own
        return self.trim(lo, hi)

    def extend_to_sentence_end(self, verb: "Token", hi: int) -> int:
        """A reported clause runs to the end of its sentence ("…, so he'll
        have enough votes"), short of another cue ("…, adding that …")."""
        end = min(self.tree.sent(verb.i)[1] - 1, verb.right_edge.i)
        _, end = self.clip(hi, end, verb)
        for c in self.tree.rights(verb):
            if c.i <= hi:
                continue
            if (c.pos_ == "VERB" and c.lemma_.lower() in self.lex.cue_verbs) or any(
                c.lower_ == words[0] for words in self.lex.prepositional_cues
            ):
                end = min(end, c.left_edge.i - 1)
            if c.dep_ in ("cc", "conj"):  # "…, but she hasn't endorsed her"
                end = min(end, c.left_edge.i - 1)
        j = bisect.bisect_left(self.semicolons, hi + 1)
        if j < len(self.semicolons) and self.semicolons[j] <= end:
            return max(hi, self.semicolons[j] - 1)
        return max(hi, end)

    def trailing_content(self, verb: "Token", subject: "Token") -> tuple[int, int] | None:
        """"…, Russian President Vladimir Putin has announced." → the part before."""
        sent_start, _ = self.tree.sent(verb.i)
        if verb.i == sent_start:
            return None
        allowed = {"prep", "advmod", "npadvmod", "punct", "agent", "advcl", "prt", "nsubj", "dep"}
        if verb.lemma_.lower() in ("tell", "ask", "inform", "remind", "assure", "warn", "advise"):
            allowed |= {"dobj", "dative"}
        for c in self.tree.rights(verb):
            if c.dep_ not in allowed and not c.is_space:
                return None
        left = [c.i for c in self.tree.lefts(verb) if c.dep_ in ("aux", "auxpass", "neg", "advmod")]
        subj_lo = subject.left_edge.i if subject.i < verb.i else verb.i
        begin = min([verb.i, subj_lo] + left)
        k = self.only_space.prev[begin - 1] if begin > 0 else -1
        if k < sent_start or self.doc[k].text not in (",", "—", "–", "”", '"', "’"):
            return None
        lo, hi = self.clip(sent_start, k, verb)
        if lo > hi:
            return None
        if not self.verb_or_aux.between(lo, hi):
            return None  # "After the vote, Smith warned." — not a clause
        span = self.trim(lo, hi)
        if span is None or self.words.count(*span) < 3:
            return None
        return span

    def parenthetical(self, verb: "Token", subject: "Token") -> tuple[int, int] | None:
        """"The deal, Smith said, is dead." / "The deal is dead, Smith said."

        The parser hangs the cue off the reported clause (``parataxis``);
        the content is that clause, with the cue inside it when the cue
        interrupts it (content spans are contiguous).
        """
        head = verb.head
        if head.pos_ == "VERB" and head.lemma_.lower() in self.lex.cue_verbs:
            return None  # “…,” Trump said, after Becky Quick said …
        lo, hi = self.clip(head.left_edge.i, head.right_edge.i, verb)
        group_lo = min([verb.i, subject.left_edge.i] + [c.i for c in self.tree.lefts(verb) if c.dep_ in ("aux", "neg")])
        group_hi = verb.right_edge.i
        k = group_lo - 1
        if k > lo:
            k = max(lo, self.space_or_comma.prev[k])
        if k >= lo and self.closes_quote(k):
            # – ''He would have loved Stalin,'' Mr. Biden said twice – : the quote
            q = self.quotation_at(self.doc[k].idx)
            return (q.start, q.end) if q is not None else None

        words = self.word_tokens.between
        before, after = words(lo, group_lo - 1), words(group_hi + 1, hi)
        if after == 0:
            lo, hi = lo, group_lo - 1
        elif before == 0:
            lo, hi = group_hi + 1, hi
        if words(lo, hi) < 3 or not self.verb_or_aux.between(lo, hi):
            return None
        return self.trim(lo, hi)

    def clip(self, lo: int, hi: int, anchor: "Token") -> tuple[int, int]:
        """Token range ``[lo, hi]`` cut to the paragraph of ``anchor``
        (``(hi + 1, hi)`` when none of it is in that paragraph)."""
        if lo > hi:
            return lo, hi
        p = self.para[anchor.i]
        first, last = self.para_first[p], self.para_last[p]
        if hi < first or lo > last:
            return hi + 1, hi
        return max(lo, first), min(hi, last)

    def trim(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Character span of tokens ``lo..hi`` without edge punctuation,
        widened to whole quotations where it cuts one."""
        doc = self.doc
        if lo > hi:
            return None
        lo = min(self.trim_left.next[lo], hi + 1)
        if lo > hi:
            return None
        hi = max(self.trim_right.prev[hi], lo - 1)
        if lo > hi:
            return None
        start, end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        # Only the quotation the span starts in and the one it ends in can
        # widen it; the ones wholly inside change nothing.
        k = bisect.bisect_right(self.q_close_ends, start)
        last = bisect.bisect_left(self.q_opens, end) - 1
        for j in (k, last) if last > k else (k,):
            if j >= len(self.quotations) or j < 0:
                continue
            q = self.quotations[j]
            if q.open >= end or q.close_end <= start:
                continue
            if start <= q.open < end < q.close_end:
                end = q.close_end
            if q.open < start <= q.close and end > q.close:
                start = q.open
        while end > start and self.text[end - 1] in " \t\r\n.,;:":
            end -= 1
        return (start, end) if end > start else None

    def opens_quote(self, i: int) -> bool:
        q = self.quotation_at(self.doc[i].idx)
        return q is not None and q.open == self.doc[i].idx

    def closes_quote(self, i: int) -> bool:
        q = self.quotation_at(self.doc[i].idx)
        return q is not None and q.close == self.doc[i].idx and q.closed

    def quotations_inside(self, span: tuple[int, int]) -> tuple[int, int]:
        """Indices ``[first, stop)`` of the quotations whose words overlap ``span``."""
        return bisect.bisect_right(self.q_ends, span[0]), bisect.bisect_left(self.q_starts, span[1])

    def words_outside(self, span: tuple[int, int], first: int, stop: int) -> int:
        """Words of ``span`` outside the quotations ``first..stop-1`` inside it
        ("that", "the deal was"): before the first, between them, after the last."""
        a, b = self.quotations[first], self.quotations[stop - 1]
        between = self.gap_words[stop - 1] - self.gap_words[first]
        return self.words.count(span[0], max(span[0], a.open)) + between + self.words.count(b.close_end, span[1])

    # -- direct quotations without a complement link -------------------------

    def suffix_cue(self, q: Quotation, cues: list[Cue], tokens: list[int]) -> Cue | None:
        """“…,” President Putin said. — a cue right after the closing mark."""
        if not q.closed:
            return None
        after = q.close_end
        k = bisect.bisect_left(tokens, self.token_at(after) if after < len(self.text) else len(self.doc))
        if k >= len(cues):
            return None
        cue = cues[k]
        if cue.start < after or self.paragraph(cue.start) != self.paragraph(q.close):
            return None
        if cue.content is not None and id(cue) not in self.direct_cues:
            return None  # “…” Smith said the deal was … : a new attribution
        nxt = self.next_open(q)
        if nxt is not None and nxt < cue.start:
            return None
        verb = cue.token
        lo = verb.i
        if cue.subject is not None and cue.subject.i < verb.i:
            lo = min(lo, cue.subject.left_edge.i)
        first = self.token_at(after)
        if first < len(self.doc) and self.doc[first].idx < after:
            first += 1
        if self.word_tokens.between(first, lo - 1) > 1:
            return None  # words between the quotation and its cue
        return cue

    def prefix_cue(self, q: Quotation, cues: list[Cue], tokens: list[int]) -> Cue | None:
        """Lindqvist said: “…” / he warned that “…” — a cue before the mark."""
        open_tok = self.token_at(q.open)
        k = bisect.bisect_left(tokens, open_tok) - 1
        if k < 0:
            return None
        cue = cues[k]
        if cue.end > q.open:
            return None
        same = self.paragraph(cue.start) == self.paragraph(q.open)
        if not same:
            # "RT reports:" closing the paragraph before the quotation
            if self.paragraph(q.open) - self.paragraph(cue.start) != 1 or self.last_visible_char(cue.end, q.open) != ":":
                return None
        prev = self.previous_close(q)
        if prev is not None and prev > cue.start:
            return None
        if same and not self.same_sent(cue.token, self.doc[open_tok]):
            if self.last_visible_char(cue.end, q.open) not in (":", ","):
                return None
        if cue.content is not None and id(cue) not in self.direct_cues:
            return None  # the cue reports another clause
        if open_tok - cue.token.i - 1 > 12:
            return None
        between = self.doc[cue.token.i + 1 : open_tok]
        if any(t.pos_ in ("VERB", "AUX") and t.dep_ not in ("acl", "amod") for t in between):
            return None
        return cue

    def embedding_clause(self, cue: Cue, q: Quotation) -> tuple[int, int] | None:
        """The reported clause around a quotation that only begins it."""
        open_tok = self.token_at(q.open)
        _, last = self.clip(open_tok, self.tree.sent(open_tok)[1] - 1, self.doc[open_tok])
        after = self.token_at(q.close_end - 1) + 1
        if self.free_words.between(after, last) < 2 or self.free_cue_verbs.between(after, last):
            return None
        lo = open_tok
        for t in self.doc[cue.token.i + 1 : open_tok]:
            if t.lower_ == "that":
                lo = t.i + 1
        return self.trim(lo, last)

    def standalone(self, q: Quotation) -> bool:
        """Whether the quotation is a sentence of its own (“Now we govern.”)."""
        open_tok = self.token_at(q.open)
        start = self.tree.sent(open_tok)[0]
        prev = self.previous_close(q)
        lo = self.doc[start].idx
        if prev is not None and prev >= lo:
            lo = prev + 1
        p0 = self.newlines[self.paragraph(q.open) - 1] + 1 if self.paragraph(q.open) > 0 else 0
        before = re.split(r"[.?!]", self.text[max(lo, p0) : q.open])[-1]
        if WORD_RE.search(before):
            return False
        after = self.text[q.end - 1 : q.close_end + 2]
        return any(ch in after for ch in ".?!")

    def is_label(self, cue: Cue, q: Quotation) -> bool:
        lemma = cue.token.lemma_.lower()
        return lemma in self.lex.naming_verbs and q.count_words(self.text) <= SCARE_QUOTE_WORDS

    def next_open(self, q: Quotation) -> int | None:
        k = bisect.bisect_right(self.q_opens, q.open)
        return self.quotations[k].open if k < len(self.quotations) else None

    def previous_close(self, q: Quotation) -> int | None:
        k = bisect.bisect_left(self.q_opens, q.open) - 1
        return self.quotations[k].close if k >= 0 else None

    def previous_speaker(self, q: Quotation, earlier: "_LatestDraft") -> _Draft | None:
        """The quote that ``q`` continues, if no cue in its sentence says otherwise."""
        tok = self.doc[self.token_at(q.open)]
        lo, hi = self.tree.sent(tok.i)
        prev, nxt = self.previous_close(q), self.next_open(q)
        if prev is not None:
            lo = max(lo, self.token_at(prev) + 1)
        if nxt is not None:
            hi = min(hi, self.token_at(nxt))
        for t in self.doc[lo:hi]:
            if self.in_quote[t.i] or not self.same_para(t, tok):
                continue
            if t.pos_ == "VERB" and t.lemma_.lower() in self.lex.cue_verbs:
                return None  # "The book accuses Bob of treating them like “…”"
        last = earlier.latest(q.open)
        if last is None:
            return None
        if self.paragraph(q.open) - self.paragraph(last.content[1]) > 2:
            return None
        return last

    # -- speakers -----------------------------------------------------------

    def finish(self, drafts: list[_Draft]) -> list[Quote]:
        drafts.sort(key=lambda d: (d.content[0], d.content[1]))
        mentions = _Mentions(self.entity_mentions([d.content for d in drafts]))
        # Speakers are built in the order they are written, so that a pronoun
        # can refer to a speaker introduced just before it.
        for d in sorted(
            (d for d in drafts if d.subject is not None), key=lambda d: (d.subject.idx, d.content[0])
        ):
            d.speaker = self.speaker(d.subject, d.content, mentions, d.label)
        quotes: list[Quote] = []
        seen: set[tuple[int, int]] = set()
        for d in drafts:
            if d.inherited is not None:
                d.speaker = d.inherited.speaker
            if d.content in seen:
                continue
            seen.add(d.content)
            cue = None
            if d.cue is not None:
                cue = Span(d.cue.start, d.cue.end, self.text[d.cue.start : d.cue.end])
            a, b = d.content
            speaker = dataclasses.replace(d.speaker) if d.speaker is not None else None
            quotes.append(Quote(speaker=speaker, cue=cue, content=Span(a, b, self.text[a:b]), kind=d.kind))
        return quotes

    def entity_mentions(self, contents: list[tuple[int, int]]) -> list[_Mention]:
        """PERSON mentions outside quotations and reported clauses: a name
        inside what someone says is rarely who "he" is in "he said"."""
        found = []
        spans = sorted(contents)
        starts = [a for a, _ in spans]
        for e in self.entities:
            if e.type != "PERSON" or self.quotation_at(e.start) is not None:
                continue
            k = bisect.bisect_right(starts, e.start) - 1
            reported = any(spans[j][0] <= e.start < spans[j][1] for j in range(max(0, k - 3), k + 1))
            tok = self.doc[self.token_at(e.start)]
            root = self.doc.char_span(e.start, e.end, alignment_mode="expand")
            head = self.tree.span_root(root.start, root.end) if root is not None else tok
            subject = head.dep_ in ("nsubj", "nsubjpass") or (
                head.dep_ in ("appos", "compound") and head.head.dep_ in ("nsubj", "nsubjpass")
            )
            found.append(
                _Mention(
                    e.start,
                    e.end,
                    e.text,
                    self.names.fullest(e.text, e.start),
                    subject=subject,
                    gender=self.gender_near(e.start, e.text),
                    descriptors=self.descriptors(e.start, e.end),
                    reported=reported,
                )
            )
        genders: dict[str | None, str] = {}
        for m in found:
            if m.gender is not None and m.name is not None:
                genders.setdefault(m.name, m.gender)
        for m in found:
            m.gender = m.gender or genders.get(m.name)
        return found

    def gender_near(self, start: int, text: str) -> str | None:
        words = re.findall(r"\w+", self.text[max(0, start - 30) : start].lower())[-1:] + [
            w.lower() for w in text.split()[:1]
        ]
        for w in words:
            w = w.rstrip(".")
            if w in self.lex.male_titles:
                return "m"
            if w in self.lex.female_titles:
                return "f"
        return None

    def descriptors(self, start: int, end: int) -> frozenset[str]:
        """Words around a mention that describe the person ("Russian President")."""
        key = (start, end)
        if key not in self._descriptors:
            self._descriptors[key] = self.find_descriptors(start, end)
        return self._descriptors[key]

    def find_descriptors(self, start: int, end: int) -> frozenset[str]:
        p0 = self.newlines[self.paragraph(start) - 1] + 1 if self.paragraph(start) > 0 else 0
        before = self.text[max(p0, start - 60) : start]
        after = self.text[end : end + 80]
        words = re.findall(r"[\w-]+", before)[-6:]
        if after.lstrip().startswith(","):
            words += re.findall(r"[\w-]+", after.split(",")[1] if "," in after else "")[:8]
        words += re.findall(r"[\w-]+", self.text[start:end])
        found = {w.lower() for w in words}
        return frozenset(found | {self.lex.abbreviations[w] for w in found if w in self.lex.abbreviations})

    def speaker(
        self,
        head: "Token",
        content: tuple[int, int],
        mentions: "_Mentions",
        label: tuple[int, int] | None = None,
    ) -> Speaker | None:
        if label is not None:
            start, end = label
            text = self.text[start:end]
            speaker = Speaker(start, end, text, name=self.names.fullest(text, start))
            mentions.append(_Mention(start, end, text, speaker.name, subject=True))
            return speaker
        lo, hi = self.noun_phrase(head, content)
        if lo is None:
            return None
        start, end = self.doc[lo].idx, self.doc[hi].idx + len(self.doc[hi])
        text = self.text[start:end]
        speaker = Speaker(start=start, end=end, text=text)
        lower = head.lower_
        plural = head.tag_ in ("NNS", "NNPS") or lower in self.lex.plural_pronouns
        if lower in self.lex.relative_pronouns and head.head.dep_ == "relcl" and head.head.head is not head:
            antecedent = self.speaker(head.head.head, content, mentions)
            if antecedent is not None:
                speaker.name = antecedent.name
                speaker.resolved = Span(antecedent.start, antecedent.end, antecedent.text)
            return speaker
        if head.pos_ == "PRON":
            self.resolve_pronoun(speaker, head, mentions)
            mention = _Mention(start, end, text, speaker.name, plural=plural, subject=True)
            if speaker.resolved is not None:
                mention.descriptors = self.descriptors(speaker.resolved.start, speaker.resolved.end)
            mentions.append(mention)
            return speaker
        person = self.person_in(head, lo, hi)
        org = None
        if person is not None:
            speaker.name = self.names.fullest(person.text, person.start) or _clean_name(person.text, self.lex.titles)
        elif head.lemma_.lower() in self.lex.role_nouns or lower in self.lex.role_nouns:
            self.resolve_role(speaker, head, lo, hi, mentions)
        else:
            org = self.organisation_in(head, lo, hi)
            if org is not None:
                speaker.name = org
        mentions.append(
            _Mention(
                start,
                end,
                text,
                speaker.name,
                plural=plural,
                organisation=org is not None,
                subject=True,
                gender=self.gender_near(start, text),
                descriptors=self.descriptors(start, end)
                | (
                    self.descriptors(speaker.resolved.start, speaker.resolved.end)
                    if speaker.resolved is not None
                    else frozenset()
                ),
            )
        )
        return speaker

    def noun_phrase(self, head: "Token", content: tuple[int, int]) -> tuple[int | None, int]:
        """Token range of the phrase headed by ``head``: titles, appositions,
        relative clauses ("David Axelrod, who was senior adviser to Obama")."""
        if head.pos_ == "PRON":
            return (None, 0) if self.in_quote[head.i] else (head.i, head.i)
        if content[0] <= head.idx < content[1]:
            content = (0, 0)  # "The deal, officials said, is dead": the cue is inside
        if self.in_quote[head.i]:
            return None, 0
        verb = head.head if head.dep_ in ("nsubj", "nsubjpass") else None
        reported = self.token_range(*content)
        tree = self.tree

        def forbidden(a: int, b: int) -> bool:
            """Whether any token of ``a..b`` is quoted, reported, the verb or in another paragraph."""
            return (
                self.in_quote_count.between(a, b) > 0
                or (reported.start < reported.stop and reported.start <= b and a < reported.stop)
                or (verb is not None and a <= verb.i <= b)
                or self.para[a] != self.para[head.i]
                or self.para[b] != self.para[head.i]
            )

        def forbidden_subtree(c: int) -> bool:
            if tree.contiguous(c):
                return forbidden(tree.sub_lo[c], tree.sub_hi[c])
            return any(forbidden(i, i) for i in tree.subtree(c))

        lo = hi = head.i
        for c in tree.kids(head):
            if c.dep_ == "punct" or c.is_space:
                continue
            if forbidden_subtree(c.i):
                if c.i < head.i:
                    lo = hi = head.i  # keep the phrase contiguous
                    continue
                break
            lo, hi = min(lo, tree.sub_lo[c.i]), max(hi, tree.sub_hi[c.i])
        if forbidden(lo, hi) or hi - lo >= MAX_SPEAKER_TOKENS:
            lo = hi = head.i
        lo = min(self.edge_punct.next[lo], hi)
        hi = max(self.edge_punct.prev[hi], lo)
        return lo, hi

    def person_in(self, head: "Token", lo: int, hi: int) -> Entity | None:
        """The PERSON the phrase names: at its head, else in an apposition."""
        start, end = self.doc[lo].idx, self.doc[hi].idx + len(self.doc[hi])
        appos = [c for c in self.tree.kids(head) if c.dep_ == "appos"]
        for tok in [head] + appos:
            e = self.entity_at(tok.idx)
            if e is not None and e.type == "PERSON" and e.start >= start and e.end <= end:
                return e
        # A proper name that spaCy did not tag as a person.
        for tok in [head] + appos:
            if tok.pos_ != "PROPN":
                continue
            key = POSSESSIVE_RE.sub("", tok.text).lower()
            if key in self.names or tok.ent_type_ in ("", "PERSON"):
                chain = [tok]
                for c in reversed(self.tree.lefts(tok)):
                    if c.i != chain[0].i - 1 or c.dep_ != "compound" or c.pos_ != "PROPN":
                        break
                    if c.lower_.rstrip(".") in self.lex.titles:
                        break
                    chain.insert(0, c)
                a, b = chain[0].idx, tok.idx + len(tok)
                return Entity(self.text[a:b], a, b, "PERSON")
        return None

    def organisation_in(self, head: "Token", lo: int, hi: int) -> str | None:
        if head.ent_type_ in ("ORG", "GPE", "NORP"):
            e = self.entity_at(head.idx)
            if e is not None:
                return re.sub(r"^(?i:the)\s+", "", e.text)
        return None

    def resolve_pronoun(self, speaker: Speaker, head: "Token", mentions: "_Mentions") -> None:
        lower = head.lower_
        pos = speaker.start
        earlier = mentions.before(pos, self.paragraph_start(self.paragraph(pos) - 3))
        if lower in self.lex.male_pronouns or lower in self.lex.female_pronouns:
            gender = "m" if lower in self.lex.male_pronouns else "f"
            cands = [
                m
                for m in earlier
                if m.name is not None and not m.plural and not m.organisation and m.gender in (None, gender)
            ]
        elif lower in self.lex.plural_pronouns:
            cands = [m for m in earlier if m.plural or m.organisation]
        elif lower == "it":
            cands = [m for m in earlier if m.organisation and not m.plural]
        else:
            return
        cands = [m for m in cands if not m.reported] or cands
        subjects = [m for m in cands if m.subject]
        best = _latest(subjects or cands)
        if best is None:
            return
        speaker.name = best.name
        speaker.resolved = Span(best.start, best.end, best.text)

    def resolve_role(self, speaker: Speaker, head: "Token", lo: int, hi: int, mentions: "_Mentions") -> None:
        """"the Russian leader" → the last person described as Russian."""
        dets = [c for c in self.tree.lefts(head) if c.dep_ in ("det", "poss")]
        if not any(c.lower_ in ("the", "this", "that") or c.dep_ == "poss" for c in dets):
            return
        role = head.lemma_.lower()
        modifiers = {
            c.lower_
            for c in self.tree.lefts(head)
            if c.dep_ in ("amod", "compound", "nmod", "poss") and c.lower_ not in self.lex.role_nouns
            and c.pos_ in ("ADJ", "PROPN", "NOUN")
        }
        generic = role in self.lex.generic_role_nouns
        pos = speaker.start
        earlier = [
            m
            for m in mentions.before(pos, self.paragraph_start(self.paragraph(pos) - 6))
            if m.name is not None and not m.plural and not m.organisation
        ]
        described: dict[str, set[str]] = {}
        for m in earlier:
            described.setdefault(m.name or "", set()).update(m.descriptors)
        ok = set()
        for name, words in described.items():
            if (role in words or head.lower_ in words or generic) and (not modifiers or modifiers & words):
                ok.add(name)
        best = _latest([m for m in earlier if m.name in ok])
        if best is None:
            return
        speaker.name = best.name
        speaker.resolved = Span(best.start, best.end, best.text)


class _LatestDraft:
    """The drafts so far, and the latest one a cue-less quotation may continue.

    Quotations are visited in text order, and every draft added meanwhile
    ends before the next quotation opens, so the latest draft ending before
    a quotation is kept up to date instead of searched for each time.
    """

    def __init__(self, drafts: list[_Draft]) -> None:
        self.drafts = drafts
        self.known = sorted(
            (d.content[1], k, d) for k, d in enumerate(drafts) if d.cue is not None or d.inherited is not None
        )
        self.read = 0
        self.best_known: _Draft | None = None
        self.best_added: _Draft | None = None

    def add(self, draft: _Draft) -> None:
        self.drafts.append(draft)
        if draft.cue is not None or draft.inherited is not None:
            if self.best_added is None or draft.content[1] > self.best_added.content[1]:
                self.best_added = draft

    def latest(self, pos: int) -> _Draft | None:
        """The draft with a speaker that ends last at or before ``pos`` (the
        first one listed among equals); ``pos`` never decreases between calls."""
        while self.read < len(self.known) and self.known[self.read][0] <= pos:
            end, _, draft = self.known[self.read]
            if self.best_known is None or end > self.best_known.content[1]:
                self.best_known = draft
            self.read += 1
        a, b = self.best_known, self.best_added
        if a is None or b is None:
            return a or b
        return a if a.content[1] >= b.content[1] else b


class _Mentions:
    """Mentions a pronoun or role may refer to, searchable by position.

    A reader looks back a few paragraphs and a few dozen names for "he" or
    "the minister"; so does the resolver: at most :data:`MAX_ANTECEDENTS`
    mentions, so that resolving costs the same on any article.
    """

    def __init__(self, mentions: Iterable[_Mention] = ()) -> None:
        self.items: SortedList = SortedList()
        self.count = 0
        for m in mentions:
            self.append(m)

    def append(self, mention: _Mention) -> None:
        self.items.add((mention.end, -mention.start, self.count, mention))
        self.count += 1

    def before(self, pos: int, window_start: int) -> list[_Mention]:
        """Mentions ending at or before ``pos`` and starting at or after
        ``window_start``, in the order they were recorded."""
        found: list[tuple[int, _Mention]] = []
        for end, neg_start, order, mention in self.items.irange(
            maximum=(pos + 1,), inclusive=(True, False), reverse=True
        ):
            if end < window_start or len(found) >= MAX_ANTECEDENTS:
                break
            if -neg_start >= window_start:
                found.append((order, mention))
        found.sort(key=lambda item: item[0])
        return [m for _, m in found]


def _shallow(drafts: list[_Draft]) -> list[_Draft]:
    """The drafts whose content lies inside at most :data:`MAX_NESTING` - 1
    others ("A said that B said that …" nests one report in another).

    Real reports nest two or three deep; "He said that" repeated 10,000
    times would otherwise report the rest of the text 10,000 times over
    (an output quadratic in the input). The outer reports are kept.
    """
    by_content: dict[tuple[int, int], list[_Draft]] = {}
    for d in drafts:
        by_content.setdefault(d.content, []).append(d)
    kept: set[tuple[int, int]] = set()
    open_ends: list[int] = []  # ends of the kept contents around the current one
    for start, end in sorted(by_content, key=lambda c: (c[0], -c[1])):
        while open_ends and open_ends[0] <= start:
            heapq.heappop(open_ends)
        if len(open_ends) < MAX_NESTING:
            kept.add((start, end))
            heapq.heappush(open_ends, end)
    if len(kept) == len(by_content):
        return drafts
    return [d for d in drafts if d.content in kept]


def _latest(mentions: list[_Mention]) -> _Mention | None:
    """The most recent mention; a speaker phrase wins over a name inside it."""
    if not mentions:
        return None
    best = max(mentions, key=lambda m: (m.end, -m.start))
    for m in mentions:
        if m.start <= best.start and m.end >= best.end and (m.end - m.start) > (best.end - best.start):
            best = m
    return best


def _clean_name(text: str, titles: frozenset[str]) -> str:
    return " ".join(name_words(text, titles))


@registry.register("quotes", requires=("entities", "provenance"), assigns=("quotes",), uses=("doc",),
                   scope="block")
def make_quotes(options: Options) -> QuoteExtractor:
    return QuoteExtractor()
