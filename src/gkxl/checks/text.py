"""The check report for people (Chinese text) and for programs (JSON).

JSON shape (stable; a list, one object per input file):
    {"file", "agency", "agency_name", "year", "form", "kind", "sha256",
     "status": "pass" | "fail" | "unreadable", "errors", "warnings",
     "error", "error_code",
     "findings": [{"rule", "severity", "sheet", "cell", "message", "values",
                   "cells", "advice"}]}
"""

from __future__ import annotations

import json
from collections import defaultdict

from . import CheckResult
from ..findings import Finding

VERDICT = {"pass": "通过", "fail": "不通过", "unreadable": "无法读取"}
MARK = {"error": "✘", "warning": "！", "info": "·"}
GROUP_OVER = 6  # more findings than this of one rule on one sheet are listed as one line


def to_json(results: list[CheckResult]) -> str:
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2)


def _who(r: CheckResult) -> str:
    if r.status == "unreadable":
        return ""
    name = r.agency_name or "（未知单位）"
    code = f"（{r.agency_code}）" if r.agency_code else ""
    year = f"{r.year} 年度" if r.year else ""
    kind = "汇总表" if r.is_rollup else ""
    return f"{name}{code}{year}{kind}"


def _grouped(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Findings of one rule on one sheet beyond GROUP_OVER become one line."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.rule, f.sheet)].append(f)
    out = []
    emitted: set[tuple[str, str]] = set()
    for f in findings:
        key = (f.rule, f.sheet)
        g = groups[key]
        if len(g) > GROUP_OVER:
            if key not in emitted:
                emitted.add(key)
                out.append((f, g))
        else:
            out.append((f, [f]))
    return out


def format_result(r: CheckResult, *, show_info: bool = False) -> str:
    lines = [f"【{VERDICT[r.status]}】{_who(r)} —— {r.path}".replace("】 —— ", "】")]
    if r.status == "unreadable":
        lines.append(f"  ✘ {r.error}")
        return "\n".join(lines)
    n_e, n_w = len(r.errors), len(r.warnings)
    lines.append(f"  错误 {n_e} 项，提醒 {n_w} 项" + ("" if n_e else "；可以汇总"))
    order = {"error": 0, "warning": 1, "info": 2}
    shown = [f for f in r.findings if show_info or f.severity != "info"]
    shown.sort(key=lambda f: order[f.severity])
    for f, group in _grouped(shown):
        mark = MARK[f.severity]
        if len(group) > 1:
            cells = "、".join(g.cell for g in group[:12] if g.cell)
            more = f" 等 {len(group)} 处" if len(group) > 12 else f"（共 {len(group)} 处）"
            lines.append(f"  {mark} [{f.rule}] {f.sheet} {cells}{more}：{_generic(f)}")
        else:
            where = f" {f.where}" if f.where else ""
            lines.append(f"  {mark} [{f.rule}]{where}：{f.message}")
        if f.advice:
            lines.append(f"      处理：{f.advice}")
    return "\n".join(lines)


def _generic(f: Finding) -> str:
    from ..findings import READER_RULES
    if f.rule in READER_RULES:
        return READER_RULES[f.rule] + ("（没有的请填 0）" if f.rule == "V-BLANK" else "")
    return f.message.split("：", 1)[-1]


def format_summary(results: list[CheckResult]) -> str:
    n = len(results)
    ok = sum(r.status == "pass" for r in results)
    bad = sum(r.status == "fail" for r in results)
    unread = sum(r.status == "unreadable" for r in results)
    return f"共检查 {n} 份：通过 {ok} 份，不通过 {bad} 份，无法读取 {unread} 份。"
