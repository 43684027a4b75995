"""Persuasion techniques: metrics on hand-made cases, the SemEval data
loader, features/offsets, the model artifact (checksum refusal) and the
analyzer on Unicode text."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from unspin.datasets.semeval2023 import load_corpus
from unspin.errors import ModelError
from unspin.evaluation.techniques import TechniqueScores, merge_spans, span_counts
from unspin.training.folds import kfold_by_article

from .conftest import ROOT, shared_path

SEMEVAL = ("data", "persuasion-semeval2023-en", "train")
MODEL_DIR = ROOT / "src" / "unspin" / "models" / "techniques-fast"


# -- metrics ---------------------------------------------------------------

def test_merge_spans_merges_overlaps_not_touching():
    assert merge_spans([(5, 8), (0, 4), (2, 6), (8, 10), (12, 12)]) == [(0, 8), (8, 10)]


def test_si_half_overlap():
    c = span_counts([(5, 15)], [(0, 10)])
    assert (c.precision, c.recall, c.f1) == (0.5, 0.5, 0.5)


def test_si_gold_merged_and_partial_credit():
    # gold (0,4)+(2,8) merge to (0,8); predictions (0,2) fully inside, (6,10) half inside
    c = span_counts([(0, 2), (6, 10)], [(0, 4), (2, 8)])
    assert c.n_gold == 1 and c.n_pred == 2
    assert c.precision == pytest.approx((2 / 2 + 2 / 4) / 2)
    assert c.recall == pytest.approx((2 + 2) / 8)
    assert c.f1 == pytest.approx(0.6)


def test_si_one_prediction_over_two_gold_spans():
    c = span_counts([(0, 20)], [(0, 5), (10, 15)])
    assert c.precision == pytest.approx(10 / 20)  # 5/20 + 5/20
    assert c.recall == pytest.approx(1.0)


def test_si_nothing_predicted_or_no_gold():
    assert span_counts([], [(0, 3)]).f1 == 0.0
    c = span_counts([(0, 3)], [])
    assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)


def test_paragraph_micro_f1_and_technique_aware_spans():
    s = TechniqueScores()
    s.add_article([["A"], ["A", "B"], []], [["A"], ["B"], ["C"]], [(0, 10, "A")], [(0, 10, "B")])
    assert (s.paragraph.tp, s.paragraph.fp, s.paragraph.fn) == (2, 1, 1)
    assert s.paragraph.f1 == pytest.approx(2 / 3)
    assert s.paragraph_by_technique["A"].f1 == pytest.approx(2 / 3)  # tp 1, fn 1
    assert s.si.f1 == 1.0  # technique-agnostic: same characters
    assert s.span_aware.f1 == 0.0  # wrong technique earns nothing
    assert s.span_by_technique["A"].recall == 0.0 and s.span_by_technique["B"].precision == 0.0


def test_micro_sums_over_articles():
    s = TechniqueScores()
    s.add_article([[]], [[]], [(0, 10, "A")], [(0, 10, "A")])   # P credit 1/1, R 1/1
    s.add_article([[]], [[]], [(0, 10, "A")], [(0, 5, "A"), (20, 30, "A")])  # P credit 1/2, R 0.5/1
    assert s.si.precision == pytest.approx(2 / 3)
    assert s.si.recall == pytest.approx(1.5 / 2)


def test_kfold_by_article_is_a_seeded_partition():
    ids = [str(i) for i in range(103)]
    folds = kfold_by_article(ids, k=5, seed=13)
    assert sorted(x for f in folds for x in f) == sorted(ids)
    assert all(20 <= len(f) <= 21 for f in folds)
    assert folds == kfold_by_article(list(reversed(ids)), k=5, seed=13)
    assert folds != kfold_by_article(ids, k=5, seed=14)


# -- data ------------------------------------------------------------------

def _tiny_corpus(root: Path) -> str:
    text = "Café “crisis” 😀 title\n\nThe corrupt élite lied.\r\nA calm line.\n"
    (root / "articles").mkdir(parents=True)
    (root / "span-labels").mkdir()
    (root / "articles" / "article7.txt").write_bytes(text.encode("utf-8"))
    start = text.index("corrupt élite")
    (root / "span-labels" / "article7-labels-subtask-3.txt").write_text(
        f"7\tName_Calling-Labeling\t{start}\t{start + len('corrupt élite')}\n", encoding="utf-8")
    (root / "paragraph-technique-labels.txt").write_text("7\t1\t\n7\t3\tName_Calling-Labeling\n7\t4\t\n",
                                                         encoding="utf-8")
    return text


def test_loader_keeps_text_exact_and_unicode_offsets(tmp_path):
    text = _tiny_corpus(tmp_path)
    (doc,) = load_corpus(tmp_path)
    assert doc.text == text  # \r\n kept, nothing stripped
    (span,) = doc.spans
    assert doc.text[span.start:span.end] == "corrupt élite"
    assert doc.line_labels[3] == ["Name_Calling-Labeling"]
    assert [n for n, _, _ in doc.lines()] == [1, 3, 4]
    _, s, e = doc.lines()[1]
    assert doc.text[s:e] == "The corrupt élite lied."  # \r left out of the paragraph


def test_shared_semeval_corpus_loads_consistently():
    docs = load_corpus(shared_path(*SEMEVAL))
    assert len(docs) == 446
    from unspin.evaluation.techniques import gold_paragraph_labels

    for doc in docs:
        assert all(0 <= s.start < s.end <= len(doc.text) for s in doc.spans)
        assert len(gold_paragraph_labels(doc)) == len(doc.lines())


# -- tokens and features ---------------------------------------------------

def test_tokens_offsets_are_exact_on_unicode():
    from unspin.techniques.features import article_features
    from unspin.techniques.text import tokenize

    text = "Naïve “experts” say 😀 it's fine.\r\n\nSecond—line here!"
    tk = tokenize(text)
    assert all(text[a:b] == w for w, a, b in zip(tk.text, tk.start, tk.end, strict=True))
    assert [text[a:b] for a, b, _, _ in tk.lines] == ["Naïve “experts” say 😀 it's fine.", "Second—line here!"]
    f = article_features(tk)
    assert f.n_tokens == len(tk.text) and set(f.tok_unit.tolist()) == set(range(len(tk.text)))
    assert "w=naïve" in f.keys and "q" in f.keys
    empty = article_features(tokenize(""))
    assert empty.keys == [] and empty.n_tokens == 0


@pytest.mark.slow
def test_training_vocabulary_reproduces_the_packaged_fast_model_row_for_row():
    """The card's command must rebuild the packaged model byte for byte (the
    accurate tier checks its SHA-256): the fast training numbers features in
    order of first use, so a change in the order features are emitted reorders
    the vocabulary and the sparse sums. Caught here in seconds, not after an
    hour's retraining."""
    import json

    from unspin.techniques.fast import _is_par
    from unspin.training.techniques import load_part
    from unspin.training.techniques_fast import Interner, build_vocab, encode

    packaged = json.loads((MODEL_DIR / "vocab.json").read_text(encoding="utf-8"))
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    # the articles the packaged model was trained on: the training part of the forward split, or all
    docs = load_part(shared_path(*SEMEVAL), meta["training_data"].get("part", "all"))
    assert len(docs) == meta["training_data"]["articles"]
    interner = Interner()
    encs = encode(docs, meta["labels"], interner)
    vocab = build_vocab(encs, interner, meta["hyperparameters"]["min_df"])
    kept = [k for k, r in zip(interner.strings, vocab.remap.tolist(), strict=True) if r >= 0]  # in row order
    assert [k for k in kept if not _is_par(k)] == packaged["token_sentence"]
    assert [k for k in kept if _is_par(k)] == packaged["paragraph"]


