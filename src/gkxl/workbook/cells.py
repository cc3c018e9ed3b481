"""What the package reader gives: cells of a sheet, by (row, column) from 0.

A sheet keeps its cells in two dicts. `values` holds the cells that are only a value -- the
labels and numbers that are nearly all of a return -- as the bare value, its type told by the
Python type (str: text, float: number, bool: boolean); no object is made for them. `extra`
holds every other cell as a RawCell: formulas (with or without a cached value) and error
values. `cells` gives both as RawCells, built on first use, for code that wants one shape.
"""

from __future__ import annotations

import re

_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_TYPE_OF = {str: "s", float: "n", bool: "b"}


def unescape_named(text: str) -> str:
    """XML's five named entities, and nothing else (&amp; last, so "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&apos;", "'").replace("&amp;", "&")


class RawCell:
    """One cell: value (str, float, bool or None); type 'n' number, 's' string,
    'b' bool, 'e' error, '' blank; formula: text of <f> ('' for a shared-formula
    child), kept as checked escaped bytes until asked for -- few are ever read."""

    __slots__ = ("value", "type", "_formula", "has_formula")

    def __init__(self, value: object, type: str, formula: str | bytes | None = None,
                 has_formula: bool = False) -> None:
        self.value = value
        self.type = type
        self._formula = formula
        self.has_formula = has_formula

    @property
    def formula(self) -> str | None:
        f = self._formula
        if f.__class__ is bytes:  # UTF-8 with only the five named entities (checked by the scan)
            f = self._formula = unescape_named(f.decode("utf-8"))  # type: ignore[union-attr]
        return f  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawCell):
            return NotImplemented
        return (self.value, self.type, self.formula, self.has_formula) == (
            other.value, other.type, other.formula, other.has_formula)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawCell({self.value!r}, {self.type!r}, {self.formula!r}, {self.has_formula!r})"


def plain(cell: RawCell) -> bool:
    """A cell that is only its value, with the type its Python type tells (kept in `values`)."""
    return (not cell.has_formula and cell.value is not None
            and _TYPE_OF.get(cell.value.__class__) == cell.type)


class RawSheet:
    __slots__ = ("name", "state", "protected", "values", "extra", "_cells")

    def __init__(self, name: str, state: str, protected: bool, values: dict[tuple[int, int], object],
                 extra: dict[tuple[int, int], RawCell] | None = None) -> None:
        self.name = name
        self.state = state  # visible | hidden | veryHidden
        self.protected = protected
        self.values = values
        self.extra = extra if extra is not None else {}
        self._cells: dict[tuple[int, int], RawCell] | None = None

    @classmethod
    def of_cells(cls, name: str, state: str, protected: bool, cells: dict[tuple[int, int], RawCell]) -> "RawSheet":
        values: dict[tuple[int, int], object] = {}
        extra: dict[tuple[int, int], RawCell] = {}
        for pos, cell in cells.items():
            if plain(cell):
                values[pos] = cell.value
            else:
                extra[pos] = cell
        return cls(name, state, protected, values, extra)

    @property
    def cells(self) -> dict[tuple[int, int], RawCell]:
        """Every cell as a RawCell (built once; the reader itself uses `values` and `extra`)."""
        if self._cells is None:
            out = {pos: RawCell(v, _TYPE_OF[v.__class__]) for pos, v in self.values.items()}
            out.update(self.extra)
            self._cells = out
        return self._cells

    def get(self, row: int, col: int) -> RawCell | None:
        v = self.values.get((row, col))
        if v is not None:
            return RawCell(v, _TYPE_OF[v.__class__])
        return self.extra.get((row, col))

    def value(self, row: int, col: int) -> object:
        """The cell's value (None: no cell, or no value)."""
        v = self.values.get((row, col))
        if v is None:
            c = self.extra.get((row, col))
            return c.value if c is not None else None
        return v

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        if v is None:
            return ""
        if v.__class__ is float:
            return str(int(v)) if v.is_integer() else str(v)  # type: ignore[union-attr]
        return str(v)

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {self.state!r}, protected={self.protected}, {len(self.values) + len(self.extra)} cells)"


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_REF_CACHE: dict[str, tuple[int, int] | None] = {}


def ref_pos(ref: str) -> tuple[int, int] | None:
    """'B5' -> (4, 1); None when it is not a cell reference."""
    hit = _REF_CACHE.get(ref)
    if hit is None and ref not in _REF_CACHE:
        m = _CELL_REF.match(ref)
        hit = (int(m.group(2)) - 1, col_index(m.group(1))) if m else None
        if len(_REF_CACHE) < 200_000 and len(ref) <= 12:
            _REF_CACHE[ref] = hit
    return hit
