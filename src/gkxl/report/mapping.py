"""Map a published report (paragraphs and tables) onto the form, by labels.

Tables in the wild differ from the standard layout: merged cells flattened
(their text repeated, or left in one cell with the others empty, or the
covered cells missing altogether), labels with or without numbering,
"万元" with decimals, a row left out, the sub-tables of one section in one
table or in several. So nothing here trusts a position:

* a data row is identified by its row label (the leaf label, with the
  parent labels it shows or that the rows above it showed), among every row
  of every table of the form, preferring the table the surrounding title
  rows and headings point to;
* its numbers are assigned to columns by the header labels above them when
  the table is rectangular (HTML and Word tables, with merges expanded);
  otherwise (the plain-text flattening loses merged columns) the row's
  trailing numbers are taken in the form's column order, and only when
  their count fits.

Whatever cannot be placed this way is listed, in Chinese, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..form.compute import Number
from ..form import Axis, CellKey, Form, Sheet, Table
from ..workbook.values import normalise_text
from .errors import ReportError
from .labels import core, heading_match, label_eq, loose, norm
from .model import DRAFT_NOTE, EMPTY_TEXT, sections
from .source import Para, RawTable, SourceDoc
from .values_text import parse_value, value_like


@dataclass
class Mapped:
    """What a published report says, in the form's terms."""

    values: dict[CellKey, Number] = field(default_factory=dict)  # input cells found
    totals: dict[CellKey, Number] = field(default_factory=dict)  # derived cells as published
    texts: dict[str, str] = field(default_factory=dict)
    agency: str = ""
    year: int | None = None
    unmapped: list[str] = field(default_factory=list)  # Chinese, one line per problem
    notes: list[str] = field(default_factory=list)  # Chinese, for information
    tables_found: int = 0


# ---------------------------------------------------------------- identity

def _title_regex(form: Form) -> re.Pattern[str]:
    tpl = norm(form.report_title)
    pat = re.escape(tpl)
    pat = pat.replace(re.escape("{agency}"), r"(?P<agency>[^,，。:：;；、>》|/\\]{2,40}?)")
    pat = pat.replace(re.escape("{year}"), r"(?P<year>(?:19|20)\d{2})")
    return re.compile(pat)


def find_identity(src: SourceDoc, form: Form) -> tuple[str, int | None, str]:
    """(agency name, year, the title text) from the report's title line.

    The title may be split over lines ("…2021年政府" / "信息公开工作年度报告"),
    so neighbouring paragraphs are also tried joined."""
    rx = _title_regex(form)
    paras = [b.text for b in src.blocks[:12] if isinstance(b, Para)]
    tries = ([src.title_hint] if src.title_hint else []) + paras + [a + b for a, b in zip(paras, paras[1:])]
    for t in tries:
        m = rx.search(norm(t))
        if m:
            year = int(m.group("year")) if "year" in m.groupdict() and m.group("year") else None
            agency = m.group("agency") if "agency" in m.groupdict() else ""
            return agency, year, t
    return "", None, ""


# ---------------------------------------------------------------- texts

def map_texts(src: SourceDoc, form: Form, title: str) -> dict[str, str]:
    """Text sections: the paragraphs under each section heading, until the
    next heading or table. The preamble before the first heading is not
    part of any section and is left out."""
    secs = sections(form)
    out: dict[str, list[str]] = {}
    current: str | None = None
    skip = {norm(title), norm(DRAFT_NOTE), norm(EMPTY_TEXT), norm(DRAFT_NOTE.split("：")[0])}
    for b in src.blocks:
        if isinstance(b, RawTable):
            current = None
            continue
        text = b.text.strip()
        if not text or norm(text) in skip or (title and norm(text) in norm(title)):
            continue
        hit = _heading(text, secs)
        if hit is not None:
            current = hit or None
            continue
        if current is not None:
            out.setdefault(current, []).append(text)
    return {k: "\n".join(v) for k, v in out.items()}


