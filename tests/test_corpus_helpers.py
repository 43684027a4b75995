"""Helpers for the corpus tests (no tests here): distinct small articles and fake analyses."""

from __future__ import annotations

import hashlib
import random

NAMES = ["Maria Lindqvist", "John Carter", "Ana Souza", "Peter Novak", "Li Wei", "Fatima Khan", "Tom Berg",
         "Olga Petrova", "Samuel Okafor", "Ines Garcia"]
TOPICS = ["gas pipeline", "grain exports", "election law", "central bank", "border crossing", "water treaty",
          "steel tariffs", "vaccine rollout", "port strike", "rail link"]
VERBS = ["said", "told reporters", "warned", "argued", "claimed"]
WORDS = ("ministers officials analysts residents farmers traders soldiers teachers engineers doctors budget "
         "deadline agreement protest report inquiry summit market harvest shortage surplus council court "
         "province capital coast valley harbour factory").split()


def article_text(i: int, *, words: int = 90) -> str:
    """A distinct news-like article: title, blank line, a few paragraphs with quotes."""
    rng = random.Random(i)
    topic = TOPICS[i % len(TOPICS)]
    name = NAMES[(i // len(TOPICS)) % len(NAMES)]
    title = f"Talks on the {topic} stall as {name.split()[1]} digs in (report {i})"
    paras = [
        f'"We will not accept this {topic} deal," {name} {rng.choice(VERBS)} on Tuesday.',
        f"According to Reuters, {rng.choice(WORDS)} in the {rng.choice(WORDS)} expect a long dispute over the {topic}.",
    ]
    while sum(len(p.split()) for p in paras) < words:
        paras.append(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + f" in case {i}-{len(paras)}.")
    return title + "\n\n" + "\n".join(paras) + "\n"


def fake_analysis(text: str, *, title: str | None = None, quotes: list[tuple] = (),
                  cited: list[tuple[str, str | None]] = (), techniques: list[str] = (), language: str | None = None,
                  page_kind: str | None = None) -> dict:
    """An analysis dict shaped like ``Analysis.to_dict()`` without running the models.

    ``quotes`` are ``(speaker name, kind)`` or ``(speaker name, kind, mention)``; a name of ``None`` is a
    speaker the quotes analyzer could not name. ``language`` and ``page_kind`` fill ``meta.language`` and
    ``meta.extraction`` (``ok`` when the page is an ``article``) as schema 1.2 does; without them the
    analysis has neither, as before 1.2.
    """
    meta = {"input_kind": "text", "url": None, "content_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "unspin_version": "0.1.0", "analyzers": {"entities": "1"}, "extra": {}}
    if language is not None:
        meta["language"] = language
    if page_kind is not None:
        meta["extraction"] = {"chars": len(text), "words": len(text.split()), "page_kind": page_kind,
                              "ok": page_kind == "article", "warnings": [] if page_kind == "article" else [page_kind]}
    return {
        "source": "fake",
        "schema": "1.0",
        "title": title,
        "text": text,
        "provenance": {"outlet": None, "syndicated_from": None,
                       "cited_sources": [{"name": n, "domain": d, "start": 0, "end": 1, "text": "x",
                                          "rating": None, "cue": None} for n, d in cited]},
        "quotes": [{"speaker": {"start": 0, "end": 1, "text": q[2] if len(q) > 2 else q[0], "name": q[0],
                                "resolved": None},
                    "cue": None, "content": {"start": 0, "end": 1, "text": "x"}, "kind": q[1]} for q in quotes],
        "entities": [],
        "techniques": [{"technique": t, "start": 0, "end": 5, "score": 0.9, "text": text[:5]} for t in techniques],
        "paragraphs": [],
        "meta": meta,
    }
