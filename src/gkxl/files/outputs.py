"""The one place gkxl writes its outputs.

Every output goes to a temp file beside its target and is renamed into place,
so a reader (or the next run) never sees half a file; outputs that belong
together are replaced together or not at all. Temp files are removed however
the write ends: an error, Ctrl-C, or SIGTERM (`install_signal_cleanup`). A
working folder is used by one gkxl command at a time (`folder_lock`), and an
output never overwrites one of the command's own inputs (`refuse_overlap`).
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import stat
import tempfile
import threading
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from ..errors import OutputError, os_reason
from .lock import LOCK_NAME, folder_lock  # noqa: F401 - public here too

OUTPUT_PROPERTY = "gkxl_output"  # custom document property marking a workbook gkxl wrote that is not a return
TEMP_PREFIX = ".gkxl-"
TEMP_SUFFIX = ".tmp"

# temp files this process created and has not yet renamed or removed
_TEMPS: set[str] = set()
_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, n))


def _forget_inherited_temps() -> None:
    _TEMPS.clear()  # a forked child must never remove its parent's temp files


os.register_at_fork(after_in_child=_forget_inherited_temps)


def remove_pending_temps() -> None:
    """Remove every temp file this process still holds (signal handlers, exit, a dying worker)."""
    for tmp in list(_TEMPS):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _TEMPS.discard(tmp)


atexit.register(remove_pending_temps)


def _new_temp(path: Path) -> tuple[int, str]:
    """A temp file beside `path`, registered before a signal handler can run."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS) if hasattr(signal, "pthread_sigmask") else None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
        _TEMPS.add(tmp)
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    return fd, tmp


def _drop_temp(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
    _TEMPS.discard(tmp)


def _umask_mode(tmp: str) -> None:
    """mkstemp makes 0600 files; an output gets the mode any other new file would."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)


def _write_error(path: Path, e: OSError) -> OutputError:
    return OutputError(f"无法写入文件 {path}：{os_reason(e)}", code="OUTPUT_IO", path=str(path))


def _check_parent(path: Path) -> None:
    if not path.parent.is_dir():
        raise OutputError(f"无法写入文件 {path}：目录 {path.parent} 不存在", code="OUTPUT_IO", path=str(path))


@contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file handle whose contents replace `path` only when the block ends normally
    (for writers that stream: xlsxwriter, csv); on any exception the target is untouched."""
    path = Path(path)
    _check_parent(path)
    try:
        fd, tmp = _new_temp(path)
    except OSError as e:
        raise _write_error(path, e) from None
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
            _umask_mode(tmp)
            os.replace(tmp, path)
        except OSError as e:
            if e.filename not in (None, tmp, str(path)):
                raise  # the caller's own I/O inside the block, not this write
            raise _write_error(path, e) from None
    finally:
        _drop_temp(tmp)  # after the rename there is nothing left to remove; still forget it


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename: never a half-written file."""
    with atomic_file(path) as fh:
        fh.write(data)


def _write_temp(path: Path, data: "bytes | Callable[[BinaryIO], None]") -> str:
    fd, tmp = _new_temp(path)
    with os.fdopen(fd, "wb") as fh:
        if callable(data):
            data(fh)  # a content too large to hold in memory (a long table of 100,000 returns) is streamed
        else:
            fh.write(data)
    _umask_mode(tmp)
    return tmp


def write_together(items: Iterable[tuple[str | os.PathLike, "bytes | Callable[[BinaryIO], None]"]]) -> None:
    """Write several files that belong together (a roll-up and its CSV, a status book and its
    list): all temp files first, then the renames. If any write fails, no target is replaced;
    if a rename fails, the targets already renamed are put back as they were (where the file
    system allows hard links, which the backups use). A content is bytes, or a function that
    writes it into the open temporary file."""
    todo = [(Path(p), data) for p, data in items]
    seen: set[str] = set()
    for p, _ in todo:
        key = os.path.realpath(p)
        if key in seen:
            raise ValueError(f"write_together: {p} given twice")
        seen.add(key)
        _check_parent(p)
    temps: list[str] = []
    backups: dict[Path, str] = {}
    current: Path | None = None
    try:
        try:
            for p, data in todo:
                current = p
                temps.append(_write_temp(p, data))
            for p, _ in todo:
                current = p
                if os.path.isfile(p):
                    backup = str(p.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}{TEMP_SUFFIX}")
                    _TEMPS.add(backup)
                    try:
                        os.link(p, backup, follow_symlinks=False)
                        backups[p] = backup
                    except OSError:
                        _TEMPS.discard(backup)  # no hard links here (FAT, some shares): no way back
        except OSError as e:
            raise _write_error(current or todo[0][0], e) from None
        done: list[Path] = []
        try:
            for (p, _), tmp in zip(todo, temps):
                current = p
                os.replace(tmp, p)
                done.append(p)
        except BaseException as e:
            for p in reversed(done):  # put back what was there before
                try:
                    if p in backups:
                        os.replace(backups[p], p)
                    else:
                        os.unlink(p)
                except OSError:
                    pass
            if isinstance(e, OSError):
                raise _write_error(current or todo[0][0], e) from None
            raise
    finally:
        for tmp in temps + list(backups.values()):
            _drop_temp(tmp)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overlap(outputs: Iterable[str | os.PathLike | None], inputs: Iterable[str | os.PathLike]) -> None:
    """Refuse an output that is one of the command's input files (it would overwrite a return
    before or while it is read) or that is named twice. An output inside an input folder is
    fine: pass it to scan_paths(exclude=...) so it is not read as a return.

    An output not there yet cannot be an input; one that is there is matched by device and inode
    (links and other spellings of a path included), one stat per input: 100,000 inputs cost
    a tenth of a second, not seconds of resolving every path."""
    outs = [Path(o) for o in outputs if o is not None]
    named: dict[str, Path] = {}
    for o in outs:
        real = os.path.realpath(o)
        if real in named or any(_same(o, prev) for prev in named.values()):
            raise OutputError(f"同一个文件 {o} 被同时指定为两个输出，请分别指定不同的文件",
                              code="OUTPUT_OVERLAP", path=str(o))
        named[real] = o
    existing: dict[tuple[int, int], Path] = {}
    for o in outs:
        try:
            st = os.stat(o)
        except OSError:
            continue
        existing[(st.st_dev, st.st_ino)] = o
    if not existing:
        return
    for p in inputs:
        try:
            st = os.stat(p)
        except OSError:
            continue
        o = existing.get((st.st_dev, st.st_ino))
        if o is not None and not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"输出文件 {o} 同时也是输入文件，请换一个输出位置", code="OUTPUT_OVERLAP", path=str(o))


_exiting = False


def _on_terminate(signum: int, frame) -> None:
    """SIGTERM/SIGHUP: unwind like Ctrl-C so `finally` blocks remove temp files; a second signal
    during that unwinding ends the process at once (after removing what it can)."""
    global _exiting
    if _exiting:
        remove_pending_temps()
        os._exit(128 + signum)
    _exiting = True
    raise SystemExit(128 + signum)


def install_signal_cleanup() -> None:
    """Make SIGTERM (and SIGHUP, unless ignored as under nohup) exit through `finally` blocks.
    Call once from the CLI's main thread; elsewhere, or when a handler is already set, a no-op."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _on_terminate)


