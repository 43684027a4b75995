"""Long articles analysed in blocks: offsets, contracts, bounded work (unspin.blocks)."""

from __future__ import annotations

import dataclasses
import json

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.article import Article
from unspin.blocks import projected, shifted, split_blocks
from unspin.config import Options
from unspin.errors import ConfigError, InputError
from unspin.pipeline import Pipeline, registry, split_paragraphs
from unspin.types import Entity, Provenance, Quote, Span, Syndication, Technique

from .conftest import EXAMPLE, cli

#: Pieces hostile to cutting: combining marks, emoji sequences (ZWJ, skin tone, flags), CR LF, CJK.
PIECES = ["a", "b", " ", "\n", "\r\n", ". ", "e\u0301", "n\u0303\u0323", "👨‍👩‍👧", "👍🏽", "🇫🇷", "漢字", "ß", "\t", "…"]


def _grapheme_starts(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


def _findings(value):
    """Every finding with offsets in ``value`` (an Analysis or part of it), at any depth."""
    if isinstance(value, list):
        for item in value:
            yield from _findings(item)
    elif dataclasses.is_dataclass(value):
        if isinstance(getattr(value, "start", None), int):
            yield value
        for f in dataclasses.fields(value):
            if f.name not in ("text", "meta"):
                yield from _findings(getattr(value, f.name))


def _check_offsets(analysis) -> int:
    """Assert ``text[start:end]`` of every finding that carries its text; return how many were checked."""
    n = 0
    for f in _findings([analysis.provenance, analysis.quotes, analysis.entities, analysis.techniques]):
        assert 0 <= f.start <= f.end <= len(analysis.text), f
        if isinstance(getattr(f, "text", None), str):
            assert analysis.text[f.start:f.end] == f.text, f
            n += 1
    return n


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=400), st.integers(min_value=8, max_value=120))
def test_blocks_cover_the_text_within_size_and_never_split_a_grapheme(pieces, size):
    text = "".join(pieces)
    blocks = split_blocks(text, size)
    assert blocks[0][0] == 0 and blocks[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:], strict=False))
    assert all(0 < end - start <= size for start, end in blocks) or text == ""
    starts = _grapheme_starts(text)
    assert all(start in starts for start, _ in blocks)  # no cluster here is longer than 8 characters


@pytest.mark.parametrize("text", ["x" * 1000, "e" + "\u0301" * 999, "word " * 200, ("line\n" * 200)])
def test_blocks_of_text_without_good_cuts(text):
    blocks = split_blocks(text, 64)
    assert "".join(text[a:b] for a, b in blocks) == text and max(b - a for a, b in blocks) <= 64


def test_blocks_prefer_paragraph_breaks_then_sentence_ends():
    para = "First sentence here. Second one follows.\n"
    blocks = split_blocks(para * 50, 300)
    assert all((para * 50)[b - 1] == "\n" for _, b in blocks)
    long_line = "Sentence number one is here. " * 40
    assert all(long_line[a:b].endswith(". ") for a, b in split_blocks(long_line, 300)[:-1])


def test_shifted_and_projected_move_every_offset():
    quote = Quote(speaker=None, cue=Span(110, 114, "said"), content=Span(120, 130, "x" * 10), kind="indirect")
    moved = shifted(quote, -100)
    assert (moved.cue.start, moved.content.end) == (10, 30) and quote.cue.start == 110  # a copy
    prov = Provenance(syndicated_from=Syndication("Duran", None, None, "republication-footer", Span(950, 990, "f")))
    seen = projected(prov, 900, 1000, first=False)
    assert (seen.syndicated_from.evidence.start, prov.syndicated_from.evidence.start) == (50, 950)
    ents = [Entity("A", 5, 6, "PERSON"), Entity("B", 905, 906, "ORG")]
    assert [(e.text, e.start) for e in projected(ents, 900, 1000, first=False)] == [("B", 5)]


def _unicode_article(repeat: int) -> str:
    """The example article's paragraphs, repeated with emoji and combining marks, footer last."""
    lines = [ln for ln in EXAMPLE.read_text(encoding="utf-8").split("\n") if ln.strip()]
    title, body, footer = lines[0], lines[1:-1], lines[-1]
    paras = []
    for k in range(repeat):
        for line in body:
            paras.append(f"🙂 Réunion n\u0303{k} — {line} 👨‍👩‍👧")
    return "\n".join([title, "", *paras, footer]) + "\n"


