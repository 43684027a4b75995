"""Entity roles (SemEval-2025 task 10 subtask 1): who is cast as hero,
villain or victim, and as which archetype.

Each entity mention is described by its context in the spaCy parse (the
shared ``ctx.doc`` at inference):

* the mention itself (its normalised name and entity type) and how often
  its group recurs in the article;
* its syntactic place: dependency relation, head word, the governing verb
  with the mention's side of it (``agent`` for subjects, ``patient`` for
  objects and passive subjects), modifiers;
* the words around it (±3 with side, ±10 as a bag) and the content lemmas
  of its sentence;
* **taxonomy lexicons**: for each main and fine role, how many content
  lemmas of the sentence occur in that role's definition, conceptual note
  and example in ``entity-roles-taxonomy.json`` (bucketed).

Three heads read these hashed features: the main role (softmax, calibrated
out of fold), the 22 fine roles (logistic, Platt-scaled out of fold) and
*framed* (does the article cast this entity at all: trained on the labelled
mentions against the other named entities of the same 105 articles whose
group carries no label). The main role and its first archetype are decoded
jointly: the main role whose probability times that of its most probable
archetype is highest (a confident archetype can overturn a close main-role
call), then that archetype plus any other of the role's archetypes at or
above a threshold chosen on out-of-fold exact match.

Mentions are grouped by a canonical name (:func:`group_name`): people by
their fullest name in the article (the quotes analyzer's :class:`NameIndex`:
"Putin" → "Vladimir Putin"), other names without "the" and a possessive,
with a few common aliases ("U.S." → "United States").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .features import key_counts
from .labels import MAIN_ROLES
from .model import FramingModel

if TYPE_CHECKING:
    from spacy.tokens import Doc


ROLE_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"})

ALIASES = {
    "u.s.": "United States", "us": "United States", "usa": "United States", "u.s.a.": "United States",
    "america": "United States", "united states of america": "United States", "united states": "United States",
    "uk": "United Kingdom", "u.k.": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "united kingdom": "United Kingdom", "eu": "European Union", "e.u.": "European Union",
    "european union": "European Union", "russian federation": "Russia", "russia": "Russia", "ukraine": "Ukraine",
    "kyiv": "Ukraine", "kiev": "Ukraine", "moscow": "Russia", "kremlin": "Kremlin", "washington": "United States",
    "nato": "NATO", "un": "United Nations", "u.n.": "United Nations", "united nations": "United Nations",
    "the west": "the West", "west": "the West", "western": "the West", "the western": "the West",
}
_STOP = frozenset("""a an the and or but of to in on at by for with from as is are was were be been being that this
these those it its he she they them his her their we our you your i not no so such than then there which who whom
what when where why how all any each other some more most can could would should will shall may might must do does did
has have had into over under about against between through during before after above below up down out off again
further once only own same too very just also""".split())


def _lemmas(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


def _stem(w: str) -> str:
    for suf in ("ations", "ation", "ments", "ment", "ings", "ing", "ers", "ies", "ed", "es", "er", "s", "y"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


_POSS = re.compile(r"(?:['’]s|['’])$")


def group_name(text: str, label: str, person_name: str | None = None) -> str:
    """Canonical name of an entity mention (see the module docstring)."""
    if person_name:
        return person_name
    t = _POSS.sub("", " ".join(text.split()))
    key = t.lower()
    if key in ALIASES:
        return ALIASES[key]
    t = re.sub(r"^(?i:the)\s+", "", t)
    return ALIASES.get(t.lower(), t)


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2" if n == 2 else "3+"


def mention_keys(doc: "Doc", start: int, end: int, group_size: int, lexicons: dict[str, list[str]],
                 domain: str) -> list[str]:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return ["m=" + doc.text[start:end].lower(), "dom=" + domain]
    root = span.root
    keys = ["m=" + _POSS.sub("", span.text.lower()), "ent=" + (root.ent_type_ or "none"), "dep=" + root.dep_,
            "hd=" + root.head.lemma_.lower(), "dh=" + root.dep_ + "|" + root.head.lemma_.lower(),
            "grp=" + _bucket(group_size), "dom=" + domain, "pos=" + root.tag_]
    side = "agent" if root.dep_ in ("nsubj", "csubj") else "patient" if root.dep_ in (
        "nsubjpass", "dobj", "pobj", "iobj", "dative") else "other"
    verb = next((t for t in [root] + list(root.ancestors) if t.pos_ in ("VERB", "AUX") and t is not root), None)
    if verb is not None:
        keys += ["v=" + verb.lemma_.lower(), "vr=" + side + "|" + verb.lemma_.lower(), "side=" + side]
        if any(c.dep_ == "neg" for c in verb.children):
            keys.append("vneg")
    if root.dep_ == "pobj":
        keys.append("prep=" + root.head.lower_ + "|" + root.head.head.lemma_.lower())
    for c in root.children:
        if c.dep_ in ("amod", "compound", "appos", "poss") and not (span.start <= c.i < span.end):
            keys.append("mod=" + c.lemma_.lower())
    i0, i1 = span.start, span.end
    for k in range(max(0, i0 - 3), i0):
        keys.append("l=" + doc[k].lower_)
    for k in range(i1, min(len(doc), i1 + 3)):
        keys.append("r=" + doc[k].lower_)
    for k in list(range(max(0, i0 - 10), i0)) + list(range(i1, min(len(doc), i1 + 10))):
        t = doc[k]
        if t.is_alpha and not t.is_stop:
            keys.append("c=" + t.lemma_.lower())
    sent = root.sent
    stems = set()
    for t in sent:
        if t.is_alpha and not t.is_stop and not (i0 <= t.i < i1):
            keys.append("s=" + t.lemma_.lower())
            stems.add(_stem(t.lower_))
    for role, words in lexicons.items():
        hits = sum(1 for w in words if w in stems)
        keys.append(f"lex={role}:{_bucket(hits)}")
    return keys


def article_domain(text: str) -> str:
    low = text.lower()
    ua = sum(low.count(w) for w in ("ukrain", "russia", "putin", "zelensk", "kremlin", "nato"))
    cc = sum(low.count(w) for w in ("climate", "carbon", "emission", "warming", "renewable", "net zero"))
    return "UA" if ua >= cc else "CC"


def decode_fine(pm: np.ndarray, pf: np.ndarray, fine_labels: Sequence[str], parent: dict[str, str], t2: float
                ) -> tuple[str, list[tuple[str, float]]]:
    kids_of = [[j for j, f in enumerate(fine_labels) if parent.get(f) == m] for m in MAIN_ROLES]
    joint = [pm[k] * (max(pf[j] for j in kids) if kids else 0.0) for k, kids in enumerate(kids_of)]
    best = int(np.argmax(joint)) if max(joint) > 0 else int(np.argmax(pm))
    main, kids = MAIN_ROLES[best], kids_of[best]
    if not kids:
        return main, []
    order = sorted(kids, key=lambda j: -pf[j])
    chosen = [(fine_labels[order[0]], float(pf[order[0]]))]
    chosen += [(fine_labels[j], float(pf[j])) for j in order[1:] if pf[j] >= t2]
    return main, chosen


def predict_rows(model: FramingModel, keys_list: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Main-role, fine-role and framed probabilities of each mention."""
    hm, hf, hr = model.heads["main"], model.heads["fine"], model.heads["framed"]
    PM, PF, PR = [], [], []
    for keys in keys_list:
        ids, counts = key_counts(keys)
        pos, vals = model.vocab.vector(ids, counts)
        PM.append(hm.proba(pos, vals))
        PF.append(hf.proba(pos, vals))
        PR.append(hr.proba(pos, vals)[0])
    L = len(hf.labels)
    return (np.array(PM).reshape(-1, len(MAIN_ROLES)), np.array(PF).reshape(-1, L), np.array(PR))
