"""Attribution: which quotations and reported clauses are quotes, and whose.

A quotation that is (most of) a cue's complement, or that sits right before
or after a cue in its sentence, is a direct quote of that cue's subject; a
quotation with no cue of its own continues the speaker of the quote before
it (cue ``None``); a cue whose complement is not a quotation is an indirect
quote (partial quotations inside it stay part of it). One to three quoted
words with no cue are scare quotes and are left out. Transcript and headline
labels ("PENCE: …", an interview's "Q: …" and "A: …") attribute the rest of
their line.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...types import Quote, Span, Speaker
from ..names import name_words
from ..quotation_marks import WORD_RE, Quotation
from .cues import Cue, CueFinder
from .indexes import Intervals, Taken
from .lexicon import MAX_NESTING, SCARE_QUOTE_WORDS, UNATTRIBUTED_MIN_WORDS
from .speakers import Mentions, SpeakerFinder

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass
class Draft:
    """A quote before its speaker is built."""

    content: tuple[int, int]
    kind: str
    cue: Cue | None
    subject: "Token | None" = None
    #: The quote whose speaker this one continues.
    inherited: "Draft | None" = None
    speaker: Speaker | None = None
    #: The speaker's characters when they are not a parsed noun phrase.
    label: tuple[int, int] | None = None



class Attribution(CueFinder, SpeakerFinder):
    """Quotes of one article: cues, quotations and speakers put together."""

    def quotes(self) -> list[Quote]:
        cues = [c for c in (self.cue_for(t) for t in self.doc) if c is not None]
        drafts: list[Draft] = []
        taken = Taken(len(self.quotations))  # quotations already attributed or absorbed
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
                    drafts.append(Draft((q.start, q.end), "direct", cue, cue.subject))
                k = taken.free_from(k + 1)
            if direct:
                used_cues.add(id(cue))

        for cue in cues:
            if cue.content is not None and id(cue) not in used_cues:
                drafts.append(Draft(cue.content, "indirect", cue, cue.subject))

        # (b, c, d) the remaining quotations, in text order
        speech_cues = [c for c in cues if c.speech]
        cue_tokens = [c.token.i for c in speech_cues]
        absorbed = -1  # quotations before this offset are inside a reported clause
        earlier = LatestDraft(drafts)
        for k, q in enumerate(self.quotations):
            if k in taken or q.open < absorbed:
                continue
            cue = self.suffix_cue(q, speech_cues, cue_tokens)
            if cue is None:
                cue = self.prefix_cue(q, speech_cues, cue_tokens)
                clause = self.embedding_clause(cue, q) if cue is not None else None
                if cue is not None and clause is not None:
                    # said for the first time that “top secret” intelligence had …
                    earlier.add(Draft(clause, "indirect", cue, cue.subject))
                    absorbed = clause[1]
                    continue
            if cue is not None and self.is_label(cue, q):
                continue  # prices that critics call “outrageous”: a label, not speech
            if cue is not None:
                earlier.add(Draft((q.start, q.end), "direct", cue, cue.subject))
                continue
            words = q.count_words(self.text)
            if words <= SCARE_QUOTE_WORDS and not self.standalone(q):
                continue  # scare quotes
            prev = self.previous_speaker(q, earlier)
            if prev is not None and self.asks(q) and self.paragraph(q.open) != self.paragraph(prev.content[1]):
                # A question with no cue opening a paragraph after someone's
                # quote (“Will you run?” / “No,” Smith said.) is the
                # interviewer's, not the last speaker's.
                prev = None
            if prev is None and words <= UNATTRIBUTED_MIN_WORDS:
                continue  # a title or a phrase held at arm's length, not speech
            earlier.add(Draft((q.start, q.end), "direct", None, None, inherited=prev))

        drafts.extend(self.colon_attributions(drafts))

        return self.finish(shallow(drafts))

    def colon_attributions(self, drafts: list[Draft]) -> list[Draft]:
        """"PENCE: Well, look, …" (transcripts), "Q: …" / "A: …" (interviews)
        and "Ryan: ‘…’" (headlines)."""
        found = []
        taken = Intervals(d.content for d in drafts)
        lines = []
        for p, start in enumerate([0] + [n + 1 for n in self.newlines]):
            end = self.newlines[p] if p < len(self.newlines) else len(self.text)
            m = re.match(r"\s*([^\W\d_][\w.’'\- ]{0,40}?)\s*:\s+(?=\S)", self.text[start:end])
            if m is not None:
                lines.append((start, end, m))
        transcript = self.transcript_labels([m.group(1) for _, _, m in lines])
        for start, end, m in lines:
            a, b = start + m.start(1), start + m.end(1)
            if m.group(1) not in transcript and not self.is_person_label(a, b):
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
            found.append(Draft((c0, c1), kind, cue, head, label=(a, b)))
        return found

    @staticmethod
    def transcript_labels(labels: list[str]) -> set[str]:
        """Line labels that name a speaker in an interview or a transcript
        whatever they say: "Q" and "A" when both occur (the interviewer's
        questions and the answers), and capitalised labels ("KATE
        BOULDUAN") when such labels open three lines or more."""
        found = {x for x in ("Q", "A") if x in labels} if {"Q", "A"} <= set(labels) else set()
        caps = [x for x in labels if len(x) > 1 and x.isupper() and len(x.split()) <= 3]
        if len(caps) >= 3:
            found.update(caps)
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

    def asks(self, q: Quotation) -> bool:
        """Whether the quotation ends with a question mark."""
        return "?" in self.text[max(q.start, q.end - 1) : q.close_end]

    def is_label(self, cue: Cue, q: Quotation) -> bool:
        lemma = cue.token.lemma_.lower()
        return lemma in self.lex.naming_verbs and q.count_words(self.text) <= SCARE_QUOTE_WORDS

    def next_open(self, q: Quotation) -> int | None:
        k = bisect.bisect_right(self.q_opens, q.open)
        return self.quotations[k].open if k < len(self.quotations) else None

    def previous_close(self, q: Quotation) -> int | None:
        k = bisect.bisect_left(self.q_opens, q.open) - 1
        return self.quotations[k].close if k >= 0 else None

    def previous_speaker(self, q: Quotation, earlier: "LatestDraft") -> Draft | None:
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

    # -- the quotes, with their speakers ----------------------------------------

    def finish(self, drafts: list[Draft]) -> list[Quote]:
        drafts.sort(key=lambda d: (d.content[0], d.content[1]))
        mentions = Mentions(self.entity_mentions([d.content for d in drafts]))
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



class LatestDraft:
    """The drafts so far, and the latest one a cue-less quotation may continue.

    Quotations are visited in text order, and every draft added meanwhile
    ends before the next quotation opens, so the latest draft ending before
    a quotation is kept up to date instead of searched for each time.
    """

    def __init__(self, drafts: list[Draft]) -> None:
        self.drafts = drafts
        self.known = sorted(
            (d.content[1], k, d) for k, d in enumerate(drafts) if _continued(d)
        )
        self.read = 0
        self.best_known: Draft | None = None
        self.best_added: Draft | None = None

    def add(self, draft: Draft) -> None:
        self.drafts.append(draft)
        if _continued(draft):
            if self.best_added is None or draft.content[1] > self.best_added.content[1]:
                self.best_added = draft

    def latest(self, pos: int) -> Draft | None:
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



def _continued(draft: Draft) -> bool:
    """Whether a later quotation with no cue may continue the draft's speaker."""
    if draft.cue is not None:
        return not draft.cue.stance
    return draft.inherited is not None


def shallow(drafts: list[Draft]) -> list[Draft]:
    """The drafts whose content lies inside at most :data:`MAX_NESTING` - 1
    others ("A said that B said that …" nests one report in another).

    Real reports nest two or three deep; "He said that" repeated 10,000
    times would otherwise report the rest of the text 10,000 times over
    (an output quadratic in the input). The outer reports are kept.
    """
    by_content: dict[tuple[int, int], list[Draft]] = {}
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

