"""Roles from how the article treats an entity (unspin.framing.treatment and the roles analyzer)."""

from __future__ import annotations

import numpy as np
import pytest

from unspin.article import Article
from unspin.framing import treatment as T

from .conftest import ROOT

MODEL = ROOT / "src" / "unspin" / "models" / "roles-treatment"


@pytest.fixture(scope="module")
def nlp():
    from unspin.config import Options
    from unspin.nlp import load_spacy

    return load_spacy(Options().spacy_model)


def test_group_adjectives_and_the_west_join_their_group_with_unicode_offsets(nlp):
    from unspin.analyzers.groups import role_candidates

    text = ("🙂 « Western » powers blamed Moscow. Russian forces and the West’s allies met. "
            "The West is to blame, said Jürgen Müller.")
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]
    footer = (text.index("said"), len(text))
    _, cands = role_candidates(doc, ents, [footer])
    for c in cands:
        assert text[c.start:c.end] == c.text
        assert not (footer[0] <= c.start < footer[1])  # nothing inside boilerplate
    groups = {c.text: c.group for c in cands}
    assert groups.get("Western") == "the West" and groups.get("Russian") == "Russia"
    assert sum(c.group == "the West" for c in cands) == 3  # Western, the West’s, The West
    assert T.demonym_group("Ukrainians") == "Ukraine" and T.demonym_group("Zorblax") is None


def test_treatment_features_read_harm_help_and_voice(nlp):
    from unspin.analyzers.groups import role_candidates

    text = "The regime bombed the village. Civilians suffered. Doctors helped the wounded and defended Kharkiv."
    doc = nlp(text)
    _, cands = role_candidates(doc, [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents], [])
    cands = [T.Candidate(0, 10, "The regime", "ORG", "regime"), T.Candidate(31, 40, "Civilians", "NORP", "civilians"),
             T.Candidate(51, 58, "Doctors", "NORP", "doctors")]
    X, sents = T.article_features(doc, cands, [], {}, [])
    names = T.feature_names([])
    f = {c.group: dict(zip(names, row, strict=True)) for c, row in zip(cands, X, strict=True)}
    assert f["regime"]["m_agent_harm"] == 1 and f["regime"]["m_neg_mod"] == 0
    assert f["civilians"]["m_subject_suffer"] == 1
    assert f["doctors"]["m_agent_help"] == 1
    assert [text[a:b] for a, b in sents] == ["The regime bombed the village.", "Civilians suffered.",
                                             "Doctors helped the wounded and defended Kharkiv."]
    words = T.context_words(doc, cands)
    assert "s=bomb" in words[0] and not any("regime" in w for w in words[0])


def _model(tmp_path, fine=("Guardian", "Tyrant", "Victim")):
    names = T.feature_names(list(fine))
    F = len(names)
    vocab = ["s=bomb", "s=help"]
    W = np.zeros((F + 2, 3))
    W[F, 1] = 3.0  # "bomb" in the sentence → Antagonist
    W[F + 1, 0] = 3.0  # "help" → Protagonist
    Wf = np.zeros((F + 2, len(fine)))
    m = T.TreatmentRoles(list(fine), {"Guardian": "Protagonist", "Tyrant": "Antagonist", "Victim": "Innocent"},
                         np.zeros(F), np.ones(F), vocab, 1.0, W, np.zeros(3), 1.0, Wf, np.zeros(len(fine)), {})
    m.save(tmp_path, {"name": "test"})
    return m


def test_model_round_trip_cast_and_refusal(tmp_path, nlp):
    from unspin.errors import ModelError

    _model(tmp_path)
    m = T.TreatmentRoles.load(tmp_path)
    text = "Ärger: the Khan bombed Lyon. Later the Khan bombed Rome. Aid groups help Lyon."
    doc = nlp(text)
    cands = [T.Candidate(text.index("Khan"), text.index("Khan") + 4, "Khan", "PERSON", "Khan"),
             T.Candidate(text.rindex("Khan"), text.rindex("Khan") + 4, "Khan", "PERSON", "Khan"),
             T.Candidate(text.rindex("Lyon"), text.rindex("Lyon") + 4, "Lyon", "GPE", "Lyon")]
    X, sents = T.article_features(doc, cands, [], {}, m.fine_labels)
    calls = T.cast(m, X, T.context_words(doc, cands), cands, sents)
    assert calls["Khan"].role == "Antagonist" and calls["Khan"].fine[0][0] == "Tyrant"
    assert calls["Lyon"].role == "Protagonist" and calls["Lyon"].fine[0][0] == "Guardian"
    a, b = calls["Khan"].evidence
    assert text[a:b] in ("Ärger: the Khan bombed Lyon.", "Later the Khan bombed Rome.")
    assert abs(calls["Khan"].proba.sum() - 1) < 1e-9
    (tmp_path / "weights.npz").write_bytes(b"broken")
    with pytest.raises(ModelError):
        T.TreatmentRoles.load(tmp_path)


