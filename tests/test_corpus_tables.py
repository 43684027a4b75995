"""The corpus as long tables (export, DataFrames), breakdowns of ``stats``, and what outlet profiles count.

The tables are checked on a real ingest of Unicode articles (every offset must give back its text; marked slow, the
ingest loads the models); the counts on stores of hand-made analyses whose verdicts and speakers are known.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import unspin
from tests.conftest import EXAMPLE, cli
from tests.test_corpus_helpers import article_text, fake_analysis
from unspin.cli import main
from unspin.corpus import Corpus
from unspin.corpus.tables import COLUMNS, FINDING_TABLES, TABLE_NAMES
from unspin.store import ArticleRow
from unspin.types import Analysis

UNICODE_ARTICLE = (
    "Zürich’s mayor backs the tram deal 🚋\n\n"
    "“We will not wait another decade,” Mayor Corine Mauch said on Monday in Zürich. "
    "The deal with Siemens Mobility, worth 1.2 billion francs, was signed after talks that critics called "
    "“a disgraceful surrender” to industry.\n"
    "According to Reuters, the canton’s finance office warned that costs could rise — again. "
    "Łukasz Nowak, an engineer from Kraków, told the Neue Zürcher Zeitung that the plan was “reckless and naive.”\n"
)

# Offset columns of each table of findings: (start, end, text).
SPANS = {
    "techniques": [("start", "end", "text")],
    "quotes": [("speaker_start", "speaker_end", "speaker_mention"), ("cue_start", "cue_end", "cue"),
               ("content_start", "content_end", "content")],
    "entities": [("start", "end", "text")],
    "cited_sources": [("start", "end", "text"), ("cue_start", "cue_end", "cue")],
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two real analyses (default analyzers) of Unicode articles, from a real `unspin ingest`."""
    folder = tmp_path_factory.mktemp("in")
    (folder / "zurich.txt").write_text(UNICODE_ARTICLE, encoding="utf-8")
    (folder / "ledger.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path_factory.mktemp("db") / "real.db"
    try:
        main(["ingest", str(folder), "--db", str(db), "--workers", "1", "--quiet"])
    except SystemExit as exc:  # only on failure
        pytest.fail(f"ingest failed ({exc.code})")
    return db


def _texts(db: Path) -> dict[int, str]:
    with Corpus(db, readonly=True) as store:
        return {aid: store.analysis(aid)["text"] for (aid,) in store.db.execute("SELECT id FROM articles")}


def _check_offsets(frames: dict[str, pd.DataFrame], texts: dict[int, str]) -> int:
    checked = 0
    for table, spans in SPANS.items():
        for row in frames[table].to_dict("records"):
            for start, end, text in spans:
                if pd.isna(row[start]):
                    continue
                assert texts[int(row["article_id"])][int(row[start]):int(row[end])] == row[text], (table, row)
                checked += 1
    return checked


@pytest.mark.slow
def test_dataframes_one_row_per_finding_with_offsets_into_the_text(ingested):
    corpus = unspin.open_corpus(ingested)
    frames = {name: corpus.dataframe(name) for name in TABLE_NAMES}
    articles = corpus.articles()
    assert list(articles.columns) == [c for c, _ in COLUMNS["articles"]]
    assert len(articles) == 2 and str(articles["id"].dtype) == "Int64" and str(articles["story_id"].dtype) == "Int64"
    for name in FINDING_TABLES:
        assert list(frames[name].columns) == [c for c, _ in COLUMNS[name]]
    for name in ("techniques", "quotes", "entities", "cited_sources"):
        assert len(frames[name]) > 0, name
    assert _check_offsets(frames, _texts(ingested)) > 40
    quotes = corpus.quotes()
    assert set(quotes["article_id"]) <= set(articles["id"])
    assert (quotes["speaker_mention"].notna() | quotes["speaker"].isna()).all()
    # Joined on article id: what pandas users do with them.
    per_outlet = corpus.techniques().merge(articles, left_on="article_id", right_on="id").groupby("source").size()
    assert per_outlet.sum() == len(frames["techniques"])


@pytest.mark.slow
def test_export_writes_the_long_tables_beside_the_articles_table(ingested, tmp_path, capsys):
    out = tmp_path / "out" / "news.parquet"
    out.parent.mkdir()
    code, _, err = cli(capsys, "export", "--db", ingested, "-f", "parquet", "-o", out)
    assert code == 0
    files = {name: out.with_name("news.parquet" if name == "articles" else f"news.{name}.parquet")
             for name in TABLE_NAMES}
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in files.values())
    assert err.startswith(f"unspin: exported 2 articles to {out}; ") and "techniques rows" in err
    frames = {name: pd.read_parquet(path) for name, path in files.items()}
    assert "analysis" not in frames["articles"].columns  # the full JSON only on request
    assert _check_offsets(frames, _texts(ingested)) > 40
    corpus = unspin.open_corpus(ingested)
    for name, frame in frames.items():
        assert len(frame) == len(corpus.dataframe(name)), name
        assert pq.read_schema(files[name]).names == [c for c, _ in COLUMNS[name]]


