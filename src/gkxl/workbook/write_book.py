"""The locked workbook and one workbook's writing state.

`Fill` (what a workbook holds beyond the blank form), the formats every sheet uses, the
`_Writer` that carries one workbook's live-check bookkeeping (flags and counts on the very
hidden sheet, protection, page setup), and the xlsxwriter pieces: a Workbook that locks
its structure and a Worksheet that translates each distinct formula once.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from ..form import CellKey, Form
from ..form.compute import Number, recompute
from ..form.layout import META_SHEET, a1
from ..roster import Agency
from .values import CellValue, classify
from .write_rules import status_formula

COMMENT_OPTIONS = {"author": "gkxl", "x_scale": 2.4, "y_scale": 2.2, "font_name": "宋体", "font_size": 10}
# the meta sheet's working cells (see write_sheets.meta_sheet)
COUNT_ROW0, COUNT_COL, RULE_COL, HELPER_COL0 = 3, 3, 7, 9
GENERAL_REF = "$D$2"
GENERAL_NAME = "gkxl_general"


def page_header(form: Form, agency: Agency | None, year: int | None) -> str:
    """The page header of every printed sheet: agency, form, year ('&' doubled, as headers need)."""
    def esc(s: str) -> str:
        return s.replace("&", "&&")
    left = esc(f"{agency.name}（{agency.code}）") if agency else ""
    right = f"{year} 年度" if year else ""
    return f"&L{left}&C{esc(form.title)}&R{right}"


@dataclass
class Fill:
    """What a workbook holds beyond the blank form."""

    values: dict[CellKey, Number | str | None] = field(default_factory=dict)  # str: text as typed
    locked: set[CellKey] = field(default_factory=set)  # filled cells the clerk may not change
    lock_all: bool = False  # a roll-up: nothing editable
    texts: dict[str, str] = field(default_factory=dict)
    cover: dict[str, str] = field(default_factory=dict)
    prior: dict[CellKey, Number] | None = None  # last year's values, for live cross-year checks
    # totals written as plain numbers instead of formulas: an imported published
    # report keeps its own (possibly wrong) totals so that checks can judge them
    totals: dict[CellKey, Number] = field(default_factory=dict)
    # input cells written as formulas (a roll-up's cells sum its detail sheet), cached value from `values`
    input_formulas: dict[CellKey, str] = field(default_factory=dict)
    # more sheets after the form's own (a roll-up's 汇总明细, 完成情况, 来源): fn(workbook, writer)
    extra_sheets: list = field(default_factory=list)
    # notes beside cells: (sheet, 'B5') -> text (a feedback copy names what to fix where)
    comments: dict[tuple[str, str], str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


def _encode_password(password: str) -> str:
    """The legacy Excel protection hash (ECMA-376 Part 4, 14.7.1) of the workbook's structure lock.

    xlsxwriter's own code, the one its Worksheet.protect() hashes every sheet's password with, so
    workbook and sheets always agree. It is a method that never uses self. openpyxl's public
    hash_password is not used: it gives other (not even 16-bit) values for passwords over 15 characters."""
    return xlsxwriter.worksheet.Worksheet._encode_password(None, password)  # type: ignore[arg-type]


_BASE = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
TEXT_FONT = 9  # the text sections' type: a 2,000-character section fits Excel's tallest row (409 points)
FORMATS = {  # name: xlsxwriter properties; one Format of each per workbook
    "title": {"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter",
              "text_wrap": True},
    "status": {"font_name": "宋体", "font_size": 10, "bold": True, "font_color": "#C00000", "valign": "vcenter",
               "text_wrap": True},
    "status_cell": {**_BASE, "bold": True, "font_color": "#C00000", "align": "left"},
    "passing": {"font_color": "#006100", "bg_color": "#E2EFDA"},  # conditional: the status passes
    "block": {**_BASE, "bold": True, "align": "left", "bg_color": "#D9E1F2"},
    "header": {**_BASE, "bold": True, "align": "center", "bg_color": "#F2F2F2"},
    "corner": {**_BASE, "align": "center", "font_size": 9, "bg_color": "#F2F2F2"},
    "label": {**_BASE, "align": "left"},
    "count_in": {**_BASE, "locked": False, "align": "right", "num_format": "0"},
    "amount_in": {**_BASE, "locked": False, "align": "right", "num_format": "0.00##"},
    "count_fixed": {**_BASE, "align": "right", "num_format": "0", "bg_color": "#DDEBF7"},
    "amount_fixed": {**_BASE, "align": "right", "num_format": "0.00##", "bg_color": "#DDEBF7"},
    "count_total": {**_BASE, "align": "right", "num_format": "0", "bg_color": "#E7E6E6", "bold": True},
    "amount_total": {**_BASE, "align": "right", "num_format": "0.00##", "bg_color": "#E7E6E6", "bold": True},
    "text_in": {**_BASE, "locked": False, "align": "left", "valign": "top"},
    "text_fixed": {**_BASE, "align": "left", "valign": "top", "bg_color": "#DDEBF7"},
    "section_in": {**_BASE, "font_size": TEXT_FONT, "locked": False, "align": "left", "valign": "top"},
    "section_fixed": {**_BASE, "font_size": TEXT_FONT, "align": "left", "valign": "top", "bg_color": "#DDEBF7"},
    "count_note": {"font_name": "宋体", "font_size": 9, "align": "right", "valign": "vcenter", "font_color": "#595959"},
    "plain": {"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"},
    "note": {"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top", "font_color": "#595959"},
    "h": {"font_name": "黑体", "font_size": 12, "bold": True},
    "sign_label": {"font_name": "宋体", "font_size": 11, "align": "right", "valign": "bottom"},
    "sign_line": {"font_name": "宋体", "font_size": 11, "bottom": 1, "locked": False, "valign": "bottom"},
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warn": {"bg_color": "#FFD966", "font_color": "#7F6000"},
    "blank": {"bg_color": "#FFF2CC"},
}


class Formats:
    """One workbook's Format objects, as attributes named as in FORMATS (made in its order)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        for name, props in FORMATS.items():
            setattr(self, name, wb.add_format(props))


