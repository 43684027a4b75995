"""Whether the analysed text is a news article, and how much of the page it is.

Extraction can fail quietly: a paywall page gives a thousand characters of
menus and headlines, a section front gives a list of links, and recipes or
software documentation are no news at all. :func:`judge` gives every input
a verdict (``meta.extraction``): characters kept, the share of the page's
text that was dropped and the share of the kept text that is boilerplate,
the kind of page, and warnings. ``verdict.ok`` is true when nothing looks
wrong; ingest records the verdict and can skip pages that are not articles
(:func:`unspin.pipeline.check_article` gives it before any analysis).

The signals are rules, each a named constant below, checked on pages written
for the tests and on the shared news corpora (where no article is flagged).
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from ..article import PageSignals
from ..types import Extraction

__all__ = ["PAGE_KINDS", "judge", "page_signals"]

#: Kinds of page, from the most to the least specific.
PAGE_KINDS = ("recipe", "documentation", "paywall", "listing", "stub", "article")
#: Fewer words than this kept from an HTML page: a stub, a teaser or a failed extraction.
STUB_WORDS = 80
#: A paywall page keeps fewer words than this when paywall markers are present.
PAYWALL_WORDS = 400
#: A listing: at least this many lines, at most two of prose, and this share of them are the
#: page's links or this share of the words are in headline-like lines (shorter than prose, no
#: sentence end).
LISTING_MIN_LINES, LISTING_LINK_SHARE, LISTING_SHORT_SHARE = 5, 0.5, 0.7
#: A line this long is prose (headlines, menu items and captions are shorter).
PROSE_LINE_WORDS = 20
#: Recipes: this many ingredient lines ("2 cups flour"); documentation: this many code lines.
RECIPE_LINES, CODE_LINES = 4, 5

#: schema.org types in JSON-LD that say what the page is.
ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
                           "BlogPosting", "LiveBlogPosting", "ReviewNewsArticle", "BackgroundNewsArticle"})
LD_KINDS = {"Recipe": "recipe", "TechArticle": "documentation", "APIReference": "documentation",
            "SoftwareSourceCode": "documentation", "CollectionPage": "listing", "ItemList": "listing",
            "SearchResultsPage": "listing"}

_UNITS = (r"cups?|c\.|tbsps?|tablespoons?|tsps?|teaspoons?|g|grams?|kg|kilograms?|ml|millilit(?:er|re)s?|l|lit(?:er|re)s?"
          r"|oz|ounces?|lbs?|pounds?|cloves?|pinch(?:es)?|dash(?:es)?|slices?|cans?|sticks?|sprigs?|bunch(?:es)?|handfuls?")
INGREDIENT_LINE = re.compile(r"^\s*(?:[-•*]\s*)?(?:\d+(?:[.,/]\d+)?|[½¼¾⅓⅔]|\d+\s*[½¼¾⅓⅔])\s*(?:" + _UNITS + r")\b", re.I)
RECIPE_HEADINGS = re.compile(r"^\s*(?:ingredients|directions|instructions|method|preparation|prep time|cook time"
                             r"|servings|serves \d+)\s*:?\s*$", re.I | re.M)
CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|const |let |var |function\b|public |private |#include"
    r"|\$ |>>> |pip install|npm install|git |SELECT |[\w.]+\([^)]*\)\s*;?\s*$|\w+\s*=\s*[\w\"'\[{(])")
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
PAYWALL_CLASS = re.compile(r"""(?:class|id)\s*=\s*["'][^"']*\b(?:paywall|regwall|subscriber-only|subscribers-only"""
                           r"""|premium-content|meter-?wall|piano-?(?:offer|paywall)|tp-modal)\b""", re.I)