@pytest.mark.slow
def test_export_csv_and_jsonl_hold_the_same_rows(ingested, tmp_path, capsys):
    for fmt in ("csv", "jsonl"):
        code, _, _ = cli(capsys, "export", "--db", ingested, "-f", fmt, "-o", tmp_path / f"news.{fmt}",
                         "--tables", "articles,quotes")
        assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.csv", "news.jsonl", "news.quotes.csv",
                                                          "news.quotes.jsonl"]
    quotes = unspin.open_corpus(ingested).table("quotes").to_pylist()
    with (tmp_path / "news.quotes.csv").open(encoding="utf-8", newline="") as f:
        from_csv = list(csv.DictReader(f))
    from_jsonl = [json.loads(line) for line in (tmp_path / "news.quotes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert from_jsonl == quotes
    assert [(r["article_id"], r["content"], r["speaker"]) for r in from_csv] == [
        (str(q["article_id"]), q["content"], q["speaker"] or "") for q in quotes]
    articles = [json.loads(line) for line in (tmp_path / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    assert isinstance(articles[0]["analyzers"], dict) and "analysis" not in articles[0]


@pytest.mark.slow
def test_the_full_analysis_json_on_request(ingested, tmp_path, capsys):
    code, _, _ = cli(capsys, "export", "--db", ingested, "-f", "jsonl", "-o", tmp_path / "full.jsonl", "--tables",
                     "articles", "--with-analysis")
    assert code == 0
    rows = [json.loads(line) for line in (tmp_path / "full.jsonl").read_text(encoding="utf-8").splitlines()]
    with Corpus(ingested, readonly=True) as store:
        assert [r["analysis"] for r in rows] == [store.analysis(r["id"]) for r in rows]
    assert Analysis.from_dict(rows[0]["analysis"]).to_dict() == rows[0]["analysis"]
    code, _, _ = cli(capsys, "export", "--db", ingested, "-f", "parquet", "-o", tmp_path / "full.parquet",
                     "--tables", "articles", "--with-analysis")
    table = pq.read_table(tmp_path / "full.parquet")
    assert json.loads(table.column("analysis")[0].as_py()) == rows[0]["analysis"]


@pytest.mark.slow
def test_export_mistakes_are_one_line(ingested, tmp_path, capsys):
    code, _, err = cli(capsys, "export", "--db", ingested, "-f", "csv", "-o", tmp_path / "x.csv", "--tables", "nope")
    assert code == 2 and "unknown table 'nope'" in err
    code, _, err = cli(capsys, "export", "--db", ingested, "-f", "csv", "-o", tmp_path / "missing" / "x.csv")
    assert code == 1 and err == f"unspin: error: {tmp_path / 'missing' / 'x.csv'}: cannot write (no such file or directory)\n"
    assert not list(tmp_path.glob("**/*.csv"))
    with pytest.raises(unspin.UnspinError, match="unknown table 'nope'"):
        unspin.open_corpus(ingested).table("nope")


# -- hand-made stores: counts and profiles ----------------------------------------------


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    """Two outlets over two months; one German page; one listing page with a named speaker; known techniques."""
    db = tmp_path / "c.db"
    items = [
        ("kappa.example", "2024-04-02", "en", "article", ["Loaded_Language", "Doubt"],
         [("Maria Lindqvist", "direct"), (None, "indirect", "sources")]),
        ("kappa.example", "2024-04-20", "en", "article", ["Loaded_Language"], [("Maria Lindqvist", "indirect")]),
        ("kappa.example", "2024-05-01", "en", "listing", ["Flag_Waving"], [("Menu Editor", "direct")]),
        ("lambda.example", "2024-05-03", "de", "article", [], [(None, "direct", "er")]),
        ("lambda.example", None, None, None, ["Loaded_Language"], []),  # analysed before verdicts existed
    ]
    with Corpus(db) as store:
        for i, (outlet, day, language, kind, techniques, quotes) in enumerate(items):
            text = article_text(700 + i)
            analysis = fake_analysis(text, title=f"T{i}", techniques=techniques, quotes=quotes, language=language,
                                     page_kind=kind)
            store.add(analysis, ArticleRow(source=f"s{i}", outlet=outlet, title=f"T{i}", published=day))
    return db


def test_stats_breaks_down_by_outlet_month_language_page_and_technique(labelled, capsys):
    code, out, _ = cli(capsys, "stats", "--db", labelled, "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["articles"] == 5 and set(stats["by"]) == {"outlet", "month", "language", "page", "technique"}
    by = stats["by"]
    assert [(r["outlet"], r["articles"], r["flagged"]) for r in by["outlet"]] == [
        ("kappa.example", 3, 1), ("lambda.example", 2, 0)]
    assert [(r["month"], r["articles"], r["outlets"]) for r in by["month"]] == [
        ("2024-04", 2, 1), ("2024-05", 2, 2), (None, 1, 1)]
    assert [(r["language"], r["articles"]) for r in by["language"]] == [("en", 3), ("de", 1), (None, 1)]
    assert [(r["page_kind"], r["articles"], r["flagged"]) for r in by["page"]] == [
        ("article", 3, 0), ("listing", 1, 1), (None, 1, 0)]
    words = stats["words"]
    assert [(r["technique"], r["spans"], r["articles"]) for r in by["technique"]] == [
        ("Loaded_Language", 3, 3), ("Doubt", 1, 1), ("Flag_Waving", 1, 1)]
    assert by["technique"][0]["per_1000_words"] == round(3 * 1000 / words, 3)
    assert by["technique"][0]["family"] == "manipulative wording"
    code, out, _ = cli(capsys, "stats", "--db", labelled, "--by", "language", "--top", "1", "--format", "json")
    assert json.loads(out)["by"] == {"language": [{"language": "en", "articles": 3, "words": by["language"][0]["words"]}]}
    code, out, _ = cli(capsys, "stats", "--db", labelled, "--by", "none", "--format", "json")
    assert json.loads(out)["by"] == {}


def test_stats_text_shows_each_breakdown(labelled, capsys):
    code, out, _ = cli(capsys, "stats", "--db", labelled)
    rows = [line.split() for line in out.splitlines()]
    assert code == 0 and rows[0] == ["articles", "5"]
    for head in (["by", "outlet", "articles", "words", "flagged"], ["by", "month", "articles", "outlets", "words",
                                                                    "flagged"],
                 ["by", "language", "articles", "words"], ["by", "page", "articles", "flagged"],
                 ["by", "technique", "spans", "articles", "per", "1000", "words"]):
        assert head in rows
    assert ["kappa.example", "3"] == rows[rows.index(["by", "outlet", "articles", "words", "flagged"]) + 1][:2]
    assert ["(undated)", "1", "1"] == next(r for r in rows if r[:1] == ["(undated)"])[:3]
    assert ["(not", "detected)", "1"] == next(r for r in rows if r[:1] == ["(not"])[:3]
    assert ["Loaded_Language", "3", "3"] == next(r for r in rows if r[:1] == ["Loaded_Language"])[:3]


def test_outlet_profile_leaves_flagged_pages_out_unless_asked(labelled, capsys):
    corpus = unspin.open_corpus(labelled)
    profile = corpus.outlet("kappa.example")
    assert profile["articles"] == 2
    assert profile["flagged_pages"] == {"count": 1, "by_kind": {"listing": 1}, "included": False}
    # The listing's speaker and technique are left out with it; the unnamed "sources" is nobody.
    assert profile["quoted_speakers"] == [{"speaker": "Maria Lindqvist", "articles": 2, "quotes": 2}]
    assert profile["quotes"] == {"direct": 1, "indirect": 2}
    assert {x["label"] for x in profile["labels"]["technique"]["top"]} == {"Loaded_Language", "Doubt"}
    everything = corpus.outlet("kappa.example", include_flagged=True)
    assert everything["articles"] == 3 and everything["flagged_pages"]["included"] is True
    assert {s["speaker"] for s in everything["quoted_speakers"]} == {"Maria Lindqvist", "Menu Editor"}
    # An outlet without verdicts (older analyses) and a German page: nothing left out.
    assert corpus.outlet("lambda.example")["articles"] == 2
    assert corpus.outlet("lambda.example")["quoted_speakers"] == []
    code, out, _ = cli(capsys, "outlet", "kappa.example", "--db", labelled)
    assert code == 0 and "  flagged pages (listing 1): 1 left out (--include-flagged counts them)" in out
    code, out, _ = cli(capsys, "outlet", "kappa.example", "--db", labelled, "--include-flagged", "-f", "json")
    assert json.loads(out)["articles"] == 3


def test_an_outlet_of_flagged_pages_only_still_has_a_profile(tmp_path, capsys):
    db = tmp_path / "c.db"
    with Corpus(db) as store:
        store.add(fake_analysis(article_text(801), page_kind="recipe"), ArticleRow(source="r", outlet="food.example"))
    profile = unspin.open_corpus(db).outlet("food.example")
    assert profile["articles"] == 0 and profile["flagged_pages"]["by_kind"] == {"recipe": 1}
    assert not math.isnan(profile["words"])
