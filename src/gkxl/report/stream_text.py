"""The text of a published report as one stream, and the form's labels found in it.

Copied text and site text versions keep the labels of a table in order, but print them with
spaces inside (vertical text in narrow cells), a short stray fragment of a wrapped neighbouring
cell between their characters, with or without their numbering, and around their numbers. This
module makes the stream (NFKC, no quotes, one space for any run of space) and finds labels in it;
stream.py reads the tables from what is found.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .labels import core, loose, norm
from .values_text import DASHES

_QUOTES = set("“”‘’\"'「」『』")
_SPACE_LIKE = set(" \t\r\n\u3000\xa0|│┃")
_UNIT = r"(?:万元|元|件|个|项|次|条)?"
_NUM_TOKEN = re.compile(r"(?<!\S)(?:[+-]?\d[\d,]*(?:\.\d+)?" + _UNIT + r"|" + "|".join(
    re.escape(d) for d in sorted(DASHES, key=len, reverse=True) if d != "无") + r")(?!\S)")
_NUMBERING = re.compile(r"^(?:[(（]([一二三四五六七八九十\d]+)[)）]|([一二三四五六七八九十]+)[、.．,]|(\d+)[.、．,)）])")
_MAX_HITS = 24  # occurrences of one label considered
MARK_GAP = 1500  # characters from a table's heading to its first row label
_STRAY_ROW = re.compile(r"(?<![\d.])(\d{1,2}) ?[.、．] ?[\u4e00-\u9fff]")  # "2.没有…": a row's numbered label



@dataclass
class _Stream:
    text: str  # normalised: NFKC, no quotes, runs of space as one space
    where: list[int]  # per char: index of the source line

    @classmethod
    def of(cls, lines: list[tuple[str, str]]) -> "_Stream":
        chars: list[str] = []
        where: list[int] = []
        for li, (line, _) in enumerate(lines):
            for ch in line:
                for c in unicodedata.normalize("NFKC", ch):
                    if c in _QUOTES:
                        continue
                    if c in _SPACE_LIKE or c.isspace():
                        c = " "
                    if c == " " and (not chars or chars[-1] == " "):
                        continue
                    chars.append(c)
                    where.append(li)
            if chars and chars[-1] != " ":
                chars.append(" ")
                where.append(li)
        return cls("".join(chars), where)


def _label_pattern(label: str, *, numbering: bool, tolerant: bool = False) -> re.Pattern[str] | None:
    """A label as printed: any spaces or a short stray fragment (≤4 characters between
    spaces, from a wrapped neighbouring cell) between its characters; its own numbering
    optional, in any of its printed forms; a trailing parenthetical note optional.
    `tolerant` (a numbered heading only): one stray character between two of its characters
    ("四、政府信息公开行政法复议、行政诉讼情况")."""
    n = norm(label)
    body = core(label)
    if not body:
        return None
    parts = []
    m = _NUMBERING.match(n)
    if numbering and m:
        num = next(g for g in m.groups() if g)
        if num.isdigit():
            parts.append(rf"(?:{num} ?[.、．,)）] ?|[(（]{num}[)）] ?)?")
        else:
            parts.append(rf"(?:[(（]{num}[)）] ?|{num} ?[、.．,] ?)?")
    gap = r"(?: ?| [^ \d]{1,4} |[^ \d])" if tolerant else r"(?: ?| [^ \d]{1,4} )"
    lo = loose(label)
    note = body[len(lo):] if body.startswith(lo) and lo != body else ""
    main = lo if note else body
    parts.append(gap.join(re.escape(c) for c in main))
    if note:
        parts.append("(?:" + gap + gap.join(re.escape(c) for c in note) + ")?")
    return re.compile("".join(parts))


def _find(rx: re.Pattern[str], text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    out = []
    pos = lo
    hi = len(text) if hi is None else hi
    while len(out) < _MAX_HITS:
        m = rx.search(text, pos, hi)
        if not m:
            break
        out.append((m.start(), m.end()))
        pos = m.start() + 1
    return out


def _material(text: str, start: int, stop: int) -> tuple[list[str], int]:
    """The number tokens at `start` (spaces allowed between them), up to `stop` or the first
    other text. A trailing "6." before text is the next label's numbering, not a number."""
    i = start
    toks: list[str] = []
    while i < stop:
        while i < stop and text[i] == " ":
            i += 1
        j = i
        while j < stop and text[j] != " ":
            j += 1
        tok = text[i:j]
        if not tok:
            break
        m = re.match(r"^([+-]?\d[\d,]*(?:\.\d+)?(?:万元|元|件|个|项|次|条)?)", tok)
        if tok in DASHES and tok != "无":
            toks.append(tok)
            i = j
            continue
        if not m:
            break
        num = m.group(1)
        if len(num) < len(tok) and re.match(r"[+-]\d", tok[len(num):]):
            # a signed number glued on ("35-15": 上一年项目数量 35, 本年增/减 -15): the sign is a cut,
            # and the material goes on (never "35" alone, which two cells would then split as 3 | 5)
            toks.append(num)
            i += len(num)
            continue
        if len(num) < len(tok):  # digits then text: "3200000326.属于…" -> the "6." is numbering
            rest = tok[len(num):]
            mm = re.match(r"^(\d+)$", num)
            if rest[:1] in ".、．" and mm:
                num = num[:-1] if len(num) > 1 else ""
            elif num.endswith(".") and len(num) > 1:
                num = num[:-2]
            if num:
                toks.append(num)
            break
        k = j + 1 if j < stop and text[j] == " " else j
        unit = re.match(r"(万元|元)(?![\d.])", text[k:stop])
        if unit and re.fullmatch(r"[+-]?\d[\d,]*(?:\.\d+)?", num):
            # "251000 元": a money unit set apart is still this number's own (and may not be the form's)
            num += unit.group(1)
            j = k + len(unit.group(1))
        toks.append(num)
        i = j
    return toks, i



