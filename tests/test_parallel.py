"""The worker pool of `analyze --workers` and `ingest --workers`: real spawned processes, stand-in work.

The work functions here stand in for an analysis (they load no models) so
that the pool's own behaviour can be checked: input order, a worker that
dies (``SIGKILL``, what the out-of-memory killer does), a generator read as
the work goes, the workers' threads. The same with the real pipeline and the
real command line is in tests/test_killed_worker.py.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from unspin.errors import UnspinError
from unspin.parallel import BLAS_THREADS, WORKER_DIED, ordered_map, worker_environment

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

VARIABLES = ("UNSPIN_THREADS", *BLAS_THREADS)


def _work(item: str) -> str:
    if "kill" in item:
        os.kill(os.getpid(), signal.SIGKILL)
    return f"done {item}"


def _failed(item: str, reason: str) -> str:
    return f"failed {item}: {reason}"


def _in_parent(item: str) -> str | None:
    return f"parent {item}" if item.startswith("bad") else None


def test_parallel_a_worker_that_dies_costs_only_its_own_item():
    items = iter(["a", "bad-1", "kill-1", "b", "kill-2", "bad-2", "c"])  # read as the work goes
    results = list(ordered_map(items, _work, _failed, workers=2, window=3, in_parent=_in_parent))
    assert results == [("a", "done a"), ("bad-1", "parent bad-1"), ("kill-1", f"failed kill-1: {WORKER_DIED}"),
                       ("b", "done b"), ("kill-2", f"failed kill-2: {WORKER_DIED}"), ("bad-2", "parent bad-2"),
                       ("c", "done c")]


def test_parallel_reads_a_generator_only_a_window_ahead():
    drawn: list[int] = []

    def items():
        for i in range(40):
            drawn.append(i)
            yield str(i)

    ahead = []
    for k, (item, result) in enumerate(ordered_map(items(), _work, _failed, workers=2, window=3)):
        assert (item, result) == (str(k), f"done {k}")
        ahead.append(len(drawn) - k)
    assert len(drawn) == 40 and max(ahead) <= 3


def _environment(item: str) -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in VARIABLES}


def test_parallel_workers_get_one_thread_each_and_the_parent_keeps_its_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    [(_, seen)] = list(ordered_map(["x"], _environment, _failed, workers=2))
    assert seen == dict.fromkeys(VARIABLES, "1")
    assert not any(name in os.environ for name in VARIABLES)


def test_parallel_workers_keep_the_threads_the_user_chose(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # one BLAS choice: the others are left unset, as the user had them
    monkeypatch.setenv("UNSPIN_THREADS", "2")
    [(_, seen)] = list(ordered_map(["x"], _environment, _failed, workers=2))
    assert seen == {"UNSPIN_THREADS": "2", "OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": None,
                    "MKL_NUM_THREADS": None}
    with worker_environment():
        assert os.environ["OMP_NUM_THREADS"] == "3" and "OPENBLAS_NUM_THREADS" not in os.environ


def _init_that_raises() -> None:
    raise OSError("the models folder is gone")


def test_parallel_an_initializer_that_raises_stops_the_batch_in_one_line():
    with pytest.raises(UnspinError) as info:
        list(ordered_map(["a", "b", "c"], _work, _failed, workers=2, initializer=_init_that_raises))
    assert str(info.value) == ("the worker processes could not start: "
                               "analysis failed (OSError: the models folder is gone)")


def _init_that_dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does to a worker loading its models


def test_parallel_a_worker_that_dies_while_starting_stops_the_batch_instead_of_blaming_each_item():
    # before, each item in turn was reported as having killed its worker, each after a fresh start
    with pytest.raises(UnspinError) as info:
        list(ordered_map(["a", "b", "c"], _work, _failed, workers=2, initializer=_init_that_dies))
    assert str(info.value).startswith("the worker processes could not start: a worker process died while starting")


def _work_or_hang(item: str) -> int:
    if item == "hang":
        Path(os.environ["PIDS"], str(os.getpid())).touch()
        time.sleep(3600)
    return os.getpid()


def test_parallel_closing_early_stops_the_workers(tmp_path, monkeypatch):
    monkeypatch.setenv("PIDS", str(tmp_path))  # the workers inherit it
    results = ordered_map(["a", "hang", "b"], _work_or_hang, _failed, workers=2)
    next(results)
    while not list(tmp_path.iterdir()):  # the hanging item is running
        time.sleep(0.05)
    [hanging] = [int(p.name) for p in tmp_path.iterdir()]
    closer = threading.Thread(target=results.close, daemon=True)
    closer.start()
    closer.join(timeout=60)  # a regression fails here instead of waiting an hour
    assert not closer.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(hanging, 0)


def test_an_item_submitted_after_a_worker_died_goes_round_again_instead_of_stopping_the_batch():
    # CI once saw the pool break between two submissions: the executor then refuses new work at submit
    # (BrokenProcessPool raised there, not in a future), which stopped the whole batch.
    from unspin.parallel import _Pool

    pool = _Pool(1, None, ())
    try:
        assert pool.submit(_work, "kill-1").exception(timeout=60) is not None
        late = pool.submit(_work, "b")  # the executor knows it is broken now
        assert type(late.exception(timeout=5)).__name__ == "BrokenProcessPool"
    finally:
        pool.stop(at_once=True)