def test_long_article_in_blocks_keeps_offsets_on_unicode_text():
    text = _unicode_article(6)
    pipe = Pipeline(analyzers=("entities", "provenance", "quotes", "techniques", "technique_summary"), model="fast",
                    block_chars=900)
    spans = split_blocks(text, 900)
    assert len(spans) >= 6
    a = pipe.analyze(Article(source="long.txt", text=text))
    assert _check_offsets(a) > 50
    assert [(p.start, p.end) for p in a.paragraphs] == [(p.start, p.end) for p in split_paragraphs(text)]
    last_block = spans[-1][0]
    assert any(e.start >= last_block and e.text == "Lindqvist" for e in a.entities)
    assert any(q.content.start >= last_block for q in a.quotes)
    # provenance sees the whole article: the footer is on its last line
    assert a.provenance.syndicated_from is not None and a.provenance.syndicated_from.name == "The Baltic Ledger"
    footer = a.provenance.syndicated_from.evidence
    assert text[footer.start:footer.end].startswith("The post") and footer.start > last_block
    assert not any(q.content.start < footer.end and footer.start < q.content.end for q in a.quotes)
    assert {p.start for p in a.paragraphs if p.techniques} <= {p.start for p in a.paragraphs}
    assert list(a.meta.analyzers) == ["boilerplate", "entities", "provenance", "quotes", "techniques",
                                      "technique_summary"]
    assert a.technique_summary is not None and a.technique_summary.paragraphs == len(a.paragraphs) - 1
    assert a.technique_summary.labelled_paragraphs == sum(1 for p in a.paragraphs if p.labels)
    assert a.techniques == sorted(a.techniques, key=lambda t: (t.start, t.end, t.technique))


def test_long_article_entities_match_the_whole_text_parse():
    text = _unicode_article(3).replace("\n", "\n\n")
    whole = Pipeline(analyzers=("entities",)).analyze(Article(source="t", text=text))
    blocks = Pipeline(analyzers=("entities",), block_chars=800).analyze(Article(source="t", text=text))
    cuts = [start for start, _ in split_blocks(text, 800)[1:]]
    assert len(cuts) > 3

    def away_from_cuts(entities):  # spaCy reads a few tokens each side: only near a cut may the parse differ
        return [(e.start, e.end, e.type) for e in entities if all(e.end < c - 30 or e.start > c + 30 for c in cuts)]

    assert away_from_cuts(blocks.entities) == away_from_cuts(whole.entities)
    assert len(away_from_cuts(whole.entities)) > 0.8 * len(whole.entities)


def test_accurate_tier_in_blocks_keeps_offsets():
    text = _unicode_article(2)
    pipe = Pipeline(analyzers=("techniques", "genre"), block_chars=1200)
    a = pipe.analyze(Article(source="t", text=text))
    assert len(split_blocks(text, 1200)) >= 2 and a.genre is not None
    _check_offsets(a)


class _ParseRecorder:
    """The real spaCy pipeline, recording the length of every text it parses."""

    def __init__(self, nlp):
        self.nlp, self.lengths = nlp, []

    def __call__(self, text):
        self.lengths.append(len(text))
        return self.nlp(text)


def test_text_over_a_million_characters_is_parsed_in_blocks():
    # spaCy refuses more than 1,000,000 characters at once (E088); mostly blank text parses fast
    chunk = "Maria Lindqvist spoke in Brussels.\n" + " " * 9_965 + "\n"
    text = chunk * 120 + "The post Gas deal appeared first on The Baltic Ledger.\n"
    assert len(text) > 1_200_000
    pipe = Pipeline(analyzers=("entities", "provenance"))
    recorder = _ParseRecorder(pipe.nlp)
    pipe.__dict__["nlp"] = recorder
    a = pipe.analyze(Article(source="huge.txt", text=text))
    assert max(recorder.lengths) <= pipe.options.block_chars and sum(recorder.lengths) == len(text)
    assert len([e for e in a.entities if e.text == "Maria Lindqvist"]) == 120
    assert all(text[e.start:e.end] == e.text for e in a.entities)
    assert a.provenance.syndicated_from.name == "The Baltic Ledger"


@pytest.mark.slow  # about 30 CPU-seconds per analysis of 1.2 million characters
def test_a_file_of_1_2_million_characters_is_ingested_and_analysed_in_blocks_under_the_default_limit(tmp_path, capsys):
    """Real news-like text past spaCy's million characters, through the command line with the default
    ``--max-chars`` (2,000,000): stored by an ingest worker, and analysed by ``unspin analyze``."""
    from tests.test_corpus_helpers import article_text
    from unspin.corpus import Corpus

    text = "".join(article_text(100 + i, words=200) for i in range(800))[:1_200_000]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.txt").write_text(text, encoding="utf-8")
    (corpus / "short.txt").write_text(article_text(1), encoding="utf-8")
    analyzers = "entities,provenance"  # entities runs block by block, provenance over the whole text

    code, out, err = cli(capsys, "ingest", corpus, "--db", tmp_path / "c.db", "--workers", "2",
                         "--analyzers", analyzers, "--summary-json")
    assert code == 0, err
    assert (json.loads(out)["stored"], json.loads(out)["failed"]) == (2, 0)
    with Corpus(tmp_path / "c.db", readonly=True) as store:
        [(stored_id,)] = store.db.execute("SELECT id FROM articles WHERE source = ?", (str(corpus / "long.txt"),))
        stored = store.analysis(stored_id)
    assert stored["text"] == text

    code, out, err = cli(capsys, "analyze", corpus / "long.txt", "--analyzers", analyzers, "--format", "json")
    assert code == 0, err
    analysed = json.loads(out)
    for analysis in (stored, analysed):
        assert analysis["text"] == text
        entities = analysis["entities"]
        assert all(text[e["start"]:e["end"]] == e["text"] for e in entities)
        assert any(e["start"] > 1_150_000 for e in entities)  # found in the last blocks too
    assert analysed["entities"] == stored["entities"]


