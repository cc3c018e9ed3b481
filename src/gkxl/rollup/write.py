"""Write a roll-up: the same form, filled and locked, plus 汇总明细, 完成情况 and 来源.

Each summed cell of the form is a formula over its column in 汇总明细 (one
row per summed return, naming its file), so every number can be traced to
the returns that make it up, and recalculation in any spreadsheet program
gives the same totals. Very large roll-ups (over DETAIL_LIMIT parts) write
plain numbers instead and leave the detail to the --csv long table.
The three lists are rendered as skeletons by the workbook writer and their rows streamed in
afterwards (rollup.sheets), so a roll-up of 100,000 files never holds its cells in memory.
"""

from __future__ import annotations

import os
from itertools import chain, islice
from pathlib import Path

from .aggregate import Rollup
from ..form.layout import ROLLUP_SHEETS, a1, cell_address, col_letter
from ..workbook.write import Fill
from .phases import phase
from .sheets import ListRows, stream_lists

DETAIL_LIMIT = 20000
DETAIL, STATUS, SOURCES = ROLLUP_SHEETS
DETAIL_FIXED = ["单位代码", "单位名称", "类型", "所属地区", "文件", "检查结果"]


def _texts(r: Rollup) -> dict[str, str]:
    """The roll-up's text sections, as its form file words them (a generic note in the first one otherwise)."""
    form = r.form
    values = {"region": r.region.name, "year": str(r.year), "parts": str(len(r.parts)),
              "members": str(len(set(r.members))), "policy": r.policy}
    if form.rollup_texts:
        out = {}
        for tid, text in form.rollup_texts.items():
            for k, v in values.items():
                text = text.replace("{" + k + "}", v)
            out[tid] = text
        return out
    if not form.texts:
        return {}
    return {form.texts[0].id: f"本表为{r.region.name}{r.year}年度{form.title}汇总，共汇总 {len(r.parts)} 份报表"
                              f"（{len(set(r.members))} 个单位）。{r.policy}"}


def _detail_rows(r: Rollup):
    for s in r.parts:
        b = s.result
        yield [b.agency_code, b.agency_name, "地区汇总" if b.is_rollup else "部门", b.region, os.path.basename(s.path),
               "通过" if b.status == "pass" else f"错误 {b.n_errors} 项", *b.values]


def _detail_sheet(r: Rollup, lst: ListRows):
    """汇总明细's skeleton (its rows are streamed in by rollup.sheets): headers, 合计 formulas, filter, panes."""
    form = r.form

    def write(wb, w):
        ws = wb.add_worksheet(DETAIL)
        head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F2F2F2",
                              "font_size": 9})
        ws.write_string(0, 0, r.policy)
        for j, h in enumerate(DETAIL_FIXED):
            ws.write_string(1, j, h, head)
        n0 = len(DETAIL_FIXED)
        for j, key in enumerate(form.input_cells):
            sheet, ref = cell_address(form, key)
            ws.write_string(1, n0 + j, f"{form.label_of(key)}（{sheet}!{ref}）", head)
        ws.set_row(1, 90)
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 24)
        ws.set_column(4, 4, 30)
        ws.set_column(n0, n0 + len(form.input_cells) - 1, 10)
        last = len(r.parts) + 1
        ws.write_string(last + 1, 0, "合计")
        for j, key in enumerate(form.input_cells):
            c = n0 + j
            ws.write_formula(last + 1, c, f"=SUM({a1(2, c)}:{a1(last, c)})", None, r.totals[key])
        ws.freeze_panes(2, 2)
        ws.autofilter(1, 0, last, n0 + len(form.input_cells) - 1)
        w.extra_sheet_setup(ws, header_row=1, label_cols=2)
        w.protect(ws, filters=True)
    return write


def _table_sheet(name: str, policy: str, header: list[str], lst: ListRows, widths: list[float],
                 after: list[list] | None = None):
    """A list sheet's skeleton: the rows of `lst` are streamed in afterwards (rollup.sheets); the first
    rows are looked at here for the column widths."""
    sample = list(islice(lst.rows, 2000))
    lst.rows = chain(sample, lst.rows)

    def write(wb, w):
        ws = wb.add_worksheet(name)
        head = wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        lst.formats = [wrap] * len(header)
        ws.write_string(0, 0, policy)
        for j, h in enumerate(header):
            ws.write_string(1, j, h, head)
            ws.set_column(j, j, _fit_width(h, [row[j] for row in sample if j < len(row)],
                                           widths[j] if j < len(widths) else 12), wrap)
        for i, row in enumerate(after or [], start=lst.count + 3):
            for j, v in enumerate(row):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, "" if v is None else str(v), head if i == lst.count + 3 else None)
        ws.freeze_panes(2, 0)
        if lst.count:
            ws.autofilter(1, 0, lst.count + 1, len(header) - 1)
        w.extra_sheet_setup(ws, header_row=1)
        w.protect(ws, filters=True)  # its filters work on the protected sheet
    return write


def _fit_width(head: str, values: list, least: float) -> float:
    """A column as wide as its longest value (within bounds): nothing clipped, nothing absurd."""
    from ..form.layout import text_width

    longest = max([text_width(str(v)) for v in values[:2000] if v is not None] + [0])
    return float(min(max(least, longest + 2, min(text_width(head), 16)), 64))


STATUS_HEADER = ["单位代码", "单位名称", "类型", "所属地区", "状态", "标记", "是否计入汇总", "说明", "采用的文件",
                 "原附件名", "收到时间", "错误", "提醒"]
