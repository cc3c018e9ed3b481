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
from ..form import CellKey, Form
from .errors import ReportError
from .identity import find_identity as _identity
from .labels import heading_match, norm
from .model import DRAFT_NOTE, EMPTY_TEXT, sections
from .source import Para, RawTable, SourceDoc
from .splits import equations
from .table_rows import TableMapper
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
    blank: set[CellKey] = field(default_factory=set)  # cells printed empty in a table (not placed: nothing to place)
    form: Form | None = None
    title: str = ""

    @property
    def found(self) -> int:
        return len(self.values) + len(self.totals)

    def value(self, key: CellKey) -> Number | None:
        return self.values.get(key, self.totals.get(key))

    def to_dict(self) -> dict:
        """The report as read, for `gkxl import-report --json`: every cell placed with where it came
        from, every cell left missing with why, in the form's terms."""
        f = self.form
        cells = {}
        if f is not None:
            for key in f.cells:
                v = self.value(key)
                if v is not None:
                    cells[".".join(key)] = {"label": f.label_of(key), "value": v, "total": key in self.totals,
                                            "source": self.sources.get(key, ""), "how": self.how.get(key, "")}
        return {"agency": self.agency, "year": self.year, "form": f.id if f else "", "title": self.title,
                "cells_read": self.found, "cells": len(f.cells) if f else 0, "values": cells,
                "blank": sorted(".".join(k) for k in self.blank), "missing": list(self.unmapped),
                "notes": list(self.notes), "texts": {k: v for k, v in self.texts.items() if v}}


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
    _sub_texts_in_main(secs, out)
    return {k: "\n".join(v) for k, v in out.items()}


def _sub_texts_in_main(secs, out: dict[str, list[str]]) -> None:
    """A sub-part printed without its own heading, inside its section's text: "六、其他需要报告的事项" with
    "全年收取政府信息公开信息处理费 0 元" and no "信息处理费收取情况" heading. A paragraph of the section's
    main text that names the sub-part (five characters of its label in a row: "信息处理费") is its text."""
    for sec in secs:
        main = next((f.id for f, sub in sec.texts if not sub), None)
        for fld, sub in sec.texts:
            if not sub or out.get(fld.id) or not main or not out.get(main):
                continue
            lab = norm(sub)
            names = {lab[i:i + 5] for i in range(len(lab) - 4)}
            hit = [p for p in out[main] if any(n in norm(p) for n in names)]
            if hit:
                out[fld.id] = hit
                out[main] = [p for p in out[main] if p not in hit]


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


# ---------------------------------------------------------------- all

def map_document(src: SourceDoc, form: Form, *, stream: bool = True) -> Mapped:
    """Everything the report says that the form has a place for.

    `stream`: also read the document's text as one stream for what its tables leave
    missing (text versions, layout text, run-together digits)."""
    out = Mapped(form=form)
    out.agency, out.year, title = find_identity(src, form)
    out.title = title
    texts = map_texts(src, form, title)
    only_sub = {k for k, v in texts.items() if not v}  # its section's text was all its sub-part's (the fee)
    out.texts = {k: v for k, v in texts.items() if v}
    m = TableMapper(form)
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
    _verify_by_order(form, m)
    _verify_by_shape(form, m)
    if not m.found:
        if not index and not m.found:
            why = "".join(f"；{n}" for n in src.notes if "图片" in n)
            raise ReportError(f"{src.path}：没有找到统计表（报告中没有表格，或表格无法识别）{why}",
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
    out.blank = {k for k in m.blank if k not in m.found and k not in m.conflicts}
    out.unmapped.extend(_missing(form, m, out))
    out.notes.extend(src.notes)
    for t in form.texts:
        if not out.texts.get(t.id) and t.id not in only_sub:
            out.notes.append(f"文字部分“{t.label}”：报告中没有找到，已留空")
    return out


def _fill_from_stream(src: SourceDoc, form: Form, m: TableMapper) -> None:
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
            v, problem = parse_value(res.values[key], form.kind_of(key), form.decimals_of(form.kind_of(key)))
            if problem:
                m.problem(f"{form.label_of(key)}：{problem}（{res.sources.get(key, '')}），未导入")
                # a number in a unit not the form's ("251000元") is that cell's fault alone; anything
                # else may be the row read out of line
                bad = bad or not value_like(res.values[key])
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


def _verify_by_order(form: Form, m: TableMapper) -> None:
    """Rows placed by their order alone (between two known rows, with as many rows between them as
    the form has) must agree with the table's sums across rows: where a row is lost from the document
    and another's numbers stand in its place, the counts still match but the sums do not. Such rows
    are taken back, said, never kept; so are rows no such sum can confirm (cells it needs not read)."""
    by_order = {k for k in m.found if m.how.get(k) == "aligned"}
    if not by_order:
        return
    vals = {}
    for k, v in m.found.items():
        try:
            vals[k] = float(v)
        except (TypeError, ValueError):
            pass
    bad_rows, held = set(), set()
    for e in equations(form):
        mine = {k[:2] for k in e.cells & by_order}
        if not mine or not e.cells <= vals.keys() or len({k[1] for k in e.cells}) < 2:
            continue  # a row's own total proves nothing about which row it is
        (held if e.holds(vals) else bad_rows).update(mine)
    # a row whose place no sum across rows could confirm is not kept either
    bad_rows |= {k[:2] for k in by_order} - held
    for tid, rid in sorted(bad_rows):
        t = form.tables[tid]
        r = next(x for x in t.rows if x.id == rid)
        _take_back(m, [k for k in by_order if k[:2] == (tid, rid)])
        m.problem(f"{form.label_of((tid, rid, t.columns[0].id)).rsplit('·', 1)[0]}：这一行只能按在表中的顺序对应，"
                  "而表内合计不能证实这样对应（原文可能缺了或多了一行），未导入", [(t, r)])


def _take_back(m: TableMapper, keys) -> None:
    """Cells read and then found unproven: no longer read, nor said where they came from."""
    for k in keys:
        m.found.pop(k, None)
        m.where.pop(k, None)
        m.how.pop(k, None)


def _verify_by_shape(form: Form, m: TableMapper) -> None:
    """A row placed by its count of numbers alone (no label, no header) is kept only when every sum
    inside it holds and there is one: fifteen numbers are not table 四 just because there are fifteen."""
    rows = {k[:2] for k in m.found if m.how.get(k) == "shape"}
    eqs = equations(form) if rows else []
    for tid, rid in sorted(rows):
        keys = [k for k in m.found if k[:2] == (tid, rid)]
        vals = {}
        for k in keys:
            try:
                vals[k] = float(m.found[k])
            except (TypeError, ValueError):
                pass
        own = [e for e in eqs if e.cells and all(k[:2] == (tid, rid) for k in e.cells)]
        if own and all(e.cells <= vals.keys() and e.holds(vals) for e in own):
            continue
        t = form.tables[tid]
        _take_back(m, keys)
        m.problem(f"{t.title or tid}：表格没有表头，这一行也没有行标签，只能按数字个数对应，"
                  "而行内合计不能证实（数字可能是倒序或别的表格的），未导入",
                  [(t, r) for r in t.rows if r.id == rid])


def _missing(form: Form, m: TableMapper, out: Mapped) -> list[str]:
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
                if (key in form.derived and key not in out.totals and key not in conflicted
                        and (t.id, r.id) in m.seen_rows):  # a total printed twice differently is listed above
                    how = "这个合计为空白" if key in m.blank else "没有这个合计"
                    out.notes.append(f"{form.label_of(key)}：报告中{how}，按各项之和计算")
    return lines
