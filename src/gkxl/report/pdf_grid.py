"""The ruled tables of a PDF page as pdfplumber finds them: every cell's box and text, a
table broken by a page break joined again, a merged cell repeated over the grid positions it
covers (as the HTML reader does). Used by parse_pdf.py."""

from __future__ import annotations

import re

from .limits import Budget
from .source import RawTable

_TOL = 2.0
_DIGITS = re.compile(r"\d[\d.,]*")


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    for i, b in enumerate(bounds):
        if abs(b - v) <= _TOL:
            return i
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def number_words(page) -> list[dict]:
    """The page's words that are numbers, with their boxes (for _Table: a number across a cell line)."""
    return [w for w in page.extract_words(x_tolerance=1) if _DIGITS.fullmatch(w["text"])]


def _join_lines(text: str) -> str:
    """A cell's lines as one text: CJK and digits wrap without a space (a number too)."""
    parts = [p.strip() for p in (text or "").split("\n") if p.strip()]
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalpha() and p[0].isascii() and p[0].isalpha():
            out += " "
        out += p
    return out


class _Table:
    """One ruled table of one page: its cell boxes with their texts."""

    def __init__(self, page_no: int, table, budget: Budget, numbers: list[dict] = ()) -> None:
        self.page = page_no
        self.bbox = table.bbox
        self.straddled: list[str] = []
        texts: dict = {}
        for row, vals in zip(table.rows, table.extract()):
            cut = self._straddled(row, numbers)
            if cut:
                # a number drawn across one of the row's cell lines ("447228" over the line between
                # 行政许可 and its value, as a redrawn grid can leave it): the row's cells would split it
                # into two numbers ("4472" | "28"), and into a blank neighbour a wrong one. Not read.
                self.straddled.append(cut)
                vals = [""] * len(vals)
            for box, val in zip(row.cells, vals):
                if box is not None:
                    texts[box] = _join_lines(val or "")
        self.cells = [(box, texts.get(box, "")) for box in table.cells if box]
        self.xs = _cluster([c[0][0] for c in self.cells])
        self.right = max(c[0][2] for c in self.cells)
        budget.add_cells(len(self.xs) * len(_cluster([c[0][1] for c in self.cells])))

    @staticmethod
    def _straddled(row, numbers: list[dict]) -> str:
        """The first number of `numbers` (words all digits) that crosses a line between two of the row's cells."""
        boxes = [b for b in row.cells if b is not None]
        if len(boxes) < 2 or not numbers:
            return ""
        top, bottom = row.bbox[1], row.bbox[3]
        lines = [a[2] for a, b in zip(boxes, boxes[1:])]
        for w in numbers:
            if top <= (w["top"] + w["bottom"]) / 2 <= bottom and any(w["x0"] < x - 1 < x + 1 < w["x1"] for x in lines):
                return w["text"]
        return ""

    def compatible(self, other: "_Table") -> bool:
        """Is `other` (first on the next page) the rest of this table? Same left and right
        edges, and one's column lines a subset of the other's (a header whose corner spans
        the label columns continues as rows that have them)."""
        if other.page != self.page + 1:
            return False
        if abs(self.xs[0] - other.xs[0]) > 3 * _TOL or abs(self.right - other.right) > 3 * _TOL:
            return False

        def within(a: list[float], b: list[float]) -> bool:
            return all(any(abs(x - y) <= 2 * _TOL for y in b) for x in a)

        return within(self.xs, other.xs) or within(other.xs, self.xs)

    def paint(self, xs: list[float]) -> tuple[list[list[str]], list[list[str]]]:
        """The table on the column lines `xs`: a merged cell repeated over every position."""
        ys = _cluster([c[0][1] for c in self.cells])
        bottom = max(c[0][3] for c in self.cells)
        w, h = len(xs), len(ys)
        rows = [[""] * w for _ in range(h)]
        where = [[""] * w for _ in range(h)]
        covered = [[False] * w for _ in range(h)]
        for (x0, top, x1, bot), text in self.cells:
            c0, r0 = _index(xs, x0), _index(ys, top)
            c1 = sum(1 for x in xs if x < x1 - _TOL) if x1 < self.right - _TOL else w
            r1 = sum(1 for y in ys if y < bot - _TOL) if bot < bottom - _TOL else h
            wh = f"第 {self.page} 页，表格第 {r0 + 1} 行第 {c0 + 1} 格（x={x0:.0f}，y={top:.0f}）"
            for r in range(r0, max(r1, r0 + 1)):
                for c in range(c0, max(c1, c0 + 1)):
                    rows[r][c] = text
                    where[r][c] = wh
                    covered[r][c] = True
        for r in range(h):
            # a row whose cells stop short of the table's right edge lost a cell (its numbers may have
            # moved left under other columns): it ends where its cells end, and is read as a short row
            while rows[r] and not covered[r][len(rows[r]) - 1]:
                rows[r].pop()
                where[r].pop()
        return rows, where


def _raw(group: list[_Table]) -> RawTable:
    """Tables joined across page breaks, on the union of their column lines."""
    xs = _cluster([x for t in group for x in t.xs])
    rows: list[list[str]] = []
    where: list[list[str]] = []
    for t in group:
        r, w = t.paint(xs)
        rows += r
        where += w
    pages = sorted({t.page for t in group})
    name = f"第 {pages[0]} 页的表格" if len(pages) == 1 else f"第 {pages[0]}–{pages[-1]} 页的表格"
    return RawTable(rows, where, name, grid=True)
