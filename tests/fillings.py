"""Random fillings of the form that satisfy every rule, for tests that recalculate in real programs."""

from __future__ import annotations

import random


def balanced(form, rnd: random.Random) -> dict:
    """Inputs that satisfy every rule of the form (一+二 = 三 + 四, 废止 <= 制发 + 现行有效)."""
    vals = {}
    for key in form.input_cells:
        vals[key] = rnd.randint(0, 30) if form.kind_of(key) == "count" else round(rnd.uniform(0, 50), 4)
    t3 = form.tables["t3"]
    for col in t3.col_ids()[:-1]:
        results = sum(vals[("t3", r, col)] for r in t3.row_ids()[2:-2])
        carry_out = rnd.randint(0, 5)
        vals[("t3", "carry_out", col)] = carry_out
        vals[("t3", "carried_in", col)] = rnd.randint(0, results + carry_out)
        vals[("t3", "new", col)] = results + carry_out - vals[("t3", "carried_in", col)]
    for row in form.tables["t2a"].row_ids():
        vals[("t2a", row, "repealed")] = min(vals[("t2a", row, "repealed")], vals[("t2a", row, "valid")])
    return vals
