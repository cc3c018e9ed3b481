"""Formula text of the live checks: rule instances, jumps from last year, status lines.

Everything here is pure text from the form (and last year's numbers): the same for every
workbook of a form, so rule conditions are memoised per form. The sheet writers place it.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from ..form import CellKey, Form, RuleInstance
from ..form.compute import Number, clean_number
from ..form.layout import _runs, a1
from .values import leaves_of
from .values import sum_formula as value_sum

PASS_TEXT = "✔ 通过：本表已填写完整，数字相互吻合"
PASS_WARN = "✔ 通过；"  # passes, with warnings to look at
STATUS_CELL = "A2"


def _fmt_num(x: Number) -> str:
    x = clean_number(x)
    return str(x)


def _ranges(cells: list[tuple[int, int]]) -> list[str]:
    """Cells as row runs: ['B5:D5', 'B6:D6', 'F9']."""
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    out = []
    for r in sorted(by_row):
        for a, b in _runs(by_row[r]):
            out.append(a1(r, a) if a == b else f"{a1(r, a)}:{a1(r, b)}")
    return out


def _rects(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cells as few rectangles (r0, c0, r1, c1): runs along each row, stacked where rows repeat."""
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    rects: list[list[int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(by_row):
        nxt: dict[tuple[int, int], list[int]] = {}
        for a, b in _runs(by_row[r]):
            rect = open_.get((a, b))
            if rect is not None and rect[2] == r - 1:
                rect[2] = r
            else:
                rect = [r, a, r, b]
                rects.append(rect)
            nxt[(a, b)] = rect
        open_ = nxt
    return [(r0, c0, r1, c1) for r0, c0, r1, c1 in rects]


def _rect_ref(rect: tuple[int, int, int, int], sheet: str = "", absolute: bool = True) -> str:
    r0, c0, r1, c1 = rect
    ref = (a1(r0, c0, absolute) if (r0, c0) == (r1, c1)
           else f"{a1(r0, c0, absolute)}:{a1(r1, c1, absolute)}")
    return f"'{sheet}'!{ref}" if sheet else ref


class _Refs:
    """Formula text for the form's cells, seen from one sheet."""

    def __init__(self, form: Form, here: str) -> None:
        self.form, self.here = form, here
        self.pos = form.plan.positions

    def total(self, weighted: Mapping[CellKey, int], const: float = 0.0) -> str:
        """sum(coef * cell) over input cells, as the rules count them (values.sum_formula)."""
        groups: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for key, coef in weighted.items():
            if coef:
                sheet, r, c = self.pos[key]
                groups.setdefault((coef, sheet), []).append((r, c))
        parts = []
        for (coef, sheet), cells in sorted(groups.items(), key=lambda g: (-g[0][0], g[0][1])):
            s = value_sum([_rect_ref(x, "" if sheet == self.here else sheet) for x in _rects(cells)])
            parts.append(s if coef == 1 else f"{coef}*({s})")
        if const:
            parts.append(_fmt_num(const))
        return "(" + ("+".join(parts) or "0") + ")"

    def leaves(self, terms, prior: Mapping[CellKey, Number] | None) -> tuple[dict[CellKey, int], float]:
        weights: dict[CellKey, int] = {}
        const = 0.0
        for t in terms:
            if t.prior:
                const += t.coef * ((prior or {}).get(t.cell) or 0)
                continue
            for leaf in leaves_of(self.form, t.cell):
                weights[leaf] = weights.get(leaf, 0) + t.coef
        return weights, const


def rule_condition(inst: RuleInstance, refs: _Refs, prior: Mapping[CellKey, Number] | None) -> str:
    """An Excel boolean that is TRUE when the rule instance is broken, exactly as checks.evaluate
    decides it: each side rounded to 6 places, a difference above 1e-6 breaks it. Totals are
    taken through their input cells, so a broken or overwritten total never hides a rule.
    Memoised per form: every template of a form has the same (and only prior values differ)."""
    consts = tuple((prior or {}).get(t.cell) or 0 for t in inst.left + inst.right if t.prior)
    cache = refs.form.plan.memo("write.conditions", lambda _: {})
    key = (id(inst), refs.here, consts)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = _rule_condition(inst, refs, prior)
        if len(cache) > 20000:
            cache.clear()
    return hit


def _rule_condition(inst: RuleInstance, refs: _Refs, prior: Mapping[CellKey, Number] | None) -> str:
    lw, lc = refs.leaves(inst.left, prior)
    rw, rc = refs.leaves(inst.right, prior)
    diff = f"(ROUND({refs.total(lw, lc)},6)-ROUND({refs.total(rw, rc)},6))"
    return {"==": f"ABS{diff}>1E-6", "<=": f"{diff}>1E-6", ">=": f"{diff}<-1E-6"}[inst.rule.op]


def jump_condition(form: Form, key: CellKey, rule, refs: _Refs, old: Number) -> str:
    """TRUE when a cell changed abnormally from last year (checks.check_plausibility, kind jump)."""
    cur = refs.total({k: 1 for k in leaves_of(form, key)})
    p = _fmt_num(old)
    hi, lo = f"MAX({cur},{p})", f"MIN({cur},{p})"
    return f"AND({hi}>={_fmt_num(rule.min_value)},IF({lo}=0,TRUE,{hi}/{lo}>={_fmt_num(rule.ratio)}))"


def status_text(n_err: int, n_warn: int, n_blank: int) -> str:
    """The status line's words (the cached value of status_formula, the same wording).
    Errors and blanks fail the sheet, as they fail `gkxl check`; warnings alone do not."""
    if n_err + n_blank == 0:
        return PASS_TEXT if n_warn == 0 else f"{PASS_WARN}有 {n_warn} 处提醒（橙色单元格），请核实。"
    s = "✘ "
    if n_err:
        s += f"有 {n_err} 处错误（红色单元格）；"
    if n_blank:
        s += f"还有 {n_blank} 个单元格未填写（黄色单元格，无数据请填 0）；"
    if n_warn:
        s += f"有 {n_warn} 处提醒（橙色单元格），请核实。"
    return s


def status_formula(err: str, blank: str, warn: str) -> str:
    """status_text as a formula over three cells that hold the counts."""
    return (f'=IF({err}+{blank}=0,IF({warn}=0,"{PASS_TEXT}","{PASS_WARN}有 "&{warn}&" 处提醒（橙色单元格），请核实。"),'
            f'"✘ "&IF({err}>0,"有 "&{err}&" 处错误（红色单元格）；","")&'
            f'IF({blank}>0,"还有 "&{blank}&" 个单元格未填写（黄色单元格，无数据请填 0）；","")&'
            f'IF({warn}>0,"有 "&{warn}&" 处提醒（橙色单元格），请核实。",""))')


_STATUS_RE = (re.compile(r"有 (\d+) 处错误"), re.compile(r"还有 (\d+) 个单元格未填写"), re.compile(r"有 (\d+) 处提醒"))


def parse_status(text: object) -> tuple[bool, int, int] | None:
    """(passes, errors + blanks, warnings) from a status line's words; None if it is not one."""
    if not isinstance(text, str) or text[:1] not in ("✔", "✘"):
        return None
    n = [sum(int(m) for m in rx.findall(text)) for rx in _STATUS_RE]
    return text.startswith("✔"), n[0] + n[1], n[2]


