"""Tables in text whose cells are not cells: the stream reader.

Copied text and site text versions lose the table's structure in every way:
cells apart by spaces (`pdftotext -layout`, a PDF viewer), one cell per line
(a browser), row labels wrapped around their numbers, labels and numbers in
separate blocks (`pdftotext` without -layout), or cells run together with
no separator at all ("规章000行政规范性文件6233440"). What they keep is the
order: the form's row labels, in the form's order, each followed (or
wrapped around) by its row's numbers.

So the whole text is one stream. The form's row labels are found in it
(with or without numbering, spaces or a short stray fragment inside, the
parenthetical note left out), the longest chain of them in the form's order
is kept, and each row's numbers are what follows its label up to the next
text. A row whose count of numbers equals the form's columns is read as
printed; digits that ran together are cut only where the table's sums make
the cut unique (splits.py); a table whose labels and numbers came apart is
read in order only when nothing in the text or the table's sums allows another
reading (stream_order.py). Labels printed one above another with the numbers
after them give those numbers to none of them. Everything else stays missing,
with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..form import Axis, CellKey, Form, Table
from .labels import core, loose, norm
from .splits import equations, row_ways, solve
from .stream_order import by_groups, separate_blocks
from .stream_text import (_NUM_TOKEN, _NUMBERING, _PAGE_LINE, _STRAY_ROW, MARK_GAP, _Finder, _label_pattern, _material,
                          _Stream, _where)


@dataclass
class _Anchor:
    start: int  # in the stream
    end: int
    weight: int  # 2 when numbers follow it


@dataclass
class RowRead:
    table: Table
    row: Axis
    tokens: list[str] = field(default_factory=list)
    where: str = ""
    glued: bool = False  # the digits touch the label: the text lost its cell separators
    header: tuple[bool, bool] = (True, True)  # the table's column labels: (each in one piece, in order)


@dataclass
class StreamResult:
    values: dict[CellKey, str] = field(default_factory=dict)  # cell -> number text as printed
    sources: dict[CellKey, str] = field(default_factory=dict)
    how: dict[CellKey, str] = field(default_factory=dict)  # "stream" | "split" | "order"
    row_problems: dict[tuple[str, str], str] = field(default_factory=dict)
    rows_seen: set[tuple[str, str]] = field(default_factory=set)
    pending: dict = field(default_factory=dict)  # rows whose digits ran together, for splits.solve

    @property
    def problems(self) -> list[str]:
        return list(self.row_problems.values())


_OTHER_NUMBER = re.compile(r"[一二三四五六七八九十]{1,3}[、.．] ?$")  # a part's numbering just before its title
ROW_GAP = 700  # characters from one row label to the next of the same table
_BODY_UNITS = ("件", "个", "项", "次", "条", "人", "份", "场", "期", "篇", "%", "％")




def read_stream(lines: list[tuple[str, str]], form: Form, want: set[tuple[str, str]] | None = None,
                cache: dict | None = None) -> StreamResult:
    """Cells of the form found in the text `lines` (text, where) by row labels in order.

    `want`: the (table, row) pairs still needed (None: all). A table is looked for only
    after one of its own headings (its title, its corner note, its sheet's numbered
    heading), so the body text ("全年主动公开规章 22 件") is never read as a table row."""
    res = StreamResult()
    if cache is not None and "stream" in cache:
        lines, st, finder = cache["stream"]
    else:
        lines = [ln for ln in lines if not _PAGE_LINE.match(ln[0])]
        st = _Stream.of(lines)
        finder = _Finder(st.text)
        if cache is not None:
            cache["stream"] = (lines, st, finder)
    if not lines:
        return res
    eqs = equations(form)
    for sh in form.sheets:
        numbered = bool(_NUMBERING.match(norm(sh.title)))
        heading = finder.find(sh.title, need_number=numbered)
        if not heading and numbered:  # a misprinted heading, still numbered and whole but for one character
            heading = finder.find(sh.title, need_number=True, tolerant=True)
        if not heading and numbered:  # a report that numbers its parts its own way ("二、收到和处理…")
            heading = [(s0 - len(m.group(0)), e0) for s0, e0 in finder.find(sh.title, numbering=False)
                       if (m := _OTHER_NUMBER.search(st.text, max(0, s0 - 6), s0))]
        for t in sh.tables:
            if want is not None and not any((t.id, r.id) in want for r in t.rows):
                continue
            marks = list(heading)
            for lab in (t.title, t.corner):
                if lab:
                    marks += finder.find(lab, numbering=False)
            if not marks:
                continue
            marks.sort()
            if any(r.labels for r in t.rows):
                _labelled(form, t, marks, finder, lines, st, res, want, eqs)
            for r in t.rows:
                if not r.labels and (want is None or (t.id, r.id) in want):
                    _unlabelled(t, r, marks, lines, st, res)
    _solve_pending(res, eqs)
    return res


def _labelled(form: Form, t: Table, marks: list[tuple[int, int]], finder: _Finder, lines, st: _Stream, res: StreamResult,
              want, eqs: list) -> None:
    text = st.text
    rows = [r for r in t.rows if r.labels]
    occ: list[list[_Anchor]] = []
    for r in rows:
        hits: list[_Anchor] = []
        short = len(loose(r.labels[-1])) <= 3
        found = sorted({span for name in r.names for span in finder.find(name)})
        # a printed name inside the label itself ("规范性文件" in "行政规范性文件") is that occurrence
        found = [a for a in found if not any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in found)]
        for s0, e0 in found:
            if (short and not _NUMBERING.match(norm(text[s0:e0])) and s0 > 0 and text[s0 - 1] not in " 0123456789"
                    and e0 < len(text) and _is_cjk(text[e0])):
                continue  # "其他" inside a longer word ("其他法律…") is not the row "3.其他"
            toks, stop = _material(text, e0, min(len(text), e0 + 400))
            nxt = text[stop:stop + 2].strip()
            if toks and nxt[:1] in _BODY_UNITS:
                continue  # "行政许可 5 件": a sentence of the body text, not a table row
            inner = [m.group(0) for m in _NUM_TOKEN.finditer(text, s0, e0)]
            hits.append(_Anchor(s0, e0, 2 if (toks or inner) else 1))
        occ.append(hits)
    chain = _chain(occ, marks)
    starts = sorted(a.start for a in chain if a is not None)
    header = (False, False)
    if starts:
        before = [e for _, e in marks if e <= starts[0]]
        header = _header(t, text, max(before) if before else max(0, starts[0] - MARK_GAP), starts[0])
    read: dict[int, tuple[list[str], bool, int]] = {}  # anchor start -> (its number tokens, glued, where they end)
    for a in chain:
        if a is not None:
            nxt = next((x for x in starts if x > a.start), len(text))
            inner = [m.group(0) for m in _NUM_TOKEN.finditer(text, a.start, a.end)]
            toks, stop = _material(text, a.end, nxt)
            read[a.start] = (inner + toks, a.end < len(text) and text[a.end].isdigit(), max(stop, a.end))
    ends = {a.start: a.end for a in chain if a is not None}
    for r, a in zip(rows, chain):
        if a is None or (want is not None and (t.id, r.id) not in want):
            continue
        toks, glued, _ = read[a.start]
        prev = max((x for x in starts if x < a.start), default=None)
        stacked = prev is not None and not read[prev][0] and not re.search(r"\d", text[ends[prev]:a.start])
        # a numbered label the form's labels did not find ("2.没有现成信息需要另 法提供行制作") between the
        # row before and this one: its numbers, if any, may be the ones after this label
        stray = prev is not None and _STRAY_ROW.search(text, read[prev][2], a.start)
        if toks and (stacked or stray):
            # the row before printed its label with no number after it, right above this one: labels
            # stacked over their numbers ("4.无正当理由… 5.要求行政机关… 1.申请人… 0 0 0 … 0 0 0 … 8 2 …"),
            # so the numbers after this label may be the first label's: not read as this row's
            name = "·".join(x for x in (t.title, r.short) if x)
            res.rows_seen.add((t.id, r.id))
            res.row_problems[(t.id, r.id)] = (f"{_where(lines, st, a.start)}：“{name}”的标签紧接在上一行没有数字的标签之后"
                                              "（几行的标签排在一起、数字在后），无法确定这些数字属于哪一行，未导入")
            continue
        if len(toks) == len(t.columns) and _split_and_unsummed(eqs, t, r, toks, st, a.end, read[a.start][2]):
            name = "·".join(x for x in (t.title, r.short) if x)
            res.rows_seen.add((t.id, r.id))
            res.row_problems[(t.id, r.id)] = (f"{_where(lines, st, a.start)}：“{name}”的数字分在几行（有的一行一个、有的一行几个），"
                                              "而本行的合计与各栏之和不符：可能混进了别处的数字、也可能少了空白的格子，未导入")
            continue
        _place(RowRead(t, r, toks, _where(lines, st, a.start), glued, header), res)
    separate_blocks(form, t, rows, occ, chain, lines, st, res)


def _split_and_unsummed(eqs: list, t: Table, r: Axis, toks: list[str], st: _Stream, start: int, stop: int) -> bool:
    """Do the row's numbers come in uneven groups over several lines ("1" alone, then "0 0 0 0 0 0" below) while
    the row's own total disagrees with them? A stray number (a page's, a note's) joined to a row that lost a blank
    cell fills the count exactly; a real row's fault (a total printed 0) comes on one line, or one number a line."""
    per_line: dict[int, int] = {}
    for m in _NUM_TOKEN.finditer(st.text, start, stop):
        per_line[st.where[m.start()]] = per_line.get(st.where[m.start()], 0) + 1
    if len(per_line) < 2 or max(per_line.values()) < 2:
        return False
    try:
        vals = {(t.id, r.id, c.id): float(x.replace(",", "")) for c, x in zip(t.columns, toks)}
    except ValueError:
        return False
    own = [e for e in eqs if e.cells <= vals.keys()]
    return any(not e.holds(vals) for e in own)


