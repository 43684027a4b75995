"""Tokens and sentences with character offsets (no spaCy: the fast tier must
stay well under 10 ms per article)."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words (with inner apostrophes/hyphens) and single non-space symbols.
TOKEN_RE = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")
_ABBREV = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "sen", "rep", "gov",
                     "lt", "col", "sgt", "capt", "vs", "etc", "no", "inc", "co", "corp", "jan", "feb",
                     "aug", "sept", "oct", "nov", "dec", "u", "s", "e", "g", "i"})
#: Tokens that separate clauses inside a sentence (a span can be widened to its clause).
CLAUSE_MARKS = frozenset({",", ";", ":", "(", ")", '"', "“", "”", "—", "–", "-"})
#: Closed-class English words (articles, pronouns, prepositions, conjunctions,
#: auxiliaries). A span made of these alone ("and", "the") is no evidence a reader
#: can check, so decoding can drop it.
FUNCTION_WORDS = frozenset("""a an the and or nor but if then so yet of to in on at by for with from as into onto
upon about over under than via per off out up down is are was were be been being am has have had do does did will
would shall should can could may might must i me my mine we us our ours you your yours he him his she her hers it
its they them their theirs this that these those which who whom whose what there here not no""".split())
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]"})


@dataclass
class Tokens:
    """Tokens of one text: parallel lists plus sentence and line groupings."""

    text: list[str]
    start: list[int]
    end: list[int]
    #: ``[first, last)`` token ranges of sentences (sentences never cross lines).
    sentences: list[tuple[int, int]]
    #: ``(line_start_char, line_end_char, first_token, last_token)`` per non-blank line.
    lines: list[tuple[int, int, int, int]]


def tokenize(text: str) -> Tokens:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    sentences: list[tuple[int, int]] = []
    lines: list[tuple[int, int, int, int]] = []
    pos = 0
    for line in text.split("\n"):
        body = line[:-1] if line.endswith("\r") else line
        if body.strip():
            first = len(words)
            sent_start = first
            for m in TOKEN_RE.finditer(body):
                words.append(m.group())
                starts.append(pos + m.start())
                ends.append(pos + m.end())
            last = len(words)
            # sentence boundaries: after . ! ? (plus closing quotes) before a capital/quote/digit
            i = first
            while i < last:
                w = words[i]
                if w in (".", "!", "?"):
                    j = i + 1
                    while j < last and words[j] in _CLOSERS:
                        j += 1
                    prev = words[i - 1].lower() if i > first else ""
                    nxt = words[j] if j < last else ""
                    if j >= last:
                        break
                    if (w != "." or (prev not in _ABBREV and len(prev) > 1)) and (nxt[:1].isupper() or nxt[:1] in "\"“'‘(" or nxt[:1].isdigit()):
                        sentences.append((sent_start, j))
                        sent_start = j
                    i = j
                    continue
                i += 1
            if sent_start < last:
                sentences.append((sent_start, last))
            lines.append((pos, pos + len(body), first, last))
        pos += len(line) + 1
    return Tokens(words, starts, ends, sentences, lines)
