"""Untrusted published reports: refused in seconds, with a clear Chinese message naming the file."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zipfile

import pytest

from gkxl.report import ReportError
from gkxl.report.importer import read_report


def _refused(path, *needles: str, seconds: float = 5.0) -> ReportError:
    t = time.monotonic()
    with pytest.raises(ReportError) as e:
        read_report(path)
    assert time.monotonic() - t < seconds
    msg = str(e.value)
    assert str(path) in msg, msg
    for n in needles:
        assert n in msg, msg
    return e.value


def test_html_with_huge_spans(tmp_path):
    """A 70 KB page of rowspan/colspan 200 (once 104 s and 9.9 GB): refused at once."""
    cells = "".join(f'<td rowspan="200" colspan="200">{i}</td>' for i in range(40))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(45))
    page = f"<html><body><p>某局2024年政府信息公开工作年度报告</p><table>{rows}</table></body></html>"
    assert len(page) > 60_000
    (tmp_path / "h.html").write_text(page, encoding="utf-8")
    e = _refused(tmp_path / "h.html", "过大", seconds=2.0)
    assert e.code == "REPORT_TOO_LARGE"


def test_markdown_with_an_html_table_of_huge_spans(tmp_path):
    """The same table inside a Markdown extraction: read as a page's table, so refused as fast."""
    cells = "".join(f'<td rowspan="200" colspan="200">{i}</td>' for i in range(40))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(45))
    (tmp_path / "h.md").write_text(f"# 某局2024年政府信息公开工作年度报告\n\n<table>{rows}</table>\n", encoding="utf-8")
    e = _refused(tmp_path / "h.md", "过大", seconds=2.0)
    assert e.code == "REPORT_TOO_LARGE"


def test_markdown_html_table_never_runs_or_fetches(tmp_path):
    """Script, entities and an unclosed table in a Markdown extraction: text at most, never a traceback."""
    md = ("# 某局2024年政府信息公开工作年度报告\n\n<table><tr><td><script>alert(1)</script>行政许可</td>"
          "<td><img src='http://127.0.0.1:9/x'>12</td></tr>\n<tr><td>&xxe;</td>")
    (tmp_path / "s.md").write_text(md, encoding="utf-8")
    with pytest.raises(ReportError) as e:
        read_report(tmp_path / "s.md")
    assert "没有找到统计表" in str(e.value) or "统计" in str(e.value)


def test_spans_past_the_table_are_clipped(tmp_path, form):
    """A rowspan longer than the table is cut at its last row (as browsers do); the page still reads."""
    page = ("<html><body><p>某局2024年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td colspan='9999'>第二十条第（五）项</td></tr><tr><td>信息内容</td><td>本年处理决定数量</td></tr>"
            "<tr><td rowspan='100000'>行政许可</td><td>12</td></tr></table></body></html>")
    (tmp_path / "s.html").write_text(page, encoding="utf-8")
    m = read_report(tmp_path / "s.html")
    assert m.values[("t2b", "licensing", "decisions")] == 12


def _docx_with(document: bytes, *, declared: int | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document)
    data = buf.getvalue()
    if declared is not None:  # lie about the inflated size in the central directory
        i = data.rfind(b"PK\x01\x02")
        while i >= 0:
            name_len = struct.unpack("<H", data[i + 28:i + 30])[0]
            if data[i + 46:i + 46 + name_len] == b"word/document.xml":
                data = data[:i + 24] + struct.pack("<I", declared) + data[i + 28:]
                break
            i = data.rfind(b"PK\x01\x02", 0, i)
    return data


def test_docx_declaring_a_gigabyte(tmp_path):
    doc = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'
    (tmp_path / "big.docx").write_bytes(_docx_with(doc, declared=1 << 30))
    e = _refused(tmp_path / "big.docx", "document.xml", "1024 MB", seconds=1.0)
    assert e.code == "REPORT_TOO_LARGE"


