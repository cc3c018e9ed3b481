"""Read a published report from a Word document (.docx).

The package is checked before anything is inflated: at most MAX_ZIP_MEMBERS
parts, each declared at most MAX_ZIP_MEMBER bytes inflated and all together
at most MAX_ZIP_TOTAL (zipfile never returns more than a part's declared
size, and a part that inflates to more fails its check), so a document.xml
that inflates to a gigabyte is refused at once. document.xml is then parsed
with lxml without entities, network or huge-tree mode, and its table cells
are counted before the tables are expanded.

Body paragraphs and tables are read in document order (content controls
included). A cell merged across columns (w:gridSpan) or down rows
(w:vMerge) repeats its text over every grid position it covers, as the HTML
reader does. A table nested in a cell is read as its own table after its
parent.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from .errors import ReportError
from .limits import MAX_DOCX_CELLS, MAX_SPAN, MAX_ZIP_MEMBER, MAX_ZIP_MEMBERS, MAX_ZIP_TOTAL, Budget, too_large
from .source import Para, RawTable, SourceDoc, number_paragraphs

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
_TC = re.compile(rb"<w:tc[\s>/]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True,
                          remove_pis=True, load_dtd=False)


def _check_package(zf: zipfile.ZipFile, path: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise too_large(path, f"Word 文件中的部件数（{len(infos)}）", f"{MAX_ZIP_MEMBERS}")
    total = 0
    for info in infos:
        if info.file_size > MAX_ZIP_MEMBER:
            raise too_large(path, f"Word 文件中的“{info.filename}”解压后（{info.file_size / 1024 / 1024:.0f} MB）",
                            f"{MAX_ZIP_MEMBER // 1024 // 1024} MB")
        total += info.file_size
    if total > MAX_ZIP_TOTAL:
        raise too_large(path, f"Word 文件解压后的总大小（{total / 1024 / 1024:.0f} MB）", f"{MAX_ZIP_TOTAL // 1024 // 1024} MB")


def _text(el) -> str:
    """A paragraph's visible text: runs, tabs as spaces, breaks as line breaks."""
    out = []
    for node in el.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "delText", _W + "instrText"):
        tag = node.tag
        if tag == _W + "t":
            out.append(node.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        # deleted text and field codes are not what the reader sees
    return "".join(out)


def _cell_text(tc) -> str:
    paras = []
    for p in tc.iterchildren(_W + "p", _W + "sdt"):
        paras.append(_text(p))
    return "".join(x.strip() for x in paras).strip()


def _table(tbl, blocks: list, budget: Budget, no: list[int]) -> None:
    no[0] += 1
    name = f"第 {no[0]} 张表"
    rows: list[list[str]] = []
    above: dict[int, str] = {}  # grid column -> text of the cell a vMerge continues
    nested = []
    for tr in tbl.iterchildren(_W + "tr"):
        line: list[str] = []
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        if before is not None:  # a row that starts some grid columns in
            try:
                line += [""] * min(max(int(before.get(_W + "val", "0")), 0), MAX_SPAN)
            except ValueError:
                pass
        for tc in tr.iterchildren(_W + "tc", _W + "sdt"):
            if tc.tag == _W + "sdt":  # a content control around a cell
                tc = tc.find(f"{_W}sdtContent/{_W}tc")
                if tc is None:
                    continue
            pr = tc.find(_W + "tcPr")
            span, vmerge = 1, None
            if pr is not None:
                gs = pr.find(_W + "gridSpan")
                if gs is not None:
                    try:
                        span = min(max(int(gs.get(_W + "val", "1")), 1), MAX_SPAN)
                    except ValueError:
                        span = 1
                vm = pr.find(_W + "vMerge")
                if vm is not None:
                    vmerge = vm.get(_W + "val", "continue")
            col = len(line)
            text = _cell_text(tc)
            if vmerge == "continue":
                text = above.get(col, "")
            for k in range(span):
                line.append(text)
                above[col + k] = text
            nested.extend(tc.iter(_W + "tbl"))
        budget.add_cells(len(line))
        rows.append(line)
    if rows:
        blocks.append(RawTable(rows, None, name, grid=True))
    for n in nested:
        if n.getparent() is not None:
            _table(n, blocks, budget, no)


def _walk(parent, blocks: list, budget: Budget, no: list[int]) -> None:
    for el in parent:
        tag = el.tag
        if tag == _W + "p":
            for line in _text(el).splitlines():
                if line.strip():
                    blocks.append(Para(line.strip()))
        elif tag == _W + "tbl":
            budget.tick()
            _table(el, blocks, budget, no)
        elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag"):
            _walk(el if tag != _W + "sdt" else (el.find(_W + "sdtContent") if el.find(_W + "sdtContent") is not None
                                                 else el), blocks, budget, no)


def _title(zf: zipfile.ZipFile) -> str:
    try:
        root = etree.fromstring(zf.read("docProps/core.xml"), _PARSER)
    except (KeyError, etree.LxmlError, zipfile.BadZipFile, ValueError):
        return ""
    t = root.find("{http://purl.org/dc/elements/1.1/}title")
    return (t.text or "").strip() if t is not None else ""


def parse_docx(data: bytes, path: str = "") -> SourceDoc:
    budget = Budget(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise ReportError(f"{path}：不是有效的 Word（.docx）文件（{e}）", code="REPORT_READ", path=path) from None
    with zf:
        _check_package(zf, path)
        try:
            xml = zf.read("word/document.xml")
        except KeyError:
            raise ReportError(f"{path}：不是有效的 Word（.docx）文件（缺少 word/document.xml）", code="REPORT_READ",
                              path=path) from None
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
            raise ReportError(f"{path}：Word 文件已损坏，无法读取（{e}）", code="REPORT_READ", path=path) from None
        n_cells = len(_TC.findall(xml))
        if n_cells > MAX_DOCX_CELLS:
            raise too_large(path, f"Word 文件中的表格单元格数（{n_cells:,}）", f"{MAX_DOCX_CELLS:,}")
        try:
            root = etree.fromstring(xml, _PARSER)
        except (etree.LxmlError, ValueError) as e:
            raise ReportError(f"{path}：Word 文件的正文无法解析（{type(e).__name__}）", code="REPORT_READ",
                              path=path) from None
        title = _title(zf)
    body = root.find(_W + "body")
    if body is None:
        raise ReportError(f"{path}：不是有效的 Word（.docx）文件（没有正文）", code="REPORT_READ", path=path)
    blocks: list = []
    _walk(body, blocks, budget, [0])
    return SourceDoc(number_paragraphs(blocks, "正文"), path, title, "docx")
