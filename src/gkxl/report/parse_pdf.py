"""Read a published report from a PDF with a text layer (pdfplumber).

Published PDFs are Word or WPS documents printed to PDF: the statistical
tables are ruled, so pdfplumber finds each table from its lines and gives
every cell its box. A merged cell (the vertical "三、本年度办理结果", a
header over several columns) is repeated over every grid position it
covers, as the HTML reader does; a table broken by a page break is joined
again when its continuation on the next page has the same columns. Text
outside the tables becomes paragraphs (a line that is indented, centred, or
follows a short line starts one); page numbers ("-3-", "— 3 —") are dropped.

A PDF without ruled tables still yields its text lines, laid out as
`pdftotext -layout` would (cells apart by spaces), for the stream reader. A
scan (pages that are images, no text layer) is refused with a clear
message: its numbers could only be guessed.

Every cell says where it is: page, table row and column, and its position on
the page in points (x from the left, y from the top).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from .errors import ReportError
from .limits import MAX_PDF_PAGES, Budget, too_large
from .pdf_grid import _Table, _raw, number_words
from .source import Para, RawTable, SourceDoc

_PAGE_NO = re.compile(r"^[\s\-—–－_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d+\s*页)?[\s\-—–－_]*$")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
# pdfminer logs its repairs of real PDFs ("Could not get FontBBox…", hundreds per file) in English on
# stderr: they say nothing a clerk can act on, and what cannot be read is reported in Chinese anyway
logging.getLogger("pdfminer").setLevel(logging.ERROR)


class _Scanned(Exception):
    pass


# the page rotation (clockwise, as /Rotate counts) that brings text whose baseline runs this way
# (the sign of the character matrix's a and b, as pdfminer gives it) upright
_TURN = {(0, -1): 270, (-1, 0): 180, (0, 1): 90}


def _upright(pdf, page):
    """The page turned so that its text reads left to right: a wide table printed sideways on a
    portrait page, or a page whose /Rotate shows it sideways or upside down. Read as it lies, its
    words come out vertical or backwards ("27" for "72") and its tables with them."""
    from pdfplumber.page import Page  # pdfplumber is imported where the PDF is opened (parse_pdf)

    def sign(v: float) -> int:
        return 0 if abs(v) < 1e-6 else (1 if v > 0 else -1)

    ways = Counter((sign(c["matrix"][0]), sign(c["matrix"][1])) for c in page.chars
                   if c.get("text", "").strip() and c.get("matrix"))
    if not ways:
        return page, 0
    way, n = ways.most_common(1)[0]
    turn = _TURN.get(way, 0)
    if not turn or n < 0.6 * sum(ways.values()):
        return page, 0
    obj = page.page_obj
    obj.rotate = (page.rotation + turn) % 360
    obj.attrs["Rotate"] = obj.rotate
    return Page(pdf, obj, page_number=page.page_number, initial_doctop=page.initial_doctop), turn


def _covered(page) -> float:
    """The share of the page the largest picture on it covers."""
    area = float(page.width * page.height) or 1.0
    best = 0.0
    for im in page.images:
        w = max(0.0, min(im["x1"], page.width) - max(im["x0"], 0))
        h = max(0.0, min(im["bottom"], page.height) - max(im["top"], 0))
        best = max(best, w * h / area)
    return best


def _page_lines(page, tables: list[_Table]) -> list[dict]:
    """Text lines outside the page's real tables, page numbers dropped."""
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes)

    view = page.filter(outside) if boxes else page
    out = []
    for ln in view.extract_text_lines(layout=False, strip=True, return_chars=True):
        text = ln["text"].strip()
        if not text:
            continue
        near_edge = ln["top"] < page.height * 0.08 or ln["bottom"] > page.height * 0.9
        if _PAGE_NO.match(text) and (near_edge or "页" in text or re.match(r"^[\s\-—–－_]+\d", text)):
            continue
        size = max((c.get("size") or 0 for c in ln.get("chars", [])), default=10.5) or 10.5
        out.append({"text": text, "x0": ln["x0"], "x1": ln["x1"], "top": ln["top"], "size": size,
                    "chars": ln.get("chars", [])})
    return out


def _layout_text(line: dict) -> str:
    """A line as pdftotext -layout writes it: words apart by a space where the gap is wide."""
    chars = line.get("chars") or []
    if not chars:
        return line["text"]
    out = ""
    prev = None
    for ch in chars:
        t = ch.get("text", "")
        if prev is not None and ch["x0"] - prev["x1"] > 0.6 * (prev.get("size") or 10):
            out += "  "
        out += t
        prev = ch
    return out.strip()


