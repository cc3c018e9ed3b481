"""What a valid value is: one definition for the workbook's live formulas and for the reader.

A number cell of the form holds one of:

- **a valid value**: a number (a real number cell, not text) that is >= 0 (a change, the 2019
  format's 本年增/减, may be negative), at most MAX_VALUE, whole for a count or a change, with at most
  6 decimals for an amount (万元 to the fen), and not shown as a date or time;
- **a blank**: nothing at all (or an empty string). Blank is not zero: it sums as 0, as
  every spreadsheet's SUM does, but the check reports it (V-BLANK), because the standard
  form has no empty cells: a clerk with nothing to report types 0;
- **anything else, an error at its cell** (V-NUMBER, or V-TEXT-NUMBER for a number kept
  as text): text of any kind, including "10" or "１０" stored as text (the workbook's own
  totals leave text out, so the clerk's screen would show wrong totals), spaces only,
  TRUE/FALSE, error values (#N/A), negatives, fractions in a count, a fifth decimal in an
  amount, a number above MAX_VALUE, a date or time.

What the rules see (both the workbook's formulas and `gkxl check`): every number cell
whose number lies within [-MAX_VALUE, MAX_VALUE], as it is, and 0 for everything else
(text, blanks, booleans, errors, absurd numbers) -- SUMIFS(cell, cell, ">=-1E+12", cell,
"<=1E+12") in the workbook, `CellValue.sums_as` here. So a typo is reported at its cell,
never as a broken total, and no sum overflows.

`parse_number` reads a number written as text (published reports, and the hint in a
V-TEXT-NUMBER finding): ASCII or full-width digits only, with an optional sign, decimal
point and thousands separators; "12 34", "①", "²" and Arabic-Indic digits are not numbers.

`*_formula` give the same definition as spreadsheet formulas (Excel, WPS, LibreOffice and
Gnumeric alike; no arithmetic ever touches text, so they never show an error value).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..form import CellKey, Form
from ..form.compute import Number
from ..form.model import DEFAULT_DECIMALS, SIGNED_KINDS

# No count or amount of this report comes near it; a larger number is a typing or pasting accident.
# It also keeps every sum finite (a return of 1e308s once crashed check, report and aggregate).
MAX_VALUE = 1e12
MAX_TEXT = "1E+12"  # MAX_VALUE as the workbook's formulas write it
# decimals per kind when no form is at hand; a form's own are form.decimals_of(kind) ([kinds] in its file)
DECIMALS = DEFAULT_DECIMALS
# Spreadsheets compare numbers to about 15 significant digits (LibreOffice: 2^-48 relative),
# so ROUND(x, 4) = x holds for 0.1+0.2; the reader compares the same way.
REL_TOL = 2.0 ** -48

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# around a number typed as text: any kind of space, BOM and zero-width space pasted from the web
_EDGE = " \t\r\n\v\f\u00a0\u3000\u200b\ufeff\u2002\u2003\u2009"
# full-width digits, point, comma and signs are what a Chinese input method types; nothing else is mapped
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，＋－", "0123456789.,+-")


def _leaves(form: Form) -> dict[CellKey, frozenset[CellKey]]:
    table = {k: frozenset((k,)) for k in form.input_cells}
    for d in form.derived_order:
        table[d.cell] = frozenset().union(*(table[t] for t in d.terms))
    return table


def leaves_of(form: Form, key: CellKey) -> frozenset[CellKey]:
    """The input cells a total adds up, through totals of totals (the key itself for an input)."""
    return form.plan.memo("values.leaves", _leaves)[key]


class ValueProblem(str):
    """A Chinese explanation of why a cell's content is not acceptable."""


def normalise_text(s: str) -> str:
    """Labels as compared: NFKC (full-width to ASCII) and no spaces at all. For labels only:
    a number's text goes through parse_number, where an inner space is an error."""
    s = unicodedata.normalize("NFKC", s)
    return _SPACES.sub("", s)


def same(a: float, b: float) -> bool:
    """Equal as a spreadsheet compares them (to about 15 significant digits)."""
    return a == b or abs(a - b) <= max(abs(a), abs(b)) * REL_TOL


def in_range(x: float) -> bool:
    """A number the rules count (see the module docstring)."""
    return -MAX_VALUE <= x <= MAX_VALUE


def _show(x: float) -> str:
    if x != x or abs(x) > MAX_VALUE:
        return f"{x:.6g}"
    return str(int(x)) if x == int(x) else repr(x)


def _places(kind: str, decimals: int | None) -> int:
    return DEFAULT_DECIMALS.get(kind, 6) if decimals is None else decimals


def _number_problem(x: float, kind: str, d: int) -> ValueProblem | None:
    """Why a number is not a valid value of `kind` with `d` decimals (None when it is)."""
    if x != x or x in (float("inf"), float("-inf")):
        return ValueProblem("不是有效的数字")
    if x < 0 and kind not in SIGNED_KINDS:
        return ValueProblem(f"不能为负数（{_show(x)}）")
    if abs(x) > MAX_VALUE:
        return ValueProblem(f"数字过大（{x:.6g}），超过 10^12，请核对")
    if not same(round(x, d), x):
        if kind == "count":
            return ValueProblem(f"件数必须是整数（{_show(x)}）")
        if d == 0:
            return ValueProblem(f"必须是整数（{_show(x)}）")
        return ValueProblem(f"金额最多保留 {d} 位小数（{_show(x)}）")
    return None


def _tidy(x: float, d: int) -> Number:
    r = round(x, d)
    return int(r) if r == int(r) else r


