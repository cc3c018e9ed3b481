"""Read a published report from a Word document (.docx), with python-docx.

Body paragraphs and tables in document order; python-docx repeats a merged
cell in every grid position it covers, so merged labels repeat as in HTML.
A table nested in a cell is read as its own table after its parent.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from .errors import ReportError
from .source import Para, RawTable, SourceDoc


def _cell_text(cell) -> str:
    return "".join(p.text for p in cell.paragraphs).strip()


def _table(t: Table, blocks: list) -> None:
    rows = []
    nested = []
    for row in t.rows:
        line = []
        for cell in row.cells:
            line.append(_cell_text(cell))
            nested.extend(cell.tables)
        rows.append(line)
    blocks.append(RawTable(rows))
    for n in nested:
        _table(n, blocks)


def parse_docx(data: bytes, path: str = "") -> SourceDoc:
    try:
        doc = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReportError(f"{path}：不是有效的 Word（.docx）文件（{e}）", code="REPORT_READ", path=path) from None
    blocks: list = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            for line in text.splitlines():
                if line.strip():
                    blocks.append(Para(line.strip()))
        elif isinstance(item, Table):
            _table(item, blocks)
    return SourceDoc(blocks, path, doc.core_properties.title or "")
