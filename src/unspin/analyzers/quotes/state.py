"""One article's extraction state: the text, the parse, the quotations and
the indexes over them, with the position helpers every rule uses (which
paragraph, which token, which quotation; clipping and trimming spans)."""

from __future__ import annotations

import bisect
import itertools
import re
from typing import TYPE_CHECKING

from ...types import Entity
from ..quotation_marks import WORD_RE, Quotation, find_quotations, quotation_covering
from .indexes import CharRuns, CharTotals, Counts, Skip, Tree
from .lexicon import CueLexicon, name_index

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


#: Runs of characters that are not letters or digits (``str.isalnum``).
NOT_ALNUM_RE = re.compile(r"[\W_]+")


class RunState:
    """The state of one article's extraction, and where things are in it."""

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
        self.words = CharRuns(text, WORD_RE)
        self.gap_words = [0]
        for prev, q in itertools.pairwise(self.quotations):
            self.gap_words.append(self.gap_words[-1] + self.words.count(prev.close_end, q.open))
        self._not_alnum: CharTotals | None = None
        self.tok_starts = [t.idx for t in doc]
        self.para = [self.paragraph(t.idx) for t in doc]
        self.in_quote = [False] * len(doc)
        for q in self.quotations:
            for i in self.token_range(q.open, max(q.close_end, q.close + 1)):
                self.in_quote[i] = True
        self.tree = Tree(doc)
        self.build_token_indexes()
        #: ids of the cues whose complement is a quotation
        self.direct_cues: set[int] = set()
        self.names = name_index(lex, text, self.newlines)
        for e in self.entities:
            if e.type == "PERSON":
                self.names.add(e.text, e.start, quoted=self.quotation_at(e.start) is not None)
        self._subjects: dict[tuple[int, int], "Token | None"] = {}
        self._descriptors: dict[tuple[int, int], frozenset[str]] = {}
        self._reported_genders: dict[str, str] | None = None

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
        self.verb_or_aux = Counts(verb_or_aux)
        self.in_quote_count = Counts(self.in_quote)
        self.word_tokens = Counts(not (p or s) for p, s in zip(punct, space, strict=True))
        self.free_words = Counts(free)
        self.free_cue_verbs = Counts(
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
        self.edge_punct = Skip([p or s for p, s in zip(punct, space, strict=True)])
        marks = list(zip(punct, space, starts, strict=True))
        self.trim_left = Skip([s or (p and at not in opens) for p, s, at in marks])
        self.trim_right = Skip([s or (p and at not in closes) for p, s, at in marks])
        self.space_or_comma = Skip([s or x == "," for s, x in zip(space, texts, strict=True)])
        self.only_space = Skip(space)
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
        return quotation_covering(self.quotations, self.q_opens, char)

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
            self._not_alnum = CharTotals(self.text, NOT_ALNUM_RE)
        return max(0, end - start) - self._not_alnum.count(start, end)

    # -- spans ---------------------------------------------------------------

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