def _paragraphs(line: dict, page_no: int, margins: tuple[float, float, float], state: dict) -> Para | None:
    """Add a line to the paragraphs: a new paragraph (returned) where the line is indented,
    centred or a heading, or the line before it stopped short of the right margin; else
    the line continues the last paragraph (None)."""
    left, right, width = margins
    size = line["size"]
    indented = line["x0"] > left + 1.2 * size
    centred = line["x0"] > left + 2.5 * size and abs((line["x0"] + line["x1"]) / 2 - width / 2) < 2 * size
    prev = state.get("prev")
    short_before = prev is not None and prev["x1"] < state.get("right", right) - 2 * size
    new = (prev is None or indented or centred or short_before or bool(_HEADING.match(line["text"]))
           or not state.get("last"))
    state["prev"], state["right"] = line, right
    if new:
        p = Para(line["text"], f"第 {page_no} 页第 {int(line['top'])} 点处")
        state["last"] = p
        return p
    last = state["last"]
    sep = " " if last.text[-1:].isascii() and last.text[-1:].isalnum() and line["text"][:1].isascii() else ""
    last.text += sep + line["text"]
    return None


def _refusal(e: BaseException, path: str) -> ReportError:
    """A Chinese refusal for whatever pdfminer raised (it wraps its own errors)."""
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name or "encrypt" in str(inner).lower():
        return ReportError(f"{path}：PDF 已加密（需要密码），无法读取；请提供未加密的版本", code="REPORT_ENCRYPTED",
                           path=path)
    return ReportError(f"{path}：PDF 文件已损坏或结构异常，无法读取（{name}）", code="REPORT_READ", path=path)


def parse_pdf(data: bytes, path: str = "") -> SourceDoc:
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a dependency
        raise ReportError(f"{path}：读取 PDF 需要 pdfplumber（pip install pdfplumber）", code="REPORT_PDF_LIB",
                          path=path) from None
    if b"%PDF" not in data[:1024]:
        raise ReportError(f"{path}：不是有效的 PDF 文件", code="REPORT_READ", path=path)
    budget = Budget(path)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - untrusted input: any parser failure is a refusal, never a traceback
        raise _refusal(e, path) from None
    try:
        return _read(pdf, path, budget)
    except ReportError:
        raise
    except Exception as e:  # noqa: BLE001 - as above
        raise _refusal(e, path) from None
    finally:
        pdf.close()


