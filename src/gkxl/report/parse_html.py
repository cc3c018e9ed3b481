"""Read a published report from a government web page (or gkxl's own HTML).

lxml's HTML parser never fetches anything and does not expand external
entities; scripts, styles and comments are dropped before any text is read.
Layout tables (tables holding other tables, common on government sites)
are walked through as page structure; a table without nested tables is a
data table, with rowspan/colspan expanded so merged text repeats.
"""

from __future__ import annotations

import re

import lxml.html

from .source import Para, RawTable, SourceDoc

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


def _grid(table) -> RawTable:
    """Rows of cell texts, rowspan/colspan expanded (merged text repeated)."""
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None
            and (tr.getparent() is table or tr.getparent().getparent() is table)]
    out: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        line: list[str] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in pending:
                line.append(pending.pop((r, c)))
                c += 1
            text = _cell_text(cell).replace(BR, " ").strip()
            rs = _int(cell.get("rowspan"))
            cs = _int(cell.get("colspan"))
            for k in range(cs):
                line.append(text)
                for dr in range(1, rs):
                    pending[(r + dr, c + k)] = text
            c += cs
        while (r, c) in pending:
            line.append(pending.pop((r, c)))
            c += 1
        out.append(line)
    return RawTable(out)


def _int(v: str | None) -> int:
    try:
        n = int((v or "1").strip())
    except ValueError:
        return 1
    return min(max(n, 1), 200)


def _walk(el, blocks: list) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _SKIP:
        return
    if tag == "table":
        if el.find(".//table") is None:
            t = _grid(el)
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
            _walk(child, blocks)
        if child.tail:
            blocks.extend(Para(x) for x in _lines(child.tail))


def parse_html(data: bytes, path: str = "") -> SourceDoc:
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                  encoding=None if data[:200].lower().find(b"charset") >= 0 else "utf-8")
    root = lxml.html.fromstring(data, parser=parser) if data.strip() else None
    if root is None:
        return SourceDoc([], path)
    for br in root.iter("br"):
        br.tail = BR + (br.tail or "")
    title = ""
    t = root.find(".//title")
    if t is not None:
        title = _cell_text(t)
    body = root.find(".//body")
    blocks: list = []
    _walk(body if body is not None else root, blocks)
    return SourceDoc(blocks, path, title)
