"""Feedback for a clerk: a corrected copy of her workbook she can edit, and a short Chinese text
of what to fix, ready to send back.

The copy is not her file patched: it is the form's template written anew (formulas, protection,
live checks and identity restored) holding everything she filled in -- valid numbers as numbers,
anything else as she typed it, so the cell is red and she sees what to change -- with a comment
beside every cell to fix. What it lists is what she can act on: the findings of the copy itself
(the copy is read back and checked), plus those that need last year's return. Tampering that the
copy repairs (a total typed over, a sheet renamed) is said once, as repaired; what only the
coordinator can act on (a missing or mismatched prior return) is left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Mapping

from . import CheckResult, check_return
from ..errors import GkxlError
from ..findings import Finding
from ..roster import Agency
from ..workbook.read import Return, read_return
from ..form import CellKey
from ..form.compute import Number, recompute
from ..files.outputs import atomic_write
from ..workbook.write import Fill, prefill_from_prior, render_workbook

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]")
# findings only the coordinator can act on: never in a clerk's feedback
COORDINATOR_ONLY = frozenset({"X-NO-PRIOR", "X-PRIOR-AGENCY", "X-PRIOR-FORM"})
MAX_COMMENT = 1500


def _prior_rules(ret: Return) -> set[str]:
    form = ret.form
    return ({i.rule.id for i in form.compare_instances if i.uses_prior}
            | {r.id for r in form.rules if r.kind == "jump"})


def clerk_findings(r: CheckResult, copy: CheckResult | None) -> tuple[list[Finding], list[Finding]]:
    """(the findings she can act on, the original's findings the copy repaired). With the copy: its
    own findings, plus the original's that need last year's return (the copy is checked without it)."""
    if copy is None or copy.ret is None:
        return [f for f in r.findings if f.rule not in COORDINATOR_ONLY and f.severity != "info"], []
    sums = {d.rule for d in (r.ret.form.derived.values() if r.ret else ())} | \
        {d.rule for d in (r.ret.form.extra_sum_rules if r.ret else ())}
    repaired = [f for f in r.findings if f.severity != "info" and (
        (f.rule.startswith("G-") and f.rule not in ("G-AGENCY", "G-YEAR")) or f.rule in sums)]
    keep = (_prior_rules(r.ret) if r.ret else set()) - {f.rule for f in copy.findings}
    place = _standard_place(r.ret) if r.ret else {}
    out = [f for f in copy.findings if f.severity != "info"]
    for f in r.findings:
        if f.rule in keep or f.rule in ("G-AGENCY", "G-YEAR"):
            sheet, cell = place.get((f.sheet, f.cell), (f.sheet, f.cell))
            out.append(Finding(f.rule, f.severity, f.message, sheet, cell, f.values, f.cells, f.advice))
    return out, repaired


def _standard_place(ret: Return) -> dict[tuple[str, str], tuple[str, str]]:
    """Where she had a cell -> where the form puts it (they differ only in a copied or moved table)."""
    std = ret.form.plan.sources
    return {ret.sources[k]: std[k] for k in ret.sources if k in std}


def feedback_text(r: CheckResult, shown_name: str = "", findings: list[Finding] | None = None,
                  repaired: list[Finding] | None = None) -> str:
    """What to fix, in the clerk's words; `shown_name` is the file name she sent (not where we keep it)."""
    ret = r.ret
    findings = [f for f in r.findings if f.rule not in COORDINATOR_ONLY] if findings is None else findings
    who = (ret.agency_name or ret.agency_code or "填报单位") if ret else "填报单位"
    year = f"{ret.year} 年度" if ret and ret.year else ""
    errs = [f for f in findings if f.severity == "error"]
    warns = [f for f in findings if f.severity == "warning"]
    lines = [f"{who}：", "",
             f"您单位报送的{year}{ret.form.title if ret else '统计表'}（文件：{shown_name or Path(r.path).name}）经检查，"
             f"有 {len(errs)} 处错误需要修改" + (f"，另有 {len(warns)} 处提醒请核实" if warns else "") + "。", ""]
    if repaired:
        lines += ["附件是按原模板重新生成的表格，您填写的数字和文字都已保留，以下问题已经在附件中恢复（合计公式、"
                  "表格结构和保护）："]
        for f in repaired[:10]:
            lines.append(f"  · {f.message}{'（' + f.where + '）' if f.where else ''}")
        if len(repaired) > 10:
            lines.append(f"  · 另有 {len(repaired) - 10} 处")
        lines.append("")
        if not errs:
            lines += ["恢复后附件中没有需要修改的错误：请核对附件中自动计算的合计，确认无误后直接发回附件。", ""]
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
    if errs or warns:
        lines += ["", "要修改的单元格在附件中标成了红色（未填写的为黄色），旁边有批注（单元格右上角的红色小三角，"
                  "鼠标移上去即可看到）。每张表第 2 行和“封面”显示检查结果：请在附件中修改，"
                  "确认封面显示“✔ 通过”后保存为 .xlsx 并重新发送。", ""]
    return "\n".join(lines)


def _comments(findings: list[Finding]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in findings:
        if f.severity == "info" or not f.sheet or not f.cell:
            continue
        mark = "错误" if f.severity == "error" else "提醒"
        text = f"【{mark} {f.rule}】{f.message}"
        if f.advice:
            text += f"\n处理：{f.advice}"
        out[(f.sheet, f.cell)].append(text)
    return {k: "\n\n".join(v)[:MAX_COMMENT] for k, v in out.items()}


def _her_values(ret: Return) -> dict:
    """Every input as she left it: valid numbers as numbers, anything else as its text (or number)."""
    from ..workbook.xlsx import open_book

    values: dict = dict(ret.inputs)
    bad = {k for k, v in ret.inputs.items() if v is None}
    if not bad:
        return values
    try:
        book = open_book(ret.path)
    except GkxlError:
        return values
    try:
        for key in bad:
            sheet, ref = ret.sources.get(key, ("", ""))
            sh = book.sheet(sheet) if sheet else None
            if sh is None:
                continue
            from ..workbook.xlsx import _ref

            pos = _ref(ref)
            cell = sh.get(*pos) if pos else None
            if cell is None or cell.value is None:
                continue
            v = cell.value
            if isinstance(v, bool) or cell.type in ("b", "e"):
                values[key] = str(v)
            elif isinstance(v, float):
                values[key] = v if abs(v) <= 1e15 else f"{v:.6g}"
            else:
                values[key] = str(v)
    finally:
        book.close()
    return values


def corrected_copy(r: CheckResult, shown_name: str = "", comments: dict[tuple[str, str], str] | None = None,
                   prior: Mapping[CellKey, Number] | None = None) -> bytes | None:
    """Her return written anew on the form's template (see the module docstring), with `comments`
    beside cells; with last year's numbers (`prior`), the carry-over is locked and the cross-year
    checks are live in it, as in the template she was sent. None when there is nothing to write it from."""
    ret = r.ret
    if ret is None or ret.is_rollup:
        return None
    ident = ret.identity
    agency = Agency(ret.agency_code, ret.agency_name, ident.get("region", ""))
    fill = Fill(values=_her_values(ret), texts=dict(ret.texts),
                cover={k: v for k, v in ret.cover.items() if v},
                meta={k: v for k, v in (("created_at", ident.get("created_at", "")),
                                        ("feedback_for", shown_name or Path(r.path).name)) if v},
                comments=dict(comments or {}))
    if prior is not None:  # lock what last year determines, where she has it right; else she must fix it
        fill.prior = recompute(ret.form, prior)
        wanted, _ = prefill_from_prior(ret.form, fill.prior)
        fill.locked = {k for k, v in wanted.items() if ret.inputs.get(k) == v}
    kind = ident.get("kind") or "template"
    return render_workbook(ret.form, year=ret.year, agency=agency, fill=fill,
                           kind=kind if kind in ("template", "return", "sample") else "template")


def write_feedback(r: CheckResult, out_dir: str | Path, used: set[str] | None = None,
                   shown_name: str = "", prior: "Return | Mapping[CellKey, Number] | None" = None
                   ) -> tuple[Path | None, Path]:
    """(corrected workbook or None, text file) for one failing return.

    Files are named by agency code (the mail step pairs them by it); `used` keeps names unique
    within a run (two returns of one agency get CODE.xlsx and CODE-2.xlsx). Her attachment's
    name is written into the copy (custom property gkxl_feedback_for) and into the text.
    `prior`, last year's return of the agency, makes the copy's cross-year checks live."""
    prior_values = prior.values if isinstance(prior, Return) else prior
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
    book_path: Path | None = out_dir / f"{stem}.xlsx"
    data = corrected_copy(r, shown_name, prior=prior_values)
    copy = None
    if data is not None:
        copy = check_return(read_return(data, name=shown_name or Path(r.path).name), prior_values)
    findings, repaired = clerk_findings(r, copy)
    if data is not None:
        comments = _comments(findings)
        if comments:  # written again, with the comments beside the cells to fix
            data = corrected_copy(r, shown_name, comments, prior_values) or data
        atomic_write(book_path, data)
    else:
        book_path = None
    atomic_write(txt, feedback_text(r, shown_name, findings, repaired).encode("utf-8-sig"))
    return book_path, txt
