"""Where every label and every number sits on the sheets of a form.

The template writer and the reader both take positions from here, so the
reader knows exactly which cell to expect a label, a formula or an input in.
All coordinates are 0-based (row, col).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from . import CellKey, Form, Table

TITLE_ROW = 0
STATUS_ROW = 1
FIRST_BLOCK_ROW = 3
META_SHEET = "_gkxl"
INSTRUCTIONS_SHEET = "填报说明"
COVER_SHEET = "封面"
TEXT_SHEET = "文字部分"
ROLLUP_SHEETS = ("汇总明细", "完成情况", "来源")  # the extra sheets of a roll-up workbook


def text_width(s: str) -> int:
    """Display width in Excel column units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


# A1 references through xlsxwriter's own converters (0-based, like every position here), imported
# on first use: importing xlsxwriter.utility loads all of xlsxwriter (~20 ms), which a process that
# only imports layout (the CLI, `import gkxl`) should not pay for.

def col_letter(col: int) -> str:
    """'A' for column 0, 'AA' for 26.

    Written here rather than taken from xlsxwriter.utility: importing that module imports all of
    xlsxwriter (about 20 ms), which `gkxl check ONE.xlsx` otherwise never needs (its budget is 0.3 s).
    tests/test_reader_unit.py checks it against xlsxwriter's."""
    if col < 0:
        return ""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


