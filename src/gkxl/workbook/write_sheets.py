"""The sheets around the tables: instructions, the cover, the text sections and the very hidden meta sheet."""

from __future__ import annotations

from ..form import CellKey, Form, expand_cells
from ..form.layout import (COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, STATUS_ROW, TEXT_SHEET, a1,
                           cover_positions, text_positions, text_width)
from .values import leaves_of, text_blank_formula, text_is_blank
from .write_book import COMMENT_OPTIONS, COUNT_COL, COUNT_ROW0, TEXT_FONT, _Writer
from .write_rules import STATUS_CELL, _Refs, status_text

# what the workbook's own checks cannot see; the cover says so under the sheets' results
BLIND_NOTE = ("说明：以上检查结果与汇总程序（gkxl check）的检查一致，只有两项由汇总程序另行核对：表格结构和合计公式"
              "是否被改动；{prior}")
SIGNATURES = ("填报人：", "审核人：", "单位负责人：")  # signature lines, as the published reports have them
TEXT_COL_WIDTH = 112  # the text sections' column: in 9-point type about 64 Chinese characters a line,
INSTRUCTIONS_WIDTH = 72
# What any form's workbook says when its form file says nothing of its own (no units, no form's wording).
GENERIC_INSTRUCTIONS = (
    ("填报说明", "title"),
    ("本工作簿是{title}（{basis}），请按以下要求填写后原样发回。", "p"),
    ("只有白色和黄色的单元格可以填写，其余单元格已锁定；合计由公式自动计算。没有发生的填 0，不要留空。", "p"),
    ("每张表第 2 行是本表的检查结果：显示“✔ 通过”才说明本表已填写完整、数字相互吻合。", "p"),
    ("请保存为 .xlsx 格式，不要增删、重命名工作表，不要撤销工作表保护。", "p"),
)