# -- model artifact and analyzer -------------------------------------------

def _packaged_model():
    if not (MODEL_DIR / "meta.json").is_file():
        pytest.skip(f"no trained fast model at {MODEL_DIR}")
    from unspin.techniques.fast import FastModel

    return FastModel.load(MODEL_DIR)


def test_corrupted_weights_are_refused(tmp_path):
    _packaged_model()
    from unspin.techniques.fast import WEIGHTS, FastModel

    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    data = bytearray((copy / WEIGHTS).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / WEIGHTS).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        FastModel.load(copy)
    (copy / WEIGHTS).unlink()
    with pytest.raises(ModelError, match="missing"):
        FastModel.load(copy)


def test_meta_records_protocol_and_hashes():
    model = _packaged_model()
    meta = model.meta
    for key in ("labels", "command", "wall_time_s", "training_data", "files", "span_thresholds", "span_units",
                "paragraph_thresholds", "span_needs_content_word"):
        assert key in meta
    assert set(meta["span_thresholds"]) == set(meta["labels"]) == set(meta["paragraph_thresholds"])
    assert set(meta["files"]) == {"weights.npz", "vocab.json"}


UNICODE_TEXT = ("Corrupt élites 😀 betray “our” great nation\n\n"
                "The radical, evil regime of thugs and criminals lied again and again: a total disaster, a catastrophe!\n"
                "Naïve critics say nothing, absolutely nothing, about this shameful, disgusting betrayal.\n")


