"""The report as a Word document (python-docx), A4, in the usual 公文 look.

Tables are real Word tables with merged cells; the header rows of a table
repeat on every page it runs over. A draft carries "草稿" in the page
header and a red note under the title.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..form.layout import text_width
from .model import DRAFT_MARK, DRAFT_NOTE, Grid, ReportDoc

BODY_FONT = "仿宋"
HEAD_FONT = "黑体"
TABLE_FONT = "宋体"
PAGE_WIDTH_CM = 21.0
MARGIN_CM = 2.2


def _font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(doc, text: str, *, font: str = BODY_FONT, size: float = 14, bold: bool = False,
          align=None, indent: bool = False, color: RGBColor | None = None, space_after: float = 0):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    pf = p.paragraph_format
    pf.space_after = Pt(space_after)
    pf.space_before = Pt(0)
    pf.line_spacing = 1.5
    if indent:
        pf.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold, color)
    return p


# Word's default cell margins (0.19 cm a side) and a little room, in cm; a half-width character
# (a digit) is taken as 0.6 em of the table's font size (the fallback fonts' digits are wider than
# SimSun's half em).
CELL_PAD_CM = 0.45
PT_PER_CM = 28.35


def _fit_cm(text: str, size: float) -> float:
    """Width a cell needs to hold `text` on one line at `size` pt."""
    return text_width(text) * size * 0.6 / PT_PER_CM + CELL_PAD_CM


def _col_widths(grid: Grid, total_cm: float, size: float) -> list[float]:
    """Data columns share what the labels leave, but never so narrow that a number wraps
    ("125" over "9" reads as two numbers, to a reader and to any program that copies the table);
    label columns take the rest, as wide as their unmerged labels need (within bounds)."""
    value_cols = {c.col for c in grid.cells if c.role == "value" and c.colspan == 1}
    label_cols = [k for k in range(grid.width) if k not in value_cols]
    need = {k: 4 for k in label_cols}
    merged: set[int] = set()  # columns holding a group's label (merged down several rows)
    for c in grid.cells:
        if c.role == "rowlabel" and c.colspan == 1 and c.rowspan == 1 and c.col in need:
            need[c.col] = max(need[c.col], text_width(c.text))
        elif c.role == "rowlabel" and c.rowspan > 1 and c.col in need:
            merged.add(c.col)
    n_val = max(1, grid.width - len(label_cols))
    label_share = min(0.55, 0.16 * len(label_cols) + 0.08) if label_cols else 0.0
    value_cm = (total_cm - total_cm * label_share) / n_val
    widest = max((_fit_cm(c.text, size) for c in grid.cells if c.role == "value" and c.colspan == 1), default=0.0)
    if value_cols and widest > value_cm:
        value_cm = min(widest, total_cm * 0.9 / n_val)
    label_total = total_cm - value_cm * n_val if label_cols else 0.0
    # a group's label column (only merged labels in it) gets four characters a line; the others share the rest
    groups = [k for k in label_cols if k in merged and need[k] == 4]
    group_cm = min(4 * size / PT_PER_CM + CELL_PAD_CM, label_total / (len(label_cols) + 1))
    rest = label_total - group_cm * len(groups)
    weights = {k: min(max(need[k], 4), 40) for k in label_cols if k not in groups}
    wsum = sum(weights.values()) or 1
    return [group_cm if k in groups else rest * weights[k] / wsum if k in weights else value_cm
            for k in range(grid.width)]


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _table(doc, grid: Grid, total_cm: float) -> None:
    table = doc.add_table(rows=grid.height, cols=grid.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    size = 10.5 if grid.width <= 5 else 9 if grid.width <= 10 else 8
    widths = _col_widths(grid, total_cm, size)
    for k, col in enumerate(table.columns):
        col.width = Cm(widths[k])
    for r, row in enumerate(table.rows):
        for k, cell in enumerate(row.cells):
            cell.width = Cm(widths[k])
        _cant_split(row)
        if r < grid.header_rows():
            _repeat_header(row)
    for c in grid.cells:
        cell = table.cell(c.row, c.col)
        if c.rowspan > 1 or c.colspan > 1:
            cell = cell.merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        p.alignment = (WD_ALIGN_PARAGRAPH.LEFT if c.role == "rowlabel" and c.colspan >= 1 and c.rowspan == 1
                       else WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        _font(p.add_run(c.text), TABLE_FONT, size, bold=(c.role == "title"))


def render_docx(doc: ReportDoc) -> bytes:
    d = Document()
    sec = d.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(PAGE_WIDTH_CM), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(MARGIN_CM))
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.2)
    total_cm = PAGE_WIDTH_CM - 2 * MARGIN_CM - 0.2
    d.core_properties.title = doc.title
    d.core_properties.author = "gkxl"
    if doc.draft:
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(hp.add_run(f"{DRAFT_MARK}——未通过检查，不得发布"), HEAD_FONT, 12, True, RGBColor(0xB0, 0, 0))
    _para(d, doc.title, font="方正小标宋简体", size=22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    if doc.draft:
        _para(d, DRAFT_NOTE, font=HEAD_FONT, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
              color=RGBColor(0xB0, 0, 0), space_after=6)
    for b in doc.blocks:
        if b.kind == "heading":
            p = _para(d, b.text, font=HEAD_FONT, size=16, indent=True)
            p.paragraph_format.keep_with_next = True
        elif b.kind == "subheading":
            p = _para(d, b.text, font="楷体", size=16, indent=True)
            p.paragraph_format.keep_with_next = True
        elif b.kind == "para":
            _para(d, b.text, indent=True)
        elif b.kind == "table" and b.grid is not None:
            _table(d, b.grid, total_cm)
            _para(d, "", size=6)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
