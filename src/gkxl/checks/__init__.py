"""Every rule of the form, applied to a return (and to last year's, when given).

One generic engine: the form file declares the rules; here they are only
evaluated. Each finding names the sheet, the cell, the rule and the numbers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Mapping

from ..form.compute import Number, evaluate, recompute, clean_number
from ..errors import ReadError
from ..findings import Finding, finding
from ..form import CellKey, Form, RuleInstance, expand_cells
from ..form.layout import COVER_SHEET, TEXT_SHEET, a1, cell_address
from ..workbook.read import Return, iter_paths, read_return
from ..workbook.values import MAX_VALUE, text_is_blank
from .result import CheckResult, Verdict

OP_ZH = {"==": "应等于", "<=": "应不大于", ">=": "应不小于"}


def _fmt(x: Number) -> str:
    if x != x or abs(x) > MAX_VALUE:  # an absurd number is named, not printed in 300 digits
        return f"{x:.6g}"
    x = clean_number(x)
    return str(x)


def _terms_text(form: Form, inst_terms, values, prior, rows_vary: bool) -> tuple[str, dict[str, Number]]:
    """'一、本年新收 5 + 二、上年结转 2' and {name: value}: names by row or by column,
    whichever the rule's terms differ in."""
    parts, detail = [], {}
    for i, t in enumerate(inst_terms):
        src = prior if t.prior else values
        v = (src or {}).get(t.cell) or 0
        tb = form.tables[t.cell[0]]
        row = next(a for a in tb.rows if a.id == t.cell[1])
        col = next(a for a in tb.columns if a.id == t.cell[2])
        name = ("上年" if t.prior else "") + (row.short if rows_vary else col.short)
        detail[name] = v
        sign = "−" if t.coef < 0 else ("+" if i else "")
        parts.append(f"{sign} {name} {_fmt(v)}".strip())
    return " ".join(parts), detail


def _cells_of(ret: Return, keys: Iterable[CellKey]) -> list[str]:
    return [ret.source(k) for k in keys if ret.source(k)]


def check_compare(ret: Return, inst: RuleInstance, prior: Mapping[CellKey, Number] | None) -> Finding | None:
    ok, left, right = evaluate(inst, ret.values, prior)
    if ok:
        return None
    form = ret.form
    terms = inst.left + inst.right
    rows_vary = len({(t.cell[0], t.cell[1]) for t in terms}) > 1
    ltxt, ld = _terms_text(form, inst.left, ret.values, prior, rows_vary)
    rtxt, rd = _terms_text(form, inst.right, ret.values, prior, rows_vary)
    first = inst.left[0].cell if not inst.left[0].prior else inst.cells[0]
    sheet, cell = ret.sources.get(first, ("", ""))
    where = f"{inst.where}：" if inst.where else ""
    msg = (f"{where}{inst.rule.message}。{ltxt} = {_fmt(left)}，{OP_ZH[inst.rule.op]} {rtxt} = {_fmt(right)}"
           f"（相差 {_fmt(abs(left - right))}）")
    return Finding(inst.rule.id, inst.rule.severity, msg, sheet, cell,
                   {"left": left, "right": right, "left_terms": ld, "right_terms": rd, "where": inst.where},
                   _cells_of(ret, inst.cells), inst.rule.advice)


def check_sums(ret: Return) -> list[Finding]:
    """Totals as the return states them against the sum of their parts.

    With gkxl's formulas intact these always hold; they catch totals typed
    over, copied by hand, or imported from a published report."""
    out = []
    form = ret.form
    values = ret.values
    for d in form.plan.memo("checks.sums", _all_sums):
        total = values[d.cell]
        parts = sum([values[t] for t in d.terms])
        if total == parts:
            continue
        parts = clean_number(parts)
        if abs(total - parts) > 1e-6:
            sheet, cell = ret.sources.get(d.cell, ("", ""))
            out.append(Finding(d.rule, "error",
                               f"{form.label_of(d.cell)}：{d.message}。填报的合计为 {_fmt(total)}，"
                               f"各项之和为 {_fmt(parts)}（相差 {_fmt(abs(total - parts))}）",
                               sheet, cell, {"total": total, "sum": parts},
                               _cells_of(ret, (d.cell, *d.terms)), "请核对合计与各项数字。"))
    return out


def _all_sums(form: Form) -> tuple:
    return (*form.derived.values(), *form.extra_sum_rules)


