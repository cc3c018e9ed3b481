"""`gkxl import-report`: a published report back into a return workbook.

The workbook is written with kind "imported": the report's own totals are
kept as plain numbers, so `gkxl check` judges the published arithmetic, and
the file serves as `--prior` when last year was not done with gkxl.
Numbers that could not be placed are left blank and listed (the check then
reports them as blanks), never guessed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..form import Form, load_form
from ..roster import Agency
from ..workbook.write import Fill, write_workbook
from ..errors import os_reason
from ..files.textfile import decode_local
from .errors import ReportError
from .mapping import Mapped, map_document
from .source import SourceDoc

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
MD_SUFFIXES = (".md", ".markdown")


@dataclass
class ImportResult:
    out: Path
    agency: str
    code: str
    year: int | None
    mapped: Mapped
    warnings: list[str] = field(default_factory=list)

    @property
    def unmapped(self) -> list[str]:
        return self.mapped.unmapped


def _decode(data: bytes, path: str) -> str:
    text = decode_local(data)
    if text is not None:
        return text
    raise ReportError(f"{path}：无法识别文件编码（请保存为 UTF-8）", code="REPORT_ENCODING", path=path)


def read_source(path: str | os.PathLike) -> SourceDoc:
    """Any supported published report -> paragraphs and tables."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReportError(f"{p}：无法读取文件（{os_reason(e)}）", code="REPORT_READ", path=str(p)) from None
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from .parse_docx import parse_docx
        return parse_docx(data, str(p))
    if suffix in HTML_SUFFIXES:
        from .parse_html import parse_html
        return parse_html(data, str(p))
    if suffix in MD_SUFFIXES:
        from .parse_md import parse_md
        return parse_md(_decode(data, str(p)), str(p))
    if suffix in TEXT_SUFFIXES:
        from .parse_text import parse_text
        return parse_text(_decode(data, str(p)), str(p))
    raise ReportError(f"{p}：不支持的文件类型“{suffix or '无扩展名'}”，请提供 .txt、.html、.docx 或 .md",
                      code="REPORT_FORMAT", path=str(p))


def import_report(path: str | os.PathLike, out: str | os.PathLike, *, agency: str | None = None,
                  code: str | None = None, year: int | None = None,
                  form: Form | str | None = None) -> ImportResult:
    """Parse the published report at `path` and write it as a return to `out`.

    `agency` and `year` default to what the title line says."""
    f = form if isinstance(form, Form) else load_form(form)
    src = read_source(path)
    mapped = map_document(src, f)
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
    if not code:
        warnings.append("没有指定单位代码（--code）：作为 --prior 使用时，需要单位代码才能与今年的报表对应")
    fill = Fill(values=dict(mapped.values), totals=dict(mapped.totals), texts=dict(mapped.texts), cover={})
    fill.meta["source"] = Path(path).name
    p = write_workbook(out, f, year=y, agency=Agency(code or "", name or ""), fill=fill, kind="imported")
    return ImportResult(p, name or "", code or "", y, mapped, warnings)
