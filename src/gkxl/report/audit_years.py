"""Cross-year breaks in a folder of published reports: one agency under its title variants, and its
consecutive years held against each other (上年结转 against last year's 结转下年度; 现行有效件数 against
last year's plus 制发 minus 废止)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from ..errors import GkxlError
from ..findings import Finding
from ..form import Form, load_form
from ..form.compute import EPS, clean_number
from .audit_model import AUDIT_CODES, ReportAudit, _fmt, _where_of
from .labels import norm


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
