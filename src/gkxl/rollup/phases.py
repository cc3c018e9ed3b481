"""Where a roll-up's time and memory go: named phases, each with its seconds and the process's RSS after it.

Always on (a few microseconds a phase); benchmarks/aggregate_bench.py prints `report()`.
"""

from __future__ import annotations

import os
import time
from collections import deque
from contextlib import contextmanager

_LOG: deque[tuple[str, float, float, float]] = deque(maxlen=1000)  # (name, seconds, rss MB now, peak MB so far)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):  # not Linux
        return 0.0


@contextmanager
def phase(name: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        try:
            import resource
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        except ImportError:  # pragma: no cover - Windows
            peak = 0.0
        _LOG.append((name, time.perf_counter() - t, _rss_mb(), peak))


def report() -> list[dict]:
    """Every phase so far, in order (a phase run twice is listed twice)."""
    return [{"name": n, "seconds": s, "rss_mb": r, "peak_mb": p} for n, s, r, p in _LOG]