def _header(t: Table, text: str, start: int, end: int) -> tuple[bool, bool]:
    """Are the table's column labels in its header (the text from its heading to its first
    row)? (every label in one piece, spaces or a stray fragment aside; every label's
    characters in order, the way a header wrapped over several lines still has them)."""
    region = text[start:end]
    flat = region.replace(" ", "")
    strict = loose_ok = True
    for c in t.columns:
        if not c.labels:
            continue
        lab = c.labels[-1]
        rx = _label_pattern(lab, numbering=False)
        if rx is None or not rx.search(region):
            strict = False
        it = iter(flat)
        if not all(ch in it for ch in (loose(lab) or core(lab))):
            loose_ok = False
    return strict and loose_ok, loose_ok


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _chain(occ: list[list[_Anchor]], marks: list[tuple[int, int]]) -> list[_Anchor | None]:
    """The heaviest chain of label occurrences, at most one per row, in the rows' order,
    starting near one of the table's headings and with no long gap between rows."""
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    done: list[tuple[int, int, int]] = []  # (row, k, end) of chain ends so far
    for i, hits in enumerate(occ):
        cur = []
        for k, h in enumerate(hits):
            w, prev = -1, None
            if any(e <= h.start <= e + MARK_GAP for _, e in marks):
                w = h.weight
            for (pi, pk, pe) in done:
                if pe <= h.start <= pe + ROW_GAP * (i - pi):
                    cand = best[(pi, pk)][0] + h.weight
                    if cand > w:
                        w, prev = cand, (pi, pk)
            if w >= 0:
                best[(i, k)] = (w, prev)
                cur.append((i, k, h.end))
        done.extend(cur)
    chain: list[_Anchor | None] = [None] * len(occ)
    if not best:
        return chain
    node: tuple[int, int] | None = max(best, key=lambda n: (best[n][0], -occ[n[0]][n[1]].start))
    while node is not None:
        chain[node[0]] = occ[node[0]][node[1]]
        node = best[node][1]
    return chain


