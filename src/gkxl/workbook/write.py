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
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import xlsxwriter

from .. import __version__
from ..form.compute import Number, evaluate, recompute, clean_number
from ..errors import OutputError, os_reason
from ..form import CellKey, Form, RuleInstance, load_form
from ..form.layout import (COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, STATUS_ROW, TEXT_SHEET, TEXT_WIDTH_COLS,
                     SheetLayout, _runs, a1, cover_positions, sheet_layouts, sum_formula, text_positions,
                     text_width)
from ..roster import Agency

PASS_TEXT = "✔ 通过：本表已填写完整，数字相互吻合"
STATUS_CELL = "A2"


@dataclass
class Fill:
    """What a workbook holds beyond the blank form."""

    values: dict[CellKey, Number | None] = field(default_factory=dict)
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


def rule_condition(inst: RuleInstance, sl: SheetLayout, prior: Mapping[CellKey, Number] | None) -> str:
    """An Excel boolean that is TRUE when the rule instance is broken."""
    def side(terms) -> str:
        out = ""
        for t in terms:
            if t.prior:
                v = _fmt_num((prior or {}).get(t.cell) or 0)
            else:
                v = sl.ref(t.cell, absolute=True)
            sign = "-" if t.coef < 0 else "+"
            out += (sign if out or sign == "-" else "") + v
        return out or "0"
    diff = f"ROUND(({side(inst.left)})-({side(inst.right)}),4)"
    return {"==": f"{diff}<>0", "<=": f"{diff}>0", ">=": f"{diff}<0"}[inst.rule.op]


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


def _status_formula(errors: list[str], warnings: list[str], blanks: list[str], invalid: list[str]) -> str:
    e = "+".join([f"({c})*1" for c in errors] + invalid) or "0"
    w = "+".join(f"({c})*1" for c in warnings) or "0"
    b = "+".join(f"COUNTBLANK({r})" for r in blanks) or "0"
    return (f'=IF(({e})+({w})+({b})=0,"{PASS_TEXT}",'
            f'IF(({e})>0,"✘ 有 "&({e})&" 处错误（红色单元格）；","")&'
            f'IF(({b})>0,"还有 "&({b})&" 个单元格未填写（黄色单元格，无数据请填 0）；","")&'
            f'IF(({w})>0,"有 "&({w})&" 处提醒（橙色单元格），请核实。",""))')


