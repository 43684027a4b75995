"""Entity roles from how the article treats an entity, not from who it is.

The roles model of earlier releases read the mention's own words and learnt
names ("Putin" → Antagonist); on a pro-Kremlin article it still cast Putin as
a villain. This model reads only the article's treatment of each entity
(mention group), as a reader would:

* **who does what to whom** (spaCy dependency parse): how often the entity is
  the agent of a harmful act (``attack``, ``lie``, ``sabotage`` …), of a
  protective or helpful one (``defend``, ``help``, ``fight``, ``negotiate`` …),
  the one harmed (object or passive subject of a harmful act, subject of
  ``suffer``, ``die``, ``flee``) or the one helped;
* **how it is described**: negative, positive and victim words in the
  sentences that mention it and in the words attached to it (``brutal regime``,
  ``sensibly suggested``), with negation flipping the tone of a verb;
* **whose voice the article carries**: quotes attributed to it (the quotes
  analyzer's speakers) and their cues (``stressed``, ``warned`` vs ``claimed``);
* **salience**: how often and how early it is named, its share of the
  article's mentions, whether the title or first sentence names it;
* **the role taxonomy's own words**: how many words of the sentences around
  it occur in each role's definition (SemEval-2025 task 10 taxonomy);
* its kind (person, organisation, place, nationality or group).

The mention's name itself is never a feature. A multinomial logistic regression
over these features (its bias is the Antagonist prior of the training data)
gives the main role, temperature-scaled on out-of-fold scores; a second one,
restricted to the chosen main role's archetypes, gives the fine role. The
sentence that carries the role is the sentence of the group's mention whose
own features most support it.

Mentions a reader would find: spaCy's named entities of the role types, plus
group adjectives and demonyms spaCy misses or splits ("Western", "the West",
"Russian", "Ukrainians"), grouped with their coreferent mentions by
:func:`unspin.analyzers.groups.entity_groups` (people by their fullest name;
"Russian" with "Russia", "Western" with "the West"). Boilerplate (footers,
credits) is skipped.

Inference is numpy only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .. import models
from ..errors import ModelError
from ..models import artifact
from .labels import MAIN_ROLES

if TYPE_CHECKING:
    from spacy.tokens import Doc

FORMAT = "unspin-roles-treatment/1"
WEIGHTS = "weights.npz"

ROLE_TYPES = ("PERSON", "ORG", "GPE", "NORP", "OTHER")

# -- lexicons (lemmas) ---------------------------------------------------------------------------------------------

HARM_VERBS = frozenset("""attack kill invade bomb shell destroy threaten murder occupy annex strike target terrorize
terrorise torture rape loot seize steal blackmail sabotage undermine manipulate deceive lie mislead exploit oppress
persecute censor repress suppress punish obstruct provoke escalate violate abuse harm damage hurt devastate wreck ruin
betray corrupt bribe embezzle smuggle coerce intimidate hack spy assassinate execute shoot massacre slaughter
plunder pollute poison sacrifice abandon ignore deny refuse fail waste squander blame accuse attack cheat defraud
fabricate falsify distort smear incite radicalize radicalise arm fuel prolong sanction blockade ban impose force
starve deport kidnap abduct detain imprison jail arrest crush exterminate annihilate bully mock insult humiliate
""".split())
HELP_VERBS = frozenset("""help support protect defend save aid assist rescue liberate free negotiate mediate
cooperate donate provide rebuild restore secure heal feed evacuate welcome praise warn propose suggest urge pledge
promise commit unite reform invest innovate develop build create reduce demand call advocate champion lead guarantee
shelter treat care offer contribute achieve succeed win honour honor
""".split())
#: Acts against a wrong: their agent stands up to it, their target is the wrong ("fight terrorism", "defeat ISIS").
OPPOSE_VERBS = frozenset("""fight combat resist defeat repel counter expose investigate tackle prevent stop oppose
condemn eradicate eliminate confront challenge denounce criticize criticise prosecute convict punish sanction
""".split())
SUFFER_VERBS = frozenset("""suffer die flee starve lose struggle mourn perish bleed endure survive beg plead
""".split())
NEG_WORDS = frozenset("""evil brutal brutality aggressive aggression aggressor criminal crime crimes corrupt
corruption lie lies liar lying propaganda terror terrorist terrorists terrorism regime dictator dictatorship tyrant
tyranny illegal illegitimate genocide atrocity atrocities invasion invader invaders occupier occupiers threat
dangerous incompetent incompetence failure failed disaster disastrous fraud scam hoax alarmist hypocrisy hypocrite
hypocritical puppet nazi nazis neo extremist extremists radical fanatic fanatics conspiracy elite elites globalist
globalists greedy greed reckless absurd ridiculous stupid foolish insane crazy lunatic warmonger warmongers
aggressive hostile enemy enemies villain murderous murderer murderers killer killers thug thugs bandit bandits
sinister scheme schemes plot plots agenda lies disinformation misinformation fake traitor traitors treason
betrayal scandal shameful shame disgrace disgraceful cowardly coward arrogant arrogance blatant cynical cynically
provocation provocative war warmongering escalation sabotage hysteria hysterical fearmongering scaremongering
dishonest deceptive deceit bias biased censorship authoritarian totalitarian oppressive oppression imperialist
imperialism colonial hegemony bully bullying blackmail weak weakness chaos chaotic mismanagement blunder blunders
""".split())
POS_WORDS = frozenset("""hero heroes heroic heroism brave bravery courage courageous peace peaceful success successful
honest honesty wise wisdom sensible sensibly strong strength freedom liberty democracy democratic legitimate righteous
victory victorious patriot patriots patriotic noble admirable resilient resilience determined determination
defender defenders protector savior saviour leader leadership responsible reasonable rational fair justice just
humane humanitarian generous solidarity friend friends ally allies partner partners cooperation constructive
effective efficient competent visionary courageously bravely proudly pride proud respected respect trusted trust
legitimate sovereign sovereignty independence independent innovative progress prosperity hope hopeful
""".split())
VICTIM_WORDS = frozenset("""civilian civilians victim victims child children women innocent suffering killed wounded
injured refugees refugee displaced hunger famine poverty poor homeless died dead deaths casualties vulnerable
forced helpless defenceless defenseless orphan orphans persecuted oppressed hostage hostages prisoners exploited
scapegoat scapegoated blamed unfairly forgotten neglected abandoned starving
""".split())
APPROVING_CUES = frozenset("""stress emphasize emphasise note explain point warn say add remind underline confirm
announce state observe reveal highlight suggest propose urge affirm assure insist""".split())
DOUBTING_CUES = frozenset("""claim allege boast brag pretend insist purport spin admit concede deny threaten
""".split())

# Group adjectives and demonyms a reader counts as the group ("Western" is the West, "Russians" Russia).
DEMONYMS = {
    "western": "the West", "westerners": "the West", "the west": "the West", "west": "the West",
    "russian": "Russia", "russians": "Russia", "ukrainian": "Ukraine", "ukrainians": "Ukraine",
    "american": "United States", "americans": "United States", "british": "United Kingdom", "brits": "United Kingdom",
    "european": "European Union", "europeans": "European Union", "chinese": "China", "german": "Germany",
    "germans": "Germany", "french": "France", "polish": "Poland", "israeli": "Israel", "israelis": "Israel",
    "iranian": "Iran", "iranians": "Iran", "syrian": "Syria", "syrians": "Syria", "belarusian": "Belarus",
    "soviet": "Soviet Union", "nato's": "NATO",
}
_WEST = re.compile(r"\b(?:the\s+)?West(?:ern(?:ers)?)?\b")


@dataclass
class Candidate:
    """A mention the roles model may cast: its span, spaCy label, group and kind."""

    start: int
    end: int
    text: str
    label: str
    group: str

    @property
    def kind(self) -> str:
        return self.label if self.label in ROLE_TYPES else "OTHER"


def demonym_group(text: str) -> str | None:
    """The group a demonym or group adjective stands for (``"Western"`` → ``"the West"``), if known."""
    key = re.sub(r"['’]s$", "", " ".join(text.split())).lower()
    return DEMONYMS.get(key) or DEMONYMS.get(key.removeprefix("the "))


def extra_mentions(text: str, taken: Sequence[tuple[int, int]], furniture: Sequence[tuple[int, int]]
                   ) -> list[tuple[int, int, str, str]]:
    """"the West" / "Western" mentions that spaCy's entities do not cover, outside boilerplate."""
    out = []
    for m in _WEST.finditer(text):
        a, b = m.start(), m.end()
        if m.group(0).startswith("the") and text[m.end():m.end() + 1].isalpha():
            continue
        if any(s < b and a < e for s, e in list(taken) + list(furniture)):
            continue
        out.append((a, b, m.group(0), "NORP"))
    return out


