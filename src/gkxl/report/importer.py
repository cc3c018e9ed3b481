"""`gkxl import-report`: a published report back into a return workbook.

The workbook is written with kind "imported": the report's own totals are
kept as plain numbers, so `gkxl check` judges the published arithmetic, and
the file serves as `--prior` when last year was not done with gkxl.
Numbers that could not be placed are left blank and listed (the check then
reports them as blanks), never guessed.

The form is chosen from the report itself: every form file that can hold a
published report (gb2021, its printed variant gb2021p6, the 2019 format
gb2019, or any other in workbook_templates/) reads it, and the one that
places the most cells wins; a tie goes to the form whose declared years
contain the report's year. Every imported cell carries where it came from:
the workbook's hidden 元数据 sheet holds one "src.<table>.<row>.<column>"
entry per cell ("第 4 页，表格第 5 行第 4 格（x=239，y=466）｜表格"), read back
with `import_sources(ret)`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GkxlError, os_reason
from ..files.textfile import decode_local
from ..form import CellKey, Form, available_forms, load_form
from ..roster import Agency
from ..workbook.write import Fill, write_workbook
from .errors import ReportError
from .limits import MAX_FILE_BYTES, MAX_TEXT_CHARS, too_large
from .mapping import HOW_ZH, Mapped, map_document
from .office_convert import CONVERTIBLE
from .source import SourceDoc

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
MHTML_SUFFIXES = (".mht", ".mhtml")  # a page saved as one file (网页，单个文件)
MD_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
REPORT_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + MHTML_SUFFIXES + MD_SUFFIXES + PDF_SUFFIXES + DOCX_SUFFIXES
# pages saved under their site's address (…/t20240308_87885.jhtml, info.jsp?id=…): told apart by their content
PAGE_SUFFIXES = (".jhtml", ".jsp", ".asp", ".aspx", ".php", ".do", ".action", ".cgi")
# forms a report is also published in that are not read: said so, with what to do instead
OTHER_FORMATS = {".doc": "Word 97-2003 文档（.doc）", ".wps": "WPS 文字文档（.wps）", ".rtf": "RTF 文档",
                 ".ofd": "OFD 版式文档", ".odt": "OpenDocument 文本（.odt）", ".caj": "CAJ 文档"}
AUDIT_SUFFIXES = REPORT_SUFFIXES + PAGE_SUFFIXES + tuple(OTHER_FORMATS)  # what a folder audit lists
SRC_PREFIX = "src."  # meta keys of cell provenance


@dataclass
class ImportResult:
    out: Path | None
    agency: str
    code: str
    year: int | None
    mapped: Mapped
    warnings: list[str] = field(default_factory=list)
    form: Form | None = None

    @property
    def unmapped(self) -> list[str]:
        return self.mapped.unmapped

    @property
    def sources(self) -> dict[CellKey, str]:
        return self.mapped.sources


def _decode(data: bytes, path: str) -> str:
    text = decode_local(data)
    if text is not None:
        if len(text) > MAX_TEXT_CHARS:
            raise too_large(path, "文字", f"{MAX_TEXT_CHARS:,} 个字符")
        return text
    raise ReportError(f"{path}：无法识别文件编码（请保存为 UTF-8）", code="REPORT_ENCODING", path=path)


def read_source(path: str | os.PathLike) -> SourceDoc:
    """Any supported published report -> paragraphs and tables."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_large(str(p), f"文件大小（{size / 1024 / 1024:.0f} MB）", f"{MAX_FILE_BYTES // 1024 // 1024} MB")
        data = p.read_bytes()
    except OSError as e:
        raise ReportError(f"{p}：无法读取文件（{os_reason(e)}）", code="REPORT_READ", path=str(p)) from None
    return parse_bytes(data, str(p))


def parse_bytes(data: bytes, path: str) -> SourceDoc:
    """A published report's bytes -> paragraphs and tables, by the file name's suffix (or, for a
    suffix that says nothing, by what the file holds)."""
    suffix = Path(path).suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise too_large(path, "文件大小", f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    if suffix not in REPORT_SUFFIXES:
        suffix = _sniff(data, path, suffix)
    elif suffix in HTML_SUFFIXES and _is_mhtml(data[:4096]):
        suffix = ".mhtml"  # a page saved as one file under a .html name
    if suffix in CONVERTIBLE:
        return _converted(data, path, suffix)
    if suffix in PDF_SUFFIXES:
        from .parse_pdf import parse_pdf
        return parse_pdf(data, path)
    if suffix in DOCX_SUFFIXES:
        from .parse_docx import parse_docx
        return parse_docx(data, path)
    if suffix in HTML_SUFFIXES:
        from .parse_html import parse_html
        return parse_html(data, path)
    if suffix in MHTML_SUFFIXES:
        from .parse_mhtml import parse_mhtml
        return parse_mhtml(data, path)
    if suffix in MD_SUFFIXES:
        from .parse_md import parse_md
        return parse_md(_decode(data, path), path)
    from .parse_text import parse_text
    return parse_text(_decode(data, path), path)


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta|div|p)[\s>/]", re.I)
# a MIME message's headers at the top and a multipart/related body: a page saved as one file
_MIME_HEAD = re.compile(rb"^(?:[A-Za-z-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+", re.S)


def _converted(data: bytes, path: str, suffix: str) -> SourceDoc:
    """A .doc, .wps, .rtf or .odt report through LibreOffice to .docx (office_convert.py)."""
    from .office_convert import to_docx
    from .parse_docx import parse_docx

    docx = to_docx(data, path, suffix)
    if docx is None:
        raise ReportError(f"{path}：这是{OTHER_FORMATS[suffix]}，需要 LibreOffice 才能读取（本机未安装，或它打不开这个文件）；"
                          "请用 Word 或 WPS 打开后另存为 .docx，或导出为 PDF，再导入", code="REPORT_FORMAT", path=path)
    doc = parse_docx(docx, path)
    doc.notes.append(f"{OTHER_FORMATS[suffix]}由 LibreOffice 转换为 .docx 后读取")
    return doc


def _is_mhtml(head: bytes) -> bool:
    return bool(_MIME_HEAD.match(head)) and b"multipart/related" in head.lower()


def _sniff(data: bytes, path: str, suffix: str) -> str:
    """The suffix a file's content says it is (a page saved as .jsp, a PDF downloaded without a
    name, a Word 97 file that LibreOffice can convert), or a refusal that says what the file is
    and what to do."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in data[:1 << 16] or b"word/document.xml" in data[-(1 << 16):]:
            return ".docx"
        if b"OFD.xml" in data[:1 << 16] or b"OFD.xml" in data[-(1 << 16):]:
            suffix = ".ofd"
    elif head.startswith(_OLE):
        suffix = suffix if suffix in (".doc", ".wps") else ".doc"
    elif _is_mhtml(head):
        return ".mhtml"
    elif head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        suffix = ".rtf"
    elif b"\x00" not in head and _HTML_START.search(head.lstrip(b"\xef\xbb\xbf")[:2048]):
        return ".html"  # a page saved as .jsp, or Word's "web page" saved as .doc
    elif suffix in PAGE_SUFFIXES and b"\x00" not in head:
        return ".txt"
    if suffix in CONVERTIBLE:
        return suffix
    if suffix in OTHER_FORMATS:
        raise ReportError(f"{path}：这是{OTHER_FORMATS[suffix]}，不能直接读取；请用 Word 或 WPS 打开后另存为 .docx，"
                          "或导出为 PDF，再导入", code="REPORT_FORMAT", path=path)
    raise ReportError(f"{path}：不支持的文件类型“{suffix or '无扩展名'}”，请提供 .pdf、.html、.mht、.docx、.txt 或 .md",
                      code="REPORT_FORMAT", path=path)


def candidate_forms() -> list[Form]:
    """Every form in the forms folder (newest version of each id) that could hold a report."""
    out: list[Form] = []
    seen: set[str] = set()
    for (fid, _v) in sorted(available_forms(), key=lambda k: (k[0], k[1]), reverse=True):
        if fid in seen:
            continue
        seen.add(fid)
        try:
            out.append(load_form(fid))
        except GkxlError:
            continue
    return out


def choose_form(src: SourceDoc, forms: list[Form], year: int | None = None) -> Mapped:
    """The reading of the form that places most of the report; a tie goes to the form whose
    years contain the report's year, then to the default form."""
    best: tuple | None = None
    first_error: ReportError | None = None
    # the forms that can hold the most cells first: once one is read whole with more cells
    # than any form left could place, the rest cannot win and are not tried
    forms = sorted(forms, key=lambda f: -len(f.cells))
    for i, f in enumerate(forms):
        if best is not None and best[0][0] > max(len(g.cells) for g in forms[i:]):
            break
        try:
            m = map_document(src, f)
        except ReportError as e:
            first_error = first_error or e
            continue
        fits = f.covers_year(year or m.year)
        score = (m.found, 1 if fits else (0 if fits is None else -1), f.id == "gb2021", -i)
        if best is None or score > best[0]:
            best = (score, m)
    if best is None:
        assert first_error is not None
        raise first_error
    return best[1]


def read_report(path: str | os.PathLike, *, year: int | None = None,
                form: Form | str | None = None) -> Mapped:
    """A published report read against its form (chosen from the report unless `form`)."""
    src = read_source(path)
    forms = [form if isinstance(form, Form) else load_form(form)] if form else candidate_forms()
    return choose_form(src, forms, year)


def import_report(path: str | os.PathLike, out: str | os.PathLike, *, agency: str | None = None,
                  code: str | None = None, year: int | None = None,
                  form: Form | str | None = None) -> ImportResult:
    """Parse the published report at `path` and write it as a return to `out`.

    `agency` and `year` default to what the title says; `form` to the form that fits the
    report best (see choose_form)."""
    mapped = read_report(path, year=year, form=form)
    f = mapped.form
    assert f is not None
    warnings = []
    name = agency or mapped.agency
    y = year or mapped.year
    if not name:
        warnings.append("没有从标题中识别出单位名称，请用 --agency 指定")
    if not y:
        warnings.append("没有从标题中识别出报告年度，请用 --year 指定")
    if agency and mapped.agency and agency != mapped.agency:
        warnings.append(f"标题中的单位是“{mapped.agency}”，已按 --agency 使用“{agency}”")
    if year and mapped.year and year != mapped.year:
        warnings.append(f"标题中的年度是 {mapped.year}，已按 --year 使用 {year}")
    if y and f.covers_year(y) is False:
        warnings.append(f"报告年度 {y} 不在表单“{f.title}”适用的年度（{f.years[0]}—{f.years[1]}）内，请核对"
                        if f.years else "")
    if not code:
        warnings.append("没有指定单位代码（--code）：作为 --prior 使用时，需要单位代码才能与今年的报表对应")
    fill = Fill(values=dict(mapped.values), totals=dict(mapped.totals), texts=dict(mapped.texts), cover={})
    fill.meta["source"] = Path(path).name
    fill.meta.update(provenance_meta(mapped))
    p = write_workbook(out, f, year=y, agency=Agency(code or "", name or ""), fill=fill, kind="imported")
    return ImportResult(p, name or "", code or "", y, mapped, [w for w in warnings if w], f)


def provenance_meta(mapped: Mapped) -> dict[str, str]:
    """One meta entry per imported cell: where in the document, and how it was read."""
    out = {}
    for key, where in mapped.sources.items():
        how = HOW_ZH.get(mapped.how.get(key, "table"), "")
        text = f"{where}｜{how}" if where else how
        out[SRC_PREFIX + ".".join(key)] = text[:250]
    return out


def import_sources(ret) -> dict[CellKey, str]:
    """Where each cell of an imported return came from (from its workbook's meta)."""
    out: dict[CellKey, str] = {}
    for k, v in (getattr(ret, "identity", None) or {}).items():
        if k.startswith(SRC_PREFIX):
            parts = tuple(k[len(SRC_PREFIX):].split("."))
            if len(parts) == 3:
                out[parts] = v  # type: ignore[index]
    return out