def _heading(text: str, secs) -> str | None:
    """The text field a heading opens ('' for a heading without text, e.g. a
    table section), or None when the paragraph is not a heading."""
    if len(norm(text)) > 60:
        return None
    for sec in secs:
        for fld, sub in sec.texts:
            if sub and heading_match(text, sub):
                return fld.id
    for sec in secs:
        if heading_match(text, sec.heading):
            main = next((f.id for f, sub in sec.texts if not sub), "")
            return main
    return None


# ---------------------------------------------------------------- tables

@dataclass
class _Segment:
    """Rows of one table of the form: header rows, then data rows."""

    table: Table | None
    header: list[list[str]] = field(default_factory=list)
    data: list[list[str]] = field(default_factory=list)
    where: str = ""


class _Mapper:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.sheet: Sheet | None = None
        self.found: dict[CellKey, Number] = {}
        self.conflicts: dict[CellKey, list[str]] = {}
        self.problems: list[str] = []
        self.seen_rows: set[tuple[str, str]] = set()
        self.max_depth = max(len(r.labels) for t in form.tables.values() for r in t.rows)
        self.n_tables = 0

    # -- which table / sheet a title names
    def title_table(self, text: str) -> Table | None:
        hits = [t for t in self.form.tables.values() if t.title and label_eq(text, t.title)]
        return hits[0] if len(hits) == 1 else None

    def title_sheet(self, text: str) -> Sheet | None:
        for sh in self.form.sheets:
            if heading_match(text, sh.title):
                return sh
        return None

    def see_paragraph(self, text: str) -> None:
        sh = self.title_sheet(text)
        if sh is not None:
            self.sheet = sh

    # -- rows
    def leaf_rows(self, path: list[str]) -> list[tuple[Table, Axis, int]]:
        out = []
        leaf = path[-1] if path else None
        for t in self.form.tables.values():
            for r in t.rows:
                if leaf is None:
                    ok = not r.labels
                else:
                    ok = bool(r.labels) and label_eq(leaf, r.labels[-1])
                if ok:
                    score = sum(1 for a in r.labels[:-1] if any(label_eq(a, p) for p in path[:-1]))
                    out.append((t, r, score))
        return out

    def is_data(self, cells: list[str]) -> bool:
        if any(value_like(c) for c in cells):
            return True
        n_empty_tail = len(cells) - len(cells[:_last_label(cells) + 1])
        path = _dedupe([c for c in cells if c])
        return n_empty_tail >= 1 and 1 <= len(path) <= self.max_depth and bool(self.leaf_rows(path))

    def table(self, rows: list[list[str]], index: int) -> None:
        self.n_tables += 1
        segs: list[_Segment] = []
        seg: _Segment | None = None
        for i, row in enumerate(rows):
            cells = [c.strip() if normalise_text(c) else "" for c in row]
            texts = _dedupe([c for c in cells if c])
            if not texts:
                continue
            if len(set(texts)) == 1 and not value_like(texts[0]):
                t = self.title_table(texts[0])
                if t is not None:
                    seg = _Segment(t, where=f"第 {index} 张表")
                    segs.append(seg)
                    self.sheet = next(s for s in self.form.sheets if t in s.tables)
                    continue
                sh = self.title_sheet(texts[0])
                if sh is not None:
                    self.sheet = sh
                    seg = None
                    continue
            data = self.is_data(cells)
            if seg is None or (not data and seg.data):
                seg = _Segment(None, where=f"第 {index} 张表")
                segs.append(seg)
            (seg.data if data else seg.header).append(cells)
        for s in segs:
            self.segment(s)

    def segment(self, seg: _Segment) -> None:
        widths = {len(r) for r in seg.header + seg.data}
        rect = bool(seg.header) and bool(seg.data) and len(widths) == 1
        L = 0
        paths: list[list[str]] = []
        if rect:
            L = max(_last_label(r) + 1 for r in seg.data)
            paths = _header_paths(seg.header, L)
        header_text = norm("".join("".join(r) for r in seg.header))
        prev: list[str] = []
        for row in seg.data:
            cut = L if rect else _last_label(row) + 1
            labs = _fill_down(row[:cut], prev)
            prev = labs
            vcells = row[cut:]
            path = _dedupe([x for x in labs if x])
            shown = "·".join(path) or "（无行标签）"
            cands = self.leaf_rows(path)
            if not cands:
                self.problems.append(f"{seg.where}中的行“{shown}”：无法对应到统计表中的任何一行")
                continue

            def pref(c):
                t, r, score = c
                fits = rect or _order_map(t, vcells) is not None
                in_sheet = self.sheet is not None and t in self.sheet.tables
                return (seg.table is t, fits, score, in_sheet)

            cands.sort(key=pref, reverse=True)
            best = cands[0]
            if len(cands) > 1 and pref(cands[1]) == pref(best):
                names = "、".join(f"{t.title or t.id}·{r.short}" for t, r, _ in cands[:4])
                self.problems.append(f"{seg.where}中的行“{shown}”：可能是 {names}，无法确定，未导入")
                continue
            t, r, _ = best
            seg.table = t
            self.sheet = next(s for s in self.form.sheets if t in s.tables)
            colmap = _label_map(t, paths, L) if rect else None
            if colmap is not None:
                vcells = row  # positions are whole-row positions
            else:
                if seg.header and not all(_in_header(c, header_text) for c in t.columns):
                    self.problems.append(f"{seg.where}中的行“{shown}”：表头与“{t.title or self.sheet.title}”的"
                                         f"栏目对不上，未导入")
                    continue
                colmap = _order_map(t, vcells)
            if colmap is None:
                self.problems.append(f"{seg.where}中的行“{shown}”：有 {len(vcells)} 个数字格，"
                                     f"而“{t.title or self.sheet.title}”有 {len(t.columns)} 栏，无法对应，未导入")
                continue
            self.seen_rows.add((t.id, r.id))
            for col in t.columns:
                key = (t.id, r.id, col.id)
                texts = [vcells[p] for p in colmap.get(col.id, []) if p < len(vcells)]
                self.record(key, texts)

    def record(self, key: CellKey, texts: list[str]) -> None:
        kind = self.form.kind_of(key)
        vals: list[Number] = []
        for tx in texts:
            v, problem = parse_value(tx, kind)
            if problem:
                self.problems.append(f"{self.form.label_of(key)}：{problem}，未导入")
                return
            if v is not None:
                vals.append(v)
        if not vals:
            return
        if len({float(v) for v in vals}) > 1:
            self.conflicts.setdefault(key, []).extend(str(v) for v in vals)
            return
        v = vals[0]
        if key in self.found and abs(float(self.found[key]) - float(v)) > 1e-9:
            self.conflicts.setdefault(key, [str(self.found[key])]).append(str(v))
            return
        self.found[key] = v


