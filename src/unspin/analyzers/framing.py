"""Framing analyzers: ``genre``, ``frames``, ``narratives`` and ``roles``.

Each loads its shipped model once per pipeline (SHA-256 checked at load; see
:mod:`unspin.framing`): with ``options.model == "accurate"`` (the default) the
accurate-tier head over the shared MiniLM pass (``unspin/models/<task>-accurate/``,
reading the shared ``encoded`` product, computed once per article and shared with the
techniques analyzer) when one is shipped for the task, else the fast
lexical model (``unspin/models/<task>-fast/``); ``--model fast`` always uses
the fast models. No accurate narratives model ships (a stack over the fast model and
the shared pass did not beat the fast model on the inner folds, ``docs/framing-eval.md``);
when one is trained into ``unspin/models/narratives-accurate/``, the analyzer reads it.
Each fills its field of the analysis:

* ``genre``: ``analysis.genre`` = {label, score} from the one genre model
  (``unspin/models/genre-signals/``, both tiers): signals of how the article
  is written, never its topic (:mod:`unspin.framing.genre`), probabilities
  under the mix of a real news feed (mostly reporting); ``uncertain`` when
  no genre is likely enough, ``satire`` only on strong evidence;
* ``frames``: ``analysis.frames``, most probable first;
* ``narratives``: ``analysis.narratives`` with the sentences that carry each
  (a single ``Other`` item when none applies);
* ``roles``: one model for both tiers (``unspin/models/roles-treatment/``,
  :mod:`unspin.framing.treatment`) that reads how the article treats each
  entity, never its name; on every entity found by the ``entities`` analyzer
  (plus "the West" / "Western" where spaCy found none) ``group`` (canonical
  name shared by its mentions: "Putin" and "Vladimir Putin", "Western" and
  "the West", "Russian" and "Russia") and ``role``, ``score``, one archetype
  in ``fine_roles`` and ``evidence`` (the sentence that carries the role);
  probabilities are averaged over the group's mentions, so a group gets one role.
"""

from __future__ import annotations

from pathlib import Path


from .. import models
from ..config import Options
from ..errors import ModelError
from ..framing import accurate
from ..framing import treatment as T
from ..framing.accurate import ACCURATE_TASKS, article_vector, pooled_vector
from ..framing.doc import decode_narratives, frames_predict, narratives_decide, narratives_proba, sentence_evidence
from ..framing.genre import GenreSignalsModel
from ..framing.model import FramingModel
from ..models import artifact
from ..types import Entity, Label, Narrative, Span
from .base import Context, registry
from .groups import role_candidates

TASKS = ("genre", "frames", "narratives", "roles")


#: The genre model's folder: one model for both tiers (it reads no encoder output).
GENRE_MODEL = "genre-signals"


def model_dir(task: str, tier: str = "fast") -> Path:
    """The packaged folder of ``task``'s model (genre and roles: their one model whatever the tier)."""
    if task == "roles":
        return T.default_dir()
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
    """Narratives with their evidence sentences. The accurate tier (a stack over the fast model,
    :class:`~unspin.framing.accurate.NarrativesStack`) also reads the shared encoder pass; the evidence
    sentences are always the fast model's (the words that add most to the label's lexical score)."""

    task = "narratives"

    def annotate(self, ctx: Context) -> None:
        f = self.features(ctx)
        text = ctx.analysis.text
        if self.tier == "accurate":
            fast = self.model.fast
            pn, ps = self.model.proba(f, pooled_vector(ctx.product("encoded"), self.model.pooling, self.model.layers))
            decided = decode_narratives(pn, ps, self.model.narrative_labels, self.model.subnarrative_labels,
                                        self.model.decision)
        else:
            fast = self.model
            pn, _ = narratives_proba(fast, f)
            decided = narratives_decide(fast, f)
        out = []
        subs = set(fast.heads["subnarratives"].labels)
        for narrative, p_n, chosen in decided:
            for sub, p_s in chosen:
                ev = sentence_evidence(fast, f, "subnarratives", sub) if sub in subs else []
                if not ev:
                    ev = sentence_evidence(fast, f, "narratives", narrative)
                spans = [Span(a, b, text[a:b]) for a, b, _ in sorted(ev)]
                out.append(Narrative(narrative, sub, round(p_s if sub in subs else p_n, 4), spans))
        if not out:
            out.append(Narrative("Other", "Other", round(float(1.0 - pn.max()) if len(pn) else 1.0, 4), []))
        ctx.analysis.narratives = out


