"""Scores of the quotes analyzer against the PolNeAR attribution corpus.

Protocol
--------
*Data.* A PolNeAR split folder holds ``text/<name>.txt`` and
``attributions/<name>_<annotator>.ann`` (BRAT standoff). Every article of
``text/`` that has at least one annotation file is scored, in name order
(``limit`` keeps the first N). Where several annotators annotated the same
article, the file whose annotator id sorts first is the gold standard (a
fixed choice that does not look at the system output). Gold attributions are
the ``E`` relations of type ``Attribution`` and ``Attribution-no-source``;
``Discard`` and ``Discuss`` relations are left out. Discontinuous spans
(``start end;start end``) count as the union of their pieces.

*Units.* Spans are compared on word tokens (maximal runs of ``\\w``
characters, Unicode-aware): punctuation and quotation marks never count, so
the direct quote “We won,” matches the gold ``“We won,”`` and the content
without its complementizer "that" loses one token only. Spans with no word
token (the cue ":" of interview transcripts) are not scored, on either side.
Each role is a set of distinct spans per article: a speaker named by two
quotes is one source span.

*Per-role soft scores* (source, cue, content), after SemEval-2020 task 11
(Da San Martino et al., 2020): for predicted spans S and gold spans T of an
article, a predicted span earns ``max_t |s ∩ t| / |s|`` towards precision
and a gold span earns ``max_s |s ∩ t| / |t|`` towards recall; credits and
span counts are summed over all articles (micro-average) before dividing;
F1 is their harmonic mean. (SemEval sums over the overlapping spans instead
of taking the best one; PolNeAR nests attributions, so gold spans overlap
and a sum could credit one token twice.)

*Exact content match*: a predicted content span is correct when, after
trimming whitespace, quotation marks, edge punctuation and a leading "that",
it covers exactly the same characters as a gold content span (discontinuous
gold spans never match a single predicted span).

*Grouping*: PolNeAR joins the pieces of one attribution (“A,” she said.
“B.”) into one discontinuous content; the analyzer reports each quotation
separately. Predicted quotes that share a cue, and a cue-less quote that
continues the speaker of the quote before it in the same paragraph, are
grouped into one predicted attribution (content = union of the pieces)
before scoring the soft role scores and the attributions. The exact content
match compares single quotes.

*Attributions* (pairing): a predicted attribution matches a gold relation when
their contents overlap with token Dice ≥ 0.5 and their sources share a token
(or both have none); quotes and relations are matched one to one, greedily
by Dice. This scores who-said-what together.

*Speech attributions*: PolNeAR also annotates beliefs, intentions and
stances ("Trump wants to…", "supporters of…"), which the analyzer reads only
where a verb of its stance list cues them. As a diagnostic, the attribution recall is also given for the gold
attributions whose cue contains a speech verb of the analyzer's lexicon or
"according to" (cue lemmas from the same spaCy model).

*Speed*: wall-clock seconds of ``Pipeline.analyze`` over the articles (spaCy
parse included, model loading excluded).
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..analyzers.quotes import load_lexicon
from ..article import Article
from ..errors import InputError
from ..pipeline import Pipeline
from ..types import Quote

ROLES = ("source", "cue", "content")
_WORD = re.compile(r"\w+")
_EDGE = " \t\r\n\"'“”‘’«»„‹›.,;:!?—–-()[]"

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution relation; each role a tuple of pieces."""

    source: Fragments
    cue: Fragments
    content: Fragments


@dataclass
class Score:
    """Precision, recall and F1 with the counts they come from."""

    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    predicted: int = 0
    gold: int = 0


