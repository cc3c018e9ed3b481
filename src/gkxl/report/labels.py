"""Comparing labels the way a reader does, not the way a computer does.

Published reports write the form's labels with or without their numbering
("（一）予以公开" / "予以公开", "1.属于国家秘密" / "属于国家秘密"), with
full- or half-width punctuation, curly or straight quotes, spaces inside
(vertical text in narrow cells) and sometimes without a trailing
parenthetical note. Everything here works on any form's labels: nothing
knows gb2021.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from ..workbook.values import normalise_text

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
# numbering at the start of a label, after NFKC: 一、 (一) 1. 1、 (1) 1)
_NUMBERING = re.compile(r"^(?:\([一二三四五六七八九十百\d]+\)|[一二三四五六七八九十百]+[、.,]|\d+[、.,)](?!\d))")
_PAREN = re.compile(r"\([^()]*\)")
_TRAIL = re.compile(r"[:：。;；,，]+$")
_LIST_MARKS = str.maketrans(",，;；", "、、、、")


@lru_cache(maxsize=65536)
def norm(s: str) -> str:
    """NFKC, no whitespace of any kind, no quotes."""
    return normalise_text(s or "").translate(_QUOTES)


@lru_cache(maxsize=65536)
def core(s: str) -> str:
    """The label without its numbering and trailing punctuation."""
    n = norm(s)
    for _ in range(3):
        m = _NUMBERING.match(n)
        if not m or m.end() == len(n):
            break
        n = n[m.end():]
    return _TRAIL.sub("", n)


@lru_cache(maxsize=65536)
def loose(s: str) -> str:
    """The core label without parenthetical notes ("部分公开（区分处理的…）" -> "部分公开")."""
    c = core(s)
    out = _PAREN.sub("", c)
    return out or c


def row_key(s: str) -> str:
    """A row label as a key: its core, a list inside it written with 、 or a comma alike
    ("逾期不补正、行政机关…" / "逾期不补正, 行政机关…")."""
    return core(s).translate(_LIST_MARKS)


def label_eq(a: str, b: str) -> bool:
    """Do two labels name the same thing?"""
    ca, cb = core(a), core(b)
    if ca == cb:
        return True
    if not ca or not cb:
        return False
    return loose(ca) == loose(cb)


def heading_match(text: str, label: str) -> bool:
    """Is the paragraph `text` a heading for `label`? Published headings add
    words in front ("政府信息公开工作存在的主要问题及改进情况" for
    "五、存在的主要问题及改进情况") or drop the numbering."""
    t, lab = loose(text), loose(label)
    if not t or not lab or norm(text).endswith("。"):
        return False
    if t == lab or (t.endswith(lab) and len(t) - len(lab) <= 12):
        return True
    # reworded: "因政府信息公开工作被申请行政复议、提起行政诉讼情况"
    return len(lab) <= len(t) <= 2 * len(lab) + 6 and SequenceMatcher(None, t, lab).ratio() >= 0.78


def numbering(label: str) -> int | None:
    """The section number of a label like "三、…" (None when unnumbered)."""
    m = re.match(r"^\s*([一二三四五六七八九十]+)[、.．]", label or "")
    if not m:
        return None
    digits = "一二三四五六七八九"
    s = m.group(1)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.index(s[1]) + 1
    if "十" in s:
        a, _, b = s.partition("十")
        return (digits.index(a) + 1) * 10 + (digits.index(b) + 1 if b else 0)
    return digits.index(s) + 1 if len(s) == 1 else None
