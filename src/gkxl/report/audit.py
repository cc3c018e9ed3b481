"""`gkxl audit`: a folder of published reports, checked the way a reviewer checks them.

Per report (any mix of PDF, web page, Word, text): how much of it could be
read (cells placed out of the form's cells, and what was not), every table
rule of its form that fails — with both sides' numbers —, every number of
the body text that contradicts its tables (claims.py), and, where two
consecutive years of one agency are present, the breaks between them
(上年结转 against last year's 结转下年度; 现行有效件数 against last year's
plus 制发 minus 废止). A rule is judged only when every cell it needs was
read: a cell that could not be read is listed as missing, never taken as 0.

A report that cannot be read at all (a scan, a damaged file, no tables) is
listed with its reason; its outcome is never lost. The exit code: 2 when a
file could not be read, else 1 when any report has a fault, else 0.
Plausibility warnings (P-*: all zero, a jump from last year) are shown but
are not faults.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import GkxlError
from ..findings import CATALOGUE, Finding
from ..form import CellKey, Form, load_form
from ..form.compute import EPS, Number, clean_number, evaluate
from .claims import check_claims
from .importer import REPORT_SUFFIXES, candidate_forms, choose_form, read_source
from .labels import norm
from .mapping import Mapped
from .source import Para

# the audit's own findings are in the one catalogue (gkxl.findings): A-CLAIM, A-CARRY, A-VALID
AUDIT_CODES = {k: CATALOGUE[k] for k in ("A-CLAIM", "A-CARRY", "A-VALID")}
KIND_ZH = {"pdf": "PDF", "html": "网页", "docx": "Word", "text": "文字", "md": "Markdown"}
STATUS_ZH = {"ok": "未发现问题", "faults": "有问题", "unreadable": "无法读取"}


@dataclass
class ReportAudit:
    """The outcome for one file (plain data: crosses process boundaries, serialises to JSON)."""

    path: str
    status: str = "ok"  # ok | faults | unreadable
    error: str = ""
    error_code: str = ""
    kind: str = ""
    agency: str = ""
    year: int | None = None
    form: str = ""
    form_title: str = ""
    found: int = 0  # cells placed
    cells: int = 0  # cells of the form
    missing: list[str] = field(default_factory=list)  # what could not be placed, and why
    findings: list[Finding] = field(default_factory=list)
    rules_checked: int = 0
    rules_unchecked: int = 0  # rules not judged: a cell they need is missing
    values: dict[CellKey, Number] = field(default_factory=dict)
    sources: dict[CellKey, str] = field(default_factory=dict)

    @property
    def faults(self) -> list[Finding]:
        return [f for f in self.findings if is_fault(f)]

    @property
    def completeness(self) -> float:
        return self.found / self.cells if self.cells else 0.0

    def to_dict(self) -> dict:
        return {
            "file": self.path, "status": self.status, "error": self.error, "error_code": self.error_code,
            "kind": self.kind, "agency": self.agency, "year": self.year, "form": self.form,
            "cells_read": self.found, "cells": self.cells, "completeness": round(self.completeness, 4),
            "missing": self.missing, "rules_checked": self.rules_checked, "rules_unchecked": self.rules_unchecked,
            "faults": len(self.faults),
            "findings": [_finding_dict(f) for f in self.findings],
        }


def _finding_dict(f: Finding) -> dict:
    d = asdict(f)
    d["severity"] = str(f.severity)
    d["category"] = category(f)
    return d


def is_fault(f: Finding) -> bool:
    """A fault of the report (not a plausibility note): fails the audit."""
    return not f.rule.startswith("P-")


def category(f: Finding) -> str:
    if f.rule == "A-CLAIM":
        return "正文与统计表"
    if f.rule in ("A-CARRY", "A-VALID"):
        return "跨年度"
    if f.rule.startswith("P-"):
        return "合理性"
    return "表内规则"


def _fmt(x: Number) -> str:
    return str(clean_number(x))


def _where_of(m_sources: dict[CellKey, str], keys: Iterable[CellKey]) -> list[str]:
    return [m_sources[k] for k in keys if m_sources.get(k)]


def table_rules(form: Form, values: dict[CellKey, Number], sources: dict[CellKey, str]
                ) -> tuple[list[Finding], int, int]:
    """Every total and every rule of the form on the numbers as printed, judged only where
    every cell it needs was read. (findings, rules judged, rules not judged)."""
    out: list[Finding] = []
    checked = unchecked = 0
    for d in list(form.derived.values()) + list(form.extra_sum_rules):
        cells = [d.cell, *d.terms]
        if any(k not in values for k in cells):
            unchecked += 1
            continue
        checked += 1
        total = clean_number(sum(values[k] for k in d.terms))
        stated = values[d.cell]
        if abs(float(stated) - float(total)) > EPS:
            parts = " + ".join(f"{_short(form, k, d.cell)} {_fmt(values[k])}" for k in d.terms)
            if len(d.terms) > 8:
                parts = f"{len(d.terms)} 项之和"
            msg = (f"{form.label_of(d.cell)}：{d.message}。报告中为 {_fmt(stated)}，{parts} = {_fmt(total)}"
                   f"（相差 {_fmt(abs(float(stated) - float(total)))}）")
            out.append(Finding(d.rule, "error", msg, "", "",
                               {"left": stated, "right": total, "cell": ".".join(d.cell)},
                               _where_of(sources, cells), ""))
    for inst in form.compare_instances:
        if inst.uses_prior:
            continue
        cells = inst.cells
        if any(k not in values for k in cells):
            unchecked += 1
            continue
        checked += 1
        ok, left, right = evaluate(inst, values)
        if ok:
            continue
        rows_vary = len({(t.cell[0], t.cell[1]) for t in inst.left + inst.right}) > 1
        lt = _terms(form, inst.left, values, rows_vary)
        rt = _terms(form, inst.right, values, rows_vary)
        where = f"{inst.where}：" if inst.where else ""
        op = {"==": "应等于", "<=": "应不大于", ">=": "应不小于"}[inst.rule.op]
        msg = (f"{where}{inst.rule.message}。{lt} = {_fmt(left)}，{op} {rt} = {_fmt(right)}"
               f"（相差 {_fmt(abs(left - right))}）")
        out.append(Finding(inst.rule.id, inst.rule.severity, msg, "", "",
                           {"left": left, "right": right, "where": inst.where},
                           _where_of(sources, cells), inst.rule.advice))
    return out, checked, unchecked


def _short(form: Form, key: CellKey, total: CellKey) -> str:
    t = form.tables[key[0]]
    if key[1] == total[1]:
        return next(c.short for c in t.columns if c.id == key[2])
    return next(r.short for r in t.rows if r.id == key[1])


def _terms(form: Form, terms, values, rows_vary: bool) -> str:
    parts = []
    for i, t in enumerate(terms):
        tb = form.tables[t.cell[0]]
        name = (next(r.short for r in tb.rows if r.id == t.cell[1]) if rows_vary
                else next(c.short for c in tb.columns if c.id == t.cell[2]))
        sign = "−" if t.coef < 0 else ("+" if i else "")
        parts.append(f"{sign} {name} {_fmt(values.get(t.cell, 0))}".strip())
    return " ".join(parts)


def _paragraphs(src) -> list[tuple[str, str]]:
    """The body's paragraphs with where they are. In a text file a paragraph is often wrapped over
    several lines (text copied from a PDF viewer): consecutive lines between two tables are read as
    one text for the body's claims ("受理政府\n信息公开申请 17 件"), quoted from the first line."""
    out: list[tuple[str, str]] = []
    run: list = []
    for b in src.blocks + [None]:
        if isinstance(b, Para) and src.kind == "text":
            run.append(b)
            continue
        if run:
            out.append(("".join(p.text for p in run), run[0].where))
            run = []
        if isinstance(b, Para):
            out.append((b.text, b.where))
    return out


