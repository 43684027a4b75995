"""The shared products of the built-in analyzers, each computed once per article.

* ``doc``: the spaCy parse of the analysed text;
* ``encoded``: the shared encoder pass (:mod:`unspin.neural.shared`), read by
  every neural head;
* ``technique_probabilities``: words, calibrated word and paragraph
  probabilities of the packaged accurate techniques model over that pass,
  read by the techniques analyzer and by the genre head stacked on the
  article's technique profile;
* ``framing_features``: the lexical features of the framing models.
"""

from __future__ import annotations

from typing import Any

from .base import Context, products


@products.register("doc")
def spacy_doc(ctx: Context) -> Any:
    return ctx.pipeline.nlp(ctx.analysis.text)


@products.register("encoded")
def encoder_pass(ctx: Context) -> Any:
    from ..neural.shared import encode

    return encode(ctx.analysis.text, ctx.pipeline.encoder)


@products.register("technique_probabilities")
def technique_probabilities(ctx: Context) -> Any:
    from ..techniques.accurate import load_default

    return load_default().probabilities(ctx.analysis.text, ctx.product("encoded"))


@products.register("framing_features")
def framing_features(ctx: Context) -> Any:
    from ..framing.features import doc_features

    return doc_features(ctx.analysis.text)
