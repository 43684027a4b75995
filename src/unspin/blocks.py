"""Long articles in blocks: bounded memory and linear time whatever the length.

spaCy refuses a text over a million characters (its E088), and both its parse
and the encoder pass hold memory in proportion to the text they are given, so
one transcript of a few hundred kilobytes used to take gigabytes or stop a
batch. An article longer than ``Options.block_chars`` is therefore cut into
consecutive blocks (:func:`split_blocks`: at paragraph breaks where it can, so
the SemEval paragraphs stay whole) and the pipeline
(:meth:`unspin.pipeline.Pipeline.analyze`) runs each analyzer according to the
``scope`` of its registration (:mod:`unspin.analyzers.base`):

* a ``"block"`` analyzer (entities, quotes, techniques, roles) runs on each
  block in turn, in a context of its own whose text is the block, with the
  block's own products (parse, encoder pass), which are dropped as soon as no
  later analyzer reads them; its findings are then moved to the article's
  offsets (:func:`shifted`) and joined;
* an ``"article"`` analyzer (provenance, which reads the first and last lines;
  the article-level framing labels) runs once over the whole text in a
  :class:`BlockedContext`, whose products are merged from the blocks' where
  their registration gives a ``merge`` (the spaCy parse is, by
  :func:`merge_docs`: a parsed ``Doc`` is small, parsing is what is not), else
  computed over the whole text. Findings of article analyzers are handed to
  later block analyzers in block offsets (:func:`projected`).

Every offset stays a half-open range of ``str`` characters into the exact
analysed text; blocks never cut inside a grapheme cluster.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

import regex

from .analyzers.base import Context, products
from .neural.encoder import TokenVectors
from .neural.shared import EncodedText
from .techniques.text import Tokens

__all__ = ["MAX_RUN", "BlockedContext", "merge_docs", "merge_encoded", "merge_technique_probabilities", "parse_bounded", "projected", "shifted",
           "split_blocks", "transient_product"]

#: A sentence end followed by space: the second-best place to cut a block.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
#: One extended grapheme cluster (a base and its combining marks, an emoji sequence, CR LF).
_GRAPHEME = regex.compile(r"\X")


def split_blocks(text: str, size: int) -> list[tuple[int, int]]:
    """Consecutive ``[start, end)`` ranges covering ``text``, each at most ``size`` characters.

    A text of at most ``size`` characters is one block. Otherwise each block
    ends after the last line break in its second half, else after the last
    sentence end there, else after the last whitespace, else at ``size``
    characters moved back so as not to split a grapheme cluster (a base
    character and its combining marks, an emoji sequence, CR LF). Linear in
    the length of the text.
    """
    if size < 2:
        raise ValueError("block size must be at least 2 characters")
    n = len(text)
    blocks: list[tuple[int, int]] = []
    start = 0
    while n - start > size:
        limit = start + size
        floor = start + size // 2
        cut = text.rfind("\n", floor, limit) + 1
        if cut == 0:
            cut = max((m.end() for m in _SENTENCE_END.finditer(text, floor, limit)), default=0)
        if cut == 0:
            cut = _last_space(text, floor, limit)
        if cut <= start or not _is_boundary(text, cut):  # e.g. between CR and LF, or a space and its accent
            cut = _cluster_boundary(text, limit if cut <= start else cut, start)
        blocks.append((start, cut))
        start = cut
    blocks.append((start, n))
    return blocks


def _last_space(text: str, lo: int, hi: int) -> int:
    """The position after the last whitespace character in ``text[lo:hi]`` (0 when none)."""
    for i in range(hi - 1, lo - 1, -1):
        if text[i].isspace():
            return i + 1
    return 0


def _is_boundary(text: str, pos: int) -> bool:
    """Whether no grapheme cluster starting at ``pos - 1`` runs past ``pos``."""
    match = _GRAPHEME.match(text, pos - 1)
    return match is None or match.end() <= pos


def _cluster_boundary(text: str, limit: int, start: int) -> int:
    """The last grapheme-cluster boundary after ``start`` and at most ``limit`` (``limit``
    itself when one cluster fills the range: a base with thousands of combining marks)."""
    cut = limit
    for m in _GRAPHEME.finditer(text, start, min(len(text), limit + 1)):
        if m.start() > start:
            cut = m.start()
    return cut


# -- findings between the article's offsets and a block's -----------------------------------------


def _has_offsets(value: Any) -> bool:
    return isinstance(getattr(value, "start", None), int) and isinstance(getattr(value, "end", None), int)


def _move(value: Any, delta: int) -> None:
    """Add ``delta`` to every ``start``/``end`` of the findings in ``value``, in place."""
    if isinstance(value, list):
        for item in value:
            _move(item, delta)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if _has_offsets(value):
            value.start += delta
            value.end += delta
        for f in dataclasses.fields(value):
            if f.name not in ("start", "end"):
                _move(getattr(value, f.name), delta)


def shifted(value: Any, delta: int) -> Any:
    """A copy of ``value`` (a finding, a list of them, …) with every offset moved by ``delta``."""
    moved = copy.deepcopy(value)
    _move(moved, delta)
    return moved


def projected(value: Any, start: int, end: int, *, first: bool) -> Any:
    """An article-level finding as block ``[start, end)`` sees it, in the block's offsets.

    In lists, at any depth, only the findings that start inside the block are
    kept (those without offsets go to the ``first`` block alone, so that
    merging the blocks back never duplicates them); a single finding is moved
    whole, so parts of it outside the block lie outside ``[0, end - start)``.
    """
    if isinstance(value, list):
        return [projected(v, start, end, first=first) for v in value if _belongs(v, start, end, first)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: projected(getattr(value, f.name), start, end, first=first)
                   for f in dataclasses.fields(value) if f.init and f.name not in ("start", "end")}
        copy_ = dataclasses.replace(value, **changes)
        if _has_offsets(copy_):
            copy_.start -= start
            copy_.end -= start
        return copy_
    return copy.deepcopy(value)


def _belongs(value: Any, start: int, end: int, first: bool) -> bool:
    return start <= value.start < end if _has_offsets(value) else first


def transient_product(ctx: Context, name: str) -> Any:
    """Product ``name`` of ``ctx``: the cached one, else computed without keeping it
    (nor the products it reads) in ``ctx``, so that a merge holds one block's at a time."""
    if name in ctx._products:
        return ctx._products[name]
    scratch = dataclasses.replace(ctx, running=None, _products=dict(ctx._products), _depth=0)
    return scratch.product(name)