def _place(rr: RowRead, res: StreamResult) -> None:
    t, r = rr.table, rr.row
    n = len(t.columns)
    keys = [(t.id, r.id, c.id) for c in t.columns]
    name = "·".join(x for x in (t.title, r.short) if x)
    toks = rr.tokens
    if not toks:
        return
    res.rows_seen.add((t.id, r.id))
    strict, in_order = rr.header
    if not in_order or ((rr.glued or len(toks) != n) and not strict):
        # the columns this text has are not shown to be the form's: the 2019 format's
        # "上一年项目数量 本年增/减 处理决定数量" is not "本年处理决定数量"
        res.row_problems[(t.id, r.id)] = (f"{rr.where}：“{name}”所在表格的表头与表单的栏目对不上"
                                          f"（{'、'.join(c.short for c in t.columns)}），未导入")
        return
    if len(toks) == n:
        for k, tok in zip(keys, toks):
            res.values[k] = tok
            res.sources[k] = rr.where
            res.how[k] = "stream"
        return
    if len(toks) > n:
        res.row_problems[(t.id, r.id)] = (f"{rr.where}：“{name}”后面有 {len(toks)} 个数字，"
                                          f"而这一行只有 {n} 栏，无法对应，未导入")
        return
    # cutting digits is for text that lost its separators: digits touching the label, a
    # token no single number is written as ("00"), or far fewer tokens than cells (one run
    # for a row of seven); numbers already apart stay as they are (a blank cell is missing)
    # (a short row of apart numbers — "行政事业性收费 35" under two columns — is a lost cell, not a run: kept)
    forced = any(not re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", x) for x in toks) or (len(toks) <= n // 2 and n >= 4)
    if any(not re.fullmatch(r"[+-]?[\d.]+", x) for x in toks) or not (rr.glued or forced):
        res.row_problems[(t.id, r.id)] = (f"{rr.where}：“{name}”后面只有 {len(toks)} 个数字（应有 {n} 个），"
                                          "无法确定各属哪一栏，未导入")
        return
    ways = row_ways(toks, n)
    if ways is None or not ways:
        res.row_problems[(t.id, r.id)] = (f"{rr.where}：“{name}”的数字“{' '.join(toks)}”连在一起，"
                                          f"无法拆分成 {n} 栏，未导入")
        return
    res.pending[(t.id, r.id)] = (keys, ways, rr.where, name, "".join(toks))


def _solve_pending(res: StreamResult, eqs) -> None:
    pending = res.pending
    if not pending:
        return
    known = {}
    for k, v in res.values.items():
        try:
            known[k] = float(v.replace(",", ""))
        except ValueError:
            pass
    rows = {name: (keys, ways) for name, (keys, ways, *_rest) in pending.items()}
    certain, choices = solve(rows, known, eqs)
    for name, (keys, ways, where, shown, digits) in pending.items():
        unsure = [k for k in keys if k not in certain]
        for k in keys:
            if k in certain:
                res.values[k] = certain[k]
                res.sources[k] = f"{where}（数字连在一起，按表内合计唯一确定拆分）"
                res.how[k] = "split"
        if unsure:
            res.row_problems[name] = (f"{where}：“{shown}”的数字连在一起（“{digits}”），按表内合计仍有多种拆法，"
                                      f"其中 {len(unsure)} 格无法确定，未导入")


def _unlabelled(t: Table, r: Axis, marks: list[tuple[int, int]], lines, st: _Stream, res: StreamResult) -> None:
    """A row without a label (table 四): after the table's last heading, skip the header text
    to the first number; the row is the numbers from there, up to the next text."""
    text = st.text
    for _, e in reversed(marks):
        m = re.compile(r"(?<![\d.])\d").search(text, e, min(len(text), e + MARK_GAP))
        if not m:
            continue
        toks, stop = _material(text, m.start(), len(text))
        if not toks:
            continue
        glued = m.start() > 0 and text[m.start() - 1] != " "
        _place(RowRead(t, r, toks, _where(lines, st, m.start()), glued, _header(t, text, e, m.start())), res)
        if not all((t.id, r.id, c.id) in res.values for c in t.columns):
            by_groups(t, r, e, lines, st, res)
        return
