"""Which files under the given paths are returns to read, and why the rest are not.

A coordinator drops a mail folder, a USB stick or a shared drive onto gkxl.
Such folders hold much besides returns: Word letters, Office lock files,
macOS debris, gkxl's own ledger and lock files, last run's outputs. Every
entry is either a file to read or skipped with a Chinese reason, so that a
return is never silently left out of a roll-up.

Files the reader refuses with a clear message of its own (.xls, .et, .csv,
.ods: "please save as .xlsx") are passed on as files, so they are reported as
unreadable returns and counted, not merely skipped.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import ReadError, os_reason
from ..files.outputs import LOCK_NAME, OUTPUT_PROPERTY, TEMP_PREFIX, TEMP_SUFFIX
from .xlsx import _read_part, _xml
from .zipread import Member, Package

# read as returns
READ_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
# not .xlsx, but the reader names the format and says how to fix it: a return that is reported
REFUSED_BY_READER = (".xls", ".et", ".ett", ".csv", ".tsv", ".ods")
# spreadsheets the reader cannot even name properly
UNSUPPORTED_SUFFIXES = (".numbers", ".xlsb", ".fods", ".gnumeric", ".sxc", ".uos", ".dif", ".slk")
LEDGER_NAMES = ("gkxl.db", "gkxl.db-wal", "gkxl.db-shm", "gkxl.db-journal")
MANIFEST_NAME = "manifest.csv"

REASON_UNSUPPORTED = "不支持的表格格式，请另存为 .xlsx"
REASON_NOT_SPREADSHEET = "不是电子表格"
REASON_OFFICE_LOCK = "电子表格程序的锁文件"
REASON_HIDDEN = "隐藏文件"
REASON_HIDDEN_DIR = "隐藏文件夹"
REASON_MACOS = "macOS 压缩包附带的系统文件夹"
REASON_GKXL_TEMP = "本工具写入中途的临时文件"
REASON_GKXL_LOCK = "本工具的锁文件"
REASON_GKXL_LEDGER = "本工具的台账文件"
REASON_GKXL_MANIFEST = "本工具的收件清单"
REASON_GKXL_OUTPUT = "本工具生成的输出文件（不是报表）"
REASON_EXCLUDED = "本次命令的输出文件"
REASON_DANGLING = "链接指向的文件不存在"
REASON_LOOP = "链接形成循环"
REASON_NO_ACCESS = "没有访问权限"
REASON_MISSING = "文件不存在"
REASON_SPECIAL = "不是普通文件（设备、管道或套接字）"

_CUSTOM = "docProps/custom.xml"
_MAX_CUSTOM = 256 * 1024  # gkxl writes a few hundred bytes; anything near this is not ours
_TAIL = 1 << 20  # where a zip's central directory (member names in plain text) lives
_MAX_SNIFF = 128 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    """An entry that is not read, with the reason shown to the user."""

    path: Path
    reason: str
    code: str  # stable, for JSON output: 'unsupported', 'hidden', 'missing', ...


@dataclass
class ScanResult:
    """The files to read (in a stable order) and everything else, each with a reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _tail_has(fh, size: int, needle: bytes) -> bool:
    fh.seek(max(0, size - _TAIL))
    return needle in fh.read(_TAIL)


def _is_zip_workbook(path: Path) -> bool:
    """A file without an extension: an .xlsx package (its central directory names the workbook)?"""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            return fh.read(4) == b"PK\x03\x04" and _tail_has(fh, size, b"xl/workbook.xml")
    except OSError:
        return False


_EOCD = struct.Struct("<4s4H2LH")
_CDIR = struct.Struct("<4s6H3L5H2L")


class _OneMember(Package):
    """zipread's bounded, CRC-checked member reader over one member found by name: parsing
    the whole zip directory of every file in a big folder costs more than the rest of the check."""

    def __init__(self, data: bytes, member: Member) -> None:  # deliberately not super().__init__
        self._data = data
        self._zf = None
        self.names = {member.name: member}


def _custom_only(data: bytes) -> Package | None:
    """docProps/custom.xml of a plain zip, by its directory entry; None for anything unusual
    (the caller then lets zipread parse the whole directory, with all its checks)."""
    name = _CUSTOM.encode()
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if eocd < 0 or eocd + _EOCD.size > len(data):
        return None
    _s, disk, cd_disk, n_disk, n_all, cd_size, cd_off, _c = _EOCD.unpack_from(data, eocd)
    if disk or cd_disk or n_disk != n_all or cd_off + cd_size != eocd:
        return None
    at = data.find(name, cd_off, eocd) - _CDIR.size
    if at < cd_off:
        return None
    (sig, _cv, _ev, flags, method, _t, _d, crc, csize, usize, n_len, _e, _cl, _ds, _ia, _ea,
     offset) = _CDIR.unpack_from(data, at)
    if (sig != b"PK\x01\x02" or n_len != len(name) or flags & 0x1 or method not in (0, 8) or offset >= cd_off
            or 0xFFFFFFFF in (csize, usize, offset)):
        return None
    return _OneMember(data, Member(_CUSTOM, method, crc, csize, usize, offset))


