"""The fast sheet scanner reads exactly what lxml reads, or steps aside.

Every workbook of the corpus, the samples, an openpyxl save and a LibreOffice
save is read both ways, sheet by sheet: same cells, same protection. Sheets in
a shape the scanner does not know (prefixes, comments, cells without a
reference, unknown entities, hostile unclosed tags) must fall back to lxml,
and quickly.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import ROOT, needs_lo
from corpus import cases, edit, sheet_part, write_good, zip_edit
from gkxl import xlsx
from gkxl.form import load_form
from gkxl.workbook import readplan
from gkxl.workbook.read import read_return

FORM = load_form("gb2021")


def both_ways(path) -> list[tuple[str, bool]]:
    """(sheet, scanned fast) for every sheet; asserts the two readings agree (the workbook part too)."""
    book = xlsx.open_book(path)
    wb = xlsx._read_part(book._zip, "xl/workbook.xml", str(path), [1 << 30])
    fast_wb = xlsx.fastparts.scan_workbook(wb)
    try:
        xlsx.FAST_SCAN = False
        assert fast_wb is None or fast_wb == xlsx._workbook(wb, "xl/workbook.xml", str(path)), path
    finally:
        xlsx.FAST_SCAN = True
    out = []
    for name in book.sheet_names:
        if name not in book._targets:
            continue
        raw = xlsx._read_part(book._zip, book._targets[name], str(path), [1 << 30])
        fast = xlsx._scan_sheet(book, raw)
        slow = xlsx.open_book(path)
        try:
            xlsx.FAST_SCAN = False
            ref = slow.sheet(name)
        finally:
            xlsx.FAST_SCAN = True
        if fast is not None:
            assert fast[0] == ref.cells, (path, name)
            assert fast[1] == ref.protected, (path, name)
        out.append((name, fast is not None))
    return out


def test_samples_scan_fast_and_equal():
    files = sorted((ROOT / "samples").rglob("*.xlsx"))
    assert len(files) > 50
    for f in files:
        assert all(fast for _, fast in both_ways(f)), f


@pytest.mark.parametrize("case", [c for c in cases(FORM) if c.status != "unreadable"], ids=lambda c: c.name)
def test_corpus_reads_the_same(case, tmp_path, monkeypatch):
    """Sheet by sheet, and the whole return: the fast scan with the whole-block reading of read.py
    against lxml cell by cell (every tampering, typo and odd value of the corpus)."""
    p = case.build(tmp_path / f"{case.name}.xlsx")
    both_ways(p)
    xlsx.clear_caches()
    fast = read_return(p)
    monkeypatch.setattr(readplan.BlockRead, "read_usual", lambda *a, **k: False)
    monkeypatch.setattr(xlsx, "FAST_SCAN", False)
    slow = read_return(p)
    assert fast.values == slow.values and fast.inputs == slow.inputs and fast.reported == slow.reported
    assert list(fast.inputs) == list(slow.inputs) and fast.sources == slow.sources
    assert fast.texts == slow.texts and fast.cover == slow.cover and fast.identity == slow.identity
    assert [(f.rule, f.cell, f.message) for f in fast.findings] == [(f.rule, f.cell, f.message) for f in slow.findings]


def test_openpyxl_save_is_scanned(tmp_path):
    p = write_good(FORM, tmp_path / "a.xlsx")
    edit(p, lambda wb: None)  # openpyxl writes inline strings and character references
    assert all(fast for _, fast in both_ways(p))


@needs_lo
def test_libreoffice_save_is_scanned(tmp_path, lo_convert):
    p = write_good(FORM, tmp_path / "a.xlsx")
    assert all(fast for _, fast in both_ways(lo_convert(p)))


def _sheet_xml(cells: str, head: str = '<worksheet xmlns="%s">' % xlsx.NS_MAIN) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}<sheetData><row r="1">{cells}</row></sheetData>'
            f'<sheetProtection sheet="1"/></worksheet>').encode()


@pytest.mark.parametrize("xml", [
    _sheet_xml('<c r="A1"><v>1</v></c>', '<x:worksheet xmlns:x="%s">' % xlsx.NS_MAIN),  # a prefix
    _sheet_xml('<c r="A1"><v>1</v></c><!-- note -->'),  # a comment
    _sheet_xml('<c><v>1</v></c>'),  # no reference
    _sheet_xml('<c t="n" r="A1"><v>1</v></c>'),  # attributes in another order
    _sheet_xml('<c r="A1" t="str"><v>&nbsp;</v></c>'),  # an entity XML does not define
    _sheet_xml('<c r="A1"><v>1</v>'),  # a start tag with no end
    _sheet_xml('<c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c>'),  # rich text
    _sheet_xml('<c r="A1"><v>1</v></c>').replace(b'encoding="UTF-8"', b'encoding="GBK"'),
])
def test_other_shapes_fall_back(xml):
    assert xlsx._scan_sheet(None, xml) is None


def test_canonical_details():
    cells, protected = xlsx._scan_sheet(None, _sheet_xml(
        '<c r="A1"><v>1.5</v></c><c r="B1" t="str"><f>IF(A1&lt;2,"&amp;","&#x4E2D;")</f><v>&amp;</v></c>'
        '<c r="C1" s="2"/><c r="D1" t="b"><v>1</v></c><c r="E1" t="inlineStr"><is><t>中&lt;</t></is></c>'))
    assert protected
    assert cells[(0, 0)].value == 1.5 and cells[(0, 0)].type == "n"
    assert cells[(0, 1)].formula == 'IF(A1<2,"&","中")' and cells[(0, 1)].value == "&"
    assert (0, 2) not in cells
    assert cells[(0, 3)].value is True
    assert cells[(0, 4)].value == "中<"


def test_hostile_unclosed_cells_are_quick():
    xml = _sheet_xml('<c r="A1"><v>1</v></c>' + '<c r="B1">' * 200_000)
    t = time.perf_counter()
    assert xlsx._scan_sheet(None, xml) is None
    assert time.perf_counter() - t < 1.0
    xml = _sheet_xml('<c r="A1"><v>' + "1" * 2_000_000 + '</v></c>' * 3)
    t = time.perf_counter()
    xlsx._scan_sheet(None, xml)
    assert time.perf_counter() - t < 1.0


def _shared(path) -> tuple[list[str] | None, list[str]]:
    book = xlsx.open_book(path)
    raw = xlsx._read_part(book._zip, book._sst_path, str(path), [1 << 30])
    xlsx.clear_caches()
    try:
        xlsx.FAST_SCAN = False
        ref = xlsx._parse_shared(book)
    finally:
        xlsx.FAST_SCAN = True
    return xlsx._scan_shared(raw), ref


def test_shared_strings_read_the_same(tmp_path):
    files = sorted((ROOT / "samples" / "2025").glob("*.xlsx"))
    p = write_good(FORM, tmp_path / "a.xlsx")
    for f in files + [p]:
        if xlsx.open_book(f)._sst_path is None:
            continue  # saved by openpyxl: inline strings only
        fast, ref = _shared(f)
        assert fast == ref, f
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="3">'
           '<si><t>a&amp;b</t></si><si><t xml:space="preserve"> x </t></si><si><t/></si></sst>' % xlsx.NS_MAIN)
    assert xlsx._scan_shared(sst.encode()) == ["a&b", " x ", ""]
    rich = sst.replace("<si><t/></si>", "<si><r><t>b</t></r></si>")
    assert xlsx._scan_shared(rich.encode()) == ["a&b", " x ", "b"]


@needs_lo
def test_libreoffice_shared_strings_read_the_same(tmp_path, lo_convert):
    fast, ref = _shared(lo_convert(write_good(FORM, tmp_path / "a.xlsx")))
    assert fast is not None and fast == ref


def test_shared_strings_shapes():
    head = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s">' % xlsx.NS_MAIN
    runs = head + '<si><r><rPr><sz val="11"/></rPr><t xml:space="preserve">国办</t></r><r><t>2021</t></r></si></sst>'
    assert xlsx._scan_shared(runs.encode()) == ["国办2021"]
    phonetic = head + '<si><t>漢</t><rPh sb="0" eb="1"><t>カン</t></rPh></si></sst>'
    assert xlsx._scan_shared(phonetic.encode()) == ["漢"]  # the guide (カン) is not part of the text
    unclosed = head + '<si><t>a</t></si><si><t>b</t>' + '</sst>'
    assert xlsx._scan_shared(unclosed.encode()) is None


def test_odd_simple_cells_are_not_lost():
    cells, _ = xlsx._scan_sheet(None, _sheet_xml(
        '<c r="A1"><v>1</v></c><c r="B1"><v>12件</v></c><c r="C1"><v>1.</v></c>'
        '<c r="D1" vm="1"><v>3</v></c><c r="E1"><f>A1</f><v>1</v></c>'))
    assert cells[(0, 1)].value == "12件" and cells[(0, 1)].type == "s"
    assert cells[(0, 2)].value == 1.0 and cells[(0, 3)].value == 3.0
    assert cells[(0, 4)].formula == "A1" and cells[(0, 4)].has_formula


FORMULA_SHAPES = [
    '<c r="A1"><f>SUM(B1:C1)</f><v>3</v></c>',  # a total
    '<c r="A1" t="str"><f>IF(B1&lt;&gt;0,"&lt;0","")</f><v>&lt;0</v></c>',  # a status line, entities
    '<c r="A1" t="str"><f>IF(B1&lt;0,"&#x4E2D;","")</f><v></v></c>',  # a character reference, empty value
    '<c r="A1"><f>B1</f></c>',  # no cached value
    '<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    '<c r="A1" t="b"><f>B1&gt;0</f><v>1</v></c>',
    '<c r="A1" t="s"><f>B1</f><v>0</v></c>',
    '<c r="A1" t="n"><f>B1</f><v>x</v></c>',
    '<c r="A1"><f>"&amp;amp;"</f><v>2</v></c>',
    '<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>2</v></c><c r="A2"><f t="shared" si="0"/><v>2</v></c>',
    '<c r="A1" t="str"><f>"中文"&amp;B1</f><v>中文</v></c>',
]


@pytest.mark.parametrize("shape", FORMULA_SHAPES)
def test_formula_shapes_read_the_same(shape, tmp_path):
    """Formula cells in every shape read by the scan exactly as lxml reads them."""
    p = write_good(FORM, tmp_path / "a.xlsx")
    part = sheet_part(p, "填报说明")

    def put(data: bytes) -> bytes:
        return re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>",
                      b'<sheetData><row r="1">' + shape.encode() + b"</row></sheetData>", data, flags=re.S)
    zip_edit(p, part, put)
    got = dict(both_ways(p))
    assert got["填报说明"], "the scan should read these shapes itself"
    cells = xlsx.open_book(p).sheet("填报说明").cells
    assert cells[(0, 0)].has_formula and "&lt;" not in (cells[(0, 0)].formula or "")
    if "&amp;amp;" in shape:
        assert cells[(0, 0)].formula == '"&amp;"'  # unescaped once, not twice


@pytest.mark.parametrize("change", [
    (b'<sheets>', b'<sheets><!-- x -->'), (b' r:id=', b' r:id="x" r:xid='), (b'name="', b'name="a&amp;'),
    (b'<sheets>', b'<sheets><sheet name="x" sheetId="9" r:id="rId9"></sheet>'),
    (b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"', b'xmlns:r="urn:other"'),
    (b'<?xml version="1.0" encoding="UTF-8"', b'<?xml version="1.0" encoding="GB18030"'),
])
def test_workbook_part_in_other_shapes_falls_back(change, tmp_path):
    wb = xlsx._read_part(xlsx.open_book(write_good(FORM, tmp_path / "a.xlsx"))._zip, "xl/workbook.xml", "a", [1 << 30])
    assert xlsx.fastparts.scan_workbook(wb) is not None
    assert change[0] in wb
    assert xlsx.fastparts.scan_workbook(wb.replace(change[0], change[1], 1)) is None


def test_bad_entity_in_formula_falls_back():
    assert xlsx._scan_sheet(None, _sheet_xml('<c r="A1"><f>"&nbsp;"</f><v>1</v></c>')) is None


def test_hostile_references_and_parts_are_not_remembered_whole():
    """What the reader remembers between returns stays small whatever a file holds: a reference
    thousands of letters long, a part whose stored bytes are huge."""
    from gkxl.workbook import fastscan

    long_ref = "A" * 5000 + "1"
    cells, _ = xlsx._scan_sheet(None, _sheet_xml(f'<c r="{long_ref}"><v>1</v></c><c r="B1"><v>2</v></c>'))
    assert cells == {(0, 1): xlsx.RawCell(2.0, "n")}
    assert long_ref.encode() not in fastscan._REF_BYTES
