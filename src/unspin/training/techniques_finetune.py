"""Fine-tuning the encoder for the techniques tagger, on a CPU (needs PyTorch: the ``train`` extra).

The shared pass (:mod:`unspin.neural.shared`) runs MiniLM layers 1-4 only and
the heads read them frozen. Two ways to fine-tune are screened here, both
jointly with the accurate tier's tagging head and initialised from the
package weights:

* ``--layers 5`` or ``5,6``: *new copies* of the layers the shared pass never
  runs, on top of its frozen layer-4 states. Framing would keep reading layers
  3 and 4 unchanged; the techniques head would continue the same pass.
* ``--layers`` among ``1,2,3,4``: the shared pass itself, run from the word
  pieces (embeddings frozen; the layers under the lowest chosen one frozen,
  without dropout), the head reading the new layers 3 and 4. Shipping such a
  pass means every head that reads it is retrained on it (one pass per
  article stays the rule).

The rest of this description is about the first way; the second runs the
real windows of word pieces with their ``[CLS]`` and ``[SEP]`` tokens, as
inference does.

Training is cheap because layers 1-4 are frozen: the layer-4 states of every
article are computed once by the shared pass (the same windows, stitched the
same way as at inference), then each epoch is forward and backward through
one or two transformer layers and the head only.

The top layers run over windows of the *stitched* layer-4 piece states, the
windows of the shared pass (``MAX_TOKENS - 2`` pieces overlapping by
``OVERLAP``), each framed by two learned vectors in the places of ``[CLS]``
and ``[SEP]`` (initialised to their mean layer-4 states: the shared pass does
not keep them); every piece takes its output from the window in which it sits
farthest from an edge, as the shared pass does. A word's vector is the mean
of its pieces' ``[layer 4, top]`` vectors, read by the accurate tier's head
(:class:`~unspin.techniques.accurate.TaggerHead`).

Screening (``python -m unspin.training.techniques_finetune``) measures this
against the frozen head with the decoding machinery of ``unspin train
techniques``: the 2 inner folds of the training part (the oldest 80 % of the
articles by id; the forward part is never read), out-of-fold logits stacked
with the fast tier's out-of-fold logits on the same folds, calibration,
thresholds and the default reading cross-fitted (fold *i* scored with
choices made on the other fold).

With ``--students N`` the screen also trains N heads, plain and as students,
on each fold's fine-tuned pass and scores them; ``--ship`` then builds the
shipped pass and the accurate tier on it (:func:`ship`): layers written as
float16 into ``models/shared-encoder``, which the shared pass runs when present;
``--layers-from`` reuses the layers of an earlier build of the same recipe.
``--time-folds`` screens on the older and the newer half of the training part
instead of random halves: a shift in time, as new articles bring.
``--anchor N`` adds N unannotated articles to every epoch of the fine-tune,
with the frozen probe head's soft predictions as targets (:func:`anchor_articles`).

Screened on 2026-12-07 (layer 5, layers 5 and 6, two learning rates): no
gain over the frozen head worth an encoder layer of our own. Fine-tuning the
shared layers 1-4 with two plain heads per fold on the fine-tuned pass gains
on spans on the inner folds and forward (SI F1 +0.05 / +0.06), but was built
and not shipped: forward paragraph micro-F1 fell 0.009 and the default
reading's SI precision to 0.497 (0.498 with a precision target chosen on the
inner folds). Screened in time, the fine-tuned pass's precision edge over the
frozen head is gone and its span edge halves: its layers learn the training
period's cues; fine-tuning less (layer 4 only, or one epoch) keeps neither
the gain nor, for one epoch, the precision across periods; neither does
self-training the layers on unannotated news of other periods (``--anchor``:
precision kept, span gain lost). Figures and protocol in ``docs/history.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shlex
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np

from ..errors import ModelError, UnspinError
from ..evaluation.techniques import TechniqueScores
from ..neural.encoder import best_window, read_safetensors, windows
from ..neural.shared import MAX_TOKENS, OVERLAP, EncodedText
from ..techniques.accurate import stack_inputs
from .techniques_accurate import DEFAULTS, Item, _torch, _torch_head, calibrated, fit_calibration
from .techniques_decoding import choose_thresholds, score_decoding

logger = logging.getLogger(__name__)

#: hyperparameters of the fine-tune (the head's are :data:`~.techniques_accurate.DEFAULTS`)
FINETUNE_DEFAULTS: dict[str, Any] = {"epochs": 4, "lr_layers": 1e-4, "lr_head": 2e-3, "weight_decay": 1e-2,
                                     "pos_weight": 3.0, "dropout_layers": 0.1, "warmup": 0.1}
H = 384


@dataclass
class Article:
    """One training article as the fine-tune reads it (all index arrays precomputed)."""

    item: Item
    x4: np.ndarray  # pieces × 384, the shared pass's layer-4 states (float32)
    x3: np.ndarray  # the same of layer 3 (the frozen head's other input)
    win_idx: np.ndarray  # windows × (width): piece index at each inner position, -1 where padded
    take_win: np.ndarray  # per piece: its window
    take_pos: np.ndarray  # per piece: its position in that window (1-based: 0 is the CLS slot)
    word_a: np.ndarray  # per word: first piece (cumulative-sum pooling as pool_ranges)
    word_b: np.ndarray
    ids: np.ndarray  # per piece: its word-piece id (what fine-tuning the shared layers reads)


def word_piece_ranges(enc: EncodedText, starts: Sequence[int], ends: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """``[a, b)`` piece ranges of each character range, as :func:`~unspin.neural.shared.pool_ranges` pools them."""
    n = len(enc.pieces.start)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    a = np.searchsorted(enc.pieces.end, starts, side="right")
    b = np.searchsorted(enc.pieces.start, ends, side="left")
    b = np.minimum(np.maximum(b, a + 1), n)
    a = np.minimum(a, b - 1)
    return a, b


def window_layout(n: int, max_tokens: int = MAX_TOKENS, overlap: int = OVERLAP
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shared pass's windows over ``n`` pieces: a (windows × width) piece
    index (-1 padding), and per piece the window and position it is read from."""
    wins = windows(n, max_tokens - 2, overlap)
    width = max(b - a for a, b in wins)
    idx = np.full((len(wins), width), -1, dtype=np.int64)
    for k, (a, b) in enumerate(wins):
        idx[k, :b - a] = np.arange(a, b)
    best = best_window(n, wins)
    starts = np.array([a for a, _ in wins], dtype=np.int64)
    return idx, best, np.arange(n) - starts[best] + 1


