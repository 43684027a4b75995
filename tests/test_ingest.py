"""`unspin ingest` on every kind of source, with a real store and the real pipeline."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest

from tests.test_corpus_helpers import article_text
from unspin.config import Options
from unspin.corpus.ingest import ingest
from unspin.corpus import Corpus
from unspin.types import SCHEMA_VERSION

OPTS = Options(allow_private_urls=True, timeout=0.5)


def run(sources, db, **kw):
    failures: list[str] = []
    kw.setdefault("workers", 1)
    report = ingest([str(s) for s in sources], str(db), kw.pop("options", OPTS),
                    on_failure=lambda f: failures.append(str(f)), **kw)
    return report, failures


def rows(db, cols="source, url, outlet, title, published"):
    with Corpus(db, readonly=True) as store:
        return store.db.execute(f"SELECT {cols} FROM articles ORDER BY id").fetchall()


def stats(db):
    with Corpus(db, readonly=True) as store:
        return store.stats()


def test_directory_of_text_and_html(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text(article_text(1), encoding="utf-8")
    (corpus / "sub" / "b.txt").write_text(article_text(2), encoding="utf-8")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    paras = "".join(f"<p>{p}</p>" for p in article_text(3).split("\n")[2:] if p)
    (corpus / "c.html").write_text(
        "<html><head><title>Port strike</title><link rel='canonical' href='https://www.port.example/s/1'>"
        f"</head><body><article><h1>Port strike</h1>{paras}</article></body></html>", encoding="utf-8")
    report, failures = run([corpus], tmp_path / "c.db")
    assert (report.stored, report.failed) == (3, 1)
    assert failures == [f"{corpus / 'empty.txt'}: file is empty"]
    by_source = {r[0]: r for r in rows(tmp_path / "c.db")}
    assert by_source[str(corpus / "c.html")][2] == "port.example"
    with Corpus(tmp_path / "c.db", readonly=True) as store:
        assert store.failures()[0][:2] == (str(corpus / "empty.txt"), "file is empty")
        analysis = store.analysis(1)
    assert analysis["schema"] == SCHEMA_VERSION and analysis["text"] == article_text(1)
    assert analysis["quotes"], "the stored analysis is the full analysis"


def test_duplicate_input_and_idempotent_rerun(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(article_text(10 + i, words=150), encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text("Republished from partner site.\n" + article_text(10, words=150), encoding="utf-8")
    db = tmp_path / "c.db"
    report, failures = run([corpus, corpus / "0.txt", copy], db)
    assert failures == []
    assert (report.stored, report.known, report.near_duplicates) == (4, 1, 1)
    first = stats(db)
    assert first["articles"] == 4 and first["duplicates"] == 1
    (dup_of,) = [r[1] for r in rows(db, "source, duplicate_of") if r[0] == str(copy)]
    assert dup_of == 1
    report, _ = run([corpus, copy], db)
    assert (report.stored, report.known) == (0, 4)
    assert stats(db) == first


def test_jsonl_csv_parquet_tables(tmp_path):
    records = [
        {"id": "r1", "text": article_text(21), "url": "https://www.alpha.example/news/1", "title": "Alpha one",
         "published": "2024-02-03T10:00:00Z"},
        {"id": "r2", "text": article_text(22), "outlet": "beta.example", "published": "2024-02-04"},
        {"id": "r3", "text": "", "title": "no body"},
    ]
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records) + "\n{not json\n", encoding="utf-8")
    csv_path = tmp_path / "b.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "text", "url", "title", "outlet", "published"])
        w.writeheader()
        w.writerow({"id": "c1", "text": article_text(23), "outlet": "Gamma Times", "published": "bad date"})
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([{"text": article_text(24), "url": "https://delta.example/x",
                                          "published": "2023-12-31"}]), tmp_path / "c.parquet")
    no_text = tmp_path / "d.csv"
    no_text.write_text("body,url\nhello,https://x.example\n", encoding="utf-8")
    db = tmp_path / "c.db"
    report, failures = run([jsonl, csv_path, tmp_path / "c.parquet", no_text], db)
    assert report.stored == 4
    assert sorted(failures) == sorted([
        f"{jsonl}#r3: no text",
        f"{jsonl}:4: invalid JSON (Expecting property name enclosed in double quotes)",
        f"{no_text}: no text column (columns: body, url)",
    ])
    got = {r[0]: r[1:] for r in rows(db)}
    assert got[f"{jsonl}#r1"] == ("https://www.alpha.example/news/1", "alpha.example", "Alpha one",
                                  "2024-02-03T10:00:00+00:00")
    assert got[f"{jsonl}#r2"][1:] == ("beta.example", article_text(22).split("\n")[0], "2024-02-04")
    assert got[f"{csv_path}#c1"][3] is None  # unparseable date left out
    assert got[f"{tmp_path / 'c.parquet'}:1"][1:4:2] == ("delta.example", "2023-12-31")
    assert stats(db)["failed"] == 3


def _warc(path: Path, pages: list[tuple[str, str, bytes, str]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, status, body, ctype in pages:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def _page(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n")[2:] if p)
    return (f"<html><head><title>{title}</title><meta property='article:published_time' "
            f"content='2024-03-01T09:00:00+00:00'></head>"
            f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paras}</article></body></html>"
            ).encode()


def test_warc_html_responses(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc, [
        ("https://www.epsilon.example/a", "200 OK", _page("Epsilon A", article_text(31)), "text/html; charset=utf-8"),
        ("https://www.epsilon.example/gone", "404 Not Found", b"<html>gone</html>", "text/html"),
        ("https://www.epsilon.example/logo.png", "200 OK", b"\x89PNG....", "image/png"),
        ("https://zeta.example/b", "200 OK", _page("Zeta B", article_text(32)), "text/html"),
    ])
    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"this is not a warc file\r\n\r\n" * 10)
    db = tmp_path / "c.db"
    report, failures = run([warc, broken], db)
    assert report.stored == 2
    assert len(failures) == 1 and failures[0].startswith(f"{broken}: not a valid WARC file")
    got = rows(db)
    assert [(r[0], r[2], r[3]) for r in got] == [
        ("https://www.epsilon.example/a", "epsilon.example", "Epsilon A"),
        ("https://zeta.example/b", "zeta.example", "Zeta B"),
    ]
    assert got[0][4] == "2024-03-01"


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Eta News</title><link>https://www.eta.example/</link>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>
<description>Short summary.</description><content:encoded><![CDATA[{html}]]></content:encoded></item>"""


