"""The web app and HTTP API through httpx's ASGI transport (no server, no browser).

Covers the API's shapes and errors (RFC 9457 problem details), the pages,
escaping of hostile article text, body limits (413), the in-memory LRU, the
corpus-store mode (filters, paging, search, outlet profiles) and the
concurrency limiter (a burst gets only 200s and 503s with Retry-After).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the web app needs fastapi (pip install '.[test]')")

from unspin.api import get_pipeline  # noqa: E402
from unspin.config import Options  # noqa: E402
from unspin.inputs import article_from_text  # noqa: E402
from unspin.corpus import Corpus  # noqa: E402
from unspin.store import ArticleRow  # noqa: E402
from unspin.web import WebSettings, create_app  # noqa: E402
from unspin.web.state import Limiter, Overloaded  # noqa: E402

from .conftest import EXAMPLE  # noqa: E402

OPTIONS = Options()
TEXT = EXAMPLE.read_text(encoding="utf-8")
HTML_ACCEPT = {"accept": "text/html,application/xhtml+xml"}


def request(app: Any, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())


def assert_problem(resp: httpx.Response, status: int, *needles: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and "\n" not in body["detail"]
    assert "Traceback" not in resp.text
    for needle in needles:
        assert needle in body["detail"], body["detail"]
    return body


def seeded_analysis(source: str = "seeded.txt", sha: str = "seeded") -> dict[str, Any]:
    """The example's real analysis plus hand-placed techniques (the techniques analyzer may not run)."""
    analysis = get_pipeline(OPTIONS).analyze(article_from_text(TEXT, source=source)).to_dict()

    def span(s: str, name: str, score: float) -> dict[str, Any]:
        i = TEXT.index(s)
        return {"technique": name, "start": i, "end": i + len(s), "score": score, "text": s}

    analysis["techniques"] = [
        span("outrageous", "Loaded_Language", 0.91),
        span("The truth is simple", "Conversation_Killer", 0.66),
        span("Brussels has sold out its own citizens", "Name_Calling-Labeling", 0.8),
        span("sold out its own citizens — again", "Exaggeration-Minimisation", 0.55),
    ]
    analysis["meta"]["analyzers"]["techniques"] = "test"
    analysis["meta"]["content_sha256"] = sha
    return analysis


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(OPTIONS)


@pytest.fixture(scope="module")
def posted(app: Any) -> dict[str, Any]:
    resp = request(app, "POST", "/api/analyze", json={"text": TEXT, "outlet": "balticledger.eu"})
    assert resp.status_code == 200, resp.text
    return resp.json() | {"_location": resp.headers["location"]}


@pytest.fixture(scope="module")
def db_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("web") / "corpus.db"
    with Corpus(path) as store:
        store.add(seeded_analysis(), ArticleRow(source="seeded.txt", outlet="balticledger.eu",
                                                title="Seeded gas deal", published="2026-10-03"))
        for i, (outlet, day) in enumerate([("kappa.example", "2026-09-01"), ("news.kappa.example", "2026-09-15"),
                                           ("lambda.example", "2026-10-20")]):
            text = f"Report {i}: the harbour council met on Monday and voted on the {outlet} grain plan."
            a = get_pipeline(OPTIONS).analyze(article_from_text(text, source=f"r{i}.txt")).to_dict()
            store.add(a, ArticleRow(source=f"r{i}.txt", outlet=outlet, title=f"Harbour {i}", published=day))
    return create_app(OPTIONS, path)


# -- POST /api/analyze ------------------------------------------------------------


def test_analyze_text_returns_the_cli_analysis_with_an_id(posted):
    from unspin.schema import validate

    article = article_from_text(TEXT, source="<text>")
    article.outlet_domain, article.outlet_basis = "balticledger.eu", "given"
    expected = get_pipeline(OPTIONS).analyze(article).to_dict()
    got = {k: v for k, v in posted.items() if k not in ("id", "_location")}
    assert got == json.loads(json.dumps(expected))
    validate(got)
    assert isinstance(posted["id"], int)
    assert posted["_location"].endswith(f"/api/articles/{posted['id']}")


def test_get_article_by_id_and_memory_store(app, posted):
    resp = request(app, "GET", f"/api/articles/{posted['id']}")
    assert resp.status_code == 200
    assert resp.json()["text"] == TEXT and resp.json()["id"] == posted["id"]
    listing = request(app, "GET", "/api/articles").json()
    assert listing["storage"] == "memory" and any(i["id"] == posted["id"] for i in listing["items"])
    assert_problem(request(app, "GET", "/api/articles/99999"), 404, "no article 99999")


