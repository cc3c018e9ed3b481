"""Read the plain-text flattening of a published report (as a web page or a
Word document copied to text): paragraphs are lines; a table cell is a line
that starts with a tab, a blank line ends a table row, and a narrow cell
whose text wrapped continues on the next short lines ("结\\n\\n果\\n\\n维\\n\\n持").
A line with tabs inside is one row of tab-separated cells.
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
    gap = 0

    def end_row() -> None:
        nonlocal row
        if row is not None and table is not None:
            table.rows.append(row)
        row = None

    def end_table() -> None:
        nonlocal table
        end_row()
        if table is not None and table.rows:
            blocks.append(table)
        table = None

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip("\n")
        if line.startswith("\t"):
            cells = line[1:].split("\t")
            if table is None:
                table = RawTable()
            if row is None or gap > 0:
                end_row()
                row = []
            row.extend(c.strip() for c in cells)
            gap = 0
            continue
        if not line.strip():
            gap += 1
            continue
        stripped = line.strip()
        if "\t" in stripped:  # a tab-separated row on one line
            if table is None:
                table = RawTable()
            end_row()
            table.rows.append([c.strip() for c in stripped.split("\t")])
            gap = 0
            continue
        if (row and gap <= 1 and len(norm(stripped)) <= _MAX_WRAP and row[-1].strip()
                and not value_like(row[-1]) and not value_like(stripped)):
            row[-1] += stripped  # a wrapped narrow cell
            gap = 0
            continue
        end_table()
        blocks.append(Para(stripped))
        gap = 0
    end_table()
    return SourceDoc(blocks, path)
