"""The coordinator's status board: one row per roster agency, in the collection's words.

The same records feed `gkxl status` (console and --json) and the status
workbook; the roll-up's 完成情况 sheet is written from the same AgencyState
objects, so every view says the same thing about every agency.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from . import DONE, STATUSES, AgencyState, Resolution, region_counts, summary_counts

COLUMNS = [  # (json key, Chinese header, width)
    ("code", "单位代码", 12), ("name", "单位名称", 26), ("region", "所属地区", 18), ("status", "状态", 12),
    ("flags", "标记", 12), ("counted", "计入汇总", 8), ("detail", "说明", 44), ("current_file", "当前文件", 30),
    ("original_name", "原附件名", 30), ("received", "收到时间", 20), ("first_received", "首次报送时间", 20),
    ("versions", "报送次数", 8), ("errors", "错误", 6), ("warnings", "提醒", 6), ("contact", "联系人", 10),
    ("phone", "联系电话", 14), ("email", "邮箱", 24), ("last_feedback", "最近退回", 20),
    ("last_reminder", "最近催报", 20),
]


def record(st: AgencyState, root: Path | None = None) -> dict:
    """One agency's line of the board (also the --json object)."""
    a = st.agency
    cur = st.current
    path = ""
    if cur is not None and cur.path:
        path = cur.path
        if root is not None:
            prefix = os.path.join(str(root), "")
            if path.startswith(prefix):  # stored inside the working folder: shown relative to it
                path = path[len(prefix):].replace(os.sep, "/")
    return {
        "code": a.code, "name": a.name, "region": st.region_path, "kind": "地区" if a.is_rollup else "部门",
        "status": st.status, "flags": list(st.flags), "late": st.late, "counted": st.counted, "detail": st.detail,
        "current_file": path, "file_id": cur.key if cur is not None else "",
        "original_name": cur.original_name if cur is not None else "",
        "received": cur.received_at if cur is not None else "", "first_received": st.first_received,
        "versions": st.versions, "errors": st.errors, "warnings": st.warnings,
        "contact": getattr(a, "contact", ""), "phone": getattr(a, "phone", ""), "email": a.email,
        "last_feedback": st.last_feedback, "last_reminder": st.last_reminder,
    }


def records(res: Resolution, root: Path | None = None) -> list[dict]:
    return [record(st, root) for st in res.states.values()]


def records_json(recs: list[dict]) -> str:
    """A JSON list, one agency per line: readable, and fast for 100,000 agencies (the C encoder per line)."""
    import json
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n]"


def summary_text(res: Resolution, *, year: int | None = None, deadline=None) -> str:
    """A few lines for the console: counts by status, what is waiting for the coordinator."""
    counts = summary_counts(res)
    depts = [st for st in res.states.values() if not st.agency.is_rollup]
    counted = sum(st.counted for st in depts)
    head = f"{res.top.name}{f' {year} 年度' if year else ''}：应报 {len(depts)} 个单位，已计入汇总 {counted} 个"
    if deadline:
        from .deadline import format_deadline
        head += f"（截止日期 {format_deadline(deadline)}）"
    lines = [head, "各状态：" + "，".join(f"{s} {counts[s]}" for s in STATUSES if counts.get(s))]
    late = [st for st in res.states.values() if st.late]
    if late:
        lines.append(f"逾期：{len(late)} 个单位")
    pend = res.pending
    if pend:
        lines.append(f"待确认的文件 {len(pend)} 份（确认前不计入任何单位）：")
        for f in pend[:20]:
            lines.append(f"  #{f.key} {f.original_name or Path(f.path).name}：{f.reason}")
        if len(pend) > 20:
            lines.append(f"  ……另有 {len(pend) - 20} 份，见状态表")
        lines.append("  处理：gkxl assign 编号 单位代码 / gkxl accept 编号 / gkxl reject 编号 --reason 原因")
    for word in ("未报送", "不通过", "已回复但附件不是报表", "报表无法读取"):
        who = [st.agency for st in depts if st.status == word]
        if who:
            names = "、".join(f"{a.name}（{a.code}）" for a in who[:30])
            lines.append(f"{word}：{names}" + (f" 等 {len(who)} 个" if len(who) > 30 else ""))
    return "\n".join(lines)


