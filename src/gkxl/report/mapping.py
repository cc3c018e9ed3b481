"""Map a published report (paragraphs and tables) onto the form, by labels.

Tables in the wild differ from the standard layout: merged cells flattened
(their text repeated, or left in one cell with the others empty, or the
covered cells missing altogether), labels with or without numbering,
"万元" with decimals, a row left out, the sub-tables of one section in one
table or in several, a row's label split from its numbers by a page break
or a machine extraction. So nothing here trusts a position:

* a data row is identified by its row label (the leaf label, with the
  parent labels it shows or that the rows above it showed), among every row
  of every table of the form, preferring the table the surrounding title
  rows and headings point to; a label cut short ("行政机关不再处理其政府信息公")
  names the rows it is part of; a row whose label is the paragraph just
  before its table ("（二）部分公开（区分处理的…" / "形，不计其他情形）") has it;
* a row still not known for certain (no label, a cut label that fits two
  rows) is placed by order only when it sits between two known rows of one
  table and the rows between them in the form are exactly as many;
* its numbers are assigned to columns by the header labels above them when
  the table is rectangular (HTML, Word and PDF tables, merges expanded);
  otherwise the row's trailing numbers are taken in the form's column
  order, and only when their count fits;
* what the tables leave missing is then looked for in the document's text
  as one stream (stream.py): copied text, layout text, run-together digits.

Whatever cannot be placed is listed, in Chinese, never guessed. Every
placed cell keeps where it came from (`Mapped.sources`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..form.compute import Number
from ..form import Axis, CellKey, Form, Sheet, Table
from ..workbook.values import normalise_text
from .errors import ReportError
from .identity import find_identity as _identity
from .labels import core, heading_match, label_eq, loose, norm
from .model import DRAFT_NOTE, EMPTY_TEXT, sections
from .source import Para, RawTable, SourceDoc
from .values_text import parse_value, value_like

STREAM_MAX_CHARS = 1_000_000  # a real report's text is ~20,000 characters

HOW_ZH = {"table": "表格", "stream": "文字中的表格", "split": "连写数字按合计拆分", "order": "按行的顺序对应",
          "aligned": "按行的位置对应"}


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
    sources: dict[CellKey, str] = field(default_factory=dict)  # cell -> where in the document (Chinese)
    how: dict[CellKey, str] = field(default_factory=dict)  # cell -> table | stream | split | order | aligned
    form: Form | None = None
    title: str = ""

    @property
    def found(self) -> int:
        return len(self.values) + len(self.totals)

    def value(self, key: CellKey) -> Number | None:
        return self.values.get(key, self.totals.get(key))


# ---------------------------------------------------------------- identity

def _title_regex(form: Form) -> re.Pattern[str]:
    tpl = norm(form.report_title)
    pat = re.escape(tpl)
    pat = pat.replace(re.escape("{agency}"), r"(?P<agency>[^,，。:：;；、>》|/\\]{2,40}?)")
    pat = pat.replace(re.escape("{year}"), r"(?P<year>(?:19|20)\d{2})")
    return re.compile(pat)


def find_identity(src: SourceDoc, form: Form) -> tuple[str, int | None, str]:
    """(agency name, year, the title text): the title in any of its real variants
    (identity.py), or in the words of the form's own report title."""
    agency, year, title = _identity(src)
    if title:
        return agency, year, title
    rx = _title_regex(form)
    paras = [b.text for b in src.blocks[:12] if isinstance(b, Para)]
    tries = ([src.title_hint] if src.title_hint else []) + paras + [a + b for a, b in zip(paras, paras[1:])]
    for t in tries:
        m = rx.search(norm(t))
        if m:
            y = int(m.group("year")) if "year" in m.groupdict() and m.group("year") else None
            a = m.group("agency") if "agency" in m.groupdict() else ""
            return a, y, t
    return agency, year, ""


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