def with_blanks(form: Form, values: dict[CellKey, Number], blank: set[CellKey]) -> dict[CellKey, Number]:
    """The numbers as a reader judges them: a number cell printed empty counts as nothing (0). A total
    printed empty stays unknown: the rules that need it are not judged (an empty total is not a sum)."""
    return {**{k: 0 for k in blank if k not in form.derived}, **values}


def with_blank_totals(form: Form, values: dict[CellKey, Number], blank: set[CellKey]) -> dict[CellKey, Number]:
    """For the body's claims: a row total printed empty is the sum of its row ("予以公开及部分公开258件"
    beside (一)'s cells 258, 12, 1, 1 and a blank 总计 is held against 272 + 3)."""
    out = dict(values)
    for key in blank:
        d = form.derived.get(key)
        if d is not None and key not in out and all(t in out for t in d.terms):
            out[key] = clean_number(sum(out[t] for t in d.terms))
    return out


def audit_file(path: str | os.PathLike, forms: list[Form] | None = None) -> ReportAudit:
    """Read one published report and judge it on its own (cross-year comes later)."""
    res = ReportAudit(str(path))
    try:
        src = read_source(path)
        res.kind = src.kind
        m: Mapped = choose_form(src, forms or candidate_forms())
    except GkxlError as e:
        res.status, res.error, res.error_code = "unreadable", str(e), getattr(e, "code", "")
        return res
    form = m.form
    assert form is not None
    res.agency, res.year, res.form, res.form_title = m.agency, m.year, form.id, form.title
    res.cells = len(form.cells)
    res.found = m.found
    res.missing = list(m.unmapped)
    values = {**m.values, **m.totals}
    res.values, res.sources = values, dict(m.sources)
    judged = with_blanks(form, values, m.blank)
    findings, res.rules_checked, res.rules_unchecked = table_rules(form, judged, m.sources)
    paras = _paragraphs(src)
    code = AUDIT_CODES["A-CLAIM"]
    for c in check_claims(paras, form, with_blank_totals(form, judged, m.blank)):
        readings = "；".join(f"{k} = {_fmt(v)}" for k, v in c.table.items())
        msg = f"正文“{c.text}”说{c.claim} {c.stated} 件，而统计表中{readings}"
        findings.append(Finding(code.id, code.severity, msg, "", "",
                                {"stated": c.stated, "table": c.table, "text": c.text},
                                [c.where] if c.where else [], code.advice))
    res.findings = findings
    res.status = "faults" if res.faults else "ok"
    return res