def test_analyzer_spans_are_exact_sorted_and_paragraphs_labelled():
    _packaged_model()
    from unspin import analyzers  # noqa: F401
    from unspin.analyzers import techniques  # noqa: F401  (registers "techniques")
    from unspin.article import Article
    from unspin.pipeline import Pipeline

    pipe = Pipeline(analyzers=("techniques",), min_score=0.05)
    a = pipe.analyze(Article(source="t", text=UNICODE_TEXT))
    assert a.techniques, "expected some technique spans at min_score 0.05"
    for t in a.techniques:
        assert a.text[t.start:t.end] == t.text and 0.0 <= t.score <= 1.0
    keys = [(t.start, t.end, t.technique) for t in a.techniques]
    assert keys == sorted(keys)
    assert any(p.techniques for p in a.paragraphs)
    strict = Pipeline(analyzers=("techniques",), min_score=1.0).analyze(Article(source="t", text=UNICODE_TEXT))
    assert strict.techniques == [] and all(not p.techniques for p in strict.paragraphs)


# -- fast inference path equals the training feature path -------------------

def _random_model(texts, seed=0):
    import numpy as np

    from unspin.techniques.fast import FastModel, _is_par
    from unspin.techniques.features import article_features
    from unspin.techniques.text import tokenize

    keys = sorted({k for t in texts for k in article_features(tokenize(t)).keys})
    rng = np.random.default_rng(seed)
    ts = [k for k in keys if not _is_par(k) and rng.random() < 0.8]
    ps = [k for k in keys if _is_par(k) and rng.random() < 0.8]
    vocab = {**{k: i for i, k in enumerate(ts)}, **{k: i for i, k in enumerate(ps)}}
    L = 3
    return FastModel(["A", "B", "C"], vocab, rng.normal(size=(len(ts), L)).astype(np.float32),
                     np.full(L, -1.0), rng.normal(size=(len(ps), L)).astype(np.float32), np.full(L, -1.0),
                     np.tile([1.0, 0.0], (L, 1)), np.tile([1.0, 0.0], (L, 1)), 0.5, 0.5)


def test_cached_inference_logits_equal_training_features():
    import numpy as np

    from unspin.techniques.fast import logits, token_sentence_index
    from unspin.techniques.features import article_features
    from unspin.techniques.text import tokenize

    texts = [UNICODE_TEXT, "Title only", "A “quoted” line. Another one! Is it?\n\nLast, last, last line.", ""]
    model = _random_model(texts)
    for text in texts + ["Unseen words galore 😀 here."]:
        tk = tokenize(text)
        f = article_features(tk)
        rows = np.fromiter((model.vocab.get(k, -1) for k in f.keys), dtype=np.int64, count=len(f.keys))
        z1, p1 = logits(f, rows, model.W, model.b, model.P, model.pb, token_sentence_index(tk))
        z2, p2 = model.raw_logits(tk)
        np.testing.assert_allclose(z1, z2, atol=1e-4)
        np.testing.assert_allclose(p1, p2, atol=1e-4)