def test_analyze_html_and_same_text_twice_keeps_one_id(app, posted):
    html = ("<html><head><title>Harbour vote</title></head><body><article><p>The harbour council voted on "
            "Monday to expand the grain terminal, the mayor said.</p></article></body></html>")
    resp = request(app, "POST", "/api/analyze", json={"html": html})
    assert resp.status_code == 200, resp.text
    assert resp.json()["meta"]["input_kind"] == "html" and "grain terminal" in resp.json()["text"]
    again = request(app, "POST", "/api/analyze", json={"text": TEXT, "outlet": "balticledger.eu"})
    assert again.json()["id"] == posted["id"]


@pytest.mark.parametrize("body,status,needle", [
    ({"text": ""}, 422, "<text>: text is empty"),
    ({"text": "  \n "}, 422, "text is empty"),
    ({}, 400, "give the article as text, html, url or a file"),
    ({"text": "a", "url": "https://example.com/"}, 400, "give only one of"),
    ({"html": "<html><body><nav><a href='/'>Home</a></nav></body></html>"}, 422, "HTML has no article text"),
    ({"url": "http://127.0.0.1:9/x"}, 422, "private address"),
    ({"url": "http://169.254.169.254/latest/meta-data/"}, 422, "private address"),
    ({"url": "http://[::1]/"}, 422, "private address"),
    ({"url": "ftp://example.com/a.txt"}, 422, "only http and https"),
    ({"url": "file:///etc/passwd"}, 422, "only http and https"),
    ({"url": "javascript:alert(1)"}, 422, "not a URL"),
    ({"text": 5}, 422, "text: Input should be a valid string"),
    ({"text": "x", "surprise": 1}, 422, "surprise: Extra inputs are not permitted"),
])
def test_analyze_bad_input_is_a_one_line_problem(app, body, status, needle):
    assert_problem(request(app, "POST", "/api/analyze", json=body), status, needle)


