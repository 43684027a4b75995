"""The ingest engine: sources → analysis in worker processes → one writer.

The parent process reads the sources (feeds are fetched there, politely,
one request per host at a time) and hands :class:`~.sources.Task` items to
a pool of worker processes that each load the models once, read the
article, skip it when its text is stored already, analyse it and compute
its MinHash signature (:func:`unspin.parallel.ordered_map`). Results come
back in input order; an item whose analysis kills its worker process (out
of memory, a crash in native code) is recorded as failed with that reason,
and the others are analysed. Only the parent writes to the store,
committing every :data:`COMMIT_EVERY` articles or :data:`COMMIT_SECONDS`
seconds: a run killed at any point loses at most the last uncommitted
batch, and a rerun stores exactly what is missing.

``engine="ray"`` swaps the worker pool for Ray Data actors
(:mod:`.ray_engine`); the reading of sources and the single writer stay
the same.
"""

from __future__ import annotations

import hashlib
import os
import time
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, Iterable, Iterator

from ..article import Article
from ..config import Options
from ..errors import InputError, UnspinError, failure_reason
from ..inputs import article_from_html, article_from_text, read_input
from ..inputs.files import HTML_EXTENSIONS, _to_article
from ..inputs.html import hostname_of
from ..parallel import init_pipeline_worker, ordered_map, worker_pipeline
from ..pipeline import cached_pipeline
from ..store import ArticleRow, Store
from .api import Corpus
from .dedup import signature
from .sources import Failure, PoliteFetcher, Source, Task, normalize_published, open_source
from . import stories as story_grouping  # a module, so tests can stand in for the encoder check

COMMIT_EVERY = 32
COMMIT_SECONDS = 2.0


@dataclass
class Outcome:
    """What a worker made of one task."""

    source: str
    status: str  # "ok", "known" (text stored already) or "failed"
    reason: str | None = None
    analysis: dict[str, Any] | None = None
    row: ArticleRow | None = None
    signature: Any = None


@dataclass
class IngestReport:
    stored: int = 0
    known: int = 0
    #: items skipped because an earlier run recorded them as failed (``retry_failed`` tries them again)
    skipped_failed: int = 0
    near_duplicates: int = 0
    new_stories: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "already_stored": self.known, "near_duplicates": self.near_duplicates,
                "failed": self.failed, "skipped_failed": self.skipped_failed, "seconds": round(self.seconds, 2)}


# -- worker side -------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(options: Options, db_path: str | None) -> None:
    init_pipeline_worker(options)
    _worker["db_path"] = db_path  # read-only, for :func:`_known`: the parent alone writes
    _worker["store"] = None


def _known(sha: str) -> bool:
    if _worker.get("db_path") is None:
        return False
    if _worker.get("store") is None:
        try:
            _worker["store"] = Store(_worker["db_path"], readonly=True)
        except Exception:  # noqa: BLE001 - the writer will sort it out
            _worker["db_path"] = None
            return False
    return _worker["store"].has(sha)


def _work(task: Task) -> Outcome:
    return process_task(task, worker_pipeline(), _known)


def build_article(task: Task, options: Options) -> Article:
    """The :class:`Article` of a task (reading the file or URL for ``path`` tasks)."""
    if task.kind == "path":
        article = read_input(str(task.payload), options)
    elif task.kind == "file":
        article = file_article(task.source, task.payload if isinstance(task.payload, bytes) else task.payload.encode())
    elif task.kind == "html":
        article = article_from_html(task.payload, source=task.source, url=task.url)
    else:
        text = task.payload if isinstance(task.payload, str) else task.payload.decode("utf-8", "replace")
        article = article_from_text(text, source=task.source, title=task.title, url=task.url)
        if task.url and (domain := hostname_of(task.url)):
            article.outlet_domain, article.outlet_basis = domain, "url"
    if task.title:
        article.title = task.title
    if task.url and not article.url:
        article.url = task.url
    article.set_given_outlet(task.outlet)
    for key, value in task.extra.items():
        article.extra.setdefault(key, str(value))
    if task.published:
        article.extra["published"] = task.published
    return article


