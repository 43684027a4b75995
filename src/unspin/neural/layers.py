"""The few layers the heads use, in numpy (inference needs no PyTorch).

Each function matches its PyTorch training counterpart (tested against it
when PyTorch is installed): ``nn.Linear``, ``nn.GELU(approximate="tanh")``
and ``nn.Conv1d`` with "same" zero padding over the sequence axis.
"""

from __future__ import annotations

import numpy as np

_C = np.float32(np.sqrt(2.0 / np.pi))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (as ``nn.GELU(approximate="tanh")``)."""
    return 0.5 * x * (1.0 + np.tanh(_C * (x + np.float32(0.044715) * x * x * x)))


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ w.T + b`` with ``w`` stored as PyTorch stores it (out × in)."""
    return x @ w.T + b


def conv1d_same(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1-D convolution over rows of ``x`` (n × in) with an odd kernel ``w``
    (out × in × k), zero padding ``k // 2`` on both ends; returns n × out."""
    n, c_in = x.shape
    c_out, c_in_w, k = w.shape
    if c_in != c_in_w or k % 2 == 0:
        raise ValueError("conv1d_same: kernel shape does not fit the input")
    pad = k // 2
    xp = np.zeros((n + 2 * pad, c_in), dtype=x.dtype)
    xp[pad:pad + n] = x
    # (n × k·in) windows, matched to the kernel flattened as (out, k·in). The window
    # view overlaps itself (row stride in < k·in), which BLAS cannot read: copy it,
    # or numpy's matmul falls back to a loop ~50x slower.
    cols = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(xp, (k, c_in))[:, 0].reshape(n, k * c_in))
    return cols @ w.transpose(0, 2, 1).reshape(c_out, k * c_in).T + b


def segment_mean(x: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """Mean of the rows of ``x`` in each segment ``0..n_seg-1`` (rows with seg < 0 ignored)."""
    m = seg >= 0
    onehot = np.zeros((n_seg, int(m.sum())), dtype=np.float32)  # a matmul beats np.add.at by far
    onehot[seg[m], np.arange(onehot.shape[1])] = 1.0
    cnt = onehot.sum(axis=1)
    return (onehot @ x[m].astype(np.float32)) / np.maximum(cnt, 1.0)[:, None]


def segment_max(x: np.ndarray, seg: np.ndarray, n_seg: int, empty: float = -30.0) -> np.ndarray:
    """Column-wise max of the rows of ``x`` in each segment (``empty`` where none)."""
    m = seg >= 0
    out = np.full((n_seg, x.shape[1]), empty, dtype=np.float32)
    np.maximum.at(out, seg[m], x[m].astype(np.float32))
    return out


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))
