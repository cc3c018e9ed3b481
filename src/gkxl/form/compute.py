"""Arithmetic of a form: recompute derived cells and evaluate compare rules.

Shared by the template writer (cached values and live-check status), the
checks and the roll-up, so the workbook and gkxl can never disagree.
"""

from __future__ import annotations

from typing import Mapping

from . import CellKey, Form, RuleInstance

Number = int | float
EPS = 1e-6


def clean_number(x: Number) -> Number:
    """Round away float noise: 0.1+0.2 -> 0.3, 12.0 -> 12."""
    r = round(float(x), 6)
    return int(r) if r == int(r) else r


tidy = clean_number  # the older name (the roll-up's long table is Rollup.tidy())


def recompute(form: Form, inputs: Mapping[CellKey, Number | None]) -> dict[CellKey, Number]:
    """All cells: inputs as given (blank as 0, as Excel's SUM does), derived as sums."""
    vals: dict[CellKey, Number] = {k: (inputs.get(k) or 0) for k in form.input_cells}
    for d in form.derived_order:
        total = sum([vals[t] for t in d.terms])
        vals[d.cell] = total if type(total) is int else clean_number(total)  # counts: exact already
    return vals


def side(terms, values: Mapping[CellKey, Number], prior: Mapping[CellKey, Number] | None) -> Number:
    total: Number = 0
    for t in terms:
        src = prior if t.prior else values
        total += t.coef * ((src or {}).get(t.cell) or 0)
    return clean_number(total)


def holds(op: str, left: Number, right: Number) -> bool:
    if op == "==":
        return abs(left - right) <= EPS
    if op == "<=":
        return left <= right + EPS
    return left >= right - EPS


def evaluate(inst: RuleInstance, values: Mapping[CellKey, Number],
             prior: Mapping[CellKey, Number] | None = None) -> tuple[bool, Number, Number]:
    """(holds, left, right). Callers skip prior rules when there is no prior."""
    left = side(inst.left, values, prior)
    right = side(inst.right, values, prior)
    return holds(inst.rule.op, left, right), left, right
