"""`gkxl report`: check a return, then write its published report.

A return with errors is refused: the report is what the public reads, and
wrong numbers published are what this tool exists to prevent. `force`
renders it anyway, visibly marked as a draft.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..checks import CheckResult, check_return
from ..workbook.read import Return, read_return
from ..workbook.write import atomic_write
from .errors import ReportError, ReturnFailsChecks
from .model import ReportDoc, build_report

FORMATS = (".docx", ".html", ".htm", ".md")


def _bytes(doc: ReportDoc, suffix: str) -> bytes:
    if suffix == ".docx":
        from .render_docx import render_docx
        return render_docx(doc)
    if suffix in (".html", ".htm"):
        from .render_html import render_html
        return render_html(doc).encode("utf-8")
    from .render_md import render_md
    return render_md(doc).encode("utf-8")


def refusal_message(res: CheckResult, limit: int = 8) -> str:
    errs = res.errors
    lines = [f"报表 {res.path} 未通过检查（{len(errs)} 处错误），不能据此生成年度报告："]
    for f in errs[:limit]:
        where = f" {f.where}" if f.where else ""
        lines.append(f"  ✘ [{f.rule}]{where}：{f.message}")
    if len(errs) > limit:
        lines.append(f"  …… 另有 {len(errs) - limit} 处错误（用 gkxl check 查看全部）")
    lines.append("请改正后重试；如确需先出草稿，可加 --force（文档将标注“草稿”）。")
    return "\n".join(lines)


def render_report(ret: Return | str | os.PathLike, out: str | os.PathLike, force: bool = False) -> CheckResult:
    """Write the report for `ret` to `out` (.docx, .html or .md by suffix).

    Returns the check result; raises ReturnFailsChecks when the return has
    errors and `force` is false. With `force`, the document is a draft."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"输出文件 {out} 的格式不支持：请以 .docx、.html 或 .md 结尾", code="REPORT_FORMAT",
                          path=str(out))
    if not isinstance(ret, Return):
        ret = read_return(ret)
    res = check_return(ret)
    failed = res.status == "fail"
    if failed and not force:
        raise ReturnFailsChecks(refusal_message(res), path=ret.path)
    doc = build_report(ret, draft=failed)
    atomic_write(out, _bytes(doc, suffix))
    return res
