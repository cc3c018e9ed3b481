"""Read members of a zip package held in memory, with the checks that matter
for untrusted input and without zipfile's per-member object overhead.

An .xlsx from Excel, WPS, LibreOffice, openpyxl or xlsxwriter is a plain zip:
one disk, no zip64, stored or deflated members, no encryption. Such a package
is read here directly (central directory, local headers, zlib with a bound on
the output, CRC-32 checked). Anything else -- zip64, encryption, another
compression method, data before the archive, names that are not UTF-8 or
ASCII -- goes to the standard library's zipfile, which knows every case and
raises on the ones it cannot read. Either way a damaged package raises
zipfile.BadZipFile (or the errors zipfile itself raises), never hangs, and
never returns more than the caller's limit.

GKXL_ZIPREAD=0 in the environment (or ENABLED = False at run time) sends every
package to zipfile: the escape hatch should this parser ever misread a file,
and the switch benchmarks/zipread_bench.py times both ways with.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass

_EOCD = struct.Struct("<4s4H2LH")
_CDIR = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")

ENABLED: bool = os.environ.get("GKXL_ZIPREAD", "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(slots=True)
class Member:
    name: str
    method: int
    crc: int
    compress_size: int
    file_size: int
    offset: int  # of the local header


class Package:
    """The members of one zip package: `names`, `size(name)`, `read(name, limit)`."""

    def __init__(self, data: bytes):
        self._data = data
        self._zf: zipfile.ZipFile | None = None
        names = _central_directory(data) if ENABLED else None
        if names is None:
            self._zf = zipfile.ZipFile(io.BytesIO(data))
            names = {i.filename: Member(i.filename, i.compress_type, i.CRC, i.compress_size,
                                        i.file_size, i.header_offset) for i in self._zf.infolist()}
        self.names: dict[str, Member] = names

    @property
    def uses_zipfile(self) -> bool:
        return self._zf is not None

    def read(self, name: str, limit: int) -> bytes:
        """The member's bytes; at most limit + 1 of them (the caller refuses more)."""
        m = self.names[name]
        if self._zf is None and not ENABLED:  # a subclass that found the member itself (scan._OneMember)
            self._zf = zipfile.ZipFile(io.BytesIO(self._data))
        if self._zf is not None:
            with self._zf.open(name) as fh:
                return fh.read(limit + 1)
        start, end = self._span(m)
        data = self._data
        if m.method == 0:
            out = data[start:min(end, start + limit + 1)]
            if len(out) > limit:
                return out
        else:
            d = zlib.decompressobj(-15)
            out = d.decompress(memoryview(data)[start:end], limit + 1)
            if len(out) > limit:
                return out  # the caller refuses it as too large
            if not d.eof:
                raise zipfile.BadZipFile("compressed data truncated")
        if len(out) != m.file_size or zlib.crc32(out) != m.crc:
            raise zipfile.BadZipFile(f"bad CRC-32 or size for {m.name}")
        return out

    def stored(self, name: str) -> tuple | None:
        """What determines the member's content -- (method, CRC-32, size, its bytes as stored) --
        to look up what was made of the very same member before; None when zipfile reads this
        package. Reading such a member again gives the same bytes, or the same error."""
        if self._zf is not None or not ENABLED:
            return None
        m = self.names[name]
        start, end = self._span(m)
        return (m.method, m.crc, m.file_size, self._data[start:end])

    def _span(self, m: Member) -> tuple[int, int]:
        data = self._data
        if m.offset + _LOCAL.size > len(data):
            raise zipfile.BadZipFile("local header out of range")
        sig, _v, flags, _meth, _t, _d, _crc, _cs, _us, n_len, e_len = _LOCAL.unpack_from(data, m.offset)
        if sig != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        start = m.offset + _LOCAL.size + n_len + e_len
        if data[m.offset + _LOCAL.size:m.offset + _LOCAL.size + n_len] != m.name.encode("utf-8"):
            raise zipfile.BadZipFile("name in directory and header differ")
        end = start + m.compress_size
        if end > len(data):
            raise zipfile.BadZipFile("member data truncated")
        return start, end

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()


def _central_directory(data: bytes) -> dict[str, Member] | None:
    """Members by name for a plain single-disk zip, or None to let zipfile decide."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if pos < 0 or pos + _EOCD.size > len(data):
        return None
    _s, disk, cd_disk, n_disk, n_all, cd_size, cd_off, comment = _EOCD.unpack_from(data, pos)
    if (disk or cd_disk or n_disk != n_all or n_all == 0xFFFF or cd_off == 0xFFFFFFFF
            or pos + _EOCD.size + comment != len(data) or cd_off + cd_size != pos):
        return None  # zip64, several disks, a prefix before the archive, or odd: zipfile's job
    members: dict[str, Member] = {}
    at = cd_off
    for _ in range(n_all):
        if at + _CDIR.size > pos:
            return None
        (sig, _cv, _ev, flags, method, _t, _d, crc, csize, usize, n_len, e_len, c_len, _ds, _ia, _ea,
         offset) = _CDIR.unpack_from(data, at)
        if sig != b"PK\x01\x02" or flags & 0x1 or method not in (0, 8) or 0xFFFFFFFF in (csize, usize, offset):
            return None
        raw = data[at + _CDIR.size:at + _CDIR.size + n_len]
        if flags & 0x800:
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
        elif raw.isascii():
            name = raw.decode("ascii")
        else:
            return None  # cp437 names: zipfile's rules
        if "\x00" in name:
            return None
        if offset >= cd_off:
            return None
        members[name] = Member(name, method, crc, csize, usize, offset)
        at += _CDIR.size + n_len + e_len + c_len
    if at != pos:
        return None
    return members
