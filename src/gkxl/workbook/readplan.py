"""The reader's plan of a form, compiled once per form: where each table block's inputs and totals
are, each total's formula as the workbook should hold it, and the whole-block reading of a table
that is as nearly every return has it (read.py reads any other cell by cell; the two readings are
compared on every corpus case and shape by tests/test_xlsx_scan.py and tests/test_shapes_scan.py).
"""

from __future__ import annotations

from operator import attrgetter

from ..form import CellKey, Form
from ..form.compute import clean_number
from ..form.plan import formula_norm
from .values import MAX_VALUE

COUNT = "count"
TYPE_OF = {str: "s", float: "n", bool: "b"}  # a bare value's type, as RawCell.type


class BlockRead:
    """One table block of the form as the reader walks it, compiled once per form."""

    __slots__ = ("sheet", "layout", "block", "labels", "cells", "sources", "input_keys", "input_pos",
                 "total_keys", "total_pos", "total_formulas", "formulas_bytes", "formulas_text")

    def __init__(self, bp, expected_raw: dict) -> None:
        self.sheet, self.layout, self.block, self.labels = bp.sheet, bp.layout, bp.block, bp.labels
        # (key, (row, col), 'B5', kind, is_total) in reading order
        self.cells = [(key, (r, c), ref, kind, is_total) for key, r, c, ref, kind, is_total, _src in bp.cells]
        self.sources = {key: src for key, _r, _c, _ref, _k, _t, src in bp.cells}
        self.input_keys = [key for key, _p, _r, _k, is_total in self.cells if not is_total]
        self.input_pos = [pos for _k, pos, _r, _kind, is_total in self.cells if not is_total]
        self.total_keys = [key for key, _p, _r, _k, is_total in self.cells if is_total]
        self.total_pos = [pos for _k, pos, _r, _kind, is_total in self.cells if is_total]
        # each total's formula as written: (text, bytes); None when only the normalised comparison can tell
        self.total_formulas = [expected_raw.get(key) for key in self.total_keys]
        self.formulas_bytes = [w[1] if w else None for w in self.total_formulas]
        self.formulas_text = [w[0] if w else None for w in self.total_formulas]

    def read_usual(self, vals: dict, extra: dict, identity: bool, inputs: dict, reported: dict) -> bool:
        """The whole block at once when it is as nearly every return has it -- every input a whole
        number within range, every total its formula with a number in range or no result -- and then True;
        else False and nothing is touched (the caller reads cell by cell). Nothing here can be a finding.
        The inputs' sums are the inputs themselves (the caller copies them)."""
        try:
            ins = list(map(vals.__getitem__, self.input_pos))
            if not all(map(float.is_integer, ins)):  # TypeError: text or a boolean
                return False
            tots = list(map(extra.__getitem__, self.total_pos))
        except (KeyError, TypeError):
            return False
        if ins and (min(ins) < 0.0 or max(ins) > MAX_VALUE):
            return False
        if not all(map(_HAS_FORMULA, tots)):
            return False
        if identity:
            fs = list(map(_FORMULA, tots))
            if fs != self.formulas_bytes and fs != self.formulas_text:  # each as written: the usual case
                for f, want in zip(fs, self.total_formulas):
                    if f and (want is None or f != want[f.__class__ is bytes]):
                        return False  # written otherwise: compared normalised, cell by cell
        xs = list(map(_VALUE, tots))
        try:
            whole = all(map(float.is_integer, xs)) and (not xs or (min(xs) >= -MAX_VALUE and max(xs) <= MAX_VALUE))
        except TypeError:  # a total without a result, or not a number
            whole = False
        if whole:
            shown = list(map(int, xs))  # clean_number of a whole number in range
        else:
            shown = []
            for c, x in zip(tots, xs):
                if x is None:
                    shown.append(None)  # no result kept (openpyxl saves formulas without one): nothing to compare
                elif c.type != "n" or x.__class__ is not float or not -MAX_VALUE <= x <= MAX_VALUE:
                    return False
                else:
                    shown.append(clean_number(x))
        inputs.update(zip(self.input_keys, map(int, ins)))
        reported.update(zip(self.total_keys, shown))
        return True


_HAS_FORMULA = attrgetter("has_formula")
_FORMULA = attrgetter("_formula")
_VALUE = attrgetter("value")


class FormRead:
    """What the reader needs of a form, compiled once: blocks, and each total's formula
    as the workbook should hold it (normalised; and as bytes and text, compared raw first)."""

    def __init__(self, form: Form) -> None:
        self.expected = form.plan.formulas_normalised
        self.expected_raw: dict[CellKey, tuple[str, bytes]] = {
            k: (v, v.encode("utf-8")) for k, v in self.expected.items() if formula_norm(v) == v}
        self.blocks = [BlockRead(bp, self.expected_raw) for bp in form.plan.blocks]


def form_read(form: Form) -> FormRead:
    """The reader's plan of a form, compiled once and kept with the form's plan."""
    return form.plan.memo("read.plan", FormRead)