class _Mapper:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.sheet: Sheet | None = None
        self.found: dict[CellKey, Number] = {}
        self.where: dict[CellKey, str] = {}
        self.how: dict[CellKey, str] = {}
        self.conflicts: dict[CellKey, list[str]] = {}
        self.problems: list[tuple[frozenset, str]] = []  # (the rows it may concern, what went wrong)
        self.seen_rows: set[tuple[str, str]] = set()
        self.max_depth = max(len(r.labels) for t in form.tables.values() for r in t.rows)
        self.n_tables = 0
        self.obs: list[_Obs] = []
        self.context: list[str] = []  # paragraphs since the last sheet heading
        self.before: list[str] = []  # paragraphs since the last table
        self.row_index = {(t.id, r.id): i for t in form.tables.values() for i, r in enumerate(t.rows)}
        self.all_rows = [(t, r) for t in form.tables.values() for r in t.rows]
        self.unlabelled = [(t, r) for t, r in self.all_rows if not r.labels]
        self.by_core: dict[str, list] = {}
        self.by_loose: dict[str, list] = {}
        for t, r in self.all_rows:
            if r.labels:
                c = core(r.labels[-1])
                self.by_core.setdefault(c, []).append((t, r))
                self.by_loose.setdefault(loose(c), []).append((t, r))
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
        if sh is not None:
            self.sheet = sh
            self.context = []
        else:
            self.context.append(text)
            del self.context[:-12]
        self.before.append(text)
        del self.before[:-3]

    # -- rows
    def leaf_rows(self, path: list[str]) -> list[tuple[Table, Axis, int]]:
        """Rows of the form whose own label is the path's last label (label_eq: the same core,
        or the same core without parenthetical notes), scored by the parent labels shown."""
        out = []
        if not path:
            rows = self.unlabelled
        else:
            leaf = path[-1]
            rows = self.by_core.get(core(leaf), []) + self.by_loose.get(loose(core(leaf)), [])
        seen: set[int] = set()
        for t, r in rows:
            if id(r) in seen:
                continue
            seen.add(id(r))
            score = sum(1 for a in r.labels[:-1] if any(label_eq(a, p) for p in path[:-1]))
            out.append((t, r, score))
        order = {id(r): i for i, (_, r) in enumerate(self.all_rows)}
        out.sort(key=lambda x: order[id(x[1])])
        return out

    def fragment_rows(self, path: list[str]) -> list[tuple[Table, Axis, int]]:
        """Rows whose label contains this cut-short label (at least 4 characters)."""
        pieces = {loose(path[-1]), core(path[-1]), "".join(core(p) for p in path)}
        pieces = {p for p in pieces if len(p) >= 4}
        out = []
        for t in self.form.tables.values():
            for r in t.rows:
                if r.labels and any(p in core(r.labels[-1]) for p in pieces):
                    out.append((t, r, 0))
        return out

    def is_data(self, cells: list[str]) -> bool:
        if any(value_like(c) for c in cells):
            return True
        n_empty_tail = len(cells) - len(cells[:_last_label(cells) + 1])
        path = _dedupe([c for c in cells if c])
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
            texts = _dedupe([c for c in cells if c])
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
        cut = _last_label(prev) + 1
        if any(cells[cut:]) or not any(cells[:cut]):
            return False
        merged = [p + c if c and c != p else p for p, c in zip(prev[:cut], cells[:cut])] + prev[cut:]
        old = _dedupe([x for x in prev[:cut] if x])
        new = _dedupe([x for x in merged[:cut] if x])
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
            L = max(_last_label(r) + 1 for _, r in seg.data)
            paths = _header_paths(seg.header, L)
        prev: list[str] = []
        for k, (ri, row) in enumerate(seg.data):
            cut = L if rect else _last_label(row) + 1
            labs = _fill_down(row[:cut], prev)
            prev = labs
            vcells = row[cut:]
            n_values = sum(1 for v in vcells if v)
            path = _dedupe([x for x in labs if x])
            kind = "exact"
            cands = self.leaf_rows(path)
            if not path and before and k == 0:
                # a label printed as the paragraph(s) just before the table
                for j in range(len(before)):
                    joined = "".join(before[j:])
                    hit = self.leaf_rows([joined]) if len(norm(joined)) >= 4 else []
                    if hit:
                        cands, path = hit, [joined]
                        break
            if path and not cands:
                cands, kind = self.fragment_rows(path), "fragment"
            if not path and not any(n_values == len(t.columns) for t, _, _ in cands):
                kind = "none"
                cands = [(t, r, 0) for t in self.form.tables.values() if len(t.columns) == n_values
                         for r in t.rows if r.labels]
            shown = "·".join(path) or "（无行标签）"
            if not cands:
                self.problem(f"{seg.where}中的行“{shown}”：无法对应到统计表中的任何一行")
                continue

            def pref(c):
                t, r, score = c
                fits = rect or _order_map(t, row[cut:]) is not None
                in_sheet = self.sheet is not None and t in self.sheet.tables
                return (seg.table is t, fits, score, in_sheet)

            cands.sort(key=pref, reverse=True)
            top = [c for c in cands if pref(c) == pref(cands[0])] if kind == "exact" else cands
            o = _Obs(len(self.obs), seg, ri, row, cut, rect, paths, shown, [(t, r) for t, r, _ in top], kind,
                     n_values)
            if kind == "exact" and len(top) == 1:
                o.assigned = (top[0][0], top[0][1])
                seg.table = o.assigned[0]
                self.sheet = next(s for s in self.form.sheets if o.assigned[0] in s.tables)
            self.obs.append(o)

    # -- rows placed by order between two certain rows of the same table
    def align(self) -> None:
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
                self.label_maps[ck] = _label_map(t, o.paths, o.cut)
            colmap = self.label_maps[ck]
        if colmap is not None:
            vcells, offset = o.cells, 0  # positions are whole-row positions
        else:
            header_text = norm("".join("".join(h) for h in seg.header))
            if seg.header and not all(_in_header(c, header_text) for c in t.columns):
                wider = norm(seg.context) + header_text
                if not all(_in_header(c, wider) for c in t.columns):
                    self.problem(f"{seg.where}中的行“{o.shown}”：表头与“{t.title or sheet.title}”的栏目对不上，未导入",
                                 [o.assigned])
                    return
            colmap = _order_map(t, vcells)
        if colmap is None:
            self.problem(f"{seg.where}中的行“{o.shown}”：有 {len(vcells)} 个数字格，"
                         f"而“{t.title or sheet.title}”有 {len(t.columns)} 栏，无法对应，未导入", [o.assigned])
            return
        self.seen_rows.add((t.id, r.id))
        for col in t.columns:
            key = (t.id, r.id, col.id)
            ps = [p for p in colmap.get(col.id, []) if p < len(vcells)]
            texts = [vcells[p] for p in ps]
            where = seg.raw.cell_where(o.raw_row, ps[0] + offset) if ps else ""
            self.record(key, texts, where, o.how)

    def record(self, key: CellKey, texts: list[str], where: str = "", how: str = "table") -> None:
        kind = self.form.kind_of(key)
        vals: list[Number] = []
        for tx in texts:
            v, problem = parse_value(tx, kind)
            if problem:
                self.problem(f"{self.form.label_of(key)}：{problem}（{where}），未导入")
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
        if key not in self.found:
            self.where[key] = where
            self.how[key] = how
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
        elif n == 1 and len({norm(v) for v in vcells if v}) == 1:
            return {t.columns[0].id: [i for i, v in enumerate(vcells) if v]}
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

