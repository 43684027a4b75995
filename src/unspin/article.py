"""The input side of the pipeline: one article's text and what came with it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSignals:
    """What an HTML page says about itself, measured before its text is extracted
    (see :mod:`unspin.inputs.verdict`)."""

    #: Characters of the page's visible text (no markup, scripts or styles).
    page_chars: int
    #: Whitespace-collapsed, case-folded texts of the page's links.
    link_texts: frozenset[str] = frozenset()
    #: schema.org types of its JSON-LD (``NewsArticle``, ``Recipe``…) and ``og:TYPE``.
    types: frozenset[str] = frozenset()
    #: A paywall marker: ``isAccessibleForFree: false``, a paywall class or sentence.
    paywall: bool = False
    #: ``<pre>`` and ``<code>`` elements.
    code_blocks: int = 0


@dataclass
class Article:
    """An article as read from a file, stdin, HTML or URL.

    ``text`` is exactly what is analysed: every offset in the analysis points
    into it. For plain text it is the file decoded as-is (no newline
    conversion, no stripping); for HTML it is the extracted main text.
    """

    source: str
    text: str
    #: ``text``, ``html``, ``url`` or ``stdin``.
    kind: str = "text"
    title: str | None = None
    url: str | None = None
    #: Outlet named by the input itself (HTML site name, ``--outlet``).
    outlet_name: str | None = None
    outlet_domain: str | None = None
    #: Where the outlet came from: ``url``, ``given`` or ``html-metadata``.
    outlet_basis: str | None = None
    #: Other metadata (author, date, hostname) kept in ``meta.extra``.
    extra: dict[str, str] = field(default_factory=dict)
    #: For HTML inputs: what the page said about itself (for the extraction verdict).
    page: PageSignals | None = None

    def set_given_outlet(self, outlet: str | None) -> None:
        """Record the outlet a user named (``--outlet``): a domain or a name."""
        if not outlet:
            return
        if "." in outlet and " " not in outlet:
            self.outlet_domain, self.outlet_name = outlet.lower().removeprefix("www."), None
        else:
            self.outlet_name, self.outlet_domain = outlet, None
        self.outlet_basis = "given"
