"""What the web app wires to the rest of unspin (issue 21 point 6).

Framing asked for through the HTTP API (``"analyzers"``) and the home form's
toggles; ``/stories`` and the story pages listing what the store holds
(stories built as ``unspin ingest`` builds them, with the real encoder); an
``Analysis`` drawing itself in a notebook (``_repr_html_``).
"""

from __future__ import annotations

import html as html_lib
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install '.[test]')")

import unspin  # noqa: E402
from unspin.api import get_pipeline  # noqa: E402
from unspin.corpus import Corpus  # noqa: E402
from unspin.inputs import article_from_text  # noqa: E402
from unspin.store import ArticleRow  # noqa: E402
from unspin.web import create_app  # noqa: E402

from .test_web import HTML_ACCEPT, OPTIONS, TEXT, assert_problem, request  # noqa: E402


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(OPTIONS)


# -- framing through the API and the form -------------------------------------------------


def test_api_runs_the_analyzers_asked_for(app):
    resp = request(app, "POST", "/api/analyze", json={"text": TEXT, "analyzers": ["entities", "genre"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    ran = list(body["meta"]["analyzers"])
    assert ran[-2:] == ["entities", "genre"] and not {"quotes", "techniques"} & set(ran)
    assert body["genre"]["label"] in ("reporting", "opinion", "satire") and body["techniques"] == []
    # order is the pipeline's and requirements are added, as for `unspin analyze --analyzers`
    roles = request(app, "POST", "/api/analyze", json={"text": TEXT + " ", "analyzers": ["roles"]}).json()
    assert "entities" in roles["meta"]["analyzers"] and "roles" in roles["meta"]["analyzers"]
    # the default stays the server's
    plain = request(app, "POST", "/api/analyze", json={"text": TEXT + "  "}).json()
    assert "genre" not in plain["meta"]["analyzers"] and "techniques" in plain["meta"]["analyzers"]


def test_api_refuses_unknown_analyzers_in_one_line(app):
    body = assert_problem(request(app, "POST", "/api/analyze", json={"text": TEXT, "analyzers": ["spin"]}), 422,
                          "unknown analyzer 'spin'")
    assert "frames" in body["detail"]  # it names the known ones
    assert_problem(request(app, "POST", "/api/analyze", json={"text": TEXT, "analyzers": "genre"}), 422)


def test_form_framing_toggles_run_the_framing_analyzers(app):
    home = request(app, "GET", "/", headers=HTML_ACCEPT).text
    for name in ("genre", "frames", "narratives", "roles"):
        assert f'name="analyzers" value="{name}"' in home
    assert "checked" not in home.split('class="framing"', 1)[1].split("</fieldset>", 1)[0]  # off by default
    resp = request(app, "POST", "/analyze", data={"text": "Framed.\n\n" + TEXT, "analyzers": ["genre", "frames"]},
                   headers=HTML_ACCEPT, follow_redirects=True)
    assert resp.status_code == 200, resp.text
    article_id = int(str(resp.url).rsplit("/", 1)[1])
    stored = request(app, "GET", f"/api/articles/{article_id}").json()
    assert {"entities", "provenance", "quotes", "techniques", "genre", "frames"} <= set(stored["meta"]["analyzers"])
    assert stored["genre"] is not None and stored["genre"]["label"] in resp.text
    # an unknown value on the form is ignored, not an error page
    odd = request(app, "POST", "/analyze", data={"text": "Odd.\n\n" + TEXT, "analyzers": "spin"},
                  headers=HTML_ACCEPT, follow_redirects=True)
    assert odd.status_code == 200 and "genre" not in request(
        app, "GET", f"/api/articles/{str(odd.url).rsplit('/', 1)[1]}").json()["meta"]["analyzers"]


# -- stories ---------------------------------------------------------------------------------

SAME_EVENT = ("Harbour strike\n\nDock workers in Gdansk walked out on Monday over pay, halting grain exports, "
              "the union Solidarnosc said. Port director Anna Nowak called the strike illegal.")
OTHER_EVENT = ("Orchestra tour\n\nThe Vienna Philharmonic opened its Asian tour in Tokyo on Friday with "
               "Mahler's fifth symphony, conductor Lena Berg said.")


@pytest.fixture(scope="module")
def story_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store with stories assigned as `unspin ingest` assigns them (the real encoder)."""
    from unspin.corpus.stories import assign_stories, get_encoder

    path = tmp_path_factory.mktemp("stories") / "corpus.db"
    pipe = get_pipeline(OPTIONS)
    items = [(SAME_EVENT, "portnews.example", "2026-10-05"),
             (SAME_EVENT.replace("Monday", "Monday morning") + " Exports resume <soon>.", "baltic.example",
              "2026-10-05"),
             (OTHER_EVENT, "music.example", "2026-10-06")]
    with Corpus(path) as store:
        for i, (text, outlet, day) in enumerate(items):
            analysis = pipe.analyze(article_from_text(text, source=f"s{i}.txt")).to_dict()
            store.add(analysis, ArticleRow(source=f"s{i}.txt", outlet=outlet, title=text.split("\n", 1)[0],
                                           published=day))
        store.commit()
        assign_stories(store, get_encoder())
        stories = store.db.execute("SELECT story_id, count(*) FROM articles GROUP BY story_id ORDER BY 2 DESC"
                                   ).fetchall()
    assert [n for _, n in stories] == [2, 1], stories  # the two strike reports share a story
    return create_app(OPTIONS, path), stories[0][0]


def test_stories_page_lists_the_stories_the_store_holds(story_app):
    app, strike = story_app
    page = request(app, "GET", "/stories", headers=HTML_ACCEPT)
    assert page.status_code == 200 and "No stories yet" not in page.text
    listed = page.text.split('id="stories"', 1)[1].split("</ol>", 1)[0]
    assert listed.index(f'href="/stories/{strike}"') < listed.index("Orchestra tour")  # most outlets first
    assert "2 articles from 2 outlets" in listed and "pip install" not in page.text


def test_story_page_compares_the_outlets_side_by_side(story_app):
    app, strike = story_app
    page = request(app, "GET", f"/stories/{strike}", headers=HTML_ACCEPT)
    assert page.status_code == 200
    html = page.text
    assert html.count('class="column"') == 2 and "portnews.example" in html and "baltic.example" in html
    assert "Anna Nowak" in html or "Solidarnosc" in html  # who is quoted or cited, per article
    api = request(app, "GET", f"/api/stories/{strike}").json()
    assert api["outlets"] == ["baltic.example", "portnews.example"] and len(api["articles"]) == 2
    assert {"techniques", "quoted", "cited_sources"} <= set(api["articles"][0])


def test_no_stories_says_why_without_blaming_an_installed_encoder(app, tmp_path):
    from unspin.corpus.stories import encoder_missing

    assert encoder_missing() is None  # the encoder is installed here
    memory = request(app, "GET", "/stories", headers=HTML_ACCEPT).text
    assert "No stories yet" in memory and "--db" in memory and "pip install" not in memory
    empty = create_app(OPTIONS, tmp_path / "empty.db")
    page = request(empty, "GET", "/stories", headers=HTML_ACCEPT).text
    assert "No stories yet" in page and "unspin ingest" in page and "pip install" not in page
    missing = request(empty, "GET", "/stories/7", headers=HTML_ACCEPT)
    assert missing.status_code == 404 and "No story 7" in missing.text


# -- notebooks ----------------------------------------------------------------------------------


def test_analysis_shows_the_highlighted_report_in_a_notebook():
    hostile = "<b>Bold</b> claim\n\nThe mayor said \"</iframe><script>alert(1)</script>\" on Monday."
    a = unspin.analyze(hostile, options=OPTIONS)
    cell = a._repr_html_()
    assert cell.startswith("<iframe") and 'sandbox="allow-scripts"' in cell
    assert "<script>alert" not in cell and "</iframe><script>" not in cell  # escaped into the srcdoc attribute
    page = html_lib.unescape(cell.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert page == unspin.report.render_html([a])  # the same report `unspin analyze --format html` writes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and 'data-layer="quote"' in page
