"""Every fast path reads what real spreadsheet programs save exactly as the lxml reading does,
on every shape benchmarks/shapes.py makes: gkxl's own writer, a real LibreOffice save,
openpyxl's character references and inline strings, Excel's shared formulas and Chinese-locale
Excel's phonetic guides. Both ways, part by part (sheets, shared strings, custom properties)
and whole returns (with and without the whole-block reading of read.py), and the fast path
must actually be taken on each of them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import needs_lo
from gkxl.workbook import fastparts, fastscan, readplan, xlsx
from gkxl.workbook.read import read_return

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
shapes = pytest.importorskip("shapes")

# openpyxl's load and save take a second or two; LibreOffice runs for real
SHAPES = ["gkxl", pytest.param("openpyxl", marks=pytest.mark.slow), "excel", "excel_phonetic",
          pytest.param("libreoffice", marks=[needs_lo, pytest.mark.slow])]


def both(path: Path):
    xlsx.clear_caches()
    fast = read_return(path)
    xlsx.FAST_SCAN = False
    try:
        slow = read_return(path)
    finally:
        xlsx.FAST_SCAN = True
    return fast, slow


def same_return(a, b) -> None:
    assert a.values == b.values and a.inputs == b.inputs and a.reported == b.reported
    assert list(a.inputs) == list(b.inputs) and list(a.sources.items()) == list(b.sources.items())
    assert a.texts == b.texts and a.cover == b.cover and a.identity == b.identity
    assert a.matched_by == b.matched_by and a.modified == b.modified
    assert [(f.rule, f.sheet, f.cell, f.message) for f in a.findings] == \
        [(f.rule, f.sheet, f.cell, f.message) for f in b.findings]


def parts_both_ways(path: Path) -> None:
    """Each sheet, the shared strings, the workbook part and the custom properties: the fast scan
    takes them (openpyxl's workbook part and custom properties excepted) and reads what lxml reads."""
    book = xlsx.open_book(path)
    for name in book.sheet_names:
        raw = xlsx._read_part(book._zip, book._targets[name], str(path), [1 << 30])
        fast = xlsx._scan_sheet(book, raw)
        assert fast is not None, (path, name, "the fast scan should read this sheet")
        xlsx.FAST_SCAN = False
        try:
            ref = xlsx.open_book(path).sheet(name)
        finally:
            xlsx.FAST_SCAN = True
        assert fast[0] == ref.cells and fast[1] == ref.protected, (path, name)
    if book._sst_path:
        data = xlsx._read_part(book._zip, book._sst_path, str(path), [1 << 30])
        xlsx.clear_caches()
        fast = xlsx._scan_shared(data)
        assert fast is not None and fast == xlsx.lxmlread.shared_strings(xlsx._xml(data, "sst", str(path)))
    wb = xlsx._read_part(book._zip, "xl/workbook.xml", str(path), [1 << 30])
    fast_wb = fastparts.scan_workbook(wb)
    xlsx.FAST_SCAN = False
    try:
        assert fast_wb is None or fast_wb == xlsx._workbook(wb, "xl/workbook.xml", str(path))
    finally:
        xlsx.FAST_SCAN = True
    data = xlsx._read_part(book._zip, "docProps/custom.xml", str(path), [1 << 30])
    custom = fastparts.scan_custom(data)
    ref = {p.get("name", ""): p[0].text or "" for p in xlsx._xml(data, "custom", str(path)) if len(p)}
    assert custom is None or custom == ref
    assert book.custom == ref


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(shape -> files, the gkxl files they were saved from), made once for the module."""
    base = tmp_path_factory.mktemp("shapes")
    src = sorted(shapes.gen_gkxl(base, 3, jobs=1))
    return base, src


@pytest.mark.parametrize("shape", SHAPES)
def test_fast_scan_equals_lxml_on_program_shapes(shape, made):
    base, src = made
    files = sorted(shapes.generate(shape, base, 2 if shape == "libreoffice" else 3, jobs=1))
    for f, s in zip(files, src):
        parts_both_ways(Path(f))
        fast, slow = both(Path(f))
        same_return(fast, slow)
        assert fast.values == read_return(s).values


@pytest.mark.parametrize("shape", SHAPES)
def test_whole_block_reading_equals_cell_by_cell(shape, made, monkeypatch):
    base, _src = made
    for f in sorted(shapes.generate(shape, base, 2 if shape == "libreoffice" else 3, jobs=1)):
        fast = read_return(f)
        monkeypatch.setattr(readplan.BlockRead, "read_usual", lambda *a, **k: False)
        slow = read_return(f)
        monkeypatch.undo()
        same_return(fast, slow)


def test_custom_properties_in_other_shapes_fall_back():
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
            'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
            'docPropsVTypes">')
    prop = '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="%s"><vt:lpwstr>%s</vt:lpwstr></property>'
    ok = head + prop % ("gkxl_form_id", "gb2021") + prop % ("a", "x&amp;&#20013;") + "</Properties>"
    assert fastparts.scan_custom(ok.encode()) == {"gkxl_form_id": "gb2021", "a": "x&中"}
    for bad in (ok.replace("</vt:lpwstr></property></Properties>", "</vt:bool></property></Properties>"),  # not closed
                ok.replace("x&amp;", "x&nbsp;"),  # an entity XML does not define
                ok.replace('name="a"', 'name="a&amp;b"'),  # an entity in an attribute
                ok.replace("<Properties", "<!-- c --><Properties"),
                ok.replace('encoding="UTF-8"', 'encoding="GBK"'),
                ok.replace("x&amp;", "x\r\n")):  # the parser makes CR LF one line feed
        assert fastparts.scan_custom(bad.encode()) is None, bad


def test_character_references_decoded_as_xml_does():
    assert fastscan.unescape(b"&#20013;&#x6587;&lt;&amp;") == "中文<&"
    for bad in (b"&#0;", b"&#1;", b"&#x110000;", b"&nbsp;", b"a\rb", b"&#20013;\r"):
        with pytest.raises(fastscan.NotCanonical):
            fastscan.unescape(bad)