def is_gkxl_output(path: str | os.PathLike) -> bool:
    """True for a workbook gkxl wrote that is not a return (it carries the OUTPUT_PROPERTY
    custom property). Cheap: only the zip directory and docProps/custom.xml are looked at,
    through the bounded package reader; unreadable files are not outputs (the reader reports them)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > _MAX_SNIFF or fh.read(4) != b"PK\x03\x04":
                return False
            if size > _TAIL and not _tail_has(fh, size, _CUSTOM.encode()):
                return False
            fh.seek(0)
            data = fh.read()
    except OSError:
        return False
    if _CUSTOM.encode() not in data[-_TAIL:]:
        return False  # no custom properties at all (the names sit in the zip directory at the end)
    try:
        pkg = _custom_only(data) or Package(data)
        try:
            if _CUSTOM not in pkg.names:
                return False
            raw = _read_part(pkg, _CUSTOM, str(path), [_MAX_CUSTOM])
            if OUTPUT_PROPERTY.encode() not in raw:
                return False  # the usual case, a return: no XML parse
            root = _xml(raw, _CUSTOM, str(path))
        finally:
            pkg.close()
    except (ReadError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, IndexError,
            KeyError, NotImplementedError, RuntimeError, UnicodeDecodeError, zlib.error, struct.error):
        return False
    return any(prop.get("name") == OUTPUT_PROPERTY for prop in root)


def _own_file_reason(name: str) -> tuple[str, str] | None:
    """gkxl's bookkeeping and office lock files, by name: never returns, wherever they are."""
    if name == LOCK_NAME:
        return REASON_GKXL_LOCK, "gkxl_lock"
    if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
        return REASON_GKXL_TEMP, "gkxl_temp"
    if name in LEDGER_NAMES:
        return REASON_GKXL_LEDGER, "gkxl_ledger"
    if name == MANIFEST_NAME:
        return REASON_GKXL_MANIFEST, "gkxl_manifest"
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return REASON_OFFICE_LOCK, "office_lock"
    return None


def _link_reason(e: OSError) -> tuple[str, str]:
    if e.errno == errno.ELOOP:
        return REASON_LOOP, "link_loop"
    if e.errno == errno.ENOENT:
        return REASON_DANGLING, "dangling_link"
    if e.errno in (errno.EACCES, errno.EPERM):
        return REASON_NO_ACCESS, "no_access"
    return os_reason(e), "unreadable"


