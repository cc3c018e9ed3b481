"""The audit workbook: 报告 (one row per file), 问题 (every finding), 未读出 (every cell not placed)."""

from __future__ import annotations

import os
from pathlib import Path

from .audit_model import KIND_ZH, STATUS_ZH, ReportAudit, category, is_fault


def write_audit_workbook(audits: list[ReportAudit], out: str | os.PathLike) -> Path:
    """报告 (one row per file), 问题 (every finding, both sides' numbers), 未读出 (every cell
    not placed, with its reason). Written atomically; text is never a formula."""
    import io

    import xlsxwriter

    from ..files.outputs import atomic_write

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": "政府信息公开工作年度报告审计", "author": "gkxl"})
    wb.set_custom_property("gkxl_output", "audit")
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "top"}),
           "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
           "bad": wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#B00000"}),
           "pct": wb.add_format({"num_format": "0.0%", "valign": "top"})}
    _reports_sheet(wb, fmt, audits)
    _findings_sheet(wb, fmt, audits)
    _missing_sheet(wb, fmt, audits)
    wb.close()
    out = Path(out)
    atomic_write(out, buf.getvalue())
    return out


def _sheet(wb, fmt: dict, name: str, cols: list[tuple[str, float]]):
    """A list sheet: its header row and column widths."""
    ws = wb.add_worksheet(name)
    for j, (title, width) in enumerate(cols):
        ws.write_string(0, j, title, fmt["head"])
        ws.set_column(j, j, width)
    return ws


def _write_row(ws, r: int, values: list, cell_format) -> None:
    """One row: numbers as numbers, the rest as text (never a formula); `cell_format` may depend on the column."""
    for j, v in enumerate(values):
        f = cell_format(j) if callable(cell_format) else cell_format
        if isinstance(v, int):
            ws.write_number(r, j, v, f)
        else:
            ws.write_string(r, j, str(v), f)


def _reports_sheet(wb, fmt: dict, audits: list[ReportAudit]) -> None:
    cols = [("文件", 36), ("类型", 8), ("单位", 24), ("年度", 7), ("表单", 22), ("结论", 10), ("已读出", 8),
            ("表单格数", 8), ("完整度", 8), ("未读出", 8), ("表内规则问题", 10), ("正文与表格不符", 10),
            ("跨年度问题", 10), ("其他提醒", 8), ("未能判断的规则", 10), ("说明", 60)]
    ws = _sheet(wb, fmt, "报告", cols)
    for i, a in enumerate(audits, 1):
        row = [a.path, KIND_ZH.get(a.kind, a.kind), a.agency, a.year or "", a.form_title or a.form,
               STATUS_ZH[a.status]]
        _write_row(ws, i, row, lambda j, a=a: fmt["bad"] if (j == 5 and a.status not in ("ok", "partial")) else fmt["wrap"])
        if a.status == "unreadable":
            ws.write_string(i, 15, a.error, fmt["bad"])
            continue
        cats = [category(f) for f in a.findings]
        ws.write_number(i, 6, a.found)
        ws.write_number(i, 7, a.cells)
        ws.write_number(i, 8, a.completeness, fmt["pct"])
        ws.write_number(i, 9, a.cells - a.found)
        for j, cat in enumerate(("表内规则", "正文与表格", "跨年度", "合理性"), 10):
            ws.write_number(i, j, cats.count(cat))
        ws.write_number(i, 14, a.rules_unchecked)
        if a.missing:
            ws.write_string(i, 15, f"有 {len(a.missing)} 项未能读出，见“未读出”页", fmt["wrap"])
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(1, len(audits)), len(cols) - 1)


def _findings_sheet(wb, fmt: dict, audits: list[ReportAudit]) -> None:
    cols = [("文件", 30), ("单位", 22), ("年度", 7), ("类别", 12), ("规则", 18), ("严重程度", 8), ("说明", 90),
            ("位置", 50)]
    ws = _sheet(wb, fmt, "问题", cols)
    r = 1
    for a in audits:
        for f in a.findings:
            vals = [a.path, a.agency, a.year or "", category(f), f.rule,
                    {"error": "错误", "warning": "提醒"}.get(str(f.severity), str(f.severity)), f.message,
                    "；".join(f.cells[:8])]
            _write_row(ws, r, vals, lambda j, f=f: fmt["bad"] if (j == 6 and is_fault(f)) else fmt["wrap"])
            r += 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, r - 1), len(cols) - 1)


def _missing_sheet(wb, fmt: dict, audits: list[ReportAudit]) -> None:
    ws = _sheet(wb, fmt, "未读出", [("文件", 30), ("单位", 22), ("年度", 7), ("未能读出的内容及原因", 110)])
    r = 1
    for a in audits:
        for line in a.missing:
            _write_row(ws, r, [a.path, a.agency, a.year or "", line], fmt["wrap"])
            r += 1
    ws.freeze_panes(1, 0)
