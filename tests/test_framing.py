"""Framing (genre, frames, narratives, roles): metrics on hand-made cases,
the data loaders, the model artifacts (checksum refusal), the analyzers on
Unicode text with exact offsets, and the 1.1 schema with the new fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.framing import metrics as M
from unspin.framing.doc import (
    NarrativeDecision,
    decode_narratives,
    frames_predict,
    narrative_of,
)
from unspin.framing.labels import GENRES
from unspin.framing.model import FramingModel
from unspin.analyzers.groups import group_name
from unspin.training.folds import kfold
from unspin.training.framing_lexical import featurize, train_frames
from unspin.training.roles_treatment import role_lexicons

from .conftest import ROOT, shared_path

MODELS = ROOT / "src" / "unspin" / "models"
TASKS = ("genre", "frames", "narratives", "roles")

TEXT = ("Putin’s “peace” 🙂 plan, by Zoë Ångström\n\n"
        "🙂 Russian President Vladimir Putin said on Tuesday that the West had provoked the war in Ukraine. "
        "Putin accused NATO of ignoring Moscow’s warnings. “The sanctions will backfire on Europe,” he said.\n"
        "Critics in Kyiv called the claim a lie. The U.S. and the European Union promised more weapons to Ukraine, "
        "while climate activists 🌍 warned that the energy crisis would delay green policies.\n")


# -- metrics -----------------------------------------------------------------

def test_macro_f1_by_hand():
    gold = ["opinion", "opinion", "reporting", "satire"]
    pred = ["opinion", "reporting", "reporting", "opinion"]
    # opinion: tp1 fp1 fn1 → 0.5; reporting: tp1 fp1 → 2/3; satire: fn1 → 0
    assert M.macro_f1(gold, pred, GENRES) == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_weighted_macro_f1_simulates_a_label_shift():
    gold = ["opinion"] * 8 + ["reporting"] * 2
    pred = ["opinion"] * 8 + ["opinion", "reporting"]
    plain = M.macro_f1(gold, pred, ["opinion", "reporting"])
    # doubling the weight of every reporting article = a test set with more reporting
    w = [1.0] * 8 + [4.0, 4.0]
    shifted = M.macro_f1(gold, pred, ["opinion", "reporting"], weights=w)
    # opinion: tp 8, fp 4 → 16/20; reporting: tp 4, fn 4 → 8/12
    assert shifted == pytest.approx((16 / 20 + 8 / 12) / 2)
    assert shifted < plain


def test_micro_and_samples_f1():
    gold = [["A", "B"], ["C"], ["A"]]
    pred = [["A"], ["C", "D"], []]
    # micro: tp 2, fp 1, fn 2 → 4/7
    assert M.micro_f1(gold, pred) == pytest.approx(4 / 7)
    # samples: 2/3, 2/3, 0
    assert M.samples_f1(gold, pred) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    with pytest.raises(ValueError):
        M.micro_f1([["A"]], [])


def test_kfold_groups_and_strata():
    groups = ["a", "a", "b", "b", "c", "d", "e", "e"]
    folds = kfold(len(groups), 3, seed=1, groups=groups)
    assert sorted(np.concatenate(folds).tolist()) == list(range(8))
    for f in folds:
        for g in {groups[i] for i in f}:
            assert all(i in f for i in range(8) if groups[i] == g)
    strata = ["x"] * 6 + ["y"] * 3
    folds = kfold(9, 3, seed=1, strata=strata)
    assert all(sum(strata[i] == "y" for i in f) == 1 for f in folds)
    assert [f.tolist() for f in kfold(9, 3, seed=1, strata=strata)] == [f.tolist() for f in folds]


def test_narrative_decoding_is_hierarchical_and_within_one_domain():
    narr = ["CC: Criticism of climate policies", "URW: Discrediting Ukraine", "URW: Praise of Russia"]
    subs = ["URW: Discrediting Ukraine: Ukraine is a puppet of the West", "URW: Discrediting Ukraine: Other",
            "CC: Criticism of climate policies: Other"]
    assert narrative_of(subs[0]) == narr[1]
    pn = np.array([0.5, 0.9, 0.1])
    ps = np.array([0.2, 0.3, 0.8])
    out = decode_narratives(pn, ps, narr, subs, NarrativeDecision(0.4, 0.5))
    # the CC narrative passes the threshold but the top narrative is URW
    assert [n for n, _, _ in out] == ["URW: Discrediting Ukraine"]
    # no subnarrative reaches 0.5: the most probable child is taken
    assert out[0][2] == [("URW: Discrediting Ukraine: Other", 0.3)]
    assert decode_narratives(pn * 0.1, ps, narr, subs, NarrativeDecision(0.4, 0.5)) == []


def test_group_names():
    assert group_name("U.S.", "GPE") == "United States"
    assert group_name("the United States", "GPE") == "United States"
    assert group_name("Russia’s", "GPE") == "Russia"
    assert group_name("Putin", "PERSON", "Vladimir Putin") == "Vladimir Putin"
    assert group_name("the Pentagon", "ORG") == "Pentagon"


def test_role_lexicons_drop_shared_words():
    tax = {"Protagonist": {"Guardian": "protects communities and upholds justice",
                           "Martyr": "sacrifices life for a cause"},
           "Antagonist": {"Tyrant": "abuses power, oppresses", "Spy": "secretly gathers information"},
           "Innocent": {"Victim": "suffers harm"}}
    lex = role_lexicons(tax)
    assert "protect" in lex["Guardian"] or "protects" in lex["Guardian"]
    assert set(lex["Protagonist"]) == set(lex["Guardian"]) | set(lex["Martyr"])


# -- artifacts -----------------------------------------------------------------

def _tiny_frames_model(tmp_path: Path) -> Path:
    texts = ["Taxes and the budget hurt the economy.", "Police arrested the thief for the crime.",
             "The economy grew and taxes fell.", "The court jailed the criminal for the crime."] * 3
    sets = [["Economic"], ["Crime_and_punishment"], ["Economic"], ["Crime_and_punishment"]] * 3
    m = train_frames(featurize(texts), sets, ["Economic", "Crime_and_punishment"], min_df=1, inner_folds=3,
                     solver="ridge")
    out = tmp_path / "frames-fast"
    m.save(out, {"name": "test"})
    return out


def test_artifact_round_trip_and_checksum_refusal(tmp_path):
    d = _tiny_frames_model(tmp_path)
    m = FramingModel.load(d, "frames")
    found = frames_predict(m, featurize(["The police caught the criminal after the crime."]))[0]
    assert "Crime_and_punishment" in found and "Economic" not in found
    with pytest.raises(ModelError, match="not an unspin genre model"):
        FramingModel.load(d, "genre")
    raw = bytearray((d / "weights.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (d / "weights.npz").write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="checksum mismatch"):
        FramingModel.load(d, "frames")
    (d / "weights.npz").unlink()
    with pytest.raises(ModelError, match="missing"):
        FramingModel.load(d, "frames")


@pytest.mark.parametrize("task", [t for t in TASKS if t not in ("genre", "roles")])  # tests/test_genre.py, test_roles.py
def test_shipped_model_loads_is_small_and_documented(task, tmp_path):
    d = MODELS / f"{task}-fast"
    if not (d / "meta.json").is_file():
        pytest.skip(f"{d} not trained")
    m = FramingModel.load(d, task)
    size = sum(p.stat().st_size for p in d.iterdir())
    assert size <= 30 * 1024 * 1024
    assert (d / "CARD.md").is_file()
    for key in ("command", "training_data", "wall_time_s", "files", "metrics"):
        assert m.meta.get(key), key
    assert "protocol" in m.meta["metrics"]
    # a corrupted copy is refused with a clear error
    copy = tmp_path / d.name
    shutil.copytree(d, copy)
    raw = bytearray((copy / "weights.npz").read_bytes())
    raw[100] ^= 0x01
    (copy / "weights.npz").write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="checksum mismatch"):
        FramingModel.load(copy, task)


# -- analyzers -------------------------------------------------------------------

def _pipeline():
    for task in TASKS:
        folder = {"genre": "genre-signals", "roles": "roles-treatment"}.get(task, f"{task}-fast")
        if not (MODELS / folder / "meta.json").is_file():
            pytest.skip(f"the {task} model is not trained")
    import unspin.analyzers.framing  # noqa: F401  (registers the analyzers)
    from unspin.pipeline import Pipeline

    return Pipeline(analyzers=("entities", "quotes") + TASKS)


def test_analyzers_fill_the_new_fields_with_exact_offsets():
    from unspin.article import Article
    from unspin.schema import validate

    pipe = _pipeline()
    a = pipe.analyze(Article(source="-", text=TEXT, title=None, kind="text"))
    assert a.genre is not None and a.genre.label in (*GENRES, "uncertain") and 0 <= a.genre.score <= 1
    assert all(0 <= f.score <= 1 for f in a.frames)
    assert a.narratives
    for n in a.narratives:
        for ev in n.evidence:
            assert a.text[ev.start:ev.end] == ev.text and ev.text.strip()
    for e in a.entities:
        assert a.text[e.start:e.end] == e.text
        assert e.group
        if e.role is not None:
            assert e.role in ("Protagonist", "Antagonist", "Innocent") and e.fine_roles
    putins = {e.group for e in a.entities if "Putin" in e.text}
    assert putins == {"Vladimir Putin"}
    # every mention of a group carries the same role
    roles: dict[str, set] = {}
    for e in a.entities:
        roles.setdefault(e.group, set()).add(e.role)
    assert all(len(r) == 1 for r in roles.values())
    pytest.importorskip("jsonschema")
    validate(a.to_dict())
    assert a.meta.analyzers["roles"].split("+")[0] == "treatment-1"  # one roles model for both tiers, then the weights


def test_seed_article_is_opinion(seed_path):
    import unspin
    from unspin.inputs import read_input  # noqa: F401

    pipe = _pipeline()
    a = unspin.analyze(str(seed_path), analyzers=("entities", "quotes") + TASKS)
    assert a.genre.label == "opinion"
    for n in a.narratives:
        for ev in n.evidence:
            assert a.text[ev.start:ev.end] == ev.text
    del pipe


def test_schema_validates_the_new_fields():
    pytest.importorskip("jsonschema")
    from unspin.schema import validate
    from unspin.types import SCHEMA_VERSION, Analysis, Entity, Label, Narrative, Span

    text = "🙂 Putin blamed the West."
    a = Analysis(source="-", schema=SCHEMA_VERSION, title=None, text=text,
                 entities=[Entity("Putin", 2, 7, "PERSON", group="Vladimir Putin", role="Protagonist", score=0.7,
                                  fine_roles=[Label("Peacemaker", 0.4)])],
                 genre=Label("opinion", 0.9), frames=[Label("Political", 0.8)],
                 narratives=[Narrative("URW: Discrediting the West, Diplomacy",
                                       "URW: Discrediting the West, Diplomacy: Other", 0.5,
                                       [Span(2, len(text), text[2:])])])
    data = a.to_dict()
    validate(data)
    assert Analysis.from_dict(data) == a
    from jsonschema import ValidationError

    bad = a.to_dict()
    bad["entities"][0]["role"] = "Hero"
    with pytest.raises(ValidationError):
        validate(bad)
    bad = a.to_dict()
    bad["genre"] = {"label": "opinion", "score": 1.5}
    with pytest.raises(ValidationError):
        validate(bad)


# -- data loaders (need ../shared) ---------------------------------------------------

def test_persuasion_loader_reads_genres_and_frames():
    from unspin.datasets.framing import frame_inventory, load_persuasion

    root = shared_path("data", "persuasion-semeval2023-en", "train")
    docs = load_persuasion(root)
    assert len(docs) == 433
    assert {d.genre for d in docs} == set(GENRES)
    inv = frame_inventory(root)
    assert len(inv) == 14 and all(f in inv for d in docs for f in d.frames)


def test_narrative_and_role_loaders_offsets_exact():
    from unspin.datasets.framing import load_narratives, load_role_mentions, role_taxonomy

    root = shared_path("data", "narratives-semeval2025-en", "train")
    assert len(load_narratives(root)) == 398
    texts, mentions = load_role_mentions(root)
    assert len(mentions) == 413 and len(texts) == 105
    for m in mentions:
        assert texts[m.doc][m.start:m.end] == m.text
    tax = role_taxonomy(root)
    assert sum(len(v) for v in tax.values()) == 22
    assert all(f in tax[m.main] for m in mentions for f in m.fine)
