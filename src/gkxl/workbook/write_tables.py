"""The form's table sheets: labels, numbers, totals, validation and the live checks.

What a table sheet holds apart from the numbers — its labels, which cells are inputs, totals'
formulas, data validation, the conditional formats and check formulas of every rule — is the
same for every workbook of a form with the same locks, so it is planned once (`TablePlan`,
memoised per form) and each workbook only writes the plan with its own values and cached results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..form import CellKey, Form, expand_cells
from ..form.compute import evaluate
from ..form.layout import META_SHEET, STATUS_ROW, SheetLayout, a1, sum_formula
from .values import MAX_TEXT, bad_formula
from .write_book import COMMENT_OPTIONS, COUNT_COL, COUNT_ROW0, GENERAL_NAME, GENERAL_REF, Fill, _Writer
from .write_rules import _Refs, _ranges, _rect_ref, _rects, jump_condition, rule_condition, status_text

GENERIC_PROMPTS = {
    "count": {"input_title": "请填写整数", "input_message": "整数，≥0。没有的填 0，不要留空，不要输入文字。",
              "error_title": "只能填写整数", "error_message": "这里只能填写大于或等于 0 的整数，不能填写文字、小数或负数。"},
    "amount": {"input_title": "请填写数字", "input_message": "数字，≥0，最多 6 位小数。没有的填 0。",
               "error_title": "数字格式不对", "error_message": "这里只能填写大于或等于 0 的数字，最多保留 6 位小数，不能填写文字。"},
    "change": {"input_title": "请填写整数（可为负数）", "input_message": "整数：比上年增加填正数，减少填负数（如 -3），没有变化填 0。",
               "error_title": "只能填写整数", "error_message": "这里只能填写整数（减少时填负数），不能填写文字或小数。"},
}
LABEL_FORMATS = {"title": "title", "block": "block", "header": "header", "corner": "corner", "rowlabel": "label"}
TOTAL, TOTAL_NUMBER, INPUT = 0, 1, 2  # what a cell of the plan is


def prompts_of(form: Form, kind: str) -> dict[str, str]:
    return form.prompts.get(kind) or GENERIC_PROMPTS[kind]


@dataclass
class TablePlan:
    """One table sheet of a form as every workbook with the same locks writes it."""

    cells: list[tuple] = field(default_factory=list)  # (key, row, col, TOTAL|TOTAL_NUMBER|INPUT, formula, format)
    inputs: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: {"count": [], "amount": [], "change": []})
    all_inputs: list[str] = field(default_factory=list)  # every input cell (editable or not), as ranges
    validations: list[tuple[int, int, dict]] = field(default_factory=list)
    # rule instances shown on this sheet: (instance, row, col, multi_range, format, is_error, here, there);
    # here/there: the broken-condition formulas on this sheet and on the meta sheet (None: they use last year)
    rules: list[tuple] = field(default_factory=list)
    jumps: list[tuple] = field(default_factory=list)  # (rule, key, row, col): with last year only
    bad_inputs: list[tuple] = field(default_factory=list)  # (row, col, criteria, multi_range) per kind
    helpers: list[tuple[CellKey, int, int, str]] = field(default_factory=list)  # per editable input
    blank_refs: list[str] = field(default_factory=list)
    bad_refs: list[str] = field(default_factory=list)
    blank_range: str = ""
    landscape: bool = False


def table_plan(form: Form, sl: SheetLayout, fill: Fill, helper_col: int) -> TablePlan:
    """The plan of one table sheet for this fill's locks (kept with the form's plan)."""
    here = sl.cells
    key = (sl.name, helper_col, fill.lock_all, fill.prior is not None,
           frozenset(k for k in fill.locked if k in here), frozenset(k for k in fill.totals if k in here))
    plans = form.plan.memo("write.tables", lambda _: {})
    plan = plans.get(key)
    if plan is None:
        if len(plans) > 256:
            plans.clear()
        plan = plans[key] = _plan(form, sl, fill, helper_col)
    return plan


def _plan(form: Form, sl: SheetLayout, fill: Fill, helper_col: int) -> TablePlan:
    plan = TablePlan(landscape=sum(sl.col_widths.values()) > 95)
    all_inputs: list[tuple[int, int]] = []
    for key, (r, c) in sl.cells.items():
        kind = form.kind_of(key)
        look = "amount" if kind == "amount" else "count"  # a change looks like a count
        if key in form.derived:
            role = TOTAL_NUMBER if key in fill.totals else TOTAL
            formula = None if role == TOTAL_NUMBER else sum_formula(sl, form.derived[key].terms)
            plan.cells.append((key, r, c, role, formula, f"{look}_total"))
            continue
        all_inputs.append((r, c))
        if fill.lock_all or key in fill.locked:
            plan.cells.append((key, r, c, INPUT, None, f"{look}_fixed"))
        else:
            plan.cells.append((key, r, c, INPUT, None, f"{look}_in"))
            plan.inputs[kind].append((r, c))
    plan.all_inputs = [_rect_ref(x, sl.name) for x in _rects(all_inputs)]
    _plan_validations(form, plan)
    _plan_rules(form, sl, fill, plan)
    _plan_input_checks(form, sl, plan, helper_col)
    return plan


def _plan_validations(form: Form, plan: TablePlan) -> None:
    """Data validation on every editable number cell: counts in one, changes in one, amounts one each."""
    counts = plan.inputs["count"]
    if counts:
        plan.validations.append((*counts[0], {"validate": "integer", "criteria": ">=", "value": 0,
                                              "multi_range": " ".join(_ranges(counts)), **prompts_of(form, "count")}))
    changes = plan.inputs["change"]
    if changes:
        plan.validations.append((*changes[0], {"validate": "integer", "criteria": "between", "minimum": -10 ** 12,
                                               "maximum": 10 ** 12, "multi_range": " ".join(_ranges(changes)),
                                               **prompts_of(form, "change")}))
    for r, c in plan.inputs["amount"]:
        ref = a1(r, c)
        plan.validations.append((r, c, {
            "validate": "custom", "value": f"=AND(ISNUMBER({ref}),{ref}>=0,{ref}<={MAX_TEXT},ROUND({ref},{form.decimals_of('amount')})={ref})",
            **prompts_of(form, "amount")}))


def _plan_rules(form: Form, sl: SheetLayout, fill: Fill, plan: TablePlan) -> None:
    """The rule instances this sheet shows: the sheet a finding of each names (checks.check_compare)."""
    here, there = _Refs(form, sl.name), _Refs(form, META_SHEET)
    positions = form.plan.positions
    for inst in form.compare_instances:
        first = inst.left[0].cell if not inst.left[0].prior else (inst.cells[0] if inst.cells else None)
        if first is None or positions[first][0] != sl.name:
            continue
        if inst.uses_prior and fill.prior is None:
            continue
        cells = sorted({sl.cells[k] for k in inst.cells if k in sl.cells})
        error = inst.rule.severity == "error"
        live = (None, None) if inst.uses_prior else (rule_condition(inst, here, None), rule_condition(inst, there, None))
        plan.rules.append((inst, *cells[0], " ".join(a1(r, c) for r, c in cells), "bad" if error else "warn",
                           error, *live))
    if fill.prior is None:
        return
    for rule in form.rules:  # jumps from last year (checks.check_plausibility)
        if rule.kind == "jump":
            plan.jumps.extend((rule, key, *sl.cells[key]) for key in expand_cells(form.tables, rule.cells, rule.id)
                              if key in sl.cells)


def _plan_input_checks(form: Form, sl: SheetLayout, plan: TablePlan, helper_col: int) -> None:
    """Each editable input: red when it holds what is not a number (a flag on the meta sheet too), yellow blank."""
    at = {p: k for k, p in sl.cells.items()}
    for kind, cells in plan.inputs.items():
        if not cells:
            continue
        r0, c0 = cells[0]
        plan.bad_inputs.append((r0, c0, "=" + bad_formula(a1(r0, c0), kind, GENERAL_NAME, form.decimals_of(kind)) + "=1",
                                " ".join(_ranges(cells))))
        plan.helpers.extend((at[(r, c)], r, helper_col + c,
                             "=" + bad_formula(f"'{sl.name}'!{a1(r, c)}", kind, GENERAL_REF, form.decimals_of(kind)))
                            for r, c in cells)
    editable = plan.inputs["count"] + plan.inputs["amount"] + plan.inputs["change"]
    if editable:
        plan.blank_range = " ".join(_ranges(editable))
        plan.blank_refs = [f"COUNTBLANK({_rect_ref(x, sl.name)})" for x in _rects(editable)]
        plan.bad_refs = [f"SUM({_rect_ref((r0, helper_col + c0, r1, helper_col + c1))})"
                         for r0, c0, r1, c1 in _rects(editable)]


# ---------------------------------------------------------------- writing a sheet

def table_sheet(w: _Writer, sl: SheetLayout) -> str:
    """Write one table sheet; returns its status line's cached words (the cover shows them)."""
    plan = table_plan(w.form, sl, w.fill, w.helper_col)
    ws = w.wb.add_worksheet(sl.name)
    fmt = vars(w.fmt)
    _write_layout(ws, sl, fmt)
    _write_cells(w, ws, plan, fmt)
    w.all_inputs.append((sl.name, plan.all_inputs))
    for r, c, opts in plan.validations:
        ws.data_validation(r, c, r, c, opts)
    err: list[str] = []
    warn: list[str] = []
    n_err, n_warn = _write_rules(w, ws, plan, err, warn, fmt)
    if plan.jumps:
        n_err, n_warn = _write_jumps(w, ws, sl, plan, err, warn, n_err, n_warn)
    n_bad, n_blank = _write_input_checks(w, ws, plan, fmt)
    if plan.bad_refs:
        err[:0] = plan.bad_refs
    w.helper_col += sl.width + 1
    cached = status_text(n_err + n_bad, n_warn, n_blank)
    formula = w.add_counts(sl.name, err, plan.blank_refs, warn, (n_err + n_bad, n_blank, n_warn))
    ws.merge_range(STATUS_ROW, 0, STATUS_ROW, sl.width - 1, "", fmt["status"])
    ws.write_formula(STATUS_ROW, 0, formula, fmt["status"], cached)
    w.green_when_passing(ws, "A2", "$A$2")
    for (sheet, ref), text in w.fill.comments.items():
        if sheet == sl.name:
            ws.write_comment(ref, text, COMMENT_OPTIONS)
    w.page_setup(ws, landscape=plan.landscape)
    if len(sl.blocks) == 1:
        b = sl.blocks[0]
        ws.repeat_rows(b.first_row, b.first_row + b.header_rows - 1)
        ws.freeze_panes(b.data_row0, b.label_cols)
    w.protect(ws)
    return cached