PAYWALL_TEXT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|(?:this (?:article|content|story) is|is only) (?:available|for)"
    r" (?:to )?(?:subscribers|members)|already a subscriber\?|you(?:'ve| have) reached your (?:free )?(?:article|story)"
    r" limit|to read the full (?:article|story)|subscribe to read|for subscribers only|sign in to read", re.I)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def page_signals(html: str) -> PageSignals:
    """Measure a page: visible text, link texts, declared types, paywall and code markers."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, etree.ParserError):
        return PageSignals(page_chars=0)
    types: set[str] = set()
    paywall = bool(PAYWALL_CLASS.search(html))
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in _ld_nodes(data):
            kind = node.get("@type")
            types.update([kind] if isinstance(kind, str) else [k for k in kind or [] if isinstance(k, str)])
            if str(node.get("isAccessibleForFree", "")).lower() in ("false", "0"):
                paywall = True
    for og in tree.xpath('//meta[@property="og:type"]/@content'):
        types.add(f"og:{og.strip().lower()}")
    code_blocks = len(tree.xpath("//pre | //code"))
    for bad in tree.xpath("//script | //style | //noscript | //template"):
        bad.drop_tree()
    visible = " ".join(tree.text_content().split())
    paywall = paywall or bool(PAYWALL_TEXT.search(visible))
    links = frozenset(t for a in tree.xpath("//a") if len(t := _norm(a.text_content())) >= 3)
    return PageSignals(page_chars=len(visible), link_texts=links, types=frozenset(types), paywall=paywall,
                       code_blocks=code_blocks)


def _ld_nodes(data: object) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [n for item in data for n in _ld_nodes(item)]
    if isinstance(data, dict):
        return [data, *_ld_nodes(data.get("@graph", []))]
    return []


def judge(text: str, boilerplate_chars: int = 0, signals: PageSignals | None = None) -> Extraction:
    """The verdict on a text with ``boilerplate_chars`` characters of boilerplate
    (and its page's ``signals``, for HTML)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    words = len(text.split())
    chars = len(text)
    line_words = [len(ln.split()) for ln in lines]
    prose = sum(n >= PROSE_LINE_WORDS for n in line_words)
    link_share = None
    if signals is not None and lines:
        link_share = round(sum(_norm(ln) in signals.link_texts for ln in lines) / len(lines), 3)
    warnings: list[str] = []
    kinds: list[str] = []
    types = signals.types if signals else frozenset()

    ingredients = sum(bool(INGREDIENT_LINE.match(ln)) for ln in lines)
    if "Recipe" in types or ingredients >= RECIPE_LINES or (ingredients >= 2 and RECIPE_HEADINGS.search(text)):
        kinds.append("recipe")
        warnings.append(f"looks like a recipe ({ingredients} ingredient lines), not a news article")
    code = sum(bool(CODE_LINE.match(ln)) for ln in lines)
    declared_doc = any(LD_KINDS.get(t) == "documentation" for t in types)
    if declared_doc or code >= CODE_LINES or (signals is not None and signals.code_blocks >= 3 and code >= 2):
        kinds.append("documentation")
        warnings.append(f"looks like software documentation ({code} code lines), not a news article")
    if signals is not None and signals.paywall and words < PAYWALL_WORDS:
        kinds.append("paywall")
        warnings.append(f"paywalled page: only {words} words of text were reachable")
    listed = any(LD_KINDS.get(t) == "listing" for t in types) and not types & ARTICLE_TYPES
    # Headlines and menu items are short and do not end like a sentence.
    headline_words = sum(n for ln, n in zip(lines, line_words, strict=True)
                         if n < PROSE_LINE_WORDS and not SENTENCE_END.search(ln))
    if len(lines) >= LISTING_MIN_LINES and prose <= 2 and (
        (link_share is not None and link_share >= LISTING_LINK_SHARE) or headline_words / words >= LISTING_SHORT_SHARE
    ) or listed:
        kinds.append("listing")
        links = f"{link_share:.0%} of them links, " if link_share else ""
        warnings.append(f"looks like a listing or navigation: {len(lines)} lines, {links}{prose} of prose")
    if signals is not None and words < STUB_WORDS:  # a text input is what the user gave, not an extraction
        kinds.append("stub")
        warnings.append(f"very short text ({words} words): a stub, a teaser or a failed extraction")
    page_chars = signals.page_chars if signals else None
    kept = round(min(1.0, chars / page_chars), 3) if page_chars else None
    return Extraction(chars=chars, words=words, page_chars=page_chars, kept_share=kept,
                      boilerplate_share=round(boilerplate_chars / chars, 3) if chars else 0.0,
                      link_line_share=link_share, page_kind=kinds[0] if kinds else "article", warnings=warnings,
                      ok=not warnings)
