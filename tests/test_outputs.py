"""Outputs are whole or absent, never overwrite an input, and no process or temp file
outlives a command, whether it ends normally, by Ctrl-C, SIGTERM or kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest
import xlsxwriter

from gkxl import outputs
from gkxl.errors import GkxlError, OutputError
from gkxl.outputs import (atomic_file, atomic_write, cell_write_warning, chinese_warning, folder_lock,
                          quiet_library_warnings, refuse_overlap, write_together)
from gkxl.parallel import run_jobs


def temps(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith(".gkxl-"))


# --- atomic writes ------------------------------------------------------------

def test_atomic_write_and_the_template_re_export(tmp_path):
    from gkxl.template import atomic_write as old_name

    atomic_write(tmp_path / "a.txt", b"one")
    old_name(tmp_path / "a.txt", b"two")
    assert (tmp_path / "a.txt").read_bytes() == b"two" and temps(tmp_path) == []
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~_umask()
    with pytest.raises(OutputError, match="不存在"):
        old_name(tmp_path / "nodir" / "a.txt", b"x")
    with pytest.raises(OutputError, match="这是一个目录"):
        atomic_write(tmp_path, b"x")
    assert temps(tmp_path) == [] and not outputs._TEMPS


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_atomic_file_leaves_the_target_alone_on_error(tmp_path):
    t = tmp_path / "r.csv"
    t.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(t) as fh:
            fh.write(b"new, half")
            assert len(temps(tmp_path)) == 1 and len(outputs._TEMPS) == 1
            raise KeyboardInterrupt
    with pytest.raises(FileNotFoundError):  # the caller's own I/O error is not a write error
        with atomic_file(t) as fh:
            open(tmp_path / "no-such-input")
    assert t.read_bytes() == b"old" and temps(tmp_path) == [] and not outputs._TEMPS
    with atomic_file(t) as fh:
        fh.write(b"new")
    assert t.read_bytes() == b"new"


def test_write_together_all_or_nothing(tmp_path, monkeypatch):
    a, b = tmp_path / "汇总.xlsx", tmp_path / "长表.csv"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    write_together([(a, b"new a"), (b, b"new b")])
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b") and temps(tmp_path) == []

    # the second temp cannot be written (disk full): neither target is touched
    real = outputs._write_temp

    def full(path, data):
        if path == b:
            raise OSError(28, "No space left on device")
        return real(path, data)
    monkeypatch.setattr(outputs, "_write_temp", full)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_together([(a, b"newer a"), (b, b"newer b")])
    monkeypatch.undo()
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b") and temps(tmp_path) == []

    # the second rename fails (a folder is in the way): the first is put back
    c, d = tmp_path / "c.txt", tmp_path / "d"
    d.mkdir()
    with pytest.raises(OutputError, match="这是一个目录"):
        write_together([(a, b"newest a"), (c, b"c"), (d, b"d")])
    assert a.read_bytes() == b"new a" and not c.exists() and d.is_dir()
    assert temps(tmp_path) == [] and not outputs._TEMPS
    with pytest.raises(OutputError, match="不存在"):
        write_together([(a, b"x"), (tmp_path / "nodir" / "b", b"y")])
    assert a.read_bytes() == b"new a"


def test_refuse_overlap(tmp_path):
    ret = tmp_path / "in" / "a.xlsx"
    ret.parent.mkdir()
    ret.write_bytes(b"x")
    (tmp_path / "link.xlsx").symlink_to(ret)
    os.link(ret, tmp_path / "hard.xlsx")
    for out in (ret, tmp_path / "in" / ".." / "in" / "a.xlsx", tmp_path / "link.xlsx", tmp_path / "hard.xlsx"):
        with pytest.raises(OutputError) as e:
            refuse_overlap([tmp_path / "ok.csv", out], [tmp_path / "in", ret])
        assert str(e.value) == f"输出文件 {out} 同时也是输入文件，请换一个输出位置"
        assert e.value.code == "OUTPUT_OVERLAP"
    refuse_overlap([tmp_path / "in" / "汇总.xlsx", None], [tmp_path / "in"])  # inside an input folder: fine
    refuse_overlap([tmp_path / "new.xlsx"], [ret])
    with pytest.raises(OutputError, match="两个输出"):
        refuse_overlap([tmp_path / "x.xlsx", tmp_path / "." / "x.xlsx"], [ret])


# --- the working-folder lock ------------------------------------------------------

HOLD = """
import sys, time
from gkxl.outputs import folder_lock
with folder_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(d: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(d), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_folder_lock_refuses_after_waiting(tmp_path):
    p = _holder(tmp_path, 30)
    try:
        t = time.monotonic()
        with pytest.raises(OutputError) as e:
            with folder_lock(tmp_path, wait=0.3):
                pass
        assert 0.25 < time.monotonic() - t < 2
        assert str(e.value) == f"另一个 gkxl 命令正在使用工作目录 {tmp_path}（进程 {p.pid}），请等它结束后再运行"
    finally:
        p.kill()
        p.wait()
    with folder_lock(tmp_path, wait=0):  # the holder was killed: its lock went with it
        assert (tmp_path / ".gkxl.lock").read_text() == f"{os.getpid()}\n"
        with folder_lock(tmp_path, wait=0):  # nested use in one process does not deadlock
            pass
    assert (tmp_path / ".gkxl.lock").read_text() == ""


def test_folder_lock_waits_for_the_other_command(tmp_path):
    p = _holder(tmp_path, 0.4)
    seen: list[int | None] = []
    try:
        with folder_lock(tmp_path, wait=10, on_wait=seen.append):
            assert p.poll() is not None or p.wait(5) == 0  # we got it once the other one finished
    finally:
        p.kill()
        p.wait()
    assert seen == [p.pid]
    with pytest.raises(OutputError, match="锁文件"):
        with folder_lock(tmp_path / "nodir"):
            pass


# --- signals and workers -------------------------------------------------------------

JOB = """
import os, sys, time
from pathlib import Path
from gkxl.outputs import atomic_file, install_signal_cleanup
from gkxl.parallel import run_jobs

OUT = Path(sys.argv[1])

def job(i):
    with atomic_file(OUT / f"{i}.bin") as fh:
        fh.write(b"half")
        os.write(1, f"started {os.getpid()}\\n".encode())  # one write: the workers share the pipe
        time.sleep(30)
    return i

if __name__ == "__main__":
    install_signal_cleanup()
    if sys.argv[2] == "pool":
        run_jobs(job, range(6), jobs=2, min_parallel=1)
    else:
        job(0)
"""


def _state(pid: int) -> str | None:
    """The process state letter, None when gone (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state = stat.rsplit(")", 1)[1].split()[0]
    return None if state in "ZX" else state


def _children(pid: int) -> set[int]:
    kids = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int(d.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.add(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def _start(tmp_path: Path, mode: str, n: int) -> tuple[subprocess.Popen, set[int], Path]:
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(JOB), encoding="utf-8")
    p = subprocess.Popen([sys.executable, str(script), str(out), mode], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    lines = [p.stdout.readline() for _ in range(n)]
    assert all(line.startswith("started ") for line in lines), (lines, p.poll(), p.stderr.read() if p.poll() else "")
    workers = {int(line.split()[1]) for line in lines}
    assert len(temps(out)) == n
    return p, workers, out


def test_sigterm_removes_the_temp_file_of_a_write_in_progress(tmp_path):
    p, _, out = _start(tmp_path, "single", 1)
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 143
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_parent_stops_its_workers(tmp_path, sig):
    p, workers, out = _start(tmp_path, "pool", 2)
    assert workers <= _children(p.pid) and p.pid not in workers
    p.send_signal(sig)
    code = p.wait(10)
    err = p.stderr.read()
    assert code == (143 if sig == signal.SIGTERM else -signal.SIGINT)
    assert "Exception in thread" not in err and (sig != signal.SIGTERM or err == ""), err
    assert [w for w in workers if _state(w)] == []  # no orphans
    assert list(out.iterdir()) == []  # no temp files, no half outputs


def test_workers_of_a_killed_parent_exit_on_their_own(tmp_path):
    p, workers, out = _start(tmp_path, "pool", 2)
    p.kill()
    p.wait(10)
    deadline = time.monotonic() + 5
    while any(_state(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [w for w in workers if _state(w)] == []
    assert list(out.iterdir()) == []  # each worker removed its temp file before going


def _die(i: int) -> int:
    if i == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return i


def _boom(i: int) -> int:
    if i == 3:
        raise ValueError("bad task")
    return i


def test_a_worker_killed_hard_is_a_clear_error():
    assert run_jobs(_die, range(3), jobs=2, min_parallel=1) == [0, 1, 2]
    with pytest.raises(GkxlError) as e:
        run_jobs(_die, range(8), jobs=2, min_parallel=1)
    assert e.value.code == "PARALLEL_BROKEN" and "--jobs 1" in str(e.value)
    with pytest.raises(ValueError, match="bad task"):  # a job's own error passes through unchanged
        run_jobs(_boom, range(8), jobs=2, min_parallel=1)
    assert _children(os.getpid()) == set() or all(_state(c) is None for c in _children(os.getpid()))


# --- library warnings ----------------------------------------------------------------

def test_library_warnings_become_chinese(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "w.xlsx"))
    ws = wb.add_worksheet()
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        with quiet_library_warnings() as found:
            ws.write_url(0, 0, "https://example.org/" + "x" * 3000)
            ws.write_url(1, 0, "https://example.org/" + "y" * 3000)
            assert ws.write_string(2, 0, "长" * 40000) == -2  # truncated silently: no warning at all
            warnings.warn("ours", DeprecationWarning)  # not a library's: passed on
        wb.close()
    assert [str(w.message) for w in escaped] == ["ours"]
    assert found == ["链接地址超过 Excel 的长度上限（2079 个字符），未写入链接"]
    assert cell_write_warning(-2, "表二!B3") == "表二!B3：文字超过 Excel 上限 32767 个字符，已截断"
    assert cell_write_warning(0, "A1") is None
    assert chinese_warning("Workbook contains no default style, apply openpyxl's default") \
        == "工作簿缺少默认样式，已按默认样式读取"
    assert chinese_warning("something new").isascii() is False