def test_predicted_spans_are_exact_and_sorted_on_unicode_with_overlaps():
    model = _random_model([UNICODE_TEXT])
    model.span_threshold = 0.3
    pred = model.predict(UNICODE_TEXT)
    assert pred.spans
    labels = {t for *_, t, _ in pred.spans}
    assert len(labels) > 1  # several techniques: their spans overlap
    for a, b, _t, _s in pred.spans:
        piece = UNICODE_TEXT[a:b]
        assert piece and piece[0].isalnum() and piece[-1].isalnum() and "\n" not in piece
    assert [s[:3] for s in pred.spans] == sorted(s[:3] for s in pred.spans)
    assert any(a2 < b1 and t1 != t2 for (_a1, b1, t1, _), (a2, _b2, t2, _) in pairwise(pred.spans))
    assert len(pred.paragraphs) == 3


def test_taxonomy_has_23_techniques_in_six_families():
    from unspin.techniques.taxonomy import techniques

    tax = techniques()
    assert len(tax) == 23 and len({t.family for t in tax.values()}) == 6
    ref = Path(__file__).resolve().parents[2] / "shared" / "data" / "persuasion-semeval2023-en" / "techniques.txt"
    if ref.is_file():
        assert set(tax) == set(ref.read_text(encoding="utf-8").split())
    assert all(t.definition and t.colour.startswith("#") for t in tax.values())


def test_eval_cli_scores_a_model_folder(tmp_path):
    _packaged_model()
    from click.testing import CliRunner

    from unspin.cli.techniques import eval_techniques

    _tiny_corpus(tmp_path / "gold")
    res = CliRunner().invoke(eval_techniques, ["--data", str(tmp_path / "gold"), "--model-dir", str(MODEL_DIR), "--json"])
    assert res.exit_code == 0, res.output
    import json

    d = json.loads(res.output[res.output.index("{"):])
    assert d["articles"] == 1 and "span_si" in d and "paragraph_micro" in d