def test_text_over_max_chars_is_an_input_error():
    pipe = Pipeline(analyzers=("entities",), max_chars=1_000)
    with pytest.raises(InputError, match=r"^big\.txt: text is too long \(1,001 characters; the limit is 1,000, "
                                         r"see --max-chars\)$"):
        pipe.analyze(Article(source="big.txt", text="x" * 1_001))


@pytest.mark.parametrize(("change", "message"), [
    ({"block_chars": 10}, "block-chars must be a whole number of characters from 100 to 1,000,000, not 10"),
    ({"block_chars": 2_000_000}, "block-chars must be"),
    ({"max_chars": 0}, "max-chars must be a whole number of characters from 1 on, not 0"),
    ({"max_chars": "many"}, "max-chars must be"),
])
def test_bad_sizes_are_config_errors(change, message):
    with pytest.raises(ConfigError, match=message):
        Pipeline(Options(analyzers=("entities",), **change))


def test_a_block_analyzer_may_not_assign_an_article_value():
    if "test-block-genre" not in registry.infos:
        registry.register("test-block-genre", assigns=("genre",), scope="block")(lambda options: None)
    with pytest.raises(ConfigError, match="'test-block-genre' runs block by block but assigns 'genre'"):
        Pipeline(analyzers=("test-block-genre",))
    with pytest.raises(ValueError, match="scope must be one of article, block"):
        registry.register("test-bad-scope", scope="paragraph")


class _MarkParagraphs:
    """An article analyzer: labels each paragraph with its number."""

    name, version = "test-mark-paragraphs", "1"

    def annotate(self, ctx):
        for k, para in enumerate(ctx.analysis.paragraphs):
            para.techniques = [f"P{k}"]


class _EchoParagraphs:
    """A block analyzer: one finding per paragraph piece, labelled with what it was handed."""

    name, version = "test-echo-paragraphs", "1"

    def annotate(self, ctx):
        text = ctx.analysis.text
        ctx.analysis.techniques.extend(Technique(",".join(p.techniques), p.start, p.end, 1.0, text[p.start:p.end])
                                       for p in ctx.analysis.paragraphs)


def test_article_findings_reach_later_block_analyzers_in_block_offsets():
    if "test-mark-paragraphs" not in registry.infos:
        registry.register("test-mark-paragraphs", assigns=("paragraphs.techniques",))(lambda o: _MarkParagraphs())
        registry.register("test-echo-paragraphs", requires=("test-mark-paragraphs",), assigns=("techniques",),
                          scope="block")(lambda o: _EchoParagraphs())
    text = "".join(f"Paragraph {k} with ünïcödé 🙂 text.\n" for k in range(40))
    a = Pipeline(analyzers=("test-echo-paragraphs",), block_chars=200).analyze(Article(source="t", text=text))
    assert len(split_blocks(text, 200)) > 5
    assert [t.technique for t in a.techniques] == [f"P{k}" for k in range(40)]
    assert all(text[t.start:t.end] == t.text == f"Paragraph {k} with ünïcödé 🙂 text." for k, t in enumerate(a.techniques))


class _TokenizerRecorder:
    """spaCy's real tokenizer, recording the longest whitespace-free run each call was given."""

    def __init__(self, tokenizer):
        self.tokenizer, self.longest = tokenizer, 0

    def __call__(self, text):
        self.longest = max([self.longest, *(len(run) for run in text.split())])
        return self.tokenizer(text)


def test_parse_keeps_spacy_tokenizer_linear_on_long_runs():
    from unspin.blocks import MAX_RUN, parse_bounded
    from unspin.nlp import load_spacy

    nlp = load_spacy(Options().spacy_model)
    prose = "Read https://example.com/a/b?c=d and “quoted” words (sic) — don’t stop.\n"
    assert [(t.text, t.idx) for t in parse_bounded(nlp, prose)] == [(t.text, t.idx) for t in nlp(prose)]

    class Wrapped:  # the real pipeline, with its tokenizer watched
        tokenizer = _TokenizerRecorder(nlp.tokenizer)
        vocab = nlp.vocab

        def __call__(self, doc):
            return nlp(doc)

    wrapped = Wrapped()
    for run in ("“" * 1_000, "’" * 1_000, "(" * 1_000, '"' * 1_000, "👍🏽" * 500, "e\u0301" * 600):
        text = f"He said {run} and left."
        doc = parse_bounded(wrapped, text)
        assert doc.text == text and doc[0].text == "He" and doc[-1].text == "."
    assert wrapped.tokenizer.longest <= MAX_RUN
