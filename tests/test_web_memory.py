"""The web app's memory mode (``unspin serve`` without ``--db``) is the corpus store, in memory.

The same articles posted to a server with ``--db`` and to one without give
the same answers to the same queries: FTS5 search with its syntax (phrases,
``OR``, ``NOT``, prefixes), filters, outlet profiles. Only the least
recently used articles are dropped, with their index entries.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install '.[test]')")

from unspin.store import ArticleRow  # noqa: E402
from unspin.web import WebSettings, create_app  # noqa: E402
from unspin.web.repo import Filters, MemoryRepo  # noqa: E402

from .test_web import OPTIONS, TEXT, assert_problem, request, seeded_analysis  # noqa: E402

ARTICLES = [
    ({"text": TEXT, "outlet": "balticledger.eu", "title": "Gas deal"}),
    ({"text": "Harbour vote\n\nThe harbour council met on Monday and voted on the grain plan, the mayor said.",
      "outlet": "kappa.example"}),
    ({"text": "Harbour delay\n\nThe harbours of Gdańsk stay shut; the grain exporters protested on Tuesday.",
      "outlet": "news.kappa.example"}),
    ({"text": "Concert\n\nThe orchestra played Mahler in Tokyo, its conductor said.", "outlet": "lambda.example"}),
]
QUERIES = ["harbour", "harbour council", '"grain plan"', "harbour OR orchestra", "harbour NOT council", "harb*",
           "gdansk", "GAS", "nothing-matches-this"]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    memory = create_app(OPTIONS)
    db = create_app(OPTIONS, tmp_path_factory.mktemp("mem") / "corpus.db")
    for body in ARTICLES:
        ids = [request(app, "POST", "/api/analyze", json=body).json()["id"] for app in (memory, db)]
        assert ids[0] == ids[1]
    return memory, db


def test_memory_and_db_give_the_same_search_answers(apps):
    memory, db = apps
    for q in QUERIES:
        answers = [request(app, "GET", "/api/search", params={"q": q}).json()["hits"] for app in (memory, db)]
        assert answers[0] == answers[1], q
        listed = [request(app, "GET", "/api/articles", params={"q": q}).json() for app in (memory, db)]
        assert listed[0]["items"] == listed[1]["items"] and listed[0]["total"] == listed[1]["total"], q
    hits = request(memory, "GET", "/api/search", params={"q": "harbour NOT council"}).json()["hits"]
    assert [h["outlet"] for h in hits] == ["news.kappa.example"]  # FTS5 syntax, not substrings
    assert len(request(memory, "GET", "/api/search", params={"q": "harb*"}).json()["hits"]) == 2
    assert len(request(memory, "GET", "/api/search", params={"q": "gdansk"}).json()["hits"]) == 1  # diacritics
    assert_problem(request(memory, "GET", "/api/search", params={"q": '"unbalanced'}), 400, "bad search query")
    page = request(memory, "GET", "/search", params={"q": "harbour"}, headers={"accept": "text/html"})
    assert "<b>harbour</b>" in page.text.lower() and '"exact phrase"' in page.text
    # the label filters: the same answers (or the same one-line refusal) in both modes
    for technique in ("Loaded_Language", "doubt", "attack on reputation", "manipulative wording", "No such one"):
        answers = [request(app, "GET", "/api/articles", params={"technique": technique}) for app in (memory, db)]
        assert answers[0].status_code == answers[1].status_code in (200, 400), technique
        assert answers[0].json().get("items") == answers[1].json().get("items"), technique
        assert answers[0].json().get("detail") == answers[1].json().get("detail"), technique
    assert_problem(request(memory, "GET", "/api/articles", params={"technique": "No such one"}), 400,
                   "no technique 'No such one'")


def test_memory_and_db_give_the_same_filters_and_profiles(apps):
    memory, db = apps
    for params in ({}, {"outlet": "kappa.example"}, {"outlet": "kappa.example", "q": "grain"}, {"per_page": 2}):
        answers = [request(app, "GET", "/api/articles", params=params).json() for app in (memory, db)]
        assert {**answers[0], "storage": None} == {**answers[1], "storage": None}, params
    profiles = [request(app, "GET", "/api/outlets/kappa.example").json() for app in (memory, db)]
    assert profiles[0] == profiles[1] and profiles[0]["articles"] == 2


def test_memory_drops_the_least_recently_used_with_its_index_entries():
    app = create_app(OPTIONS, settings=WebSettings(memory_items=2))
    ids = [request(app, "POST", "/api/analyze", json={"text": f"The council met on {day}."}).json()["id"]
           for day in ("Monday", "Tuesday")]
    assert request(app, "GET", f"/api/articles/{ids[0]}").status_code == 200  # read: now the most recent
    third = request(app, "POST", "/api/analyze", json={"text": "The council met on Wednesday."}).json()["id"]
    assert third == 3
    assert request(app, "GET", f"/api/articles/{ids[0]}").status_code == 200
    assert_problem(request(app, "GET", f"/api/articles/{ids[1]}"), 404, "only the last 2 analyses")
    assert request(app, "GET", "/api/search", params={"q": "Tuesday"}).json()["hits"] == []
    assert len(request(app, "GET", "/api/search", params={"q": "council"}).json()["hits"]) == 2
    repo = app.state.web.repo
    with repo._reading() as store:
        assert store.integrity_check() == []
        assert store.db.execute("SELECT count(*) FROM labels WHERE article_id = ?", (ids[1],)).fetchone()[0] == 0


def test_memory_stays_consistent_under_concurrent_writes_and_reads():
    """Threads adding and reading at once (as the server's worker threads do): the store, its index and the
    recency list keep exactly the last ``capacity`` articles."""
    from concurrent.futures import ThreadPoolExecutor

    base = seeded_analysis(sha="base")
    repo = MemoryRepo(capacity=5)

    def work(i: int) -> None:
        analysis = {**base, "text": base["text"] + f" Day {i}.", "meta": {**base["meta"], "content_sha256": f"s{i}"}}
        article_id = repo.add(analysis, ArticleRow(source=f"{i}.txt"))
        repo.get(article_id)
        repo.summary(max(1, article_id - 3))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(40)))
    with repo._reading() as store:
        assert store.integrity_check() == []
        ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id")]
        assert store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 5
        assert {r[0] for r in store.db.execute("SELECT DISTINCT article_id FROM labels")} <= set(ids)
    assert len(ids) == 5 and sorted(repo._recent) == ids
    assert len(repo.search("Day", Filters(), limit=50, marks=("[", "]"))) == 5