def test_fast_model_decoding_rules_roundtrip_and_legacy_meta_loads(tmp_path):
    """Per-technique span thresholds and units, smoothing, the function-word
    rule and per-technique paragraph thresholds survive save/load; a meta.json
    of the older format (one threshold for all techniques) still loads."""
    import json

    import numpy as np

    from unspin.techniques.fast import FastModel

    model = _random_model([UNICODE_TEXT])
    model.span_threshold = np.array([0.3, 0.4, 0.5])
    model.paragraph_threshold = np.array([0.2, 0.6, 0.9])
    model.span_units, model.span_smoothing, model.span_needs_content_word = ["words", "clause", "sentence"], 1, True
    meta = model.save(tmp_path / "m", {"version": "test", "span_threshold": 0.1})
    assert "span_threshold" not in meta and meta["span_units"] == {"A": "words", "B": "clause", "C": "sentence"}
    back = FastModel.load(tmp_path / "m")
    assert back.span_units == model.span_units and back.span_smoothing == 1 and back.span_needs_content_word
    np.testing.assert_allclose(back.span_threshold, [0.3, 0.4, 0.5])
    np.testing.assert_allclose(back.paragraph_threshold, [0.2, 0.6, 0.9])
    a, b = model.predict(UNICODE_TEXT), back.predict(UNICODE_TEXT)
    assert [s[:3] for s in a.spans] == [s[:3] for s in b.spans]
    assert [set(p) for *_, p in a.paragraphs] == [set(p) for *_, p in b.paragraphs]
    # the older format
    m = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    for key in ("span_thresholds", "span_units", "span_smoothing", "span_needs_content_word", "paragraph_thresholds"):
        del m[key]
    m.update(span_threshold=0.3, paragraph_threshold=0.5)
    (tmp_path / "m" / "meta.json").write_text(json.dumps(m), encoding="utf-8")
    old = FastModel.load(tmp_path / "m")
    assert old.span_threshold == 0.3 and old.paragraph_threshold == 0.5 and old.span_units is None
    assert not old.span_needs_content_word and old.span_smoothing == 0
    # an unknown unit is refused with the file named, on one line
    m.update(span_units={"A": "words", "B": "page", "C": "words"})
    (tmp_path / "m" / "meta.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(ModelError, match="span units must be one of") as err:
        FastModel.load(tmp_path / "m")
    assert str(tmp_path / "m") in str(err.value) and "\n" not in str(err.value)


def test_saved_model_roundtrip_checksum_and_analyzer(tmp_path):
    """Without the packaged model: save a small model, load it through the
    analyzer, then corrupt a copy and expect a clear ModelError."""
    import numpy as np

    from unspin.analyzers import techniques as _  # noqa: F401  (registers "techniques")
    from unspin.article import Article
    from unspin.pipeline import Pipeline
    from unspin.techniques.fast import WEIGHTS, FastModel

    model = _random_model([UNICODE_TEXT])
    model.span_threshold = 0.3
    meta = model.save(tmp_path / "m", {"version": "test", "command": "test", "wall_time_s": {},
                                       "training_data": {}})
    assert set(meta["files"]) == {"weights.npz", "vocab.json"}
    loaded = FastModel.load(tmp_path / "m")
    a, b = model.predict(UNICODE_TEXT), loaded.predict(UNICODE_TEXT)
    assert [s[:3] for s in a.spans] == [s[:3] for s in b.spans]  # float16 weights: same spans here
    np.testing.assert_allclose([s[3] for s in a.spans], [s[3] for s in b.spans], atol=2e-2)

    pipe = Pipeline(analyzers=("techniques",), techniques_model=str(tmp_path / "m"))
    an = pipe.analyze(Article(source="t", text=UNICODE_TEXT))
    assert an.techniques and all(an.text[t.start:t.end] == t.text for t in an.techniques)
    assert [(t.start, t.end, t.technique) for t in an.techniques] == sorted((t.start, t.end, t.technique) for t in an.techniques)
    assert an.meta.analyzers["techniques"].startswith("fast-")
    none = Pipeline(analyzers=("techniques",), techniques_model=str(tmp_path / "m"), min_score=1.0)
    assert none.analyze(Article(source="t", text=UNICODE_TEXT)).techniques == []
    from unspin.errors import ConfigError

    with pytest.raises(ConfigError):
        Pipeline(analyzers=("techniques",), techniques_model=str(tmp_path / "m"), min_score=2)

    weights = tmp_path / "m" / WEIGHTS
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum mismatch"):
        FastModel.load(tmp_path / "m")


def test_card_states_shared_paragraph_threshold_once_and_warns_when_spans_are_recall_heavy():
    import json

    from unspin.models.card import render_card
    from unspin.training.cards import techniques_card

    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    labels = meta["labels"]
    meta["paragraph_thresholds"] = dict.fromkeys(labels, 0.15)
    meta.pop("recall_decoding", None)  # a model with one (recall) reading only
    meta["hyperparameters"] = {k: v for k, v in meta["hyperparameters"].items() if k != "final_members"}  # fold heads
    prf = {"precision": 0.3, "recall": 0.3, "f1": 0.3}
    meta["metrics"] = {"cross_validation": {
        "protocol": "5-fold", "articles": 10, "paragraphs": 100, "paragraph_micro": dict(prf), "span_si": dict(prf),
        "span_technique_aware": dict(prf), "per_technique": {}}}
    meta["metrics"]["cross_validation"]["span_si"].update(precision=0.18, recall=0.72)
    card = render_card(techniques_card(meta))
    assert "paragraphs 0.15 (every technique)" in card
    assert "recall-heavy" in card and "precision 0.18, recall 0.72" in card
    meta["paragraph_thresholds"][labels[0]] = 0.3
    meta["metrics"]["cross_validation"]["span_si"].update(precision=0.36, recall=0.55)
    card = render_card(techniques_card(meta))
    assert f"paragraphs per technique: {labels[0]} 0.3" in card and "recall-heavy" not in card
    assert "standard refit" not in card
    meta["hyperparameters"] = {**meta["hyperparameters"], "final_members": 3}
    meta["training_data"] = {**meta["training_data"], "articles": 362}
    meta["seed"] = 13
    card = render_card(techniques_card(meta))
    assert "The shipped heads (3, seeds 13–15) were trained afterwards on all 362 training articles" in card


def test_training_meta_names_the_machine_with_cores_and_numeric_stack():
    import os
    import platform

    import numpy  # noqa: F401  (imported by any training)

    from unspin.models.artifact import training_meta

    machine = training_meta("m", {}, "cmd", 13)["machine"]
    assert f"{os.cpu_count()} cores" in machine and f"Python {platform.python_version()}" in machine
    assert "numpy " in machine
