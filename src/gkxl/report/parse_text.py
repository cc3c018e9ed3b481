"""Read the plain-text flattening of a published report (as a web page or a
Word document copied to text): paragraphs are lines; a table cell is a line
that starts with a tab, a blank line ends a table row, and a narrow cell
whose text wrapped continues on the next short lines ("结\\n\\n果\\n\\n维\\n\\n持").
A line with tabs inside is one row of tab-separated cells.

Text without tabs (cells apart by spaces, one cell per line, labels and
numbers in separate blocks, cells run together) has no table here: the
mapper reads it as one stream (stream.py), from `lines` with their line
numbers.
"""

from __future__ import annotations

from .labels import norm
from .source import Para, RawTable, SourceDoc
from .values_text import value_like

_MAX_WRAP = 8  # a wrapped continuation of a narrow cell is this short


def parse_text(text: str, path: str = "") -> SourceDoc:
    blocks: list = []
    table: RawTable | None = None
    row: list[str] | None = None
    row_where: list[str] | None = None
    gap = 0
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def end_row() -> None:
        nonlocal row, row_where
        if row is not None and table is not None:
            table.rows.append(row)
            table.where.append(row_where or [])  # type: ignore[union-attr]
        row = row_where = None

    def end_table() -> None:
        nonlocal table
        end_row()
        if table is not None and table.rows:
            blocks.append(table)
        table = None

    def new_table() -> RawTable:
        return RawTable([], [], "")

    for no, raw in enumerate(raw_lines, 1):
        line = raw.rstrip("\n")
        where = f"第 {no} 行"
        if line.startswith("\t"):
            cells = line[1:].split("\t")
            if table is None:
                table = new_table()
                table.name = f"第 {no} 行起的表格"
            if row is None or gap > 0:
                end_row()
                row, row_where = [], []
            row.extend(c.strip() for c in cells)
            row_where.extend(where for _ in cells)  # type: ignore[union-attr]
            gap = 0
            continue
        if not line.strip():
            gap += 1
            continue
        stripped = line.strip()
        if "\t" in stripped:  # a tab-separated row on one line; a trailing tab is a blank last cell
            if table is None:
                table = new_table()
                table.name = f"第 {no} 行起的表格"
            end_row()
            cells = [c.strip() for c in line.strip(" \u3000\xa0").split("\t")]
            table.rows.append(cells)
            table.where.append([f"第 {no} 行第 {k + 1} 格" for k in range(len(cells))])  # type: ignore[union-attr]
            gap = 0
            continue
        if (row and gap <= 1 and len(norm(stripped)) <= _MAX_WRAP and row[-1].strip()
                and not value_like(row[-1]) and not value_like(stripped)):
            row[-1] += stripped  # a wrapped narrow cell
            gap = 0
            continue
        end_table()
        blocks.append(Para(stripped, where))
        gap = 0
    end_table()
    lines = [(ln, f"第 {no} 行") for no, ln in enumerate(raw_lines, 1)]
    return SourceDoc(blocks, path, "", "text", lines)
