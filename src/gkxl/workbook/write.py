"""Write a form as a locked workbook with xlsxwriter.

One writer for every workbook gkxl makes: a blank template, a personalised
one (agency, year, last year's carry-over filled and locked), a sample
return, and a roll-up (all values filled and locked). Only input cells are
unlocked; every total is a formula with its cached value; every rule of the
form that can be checked inside the workbook turns its cells red and is
counted in the status line at the top of the sheet.
"""

from __future__ import annotations

import io
import os
import re
import weakref
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import xlsxwriter

from .. import __version__
from ..form.compute import Number, evaluate, recompute, clean_number
from ..errors import OutputError, os_reason
from ..form import CellKey, Form, RuleInstance, expand_cells, load_form
from ..form.layout import (COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, STATUS_ROW, TEXT_SHEET,
                     SheetLayout, _runs, a1, cover_positions, sheet_layouts, sum_formula, text_positions,
                     text_width)
from ..roster import Agency
from .values import (MAX_TEXT, CellValue, bad_formula, classify, leaves_of, text_blank_formula,
                     text_is_blank)
from .values import sum_formula as value_sum

PASS_TEXT = "✔ 通过：本表已填写完整，数字相互吻合"
PASS_WARN = "✔ 通过；"  # passes, with warnings to look at
STATUS_CELL = "A2"
# what the workbook's own checks cannot see; the cover says so under the sheets' results
BLIND_NOTE = ("说明：以上检查结果与汇总程序（gkxl check）的检查一致，只有两项由汇总程序另行核对：表格结构和合计公式"
              "是否被改动；{prior}")
SIGNATURES = ("填报人：", "审核人：", "单位负责人：")  # signature lines, as the published reports have them
COMMENT_OPTIONS = {"author": "gkxl", "x_scale": 2.4, "y_scale": 2.2, "font_name": "宋体", "font_size": 10}
TEXT_COL_WIDTH = 112  # the text sections' column: in 9-point type about 64 Chinese characters a line,
INSTRUCTIONS_WIDTH = 72
TEXT_FONT = 9  # so a 2,000-character section fits Excel's tallest row (409 points)
# the meta sheet's working cells (see _Writer.meta_sheet)
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


