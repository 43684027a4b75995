"""Framing analyzers: ``genre``, ``frames``, ``narratives`` and ``roles``.

Each loads its shipped model once per pipeline (SHA-256 checked at load; see
:mod:`unspin.framing`): with ``options.model == "accurate"`` (the default) the
accurate-tier head over the shared MiniLM pass (``unspin/models/<task>-accurate/``,
reading the shared ``encoded`` product, computed once per article and shared with the
techniques analyzer) when one is shipped for the task, else the fast
lexical model (``unspin/models/<task>-fast/``); ``--model fast`` always uses
the fast models. Narratives have no accurate head (it did not beat the fast
model in cross-validation). Each fills its field of the analysis:

* ``genre``: ``analysis.genre`` = {label, score} from the one genre model
  (``unspin/models/genre-signals/``, both tiers): signals of how the article
  is written, never its topic (:mod:`unspin.framing.genre`), probabilities
  under the mix of a real news feed (mostly reporting); ``uncertain`` when
  no genre is likely enough, ``satire`` only on strong evidence;
* ``frames``: ``analysis.frames``, most probable first;
* ``narratives``: ``analysis.narratives`` with the sentences that carry each
  (a single ``Other`` item when none applies);
* ``roles``: on every entity found by the ``entities`` analyzer (which must
  run before it), ``group`` (canonical name shared by its mentions) and, for
  the groups the article casts, ``role``, ``score`` and ``fine_roles``;
  probabilities are averaged over the group's mentions, so "Putin" and
  "Vladimir Putin" get one role.
"""

from __future__ import annotations

from pathlib import Path


from .. import models
from ..config import Options
from ..errors import ModelError
from ..framing import accurate
from ..framing import roles as R
from ..framing.accurate import ACCURATE_TASKS, article_vector, mention_vectors, role_sentences
from ..framing.doc import frames_predict, narratives_decide, narratives_proba, sentence_evidence
from ..framing.genre import GenreSignalsModel
from ..framing.labels import MAIN_ROLES
from ..framing.model import FramingModel
from ..models import artifact
from ..types import Label, Narrative, Span
from .base import Context, registry
from .groups import entity_groups

TASKS = ("genre", "frames", "narratives", "roles")


#: The genre model's folder: one model for both tiers (it reads no encoder output).
GENRE_MODEL = "genre-signals"


def model_dir(task: str, tier: str = "fast") -> Path:
    return models.packaged_dir(GENRE_MODEL if task == "genre" else f"{task}-{tier}")


def choose_tier(task: str, options: Options) -> str:
    """``accurate`` when asked for (``options.model``, the default) and the task's
    accurate artifact is shipped; else ``fast`` (genre: always its one model)."""
    if task == "genre":
        return "signals"
    if options.model == "accurate" and task in ACCURATE_TASKS and \
            (model_dir(task, "accurate") / artifact.META).is_file():
        return "accurate"
    return "fast"


def load_model(task: str, path: str | None = None) -> FramingModel:
    """The fast-tier model of ``task`` (packaged, or the folder ``path``), loaded once per process."""
    d = Path(path) if path else model_dir(task)
    if not (d / artifact.META).is_file():
        raise ModelError(f"{d}: the {task} model is not installed (train it with "
                         f"`unspin train {task} --data …`)")
    return models.load(d, FramingModel.load, task)


def load_accurate_model(task: str, path: str | None = None):
    """The accurate-tier model of ``task``, loaded once per process."""
    return models.load(Path(path) if path else model_dir(task, "accurate"), accurate.load_folder, task)


class _Base:
    task = ""

    def __init__(self, options: Options | None = None) -> None:
        self.tier = choose_tier(self.task, options or Options())
        self.model = self.load()
        # tier-version (the fast tier keeps its plain "1") and the weights' short SHA-256
        self.version = ({"accurate": "accurate-1", "signals": "signals-1"}.get(self.tier, "1")
                        + artifact.weights_tag(getattr(self.model, "meta", None), "weights.npz"))

    def load(self):
        return load_accurate_model(self.task) if self.tier == "accurate" else load_model(self.task)

    @property
    def name(self) -> str:
        return self.task

    def features(self, ctx: Context):
        """The framing models' lexical features of the article (shared product)."""
        return ctx.product("framing_features")


class GenreAnalyzer(_Base):
    task = "genre"

    def load(self) -> GenreSignalsModel:
        d = model_dir("genre")
        if not (d / artifact.META).is_file():
            raise ModelError(f"{d}: the genre model is not installed (train it with `unspin train genre --data …`)")
        return models.load(d, GenreSignalsModel.load)

    def annotate(self, ctx: Context) -> None:
        d = self.model.decide(ctx.analysis.text)
        ctx.analysis.genre = Label(d.label, round(d.score, 4))


