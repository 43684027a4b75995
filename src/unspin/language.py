"""The language of a text, detected offline with py3langid (langid.py's model).

unspin's models and word lists are English. The pipeline detects every
input's language (``meta.language``) and skips the analyzers that do not
support it, recording why in ``meta.skipped``; see
:mod:`unspin.analyzers.base` (``languages=`` in an analyzer's contract).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ANY_LANGUAGE", "DEFAULT_LANGUAGES", "UNDETERMINED", "LanguageGuess", "detect_language", "language_name",
           "supports"]

#: An analyzer contract's ``languages`` value for analyzers that work on any language.
ANY_LANGUAGE = "*"
#: What an analyzer supports unless its contract says otherwise: its models and word lists are English.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)
#: ISO 639 code for "undetermined": too little text to tell.
UNDETERMINED = "und"
#: Below this many letters a guess is a coin toss (a headline, a share widget).
MIN_LETTERS = 40
#: Texts are long; their first characters tell the language as well as the whole.
SAMPLE_CHARS = 10_000
#: Below this probability the language is undetermined (py3langid's normalised
#: probability; English news texts score above 0.99).
MIN_CONFIDENCE = 0.8

#: English names of the languages news comes in most, for notices.
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "nl": "Dutch",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "zh": "Chinese", "ka": "Georgian", "hy": "Armenian", "be": "Belarusian", "az": "Azerbaijani", "kk": "Kazakh",
}

_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class LanguageGuess:
    """A detected language: ISO 639-1 code (or ``und``) and its probability."""

    code: str
    score: float


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once (about 2 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> LanguageGuess:
    """The language of ``text``; ``und`` when it has too few letters or no clear winner."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0)
    code, score = _identifier().classify(sample)
    score = round(float(score), 4)
    return LanguageGuess(code if score >= MIN_CONFIDENCE else UNDETERMINED, score)


def language_name(code: str | None) -> str:
    """"German" for ``de``; the code itself for languages without a name here."""
    if not code or code == UNDETERMINED:
        return "undetermined"
    return LANGUAGE_NAMES.get(code, code)


def supports(languages: tuple[str, ...], code: str | None) -> bool:
    """Whether an analyzer declaring ``languages`` can analyse text in ``code``.

    Undetermined text (a few words, no clear winner) is analysed: refusing it
    would skip every short English input.
    """
    return not code or code == UNDETERMINED or ANY_LANGUAGE in languages or code in languages


def preload() -> None:
    """Load the language model now (about 2 s), so that the first article is not slower."""
    _identifier()
