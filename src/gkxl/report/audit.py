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
from pathlib import Path
from typing import Callable, Iterable

from ..errors import GkxlError
from ..findings import Finding
from ..form import CellKey, Form
from ..form.compute import EPS, Number, clean_number, evaluate
from .claims import check_claims
from .importer import AUDIT_SUFFIXES, candidate_forms, choose_form, read_source
from .mapping import Mapped
from .source import Para
# the parts of the audit, each in its own module; the names stay importable from here
from .audit_book import write_audit_workbook
from .audit_model import AUDIT_CODES, KIND_ZH, STATUS_ZH, ReportAudit, _fmt, _where_of, category, is_fault
from .audit_years import agency_groups, cross_year

__all__ = ["AUDIT_CODES", "KIND_ZH", "STATUS_ZH", "ReportAudit", "agency_groups", "audit_file", "audit_paths",
           "category", "cross_year", "exit_code", "is_fault", "report_files", "summary", "table_rules",
           "write_audit_workbook"]

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
    res.blank = len(m.blank)
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
    # a report read only in part (or whose agency or year was not found) is not known to be clean
    whole = res.found + res.blank >= res.cells and res.agency and res.year
    res.status = "faults" if res.faults else ("ok" if whole else "partial")
    return res


_SKIP_NAMES = ("readme",)


def report_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Every published report under the given files and folders, in a stable order. A file
    named on the command line is always taken; in folders, hidden files, Office lock files
    and README files are not reports, nor are files of other kinds (.xlsx, pictures); a file
    without a suffix (a download) and the forms that are not read (.doc, .ofd …) are listed,
    the latter as unreadable with what to do."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    q = Path(root) / name
                    if (name.startswith((".", "~$")) or (q.suffix and q.suffix.lower() not in AUDIT_SUFFIXES)
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
        "partial": sum(1 for a in audits if a.status == "partial"),
        "faults": sum(len(a.faults) for a in audits),
        "cells_read": sum(a.found for a in audits),
        "cells_blank": sum(a.blank for a in audits),
        "cells": sum(a.cells for a in audits if a.status != "unreadable"),
    }