def classified(form: Form, values: dict) -> tuple[dict[CellKey, CellValue], dict[CellKey, Number]]:
    """Each input as the form sees it (values.classify), and every cell's value as the rules count
    it. A blank workbook's (every template without last year) is computed once per form."""
    if not values:
        return form.plan.memo("write.blank", lambda f: _classify(f, {}))
    return _classify(form, values)


def _classify(form: Form, values: dict) -> tuple[dict[CellKey, CellValue], dict[CellKey, Number]]:
    cv = {key: classify(values.get(key), form.kind_of(key), "s" if isinstance(values.get(key), str) else "n",
                       decimals=form.decimals_of(form.kind_of(key)))
          for key in form.input_cells}
    return cv, recompute(form, {k: c.sums_as for k, c in cv.items()})


class _Writer:
    """One workbook being written: its form, fill, formats, and the live checks' bookkeeping on the
    very hidden sheet (one 0/1 flag per rule instance, one per editable input, three counts per sheet).

    write_tables and write_sheets write the sheets through it; a roll-up's extra sheets get it too,
    for protect() and extra_sheet_setup()."""

    def __init__(self, form: Form, wb: xlsxwriter.Workbook, fill: Fill, book_kind: str = "template",
                 agency: Agency | None = None, year: int | None = None) -> None:
        self.form, self.wb, self.fill, self.book_kind = form, wb, fill, book_kind
        self.agency, self.year = agency, year
        self.fmt = Formats(wb)
        self.header = page_header(form, agency, year)
        self.cv, self.values = classified(form, fill.values)
        self.password = form.password
        self.helpers: list[tuple[int, int, str, int]] = []  # (row, col, formula, cached) on the meta sheet
        self.counts: list[tuple[str, str, str, str, tuple[int, int, int]]] = []  # sheet, err, blank, warn, cached
        self.rule_row = COUNT_ROW0
        self.helper_col = HELPER_COL0
        self.all_inputs: list[tuple[str, list[str]]] = []  # (sheet, input ranges) for P-ALL-ZERO
        self.bad_total: list[str] = []

    def protect(self, ws, filters: bool = False) -> None:
        """Protect a sheet; `filters` lets AutoFilter and sorting work on it (a roll-up's lists)."""
        opts = {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
                "format_rows": True}
        if filters:
            opts.update({"autofilter": True, "sort": True})
        ws.protect(self.password, opts)

    def extra_sheet_setup(self, ws, header_row: int, label_cols: int = 0) -> None:
        """Print setup of a list sheet after the form's own (汇总明细, 完成情况, 来源): landscape,
        one page wide, its header row on every page, agency, year and page number on each. A sheet
        too wide for one page (汇总明细: a column per number) prints at 70% across pages instead,
        its first `label_cols` columns repeated on each."""
        self.page_setup(ws, landscape=True)
        ws.repeat_rows(header_row)
        if label_cols:
            ws.set_print_scale(70)
            ws.repeat_columns(0, label_cols - 1)

    def is_locked(self, key: CellKey) -> bool:
        return self.fill.lock_all or key in self.fill.locked

    def page_setup(self, ws, landscape: bool = False) -> None:
        """A4, one page wide; every page names the agency, the year and its number."""
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.7)
        ws.set_header(self.header, {"margin": 0.3})
        ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})

    def green_when_passing(self, ws, cells: str, first: str) -> None:
        ws.conditional_format(cells, {"type": "formula", "criteria": f'=LEFT({first},1)="✔"',
                                      "format": self.fmt.passing})

    def flag(self, formula: str, cached: bool) -> str:
        """A 0/1 cell on the meta sheet (a rule instance, a blank text); returns its reference there.
        Its cached value is right too: LibreOffice keeps cached values of an .xlsx unless told otherwise."""
        r = self.rule_row
        self.rule_row += 1
        self.helpers.append((r, RULE_COL, f"=IF({formula},1,0)", int(bool(cached))))
        return a1(r, RULE_COL, True)

    def add_counts(self, sheet: str, err: list[str], blank: list[str], warn: list[str],
                   cached: tuple[int, int, int]) -> str:
        """Three counting cells for a sheet on the meta sheet; returns the sheet's status formula."""
        row = COUNT_ROW0 + len(self.counts)
        self.counts.append((sheet, "+".join(err) or "0", "+".join(blank) or "0", "+".join(warn) or "0", cached))
        refs = [f"'{META_SHEET}'!{a1(row, COUNT_COL + i, True)}" for i in range(3)]
        return status_formula(*refs)


