"""The JSON Schema of an analysis: accepts what to_dict() makes, rejects the rest."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from unspin.schema import load_schema, validate  # noqa: E402
from unspin.types import SCHEMA_VERSION, Analysis  # noqa: E402

try:
    from .handmade import empty_analysis, full_analysis, iter_spans
except ImportError:  # tests/ collected without a package __init__
    from handmade import empty_analysis, full_analysis, iter_spans


def test_schema_is_valid_draft_2020_12_with_id_and_version():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    assert schema["properties"]["schema"]["const"] == SCHEMA_VERSION == "1.3"
    for name in ("Span", "Boilerplate", "Speaker", "Outlet", "Syndication", "CitedSource", "Quote", "Entity", "Technique",
                 "Paragraph", "ParagraphLabel", "Meta", "Rating"):
        assert name in schema["$defs"]


def test_schema_objects_are_strict_and_documented():
    schema = load_schema()

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, path
                assert set(node["required"]) == set(node["properties"]), path
                for key, sub in node["properties"].items():
                    target = schema["$defs"][sub["$ref"].rsplit("/", 1)[-1]] if "$ref" in sub else {}
                    assert "description" in sub or "description" in target, f"{path}.{key}"
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    walk(schema, "#")


def test_load_schema_returns_a_copy():
    load_schema()["title"] = "changed"
    assert load_schema()["title"] != "changed"


def test_full_handmade_analysis_validates_and_offsets_hold():
    data = full_analysis().to_dict()
    validate(data)
    spans = iter_spans(data)
    assert len(spans) > 40
    for span in spans:
        assert data["text"][span["start"]:span["end"]] == span["text"]
    # the emoji before spans makes UTF-16 and UTF-8 offsets differ from str offsets
    assert len(data["text"]) < len(data["text"].encode("utf-16-le")) // 2 < len(data["text"].encode())


def test_empty_findings_analysis_validates():
    validate(empty_analysis().to_dict())
    bare = Analysis(source="x.txt", schema=SCHEMA_VERSION, title=None, text="")
    validate(bare.to_dict())


def test_json_round_trip_validates():
    data = json.loads(full_analysis().to_json())
    validate(data)
    assert Analysis.from_dict(data) == full_analysis()


def _broken(change) -> dict:
    data = copy.deepcopy(full_analysis().to_dict())
    change(data)
    return data


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.__setitem__("schema", "2.0"), id="wrong-version"),
        pytest.param(lambda d: d.__setitem__("title", 42), id="title-not-string"),
        pytest.param(lambda d: d["quotes"][0]["content"].__setitem__("start", "3"), id="offset-as-string"),
        pytest.param(lambda d: d["quotes"][0]["content"].__setitem__("start", -1), id="negative-offset"),
        pytest.param(lambda d: d["entities"][0].__setitem__("start", 1.5), id="float-offset"),
        pytest.param(lambda d: d["quotes"][0].__setitem__("kind", "paraphrase"), id="unknown-quote-kind"),
        pytest.param(lambda d: d["provenance"]["outlet"].__setitem__("basis", "guess"), id="unknown-basis"),
        pytest.param(lambda d: d["provenance"]["outlet"]["rating"].__setitem__("score", 3), id="rating-not-string"),
        pytest.param(lambda d: d["techniques"][0].__setitem__("score", 1.5), id="score-above-1"),
        pytest.param(lambda d: d["meta"].__setitem__("content_sha256", "xyz"), id="bad-sha"),
        pytest.param(lambda d: d["meta"]["extra"].__setitem__("n", None), id="extra-not-string"),
        pytest.param(lambda d: d.__setitem__("quotes", {}), id="quotes-not-array"),
        pytest.param(lambda d: d["provenance"].__setitem__("syndicated_from", "The Ledger"), id="syndication-string"),
    ],
)
def test_schema_rejects_wrong_types(change):
    with pytest.raises(jsonschema.ValidationError):
        validate(_broken(change))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.__setitem__("sentiment", 0.3), id="top-level"),
        pytest.param(lambda d: d["provenance"].__setitem__("notes", []), id="provenance"),
        pytest.param(lambda d: d["quotes"][1]["speaker"].__setitem__("gender", "f"), id="speaker"),
        pytest.param(lambda d: d["quotes"][1]["speaker"]["resolved"].__setitem__("x", 1), id="resolved-span"),
        pytest.param(lambda d: d["provenance"]["cited_sources"][0].__setitem__("url", "u"), id="cited-source"),
        pytest.param(lambda d: d["paragraphs"][0].__setitem__("text", "…"), id="paragraph"),
        pytest.param(lambda d: d["meta"].__setitem__("host", "h"), id="meta"),
    ],
)
def test_schema_rejects_unknown_fields(change):
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        validate(_broken(change))


def test_rating_is_an_open_object_of_strings():
    data = _broken(lambda d: d["provenance"]["outlet"]["rating"].__setitem__("any_new_column", "value"))
    validate(data)


@pytest.mark.parametrize(
    "path",
    [
        ("text",),
        ("schema",),
        ("meta",),
        ("provenance", "cited_sources"),
        ("quotes", 0, "kind"),
        ("quotes", 0, "cue"),
        ("quotes", 0, "speaker", "name"),
        ("entities", 0, "type"),
        ("techniques", 0, "score"),
        ("provenance", "outlet", "evidence"),
        ("meta", "content_sha256"),
    ],
)
def test_schema_rejects_missing_fields(path):
    def drop(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    with pytest.raises(jsonschema.ValidationError, match="required"):
        validate(_broken(drop))


def test_nullable_fields_accept_null():
    def nulls(d):
        d["title"] = None
        d["provenance"]["outlet"] = None
        d["provenance"]["syndicated_from"] = None
        d["quotes"][0]["speaker"] = None
        d["quotes"][0]["cue"] = None
        d["provenance"]["cited_sources"][0]["domain"] = None
        d["provenance"]["cited_sources"][0]["rating"] = None
        d["provenance"]["cited_sources"][0]["cue"] = None
        d["meta"]["url"] = None
        d["meta"]["content_sha256"] = None

    validate(_broken(nulls))


def test_docs_complete_example_validates_and_offsets_hold():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    block = re.search(r"## A complete example\s+```json\n(.*?)\n```", doc, re.DOTALL)
    assert block, "docs/schema.md has no complete example"
    data = json.loads(block.group(1))
    validate(data)
    for span in iter_spans(data):
        assert data["text"][span["start"]:span["end"]] == span["text"]
    assert data["meta"]["content_sha256"] == hashlib.sha256(data["text"].encode()).hexdigest()
