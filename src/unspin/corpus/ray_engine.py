"""``unspin ingest --engine ray``: the same analysis on Ray Data, Parquet in and out.

The driver (the process running ``unspin ingest``) does what only it can
do: read the sources (feeds are fetched there, politely), and write the
store. Everything in between is a Ray Data job that runs unchanged on a
laptop or a multi-node cluster:

1. **Tasks to Parquet.** The driver writes every :class:`~.sources.Task`
   to Parquet files under ``STAGING/RUN/tasks/``, with the bytes of local
   files inlined (kind ``file``) so that no worker node needs the driver's
   disk. ``STAGING`` is a directory or an object-storage URI
   (``s3://bucket/prefix``, ``gs://…``) that every node can read.
2. **Analysis in actors.** ``read_parquet`` → ``map_batches`` with
   :class:`Analyse`, a callable class: each Ray actor builds the
   :class:`~unspin.pipeline.Pipeline` once (models loaded once per actor),
   then reads, deduplicates by content hash and analyses its batches with
   :func:`~.ingest.process_task`, exactly as a local worker does. Texts
   whose SHA-256 is stored already are skipped before analysis: the actors
   get the stored hashes (their first 16 bytes, sorted, shared through the
   object store). An article that breaks the pipeline becomes a failure row,
   never a failed job.
3. **Analyses to Parquet.** ``write_parquet`` to ``STAGING/RUN/analyses/``
   (one row per task: status, reason, analysis JSON, metadata, MinHash).
4. **One writer.** The driver reads the analyses back in input order and
   writes them with :meth:`~unspin.corpus.Corpus.add` through the same loop
   as the local engine: one writer, idempotent by content hash, failures
   recorded, a commit every 32 articles.

A temporary staging directory is removed at the end; under ``--staging``
the analyses are kept (the tasks are removed once the store has them), so
the Parquet can also feed a data lake.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
import warnings
from typing import Any, Generator, Iterable, Iterator

from ..config import Options
from ..errors import ConfigError, InputError, failure_reason
from ..inputs.files import _os_reason, _read_capped
from ..inputs.text import format_size
from ..pipeline import Pipeline
from ..store import ArticleRow, Store
from .ingest import Outcome, process_task
from .sources import Failure, Task

__all__ = ["Analyse", "run_ray", "RAY_HINT"]

RAY_HINT = "the Ray engine needs Ray: pip install 'unspin[ray]'"
#: Rows per task file (Parquet written by the driver, read by the cluster).
FILE_ROWS = 256
#: Articles per ``map_batches`` call, and per block handed to an actor.
BATCH_SIZE = 8

log = logging.getLogger(__name__)


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    tasks = pa.schema([
        ("seq", pa.int64()), ("source", pa.string()), ("kind", pa.string()),
        ("payload", pa.large_binary()), ("payload_is_text", pa.bool_()),
        ("url", pa.string()), ("title", pa.string()), ("outlet", pa.string()),
        ("published", pa.string()), ("extra", pa.string()),
    ])
    results = pa.schema([
        ("seq", pa.int64()), ("source", pa.string()), ("status", pa.string()), ("reason", pa.string()),
        ("content_sha256", pa.string()), ("analysis", pa.large_string()),
        ("row_source", pa.string()), ("url", pa.string()), ("outlet", pa.string()), ("outlet_name", pa.string()),
        ("title", pa.string()), ("published", pa.string()), ("signature", pa.binary()),
    ])
    return tasks, results


# -- known hashes --------------------------------------------------------------


def known_hashes(store: Store) -> Any:
    """The stored content hashes as a sorted ``(n, 2)`` uint64 array (first 16 bytes of each)."""
    import numpy as np

    raw = b"".join(bytes.fromhex(h)[:16] for (h,) in store.db.execute("SELECT content_sha256 FROM articles"))
    arr = np.frombuffer(raw, dtype=">u8").reshape(-1, 2).astype(np.uint64)
    order = np.lexsort((arr[:, 1], arr[:, 0]))
    return arr[order]


class KnownSet:
    """Membership in :func:`known_hashes` (exact to 128 bits; the driver re-checks every hit)."""

    def __init__(self, arr: Any) -> None:
        self.hi = arr[:, 0].copy()
        self.lo = arr[:, 1].copy()

    def __contains__(self, sha: str) -> bool:
        import numpy as np

        if not len(self.hi):
            return False
        b = bytes.fromhex(sha)
        hi, lo = np.uint64(int.from_bytes(b[:8], "big")), np.uint64(int.from_bytes(b[8:16], "big"))
        i, j = np.searchsorted(self.hi, hi, "left"), np.searchsorted(self.hi, hi, "right")
        return bool((self.lo[i:j] == lo).any())


# -- the actor -------------------------------------------------------------------


class Analyse:
    """The ``map_batches`` callable class: one :class:`~unspin.pipeline.Pipeline` per Ray actor.

    ``ratings`` are the ratings tables' ``(file name, bytes)``, written to
    the actor's node so that the driver's paths need not exist there.
    ``known`` is ``[ObjectRef]`` of :func:`known_hashes` (or ``[]``).
    """

    def __init__(self, options: Options, ratings: list[tuple[str, bytes]], known: list[Any]) -> None:
        if ratings:
            folder = tempfile.mkdtemp(prefix="unspin-ratings-")
            paths = []
            for i, (name, data) in enumerate(ratings):
                os.makedirs(os.path.join(folder, str(i)))
                path = os.path.join(folder, str(i), name)
                with open(path, "wb") as f:
                    f.write(data)
                paths.append(path)
            options = options.with_(ratings=tuple(paths))
        os.environ.setdefault("UNSPIN_THREADS", "1")  # one actor per core: one encoder thread each
        self.pipeline = Pipeline(options)
        _ = self.pipeline.nlp, self.pipeline.ratings  # load the models and tables once, before the first batch
        self.known: KnownSet | None = None
        if known:
            import ray

            self.known = KnownSet(ray.get(known[0]))
        _, self.schema = _schemas()

    def _is_known(self, sha: str) -> bool:
        self.last_sha = sha
        return self.known is not None and sha in self.known

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        out = []
        for r in batch.to_pylist():
            payload: str | bytes = r["payload"].decode("utf-8") if r["payload_is_text"] else r["payload"]
            task = Task(r["source"], r["kind"], payload, url=r["url"], title=r["title"], outlet=r["outlet"],
                        published=r["published"], extra=json.loads(r["extra"] or "{}"))
            self.last_sha: str | None = None
            try:
                outcome = process_task(task, self.pipeline, self._is_known)
            except Exception as exc:  # noqa: BLE001 - one broken article must not fail a cluster job
                outcome = Outcome(task.source, "failed", failure_reason(exc))
            out.append(_outcome_row(r["seq"], outcome, self.last_sha))
        return pa.Table.from_pylist(out, schema=self.schema)


def _outcome_row(seq: int, o: Outcome, sha: str | None) -> dict[str, Any]:
    row = o.row or ArticleRow(source=o.source)
    analysis = json.dumps(o.analysis, ensure_ascii=False, separators=(",", ":")) if o.analysis else None
    if o.analysis:
        sha = (o.analysis.get("meta") or {}).get("content_sha256") or sha
    return {
        "seq": seq, "source": o.source, "status": o.status, "reason": o.reason, "content_sha256": sha,
        "analysis": analysis, "row_source": row.source, "url": row.url, "outlet": row.outlet,
        "outlet_name": row.outlet_name, "title": row.title, "published": row.published,
        "signature": None if o.signature is None else o.signature.astype("<u4").tobytes(),
    }


def _outcome(r: dict[str, Any]) -> Outcome:
    import numpy as np

    if r["status"] != "ok":
        return Outcome(r["source"], r["status"], r["reason"])
    row = ArticleRow(source=r["row_source"] or r["source"], url=r["url"], outlet=r["outlet"],
                     outlet_name=r["outlet_name"], title=r["title"], published=r["published"])
    sig = np.frombuffer(r["signature"], dtype="<u4").astype(np.uint32) if r["signature"] else None
    return Outcome(r["source"], "ok", analysis=json.loads(r["analysis"]), row=row, signature=sig)


# -- staging ---------------------------------------------------------------------


def _filesystem(staging: str) -> tuple[Any, str]:
    """``(pyarrow filesystem, path)`` of a staging directory or URI."""
    import pyarrow.fs as pafs

    if "://" in staging and not staging.startswith("file://"):
        try:
            return pafs.FileSystem.from_uri(staging)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError, …
            raise ConfigError(f"--staging {staging}: cannot use it ({str(exc).splitlines()[0][:160]})") from None
    path = os.path.abspath(staging.removeprefix("file://"))
    return pafs.LocalFileSystem(), path


def _inline_file(task: Task, max_bytes: int) -> Task:
    """A ``path`` task as a ``file`` task carrying the file's bytes (checked as ``read_file`` checks)."""
    import stat

    path = str(task.payload)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, "is a directory")
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise InputError(path, f"file is too large ({format_size(info.st_size)}; limit "
                                   f"{format_size(max_bytes)}, see --max-bytes)")
        if stat.S_ISREG(info.st_mode) and info.st_size == 0:
            raise InputError(path, "file is empty")
        with open(path, "rb") as f:
            data = _read_capped(f, max_bytes, path, "file")
    except OSError as exc:
        raise InputError(path, _os_reason(exc)) from None
    return Task(task.source, "file", data, url=task.url, title=task.title, outlet=task.outlet,
                published=task.published, extra=task.extra)