@dataclass
class AttributionScores:
    """How the quotes analyzer does on a PolNeAR split."""

    source: Score
    cue: Score
    content: Score
    content_exact: Score
    attribution: Score
    articles: int
    seconds: float
    articles_per_second: float
    data_dir: str = ""
    gold_relations: int = 0
    predicted_quotes: int = 0
    #: Recall of the attributions whose cue is a speech verb of the lexicon
    #: or "according to" (PolNeAR also annotates beliefs, intentions, …).
    speech_recall: float = 0.0
    speech_gold: int = 0

    def format(self) -> str:
        """A small table, ready for a terminal or a Markdown file."""
        rows = [
            ("source (soft)", self.source),
            ("cue (soft)", self.cue),
            ("content (soft)", self.content),
            ("content (exact)", self.content_exact),
            ("attribution", self.attribution),
        ]
        lines = [
            f"PolNeAR attribution: {self.data_dir}",
            f"{self.articles} articles, {self.gold_relations} gold attributions, "
            f"{self.predicted_quotes} predicted quotes",
            "",
            "| measure         | precision | recall |   F1  | predicted | gold  |",
            "| --------------- | --------- | ------ | ----- | --------- | ----- |",
        ]
        for label, s in rows:
            lines.append(
                f"| {label:<15} | {s.precision:9.3f} | {s.recall:6.3f} | {s.f1:5.3f} "
                f"| {s.predicted:9d} | {s.gold:5d} |"
            )
        lines += [
            "",
            f"attribution recall on the {self.speech_gold} gold attributions with a speech cue "
            f"(say, tell, according to, …): {self.speech_recall:.3f}",
            f"{self.seconds:.1f} s, {self.articles_per_second:.2f} articles/s",
        ]
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Reading PolNeAR
# --------------------------------------------------------------------------


def read_brat(raw: str) -> list[GoldAttribution]:
    """The attribution relations of one BRAT ``.ann`` file."""
    spans: dict[str, tuple[str, Fragments]] = {}
    relations: list[dict[str, str]] = []
    for line in raw.split("\n"):
        parts = line.rstrip("\r").split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            label, _, offsets = parts[1].partition(" ")
            try:
                pieces = tuple(
                    (int(a), int(b)) for a, b in (frag.split() for frag in offsets.split(";"))
                )
            except ValueError:
                continue
            spans[parts[0]] = (label, pieces)
        elif parts[0].startswith("E"):
            roles = dict(item.split(":", 1) for item in parts[1].split() if ":" in item)
            relations.append(roles)
    found = []
    for roles in relations:
        kind = next(iter(roles), "")
        if kind not in ("Attribution", "Attribution-no-source"):
            continue

        def pieces(role: str, roles: dict = roles) -> Fragments:  # bound now: called inside this iteration
            ref = roles.get(role)
            return spans[ref][1] if ref in spans else ()

        found.append(GoldAttribution(pieces("Source"), pieces("Cue"), pieces("Content")))
    return found


def gold_files(data_dir: Path) -> Iterator[tuple[Path, Path]]:
    """(text, annotation) pairs: the first annotator's file per article."""
    ann_dir = data_dir / "attributions"
    by_name: dict[str, list[Path]] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        by_name.setdefault(name, []).append(ann)
    for text in sorted((data_dir / "text").glob("*.txt")):
        anns = by_name.get(text.stem)
        if anns:
            yield text, sorted(anns, key=lambda p: p.stem.rsplit("_", 1)[1])[0]


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


