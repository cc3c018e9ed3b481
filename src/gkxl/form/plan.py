"""One compiled plan of a form: where every cell sits, what every label and total formula must be.

Built once per Form (`form.plan`) and used by everything that places or finds cells — the
writer, the reader, the checks, the roll-up — so they can never derive two different answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, TypeVar

from . import CellKey, Form
from .layout import SheetLayout, a1, build_layouts, cover_positions, sum_formula, text_positions

T = TypeVar("T")
_FORMULA_NORM = re.compile(r"[\s$]")


def formula_norm(f: str) -> str:
    """A formula as compared: no spaces or $, upper case, no leading '='."""
    f = _FORMULA_NORM.sub("", f or "").upper()
    return f[1:] if f.startswith("=") else f


@dataclass
class Block:
    """One table on its sheet: the labels that identify it and every cell with its place."""

    sheet: str
    layout: SheetLayout
    block: object  # layout's table block (rows, columns, first/last row)
    labels: list[tuple[int, int, str]]  # (row, col, text) of corner, header and row labels
    # (key, row, col, 'B5', kind, is_total, (sheet, 'B5')) per cell, in reading order
    cells: list[tuple] = field(default_factory=list)


@dataclass
class Plan:
    form: Form
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, name: str, build: Callable[[Form], T]) -> T:
        """What a layer compiles from the form once and reuses for every workbook (the writer's sheet
        plans, the reader's expectations...): kept with the form's plan, so it lives as long as the form
        and no module keeps a cache of forms of its own."""
        try:
            return self._memo[name]
        except KeyError:
            value = self._memo[name] = build(self.form)
            return value

    @cached_property
    def layouts(self) -> dict[str, SheetLayout]:
        return build_layouts(self.form)

    @cached_property
    def positions(self) -> dict[CellKey, tuple[str, int, int]]:
        """Every data cell -> (sheet name, row, col)."""
        return {key: (name, r, c) for name, sl in self.layouts.items() for key, (r, c) in sl.cells.items()}

    @cached_property
    def sources(self) -> dict[CellKey, tuple[str, str]]:
        """Every data cell -> (sheet, 'B5') where the form puts it."""
        return {k: (s, a1(r, c)) for k, (s, r, c) in self.positions.items()}

    @cached_property
    def blocks(self) -> list[Block]:
        form = self.form
        out = []
        for sname, sl in self.layouts.items():
            for block in sl.blocks:
                t = block.table
                first = block.first_row
                labels = [(lb.row, lb.col, lb.text) for lb in sl.labels
                          if lb.kind in ("corner", "header", "rowlabel") and first <= lb.row <= block.last_row
                          and lb.text]
                cells = []
                for rw in t.rows:
                    for col in t.columns:
                        key = (t.id, rw.id, col.id)
                        r, c = sl.cells[key]
                        ref = a1(r, c)
                        cells.append((key, r, c, ref, form.kinds[key], key in form.derived, (sname, ref)))
                out.append(Block(sname, sl, block, labels, cells))
        return out

    @cached_property
    def formulas(self) -> dict[CellKey, str]:
        """Every total's formula as the writer writes it ('=SUM(B5:D5)')."""
        out = {}
        for sl in self.layouts.values():
            for key, d in self.form.derived.items():
                if key in sl.cells:
                    out[key] = sum_formula(sl, d.terms)
        return out

    @cached_property
    def formulas_normalised(self) -> dict[CellKey, str]:
        return {k: formula_norm(v) for k, v in self.formulas.items()}

    @cached_property
    def cover(self) -> dict[str, tuple[int, int]]:
        return cover_positions(self.form)

    @cached_property
    def texts(self) -> dict[str, tuple[int, int]]:
        return text_positions(self.form)
