"""The corpus store: idempotent writes, failures, search, near-duplicates (no models needed)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.test_corpus_helpers import article_text, fake_analysis
from unspin.corpus import dedup
from unspin.corpus.labels import extract_labels, technique_family
from unspin.corpus.sources import normalize_published
from unspin.corpus import Corpus
from unspin.corpus.search import fts_query
from unspin.store import STORE_SCHEMA, ArticleRow, Store, StoreError


def add(store: Corpus, text: str, *, outlet: str | None = "a.example", published: str | None = None,
        source: str = "s", **kw):
    analysis = fake_analysis(text, title=text.split("\n", 1)[0], **kw)
    row = ArticleRow(source=source, outlet=outlet, title=analysis["title"], published=published)
    return store.add(analysis, row, signature=dedup.signature(text))


def test_same_text_is_stored_once_and_counts(tmp_path):
    db = tmp_path / "c.db"
    with Corpus(db) as store:
        first = add(store, article_text(1))
        again = add(store, article_text(1), source="other")
        add(store, article_text(2), outlet="b.example")
        store.add_failure("bad.txt", "file is empty")
        store.add_failure("bad.txt", "file is empty")
    assert first.new and not again.new and again.id == first.id
    with Corpus(db, readonly=True) as store:
        stats = store.stats()
        assert store.integrity_check() == []
    assert stats == {"articles": 2, "failed": 1, "outlets": 2, "stories": 0, "duplicates": 0,
                     "words": stats["words"]}
    assert stats["words"] > 100


def test_failure_is_cleared_when_the_source_is_later_stored(tmp_path):
    with Corpus(tmp_path / "c.db") as store:
        store.add_failure("s", "timed out after 1 s")
        add(store, article_text(3), source="s")
        assert store.stats()["failed"] == 0


def test_uncommitted_writes_are_not_visible_and_commit_makes_them_durable(tmp_path):
    db = tmp_path / "c.db"
    store = Corpus(db)
    add(store, article_text(1))
    store.commit()
    add(store, article_text(2))
    reader = Corpus(db, readonly=True)
    assert reader.stats()["articles"] == 1
    store.commit()
    assert reader.stats()["articles"] == 2
    store.close()


def test_search_ranks_filters_and_snippets(tmp_path):
    with Corpus(tmp_path / "c.db") as store:
        add(store, "Grain deal\n\nThe grain corridor reopened after talks in Istanbul.", outlet="a.example",
            published="2024-03-02")
        add(store, "Gas row\n\nGas prices rose; the grain harvest was late in the south.", outlet="news.b.example",
            published="2024-05-10T08:00:00+00:00")
        add(store, "Unrelated\n\nA football match ended in a draw.", outlet="a.example")
        store.commit()
        hits = store.search("grain")
        assert [h["title"] for h in hits] == ["Grain deal", "Gas row"]
        assert "[grain]" in hits[0]["snippet"].lower()
        assert [h["title"] for h in store.search("grain", outlet="b.example")] == ["Gas row"]
        assert [h["title"] for h in store.search("grain", since="2024-04-01")] == ["Gas row"]
        assert [h["title"] for h in store.search("grain", until="2024-03-02")] == ["Grain deal"]
        assert store.search("grain corridor") and not store.search("grain football")
        assert [h["title"] for h in store.search('"grain harvest"')] == ["Gas row"]
        assert store.search("gra*", limit=1)[0]["title"] in ("Grain deal", "Gas row")
        with pytest.raises(StoreError):
            store.search('"unbalanced')


def test_fts_query_quotes_plain_words():
    assert fts_query("gas deal") == '"gas" "deal"'
    assert fts_query("don't") == '"don" "t"'
    assert fts_query('"exact phrase" OR x') == '"exact phrase" OR x'


def test_syndicated_copy_links_to_earliest_original(tmp_path):
    base = article_text(7, words=200)
    copy = "Republished with permission.\n" + base + "This article first appeared on a.example.\n"
    with Corpus(tmp_path / "c.db") as store:
        late = add(store, copy, outlet="copier.example", published="2024-01-05")
        assert late.duplicate_of is None
        orig = add(store, base, outlet="a.example", published="2024-01-01")  # stored later, published earlier
        third = add(store, base.replace("Tuesday", "Wednesday"), outlet="c.example", published="2024-01-09")
        other = add(store, article_text(8, words=200))
        rows = dict(store.db.execute("SELECT id, duplicate_of FROM articles"))
    assert orig.duplicate_of is None
    assert rows[late.id] == orig.id and rows[third.id] == orig.id and rows[orig.id] is None
    assert rows[other.id] is None
    assert third.similarity is not None and third.similarity >= dedup.THRESHOLD


def test_minhash_estimates_jaccard():
    a = dedup.signature(article_text(1, words=300))
    b = dedup.signature(article_text(1, words=300) + " One more closing line of the copy.")
    c = dedup.signature(article_text(2, words=300))
    assert dedup.similarity(a, b) > 0.85
    assert dedup.similarity(a, c) < 0.3
    assert dedup.from_blob(dedup.to_blob(a)).tolist() == a.tolist()
    assert len(dedup.band_keys(a)) == dedup.BANDS


def test_labels_rows_for_techniques_and_later_analyses(tmp_path):
    analysis = fake_analysis("x y z", techniques=["Loaded_Language", "Flag_Waving"])
    analysis["genre"] = {"label": "opinion", "score": 0.8}
    analysis["narratives"] = [{"narrative": "Blaming the West", "score": 0.7}]
    rows = list(extract_labels(analysis))
    assert ("technique", "Loaded_Language", "manipulative wording", 0, 5, 0.9) in rows
    assert ("genre", "opinion", None, None, None, 0.8) in rows
    assert ("narrative", "Blaming the West", None, None, None, 0.7) in rows
    assert technique_family("Name_Calling-Labeling") == "attack on reputation"


def test_not_an_unspin_database(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE x (y)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an unspin database"):
        Store(other)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not an unspin database"):
        Store(junk)
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", readonly=True)


@pytest.mark.parametrize(("raw", "iso"), [
    ("2024-05-01", "2024-05-01"),
    ("2024-05-01T12:30:00Z", "2024-05-01T12:30:00+00:00"),
    ("2024-05-01T14:30:00+02:00", "2024-05-01T12:30:00+00:00"),
    ("Wed, 01 May 2024 12:30:00 GMT", "2024-05-01T12:30:00+00:00"),
    (1714566600, "2024-05-01T12:30:00+00:00"),
    ("yesterday", None),
    ("", None),
])
def test_normalize_published(raw, iso):
    assert normalize_published(raw) == iso


def _labelled_store(path):
    store = Corpus(path)
    base = "Talks\n\nThe grain corridor talks went on in {}."
    a = fake_analysis(base.format("Istanbul"), title="A", techniques=["Loaded_Language", "Name_Calling-Labeling"])
    a["narratives"] = [{"narrative": "URW: Blaming the war on others: The West", "score": 0.8}]
    b = fake_analysis(base.format("Odesa"), title="B", techniques=["Flag_Waving"])
    b["narratives"] = [{"narrative": "URW: Praise of Russia", "score": 0.6}]
    c = fake_analysis(base.format("Kyiv"), title="C")
    for analysis in (a, b, c):
        store.add(analysis, ArticleRow(source=analysis["title"], title=analysis["title"], outlet="a.example"))
    store.commit()
    return store


def test_search_filters_by_technique_and_narrative(tmp_path):
    with _labelled_store(tmp_path / "c.db") as store:
        titles = lambda **kw: sorted(h["title"] for h in store.search("grain", **kw))  # noqa: E731
        assert titles() == ["A", "B", "C"]
        assert titles(techniques=["Loaded_Language"]) == ["A"]
        assert titles(techniques=["loaded language"]) == ["A"]  # any spelling
        assert titles(techniques=["name calling, labeling"]) == ["A"]
        assert titles(techniques=["justification"]) == ["B"]  # a SemEval-2023 family
        assert titles(techniques=["Loaded_Language", "Flag_Waving"]) == []  # all required
        assert titles(techniques=["Appeal_to_Fear-Prejudice"]) == []  # in the taxonomy, in no article
        assert titles(narratives=["URW: Praise of Russia"]) == ["B"]
        assert titles(narratives=["urw: blaming the war on others"]) == ["A"]  # covers its sub-narratives
        assert titles(techniques=["Loaded_Language"], narratives=["URW: Praise of Russia"]) == []
        assert titles(techniques=["Flag_Waving"], outlet="a.example", narratives=["URW: Praise of Russia"]) == ["B"]
        assert store.labels_of_kind("technique") == ["Flag_Waving", "Loaded_Language", "Name_Calling-Labeling"]
        with pytest.raises(StoreError, match="did you mean 'Loaded_Language'"):
            store.search("grain", techniques=["Loded_Language"])
        with pytest.raises(StoreError, match="no narrative 'Nothing like it'"):
            store.search("grain", narratives=["Nothing like it"])


def test_search_without_words_lists_the_labelled_articles_newest_first(tmp_path):
    from unspin.store import QueryError

    with Corpus(tmp_path / "c.db") as store:
        long_text = "Talks\n\n" + "Élan — “grain” 😀 corridor talks went on. " * 20
        for title, day, techniques in (("old", "2026-01-02", ["Doubt"]), ("new", "2026-03-04", ["Doubt"]),
                                       ("undated", None, ["Doubt"]), ("other", "2026-05-06", ["Flag_Waving"])):
            a = fake_analysis(long_text.replace("Talks", title), title=title, techniques=techniques)
            store.add(a, ArticleRow(source=title, title=title, outlet="a.example", published=day))
        store.commit()
        hits = store.search(None, techniques=["doubt"])
        assert [h["title"] for h in hits] == ["new", "old", "undated"]  # newest first, undated last
        assert all(h["score"] is None for h in hits)
        snippet = hits[0]["snippet"]
        assert snippet.startswith("new\n\nÉlan — “grain” 😀") and snippet.endswith(" …") and len(snippet) <= 242
        assert [h["title"] for h in store.search("  ", techniques=["doubt"], since="2026-02-01")] == ["new"]
        assert [h["title"] for h in store.search(None, outlet="a.example", limit=2)] == ["other", "new"]
        with pytest.raises(QueryError, match="nothing to search for"):
            store.search(None)
        with pytest.raises(QueryError, match="no technique 'Dout'.*did you mean 'Doubt'"):
            store.search(None, techniques=["Dout"])


def test_page_verdict_and_quote_speakers_become_columns(tmp_path):
    with Corpus(tmp_path / "c.db") as store:
        news = add(store, article_text(11), language="en", page_kind="article",
                   quotes=[("Maria Lindqvist", "direct", "Lindqvist"), (None, "indirect", "sources")])
        listing = add(store, article_text(12), language="de", page_kind="listing")
        before = add(store, article_text(13))  # an analysis written before schema 1.2: no verdict
        cols = {r[0]: r[1:] for r in store.db.execute("SELECT id, language, page_kind, extraction_ok FROM articles")}
        quotes = store.db.execute("SELECT speaker, kind, mention FROM quotes ORDER BY rowid").fetchall()
    assert cols == {news.id: ("en", "article", 1), listing.id: ("de", "listing", 0), before.id: (None, None, None)}
    # The speaker is the analyzer's name or nothing: a mention it could not name is no speaker.
    assert quotes == [("Maria Lindqvist", "direct", "Lindqvist"), (None, "indirect", "sources")]


def _as_schema_1(path) -> None:
    """Turn a store written by this version back into the layout of store schema 1, as older unspin wrote it."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("DROP INDEX articles_language")
    for col in ("language", "page_kind", "extraction_ok"):
        con.execute(f"ALTER TABLE articles DROP COLUMN {col}")
    con.execute("ALTER TABLE quotes DROP COLUMN mention")
    # Schema 1 kept the mention as the speaker when the analyzer had no name.
    con.execute("DELETE FROM quotes")
    for aid, analysis in con.execute("SELECT id, analysis FROM articles").fetchall():
        for q in json.loads(analysis)["quotes"]:
            sp = q["speaker"] or {}
            con.execute("INSERT INTO quotes VALUES (?, ?, ?)", (aid, sp.get("name") or sp.get("text"), q["kind"]))
    con.execute("UPDATE meta SET value = '1' WHERE key = 'store_schema'")
    con.close()


