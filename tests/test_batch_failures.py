"""A batch never stops for one input: real files, the real pipeline, one analyzer that raises.

The analyzer ``explodes`` is registered here, as a user's own analyzer would
be, and raises on articles that contain :data:`MARKER`: whatever fails
inside the pipeline must become that input's error (a JSONL error line and
the summary of ``unspin analyze``, a ``failed`` row of ``unspin ingest``, a
failed outcome of a Ray actor, a 500 with a clear message from the HTTP
API), and every other input is analysed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from tests.test_corpus_helpers import article_text
from unspin.analyzers.base import registry
from unspin.config import Options
from unspin.corpus import Corpus
from unspin.corpus.ingest import ingest
from unspin.corpus.sources import Task
from unspin.schema import validate

from .conftest import cli

MARKER = "KABOOM-7"
ANALYZERS = ("entities", "explodes")


class Explodes:
    name = "explodes"
    version = "1"

    def annotate(self, ctx) -> None:
        if MARKER in ctx.article.text:
            raise ZeroDivisionError(f"the test analyzer met {MARKER}")


@pytest.fixture(autouse=True, scope="module")
def explodes_registered():
    """The test analyzer, registered for this module only (the registry snapshot test sees the built-ins)."""
    registry.register("explodes", requires=("entities",))(lambda options: Explodes())
    yield
    del registry.infos["explodes"]


def corpus_with_one_bad(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(article_text(1), encoding="utf-8")
    (corpus / "b.txt").write_text(article_text(2) + f"\nThe code word was {MARKER}.\n", encoding="utf-8")
    (corpus / "c.txt").write_text(article_text(3), encoding="utf-8")
    return corpus


def test_analyze_folder_goes_on_past_an_analyzer_that_raises(tmp_path, capsys):
    corpus = corpus_with_one_bad(tmp_path)
    code, out, err = cli(capsys, "analyze", corpus, "--format", "jsonl", "--analyzers", ",".join(ANALYZERS))
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(d["source"]).name for d in lines] == ["a.txt", "b.txt", "c.txt"]  # input order kept
    error = lines[1]
    assert error == {"source": str(corpus / "b.txt"),
                     "error": f"analysis failed (ZeroDivisionError: the test analyzer met {MARKER})"}
    for data in (lines[0], lines[2]):
        validate(data)
    assert "1 of 3 inputs could not be analysed" in err
    assert f"{corpus / 'b.txt'}: analysis failed (ZeroDivisionError" in err
    assert "Traceback" not in err


def test_analyze_folder_text_report_lists_the_failure_at_the_end(tmp_path, capsys):
    corpus = corpus_with_one_bad(tmp_path)
    code, out, err = cli(capsys, "analyze", corpus, "--analyzers", ",".join(ANALYZERS))
    assert code == 1
    assert out.count("Talks on the") == 2  # the two good reports
    assert err.strip().splitlines()[-1].strip().startswith(f"{corpus / 'b.txt'}: analysis failed")
    assert "Traceback" not in err


def test_analyze_one_input_that_raises_is_a_one_line_error(tmp_path, capsys):
    corpus = corpus_with_one_bad(tmp_path)
    code, out, err = cli(capsys, "analyze", corpus / "b.txt", "--analyzers", ",".join(ANALYZERS))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"unspin: error: {corpus / 'b.txt'}: analysis failed (ZeroDivisionError: the test analyzer met {MARKER})"]


def test_ingest_records_the_failure_and_a_rerun_skips_it_unless_asked(tmp_path, capsys):
    corpus = corpus_with_one_bad(tmp_path)
    db = tmp_path / "c.db"
    args = ("ingest", corpus, "--db", db, "--workers", "1", "--analyzers", ",".join(ANALYZERS), "--summary-json")
    code, out, err = cli(capsys, *args)
    assert code == 1
    assert json.loads(out)["stored"] == 2 and json.loads(out)["failed"] == 1
    assert f"unspin: error: {corpus / 'b.txt'}: analysis failed (ZeroDivisionError" in err
    assert "Traceback" not in err
    with Corpus(db, readonly=True) as store:
        assert [f[:2] for f in store.failures()] == [
            (str(corpus / "b.txt"), f"analysis failed (ZeroDivisionError: the test analyzer met {MARKER})")]
        assert store.stats()["articles"] == 2

    code, out, err = cli(capsys, *args)  # the rerun does not try it again
    summary = json.loads(out)
    assert code == 0 and (summary["stored"], summary["failed"], summary["skipped_failed"]) == (0, 0, 1)
    assert summary["already_stored"] == 2
    assert "1 skipped as failed before (--retry-failed tries them again)" in err

    code, out, err = cli(capsys, *args, "--retry-failed")
    assert code == 1 and json.loads(out)["failed"] == 1 and json.loads(out)["skipped_failed"] == 0
    with Corpus(db, readonly=True) as store:
        attempts = store.db.execute("SELECT attempts FROM failures").fetchall()
    assert attempts == [(2,)]


@pytest.mark.slow
def test_ingest_with_worker_processes_records_a_long_text_and_stores_the_rest(tmp_path):
    """A 1.2M-character article over --max-chars is recorded with its reason; the workers store the rest."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"{i}.txt").write_text(article_text(10 + i), encoding="utf-8")
    long_text = "".join(article_text(100 + i, words=200) for i in range(800))
    long_text = long_text[:1_200_000]
    (corpus / "long.txt").write_text(long_text, encoding="utf-8")
    failures: list[str] = []
    report = ingest([str(corpus)], str(tmp_path / "c.db"), Options(max_chars=1_000_000, analyzers=("entities",)),
                    workers=2, on_failure=lambda f: failures.append(str(f)), stories=False)
    assert (report.stored, report.failed) == (3, 1)
    assert failures == [f"{corpus / 'long.txt'}: text is too long (1,200,000 characters; the limit is 1,000,000, "
                        "see --max-chars)"]