def _agency_key(name: str) -> str:
    return norm(name or "")


# "淮安市洪泽区人民政府" is titled "洪泽区人民政府" in another year: the longer name adds higher divisions
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:区|县|市|旗)[\u4e00-\u9fff]{2,}")
_DIVISION_END = re.compile(r"(?:省|自治区|市|自治州|州|盟|地区)$")


def _adds_divisions(longer: str, shorter: str) -> bool:
    return len(longer) > len(shorter) and longer.endswith(shorter) and bool(_PLACE.match(shorter)) \
        and bool(_DIVISION_END.search(longer[: -len(shorter)]))


def agency_groups(names: Iterable[str]) -> dict[str, str]:
    """Each agency name -> the key of the agency it names. Names equal after normalising are one
    agency; a name is also one with the longer names that only add higher divisions in front of it
    ("洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府") — but only where those
    longer names are one chain: "鼓楼区人民政府" beside both "南京市鼓楼区人民政府" and
    "福州市鼓楼区人民政府" stays apart from both."""
    keys = {n: _agency_key(n) for n in names}
    uniq = sorted(set(keys.values()), key=len)
    root = {}
    for k in uniq:
        ups = sorted((u for u in uniq if _adds_divisions(u, k)), key=len)
        chain = all(ups[i + 1].endswith(ups[i]) for i in range(len(ups) - 1))
        root[k] = ups[-1] if ups and chain else k
    return {n: root[k] for n, k in keys.items()}


def cross_year(audits: list[ReportAudit]) -> None:
    """Breaks between consecutive years of one agency (added to the later year's findings)."""
    by_agency: dict[str, dict[int, list[ReportAudit]]] = {}
    group = agency_groups(a.agency for a in audits if a.agency)
    for a in audits:
        if a.status == "unreadable" or not a.agency or not a.year:
            continue
        by_agency.setdefault(group[a.agency], {}).setdefault(a.year, []).append(a)
    forms: dict[str, Form] = {}

    def form_of(fid: str) -> Form | None:
        if fid not in forms:
            try:
                forms[fid] = load_form(fid)
            except GkxlError:
                return None
        return forms[fid]

    for years in by_agency.values():
        for y, docs in years.items():
            if y - 1 not in years:
                continue
            # last year's report in several forms (PDF, page, text): every one of this year's is held
            # against the one of them read most completely (the first of those, in path order)
            prev = max(years[y - 1], key=lambda a: a.found)
            for cur in docs:
                f, pf = form_of(cur.form), form_of(prev.form)
                if f is None or pf is None:
                    continue
                _carry(cur, prev, f)
                _valid(cur, prev, f, pf)
                cur.status = "faults" if cur.faults else cur.status