def test_a_schema_1_store_is_upgraded_once_even_when_opened_read_only(tmp_path):
    db = tmp_path / "old.db"
    with Corpus(db) as store:
        add(store, article_text(21), language="en", page_kind="article",
            quotes=[("John Carter", "direct", "Carter"), (None, "indirect", "he")])
        add(store, article_text(22), quotes=[(None, "direct", "the poll")])
    _as_schema_1(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT speaker FROM quotes ORDER BY rowid").fetchall() == [("John Carter",), ("he",),
                                                                                   ("the poll",)]
    con.close()
    with Corpus(db, readonly=True) as store:  # a read-only open upgrades the file through a short writable one
        assert store.db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone() == (STORE_SCHEMA,)
        assert store.db.execute("SELECT speaker, kind, mention FROM quotes ORDER BY rowid").fetchall() == [
            ("John Carter", "direct", "Carter"), (None, "indirect", "he"), (None, "direct", "the poll")]
        assert store.db.execute("SELECT language, page_kind, extraction_ok FROM articles ORDER BY id").fetchall() == [
            ("en", "article", 1), (None, None, None)]
        assert store.integrity_check() == []
        upgraded = store.db.execute("SELECT value FROM meta WHERE key = 'upgraded_to_2_at'").fetchone()
    with Corpus(db) as store:  # nothing more to do the second time
        assert store.db.execute("SELECT value FROM meta WHERE key = 'upgraded_to_2_at'").fetchone() == upgraded
        assert store.integrity_check() == []


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    db = tmp_path / "new.db"
    Corpus(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'store_schema'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=f"store schema 99, this unspin reads {STORE_SCHEMA}"):
        Corpus(db, readonly=True)


