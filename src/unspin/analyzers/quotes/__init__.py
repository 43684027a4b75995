"""Quotes: who says what, in quotation marks (direct) or reported (indirect).

The analyzer works on the shared spaCy parse in three steps:

1. **Quotations** are found in the raw text (:mod:`..quotation_marks`):
   “…”, "…", «…», „…“, ‹…› and ‘…’, apostrophes told apart, long quotes
   running on over paragraphs.
2. **Cues** come from the dependency parse: a reporting verb from
   ``data/attribution_cues_en.json`` with a subject and a clausal complement
   ("Putin stressed that …"), the same verb closing a sentence after a comma
   ("…, Russian President Vladimir Putin has announced."), a prepositional
   cue ("according to the Russian leader"), or a belief or stance verb with
   the complement the lexicon names for it ("wants to …", "called for …",
   "accused … of …"). Dependencies that cross a line
   break are ignored: a title without a full stop is parsed together with
   the first paragraph, and must not lend it a subject.
3. **Attribution**: a quotation that is (most of) a cue's complement, or that
   sits right before or after a cue in its sentence, is a direct quote of
   that cue's subject; a quotation with no cue of its own continues the
   speaker of the quote before it (cue ``None``); a cue whose complement is
   not a quotation is an indirect quote (partial quotations inside it, as in
   "told Politico that the deal was “a betrayal”", stay part of it). One to
   three quoted words with no cue are scare quotes and are left out.

Speakers are the noun phrase as written (with titles and appositions);
``name`` is the fullest form of that person's name in the article (PERSON
mentions grouped by their last word, :mod:`.names`), or an organisation's name. Pronouns and
role descriptions ("the Russian leader", "the commissioner") are resolved to
the most recent compatible person mention, which becomes ``resolved``.

The modules, in the order of the steps: :mod:`.lexicon` (the words and the
size limits), :mod:`.indexes` and :mod:`.state` (the article's text, parse
and quotations, indexed once), :mod:`.cues`, :mod:`.speakers`,
:mod:`.content` (attribution: quotations and clauses paired with cues and
speakers) and :mod:`.analyzer` (the registered factory).
"""

from .analyzer import QuoteExtractor, make_quotes
from .cues import Cue
from .lexicon import (
    MAX_ANTECEDENTS,
    MAX_NESTING,
    MAX_SPEAKER_TOKENS,
    SCARE_QUOTE_WORDS,
    UNATTRIBUTED_MIN_WORDS,
    CueLexicon,
    load_lexicon,
)

__all__ = [
    "MAX_ANTECEDENTS",
    "MAX_NESTING",
    "MAX_SPEAKER_TOKENS",
    "SCARE_QUOTE_WORDS",
    "UNATTRIBUTED_MIN_WORDS",
    "Cue",
    "CueLexicon",
    "QuoteExtractor",
    "load_lexicon",
    "make_quotes",
]
