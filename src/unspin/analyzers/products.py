"""The shared products of the built-in analyzers, each computed once per article.

* ``doc``: the spaCy parse of the analysed text (:func:`~unspin.blocks.parse_bounded`);
* ``encoded``: the shared encoder pass (:mod:`unspin.neural.shared`), read by
  every neural head;
* ``technique_probabilities``: words, calibrated word and paragraph
  probabilities of the packaged accurate techniques model over that pass,
  read by the techniques and technique_summary analyzers;
* ``framing_features``: the lexical features of the framing models.

For an article analysed in blocks (:mod:`unspin.blocks`), ``doc``,
``encoded`` and ``technique_probabilities`` are built block by block and
merged for the analyzers that see the whole article; ``framing_features`` is
computed over the whole text.
"""

from __future__ import annotations

from typing import Any

from ..blocks import merge_docs, merge_encoded, merge_technique_probabilities, parse_bounded
from ..framing.features import doc_features
from ..neural.shared import encode
from ..techniques.accurate import load_default
from .base import Context, products


@products.register("doc", merge=merge_docs)
def spacy_doc(ctx: Context) -> Any:
    return parse_bounded(ctx.pipeline.nlp, ctx.analysis.text)


@products.register("encoded", merge=merge_encoded)
def encoder_pass(ctx: Context) -> Any:
    return encode(ctx.analysis.text, ctx.pipeline.encoder)


@products.register("technique_probabilities", merge=merge_technique_probabilities)
def technique_probabilities(ctx: Context) -> Any:
    return load_default().probabilities(ctx.analysis.text, ctx.product("encoded"))


@products.register("framing_features")
def framing_features(ctx: Context) -> Any:
    return doc_features(ctx.analysis.text)
