"""Seeded k-fold splits for cross-validation and inner folds.

:func:`kfold` splits item indices (optionally stratified or grouped) and
:func:`kfold_by_article` splits article ids; both are deterministic for a seed
on any machine. The techniques trainers use :func:`kfold_by_article`, the
framing trainers :func:`kfold`: they deal folds differently, and each
shipped model's card command reproduces its model only with its own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np


def kfold(n: int, k: int, seed: int, strata: list | None = None, groups: list | None = None) -> list[np.ndarray]:
    """Fold index of each item (as ``k`` arrays of test indices), seeded; with
    ``groups`` all items of a group share a fold; with ``strata`` each stratum
    is spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    if groups is not None:
        uniq = sorted(set(groups))
        perm = rng.permutation(len(uniq))
        fold_of = {uniq[i]: r % k for r, i in enumerate(perm)}
        assign = np.array([fold_of[g] for g in groups])
    elif strata is not None:
        assign = np.zeros(n, dtype=int)
        start = 0
        for s in sorted(set(strata), key=str):
            idx = np.array([i for i in range(n) if strata[i] == s])
            idx = idx[rng.permutation(len(idx))]
            for r, i in enumerate(idx):
                assign[i] = (start + r) % k
            start += len(idx)
    else:
        assign = rng.permutation(n) % k
    return [np.flatnonzero(assign == f) for f in range(k)]


def kfold_by_article(ids: Sequence[str], k: int = 5, seed: int = 13) -> list[list[str]]:
    """``k`` disjoint folds of article ids: sorted, shuffled with ``seed``,
    dealt round-robin. Same ids and seed → same folds on any machine."""
    order = sorted(ids, key=lambda x: (len(x), x))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k], key=lambda x: (len(x), x)) for i in range(k)]