def map_document(src: SourceDoc, form: Form, *, stream: bool = True) -> Mapped:
    """Everything the report says that the form has a place for.

    `stream`: also read the document's text as one stream for what its tables leave
    missing (text versions, layout text, run-together digits)."""
    out = Mapped(form=form)
    out.agency, out.year, title = find_identity(src, form)
    out.title = title
    out.texts = map_texts(src, form, title)
    m = _Mapper(form)
    index = 0
    for b in src.blocks:
        if isinstance(b, Para):
            m.see_paragraph(b.text)
        else:
            index += 1
            m.table(b, index)
    m.align()
    m.place()
    out.tables_found = index
    if stream:
        _fill_from_stream(src, form, m)
    if not m.found:
        if not index and not m.found:
            raise ReportError(f"{src.path}：没有找到统计表（报告中没有表格，或表格无法识别）",
                              code="REPORT_NO_TABLES", path=src.path)
        raise ReportError(f"{src.path}：找到了 {index} 张表格，但没有一个数字能对应到统计表的栏目",
                          code="REPORT_UNRECOGNISED", path=src.path)
    for key, vals in m.conflicts.items():
        m.found.pop(key, None)
        out.unmapped.append(f"{form.label_of(key)}：报告中出现了不同的数字（{'、'.join(dict.fromkeys(vals))}），未导入")
    complete = {(t.id, r.id) for t in form.tables.values() for r in t.rows
                if all((t.id, r.id, c.id) in m.found for c in t.columns if (t.id, r.id, c.id) not in form.derived)}
    out.unmapped.extend(dict.fromkeys(text for rows, text in m.problems if not (rows and rows <= complete)))
    for key, v in m.found.items():
        (out.totals if key in form.derived else out.values)[key] = v
        out.sources[key] = m.where.get(key, "")
        out.how[key] = m.how.get(key, "table")
    out.unmapped.extend(_missing(form, m, out))
    out.notes.extend(src.notes)
    for t in form.texts:
        if not out.texts.get(t.id):
            out.notes.append(f"文字部分“{t.label}”：报告中没有找到，已留空")
    return out