def _write_layout(ws, sl: SheetLayout, fmt: dict) -> None:
    """Column widths, row heights and the labels (merged where they span)."""
    for c, width in sl.col_widths.items():
        ws.set_column(c, c, width)
    for r, h in sl.row_heights.items():
        ws.set_row(r, h)
    ws.set_row(STATUS_ROW, 30)
    for lb in sl.labels:
        f = fmt[LABEL_FORMATS[lb.kind]]
        if (lb.row, lb.col) == (lb.last_row, lb.last_col):
            ws.write_string(lb.row, lb.col, lb.text, f)
        else:
            ws.merge_range(lb.row, lb.col, lb.last_row, lb.last_col, lb.text, f)
    ws.set_row(0, 28)


def _write_cells(w: _Writer, ws, plan: TablePlan, fmt: dict) -> None:
    """Totals as formulas with their values (or an imported report's own numbers); inputs as filled."""
    fill, values = w.fill, w.values
    filled, formulas = fill.values, fill.input_formulas
    for key, r, c, role, formula, f in plan.cells:
        if role == TOTAL:
            ws.write_formula(r, c, formula, fmt[f], values[key])
            continue
        if role == TOTAL_NUMBER:
            ws.write_number(r, c, fill.totals[key], fmt[f])
            continue
        v = filled.get(key)
        if key in formulas:
            ws.write_formula(r, c, formulas[key], fmt[f], v if v is not None else 0)
        elif v is None:
            ws.write_blank(r, c, None, fmt[f])
        elif isinstance(v, str):  # a feedback copy keeps what the clerk typed, to be corrected
            ws.write_string(r, c, v, fmt[f])
        else:
            ws.write_number(r, c, v, fmt[f])


