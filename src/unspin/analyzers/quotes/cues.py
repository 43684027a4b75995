"""Cues: reporting expressions found in the dependency parse.

A reporting verb with a subject and a clausal complement ("Putin stressed
that …"), the same verb closing a sentence after a comma ("…, Russian
President Vladimir Putin has announced."), a parenthetical ("The deal, Smith
said, is dead."), a prepositional cue ("according to the Russian leader") or
a belief or stance ("wants to …", "called for …", "accused … of …").
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .state import RunState

if TYPE_CHECKING:
    from spacy.tokens import Token



@dataclass
class Cue:
    """A reporting expression found in the parse."""

    token: "Token"  # the verb, or the first word of a prepositional cue
    start: int
    end: int
    subject: "Token | None"
    content: tuple[int, int] | None
    speech: bool  # may introduce a direct quotation
    #: A belief or stance ("wants to …"): nobody's words, so a quotation
    #: after it does not continue its speaker.
    stance: bool = False



class CueFinder(RunState):
    """The cue rules, on the state of one article."""

    def cue_for(self, tok: "Token") -> Cue | None:
        if self.in_quote[tok.i]:
            return None
        lower = tok.lower_
        for words in self.lex.prepositional_cues:
            if lower == words[0] and self.matches(tok, words):
                return self.prepositional_cue(tok, len(words))
        lemma = tok.lemma_.lower()
        stance = self.lex.stance_verbs.get(lemma)
        reporting = lemma in self.lex.cue_verbs
        if tok.pos_ != "VERB" or not (reporting or stance):
            return None
        particle = self.lex.phrasal_verbs.get(lemma)
        prt = None
        if particle is not None:
            prt = next((c for c in self.tree.kids(tok) if c.dep_ == "prt" and c.lower_ == particle), None)
            if prt is None:
                if not stance:
                    return None
                reporting = False  # "points to …" is a stance, "points out …" a report
        subject = self.subject_of(tok)
        if subject is None:
            return None
        content = self.complement(tok)
        if content is None and reporting and lemma not in self.lex.evidence_verbs:
            if tok.dep_ == "parataxis" and self.same_para(tok.head, tok) and self.same_sent(tok.head, tok):
                content = self.parenthetical(tok, subject)
            else:
                content = self.trailing_content(tok, subject)
        last = prt.i if prt is not None else tok.i
        stance_found = False
        if content is None and stance:
            found = self.stance_content(tok, stance)
            if found is not None and not (reporting and self.next_to_quotation(tok, subject, found[0])):
                (content, cue_end), stance_found = found, True
                last = max(last, cue_end)
        speech = reporting and lemma in self.lex.speech_verbs
        if content is None and not speech:
            return None
        group = [c for c in self.tree.lefts(tok) if c.dep_ in ("aux", "auxpass", "neg") and tok.i - c.i <= 4]
        first = min([tok.i] + [c.i for c in group])
        end = self.doc[last].idx + len(self.doc[last])
        return Cue(tok, self.doc[first].idx, end, subject, content, speech, stance=stance_found)

    def next_to_quotation(self, verb: "Token", subject: "Token", content: tuple[int, int]) -> bool:
        """Whether a reporting verb introduces a quotation beside it ("“…,”
        Wahl told the audience", "he told reporters: “…”"): then it reports
        the quotation, and its object is no stance."""
        begin = min(verb.i, subject.left_edge.i)
        k = self.space_or_comma.prev[begin - 1] if begin > 0 else -1
        if k >= 0 and self.closes_quote(k):
            return True
        window = self.text[content[1] : content[1] + 20]
        after = content[1] + len(window) - len(window.lstrip(" ,"))
        return self.text[after : after + 1] == ":" or self.quotation_at(after) is not None

    def stance_content(self, verb: "Token", kinds: frozenset[str]) -> tuple[tuple[int, int], int] | None:
        """What a belief or stance is about: "wants | to repeal the law",
        "called for | a ban", "accused | Clinton of lying".

        ``kinds`` says which complements the verb takes: ``to`` (an
        infinitive), ``obj`` (a direct object, with what follows it: "urged
        Congress to act") or a preposition ("for", "on", "of"), whose object
        is the content. Returns the content and the last token of the cue
        (the preposition of "called for", when it follows the verb).
        """
        rights = [c for c in self.tree.rights(verb) if not c.is_space]
        start = None
        last = verb.i
        cue_end = verb.i
        for k, c in enumerate(rights):
            if c.dep_ == "xcomp" and "to" in kinds and any(
                g.dep_ == "aux" and g.lower_ == "to" for g in self.tree.lefts(c)
            ):
                start = c.left_edge.i
            elif c.dep_ == "dobj" and "obj" in kinds:
                start = c.left_edge.i
            elif c.dep_ == "prep" and c.lower_ in kinds:
                objs = [g for g in self.tree.rights(c) if g.dep_ in ("pobj", "pcomp")]
                if not objs:
                    return None
                start = objs[0].left_edge.i
                if c.i == last + 1:
                    cue_end = c.i
            elif c.dep_ in ("advmod", "npadvmod", "dative", "prt", "neg") and c.i == last + 1:
                last = c.right_edge.i
                continue
            else:
                return None
            hi = c.right_edge.i
            for d in rights[k + 1 :]:
                if d.dep_ not in ("prep", "xcomp", "ccomp", "oprd", "dobj", "dative") or (
                    d.pos_ == "VERB" and d.lemma_.lower() in self.lex.cue_verbs
                ):
                    break
                hi = d.right_edge.i
            break
        if start is None or self.in_quote[start]:
            return None
        lo, hi = self.clip(start, hi, verb)
        if lo > hi:
            return None
        j = bisect.bisect_left(self.semicolons, lo)
        if j < len(self.semicolons) and self.semicolons[j] <= hi:
            hi = self.semicolons[j] - 1
        span = self.trim(lo, hi)
        if span is None or self.words.count(*span) < 2:
            return None
        return span, cue_end

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
        if (right and first is not None and first.lower_ in self.lex.relative_pronouns and lo > 0
                and self.doc[lo - 1].text == ","):
            # ", which helps …" after the object is a relative clause the parser hung on the verb,
            # not what was said ("the West can see the terrorists as an ally, which helps …")
            return None
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