def check_blanks(ret: Return) -> list[Finding]:
    out = []
    if ret.kind == "rollup" or (len(ret.inputs) == len(ret.form.input_cells) and None not in ret.inputs.values()):
        return out
    bad = {(f.sheet, f.cell) for f in ret.findings if f.rule in ("V-NUMBER", "V-TEXT-NUMBER", "V-INPUT-FORMULA")}
    for key in ret.form.input_cells:
        if ret.inputs.get(key) is None:
            sheet, cell = ret.sources.get(key, ("", ""))
            if (sheet, cell) in bad:
                continue
            out.append(finding("V-BLANK", f"{ret.form.label_of(key)}：未填写（没有的请填 0）", sheet, cell))
    return out


def check_texts(ret: Return) -> list[Finding]:
    out = []
    if ret.kind == "rollup":
        return out  # a roll-up's text is written by the region itself, later
    pos = ret.form.plan.texts
    for t in ret.form.texts:
        if t.required and text_is_blank(ret.texts.get(t.id, "")):
            r, c = pos[t.id]
            out.append(finding("V-TEXT-REQUIRED", f"文字部分“{t.label}”未填写", TEXT_SHEET, a1(r, c),
                               advice=t.hint))
    cpos = ret.form.plan.cover
    for f in ret.form.cover:
        if f.required and text_is_blank(ret.cover.get(f.id, "")):
            r, c = cpos[f.id]
            out.append(finding("V-COVER-REQUIRED", f"封面“{f.label}”未填写", COVER_SHEET, a1(r, c)))
    return out


def check_plausibility(ret: Return, prior: Mapping[CellKey, Number] | None,
                       known: "set[CellKey] | None" = None) -> list[Finding]:
    """Plausibility warnings; `known` limits the cross-year jump to cells last year's form really had."""
    out = []
    form = ret.form
    for rule in form.rules:
        if rule.kind == "all_zero":
            if form.input_cells and all(ret.inputs.get(k) == 0 for k in form.input_cells):  # stops at the first
                out.append(Finding(rule.id, rule.severity, rule.message, advice="如确无数据可以保留。"))
        elif rule.kind == "jump" and prior:
            for key in expand_cells(form.tables, rule.cells, rule.id):
                if known is not None and key not in known:
                    continue
                cur, old = ret.values.get(key, 0) or 0, prior.get(key, 0) or 0
                hi, lo = max(cur, old), min(cur, old)
                if hi >= rule.min_value and (lo == 0 or hi / lo >= rule.ratio):
                    sheet, cell = ret.sources.get(key, ("", ""))
                    out.append(Finding(rule.id, rule.severity,
                                       f"{form.label_of(key)}：{rule.message}，本年 {_fmt(cur)}，上年 {_fmt(old)}",
                                       sheet, cell, {"current": cur, "prior": old}, [ret.source(key)],
                                       "请核实数字是否填错（例如单位、位数）。"))
        elif rule.kind == "requires_text":
            keys = expand_cells(form.tables, rule.when, rule.id)
            total = sum(ret.values.get(k, 0) or 0 for k in keys)
            said = " ".join(ret.texts.get(t, "") for t in rule.texts)
            if total > 0 and (rule.keyword not in said if rule.keyword else not said.strip()):
                r, c = form.plan.texts[rule.texts[0]]
                out.append(Finding(rule.id, rule.severity, f"{rule.message}（相关数字合计 {_fmt(total)}）",
                                   TEXT_SHEET, a1(r, c), {"total": total}, _cells_of(ret, keys),
                                   f"请在文字部分写明{rule.keyword or '相关情况'}。"))
    return out


def _compare_plan(form: Form) -> list[tuple[RuleInstance, tuple[CellKey, ...]]]:
    """Each comparison with the cells of last year it needs (none for a rule of this year alone)."""
    return [(inst, tuple(t.cell for t in inst.left + inst.right if t.prior)) for inst in form.compare_instances]