class _Scan:
    def __init__(self, exclude: Iterable[str | os.PathLike]) -> None:
        self.result = ScanResult()
        self.excluded: set[tuple[int, int]] = set()
        for p in exclude:
            try:
                st = os.stat(p)
            except OSError:
                continue  # not written yet: nothing on disk to confuse with a return
            self.excluded.add((st.st_dev, st.st_ino))
        self.seen_files: dict[tuple[int, int], Path] = {}
        self.seen_dirs: dict[tuple[int, int], Path] = {}

    def skip(self, path: Path, reason: str, code: str) -> None:
        self.result.skipped.append(Skipped(path, reason, code))

    def add_file(self, path: Path, st: os.stat_result) -> None:
        ident = (st.st_dev, st.st_ino)
        first = self.seen_files.get(ident)
        if first == path:
            return  # the same name given twice (a folder and a file in it, overlapping globs)
        if first is not None:
            self.skip(path, f"与 {first} 是同一个文件（重复）", "duplicate")
            return
        self.seen_files[ident] = path
        self.result.files.append(path)

    def stat(self, path: Path, is_link: bool) -> os.stat_result | None:
        try:
            return os.stat(path)
        except OSError as e:
            if not is_link and e.errno == errno.ENOENT:
                self.skip(path, REASON_MISSING, "missing")  # gone since the folder was listed
            else:
                self.skip(path, *_link_reason(e))
            return None

    def argument(self, p: Path) -> None:
        """A path the user named: read it whatever its name, unless it is certainly not a return."""
        if not os.path.lexists(p):
            self.skip(p, REASON_MISSING, "missing")
            return
        st = self.stat(p, p.is_symlink())
        if st is None:
            return
        if (st.st_dev, st.st_ino) in self.excluded:
            self.skip(p, REASON_EXCLUDED, "excluded")
        elif stat.S_ISDIR(st.st_mode):
            self.walk(p, st)
        elif not stat.S_ISREG(st.st_mode):
            self.skip(p, REASON_SPECIAL, "special")
        elif (own := _own_file_reason(p.name)) is not None:
            self.skip(p, *own)
        elif is_gkxl_output(p):
            self.skip(p, REASON_GKXL_OUTPUT, "gkxl_output")
        else:
            self.add_file(p, st)  # the reader explains what is wrong with a .docx the user named

    def listing(self, d: Path) -> list[os.DirEntry] | None:
        try:
            with os.scandir(d) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EPERM):
                self.skip(d, REASON_NO_ACCESS, "no_access")
            elif e.errno == errno.ENOENT:
                self.skip(d, REASON_MISSING, "missing")  # removed while we were looking
            else:
                self.skip(d, os_reason(e), "unreadable")
            return None

    def walk(self, top: Path, top_st: os.stat_result) -> None:
        """Depth first, names sorted: the order of sorted(rglob), without following loops."""
        ident = (top_st.st_dev, top_st.st_ino)
        if ident in self.seen_dirs:
            return  # the same folder named twice
        self.seen_dirs[ident] = top
        entries = self.listing(top)
        if entries is None:
            return
        stack = [((ident,), iter(entries))]
        while stack:
            ancestors, it = stack[-1]
            entry = next(it, None)
            if entry is None:
                stack.pop()
                continue
            sub = self.entry(Path(entry.path), entry, ancestors)
            if sub is not None:
                listed = self.listing(sub[0])
                if listed is not None:
                    stack.append((sub[1], iter(listed)))

    def entry(self, p: Path, entry: os.DirEntry, ancestors: tuple[tuple[int, int], ...]
              ) -> tuple[Path, tuple[tuple[int, int], ...]] | None:
        """Classify one folder entry; a sub-folder to walk is returned, not walked here."""
        name = entry.name
        try:
            is_link = entry.is_symlink()
        except OSError:
            is_link = False
        own = _own_file_reason(name)
        if own is not None:
            self.skip(p, *own)
            return None
        if name.startswith("."):
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            self.skip(p, REASON_HIDDEN_DIR if is_dir else REASON_HIDDEN, "hidden")
            return None
        st = self.stat(p, is_link)
        if st is None:
            return None
        ident = (st.st_dev, st.st_ino)
        if ident in self.excluded:
            self.skip(p, REASON_EXCLUDED, "excluded")
            return None
        suffix = os.path.splitext(name)[1].lower()
        if stat.S_ISDIR(st.st_mode):
            if name == "__MACOSX":
                self.skip(p, REASON_MACOS, "hidden")
            elif suffix in UNSUPPORTED_SUFFIXES:  # an old Numbers document is a folder
                self.skip(p, REASON_UNSUPPORTED, "unsupported")
            elif ident in ancestors:
                self.skip(p, f"{REASON_LOOP}（指向上级文件夹）", "link_loop")
            elif ident in self.seen_dirs:
                self.skip(p, f"与 {self.seen_dirs[ident]} 是同一个文件夹（已扫描）", "duplicate")
            else:
                self.seen_dirs[ident] = p
                return p, ancestors + (ident,)
            return None
        if not stat.S_ISREG(st.st_mode):
            self.skip(p, REASON_SPECIAL, "special")
        elif suffix in READ_SUFFIXES:
            if is_gkxl_output(p):
                self.skip(p, REASON_GKXL_OUTPUT, "gkxl_output")
            else:
                self.add_file(p, st)
        elif suffix in REFUSED_BY_READER:
            self.add_file(p, st)
        elif suffix in UNSUPPORTED_SUFFIXES:
            self.skip(p, REASON_UNSUPPORTED, "unsupported")
        elif not suffix:
            if not _is_zip_workbook(p):
                self.skip(p, REASON_NOT_SPREADSHEET, "not_spreadsheet")
            elif is_gkxl_output(p):
                self.skip(p, REASON_GKXL_OUTPUT, "gkxl_output")
            else:
                self.add_file(p, st)
        else:
            self.skip(p, REASON_NOT_SPREADSHEET, "not_spreadsheet")
        return None


def scan_paths(paths: Iterable[str | os.PathLike], *, exclude: Iterable[str | os.PathLike] = ()) -> ScanResult:
    """Files and folders -> the files to read and the entries skipped, each with a reason.

    Named files keep the order given (and are read whatever their extension);
    a folder's contents follow in sorted order. A file reached twice (named
    twice, a link, a hard link) is read once. `exclude` names this command's
    own outputs, which may lie inside an input folder.
    """
    scan = _Scan(exclude)
    for p in paths:
        scan.argument(Path(p))
    return scan.result