def _fill_from_stream(src: SourceDoc, form: Form, m: _Mapper) -> None:
    """Cells the tables left missing, from the text read as one stream; a cell the tables
    already gave is never replaced, and a row the stream reads differently from the tables
    is not used at all."""
    want = set()  # rows the tables did not give (a row read with a blank cell is read)
    for t in form.tables.values():
        for r in t.rows:
            keys = [(t.id, r.id, c.id) for c in t.columns]
            if (t.id, r.id) not in m.seen_rows and any(k not in m.found and k not in m.conflicts for k in keys):
                want.add((t.id, r.id))
    if not want:
        return
    from .stream import read_stream

    lines = src.text_lines()
    if sum(len(t) for t, _ in lines) > STREAM_MAX_CHARS:
        m.problem(f"{src.path}：文字过长，未按文字流读取其中的表格")
        return
    res = read_stream(lines, form, want, src.cache)
    by_row: dict[tuple[str, str], list[CellKey]] = {}
    for key in res.values:
        by_row.setdefault(key[:2], []).append(key)
    for row, keys in by_row.items():
        parsed = {}
        bad = False
        for key in keys:
            v, problem = parse_value(res.values[key], form.kind_of(key))
            if problem:
                m.problem(f"{form.label_of(key)}：{problem}（{res.sources.get(key, '')}），未导入")
                bad = True
                continue
            if v is None:
                continue
            if key in m.found and abs(float(m.found[key]) - float(v)) > 1e-9:
                bad = True  # the stream read this row differently from the tables: trust neither more
            parsed[key] = v
        if bad:
            continue
        for key, v in parsed.items():
            if key in m.found or key in m.conflicts:
                continue
            m.found[key] = v
            m.where[key] = res.sources.get(key, "")
            m.how[key] = res.how.get(key, "stream")
        m.seen_rows.add(row)
    m.seen_rows |= res.rows_seen
    for row, text in res.row_problems.items():
        rows = [(form.tables[row[0]], next(x for x in form.tables[row[0]].rows if x.id == row[1]))] \
            if isinstance(row, tuple) and row[0] in form.tables else []
        m.problem(text, rows)


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