# --- library warnings -------------------------------------------------------

_LIBRARIES = ("xlsxwriter", "openpyxl", "lxml", "et_xmlfile", "docx", "pandas")
_TRANSLATIONS: list[tuple[re.Pattern, str]] = [(re.compile(p, re.I | re.S), z) for p, z in [
    (r"Ignoring URL .*> ?(\d+) characters", "链接地址超过 Excel 的长度上限（{0} 个字符），未写入链接"),
    (r"Ignoring URL .*65,?530 URLs", "一个工作表中的链接超过 Excel 上限 65530 个，多余的链接未写入"),
    (r"(String|string) length must be less than .*32,?767|longer than 32,?767",
     "单元格文字超过 Excel 上限 32767 个字符，已截断"),
    (r"Workbook contains no default style", "工作簿缺少默认样式，已按默认样式读取"),
    (r"Data Validation extension is not supported", "工作簿中的部分数据有效性设置不受支持，已忽略"),
    (r"Conditional Formatting extension is not supported", "工作簿中的部分条件格式不受支持，已忽略"),
    (r"Unknown extension is not supported", "工作簿中含有不支持的扩展内容，已忽略"),
    (r"Cannot parse header or footer", "页眉或页脚无法解析，已忽略"),
    (r"image format is not supported", "工作簿中的部分图片格式不受支持，已忽略"),
    (r"Title is more than 31 characters", "工作表名称超过 31 个字符，部分程序可能无法打开"),
    (r"Invalid Excel characters|Invalid name|defined_name", "工作簿中的名称定义不合法，已忽略"),
]]


def chinese_warning(message: str) -> str:
    """A library's English warning as a short Chinese sentence (a generic one when unknown)."""
    for pattern, text in _TRANSLATIONS:
        m = pattern.search(message)
        if m:
            return text.format(*m.groups())
    return "表格处理程序库给出了一条提示，已忽略（不影响结果）"


def _from_library(w: warnings.WarningMessage) -> bool:
    parts = set(Path(w.filename or "").parts)
    return any(lib in parts for lib in _LIBRARIES)


@contextmanager
def quiet_library_warnings() -> Iterator[list[str]]:
    """No English library warning reaches the user: inside the block, warnings raised by
    xlsxwriter/openpyxl/lxml/... are caught and appended, in Chinese and without repeats, to
    the yielded list (show it or drop it); other warnings are passed on unchanged.

    Not thread-safe (the warnings filters are process-wide). Note that xlsxwriter truncates
    a string over 32767 characters *silently* (write_string returns -2): see
    `cell_write_warning`."""
    found: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always")
            try:
                yield found
            finally:
                caught = list(recorded)
    finally:
        for w in caught:
            if _from_library(w):
                text = chinese_warning(str(w.message))
                if text not in found:
                    found.append(text)
            else:  # not ours to hide: through the filters as they were
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def silence_library_warnings() -> None:
    """Process-wide: drop the libraries' warnings (for the CLI, which reports in Chinese itself)."""
    for lib in _LIBRARIES:
        warnings.filterwarnings("ignore", module=rf"{lib}(\.|$)")


def cell_write_warning(result: int, where: str) -> str | None:
    """A Chinese warning for an xlsxwriter write_string/write_url/write_comment return code,
    or None when the write went through (0). xlsxwriter's own codes: -1 outside the sheet,
    -2 text over 32767 characters (truncated, or a comment dropped), -3 URL too long,
    -4 too many URLs on one sheet."""
    return {
        -1: f"{where}：超出工作表范围，未写入",
        -2: f"{where}：文字超过 Excel 上限 32767 个字符，已截断",
        -3: f"{where}：链接地址超过 Excel 的长度上限，未写入链接",
        -4: f"{where}：工作表中的链接超过 Excel 上限，未写入链接",
    }.get(result) if result else None