def test_a_group_role_weighs_its_mentions_by_what_they_say(tmp_path, nlp):
    from unspin.errors import ModelError

    fine = ("Guardian", "Tyrant", "Victim")
    names = T.feature_names(list(fine))
    F = len(names)
    W = np.zeros((F + 1, 3))
    W[F, 0] = 3.0  # "help" in the sentence → Protagonist; a prior that leans to Antagonist (bias below)
    m = T.TreatmentRoles(list(fine), {"Guardian": "Protagonist", "Tyrant": "Antagonist", "Victim": "Innocent"},
                         np.zeros(F), np.ones(F), ["s=help"], 1.0, W, np.array([0.0, 1.0, 0.0]), 1.0,
                         np.zeros((F + 1, 3)), np.zeros(3), {})
    text = "Ärger: Lyon helps the refugees. Lyon is a city. Lyon has two rivers. Lyon lies on the Rhône."
    doc = nlp(text)
    starts = [i for i in range(len(text)) if text.startswith("Lyon", i)]
    cands = [T.Candidate(a, a + 4, "Lyon", "GPE", "Lyon") for a in starts]
    X, sents = T.article_features(doc, cands, [], {}, list(fine))
    words = T.context_words(doc, cands)
    roles = {}
    for agg in T.AGGREGATES:
        m.aggregate = agg
        roles[agg] = T.cast(m, X, words, cands, sents)["Lyon"]
    # averaged, three mentions that say nothing pull the group to the prior; weighted, the one that says
    # something decides, as it does alone under the strongest-evidence rule; its sentence is the evidence
    assert roles["mean"].role == "Antagonist"
    assert roles["weighted"].role == roles["evidence"].role == "Protagonist"
    a, b = roles["weighted"].evidence
    assert text[a:b] == "Ärger: Lyon helps the refugees."
    m.aggregate = "median"
    m.save(tmp_path, {"name": "test"})
    with pytest.raises(ModelError, match="unknown group aggregation 'median'"):
        T.TreatmentRoles.load(tmp_path)


def test_shipped_roles_model_is_small_documented_and_measured_forward():
    if not (MODEL / "meta.json").is_file():
        pytest.skip("the roles model is not trained")
    m = T.TreatmentRoles.load(MODEL)
    assert sum(p.stat().st_size for p in MODEL.iterdir()) <= 30 * 1024 * 1024
    card = (MODEL / "CARD.md").read_text(encoding="utf-8")
    fw = m.meta["metrics"]["forward"]
    assert f"{fw['main_accuracy']:.3f}" in card and f"{fw['baseline_antagonist_accuracy']:.3f}" in card
    assert m.meta["command"].startswith("unspin train roles") and "--seed" in m.meta["command"]
    # off by default unless it beats the constant answer, and the card says which
    from unspin.pipeline import DEFAULT_ANALYZERS

    on = fw["main_accuracy"] > fw["baseline_antagonist_accuracy"]
    assert m.meta["ships_on_by_default"] == on and (("roles" in DEFAULT_ANALYZERS) == on)
    assert ("does not beat" in card) == (not on)


@pytest.fixture(scope="module")
def seed_analysis(seed_path):
    if not (MODEL / "meta.json").is_file():
        pytest.skip("the roles model is not trained")
    import unspin

    return unspin.analyze(str(seed_path), analyzers=("roles",))


def test_seed_article_casts_the_west_not_putin_as_villain(seed_analysis):
    a = seed_analysis
    role = {e.group: e.role for e in a.entities if e.role}
    assert role.get("the West") == "Antagonist"
    assert role.get("Vladimir Putin") not in (None, "Antagonist")  # quoted approvingly, "sensibly suggested"


@pytest.mark.xfail(reason="known limit: one of Russia's five mentions carries the praise (ISIS defeated through the "
                          "efforts of Russian forces); the other four say little, sit at the Antagonist prior, and "
                          "the group's probabilities are averaged (the strongest-evidence and evidence-weighted rules lost on inner folds, and the weighted one still casts Russia as Antagonist)",
                   strict=True)
def test_seed_article_does_not_cast_russia_as_villain(seed_analysis):
    role = {e.group: e.role for e in seed_analysis.entities if e.role}
    assert role.get("Russia") not in (None, "Antagonist")


def test_seed_article_roles_carry_their_sentence_with_exact_offsets(seed_analysis):
    a = seed_analysis
    cast = [e for e in a.entities if e.role]
    assert cast
    by_group: dict[str, set] = {}
    for e in cast:
        assert a.text[e.start:e.end] == e.text
        ev = e.evidence
        assert ev is not None and a.text[ev.start:ev.end] == ev.text and ev.text.strip()
        assert 0 <= e.score <= 1 and len(e.fine_roles) == 1
        by_group.setdefault(e.group, set()).add((e.role, ev.start))
    assert all(len(v) == 1 for v in by_group.values())  # one role and one evidence sentence per group
    # the footer "The post … appeared first on The Duran." is boilerplate: nobody in it is cast
    footer = a.text.rindex("The post")
    assert not [e for e in cast if e.start >= footer]
    pytest.importorskip("jsonschema")
    from unspin.schema import validate

    validate(a.to_dict())


def test_roles_analyzer_on_unicode_text_and_no_entities():
    if not (MODEL / "meta.json").is_file():
        pytest.skip("the roles model is not trained")
    from unspin.pipeline import Pipeline

    pipe = Pipeline(analyzers=("roles",))
    text = "« Ça suffit » 🙂 — Western officials accused Russian troops of shelling Kharkiv, where civilians died."
    a = pipe.analyze(Article(source="-", text=text, title=None, kind="text"))
    assert a.meta.analyzers["roles"].startswith("treatment-1+")
    west = [e for e in a.entities if e.group == "the West"]
    assert west and all(a.text[e.start:e.end] == e.text for e in west)
    for e in a.entities:
        if e.role:
            assert a.text[e.evidence.start:e.evidence.end] == e.evidence.text
    empty = pipe.analyze(Article(source="-", text="nothing named here at all.", title=None, kind="text"))
    assert all(e.role is None for e in empty.entities)
