"""Training and measuring the roles model that reads how an article treats an
entity (:mod:`unspin.framing.treatment`): ``unspin train roles``.

Protocol (seeded, reproducible):

* every role-labelled document is run through the inference pipeline
  (boilerplate, entities, quotes, the spaCy parse) and the roles candidates
  and their features are computed exactly as the analyzer computes them; a
  gold mention is matched to the candidate that overlaps it (none: the
  mention gets no role and counts as wrong);
* **forward split** (:func:`unspin.datasets.splits.semeval2025_parts`): the
  newest fifth of the role-labelled documents of each domain is held out;
  the regularisation, the weight of the context words and how a group's
  role follows from its mentions (mean, evidence-weighted mean or strongest
  evidence) are chosen on
  5 inner folds (by document) of the training part only, the temperature is
  fitted on the inner folds' out-of-fold scores, and the model trained on the
  whole training part is **the shipped model**; the forward figures are then
  measured once through the analyzer (the quality gate re-measures them);
* **cross-domain**: the same recipe trained on one domain (UA or CC),
  measured on the other;
* **cross-validation**: 5 folds by document over all labelled mentions, each
  fold's model with its own inner choice.

Main-role accuracy and fine-role exact match are over **all** annotated
mentions; the constant answer "Antagonist" is the baseline; ECE is the
expected calibration error of the main-role score (10 equal-width bins).
"""

from __future__ import annotations

import logging
import re
import shlex
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..analyzers.groups import role_candidates
from ..config import Options
from ..datasets.framing import RoleMention, load_role_mentions, role_taxonomy
from ..datasets.splits import semeval2025_cross_domain, semeval2025_parts
from ..framing import treatment as T
from ..framing.labels import MAIN_ROLES
from ..inputs import article_from_text
from ..models import artifact, packaged_dir
from ..nlp import load_spacy
from ..pipeline import Pipeline
from .framing_fit import fit_softmax

logger = logging.getLogger(__name__)

CORPUS = "SemEval-2025 task 10, English training set (entity mentions with roles)"
GRID: tuple[tuple[float, float], ...] = ((30.0, 1.0), (30.0, 3.0), (100.0, 3.0))
MIN_DF = 2

_STOP = frozenset("""a an the and or but of to in on at by for with from as is are was were be been being that this
these those it its he she they them his her their we our you your i not no so such than then there which who whom
what when where why how all any each other some more most can could would should will shall may might must do does did
has have had into over under about against between through during before after above below up down out off again
further once only own same too very just also""".split())


