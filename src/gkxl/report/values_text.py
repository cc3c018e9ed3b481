"""Reading one number out of a published table cell.

Published cells carry what a person typed: "12", "0.35", "1,234",
"12.5万元", "3件", sometimes "—" or "/" for nothing. A unit the form's
label already states is dropped; anything else is not guessed at.
"""

from __future__ import annotations

import re
import unicodedata

from ..form.compute import Number
from ..workbook.values import normalise_text, parse_number

DASHES = {"-", "—", "–", "－", "/", "／", "——", "--", "无", "\\"}
_UNITS = {"amount": ("万元",), "count": ("件", "个", "项", "次"), "change": ("件", "个", "项", "次")}
_SPLIT_DIGITS = re.compile(r"\d\s+\d")
_NUMERIC = re.compile(r"^[+-]?[\d,，.．０-９]+(万元|元|件|个|项|次)?$")


def value_like(text: str) -> bool:
    """Could this cell be a number cell (rather than a label)?"""
    s = normalise_text(text or "")
    return bool(s) and (bool(_NUMERIC.match(s)) or s in DASHES)


def parse_value(text: str, kind: str, decimals: int | None = None) -> tuple[Number | None, str]:
    """(value, problem). ('', '') blank -> (None, ''). `decimals`: the form's for `kind`."""
    s = normalise_text(text or "")
    if not s:
        return None, ""
    if _SPLIT_DIGITS.search(unicodedata.normalize("NFKC", text)):
        # "1 0" in one cell is two numbers run into it (or a layout's accident), never ten
        return None, f"“{text.strip()}”中的数字被空格隔开，无法确定是一个数还是几个数"
    if s in DASHES:
        return None, f"“{text.strip()}”不是数字"
    for unit in _UNITS.get(kind, ()):
        if s.endswith(unit):
            s = s[: -len(unit)]
            break
    v, problem, _ = parse_number(s, kind, decimals)
    if problem:
        return None, str(problem)
    return v, ""