def status_text(n_err: int, n_warn: int, n_blank: int) -> str:
    """The cached value of a status formula (same wording as the formula)."""
    if n_err + n_warn + n_blank == 0:
        return PASS_TEXT
    s = ""
    if n_err:
        s += f"✘ 有 {n_err} 处错误（红色单元格）；"
    if n_blank:
        s += f"还有 {n_blank} 个单元格未填写（黄色单元格，无数据请填 0）；"
    if n_warn:
        s += f"有 {n_warn} 处提醒（橙色单元格），请核实。"
    return s


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
    def __init__(self, form: Form, wb: xlsxwriter.Workbook, fill: Fill) -> None:
        self.form, self.wb, self.fill = form, wb, fill
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1, "text_wrap": True}
        f = wb.add_format
        self.f_title = f({"font_name": "黑体", "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"})
        self.f_status = f({"font_name": "宋体", "font_size": 10, "bold": True, "font_color": "#C00000",
                           "valign": "vcenter", "text_wrap": True})
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
        self.f_plain = f({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.f_h = f({"font_name": "黑体", "font_size": 12, "bold": True})
        self.f_bad = f({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.f_warn = f({"bg_color": "#FFD966", "font_color": "#7F6000"})
        self.f_blank = f({"bg_color": "#FFF2CC"})
        self.values = recompute(form, fill.values)
        self.layouts = sheet_layouts(form)
        self.password = form.password

    def protect(self, ws) -> None:
        ws.protect(self.password, {"select_locked_cells": True, "select_unlocked_cells": True,
                                   "format_columns": True, "format_rows": True})

    def is_locked(self, key: CellKey) -> bool:
        return self.fill.lock_all or key in self.fill.locked

    # ---------------------------------------------------------- sheets
    def instructions(self, agency: Agency | None, year: int | None) -> None:
        ws = self.wb.add_worksheet(INSTRUCTIONS_SHEET)
        ws.set_column(0, 0, 100)
        ws.hide_gridlines(2)
        r = 0
        for text, kind in self.form.instructions or GENERIC_INSTRUCTIONS:
            text = text.replace("{basis}", self.form.basis).replace("{title}", self.form.title)
            if kind == "title":
                ws.write_string(r, 0, text, self.f_title)
                ws.set_row(r, 28)
            elif kind == "h":
                ws.write_string(r, 0, text, self.f_h)
                ws.set_row(r, 20)
            else:
                ws.write_string(r, 0, text, self.f_plain)
                ws.set_row(r, 15 * max(1, -(-text_width(text) // 98)) + 4)
            r += 1
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        self.protect(ws)

    def cover(self, agency: Agency | None, year: int | None, statuses: list[tuple[str, str]]) -> None:
        ws = self.wb.add_worksheet(COVER_SHEET)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 60)
        ws.merge_range(0, 0, 0, 1, f"{self.form.title}", self.f_title)
        ws.set_row(0, 30)
        sub = "（汇总表）" if self.kind == "rollup" else ""
        ws.merge_range(1, 0, 1, 1, f"{self.form.basis}{sub}", self.f_corner)
        known = {"agency_name": agency.name if agency else "", "agency_code": agency.code if agency else "",
                 "year": str(year) if year else "", "region": agency.region if agency else ""}
        for fld, (r, c) in zip(self.form.cover, cover_positions(self.form).values()):
            ws.write_string(r, 0, fld.label, self.f_header)
            value = self.fill.cover.get(fld.id) or (known.get(fld.source, "") if fld.source else "")
            fixed = bool(value) and (fld.source in known or self.fill.lock_all)
            ws.write_string(r, c, value, self.f_text_fixed if fixed else self.f_text_in)
            ws.set_row(r, 22)
            if not fixed:
                ws.data_validation(r, c, r, c, {"validate": "length", "criteria": "<=", "value": 200,
                                                "input_title": fld.label, "input_message": f"请填写{fld.label}。",
                                                "error_title": "内容过长", "error_message": "请不要超过 200 个字。"})
        r = max(p[0] for p in cover_positions(self.form).values()) + 2
        ws.merge_range(r, 0, r, 1, "各表检查结果（自动生成）", self.f_block)
        for name, cached in statuses:
            r += 1
            ws.write_string(r, 0, name, self.f_label)
            ws.write_formula(r, 1, f"='{name}'!{STATUS_CELL}", self.f_label, cached)
            ws.set_row(r, 30)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.activate()
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
        count_inputs: list[tuple[int, int]] = []
        amount_inputs: list[tuple[int, int]] = []
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
            v = fill.values.get(key)
            if self.is_locked(key):
                fmt = self.f_amount_fixed if kind == "amount" else self.f_count_fixed
            else:
                fmt = self.f_amount_in if kind == "amount" else self.f_count_in
                (amount_inputs if kind == "amount" else count_inputs).append((r, c))
            if key in fill.input_formulas:
                ws.write_formula(r, c, fill.input_formulas[key], fmt, v if v is not None else 0)
            elif v is None:
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, v, fmt)
        # data validation on every editable number cell
        if count_inputs:
            rng = _ranges(count_inputs)
            r0, c0 = count_inputs[0]
            ws.data_validation(r0, c0, r0, c0, {
                "validate": "integer", "criteria": ">=", "value": 0, "multi_range": " ".join(rng),
                **prompts_of(self.form, "count")})
        for r, c in amount_inputs:
            ref = a1(r, c)
            ws.data_validation(r, c, r, c, {
                "validate": "custom", "value": f"=AND(ISNUMBER({ref}),{ref}>=0,ROUND({ref},4)={ref})",
                **prompts_of(self.form, "amount")})
        editable = count_inputs + amount_inputs
        # live checks
        errors, warnings = [], []
        n_err = n_warn = 0
        sheet_keys = set(sl.cells)
        for inst in form.compare_instances:
            if not set(inst.cells) <= sheet_keys or not inst.cells:
                continue
            if inst.uses_prior and fill.prior is None:
                continue
            cond = rule_condition(inst, sl, fill.prior)
            ok, _, _ = evaluate(inst, self.values, fill.prior)
            fmt = self.f_bad if inst.rule.severity == "error" else self.f_warn
            cells = sorted({sl.cells[k] for k in inst.cells})
            ws.conditional_format(cells[0][0], cells[0][1], cells[0][0], cells[0][1], {
                "type": "formula", "criteria": "=" + cond, "format": fmt,
                "multi_range": " ".join(a1(r, c) for r, c in cells)})
            if inst.rule.severity == "error":
                errors.append(cond)
                n_err += not ok
            else:
                warnings.append(cond)
                n_warn += not ok
        invalid: list[str] = []
        blanks: list[str] = []
        if editable:
            rng = _ranges(editable)
            r0, c0 = editable[0]
            ref0 = a1(r0, c0)
            ws.conditional_format(r0, c0, r0, c0, {
                "type": "formula", "criteria": f'=AND({ref0}<>"",OR(NOT(ISNUMBER({ref0})),N({ref0})<0))',
                "format": self.f_bad, "multi_range": " ".join(rng)})
            ws.conditional_format(r0, c0, r0, c0, {"type": "blanks", "format": self.f_blank,
                                                   "multi_range": " ".join(rng)})
            invalid = [f"(COUNTA({x})-COUNT({x}))+COUNTIF({x},\"<0\")" for x in rng]
            blanks = rng
        at = {p: k for k, p in sl.cells.items()}
        n_blank = sum(1 for rc in editable if fill.values.get(at[rc]) is None)
        cached = status_text(n_err, n_warn, n_blank)
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, sl.width - 1, "", self.f_status)
        ws.write_formula(STATUS_ROW, 0, _status_formula(errors, warnings, blanks, invalid), self.f_status, cached)
        # print setup
        total_width = sum(sl.col_widths.values())
        ws.set_paper(9)
        if total_width > 95:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        if len(sl.blocks) == 1:
            b = sl.blocks[0]
            ws.repeat_rows(b.first_row, b.first_row + b.header_rows - 1)
            ws.freeze_panes(b.data_row0, b.label_cols)
        self.protect(ws)
        return cached

    def text_sheet(self) -> str:
        ws = self.wb.add_worksheet(TEXT_SHEET)
        ws.set_column(0, TEXT_WIDTH_COLS - 1, 12)
        ws.merge_range(0, 0, 0, TEXT_WIDTH_COLS - 1, "年度报告文字部分", self.f_title)
        ws.set_row(0, 28)
        blanks = []
        n_blank = 0
        for t, (r, c) in zip(self.form.texts, text_positions(self.form).values()):
            ws.merge_range(r - 1, 0, r - 1, TEXT_WIDTH_COLS - 1, t.label, self.f_block)
            value = self.fill.texts.get(t.id, "")
            fmt = self.f_text_fixed if self.fill.lock_all else self.f_text_in
            ws.merge_range(r, 0, r, TEXT_WIDTH_COLS - 1, "", fmt)
            if value:
                ws.write_string(r, 0, value, fmt)
            ws.set_row(r, max(90, min(400, 15 * (text_width(value) // 90 + 2))))
            if not self.fill.lock_all:
                ws.data_validation(r, 0, r, 0, {"validate": "length", "criteria": "<=", "value": 30000,
                                                "input_title": t.label[:32], "input_message": t.hint[:255],
                                                "error_title": "内容过长", "error_message": "单元格最多 30000 字，请精简。"})
            if t.required:
                blanks.append(a1(r, 0))
                n_blank += not value
                ws.conditional_format(r, 0, r, 0, {"type": "blanks", "format": self.f_blank})
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, TEXT_WIDTH_COLS - 1, "", self.f_status)
        b = "+".join(f"COUNTBLANK({x})" for x in blanks) or "0"
        formula = f'=IF(({b})=0,"{PASS_TEXT}","还有 "&({b})&" 部分文字未填写（黄色单元格）。")'
        cached = PASS_TEXT if n_blank == 0 else f"还有 {n_blank} 部分文字未填写（黄色单元格）。"
        ws.write_formula(STATUS_ROW, 0, formula, self.f_status, cached)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        self.protect(ws)
        return cached

    def meta_sheet(self, meta: dict[str, str]) -> None:
        ws = self.wb.add_worksheet(META_SHEET)
        for i, (k, v) in enumerate(meta.items()):
            ws.write_string(i, 0, k)
            ws.write_string(i, 1, v)
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


class _Sheet(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter rewrites every formula through ~70 regular expressions; every
    template of a form has the same formulas, so the (pure) result is memoised."""

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
    w = _Writer(form, wb, fill)
    w.kind = kind
    w.instructions(agency, year)
    # the cover comes second but shows every sheet's status: write the table
    # sheets into their positions after computing their cached statuses
    cover_ws_index = len(wb.worksheets())
    statuses: list[tuple[str, str]] = []
    for sl in sheet_layouts(form).values():
        statuses.append((sl.name, w.table_sheet(sl)))
    statuses.append((TEXT_SHEET, w.text_sheet()))
    w.cover(agency, year, statuses)
    # move the cover to second place
    sheets = wb.worksheets_objs
    cover = sheets.pop()
    sheets.insert(cover_ws_index, cover)
    for extra in fill.extra_sheets:
        extra(wb, w)
    w.meta_sheet(meta)
    for i, ws in enumerate(wb.worksheets_objs):
        ws.index = i
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
