"""Feedback for a clerk: their own workbook with a comment on every wrong cell,
and a short Chinese text of what to fix, ready to send back.

The copy keeps the workbook's identity, protection and formulas (it is saved
by openpyxl, which keeps them), so the corrected file reads back as the same
agency's return. No sheet is added: that would itself be flagged as tampering.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path

from . import CheckResult
from ..findings import Finding
from ..workbook.write import atomic_write

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def feedback_text(r: CheckResult, shown_name: str = "") -> str:
    """What to fix, in the clerk's words; `shown_name` is the file name she sent (not where we keep it)."""
    ret = r.ret
    who = (ret.agency_name or ret.agency_code or "填报单位") if ret else "填报单位"
    year = f"{ret.year} 年度" if ret and ret.year else ""
    errs = [f for f in r.findings if f.severity == "error"]
    warns = [f for f in r.findings if f.severity == "warning"]
    lines = [f"{who}：", "",
             f"您单位报送的{year}{ret.form.title if ret else '统计表'}（文件：{shown_name or Path(r.path).name}）经检查，"
             f"有 {len(errs)} 处错误需要修改" + (f"，另有 {len(warns)} 处提醒请核实" if warns else "") + "。", ""]
    blanks = [f for f in errs if f.rule == "V-BLANK"]
    n = 0
    for f in errs:
        if f.rule == "V-BLANK":
            continue
        n += 1
        where = f"（{f.where}）" if f.where else ""
        lines.append(f"{n}. {f.message}{where}")
        if f.advice:
            lines.append(f"   处理：{f.advice}")
    if blanks:
        n += 1
        by_sheet: dict[str, list[str]] = defaultdict(list)
        for f in blanks:
            by_sheet[f.sheet].append(f.cell)
        cells = "；".join(f"{s} {'、'.join(c[:15])}{' 等' if len(c) > 15 else ''}（{len(c)} 个）"
                         for s, c in by_sheet.items())
        lines.append(f"{n}. 以下单元格未填写，没有发生的请填 0：{cells}")
    if warns:
        lines += ["", "请核实（如属实际情况可不修改）："]
        for i, f in enumerate(warns, 1):
            where = f"（{f.where}）" if f.where else ""
            lines.append(f"{i}. {f.message}{where}")
    lines += ["", "出错的单元格已在附件中加了批注（单元格右上角的红色小三角），每张表第 2 行也会显示检查结果。"
              "请在附件中修改，确认各表都显示“✔ 通过”后保存为 .xlsx 并重新发送。", ""]
    return "\n".join(lines)


def _comment_targets(findings: list[Finding]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in findings:
        if f.severity == "info" or not f.sheet or not f.cell:
            continue
        mark = "错误" if f.severity == "error" else "提醒"
        text = f"【{mark} {f.rule}】{f.message}"
        if f.advice:
            text += f"\n处理：{f.advice}"
        out[(f.sheet, f.cell)].append(text)
    return out


def write_feedback(r: CheckResult, out_dir: str | Path, used: set[str] | None = None,
                   shown_name: str = "") -> tuple[Path | None, Path]:
    """(marked-up workbook or None, text file) for one failing return.

    Files are named by agency code; `used` keeps names unique within a run
    (two returns of one agency get CODE.xlsx and CODE-2.xlsx)."""
    import openpyxl
    from openpyxl.comments import Comment

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    code = (r.ret.agency_code if r.ret else "") or Path(r.path).stem
    stem = base = SAFE_NAME.sub("_", code) or "return"
    n = 1
    while used is not None and stem in used:
        n += 1
        stem = f"{base}-{n}"
    if used is not None:
        used.add(stem)
    txt = out_dir / f"{stem}-修改意见.txt"
    atomic_write(txt, feedback_text(r, shown_name).encode("utf-8-sig"))
    book_path: Path | None = out_dir / f"{stem}.xlsx"
    try:
        wb = openpyxl.load_workbook(r.path)
    except Exception:  # unreadable by openpyxl: the text alone must do
        return None, txt
    for (sheet, cell), texts in _comment_targets(r.findings).items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        try:
            target = ws[cell]
        except (ValueError, KeyError):
            continue
        if type(target).__name__ == "MergedCell":
            continue
        body = "\n\n".join(texts)
        c = Comment(body[:2000], "gkxl")
        c.width, c.height = 320, min(400, 60 + 18 * (len(body) // 18 + body.count("\n")))
        target.comment = c
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(book_path, buf.getvalue())
    return book_path, txt