@lru_cache(maxsize=65536)
def a1(row: int, col: int, absolute: bool = False) -> str:
    """'B5' (or '$B$5') for 0-based (4, 1); cached: the reader and the writer ask for the same few cells."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


@dataclass
class Label:
    row: int
    col: int
    text: str
    last_row: int
    last_col: int
    kind: str  # 'title' | 'corner' | 'header' | 'rowlabel' | 'block'


@dataclass
class BlockLayout:
    table: Table
    first_row: int  # first header row
    header_rows: int
    label_cols: int
    data_row0: int
    last_row: int


@dataclass
class SheetLayout:
    name: str
    title: str
    width: int  # number of used columns
    labels: list[Label] = field(default_factory=list)
    cells: dict[CellKey, tuple[int, int]] = field(default_factory=dict)
    blocks: list[BlockLayout] = field(default_factory=list)
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    last_row: int = 0

    def ref(self, key: CellKey, absolute: bool = False) -> str:
        r, c = self.cells[key]
        return a1(r, c, absolute)


def _spans(paths: list[tuple[str, ...]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """Merged spans along one axis: (level, first, last, last_level, text).

    Items next to each other that share a label prefix share one merged cell;
    an item whose path ends early extends down (or right) to the last level.
    """
    out = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            p = paths[i]
            if level >= len(p):
                i += 1
                continue
            j = i
            while (j + 1 < len(paths) and len(paths[j + 1]) > level
                   and paths[j + 1][:level + 1] == p[:level + 1]):
                j += 1
            last_level = depth - 1 if (level == len(p) - 1 and all(len(paths[k]) == len(p) for k in range(i, j + 1))) else level
            out.append((level, i, j, last_level, p[level]))
            i = j + 1
    return out


def _block(sl: SheetLayout, t: Table, row0: int) -> int:
    """Lay out one table starting at row0; returns the next free row."""
    label_cols = max(len(r.labels) for r in t.rows)
    header_rows = max(len(c.labels) for c in t.columns)
    width = label_cols + len(t.columns)
    r = row0
    if t.title:
        sl.labels.append(Label(r, 0, t.title, r, width - 1, "block"))
        r += 1
    hdr0 = r
    if label_cols and header_rows:
        sl.labels.append(Label(hdr0, 0, t.corner, hdr0 + header_rows - 1, label_cols - 1, "corner"))
    for level, i, j, last_level, text in _spans([c.labels for c in t.columns], header_rows):
        sl.labels.append(Label(hdr0 + level, label_cols + i, text, hdr0 + last_level, label_cols + j, "header"))
    data0 = hdr0 + header_rows
    for level, i, j, last_level, text in _spans([rw.labels for rw in t.rows], label_cols):
        sl.labels.append(Label(data0 + i, level, text, data0 + j, last_level, "rowlabel"))
    for i, rw in enumerate(t.rows):
        for j, c in enumerate(t.columns):
            sl.cells[(t.id, rw.id, c.id)] = (data0 + i, label_cols + j)
    last = data0 + len(t.rows) - 1
    sl.blocks.append(BlockLayout(t, hdr0, header_rows, label_cols, data0, last))
    sl.width = max(sl.width, width)
    return last + 2


def _sizes(sl: SheetLayout) -> None:
    """Column widths and row heights so that Chinese labels show whole."""
    ncols = sl.width
    data_cols = {c for (_, c) in sl.cells.values()}
    label_only = [c for c in range(ncols) if c not in data_cols]
    for c in range(ncols):
        sl.col_widths[c] = 11.0 if c in data_cols else 10.0
    # a label column is as wide as its longest un-merged label, within bounds
    for c in label_only:
        longest = max((text_width(lb.text) for lb in sl.labels
                       if lb.kind == "rowlabel" and lb.col == c and lb.last_col == c and lb.row == lb.last_row),
                      default=0)
        sl.col_widths[c] = float(min(max(longest + 2, 8), 44))
    # row labels that merge vertically over many rows get a narrow column
    for c in label_only:
        spans = [lb for lb in sl.labels if lb.kind == "rowlabel" and lb.col == c and lb.last_row > lb.row]
        singles = [lb for lb in sl.labels if lb.kind == "rowlabel" and lb.col == c and lb.last_row == lb.row
                   and lb.last_col == c]
        if spans and not singles:
            sl.col_widths[c] = 12.0
    # rows: tall enough for wrapped text
    heights: dict[int, float] = {}
    for lb in sl.labels:
        if lb.kind == "title":
            continue
        width = sum(sl.col_widths.get(c, 10) for c in range(lb.col, lb.last_col + 1)) - 1
        rows = lb.last_row - lb.row + 1
        lines = max(1, math.ceil(text_width(lb.text) / max(width, 1)))
        need = lines * 15.0 + 4
        per_row = need / rows
        for rr in range(lb.row, lb.last_row + 1):
            heights[rr] = max(heights.get(rr, 18.0), per_row)
    sl.row_heights = heights


def build_layouts(form: Form) -> dict[str, SheetLayout]:
    """Every table sheet laid out (built once per form by `form.plan`)."""
    out: dict[str, SheetLayout] = {}
    for sh in form.sheets:
        sl = SheetLayout(sh.name, sh.title, width=1)
        r = FIRST_BLOCK_ROW
        for t in sh.tables:
            r = _block(sl, t, r)
        sl.last_row = r - 2
        sl.width = max(sl.width, 4)
        sl.labels.insert(0, Label(TITLE_ROW, 0, sh.title, TITLE_ROW, sl.width - 1, "title"))
        _sizes(sl)
        out[sh.name] = sl
    return out


def sheet_layouts(form: Form) -> dict[str, SheetLayout]:
    """Sheet name -> layout, for every table sheet of the form (the form's compiled plan holds it)."""
    return form.plan.layouts


def cell_positions(form: Form) -> dict[CellKey, tuple[str, int, int]]:
    """Every data cell -> (sheet name, row, col)."""
    return form.plan.positions


def cell_address(form: Form, key: CellKey) -> tuple[str, str]:
    """(sheet name, 'B5') of a data cell, for messages."""
    name, r, c = cell_positions(form)[key]
    return name, a1(r, c)


# Cover and text sheets: simple two-column and stacked layouts.
COVER_FIRST_ROW = 3


def cover_positions(form: Form) -> dict[str, tuple[int, int]]:
    """Cover field id -> (row, col) of its value cell (label sits in column A)."""
    return {f.id: (COVER_FIRST_ROW + i, 1) for i, f in enumerate(form.cover)}


TEXT_FIRST_ROW = 3
TEXT_WIDTH_COLS = 8


def text_positions(form: Form) -> dict[str, tuple[int, int]]:
    """Text section id -> (row, col) of its input cell; its label is the row above."""
    return {t.id: (TEXT_FIRST_ROW + 2 * i + 1, 0) for i, t in enumerate(form.texts)}


# ------------------------------------------------------------ formula text

def sum_formula(sl: SheetLayout, terms: Iterable[CellKey]) -> str:
    """=SUM(...) over the terms, with runs of neighbouring cells as ranges."""
    pos = sorted(sl.cells[t] for t in terms)
    parts: list[str] = []
    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for r, c in pos:
        by_row.setdefault(r, []).append(c)
        by_col.setdefault(c, []).append(r)
    if len(by_row) == 1:
        (r, cols), = by_row.items()
        runs = _runs(cols)
        parts = [a1(r, a) if a == b else f"{a1(r, a)}:{a1(r, b)}" for a, b in runs]
    elif len(by_col) == 1:
        (c, rows), = by_col.items()
        runs = _runs(rows)
        parts = [a1(a, c) if a == b else f"{a1(a, c)}:{a1(b, c)}" for a, b in runs]
    else:
        parts = [a1(r, c) for r, c in pos]
    return "=SUM(" + ",".join(parts) + ")"


def _runs(xs: list[int]) -> list[tuple[int, int]]:
    xs = sorted(xs)
    runs: list[tuple[int, int]] = []
    for x in xs:
        if runs and x == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], x)
        else:
            runs.append((x, x))
    return runs
