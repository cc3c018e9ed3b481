"""Zip attachments: a clerk zips her workbook, perhaps with the Word report beside it.

A zip is opened in memory within fixed bounds, because its content is
untrusted: at most MAX_MEMBERS files, MAX_TOTAL bytes unpacked in all, each
file no larger than the attachment limit, no file unpacking to more than
MAX_RATIO times its packed size (a "zip bomb"), and a zip inside the zip is
opened once more but no deeper. A file with a password is refused with that
reason. Every file comes back as an `Attachment` named "包.zip/成员.xlsx", so
collect handles it exactly like a file attached directly.

Member names without the zip's UTF-8 flag are in the packer's local code page
(GBK on Chinese Windows, UTF-8 from macOS): they are decoded as any other
undeclared name is, not as the CP437 the zip standard assumes.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from . import manifest as mf
from .names import decode_bytes
from .parse import Attachment

MAX_MEMBERS = 200  # files in one attachment, nested zips included
MAX_TOTAL = 200 * 1024 * 1024  # unpacked bytes of one attachment, nested zips included
MAX_RATIO = 200  # unpacked / packed size of one file; xlsx and docx are compressed already
RATIO_FLOOR = 1024 * 1024  # small files may have any ratio (a blank text file packs 1000:1)
MAX_DEPTH = 2  # the attached zip and one zip inside it

# what packers add without the clerk knowing: not files she sent
_JUNK_DIRS = {"__MACOSX"}
_JUNK_FILES = {".ds_store", "thumbs.db", "desktop.ini"}

_PACKAGE_MARKERS = ("[Content_Types].xml", "mimetype", "META-INF/manifest.xml")


class ArchiveError(Exception):
    """The whole archive is refused; the message is the Chinese reason."""


@dataclass
class Budget:
    """What is left for one attached archive and the archives inside it."""

    members: int = field(default_factory=lambda: MAX_MEMBERS)
    total: int = field(default_factory=lambda: MAX_TOTAL)


@dataclass
class Member:
    """One file of an archive: its attachment, or why it was not unpacked."""

    att: Attachment
    fate: str = ""  # "" (unpacked, att.data set), mf.TOO_LARGE or mf.UNREADABLE
    detail: str = ""


def declared_entries(data: bytes) -> int:
    """Entries the end-of-central-directory record declares (-1: not found), read
    before zipfile builds an object per entry for a directory of a million."""
    i = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if i < 0 or i + 22 > len(data):
        return -1
    total = int.from_bytes(data[i + 10:i + 12], "little")
    if total == 0xFFFF and i >= 20 and data[i - 20:i - 16] == b"PK\x06\x07":  # zip64
        off = int.from_bytes(data[i - 12:i - 4], "little")
        if data[off:off + 4] == b"PK\x06\x06":
            total = int.from_bytes(data[off + 32:off + 40], "little")
    return total


def _without_utf8_flag(data: bytes) -> bytes | None:
    """The zip with the UTF-8 name flag cleared in every header, for packers that
    set it on GBK names (zipfile then refuses the whole archive); the names are
    decoded by _member_name instead. None when the directory cannot be walked."""
    i = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if i < 0 or i + 22 > len(data):
        return None
    _sig, _disk, _cd_disk, _here, n, size, offset, _clen = struct.unpack_from("<4s4H2LH", data, i)
    if n == 0xFFFF or offset == 0xFFFFFFFF:
        return None  # zip64: not worth the trouble for a clerk's zip
    shift = i - size - offset  # bytes before the archive (a self-extractor stub)
    buf = bytearray(data)
    p = offset + shift
    for _ in range(n):
        if p < 0 or buf[p:p + 4] != b"PK\x01\x02":
            return None
        buf[p + 9] &= 0xF7  # flag bit 11 is bit 3 of the flags' second byte
        local = int.from_bytes(buf[p + 42:p + 46], "little") + shift
        if 0 <= local and buf[local:local + 4] == b"PK\x03\x04":
            buf[local + 7] &= 0xF7
        n_len, e_len, c_len = struct.unpack_from("<3H", buf, p + 28)
        p += 46 + n_len + e_len + c_len
    return bytes(buf)


def _open(data: bytes) -> zipfile.ZipFile:
    """zipfile's reader; raises what zipfile raises for a damaged archive."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:  # flagged UTF-8, written in GBK
        fixed = _without_utf8_flag(data)
        if fixed is None:
            raise zipfile.BadZipFile("undecodable names") from None
        return zipfile.ZipFile(io.BytesIO(fixed))


def zip_names(data: bytes) -> set[str] | None:
    """The member names of a zip, or None when it is not one gkxl should open."""
    n = declared_entries(data)
    if n < 0 or n > 4 * MAX_MEMBERS:
        return None
    try:
        return set(_open(data).namelist())
    except Exception:  # any damage: zipfile raises BadZipFile, OSError, ValueError, EOFError...
        return None


