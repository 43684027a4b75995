"""`unspin analyze` of a folder with worker processes: the same reports, in input order.

Real files, the real command line, real spawned worker processes. The worker
pool itself (a worker that dies, the bounded window, the workers' threads) is
tested in tests/test_parallel.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_corpus_helpers import article_text
from unspin.api import analyze_many
from unspin.errors import InputError

from .conftest import cli

ANALYZERS = "entities,provenance,quotes"  # no models to load: the test is about the batch


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(1, 6):
        (corpus / f"{i}.txt").write_text(article_text(i) + "\n«Ça coûte cher», a dit Zoë Ångström.\n",
                                         encoding="utf-8")
    (corpus / "3.txt").write_bytes(b"\xff\xfe\x00\x00bad")  # unreadable, in the middle
    return corpus


@pytest.mark.slow  # spawns worker processes that load spaCy
def test_workers_give_the_same_jsonl_in_input_order_with_the_error_in_its_place(tmp_path, capsys):
    corpus = _corpus(tmp_path)
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        code, _, err = cli(capsys, "analyze", corpus, "--format", "jsonl", "-o", out, "--analyzers", ANALYZERS,
                           "--workers", workers, "-q")
        assert code == 1 and "1 of 5 inputs could not be analysed" in err and "3.txt" in err
        outputs[workers] = out.read_text(encoding="utf-8")
    assert outputs["1"] == outputs["2"]
    lines = outputs["2"].splitlines()
    assert [Path(line.split('"source": "')[1].split('"')[0]).name for line in lines] == \
        ["1.txt", "2.txt", "3.txt", "4.txt", "5.txt"]
    assert '"error"' in lines[2] and '"error"' not in lines[1] + lines[3]


@pytest.mark.slow
def test_python_api_analyze_many_with_workers_keeps_offsets(tmp_path):
    corpus = _corpus(tmp_path)
    results = list(analyze_many([corpus], workers=2, analyzers=tuple(ANALYZERS.split(","))))
    assert [isinstance(r, InputError) for r in results] == [False, False, True, False, False]
    for analysis in results:
        if isinstance(analysis, InputError):
            continue
        assert analysis.quotes, analysis.source
        for quote in analysis.quotes:
            assert analysis.text[quote.content.start:quote.content.end] == quote.content.text
