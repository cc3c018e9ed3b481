"""One gkxl command at a time in a working folder (or an output folder): an flock on .gkxl.lock that
records the holder's pid, waited for a few seconds, then refused naming the holder."""

from __future__ import annotations

import errno
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..errors import OutputError, os_reason

LOCK_NAME = ".gkxl.lock"

_HELD: dict[str, list] = {}  # real folder path -> [fd, depth]: nested use in one process does not deadlock
_HELD_LOCK = threading.Lock()


def _lock_holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def folder_lock(directory: str | os.PathLike, *, wait: float = 10.0,
                on_wait: Callable[[int | None], None] | None = None) -> Iterator[Path]:
    """Hold the working folder for one gkxl command at a time (flock on .gkxl.lock, which
    records our pid). Waits up to `wait` seconds for another command to finish, calling
    `on_wait(pid)` once when it starts waiting, then refuses. Yields the lock file path."""
    d = Path(directory)
    key = os.path.realpath(d)
    lock = d / LOCK_NAME
    with _HELD_LOCK:
        if key in _HELD:
            _HELD[key][1] += 1
            held = True
        else:
            held = False
    if held:
        try:
            yield lock
        finally:
            with _HELD_LOCK:
                _HELD[key][1] -= 1
        return
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as e:
        raise OutputError(f"无法在工作目录 {d} 中创建锁文件：{os_reason(e)}", code="OUTPUT_LOCK",
                          path=str(lock)) from None
    try:
        _acquire(fd, d, wait, on_wait)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # the pid is only for the message; the lock is what counts
        with _HELD_LOCK:
            _HELD[key] = [fd, 1]
        try:
            yield lock
        finally:
            with _HELD_LOCK:
                _HELD.pop(key, None)
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _acquire(fd: int, d: Path, wait: float, on_wait: Callable[[int | None], None] | None) -> None:
    """flock the lock file, polling up to `wait` seconds; refuse, naming the holder's pid, after that."""
    import fcntl

    deadline = time.monotonic() + max(0.0, wait)
    waited = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                return  # no locks on this file system (some network shares): work unguarded
            left = deadline - time.monotonic()
            if left <= 0:
                pid = _lock_holder(fd)
                who = f"（进程 {pid}）" if pid else ""
                raise OutputError(f"另一个 gkxl 命令正在使用工作目录 {d}{who}，请等它结束后再运行",
                                  code="OUTPUT_LOCKED", path=str(d)) from None
            if not waited and on_wait is not None:
                on_wait(_lock_holder(fd))
            waited = True
            time.sleep(min(0.05, left))