_PAGE_LINE = re.compile(r"^\s*[-—–－_]+\s*\d{1,4}\s*[-—–－_]+\s*$|^\s*第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?\s*$")


class _Finder:
    """Labels in the stream, with the whole number tokens blanked out so that a label
    wrapped around its numbers ("（二）部分公开（区分处理的，只计这一情 447 7 0 0 0 0 454
    形，不计其他情形）") is still found."""

    def __init__(self, text: str) -> None:
        self.text = text
        blank = bytearray(len(text))
        for m in _NUM_TOKEN.finditer(text):
            blank[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        chars: list[str] = []
        pos: list[int] = []
        for k, ch in enumerate(text):
            if blank[k] or (ch == " " and chars and chars[-1] == " "):
                continue
            chars.append(ch)
            pos.append(k)
        self.ltext = "".join(chars)
        self.pos = pos + [len(text)]
        self.found: dict[tuple, list[tuple[int, int]]] = {}

    def find(self, label: str, *, numbering: bool = True, need_number: bool = False,
             tolerant: bool = False) -> list[tuple[int, int]]:
        key = (label, numbering, need_number, tolerant)
        if key not in self.found:
            self.found[key] = self._find(label, numbering, need_number, tolerant)
        return self.found[key]

    def _find(self, label: str, numbering: bool, need_number: bool, tolerant: bool) -> list[tuple[int, int]]:
        rx = _label_pattern(label, numbering=numbering, tolerant=tolerant)
        if rx is None:
            return []
        out = []
        for a, b in _find(rx, self.ltext):
            s0, e0 = self.pos[a], self.pos[b - 1] + 1
            if need_number and not _NUMBERING.match(norm(self.text[s0:e0])):
                continue
            out.append((s0, e0))
        return out


def _where(lines, st: _Stream, pos: int) -> str:
    return lines[st.where[min(pos, len(st.where) - 1)]][1] if st.where else ""