def _stage_tasks(tasks: Iterable[Task | Failure], options: Options, fs: Any, folder: str,
                 file_rows: int) -> Iterator[Failure | int]:
    """Write the tasks as Parquet files under ``folder``; yields failures, then the number of tasks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema, _ = _schemas()
    fs.create_dir(folder, recursive=True)
    rows: list[dict[str, Any]] = []
    seq = files = 0

    def flush() -> None:
        nonlocal files
        table = pa.Table.from_pylist(rows, schema=schema)
        with fs.open_output_stream(f"{folder}/part-{files:06d}.parquet") as out:
            pq.write_table(table, out, compression="zstd")
        files += 1
        rows.clear()

    for task in tasks:
        if isinstance(task, Failure):
            yield task
            continue
        if task.kind == "path":
            try:
                task = _inline_file(task, options.max_bytes)
            except InputError as exc:
                yield Failure(task.source, exc.reason)
                continue
        is_text = isinstance(task.payload, str)
        rows.append({
            "seq": seq, "source": task.source, "kind": task.kind,
            "payload": task.payload.encode("utf-8") if isinstance(task.payload, str) else task.payload,
            "payload_is_text": is_text, "url": task.url, "title": task.title, "outlet": task.outlet,
            "published": task.published, "extra": json.dumps(task.extra, ensure_ascii=False),
        })
        seq += 1
        if len(rows) >= file_rows:
            flush()
    if rows:
        flush()
    yield seq


def _result_files(fs: Any, folder: str) -> list[str]:
    import pyarrow.fs as pafs

    infos = fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True, recursive=True))
    return sorted(i.path for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet"))


def _read_results(fs: Any, folder: str) -> Iterator[dict[str, Any]]:
    """The result rows in input order (files by their first ``seq``, rows by ``seq``), memory per file."""
    import pyarrow.parquet as pq

    files = []
    for path in _result_files(fs, folder):
        seqs = pq.read_table(path, columns=["seq"], filesystem=fs).column("seq")
        if len(seqs):
            files.append((min(seqs.to_pylist()), path))
    for _, path in sorted(files):
        table = pq.read_table(path, filesystem=fs).sort_by("seq")
        for batch in table.to_batches(max_chunksize=64):
            yield from batch.to_pylist()


# -- Ray ---------------------------------------------------------------------------


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(RAY_HINT) from None
    return ray


def _ratings_files(options: Options) -> list[tuple[str, bytes]]:
    out = []
    for path in options.ratings:
        try:
            with open(path, "rb") as f:
                out.append((os.path.basename(path), f.read()))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ratings table ({exc.strerror})") from None
    return out


def run_ray(
    tasks: Iterable[Task | Failure],
    options: Options,
    store: Store,
    *,
    workers: int | None = None,
    address: str | None = None,
    staging: str | None = None,
    verbose: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Generator[Outcome | Failure, None, None]:
    """Outcomes of ``tasks`` analysed by Ray actors, in input order; source failures first.

    Joins the Ray cluster at ``address`` (``"auto"``, ``ray://…``, or the
    ``RAY_ADDRESS`` environment variable), else starts a local Ray with
    ``workers + 1`` CPUs (one for reading and writing Parquet) and shuts it
    down afterwards; a Ray already initialised in this process is used as
    it is.
    """
    ray = _ray()
    ratings = _ratings_files(options)
    started_here = not ray.is_initialized()
    if started_here:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        local = address is None and not os.environ.get("RAY_ADDRESS")
        ray.init(
            address=address,
            num_cpus=(max(1, workers or os.cpu_count() or 1) + 1) if local else None,
            include_dashboard=False,
            logging_level=logging.INFO if verbose else logging.ERROR,
            log_to_driver=verbose,
        )
    run_dir = fs = None
    temporary = staging is None
    import ray.data

    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        if temporary and nodes > 1:
            raise ConfigError(f"this Ray cluster has {nodes} nodes: give --staging on storage that every node "
                              "can read (s3://bucket/prefix, gs://…, or a shared filesystem path)")
        actors = max(1, workers or (cpus - 1 if cpus > 1 else 1))
        # One CPU stays free for listing, reading and writing Parquet: actors holding every CPU would deadlock.
        actor_cpus = min(1.0, (cpus - 1) / actors) if cpus > 1 else 0.5

        if temporary:
            fs, base = _filesystem(tempfile.mkdtemp(prefix="unspin-ray-"))
            run_dir = base
        else:
            assert staging is not None
            fs, base = _filesystem(staging)
            run_dir = f"{base.rstrip('/')}/unspin-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        task_dir, result_dir = f"{run_dir}/tasks", f"{run_dir}/analyses"

        n_tasks = 0
        for item in _stage_tasks(tasks, options, fs, task_dir, FILE_ROWS):
            if isinstance(item, Failure):
                yield item
            else:
                n_tasks = item
        if n_tasks == 0:
            return
        store.commit()  # the failures recorded so far, before the long part

        known = known_hashes(store)
        known_ref = [ray.put(known)] if len(known) else []

        ctx.execution_options.preserve_order = True
        if not verbose:
            logging.getLogger("ray.data").setLevel(logging.ERROR)
        ctx.enable_progress_bars = verbose
        # Parquet readers merge small files into one block; the streaming repartition cuts blocks of
        # `batch_size` rows so that every actor gets work (no shuffle, no barrier).
        ds = ray.data.read_parquet(task_dir, filesystem=fs, num_cpus=0.25)
        ds = ds.repartition(target_num_rows_per_block=batch_size)
        ds = ds.map_batches(
            Analyse,
            fn_constructor_kwargs={"options": options, "ratings": ratings, "known": known_ref},
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=min(actors, -(-n_tasks // batch_size))),
            num_cpus=actor_cpus,
        )
        with warnings.catch_warnings():
            if not verbose:
                warnings.simplefilter("ignore")
            ds.write_parquet(result_dir, filesystem=fs, ray_remote_args={"num_cpus": 0.25})

        seen = 0
        for r in _read_results(fs, result_dir):
            seen += 1
            if r["status"] == "known" and r["content_sha256"] and not store.has(r["content_sha256"]):
                # A 128-bit prefix matched a stored hash that is not this one: never skip silently.
                yield Failure(r["source"], "skipped: its hash prefix matched a stored article; "
                                           "ingest it with --engine local")
                continue
            yield _outcome(r)
        if seen != n_tasks:
            raise RuntimeError(f"the Ray run returned {seen} results for {n_tasks} tasks (see {result_dir})")
        if not temporary:
            fs.delete_dir(task_dir)
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved
        if temporary and run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)
        if started_here:
            ray.shutdown()