# -- features ------------------------------------------------------------------------------------------------------

MENTION_FEATURES = ("agent_harm", "agent_help", "agent_oppose", "patient_harm", "patient_help", "patient_oppose",
                    "subject_suffer", "neg_sent",
                    "pos_sent", "victim_sent", "neg_mod", "pos_mod", "speaker", "in_quote")
GROUP_FEATURES = ("log_mentions", "share", "first_pos", "in_lead", "quotes", "approving_quotes", "doubting_quotes")
MAIN_LEX = tuple(f"lex_{m}" for m in MAIN_ROLES)


def feature_names(fine_labels: Sequence[str]) -> list[str]:
    return (["m_" + f for f in MENTION_FEATURES] + ["g_" + f for f in MENTION_FEATURES] + list(GROUP_FEATURES)
            + list(MAIN_LEX) + ["kind_" + k for k in ROLE_TYPES] + [f"flex_{f}" for f in fine_labels])


_CLIMB = ("compound", "amod", "conj", "appos", "poss", "nmod", "nummod", "det")


def _verb_of(tok) -> tuple[Any, str]:
    """The verb a mention's root hangs on and its side (agent, patient, other).

    Climbs to the phrase the mention stands for: through compounds, modifiers,
    conjunctions and possessives ("Russian forces", "Russia's army"), and
    through "of" ("the efforts of Russian forces"); the object of "by",
    "through" or "via" under a verb is its agent ("defeated through the
    efforts of Russian forces")."""
    t = tok
    for _ in range(8):
        while t.dep_ in _CLIMB and t.head is not t:
            t = t.head
        if t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.pos_ in ("NOUN", "PROPN") \
                and t.head.head is not t.head:
            t = t.head.head
            continue
        break
    dep, head = t.dep_, t.head
    if dep in ("nsubj", "csubj") or (dep == "pobj" and head.dep_ == "agent"):
        side = "agent"
        if dep == "pobj":
            head = head.head
    elif dep == "pobj" and head.lower_ in ("by", "through", "via") and head.head.pos_ in ("VERB", "AUX"):
        side, head = "agent", head.head
    elif dep in ("dobj", "nsubjpass", "iobj", "dative", "attr", "oprd"):
        side = "patient"
    elif dep == "pobj" and head.lower_ in ("against", "on", "at", "upon", "to", "for", "with"):
        side = "patient"
        head = head.head
    else:
        return None, "other"
    v = head
    while v.pos_ not in ("VERB", "AUX") and v.head is not v and v.dep_ not in ("ROOT",):
        v = v.head
    return (v if v.pos_ in ("VERB", "AUX") else head), side


