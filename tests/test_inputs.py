"""unspin.inputs: files, directories, stdin, HTML and URLs, with real parts.

Files are real files in tmp_path; URLs are fetched from a real HTTP server
on 127.0.0.1 in a background thread. Nothing a user meets is mocked.
"""

from __future__ import annotations

import http.server
import io
import ipaddress
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from unspin.config import Options
from unspin.errors import InputError
from unspin.inputs import (
    article_from_html,
    article_from_text,
    decode_bytes,
    expand_inputs,
    guess_title,
    is_public_address,
    read_input,
)
from unspin.inputs.url import fetch_url

OPTS = Options()

ARTICLE_TEXT = (
    "Mayor resigns after “damning” audit\n"
    "\n"
    "The mayor of Springfield resigned on Tuesday after an audit found “serious irregularities”.\n"
    "“We will cooperate fully,” said deputy mayor Anna Łukaszewski, adding that the council would meet on Friday. 🎉\n"
    "Critics — including the opposition — called it “too little, too late”.\n"
)

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Mayor resigns after audit | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<link rel="canonical" href="https://www.dailyexample.com/news/mayor-resigns">
<meta name="author" content="Jan Łukaszewski">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Mayor resigns after audit</h1>
<p>The mayor of Springfield resigned on Tuesday after an audit found “serious irregularities” in the city budget, officials said.</p>
<p>“We will cooperate fully with investigators,” said deputy mayor Anna Łukaszewski, adding that the council would meet on Friday.</p>
<p>Critics have long argued that the administration spent too freely on consultants, a claim the mayor denied.</p>
</article>
<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p></footer>
</body></html>
"""

NAV_ONLY_HTML = (
    "<!doctype html><html><head><title>Sections</title></head><body><header><nav><ul>"
    + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    + "</ul></nav></header></body></html>"
)

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _error(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


# --- text files: exact decoding --------------------------------------------


def test_utf8_file_text_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE_TEXT.encode("utf-8"))
    article = read_input(str(path), OPTS)
    assert article.text == ARTICLE_TEXT
    assert article.kind == "text"
    assert article.source == str(path)
    assert article.title == "Mayor resigns after “damning” audit"
    assert article.url is None


def test_crlf_file_keeps_offsets(tmp_path: Path) -> None:
    data = ARTICLE_TEXT.replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "crlf.txt"
    path.write_bytes(data)
    article = read_input(str(path), OPTS)
    assert article.text == data.decode("utf-8")
    assert article.text.count("\r\n") == 5
    # A span found in the text is the same characters as in the file.
    start = article.text.index("Łukaszewski")
    assert data.decode("utf-8")[start : start + 11] == "Łukaszewski"
    assert article.title == "Mayor resigns after “damning” audit"


def test_bom_is_kept_so_offsets_line_up(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + ARTICLE_TEXT.encode("utf-8")
    path = tmp_path / "bom.txt"
    path.write_bytes(data)
    article = read_input(str(path), OPTS)
    assert article.text == "\ufeff" + ARTICLE_TEXT
    assert article.title == "Mayor resigns after “damning” audit"


def test_cp1252_file_decodes(tmp_path: Path) -> None:
    text = (
        "Council’s “bold” plan\r\n\r\n"
        "The council’s “bold” plan — a new café for the old town — was called naïve by critics.\r\n"
        "Señor Muñoz said the façade would cost €2 million… at least.\r\n"
    )
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    article = read_input(str(path), OPTS)
    assert article.text == text
    assert article.title == "Council’s “bold” plan"


def test_latin1_and_short_legacy_text_decode() -> None:
    text = "Café crème brûlée, naïve Zoë said. Señor Muñoz añadió.\n" * 3
    assert decode_bytes(text.encode("latin-1"), "x") == text
    assert decode_bytes("naïve café".encode("cp1252"), "x") == "naïve café"


def test_mostly_utf8_with_a_stray_cp1252_byte() -> None:
    data = "“Quoted” by Łukaszewski, ".encode("utf-8") + "café".encode("cp1252") + b"\n"
    assert decode_bytes(data, "x") == "“Quoted” by Łukaszewski, café\n"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(ARTICLE_TEXT.encode("utf-16"))  # BOM + native order
    assert read_input(str(path), OPTS).text == "\ufeff" + ARTICLE_TEXT


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "file is empty"),
        (b" \r\n\t\n", "file is empty"),
        (b"\xef\xbb\xbf\n", "file is empty"),
        (PNG_HEADER + b"\x00" * 64, "binary file (not text or HTML)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file (not text or HTML)"),
        (b"Some text\x00with a NUL in it", "binary file (not text or HTML)"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as excinfo:
        read_input(str(path), OPTS)
    assert _error(excinfo) == f"{path}: {reason}"
    assert excinfo.value.source == str(path)


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_cannot_be_decoded(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "noise.txt"
    # High bytes only: no NUL, so this is the "no encoding fits" path.
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(4096)))
    with pytest.raises(InputError) as excinfo:
        read_input(str(path), OPTS)
    assert _error(excinfo) == f"{path}: cannot decode text (not UTF-8 and no other encoding fits)"


def test_random_bytes_without_nul_are_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "noise.bin"
    path.write_bytes(bytes(rng.randrange(1, 0x100) for _ in range(8192)))
    with pytest.raises(InputError, match="cannot decode text|binary file"):
        read_input(str(path), OPTS)


def test_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(200 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(InputError) as excinfo:
        read_input(str(path), OPTS)
    assert time.monotonic() - started < 0.5
    assert _error(excinfo) == f"{path}: file is too large (200.0 MB; limit 20.0 MB, see --max-bytes)"


def test_small_limit_applies_to_files(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x" * 2048, encoding="utf-8")
    with pytest.raises(InputError, match=r"file is too large \(2.0 KB; limit 1000 bytes, see --max-bytes\)"):
        read_input(str(path), Options(max_bytes=1000))


def test_missing_file_and_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        read_input(str(tmp_path / "nope.txt"), OPTS)
    assert _error(excinfo) == f"{tmp_path / 'nope.txt'}: no such file"

    empty = tmp_path / "empty_dir"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as excinfo:
        read_input(str(empty), OPTS)
    assert _error(excinfo) == f"{empty}: is a directory with no article files"

    full = tmp_path / "full"
    full.mkdir()
    (full / "a.txt").write_text("Text.", encoding="utf-8")
    with pytest.raises(InputError, match="is a directory"):
        read_input(str(full), OPTS)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(InputError) as excinfo:
        read_input(str(path), OPTS)
    assert _error(excinfo) == f"{path}: permission denied"


def test_other_schemes_are_refused() -> None:
    with pytest.raises(InputError) as excinfo:
        read_input("ftp://example.com/a.txt", OPTS)
    assert _error(excinfo) == "ftp://example.com/a.txt: unsupported URL scheme ftp; only http and https"


# --- titles and text articles ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Title\n\nBody paragraph.\n", "Title"),
        ("Title\r\n\r\nBody paragraph.\r\n", "Title"),
        ("\ufeffTitle\n\nBody.", "Title"),
        ("First paragraph.\nSecond paragraph.\n", None),
        ("Only a title\n\n", None),
        ("x" * 251 + "\n\nBody.", None),
        ("\n\nBody.", None),
        ("", None),
    ],
)
def test_guess_title(text: str, title: str | None) -> None:
    assert guess_title(text) == title


def test_article_from_text() -> None:
    article = article_from_text(ARTICLE_TEXT)
    assert (article.source, article.kind, article.text) == ("<text>", "text", ARTICLE_TEXT)
    assert article.title == "Mayor resigns after “damning” audit"
    given = article_from_text("a\n\nb", source="s", kind="url", title="T", url="https://x.org/")
    assert (given.title, given.url, given.kind, given.source) == ("T", "https://x.org/", "url", "s")


# --- stdin -----------------------------------------------------------------


def test_stdin_text() -> None:
    data = ARTICLE_TEXT.replace("\n", "\r\n").encode("utf-8")
    article = read_input("-", OPTS, stdin=io.BytesIO(data))
    assert article.kind == "stdin"
    assert article.source == "-"
    assert article.text == data.decode("utf-8")


def test_stdin_html_is_sniffed() -> None:
    article = read_input("-", OPTS, stdin=io.BytesIO(ARTICLE_HTML.encode("utf-8")))
    assert article.kind == "stdin"
    assert "Anna Łukaszewski" in article.text
    assert "<p>" not in article.text


def test_stdin_errors() -> None:
    with pytest.raises(InputError) as excinfo:
        read_input("-", OPTS, stdin=io.BytesIO(b""))
    assert _error(excinfo) == "-: input is empty"
    with pytest.raises(InputError) as excinfo:
        read_input("-", Options(max_bytes=1000), stdin=io.BytesIO(b"a" * 5000))
    assert _error(excinfo) == "-: input is too large (more than 1000 bytes, see --max-bytes)"
    with pytest.raises(InputError, match="binary input"):
        read_input("-", OPTS, stdin=io.BytesIO(PNG_HEADER))


# --- HTML ------------------------------------------------------------------


def test_html_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    article = read_input(str(path), OPTS)
    assert article.kind == "html"
    lines = article.text.split("\n")
    assert lines[-3].startswith("The mayor of Springfield resigned on Tuesday")
    assert lines[-2].startswith("“We will cooperate fully with investigators,” said deputy mayor Anna Łukaszewski")
    assert lines[-1].startswith("Critics have long argued")
    assert "Home" not in article.text and "Copyright" not in article.text
    assert article.title == "Mayor resigns after audit"
    assert article.outlet_name == "The Daily Example"
    assert article.outlet_domain == "dailyexample.com"
    assert article.outlet_basis == "html-metadata"
    assert article.url is None
    assert article.extra["author"] == "Jan Łukaszewski"
    assert article.extra["date"] == "2024-03-05"
    assert article.extra["canonical_url"] == "https://www.dailyexample.com/news/mayor-resigns"
    assert all(isinstance(v, str) for v in article.extra.values())


@pytest.mark.parametrize("footer", ["Copyright 2024 The Daily Example.", "© 2024 The Daily Example"])
def test_html_copyright_year_is_not_a_date(footer: str) -> None:
    """A page without a date gets none: not 1 January of its copyright footer's year, which
    would file it under the wrong month in a corpus."""
    undated = ARTICLE_HTML.replace('<meta property="article:published_time" content="2024-03-05T10:00:00Z">\n', "")
    undated = undated.replace("Copyright 2024 The Daily Example.", footer)
    assert "published_time" not in undated and footer in undated
    assert "date" not in article_from_html(undated, source="page.html").extra
    new_year = ARTICLE_HTML.replace("2024-03-05T10:00:00Z", "2024-01-01T10:00:00Z")
    assert article_from_html(new_year, source="page.html").extra["date"] == "2024-01-01"
    in_text = undated.replace("officials said.</p>", "officials said on 5 March 2024.</p>")
    assert article_from_html(in_text, source="page.html").extra["date"] == "2024-03-05"


def test_html_sniffed_in_txt_file_and_legacy_charset(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    html = ARTICLE_HTML.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    html = html.replace("Łukaszewski", "Lukaszewski")  # not in cp1252
    path.write_bytes(html.encode("cp1252"))
    article = read_input(str(path), OPTS)
    assert article.kind == "html"
    assert "found “serious irregularities” in the city budget" in article.text


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "menu.htm"
    path.write_text(NAV_ONLY_HTML, encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        read_input(str(path), OPTS)
    assert _error(excinfo) == f"{path}: HTML has no article text"
    with pytest.raises(InputError, match="HTML has no article text"):
        article_from_html("<html><body></body></html>", source="s")


def test_article_from_html_with_url_uses_its_host() -> None:
    url = "https://www.news.example.org/a/b"
    article = article_from_html(ARTICLE_HTML.encode("utf-8"), source="x", url=url, kind="url")
    assert article.outlet_domain == "news.example.org"
    assert article.outlet_basis == "url"
    assert article.outlet_name == "The Daily Example"
    assert article.url == "https://www.news.example.org/a/b"


# --- directories -----------------------------------------------------------


def test_expand_inputs(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    names = ["b.txt", "a/z.md", "a/y.HTML", "a/deeper/x.text", "c.xhtml", "d.htm"]
    skipped = [".hidden.txt", ".git/x.txt", "a/.cache/y.txt", "notes.pdf", "data.json"]
    for rel in names + skipped:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Text.", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    single = tmp_path / "single.csv"
    single.write_text("x", encoding="utf-8")
    others = ["-", "https://example.com/a", str(tmp_path / "missing.txt"), str(single), str(tmp_path / "empty")]
    specs = [str(root), *others]
    expected = [
        str(root / "a" / "deeper" / "x.text"),
        str(root / "a" / "y.HTML"),
        str(root / "a" / "z.md"),
        str(root / "b.txt"),
        str(root / "c.xhtml"),
        str(root / "d.htm"),
    ] + others
    assert expand_inputs(specs) == expected


# --- addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    ],
)
def test_private_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


# --- URLs, against a real local server ---------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _send(
        self, status: int, body: bytes, ctype: str | None = "text/html; charset=utf-8", length: bool = True
    ) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)
        path = self.path
        try:
            if path == "/article":
                self._send(200, ARTICLE_HTML.encode("utf-8"))
            elif path == "/plain":
                self._send(200, ARTICLE_TEXT.replace("\n", "\r\n").encode("utf-8"), "text/plain; charset=utf-8")
            elif path == "/plain-cp1252":
                self._send(200, "Café “crème” — naïve.\n".encode("cp1252"), "text/plain")
            elif path == "/plain-latin1-header":
                self._send(200, "Café “crème”.\n".encode("cp1252"), "text/plain; charset=ISO-8859-1")
            elif path == "/no-type":
                self._send(200, ARTICLE_HTML.encode("utf-8"), None)
            elif path == "/nav":
                self._send(200, NAV_ONLY_HTML.encode("utf-8"))
            elif path == "/missing":
                self._send(404, b"<html><body>not here</body></html>")
            elif path == "/slow":  # far longer than the 0.5 s timeout, so a timing check survives a loaded machine
                time.sleep(SERVER_DELAY_S)
                self._send(200, ARTICLE_HTML.encode("utf-8"))
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(int(SERVER_DELAY_S * 10)):
                    self.wfile.write(b"word ")
                    self.wfile.flush()
                    time.sleep(0.1)
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                self._redirect(f"/redirect/{n - 1}" if n > 0 else "/article")
            elif path == "/huge":
                self._send(200, b"a" * 1_000_000, "text/plain")
            elif path == "/huge-stream":
                self._send(200, b"a" * 1_000_000, "text/plain", length=False)
            elif path == "/image":
                self._send(200, PNG_HEADER, "image/png")
            elif path == "/metadata":
                self._redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/to-ftp":
                self._redirect("ftp://example.com/file.txt")
            else:
                self._send(404, b"")
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    requests: list[str]


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


LOCAL = Options(allow_private_urls=True, timeout=0.5, max_redirects=3)
#: How long /slow and /trickle take to answer in full: a fetch that gives up well before this obeyed its timeout.
SERVER_DELAY_S = 8.0


def test_fetch_html_article(server: _Server) -> None:
    url = _url(server, "/article")
    article = read_input(url, LOCAL)
    assert article.kind == "url"
    assert article.source == url
    assert article.url == url
    assert "Anna Łukaszewski" in article.text
    assert article.title == "Mayor resigns after audit"
    assert article.outlet_domain == "127.0.0.1"
    assert article.outlet_basis == "url"
    assert article.outlet_name == "The Daily Example"


def test_fetch_sends_user_agent(server: _Server) -> None:
    seen: list[str] = []

    class Recorder(_Handler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.headers.get("User-Agent", ""))
            self._send(200, b"Some plain text.\n", "text/plain")

    srv = _Server(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        read_input(_url(srv, "/"), LOCAL.with_(user_agent="unspin-test/1.0"))
    finally:
        srv.shutdown()
        srv.server_close()
    assert seen == ["unspin-test/1.0"]


def test_fetch_plain_text_is_exact(server: _Server) -> None:
    article = read_input(_url(server, "/plain"), LOCAL)
    assert article.text == ARTICLE_TEXT.replace("\n", "\r\n")
    assert article.title == "Mayor resigns after “damning” audit"
    assert article.kind == "url"
    assert article.outlet_basis == "url"


def test_fetch_plain_text_charsets(server: _Server) -> None:
    assert read_input(_url(server, "/plain-cp1252"), LOCAL).text == "Café “crème” — naïve.\n"
    assert read_input(_url(server, "/plain-latin1-header"), LOCAL).text == "Café “crème”.\n"


def test_fetch_without_content_type_sniffs_html(server: _Server) -> None:
    assert "Anna Łukaszewski" in read_input(_url(server, "/no-type"), LOCAL).text


def test_redirects_within_limit(server: _Server) -> None:
    article = read_input(_url(server, "/redirect/2"), LOCAL)  # three redirects
    assert article.url == _url(server, "/article")
    assert article.source == _url(server, "/redirect/2")


@pytest.mark.parametrize(
    ("path", "options", "reason"),
    [
        ("/missing", LOCAL, "HTTP 404 Not Found"),
        ("/slow", LOCAL, "timed out after 0.5 s"),
        ("/trickle", LOCAL, "timed out after 0.5 s"),
        ("/redirect/3", LOCAL, "too many redirects (more than 3)"),
        ("/huge", LOCAL.with_(max_bytes=10_000), "page is too large (976.6 KB; limit 9.8 KB, see --max-bytes)"),
        ("/huge-stream", LOCAL.with_(max_bytes=10_000), "page is too large (more than 9.8 KB, see --max-bytes)"),
        ("/image", LOCAL, "unsupported content type image/png"),
        ("/nav", LOCAL, "HTML has no article text"),
        ("/to-ftp", LOCAL, "unsupported URL scheme ftp (after a redirect); only http and https"),
    ],
)
def test_fetch_errors(server: _Server, path: str, options: Options, reason: str) -> None:
    url = _url(server, path)
    started = time.monotonic()
    with pytest.raises(InputError) as excinfo:
        read_input(url, options)
    assert _error(excinfo) == f"{url}: {reason}"
    assert time.monotonic() - started < SERVER_DELAY_S / 2  # gave up at the timeout, not when the server finished


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(InputError, match=r"^http://127\.0\.0\.1:\d+/: cannot connect \(.+\)$"):
        read_input(url, LOCAL)


def test_private_address_is_refused_without_a_request(server: _Server) -> None:
    before = list(server.requests)
    for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]"):
        url = f"http://{host}:{server.server_address[1]}/article"
        with pytest.raises(InputError) as excinfo:
            read_input(url, Options())
        message = _error(excinfo)
        assert message.startswith(f"{url}: refusing to fetch a private address (")
        assert message.endswith("); use --allow-private-urls")
    assert _error(excinfo) == f"{url}: refusing to fetch a private address (::ffff:127.0.0.1); use --allow-private-urls"
    assert server.requests == before


def test_redirect_to_metadata_service_is_refused(server: _Server) -> None:
    loopback = [ipaddress.ip_network("127.0.0.0/8")]
    options = Options(timeout=0.5)
    # The allowance lets the first hop reach the local server ...
    assert "Anna Łukaszewski" in fetch_url(_url(server, "/article"), options, allowed_networks=loopback).text
    # ... but every hop is checked again: the redirect target is refused.
    url = _url(server, "/metadata")
    with pytest.raises(InputError) as excinfo:
        fetch_url(url, options, allowed_networks=loopback)
    assert _error(excinfo) == (
        f"{url}: refusing to fetch a private address (169.254.169.254) after a redirect to "
        "http://169.254.169.254/latest/meta-data/; use --allow-private-urls"
    )