class _Tokens:
    """Word tokens of one text, to turn character spans into token sets."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in _WORD.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def of(self, pieces: Iterable[tuple[int, int]]) -> frozenset[int]:
        found: set[int] = set()
        for a, b in pieces:
            k = bisect.bisect_right(self.ends, a)
            while k < len(self.starts) and self.starts[k] < b:
                found.add(k)
                k += 1
        return frozenset(found)


@dataclass
class _Tally:
    p_credit: float = 0.0
    r_credit: float = 0.0
    predicted: int = 0
    gold: int = 0

    def add_soft(self, pred: Sequence[frozenset[int]], gold: Sequence[frozenset[int]]) -> None:
        for s in pred:
            self.p_credit += max((len(s & t) / len(s) for t in gold), default=0.0)
        for t in gold:
            self.r_credit += max((len(s & t) / len(t) for s in pred), default=0.0)
        self.predicted += len(pred)
        self.gold += len(gold)

    def score(self) -> Score:
        p = self.p_credit / self.predicted if self.predicted else 0.0
        r = self.r_credit / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return Score(round(p, 4), round(r, 4), round(f, 4), self.predicted, self.gold)


def _normalise(text: str, pieces: Fragments) -> tuple[int, int] | None:
    """Trimmed character range of a single-piece span (None if discontinuous)."""
    if len(pieces) != 1:
        return None
    a, b = pieces[0]
    while True:
        before = (a, b)
        while a < b and text[a] in _EDGE:
            a += 1
        while b > a and text[b - 1] in _EDGE:
            b -= 1
        if text[a : a + 5].lower() == "that " and b - a > 5:
            a += 5
        if (a, b) == before:
            break
    return (a, b) if b > a else None


def _dice(a: frozenset[int], b: frozenset[int]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass
class _Totals:
    roles: dict[str, _Tally] = field(default_factory=lambda: {r: _Tally() for r in ROLES})
    exact: _Tally = field(default_factory=_Tally)
    pairs: _Tally = field(default_factory=_Tally)
    speech: _Tally = field(default_factory=_Tally)


def group_quotes(text: str, quotes: Sequence[Quote]) -> list[GoldAttribution]:
    """Predicted quotes as PolNeAR-style attributions.

    PolNeAR annotates “A,” she said. “B.” as one attribution whose content
    is the two pieces; the analyzer reports two quotes (the second with no
    cue). Quotes with the same cue, and a cue-less quote with the same
    speaker as the quote before it in the same paragraph, form one group.
    """
    groups: list[tuple[Quote, list[tuple[int, int]]]] = []
    by_cue: dict[tuple[int, int], int] = {}
    for q in sorted(quotes, key=lambda q: q.content.start):
        piece = (q.content.start, q.content.end)
        if q.cue is not None:
            key = (q.cue.start, q.cue.end)
            if key in by_cue:
                groups[by_cue[key]][1].append(piece)
                continue
            by_cue[key] = len(groups)
        elif groups and q.speaker is not None:
            first, pieces = groups[-1]
            same = first.speaker is not None and (first.speaker.start, first.speaker.end) == (
                q.speaker.start,
                q.speaker.end,
            )
            if same and "\n" not in text[pieces[-1][1] : q.content.start]:
                pieces.append(piece)
                continue
        groups.append((q, [piece]))
    return [
        GoldAttribution(
            source=((q.speaker.start, q.speaker.end),) if q.speaker else (),
            cue=((q.cue.start, q.cue.end),) if q.cue else (),
            content=tuple(pieces),
        )
        for q, pieces in groups
    ]


def score_article(
    text: str,
    quotes: Sequence[Quote],
    gold: Sequence[GoldAttribution],
    totals: _Totals,
    speech: Sequence[bool] | None = None,
) -> None:
    """Add one article's comparison to ``totals``; ``speech`` flags the gold
    attributions whose cue is a speech verb or "according to"."""
    toks = _Tokens(text)

    def distinct(spans: Iterable[Fragments]) -> list[frozenset[int]]:
        seen: dict[frozenset[int], None] = {}
        for pieces in spans:
            t = toks.of(pieces)
            if t:
                seen.setdefault(t, None)
        return list(seen)

    pred = group_quotes(text, quotes)
    pred_roles: dict[str, list[Fragments]] = {r: [getattr(g, r) for g in pred if getattr(g, r)] for r in ROLES}
    for role in ROLES:
        gold_spans = [getattr(g, role) for g in gold if getattr(g, role)]
        totals.roles[role].add_soft(distinct(pred_roles[role]), distinct(gold_spans))

    pred_exact = {n for q in quotes if (n := _normalise(text, ((q.content.start, q.content.end),)))}
    gold_exact = {n for g in gold if g.content and (n := _normalise(text, g.content))}
    gold_all = {g.content for g in gold if g.content and toks.of(g.content)}
    ex = totals.exact
    ex.predicted += len(pred_exact)
    ex.gold += len(gold_all)
    hits = len(pred_exact & gold_exact)
    ex.p_credit += hits
    ex.r_credit += hits

    # Attributions: content Dice >= 0.5 and a shared source token.
    candidates = []
    pq = [(toks.of(g.content), toks.of(g.source)) for g in pred]
    scored = [k for k, g in enumerate(gold) if toks.of(g.content)]
    gq = [(toks.of(gold[k].content), toks.of(gold[k].source)) for k in scored]
    for i, (pc, ps) in enumerate(pq):
        for j, (gc, gs) in enumerate(gq):
            d = _dice(pc, gc)
            if d >= 0.5 and ((ps & gs) or (not ps and not gs)):
                candidates.append((d, i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _d, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    pairs = totals.pairs
    pairs.predicted += len(pq)
    pairs.gold += len(gq)
    pairs.p_credit += len(used_p)
    pairs.r_credit += len(used_g)
    if speech is not None:
        for j, k in enumerate(scored):
            if speech[k]:
                totals.speech.gold += 1
                totals.speech.r_credit += j in used_g


def evaluate_attribution(
    data_dir: Path, *, limit: int | None = None, pipeline: "Pipeline | None" = None
) -> AttributionScores:
    """Run the quotes analyzer over a PolNeAR split and score it.

    ``data_dir`` is a split folder (``…/attribution-polnear-en/dev``);
    ``pipeline`` defaults to ``Pipeline(analyzers=("entities", "quotes"))``.
    See the module docstring for the protocol.
    """

    data_dir = Path(data_dir)
    if not (data_dir / "text").is_dir() or not (data_dir / "attributions").is_dir():
        raise InputError(str(data_dir), "not a PolNeAR split (needs text/ and attributions/)")
    pipe = pipeline if pipeline is not None else Pipeline(analyzers=("entities", "quotes"))
    pipe.nlp  # noqa: B018 (load the model before the clock starts)
    pairs = list(gold_files(data_dir))
    if limit is not None:
        pairs = pairs[:limit]
    totals = _Totals()
    seconds = 0.0
    n_gold = n_pred = 0
    for text_path, ann_path in pairs:
        text = text_path.read_bytes().decode("utf-8")
        gold = read_brat(ann_path.read_bytes().decode("utf-8"))
        t0 = time.perf_counter()
        analysis = pipe.analyze(Article(source=str(text_path), text=text))
        seconds += time.perf_counter() - t0
        score_article(text, analysis.quotes, gold, totals, speech_cues(pipe, text, gold))
        n_gold += len(gold)
        n_pred += len(analysis.quotes)
    roles = {r: t.score() for r, t in totals.roles.items()}
    return AttributionScores(
        source=roles["source"],
        cue=roles["cue"],
        content=roles["content"],
        content_exact=totals.exact.score(),
        attribution=totals.pairs.score(),
        articles=len(pairs),
        seconds=round(seconds, 2),
        articles_per_second=round(len(pairs) / seconds, 2) if seconds else 0.0,
        data_dir=str(data_dir),
        gold_relations=n_gold,
        predicted_quotes=n_pred,
        speech_recall=round(totals.speech.r_credit / totals.speech.gold, 4) if totals.speech.gold else 0.0,
        speech_gold=totals.speech.gold,
    )


def speech_cues(pipe: "Pipeline", text: str, gold: Sequence[GoldAttribution]) -> list[bool]:
    """Whether each gold cue is a speech verb of the analyzer's lexicon."""
    lex = load_lexicon()
    verbs = lex.speech_verbs | lex.naming_verbs
    preps = [" ".join(words) for words in lex.prepositional_cues]
    cues = [" ".join(text[a:b] for a, b in g.cue) for g in gold]
    flags = []
    for cue, doc in zip(cues, pipe.nlp.pipe(cues, disable=["parser", "ner"]), strict=True):
        lower = " ".join(cue.lower().split())
        flags.append(any(t.lemma_.lower() in verbs for t in doc) or any(p in lower for p in preps))
    return flags