def _negated(v) -> bool:
    return any(c.dep_ == "neg" for c in v.children)


def mention_features(doc: "Doc", span, quote_spans: Sequence[tuple[int, int]], speaker_spans: Sequence[tuple[int, int]]
                     ) -> dict[str, float]:
    root = span.root
    f = dict.fromkeys(MENTION_FEATURES, 0.0)
    v, side = _verb_of(root)
    if v is not None:
        lem = v.lemma_.lower()
        neg = _negated(v)
        harm, help_, oppose = lem in HARM_VERBS, lem in HELP_VERBS, lem in OPPOSE_VERBS
        if neg:
            harm, help_ = help_, harm
        # "fights terrorism", "combats extremism": harm done to a wrong is opposition to it
        obj = next((c for c in v.children if c.dep_ in ("dobj", "pobj")), None)
        if side == "agent" and harm and obj is not None and obj.lower_ in NEG_WORDS:
            harm, oppose = False, True
        if side == "agent":
            f["agent_harm"] += harm
            f["agent_help"] += help_
            f["agent_oppose"] += oppose
            f["subject_suffer"] += lem in SUFFER_VERBS
        else:
            f["patient_harm"] += harm
            f["patient_help"] += help_
            f["patient_oppose"] += oppose
        # "X is the aggressor": the attribute describes X
        if lem == "be" and side == "agent":
            for c in v.children:
                if c.dep_ in ("attr", "acomp"):
                    w = c.lower_
                    f["neg_mod"] += w in NEG_WORDS
                    f["pos_mod"] += w in POS_WORDS
                    f["victim_sent"] += w in VICTIM_WORDS
    for c in list(root.children) + ([root.head] if root.dep_ in ("compound", "amod") else []):
        if not (span.start <= c.i < span.end):
            w = c.lower_
            f["neg_mod"] += w in NEG_WORDS
            f["pos_mod"] += w in POS_WORDS
            f["victim_sent"] += 0.5 * (w in VICTIM_WORDS)
    sent = root.sent
    words = [t.lower_ for t in sent if t.is_alpha and not (span.start <= t.i < span.end)]
    n = max(1, len(words))
    scale = 10.0 / max(10.0, n)
    f["neg_sent"] = scale * sum(w in NEG_WORDS for w in words)
    f["pos_sent"] = scale * sum(w in POS_WORDS for w in words)
    f["victim_sent"] += scale * sum(w in VICTIM_WORDS for w in words)
    a, b = span.start_char, span.end_char
    f["speaker"] = float(any(s < b and a < e for s, e in speaker_spans))
    f["in_quote"] = float(any(s <= a and b <= e for s, e in quote_spans))
    return f