def _carry(cur: ReportAudit, prev: ReportAudit, form: Form) -> None:
    t = form.tables.get("t3")
    if t is None:
        return
    code = AUDIT_CODES["A-CARRY"]
    for c in t.columns:
        now, before = ("t3", "carried_in", c.id), ("t3", "carry_out", c.id)
        if now not in cur.values or before not in prev.values:
            continue
        a, b = cur.values[now], prev.values[before]
        if abs(float(a) - float(b)) > EPS:
            msg = (f"{c.short}：本年（{cur.year}）“二、上年结转”为 {_fmt(a)}，上年（{prev.year}）报告"
                   f"“四、结转下年度继续办理”为 {_fmt(b)}（相差 {_fmt(abs(float(a) - float(b)))}；上年报告：{Path(prev.path).name}）")
            cur.findings.append(Finding(code.id, code.severity, msg, "", "",
                                        {"left": a, "right": b, "prior_file": prev.path, "column": c.id},
                                        _where_of(cur.sources, [now]), code.advice))


def _valid(cur: ReportAudit, prev: ReportAudit, form: Form, prior_form: Form) -> None:
    t, pt = form.tables.get("t2a"), prior_form.tables.get("t2a")
    if t is None or pt is None or not {"valid", "issued", "repealed"} <= set(t.col_ids()) \
            or "valid" not in pt.col_ids():
        return
    code = AUDIT_CODES["A-VALID"]
    for r in t.rows:
        keys = [("t2a", r.id, c) for c in ("valid", "issued", "repealed")]
        pk = ("t2a", r.id, "valid")
        if any(k not in cur.values for k in keys) or pk not in prev.values:
            continue
        valid, issued, repealed = (cur.values[k] for k in keys)
        want = clean_number(prev.values[pk] + issued - repealed)
        if abs(float(valid) - float(want)) > EPS:
            msg = (f"{r.short}：现行有效件数为 {_fmt(valid)}，上年（{prev.year}）现行有效 {_fmt(prev.values[pk])} "
                   f"+ 本年制发 {_fmt(issued)} − 本年废止 {_fmt(repealed)} = {_fmt(want)}"
                   f"（相差 {_fmt(abs(float(valid) - float(want)))}；上年报告：{Path(prev.path).name}）")
            cur.findings.append(Finding(code.id, code.severity, msg, "", "",
                                        {"left": valid, "right": want, "prior_file": prev.path, "row": r.id},
                                        _where_of(cur.sources, keys), code.advice))


_SKIP_NAMES = ("readme",)


def report_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Every published report under the given files and folders, in a stable order. A file
    named on the command line is always taken; in folders, hidden files, Office lock files
    and README files are not reports."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    q = Path(root) / name
                    if (name.startswith((".", "~$")) or q.suffix.lower() not in REPORT_SUFFIXES
                            or q.stem.lower().startswith(_SKIP_NAMES)):
                        continue
                    found.append(q)
            out.extend(sorted(found))
        else:
            out.append(p)
    seen: set[Path] = set()  # a file under two of the given folders (or named twice) is one report
    unique = []
    for q in out:
        key = q.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique


def _job(path: str) -> ReportAudit:
    return audit_file(path)


def audit_paths(paths: Iterable[str | os.PathLike], *, jobs: int | None = None,
                progress: Callable[[], None] | None = None) -> list[ReportAudit]:
    """Audit every report under `paths` (in parallel), then across years."""
    from ..files.parallel import run_jobs

    files = [str(p) for p in report_files(paths)]
    audits = run_jobs(_job, files, jobs=jobs, progress=progress, min_parallel=4)
    cross_year(audits)
    return audits


def exit_code(audits: list[ReportAudit]) -> int:
    if any(a.status == "unreadable" for a in audits):
        return 2
    return 1 if any(a.faults for a in audits) else 0


def summary(audits: list[ReportAudit]) -> dict:
    return {
        "reports": len(audits),
        "unreadable": sum(1 for a in audits if a.status == "unreadable"),
        "with_faults": sum(1 for a in audits if a.status == "faults"),
        "faults": sum(len(a.faults) for a in audits),
        "cells_read": sum(a.found for a in audits),
        "cells": sum(a.cells for a in audits if a.status != "unreadable"),
    }