def _read(pdf, path: str, budget: Budget) -> SourceDoc:
    pages = pdf.pages
    if len(pages) > MAX_PDF_PAGES:
        raise too_large(path, f"PDF 共 {len(pages)} 页，", f"{MAX_PDF_PAGES} 页")
    items: list[tuple[int, float, object]] = []  # (page, top, _Table | line dict)
    lines_out: list[tuple[str, str]] = []
    n_chars = 0
    image_pages: list[int] = []
    picture_pages: list[int] = []  # a page with text and a large picture but no ruled table: a table pasted as a picture?
    ocr_pages: list[int] = []  # text over a full-page picture: a scan with a recognised (OCR) text layer
    tables: list[_Table] = []
    margins: dict[int, tuple[float, float, float]] = {}
    turned: list[int] = []
    straddled: list[tuple[int, str]] = []  # (page, number) drawn across a table's cell line
    unmapped_pages: list[int] = []
    n_unmapped = 0
    for i, page in enumerate(pages, 1):
        budget.tick()
        page, turn = _upright(pdf, page)
        if turn:
            turned.append(i)
        # a glyph whose font has no text mapping comes out as "(cid:1234)": the page's text is unknown
        texts = [c.get("text", "") for c in page.chars]
        text_chars = sum(1 for x in texts if x.strip())
        unmapped = sum(1 for x in texts if x.startswith("(cid:"))
        n_chars += text_chars
        n_unmapped += unmapped
        if text_chars and unmapped >= 0.3 * text_chars:
            unmapped_pages.append(i)
        if text_chars < 20 and page.images:
            image_pages.append(i)
        elif text_chars and _covered(page) >= 0.85:
            ocr_pages.append(i)
        found = []
        if text_chars:
            numbers = None
            for t in page.find_tables():
                ncols = max((len(r.cells) for r in t.rows), default=0)
                if ncols >= 2 and len(t.rows) >= 2:
                    if numbers is None:
                        numbers = number_words(page)
                    found.append(_Table(i, t, budget, numbers))
                    straddled.extend((i, x) for x in found[-1].straddled)
        if text_chars >= 20 and not found and any((im.get("width") or 0) * (im.get("height") or 0)
                                                  >= 0.1 * page.width * page.height for im in page.images):
            picture_pages.append(i)
        tables.extend(found)
        plines = _page_lines(page, found) if text_chars else []
        if plines:
            margins[i] = (min(ln["x0"] for ln in plines), max(ln["x1"] for ln in plines), page.width)
        for t in found:
            items.append((i, t.bbox[1], t))
        for ln in plines:
            items.append((i, ln["top"], ln))
            lines_out.append((_layout_text(ln), f"第 {i} 页第 {int(ln['top'])} 点处"))
    if n_chars < 20 * max(1, len(pages)) // 4 and (image_pages or not n_chars):
        if image_pages:
            raise ReportError(f"{path}：这是扫描件（PDF 的页面是图片，没有文字层），无法可靠地读出其中的数字；"
                              "请改用有文字层的 PDF、网页或 Word 版本（或先用 OCR 软件转成文字并逐格核对）",
                              code="REPORT_SCANNED", path=path)
        if sum(len(pg.curves) for pg in pages[:3]) >= 200:
            # every glyph a filled path: the text was converted to outlines when the PDF was made
            raise ReportError(f"{path}：PDF 中的文字被转成了图形（曲线），没有文字层，其中的数字无法读取；"
                              "请改用原始的 PDF（导出时不要把文字转为曲线）、网页或 Word 版本",
                              code="REPORT_NO_TEXT", path=path)
        raise ReportError(f"{path}：PDF 中没有可读取的文字", code="REPORT_NO_TEXT", path=path)
    if n_unmapped >= 0.5 * n_chars:
        raise ReportError(f"{path}：PDF 中的文字无法识别：所用字体没有附带文字编码（复制出来是乱码或“(cid:…)”），"
                          "其中的数字无法可靠读取；请改用网页或 Word 版本，或重新导出 PDF（导出时保留文字信息）",
                          code="REPORT_PDF_FONT", path=path)
    text_pages = len(pages) - len(image_pages)
    if ocr_pages and len(ocr_pages) == text_pages:
        raise ReportError(f"{path}：这是扫描件（每页都是一张图片，上面的文字是文字识别 OCR 的结果），识别出的数字可能有误，"
                          "不能可靠地读取；请改用原始的 PDF、网页或 Word 版本", code="REPORT_SCANNED", path=path)
    items.sort(key=lambda x: (x[0], x[1]))
    blocks: list = []
    state: dict = {}
    group: list[_Table] = []
    group_at = -1  # where the group's table goes in blocks

    def close() -> None:
        nonlocal group
        if group:
            blocks[group_at] = _raw(group)
        group = []

    for page_no, _, item in items:
        if isinstance(item, _Table):
            if group and group[-1].compatible(item):
                group.append(item)
            else:
                close()
                group = [item]
                group_at = len(blocks)
                blocks.append(None)
            state["prev"] = state["last"] = None
            continue
        close()  # a text line between two tables: they are two tables
        p = _paragraphs(item, page_no, margins[page_no], state)
        if p is not None:
            blocks.append(p)
    close()
    notes = []
    if unmapped_pages:
        notes.append(f"第 {'、'.join(map(str, unmapped_pages))} 页的文字所用字体没有附带文字编码，无法识别，其中的内容未读取")
    for i, num in straddled:
        notes.append(f"第 {i} 页表格中的数字“{num}”跨在两个单元格之间（表格线与文字错位），所在的行未读取")
    if turned:
        notes.append(f"第 {'、'.join(map(str, turned))} 页的文字是横向或倒置排印的，已转正后读取")
    if image_pages:
        notes.append(f"第 {'、'.join(map(str, image_pages))} 页是图片（没有文字层），其中的内容无法读取")
    if picture_pages:
        notes.append(f"第 {'、'.join(map(str, picture_pages))} 页有大幅图片（可能是以图片形式插入的统计表），"
                     "图片中的数字无法读取")
    # the stream: table rows (a merged cell once) and the text lines as laid out, in page order
    stream: list[tuple[str, str]] = []
    for page_no, _, item in items:
        if isinstance(item, _Table):
            rows, where = item.paint(item.xs)
            t = RawTable(rows, where)
            stream += [("  ".join(t.row_cells(r)), t.cell_where(r, 0)) for r in range(len(rows))]
        else:
            stream.append((_layout_text(item), f"第 {page_no} 页第 {int(item['top'])} 点处"))
    return SourceDoc(blocks, path, _meta_title(pdf), "pdf", stream, notes)


def _meta_title(pdf) -> str:
    """The document's own title (its metadata): a page printed from a browser loses the
    article's heading from its text but keeps the page title there."""
    try:
        t = (pdf.metadata or {}).get("Title", "")
    except Exception:  # noqa: BLE001 - untrusted metadata: no title then
        return ""
    if isinstance(t, bytes):
        for enc in ("utf-16", "utf-8", "gb18030"):
            try:
                t = t.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            return ""
    return t[:200] if isinstance(t, str) else ""
