"""Run independent jobs on all cores, results in input order.

Order is kept whatever the number of workers, so outputs never depend on
`--jobs`. Small batches run in-process: a pool costs more than it saves.

No worker outlives the command: on Ctrl-C, SIGTERM or any error the parent
terminates its workers before re-raising, a worker told to stop removes its
temp files first, and a worker whose parent was killed outright (kill -9)
notices within a fraction of a second and exits.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, TypeVar

from ..errors import GkxlError

T = TypeVar("T")
R = TypeVar("R")

ORPHAN_POLL = 0.2  # seconds between a worker's checks that its parent is still there


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _worker_exit(signum: int, frame) -> None:
    """SIGTERM in a worker (sent by the parent when stopping): remove temp files, then go.
    Not an exception: the pool's worker loop catches BaseException from a job and would carry on."""
    from .outputs import remove_pending_temps

    remove_pending_temps()
    os._exit(128 + signum)


def _watch_parent(ppid: int) -> None:
    while True:
        time.sleep(ORPHAN_POLL)
        if os.getppid() != ppid:  # re-parented: the parent died without stopping us
            _worker_exit(signal.SIGTERM, None)


def _worker_start(initializer: Callable | None, initargs: tuple) -> None:
    """Every worker: leave Ctrl-C to the parent (the terminal sends it to the whole process
    group), stop cleanly on SIGTERM, exit if orphaned; then the caller's initializer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="gkxl-orphan-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the workers (no orphans, no waiting for long jobs) and drop what was queued."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 2.0
    for p in procs:
        try:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(1.0)
        except (OSError, ValueError, AssertionError, AttributeError):
            pass


def _run_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(t) for t in chunk]


def run_jobs(fn: Callable[[T], R], tasks: Iterable[T], *, jobs: int | None = None,
             progress: Callable[[], None] | None = None, min_parallel: int = 16,
             chunksize: int | None = None, initializer: Callable | None = None,
             initargs: tuple = ()) -> list[R]:
    """fn over tasks, results in task order. A worker that dies (killed, out of memory)
    becomes a GkxlError; Ctrl-C, SIGTERM and job errors stop all workers, then propagate."""
    tasks = list(tasks)
    jobs = jobs or default_jobs()
    results: list[R] = []
    if jobs <= 1 or len(tasks) < min_parallel:
        if initializer:
            initializer(*initargs)
        for t in tasks:
            results.append(fn(t))
            if progress:
                progress()
        return results
    chunk = chunksize or max(1, min(64, len(tasks) // (jobs * 8) or 1))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(initializer, initargs))
    try:
        # not pool.map: its generator cancels futures from this thread when interrupted, racing
        # the pool's own thread (an InvalidStateError traceback on Python 3.11); shutdown cancels instead
        futures = [pool.submit(_run_chunk, fn, tasks[i:i + chunk]) for i in range(0, len(tasks), chunk)]
        for fut in futures:
            for r in fut.result():
                results.append(r)
                if progress:
                    progress()
    except BrokenProcessPool:
        _stop(pool)
        raise GkxlError("并行处理的子进程意外退出（可能是内存不足，被系统终止），可用 --jobs 1 重试",
                        code="PARALLEL_BROKEN") from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return results