def articles_of(items: Sequence[Item], encoded: dict[str, EncodedText]) -> list[Article]:
    out = []
    for it in items:
        e = encoded[it.doc.id]
        x4 = e.select((4,)).astype(np.float32)
        idx, win, pos = window_layout(len(x4))
        a, b = word_piece_ranges(e, it.tk.start, it.tk.end)
        out.append(Article(it, x4, e.select((3,)).astype(np.float32), idx, win, pos, a, b,
                           np.asarray(e.pieces.ids, dtype=np.int64)))
    return out


SHARED_LAYERS = (1, 2, 3, 4)
TOP_LAYERS = (5, 6)


def _torch_top(torch, weights: dict[str, np.ndarray], layers: Sequence[int], sinks: np.ndarray,
               n_labels: int, cfg: dict[str, Any], head_cfg: dict[str, Any], special: tuple[int, int, int] = (0, 0, 0)):
    """The fine-tuned layers (copies of ``layers``, 1-based) and the head, as one torch module.

    ``layers`` among 5 and 6: new layers over the frozen layer-4 states. Among
    1-4: the shared pass itself is run from the word pieces (embeddings
    frozen), its layers in ``layers`` trained and the others kept frozen,
    and the head reads the new layers 3 and 4."""
    nn = torch.nn
    F = torch.nn.functional
    heads, dh = 12, H // 12

    def lin(prefix: str) -> Any:
        m = nn.Linear(weights[prefix + ".weight"].shape[1], weights[prefix + ".weight"].shape[0])
        m.weight.data = torch.from_numpy(weights[prefix + ".weight"].astype(np.float32).copy())
        m.bias.data = torch.from_numpy(weights[prefix + ".bias"].astype(np.float32).copy())
        return m

    def ln(prefix: str) -> Any:
        m = nn.LayerNorm(H, eps=1e-12)
        m.weight.data = torch.from_numpy(weights[prefix + ".weight"].astype(np.float32).copy())
        m.bias.data = torch.from_numpy(weights[prefix + ".bias"].astype(np.float32).copy())
        return m

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            p = f"encoder.layer.{i - 1}"
            self.q, self.k, self.v = (lin(f"{p}.attention.self.{n}") for n in ("query", "key", "value"))
            self.ao, self.aln = lin(f"{p}.attention.output.dense"), ln(f"{p}.attention.output.LayerNorm")
            self.ff1, self.ff2 = lin(f"{p}.intermediate.dense"), lin(f"{p}.output.dense")
            self.fln = ln(f"{p}.output.LayerNorm")
            self.drop = nn.Dropout(cfg["dropout_layers"])

        def forward(self, x, add_mask):
            B, S, _ = x.shape

            def split(t):
                return t.view(B, S, heads, dh).transpose(1, 2)

            s = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(dh) + add_mask
            c = (self.drop(s.softmax(-1)) @ split(self.v(x))).transpose(1, 2).reshape(B, S, H)
            x = self.aln(x + self.drop(self.ao(c)))
            return self.fln(x + self.drop(self.ff2(F.gelu(self.ff1(x)))))

    def frame(win_idx):
        """Of windows of pieces framed by [CLS] and [SEP]: the filled inner slots,
        the pieces per window and the additive attention mask over the padding."""
        W, width = win_idx.shape
        valid = win_idx >= 0
        lengths = valid.sum(1)
        mask = torch.arange(width + 2)[None, :] <= (lengths + 1)[:, None]
        add = torch.zeros(W, 1, 1, width + 2).masked_fill(~mask[:, None, None, :], float(np.finfo(np.float32).min))
        return valid, lengths, add

    shared = bool(layers) and set(layers) <= set(SHARED_LAYERS)
    cls_id, sep_id, pad_id = special

    class Embeddings(nn.Module):
        """BERT's embeddings (word + position + token type 0, LayerNorm), frozen."""

        def __init__(self) -> None:
            super().__init__()
            for name, key in (("word", "word_embeddings"), ("pos", "position_embeddings"),
                              ("tt", "token_type_embeddings")):
                self.register_buffer(name, torch.from_numpy(
                    weights[f"embeddings.{key}.weight"].astype(np.float32).copy()))
            self.ln = ln("embeddings.LayerNorm")
            self.ln.requires_grad_(False)

        def forward(self, ids):
            return self.ln(self.word[ids] + self.pos[:ids.shape[1]][None] + self.tt[0])

    class Shared(nn.Module):
        """Layers 1-4 from the word pieces, over the shared pass's windows."""

        def __init__(self) -> None:
            super().__init__()
            self.emb = Embeddings()
            self.layers = nn.ModuleList([Layer(i) for i in SHARED_LAYERS])
            for i, layer in zip(SHARED_LAYERS, self.layers, strict=True):
                layer.requires_grad_(i in layers)
                if i < min(layers):  # a frozen layer is the shared pass as it is: no dropout
                    layer.drop.p = 0.0
            self.frozen_below = min(layers) - 1  # layers under the lowest trained one run without gradients

        def forward(self, ids, win_idx, take_win, take_pos):
            W, width = win_idx.shape
            valid, lengths, add = frame(win_idx)
            x = torch.full((W, width + 2), pad_id, dtype=torch.long)
            x[:, 1:width + 1][valid] = ids[win_idx[valid]]
            x[:, 0] = cls_id
            x[torch.arange(W), lengths + 1] = sep_id
            outs = []
            with torch.no_grad():
                h = self.emb(x)
                for layer in self.layers[:self.frozen_below]:
                    h = layer(h, add)
                    outs.append(h)
            for layer in self.layers[self.frozen_below:]:
                h = layer(h, add)
                outs.append(h)
            return outs[2][take_win, take_pos], outs[3][take_win, take_pos]

    class Top(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.shared = Shared() if shared else None
            self.layers = nn.ModuleList([] if shared else [Layer(i) for i in layers])
            self.sinks = nn.Parameter(torch.from_numpy(sinks.astype(np.float32).copy()))  # [CLS], [SEP] slots
            self.head = _torch_head(torch, 2 * H, n_labels, head_cfg)

        def pieces(self, x4, win_idx, take_win, take_pos):
            """Top-layer states of every piece (pieces × 384)."""
            W, width = win_idx.shape
            valid, lengths, add = frame(win_idx)
            x = torch.zeros(W, width + 2, H)
            x[:, 1:width + 1][valid] = x4[win_idx[valid]]
            x[:, 0] = self.sinks[0]
            x[torch.arange(W), lengths + 1] = self.sinks[1]
            for layer in self.layers:
                x = layer(x, add)
            return x[take_win, take_pos]

        def forward(self, x4, x3, win_idx, take_win, take_pos, word_a, word_b, par, n_par: int, ids=None):
            if self.shared is not None:  # the shared layers fine-tuned: [layer 3, layer 4], the shipped head's input
                x3, x4 = self.shared(ids, win_idx, take_win, take_pos)
                v = torch.cat([x3, x4], 1)
            else:  # no fine-tuned layers: the frozen head's input, layers 4 and 3
                top = self.pieces(x4, win_idx, take_win, take_pos) if len(self.layers) else x3
                v = torch.cat([x4, top], 1)
            return self.head(pool_words(torch, v, word_a, word_b), par, n_par)

    return Top()


def pool_words(torch, v: Any, word_a: Any, word_b: Any) -> Any:
    """Each word's mean piece vector (rows ``[word_a, word_b)`` of ``v``), as the shared pass pools them."""
    cs = torch.cat([torch.zeros(1, v.shape[1], dtype=v.dtype), torch.cumsum(v, 0)])
    return (cs[word_b] - cs[word_a]) / (word_b - word_a)[:, None].to(v.dtype)


def anchor_articles(teacher: Any, arts: Sequence[Article], cfg: dict[str, Any]) -> list[Article]:
    """``arts`` (unannotated, on the frozen pass) with ``teacher``'s soft targets
    (:func:`~.techniques_accurate.pseudo_labelled`): what :func:`fit_top` learns from
    beside the annotated articles when ``cfg["anchor"]`` is set. The teacher is the
    head trained on the frozen pass, so on news of other periods the fine-tuned
    layers are held to what the frozen pass lets a head predict there."""
    from dataclasses import replace

    from .techniques_accurate import pseudo_labelled

    pseudo = pseudo_labelled(teacher, [a.item for a in arts], probe_cfg(cfg))
    return [replace(a, item=p) for a, p in zip(arts, pseudo, strict=True)]


def _tensors(torch, a: Article) -> tuple:
    return (torch.from_numpy(a.x4), torch.from_numpy(a.x3), torch.from_numpy(a.win_idx), torch.from_numpy(a.take_win),
            torch.from_numpy(a.take_pos), torch.from_numpy(a.word_a), torch.from_numpy(a.word_b),
            torch.from_numpy(a.item.par), len(a.item.py), torch.from_numpy(a.ids))


def fit_top(train: Sequence[Article], layers: Sequence[int], sinks: np.ndarray, n_labels: int,
            cfg: dict[str, Any], seed: int = 13, held: Sequence[Article] = (), weights_path: Path | None = None,
            threads: int = 1, init_head: Any = None, soft: Sequence[Article] = ()) -> tuple[Any, list[dict[str, Any]]]:
    """Fine-tune copies of ``layers`` with a head on ``train`` (one article per
    step, AdamW, linear warm-up then cosine decay, BCE on words and
    paragraphs). After every epoch the logits of ``held`` are kept
    (``log[e]["held"]``) with the held-out loss. ``init_head`` (a
    :class:`~unspin.techniques.accurate.TaggerHead` trained on the frozen pass,
    shared layers only): the head starts from it and the log starts with its
    epoch 0, before any fine-tuning (probe, then fine-tune). ``soft``:
    unannotated articles whose ``item.y``/``item.py`` are soft targets
    (:func:`anchor_articles`), shuffled into every epoch beside ``train``
    with the same loss: self-training of the layers. Returns the module and the log."""
    torch = _torch()
    from ..neural.encoder import package_model_dir

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    weights = read_safetensors(weights_path or package_model_dir() / "model.safetensors")
    weights = {k.removeprefix("bert."): v for k, v in weights.items()}
    head_cfg = {**DEFAULTS, **{k: v for k, v in cfg.items() if k in DEFAULTS}}
    from ..neural.shared import shared_encoder

    model = _torch_top(torch, weights, layers, sinks, n_labels, cfg, head_cfg, shared_encoder(base=True).special)
    if init_head is not None:
        if model.shared is None:
            raise ModelError("a head trained on the frozen pass can start only a fine-tune of the shared layers")
        model.head.load_numpy_params(init_head.params)
    groups = [{"params": [p for n, p in model.named_parameters() if not n.startswith("head.")], "lr": cfg["lr_layers"]},
              {"params": list(model.head.parameters()), "lr": cfg["lr_head"]}]
    opt = torch.optim.AdamW(groups, weight_decay=cfg["weight_decay"])
    steps = int(cfg["epochs"]) * (len(train) + len(soft))
    warm = max(1, int(cfg["warmup"] * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm))))
    pw = torch.tensor(float(cfg["pos_weight"]))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    tr = [(_tensors(torch, a), torch.from_numpy(a.item.y), torch.from_numpy(a.item.py)) for a in [*train, *soft]]
    ho = [(_tensors(torch, a), torch.from_numpy(a.item.y), torch.from_numpy(a.item.py)) for a in held]
    log: list[dict[str, Any]] = []
    t0 = time.perf_counter()

    def held_out(entry: dict[str, Any]) -> None:
        model.eval()
        out, hl = {}, 0.0
        with torch.no_grad():
            for a, (args, y, py) in zip(held, ho, strict=True):
                if len(y) == 0:
                    out[a.item.doc.id] = (np.zeros((0, n_labels)), np.zeros((len(py), n_labels)))
                    continue
                zt, zp = model(*args)
                hl += float(bce(zt, y, pos_weight=pw) + bce(zp, py, pos_weight=pw))
                out[a.item.doc.id] = (zt.numpy().astype(np.float64), zp.numpy().astype(np.float64))
        entry["held_loss"] = round(hl / len(ho), 4)
        entry["held"] = out

    if init_head is not None and ho:
        start: dict[str, Any] = {"epoch": 0, "train_loss": None}
        held_out(start)
        start["seconds"] = round(time.perf_counter() - t0, 1)
        logger.info(f"layers {list(layers)} epoch 0 (the probe): held-out loss {start['held_loss']}")
        log.append(start)
    for epoch in range(int(cfg["epochs"])):
        model.train()
        total = [0.0, 0.0]  # annotated, soft
        for i in rng.permutation(len(tr)):
            args, y, py = tr[i]
            if len(y) == 0:
                continue
            zt, zp = model(*args)
            loss = bce(zt, y, pos_weight=pw) + bce(zp, py, pos_weight=pw)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total[int(i >= len(train))] += loss.item()
        model.eval()
        entry: dict[str, Any] = {"epoch": epoch + 1, "train_loss": round(total[0] / max(1, len(train)), 4)}
        if soft:
            entry["soft_loss"] = round(total[1] / len(soft), 4)
        if ho:
            held_out(entry)
        entry["seconds"] = round(time.perf_counter() - t0, 1)
        logger.info(f"layers {list(layers)} epoch {entry['epoch']}: train loss {entry['train_loss']}, "
                    f"held-out loss {entry.get('held_loss')} ({entry['seconds']} s)")
        log.append(entry)
    return model, log