@dataclass
class BlockedContext(Context):
    """The context of an article analysed in blocks: its products are merged from its blocks'.

    A product registered with ``merge=`` is built block by block (from the
    blocks' cached products where they have them) and joined; any other is
    computed over the whole text as usual.
    """

    #: One context per block, in text order; ``offsets[i]`` is where block ``i`` starts.
    blocks: list[Context] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def compute(self, name: str) -> Any:
        merge = products.merges.get(name)
        if merge is None:
            return super().compute(name)
        return merge([(offset, transient_product(block, name)) for offset, block in
                      zip(self.offsets, self.blocks, strict=True)], self.analysis.text)


# -- the spaCy parse, linear on any text -------------------------------------------------------------

#: Runs of non-space characters longer than this are tokenized in pieces of at most this length.
MAX_RUN = 200
_RUN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")


def parse_bounded(nlp: Any, text: str) -> Any:
    """``nlp(text)``, with spaCy's tokenizer kept linear in the length of the text.

    spaCy's tokenizer strips prefixes and suffixes from a whitespace-free run
    one at a time, copying the rest each time: a run of 8,000 quotation marks,
    apostrophes, brackets or emoji took 5 s to tokenize, 20,000 over 30 s. Runs
    longer than :data:`MAX_RUN` characters are therefore tokenized in pieces
    of at most that length (cut between grapheme clusters) and the pieces'
    tokens joined into one ``Doc`` of the exact text before the rest of the
    pipeline runs. A piece with no letter or digit (a wall of quotation marks,
    apostrophes or brackets) is one token rather than one per mark, so that the
    parser, too, sees a few tokens instead of 20,000. Texts without such runs
    (ordinary prose, URLs up to 200 characters) are parsed exactly as before.
    """
    cuts: list[int] = []
    marks: set[int] = set()  # starts of the pieces that are one token each
    for run in _RUN.finditer(text):
        pos, end = run.span()
        if end - pos <= MAX_RUN:
            continue
        if _ALNUM.search(run.group()) is None:
            cuts.append(pos)
            while pos < end:
                marks.add(pos)
                pos = end if pos + MAX_RUN >= end else _cluster_boundary(text, pos + MAX_RUN, pos)
                cuts.append(pos)
            if text.startswith(" ", end):
                cuts[-1] = end + 1  # the last piece keeps the single space after it, as a token does
            continue
        while end - pos > MAX_RUN:
            pos = _cluster_boundary(text, pos + MAX_RUN, pos)
            cuts.append(pos)
    if not cuts:
        return nlp(text)
    from spacy.tokens import Doc

    bounds = sorted({0, *cuts, len(text)})
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if a in marks:
            word = text[a:b].removesuffix(" ")
            pieces.append(Doc(nlp.vocab, words=[word], spaces=[len(word) < b - a]))
        else:
            pieces.append(nlp.tokenizer(text[a:b]))
    doc = Doc.from_docs(pieces, ensure_whitespace=False)
    if doc.text != text:
        raise RuntimeError("the tokenized pieces do not join into the text")
    return nlp(doc)


