"""Rows of a table read without a label of their own in front of their numbers: table 四's one row
printed group by group, and a table whose labels and numbers came apart (read in row order). Both
are kept only when the text and the table's own sums leave no other reading (stream.py uses them)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..form import Axis, Form, Table
from .labels import norm
from .splits import equations
from .stream_text import _NUM_TOKEN, _STRAY_ROW, MARK_GAP, _label_pattern, _material, _Stream, _where
from .values_text import DASHES

if TYPE_CHECKING:
    from .stream import StreamResult


def by_groups(t: Table, r: Axis, start: int, lines, st: _Stream, res: StreamResult) -> None:
    """A row without a label printed group by group (a Markdown extraction's table 四 as three tables:
    "行政复议 | 结果维持 … 总计 | 27 10 9 15 61", "行政诉讼（未经复议直接起诉） 3 0 0 0 3", …): each
    column group's name, in the form's order, followed (its own column labels aside) by exactly as
    many numbers as it has columns, before the next group's name; read only when every group is."""
    text = st.text
    groups: list[tuple[tuple[str, ...], list[Axis]]] = []
    for c in t.columns:
        g = tuple(c.labels[:-1])
        if not g:
            return
        if groups and groups[-1][0] == g:
            groups[-1][1].append(c)
        else:
            groups.append((g, [c]))
    if len(groups) < 2 or len({g for g, _ in groups}) != len(groups):
        return
    pos = start
    found: list[tuple[list[Axis], list[str], int]] = []
    for g, cols in groups:
        rx = _label_pattern(g[-1], numbering=False)
        m = rx.search(text, pos, min(len(text), pos + MARK_GAP)) if rx else None
        if m is None:
            return
        n = re.compile(r"(?<![\d.])\d").search(text, m.end(), min(len(text), m.end() + 200))
        if n is None or any(o != g and (p := _label_pattern(o[-1], numbering=False)) is not None
                            and p.search(text, m.end(), n.start()) for o, _ in groups):
            return
        toks, stop = _material(text, n.start(), len(text))
        if len(toks) != len(cols) or any(x in DASHES for x in toks):
            return
        found.append((cols, toks, n.start()))
        pos = stop
    for cols, toks, at in found:
        where = _where(lines, st, at)
        for c, tok in zip(cols, toks):
            k = (t.id, r.id, c.id)
            res.values[k] = tok
            res.sources[k] = f"{where}（按“{'·'.join(c.labels[:-1])}”分组排列）"
            res.how[k] = "stream"
    res.rows_seen.add((t.id, r.id))
    res.row_problems.pop((t.id, r.id), None)
    res.pending.pop((t.id, r.id), None)


def separate_blocks(form: Form, t: Table, rows: list[Axis], occ, chain, lines, st: _Stream, res: StreamResult) -> None:
    """A table whose rows' numbers came apart from their labels (pdftotext without -layout):
    when the text from its first row label to its last row's numbers holds exactly one
    number per cell, every row then adds up to its own total, the table's sums across rows
    hold, every label followed by a whole row of numbers gets exactly those, and no row's
    numbers follow another row's numbered label, the numbers are read in row order."""
    text = st.text
    keys = [(t.id, r.id, c.id) for r in rows for c in t.columns]
    if all(k in res.values for k in keys) or len(rows) < 2:
        return
    if not occ[0] or not occ[-1]:
        return
    start = chain[0].start if chain[0] is not None else min(a.start for a in occ[0])
    last = chain[-1] if chain[-1] is not None else max(occ[-1], key=lambda a: a.start)
    _, stop = _material(text, last.end, len(text))
    found = list(_NUM_TOKEN.finditer(text, start, stop))
    nums = [m.group(0) for m in found]
    if len(nums) != len(keys) or any(n in DASHES for n in nums):
        return
    vals = {k: float(re.sub(r"[^\d.+-]", "", n) or "nan") for k, n in zip(keys, nums)}
    row_totals = [(c, terms) for c, terms in _row_sums(form, t) if c in vals]
    if not row_totals or not all(abs(vals[c] - sum(vals[x] for x in terms)) < 1e-6
                                 for c, terms in row_totals if all(x in vals for x in terms)):
        return
    # rows that each add up may still be the wrong rows (a row lost, another's numbers in its place):
    # the table's sums down its columns must hold too, and at least one must be there to hold
    across = [e for e in equations(form) if e.cells <= vals.keys() and len({c[1] for c in e.cells}) > 1]
    if not across or not all(e.holds(vals) for e in across):
        return
    if any(k in res.values and res.values[k] != tok for k, tok in zip(keys, nums)):
        return
    # a label that has a whole row of numbers right after it says whose they are: the reading by order
    # must give its row exactly those (else a row was lost and another stands in its place)
    n = len(t.columns)
    starts = sorted(a.start for a in chain if a is not None)
    for i, (r, a) in enumerate(zip(rows, chain)):
        # and a row's numbers must not come right after another row's numbered label ("1.申请人…" over
        # the numbers given by order to (五)4): they would be that row's
        gap = text[found[i * n - 1].end() if i else start:found[i * n].start()]
        mine = re.match(r"\d{1,2}(?=[.、．])", norm(r.labels[-1]))
        if any(not mine or m.group(1) != mine.group(0) for m in _STRAY_ROW.finditer(gap)):
            return
        if a is None:
            continue
        toks, _ = _material(text, a.end, next((x for x in starts if x > a.start), len(text)))
        if len(toks) == n and toks != nums[i * n:(i + 1) * n]:
            return
    where = _where(lines, st, start)
    for k, tok in zip(keys, nums):
        res.values[k] = tok
        res.sources[k] = f"{where}起（标签与数字分开排列，按行的顺序对应，各行合计均相符）"
        res.how[k] = "order"
    for r in rows:
        res.rows_seen.add((t.id, r.id))
        res.row_problems.pop((t.id, r.id), None)
        res.pending.pop((t.id, r.id), None)


def _row_sums(form: Form, t: Table):
    """(total cell, its terms) for each total of the table that sums cells of its own row."""
    out = []
    for d in form.derived.values():
        if d.cell[0] == t.id and all(x[0] == t.id and x[1] == d.cell[1] for x in d.terms):
            out.append((d.cell, d.terms))
    return out
