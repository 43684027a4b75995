"""The command line, end to end: inputs, formats, bad input, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.schema import validate

from .conftest import EXAMPLE


def run(args: list[str], capsys: pytest.CaptureFixture[str], stdin: bytes | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process (models stay loaded between tests)."""
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def check_offsets(data: dict) -> None:
    """Every span in the JSON points at its own text."""
    text = data["text"]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if {"start", "end", "text"} <= node.keys() and node is not data:
                assert text[node["start"]:node["end"]] == node["text"], node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)


def test_cli_analyze_example_text_report(capsys):
    code, out, err = run(["analyze", str(EXAMPLE)], capsys)
    assert code == 0, err
    assert "Baltic Ledger" in out
    assert "Lindqvist" in out
    assert "Reuters" in out


def test_cli_analyze_example_json_is_valid_and_offsets_hold(capsys):
    code, out, err = run(["analyze", str(EXAMPLE), "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    validate(data)
    assert data["source"] == str(EXAMPLE)
    assert data["text"] == EXAMPLE.read_text(encoding="utf-8")
    assert data["title"] == "Europe’s gas deal is a gift to Moscow, critics warn"
    check_offsets(data)
    cited = {c["name"] for c in data["provenance"]["cited_sources"]}
    assert {"Reuters", "Politico", "RT"} <= cited


def test_cli_seed_article_outlet_rating_citation_and_putin_quotes(capsys, seed_path, mbfc_path):
    code, out, err = run(["analyze", str(seed_path), "--format", "json", "--ratings", str(mbfc_path)], capsys)
    assert code == 0, err
    data = json.loads(out)
    validate(data)
    check_offsets(data)
    prov = data["provenance"]
    assert prov["outlet"]["name"] == "The Duran"
    assert prov["outlet"]["domain"] == "theduran.com"
    assert prov["outlet"]["rating"]["mbfc_credibility_rating"] == "low credibility"
    assert prov["syndicated_from"]["name"] == "The Duran"
    rt = [c for c in prov["cited_sources"] if c["name"] == "RT"]
    assert rt and rt[0]["domain"] == "rt.com" and rt[0]["rating"]["factual_reporting"] == "very low"
    assert data["text"][rt[0]["start"]:rt[0]["end"] + len(" reports:")] == "RT reports:"
    putin = [q for q in data["quotes"] if q["speaker"] and q["speaker"]["name"] == "Vladimir Putin"]
    assert len(putin) >= 2
    assert any(q["kind"] == "direct" and q["content"]["text"].startswith("Despite its military defeat") for q in putin)
    footer = prov["syndicated_from"]["evidence"]
    assert not [q for q in data["quotes"] if q["content"]["start"] < footer["end"] and footer["start"] < q["content"]["end"]]


def test_cli_seed_article_text_report_shows_findings(capsys, seed_path, mbfc_path):
    code, out, err = run(["analyze", str(seed_path), "--ratings", str(mbfc_path)], capsys)
    assert code == 0, err
    assert "The Duran" in out and "RT" in out and "Putin" in out


def test_cli_batch_jsonl_goes_on_past_bad_inputs(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("Officials said the bridge would reopen on Monday.\n", encoding="utf-8")
    (corpus / "sub" / "b.txt").write_text("“It is safe,” the mayor said.\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    missing = tmp_path / "missing.txt"
    code, out, err = run(["analyze", str(corpus), str(missing), "--format", "jsonl"], capsys)
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    # one line per input, in order: the analyses, and an error line for each input that failed
    assert [Path(d["source"]).name for d in lines] == ["a.txt", "empty.txt", "b.txt", "missing.txt"]
    assert lines[1] == {"source": str(corpus / "empty.txt"), "error": "file is empty"}
    assert set(lines[3]) == {"source", "error"}
    for data in (lines[0], lines[2]):
        validate(data)
    assert "2 of 4 inputs could not be analysed" in err
    assert "empty.txt" in err and "missing.txt" in err
    assert "Traceback" not in err


def test_cli_html_report_written_to_file(tmp_path, capsys):
    target = tmp_path / "report.html"
    code, out, err = run(["analyze", str(EXAMPLE), "--format", "html", "-o", str(target)], capsys)
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Baltic Ledger" in html


def test_cli_stdin_input(capsys, monkeypatch):
    text = "The minister said the plan was “dead on arrival.”\n".encode()
    code, out, err = run(["analyze", "-", "--format", "json"], capsys, stdin=text, monkeypatch=monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == "-" and data["text"] == text.decode()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blob.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        ("page.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
    ],
)
def test_cli_single_bad_input_one_line_error(tmp_path, capsys, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(["analyze", str(path)], capsys)
    assert code == 1
    assert err.count("\n") == 1 and str(path) in err and reason in err
    assert out == ""


def test_cli_huge_file_refused_without_reading(tmp_path, capsys):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    code, out, err = run(["analyze", str(path)], capsys)
    assert code == 1 and "too large" in err and str(path) in err


def test_cli_missing_file_and_output_not_created(tmp_path, capsys):
    target = tmp_path / "out.json"
    code, out, err = run(["analyze", str(tmp_path / "nope.txt"), "--format", "json", "-o", str(target)], capsys)
    assert code == 1 and "nope.txt" in err
    assert not target.exists()


def test_cli_bad_ratings_file_one_line_error(tmp_path, capsys):
    bad = tmp_path / "ratings.csv"
    bad.write_text("name,score\nfoo,1\n", encoding="utf-8")
    code, out, err = run(["analyze", str(EXAMPLE), "--ratings", str(bad)], capsys)
    assert code == 1 and str(bad) in err and err.count("\n") == 1


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/story":
            body = EXAMPLE.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            body = b"not here"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_cli_url_input_from_local_server(site, capsys):
    code, out, err = run(["analyze", f"{site}/story", "--format", "json", "--allow-private-urls"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["source"] == f"{site}/story" and "Lindqvist" in data["text"]


def test_cli_url_404_and_private_refusal(site, capsys):
    code, out, err = run(["analyze", f"{site}/gone", "--allow-private-urls"], capsys)
    assert code == 1 and "404" in err and f"{site}/gone" in err
    code, out, err = run(["analyze", f"{site}/story"], capsys)
    assert code == 1 and "private" in err.lower()


def test_cli_real_entry_point_no_traceback(tmp_path):
    """The installed console script: user mistakes give one line, exit 1."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "unspin", "analyze", str(empty)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("unspin: error:") and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "unspin", "analyze", "--format", "yaml", str(empty)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_cli_eval_quotes_on_polnear(capsys):
    from .conftest import shared_path

    dev = shared_path("data", "attribution-polnear-en", "dev")
    code, out, err = run(["eval", "quotes", "--data", str(dev), "--limit", "2"], capsys)
    assert code == 0, err
    assert "content" in out and "source" in out


def test_cli_eval_quotes_bad_folder_one_line_error(tmp_path, capsys):
    code, out, err = run(["eval", "quotes", "--data", str(tmp_path)], capsys)
    assert code == 1 and str(tmp_path) in err and "not a PolNeAR split" in err and err.count("\n") == 1


@pytest.mark.slow
def test_cli_progress_bar_only_on_a_terminal(tmp_path):
    import os
    import pty

    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(f"Officials said road {i} is closed.\n", encoding="utf-8")
    command = [sys.executable, "-m", "unspin", "analyze", str(tmp_path), "--format", "jsonl"]
    piped = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "analysing" not in piped.stderr
    import select
    import time

    leader, follower = pty.openpty()
    out_path = tmp_path / "out.jsonl"
    with out_path.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=follower)
    os.close(follower)
    # read the terminal while the command runs: a full pty buffer would block its progress bar
    seen, deadline = b"", time.monotonic() + 180
    while time.monotonic() < deadline:
        if not select.select([leader], [], [], 1.0)[0]:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command closed the terminal (Linux raises EIO)
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0 and len(out_path.read_bytes().splitlines()) == 3
    assert b"analysing" in seen


def test_cli_max_quotes_shows_every_quote(tmp_path, capsys):
    lines = [f"“Point number {w} stands,” Smith said on Monday." for w in
             ("one", "two", "three", "four", "five", "six", "seven")]
    path = tmp_path / "quotes.txt"
    path.write_text("Mayor Anna Smith spoke to reporters.\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")
    args = ["analyze", str(path), "--analyzers", "entities,provenance,quotes"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "Point number five stands" in out and "Point number six" not in out
    assert "+2 more (--max-quotes 0 shows every quote)" in out
    code, out, err = run([*args, "--max-quotes", "0"], capsys)
    assert code == 0, err
    assert "Point number seven stands" in out and "more" not in out


@pytest.mark.slow
def test_cli_folder_in_worker_processes_gives_the_same_reports_in_order(tmp_path, capsys):
    from tests.test_corpus_helpers import article_text

    for i in range(6):
        (tmp_path / f"a{i}.txt").write_text(article_text(40 + i), encoding="utf-8")
    (tmp_path / "a3.txt").write_bytes(b"")  # a bad input in the middle
    one = run(["analyze", str(tmp_path), "--format", "jsonl", "--workers", "1"], capsys)
    two = run(["analyze", str(tmp_path), "--format", "jsonl", "--workers", "2"], capsys)
    assert one[0] == two[0] == 1
    lines = [json.loads(line) for line in two[1].splitlines()]
    assert [Path(d["source"]).name for d in lines] == [f"a{i}.txt" for i in range(6)]
    assert lines[3] == {"source": str(tmp_path / "a3.txt"), "error": "file is empty"}
    assert [json.loads(line) for line in one[1].splitlines()] == lines
    assert "1 of 6 inputs could not be analysed" in two[2]


def test_cli_loads_without_the_train_extra():
    """`pip install .` has no scipy or torch (the train extra): the command line must still load."""
    code = "import sys; sys.modules['scipy'] = None; sys.modules['torch'] = None; import unspin.cli"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
