"""Fitting the framing models' linear heads: logistic and softmax regressions,
ridge regression, Platt and softmax calibration, threshold choice, meta JSON."""

from __future__ import annotations


import numpy as np

from .linear import Block, fit_blocks, fit_calibration_columns


def fit_sigmoid(X, Y: np.ndarray, l2: float = 1.0, pos_weight: float = 1.0, max_iter: int = 300
                ) -> tuple[np.ndarray, np.ndarray]:
    """Independent logistic regressions (one per column of ``Y``)."""

    (W,), b = fit_blocks([Block(X)], Y, l2=l2, pos_weight=pos_weight, max_iter=max_iter)
    return W, b


def fit_softmax(X, y: np.ndarray, n_classes: int, sample_weight: np.ndarray | None = None, l2: float = 1.0,
                max_iter: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with per-example weights (L-BFGS)."""
    from scipy.optimize import minimize

    n, V = X.shape
    L = n_classes
    Y = np.zeros((n, L))
    Y[np.arange(n), y] = 1.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    Xt = X.T.tocsr()

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        W = theta[: V * L].reshape(V, L)
        b = theta[V * L:]
        z = X @ W + b
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        loss = float((w * (lse - (z * Y).sum(axis=1))).sum()) + 0.5 * l2 * float((W * W).sum())
        p = np.exp(z - lse[:, None])
        r = (p - Y) * w[:, None]
        gW = Xt @ r + l2 * W
        return loss, np.concatenate([gW.ravel(), r.sum(axis=0)])

    theta0 = np.zeros(V * L + L)
    res = minimize(fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    return res.x[: V * L].reshape(V, L), res.x[V * L:]


def fit_platt_columns(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Platt scaling per column of out-of-fold logits (``L × 2``; a label never
    seen gets a bias of -6: practically never predicted)."""

    return fit_calibration_columns(Z[:, :, None], Y)


def fit_softmax_calibration(Z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Temperature and per-class offsets on out-of-fold logits (weighted NLL)."""
    from scipy.optimize import minimize

    n, L = Z.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    def fun(p: np.ndarray) -> tuple[float, np.ndarray]:
        a, c = p[0], p[1:]
        s = a * Z + c
        s = s - s.max(axis=1, keepdims=True)
        lse = np.log(np.exp(s).sum(axis=1))
        ll = lse - s[np.arange(n), y]
        prob = np.exp(s - lse[:, None])
        r = prob.copy()
        r[np.arange(n), y] -= 1.0
        r *= w[:, None]
        reg = 0.01 * float((c * c).sum())
        return float((w * ll).sum()) + reg, np.concatenate([[float((r * Z).sum())], r.sum(axis=0) + 0.02 * c])

    res = minimize(fun, np.concatenate([[1.0], np.zeros(L)]), jac=True, method="L-BFGS-B",
                   bounds=[(1e-3, 100.0)] + [(None, None)] * L)
    out = np.zeros((L, 2))
    out[:, 0] = res.x[0]
    out[:, 1] = res.x[1:]
    return out


def fit_ridge(X, Y: np.ndarray, lam: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression on ±1 targets, solved in the dual (``n × n``): as
    fast for a hundred labels as for one. Scores are then Platt-scaled."""
    T = np.where(Y > 0, 1.0, -1.0)
    b = T.mean(axis=0)
    K = (X @ X.T).toarray() if hasattr(X, "toarray") else X @ X.T
    A = np.linalg.solve(K + lam * np.eye(K.shape[0]), T - b)
    W = np.asarray(X.T @ A)
    return W, b