def parse_number(raw: object, kind: str, decimals: int | None = None) -> tuple[Number | None, ValueProblem | None, bool]:
    """A number written as text (or a number): (value, problem, was_text); value None and
    problem None means blank. ASCII and full-width digits only; spaces only around it.
    `decimals`: the form's for `kind` (form.decimals_of), else the default."""
    d = _places(kind, decimals)
    was_text = False
    if raw is None:
        return None, None, False
    if isinstance(raw, bool):
        return None, ValueProblem("不能填写 TRUE/FALSE，请填写数字"), False
    if isinstance(raw, (int, float)):
        x = float(raw)
    else:
        text = str(raw)
        if text.startswith("#"):
            return None, ValueProblem(f"单元格显示错误值“{text}”"), False
        s = text.strip(_EDGE)
        if s == "":
            return None, None, False
        was_text = True
        s = s.translate(_FULL_WIDTH)
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        if not _NUMBER.match(s):
            return None, ValueProblem(f"“{text.strip(_EDGE)}”不是数字，只能填写数字（不要加单位、文字、空格或符号）"), True
        x = float(s)
    problem = _number_problem(x, kind, d)
    if problem:
        return None, problem, was_text
    return _tidy(x, d), None, was_text


@dataclass(frozen=True, slots=True)
class CellValue:
    """One input cell as the form sees it."""

    value: Number | None  # the valid value; None when blank or not valid
    problem: ValueProblem | None = None  # why it is not valid (None: valid or blank)
    sums_as: Number = 0  # what totals and rules count for it (see the module docstring)
    text_number: Number | None = None  # text that reads as this number: the value to retype

    @property
    def blank(self) -> bool:
        return self.value is None and self.problem is None


BLANK = CellValue(None)


def classify(raw: object, kind: str, cell_type: str = "", is_date: bool = False,
             decimals: int | None = None) -> CellValue:
    """What an input cell holds. `raw` is the cell's value (str, float, bool or None) and
    `cell_type` the reader's type ('n' number, 's' text, 'b' boolean, 'e' error value);
    `is_date` says the cell's number format shows a date or time."""
    if raw is None:
        return BLANK
    if cell_type == "e":
        return CellValue(None, ValueProblem(f"单元格是错误值“{raw}”，请填写数字"))
    if isinstance(raw, bool) or cell_type == "b":
        return CellValue(None, ValueProblem("不能填写 TRUE/FALSE，请填写数字"))
    if isinstance(raw, str):
        if raw == "":
            return BLANK
        if not raw.strip(_EDGE):
            return CellValue(None, ValueProblem("只有空格，没有数字；没有的请填 0"))
        v, problem, _ = parse_number(raw, kind, decimals)
        shown = raw.strip(_EDGE)
        if v is not None:
            return CellValue(None, ValueProblem(f"“{shown}”是以文本形式保存的数字，表格的合计不计入文本；"
                                                f"请删除后重新输入数字 {v}"), 0, v)
        if problem is not None and "不是数字" not in problem:
            return CellValue(None, ValueProblem(f"“{shown}”是文本：{problem}"))
        return CellValue(None, ValueProblem(f"“{shown}”不是数字，只能填写数字（不要加单位、文字、空格或符号）"))
    x = float(raw)  # type: ignore[arg-type]
    sums = (int(x) if x == int(x) else x) if in_range(x) else 0
    if is_date:
        return CellValue(None, ValueProblem(f"这里显示为日期或时间（其数值为 {_show(x)}），应填写数字"), sums)
    d = _places(kind, decimals)
    problem = _number_problem(x, kind, d)
    if problem:
        return CellValue(None, problem, sums)
    v = _tidy(x, d)
    return CellValue(v, None, v)


def text_is_blank(s: object) -> bool:
    """A text section or cover field left empty: nothing but spaces and line breaks."""
    return s is None or (isinstance(s, str) and not s.strip(" \t\r\n\u3000\u00a0"))


# ------------------------------------------------------------------ the same, as formulas

def bad_formula(ref: str, kind: str, general: str, decimals: int | None = None) -> str:
    """1 when the cell at `ref` holds something that is neither a valid value nor blank, else 0.

    `general` is a reference to CELL("format") of a number cell in General format: a date shows
    as "D1".."D9" in Excel; LibreOffice says "G" for dates but "F0" for General, so "G" there
    means a date or time too. Every branch tests the type before it compares or rounds."""
    fmt = f'CELL("format",{ref})'
    date = f'OR(LEFT({fmt},1)="D",AND({fmt}="G",{general}<>"G"))'
    low = f"-{MAX_TEXT}" if kind in SIGNED_KINDS else "0"
    ok = (f'AND({ref}>={low},{ref}<={MAX_TEXT},ROUND({ref},{_places(kind, decimals)})={ref},NOT({date}))')
    return (f'IF(ISNUMBER({ref}),IF({ok},0,1),'
            f'IF(ISTEXT({ref}),IF(LEN({ref})>0,1,0),IF(ISBLANK({ref}),0,1)))')


def sum_formula(ranges: list[str]) -> str:
    """The rules' sum over cells: numbers within [-MAX_VALUE, MAX_VALUE], nothing else (never an error)."""
    if not ranges:
        return "0"
    return "+".join(f'SUMIFS({r},{r},">=-{MAX_TEXT}",{r},"<={MAX_TEXT}")' for r in ranges)


def text_blank_formula(ref: str) -> str:
    """1 when a text cell is empty or only spaces and line breaks (text_is_blank), else 0."""
    s = f"{ref}&\"\""
    for ch in ("\t", "\r", "\n", "\u3000", "\u00a0"):
        code = {"\t": "CHAR(9)", "\r": "CHAR(13)", "\n": "CHAR(10)"}.get(ch, f'"{ch}"')
        s = f'SUBSTITUTE({s},{code}," ")'
    return f"IF(ISERROR({ref}),0,IF(LEN(TRIM({s}))=0,1,0))"
