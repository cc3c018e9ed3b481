"""Turn what a clerk typed into a number, or say exactly why not.

Accepted as the number it plainly is: a real number; a number stored as
text; full-width digits (１２); thousands separators (1,234 / 1，234);
surrounding spaces of any kind; "0" and "0.00".

Refused, never guessed: units or words ("12件", "约10"), negatives,
fractions in a count cell, more than 4 decimals in an amount, error values
(#REF!), TRUE/FALSE, infinities and numbers above MAX_VALUE (10^12).

Blank is not zero. A blank input cell is "not reported": it sums as 0 (as
Excel's own SUM does, so totals agree with the workbook) but the check
reports it as an error (V-BLANK) because the standard form has no empty
cells: a clerk with nothing to report types 0.
"""

from __future__ import annotations

import re
import unicodedata

from ..form.compute import Number

# No count or amount of this report comes near it; a larger number is a typing or pasting accident
# (a date serial pasted into a count still passes: issue 13 covers dates). Also keeps sums finite.
MAX_VALUE = 1e12

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


class ValueProblem(str):
    """A Chinese explanation of why a cell's content is not acceptable."""


def normalise_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return _SPACES.sub("", s)


def parse_number(raw: object, kind: str) -> tuple[Number | None, ValueProblem | None, bool]:
    """(value, problem, was_text). value None + problem None means blank."""
    was_text = False
    if raw is None:
        return None, None, False
    if type(raw) is float and 0 <= raw <= MAX_VALUE:  # the common case: a number cell
        if kind == "count":
            i = int(raw)
            if i == raw:
                return i, None, False
        elif round(raw, 4) == raw:
            return (int(raw) if raw == int(raw) else raw), None, False
    if isinstance(raw, bool):
        return None, ValueProblem("不能填写 TRUE/FALSE，请填写数字"), False
    if isinstance(raw, (int, float)):
        x = float(raw)
    else:
        text = str(raw)
        if text.startswith("#"):
            return None, ValueProblem(f"单元格显示错误值“{text}”"), False
        s = normalise_text(text)
        if s == "":
            return None, None, False
        was_text = True
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        if not _NUMBER.match(s):
            return None, ValueProblem(f"“{text.strip()}”不是数字，只能填写数字（不要加单位、文字或符号）"), True
        x = float(s)
    if x != x or x in (float("inf"), float("-inf")):
        return None, ValueProblem("不是有效的数字"), was_text
    if x < 0:
        return None, ValueProblem(f"不能为负数（{_show(x)}）"), was_text
    if x > MAX_VALUE:
        return None, ValueProblem(f"数字过大（{x:.6g}），超过 10^12，请核对"), was_text
    if kind == "count":
        if abs(x - round(x)) > 1e-9:
            return None, ValueProblem(f"件数必须是整数（{_show(x)}）"), was_text
        return int(round(x)), None, was_text
    r4 = round(x, 4)
    if abs(x - r4) > 1e-9:
        return None, ValueProblem(f"金额最多保留 4 位小数（{_show(x)}）"), was_text
    return (int(r4) if r4 == int(r4) else r4), None, was_text


def _show(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)
