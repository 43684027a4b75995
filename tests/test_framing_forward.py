"""The forward split (unspin.datasets.splits) and the forward evaluation of the framing analyzers."""

from __future__ import annotations

import pytest

from unspin.datasets.splits import (
    SEMEVAL2023_FORWARD_FIRST_ID,
    semeval2023_is_forward,
    semeval2023_parts,
    semeval2025_cross_domain,
    semeval2025_domain,
    semeval2025_forward,
    semeval2025_parts,
)

from .conftest import shared_path

# -- the split ---------------------------------------------------------------------------------------------------


def test_semeval2025_forward_is_the_newest_fifth_of_each_domain():
    names = [f"EN_UA_{i:06d}.txt" for i in range(10)] + [f"EN_CC_{i}.txt" for i in (5, 40, 300, 7, 1000)]
    fw = semeval2025_forward(names)
    # numeric order, not string order: EN_CC_1000 is the newest CC document, EN_CC_300 the one before
    assert fw == {"EN_UA_000008.txt", "EN_UA_000009.txt", "EN_CC_1000.txt"}
    assert semeval2025_domain("EN_UA_DEV_23.txt") == "UA"
    with pytest.raises(ValueError):
        semeval2025_domain("article123.txt")


def test_parts_keep_order_and_split_items_by_their_document():
    ids = ["111", str(SEMEVAL2023_FORWARD_FIRST_ID), "789370908", "999999999"]
    assert semeval2023_parts(ids, str) == (["111", "789370908"], [str(SEMEVAL2023_FORWARD_FIRST_ID), "999999999"])
    mentions = [("EN_UA_1.txt", "a"), ("EN_UA_9.txt", "b"), ("EN_UA_9.txt", "c")] + \
        [(f"EN_UA_{i}.txt", "x") for i in range(2, 5)] + [("EN_CC_3.txt", "d")]
    train, forward = semeval2025_parts(mentions, lambda m: m[0])
    assert forward == [("EN_UA_9.txt", "b"), ("EN_UA_9.txt", "c"), ("EN_CC_3.txt", "d")]
    assert len(train) + len(forward) == len(mentions)
    ua, cc = semeval2025_cross_domain(mentions, lambda m: m[0], "UA")
    assert {m[0] for m in cc} == {"EN_CC_3.txt"} and len(ua) == len(mentions) - 1
    with pytest.raises(ValueError):
        semeval2025_cross_domain(mentions, lambda m: m[0], "XX")


def test_forward_split_sizes_on_the_shared_data():
    root = shared_path("data", "persuasion-semeval2023-en", "train", "articles")
    ids = sorted(int(p.stem.removeprefix("article")) for p in root.glob("article*.txt"))
    forward = [i for i in ids if semeval2023_is_forward(i)]
    assert (len(ids), len(forward), min(forward)) == (453, 91, SEMEVAL2023_FORWARD_FIRST_ID)
    assert all(i < SEMEVAL2023_FORWARD_FIRST_ID for i in ids[:362])
    docs = shared_path("data", "narratives-semeval2025-en", "train", "documents")
    names = [p.name for p in docs.glob("*.txt")]
    fw = semeval2025_forward(names)
    assert sum(semeval2025_domain(n) == "UA" for n in fw) == 45 and sum(semeval2025_domain(n) == "CC" for n in fw) == 35


def test_role_forward_part_is_the_newest_fifth_of_the_role_labelled_documents():
    from unspin.datasets.framing import load_role_mentions

    texts, mentions = load_role_mentions(shared_path("data", "narratives-semeval2025-en", "train"))
    train, forward = semeval2025_parts(mentions, lambda m: m.doc)
    docs = {m.doc for m in forward}
    assert sum(semeval2025_domain(d) == "UA" for d in docs) == 18 and sum(semeval2025_domain(d) == "CC" for d in docs) == 4
    assert not docs & {m.doc for m in train} and len(texts) == 105