def finetuned_items(model: Any, arts: Sequence[Article]) -> list[Item]:
    """``arts`` with their word vectors read from the fine-tuned shared layers of ``model``
    (the mean of each word's pieces' [layer 3, layer 4] states, as the shipped head reads the
    frozen pass): what heads trained on the fine-tuned pass, students included, learn from."""
    torch = _torch()
    from dataclasses import replace

    out = []
    model.eval()
    with torch.no_grad():
        for a in arts:
            if len(a.item.x) == 0:
                out.append(a.item)
                continue
            t = _tensors(torch, a)
            x3, x4 = model.shared(t[9], t[2], t[3], t[4])
            out.append(replace(a.item, x=pool_words(torch, torch.cat([x3, x4], 1), t[5], t[6]).numpy()))
    return out


def score_oof(items: Sequence[Item], labels: list[str], oof: dict[str, tuple[np.ndarray, np.ndarray]],
              fast_logits: dict[str, tuple[np.ndarray, np.ndarray]], fold_ids: list[list[str]]) -> dict[str, Any]:
    """The cross-fitted figures of ``unspin train techniques`` for out-of-fold
    head logits ``oof``: stacked with the fast tier's, calibration and
    thresholds fitted on the other fold (the recall reading), then the default
    reading chosen on the other fold."""
    from .techniques import _readings

    by_id = {it.doc.id: it for it in items}
    inputs = {i: stack_inputs(oof[i], fast_logits.get(i), by_id[i].par, len(by_id[i].tk.lines)) for i in oof}
    recall = TechniqueScores(protocol="cross-fitted, recall reading")
    for fold in fold_ids:
        rest = [it for it in items if it.doc.id not in set(fold)]
        pt_, pp_ = fit_calibration(rest, inputs)
        dec, _ = choose_thresholds(rest, calibrated(inputs, [it.doc.id for it in rest], pt_, pp_), labels)
        score_decoding([by_id[i] for i in fold], calibrated(inputs, fold, pt_, pp_), labels, dec, recall)
    platt_tok, platt_par = fit_calibration(items, inputs)
    probs = calibrated(inputs, list(inputs), platt_tok, platt_par)
    dec, _ = choose_thresholds(items, probs, labels)
    model = SimpleNamespace(labels=labels)
    figures = _readings(model, probs, [it.doc for it in items], dec, fold_ids, True)
    return {"recall_reading": _summary(recall.to_dict()),
            "default_reading": _summary(figures["cross_validation_default_reading"])}


