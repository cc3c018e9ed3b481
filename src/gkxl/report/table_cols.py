"""A table row's labels and its columns: where the labels of a row end, labels merged over
several rows, the header's column paths, and which value cell is which column of the form
(by the header's labels, or by order when the count fits). Used by table_rows.py."""

from __future__ import annotations

from ..form import Axis, Table
from .labels import core, label_eq, loose, norm
from .values_text import value_like


def last_label(cells: list[str]) -> int:
    """Index of the last cell that is a label (non-empty, not a number); -1 if none."""
    last = -1
    for i, c in enumerate(cells):
        if c and not value_like(c):
            last = i
    return last


def dedupe(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if not out or norm(out[-1]) != norm(x):
            out.append(x)
    return out


def fill_down(labs: list[str], prev: list[str]) -> list[str]:
    """A row label merged over several rows and flattened to one cell leaves
    the cells below it empty: a deeper label in this row means the empty
    cell before it continues the label above."""
    labs = list(labs)
    for i in range(len(labs) - 2, -1, -1):
        if not labs[i] and any(labs[i + 1:]) and i < len(prev) and prev[i]:
            labs[i] = prev[i]
    return labs


def header_paths(header: list[list[str]], L: int) -> list[list[str]]:
    """For each column from L on, its header labels top to bottom.

    A merged header flattened into its first cell leaves the cells to its
    right empty: an empty header cell above a non-empty one continues the
    header to its left."""
    grid = [list(r) for r in header]
    width = len(grid[0])
    for r in range(len(grid) - 2, -1, -1):
        for c in range(max(L, 1), width):
            if not grid[r][c] and grid[r + 1][c] and grid[r][c - 1] and c - 1 >= L:
                grid[r][c] = grid[r][c - 1]
    return [dedupe([grid[r][c] for r in range(len(grid)) if grid[r][c]]) for c in range(width)]


def label_map(t: Table, paths: list[list[str]], L: int) -> dict[str, list[int]] | None:
    """Form column id -> positions whose header labels name it; None unless
    every column of the table is found."""
    out: dict[str, list[int]] = {}
    for p in range(L, len(paths)):
        path = paths[p]
        if not path:
            continue
        best: list[tuple[int, str]] = []
        for col in t.columns:
            if not col.labels or not label_eq(path[-1], col.labels[-1]):
                continue
            score = sum(1 for a in col.labels[:-1] if any(label_eq(a, x) for x in path[:-1]))
            best.append((score, col.id))
        best.sort(reverse=True)
        if best and (len(best) == 1 or best[0][0] > best[1][0]):
            out.setdefault(best[0][1], []).append(p)
    if all(c.id in out for c in t.columns):
        return out
    return None


def order_map(t: Table, vcells: list[str]) -> dict[str, list[int]] | None:
    """The trailing number cells in the form's column order, when their count
    fits (extra cells must be empty, or all repeat one merged value)."""
    n, k = len(t.columns), len(vcells)
    if k < n:
        return None
    start = 0
    if k > n:
        lead, trail = all(not v for v in vcells[: k - n]), all(not v for v in vcells[n:])
        if lead and trail and vcells[k - n:] != vcells[:n]:
            # empty cells both before and after: a row whose first number is blank, or one whose cells
            # stop short of the table's edge -- the two readings differ and nothing says which (never a guess)
            return None
        if lead:
            start = k - n
        elif trail:
            start = 0
        elif n == 1 and len({norm(v) for v in vcells if v}) == 1:
            return {t.columns[0].id: [i for i, v in enumerate(vcells) if v]}
        else:
            return None
    return {c.id: [start + j] for j, c in enumerate(t.columns)}


def in_header(col: Axis, header_text: str) -> bool:
    """Does the header mention this column's own label? (Characters in
    order: a label split over two rows, "商业" / "企业", still counts.)"""
    if not col.labels:
        return True
    want = loose(col.labels[-1]) or core(col.labels[-1])
    it = iter(header_text)
    return all(ch in it for ch in want)
