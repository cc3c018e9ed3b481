"""The package reader gives exactly what zipfile gives, or hands over to it.

Plain archives (every sample, every corpus file, a LibreOffice save) are read
directly and must match zipfile member by member; archives outside the plain
case (zip64, a prefix, encryption, cp437 names) must go to zipfile; damaged
ones must raise, never return wrong bytes, and never return more than asked.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest

from conftest import ROOT
from corpus import cases
from gkxl.errors import ReadError
from gkxl.form import load_form
from gkxl.xlsx import open_book
from gkxl.zipread import Package

FORM = load_form("gb2021")


def same_as_zipfile(data: bytes) -> Package:
    pkg = Package(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(pkg.names) == sorted(zf.namelist())
    for name in zf.namelist():
        assert pkg.read(name, 1 << 30) == zf.read(name), name
    return pkg


def test_samples_read_directly_and_equal():
    files = sorted((ROOT / "samples").rglob("*.xlsx"))
    assert len(files) > 50
    for f in files:
        assert not same_as_zipfile(f.read_bytes()).uses_zipfile, f


def test_corpus_reads_the_same(tmp_path):
    n = 0
    for case in cases(FORM):
        data = case.build(tmp_path / f"{case.name}.xlsx").read_bytes()
        try:
            zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            with pytest.raises((zipfile.BadZipFile, ValueError)):
                Package(data)
            continue
        same_as_zipfile(data)
        n += 1
    assert n > 15


def _zip(members: dict[str, bytes], **kw) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for name, body in members.items():
            w.writestr(zipfile.ZipInfo(name) if kw.get("stored") else name, body)
    return out.getvalue()


def test_stored_and_deflated_members():
    pkg = same_as_zipfile(_zip({"a.xml": b"<a/>" * 100}, stored=True))
    assert not pkg.uses_zipfile
    pkg = same_as_zipfile(_zip({"a.xml": b"<a/>" * 100, "b/c.xml": "中文".encode() * 50}))
    assert not pkg.uses_zipfile


def test_unusual_archives_go_to_zipfile():
    body = {"xl/workbook.xml": b"<workbook/>" * 20}
    # zip64 records
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as w:
        with w.open("xl/workbook.xml", "w", force_zip64=True) as fh:
            fh.write(body["xl/workbook.xml"])
    same_as_zipfile(out.getvalue())  # whichever reads it, the bytes are zipfile's
    # data before the archive (a self-extractor, or junk): zipfile knows how to find the offsets
    prefixed = b"junk before" + _zip(body)
    assert same_as_zipfile(prefixed).uses_zipfile
    # a comment after the end record is fine for both
    data = bytearray(_zip(body))
    commented = bytes(data[:-2]) + struct.pack("<H", 5) + b"hello"
    assert not same_as_zipfile(commented).uses_zipfile
    # the encryption flag: zipfile refuses to read without a password
    enc = bytearray(_zip(body))
    cd = enc.rfind(b"PK\x01\x02")
    enc[cd + 8] |= 1
    lh = enc.find(b"PK\x03\x04")
    enc[lh + 6] |= 1
    pkg = Package(bytes(enc))
    assert pkg.uses_zipfile
    with pytest.raises(RuntimeError):
        pkg.read("xl/workbook.xml", 1 << 20)


def test_limit_is_respected_without_inflating_everything():
    big = b"A" * (5 << 20)
    pkg = Package(_zip({"x.xml": big}))
    assert not pkg.uses_zipfile
    assert len(pkg.read("x.xml", 1000)) == 1001  # one byte more tells the caller it was too big


def test_damage_is_detected():
    body = random.Random(3).randbytes(4000)
    data = _zip({"x.bin": body})
    lh = data.find(b"PK\x03\x04")
    start = lh + 30 + len("x.bin")
    # a flipped byte in the compressed data: CRC or zlib error, never wrong bytes
    for i in range(start, start + 200, 7):
        b = bytearray(data)
        b[i] ^= 0x55
        try:
            got = Package(bytes(b)).read("x.bin", 1 << 20)
        except (zipfile.BadZipFile, zlib.error):
            continue
        assert got == body  # a flip the format cannot see (none expected) would still have to give the truth
    # the stored CRC changed
    b = bytearray(data)
    cd = b.rfind(b"PK\x01\x02")
    b[cd + 16] ^= 1
    with pytest.raises(zipfile.BadZipFile):
        Package(bytes(b)).read("x.bin", 1 << 20)
    # a local header name that disagrees with the directory
    b = bytearray(data)
    b[lh + 30] = ord("y")
    with pytest.raises(zipfile.BadZipFile):
        Package(bytes(b)).read("x.bin", 1 << 20)


def test_truncations_end_in_a_clean_refusal(tmp_path):
    data = (ROOT / "samples").rglob("*.xlsx").__next__().read_bytes()
    for cut in range(1, len(data), max(1, len(data) // 97)):
        with pytest.raises(ReadError) as e:
            from gkxl.reader import read_return
            read_return(data[:cut], name="cut.xlsx")
        assert e.value.code.startswith("READ") and "cut.xlsx" in str(e.value)
    assert open_book(data).sheet_names


def test_parts_remembered_by_their_stored_bytes_keep_every_check():
    """The workbook part, its relationships and the styles are remembered by what is stored
    (method, CRC-32, size, the compressed bytes): a damaged copy of a remembered part, or one with
    another CRC, is refused as if read for the first time, and the size budget is charged."""
    from gkxl.workbook import xlsx

    data = next((ROOT / "samples").rglob("*.xlsx")).read_bytes()
    first = open_book(data)
    assert open_book(data).sheet_names == first.sheet_names  # the second time from memory
    pkg = Package(data)
    assert pkg.stored("xl/workbook.xml") == Package(data).stored("xl/workbook.xml")
    # the workbook part's local header broken: refused, whatever was remembered
    b = bytearray(data)
    m = pkg.names["xl/workbook.xml"]
    b[m.offset + 30] ^= 0x20
    with pytest.raises(ReadError) as e:
        open_book(bytes(b))
    assert e.value.code == "READ_CORRUPT"
    # the same compressed bytes under another CRC: not the remembered part (zipfile refuses it too)
    b = bytearray(data)
    at = data.find(b"xl/workbook.xml", data.find(b"PK\x01\x02"))
    b[at - 46 + 16] ^= 1  # the CRC-32 of its central directory entry
    with pytest.raises(ReadError):
        open_book(bytes(b))
    # the budget is charged for a remembered part as for a read one
    budget = [xlsx.MAX_TOTAL]
    xlsx.parsed_part(pkg, "xl/workbook.xml", "p", budget, xlsx._WORKBOOKS, lambda d: ("x", True))
    assert budget[0] == xlsx.MAX_TOTAL - m.file_size


def test_memos_are_bounded():
    from gkxl.workbook.fastscan import MEMO_KEY_BYTES, Memo

    memo = Memo(limit=10_000)
    for i in range(1000):
        memo.keep(b"%05d" % i * 20, i)
    assert memo.size <= 10_000 and 0 < len(memo) < 1000
    memo.keep(b"x" * (MEMO_KEY_BYTES + 1), 1)
    assert b"x" * (MEMO_KEY_BYTES + 1) not in memo
