"""Read a published report from a government web page (or gkxl's own HTML).

lxml's HTML parser never fetches anything and does not expand external
entities; scripts, styles and comments are dropped before any text is read.
Layout tables (tables holding other tables, common on government sites)
are walked through as page structure; a table without nested tables is a
data table, with rowspan/colspan expanded so merged text repeats.

Pages as published: blank cells written "&nbsp;" are blank; Word-exported
markup (<o:p>, <span lang=EN-US>, MsoNormal paragraphs in cells) is just
text; a page without a declared charset that is not UTF-8 is read as GBK
(GB18030). A rowspan never reaches past its table's last row, colspan and
rowspan are honoured up to MAX_SPAN, and an expanded table larger than the
limits is refused in milliseconds (a 76 KB page of rowspan/colspan 200
once took minutes and gigabytes).
"""

from __future__ import annotations

import re

import lxml.html

from ..files.textfile import decode_local
from .errors import ReportError
from .limits import MAX_SPAN, MAX_TABLE_CELLS, MAX_TEXT_CHARS, Budget, too_large
from .source import Para, RawTable, SourceDoc, number_paragraphs

_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "button", "select",
         "textarea", "form"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "blockquote", "pre",
          "table", "ul", "ol", "dl", "dt", "dd", "header", "footer", "main", "center", "tr", "td", "th", "body",
          "html", "caption", "nav", "aside", "figure", "figcaption"}



BR = "\u2028"  # what a <br> becomes, to split paragraphs on
_SOURCE_SPACE = re.compile(r"[\r\n\t ]+")


def _cell_text(el) -> str:
    """Visible text: source line breaks are spaces, <br> is BR."""
    return _SOURCE_SPACE.sub(" ", "".join(el.itertext())).strip()


def _lines(text: str) -> list[str]:
    return [x.strip() for x in _SOURCE_SPACE.sub(" ", text).split(BR) if x.strip()]


def grid(table, budget: Budget, name: str) -> RawTable:
    """Rows of cell texts, rowspan/colspan expanded (merged text repeated)."""
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None
            and (tr.getparent() is table or tr.getparent().getparent() is table)]
    out: list[list[str]] = []
    where: list[list[str]] = []
    pending: dict[tuple[int, int], tuple[str, str]] = {}
    n_rows = len(rows)
    positions = 0
    for r, tr in enumerate(rows):
        line: list[str] = []
        wline: list[str] = []
        c = 0
        k_cell = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            k_cell += 1
            while (r, c) in pending:
                t, w = pending.pop((r, c))
                line.append(t)
                wline.append(w)
                c += 1
            text = _cell_text(cell).replace(BR, " ").strip()
            rs = min(_int(cell.get("rowspan")), n_rows - r)
            cs = _int(cell.get("colspan"))
            positions += rs * cs
            if positions > MAX_TABLE_CELLS:
                budget.add_cells(positions, "网页中的表格")  # refuses
            w = f"{name}第 {r + 1} 行第 {k_cell} 格"
            for k in range(cs):
                line.append(text)
                wline.append(w)
                for dr in range(1, rs):
                    pending[(r + dr, c + k)] = (text, w)
            c += cs
        while (r, c) in pending:
            t, w = pending.pop((r, c))
            line.append(t)
            wline.append(w)
            c += 1
        out.append(line)
        where.append(wline)
    budget.add_cells(positions, "网页中的表格")
    return RawTable(out, where, name, grid=True)


def _int(v: str | None) -> int:
    try:
        n = int((v or "1").strip())
    except ValueError:
        return 1
    return min(max(n, 1), MAX_SPAN)


def _walk(el, blocks: list, budget: Budget, no: list[int]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _SKIP:
        return
    if tag == "table":
        if el.find(".//table") is None:
            budget.tick()
            no[0] += 1
            t = grid(el, budget, f"第 {no[0]} 张表")
            if t.rows:
                blocks.append(t)
            return
    elif tag in _BLOCK and not any(isinstance(d.tag, str) and d.tag.lower() in _BLOCK for d in el.iterdescendants()):
        blocks.extend(Para(x) for x in _lines(_cell_text(el)))
        return
    if el.text:
        blocks.extend(Para(x) for x in _lines(el.text))
    for child in el:
        if isinstance(child.tag, str):
            _walk(child, blocks, budget, no)
        if child.tail:
            blocks.extend(Para(x) for x in _lines(child.tail))


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def html_tables(fragment: str, budget: Budget, name: str) -> list[RawTable]:
    """The data tables of an HTML fragment (a Markdown extraction's embedded <table>): as on a page."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except (ValueError, lxml.etree.LxmlError):
        return []
    for br in root.iter("br"):
        br.tail = BR + (br.tail or "")
    out = []
    for k, el in enumerate(t for t in root.iter("table") if t.find(".//table") is None):
        budget.tick()
        t = grid(el, budget, name if k == 0 else f"{name}（第 {k + 1} 张）")
        if t.rows:
            out.append(t)
    return out


def decode_page(data: bytes, path: str) -> str:
    """The page as text: its declared charset, else UTF-8, else GB18030 (GBK pages)."""
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace").lower()
        if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
            enc = "gb18030"
        try:
            return data.decode(enc, errors="replace")
        except LookupError:
            pass
    text = decode_local(data)
    if text is None:
        raise ReportError(f"{path}：无法识别网页的文字编码", code="REPORT_ENCODING", path=path)
    return text


def parse_html(data: bytes, path: str = "") -> SourceDoc:
    return parse_html_text(decode_page(data, path), path)


def parse_html_text(text: str, path: str = "") -> SourceDoc:
    """A page already decoded (a part of a saved web archive, whose charset its headers state)."""
    if len(text) > MAX_TEXT_CHARS:
        raise too_large(path, "网页文字", f"{MAX_TEXT_CHARS:,} 个字符")
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # an XML declaration with an encoding: lxml refuses str input
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.fromstring(text, parser=parser) if text.strip() else None
    except (ValueError, lxml.etree.LxmlError) as e:
        raise ReportError(f"{path}：网页无法解析（{type(e).__name__}）", code="REPORT_READ", path=path) from None
    if root is None:
        return SourceDoc([], path, "", "html")
    for br in root.iter("br"):
        br.tail = BR + (br.tail or "")
    title = ""
    t = root.find(".//title")
    if t is not None:
        title = _cell_text(t)
    body = root.find(".//body")
    blocks: list = []
    _walk(body if body is not None else root, blocks, Budget(path), [0])
    notes = []
    if not any(isinstance(b, RawTable) for b in blocks):
        pictures = [im for im in (body if body is not None else root).iter("img") if not _icon(im)]
        if pictures:
            notes.append(f"网页中有 {len(pictures)} 张图片（统计表可能是以图片形式发布的），图片中的数字无法读取")
    return SourceDoc(number_paragraphs(blocks, "网页正文"), path, title, "html", notes=notes)


def _icon(img) -> bool:
    """A picture declared smaller than a table could be (a logo, an icon, a spacer)."""
    for a in ("width", "height"):
        v = re.match(r"\s*(\d+)", img.get(a) or "")
        if v and int(v.group(1)) < 120:
            return True
    return False
