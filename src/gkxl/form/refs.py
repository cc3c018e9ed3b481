"""References in a form file ("t3.new.*", "prior:t3.carry.total") and their expansion into cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..errors import FormError
from .model import CellKey, Form, Rule, RuleInstance, Table, Term

def _axis_span(axis: list[str], spec: str, what: str, ctx: str) -> list[str]:
    if spec == "*":
        return list(axis)
    if ".." in spec:
        a, b = spec.split("..", 1)
        if a not in axis or b not in axis:
            raise FormError(f"{ctx}：范围“{spec}”中的{what}不存在", code="FORM_REF")
        i, j = axis.index(a), axis.index(b)
        if i > j:
            raise FormError(f"{ctx}：范围“{spec}”首尾颠倒", code="FORM_REF")
        return axis[i:j + 1]
    if spec not in axis:
        raise FormError(f"{ctx}：{what}“{spec}”不存在", code="FORM_REF")
    return [spec]


@dataclass(frozen=True)
class Ref:
    """A parsed reference pattern like '-prior:t3.new.*'."""

    coef: int
    prior: bool
    table: str
    row: str
    col: str

    @property
    def wild_row(self) -> bool:
        return self.row == "*"

    @property
    def wild_col(self) -> bool:
        return self.col == "*"


def parse_ref(text: str, tables: dict[str, Table], ctx: str) -> Ref:
    s = text.strip()
    coef = 1
    if s.startswith("-"):
        coef, s = -1, s[1:].strip()
    prior = False
    if s.startswith("prior:"):
        prior, s = True, s[len("prior:"):]
    parts = s.split(".")
    # a range "a..b" splits into an empty middle part; glue it back
    glued: list[str] = []
    i = 0
    while i < len(parts):
        if i + 2 < len(parts) and parts[i + 1] == "":
            glued.append(parts[i] + ".." + parts[i + 2])
            i += 3
        else:
            glued.append(parts[i])
            i += 1
    if len(glued) != 3:
        raise FormError(f"{ctx}：引用“{text}”应写作 表.行.列", code="FORM_REF")
    table, row, col = glued
    if table not in tables:
        raise FormError(f"{ctx}：引用“{text}”中的表“{table}”不存在", code="FORM_REF")
    return Ref(coef, prior, table, row, col)


def _expand(ref: Ref, tables: dict[str, Table], ctx: str, row: str | None = None,
            col: str | None = None) -> list[CellKey]:
    t = tables[ref.table]
    rows = [row] if (ref.row == "*" and row is not None) else _axis_span(t.row_ids(), ref.row, "行", ctx)
    cols = [col] if (ref.col == "*" and col is not None) else _axis_span(t.col_ids(), ref.col, "列", ctx)
    for r in rows:
        if r not in t.row_ids():
            raise FormError(f"{ctx}：表“{t.id}”没有行“{r}”", code="FORM_REF")
    for c in cols:
        if c not in t.col_ids():
            raise FormError(f"{ctx}：表“{t.id}”没有列“{c}”", code="FORM_REF")
    return [(t.id, r, c) for r in rows for c in cols]


def _iteration(refs: list[Ref], tables: dict[str, Table], ctx: str) -> tuple[str, list[str], str]:
    """Which axis a '*' ranges over: ('row'|'col'|'', the ids, the table)."""
    wild = [r for r in refs if r.wild_row or r.wild_col]
    if not wild:
        return "", [""], ""
    axes = {("row" if r.wild_row else "col") for r in wild}
    if any(r.wild_row and r.wild_col for r in wild) or len(axes) > 1:
        raise FormError(f"{ctx}：一条规则只能在行或列之一上使用“*”", code="FORM_REF")
    axis = axes.pop()
    t = tables[wild[0].table]
    ids = t.row_ids() if axis == "row" else t.col_ids()
    for r in wild:
        other = tables[r.table]
        other_ids = other.row_ids() if axis == "row" else other.col_ids()
        if other_ids != ids:
            raise FormError(f"{ctx}：“*”所在的表行列不一致", code="FORM_REF")
    return axis, ids, t.id


def expand_compare(form: Form, rule: Rule) -> list[RuleInstance]:
    ctx = f"表单 {form.path} 规则 {rule.id}"
    left = [parse_ref(x, form.tables, ctx) for x in rule.left]
    right = [parse_ref(x, form.tables, ctx) for x in rule.right]
    axis, ids, table = _iteration(left + right, form.tables, ctx)
    out = []
    for item in ids:
        kw = {"row": item} if axis == "row" else {"col": item} if axis == "col" else {}

        def terms(refs: list[Ref]) -> tuple[Term, ...]:
            res = []
            for r in refs:
                for key in _expand(r, form.tables, ctx, **kw):
                    res.append(Term(r.coef, key, r.prior))
            return tuple(res)

        where = ""
        if axis:
            t = form.tables[table]
            ax = t.rows if axis == "row" else t.columns
            where = next(a.short for a in ax if a.id == item)
        out.append(RuleInstance(rule, terms(left), terms(right), where))
    return out


def expand_cells(form_tables: dict[str, Table], patterns: Iterable[str], ctx: str) -> list[CellKey]:
    out: list[CellKey] = []
    for p in patterns:
        ref = parse_ref(p, form_tables, ctx)
        out.extend(_expand(ref, form_tables, ctx))
    return out