def _narrated_store(path):
    """Articles whose narratives carry sub-narratives (and one narrative whose sub-narrative is itself)."""
    store = Corpus(path)
    base = "Talks\n\nThe grain corridor talks — “a farce” 😀 — went on in {}."
    rows = [("A", [("URW: Blaming the war on others", "URW: Blaming the war on others: The West are the aggressors",
                    0.8)]),
            ("B", [("CC: Criticism of climate policies", "CC: Criticism of climate policies: Climate policies are only "
                                                          "for profit", 0.6),
                   ("CC: Criticism of climate policies", "CC: Criticism of climate policies: Other", 0.3)]),
            ("C", [("Other", "Other", 0.9)])]
    for title, narratives in rows:
        a = fake_analysis(base.format(title), title=title)
        a["narratives"] = [{"narrative": n, "subnarrative": s, "score": p, "evidence": []} for n, s, p in narratives]
        store.add(a, ArticleRow(source=title, title=title, outlet="a.example"))
    store.commit()
    return store


def _label_rows(store) -> list[tuple]:
    return store.db.execute("SELECT article_id, kind, label, family, start, \"end\", score FROM labels "
                            "ORDER BY article_id, kind, label, score").fetchall()


def test_sub_narratives_are_labels_of_their_own_and_filter_articles(tmp_path):
    with _narrated_store(tmp_path / "n.db") as store:
        subs = store.labels_of_kind("subnarrative")
        assert subs == ["CC: Criticism of climate policies: Climate policies are only for profit",
                        "CC: Criticism of climate policies: Other",
                        "URW: Blaming the war on others: The West are the aggressors"]
        assert store.labels_of_kind("narrative") == ["CC: Criticism of climate policies", "Other",
                                                     "URW: Blaming the war on others"]  # each counted once
        titles = lambda **kw: sorted(h["title"] for h in store.search(None, **kw))  # noqa: E731
        assert titles(narratives=["cc: criticism of climate policies: climate policies are only for profit"]) == ["B"]
        assert titles(narratives=["URW: Blaming the war on others"]) == ["A"]
        assert titles(narratives=["urw: blaming the war on others: the west are the aggressors"]) == ["A"]


