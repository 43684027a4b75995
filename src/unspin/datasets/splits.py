"""The forward-in-time split shared by every model: train on the older
articles, measure on the newer ones, as a user meets new articles.

* SemEval-2023 task 3 (English train, 453 articles): article ids sorted
  numerically; the oldest 80 % (362 articles) are the *training part*, the
  newest 20 % (91 articles, ids ≥ :data:`SEMEVAL2023_FORWARD_FIRST_ID`) the
  *forward part*.
* SemEval-2025 task 10 (English train): per domain (``UA``, ``CC``, from the
  file name), documents sorted by the number at the end of their name; the
  oldest 80 % of each domain are the training part, the newest 20 % the
  forward part (:func:`semeval2025_forward`).
* Entity roles are labelled on 105 of those documents, all of which fall in
  the training part of the split above; their forward part is therefore the
  newest 20 % *of the role-labelled documents* of each domain, by the same
  rule (:func:`semeval2025_forward` over those names). Cross-domain transfer
  (train on one domain, measure on the other) is the other held-out view.

Models, features, thresholds and decoding rules are chosen on inner folds of
the training part only; the forward part only measures a choice made.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Sequence, TypeVar

T = TypeVar("T")

#: The first (lowest) article id of the SemEval-2023 forward part.
SEMEVAL2023_FORWARD_FIRST_ID = 789370909
FORWARD_SHARE = 0.2

_NUMBER_AT_END = re.compile(r"(\d+)(?:\.txt)?$")


def semeval2023_is_forward(article_id: str | int) -> bool:
    """Whether a SemEval-2023 article belongs to the forward part."""
    return int(article_id) >= SEMEVAL2023_FORWARD_FIRST_ID


def semeval2023_parts(items: Sequence[T], article_id: Callable[[T], str | int]) -> tuple[list[T], list[T]]:
    """``(training part, forward part)`` of SemEval-2023 items (articles, spans,
    paragraphs…), ``article_id`` giving each item's article id; order kept."""
    train, forward = [], []
    for x in items:
        (forward if semeval2023_is_forward(article_id(x)) else train).append(x)
    return train, forward


def semeval2025_domain(name: str) -> str:
    """``UA`` or ``CC`` from a document name such as ``EN_UA_103861.txt``."""
    parts = name.split("_")
    if len(parts) < 3 or parts[1] not in ("UA", "CC"):
        raise ValueError(f"not a SemEval-2025 document name: {name!r}")
    return parts[1]


def semeval2025_number(name: str) -> int:
    m = _NUMBER_AT_END.search(name)
    if m is None:
        raise ValueError(f"no document number in {name!r}")
    return int(m.group(1))


def semeval2025_forward(names: Iterable[str], share: float = FORWARD_SHARE) -> set[str]:
    """The forward part of the given SemEval-2025 documents: per domain, the
    newest ``share`` by document number (the training part is the rest)."""
    names = sorted(set(names))
    out: set[str] = set()
    for domain in sorted({semeval2025_domain(n) for n in names}):
        ordered = sorted((n for n in names if semeval2025_domain(n) == domain),
                         key=lambda n: (semeval2025_number(n), n))
        keep = len(ordered) - math.ceil(len(ordered) * share - 1e-9)
        out.update(ordered[keep:])
    return out


def semeval2025_parts(items: Sequence[T], document: Callable[[T], str]) -> tuple[list[T], list[T]]:
    """``(training part, forward part)`` of SemEval-2025 items (documents or role
    mentions), ``document`` giving each item's document name: the forward part
    holds the items of the newest 20 % of *these items'* documents per domain
    (for role mentions: of the role-labelled documents); order kept."""
    forward_docs = semeval2025_forward(document(x) for x in items)
    train, forward = [], []
    for x in items:
        (forward if document(x) in forward_docs else train).append(x)
    return train, forward


def semeval2025_cross_domain(items: Sequence[T], document: Callable[[T], str], train_domain: str
                             ) -> tuple[list[T], list[T]]:
    """``(items of train_domain, items of the other domain)``: the cross-domain
    view (train on UA, measure on CC, or the reverse)."""
    if train_domain not in ("UA", "CC"):
        raise ValueError(f"domain must be UA or CC, not {train_domain!r}")
    train = [x for x in items if semeval2025_domain(document(x)) == train_domain]
    other = [x for x in items if semeval2025_domain(document(x)) != train_domain]
    return train, other