class FramesAnalyzer(_Base):
    task = "frames"

    def annotate(self, ctx: Context) -> None:
        if self.tier == "accurate":
            found = self.model.predict(self.features(ctx), article_vector(ctx.product("encoded"), self.model.layers))
        else:
            found = frames_predict(self.model, [self.features(ctx)])[0]
        ctx.analysis.frames = [Label(k, round(v, 4)) for k, v in sorted(found.items(), key=lambda kv: -kv[1])]


class NarrativesAnalyzer(_Base):
    task = "narratives"

    def annotate(self, ctx: Context) -> None:
        f = self.features(ctx)
        text = ctx.analysis.text
        decided = narratives_decide(self.model, f)
        out = []
        subs = set(self.model.heads["subnarratives"].labels)
        for narrative, pn, chosen in decided:
            for sub, ps in chosen:
                ev = sentence_evidence(self.model, f, "subnarratives", sub) if sub in subs else []
                if not ev:
                    ev = sentence_evidence(self.model, f, "narratives", narrative)
                spans = [Span(a, b, text[a:b]) for a, b, _ in sorted(ev)]
                out.append(Narrative(narrative, sub, round(ps if sub in subs else pn, 4), spans))
        if not out:
            pn, _ = narratives_proba(self.model, f)
            out.append(Narrative("Other", "Other", round(float(1.0 - pn.max()) if len(pn) else 1.0, 4), []))
        ctx.analysis.narratives = out


#: A role is only given when its probability beats the runner-up by this much.
#: A safety margin, not a tuned value: the fast roles model is weak (see its
#: card) and a tie (Putin in the reference article: 0.465 vs 0.465) must not
#: be reported as a verdict.
MIN_ROLE_MARGIN = 0.10


class RolesAnalyzer(_Base):
    task = "roles"

    def annotate(self, ctx: Context) -> None:
        ents = ctx.analysis.entities
        if not ents:
            return
        doc = ctx.doc
        tuples = [(e.start, e.end, e.text, e.type) for e in ents]
        groups = entity_groups(doc, tuples)
        for e, g in zip(ents, groups, strict=True):
            e.group = g
        size: dict[str, int] = {}
        for g in groups:
            size[g] = size.get(g, 0) + 1
        idx = [i for i, e in enumerate(ents) if e.type in R.ROLE_TYPES]
        if not idx:
            return
        lex = self.model.meta.get("lexicons", {})
        dom = R.article_domain(ctx.analysis.text)
        keys = [R.mention_keys(doc, ents[i].start, ents[i].end, size[groups[i]], lex, dom) for i in idx]
        if self.tier == "accurate":
            spans = [(ents[i].start, ents[i].end) for i in idx]
            dense = mention_vectors(ctx.product("encoded"), spans, role_sentences(doc, spans), self.model.layers)
            PM, PF, PR = self.model.predict(keys, dense)
        else:
            PM, PF, PR = R.predict_rows(self.model, keys)
        hf, hr = self.model.heads["fine"], self.model.heads["framed"]
        parent = hf.extra.get("parent", {})
        by_group: dict[str, list[int]] = {}
        for row, i in enumerate(idx):
            by_group.setdefault(groups[i], []).append(row)
        for rows in by_group.values():
            if float(PR[rows].max()) < float(hr.thresholds[0]):
                continue
            pm, pf = PM[rows].mean(axis=0), PF[rows].mean(axis=0)
            top, second = sorted(pm)[-1], sorted(pm)[-2]
            if top - second < MIN_ROLE_MARGIN:
                continue  # the model cannot tell the roles apart: no label rather than a coin flip
            main, fine = R.decode_fine(pm, pf, hf.labels, parent, float(hf.thresholds[0]))
            score = round(float(pm[MAIN_ROLES.index(main)]), 4)  # the joint decode may pass over the top main role
            for row in rows:
                e = ents[idx[row]]
                e.role, e.score = main, score
                e.fine_roles = [Label(lab, round(p, 4)) for lab, p in fine]


@registry.register("genre", assigns=("genre",))
def make_genre(options: Options) -> GenreAnalyzer:
    return GenreAnalyzer(options)


@registry.register("frames", assigns=("frames",), uses=("framing_features", "encoded"))
def make_frames(options: Options) -> FramesAnalyzer:
    return FramesAnalyzer(options)


@registry.register("narratives", assigns=("narratives",), uses=("framing_features",))
def make_narratives(options: Options) -> NarrativesAnalyzer:
    return NarrativesAnalyzer(options)


@registry.register("roles", requires=("entities",), assigns=("entities.group", "entities.role"),
                   uses=("doc", "encoded"), scope="block")
def make_roles(options: Options) -> RolesAnalyzer:
    return RolesAnalyzer(options)