SOURCE_HEADER = ["文件名", "路径", "SHA-256", "单位代码", "单位名称", "计入单位", "接收时间", "发件人", "邮件 Message-ID",
                 "原附件名", "工作簿时间", "检查结果", "处理结果", "是否汇总", "原因"]


def status_rows(r: Rollup) -> list[list]:
    """One row per roster agency in scope: the same words as `gkxl status`."""
    return list(iter_status_rows(r))


def iter_status_rows(r: Rollup):
    for s in r.statuses:
        cur = s.current
        yield ([s.agency.code, s.agency.name, "地区" if s.agency.is_rollup else "部门", s.region_path, s.status,
                     "、".join(s.flags), "是" if s.counted else "否", s.detail,
                     os.path.basename(cur.path) if cur else "", cur.original_name if cur else "",
                     cur.received_at if cur else "", s.errors, s.warnings])


def count_rows(r: Rollup) -> list[list]:
    if not r.region_counts:
        return []
    keys = list(r.region_counts[0])
    return [["各地区完成情况"] + [""] * (len(keys) - 1), keys] + [[row[k] for k in keys] for row in r.region_counts]


VERDICT_ZH = {"pass": "通过", "fail": "不通过", "unreadable": "无法读取", "": "不是报表"}


def source_rows(r: Rollup) -> list[list]:
    """One row per input file, with its fate: every file received is accounted for."""
    return list(iter_source_rows(r))


def iter_source_rows(r: Rollup):
    for f in r.submissions:
        b = f.brief
        verdict = VERDICT_ZH.get(f.verdict, f.verdict)
        if f.verdict == "fail":
            verdict = f"不通过（错误 {f.errors} 项）"
        yield [os.path.basename(f.path), str(f.path), f.sha256 or (_sha(f.path) if f.path else ""), f.agency_code,
               f.agency_name, f.counts_for, f.received_at, f.sender, f.message_id, f.original_name,
               (b.created_at or b.modified) if b is not None else "", verdict, f.fate, f.used or "未汇总", f.reason]


def _sha(path: str) -> str:
    import hashlib
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def write_rollup(r: Rollup, out: str | os.PathLike) -> Path:
    """Write the roll-up workbook atomically; returns its path."""
    from ..workbook.write import atomic_write
    p = Path(out)
    if p.suffix.lower() != ".xlsx":
        from ..errors import OutputError
        raise OutputError(f"输出文件 {p} 应以 .xlsx 结尾", code="OUTPUT_NAME", path=str(p))
    atomic_write(p, rollup_bytes(r))
    return p


def rollup_bytes(r: Rollup) -> bytes:
    """The roll-up workbook: the same form filled with the totals, plus 汇总明细, 完成情况 and 来源."""
    from ..workbook.write import render_workbook
    from ..roster import Agency
    form = r.form
    fill = Fill(values=dict(r.totals), lock_all=True, texts=_texts(r),
                cover={"contact": "", "phone": ""},
                meta={"kind": "rollup", "rollup_region": r.region.code, "rollup_count": str(len(r.parts)),
                      "include_failing": "1" if r.include_failing else "0",
                      "created_at": r.created_at})
    members = ",".join(sorted(set(r.members)))
    if len(members) < 30000:
        fill.meta["rollup_members"] = members
    lists = _add_lists(r, fill)
    region = Agency(r.region.code, r.region.name, r.region.parent, kind="rollup")
    with phase("workbook"):
        book = render_workbook(form, year=r.year, agency=region, fill=fill, kind="rollup")
    with phase("lists streamed"):
        return stream_lists(book, lists)


def _add_lists(r: Rollup, fill: Fill) -> list[ListRows]:
    """汇总明细, 完成情况 and 来源 as skeleton sheets of the workbook, with the rows to stream into them."""
    form = r.form
    n0 = len(DETAIL_FIXED)
    if 0 < len(r.parts) <= DETAIL_LIMIT:
        last = len(r.parts) + 1
        for j, key in enumerate(form.input_cells):
            col = col_letter(n0 + j)
            fill.input_formulas[key] = f"=SUM('{DETAIL}'!{col}3:{col}{last + 1})"
        detail = ListRows(DETAIL, 2, len(r.parts), n0 + len(form.input_cells), _detail_rows(r))
        fill.extra_sheets.append(_detail_sheet(r, detail))
    else:
        detail = ListRows(DETAIL, 2, 0, 1)
        fill.extra_sheets.append(_table_sheet(DETAIL, r.policy + "（单位过多，明细见 --csv 输出的长表）", ["说明"],
                                              detail, [60]))
    status = ListRows(STATUS, 2, len(r.statuses), len(STATUS_HEADER), iter_status_rows(r))
    fill.extra_sheets.append(_table_sheet(STATUS, r.policy, STATUS_HEADER, status,
                                          [12, 26, 6, 20, 14, 10, 8, 50, 28, 28, 20, 6, 6], after=count_rows(r)))
    sources = ListRows(SOURCES, 2, len(r.submissions), len(SOURCE_HEADER), iter_source_rows(r))
    fill.extra_sheets.append(_table_sheet(SOURCES, r.policy, SOURCE_HEADER, sources,
                                          [28, 40, 20, 12, 24, 12, 20, 24, 24, 28, 20, 12, 10, 10, 50]))
    return [detail, status, sources]


def write_counts_block(r: Rollup) -> str:
    """The per-region counts as plain text, for the CLI."""
    lines = []
    for row in r.region_counts:
        parts = "，".join(f"{k} {v}" for k, v in row.items() if k not in ("地区代码", "地区") and v)
        lines.append(f"  {row['地区']}（{row['地区代码']}）：{parts}")
    return "\n".join(lines)