def file_article(path: str, data: bytes) -> Article:
    """The article of a file whose bytes were read elsewhere (``file`` tasks of the Ray engine).

    Exactly what :func:`unspin.inputs.read_file` makes of the same bytes:
    HTML by extension or content, else plain text as decoded.
    """
    from pathlib import PurePath

    html = PurePath(path).suffix.lower() in HTML_EXTENSIONS
    return _to_article(data, path, kind="text", html=html, noun="file")


def process_task(task: Task, pipeline: Any, known: Callable[[str], bool]) -> Outcome:
    """Read, deduplicate by content hash, analyse: everything but the write.

    Never raises for one bad item: whatever fails in reading or analysing it
    (an unreadable file, a text over ``--max-chars``, an analyzer that
    raises) becomes a ``failed`` outcome with a one-line reason, recorded in
    the store's failures; the batch goes on.
    """
    try:
        return _process_task(task, pipeline, known)
    except Exception as exc:  # noqa: BLE001 - one input never stops a batch
        return Outcome(task.source, "failed", failure_reason(exc))


def _process_task(task: Task, pipeline: Any, known: Callable[[str], bool]) -> Outcome:
    article = build_article(task, pipeline.options)
    if not article.text.strip():
        return Outcome(task.source, "failed", "no article text")
    sha = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
    if known(sha):
        return Outcome(task.source, "known")
    analysis = pipeline.analyze(article).to_dict()
    outlet = (analysis.get("provenance") or {}).get("outlet") or {}
    published = task.published or normalize_published(article.extra.get("date"))
    row = ArticleRow(
        source=article.source,
        url=article.url,
        outlet=article.outlet_domain or outlet.get("domain"),
        outlet_name=article.outlet_name or outlet.get("name"),
        title=article.title,
        published=published,
    )
    return Outcome(task.source, "ok", analysis=analysis, row=row, signature=signature(article.text))


# -- parent side -------------------------------------------------------------


def _run_local(tasks: Iterable[Task | Failure], options: Options, store: Store,
               workers: int) -> Generator[Outcome | Failure, None, None]:
    """Outcomes in input order; failures of the sources pass straight through."""
    if workers <= 1:
        pipeline = cached_pipeline(options)
        pipeline.warm_up()
        for task in tasks:
            yield task if isinstance(task, Failure) else process_task(task, pipeline, store.has)
        return
    outcomes = ordered_map(tasks, _work, _died, workers=workers, initializer=_init_worker,
                           initargs=(options, store.path), window=workers * 4, in_parent=_passes_through)
    with closing(outcomes):  # closing this generator stops the workers
        for _, outcome in outcomes:
            yield outcome


def _passes_through(item: Task | Failure) -> Failure | None:
    return item if isinstance(item, Failure) else None


def _died(task: Task, reason: str) -> Outcome:
    """A task whose outcome did not come back (its analysis killed the worker, say): failed, like any other."""
    return Outcome(task.source, "failed", reason)