def _write_rules(w: _Writer, ws, plan: TablePlan, err: list[str], warn: list[str], fmt: dict) -> tuple[int, int]:
    """Each rule instance: a conditional format on its cells here, a 0/1 flag on the meta sheet."""
    n_err = n_warn = 0
    prior = w.fill.prior
    for inst, r, c, multi, f, error, here, there in plan.rules:
        if here is None:  # it uses last year's numbers: this workbook's own condition
            here = rule_condition(inst, _Refs(w.form, ws.name), prior)
            there = rule_condition(inst, _Refs(w.form, META_SHEET), prior)
        ok = evaluate(inst, w.values, prior)[0]
        ws.conditional_format(r, c, r, c, {"type": "formula", "criteria": "=" + here, "format": fmt[f],
                                           "multi_range": multi})
        ref = w.flag(there, not ok)
        if error:
            err.append(ref)
            n_err += not ok
        else:
            warn.append(ref)
            n_warn += not ok
    return n_err, n_warn


def _write_jumps(w: _Writer, ws, sl: SheetLayout, plan: TablePlan, err: list[str], warn: list[str],
                 n_err: int, n_warn: int) -> tuple[int, int]:
    """Cells that changed abnormally from last year (checks.check_plausibility, kind jump)."""
    here, there = _Refs(w.form, sl.name), _Refs(w.form, META_SHEET)
    for rule, key, r, c in plan.jumps:
        old = w.fill.prior.get(key, 0) or 0
        cur = w.values.get(key, 0) or 0
        hi, lo = max(cur, old), min(cur, old)
        broken = hi >= rule.min_value and (lo == 0 or hi / lo >= rule.ratio)
        ws.conditional_format(r, c, r, c, {"type": "formula", "format": w.fmt.warn,
                                           "criteria": "=" + jump_condition(w.form, key, rule, here, old)})
        (err if rule.severity == "error" else warn).append(w.flag(jump_condition(w.form, key, rule, there, old),
                                                                  broken))
        if rule.severity == "error":
            n_err += broken
        else:
            n_warn += broken
    return n_err, n_warn


def _write_input_checks(w: _Writer, ws, plan: TablePlan, fmt: dict) -> tuple[int, int]:
    """Not-a-number inputs red (and flagged on the meta sheet), blank ones yellow; returns (bad, blank)."""
    for r, c, criteria, multi in plan.bad_inputs:
        ws.conditional_format(r, c, r, c, {"type": "formula", "criteria": criteria, "format": fmt["bad"],
                                           "multi_range": multi})
    cv = w.cv
    n_bad = n_blank = 0
    helpers = w.helpers
    for key, r, c, formula in plan.helpers:
        v = cv[key]
        bad = v.problem is not None
        helpers.append((r, c, formula, int(bad)))
        n_bad += bad
        n_blank += v.blank
    if plan.blank_range:
        r0, c0 = next(cells[0] for cells in plan.inputs.values() if cells)
        ws.conditional_format(r0, c0, r0, c0, {"type": "blanks", "format": fmt["blank"],
                                               "multi_range": plan.blank_range})
        row = COUNT_ROW0 + len(w.counts)
        w.bad_total.append(a1(row, COUNT_COL + 3, True))
        helpers.append((row, COUNT_COL + 3, "=" + "+".join(plan.bad_refs), n_bad))
    return n_bad, n_blank