def text_height(text: str) -> float:
    """Points to show a whole text section in its cell (Excel's row limit is 409)."""
    per_line = (TEXT_COL_WIDTH - 4) * 10 / TEXT_FONT * 0.55  # width units per line, in half-width characters
    lines = sum(max(1, -(-text_width(part) // int(per_line))) for part in text.split("\n"))
    return float(min(409, max(30, 12 * lines + 8)))


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


def prefill_from_prior(form: Form, prior: Mapping[CellKey, Number]) -> tuple[dict[CellKey, Number], set[CellKey]]:
    """Inputs that last year's return determines exactly (compare rules of the
    form 'this-year cell == prior cell'), to be filled and locked."""
    values: dict[CellKey, Number] = {}
    for inst in form.compare_instances:
        if inst.rule.op != "==" or inst.rule.severity != "error":
            continue
        if (len(inst.left) == 1 and not inst.left[0].prior and inst.left[0].coef == 1
                and len(inst.right) == 1 and inst.right[0].prior and inst.right[0].coef == 1
                and inst.left[0].cell in form.input_cells):
            values[inst.left[0].cell] = prior.get(inst.right[0].cell) or 0
    return values, set(values)


# ------------------------------------------------------------------ helpers

def _encode_password(password: str) -> str:
    """The legacy Excel protection hash (ECMA-376 Part 4, 14.7.1) of the workbook's structure lock.

    xlsxwriter's own code, the one its Worksheet.protect() hashes every sheet's password with, so
    workbook and sheets always agree. It is a method that never uses self. openpyxl's public
    hash_password is not used: it gives other (not even 16-bit) values for passwords over 15 characters."""
    return xlsxwriter.worksheet.Worksheet._encode_password(None, password)  # type: ignore[arg-type]


def _fmt_num(x: Number) -> str:
    x = clean_number(x)
    return str(x)


def _ranges(cells: list[tuple[int, int]]) -> list[str]:
    """Cells as row runs: ['B5:D5', 'B6:D6', 'F9']."""
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    out = []
    for r in sorted(by_row):
        for a, b in _runs(by_row[r]):
            out.append(a1(r, a) if a == b else f"{a1(r, a)}:{a1(r, b)}")
    return out


def _rects(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cells as few rectangles (r0, c0, r1, c1): runs along each row, stacked where rows repeat."""
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    rects: list[list[int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(by_row):
        nxt: dict[tuple[int, int], list[int]] = {}
        for a, b in _runs(by_row[r]):
            rect = open_.get((a, b))
            if rect is not None and rect[2] == r - 1:
                rect[2] = r
            else:
                rect = [r, a, r, b]
                rects.append(rect)
            nxt[(a, b)] = rect
        open_ = nxt
    return [(r0, c0, r1, c1) for r0, c0, r1, c1 in rects]


def _rect_ref(rect: tuple[int, int, int, int], sheet: str = "", absolute: bool = True) -> str:
    r0, c0, r1, c1 = rect
    ref = (a1(r0, c0, absolute) if (r0, c0) == (r1, c1)
           else f"{a1(r0, c0, absolute)}:{a1(r1, c1, absolute)}")
    return f"'{sheet}'!{ref}" if sheet else ref


class _Refs:
    """Formula text for the form's cells, seen from one sheet."""

    def __init__(self, form: Form, here: str) -> None:
        self.form, self.here = form, here
        self.pos = form.plan.positions

    def total(self, weighted: Mapping[CellKey, int], const: float = 0.0) -> str:
        """sum(coef * cell) over input cells, as the rules count them (values.sum_formula)."""
        groups: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for key, coef in weighted.items():
            if coef:
                sheet, r, c = self.pos[key]
                groups.setdefault((coef, sheet), []).append((r, c))
        parts = []
        for (coef, sheet), cells in sorted(groups.items(), key=lambda g: (-g[0][0], g[0][1])):
            s = value_sum([_rect_ref(x, "" if sheet == self.here else sheet) for x in _rects(cells)])
            parts.append(s if coef == 1 else f"{coef}*({s})")
        if const:
            parts.append(_fmt_num(const))
        return "(" + ("+".join(parts) or "0") + ")"

    def leaves(self, terms, prior: Mapping[CellKey, Number] | None) -> tuple[dict[CellKey, int], float]:
        weights: dict[CellKey, int] = {}
        const = 0.0
        for t in terms:
            if t.prior:
                const += t.coef * ((prior or {}).get(t.cell) or 0)
                continue
            for leaf in leaves_of(self.form, t.cell):
                weights[leaf] = weights.get(leaf, 0) + t.coef
        return weights, const


_CONDITIONS: "weakref.WeakKeyDictionary[Form, dict]" = weakref.WeakKeyDictionary()


def rule_condition(inst: RuleInstance, refs: _Refs, prior: Mapping[CellKey, Number] | None) -> str:
    """An Excel boolean that is TRUE when the rule instance is broken, exactly as checks.evaluate
    decides it: each side rounded to 6 places, a difference above 1e-6 breaks it. Totals are
    taken through their input cells, so a broken or overwritten total never hides a rule.
    Memoised per form: every template of a form has the same (and only prior values differ)."""
    consts = tuple((prior or {}).get(t.cell) or 0 for t in inst.left + inst.right if t.prior)
    cache = _CONDITIONS.setdefault(refs.form, {})
    key = (id(inst), refs.here, consts)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = _rule_condition(inst, refs, prior)
        if len(cache) > 20000:
            cache.clear()
    return hit


def _rule_condition(inst: RuleInstance, refs: _Refs, prior: Mapping[CellKey, Number] | None) -> str:
    lw, lc = refs.leaves(inst.left, prior)
    rw, rc = refs.leaves(inst.right, prior)
    diff = f"(ROUND({refs.total(lw, lc)},6)-ROUND({refs.total(rw, rc)},6))"
    return {"==": f"ABS{diff}>1E-6", "<=": f"{diff}>1E-6", ">=": f"{diff}<-1E-6"}[inst.rule.op]


def jump_condition(form: Form, key: CellKey, rule, refs: _Refs, old: Number) -> str:
    """TRUE when a cell changed abnormally from last year (checks.check_plausibility, kind jump)."""
    cur = refs.total({k: 1 for k in leaves_of(form, key)})
    p = _fmt_num(old)
    hi, lo = f"MAX({cur},{p})", f"MIN({cur},{p})"
    return f"AND({hi}>={_fmt_num(rule.min_value)},IF({lo}=0,TRUE,{hi}/{lo}>={_fmt_num(rule.ratio)}))"


def status_text(n_err: int, n_warn: int, n_blank: int) -> str:
    """The status line's words (the cached value of status_formula, the same wording).
    Errors and blanks fail the sheet, as they fail `gkxl check`; warnings alone do not."""
    if n_err + n_blank == 0:
        return PASS_TEXT if n_warn == 0 else f"{PASS_WARN}有 {n_warn} 处提醒（橙色单元格），请核实。"
    s = "✘ "
    if n_err:
        s += f"有 {n_err} 处错误（红色单元格）；"
    if n_blank:
        s += f"还有 {n_blank} 个单元格未填写（黄色单元格，无数据请填 0）；"
    if n_warn:
        s += f"有 {n_warn} 处提醒（橙色单元格），请核实。"
    return s


def status_formula(err: str, blank: str, warn: str) -> str:
    """status_text as a formula over three cells that hold the counts."""
    return (f'=IF({err}+{blank}=0,IF({warn}=0,"{PASS_TEXT}","{PASS_WARN}有 "&{warn}&" 处提醒（橙色单元格），请核实。"),'
            f'"✘ "&IF({err}>0,"有 "&{err}&" 处错误（红色单元格）；","")&'
            f'IF({blank}>0,"还有 "&{blank}&" 个单元格未填写（黄色单元格，无数据请填 0）；","")&'
            f'IF({warn}>0,"有 "&{warn}&" 处提醒（橙色单元格），请核实。",""))')


_STATUS_RE = (re.compile(r"有 (\d+) 处错误"), re.compile(r"还有 (\d+) 个单元格未填写"), re.compile(r"有 (\d+) 处提醒"))


def parse_status(text: object) -> tuple[bool, int, int] | None:
    """(passes, errors + blanks, warnings) from a status line's words; None if it is not one."""
    if not isinstance(text, str) or text[:1] not in ("✔", "✘"):
        return None
    n = [sum(int(m) for m in rx.findall(text)) for rx in _STATUS_RE]
    return text.startswith("✔"), n[0] + n[1], n[2]


# What any form's workbook says when its form file says nothing of its own (no units, no form's wording).
GENERIC_INSTRUCTIONS = (
    ("填报说明", "title"),
    ("本工作簿是{title}（{basis}），请按以下要求填写后原样发回。", "p"),
    ("只有白色和黄色的单元格可以填写，其余单元格已锁定；合计由公式自动计算。没有发生的填 0，不要留空。", "p"),
    ("每张表第 2 行是本表的检查结果：显示“✔ 通过”才说明本表已填写完整、数字相互吻合。", "p"),
    ("请保存为 .xlsx 格式，不要增删、重命名工作表，不要撤销工作表保护。", "p"),
)
GENERIC_PROMPTS = {
    "count": {"input_title": "请填写整数", "input_message": "整数，≥0。没有的填 0，不要留空，不要输入文字。",
              "error_title": "只能填写整数", "error_message": "这里只能填写大于或等于 0 的整数，不能填写文字、小数或负数。"},
    "amount": {"input_title": "请填写数字", "input_message": "数字，≥0，最多 4 位小数。没有的填 0。",
               "error_title": "数字格式不对", "error_message": "这里只能填写大于或等于 0 的数字，最多保留 4 位小数，不能填写文字。"},
}


def prompts_of(form: Form, kind: str) -> dict[str, str]:
    return form.prompts.get(kind) or GENERIC_PROMPTS[kind]



class _Writer:
    def __init__(self, form: Form, wb: xlsxwriter.Workbook, fill: Fill, kind: str = "template",
                 agency: Agency | None = None, year: int | None = None) -> None:
        self.form, self.wb, self.fill, self.kind = form, wb, fill, kind
        self.agency, self.year = agency, year
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
        f = wb.add_format
        self.f_title = f({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter",
                          "text_wrap": True})
        self.f_status = f({"font_name": "宋体", "font_size": 10, "bold": True, "font_color": "#C00000",
                           "valign": "vcenter", "text_wrap": True})
        self.f_status_cell = f({**base, "bold": True, "font_color": "#C00000", "align": "left"})
        self.f_pass = f({"font_color": "#006100", "bg_color": "#E2EFDA"})  # conditional: the status passes
        self.f_block = f({**base, "bold": True, "align": "left", "bg_color": "#D9E1F2"})
        self.f_header = f({**base, "bold": True, "align": "center", "bg_color": "#F2F2F2"})
        self.f_corner = f({**base, "align": "center", "font_size": 9, "bg_color": "#F2F2F2"})
        self.f_label = f({**base, "align": "left"})
        self.f_count_in = f({**base, "locked": False, "align": "right", "num_format": "0"})
        self.f_amount_in = f({**base, "locked": False, "align": "right", "num_format": "0.00##"})
        self.f_count_fixed = f({**base, "align": "right", "num_format": "0", "bg_color": "#DDEBF7"})
        self.f_amount_fixed = f({**base, "align": "right", "num_format": "0.00##", "bg_color": "#DDEBF7"})
        self.f_count_total = f({**base, "align": "right", "num_format": "0", "bg_color": "#E7E6E6", "bold": True})
        self.f_amount_total = f({**base, "align": "right", "num_format": "0.00##", "bg_color": "#E7E6E6",
                                 "bold": True})
        self.f_text_in = f({**base, "locked": False, "align": "left", "valign": "top"})
        self.f_text_fixed = f({**base, "align": "left", "valign": "top", "bg_color": "#DDEBF7"})
        self.f_section_in = f({**base, "font_size": TEXT_FONT, "locked": False, "align": "left", "valign": "top"})
        self.f_section_fixed = f({**base, "font_size": TEXT_FONT, "align": "left", "valign": "top",
                                  "bg_color": "#DDEBF7"})
        self.f_count_note = f({"font_name": "宋体", "font_size": 9, "align": "right", "valign": "vcenter",
                               "font_color": "#595959"})
        self.f_plain = f({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.f_note = f({"font_name": "宋体", "font_size": 9, "text_wrap": True, "valign": "top",
                         "font_color": "#595959"})
        self.f_h = f({"font_name": "黑体", "font_size": 12, "bold": True})
        self.f_sign_label = f({"font_name": "宋体", "font_size": 11, "align": "right", "valign": "bottom"})
        self.f_sign_line = f({"font_name": "宋体", "font_size": 11, "bottom": 1, "locked": False, "valign": "bottom"})
        self.f_bad = f({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.f_warn = f({"bg_color": "#FFD966", "font_color": "#7F6000"})
        self.f_blank = f({"bg_color": "#FFF2CC"})
        # each input as the form sees it, and what the rules count (values.classify)
        self.cv: dict[CellKey, CellValue] = {}
        for key in form.input_cells:
            v = fill.values.get(key)
            self.cv[key] = classify(v, form.kind_of(key), "s" if isinstance(v, str) else "n")
        self.values = recompute(form, {k: cv.sums_as for k, cv in self.cv.items()})
        self.layouts = sheet_layouts(form)
        self.password = form.password
        # the very hidden sheet's working cells: one flag per editable input, one per rule instance,
        # three counts per sheet (see meta_sheet)
        self.helpers: list[tuple[int, int, str]] = []  # (row, col, formula) on the meta sheet
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
        ws.set_header(page_header(self.form, self.agency, self.year), {"margin": 0.3})
        ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})

    def green_when_passing(self, ws, cells: str, first: str) -> None:
        ws.conditional_format(cells, {"type": "formula", "criteria": f'=LEFT({first},1)="✔"',
                                      "format": self.f_pass})

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

    # ---------------------------------------------------------- sheets
    def instructions(self) -> None:
        ws = self.wb.add_worksheet(INSTRUCTIONS_SHEET)
        ws.set_column(0, 0, INSTRUCTIONS_WIDTH)  # narrower than the page, so every program wraps within it
        ws.hide_gridlines(2)
        r = 0
        for text, kind in self.form.instructions or GENERIC_INSTRUCTIONS:
            text = text.replace("{basis}", self.form.basis).replace("{title}", self.form.title)
            if kind == "title":
                ws.write_string(r, 0, text, self.f_title)
                ws.set_row(r, 28)
            elif kind == "h":
                ws.write_string(r, 0, text, self.f_h)
                ws.set_row(r, 21)
            else:
                ws.write_string(r, 0, text, self.f_plain)
                # 宋体 11: about 32 Chinese characters a line in this column, 16 points each
                ws.set_row(r, 16.5 * max(1, -(-text_width(text) // (INSTRUCTIONS_WIDTH - 8))) + 5)
            r += 1
        self.page_setup(ws)
        ws.set_margins(left=0.6, right=0.6, top=0.75, bottom=0.7)
        self.protect(ws)

    def cover(self, statuses: list[tuple[str, str]]) -> None:
        agency, year, form = self.agency, self.year, self.form
        ws = self.wb.add_worksheet(COVER_SHEET)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 64)
        ws.merge_range(0, 0, 0, 1, f"{form.title}", self.f_title)
        ws.set_row(0, 30)
        sub = "（汇总表）" if self.kind == "rollup" else ""
        known = {"agency_name": agency.name if agency else "", "agency_code": agency.code if agency else "",
                 "year": str(year) if year else "", "region": agency.region if agency else ""}
        warn: list[str] = []
        n_warn = 0
        positions = cover_positions(form)
        for fld, (r, c) in zip(form.cover, positions.values()):
            ws.write_string(r, 0, fld.label, self.f_header)
            value = self.fill.cover.get(fld.id) or (known.get(fld.source, "") if fld.source else "")
            fixed = bool(value) and (fld.source in known or self.fill.lock_all)
            ws.write_string(r, c, value, self.f_text_fixed if fixed else self.f_text_in)
            ws.set_row(r, 22)
            if not fixed:
                ws.data_validation(r, c, r, c, {"validate": "length", "criteria": "<=", "value": 200,
                                                "input_title": fld.label, "input_message": f"请填写{fld.label}。",
                                                "error_title": "内容过长", "error_message": "请不要超过 200 个字。"})
            if fld.required and self.kind != "rollup":  # checks.check_texts: V-COVER-REQUIRED
                ref = f"'{COVER_SHEET}'!{a1(r, c, True)}"
                warn.append(self.flag(text_blank_formula(ref) + "=1", text_is_blank(value)))
                n_warn += text_is_blank(value)
                ws.conditional_format(r, c, r, c, {"type": "blanks", "format": self.f_blank})
        # P-ALL-ZERO and the like: the whole form's rules that name no sheet
        for rule in form.rules:
            if rule.kind == "all_zero" and self.all_inputs:
                zeros = "+".join(f"COUNTIF({x},0)" for _, rngs in self.all_inputs for x in rngs)
                bad = "+".join(self.bad_total) or "0"
                n = len(form.input_cells)
                zero = bool(form.input_cells) and all(self.cv[k].value == 0 for k in form.input_cells)
                warn.append(self.flag(f"AND({bad}=0,{zeros}={n})", zero))
                n_warn += zero
        # the overall line, on row 2 as on every sheet: the sum of the sheets, and the cover's own
        sheet_rows = [COUNT_ROW0 + i for i in range(len(self.counts))]
        err = [f"{a1(r, COUNT_COL, True)}" for r in sheet_rows]
        blank = [f"{a1(r, COUNT_COL + 1, True)}" for r in sheet_rows]
        warn = [f"{a1(r, COUNT_COL + 2, True)}" for r in sheet_rows] + warn
        e = sum(c[4][0] for c in self.counts)
        b = sum(c[4][1] for c in self.counts)
        w = sum(c[4][2] for c in self.counts) + n_warn
        formula = self.add_counts(COVER_SHEET, err, blank, warn, (e, b, w))
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 1, "", self.f_status)
        ws.write_formula(STATUS_ROW, 0, formula, self.f_status, status_text(e, w, b))
        ws.set_row(STATUS_ROW, 30)
        self.green_when_passing(ws, "A2", "$A$2")
        ws.merge_range(STATUS_ROW + 1, 0, STATUS_ROW + 1, 1, f"{form.basis}{sub}", self.f_corner)
        r = max(p[0] for p in positions.values()) + 2
        ws.merge_range(r, 0, r, 1, "各表检查结果（自动生成）", self.f_block)
        first = r + 1
        for name, cached in statuses:
            r += 1
            ws.write_string(r, 0, name, self.f_label)
            ws.write_formula(r, 1, f"='{name}'!{STATUS_CELL}", self.f_status_cell, cached)
            ws.set_row(r, 30)
        ws.conditional_format(first, 1, r, 1, {"type": "formula", "criteria": f'=LEFT(B{first + 1},1)="✔"',
                                               "format": self.f_pass})
        r += 1
        prior = ("与上年数据的衔接（已按上年报表预填并检查）。" if self.fill.prior is not None
                 else "与上年数据的衔接（上年结转等，本模板未附上年数据）。")
        ws.merge_range(r, 0, r, 1, BLIND_NOTE.format(prior=prior), self.f_note)
        ws.set_row(r, 30)
        # the signature lines of the published reports
        r += 2
        for label in SIGNATURES:
            ws.write_string(r, 0, label, self.f_sign_label)
            ws.write_blank(r, 1, None, self.f_sign_line)
            ws.set_row(r, 30)
            r += 1
        for (sheet, ref), text in self.fill.comments.items():
            if sheet == COVER_SHEET:
                ws.write_comment(ref, text, COMMENT_OPTIONS)
        self.page_setup(ws)
        self.protect(ws)

    def table_sheet(self, sl: SheetLayout) -> str:
        form, fill = self.form, self.fill
        ws = self.wb.add_worksheet(sl.name)
        for c, w in sl.col_widths.items():
            ws.set_column(c, c, w)
        for r, h in sl.row_heights.items():
            ws.set_row(r, h)
        ws.set_row(STATUS_ROW, 30)
        for lb in sl.labels:
            fmt = {"title": self.f_title, "block": self.f_block, "header": self.f_header,
                   "corner": self.f_corner, "rowlabel": self.f_label}[lb.kind]
            if (lb.row, lb.col) == (lb.last_row, lb.last_col):
                ws.write_string(lb.row, lb.col, lb.text, fmt)
            else:
                ws.merge_range(lb.row, lb.col, lb.last_row, lb.last_col, lb.text, fmt)
        ws.set_row(0, 28)
        inputs: dict[str, list[tuple[int, int]]] = {"count": [], "amount": []}
        all_inputs: list[tuple[int, int]] = []
        for key, (r, c) in sl.cells.items():
            kind = form.kind_of(key)
            if key in form.derived and key in fill.totals:
                ws.write_number(r, c, fill.totals[key],
                                self.f_amount_total if kind == "amount" else self.f_count_total)
                continue
            if key in form.derived:
                d = form.derived[key]
                ws.write_formula(r, c, sum_formula(sl, d.terms),
                                 self.f_amount_total if kind == "amount" else self.f_count_total, self.values[key])
                continue
            all_inputs.append((r, c))
            v = fill.values.get(key)
            if self.is_locked(key):
                fmt = self.f_amount_fixed if kind == "amount" else self.f_count_fixed
            else:
                fmt = self.f_amount_in if kind == "amount" else self.f_count_in
                inputs[kind].append((r, c))
            if key in fill.input_formulas:
                ws.write_formula(r, c, fill.input_formulas[key], fmt, v if v is not None else 0)
            elif v is None:
                ws.write_blank(r, c, None, fmt)
            elif isinstance(v, str):  # a feedback copy keeps what the clerk typed, to be corrected
                ws.write_string(r, c, v, fmt)
            else:
                ws.write_number(r, c, v, fmt)
        self.all_inputs.append((sl.name, [_rect_ref(x, sl.name) for x in _rects(all_inputs)]))
        # data validation on every editable number cell
        if inputs["count"]:
            rng = _ranges(inputs["count"])
            r0, c0 = inputs["count"][0]
            ws.data_validation(r0, c0, r0, c0, {
                "validate": "integer", "criteria": ">=", "value": 0,
                "multi_range": " ".join(rng), **prompts_of(self.form, "count")})
        for r, c in inputs["amount"]:
            ref = a1(r, c)
            ws.data_validation(r, c, r, c, {
                "validate": "custom",
                "value": f"=AND(ISNUMBER({ref}),{ref}>=0,{ref}<={MAX_TEXT},ROUND({ref},4)={ref})",
                **prompts_of(self.form, "amount")})
        editable = inputs["count"] + inputs["amount"]
        # live checks: each rule instance is one 0/1 flag on the meta sheet, and red or orange cells here
        err: list[str] = []
        warn: list[str] = []
        n_err = n_warn = 0
        here, there = _Refs(form, sl.name), _Refs(form, META_SHEET)
        positions = form.plan.positions
        for inst in form.compare_instances:
            first = inst.left[0].cell if not inst.left[0].prior else (inst.cells[0] if inst.cells else None)
            if first is None or positions[first][0] != sl.name:
                continue  # the sheet a finding of it names (checks.check_compare)
            if inst.uses_prior and fill.prior is None:
                continue
            ok, _, _ = evaluate(inst, self.values, fill.prior)
            fmt = self.f_bad if inst.rule.severity == "error" else self.f_warn
            cells = sorted({sl.cells[k] for k in inst.cells if k in sl.cells})
            ws.conditional_format(cells[0][0], cells[0][1], cells[0][0], cells[0][1], {
                "type": "formula", "criteria": "=" + rule_condition(inst, here, fill.prior), "format": fmt,
                "multi_range": " ".join(a1(r, c) for r, c in cells)})
            ref = self.flag(rule_condition(inst, there, fill.prior), not ok)
            if inst.rule.severity == "error":
                err.append(ref)
                n_err += not ok
            else:
                warn.append(ref)
                n_warn += not ok
        if fill.prior is not None:  # jumps from last year (checks.check_plausibility)
            for rule in form.rules:
                if rule.kind != "jump":
                    continue
                for key in expand_cells(form.tables, rule.cells, rule.id):
                    if key not in sl.cells:
                        continue
                    old = fill.prior.get(key, 0) or 0
                    cur = self.values.get(key, 0) or 0
                    hi, lo = max(cur, old), min(cur, old)
                    broken = hi >= rule.min_value and (lo == 0 or hi / lo >= rule.ratio)
                    r, c = sl.cells[key]
                    ws.conditional_format(r, c, r, c, {"type": "formula", "format": self.f_warn,
                                                       "criteria": "=" + jump_condition(form, key, rule, here, old)})
                    target = err if rule.severity == "error" else warn
                    target.append(self.flag(jump_condition(form, key, rule, there, old), broken))
                    if rule.severity == "error":
                        n_err += broken
                    else:
                        n_warn += broken
        blank: list[str] = []
        n_bad = n_blank = 0
        at = {p: k for k, p in sl.cells.items()}
        for kind, cells in inputs.items():
            if not cells:
                continue
            r0, c0 = cells[0]
            ws.conditional_format(r0, c0, r0, c0, {
                "type": "formula", "criteria": "=" + bad_formula(a1(r0, c0), kind, GENERAL_NAME) + "=1",
                "format": self.f_bad, "multi_range": " ".join(_ranges(cells))})
            for r, c in cells:
                cv = self.cv[at[(r, c)]]
                self.helpers.append((r, self.helper_col + c,
                                     "=" + bad_formula(f"'{sl.name}'!{a1(r, c)}", kind, GENERAL_REF),
                                     int(cv.problem is not None)))
                n_bad += cv.problem is not None
                n_blank += cv.blank
        if editable:
            rng = _ranges(editable)
            r0, c0 = editable[0]
            ws.conditional_format(r0, c0, r0, c0, {"type": "blanks", "format": self.f_blank,
                                                   "multi_range": " ".join(rng)})
            blank = [f"COUNTBLANK({_rect_ref(x, sl.name)})" for x in _rects(editable)]
            bad = [f"SUM({_rect_ref((r0_, self.helper_col + c0_, r1_, self.helper_col + c1_))})"
                   for r0_, c0_, r1_, c1_ in _rects(editable)]
            err = bad + err
            self.bad_total.append(f"{a1(COUNT_ROW0 + len(self.counts), COUNT_COL + 3, True)}")
            self.helpers.append((COUNT_ROW0 + len(self.counts), COUNT_COL + 3, "=" + "+".join(bad), n_bad))
        self.helper_col += sl.width + 1
        cached = status_text(n_err + n_bad, n_warn, n_blank)
        formula = self.add_counts(sl.name, err, blank, warn, (n_err + n_bad, n_blank, n_warn))
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, sl.width - 1, "", self.f_status)
        ws.write_formula(STATUS_ROW, 0, formula, self.f_status, cached)
        self.green_when_passing(ws, "A2", "$A$2")
        for (sheet, ref), text in fill.comments.items():
            if sheet == sl.name:
                ws.write_comment(ref, text, COMMENT_OPTIONS)
        # print setup
        total_width = sum(sl.col_widths.values())
        self.page_setup(ws, landscape=total_width > 95)
        if len(sl.blocks) == 1:
            b = sl.blocks[0]
            ws.repeat_rows(b.first_row, b.first_row + b.header_rows - 1)
            ws.freeze_panes(b.data_row0, b.label_cols)
        self.protect(ws)
        return cached

    def text_sheet(self) -> str:
        """The text sections: one wide cell each (not merged, so Excel, WPS and LibreOffice grow its row
        as the clerk types), a live character count beside its title."""
        ws = self.wb.add_worksheet(TEXT_SHEET)
        ws.set_column(0, 0, TEXT_COL_WIDTH)
        ws.set_column(1, 1, 14)
        ws.merge_range(0, 0, 0, 1, "年度报告文字部分", self.f_title)
        ws.set_row(0, 28)
        warn: list[str] = []
        n_warn = 0
        fmt = self.f_section_fixed if self.fill.lock_all else self.f_section_in
        for t, (r, c) in zip(self.form.texts, text_positions(self.form).values()):
            ws.write_string(r - 1, 0, t.label, self.f_block)
            value = self.fill.texts.get(t.id, "")
            ws.write_formula(r - 1, 1, f'="共 "&LEN({a1(r, 0)})&" 字"', self.f_count_note, f"共 {len(value)} 字")
            ws.set_row(r - 1, 20)
            if value:
                ws.write_string(r, 0, value, fmt)
                ws.set_row(r, text_height(value))
            else:
                ws.write_blank(r, 0, None, fmt)  # no height: the row grows with what is typed
            if not self.fill.lock_all:
                ws.data_validation(r, 0, r, 0, {"validate": "length", "criteria": "<=", "value": 30000,
                                                "input_title": t.label[:32], "input_message": t.hint[:255],
                                                "error_title": "内容过长", "error_message": "单元格最多 30000 字，请精简。"})
            if t.required and self.kind != "rollup":  # checks.check_texts: V-TEXT-REQUIRED
                ref = f"'{TEXT_SHEET}'!{a1(r, 0, True)}"
                warn.append(self.flag(text_blank_formula(ref) + "=1", text_is_blank(value)))
                n_warn += text_is_blank(value)
                ws.conditional_format(r, 0, r, 0, {"type": "blanks", "format": self.f_blank})
        # rules that want words when numbers say so (P-FEE-TEXT)
        pos = text_positions(self.form)
        for rule in self.form.rules:
            if rule.kind != "requires_text" or not rule.texts:
                continue
            keys = expand_cells(self.form.tables, rule.when, rule.id)
            weights: dict[CellKey, int] = {}
            for k in keys:
                for leaf in leaves_of(self.form, k):
                    weights[leaf] = weights.get(leaf, 0) + 1
            total = _Refs(self.form, META_SHEET).total(weights)
            said = '&" "&'.join(f"'{TEXT_SHEET}'!{a1(pos[t][0], 0, True)}" for t in rule.texts if t in pos)
            missing = (f'ISERROR(FIND("{rule.keyword}",{said}))' if rule.keyword
                       else f"LEN(TRIM({said}))=0")
            got = sum(self.values.get(k, 0) or 0 for k in keys)
            words = " ".join(self.fill.texts.get(t, "").strip() for t in rule.texts)
            broken = got > 0 and (rule.keyword not in words if rule.keyword else not words.strip())
            warn.append(self.flag(f"AND({total}>0,{missing})", broken))
            n_warn += broken
        formula = self.add_counts(TEXT_SHEET, [], [], warn, (0, 0, n_warn))
        cached = status_text(0, n_warn, 0)
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 1, "", self.f_status)
        ws.write_formula(STATUS_ROW, 0, formula, self.f_status, cached)
        ws.set_row(STATUS_ROW, 30)
        self.green_when_passing(ws, "A2", "$A$2")
        for (sheet, ref), text in self.fill.comments.items():
            if sheet == TEXT_SHEET:
                ws.write_comment(ref, text, COMMENT_OPTIONS)
        self.page_setup(ws)
        self.protect(ws)
        return cached

    def meta_sheet(self, meta: dict[str, str]) -> None:
        """Identity (columns A:B), then the live checks' working cells: the General-format probe
        (D1:D2), one count row per sheet (C:G from row 4), rule flags (H), one flag per input (J on)."""
        ws = self.wb.add_worksheet(META_SHEET)
        for i, (k, v) in enumerate(meta.items()):
            ws.write_string(i, 0, k)
            ws.write_string(i, 1, v)
        ws.write_number(0, 3, 1)  # General format: CELL("format") of it tells how this program names General
        ws.write_formula(1, 3, '=CELL("format",D1)', None, "G")
        for i, (sheet, err, blank, warn, cached) in enumerate(self.counts):
            r = COUNT_ROW0 + i
            ws.write_string(r, COUNT_COL - 1, sheet)
            for j, (f, v) in enumerate(zip((err, blank, warn), cached)):
                ws.write_formula(r, COUNT_COL + j, "=" + f, None, v)
        for r, c, f, v in self.helpers:
            ws.write_formula(r, c, f, None, v)
        ws.very_hidden()
        self.protect(ws)


def identity_meta(form: Form, year: int | None, agency: Agency | None, kind: str,
                  extra: Mapping[str, str] | None = None) -> dict[str, str]:
    meta = {
        "gkxl": "1",
        "generator": f"gkxl {__version__}",
        "form_id": form.id,
        "form_version": form.version,
        "fingerprint": form.fingerprint,
        "kind": kind,
        "year": str(year or ""),
        "agency_code": agency.code if agency else "",
        "agency_name": agency.name if agency else "",
        "region": agency.region if agency else "",
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    }
    meta.update(extra or {})
    return meta


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


def render_workbook(form: Form, *, year: int | None = None, agency: Agency | None = None,
                    fill: Fill | None = None, kind: str = "template") -> bytes:
    """The workbook as bytes (see write_workbook)."""
    fill = fill or Fill()
    buf = io.BytesIO()
    wb = _LockedWorkbook(buf, {"in_memory": True, "strings_to_formulas": False,
                               "strings_to_numbers": False, "strings_to_urls": False})
    wb.lock_password = form.password
    meta = identity_meta(form, year, agency, kind, fill.meta)
    props = {"title": f"{form.title}（{year or ''}）", "subject": form.basis,
             "author": "gkxl", "company": agency.name if agency else "",
             "comments": "由 gkxl 生成，请勿修改表格结构。"}
    try:  # a fixed creation time gives reproducible files (samples, roll-ups under test)
        props["created"] = datetime.fromisoformat(meta["created_at"]).replace(tzinfo=None)
    except (KeyError, ValueError):
        pass
    wb.set_properties(props)
    for k, v in meta.items():
        wb.set_custom_property(f"gkxl_{k}", v)
    w = _Writer(form, wb, fill, kind, agency, year)
    w.instructions()
    # the cover comes second but shows every sheet's status: write the table
    # sheets into their positions after computing their cached statuses
    cover_ws_index = len(wb.worksheets())
    statuses: list[tuple[str, str]] = []
    for sl in sheet_layouts(form).values():
        statuses.append((sl.name, w.table_sheet(sl)))
    statuses.append((TEXT_SHEET, w.text_sheet()))
    w.cover(statuses)
    # move the cover to second place
    sheets = wb.worksheets_objs
    cover = sheets.pop()
    sheets.insert(cover_ws_index, cover)
    for extra in fill.extra_sheets:
        extra(wb, w)
    w.meta_sheet(meta)
    wb.define_name(GENERAL_NAME, f"='{META_SHEET}'!{GENERAL_REF}")
    for i, ws in enumerate(wb.worksheets_objs):
        ws.index = i
        ws.selected = 0
    # it opens on the cover, the one selected tab (activeTab and tabSelected agree)
    cover.selected = 1
    cover.hidden = 0
    wb.worksheet_meta.activesheet = cover.index
    wb.close()
    return buf.getvalue() if wb.hooked else _protect_structure(buf.getvalue(), form.password)


def write_workbook(path: str | os.PathLike, form: Form | str | None = None, *, year: int | None = None,
                   agency: Agency | None = None, fill: Fill | None = None, kind: str = "template") -> Path:
    """Write one workbook of the form, atomically; returns its path."""
    form = load_form(form) if not isinstance(form, Form) else form
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise OutputError(f"输出文件 {p} 应以 .xlsx 结尾", code="OUTPUT_NAME", path=str(p))
    atomic_write(p, render_workbook(form, year=year, agency=agency, fill=fill, kind=kind))
    return p


def write_template(path: str | os.PathLike, form: Form | str | None = None, *, year: int | None = None,
                   agency: Agency | None = None, prior: Mapping[CellKey, Number] | None = None) -> Path:
    """A template for one agency: with last year's values, the carry-over is filled and locked."""
    form = load_form(form) if not isinstance(form, Form) else form
    fill = Fill()
    if prior is not None:
        prior = recompute(form, prior)
        values, locked = prefill_from_prior(form, prior)
        fill = Fill(values=dict(values), locked=locked, prior=dict(prior))
    return write_workbook(path, form, year=year, agency=agency, fill=fill, kind="template")


def _template_job(args: tuple) -> str:
    path, form_path, year, agency, prior = args
    write_template(path, load_form(form_path), year=year, agency=agency, prior=prior)
    return str(path)


def write_templates(roster, out_dir: str | os.PathLike, form: Form | str | None = None, *,
                    year: int | None = None, priors: Mapping[str, Mapping[CellKey, Number]] | None = None,
                    jobs: int | None = None, progress=None) -> list[Path]:
    """One template per department of the roster, named CODE.xlsx, in parallel.

    `priors` maps an agency code to last year's values for that agency.
    `progress`, if given, is called once per finished workbook.
    """
    from ..files.parallel import run_jobs

    form = load_form(form) if not isinstance(form, Form) else form
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法创建输出目录 {out}：{os_reason(e)}", code="OUTPUT_IO", path=str(out)) from None
    tasks = [(out / f"{a.code}.xlsx", form.path, year, a, (priors or {}).get(a.code)) for a in roster]
    done = run_jobs(_template_job, tasks, jobs=jobs, progress=progress)
    return [Path(p) for p in done]
