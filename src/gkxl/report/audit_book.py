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
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bad = wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#B00000"})
    pct = wb.add_format({"num_format": "0.0%", "valign": "top"})

    ws = wb.add_worksheet("报告")
    cols = [("文件", 36), ("类型", 8), ("单位", 24), ("年度", 7), ("表单", 22), ("结论", 10), ("已读出", 8),
            ("表单格数", 8), ("完整度", 8), ("未读出", 8), ("表内规则问题", 10), ("正文与表格不符", 10),
            ("跨年度问题", 10), ("其他提醒", 8), ("未能判断的规则", 10), ("说明", 60)]
    for j, (name, w) in enumerate(cols):
        ws.write_string(0, j, name, head)
        ws.set_column(j, j, w)
    for i, a in enumerate(audits, 1):
        cats = [category(f) for f in a.findings]
        row = [a.path, KIND_ZH.get(a.kind, a.kind), a.agency, a.year or "", a.form_title or a.form,
               STATUS_ZH[a.status]]
        for j, v in enumerate(row):
            fmt = bad if (j == 5 and a.status != "ok") else wrap
            if isinstance(v, int):
                ws.write_number(i, j, v, fmt)
            else:
                ws.write_string(i, j, str(v), fmt)
        if a.status == "unreadable":
            ws.write_string(i, 15, a.error, bad)
            continue
        ws.write_number(i, 6, a.found)
        ws.write_number(i, 7, a.cells)
        ws.write_number(i, 8, a.completeness, pct)
        ws.write_number(i, 9, a.cells - a.found)
        ws.write_number(i, 10, cats.count("表内规则"))
        ws.write_number(i, 11, cats.count("正文与表格"))
        ws.write_number(i, 12, cats.count("跨年度"))
        ws.write_number(i, 13, cats.count("合理性"))
        ws.write_number(i, 14, a.rules_unchecked)
        if a.missing:
            ws.write_string(i, 15, f"有 {len(a.missing)} 项未能读出，见“未读出”页", wrap)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(1, len(audits)), len(cols) - 1)

    ws2 = wb.add_worksheet("问题")
    cols2 = [("文件", 30), ("单位", 22), ("年度", 7), ("类别", 12), ("规则", 18), ("严重程度", 8), ("说明", 90),
             ("位置", 50)]
    for j, (name, w) in enumerate(cols2):
        ws2.write_string(0, j, name, head)
        ws2.set_column(j, j, w)
    r = 1
    for a in audits:
        for f in a.findings:
            vals = [a.path, a.agency, a.year or "", category(f), f.rule,
                    {"error": "错误", "warning": "提醒"}.get(str(f.severity), str(f.severity)), f.message,
                    "；".join(f.cells[:8])]
            for j, v in enumerate(vals):
                if isinstance(v, int):
                    ws2.write_number(r, j, v, wrap)
                else:
                    ws2.write_string(r, j, str(v), bad if (j == 6 and is_fault(f)) else wrap)
            r += 1
    ws2.freeze_panes(1, 0)
    ws2.autofilter(0, 0, max(1, r - 1), len(cols2) - 1)

    ws3 = wb.add_worksheet("未读出")
    cols3 = [("文件", 30), ("单位", 22), ("年度", 7), ("未能读出的内容及原因", 110)]
    for j, (name, w) in enumerate(cols3):
        ws3.write_string(0, j, name, head)
        ws3.set_column(j, j, w)
    r = 1
    for a in audits:
        for line in a.missing:
            for j, v in enumerate([a.path, a.agency, a.year or "", line]):
                if isinstance(v, int):
                    ws3.write_number(r, j, v, wrap)
                else:
                    ws3.write_string(r, j, str(v), wrap)
            r += 1
    ws3.freeze_panes(1, 0)
    wb.close()
    out = Path(out)
    atomic_write(out, buf.getvalue())
    return out