def is_package(names: set[str]) -> bool:
    """An Office Open XML or OpenDocument file (xlsx, docx, ods...), which is a zip
    but not an archive: it must not be unpacked."""
    return any(n.startswith("xl/") for n in names) or any(m in names for m in _PACKAGE_MARKERS)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The name as the packer meant it: UTF-8 when flagged, else the local code page."""
    if info.flag_bits & 0x800:
        name = info.orig_filename
    else:
        try:
            name = decode_bytes(info.orig_filename.encode("cp437"))
        except UnicodeEncodeError:  # zipfile was given another metadata encoding
            name = info.orig_filename
    return name.replace("\\", "/")


def _is_junk(name: str) -> bool:
    parts = [p for p in name.split("/") if p]
    if not parts or any(p in _JUNK_DIRS for p in parts):
        return True
    return parts[-1].startswith("._") or parts[-1].lower() in _JUNK_FILES


def _label(outer: str, name: str) -> str:
    """"包.zip/子目录/成员.xlsx": for display only, no part of it is ever a path."""
    parts = ["".join(ch for ch in p if ch.isprintable()).strip() for p in name.split("/")]
    inner = "/".join(p for p in parts if p and p not in (".", ".."))
    return f"{outer}/{inner or '（无名文件）'}"[:300]


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB"


def members(att: Attachment, limit: int, budget: Budget) -> Iterator[Member]:
    """Every file of the zip in `att` (see the module docstring).

    Raises ArchiveError, before yielding anything, when the archive as a whole
    is refused (damaged, too many files, too large unpacked)."""
    data = att.data or b""
    n = declared_entries(data)
    if n > 4 * MAX_MEMBERS:
        raise ArchiveError(f"压缩包中的文件过多（{n} 个，上限 {MAX_MEMBERS} 个），未解压")
    try:
        zf = _open(data)
        infos = zf.infolist()
    except Exception:  # BadZipFile, OSError, ValueError, EOFError, NotImplementedError...
        raise ArchiveError("压缩包已损坏，无法打开；请对方重新压缩后重发，或直接附上 .xlsx 文件") from None
    files = [(i, _member_name(i)) for i in infos if not i.is_dir()]
    files = [(i, name) for i, name in files if not _is_junk(name)]
    if len(files) > budget.members:
        raise ArchiveError(f"压缩包中的文件过多（{len(files)} 个，上限 {MAX_MEMBERS} 个），未解压")
    total = sum(i.file_size for i, _ in files)
    if total > budget.total:
        raise ArchiveError(f"压缩包解压后共 {_mb(total)}，超过上限 {MAX_TOTAL / (1 << 20):.0f} MB，未解压")
    budget.members -= len(files)
    budget.total -= total
    try:
        yield from _unpack(zf, files, att, limit)
    finally:
        zf.close()


def _unpack(zf: zipfile.ZipFile, files: list[tuple[zipfile.ZipInfo, str]], att: Attachment,
            limit: int) -> Iterator[Member]:
    """The files one at a time, each checked before it is unpacked (the whole archive
    is never in memory unpacked)."""
    for info, name in files:
        label = _label(att.name or "压缩包", name)
        member = Attachment(name=label, content_type="", data=None, size=info.file_size,
                            path=f"{att.path}/{name}")
        if info.flag_bits & 0x1:
            yield Member(member, mf.UNREADABLE, "压缩包中的这个文件设有密码，gkxl 无法读取；请对方去掉密码后重发")
            continue
        if info.file_size > limit:
            yield Member(member, mf.TOO_LARGE, f"解压后 {_mb(info.file_size)}，超过上限 {limit / (1 << 20):.0f} MB，未保存")
            continue
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            yield Member(member, mf.UNREADABLE, f"压缩比异常（{_mb(info.compress_size)} 解压后为 "
                                                f"{_mb(info.file_size)}），疑似恶意压缩文件，未解压")
            continue
        try:
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)  # zipfile stops at the declared size and checks the CRC
        except NotImplementedError:
            yield Member(member, mf.UNREADABLE, "压缩包使用了 gkxl 不支持的压缩方式；请对方改用普通 zip 压缩，或直接附上 .xlsx 文件")
            continue
        except Exception:  # damaged member: BadZipFile (CRC), zlib.error, EOFError...
            yield Member(member, mf.UNREADABLE, "压缩包中的这个文件已损坏，无法解压")
            continue
        if len(content) != info.file_size:
            yield Member(member, mf.UNREADABLE, "压缩包中的这个文件已损坏（实际大小与记录不符），无法解压")
            continue
        member.data = content
        yield Member(member)