def _rss(entries: list[tuple[str, str, str]]) -> str:
    items = []
    for title, link, text in entries:
        html = "".join(f"<p>{p}</p>" for p in text.split("\n")[2:] if p)
        items.append(ITEM.format(title=title, link=link, date="Tue, 05 Mar 2024 08:00:00 GMT", html=html))
    return RSS.format(items="\n".join(items))


def test_rss_and_atom_files_and_a_malformed_feed(tmp_path):
    rss = tmp_path / "eta.rss"
    rss.write_text(_rss([("Eta one", "https://www.eta.example/1", article_text(41)),
                         ("Eta two", "https://www.eta.example/2", article_text(42))]), encoding="utf-8")
    atom = tmp_path / "theta.xml"
    body = "".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in article_text(43).split("\n")[2:] if p)
    atom.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Theta</title><id>urn:theta</id><updated>2024-03-06T00:00:00Z</updated>
<entry><title>Theta one</title><link href="https://theta.example/one"/><id>urn:1</id>
<updated>2024-03-06T10:00:00Z</updated><content type="html">{body}</content></entry></feed>""", encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?><rss><channel><<<>>> not xml &&&', encoding="utf-8")
    db = tmp_path / "c.db"
    report, failures = run([rss, atom, bad], db)
    assert report.stored == 3
    assert failures == [f"{bad}: not a valid RSS/Atom feed (not well-formed (invalid token))"]
    got = rows(db)
    assert got[0] == ("https://www.eta.example/1", "https://www.eta.example/1", "eta.example", "Eta one",
                      "2024-03-05T08:00:00+00:00")
    assert got[2][2:] == ("theta.example", "Theta one", "2024-03-06T10:00:00+00:00")
    with Corpus(db, readonly=True) as store:
        text = store.analysis(1)["text"]
    assert text.startswith("Eta one\n\n") and "Short summary" not in text


class _Server:
    """A local HTTP server: routes path → (status, content type, body, delay)."""

    def __init__(self, routes):
        self.routes, self.hits = routes, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.hits.append((self.path, time.monotonic(), self.headers.get("User-Agent")))
                status, ctype, body, delay = server.routes.get(self.path, (404, "text/plain", b"not found", 0))
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    servers = []

    def make(routes):
        servers.append(_Server(routes))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.network
def test_feed_url_that_times_out_is_reported_and_the_rest_goes_on(tmp_path, server):
    srv = server({"/slow.xml": (200, "application/rss+xml", b"<rss/>", 30)})
    ok = tmp_path / "ok.txt"
    ok.write_text(article_text(51), encoding="utf-8")
    # the server would answer after 30 s: "timed out after 0.5 s" shows the timeout fired (no wall-clock
    # assertion: it would include model loading and fail on a loaded machine)
    report, failures = run([srv.url + "/slow.xml", ok, srv.url + "/missing.xml"], tmp_path / "c.db")
    assert report.stored == 1
    assert failures == [f"{srv.url}/slow.xml: timed out after 0.5 s", f"{srv.url}/missing.xml: HTTP 404 Not Found"]
    assert stats(tmp_path / "c.db")["failed"] == 2


@pytest.mark.network
def test_feed_url_with_fetch_pages_is_polite(tmp_path, server):
    srv = server({})
    feed = _rss([("Iota one", srv.url + "/a.html", article_text(61)),
                 ("Iota two", srv.url + "/b.html", article_text(62)),
                 ("Iota gone", srv.url + "/gone.html", article_text(63))])
    srv.routes.update({
        "/feed.xml": (200, "application/rss+xml; charset=utf-8", feed.encode(), 0),
        "/a.html": (200, "text/html", _page("Iota one page", article_text(64)), 0),
        "/b.html": (200, "text/html", _page("Iota two page", article_text(65)), 0),
    })
    warnings: list[str] = []
    db = tmp_path / "c.db"
    report, failures = run([srv.url + "/feed.xml"], db, fetch_pages=True, delay=0.2,
                           on_warning=warnings.append)
    assert failures == [] and report.stored == 3
    assert warnings == [f"{srv.url}/gone.html: HTTP 404 Not Found; stored the feed's text"]
    with Corpus(db, readonly=True) as store:
        texts = [store.analysis(i)["text"] for i in (1, 2, 3)]
    assert "case 64-" in texts[0] and "case 65-" in texts[1] and "case 63-" in texts[2]
    pages = [(p, t) for p, t, _ in srv.hits if p.endswith(".html")]
    assert [p for p, _ in pages] == ["/a.html", "/b.html", "/gone.html"]
    assert all(b - a >= 0.19 for (_, a), (_, b) in pairwise(pages))
    assert {ua for _, _, ua in srv.hits} == {OPTS.user_agent}