def _lemmas(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


def role_lexicons(taxonomy: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Role name → sorted stems (:func:`unspin.framing.treatment.stem`) of its definition words (words shared
    by more than a third of the fine roles are dropped as uninformative)."""
    per_fine = {fine: {T.stem(w) for w in _lemmas(text + " " + fine)} for roles in taxonomy.values()
                for fine, text in roles.items()}
    df = Counter(w for ws in per_fine.values() for w in ws)
    limit = max(2, len(per_fine) // 3)
    lex = {fine: sorted(w for w in ws if df[w] <= limit) for fine, ws in per_fine.items()}
    for main, roles in taxonomy.items():
        lex[main] = sorted({w for fine in roles for w in lex[fine]})
    return lex


@dataclass
class DocInputs:
    cands: list[T.Candidate]
    X: np.ndarray
    words: list[list[str]]
    sents: list[tuple[int, int]]


@dataclass
class Prepared:
    texts: dict[str, str]
    mentions: list[RoleMention]
    docs: dict[str, DocInputs]
    #: index of the candidate each mention matches (None: no candidate overlaps it)
    match: list[int | None]
    fine_labels: list[str]
    parent: dict[str, str]
    lexicons: dict[str, list[str]]


def prepare(data_dir: Path, options: Options | None = None) -> Prepared:
    """Run the role-labelled documents through the pipeline and compute the roles inputs."""
    texts, mentions = load_role_mentions(data_dir)
    taxonomy = role_taxonomy(data_dir)
    lex = role_lexicons(taxonomy)
    fine = sorted(f for roles in taxonomy.values() for f in roles)
    parent = {f: m for m, roles in taxonomy.items() for f in roles}
    options = options or Options()
    pipe = Pipeline(options.with_(analyzers=("entities", "quotes")))
    nlp = load_spacy(options.spacy_model)
    docs = {}
    for name in sorted(texts):
        a = pipe.analyze(article_from_text(texts[name]))
        if a.text != texts[name]:
            raise ValueError(f"{name}: the pipeline changed the text; gold offsets would not hold")
        doc = nlp(a.text)
        _, cands = role_candidates(doc, [(e.start, e.end, e.text, e.type) for e in a.entities],
                                   [(b.start, b.end) for b in a.boilerplate])
        X, sents = T.article_features(doc, cands, T.quote_infos(doc, a.quotes), lex, fine)
        docs[name] = DocInputs(cands, X, T.context_words(doc, cands), sents)
    match = []
    for m in mentions:
        cands = docs[m.doc].cands
        match.append(next((i for i, c in enumerate(cands) if c.start < m.end and m.start < c.end), None))
    return Prepared(texts, mentions, docs, match, fine, parent, lex)


# -- fitting ---------------------------------------------------------------------------------------------------------


def fit(P: Prepared, rows: Sequence[int], l2: float, alpha: float, temperature: float = 1.0, fine: bool = True
        ) -> T.TreatmentRoles:
    """The model trained on the mentions ``rows`` (indices into ``P.mentions``; unmatched ones are skipped);
    ``fine=False`` leaves the archetype head untrained (inner folds choose on the main role only)."""
    rows = [r for r in rows if P.match[r] is not None]
    X = np.array([P.docs[P.mentions[r].doc].X[P.match[r]] for r in rows])
    words = [P.docs[P.mentions[r].doc].words[P.match[r]] for r in rows]
    df: dict[str, int] = {}
    for ws in words:
        for w in set(ws):
            df[w] = df.get(w, 0) + 1
    vocab = sorted(w for w, n in df.items() if n >= MIN_DF)
    F = X.shape[1]
    model = T.TreatmentRoles(P.fine_labels, P.parent, X.mean(axis=0), X.std(axis=0) + 1e-6, vocab, alpha,
                             np.zeros((F + len(vocab), 3)), np.zeros(3), temperature,
                             np.zeros((F + len(vocab), len(P.fine_labels))), np.zeros(len(P.fine_labels)), P.lexicons)
    from scipy import sparse  # the train extra, like the other training modules: the CLI must load without it

    A = sparse.csr_matrix(model.inputs(X, words))
    y = np.array([MAIN_ROLES.index(P.mentions[r].main) for r in rows])
    model.W_main, model.b_main = fit_softmax(A, y, len(MAIN_ROLES), l2=l2)
    if not fine:
        return model
    reps = [len(P.mentions[r].fine) for r in rows]
    yf = np.array([P.fine_labels.index(f) for r in rows for f in P.mentions[r].fine])
    wf = np.repeat([1.0 / n for n in reps], reps)
    Af = sparse.csr_matrix(np.repeat(A.toarray(), reps, axis=0))
    model.W_fine, model.b_fine = fit_softmax(Af, yf, len(P.fine_labels), sample_weight=wf, l2=l2, max_iter=200)
    return model


@dataclass
class Call:
    role: str
    fine: tuple[str, ...]
    proba: np.ndarray  # main-role probabilities (temperature applied)


def predict(model: T.TreatmentRoles, P: Prepared, rows: Sequence[int]) -> list[Call | None]:
    """The analyzer's decision for each mention (via :func:`unspin.framing.treatment.cast`)."""
    cache: dict[str, dict[str, T.RoleCall]] = {}
    out: list[Call | None] = []
    for r in rows:
        m, i = P.mentions[r], P.match[r]
        if i is None:
            out.append(None)
            continue
        if m.doc not in cache:
            d = P.docs[m.doc]
            cache[m.doc] = T.cast(model, d.X, d.words, d.cands, d.sents)
        call = cache[m.doc][P.docs[m.doc].cands[i].group]
        out.append(Call(call.role, tuple(f for f, _ in call.fine), call.proba))
    return out


def figures(gold: Sequence[RoleMention], calls: Sequence[Call | None]) -> dict[str, Any]:
    """Main-role accuracy and fine exact match over all ``gold`` mentions, ECE, coverage, the constant baseline."""
    n = max(1, len(gold))
    given = [(g, c) for g, c in zip(gold, calls, strict=True) if c is not None]
    return {"mentions": len(gold), "with_role": len(given),
            "main_accuracy": round(sum(c.role == g.main for g, c in given) / n, 4),
            "exact_match_fine": round(sum(set(c.fine) == set(g.fine) for g, c in given) / n, 4),
            "ece_main": round(ece([float(c.proba.max()) for _, c in given], [c.role == g.main for g, c in given]), 4),
            "baseline_antagonist_accuracy": round(sum(g.main == "Antagonist" for g in gold) / n, 4),
            "main_predicted": {k: sum(c.role == k for _, c in given) for k in MAIN_ROLES}}


def ece(conf: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    c, k = np.asarray(conf, dtype=np.float64), np.asarray(correct, dtype=np.float64)
    if not len(c):
        return 0.0
    b = np.minimum((c * bins).astype(int), bins - 1)
    return float(sum(abs(c[b == j].mean() - k[b == j].mean()) * (b == j).sum() for j in range(bins) if (b == j).any())
                 / len(c))


def doc_folds(P: Prepared, rows: Sequence[int], k: int, seed: int) -> list[list[int]]:
    docs = sorted({P.mentions[r].doc for r in rows})
    order = np.random.default_rng(seed).permutation(len(docs))
    fold = {docs[j]: n % k for n, j in enumerate(order)}
    return [[r for r in rows if fold[P.mentions[r].doc] == f] for f in range(k)]


def out_of_fold(P: Prepared, rows: Sequence[int], l2: float, alpha: float, k: int, seed: int
                ) -> tuple[list[int], dict[str, list[Call | None]]]:
    """Out-of-fold calls of each group aggregation (one fit per fold)."""
    order: list[int] = []
    calls: dict[str, list[Call | None]] = {a: [] for a in T.AGGREGATES}
    for test in doc_folds(P, rows, k, seed):
        train = [r for r in rows if r not in set(test)]
        model = fit(P, train, l2, alpha, fine=False)
        for agg in T.AGGREGATES:
            model.aggregate = agg
            calls[agg] += predict(model, P, test)
        order += test
    return order, calls


def fit_temperature(calls: Sequence[Call | None], gold: Sequence[RoleMention]) -> float:
    """The temperature minimising the NLL of the out-of-fold main-role probabilities (fitted at T = 1)."""
    pairs = [(c.proba, MAIN_ROLES.index(g.main)) for c, g in zip(calls, gold, strict=True) if c is not None]
    logp = np.log(np.clip(np.array([p for p, _ in pairs]), 1e-12, 1.0))
    y = np.array([j for _, j in pairs])

    def nll(log_t: float) -> float:
        z = logp / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())

    from scipy.optimize import minimize_scalar

    return float(np.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


def choose_and_fit(P: Prepared, rows: Sequence[int], seed: int, k: int = 5
                   ) -> tuple[T.TreatmentRoles, dict[str, Any]]:
    """Choose (l2, alpha, group aggregation) on inner folds of ``rows`` only (main-role accuracy), fit the temperature
    on the chosen setting's out-of-fold scores, and train on all of ``rows``."""
    scores = {}
    best = None
    for l2, alpha in GRID:
        order, by_agg = out_of_fold(P, rows, l2, alpha, k, seed)
        for agg, calls in by_agg.items():
            f = figures([P.mentions[r] for r in order], calls)
            scores[f"l2={l2:g},alpha={alpha:g},aggregate={agg}"] = f
            logger.info(f"roles inner folds l2={l2:g} alpha={alpha:g} aggregate={agg}: {f}")
            key = f["main_accuracy"]
            if best is None or key > best[0] + 1e-9:
                best = (key, l2, alpha, agg, order, calls)
    assert best is not None
    _, l2, alpha, agg, order, calls = best
    temperature = fit_temperature(calls, [P.mentions[r] for r in order])
    model = fit(P, rows, l2, alpha, temperature)
    model.aggregate = agg
    return model, {"chosen": {"l2": l2, "alpha": alpha, "aggregate": agg, "temperature": round(temperature, 4)},
                   "inner_folds": scores}


def evaluate_on(P: Prepared, train_rows: Sequence[int], test_rows: Sequence[int], seed: int) -> dict[str, Any]:
    model, choice = choose_and_fit(P, train_rows, seed)
    return {**figures([P.mentions[r] for r in test_rows], predict(model, P, test_rows)), **choice["chosen"]}


def cross_validation(P: Prepared, seed: int, k: int = 5) -> dict[str, Any]:
    rows = list(range(len(P.mentions)))
    order: list[int] = []
    calls: list[Call | None] = []
    for test in doc_folds(P, rows, k, seed):
        model, _ = choose_and_fit(P, [r for r in rows if r not in set(test)], seed)
        calls += predict(model, P, test)
        order += test
    return figures([P.mentions[r] for r in order], calls)


def evaluate(data_dir: Path, seed: int = 13) -> dict[str, Any]:
    """``unspin eval roles``: forward split, cross-domain and cross-validation figures (no model written)."""
    P = prepare(data_dir)
    train_rows, fwd_rows = forward_parts(P)
    out = {"forward": evaluate_on(P, train_rows, fwd_rows, seed), "cross_validation": cross_validation(P, seed)}
    for dom in ("UA", "CC"):
        a, b = semeval2025_cross_domain(list(range(len(P.mentions))), lambda r: P.mentions[r].doc, dom)
        out[f"cross_domain_{dom}_to_other"] = evaluate_on(P, a, b, seed)
    return out


# -- the command ----------------------------------------------------------------------------------------------------


def forward_parts(P: Prepared) -> tuple[list[int], list[int]]:
    rows = list(range(len(P.mentions)))
    return semeval2025_parts(rows, lambda r: P.mentions[r].doc)


def measure_through_analyzer(model_dir: Path | None, texts: dict[str, str], gold: Sequence[RoleMention],
                             options: Options | None = None) -> dict[str, Any]:
    """Figures of the model in ``model_dir`` (default: the packaged one) on the ``gold`` mentions, run through the
    pipeline's roles analyzer: a gold mention takes the role of the analysed entity that overlaps it."""
    options = (options or Options()).with_(analyzers=("roles",), roles_model=str(model_dir) if model_dir else None)
    pipe = Pipeline(options)
    return score_analyses({d: pipe.analyze(article_from_text(texts[d])) for d in sorted({m.doc for m in gold})}, gold)


def forward_figures(data_dir: Path, model_dir: Path | None = None) -> dict[str, Any]:
    """The forward-split figures of a roles model (default: the packaged one) through the analyzer."""
    texts, mentions = load_role_mentions(data_dir)
    _, forward = semeval2025_parts(mentions, lambda m: m.doc)
    return measure_through_analyzer(model_dir, texts, forward)


def score_analyses(analyses: dict[str, Any], gold: Sequence[RoleMention]) -> dict[str, Any]:
    calls: list[Call | None] = []
    for m in gold:
        e = next((e for e in analyses[m.doc].entities if e.start < m.end and m.start < e.end and e.role), None)
        calls.append(None if e is None else Call(e.role, tuple(f.label for f in e.fine_roles),
                                                 np.array([e.score])))
    return figures(gold, calls)


def _most_frequent_archetype(gold: Sequence[RoleMention], main: str) -> str:
    counts: dict[str, int] = {}
    for m in gold:
        if m.main == main:
            for f in m.fine:
                counts[f] = counts.get(f, 0) + 1
    return min(counts, key=lambda f: (-counts[f], f))


def train(data_dir: Path, output: Path | None = None, seed: int = 13, cv: bool = True,
          log: Callable[[str], None] = logger.info) -> Path:
    """``unspin train roles``: see the module docstring. Writes the model folder (default: the packaged one)."""
    from .cards import write_model_card

    command = (f"unspin train roles --data {shlex.quote(str(data_dir))} --seed {seed}" + ("" if cv else " --no-cv")
               + (f" -o {shlex.quote(str(output))}" if output else ""))
    out = output or packaged_dir("roles-treatment")
    t0 = time.perf_counter()
    P = prepare(data_dir)
    t_prep = time.perf_counter() - t0
    train_rows, fwd_rows = forward_parts(P)
    t0 = time.perf_counter()
    model, choice = choose_and_fit(P, train_rows, seed)
    t_train = time.perf_counter() - t0
    metrics: dict[str, Any] = {"choice": choice, "forward_inputs": figures(
        [P.mentions[r] for r in fwd_rows], predict(model, P, fwd_rows))}
    t_cv = 0.0
    if cv:
        t0 = time.perf_counter()
        metrics["cross_validation"] = cross_validation(P, seed)
        for dom in ("UA", "CC"):
            a, b = semeval2025_cross_domain(list(range(len(P.mentions))), lambda r: P.mentions[r].doc, dom)
            metrics[f"cross_domain_{dom}_to_other"] = evaluate_on(P, a, b, seed)
        t_cv = time.perf_counter() - t0
    n_docs = len({P.mentions[r].doc for r in train_rows})
    meta = {**artifact.training_meta("unspin roles (treatment)", {
        "folder": str(data_dir), "examples": len(train_rows),
        "corpus": CORPUS + f": the training part of the forward split, {len(train_rows)} mentions of {n_docs} "
                           f"articles; the newest {len(fwd_rows)} mentions are held out"}, command, seed),
        "hyperparameters": {"grid": [list(g) for g in GRID], "min_df": MIN_DF, **choice["chosen"]},
        "wall_time_s": {"pipeline_pass": round(t_prep, 1), "choice_and_training": round(t_train, 1),
                        "cross_validation_and_cross_domain": round(t_cv, 1)},
        "metrics": metrics}
    model.save(out, meta)
    # the forward figures as a user meets them: through the roles analyzer of the pipeline
    t0 = time.perf_counter()
    metrics["forward"] = measure_through_analyzer(out, P.texts, [P.mentions[r] for r in fwd_rows])
    # the simple baseline of the archetypes: Antagonist with the training part's most frequent antagonist archetype
    top = _most_frequent_archetype([P.mentions[r] for r in train_rows], "Antagonist")
    metrics["forward"]["baseline_constant_archetype"] = top
    metrics["forward"]["baseline_constant_exact_match"] = round(
        sum(P.mentions[r].fine == (top,) for r in fwd_rows) / max(1, len(fwd_rows)), 4)
    meta["wall_time_s"]["forward_through_analyzer"] = round(time.perf_counter() - t0, 1)
    meta["ships_on_by_default"] = metrics["forward"]["main_accuracy"] > metrics["forward"][
        "baseline_antagonist_accuracy"]
    written = model.save(out, meta)
    write_model_card(out)
    size = sum((out / f).stat().st_size for f in written["files"])
    log(f"wrote {out} ({size / 1e6:.2f} MB); forward {metrics['forward']}")
    return out
