"""The published report as data: sections, paragraphs and table grids.

Everything is derived from the Form, so the three renderers (docx, html,
md) and the tests share one picture of the document, and another year's
form file gives another year's report without code changes.

A sheet of the form is published as one table: its tables stacked, each
under a full-width title row when it has a title, with merged header cells
and merged row labels exactly as the spreadsheet template lays them out
(`gkxl.layout._spans`). A table narrower than its neighbours stretches its
last column, as the standard format does for "本年处理决定数量".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..form.compute import Number, clean_number
from ..form import CellKey, Field, Form, Sheet, Table
from ..form.layout import _spans
from .labels import numbering

SUB_SEP = "——"
DRAFT_MARK = "草稿"
DRAFT_NOTE = "草稿：本报告所依据的报表未通过检查，数字可能有误，不得公开发布。"
EMPTY_TEXT = "（未填写）"


@dataclass(frozen=True)
class GridCell:
    """One (possibly merged) cell of a published table."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    role: str  # 'title' | 'corner' | 'header' | 'rowlabel' | 'value'
    key: CellKey | None = None


@dataclass
class Grid:
    """A published table: a rectangle of merged cells."""

    width: int
    height: int
    cells: list[GridCell]

    def matrix(self) -> list[list[GridCell]]:
        """Every position -> the cell covering it (merged cells repeat)."""
        m: list[list[GridCell | None]] = [[None] * self.width for _ in range(self.height)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    m[r][k] = c
        return m  # type: ignore[return-value]

    def header_rows(self) -> int:
        """How many rows at the top hold no values: repeated on each printed
        page, but only when no other table (with its own header) follows."""
        first = min((c.row for c in self.cells if c.role in ("value", "rowlabel")), default=self.height)
        if any(c.row > first for c in self.cells if c.role in ("title", "header", "corner")):
            return 0
        return first


@dataclass(frozen=True)
class Section:
    """One numbered part of the report: a heading with text fields and/or a table."""

    heading: str
    texts: tuple[tuple[Field, str], ...] = ()  # (field, sub-heading or '')
    sheet: Sheet | None = None


@dataclass
class Block:
    kind: str  # 'heading' | 'subheading' | 'para' | 'table'
    text: str = ""
    grid: Grid | None = None


@dataclass
class ReportDoc:
    title: str
    blocks: list[Block] = field(default_factory=list)
    draft: bool = False


def sections(form: Form) -> list[Section]:
    """The report's parts in published order: numbered text groups and sheets
    sorted by their Chinese numbering ("一、" … "六、"), unnumbered ones after.

    A text field labelled "六、其他需要报告的事项——信息处理费收取情况" is a
    sub-part of "六、其他需要报告的事项"."""
    groups: dict[str, list[tuple[Field, str]]] = {}
    for t in form.texts:
        parent, _, sub = t.label.partition(SUB_SEP)
        groups.setdefault(parent.strip(), []).append((t, sub.strip()))
    items: list[tuple[float, Section]] = []
    order = 0
    for parent, fields in groups.items():
        order += 1
        fields.sort(key=lambda fs: bool(fs[1]))  # the main text first, then sub-parts
        n = numbering(parent)
        items.append((n if n is not None else 100 + order, Section(parent, tuple(fields))))
    for sh in form.sheets:
        order += 1
        n = numbering(sh.title)
        items.append((n if n is not None else 100 + order, Section(sh.title, sheet=sh)))
    items.sort(key=lambda x: x[0])
    return [s for _, s in items]


def label_cols(t: Table) -> int:
    return max(len(r.labels) for r in t.rows)


def header_depth(t: Table) -> int:
    return max(len(c.labels) for c in t.columns)


def sheet_width(sheet: Sheet) -> int:
    return max(label_cols(t) + len(t.columns) for t in sheet.tables)


def fmt_number(v: Number | None) -> str:
    """As a report prints it: 12, 0, 3.5 (万元, as entered; no padding)."""
    if v is None:
        return ""
    x = clean_number(v)
    return str(x)


def published_grid(form: Form, sheet: Sheet, values: Mapping[CellKey, Number | None] | None = None) -> Grid:
    """The sheet as one published table, with `values` in its data cells."""
    width = sheet_width(sheet)
    cells: list[GridCell] = []
    r = 0
    for t in sheet.tables:
        lc, hd, n = label_cols(t), header_depth(t), len(t.columns)
        extra = width - (lc + n)

        def span(j: int) -> tuple[int, int]:  # (first col, colspan) of data column j
            return lc + j, 1 + (extra if j == n - 1 else 0)

        if t.title:
            cells.append(GridCell(r, 0, 1, width, t.title, "title"))
            r += 1
        if lc and hd:
            cells.append(GridCell(r, 0, hd, lc, t.corner, "corner"))
        for level, i, j, last_level, text in _spans([c.labels for c in t.columns], hd):
            c0 = span(i)[0]
            c1 = span(j)[0] + span(j)[1]
            cells.append(GridCell(r + level, c0, last_level - level + 1, c1 - c0, text, "header"))
        data0 = r + hd
        for level, i, j, last_level, text in _spans([rw.labels for rw in t.rows], lc):
            cells.append(GridCell(data0 + i, level, j - i + 1, last_level - level + 1, text, "rowlabel"))
        for i, rw in enumerate(t.rows):
            for j, col in enumerate(t.columns):
                key = (t.id, rw.id, col.id)
                c0, cs = span(j)
                v = (values or {}).get(key)
                cells.append(GridCell(data0 + i, c0, 1, cs, fmt_number(v), "value", key))
        r = data0 + len(t.rows)
    return Grid(width, r, cells)


def display_values(ret) -> dict[CellKey, Number | None]:
    """What the report prints: the return's values (its totals as stated),
    a blank input stays blank (only possible in a forced draft)."""
    out: dict[CellKey, Number | None] = dict(ret.values)
    for key, v in ret.inputs.items():
        if v is None:
            out[key] = None
    return out


def report_name(ret) -> str:
    """Whose report it is: the agency, or for a roll-up the region."""
    ident = ret.identity
    if ret.kind == "rollup":
        return (ident.get("rollup_name") or ident.get("region_name") or ret.agency_name
                or ident.get("rollup_region", "") or "")
    return ret.agency_name


def build_report(ret, *, draft: bool = False) -> ReportDoc:
    """The whole document for one return."""
    form: Form = ret.form
    title = form.report_title.format(agency=report_name(ret), year=ret.year or "")
    doc = ReportDoc(title=title, draft=draft)
    values = display_values(ret)
    for sec in sections(form):
        doc.blocks.append(Block("heading", sec.heading))
        for fld, sub in sec.texts:
            if sub:
                doc.blocks.append(Block("subheading", sub))
            text = (ret.texts.get(fld.id) or "").strip()
            paras = [p.strip() for p in text.splitlines() if p.strip()] or [EMPTY_TEXT]
            doc.blocks.extend(Block("para", p) for p in paras)
        if sec.sheet is not None:
            doc.blocks.append(Block("table", grid=published_grid(form, sec.sheet, values)))
    return doc
