"""The pipeline core: registry, paragraphs, metadata."""

from __future__ import annotations

import hashlib
from dataclasses import fields, replace

import pytest

from unspin.article import Article
from unspin.config import Options, load_options
from unspin.errors import ConfigError
from unspin.pipeline import DEFAULT_ANALYZERS, Pipeline, products, registry, split_paragraphs
from unspin.types import Entity

from .conftest import EXAMPLE


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

    if "test-shouting" not in registry.infos:
        registry.register("test-shouting", assigns=("entities",), uses=("doc",))(lambda options: Shouting())
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
    assert a.meta.input_kind == "stdin" and a.meta.analyzers == {"boilerplate": "1", "entities": "2"}


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


#: A value different from the default for every Options field (a new field must be added here).
CHANGED_OPTION = {
    "spacy_model": "other_model", "ratings": ("a.csv",), "max_bytes": 1, "timeout": 1.0, "max_redirects": 0,
    "allow_private_urls": True, "user_agent": "ua", "analyzers": ("entities",), "min_score": 0.5, "recall": True,
    "model": "fast", "techniques_model": "/models/t", "roles_model": "/models/r", "max_chars": 1_000,
    "block_chars": 1_000,
}


def test_options_every_field_is_typed_compared_and_hashed():
    assert {f.name for f in fields(Options)} == set(CHANGED_OPTION), "new option: add it to CHANGED_OPTION"
    base = Options()
    for name, value in CHANGED_OPTION.items():
        changed = replace(base, **{name: value})
        assert changed != base, name
        assert hash(changed) != hash(base), name
        assert hash(changed) == hash(replace(base, **{name: value}))


def test_options_cached_pipeline_differs_when_any_option_differs(tmp_path):
    from unspin.api import get_pipeline

    plain = get_pipeline(Options(analyzers=("entities",)))
    assert get_pipeline(Options(analyzers=("entities",))) is plain
    other = get_pipeline(Options(analyzers=("entities",), techniques_model=str(tmp_path)))
    assert other is not plain and other.options.techniques_model == str(tmp_path)


#: The registered contracts of the built-in analyzers (a change here is a change of behaviour: review it).
REGISTRY_SNAPSHOT = {
    "boilerplate": {"requires": [], "assigns": ["boilerplate"], "uses": ["boilerplate_spans"], "scope": "article",
                    "languages": ["*"]},
    "entities": {"requires": ["boilerplate"], "assigns": ["entities"], "uses": ["doc"], "scope": "block",
                 "languages": ["en"]},
    "provenance": {"requires": ["boilerplate"], "assigns": ["provenance"], "uses": ["doc"], "scope": "article",
                   "languages": ["*"]},
    "quotes": {"requires": ["boilerplate", "entities", "provenance"], "assigns": ["quotes"], "uses": ["doc"], "scope": "block",
               "languages": ["en"]},
    "techniques": {"requires": ["boilerplate"], "assigns": ["techniques", "paragraphs.techniques", "paragraphs.labels"],
                   "uses": ["encoded", "technique_probabilities"], "scope": "block", "languages": ["en"]},
    "technique_summary": {"requires": ["techniques"], "assigns": ["technique_summary"],
                          "uses": ["technique_probabilities"], "scope": "article", "languages": ["en"]},
    "genre": {"requires": [], "assigns": ["genre"], "uses": [], "scope": "article", "languages": ["en"]},
    "frames": {"requires": [], "assigns": ["frames"], "uses": ["framing_features", "encoded"], "scope": "article",
               "languages": ["en"]},
    "narratives": {"requires": [], "assigns": ["narratives"], "uses": ["framing_features", "encoded"], "scope": "article",
                   "languages": ["en"]},
    "roles": {"requires": ["entities", "quotes"], "assigns": ["entities.group", "entities.role"], "uses": ["doc"],
              "scope": "block", "languages": ["en"]},
}


def test_pipeline_registry_snapshot():
    built_in = {name: info.contract() for name, info in registry.infos.items() if not name.startswith("test-")}
    assert built_in == REGISTRY_SNAPSHOT
    assert set(products.factories) >= {u for c in REGISTRY_SNAPSHOT.values() for u in c["uses"]}


def test_pipeline_adds_missing_requirements_before_their_user():
    pipe = Pipeline(analyzers=("quotes",))
    assert [a.name for a in pipe.analyzers] == ["boilerplate", "entities", "provenance", "quotes"]
    assert [a.name for a in Pipeline(analyzers=("roles",)).analyzers] == ["boilerplate", "entities", "provenance",
                                                                          "quotes", "roles"]


def test_pipeline_refuses_an_order_that_breaks_a_contract():
    with pytest.raises(ConfigError, match="'quotes' reads the findings of 'entities', which must run before it"):
        Pipeline(analyzers=("quotes", "entities"))


def test_pipeline_quotes_alone_name_the_same_speakers_as_the_full_pipeline():
    article = Article(source="example.txt", text=EXAMPLE.read_text(encoding="utf-8"))
    alone = Pipeline(analyzers=("quotes",)).analyze(article)
    full = Pipeline(analyzers=("entities", "provenance", "quotes")).analyze(article)
    assert [q.speaker and q.speaker.name for q in alone.quotes] == [q.speaker and q.speaker.name for q in full.quotes]
    assert "Maria Lindqvist" in {q.speaker.name for q in alone.quotes if q.speaker}
    assert list(alone.meta.analyzers) == ["boilerplate", "entities", "provenance", "quotes"]


def test_pipeline_meta_records_the_analyzers_that_ran():
    a = Pipeline(analyzers=("roles",)).analyze(Article(source="t", text="Vladimir Putin met Joe Biden in Geneva."))
    assert list(a.meta.analyzers) == ["boilerplate", "entities", "provenance", "quotes", "roles"]
    assert a.entities and all(e.group for e in a.entities)


def test_pipeline_reading_an_undeclared_product_is_an_error():
    class Sneaky:
        name, version = "test-sneaky", "1"

        def annotate(self, ctx):
            ctx.product("encoded")

    if "test-sneaky" not in registry.infos:
        registry.register("test-sneaky", assigns=(), uses=("doc",))(lambda options: Sneaky())
    with pytest.raises(ConfigError, match="reads product 'encoded' without declaring it"):
        Pipeline(analyzers=("test-sneaky",)).analyze(Article(source="t", text="Some words."))