def all_done(res: Resolution) -> bool:
    """Exit 0 of `gkxl status`: every department 通过 or 已确认 (or counted through its region)."""
    return all(st.status in DONE for st in res.states.values() if not st.agency.is_rollup)


def _print_setup(ws, title: str, header_row: int) -> None:
    """Landscape A4, one page wide, the header row on every page, the title and page number on each."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.7)
    ws.set_header("&C" + title.replace("&", "&&"), {"margin": 0.3})
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})


def status_workbook(res: Resolution, roster, *, title: str, root: Path | None = None) -> bytes:
    """The board as an .xlsx the coordinator opens in Excel: filterable, printable, frozen header."""
    import xlsxwriter

    from ..files.outputs import OUTPUT_PROPERTY, quiet_library_warnings as quiet

    buf = io.BytesIO()
    with quiet():
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                       "strings_to_urls": False})
        wb.set_custom_property(OUTPUT_PROPERTY, "status")
        head = wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True, "valign": "top"})
        colors = {"通过": "#E2EFDA", "已确认": "#C6E0B4", "已含在地区汇总表中": "#E2EFDA", "不通过": "#F8CBAD",
                  "未报送": "#FFE699", "待确认": "#BDD7EE", "已回复但附件不是报表": "#FFE699", "报表无法读取": "#F8CBAD"}
        fmts = {k: wb.add_format({"bg_color": v, "border": 1}) for k, v in colors.items()}
        ws = wb.add_worksheet("完成情况")
        ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 13}))
        for j, (_, h, w) in enumerate(COLUMNS):
            ws.write_string(1, j, h, head)
            ws.set_column(j, j, w)
        recs = records(res, root)
        for i, rec in enumerate(recs, start=2):
            for j, (k, _, _) in enumerate(COLUMNS):
                v = rec[k]
                if k == "flags":
                    v = "、".join(v)
                elif k == "counted":
                    v = "是" if v else "否"
                if isinstance(v, int) and not isinstance(v, bool):
                    ws.write_number(i, j, v)
                elif v:  # an empty cell costs nothing: 100,000 rows of mostly blank columns stay quick
                    ws.write_string(i, j, str(v), fmts.get(v) if k == "status" else None)
        ws.freeze_panes(2, 2)
        ws.autofilter(1, 0, max(1, len(recs) + 1), len(COLUMNS) - 1)
        _print_setup(ws, title, 1)
        ws2 = wb.add_worksheet("各地区")
        counts = region_counts(roster, res)
        if counts:
            keys = list(counts[0])
            for j, k in enumerate(keys):
                ws2.write_string(0, j, k, head)
                ws2.set_column(j, j, 12 if j > 1 else 18)
            for i, row in enumerate(counts, start=1):
                for j, k in enumerate(keys):
                    v = row[k]
                    (ws2.write_number if isinstance(v, int) else ws2.write_string)(i, j, v)
            ws2.freeze_panes(1, 2)
        _print_setup(ws2, title, 0)
        ws3 = wb.add_worksheet("待确认")
        for j, h in enumerate(("编号", "原附件名", "文件", "工作簿中的单位代码", "年度", "发件人", "收到时间", "原因")):
            ws3.write_string(0, j, h, head)
            ws3.set_column(j, j, [8, 30, 30, 14, 8, 24, 20, 60][j])
        for i, f in enumerate(res.pending, start=1):
            for j, v in enumerate((f.key, f.original_name, os.path.basename(f.path), f.agency_code,
                                   str(f.year or ""), f.sender, f.received_at, f.reason)):
                ws3.write_string(i, j, str(v or ""))
        _print_setup(ws3, title, 0)
        wb.close()
    return buf.getvalue()
