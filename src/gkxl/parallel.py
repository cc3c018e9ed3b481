"""Run independent jobs on all cores, results in input order.

Order is kept whatever the number of workers, so outputs never depend on
`--jobs`. Small batches run in-process: a pool costs more than it saves.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_jobs(fn: Callable[[T], R], tasks: Iterable[T], *, jobs: int | None = None,
             progress: Callable[[], None] | None = None, min_parallel: int = 16,
             chunksize: int | None = None, initializer: Callable | None = None,
             initargs: tuple = ()) -> list[R]:
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
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        for r in pool.map(fn, tasks, chunksize=chunk):
            results.append(r)
            if progress:
                progress()
    return results