@pytest.mark.slow
def test_docx_that_inflates_to_a_gigabyte(tmp_path):
    """document.xml of 1 GB (a 1 MB file; once 2.1 GB of memory and a crash): refused at once."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            block = b" " * (1 << 20)
            for _ in range(1024):
                fh.write(block)
            fh.write(b"</w:body></w:document>")
    (tmp_path / "bomb.docx").write_bytes(buf.getvalue())
    assert (tmp_path / "bomb.docx").stat().st_size < 4 << 20
    e = _refused(tmp_path / "bomb.docx", "document.xml", "超过", seconds=3.0)
    assert e.code == "REPORT_TOO_LARGE"


def test_docx_that_lies_about_its_size(tmp_path):
    """A part declared small that inflates to more: never read past its declared size, refused."""
    doc = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + b"<w:p/>" * 200_000 + b"</w:body></w:document>")
    (tmp_path / "liar.docx").write_bytes(_docx_with(doc, declared=1000))
    e = _refused(tmp_path / "liar.docx", seconds=3.0)
    assert e.code == "REPORT_READ"


def test_docx_with_a_million_cells(tmp_path):
    row = b"<w:tr>" + b"<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>" * 100 + b"</w:tr>"
    doc = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>'
           + row * 1000 + b"</w:tbl></w:body></w:document>")
    (tmp_path / "cells.docx").write_bytes(_docx_with(doc))
    e = _refused(tmp_path / "cells.docx", "单元格", seconds=3.0)
    assert e.code == "REPORT_TOO_LARGE"


def test_docx_entities_are_not_expanded(tmp_path):
    doc = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
           b'<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           b"<w:p><w:r><w:t>&c;&x;</w:t></w:r></w:p></w:body></w:document>")
    (tmp_path / "ent.docx").write_bytes(_docx_with(doc))
    t = time.monotonic()
    with pytest.raises(ReportError) as e:
        read_report(tmp_path / "ent.docx")
    assert time.monotonic() - t < 2 and "root:" not in str(e.value)


def test_scanned_pdf_is_refused(tmp_path, cli):
    from PIL import Image

    Image.new("RGB", (1240, 1754), "white").save(tmp_path / "scan.pdf", resolution=150)
    e = _refused(tmp_path / "scan.pdf", "扫描件", "没有文字层")
    assert e.code == "REPORT_SCANNED"
    code, out, err = cli("import-report", tmp_path / "scan.pdf", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "扫描件" in err and not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("data, code", [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "REPORT_READ"),
    (b"not a pdf at all", "REPORT_READ"),
    (b"%PDF-1.4\n" + b"\x00" * 5000, "REPORT_READ"),
])
def test_broken_pdfs(tmp_path, data, code):
    (tmp_path / "b.pdf").write_bytes(data)
    e = _refused(tmp_path / "b.pdf")
    assert e.code in (code, "REPORT_NO_TEXT")


def test_text_too_large(tmp_path, monkeypatch):
    from gkxl.report import importer, limits

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.txt").write_text("一" * 2000, encoding="utf-8")
    e = _refused(tmp_path / "big.txt", "超过")
    assert e.code == "REPORT_TOO_LARGE"


def _pdf(objects: list[bytes]) -> bytes:
    """A minimal PDF from numbered object bodies (1-based), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _one_page(content: bytes, resources: bytes, more: list[bytes]) -> bytes:
    """A one-page PDF: catalog, pages, the page with `resources`, its content stream, then `more` (objects 5…)."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << " + resources
                 + b" >> >>", b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream", *more])


def _picture_page(content: bytes) -> bytes:
    """A one-page PDF whose content draws picture /Im1 (one grey pixel, scaled by the content) and text in /F1."""
    return _one_page(content, b"/XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >>", [
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length 1 >>\nstream\n\xff\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def test_scan_with_a_recognised_text_layer_is_refused(tmp_path):
    """A scan whose OCR text sits invisibly over the page picture: its digits are the OCR's
    guesses, so the document is refused as a scan, not read."""
    text = b"BT /F1 12 Tf 3 Tr 72 700 Td (Xingzheng xuke 12 3 0 0 0 0 15 and more recognised words here) Tj ET"
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q " + text
    (tmp_path / "ocr.pdf").write_bytes(_picture_page(content))
    e = _refused(tmp_path / "ocr.pdf", "扫描件", "OCR")
    assert e.code == "REPORT_SCANNED"


def test_pdf_library_repairs_are_not_printed(tmp_path):
    """A real PDF whose fonts lack a bounding box made pdfminer print hundreds of English warnings
    ("Could not get FontBBox…") on stderr: what a clerk reads is the Chinese outcome only."""
    text = b"BT /F1 12 Tf 72 700 Td (Some text of a report without tables, to be read) Tj ET"
    (tmp_path / "odd.pdf").write_bytes(_one_page(text, b"/Font << /F1 5 0 R >>", [
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Odd /FirstChar 32 /LastChar 126 /FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /Odd /Flags 32 /FontBBox [1 2] >>"]))
    # a process of its own: under pytest, logging goes to pytest's handler, not to stderr
    r = subprocess.run([sys.executable, "-m", "gkxl", "import-report", str(tmp_path / "odd.pdf"), "--out",
                        str(tmp_path / "o.xlsx")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "FontBBox" not in r.stderr and "错误" in r.stderr, r.stderr


def test_tables_published_as_pictures_are_said_to_be(tmp_path):
    """Body text with the statistical tables pasted in as pictures (a PDF page, a web page): refused saying the
    tables look like pictures whose numbers cannot be read — not just 'no table found'."""
    text = b"BT /F1 12 Tf 72 780 Td (Mou xian 2024 nian zhengfu xinxi gongkai gongzuo niandu baogao) Tj ET"
    content = b"q 450 0 0 300 72 300 cm /Im1 Do Q " + text
    (tmp_path / "pic.pdf").write_bytes(_picture_page(content))
    e = _refused(tmp_path / "pic.pdf", "没有找到统计表", "第 1 页有大幅图片")
    assert e.code == "REPORT_NO_TABLES"
    page = ("<html><body><p>某县人民政府2024年政府信息公开工作年度报告</p><img src='logo.png' width='40'>"
            "<p>二、主动公开政府信息情况</p><img src='t2.png'><p>三、收到和处理政府信息公开申请情况</p>"
            "<img src='t3.png' width='600'></body></html>")
    (tmp_path / "pic.html").write_text(page, encoding="utf-8")
    e = _refused(tmp_path / "pic.html", "没有找到统计表", "网页中有 2 张图片")
    assert e.code == "REPORT_NO_TABLES"


def test_a_ruled_pdf_row_that_stops_short_is_a_short_row():
    """In a ruled PDF table, a row whose cells end before the table's right edge lost a cell: it is read as
    a short row (its numbers may have moved left under other columns), never padded with a blank cell."""
    import pdfplumber

    from gkxl.report.limits import Budget
    from gkxl.report.pdf_grid import _Table

    content = b""
    for k, row in enumerate([["a", "b", "c"], ["d", "1", "2"], ["e", "3"]]):
        for j, text in enumerate(row):
            x, y = 72 + 100 * j, 700 - 20 * k
            content += b"%d %d 100 20 re S BT /F1 10 Tf %d %d Td (%s) Tj ET " % (x, y, x + 5, y + 5, text.encode())
    pdf = pdfplumber.open(io.BytesIO(_one_page(content, b"/Font << /F1 5 0 R >>",
                                               [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])))
    t = _Table(1, pdf.pages[0].find_tables()[0], Budget("x"))
    assert t.paint(t.xs)[0] == [["a", "b", "c"], ["d", "1", "2"], ["e", "3"]]


def test_pdf_whose_fonts_have_no_text_mapping(tmp_path, cli):
    """A PDF whose embedded fonts carry no ToUnicode map gives "(cid:3717)" for every character: the real
    淮安 PDF with its maps' key renamed (same length, so every offset stays). Said so, with what to do,
    instead of "no number could be matched"."""
    from report_helpers import REAL

    data = (REAL / "huaian_city_2024.pdf").read_bytes()
    assert data.count(b"/ToUnicode") >= 1
    (tmp_path / "nomap.pdf").write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))
    e = _refused(tmp_path / "nomap.pdf", "字体没有附带文字编码")
    assert e.code == "REPORT_PDF_FONT"
    code, out, err = cli("import-report", tmp_path / "nomap.pdf", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "nomap.pdf" in err and "文字编码" in err and not (tmp_path / "x.xlsx").exists()