class RolesAnalyzer:
    """Roles from the article's treatment of each entity (:mod:`unspin.framing.treatment`).

    Candidates are the role-type entities plus "the West" / "Western" where
    spaCy found none (added to ``analysis.entities`` as ``NORP``); every
    mention gets its ``group``, and every group a ``role``, ``score``, one
    archetype in ``fine_roles`` and the sentence that carries the role
    (``evidence``). The same model serves both tiers."""

    name = "roles"

    def __init__(self, options: Options | None = None) -> None:
        self.model = load_treatment_model((options or Options()).roles_model)
        self.version = "treatment-1" + artifact.weights_tag(self.model.meta, T.WEIGHTS)

    def annotate(self, ctx: Context) -> None:
        doc = ctx.doc
        text = ctx.analysis.text
        ents = ctx.analysis.entities
        furniture = [(b.start, b.end) for b in ctx.analysis.boilerplate]
        groups, cands = role_candidates(doc, [(e.start, e.end, e.text, e.type) for e in ents], furniture)
        for e, g in zip(ents, groups, strict=True):
            e.group = g
        if not cands:
            return
        by_span = {(e.start, e.end): e for e in ents}
        for c in cands:
            if (c.start, c.end) not in by_span:  # "the West" where spaCy found no entity
                e = Entity(text=c.text, start=c.start, end=c.end, type=c.label, group=c.group)
                ents.append(e)
                by_span[(c.start, c.end)] = e
            by_span[(c.start, c.end)].group = c.group
        ents.sort(key=lambda e: (e.start, e.end))
        quotes = T.quote_infos(doc, ctx.analysis.quotes)
        X, sents = T.article_features(doc, cands, quotes, self.model.lexicons, self.model.fine_labels)
        calls = T.cast(self.model, X, T.context_words(doc, cands), cands, sents)
        for c in cands:
            call = calls[c.group]
            e = by_span[(c.start, c.end)]
            e.role, e.score = call.role, round(call.score, 4)
            e.fine_roles = [Label(lab, round(p, 4)) for lab, p in call.fine]
            a, b = call.evidence
            e.evidence = Span(a, b, text[a:b])


def load_treatment_model(path: str | None = None) -> T.TreatmentRoles:
    """The roles model (packaged, or the folder ``path``), loaded once per process."""
    d = Path(path) if path else T.default_dir()
    if not (d / artifact.META).is_file():
        raise ModelError(f"{d}: the roles model is not installed (train it with `unspin train roles --data …`)")
    return models.load(d, T.TreatmentRoles.load)


@registry.register("genre", assigns=("genre",))
def make_genre(options: Options) -> GenreAnalyzer:
    return GenreAnalyzer(options)


@registry.register("frames", assigns=("frames",), uses=("framing_features", "encoded"))
def make_frames(options: Options) -> FramesAnalyzer:
    return FramesAnalyzer(options)


@registry.register("narratives", assigns=("narratives",), uses=("framing_features", "encoded"))
def make_narratives(options: Options) -> NarrativesAnalyzer:
    return NarrativesAnalyzer(options)


@registry.register("roles", requires=("entities", "quotes"), assigns=("entities.group", "entities.role"),
                   uses=("doc",), scope="block")
def make_roles(options: Options) -> RolesAnalyzer:
    return RolesAnalyzer(options)