def _summary(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("paragraph_micro", "span_si", "span_technique_aware", "highlighted_share") if k in d}


def layer4_sinks(docs: Sequence[Any], n: int = 60) -> np.ndarray:
    """The mean layer-4 states of ``[CLS]`` and ``[SEP]`` (2 × 384) over the first
    window of the first ``n`` articles: the start of the learned sink vectors."""
    from ..neural.shared import shared_encoder

    enc = shared_encoder(base=True)
    k = enc.layers.index(4)
    cls, sep, _ = enc.special
    total, count = np.zeros((2, H)), 0
    for d in docs[:n]:
        ids = enc.tokenizer.encode(d.text, add_special_tokens=False).ids[:enc.max_tokens - 2]
        x = np.array([[cls, *ids, sep]], dtype=np.int64)
        h = enc.run(x, np.ones_like(x))[0, :, k * H:(k + 1) * H]
        total += h[[0, -1]]
        count += 1
    return (total / max(count, 1)).astype(np.float32)


def time_folds(ids: Sequence[str]) -> list[list[str]]:
    """Two folds in time: the older half and the newer half of ``ids`` (SemEval-2023 article
    ids grow with the publication date), so that each fold is predicted by models of the other
    period, as new articles are."""
    order = sorted(ids, key=int)
    return [order[:len(order) // 2], order[len(order) // 2:]]


def screening_inputs(docs: Sequence[Any], seed: int = 13, max_iter: int = 80, in_time: bool = False
                     ) -> dict[str, Any]:
    """What every screening run on ``docs`` reads: the shared pass over them,
    the sink vectors, 2 inner folds and the fast tier's out-of-fold logits on
    them (as ``unspin train techniques --model both --inner-folds 2`` computes them).
    ``in_time``: the folds are :func:`time_folds` instead (the fast tier's logits
    cross-fitted on them with its default settings)."""
    from . import techniques_fast
    from .techniques_accurate import encode_docs

    labels = sorted({s.technique for d in docs for s in d.spans})
    logger.info(f"encoding {len(docs)} articles with the shared pass")
    encoded = encode_docs(docs, base=True)
    if in_time:
        folds = time_folds([d.id for d in docs])
        fast = techniques_fast.cross_fitted_logits(docs, labels, folds, max_iter=max_iter)
    else:
        _, report = techniques_fast.train(docs, seed=seed, inner_folds=2, max_iter=max_iter,
                                          warm_iter=max(10, max_iter // 2), labels=labels)
        folds, fast = [list(f) for f in report["fold_ids"]], report["oof_logits"]
    return {"ids": [d.id for d in docs], "labels": labels, "folds": folds, "in_time": in_time,
            "fast": fast, "sinks": layer4_sinks(docs),
            "encoded": {i: (e.pieces.vectors, e.pieces.start, e.pieces.end, e.pieces.ids) for i, e in encoded.items()}}


def cached_pass(inputs: dict[str, Any]) -> dict[str, EncodedText]:
    """The frozen shared pass of :func:`screening_inputs`, by article id (word-piece ids zero in caches
    written before they were kept)."""
    from ..neural.encoder import TokenVectors

    return {i: EncodedText("", TokenVectors(t[0], t[1], t[2], t[3] if len(t) > 3 else np.zeros(len(t[0]), np.int64)))
            for i, t in inputs["encoded"].items()}


def probe_head(items: Sequence[Item], n_labels: int, cfg: dict[str, Any], seed: int) -> Any:
    """The head trained on the frozen pass with the shipped recipe (``cfg["probe_epochs"]`` epochs if
    given) that a joint fine-tune starts from."""
    from .techniques_accurate import DEFAULTS as HEAD, fit_head

    return fit_head(items, n_labels, {**probe_cfg(cfg), "epochs": int(cfg.get("probe_epochs") or HEAD["epochs"])}, seed)


def probe_cfg(cfg: dict[str, Any]) -> dict[str, Any]:
    """The probe head's hyperparameters: the shipped head's, with those of ``cfg`` it shares (not its epochs)."""
    from .techniques_accurate import DEFAULTS as HEAD

    return {**HEAD, **{k: v for k, v in cfg.items() if k in HEAD and k != "epochs"}}


def screen(docs: Sequence[Any], inputs: dict[str, Any], layers: Sequence[int], cfg: dict[str, Any], seed: int = 13,
           one_fold: bool = False, threads: int = 1, unlabelled: Sequence[Any] = ()) -> dict[str, Any]:
    """Fine-tune ``layers`` (none: the frozen head) on the inner folds of
    ``docs`` (:func:`screening_inputs`) and score the out-of-fold logits of the epoch with the lowest
    held-out loss and of the last epoch (:func:`score_oof`); with ``cfg["probe_first"]`` (shared
    layers only) the head is first trained on the frozen pass with the shipped recipe and its own
    logits are scored too (epoch 0). With ``one_fold``:
    trained on the second fold only, the first scored, its calibration,
    thresholds and reading cross-fitted on two halves of it.

    With ``cfg["students"]`` = n (shared layers only): after the fine-tune, n heads are trained
    with the shipped recipe on the fine-tuned pass (frozen now), and n students of the fine-tuned
    model's own head on that pass over the fold's articles and the ``unlabelled`` ones (soft
    targets, :func:`~.techniques_accurate.pseudo_labelled`); each set's averaged logits are scored
    ("heads on the fine-tuned pass", "students on the fine-tuned pass").

    With ``cfg["anchor"]`` = m (with ``probe_first``): the first m ``unlabelled`` articles join
    the fine-tune with the probe head's soft targets (:func:`anchor_articles`)."""
    from ..neural.shared import EncoderSpec
    from .folds import kfold_by_article
    from .techniques_accurate import prepare

    labels, fold_ids = inputs["labels"], [list(f) for f in inputs["folds"]]
    encoded = cached_pass(inputs)
    items = prepare(docs, labels, encoded, EncoderSpec())
    arts = articles_of(items, encoded)
    by_id = {a.item.doc.id: a for a in arts}
    trained = fold_ids[:1] if one_fold else fold_ids
    logs = []
    n_students = int(cfg.get("students") or 0)
    n_anchor = int(cfg.get("anchor") or 0)
    if n_anchor and not cfg.get("probe_first"):
        raise ModelError("anchor: the soft targets come from the probe head; give probe_first")
    u_arts: list[Article] = []
    if n_students or n_anchor:
        from .techniques_accurate import encode_docs

        if not (layers and set(layers) <= set(SHARED_LAYERS)):
            raise ModelError("students or anchor articles: only with shared layers among 1-4")
        u_enc = encode_docs(unlabelled, base=True)
        u_arts = articles_of(prepare(unlabelled, labels, u_enc, EncoderSpec()), u_enc)
    extra: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {"heads on the fine-tuned pass": {},
                                                                   "students on the fine-tuned pass": {}}
    for f, fold in enumerate(trained):
        held = set(fold)
        train = [a for a in arts if a.item.doc.id not in held]
        # the shipped head's own recipe on the frozen pass, then the joint fine-tune
        probe = probe_head([a.item for a in train], len(labels), cfg, seed) if cfg.get("probe_first") else None
        soft = anchor_articles(probe, u_arts[:n_anchor], cfg) if n_anchor else []
        model, log = fit_top(train, layers, inputs["sinks"], len(labels), cfg, seed, held=[by_id[i] for i in fold],
                             threads=threads, init_head=probe, soft=soft)
        logs.append(log)
        if n_students:
            from ..techniques.accurate import HeadEnsemble, TaggerHead
            from .techniques_accurate import DEFAULTS as HEAD, _logits, fit_head, pseudo_labelled

            head_cfg = {**HEAD, "members": 1}
            tr_items = finetuned_items(model, train)
            ho_items = finetuned_items(model, [by_id[i] for i in fold])
            teacher = TaggerHead(model.head.numpy_params())
            pseudo = pseudo_labelled(teacher, finetuned_items(model, u_arts), head_cfg)
            heads = HeadEnsemble([fit_head(tr_items, len(labels), head_cfg, seed + k) for k in range(n_students)])
            students = HeadEnsemble([fit_head([*tr_items, *pseudo], len(labels), head_cfg, seed + k)
                                     for k in range(n_students)])
            for name, ens in (("heads on the fine-tuned pass", heads), ("students on the fine-tuned pass", students)):
                extra[name].update({it.doc.id: _logits(ens, it) for it in ho_items})
        logger.info(f"fold {f + 1}/{len(trained)} done")
    if one_fold:
        scored = [it for it in items if it.doc.id in set(fold_ids[0])]
        score_folds = kfold_by_article(fold_ids[0], k=2, seed=seed)
    else:
        scored, score_folds = items, fold_ids
    epochs = [entry["epoch"] for entry in logs[0]]
    losses = [float(np.mean([log[k]["held_loss"] for log in logs])) for k in range(len(epochs))]
    best = int(np.argmin(losses))
    result: dict[str, Any] = {"layers": list(layers), "hyperparameters": cfg, "seed": seed, "one_fold": one_fold,
                              "folds": "in time (older half, newer half)" if inputs.get("in_time") else "random",
                              "epochs": epochs, "held_loss_by_epoch": [round(x, 4) for x in losses],
                              "train_loss_by_epoch": [[log[k]["train_loss"] for log in logs] for k in range(len(epochs))],
                              "seconds_by_fold": [log[-1]["seconds"] for log in logs], "scores": {}}
    for k in sorted({0 if epochs[0] == 0 else best, best, len(epochs) - 1}):
        oof = {i: v for log in logs for i, v in log[k]["held"].items()}
        result["scores"][f"epoch {epochs[k]}"] = score_oof(scored, labels, oof, inputs["fast"], score_folds)
        logger.info(f"epoch {epochs[k]}: {json.dumps(result['scores'][f'epoch {epochs[k]}'])}")
    result["oof"] = {name: oof for name, oof in extra.items() if oof}  # by article id: (word, paragraph) logits
    for name, oof in extra.items():
        if oof:  # over the last epoch's pass
            result["scores"][f"{name}, epoch {epochs[-1]}"] = score_oof(scored, labels, oof, inputs["fast"], score_folds)
            logger.info(f"{name}: {json.dumps(result['scores'][f'{name}, epoch {epochs[-1]}'])}")
    return result


#: tensor names of one BERT layer in the package's weights, by the attribute of :func:`_torch_top`'s layer
_LAYER_TENSORS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                  "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "ff1": "intermediate.dense",
                  "ff2": "output.dense", "fln": "output.LayerNorm"}


def layer_tensors(model: Any, layers: Sequence[int]) -> dict[str, np.ndarray]:
    """The fine-tuned shared layers of ``model`` under the package's tensor names, as float16."""
    out = {}
    for i, layer in zip(SHARED_LAYERS, model.shared.layers, strict=True):
        if i not in layers:
            continue
        for attr, name in _LAYER_TENSORS.items():
            m = getattr(layer, attr)
            for part in ("weight", "bias"):
                out[f"encoder.layer.{i - 1}.{name}.{part}"] = getattr(m, part).detach().cpu().numpy().astype(np.float16)
    return out


def write_encoder_layers(out: Path, model: Any, layers: Sequence[int], meta: dict[str, Any]) -> dict[str, Any]:
    """Write the fine-tuned layers (``layers.safetensors``, float16), ``meta.json`` and the card into ``out``."""
    from ..models.artifact import write_meta
    from ..neural.encoder import write_safetensors
    from ..neural.shared import FINETUNED_FILE, FINETUNED_FORMAT
    from .cards import write_model_card

    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / FINETUNED_FILE, layer_tensors(model, layers))
    written = write_meta(out, {"format": FINETUNED_FORMAT, **meta}, [FINETUNED_FILE])
    write_model_card(out)
    return written


def recipe(cfg: dict[str, Any]) -> dict[str, Any]:
    """The fine-tune's hyperparameters as the layers' meta.json records them (unset ones left out)."""
    return {k: v for k, v in cfg.items() if v is not None}


def copy_layers(src: Path, out: Path, layers: Sequence[int], part: dict[str, Any], cfg: dict[str, Any],
                seed: int) -> None:
    """Copy the fine-tuned layers an earlier build wrote in ``src`` to ``out`` (where the pass
    reads them), after checking their checksum, their layers, base weights, training data and
    recipe (hyperparameters and seed: the shipped card records this build's command)."""
    from ..models import read as read_model
    from ..neural.shared import FINETUNED_FILE, FINETUNED_FORMAT, EncoderSpec

    meta = read_model(src, FINETUNED_FORMAT, what="fine-tuned encoder layers")
    raw = meta.raw
    trained_on = raw.get("training_data") or {}
    wrong = [what for what, ok in (
        (f"layers {raw.get('layers')}, not {list(layers)}", raw.get("layers") == list(layers)),
        ("other base weights", (raw.get("base") or {}).get("weights_sha256") == EncoderSpec().weights_sha256),
        (f"trained on {trained_on.get('part')} ({trained_on.get('articles')} articles), not the training part "
         f"({part['articles']})", trained_on.get("part") == part["part"]
         and trained_on.get("articles") == part["articles"]),
        ("another recipe (hyperparameters or seed)",
         raw.get("hyperparameters") == recipe(cfg) and raw.get("seed") == seed),
    ) if not ok]
    if wrong:
        raise ModelError(f"{src}: {'; '.join(wrong)}")
    if src.resolve() != out.resolve():
        out.mkdir(parents=True, exist_ok=True)
        for name in (FINETUNED_FILE, "meta.json", "CARD.md"):
            if (src / name).is_file():
                shutil.copyfile(src / name, out / name)
    logger.info(f"layers of {src} copied to {out} (fine-tune skipped)")


def ship(data_dir: Path, docs: Sequence[Any], inputs: dict[str, Any], layers: Sequence[int], cfg: dict[str, Any],
         seed: int, threads: int, unlabelled: Sequence[Any], unlabelled_sources: str | None, oof: dict[str, Any],
         screen_result: dict[str, Any], command: str, fast: Any, techniques_dir: Path | None = None,
         heads: str = "plain", layers_from: Path | None = None) -> tuple[Path, Path]:
    """Build the shipped pass and the accurate techniques tier on it, from ``docs`` (the training
    part of ``data_dir``, :func:`screening_inputs` of them in ``inputs``), stacked on the fast tier ``fast``:

    1. ``oof`` holds the out-of-fold logits of the heads (``heads="plain"``) or of the
       students (``"students"``) on each inner fold's own fine-tuned pass (:func:`screen`
       with ``cfg["students"]``): they alone choose the calibration, thresholds and
       readings, and give the cross-fitted figures;
    2. the shared layers and the head are fine-tuned on every training article (the
       head first trained on the frozen pass, as in the screen) and the layers written
       as float16 where the pass reads them (:func:`~unspin.neural.shared.finetuned_dir`);
    3. every article goes through the new pass on onnxruntime (the float16 layers, as
       users run them) and ``cfg["students"]`` heads are trained on it with the shipped
       recipe: plain heads on the annotated articles, or students of the fine-tuned
       model's head that also learn from the unannotated ones: the shipped heads
       (``techniques_dir``, default the packaged accurate tier).
    ``layers_from``: a folder of layers an earlier build of the same recipe wrote (plain
    heads only): step 2 copies them instead of fine-tuning again.
    Returns both folders. Models that read the pass (frames) must be retrained after."""
    from ..models import artifact
    from ..neural.shared import FINETUNED, EncoderSpec, finetuned_dir, finetuned_layers, shared_encoder
    from ..techniques import accurate as accurate_inference
    from ..techniques.accurate import TaggerHead
    from . import techniques_accurate
    from .techniques import finish_accurate
    from .techniques_accurate import encode_docs, prepare

    if heads not in ("plain", "students"):
        raise ModelError(f"heads: plain or students, not {heads!r}")
    name = "heads on the fine-tuned pass" if heads == "plain" else "students on the fine-tuned pass"
    anchor_docs = list(unlabelled[:int(cfg.get("anchor") or 0)])
    unlabelled = unlabelled if heads == "students" else []
    if oof.get("folds") != inputs["folds"] or oof.get("labels") != inputs["labels"] or name not in oof.get("oof", {}):
        raise ModelError(f"the out-of-fold logits were made on other folds or labels, or hold no {name}; "
                         "rerun the screen with --students")
    labels = inputs["labels"]
    encoder_dir = finetuned_dir()
    part = {"corpus": "SemEval-2023 task 3, English training set", "part": "training",
            "articles": len(docs), "split": "the oldest 80 % of the articles by id; the newest 20 % never read"}
    if layers_from is not None:
        if unlabelled:
            raise ModelError("--layers-from: only with plain heads (students learn from the fine-tuned model's "
                             "head, which is not kept)")
        copy_layers(Path(layers_from), encoder_dir, layers, part, cfg, seed)
        teacher = None
    else:
        t0 = time.perf_counter()
        encoded = cached_pass(inputs)
        items = prepare(docs, labels, encoded, EncoderSpec())
        arts = articles_of(items, encoded)
        probe = probe_head(items, len(labels), cfg, seed)
        soft: list[Article] = []
        if anchor_docs:  # as in the screen: the unannotated articles with the probe's soft targets
            a_enc = encode_docs(anchor_docs, base=True)
            soft = anchor_articles(probe, articles_of(prepare(anchor_docs, labels, a_enc, EncoderSpec()), a_enc), cfg)
        model, log = fit_top(arts, layers, inputs["sinks"], len(labels), cfg, seed, threads=threads,
                             init_head=probe, soft=soft)
        t_finetune = time.perf_counter() - t0
        meta = {**artifact.training_meta(FINETUNED, part, command, seed),
                "base": {"package": EncoderSpec().package, "weights_sha256": EncoderSpec().weights_sha256},
                "layers": list(layers), "hyperparameters": recipe(cfg),
                "training_log": [{k: v for k, v in e.items() if k != "held"} for e in log],
                "screen": {k: screen_result.get(k) for k in ("scores", "held_loss_by_epoch", "seconds_by_fold")},
                "wall_time_s": {"fine_tune": round(t_finetune, 1)}}
        write_encoder_layers(encoder_dir, model, layers, meta)
        teacher = TaggerHead(model.head.numpy_params())
        logger.info(f"wrote {encoder_dir} ({t_finetune:.0f} s)")
    finetuned_layers.cache_clear()
    shared_encoder.cache_clear()
    logger.info("encoding the articles with the new pass")
    t1 = time.perf_counter()
    new_pass = encode_docs([*docs, *unlabelled])
    n = int(cfg.get("students") or 2)
    acc, report = techniques_accurate.train(
        docs, seed=seed, folds=len(inputs["folds"]), cfg={"members": n}, encoded=new_pass, final=True,
        fast=fast, fast_oof=(inputs["folds"], inputs["fast"]), final_members=n,
        unlabelled=unlabelled, unlabelled_sources=unlabelled_sources if unlabelled else None,
        oof_logits=oof["oof"][name], teacher=teacher if unlabelled else None)
    report["wall_time_s"]["encode"] = round(time.perf_counter() - t1, 1)
    report["hyperparameters"] = {**report["hyperparameters"], "encoder": {
        "fine_tuned_layers": list(layers), "out_of_fold": f"{name.split(' on ')[0]} on each inner fold's own "
                                                          "fine-tuned pass",
        **({"teacher": "the fine-tuned model's head"} if unlabelled else {})}}
    out = finish_accurate(data_dir, techniques_dir or accurate_inference.default_model_dir(), acc, report, docs,
                          command, seed, "training", new_pass)
    return encoder_dir, out


#: options that name scratch files (a cache, the screen's saved outputs): not part of the recipe
_SCRATCH_OPTIONS = ("--cache", "--save-oof", "--oof", "--screen-result", "-o", "--output", "--techniques-output",
                    "--layers-from")


def ship_command(argv: Sequence[str]) -> str:
    """The command that builds the shipped pass, as a model card records it: ``argv``
    without the options that only name scratch files (the result is the same without them)."""
    kept, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in _SCRATCH_OPTIONS:
            skip = True
            continue
        if a.split("=", 1)[0] in _SCRATCH_OPTIONS:
            continue
        kept.append(a)
    return "python -m unspin.training.techniques_finetune " + " ".join(shlex.quote(a) for a in kept)


def _main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m unspin.training.techniques_finetune",
        description="Screen fine-tuned MiniLM layers (copies of 5-6 over the shared pass, or the shared layers 1-4 "
                    "themselves) with the techniques head against the frozen head, on the inner folds of the training "
                    "part (the forward part is never read).")
    ap.add_argument("--data", type=Path, required=True, help="the SemEval-2023 task 3 English training folder")
    ap.add_argument("--layers", default="5,6",
                    help="fine-tuned layers: 5 or 5,6 (new layers over the shared pass); some of 1,2,3,4 (the shared "
                         "pass itself, from the word pieces); 0 for none (the frozen head)")
    ap.add_argument("--epochs", type=int, default=FINETUNE_DEFAULTS["epochs"])
    ap.add_argument("--lr-layers", type=float, default=FINETUNE_DEFAULTS["lr_layers"])
    ap.add_argument("--lr-head", type=float, default=FINETUNE_DEFAULTS["lr_head"])
    ap.add_argument("--probe-first", action="store_true",
                    help="shared layers only: train the head on the frozen pass first (the shipped head's recipe), "
                         "then fine-tune layers and head together from it; epoch 0 is the head alone")
    ap.add_argument("--probe-epochs", type=int, help="epochs of that first head (default: the shipped recipe's)")
    ap.add_argument("--students", type=int, default=0,
                    help="shared layers only: after the fine-tune, this many heads and as many self-trained students "
                         "(of the fine-tuned model, over --unlabelled) trained on the fine-tuned pass, and scored")
    ap.add_argument("--unlabelled", type=Path, action="append", default=[],
                    help="a folder of unannotated news texts for the students (repeatable)")
    ap.add_argument("--unlabelled-max", type=int, help="at most this many unannotated articles (seeded choice)")
    ap.add_argument("--anchor", type=int, default=0,
                    help="with --probe-first: the first N unannotated articles (of --unlabelled) join every epoch of "
                         "the fine-tune with the probe head's soft targets (self-training of the layers on news of "
                         "other periods)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1, help="PyTorch threads")
    ap.add_argument("--time-folds", action="store_true",
                    help="the 2 folds are the older and the newer half of the training part by article id (a shift "
                         "in time, as new articles bring) instead of random ones; not with --ship")
    ap.add_argument("--one-fold", action="store_true",
                    help="train on the second inner fold only and score the first (half the cost)")
    ap.add_argument("--cache", type=Path, help="a file for the shared pass and the fast tier's logits: written by the "
                                               "first run, read by the next ones (a pickle: only your own)")
    ap.add_argument("--save-oof", type=Path, help="with --students: write the out-of-fold logits of the heads and "
                                                  "students on the fine-tuned pass here (a pickle)")
    ap.add_argument("--ship", action="store_true",
                    help="with --students: after the screen (or from --oof), fine-tune on the whole training part and "
                         "write the shipped pass's layers and the accurate techniques tier on it (see ship())")
    ap.add_argument("--ship-heads", choices=("plain", "students"), default="plain",
                    help="with --ship: the shipped heads are plain heads on the fine-tuned pass, or students "
                         "(the variant whose inner-fold figures the screen prints under that name)")
    ap.add_argument("--oof", type=Path, help="with --ship: the screen's --save-oof file and -o figures "
                                             "(--screen-result) instead of running the screen again")
    ap.add_argument("--screen-result", type=Path, help="with --oof: the screen's -o file")
    ap.add_argument("--techniques-output", type=Path, help="with --ship: the accurate tier's folder (default: packaged)")
    ap.add_argument("--layers-from", type=Path, help="with --ship --ship-heads plain: the layers an earlier --ship of "
                                                     "the same recipe wrote (its shared-encoder folder): copied, not "
                                                     "fine-tuned again")
    ap.add_argument("-o", "--output", type=Path, help="write the figures here as JSON")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import pickle

    layers = [int(x) for x in args.layers.split(",") if int(x)]
    if layers and not (set(layers) <= set(TOP_LAYERS) or set(layers) <= set(SHARED_LAYERS)):
        ap.error(f"--layers: 5 and 6, or some of 1-4, not {args.layers}")
    if args.probe_first and not (layers and set(layers) <= set(SHARED_LAYERS)):
        ap.error("--probe-first: only with --layers among 1,2,3,4")
    if args.students and not args.unlabelled:
        ap.error("--students: give the unannotated articles with --unlabelled")
    if args.anchor and not (args.probe_first and args.unlabelled):
        ap.error("--anchor: give --probe-first (the soft targets are the probe head's) and --unlabelled")
    if args.students and not (layers and set(layers) <= set(SHARED_LAYERS)):
        ap.error("--students: only with --layers among 1,2,3,4")
    if args.ship and not args.students:
        ap.error("--ship: give --students N (the heads per fold the screen trains on the fine-tuned pass)")
    if args.time_folds and args.ship:
        ap.error("--time-folds: a screen only; --ship chooses on the random inner folds")
    if args.layers_from and not (args.ship and args.ship_heads == "plain"):
        ap.error("--layers-from: only with --ship --ship-heads plain")
    if args.oof and not (args.ship and args.screen_result):
        ap.error("--oof: only with --ship and --screen-result")
    from .techniques import load_part, self_training_articles

    docs = load_part(args.data, "training")
    if args.cache and args.cache.is_file():
        with open(args.cache, "rb") as fh:
            inputs = pickle.load(fh)
        if sorted(inputs["ids"]) != sorted(d.id for d in docs):
            raise ModelError(f"{args.cache}: holds other articles than the training part of {args.data}; "
                             "delete it to recompute")
        if bool(inputs.get("in_time")) != args.time_folds:
            raise ModelError(f"{args.cache}: made with {'time' if inputs.get('in_time') else 'random'} folds; "
                             "give another --cache")
    else:
        inputs = screening_inputs(docs, args.seed, in_time=args.time_folds)
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump(inputs, fh, protocol=5)
    cfg = {**FINETUNE_DEFAULTS, "epochs": args.epochs, "lr_layers": args.lr_layers, "lr_head": args.lr_head,
           "probe_first": args.probe_first, "probe_epochs": args.probe_epochs, "students": args.students,
           "anchor": args.anchor or None}
    unlabelled, sources = (self_training_articles(args.unlabelled, args.unlabelled_max, args.seed)
                           if args.students or args.anchor else ([], None))
    if layers and set(layers) <= set(SHARED_LAYERS) and len(next(iter(inputs["encoded"].values()))) < 4:
        raise ModelError(f"{args.cache}: written before the word-piece ids were kept; delete it to recompute")
    if args.oof:
        with open(args.oof, "rb") as fh:
            saved = pickle.load(fh)
        result = json.loads(args.screen_result.read_text(encoding="utf-8"))
    else:
        result = screen(docs, inputs, layers, cfg, args.seed, args.one_fold, args.threads, unlabelled)
        saved = {"folds": inputs["folds"], "labels": inputs["labels"], "oof": result.pop("oof", {})}
    oof = saved["oof"]
    if args.save_oof and oof:
        with open(args.save_oof, "wb") as fh:
            pickle.dump(saved, fh, protocol=5)
    text = json.dumps(result, indent=1)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    if args.ship:
        command = ship_command(list(argv) if argv is not None else sys.argv[1:])
        from ..techniques import fast as fast_tier

        enc_dir, tech_dir = ship(args.data, docs, inputs, layers, cfg, args.seed, args.threads, unlabelled, sources,
                                 saved, result, command, fast_tier.load_default(), args.techniques_output,
                                 args.ship_heads, args.layers_from)
        print(f"wrote {enc_dir} and {tech_dir}; retrain the heads that read the pass: unspin train frames --model "
              "accurate …, python -m unspin.training.technique_share …")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: a wrong folder, cache or ``--layers-from`` is one line on stderr and exit status 1."""
    try:
        _main(argv)
    except UnspinError as e:
        print(f"techniques_finetune: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