def ingest(
    sources: list[str],
    db_path: str,
    options: Options,
    *,
    workers: int | None = None,
    fetch_pages: bool = False,
    delay: float = 1.0,
    on_failure: Callable[[Failure], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    progress: Callable[[int | None], Callable[[str], None]] | None = None,
    commit_every: int = COMMIT_EVERY,
    engine: str = "local",
    ray_address: str | None = None,
    staging: str | None = None,
    verbose: bool = False,
    stories: bool = True,
    retry_failed: bool = False,
) -> IngestReport:
    """Ingest ``sources`` into the store at ``db_path``; see the module doc.

    ``progress(total)`` (``total`` may be ``None``) returns a function
    called once per item done. Bad sources and items are reported through
    ``on_failure`` and recorded in the ``failures`` table; the rest goes on.

    ``engine="ray"`` analyses with Ray Data instead of local worker
    processes (:mod:`.ray_engine`): ``workers`` is then the number of Ray
    actors, ``ray_address`` the cluster to join (default: a local Ray),
    ``staging`` where the Parquet of tasks and analyses goes (a directory
    or an object-storage URI; default a temporary directory), ``verbose``
    shows Ray's own progress. The writing is the same: this process alone
    writes, keyed by content hash, committing in small batches.

    With ``stories`` (the default) every stored article without a story is
    then embedded and grouped into same-event stories (:mod:`.stories`);
    without the encoder's packages this step is skipped with one warning.

    An item (a file, a feed entry, a table row) that an earlier run recorded
    as failed is skipped, and counted in ``skipped_failed``, unless
    ``retry_failed``: a folder with one input that cannot be analysed is not
    analysed again and again. Sources themselves (a feed URL, a folder) are
    always read again.
    """
    if engine not in ("local", "ray"):
        raise ValueError(f"unknown engine {engine!r}")
    report = IngestReport()
    started = time.perf_counter()
    if engine == "local":
        workers = max(1, workers or os.cpu_count() or 1)
    store = Corpus(db_path)
    fetcher = PoliteFetcher(options, delay=delay)

    def fail(failure: Failure) -> None:
        report.failures.append(failure)
        store.add_failure(failure.source, failure.reason)
        if on_failure:
            on_failure(failure)

    try:
        opened: list[Source] = []
        for spec in sources:
            try:
                opened.append(open_source(spec, options, fetcher=fetcher, fetch_pages=fetch_pages))
            except InputError as exc:
                fail(Failure(exc.source, exc.reason))
        store.commit()
        total = None if any(s.count is None for s in opened) else sum(s.count or 0 for s in opened)
        advance = progress(total) if progress else (lambda name: None)

        failed_before = set() if retry_failed else store.failed_sources()

        def tasks() -> Iterator[Task | Failure]:
            for source in opened:
                for item in source.items:
                    if item.source in failed_before:
                        report.skipped_failed += 1
                        advance(item.source)
                        continue
                    yield item

        if engine == "ray":
            from .ray_engine import run_ray

            outcomes = run_ray(tasks(), options, store, workers=workers, address=ray_address, staging=staging,
                               verbose=verbose)
        else:
            outcomes = _run_local(tasks(), options, store, workers or 1)
        try:
            _write_outcomes(outcomes, store, report, fail, on_warning, advance, commit_every)
        finally:
            outcomes.close()  # stops the workers (or the Ray job) when the writer fails
        store.commit()
        if stories:
            _build_stories(store, report, on_warning)
    finally:
        store.close()
    report.seconds = time.perf_counter() - started
    return report


def _build_stories(store: Store, report: IngestReport, on_warning: Callable[[str], None] | None) -> None:
    """The step after storing: group the articles that have no story yet (they are committed already)."""
    def warn(line: str) -> None:
        report.warnings.append(line)
        if on_warning:
            on_warning(line)

    missing = story_grouping.encoder_missing()
    if missing:
        warn(f"stories not built ({missing} is not installed): {story_grouping.install_hint(missing)}")
        return
    try:
        report.new_stories = story_grouping.assign_stories(store).new_stories
    except UnspinError as exc:  # e.g. encoder weights that fail their checksum
        store.commit()
        warn(f"stories not built: {exc}")


def _write_outcomes(outcomes: Iterable[Outcome | Failure], store: Corpus, report: IngestReport,
                    fail: Callable[[Failure], None], on_warning: Callable[[str], None] | None,
                    advance: Callable[[str], None], commit_every: int) -> None:
    """The single writer: store each outcome in order, committing every ``commit_every`` or COMMIT_SECONDS."""
    last_commit, since_commit = time.monotonic(), 0
    for outcome in outcomes:
        if isinstance(outcome, Failure):
            fail(outcome)
        elif outcome.status == "failed":
            fail(Failure(outcome.source, outcome.reason or "failed"))
        elif outcome.status == "known":
            report.known += 1
        else:
            assert outcome.analysis is not None and outcome.row is not None
            page_error = (outcome.analysis.get("meta") or {}).get("extra", {}).get("page_error")
            if page_error and on_warning:
                on_warning(f"{outcome.source}: {page_error}; stored the feed's text")
            stored = store.add(outcome.analysis, outcome.row, signature=outcome.signature)
            if stored.new:
                report.stored += 1
                report.near_duplicates += stored.duplicate_of is not None
            else:
                report.known += 1
        since_commit += 1
        if since_commit >= commit_every or time.monotonic() - last_commit > COMMIT_SECONDS:
            store.commit()
            last_commit, since_commit = time.monotonic(), 0
        advance(outcome.source)