_FORMULA_CACHE: dict[tuple, str] = {}


_PLAIN_FORMULAS: set[str] = set()  # formulas known to be neither dynamic-array nor array formulas


class _Sheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter rewrites every formula through ~70 regular expressions; every
    template of a form has the same formulas, so the (pure) result is memoised,
    and so is its search for dynamic-array functions."""

    def _write_formula(self, row, col, formula, cell_format=None, value=0):
        if formula in _PLAIN_FORMULAS and not self.constant_memory:
            if self._check_dimensions(row, col):
                return -1
            self.table[row][col] = xlsxwriter.worksheet.CellFormulaTuple(self._prepare_formula(formula),
                                                                         cell_format, value)
            return 0
        done = super()._write_formula(row, col, formula, cell_format, value)
        cell = self.table.get(row, {}).get(col)
        if done == 0 and type(cell) is xlsxwriter.worksheet.CellFormulaTuple and len(_PLAIN_FORMULAS) < 50000:
            _PLAIN_FORMULAS.add(formula)
        return done

    def _prepare_formula(self, formula, expand_future_functions=False):
        key = (formula, expand_future_functions, self.use_future_functions)
        hit = _FORMULA_CACHE.get(key)
        if hit is None:
            hit = super()._prepare_formula(formula, expand_future_functions)
            if len(_FORMULA_CACHE) < 20000:
                _FORMULA_CACHE[key] = hit
        return hit


class _LockedWorkbook(xlsxwriter.Workbook):
    """An xlsxwriter Workbook that writes <workbookProtection lockStructure="1">,
    which xlsxwriter has no public call for. It hooks the one private method
    that writes the element before it (bookViews); if a future xlsxwriter
    renames it, `render_workbook` falls back to patching the finished package."""

    lock_password = ""
    hooked = False

    def add_worksheet(self, name=None, worksheet_class=None):
        return super().add_worksheet(name, worksheet_class=worksheet_class or _Sheet)

    def _write_book_views(self) -> None:
        attrs = [("lockStructure", "1")]
        if self.lock_password:
            attrs.insert(0, ("workbookPassword", _encode_password(self.lock_password)))
        self._xml_empty_tag("workbookProtection", attrs)
        self.hooked = True
        super()._write_book_views()


def _protect_structure(data: bytes, password: str) -> bytes:
    """xlsxwriter cannot lock the workbook structure; add <workbookProtection>."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = blob.decode("utf-8")
                attr = f' workbookPassword="{_encode_password(password)}"' if password else ""
                prot = f'<workbookProtection{attr} lockStructure="1"/>'
                i = text.index("<bookViews")
                text = text[:i] + prot + text[i:]
                blob = text.encode("utf-8")
            dst.writestr(info, blob)
    return out.getvalue()


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file beside `path`, then rename (kept here for its importers; see outputs)."""
    from ..files.outputs import atomic_write as write

    write(path, data)