def test_analyze_malformed_json_and_wrong_method(app):
    resp = request(app, "POST", "/api/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert_problem(resp, 422)
    assert_problem(request(app, "GET", "/api/analyze"), 405, "GET is not allowed")


def test_private_urls_allowed_only_with_the_option():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b"Local news\n\nThe harbour council voted on Monday, the mayor said.\n"
            self.send_response(200)
            self.send_header("content-type", "text/plain; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/story"
    try:
        assert_problem(request(create_app(OPTIONS), "POST", "/api/analyze", json={"url": url}), 422, "private")
        resp = request(create_app(OPTIONS.with_(allow_private_urls=True)), "POST", "/api/analyze", json={"url": url})
        assert resp.status_code == 200, resp.text
        assert resp.json()["meta"]["url"] == url and "harbour council" in resp.json()["text"]
    finally:
        server.shutdown()


# -- limits --------------------------------------------------------------------


def test_request_body_limit_413_declared_and_streamed():
    small = create_app(OPTIONS, settings=WebSettings(max_body_bytes=2048))
    big = json.dumps({"text": "word " * 2000})
    assert_problem(request(small, "POST", "/api/analyze", content=big, headers={"content-type": "application/json"}),
                   413, "request body is too large", "2.0 KB")

    async def chunks():
        for _ in range(10):
            yield b"x" * 1000

    resp = request(small, "POST", "/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(resp, 413, "too large")
    page = request(small, "POST", "/analyze", files={"file": ("big.txt", b"a " * 5000, "text/plain")},
                   headers=HTML_ACCEPT)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "request body is too large" in page.text


def test_memory_keeps_only_the_last_items():
    app = create_app(OPTIONS, settings=WebSettings(memory_items=2))
    ids = [request(app, "POST", "/api/analyze", json={"text": f"The council met on day {i}."}).json()["id"]
           for i in range(3)]
    assert ids == [1, 2, 3]
    assert_problem(request(app, "GET", "/api/articles/1"), 404, "only the last 2 analyses")
    assert request(app, "GET", "/api/articles/3").status_code == 200
    assert request(app, "GET", "/api/articles").json()["total"] == 2


def test_limiter_queues_then_refuses():
    async def go() -> list[str]:
        limiter = Limiter(limit=1, queue=1, timeout=0.2)
        results: list[str] = []

        async def worker(hold: float) -> None:
            try:
                async with limiter.slot():
                    await asyncio.sleep(hold)
                results.append("ok")
            except Overloaded:
                results.append("busy")

        await asyncio.gather(worker(0.5), worker(0), worker(0))
        return sorted(results)

    # one runs, one waits 0.2 s then gives up, one finds the queue full at once
    assert asyncio.run(go()) == ["busy", "busy", "ok"]


def test_burst_gets_only_200_and_503_with_retry_after():
    app = create_app(OPTIONS, settings=WebSettings(max_concurrent=1, max_queue=3, queue_timeout=0.5, retry_after=3))
    get_pipeline(OPTIONS).nlp  # noqa: B018 (models loaded: the burst measures the limiter, not the first load)

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            return await asyncio.gather(*[
                client.post("/api/analyze", json={"text": TEXT + f"\nCopy {i}."}) for i in range(40)])

    responses = asyncio.run(burst())
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 503}, codes
    assert codes.count(200) >= 1 and codes.count(503) >= 1
    for r in responses:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "3"
            assert_problem(r, 503, "busy")
    health = request(app, "GET", "/api/health").json()
    assert health["rejected_busy"] == codes.count(503) and health["analysed"] == codes.count(200)


def test_parallel_analyses_match_sequential_ones():
    """Two analyses at once (the default) share one pipeline; results equal the sequential ones."""
    app = create_app(OPTIONS, settings=WebSettings(max_concurrent=2))
    texts = [TEXT + f"\nCopy {i}." for i in range(6)]
    expected = [get_pipeline(OPTIONS).analyze(article_from_text(t, source="<text>")).to_dict() for t in texts]

    async def together() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            return await asyncio.gather(*[client.post("/api/analyze", json={"text": t}) for t in texts])

    for resp, want in zip(asyncio.run(together()), expected, strict=True):
        assert resp.status_code == 200
        got = resp.json()
        assert got["quotes"] == json.loads(json.dumps(want["quotes"]))
        assert got["entities"] == json.loads(json.dumps(want["entities"]))
        assert got["provenance"] == json.loads(json.dumps(want["provenance"]))


# -- pages -----------------------------------------------------------------------


def test_home_page_and_static_assets(app):
    home = request(app, "GET", "/", headers=HTML_ACCEPT)
    assert home.status_code == 200 and '<textarea id="text" name="text"' in home.text
    assert 'enctype="multipart/form-data"' in home.text and 'type="file"' in home.text
    csp = home.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert home.headers["x-content-type-options"] == "nosniff"
    css = request(app, "GET", "/static/report.css")
    assert css.status_code == 200 and ".l-technique" in css.text and ".hide-quote" in css.text
    assert request(app, "GET", "/static/app.css").status_code == 200
    assert "data-family" in request(app, "GET", "/static/app.js").text
    docs = request(app, "GET", "/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text.replace("https://swagger.io", ""), "docs must work offline (no CDN)"
    assert "default-src 'self'" in docs.headers["content-security-policy"]
    bundle = request(app, "GET", "/static/swagger/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    spec = request(app, "GET", "/openapi.json").json()
    assert {"/api/analyze", "/api/articles", "/api/articles/{article_id}", "/api/outlets/{domain}",
            "/api/stories/{story_id}", "/api/search"} <= set(spec["paths"])


def test_article_page_shows_every_layer(app, posted):
    page = request(app, "GET", f"/articles/{posted['id']}", headers=HTML_ACCEPT)
    assert page.status_code == 200
    html = page.text
    for layer in ("quote", "speaker", "cue", "source", "entity"):
        assert f'data-layer="{layer}"' in html and f'class="l-{layer}"' in html
    assert "Who says what" in html and "Maria Lindqvist" in html and "Provenance" in html
    assert 'href="/outlets/balticledger.eu"' in html
    # the text, every character of it, is in the page
    text_div = html.split('id="a-text"', 1)[1].split("</section>", 1)[0]
    shown = re.sub(r'<span class="pn"[^>]*>\d+</span>', "", text_div)
    shown = re.sub(r'<span class="ptags">[^<]*</span>', "", shown)  # the paragraph's technique labels
    import html as html_lib

    visible = html_lib.unescape(re.sub(r"<[^>]+>", "", shown))
    assert "".join(TEXT.split()) in "".join(visible.split())


def test_hostile_article_text_is_escaped(app):
    hostile = ("<script>window.pwned=1</script> headline\n\n<img src=x onerror=alert(1)> The council "
               "said \"</textarea><b>bold</b>\" on Monday.\n")
    resp = request(app, "POST", "/api/analyze", json={"text": hostile, "title": "<i>t</i>", "outlet": "<b>x</b>"})
    assert resp.status_code == 200
    page = request(app, "GET", f"/articles/{resp.json()['id']}", headers=HTML_ACCEPT).text
    assert "<script>window.pwned" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']
    home = request(app, "GET", "/", headers=HTML_ACCEPT).text
    assert "<i>t</i>" not in home and "&lt;i&gt;t&lt;/i&gt;" in home


def test_form_paste_redirects_and_errors_rerender(app):
    resp = request(app, "POST", "/analyze", data={"text": "The mayor said the vote was fair.", "url": "",
                                                  "title": "Vote", "outlet": ""}, headers=HTML_ACCEPT)
    assert resp.status_code == 303 and re.fullmatch(r".*/articles/\d+", resp.headers["location"])
    bad = request(app, "POST", "/analyze", data={"text": "", "url": "http://10.0.0.1/x", "title": "<keep>"},
                  headers=HTML_ACCEPT)
    assert bad.status_code == 422 and "private address" in bad.text
    assert 'value="&lt;keep&gt;"' in bad.text  # what the user typed is kept, escaped
    upload = request(app, "POST", "/analyze", files={"file": ("story.html", b"<html><body><article><p>The harbour "
                     b"council voted on Monday to expand the grain terminal.</p></article></body></html>",
                     "text/html")}, data={"text": ""}, headers=HTML_ACCEPT)
    assert upload.status_code == 303
    stored = request(app, "GET", "/api/articles/" + upload.headers["location"].rsplit("/", 1)[1]).json()
    assert stored["source"] == "story.html" and stored["meta"]["input_kind"] == "html"
    binary = request(app, "POST", "/analyze", files={"file": ("x.bin", bytes(range(256)) * 4)},
                     headers=HTML_ACCEPT)
    assert binary.status_code == 422 and "binary file" in binary.text


def test_pages_404_as_html_and_api_as_problem(app):
    page = request(app, "GET", "/articles/424242", headers=HTML_ACCEPT)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no article 424242" in page.text
    assert_problem(request(app, "GET", "/nowhere"), 404, "nothing at /nowhere")


def test_stories_exist_but_say_there_are_none(app, db_app):
    for a in (app, db_app):
        assert_problem(request(a, "GET", "/api/stories/1"), 404, "stories are built by `unspin ingest`")
        page = request(a, "GET", "/stories/1", headers=HTML_ACCEPT)
        assert page.status_code == 404 and "No story 1" in page.text
        assert "No stories yet" in request(a, "GET", "/stories", headers=HTML_ACCEPT).text


# -- corpus store mode ----------------------------------------------------------------


def test_db_articles_paging_and_filters(db_app):
    def ids(**params: Any) -> list[int]:
        resp = request(db_app, "GET", "/api/articles", params=params)
        assert resp.status_code == 200, resp.text
        return [i["id"] for i in resp.json()["items"]]

    assert ids() == [4, 3, 2, 1]
    first = request(db_app, "GET", "/api/articles", params={"per_page": 3}).json()
    assert (first["total"], first["next"], len(first["items"])) == (4, 2, 3)
    assert ids(page=2, per_page=3) == [1]
    assert ids(outlet="kappa.example") == [3, 2]  # subdomains included
    assert ids(since="2026-10-01") == [4, 1]
    assert ids(since="2026-09-01", until="2026-09-15") == [3, 2]
    assert ids(q="grain plan", outlet="lambda.example") == [4]
    assert_problem(request(db_app, "GET", "/api/articles", params={"since": "yesterday"}), 400, "YYYY-MM-DD")
    assert_problem(request(db_app, "GET", "/api/articles", params={"per_page": 0}), 422)


def test_db_search_and_injection_attempts(db_app):
    hits = request(db_app, "GET", "/api/search", params={"q": "harbour council"}).json()
    assert hits["query"] == "harbour council" and len(hits["hits"]) == 3
    assert all("[" in h["snippet"] for h in hits["hits"])
    for q in ("'; DROP TABLE articles; --", "\" OR 1=1 --", "x' OR '1'='1"):
        resp = request(db_app, "GET", "/api/search", params={"q": q})
        assert resp.status_code in (200, 400), resp.text
    assert request(db_app, "GET", "/api/articles").json()["total"] == 4
    assert_problem(request(db_app, "GET", "/api/search", params={"q": "\"unbalanced"}), 400, "bad search query")
    assert_problem(request(db_app, "GET", "/api/search"), 422)
    page = request(db_app, "GET", "/search", params={"q": "harbour"}, headers=HTML_ACCEPT)
    assert page.status_code == 200 and "<b>harbour</b>" in page.text.lower() and "3 matches" in page.text


def test_db_articles_and_search_filter_by_technique_in_api_and_pages(db_app):
    def ids(url: str, **params: Any) -> list[int]:
        resp = request(db_app, "GET", url, params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        return [i["id"] for i in body.get("items", body.get("hits", []))]

    assert ids("/api/articles", technique="loaded language") == [1]  # any spelling
    assert ids("/api/articles", technique=["Loaded_Language", "Conversation_Killer"]) == [1]  # all required
    assert ids("/api/articles", technique="attack on reputation") == [1]  # a family
    assert ids("/api/articles", technique="Doubt") == []  # in the taxonomy, in no stored article
    assert ids("/api/articles", technique="Loaded_Language", outlet="kappa.example") == []
    assert ids("/api/search", q="sold", technique="Conversation_Killer") == [1]
    assert ids("/api/search", q="harbour", technique="Loaded_Language") == []
    assert_problem(request(db_app, "GET", "/api/articles", params={"technique": "Loded_Language"}), 400,
                   "no technique 'Loded_Language'", "did you mean 'Loaded_Language'")
    assert_problem(request(db_app, "GET", "/api/search", params={"q": "x", "narrative": "Nothing"}), 400,
                   "no narrative 'Nothing' in this database")
    page = request(db_app, "GET", "/articles", params={"technique": "loaded language"}, headers=HTML_ACCEPT)
    assert page.status_code == 200 and "Seeded gas deal" in page.text and "Harbour 0" not in page.text
    assert '<option value="Loaded_Language">' in page.text and 'name="narrative"' in page.text
    hostile = "<script>alert(1)</script>"
    bad = request(db_app, "GET", "/articles", params={"technique": hostile}, headers=HTML_ACCEPT)
    assert bad.status_code == 400 and "<script>alert" not in bad.text and "&lt;script&gt;" in bad.text
    found = request(db_app, "GET", "/search", params={"q": "harbour", "technique": "Loaded_Language"},
                    headers=HTML_ACCEPT)
    assert found.status_code == 200 and "0 matches" in found.text


def test_db_outlet_profile_api_and_page(db_app):
    profile = request(db_app, "GET", "/api/outlets/balticledger.eu").json()
    assert profile["articles"] == 1 and profile["timeline"] == [{"month": "2026-10", "articles": 1}]
    assert {c["name"] for c in profile["cited_sources"]} >= {"Reuters", "RT"}
    assert "manipulative wording" in profile["labels"]["technique"]["families_per_1000_words"]
    page = request(db_app, "GET", "/outlets/balticledger.eu", headers=HTML_ACCEPT)
    assert page.status_code == 200 and page.text.count("<svg") >= 4 and "Seeded gas deal" in page.text
    assert "style=" not in page.text.split("<main", 1)[1]  # charts use attributes only (CSP)
    assert_problem(request(db_app, "GET", "/api/outlets/unknown.example"), 404, "no articles from unknown.example")
    assert request(db_app, "GET", "/outlets/unknown.example", headers=HTML_ACCEPT).status_code == 404


def test_db_article_page_has_family_and_technique_toggles(db_app):
    html = request(db_app, "GET", "/articles/1", headers=HTML_ACCEPT).text
    assert 'data-family="manipulative-wording"' in html and 'data-technique="Conversation_Killer"' in html
    from unspin.report.techniques import technique_info

    assert 'data-code="MW"' in html and technique_info("Loaded_Language").definition in html
    assert 'class="l-technique" data-technique="Loaded_Language" data-family="manipulative-wording"' in html


def test_db_post_stores_in_the_corpus(tmp_path):
    path = tmp_path / "new.db"
    app = create_app(OPTIONS, path)
    resp = request(app, "POST", "/api/analyze", json={"text": TEXT, "outlet": "www.BalticLedger.eu"})
    assert resp.status_code == 200
    with Corpus(path, readonly=True) as store:
        assert store.stats()["articles"] == 1
        assert store.db.execute("SELECT outlet FROM articles").fetchone()[0] == "balticledger.eu"
    assert request(app, "GET", "/api/outlets/balticledger.eu").json()["articles"] == 1


def test_not_a_store_fails_at_creation(tmp_path: Path):
    from unspin.store import StoreError

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError):
        create_app(OPTIONS, bad)


def test_cast_and_narratives_render_when_present():
    app = create_app(OPTIONS)
    analysis = seeded_analysis(sha="with-cast")
    i = TEXT.index("Brussels has sold out")
    analysis["entities"] = [{"text": "Brussels", "start": i, "end": i + 8, "type": "GPE", "group": "Brussels <EU>",
                             "role": "Antagonist", "score": 0.7, "fine_roles": [{"label": "Traitor", "score": 0.6}]}]
    analysis["narratives"] = [{"narrative": "The West is weak", "subnarrative": "Europe is divided", "score": 0.7,
                               "evidence": [{"start": i, "end": i + 21, "text": "Brussels has sold out"}]}]
    analysis["genre"] = {"label": "opinion", "score": 0.88}
    article_id = app.state.web.repo.add(analysis, ArticleRow(source="cast.txt"))
    html = request(app, "GET", f"/articles/{article_id}", headers=HTML_ACCEPT).text
    # the static report's framing section (shared templates), at the page's heading levels
    assert '<h2 id="a-framing">Framing</h2>' in html and '<h3 id="a-cast">Cast' in html
    assert "Brussels &lt;EU&gt;" in html and "Traitor 0.60" in html and "villain" in html.lower()
    assert '<h3 id="a-narratives">Narratives</h3>' in html and "The West is weak" in html and "0.70" in html
    assert "Europe is divided" in html and "<q>Brussels has sold out</q>" in html
    assert "opinion" in html and "0.88" in html
    plain = request(app, "GET", "/articles/" + str(app.state.web.repo.add(
        seeded_analysis(sha="plain"), ArticleRow(source="plain.txt"))), headers=HTML_ACCEPT).text
    assert "a-cast" not in plain and "a-narratives" not in plain and "a-framing" not in plain


def test_article_page_keeps_overlapping_technique_spans_in_different_lanes():
    """The page served (not only the static report) underlines overlapping spans at different depths."""
    from .test_report_techniques import FEAR, LOADED, NAMES, analysis as techniques_analysis

    app = create_app(OPTIONS)
    a = techniques_analysis().to_dict()
    a["meta"]["content_sha256"] = "overlaps"  # the store's key (the pipeline sets it; this analysis is built by hand)
    article_id = app.state.web.repo.add(a, ArticleRow(source="overlaps.txt"))
    html = request(app, "GET", f"/articles/{article_id}", headers=HTML_ACCEPT).text
    # “trahison” lies inside Loaded language, Name calling and Fear at once: three nested pieces, three lanes
    end = html.index("honteuse")
    para = html[html.rindex("<p ", 0, end):html.index("</p>", end)]
    lanes = {}
    for label in (LOADED, NAMES, FEAR):
        found = re.findall(rf'data-technique="{label}" data-family="[a-z-]+" data-lane="(\d)"', para)
        assert found, label
        lanes[label] = set(found)
    assert all(len(v) == 1 for v in lanes.values())  # a span keeps its lane across its pieces
    assert len(set.union(*lanes.values())) == 3
    css = request(app, "GET", "/static/report.css").text
    assert all(f'.l-technique[data-lane="{n}"]' in css for n in (1, 2))  # the lanes are drawn apart


def test_outlet_profile_top_cuts_label_lists_below_the_labels_found(tmp_path):
    """``top`` smaller than the number of labels: the lists are cut, the rates stay those of the kept rows."""
    from unspin.corpus.profile import outlet_profile

    with Corpus(tmp_path / "c.db") as store:
        store.add(seeded_analysis(), ArticleRow(source="seeded.txt", outlet="balticledger.eu"))
        full = outlet_profile(store, "balticledger.eu")
        cut = outlet_profile(store, "balticledger.eu", top=1)
    techniques = full["labels"]["technique"]["top"]
    assert len(techniques) > 1  # more labels than top=1 keeps
    assert cut["labels"]["technique"]["top"] == techniques[:1] and "per_1000_words" in techniques[0]
