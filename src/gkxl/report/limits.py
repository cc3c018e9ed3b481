"""Bounds on what a published report may cost to read.

A report is untrusted input (downloaded from anywhere): a page whose merged
cells expand to millions of positions, or a Word file whose document.xml
inflates to a gigabyte, is refused in seconds with a clear message, never
read to exhaustion. Real reports are far below every bound here (a real
report: under 20 pages, tables of at most ~30 rows by ~20 columns).
"""

from __future__ import annotations

import time

from .errors import ReportError

MAX_FILE_BYTES = 64 * 1024 * 1024  # any input file
MAX_TEXT_CHARS = 4_000_000  # decoded text (.txt, .md, the text of a page)
MAX_SPAN = 60  # rowspan/colspan honoured up to this (real tables: < 25)
MAX_TABLE_CELLS = 20_000  # positions of one expanded table
MAX_DOC_CELLS = 200_000  # positions of all tables of one document
MAX_ZIP_MEMBER = 48 * 1024 * 1024  # one member of a .docx, inflated
MAX_ZIP_TOTAL = 96 * 1024 * 1024  # all members of a .docx, inflated
MAX_ZIP_MEMBERS = 5_000
MAX_DOCX_CELLS = 50_000  # <w:tc> in document.xml
MAX_PDF_PAGES = 300
MAX_SECONDS = 60.0  # reading one document


class Budget:
    """A deadline and a cell count for reading one document."""

    def __init__(self, path: str, seconds: float = MAX_SECONDS) -> None:
        self.path = path
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.cells = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ReportError(f"{self.path}：读取超过 {self.seconds:.0f} 秒仍未完成，已停止（文件过大或结构异常）",
                              code="REPORT_TOO_SLOW", path=self.path)

    def add_cells(self, n: int, what: str = "表格") -> None:
        self.cells += n
        if n > MAX_TABLE_CELLS or self.cells > MAX_DOC_CELLS:
            raise ReportError(f"{self.path}：{what}过大（展开后超过 {min(MAX_TABLE_CELLS, MAX_DOC_CELLS):,} 个单元格），"
                              "不像年度报告，已拒绝读取（可能是异常或恶意构造的文件）",
                              code="REPORT_TOO_LARGE", path=self.path)


def too_large(path: str, what: str, limit: str) -> ReportError:
    return ReportError(f"{path}：{what}超过 {limit}，不像年度报告，已拒绝读取（可能是异常或恶意构造的文件）",
                       code="REPORT_TOO_LARGE", path=path)
