"""Realistic fictional returns, for the samples, the tests and the benchmarks.

Values are drawn per cell (many zeros, a long tail, bigger agencies bigger),
then the form's own equality rules are solved by adjusting one input per rule
instance, so a generated return passes every rule of whatever form it is
given: nothing here knows gb2021's labels.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from pathlib import Path
from typing import Mapping

from .form.compute import Number, evaluate, recompute
from .form import CellKey, Form
from .roster import Agency
from .workbook.write import Fill, write_workbook



def random_inputs(form: Form, rnd: random.Random, size: float = 1.0) -> dict[CellKey, Number]:
    """Skewed, mostly-small, sometimes-zero values for every input cell."""
    vals: dict[CellKey, Number] = {}
    for sh in form.sheets:
        for t in sh.tables:
            for i, row in enumerate(t.rows):
                for j, col in enumerate(t.columns):
                    key = (t.id, row.id, col.id)
                    if key in form.derived:
                        continue
                    weight = size / (1 + 0.6 * i) / (1 + 0.8 * j)
                    if rnd.random() < 0.45:
                        v: float = 0
                    else:
                        v = math.exp(rnd.gauss(1.2, 1.1)) * weight * 3
                    if t.cell_kind(row.id, col.id) == "amount":
                        vals[key] = round(v, 4)
                    else:
                        vals[key] = int(v)
    return vals


def solve(form: Form, vals: dict[CellKey, Number], prior: Mapping[CellKey, Number] | None = None,
          rounds: int = 4) -> dict[CellKey, Number]:
    """Adjust inputs until every compare rule holds (prior rules when prior given)."""
    inputs = set(form.input_cells)
    insts = [i for i in form.compare_instances if prior is not None or not i.uses_prior]
    insts.sort(key=lambda i: not i.uses_prior)  # carry-overs first, then balances
    pinned = {t.cell for i in insts if i.uses_prior and i.rule.op == "==" for t in i.left if not t.prior}
    for _ in range(rounds):
        all_ok = True
        for inst in insts:
            ok, left, right = evaluate(inst, recompute(form, vals), prior)
            if ok:
                continue
            all_ok = False
            diff = left - right  # want 0 (==) or <= 0 / >= 0
            for side, sign in ((inst.left, -1), (inst.right, 1)):
                done = False
                for t in side:
                    if t.prior or t.cell not in inputs or (t.cell in pinned and not inst.uses_prior):
                        continue
                    new = vals.get(t.cell, 0) + sign * t.coef * diff
                    if new >= 0:
                        vals[t.cell] = round(new, 4) if isinstance(new, float) else int(new)
                        done = True
                        break
                if done:
                    break
        if all_ok:
            break
    return vals


def realistic_return(form: Form, seed: int, prior: Mapping[CellKey, Number] | None = None,
                     size: float | None = None) -> dict[CellKey, Number]:
    rnd = random.Random(seed)
    vals = random_inputs(form, rnd, size if size is not None else rnd.choice([0.3, 1, 1, 2, 5]))
    if prior is not None:  # this year looks like last year, give or take
        for k, v in vals.items():
            old = prior.get(k) or 0
            x = old * rnd.uniform(0.7, 1.4) if old else (v if rnd.random() < 0.3 else 0)
            vals[k] = round(x, 4) if form.kind_of(k) == "amount" else int(round(x))
    return solve(form, vals, recompute(form, prior) if prior is not None else None)


def sample_texts(form: Form, agency: Agency, year: int) -> dict[str, str]:
    """Example texts as the form file words them ([samples] texts), "无。" where it has none."""
    out = {}
    for t in form.texts:
        text = form.sample_texts.get(t.id, "无。")
        out[t.id] = text.replace("{year}", str(year)).replace("{next}", str(year + 1)).replace("{agency}", agency.name)
    return out


def write_return(path: str | Path, form: Form, agency: Agency, year: int, values: Mapping[CellKey, Number | None],
                 *, texts: Mapping[str, str] | None = None, contact: str = "张敏", phone: str = "0451-5675700",
                 saved_at: datetime | None = None) -> Path:
    """A return as a clerk sends it: the agency's template, filled in."""
    fill = Fill(values=dict(values), texts=dict(texts if texts is not None else sample_texts(form, agency, year)),
                cover={"contact": contact, "phone": phone,
                       "fill_date": (saved_at or datetime(year + 1, 1, 15)).strftime("%Y-%m-%d")})
    if saved_at:
        fill.meta["created_at"] = saved_at.isoformat()
    return write_workbook(path, form, year=year, agency=agency, fill=fill, kind="return")
