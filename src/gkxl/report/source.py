"""What every reader of a published report produces: paragraphs and tables.

A table is a list of rows of cell texts. Readers that know merged cells
(HTML, docx, PDF with ruled tables) repeat a merged cell's text in every
position it covers; the plain-text flattening cannot, so its rows are
ragged. The mapper copes with both.

Every table cell and paragraph may say where it is in the document
(`where`, Chinese: "第4页，表格第5行第3格（x=239，y=466）", "第2张表第5行第4格",
"第120行"): that is what an imported cell's provenance is built from.
`lines` is the document as plain text lines with their places, for the
stream reader (text whose table cells are not separated as cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Para:
    text: str
    where: str = ""


@dataclass
class RawTable:
    rows: list[list[str]] = field(default_factory=list)
    where: list[list[str]] | None = None  # per cell, parallel to rows (None: `name` and row/column numbers)
    name: str = ""  # where the table is, e.g. "第4页的表格"
    # the reader knows the table's grid (HTML, Word, a ruled PDF table: merged cells repeated), so every
    # row is as wide as the table; a row that is not lost a cell, and its numbers' columns are unknown
    grid: bool = False

    def row_cells(self, r: int) -> list[str]:
        """A row's cells with a merged cell once (by its place when known, else a repeated label)."""
        row = self.rows[r]
        out = []
        for k, c in enumerate(row):
            if not c:
                continue
            if k and self.where is not None and r < len(self.where) and k < len(self.where[r]):
                if self.where[r][k] and self.where[r][k] == self.where[r][k - 1]:
                    continue
            elif k and row[k - 1] == c and not c.replace(".", "").isdigit():
                continue
            out.append(c)
        return out

    def cell_where(self, r: int, c: int) -> str:
        if self.where is not None and r < len(self.where) and c < len(self.where[r]) and self.where[r][c]:
            return self.where[r][c]
        return f"{self.name or '表格'}第 {r + 1} 行第 {c + 1} 格"


Block = Para | RawTable


def number_paragraphs(blocks: list[Block], label: str) -> list[Block]:
    """Say where each paragraph is: "<label>第 N 段" (a missing cell's reason points there)."""
    n = 0
    for b in blocks:
        if isinstance(b, Para):
            n += 1
            b.where = f"{label}第 {n} 段"
    return blocks


@dataclass
class SourceDoc:
    blocks: list[Block]
    path: str = ""
    title_hint: str = ""  # e.g. an HTML <title>
    kind: str = ""  # pdf | html | docx | text | md
    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, where) in reading order
    notes: list[str] = field(default_factory=list)  # what the reader could not read (Chinese)
    cache: dict = field(default_factory=dict, repr=False)  # work shared by the forms tried on it

    def text_lines(self) -> list[tuple[str, str]]:
        """The document as lines: the reader's own, or paragraphs and table rows."""
        if self.lines:
            return self.lines
        out: list[tuple[str, str]] = []
        for b in self.blocks:
            if isinstance(b, Para):
                out.append((b.text, b.where))
            else:
                for i, row in enumerate(b.rows):
                    out.append(("\t".join(b.row_cells(i)), b.cell_where(i, 0)))
        return out
