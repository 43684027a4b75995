"""Training of the fast tier's linear models (training only: needs scipy).

A multi-label logistic model whose logits are a sum of *blocks*:
``logits = Σ_b M_b (X_b W_b) + bias`` where ``X_b`` is a sparse feature
matrix of some unit (tokens, sentences, paragraphs) and ``M_b`` maps rows of
that unit onto the rows being classified (``None`` = identity). Sentence
features are thereby shared by all tokens of a sentence without repeating
them per token. The loss is the summed binary cross-entropy plus
``l2/2 * ||W||²``, minimised with L-BFGS: deterministic, no random state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class Block:
    X: "object"  # scipy.sparse.csr_matrix (rows_b × n_features_b)
    M: "object | None" = None  # scipy.sparse.csr_matrix (n × rows_b) or None


def fit_blocks(blocks: list[Block], Y: np.ndarray, l2: float = 1.0, pos_weight: float = 1.0,
               max_iter: int = 200, init: tuple[list[np.ndarray], np.ndarray] | None = None,
               ) -> tuple[list[np.ndarray], np.ndarray]:
    """Weights per block (``n_features_b × L``) and a bias (``L``)."""
    from scipy.optimize import minimize

    n, L = Y.shape
    shapes = [(b.X.shape[1], L) for b in blocks]
    sizes = [a * c for a, c in shapes]
    Xt = [b.X.T.tocsr() for b in blocks]
    Mt = [None if b.M is None else b.M.T.tocsr() for b in blocks]
    Yf = Y.astype(np.float64)
    wts = np.where(Yf > 0, pos_weight, 1.0) if pos_weight != 1.0 else None

    def unpack(theta: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        Ws, off = [], 0
        for (a, c), s in zip(shapes, sizes, strict=True):
            Ws.append(theta[off:off + s].reshape(a, c))
            off += s
        return Ws, theta[off:]

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        Ws, bias = unpack(theta)
        z = np.tile(bias, (n, 1))
        for blk, W in zip(blocks, Ws, strict=True):
            part = blk.X @ W
            z += part if blk.M is None else blk.M @ part
        # BCE with logits: logger.info(1+e^z) - y z
        loss_el = np.logaddexp(0.0, z) - Yf * z
        r = 1.0 / (1.0 + np.exp(-z)) - Yf
        if wts is not None:
            loss_el *= wts
            r *= wts
        loss = float(loss_el.sum())
        grads = []
        for xt, mt, W in zip(Xt, Mt, Ws, strict=True):
            rr = r if mt is None else mt @ r
            grads.append((xt @ rr + l2 * W).ravel())
            loss += 0.5 * l2 * float((W * W).sum())
        grads.append(r.sum(axis=0))
        return loss, np.concatenate(grads)

    theta0 = np.zeros(sum(sizes) + L)
    # start the bias at the label log-odds: faster, and the same result
    prior = np.clip(Yf.mean(axis=0), 1e-6, 1 - 1e-6)
    theta0[sum(sizes):] = np.log(prior / (1 - prior))
    if init is not None:  # warm start (e.g. from a model fitted on most of the same data)
        theta0 = np.concatenate([w.ravel() for w in init[0]] + [np.asarray(init[1], dtype=np.float64)])
    res = minimize(fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "maxcor": 10})
    return unpack(res.x)


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling ``p = σ(a z + b)`` fitted on held-out logits, with
    Platt's smoothed targets (robust when a label has few positives)."""
    from scipy.optimize import minimize

    z = z.astype(np.float64)
    pos = float(y.sum())
    neg = float(len(y) - pos)
    t = np.where(y > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = p
        s = a * z + b
        loss = float((np.logaddexp(0.0, s) - t * s).sum())
        r = 1 / (1 + np.exp(-s)) - t
        return loss, np.array([float((r * z).sum()), float(r.sum())])

    res = minimize(fun, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


def fit_stacker(Z: np.ndarray, y: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """Platt scaling with several inputs, ``p = σ(Z·w + c)``, fitted on held-out
    logits ``Z`` (n × k) with Platt's smoothed targets and a small L2 on ``w``
    (the inputs are correlated); returns ``[w…, c]``. Starts from the first
    input alone (``w = [1, 0, …]``)."""
    from scipy.optimize import minimize

    Z = Z.astype(np.float64)
    k = Z.shape[1]
    pos = float(y.sum())
    neg = float(len(y) - pos)
    t = np.where(y > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        w, c = p[:k], p[k]
        s = Z @ w + c
        r = 1 / (1 + np.exp(-s)) - t
        loss = float((np.logaddexp(0.0, s) - t * s).sum()) + 0.5 * l2 * float(w @ w)
        return loss, np.append(Z.T @ r + l2 * w, r.sum())

    x0 = np.zeros(k + 1)
    x0[0] = 1.0
    return minimize(fun, x0, jac=True, method="L-BFGS-B").x


def fit_calibration_columns(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Calibration of every label (column) from held-out inputs ``X``
    (n × labels × k) and labels ``Y`` (n × labels): Platt scaling
    (:func:`fit_platt`) when k = 1, else :func:`fit_stacker`. A label without
    positives keeps the first input and a bias of -6 (practically never
    predicted). Returns labels × (k + 1): the input weights, then the bias."""
    k = X.shape[2]
    out = np.zeros((X.shape[1], k + 1))
    for j in range(X.shape[1]):
        if not Y[:, j].any():
            out[j, 0], out[j, -1] = 1.0, -6.0
        elif k == 1:
            out[j] = fit_platt(X[:, j, 0], Y[:, j])
        else:
            out[j] = fit_stacker(X[:, j], Y[:, j])
    return out