def test_ray_actor_turns_a_raising_analyzer_into_a_failed_row():
    """The Ray engine's actor class, called as Ray calls it (one batch of tasks), without a cluster."""
    pa = pytest.importorskip("pyarrow")
    from unspin.corpus.ray_engine import Analyse, _outcome

    actor = Analyse(Options(analyzers=ANALYZERS), [], [])
    rows = [{"seq": i, "source": f"t{i}", "kind": "text", "payload": text.encode(), "payload_is_text": True,
             "url": None, "title": None, "outlet": None, "published": None, "extra": "{}"}
            for i, text in enumerate([article_text(1), f"{article_text(2)}\n{MARKER}\n"])]
    out = actor(pa.Table.from_pylist(rows)).to_pylist()
    assert [r["status"] for r in out] == ["ok", "failed"]
    assert _outcome(out[1]).reason == f"analysis failed (ZeroDivisionError: the test analyzer met {MARKER})"
    assert Task  # the same Task the local engine reads


def test_http_api_answers_a_clear_500_and_keeps_serving(tmp_path):
    pytest.importorskip("fastapi")
    from unspin.web import create_app

    app = create_app(Options(analyzers=ANALYZERS))

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            bad = await client.post("/api/analyze", json={"text": f"{article_text(4)}\n{MARKER}\n"})
            good = await client.post("/api/analyze", json={"text": article_text(5)})
            return [bad, good]

    bad, good = asyncio.run(go())
    assert bad.status_code == 500 and bad.headers["content-type"].startswith("application/problem+json")
    detail = bad.json()["detail"]
    assert detail == "the analysis of this article failed (ZeroDivisionError); details are in the server log"
    assert good.status_code == 200 and good.json()["id"] >= 1


def test_an_input_error_survives_pickling():
    """Worker processes send input errors back to the parent (a pool that cannot unpickle one hangs)."""
    import pickle

    from unspin.errors import InputError

    again = pickle.loads(pickle.dumps(InputError("a.txt", "file is empty")))
    assert (type(again), again.source, again.reason, str(again)) == (InputError, "a.txt", "file is empty",
                                                                    "a.txt: file is empty")