def _last_label(cells: list[str]) -> int:
    """Index of the last cell that is a label (non-empty, not a number); -1 if none."""
    last = -1
    for i, c in enumerate(cells):
        if c and not value_like(c):
            last = i
    return last


def _dedupe(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if not out or norm(out[-1]) != norm(x):
            out.append(x)
    return out


def _fill_down(labs: list[str], prev: list[str]) -> list[str]:
    """A row label merged over several rows and flattened to one cell leaves
    the cells below it empty: a deeper label in this row means the empty
    cell before it continues the label above."""
    labs = list(labs)
    for i in range(len(labs) - 2, -1, -1):
        if not labs[i] and any(labs[i + 1:]) and i < len(prev) and prev[i]:
            labs[i] = prev[i]
    return labs


def _header_paths(header: list[list[str]], L: int) -> list[list[str]]:
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
    return [_dedupe([grid[r][c] for r in range(len(grid)) if grid[r][c]]) for c in range(width)]


def _label_map(t: Table, paths: list[list[str]], L: int) -> dict[str, list[int]] | None:
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


def _order_map(t: Table, vcells: list[str]) -> dict[str, list[int]] | None:
    """The trailing number cells in the form's column order, when their count
    fits (extra cells must be empty, or all repeat one merged value)."""
    n, k = len(t.columns), len(vcells)
    if k < n:
        return None
    start = 0
    if k > n:
        if all(not v for v in vcells[: k - n]):
            start = k - n
        elif all(not v for v in vcells[n:]):
            start = 0
        elif n == 1 and len({norm(v) for v in vcells}) == 1:
            start = 0
        else:
            return None
    return {c.id: [start + j] for j, c in enumerate(t.columns)}


def _in_header(col: Axis, header_text: str) -> bool:
    """Does the header mention this column's own label? (Characters in
    order: a label split over two rows, "商业" / "企业", still counts.)"""
    if not col.labels:
        return True
    want = loose(col.labels[-1]) or core(col.labels[-1])
    it = iter(header_text)
    return all(ch in it for ch in want)


# ---------------------------------------------------------------- all

def map_document(src: SourceDoc, form: Form) -> Mapped:
    out = Mapped()
    out.agency, out.year, title = find_identity(src, form)
    out.texts = map_texts(src, form, title)
    m = _Mapper(form)
    index = 0
    for b in src.blocks:
        if isinstance(b, Para):
            m.see_paragraph(b.text)
        else:
            index += 1
            m.table(b.rows, index)
    out.tables_found = index
    if not index:
        raise ReportError(f"{src.path}：没有找到统计表（报告中没有表格，或表格无法识别）", code="REPORT_NO_TABLES",
                          path=src.path)
    if not m.found:
        raise ReportError(f"{src.path}：找到了 {index} 张表格，但没有一个数字能对应到统计表的栏目",
                          code="REPORT_UNRECOGNISED", path=src.path)
    for key, vals in m.conflicts.items():
        m.found.pop(key, None)
        out.unmapped.append(f"{form.label_of(key)}：报告中出现了不同的数字（{'、'.join(dict.fromkeys(vals))}），未导入")
    out.unmapped.extend(dict.fromkeys(m.problems))
    for key, v in m.found.items():
        (out.totals if key in form.derived else out.values)[key] = v
    out.unmapped.extend(_missing(form, m, out))
    for t in form.texts:
        if not out.texts.get(t.id):
            out.notes.append(f"文字部分“{t.label}”：报告中没有找到，已留空")
    return out


def _missing(form: Form, m: _Mapper, out: Mapped) -> list[str]:
    lines = []
    conflicted = set(m.conflicts)
    for t in form.tables.values():
        sheet = next(s for s in form.sheets if t in s.tables)
        for r in t.rows:
            inputs = [(t.id, r.id, c.id) for c in t.columns if (t.id, r.id, c.id) not in form.derived]
            missing = [k for k in inputs if k not in out.values and k not in conflicted]
            if not missing:
                continue
            name = "·".join(x for x in (sheet.title, t.title, r.short) if x)
            if (t.id, r.id) not in m.seen_rows:
                lines.append(f"{name}：报告中没有这一行，已留空")
            else:
                cols = "、".join(next(c.short for c in t.columns if c.id == k[2]) for k in missing)
                lines.append(f"{name}：{cols} 未填写或无法识别，已留空")
        for r in t.rows:
            for c in t.columns:
                key = (t.id, r.id, c.id)
                if key in form.derived and key not in out.totals and (t.id, r.id) in m.seen_rows:
                    out.notes.append(f"{form.label_of(key)}：报告中没有这个合计，按各项之和计算")
    return lines