# ---------------------------------------------------------------- the workbook

def write_audit_workbook(audits: list[ReportAudit], out: str | os.PathLike) -> Path:
    """报告 (one row per file), 问题 (every finding, both sides' numbers), 未读出 (every cell
    not placed, with its reason). Written atomically; text is never a formula."""
    import io

    import xlsxwriter

    from ..files.outputs import atomic_write

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": "政府信息公开工作年度报告审计", "author": "gkxl"})
    wb.set_custom_property("gkxl_output", "audit")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bad = wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#B00000"})
    pct = wb.add_format({"num_format": "0.0%", "valign": "top"})

    ws = wb.add_worksheet("报告")
    cols = [("文件", 36), ("类型", 8), ("单位", 24), ("年度", 7), ("表单", 22), ("结论", 10), ("已读出", 8),
            ("表单格数", 8), ("完整度", 8), ("未读出", 8), ("表内规则问题", 10), ("正文与表格不符", 10),
            ("跨年度问题", 10), ("其他提醒", 8), ("未能判断的规则", 10), ("说明", 60)]
    for j, (name, w) in enumerate(cols):
        ws.write_string(0, j, name, head)
        ws.set_column(j, j, w)
    for i, a in enumerate(audits, 1):
        cats = [category(f) for f in a.findings]
        row = [a.path, KIND_ZH.get(a.kind, a.kind), a.agency, a.year or "", a.form_title or a.form,
               STATUS_ZH[a.status]]
        for j, v in enumerate(row):
            fmt = bad if (j == 5 and a.status != "ok") else wrap
            if isinstance(v, int):
                ws.write_number(i, j, v, fmt)
            else:
                ws.write_string(i, j, str(v), fmt)
        if a.status == "unreadable":
            ws.write_string(i, 15, a.error, bad)
            continue
        ws.write_number(i, 6, a.found)
        ws.write_number(i, 7, a.cells)
        ws.write_number(i, 8, a.completeness, pct)
        ws.write_number(i, 9, a.cells - a.found)
        ws.write_number(i, 10, cats.count("表内规则"))
        ws.write_number(i, 11, cats.count("正文与表格"))
        ws.write_number(i, 12, cats.count("跨年度"))
        ws.write_number(i, 13, cats.count("合理性"))
        ws.write_number(i, 14, a.rules_unchecked)
        if a.missing:
            ws.write_string(i, 15, f"有 {len(a.missing)} 项未能读出，见“未读出”页", wrap)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(1, len(audits)), len(cols) - 1)

    ws2 = wb.add_worksheet("问题")
    cols2 = [("文件", 30), ("单位", 22), ("年度", 7), ("类别", 12), ("规则", 18), ("严重程度", 8), ("说明", 90),
             ("位置", 50)]
    for j, (name, w) in enumerate(cols2):
        ws2.write_string(0, j, name, head)
        ws2.set_column(j, j, w)
    r = 1
    for a in audits:
        for f in a.findings:
            vals = [a.path, a.agency, a.year or "", category(f), f.rule,
                    {"error": "错误", "warning": "提醒"}.get(str(f.severity), str(f.severity)), f.message,
                    "；".join(f.cells[:8])]
            for j, v in enumerate(vals):
                if isinstance(v, int):
                    ws2.write_number(r, j, v, wrap)
                else:
                    ws2.write_string(r, j, str(v), bad if (j == 6 and is_fault(f)) else wrap)
            r += 1
    ws2.freeze_panes(1, 0)
    ws2.autofilter(0, 0, max(1, r - 1), len(cols2) - 1)

    ws3 = wb.add_worksheet("未读出")
    cols3 = [("文件", 30), ("单位", 22), ("年度", 7), ("未能读出的内容及原因", 110)]
    for j, (name, w) in enumerate(cols3):
        ws3.write_string(0, j, name, head)
        ws3.set_column(j, j, w)
    r = 1
    for a in audits:
        for line in a.missing:
            for j, v in enumerate([a.path, a.agency, a.year or "", line]):
                if isinstance(v, int):
                    ws3.write_number(r, j, v, wrap)
                else:
                    ws3.write_string(r, j, str(v), wrap)
            r += 1
    ws3.freeze_panes(1, 0)
    wb.close()
    out = Path(out)
    atomic_write(out, buf.getvalue())
    return out
