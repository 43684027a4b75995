"""The pipeline core: registry, paragraphs, metadata."""

from __future__ import annotations

import hashlib

import pytest

from unspin.article import Article
from unspin.config import Options, load_options
from unspin.errors import ConfigError
from unspin.pipeline import DEFAULT_ANALYZERS, Pipeline, registry, split_paragraphs
from unspin.types import Entity


def test_pipeline_registry_lists_default_analyzers():
    Pipeline(analyzers=("entities",))  # imports the built-in analyzers
    assert set(DEFAULT_ANALYZERS) <= set(registry.factories)


def test_pipeline_unknown_analyzer_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown analyzer 'sentiment'"):
        Pipeline(analyzers=("sentiment",))


def test_pipeline_custom_analyzer_reads_shared_doc():
    class Shouting:
        name, version = "test-shouting", "1"

        def annotate(self, ctx):
            ctx.analysis.entities.extend(
                Entity(text=t.text, start=t.idx, end=t.idx + len(t.text), type="SHOUT")
                for t in ctx.doc if t.is_upper and len(t) > 2
            )

    registry.factories.setdefault("test-shouting", lambda options: Shouting())
    a = Pipeline(analyzers=("test-shouting",)).analyze(Article(source="t", text="Naïve café STOP NOW"))
    assert [(e.text, a.text[e.start:e.end]) for e in a.entities] == [("STOP", "STOP"), ("NOW", "NOW")]
    assert a.meta.analyzers == {"test-shouting": "1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one\ntwo\n", ["one", "two"]),
        ("one\r\n\r\ntwo", ["one", "two"]),
        ("  \n🙂 emoji line\n\n\nlast", ["🙂 emoji line", "last"]),
        ("single line no newline", ["single line no newline"]),
        ("a\u2028b\nc", ["a\u2028b", "c"]),  # only \n ends a paragraph, as in the SemEval data
    ],
)
def test_pipeline_split_paragraphs_offsets(text, expected):
    assert [text[p.start:p.end] for p in split_paragraphs(text)] == expected


def test_pipeline_meta_records_hash_and_versions():
    text = "Officials said the road is closed."
    a = Pipeline(analyzers=("entities",)).analyze(Article(source="s", text=text, kind="stdin"))
    assert a.meta.content_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert a.meta.input_kind == "stdin" and a.meta.analyzers == {"entities": "1"}


def test_config_file_and_environment(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('ratings = "a.csv"\nmax-bytes = 1000\n', encoding="utf-8")
    monkeypatch.setenv("UNSPIN_CONFIG", str(config))
    monkeypatch.delenv("UNSPIN_RATINGS", raising=False)
    opts = load_options(timeout=3.0)
    assert (opts.ratings, opts.max_bytes, opts.timeout) == (("a.csv",), 1000, 3.0)
    monkeypatch.setenv("UNSPIN_RATINGS", "b.csv")
    assert load_options().ratings == ("b.csv",)
    assert load_options(ratings=("c.csv",)).ratings == ("c.csv",)


def test_config_unknown_setting_is_an_error(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("colour = 'red'\n", encoding="utf-8")
    monkeypatch.setenv("UNSPIN_CONFIG", str(config))
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_options()


def test_options_are_hashable_for_pipeline_reuse():
    assert hash(Options()) == hash(Options())