def test_a_schema_2_store_gets_its_sub_narrative_labels(tmp_path):
    db = tmp_path / "old.db"
    with _narrated_store(db) as store:
        fresh = _label_rows(store)
    assert any(kind == "subnarrative" for _, kind, *_ in fresh)
    con = sqlite3.connect(db, isolation_level=None)  # as store schema 2 wrote it: no sub-narrative rows
    con.execute("DELETE FROM labels WHERE kind = 'subnarrative'")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'store_schema'")
    con.close()
    with Corpus(db, readonly=True) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone() == (STORE_SCHEMA,)
        assert _label_rows(store) == fresh  # the migration writes what storing them today writes
        assert store.integrity_check() == []


def test_the_web_narrative_filter_offers_sub_narratives_too(tmp_path):
    pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install '.[test]')")
    from unspin.web.repo import Filters, StoreRepo

    _narrated_store(tmp_path / "n.db").close()
    repo = StoreRepo(str(tmp_path / "n.db"))
    offered = repo.label_names("narrative")
    assert "URW: Blaming the war on others" in offered
    assert "URW: Blaming the war on others: The West are the aggressors" in offered
    items, total = repo.list(Filters(narratives=("URW: Blaming the war on others: The West are the aggressors",)),
                             offset=0, limit=10)
    assert total == 1 and [i["title"] for i in items] == ["A"]