def check_return(ret: Return, prior: "Return | Mapping[CellKey, Number] | None" = None) -> CheckResult:
    """All findings for one return: reading, sums, rules, cross-year, plausibility."""
    findings = list(ret.findings)
    if isinstance(prior, Return):
        mine = ret.agency_code or ret.identity.get("rollup_region", "")
        theirs = prior.agency_code or prior.identity.get("rollup_region", "")
        if mine and theirs and mine != theirs:
            findings.append(finding("X-PRIOR-AGENCY", f"上年报表 {prior.path} 属于单位“{theirs}”，不是“{mine}”，"
                                                      "未做跨年度检查"))
            prior = None
    # a Return carries its totals as reported; a plain mapping may hold only inputs
    prior_vals = prior.values if isinstance(prior, Return) else (
        recompute(ret.form, prior) if prior is not None else None)
    known = prior_cells(ret.form, prior) if prior is not None else set()
    findings += check_sums(ret)
    skipped: dict[str, list[CellKey]] = {}
    for inst, prior_terms in ret.form.plan.memo("checks.compare", _compare_plan):
        if prior_terms and prior_vals is None:
            continue
        gaps = [c for c in prior_terms if c not in known]
        if gaps:  # last year's form (e.g. the 2019 format) has no such cell: comparing with 0 would be false
            skipped.setdefault(inst.rule.id, []).extend(gaps)
            continue
        f = check_compare(ret, inst, prior_vals)
        if f:
            findings.append(f)
    findings += check_blanks(ret)
    findings += check_texts(ret)
    findings += check_plausibility(ret, prior_vals, known if prior is not None else None)
    for rule_id, gaps in skipped.items():
        names = "、".join(dict.fromkeys(ret.form.label_of(k) for k in gaps[:3]))
        findings.append(finding("X-PRIOR-FORM", f"{rule_id}：上年报表的格式中没有“{names}”，该项跨年度检查未做"))
    status = Verdict.FAIL if any(f.severity == "error" for f in findings) else Verdict.PASS
    return CheckResult(ret.path, status, ret, findings)


def prior_cells(form: Form, prior: "Return | Mapping[CellKey, Number]") -> set[CellKey]:
    """The cells of this year's form that last year's numbers really hold: what it stated, and totals
    whose parts it stated. A cell of the new form absent from an older form is not there (not 0)."""
    if isinstance(prior, Return):
        return set(prior.values) if prior.form is form else set(prior.values) & form.cell_set
    known = {k for k in prior if k in form.cell_set}
    for d in form.derived_order:
        if d.cell not in known and all(t in known for t in d.terms):
            known.add(d.cell)
    return known


class PriorIndex:
    """Last year's numbers by agency code — the one shape of "prior" a caller hands in.

    Built from files, folders or roll-ups (`PriorIndex(paths)`), or from plain values
    (`PriorIndex.of_values({code: {cell: number}})`, what crosses to worker processes)."""

    def __init__(self, paths: Iterable[str | os.PathLike] = (), form: Form | None = None) -> None:
        self.by_code: dict[str, "Return | Mapping[CellKey, Number]"] = {}
        self.problems: list[str] = []
        for p in iter_paths(paths):
            try:
                r = read_return(p, form)
            except ReadError as e:
                self.problems.append(str(e))
                continue
            code = r.agency_code or r.identity.get("rollup_region", "")
            if code:
                self.by_code[code] = r

    @classmethod
    def of_values(cls, by_code: Mapping[str, Mapping[CellKey, Number]]) -> "PriorIndex":
        idx = cls()
        idx.by_code = dict(by_code)
        return idx

    def values(self) -> dict[str, dict[CellKey, Number]]:
        """code -> last year's numbers (picklable: what worker processes get)."""
        return {c: dict(r.values) if isinstance(r, Return) else dict(r) for c, r in self.by_code.items()}

    def __len__(self) -> int:
        return len(self.by_code)

    def for_return(self, ret: Return) -> "Return | Mapping[CellKey, Number] | None":
        return self.by_code.get(ret.agency_code)


def check_file(path: str | os.PathLike, prior: PriorIndex | None = None, *, form: Form | None = None,
               expect_agency: str | None = None, expect_year: int | None = None) -> CheckResult:
    """Read and check one file; an unreadable file is a result, not an exception."""
    try:
        ret = read_return(path, form, expect_agency=expect_agency, expect_year=expect_year)
    except ReadError as e:
        return CheckResult(str(path), Verdict.UNREADABLE, None, [], str(e), e.code)
    p = prior.for_return(ret) if prior else None
    if prior is not None and len(prior) and p is None:
        res = check_return(ret, None)
        res.findings.append(finding("X-NO-PRIOR", f"没有找到单位“{ret.agency_code}”的上年报表，未做跨年度检查"))
        return res
    return check_return(ret, p)


def check_paths(paths: Iterable[str | os.PathLike], prior_paths: Iterable[str | os.PathLike] = (), *,
                form: Form | None = None, expect_year: int | None = None) -> list[CheckResult]:
    """Check every file under the given files and folders, in a stable order."""
    prior = PriorIndex(prior_paths, form) if prior_paths else None
    return [check_file(p, prior, form=form, expect_year=expect_year) for p in iter_paths(paths)]