def text_height(text: str) -> float:
    """Points to show a whole text section in its cell (Excel's row limit is 409)."""
    per_line = (TEXT_COL_WIDTH - 4) * 10 / TEXT_FONT * 0.55  # width units per line, in half-width characters
    lines = sum(max(1, -(-text_width(part) // int(per_line))) for part in text.split("\n"))
    return float(min(409, max(30, 12 * lines + 8)))


def _instruction_lines(form: Form) -> list[tuple[str, str, float]]:
    """(text, format, row height) of each line of 填报说明 (once per form: form.plan.memo)."""
    lines = []
    for text, kind in form.instructions or GENERIC_INSTRUCTIONS:
        text = text.replace("{basis}", form.basis).replace("{title}", form.title)
        if kind == "title":
            lines.append((text, "title", 28))
        elif kind == "h":
            lines.append((text, "h", 21))
        else:  # 宋体 11: about 32 Chinese characters a line in this column, 16 points each
            lines.append((text, "plain", 16.5 * max(1, -(-text_width(text) // (INSTRUCTIONS_WIDTH - 8))) + 5))
    return lines


def instructions(w: _Writer) -> None:
    ws = w.wb.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, INSTRUCTIONS_WIDTH)  # narrower than the page, so every program wraps within it
    ws.hide_gridlines(2)
    fmt = vars(w.fmt)
    for r, (text, f, height) in enumerate(w.form.plan.memo("write.instructions", _instruction_lines)):
        ws.write_string(r, 0, text, fmt[f])
        ws.set_row(r, height)
    w.page_setup(ws)
    ws.set_margins(left=0.6, right=0.6, top=0.75, bottom=0.7)
    w.protect(ws)


# ---------------------------------------------------------------- the cover

def cover(w: _Writer, statuses: list[tuple[str, str]]) -> None:
    """Title, the agency's fields, the overall status line, each sheet's result, the signature lines."""
    form = w.form
    ws = w.wb.add_worksheet(COVER_SHEET)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 64)
    ws.merge_range(0, 0, 0, 1, f"{form.title}", w.fmt.title)
    ws.set_row(0, 30)
    warn, n_warn = _cover_fields(w, ws)
    n_warn += _all_zero(w, warn)
    # the overall line, on row 2 as on every sheet: the sum of the sheets, and the cover's own
    sheet_rows = [COUNT_ROW0 + i for i in range(len(w.counts))]
    err = [f"{a1(r, COUNT_COL, True)}" for r in sheet_rows]
    blank = [f"{a1(r, COUNT_COL + 1, True)}" for r in sheet_rows]
    warn = [f"{a1(r, COUNT_COL + 2, True)}" for r in sheet_rows] + warn
    e = sum(c[4][0] for c in w.counts)
    b = sum(c[4][1] for c in w.counts)
    n = sum(c[4][2] for c in w.counts) + n_warn
    formula = w.add_counts(COVER_SHEET, err, blank, warn, (e, b, n))
    ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 1, "", w.fmt.status)
    ws.write_formula(STATUS_ROW, 0, formula, w.fmt.status, status_text(e, n, b))
    ws.set_row(STATUS_ROW, 30)
    w.green_when_passing(ws, "A2", "$A$2")
    sub = "（汇总表）" if w.book_kind == "rollup" else ""
    ws.merge_range(STATUS_ROW + 1, 0, STATUS_ROW + 1, 1, f"{form.basis}{sub}", w.fmt.corner)
    _sheet_results(w, ws, statuses, max(p[0] for p in cover_positions(form).values()) + 2)
    for (sheet, ref), text in w.fill.comments.items():
        if sheet == COVER_SHEET:
            ws.write_comment(ref, text, COMMENT_OPTIONS)
    w.page_setup(ws)
    w.protect(ws)


def _cover_fields(w: _Writer, ws) -> tuple[list[str], int]:
    """The agency's fields: known ones filled and locked, the rest to fill (required ones flagged blank)."""
    agency, year = w.agency, w.year
    known = {"agency_name": agency.name if agency else "", "agency_code": agency.code if agency else "",
             "year": str(year) if year else "", "region": agency.region if agency else ""}
    warn: list[str] = []
    n_warn = 0
    for fld, (r, c) in zip(w.form.cover, cover_positions(w.form).values()):
        ws.write_string(r, 0, fld.label, w.fmt.header)
        value = w.fill.cover.get(fld.id) or (known.get(fld.source, "") if fld.source else "")
        fixed = bool(value) and (fld.source in known or w.fill.lock_all)
        ws.write_string(r, c, value, w.fmt.text_fixed if fixed else w.fmt.text_in)
        ws.set_row(r, 22)
        if not fixed:
            ws.data_validation(r, c, r, c, {"validate": "length", "criteria": "<=", "value": 200,
                                            "input_title": fld.label, "input_message": f"请填写{fld.label}。",
                                            "error_title": "内容过长", "error_message": "请不要超过 200 个字。"})
        if fld.required and w.book_kind != "rollup":  # checks.check_texts: V-COVER-REQUIRED
            ref = f"'{COVER_SHEET}'!{a1(r, c, True)}"
            warn.append(w.flag(text_blank_formula(ref) + "=1", text_is_blank(value)))
            n_warn += text_is_blank(value)
            ws.conditional_format(r, c, r, c, {"type": "blanks", "format": w.fmt.blank})
    return warn, n_warn


def _all_zero(w: _Writer, warn: list[str]) -> int:
    """P-ALL-ZERO and the like: the whole form's rules that name no sheet."""
    form = w.form
    n_warn = 0
    for rule in form.rules:
        if rule.kind == "all_zero" and w.all_inputs:
            zeros = "+".join(f"COUNTIF({x},0)" for _, rngs in w.all_inputs for x in rngs)
            bad = "+".join(w.bad_total) or "0"
            n = len(form.input_cells)
            zero = bool(form.input_cells) and all(w.cv[k].value == 0 for k in form.input_cells)
            warn.append(w.flag(f"AND({bad}=0,{zeros}={n})", zero))
            n_warn += zero
    return n_warn


def _sheet_results(w: _Writer, ws, statuses: list[tuple[str, str]], r: int) -> None:
    """Each sheet's status line (a formula), what only gkxl check sees, the signature lines."""
    ws.merge_range(r, 0, r, 1, "各表检查结果（自动生成）", w.fmt.block)
    first = r + 1
    for name, cached in statuses:
        r += 1
        ws.write_string(r, 0, name, w.fmt.label)
        ws.write_formula(r, 1, f"='{name}'!{STATUS_CELL}", w.fmt.status_cell, cached)
        ws.set_row(r, 30)
    ws.conditional_format(first, 1, r, 1, {"type": "formula", "criteria": f'=LEFT(B{first + 1},1)="✔"',
                                           "format": w.fmt.passing})
    r += 1
    prior = ("与上年数据的衔接（已按上年报表预填并检查）。" if w.fill.prior is not None
             else "与上年数据的衔接（上年结转等，本模板未附上年数据）。")
    ws.merge_range(r, 0, r, 1, BLIND_NOTE.format(prior=prior), w.fmt.note)
    ws.set_row(r, 30)
    r += 2
    for label in SIGNATURES:
        ws.write_string(r, 0, label, w.fmt.sign_label)
        ws.write_blank(r, 1, None, w.fmt.sign_line)
        ws.set_row(r, 30)
        r += 1


# ---------------------------------------------------------------- the text sections

def text_sheet(w: _Writer) -> str:
    """The text sections: one wide cell each (not merged, so Excel, WPS and LibreOffice grow its row
    as the clerk types), a live character count beside its title."""
    ws = w.wb.add_worksheet(TEXT_SHEET)
    ws.set_column(0, 0, TEXT_COL_WIDTH)
    ws.set_column(1, 1, 14)
    ws.merge_range(0, 0, 0, 1, "年度报告文字部分", w.fmt.title)
    ws.set_row(0, 28)
    warn, n_warn = _text_sections(w, ws)
    n_warn += _requires_text(w, warn)
    formula = w.add_counts(TEXT_SHEET, [], [], warn, (0, 0, n_warn))
    cached = status_text(0, n_warn, 0)
    ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 1, "", w.fmt.status)
    ws.write_formula(STATUS_ROW, 0, formula, w.fmt.status, cached)
    ws.set_row(STATUS_ROW, 30)
    w.green_when_passing(ws, "A2", "$A$2")
    for (sheet, ref), text in w.fill.comments.items():
        if sheet == TEXT_SHEET:
            ws.write_comment(ref, text, COMMENT_OPTIONS)
    w.page_setup(ws)
    w.protect(ws)
    return cached


def _text_sections(w: _Writer, ws) -> tuple[list[str], int]:
    warn: list[str] = []
    n_warn = 0
    fmt = w.fmt.section_fixed if w.fill.lock_all else w.fmt.section_in
    for t, (r, c) in zip(w.form.texts, text_positions(w.form).values()):
        ws.write_string(r - 1, 0, t.label, w.fmt.block)
        value = w.fill.texts.get(t.id, "")
        ws.write_formula(r - 1, 1, f'="共 "&LEN({a1(r, 0)})&" 字"', w.fmt.count_note, f"共 {len(value)} 字")
        ws.set_row(r - 1, 20)
        if value:
            ws.write_string(r, 0, value, fmt)
            ws.set_row(r, text_height(value))
        else:
            ws.write_blank(r, 0, None, fmt)  # no height: the row grows with what is typed
        if not w.fill.lock_all:
            ws.data_validation(r, 0, r, 0, {"validate": "length", "criteria": "<=", "value": 30000,
                                            "input_title": t.label[:32], "input_message": t.hint[:255],
                                            "error_title": "内容过长", "error_message": "单元格最多 30000 字，请精简。"})
        if t.required and w.book_kind != "rollup":  # checks.check_texts: V-TEXT-REQUIRED
            ref = f"'{TEXT_SHEET}'!{a1(r, 0, True)}"
            warn.append(w.flag(text_blank_formula(ref) + "=1", text_is_blank(value)))
            n_warn += text_is_blank(value)
            ws.conditional_format(r, 0, r, 0, {"type": "blanks", "format": w.fmt.blank})
    return warn, n_warn


def _text_rules(form: Form) -> list[tuple]:
    """Rules that want words when numbers say so (P-FEE-TEXT): (rule, cells, formula when broken);
    once per form (form.plan.memo)."""
    pos = text_positions(form)
    out = []
    for rule in form.rules:
        if rule.kind != "requires_text" or not rule.texts:
            continue
        keys = expand_cells(form.tables, rule.when, rule.id)
        weights: dict[CellKey, int] = {}
        for k in keys:
            for leaf in leaves_of(form, k):
                weights[leaf] = weights.get(leaf, 0) + 1
        total = _Refs(form, META_SHEET).total(weights)
        said = '&" "&'.join(f"'{TEXT_SHEET}'!{a1(pos[t][0], 0, True)}" for t in rule.texts if t in pos)
        missing = f'ISERROR(FIND("{rule.keyword}",{said}))' if rule.keyword else f"LEN(TRIM({said}))=0"
        out.append((rule, keys, f"AND({total}>0,{missing})"))
    return out


def _requires_text(w: _Writer, warn: list[str]) -> int:
    n_warn = 0
    for rule, keys, formula in w.form.plan.memo("write.text_rules", _text_rules):
        got = sum(w.values.get(k, 0) or 0 for k in keys)
        words = " ".join(w.fill.texts.get(t, "").strip() for t in rule.texts)
        broken = got > 0 and (rule.keyword not in words if rule.keyword else not words.strip())
        warn.append(w.flag(formula, broken))
        n_warn += broken
    return n_warn


# ---------------------------------------------------------------- the meta sheet

def meta_sheet(w: _Writer, meta: dict[str, str]) -> None:
    """Identity (columns A:B), then the live checks' working cells: the General-format probe
    (D1:D2), one count row per sheet (C:G from row 4), rule flags (H), one flag per input (J on)."""
    ws = w.wb.add_worksheet(META_SHEET)
    for i, (k, v) in enumerate(meta.items()):
        ws.write_string(i, 0, k)
        ws.write_string(i, 1, v)
    ws.write_number(0, 3, 1)  # General format: CELL("format") of it tells how this program names General
    ws.write_formula(1, 3, '=CELL("format",D1)', None, "G")
    for i, (sheet, err, blank, warn, cached) in enumerate(w.counts):
        r = COUNT_ROW0 + i
        ws.write_string(r, COUNT_COL - 1, sheet)
        for j, (f, v) in enumerate(zip((err, blank, warn), cached)):
            ws.write_formula(r, COUNT_COL + j, "=" + f, None, v)
    for r, c, f, v in w.helpers:
        ws.write_formula(r, c, f, None, v)
    ws.very_hidden()
    w.protect(ws)