def stem(w: str) -> str:
    """A crude suffix stripper shared by the taxonomy lexicons (built at training) and the sentence words
    matched against them."""
    for suf in ("ations", "ation", "ments", "ment", "ings", "ing", "ers", "ies", "ed", "es", "er", "s", "y"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def sentence_stems(sent, span) -> set[str]:
    return {stem(t.lower_) for t in sent if t.is_alpha and not t.is_stop and not (span.start <= t.i < span.end)}


@dataclass
class QuoteInfo:
    content: tuple[int, int]
    speaker: tuple[int, int] | None
    speaker_name: str | None
    cue_lemma: str | None


def context_words(doc: "Doc", cands: Sequence[Candidate]) -> list[list[str]]:
    """Each candidate's context as words: the lemmas of its sentence (``s=``)
    and of the four words either side (``l=``, ``r=``), leaving out every
    named entity's own words (the article's words about it, never its name)."""
    ent_tok: set[int] = set()
    for e in doc.ents:
        ent_tok.update(range(e.start, e.end))
    out = []
    for c in cands:
        sp = doc.char_span(c.start, c.end, alignment_mode="expand")
        if sp is None or not len(sp):
            out.append([])
            continue
        ent_tok.update(range(sp.start, sp.end))
        w = ["s=" + t.lemma_.lower() for t in sp.root.sent if t.is_alpha and not t.is_stop and t.i not in ent_tok]
        i0, i1 = sp.start, sp.end
        w += ["l=" + doc[k].lemma_.lower() for k in range(max(0, i0 - 4), i0) if k not in ent_tok and doc[k].is_alpha]
        w += ["r=" + doc[k].lemma_.lower() for k in range(i1, min(len(doc), i1 + 4))
              if k not in ent_tok and doc[k].is_alpha]
        out.append(w)
    return out


def article_features(doc: "Doc", cands: Sequence[Candidate], quotes: Sequence[QuoteInfo],
                     lexicons: dict[str, list[str]], fine_labels: Sequence[str]
                     ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Feature rows of the candidates (:func:`feature_names` order) and each
    candidate's sentence (character offsets)."""
    text = doc.text
    L = max(1, len(text))
    spans = [doc.char_span(c.start, c.end, alignment_mode="expand") for c in cands]
    quote_spans = [q.content for q in quotes]
    speaker_spans = [q.speaker for q in quotes if q.speaker]
    lexsets = {k: set(v) for k, v in lexicons.items()}
    per = []
    sents = []
    for c, sp in zip(cands, spans, strict=True):
        if sp is None or not len(sp):
            per.append((dict.fromkeys(MENTION_FEATURES, 0.0), set()))
            sents.append((c.start, c.end))
            continue
        per.append((mention_features(doc, sp, quote_spans, speaker_spans), sentence_stems(sp.root.sent, sp)))
        sents.append((sp.root.sent.start_char, sp.root.sent.end_char))
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        groups.setdefault(c.group, []).append(i)
    first_sent_end = next(iter(doc.sents)).end_char if len(doc) else 0
    first_line_end = text.find("\n") if "\n" in text else L
    total = max(1, len(cands))
    rows = []
    gcache: dict[str, dict[str, Any]] = {}
    for g, idx in groups.items():
        gf = {k: float(np.mean([per[i][0][k] for i in idx])) for k in MENTION_FEATURES}
        for k in ("agent_harm", "agent_help", "agent_oppose", "patient_harm", "patient_help", "patient_oppose"):
            gf[k] = float(sum(per[i][0][k] for i in idx))
        names = {cands[i].text.lower() for i in idx} | {g.lower()}
        own = [q for q in quotes if (q.speaker and any(q.speaker[0] < cands[i].end and cands[i].start < q.speaker[1]
                                                        for i in idx))
               or (q.speaker_name and q.speaker_name.lower() in names)]
        grp = {"log_mentions": math.log1p(len(idx)), "share": len(idx) / total,
               "first_pos": min(cands[i].start for i in idx) / L,
               "in_lead": float(any(cands[i].start < max(first_sent_end, first_line_end) for i in idx)),
               "quotes": math.log1p(len(own)),
               "approving_quotes": math.log1p(sum(1 for q in own if q.cue_lemma in APPROVING_CUES)),
               "doubting_quotes": math.log1p(sum(1 for q in own if q.cue_lemma in DOUBTING_CUES))}
        stems: set[str] = set()
        for i in idx:
            stems |= per[i][1]
        lexg = {k: len(stems & s) for k, s in lexsets.items()}
        gcache[g] = {"f": gf, "grp": grp, "lex": lexg}
    for i, c in enumerate(cands):
        mf = per[i][0]
        G = gcache[c.group]
        lex_m = {k: len(per[i][1] & s) for k, s in lexsets.items()}
        row = [mf[k] for k in MENTION_FEATURES] + [G["f"][k] for k in MENTION_FEATURES]
        row += [G["grp"][k] for k in GROUP_FEATURES]
        row += [math.log1p(lex_m.get(m, 0)) + math.log1p(G["lex"].get(m, 0)) for m in MAIN_ROLES]
        row += [float(c.kind == k) for k in ROLE_TYPES]
        row += [math.log1p(lex_m.get(fl, 0)) + math.log1p(G["lex"].get(fl, 0)) for fl in fine_labels]
        rows.append(row)
    X = np.array(rows, dtype=np.float64).reshape(len(cands), len(feature_names(fine_labels)))
    return X, sents


# -- the model -----------------------------------------------------------------------------------------------------


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


#: how a group's role can follow from its mentions (:attr:`TreatmentRoles.aggregate`)
AGGREGATES = ("mean", "weighted", "evidence")


@dataclass
class TreatmentRoles:
    """Main-role and fine-role softmax regressions over the standardised
    treatment features and the context words (:func:`context_words`: a
    vocabulary of words seen around labelled mentions, ``log(1 + count)``,
    each row scaled to length ``alpha``)."""

    fine_labels: list[str]
    parent: dict[str, str]
    mean: np.ndarray
    std: np.ndarray
    vocab: list[str]
    alpha: float
    W_main: np.ndarray  # ((F + V) × 3)
    b_main: np.ndarray
    temperature: float
    W_fine: np.ndarray  # ((F + V) × 22)
    b_fine: np.ndarray
    lexicons: dict[str, list[str]]
    meta: dict[str, Any] = field(default_factory=dict)
    #: how a group's role follows from its mentions: ``mean`` (probabilities averaged), ``evidence`` (the
    #: mention whose probabilities stray furthest from the model's prior decides: the strongest evidence) or
    #: ``weighted`` (probabilities averaged with weights by how far each strays from the prior: mentions that
    #: say little about the entity count little)
    aggregate: str = "mean"

    def __post_init__(self) -> None:
        self._index = {w: j for j, w in enumerate(self.vocab)}

    def inputs(self, X: np.ndarray, words: Sequence[Sequence[str]]) -> np.ndarray:
        """The model's input rows: standardised features, then the scaled word counts."""
        D = (np.asarray(X, dtype=np.float64) - self.mean) / self.std
        B = np.zeros((len(D), len(self.vocab)))
        for r, ws in enumerate(words):
            for w in ws:
                j = self._index.get(w)
                if j is not None:
                    B[r, j] += 1.0
        B = np.log1p(B)
        B *= self.alpha / (np.linalg.norm(B, axis=1, keepdims=True) + 1e-9)
        return np.hstack([D, B])

    def main_proba(self, A: np.ndarray) -> np.ndarray:
        return softmax((A @ self.W_main + self.b_main) / self.temperature)

    def fine_proba(self, A: np.ndarray, main: Sequence[str]) -> np.ndarray:
        """Fine-role probabilities of each row among the archetypes of its main role."""
        Z = A @ self.W_fine + self.b_fine
        mask = np.array([[self.parent.get(f) == m for f in self.fine_labels] for m in main], dtype=bool)
        return softmax(np.where(mask, Z, -np.inf))

    def save(self, model_dir: str | Path, meta: dict[str, Any]) -> dict[str, Any]:
        d = Path(model_dir)
        d.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(d / WEIGHTS, mean=self.mean, std=self.std, W_main=self.W_main.astype(np.float32),
                            b_main=self.b_main, W_fine=self.W_fine.astype(np.float32), b_fine=self.b_fine)
        meta = dict(self.meta, **meta, format=FORMAT, task="roles", kind="treatment", labels=list(MAIN_ROLES),
                    fine_labels=self.fine_labels, parent=self.parent, temperature=self.temperature,
                    alpha=self.alpha, aggregate=self.aggregate, vocabulary=self.vocab, lexicons=self.lexicons,
                    features=feature_names(self.fine_labels))
        return artifact.write_meta(d, meta, [WEIGHTS])

    @classmethod
    def load(cls, model_dir: str | Path) -> "TreatmentRoles":
        d = Path(model_dir)
        meta = models.read(d, FORMAT, task="roles", kind="treatment", what="roles model").raw
        try:
            with np.load(d / WEIGHTS, allow_pickle=False) as z:
                a = {k: z[k].astype(np.float64) for k in z.files}
            fine = list(meta["fine_labels"])
            model = cls(fine, dict(meta["parent"]), a["mean"], a["std"], list(meta["vocabulary"]),
                        float(meta["alpha"]), a["W_main"], a["b_main"], float(meta["temperature"]), a["W_fine"],
                        a["b_fine"], {k: list(v) for k, v in meta["lexicons"].items()}, meta,
                        str(meta.get("aggregate", "mean")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{d}: cannot read the model files ({exc})") from None
        if model.aggregate not in AGGREGATES:
            raise ModelError(f"{d}: unknown group aggregation {model.aggregate!r} (one of {', '.join(AGGREGATES)})")
        rows = len(feature_names(fine)) + len(model.vocab)
        if list(meta.get("features", [])) != feature_names(fine) or model.W_main.shape != (rows, len(MAIN_ROLES)) \
                or model.W_fine.shape != (rows, len(fine)):
            raise ModelError(f"{d}: the weights were trained on other features than this unspin computes; "
                             "retrain with `unspin train roles`")
        return model


@dataclass
class RoleCall:
    group: str
    role: str
    score: float
    fine: list[tuple[str, float]]
    evidence: tuple[int, int]
    proba: np.ndarray


def cast(model: TreatmentRoles, X: np.ndarray, words: Sequence[Sequence[str]], cands: Sequence[Candidate],
         sents: Sequence[tuple[int, int]]) -> dict[str, RoleCall]:
    """One role per mention group: main-role probabilities averaged over the
    group's mentions (or weighted by their evidence, or those of its
    strongest-evidence mention: :attr:`TreatmentRoles.aggregate`), its most probable archetype among the
    role's, and the sentence of the mention whose own probability of that
    role is highest."""
    if not len(cands):
        return {}
    A = model.inputs(X, words)
    P = model.main_proba(A)
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        groups.setdefault(c.group, []).append(i)
    prior = softmax(model.b_main / model.temperature)
    stray = np.abs(P - prior).sum(axis=1)
    out = {}
    for g, idx in groups.items():
        if model.aggregate == "evidence":
            p = P[idx[int(np.argmax(stray[idx]))]]
        elif model.aggregate == "weighted":
            w = stray[idx] + 1e-6
            p = (P[idx] * w[:, None]).sum(axis=0) / w.sum()
        else:
            p = P[idx].mean(axis=0)
        k = int(np.argmax(p))
        role = MAIN_ROLES[k]
        pf = model.fine_proba(A[idx], [role] * len(idx)).mean(axis=0)
        j = int(np.argmax(pf))
        best = idx[int(np.argmax(P[idx, k]))]
        out[g] = RoleCall(g, role, float(p[k]), [(model.fine_labels[j], float(pf[j]))], sents[best], p)
    return out


def quote_infos(doc: "Doc", quotes: Sequence[Any]) -> list[QuoteInfo]:
    """The quotes analyzer's quotes as the roles features read them (cue as a lemma)."""
    out = []
    for q in quotes:
        cue = None
        if q.cue is not None:
            sp = doc.char_span(q.cue.start, q.cue.end, alignment_mode="expand")
            cue = sp.root.lemma_.lower() if sp is not None and len(sp) else q.cue.text.lower()
        spk = q.speaker
        out.append(QuoteInfo((q.content.start, q.content.end), (spk.start, spk.end) if spk else None,
                             spk.name if spk else None, cue))
    return out


def default_dir() -> Path:
    return models.packaged_dir("roles-treatment")
