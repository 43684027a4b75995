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
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterable

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


class _Run:
    """The state of one article's extraction."""

    def __init__(self, lex: CueLexicon, text: str, doc: "Doc", entities: list[Entity] | None) -> None:
        self.lex = lex
        self.text = text
        self.doc = doc
        if entities is None:
            entities = [Entity(e.text, e.start_char, e.end_char, e.label_) for e in doc.ents]
        self.entities = sorted(entities, key=lambda e: e.start)
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.quotations = find_quotations(text)
        self.q_opens = [q.open for q in self.quotations]
        self.tok_starts = [t.idx for t in doc]
        self.para = [self.paragraph(t.idx) for t in doc]
        self.in_quote = [False] * len(doc)
        for q in self.quotations:
            for i in self.token_range(q.open, max(q.close_end, q.close + 1)):
                self.in_quote[i] = True
        #: ids of the cues whose complement is a quotation
        self.direct_cues: set[int] = set()
        self.names = NameIndex(lex.titles)
        for e in self.entities:
            if e.type == "PERSON":
                self.names.add(e.text, e.start)

    # -- positions ----------------------------------------------------------

    def paragraph(self, char: int) -> int:
        return bisect.bisect_right(self.newlines, char - 1) if char > 0 else 0

    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.tok_starts, char) - 1)

    def token_range(self, start: int, end: int) -> range:
        """Indices of tokens that start in ``[start, end)``."""
        return range(bisect.bisect_left(self.tok_starts, start), bisect.bisect_left(self.tok_starts, end))

    def same_para(self, a: "Token", b: "Token") -> bool:
        return self.para[a.i] == self.para[b.i]

    def quotation_at(self, char: int) -> Quotation | None:
        k = bisect.bisect_right(self.q_opens, char) - 1
        if k >= 0 and self.quotations[k].open <= char < max(self.quotations[k].close_end, self.quotations[k].close + 1):
            return self.quotations[k]
        return None

    # -- main ---------------------------------------------------------------

    def quotes(self) -> list[Quote]:
        cues = [c for c in (self.cue_for(t) for t in self.doc) if c is not None]
        drafts: list[_Draft] = []
        taken: set[int] = set()  # quotations already attributed or absorbed
        used_cues = self.direct_cues

        # (a) quotations that are (most of) a cue's complement
        for cue in cues:
            if cue.content is None:
                continue
            inside = [
                k
                for k, q in enumerate(self.quotations)
                if q.start < cue.content[1] and q.end > cue.content[0]
            ]
            if not inside:
                continue
            if self.words_outside(cue.content, inside) <= 2:
                for k in inside:
                    if k not in taken:
                        taken.add(k)
                        q = self.quotations[k]
                        drafts.append(_Draft((q.start, q.end), "direct", cue, cue.subject))
                used_cues.add(id(cue))
            else:
                taken.update(inside)

        for cue in cues:
            if cue.content is not None and id(cue) not in used_cues:
                drafts.append(_Draft(cue.content, "indirect", cue, cue.subject))

        # (b, c, d) the remaining quotations, in text order
        speech_cues = [c for c in cues if c.speech]
        cue_tokens = [c.token.i for c in speech_cues]
        absorbed = -1  # quotations before this offset are inside a reported clause
        for k, q in enumerate(self.quotations):
            if k in taken or q.open < absorbed:
                continue
            cue = self.suffix_cue(q, speech_cues, cue_tokens)
            if cue is None:
                cue = self.prefix_cue(q, speech_cues, cue_tokens)
                clause = self.embedding_clause(cue, q) if cue is not None else None
                if cue is not None and clause is not None:
                    # said for the first time that “top secret” intelligence had …
                    drafts.append(_Draft(clause, "indirect", cue, cue.subject))
                    absorbed = clause[1]
                    continue
            if cue is not None and self.is_label(cue, q):
                continue  # prices that critics call “outrageous”: a label, not speech
            if cue is not None:
                drafts.append(_Draft((q.start, q.end), "direct", cue, cue.subject))
                continue
            words = q.count_words(self.text)
            if words <= SCARE_QUOTE_WORDS and not self.standalone(q):
                continue  # scare quotes
            prev = self.previous_speaker(q, drafts)
            if prev is None and words <= UNATTRIBUTED_MIN_WORDS:
                continue  # a title or a phrase held at arm's length, not speech
            drafts.append(_Draft((q.start, q.end), "direct", None, None, inherited=prev))

        drafts.extend(self.colon_attributions(drafts))

        return self.finish(drafts)

    def colon_attributions(self, drafts: list[_Draft]) -> list[_Draft]:
        """"PENCE: Well, look, …" (transcripts) and "Ryan: ‘…’" (headlines)."""
        found = []
        taken = [d.content for d in drafts]
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
            if len(WORD_RE.findall(self.text[c0:c1])) < 3 or any(x < c1 and y > c0 for x, y in taken):
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
        for e in self.entities:
            if e.start <= a and e.end >= b and e.type == "PERSON":
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
            prt = next((c for c in tok.children if c.dep_ == "prt" and c.lower_ == particle), None)
            if prt is None:
                return None
        subject = self.subject_of(tok)
        if subject is None:
            return None
        content = self.complement(tok)
        if content is None and lemma not in self.lex.evidence_verbs:
            if tok.dep_ == "parataxis" and self.same_para(tok.head, tok) and tok.head.sent == tok.sent:
                content = self.parenthetical(tok, subject)
            else:
                content = self.trailing_content(tok, subject)
        speech = lemma in self.lex.speech_verbs
        if content is None and not speech:
            return None
        group = [c for c in tok.lefts if c.dep_ in ("aux", "auxpass", "neg") and tok.i - c.i <= 4]
        first = min([tok.i] + [c.i for c in group])
        last = prt.i if prt is not None else tok.i
        return Cue(tok, self.doc[first].idx, self.doc[last].idx + len(self.doc[last]), subject, content, speech)

    def matches(self, tok: "Token", words: tuple[str, ...]) -> bool:
        if tok.i + len(words) > len(self.doc):
            return False
        return all(self.doc[tok.i + k].lower_ == w for k, w in enumerate(words))

    def prepositional_cue(self, tok: "Token", length: int) -> Cue | None:
        last = self.doc[tok.i + length - 1]
        obj = next((c for c in last.children if c.dep_ == "pobj"), None)
        if obj is None or self.in_quote[obj.i] or not self.same_para(obj, tok):
            return None
        head = tok.head
        if head.pos_ not in ("VERB", "AUX") or not self.same_para(head, tok):
            head = tok.sent.root
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
        if content is None or len(WORD_RE.findall(self.text[content[0] : content[1]])) < 2:
            return None
        return Cue(tok, tok.idx, last.idx + len(last), obj, content, True)

    def subject_of(self, verb: "Token", depth: int = 0) -> "Token | None":
        for c in verb.children:
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
        for c in verb.lefts:
            # "Clinton, exasperated, responded:" — the subject went to the aside.
            if c.dep_ in ("parataxis", "advcl") and self.same_para(c, verb):
                subj = next((g for g in c.lefts if g.dep_ == "nsubj" and g.pos_ in ("PROPN", "NOUN")), None)
                if subj is not None and not self.in_quote[subj.i]:
                    return subj
        prev = self.doc[verb.i - 1] if verb.i > 0 else None
        if prev is not None and prev.is_punct and verb.lemma_.lower() in self.lex.speech_verbs:
            # “…,” said Oversight ranking Democrat Elijah Cummings: the parser
            # sometimes takes the inverted subject for an object.
            for c in verb.rights:
                if c.dep_ in ("dobj", "attr", "npadvmod", "dep", "appos", "oprd") and c.pos_ in ("PROPN", "NOUN"):
                    return c if self.same_para(c, verb) and not self.in_quote[c.i] else None
        head = verb.head
        if depth < 2 and verb.dep_ == "advcl" and verb.tag_ == "VBG":
            # "X said that the plan …, noting that …": the parser often hangs
            # the participle inside the reported clause; X is still speaking.
            for anc in verb.ancestors:
                if not self.same_para(anc, verb):
                    break
                if anc.pos_ == "VERB" and anc.lemma_.lower() in self.lex.speech_verbs:
                    return self.subject_of(anc, depth + 1)
        if depth < 2 and head is not verb and self.same_para(head, verb):
            if verb.dep_ in ("conj", "advcl", "xcomp") and head.pos_ in ("VERB", "AUX"):
                return self.subject_of(head, depth + 1)
            if verb.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN") and verb.tag_ == "VBG":
                return head if not self.in_quote[head.i] else None
        return None

    def complement(self, verb: "Token") -> tuple[int, int] | None:
        comps = [c for c in verb.children if c.dep_ == "ccomp" and self.same_para(c, verb)]
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
        for k in range(lo + 2, hi + 1):
            t = self.doc[k]
            if (
                t.dep_ == "advcl"
                and t.tag_ == "VBG"
                and t.lemma_.lower() in self.lex.speech_verbs
                and self.doc[k - 1].text == ","
                and not self.in_quote[k]
            ):
                hi = k - 2  # "…, noting that …" is a quote of its own
                break
        return self.trim(lo, hi)

    def extend_to_sentence_end(self, verb: "Token", hi: int) -> int:
        """A reported clause runs to the end of its sentence ("…, so he'll
        have enough votes"), short of another cue ("…, adding that …")."""
        end = min(verb.sent.end - 1, verb.right_edge.i)
        _, end = self.clip(hi, end, verb)
        for c in verb.rights:
            if c.i <= hi:
                continue
            if (c.pos_ == "VERB" and c.lemma_.lower() in self.lex.cue_verbs) or any(
                c.lower_ == words[0] for words in self.lex.prepositional_cues
            ):
                end = min(end, c.left_edge.i - 1)
            if c.dep_ in ("cc", "conj"):  # "…, but she hasn't endorsed her"
                end = min(end, c.left_edge.i - 1)
        for k in range(hi + 1, end + 1):
            if self.doc[k].text == ";" and not self.in_quote[k]:
                return max(hi, k - 1)
        return max(hi, end)

    def trailing_content(self, verb: "Token", subject: "Token") -> tuple[int, int] | None:
        """"…, Russian President Vladimir Putin has announced." → the part before."""
        sent = verb.sent
        if verb.i == sent.start:
            return None
        allowed = {"prep", "advmod", "npadvmod", "punct", "agent", "advcl", "prt", "nsubj", "dep"}
        if verb.lemma_.lower() in ("tell", "ask", "inform", "remind", "assure", "warn", "advise"):
            allowed |= {"dobj", "dative"}
        for c in verb.rights:
            if c.dep_ not in allowed and not c.is_space:
                return None
        left = [c.i for c in verb.lefts if c.dep_ in ("aux", "auxpass", "neg", "advmod")]
        subj_lo = subject.left_edge.i if subject.i < verb.i else verb.i
        begin = min([verb.i, subj_lo] + left)
        k = begin - 1
        while k >= 0 and self.doc[k].is_space:
            k -= 1
        if k < sent.start or self.doc[k].text not in (",", "—", "–", "”", '"', "’"):
            return None
        lo, hi = self.clip(sent.start, k, verb)
        if lo > hi:
            return None
        if not any(self.doc[i].pos_ in ("VERB", "AUX") for i in range(lo, hi + 1)):
            return None  # "After the vote, Smith warned." — not a clause
        span = self.trim(lo, hi)
        if span is None or len(WORD_RE.findall(self.text[span[0] : span[1]])) < 3:
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
        group_lo = min([verb.i, subject.left_edge.i] + [c.i for c in verb.lefts if c.dep_ in ("aux", "neg")])
        group_hi = verb.right_edge.i
        k = group_lo - 1
        while k > lo and (self.doc[k].is_space or self.doc[k].text == ","):
            k -= 1
        if k >= lo and self.closes_quote(k):
            # – ''He would have loved Stalin,'' Mr. Biden said twice – : the quote
            q = self.quotation_at(self.doc[k].idx)
            return (q.start, q.end) if q is not None else None

        def words(a: int, b: int) -> int:
            return sum(1 for t in self.doc[a : b + 1] if not (t.is_punct or t.is_space))

        before, after = words(lo, group_lo - 1), words(group_hi + 1, hi)
        if after == 0:
            lo, hi = lo, group_lo - 1
        elif before == 0:
            lo, hi = group_hi + 1, hi
        if words(lo, hi) < 3 or not any(t.pos_ in ("VERB", "AUX") for t in self.doc[lo : hi + 1]):
            return None
        return self.trim(lo, hi)

    def clip(self, lo: int, hi: int, anchor: "Token") -> tuple[int, int]:
        """Token range ``[lo, hi]`` cut to the paragraph of ``anchor``."""
        p = self.para[anchor.i]
        while lo <= hi and self.para[lo] != p:
            lo += 1
        while hi >= lo and self.para[hi] != p:
            hi -= 1
        return lo, hi

    def trim(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Character span of tokens ``lo..hi`` without edge punctuation,
        widened to whole quotations where it cuts one."""
        doc = self.doc
        while lo <= hi and (doc[lo].is_space or (doc[lo].is_punct and not self.opens_quote(lo))):
            lo += 1
        while hi >= lo and (doc[hi].is_space or (doc[hi].is_punct and not self.closes_quote(hi))):
            hi -= 1
        if lo > hi:
            return None
        start, end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        for q in self.quotations:
            if q.open >= end:
                break
            if q.close_end <= start:
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

    def alnum(self, start: int, end: int) -> int:
        return sum(1 for ch in self.text[start:end] if ch.isalnum())

    def words_outside(self, span: tuple[int, int], inside: list[int]) -> int:
        """Words of ``span`` outside the quotations ``inside`` ("that", "the deal was")."""
        pieces, pos = [], span[0]
        for k in inside:
            q = self.quotations[k]
            pieces.append(self.text[pos : max(pos, q.open)])
            pos = max(pos, q.close_end)
        pieces.append(self.text[pos : span[1]])
        return sum(len(WORD_RE.findall(p)) for p in pieces)

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
        gap = [t for t in self.doc[self.token_at(after) : lo] if not (t.is_punct or t.is_space) and t.idx >= after]
        if len(gap) > 1:
            return None
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
            before = self.text[cue.end : q.open].strip()
            if not before.endswith(":") or self.paragraph(q.open) - self.paragraph(cue.start) != 1:
                return None
        prev = self.previous_close(q)
        if prev is not None and prev > cue.start:
            return None
        if cue.token.sent != self.doc[open_tok].sent and same:
            gap_text = self.text[cue.end : q.open]
            if not gap_text.rstrip().endswith((":", ",")):
                return None
        if cue.content is not None and id(cue) not in self.direct_cues:
            return None  # the cue reports another clause
        between = self.doc[cue.token.i + 1 : open_tok]
        clause = any(t.pos_ in ("VERB", "AUX") and t.dep_ not in ("acl", "amod") for t in between)
        if clause or len(between) > 12:
            return None
        return cue

    def embedding_clause(self, cue: Cue, q: Quotation) -> tuple[int, int] | None:
        """The reported clause around a quotation that only begins it."""
        open_tok = self.token_at(q.open)
        _, last = self.clip(open_tok, self.doc[open_tok].sent.end - 1, self.doc[open_tok])
        rest = [
            t
            for t in self.doc[self.token_at(q.close_end - 1) + 1 : last + 1]
            if not (t.is_punct or t.is_space or self.in_quote[t.i])
        ]
        if len(rest) < 2 or any(t.pos_ == "VERB" and t.lemma_.lower() in self.lex.cue_verbs for t in rest):
            return None
        lo = open_tok
        for t in self.doc[cue.token.i + 1 : open_tok]:
            if t.lower_ == "that":
                lo = t.i + 1
        return self.trim(lo, last)

    def standalone(self, q: Quotation) -> bool:
        """Whether the quotation is a sentence of its own (“Now we govern.”)."""
        open_tok = self.token_at(q.open)
        start = self.doc[open_tok].sent.start
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

    def previous_speaker(self, q: Quotation, drafts: list[_Draft]) -> _Draft | None:
        """The quote that ``q`` continues, if no cue in its sentence says otherwise."""
        tok = self.doc[self.token_at(q.open)]
        sent = tok.sent
        lo, hi = sent.start, sent.end
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
        before = [d for d in drafts if d.content[1] <= q.open and (d.cue is not None or d.inherited is not None)]
        if not before:
            return None
        last = max(before, key=lambda d: d.content[1])
        if self.paragraph(q.open) - self.paragraph(last.content[1]) > 2:
            return None
        return last

    # -- speakers -----------------------------------------------------------

    def finish(self, drafts: list[_Draft]) -> list[Quote]:
        drafts.sort(key=lambda d: (d.content[0], d.content[1]))
        mentions = self.entity_mentions([d.content for d in drafts])
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
            head = root.root if root is not None else tok
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
        mentions: list[_Mention],
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

        def forbidden(i: int) -> bool:
            return (
                self.in_quote[i]
                or content[0] <= self.doc[i].idx < content[1]
                or (verb is not None and i == verb.i)
                or not self.same_para(self.doc[i], head)
            )

        idx = [head.i]
        for c in head.children:
            if c.dep_ == "punct" or c.is_space:
                continue
            sub = [t.i for t in c.subtree]
            if any(forbidden(i) for i in sub):
                if c.i < head.i:
                    idx = [head.i]  # keep the phrase contiguous
                    continue
                break
            idx.extend(sub)
        lo, hi = min(idx), max(idx)
        if any(forbidden(i) for i in range(lo, hi + 1)):
            lo = hi = head.i
        while lo < hi and (self.doc[lo].is_punct or self.doc[lo].is_space):
            lo += 1
        while hi > lo and (self.doc[hi].is_punct or self.doc[hi].is_space):
            hi -= 1
        return lo, hi

    def person_in(self, head: "Token", lo: int, hi: int) -> Entity | None:
        """The PERSON the phrase names: at its head, else in an apposition."""
        start, end = self.doc[lo].idx, self.doc[hi].idx + len(self.doc[hi])
        persons = [e for e in self.entities if e.type == "PERSON" and e.start >= start and e.end <= end]
        appos = [c for c in head.children if c.dep_ == "appos"]
        for tok in [head] + appos:
            for e in persons:
                if e.start <= tok.idx < e.end:
                    return e
        # A proper name that spaCy did not tag as a person.
        for tok in [head] + appos:
            if tok.pos_ != "PROPN":
                continue
            key = POSSESSIVE_RE.sub("", tok.text).lower()
            if key in self.names or tok.ent_type_ in ("", "PERSON"):
                chain = [tok]
                for c in reversed(list(tok.lefts)):
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
            for e in self.entities:
                if e.start <= head.idx < e.end:
                    return re.sub(r"^(?i:the)\s+", "", e.text)
        return None

    def resolve_pronoun(self, speaker: Speaker, head: "Token", mentions: list[_Mention]) -> None:
        lower = head.lower_
        pos = speaker.start
        window = self.paragraph(pos) - 3
        earlier = [m for m in mentions if m.end <= pos and self.paragraph(m.start) >= window]
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

    def resolve_role(self, speaker: Speaker, head: "Token", lo: int, hi: int, mentions: list[_Mention]) -> None:
        """"the Russian leader" → the last person described as Russian."""
        dets = [c for c in head.lefts if c.dep_ in ("det", "poss")]
        if not any(c.lower_ in ("the", "this", "that") or c.dep_ == "poss" for c in dets):
            return
        role = head.lemma_.lower()
        modifiers = {
            c.lower_
            for c in head.lefts
            if c.dep_ in ("amod", "compound", "nmod", "poss") and c.lower_ not in self.lex.role_nouns
            and c.pos_ in ("ADJ", "PROPN", "NOUN")
        }
        generic = role in self.lex.generic_role_nouns
        pos = speaker.start
        window = self.paragraph(pos) - 6
        earlier = [
            m
            for m in mentions
            if m.end <= pos and m.name is not None and not m.plural and not m.organisation
            and self.paragraph(m.start) >= window
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
