"""Speakers: the noun phrase of a cue's subject, named and resolved.

``name`` is the fullest form of that person's name in the article (PERSON
mentions grouped by their last word, :mod:`..names`), or an organisation's
name. Pronouns and role descriptions ("the Russian leader", "the
commissioner") are resolved to the most recent compatible mention, which
becomes ``resolved``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sortedcontainers import SortedList

from ...types import Entity, Span, Speaker
from ..names import POSSESSIVE_RE, name_words
from .lexicon import MAX_ANTECEDENTS, MAX_SPEAKER_TOKENS, MIN_GENDER_REPORTS, CueLexicon, first_name_gender
from .state import RunState

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass
class Mention:
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



class SpeakerFinder(RunState):
    """The speaker rules, on the state of one article."""

    def entity_mentions(self, contents: list[tuple[int, int]]) -> list[Mention]:
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
                Mention(
                    e.start,
                    e.end,
                    e.text,
                    self.plausible(self.names.fullest(e.text, e.start)),
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
            m.gender = m.gender or genders.get(m.name) or self.name_gender(m.name)
        return found

    def name_gender(self, name: str | None) -> str | None:
        """The gender a person's fullest ``name`` tells where no title does: its first
        name (:data:`~.lexicon.FIRST_NAMES_RESOURCE`), else the article's own reports
        "<name> said she …" (:meth:`reported_genders`)."""
        if name is None:
            return None
        return first_name_gender(name, self.lex) or self.reported_genders().get(name)

    def reported_genders(self) -> dict[str, str]:
        """Genders the article itself shows: in "Clinton says she opposes the deal" the
        "she" who is the subject of the report is, most often, the person reporting.
        Not always ("Trump said she lied"), so a name takes a gender only from at least
        :data:`~.lexicon.MIN_GENDER_REPORTS` such reports, at least twice as many one way."""
        if self._reported_genders is None:
            votes: dict[str, list[int]] = {}
            for t in self.doc:
                gender = self.lex.pronoun_gender(t.lower_)
                if gender is None or t.dep_ not in ("nsubj", "nsubjpass"):
                    continue
                clause = t.head
                if clause.dep_ != "ccomp" or self.in_quote[t.i]:
                    continue
                for c in self.tree.kids(clause.head):
                    if c.dep_ != "nsubj" or self.in_quote[c.i]:
                        continue
                    e = self.entity_at(c.idx)
                    name = self.plausible(self.names.fullest(e.text, e.start)) if e and e.type == "PERSON" else None
                    if name is not None:
                        votes.setdefault(name, [0, 0])[0 if gender == "m" else 1] += 1
            self._reported_genders = {
                name: "m" if m > f else "f"
                for name, (m, f) in votes.items()
                if max(m, f) >= MIN_GENDER_REPORTS and max(m, f) >= 2 * min(m, f)
            }
        return self._reported_genders

    def gender_near(self, start: int, text: str) -> str | None:
        words = re.findall(r"\w+", self.text[max(0, start - 30) : start].lower())[-1:] + [
            w.lower() for w in text.split()[:1]
        ]
        return next((g for g in map(self.lex.title_gender, words) if g is not None), None)

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
        parts = after.split(",")
        if after.lstrip().startswith(",") and len(parts) > 2:
            # "Putin, the Russian President, said": an apposition between
            # commas (not "Schiff, called on President Obama to …").
            words += re.findall(r"[\w-]+", parts[1])[:8]
        words += re.findall(r"[\w-]+", self.text[start:end])
        found = {w.lower() for w in words}
        return frozenset(found | {self.lex.abbreviations[w] for w in found if w in self.lex.abbreviations})

    def speaker(
        self,
        head: "Token",
        content: tuple[int, int],
        mentions: "Mentions",
        label: tuple[int, int] | None = None,
    ) -> Speaker | None:
        if label is not None:
            start, end = label
            text = self.text[start:end]
            speaker = Speaker(start, end, text, name=self.plausible(self.names.fullest(text, start)))
            mentions.append(Mention(start, end, text, speaker.name, subject=True))
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
            # "he" is a man whoever it resolved to: a later "she" must not go through it
            mention = Mention(start, end, text, speaker.name, plural=plural, subject=True,
                              gender=self.lex.pronoun_gender(lower))
            if speaker.resolved is not None:
                mention.descriptors = self.descriptors(speaker.resolved.start, speaker.resolved.end)
            mentions.append(mention)
            return speaker
        person = self.person_in(head, lo, hi)
        org = None
        if person is not None:
            speaker.name = self.plausible(
                self.names.fullest(person.text, person.start) or clean_name(person.text, self.lex.titles)
            )
        elif head.lemma_.lower() in self.lex.role_nouns or lower in self.lex.role_nouns:
            self.resolve_role(speaker, head, lo, hi, mentions)
        else:
            org = self.organisation_in(head, lo, hi)
            if org is not None:
                speaker.name = self.plausible(org)
        mentions.append(
            Mention(
                start,
                end,
                text,
                speaker.name,
                plural=plural,
                organisation=org is not None,
                subject=True,
                gender=self.gender_near(start, text) or self.name_gender(speaker.name),
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
            key = POSSESSIVE_RE.sub("", tok.text).lower()
            # spaCy may tag a sentence's first word as a common noun ("Trump asked", "Sanders
            # proposes"): a capitalised word that is a person's last name in this article is one
            if tok.pos_ != "PROPN" and not (tok.text[:1].isupper() and key in self.names):
                continue
            # An untagged capitalised word opening a sentence ("Crowds",
            # "Today") is no evidence of a name; an acronym ("MSNBC") is.
            untagged = tok.ent_type_ == "" and tok.tag_ == "NNP" and (not tok.is_sent_start or tok.text.isupper())
            if key in self.names or tok.ent_type_ == "PERSON" or untagged:
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

    def plausible(self, name: str | None) -> str | None:
        return plausible_name(name, self.lex)

    def organisation_in(self, head: "Token", lo: int, hi: int) -> str | None:
        if head.ent_type_ in ("ORG", "GPE", "NORP"):
            e = self.entity_at(head.idx)
            if e is not None:
                return re.sub(r"^(?i:the)\s+", "", e.text)
        return None

    def resolve_pronoun(self, speaker: Speaker, head: "Token", mentions: "Mentions") -> None:
        lower = head.lower_
        pos = speaker.start
        earlier = mentions.before(pos, self.paragraph_start(self.paragraph(pos) - 3))
        gender = self.lex.pronoun_gender(lower)
        if gender is not None:
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
        best = latest(subjects or cands)
        if best is None:
            return
        speaker.name = best.name
        speaker.resolved = Span(best.start, best.end, best.text)

    def resolve_role(self, speaker: Speaker, head: "Token", lo: int, hi: int, mentions: "Mentions") -> None:
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
        best = latest([m for m in earlier if m.name in ok])
        if best is None:
            return
        speaker.name = best.name
        speaker.resolved = Span(best.start, best.end, best.text)



class Mentions:
    """Mentions a pronoun or role may refer to, searchable by position.

    A reader looks back a few paragraphs and a few dozen names for "he" or
    "the minister"; so does the resolver: at most :data:`MAX_ANTECEDENTS`
    mentions, so that resolving costs the same on any article.
    """

    def __init__(self, mentions: Iterable[Mention] = ()) -> None:
        self.items: SortedList = SortedList()
        self.count = 0
        for m in mentions:
            self.append(m)

    def append(self, mention: Mention) -> None:
        self.items.add((mention.end, -mention.start, self.count, mention))
        self.count += 1

    def before(self, pos: int, window_start: int) -> list[Mention]:
        """Mentions ending at or before ``pos`` and starting at or after
        ``window_start``, in the order they were recorded."""
        found: list[tuple[int, Mention]] = []
        for end, neg_start, order, mention in self.items.irange(
            maximum=(pos + 1,), inclusive=(True, False), reverse=True
        ):
            if end < window_start or len(found) >= MAX_ANTECEDENTS:
                break
            if -neg_start >= window_start:
                found.append((order, mention))
        found.sort(key=lambda item: item[0])
        return [m for _, m in found]




def latest(mentions: list[Mention]) -> Mention | None:
    """The most recent mention; a speaker phrase wins over a name inside it."""
    if not mentions:
        return None
    best = max(mentions, key=lambda m: (m.end, -m.start))
    for m in mentions:
        if m.start <= best.start and m.end >= best.end and (m.end - m.start) > (best.end - best.start):
            best = m
    return best


def clean_name(text: str, titles: frozenset[str]) -> str:
    return " ".join(name_words(text, titles))


def plausible_name(name: str | None, lex: CueLexicon) -> str | None:
    """``name`` if a reader would take it for a person, group or
    organisation; None for a pronoun, a number, a date, a show or
    share-widget words ("WhatsApp Email Telegram A senior prison
    official"), and a name glued to itself ("Kim JoKim")."""
    if not name:
        return None
    words = name.split()
    lower = [w.lower().strip(".,;:'’\"") for w in words]
    if not any(w[:1].isupper() for w in words):
        return None
    if any(ch.isdigit() for ch in name) or "%" in name:
        return None
    if any(w in lex.not_name_words for w in lower):
        return None
    if len(words) == 1 and lower[0] in lex.not_single_names:
        return None
    widget = [w for w in lower if w in lex.share_widget_words]
    if len(widget) >= 2 or any(w in ("email", "e-mail", "share", "print") for w in widget):
        return None
    for k, w in enumerate(words):
        for earlier in words[:k]:
            if len(earlier) > 1 and len(w) > len(earlier) and w.endswith(earlier) and w[-len(earlier) - 1].islower():
                return None
    return name
