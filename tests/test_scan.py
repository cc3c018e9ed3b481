"""Every entry of an input folder is either read or skipped with a reason, never dropped.

Real files on disk: Office and LibreOffice lock files, gkxl's own bookkeeping,
links that lead nowhere or in circles, a status workbook gkxl wrote, a real
LibreOffice .ods. Formats the reader names itself (.xls, .et, .csv, .ods) are
passed on to it, so they are counted as unreadable returns, not skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from conftest import needs_lo
from gkxl import scan as S
from gkxl.checks import check_file
from gkxl.reader import iter_paths
from gkxl.scan import OUTPUT_PROPERTY, Skipped, is_gkxl_output, scan_paths

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def workbook(path: Path, *, output: str | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    if output:
        wb.set_custom_property(OUTPUT_PROPERTY, output)  # how gkxl marks a status workbook
    wb.set_custom_property("gkxl_form_id", "gb2021")
    wb.add_worksheet("表").write(0, 0, "数据")
    wb.close()
    return path


def fake_ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return path


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, dict[str, str | None], Path]:
    """A collected folder with one of everything: name -> expected skip code (None: read)."""
    d = tmp_path / "收件"
    d.mkdir()
    sub = d / "下级"
    sub.mkdir()
    workbook(d / "a.xlsx")
    workbook(sub / "c.XLSX")
    (d / "old.xls").write_bytes(OLE2)
    (d / "wps.et").write_bytes(OLE2)
    (d / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    fake_ods(d / "sheet.ods")
    (d / "x.numbers").write_bytes(b"PK\x03\x04numbers")
    (d / "b.xlsb").write_bytes(b"PK\x03\x04xlsb")
    shutil.copy(d / "a.xlsx", d / "无扩展名的报表")
    (d / "说明").write_bytes(b"just some text")
    (d / "letter.docx").write_bytes(b"PK\x03\x04docx")
    (d / "scan.pdf").write_bytes(b"%PDF-1.4")
    (d / "notes.txt").write_text("说明", encoding="utf-8")
    (d / "~$a.xlsx").write_bytes(b"\x05owner")
    (d / ".~lock.a.xlsx#").write_text(",owner,host,2025;", encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"\x00")
    (d / ".hidden").mkdir()
    workbook(d / ".hidden" / "b.xlsx")
    (d / "__MACOSX").mkdir()
    (d / ".gkxl-abc123.tmp").write_bytes(b"half")
    (d / ".gkxl.lock").write_text("123\n", encoding="ascii")
    (d / "manifest.csv").write_text("file\n", encoding="utf-8")
    for n in ("gkxl.db", "gkxl.db-wal", "gkxl.db-shm"):
        (d / n).write_bytes(b"SQLite format 3\x00")
    workbook(d / "完成情况.xlsx", output="status")
    out = workbook(d / "汇总.xlsx")  # last run's roll-up, this command's --out
    (d / "断开的链接.xlsx").symlink_to(d / "gone.xlsx")
    (d / "自环").symlink_to(d / "自环")
    (sub / "上级").symlink_to(d)
    (d / "别名.xlsx").symlink_to(d / "a.xlsx")
    os.mkfifo(d / "管道")
    expected: dict[str, str | None] = {
        "a.xlsx": None, "下级": None, "下级/c.XLSX": None, "old.xls": None, "wps.et": None, "data.csv": None,
        "sheet.ods": None, "无扩展名的报表": None,
        "x.numbers": "unsupported", "b.xlsb": "unsupported", "说明": "not_spreadsheet",
        "letter.docx": "not_spreadsheet", "scan.pdf": "not_spreadsheet", "notes.txt": "not_spreadsheet",
        "~$a.xlsx": "office_lock", ".~lock.a.xlsx#": "office_lock", ".DS_Store": "hidden", ".hidden": "hidden",
        "__MACOSX": "hidden", ".gkxl-abc123.tmp": "gkxl_temp", ".gkxl.lock": "gkxl_lock",
        "manifest.csv": "gkxl_manifest", "gkxl.db": "gkxl_ledger", "gkxl.db-wal": "gkxl_ledger",
        "gkxl.db-shm": "gkxl_ledger", "完成情况.xlsx": "gkxl_output", "汇总.xlsx": "excluded",
        "断开的链接.xlsx": "dangling_link", "自环": "link_loop", "下级/上级": "link_loop",
        "别名.xlsx": "duplicate", "管道": "special",
    }
    return d, expected, out


def test_every_entry_is_read_or_skipped_with_a_reason(messy):
    d, expected, out = messy
    res = scan_paths([d], exclude=[out])
    got: dict[str, str | None] = {str(f.relative_to(d)): None for f in res.files}
    for s in res.skipped:
        key = str(s.path.relative_to(d))
        assert key not in got, f"{key} both read and skipped"
        assert s.reason and not s.reason.isascii(), s  # a Chinese reason for the user
        got[key] = s.code
    got["下级"] = None  # a folder walked into is not itself an entry to read
    entries = {str(p.relative_to(d)) for p in d.iterdir()} | {str(p.relative_to(d)) for p in (d / "下级").iterdir()}
    assert len(entries) >= 17
    assert set(got) == entries == set(expected)  # nothing dropped silently
    assert got == expected
    reasons = {str(s.path.relative_to(d)): s.reason for s in res.skipped}
    assert reasons["x.numbers"] == "不支持的表格格式，请另存为 .xlsx"
    assert reasons["letter.docx"] == reasons["说明"] == "不是电子表格"
    assert reasons["~$a.xlsx"] == reasons[".~lock.a.xlsx#"] == "电子表格程序的锁文件"
    assert reasons[".DS_Store"] == "隐藏文件" and reasons[".hidden"] == "隐藏文件夹"
    assert reasons["断开的链接.xlsx"] == "链接指向的文件不存在"
    assert reasons["自环"].startswith("链接形成循环") and reasons["下级/上级"].startswith("链接形成循环")
    assert reasons["完成情况.xlsx"] == "本工具生成的输出文件（不是报表）"
    assert reasons["汇总.xlsx"] == "本次命令的输出文件"
    assert "a.xlsx" in reasons["别名.xlsx"]
    # sorted, depth first, the same on every run
    assert res.files == sorted(res.files) and res.files == scan_paths([d], exclude=[out]).files


def test_formats_the_reader_names_are_reported_as_unreadable_returns(messy):
    d, _, out = messy
    codes = {}
    for f in scan_paths([d], exclude=[out]).files:
        r = check_file(f)
        codes[f.name] = r.error_code if r.status == "unreadable" else r.status
    assert codes["old.xls"] == codes["wps.et"] == "READ_LEGACY"
    assert codes["data.csv"] == "READ_CSV" and codes["sheet.ods"] == "READ_ODS"
    assert codes["无扩展名的报表"] != "READ_NOT_XLSX"  # read as the workbook it is


def test_named_paths(tmp_path):
    a = workbook(tmp_path / "z.xlsx")
    b = workbook(tmp_path / "a.xlsx")
    doc = tmp_path / "letter.docx"
    doc.write_bytes(b"PK\x03\x04")
    lock = tmp_path / "~$z.xlsx"
    lock.write_bytes(b"x")
    res = scan_paths([a, tmp_path / "nope.xlsx", b, doc, a, lock, tmp_path / "nodir"])
    assert res.files == [a, b, doc]  # as given; a named .docx goes to the reader, which says what it is
    assert res.skipped == [Skipped(tmp_path / "nope.xlsx", "文件不存在", "missing"),
                           Skipped(lock, "电子表格程序的锁文件", "office_lock"),
                           Skipped(tmp_path / "nodir", "文件不存在", "missing")]
    # a folder and a file inside it: read once
    assert scan_paths([tmp_path, b]).files == [b, a]


def test_iter_paths_keeps_working(tmp_path):
    a = workbook(tmp_path / "z.xlsx")
    (tmp_path / "~$z.xlsx").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    missing = tmp_path / "missing.xlsx"
    assert iter_paths([tmp_path]) == [a]
    assert iter_paths([missing, a, str(a)]) == [missing, a]  # a missing name still reaches the reader
    assert check_file(missing).error_code == "READ_IO"


def test_gkxl_output_marker(tmp_path):
    status = workbook(tmp_path / "s.xlsx", output="status")
    ret = workbook(tmp_path / "r.xlsx")
    assert is_gkxl_output(status) and not is_gkxl_output(ret)
    plain = xlsxwriter.Workbook(str(tmp_path / "p.xlsx"))
    plain.add_worksheet()
    plain.close()
    assert not is_gkxl_output(tmp_path / "p.xlsx")  # no custom properties at all
    for junk in (b"", b"PK\x03\x04", OLE2, b"PK\x03\x04" + b"\x00" * 100 + b"docProps/custom.xml"):
        (tmp_path / "j.xlsx").write_bytes(junk)
        assert not is_gkxl_output(tmp_path / "j.xlsx")
    assert not is_gkxl_output(tmp_path / "none.xlsx")
    # a DOCTYPE in the properties is never expanded, only refused
    with zipfile.ZipFile(tmp_path / "evil.xlsx", "w") as z:
        z.writestr("docProps/custom.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "gkxl_output">]>'
                   '<Properties><property name="&a;"><vt:lpwstr>x</vt:lpwstr></property></Properties>')
    assert not is_gkxl_output(tmp_path / "evil.xlsx")
    # a zip directory too odd for the quick look still gets the full, checked one
    with zipfile.ZipFile(tmp_path / "plain.xlsx", "w") as z:
        z.writestr("docProps/custom.xml",
                   f'<Properties><property name="{OUTPUT_PROPERTY}"><x>status</x></property></Properties>')
    data = (tmp_path / "plain.xlsx").read_bytes()
    (tmp_path / "pre.xlsx").write_bytes(b"PK\x03\x04" + data)  # data before the archive: zipfile's case
    assert is_gkxl_output(tmp_path / "plain.xlsx") and is_gkxl_output(tmp_path / "pre.xlsx")
    assert S._custom_only(b"junk" + data) is None


def _scan_as_nobody(top: Path) -> str:
    """scan_paths in a forked child that dropped root (root reads every folder)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(rfd)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            r = scan_paths([top])
            os.write(wfd, repr(([str(f) for f in r.files], [(str(s.path), s.reason) for s in r.skipped])).encode())
        finally:
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as fh:
        out = fh.read().decode()
    os.waitpid(pid, 0)
    return out


def test_unreadable_subfolder():
    top = Path(tempfile.mkdtemp(prefix="gkxl-scan-"))  # not under pytest's 0700 tmp root
    try:
        top.chmod(0o755)
        workbook(top / "a.xlsx")
        locked = top / "locked"
        locked.mkdir()
        workbook(locked / "b.xlsx")
        locked.chmod(0)
        assert _scan_as_nobody(top) == repr(([str(top / "a.xlsx")], [(str(locked), "没有访问权限")]))
    finally:
        (top / "locked").chmod(0o755)
        shutil.rmtree(top)


@needs_lo
@pytest.mark.libreoffice
def test_real_libreoffice_ods_is_read_and_refused_clearly(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("单位,数量\n财政局,3\n", encoding="utf-8")
    subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, timeout=120, check=True)
    ods = tmp_path / "t.ods"
    res = scan_paths([tmp_path])
    assert ods in res.files and src in res.files
    r = check_file(ods)
    assert r.status == "unreadable" and r.error_code == "READ_ODS" and "另存为 .xlsx" in r.error
