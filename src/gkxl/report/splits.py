"""Cells that ran together: "21710000218" is 217, 1, 0, 0, 0, 0, 218 only because 218 is the total.

A site's text version of a report may print a table row's numbers with no
separator at all. Such digits are cut into the row's cells only where the
table's own sums leave exactly one way to do it: every cut is tried (a
number has no leading zero, a decimal point stays inside one number, a
space the text does have is always a cut), the cuts that break a sum of the
form are dropped, and a cell is taken only when every remaining way gives
it the same number. Anything else stays missing: a guess is never a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from typing import Iterator, Sequence

from ..form import CellKey, Form

_PIECE = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
MAX_WAYS = 20_000  # cuts of one row tried at most (more: the row stays missing)
MAX_SEARCH = 200_000  # combinations of ambiguous rows tried at most


def _cuts(token: str, k: int) -> Iterator[list[str]]:
    """Every way to cut one run of digits into k numbers; a sign it starts with ("+11" after
    "0" in 上一年项目数量 0, 本年增/减 +1, 处理决定数量 1) belongs to the first."""
    if token[:1] in "+-":
        for way in _cuts(token[1:], k):
            yield [token[0] + way[0]] + way[1:]
        return
    if k == 1:
        if _PIECE.match(token):
            yield [token]
        return
    for i in range(1, len(token) - k + 2):
        head = token[:i]
        if not _PIECE.match(head):
            if head.startswith("0"):
                return  # "0" then more: only "0" itself was a number
            continue
        for rest in _cuts(token[i:], k - 1):
            yield [head] + rest


def _compositions(sizes: Sequence[int], n: int) -> Iterator[list[int]]:
    """How many numbers each token holds: each at least 1, at most its length, n in all."""
    if not sizes:
        if n == 0:
            yield []
        return
    first, rest = sizes[0], sizes[1:]
    room = sum(rest)
    for k in range(max(1, n - room), min(first, n - len(rest)) + 1):
        for tail in _compositions(rest, n - k):
            yield [k] + tail


def row_ways(tokens: Sequence[str], n: int, limit: int = MAX_WAYS) -> list[list[str]] | None:
    """Every cut of the tokens into n numbers (None: more than `limit`, too many to judge)."""
    out: list[list[str]] = []
    sizes = [len(t.lstrip("+-").replace(".", "")) for t in tokens]
    for counts in _compositions(sizes, n):
        per_token = [list(_cuts(t, k)) for t, k in zip(tokens, counts)]
        if any(not p for p in per_token):
            continue
        for combo in product(*per_token):
            out.append([x for part in combo for x in part])
            if len(out) > limit:
                return None
    return out


def _num(s: str) -> float:
    return float(s)


@dataclass
class Equation:
    """sum(coef * cell) == 0 over cells of the form (a total and its parts, or a compare rule)."""

    terms: tuple[tuple[int, CellKey], ...]
    rule: str

    @property
    def cells(self) -> set[CellKey]:
        return {c for _, c in self.terms}

    def holds(self, values: dict[CellKey, float]) -> bool:
        return abs(sum(k * values[c] for k, c in self.terms)) < 1e-6


def equations(form: Form) -> list[Equation]:
    """The form's sums and its equality rules on this year's cells, as equations."""
    out = []
    for d in list(form.derived.values()) + list(form.extra_sum_rules):
        out.append(Equation(((1, d.cell),) + tuple((-1, t) for t in d.terms), d.rule))
    for inst in form.compare_instances:
        if inst.rule.op != "==" or inst.uses_prior or inst.rule.severity != "error":
            continue
        terms = tuple((t.coef, t.cell) for t in inst.left) + tuple((-t.coef, t.cell) for t in inst.right)
        out.append(Equation(terms, inst.rule.id))
    return out


def solve(rows: dict, known: dict[CellKey, float],
          eqs: list[Equation]) -> tuple[dict[CellKey, str], dict[CellKey, int]]:
    """Cells certain from rows cut several ways.

    `rows`: row name -> (its cells in order, the ways to cut its digits); `known`: cells read
    directly. A way survives if it satisfies every equation whose other cells are known
    (repeated as rows become certain); rows still ambiguous are then combined, a group of
    rows linked by equations at a time. Returns (cell -> text of the number, when every
    surviving combination agrees) and (cell -> how many numbers stayed possible)."""
    ways = {n: list(w) for n, (_, w) in rows.items()}
    cells_of = {n: list(c) for n, (c, _) in rows.items()}
    values = dict(known)

    def filt(n: str) -> None:
        mine = set(cells_of[n])
        local = [e for e in eqs if e.cells & mine and e.cells <= mine | set(values)]
        if not local:
            return
        good = []
        for w in ways[n]:
            vals = dict(values)
            vals.update({c: _num(x) for c, x in zip(cells_of[n], w)})
            if all(e.holds(vals) for e in local):
                good.append(w)
        ways[n] = good

    settled: set[str] = set()
    # a row whose own sum leaves one cut is read so, whatever the other rows say: "20 0 00 0 121" is
    # 20/0/0/0/0/1/21 because 20 + 1 = 21, even where the rows above add to 26 (the report's fault,
    # for audit to show; read through the other rows' sums, the row would be lost with it)
    for n in rows:
        mine = set(cells_of[n])
        own = [e for e in eqs if e.cells <= mine]
        if not own:
            continue
        ways[n] = [w for w in ways[n] if all(e.holds({c: _num(x) for c, x in zip(cells_of[n], w)}) for e in own)]
        if len(ways[n]) == 1:
            values.update({c: _num(x) for c, x in zip(cells_of[n], ways[n][0])})
            settled.add(n)
    changed = True
    while changed:
        changed = False
        for n in rows:
            if n in settled:
                continue
            before = len(ways[n])
            filt(n)
            if len(ways[n]) == 1:
                values.update({c: _num(x) for c, x in zip(cells_of[n], ways[n][0])})
                settled.add(n)
                changed = True
            elif len(ways[n]) != before:
                changed = True
    certain: dict[CellKey, str] = {}
    choices: dict[CellKey, int] = {}
    for n in settled:
        certain.update(zip(cells_of[n], ways[n][0]))
    open_rows = [n for n in rows if n not in settled and ways[n]]
    for n in rows:
        if not ways[n]:
            for c in cells_of[n]:
                choices[c] = 0
    # groups of open rows linked by an equation
    group_of = {n: {n} for n in open_rows}
    for e in eqs:
        touched = [n for n in open_rows if e.cells & set(cells_of[n])]
        if len(touched) > 1 and e.cells <= set(values) | {c for n in touched for c in cells_of[n]}:
            merged = set().union(*(group_of[n] for n in touched))
            for n in merged:
                group_of[n] = merged
    seen_groups: list[set[str]] = []
    for g in group_of.values():
        if g not in seen_groups:
            seen_groups.append(g)
    for g in seen_groups:
        names = sorted(g)
        gcells = {c for n in names for c in cells_of[n]}
        geqs = [e for e in eqs if e.cells & gcells and e.cells <= gcells | set(values)]
        total = 1
        for n in names:
            total *= len(ways[n])
        solutions: list[dict[CellKey, str]] = []
        if len(names) > 1 and geqs and total <= MAX_SEARCH:
            for combo in product(*(ways[n] for n in names)):
                vals = dict(values)
                texts: dict[CellKey, str] = {}
                for n, w in zip(names, combo):
                    for c, x in zip(cells_of[n], w):
                        vals[c] = _num(x)
                        texts[c] = x
                if all(e.holds(vals) for e in geqs):
                    solutions.append(texts)
        else:
            solutions = [dict(zip(cells_of[n], w)) for n in names for w in ways[n]] if len(names) == 1 else []
        for n in names:
            for c in cells_of[n]:
                got = {s[c] for s in solutions if c in s}
                if len(got) == 1:
                    certain[c] = got.pop()
                else:
                    choices[c] = len(got)
    return certain, choices
