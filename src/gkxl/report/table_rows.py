"""The rows of a report's tables, each identified as a row of the form by its labels.

A data row is identified by its row label (the leaf label, with the parent labels it shows or that
the rows above it showed), among every row of every table of the form, preferring the table the
surrounding title rows and headings point to; a label cut short names the rows it is part of; a row
still not known for certain is placed by order only between two known rows of one table with
exactly as many rows between them in the form. See mapping.py for the whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..form import Axis, CellKey, Form, Sheet, Table
from ..form.compute import Number
from ..workbook.values import normalise_text
from .labels import heading_match, label_eq, norm
from .row_names import RowNames
from .source import RawTable
from .table_cols import dedupe, fill_down, header_paths, in_header, label_map, last_label, order_map
from .values_text import parse_value, value_like

NO_LABEL = "（无行标签）"
_NUMBERED_LABEL = re.compile(r"^\d{1,2}[.、．,]\D")  # a label that starts with a row's own numbering


@dataclass
class _Segment:
    """Rows of one table of the form: header rows, then data rows."""

    table: Table | None
    raw: RawTable
    header: list[list[str]] = field(default_factory=list)
    data: list[tuple[int, list[str]]] = field(default_factory=list)  # (row index in the raw table, cells)
    where: str = ""
    context: str = ""  # paragraphs since the section's heading: a header split off the table


@dataclass
class _Obs:
    """One data row as found, before it is known which row of the form it is."""

    order: int
    seg: _Segment
    raw_row: int
    cells: list[str]
    cut: int  # the value cells start here (whole-row positions)
    rect: bool
    paths: list[list[str]]
    shown: str
    cands: list[tuple[Table, Axis]]  # the best candidates (one: certain)
    kind: str  # exact | fragment | none
    n_values: int  # value-like cells after the labels
    assigned: tuple[Table, Axis] | None = None
    how: str = "table"
    label_before: bool = False  # its label is the paragraph(s) printed just before its table


class TableMapper(RowNames):
    def __init__(self, form: Form) -> None:
        super().__init__(form)
        self.sheet: Sheet | None = None
        self.found: dict[CellKey, Number] = {}
        self.where: dict[CellKey, str] = {}
        self.how: dict[CellKey, str] = {}
        self.conflicts: dict[CellKey, list[str]] = {}
        self.blank: set[CellKey] = set()  # cells whose table cell is printed empty (&nbsp;, nothing)
        self.problems: list[tuple[frozenset, str]] = []  # (the rows it may concern, what went wrong)
        self.seen_rows: set[tuple[str, str]] = set()
        self.n_tables = 0
        self.obs: list[_Obs] = []
        self.context: list[str] = []  # paragraphs since the last sheet heading
        self.before: list[str] = []  # paragraphs since the last table
        self.label_maps: dict[tuple[int, str], dict[str, list[int]] | None] = {}

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
        if sh is not None and sh is not self.sheet:
            self.sheet = sh
            self.context = []
        elif sh is not None:
            pass  # the part's heading again ("## 表三：收到和处理…" under "二、收到和处理…"): its header text stays
        else:
            self.context.append(text)
            del self.context[:-12]
        self.before.append(text)
        del self.before[:-12]

    # -- rows
    def is_data(self, cells: list[str]) -> bool:
        if any(value_like(c) for c in cells):
            return True
        n_empty_tail = len(cells) - len(cells[:last_label(cells) + 1])
        path = dedupe([c for c in cells if c])
        return n_empty_tail >= 1 and 1 <= len(path) <= self.max_depth and bool(self.leaf_rows(path))

    def table(self, raw: RawTable, index: int) -> None:
        self.n_tables += 1
        segs: list[_Segment] = []
        seg: _Segment | None = None
        context = "".join(self.context)
        before = list(self.before)
        self.before = []
        for i, row in enumerate(raw.rows):
            cells = [c.strip() if normalise_text(c) else "" for c in row]
            texts = dedupe([c for c in cells if c])
            if not texts:
                continue
            if len(set(texts)) == 1 and not value_like(texts[0]):
                t = self.title_table(texts[0])
                if t is not None:
                    seg = _Segment(t, raw, where=raw.name or f"第 {index} 张表", context=context)
                    segs.append(seg)
                    self.sheet = next(s for s in self.form.sheets if t in s.tables)
                    continue
                sh = self.title_sheet(texts[0])
                if sh is not None:
                    self.sheet = sh
                    seg = None
                    continue
            data = self.is_data(cells)
            if not data and seg is not None and seg.data and self.continues(seg, cells):
                continue
            if seg is None or (not data and seg.data):
                seg = _Segment(None, raw, where=raw.name or f"第 {index} 张表", context=context)
                segs.append(seg)
            if data:
                seg.data.append((i, cells))
            else:
                seg.header.append(cells)
        first = True
        for s in segs:
            self.segment(s, before if first else [])
            first = False

    def continues(self, seg: _Segment, cells: list[str]) -> bool:
        """A row holding only the wrapped end of the previous row's labels ("申请" under
        "1.信访举报投诉类", a PDF row split by a page's grid): joined to that row when the
        joined label is a row of the form and the previous one alone was not."""
        ri, prev = seg.data[-1]
        if len(prev) != len(cells) or any(value_like(c) for c in cells):
            return False
        cut = last_label(prev) + 1
        if any(cells[cut:]) or not any(cells[:cut]):
            return False
        merged = [p + c if c and c != p else p for p, c in zip(prev[:cut], cells[:cut])] + prev[cut:]
        old = dedupe([x for x in prev[:cut] if x])
        new = dedupe([x for x in merged[:cut] if x])
        if not new or (old and self.leaf_rows(old)) or not self.leaf_rows(new):
            return False
        seg.data[-1] = (ri, merged)
        return True

    def segment(self, seg: _Segment, before: list[str]) -> None:
        widths = {len(r) for r in seg.header + [c for _, c in seg.data]}
        rect = bool(seg.header) and bool(seg.data) and len(widths) == 1
        L = 0
        paths: list[list[str]] = []
        if rect:
            L = max(last_label(r) + 1 for _, r in seg.data)
            paths = header_paths(seg.header, L)
        prev: list[str] = []
        for k, (ri, row) in enumerate(seg.data):
            cut = L if rect else last_label(row) + 1
            labs = fill_down(row[:cut], prev)
            prev = labs
            vcells = row[cut:]
            n_values = sum(1 for v in vcells if v)
            path = dedupe([x for x in labs if x])
            kind = "exact"
            label_before = False
            cands = self.leaf_rows(path)
            if not path and before and k == 0:
                # a label printed as the paragraph(s) just before the table, unless another row's
                # label is printed there too (an extraction that put the labels of several rows
                # above one row of numbers: whose numbers they are is not known from here)
                tail = before[-3:]
                for j in range(len(tail)):
                    joined = "".join(tail[j:])
                    hit = self.leaf_rows([joined]) if len(norm(joined)) >= 4 else []
                    if hit:
                        if not self.names_a_row(before[:len(before) - len(tail) + j], {(t.id, r.id) for t, r, _ in hit}):
                            cands, path, label_before = hit, [joined], True
                        break
            if path and not cands:
                cands, kind = self.fragment_rows(path), "fragment"
            if len(path) > 1:
                # a numbered row label among the parents that is not the row's own ("2.申请人逾期…" over
                # "（六）其他处理" where a lost cell shifted the merged cells): not that row
                cands = [c for c in cands if not any(_NUMBERED_LABEL.match(norm(p)) and not any(label_eq(p, x) for x in
                                                     c[1].labels) for p in path[:-1])]
            # a row without a label fits a table by its value cells: its numbers, or its cells blank or
            # not (table 四's one row with its empty cells, in a grid or between tabs)
            widths = {n_values, len(vcells)}
            if not path and not any(len(t.columns) in widths for t, _, _ in cands):
                kind = "none"
                cands = [(t, r, 0) for t in self.form.tables.values() if len(t.columns) == n_values
                         for r in t.rows if r.labels]
            shown = "·".join(path) or NO_LABEL
            if not cands:
                # a damaged label ("2.其他法律行政止公开"): not placed from here, but if the row it may be
                # (the same number under the same parents) is read whole elsewhere, nothing was lost
                self.problem(f"{seg.where}中的行“{shown}”：无法对应到统计表中的任何一行", self.numbered_rows(path))
                continue

            def pref(c):
                t, r, score = c
                fits = rect or order_map(t, row[cut:]) is not None
                in_sheet = self.sheet is not None and t in self.sheet.tables
                return (seg.table is t, fits, score, in_sheet)

            cands.sort(key=pref, reverse=True)
            top = [c for c in cands if pref(c) == pref(cands[0])] if kind == "exact" else cands
            o = _Obs(len(self.obs), seg, ri, row, cut, rect, paths, shown, [(t, r) for t, r, _ in top], kind,
                     n_values, label_before=label_before)
            if kind == "exact" and len(top) == 1:
                o.assigned = (top[0][0], top[0][1])
                seg.table = o.assigned[0]
                self.sheet = next(s for s in self.form.sheets if o.assigned[0] in s.tables)
            self.obs.append(o)

    # -- rows placed by order between two certain rows of the same table
    def align(self) -> None:
        self.keep_order()
        for t in self.form.tables.values():
            anchors = [o for o in self.obs if o.assigned and o.assigned[0] is t]
            taken = {o.assigned[1].id for o in anchors}
            for a, b in zip(anchors, anchors[1:]):
                ia, ib = self.row_index[(t.id, a.assigned[1].id)], self.row_index[(t.id, b.assigned[1].id)]
                if ib <= ia + 1:
                    continue
                between = [o for o in self.obs if a.order < o.order < b.order and o.assigned is None]
                gap = [r for r in t.rows[ia + 1:ib] if r.id not in taken]
                if not between or len(between) != len(gap):
                    continue
                if all(any(ct is t and cr.id == r.id for ct, cr in o.cands) for o, r in zip(between, gap)):
                    for o, r in zip(between, gap):
                        o.assigned, o.how = (t, r), "aligned"
                        taken.add(r.id)

    def keep_order(self) -> None:
        """A row named only by the paragraph printed above its table must sit, in the document, between
        the rows of its table before and after it in the form; an extraction that lost a row's label can
        leave another row's label above it ("1.本机关不掌握…" over (三)5's numbers, between (三)4 and (三)6)."""
        for o in self.obs:
            if not (o.label_before and o.assigned):
                continue
            t, at = o.assigned[0], self.row_index[(o.assigned[0].id, o.assigned[1].id)]
            same = [x for x in self.obs if x is not o and x.assigned and x.assigned[0] is t]
            before = [self.row_index[(t.id, x.assigned[1].id)] for x in same if x.order < o.order]
            after = [self.row_index[(t.id, x.assigned[1].id)] for x in same if x.order > o.order]
            if (before and max(before) >= at) or (after and min(after) <= at):
                o.assigned = None
                o.cands = []

    def problem(self, text: str, rows=()) -> None:
        self.problems.append((frozenset((t.id, r.id) for t, r in rows), text))

    def place(self) -> None:
        for o in self.obs:
            if o.assigned is None:
                if 1 < len(o.cands) <= 4:
                    names = "、".join(f"{t.title or t.id}·{r.short}" for t, r in o.cands)
                    self.problem(f"{o.seg.where}中的行“{o.shown}”：可能是 {names}，无法确定，未导入", o.cands)
                else:
                    self.problem(f"{o.seg.where}中的行“{o.shown}”：无法确定是统计表中的哪一行，未导入", o.cands)
                continue
            self.place_row(o)

    def place_row(self, o: _Obs) -> None:
        t, r = o.assigned
        seg = o.seg
        sheet = next(s for s in self.form.sheets if t in s.tables)
        vcells = o.cells[o.cut:]
        offset = o.cut
        colmap = None
        if o.rect:
            ck = (id(seg), t.id)
            if ck not in self.label_maps:
                self.label_maps[ck] = label_map(t, o.paths, o.cut)
            colmap = self.label_maps[ck]
        if colmap is not None:
            vcells, offset = o.cells, 0  # positions are whole-row positions
        else:
            header_text = norm("".join("".join(h) for h in seg.header))
            if seg.header and not all(in_header(c, header_text) for c in t.columns):
                wider = norm(seg.context) + header_text
                if not all(in_header(c, wider) for c in t.columns):
                    self.problem(f"{seg.where}中的行“{o.shown}”：表头与“{t.title or sheet.title}”的栏目对不上，未导入",
                                 [o.assigned])
                    return
            wide = max((len(x) for x in seg.header + [c for _, c in seg.data]), default=0)
            if seg.raw.grid and len(o.cells) < wide:
                self.problem(f"{seg.where}中的行“{o.shown}”：这一行比表格的其他行少了格子（缺了一格），"
                             "无法确定各数字属于哪一栏，未导入", [o.assigned])
                return
            colmap = order_map(t, vcells)
            if colmap is not None and not seg.header and o.shown == NO_LABEL and o.how == "table":
                # no label and no header (table 四's one row with its header lost, or a table printed
                # backwards): placed by its count of numbers alone, kept only if its own sums hold
                # (a row placed by its order between known rows stays "aligned", for the sums across rows)
                o.how = "shape"
        if colmap is None:
            self.problem(f"{seg.where}中的行“{o.shown}”：有 {len(vcells)} 个数字格，"
                         f"而“{t.title or sheet.title}”有 {len(t.columns)} 栏，无法对应，未导入", [o.assigned])
            return
        self.seen_rows.add((t.id, r.id))
        spilled = self._spilled(o, colmap) if offset == 0 else set()
        for col in t.columns:
            key = (t.id, r.id, col.id)
            ps = [p for p in colmap.get(col.id, []) if p < len(vcells) and (col.id, p) not in spilled]
            texts = [vcells[p] for p in ps]
            where = seg.raw.cell_where(o.raw_row, ps[0] + offset) if ps else ""
            self.record(key, texts, where, o.how)

    def _spilled(self, o: _Obs, colmap: dict[str, list[int]]) -> set[tuple[str, int]]:
        """(column, position) pairs where a merged number cell of the row reaches into a column it does not
        start in: a published row whose merges do not follow its header ("3" over 上一年项目数量 and half of
        本年增/减) gives its number to the column it starts in only."""
        where = o.seg.raw.where
        if where is None or o.raw_row >= len(where):
            return set()
        cells = where[o.raw_row]
        owner = {p: c for c, ps in colmap.items() for p in ps}
        out = set()
        for p, c in owner.items():
            if 0 < p < len(cells) and cells[p]:
                first = next(q for q in range(p + 1) if q < len(cells) and cells[q] == cells[p])
                if first != p and owner.get(first) != c:
                    out.add((c, p))
        return out

    def record(self, key: CellKey, texts: list[str], where: str = "", how: str = "table") -> None:
        kind = self.form.kind_of(key)
        vals: list[Number] = []
        for tx in texts:
            v, problem = parse_value(tx, kind, self.form.decimals_of(kind))
            if problem:
                self.problem(f"{self.form.label_of(key)}：{problem}（{where}），未导入")
                return
            if v is not None:
                vals.append(v)
        if not vals:
            if texts and not any(normalise_text(tx) for tx in texts):
                self.blank.add(key)
            return
        if len({float(v) for v in vals}) > 1:
            self.conflicts.setdefault(key, []).extend(str(v) for v in vals)
            return
        v = vals[0]
        if key in self.found and abs(float(self.found[key]) - float(v)) > 1e-9:
            self.conflicts.setdefault(key, [str(self.found[key])]).append(str(v))
            return
        if key not in self.found:
            self.where[key] = where
            self.how[key] = how
        self.found[key] = v
