"""Hostile inputs: text nobody writes but anybody can send.

Each entry makes a text of about ``n`` repetitions of a pattern that once
made some rule walk the whole article for each mark, token or mention
(issue: "bounded work on any input"). Tests grow ``n`` fourfold and check
that the work grows about fourfold (tests/test_quotes_linear.py).
"""

from __future__ import annotations

from typing import Callable

#: name → text of ``n`` repetitions
HOSTILE: dict[str, Callable[[int], str]] = {
    # one run of marks, no whitespace: spaCy's tokenizer and quote pairing
    "curly-run": lambda n: "“" * n,
    "straight-run": lambda n: '"' * n,
    "apostrophe-run": lambda n: "’" * n,
    "parenthesis-run": lambda n: "(" * n,
    # marks that open and never close, in one paragraph
    "curly-opens": lambda n: "“word " * n,
    "straight-opens": lambda n: '"word ' * n,
    "single-opens": lambda n: "word’s ‘word " * n,
    "curly-pairs": lambda n: "“word” " * n,
    "nested-parentheses": lambda n: "(word " * n + ")" * n,
    # quotes and cues: speakers, pronouns, continuations
    "said-pronoun": lambda n: "“Word,” he said. " * n,
    "said-names": lambda n: "".join(f"“Word {k},” said Senator John Smith{k % 7}. " for k in range(n)),
    "continuations": lambda n: "“We won,” Smith said. " + "“Now we govern.” " * n,
    "nested-reports": lambda n: "He said that " * n + "it rained.",
    "conjoined-cues": lambda n: "Smith said it rained" + ", and said it rained" * n + ".",
    "role-descriptions": lambda n: "".join(
        f"Minister Anna Berg{k} arrived. The Russian official said the plan works. " for k in range(n)
    ),
    "according-to": lambda n: "according to him, " * n + "it rained.",
    "appositions-and-cues": lambda n: "Smith, " + "a friend, " * n + "said it rained" + ", and said it rained" * n + ".",
    "namesakes": lambda n: "".join(f"Ann{k} Smith spoke. Smith said the plan works. " for k in range(n)),
    "whitespace-gaps": lambda n: "Smith said: " + " " * n + "“Word word word word.”" + " " * n + "he said.",
    "colon-lines": lambda n: "".join(f"SMITH: Well, look, number {k} is fine.\n" for k in range(n)),
    "one-long-line": lambda n: "the Minister said " * n,
    "many-paragraphs": lambda n: "“Word word word word word word word,” Smith said.\n" * n,
}