# -- product merges -----------------------------------------------------------------------------------


def merge_docs(parts: list[tuple[int, Any]], text: str) -> Any:
    """One spaCy ``Doc`` of ``text`` from the ``Doc`` of each block (tokens, sentences, entities kept)."""
    from spacy.tokens import Doc

    docs = [doc for _, doc in parts]
    if len(docs) == 1:
        return docs[0]
    merged = Doc.from_docs(docs, ensure_whitespace=False)
    if merged.text != text:  # blocks are consecutive slices of the text: a mismatch is a bug, not bad input
        raise RuntimeError("the blocks' parses do not join into the article's text")
    return merged


def merge_encoded(parts: list[tuple[int, Any]], text: str) -> Any:
    """One encoder pass of ``text`` from the passes of its blocks (piece offsets moved to the text's)."""
    import numpy as np

    first = parts[0][1]
    pieces = TokenVectors(
        vectors=np.concatenate([p.pieces.vectors for _, p in parts]),
        start=np.concatenate([p.pieces.start + offset for offset, p in parts]),
        end=np.concatenate([p.pieces.end + offset for offset, p in parts]),
        ids=np.concatenate([p.pieces.ids for _, p in parts]),
    )
    return EncodedText(text=text, pieces=pieces, layers=first.layers, hidden_size=first.hidden_size)


def merge_technique_probabilities(parts: list[tuple[int, Any]], text: str) -> Any:
    """Words, word and paragraph probabilities of ``text`` from its blocks' (product
    ``technique_probabilities``; a paragraph cut by a block boundary counts as two)."""
    import numpy as np

    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    sentences: list[tuple[int, int]] = []
    lines: list[tuple[int, int, int, int]] = []
    for offset, (tokens, _, _) in parts:
        base = len(words)
        words.extend(tokens.text)
        starts.extend(s + offset for s in tokens.start)
        ends.extend(e + offset for e in tokens.end)
        sentences.extend((a + base, b + base) for a, b in tokens.sentences)
        lines.extend((s + offset, e + offset, a + base, b + base) for s, e, a, b in tokens.lines)
    word_p = np.concatenate([pw for _, (_, pw, _) in parts])
    paragraph_p = np.concatenate([pp for _, (_, _, pp) in parts])
    return Tokens(words, starts, ends, sentences, lines), word_p, paragraph_p
