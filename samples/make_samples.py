#!/usr/bin/env python3
"""Regenerate samples/: a fictional city, its roster, last year's returns and
this year's returns as clerks would send them (most right, some with the
faults reviewers meet every year). Deterministic: same files every run.

    python3 run.py gkxl ...        # (after setup) or directly:
    .venv/bin/python samples/make_samples.py
"""

from __future__ import annotations

import csv
import shutil
import sys
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from gkxl.compute import recompute  # noqa: E402
from gkxl.fake import realistic_return, sample_texts, write_return  # noqa: E402
from gkxl.form import load_form  # noqa: E402
from gkxl.layout import cell_positions  # noqa: E402
from gkxl.roster import Agency  # noqa: E402

YEAR = 2025
CITY = ("QH", "清河市", "")
COUNTIES = [("QH01", "临江县"), ("QH02", "白石县"), ("QH03", "青山县")]
CITY_DEPTS = ["清河市人民政府办公室", "清河市发展和改革委员会", "清河市教育局", "清河市公安局", "清河市民政局",
              "清河市财政局", "清河市人力资源和社会保障局", "清河市自然资源局", "清河市生态环境局",
              "清河市住房和城乡建设局", "清河市交通运输局", "清河市商务局", "清河市市场监督管理局"]
COUNTY_DEPTS = ["人民政府办公室", "财政局", "自然资源局", "市场监督管理局", "教育局", "卫生健康局"]


def roster() -> list[Agency]:
    out = [Agency(CITY[0], CITY[1] + "（汇总）", "", "", "", "rollup")]
    for i, name in enumerate(CITY_DEPTS, 1):
        out.append(Agency(f"QH-{i:02d}", name, "QH", "", f"gk{i:02d}@qinghe.example.gov.cn"))
    for code, cname in COUNTIES:
        out.append(Agency(code, cname + "（汇总）", "", "QH", "", "rollup"))
        for j, d in enumerate(COUNTY_DEPTS, 1):
            out.append(Agency(f"{code}-{j:02d}", cname + d, code, "", f"gk{j:02d}@{code.lower()}.example.gov.cn"))
    return out


def write_roster(agencies: list[Agency], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "所属地区", "上级地区", "邮箱", "类型"])
        for a in agencies:
            w.writerow([a.code, a.name, a.region, a.parent, a.email, "汇总" if a.is_rollup else "部门"])


def set_cells(path: Path, form, changes: dict) -> None:
    """Edit cells the way a clerk's spreadsheet would (openpyxl: no recalculation)."""
    wb = openpyxl.load_workbook(path)
    pos = cell_positions(form)
    for key, value in changes.items():
        s, r, c = pos[key]
        wb[s].cell(r + 1, c + 1).value = value
    wb.save(path)


def main() -> None:
    form = load_form("gb2021")
    agencies = roster()
    depts = [a for a in agencies if not a.is_rollup]
    for sub in ("2024", "2025"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    (HERE / "2024").mkdir()
    (HERE / "2025").mkdir()
    write_roster(agencies, HERE / "roster.csv")
    priors = {}
    for n, a in enumerate(depts):
        size = [0.3, 1, 2, 4][n % 4]
        prior = realistic_return(form, 1000 + n, size=size)
        priors[a.code] = recompute(form, prior)
        write_return(HERE / "2024" / f"{a.code}.xlsx", form, a, YEAR - 1, prior,
                     texts=sample_texts(form, a, YEAR - 1), saved_at=datetime(YEAR, 1, 20, 9, 30))
    faults = {}
    by_code = {a.code: a for a in depts}
    for n, a in enumerate(depts):
        if a.code == "QH02-04":
            faults[a.code] = "未报送"
            continue  # one agency never sends its return
        vals = realistic_return(form, n, prior=priors[a.code], size=[0.3, 1, 2, 4][n % 4])
        name = f"{a.name}{YEAR}年政府信息公开年报统计表.xlsx"
        path = HERE / "2025" / name
        when = datetime(YEAR + 1, 1, 10 + n % 15, 9 + n % 8, 15)
        if a.code == "QH-03":  # 一+二 ≠ 三+四
            vals[("t3", "new", "natural")] += 4
            faults[a.code] = "第一项加第二项之和不等于第三项加第四项之和"
        if a.code == "QH-07":  # carry-over disagrees with last year's
            vals[("t3", "carried_in", "natural")] += 3
            vals[("t3", "disclosed", "natural")] += 3
            faults[a.code] = "上年结转与上年的结转下年度不一致"
        write_return(path, form, a, YEAR, vals, saved_at=when)
        if a.code == "QH-05":  # a total typed over its formula
            set_cells(path, form, {("t3", "disclosed", "total"): recompute(form, vals)[("t3", "disclosed", "total")] + 5})
            faults[a.code] = "合计公式被改成数字且合计不等于各项之和"
        if a.code == "QH01-02":  # a number typed as text with a unit
            set_cells(path, form, {("t2b", "licensing", "decisions"): f"{vals[('t2b', 'licensing', 'decisions')]}件"})
            faults[a.code] = "数字中带“件”字"
        # (full-width digits typed into a cell become numbers in Excel, WPS and LibreOffice; kept as text
        # they are left out of the sheet's own totals, so since issue 13 they are an error like "12件")
        if a.code == "QH03-03":  # a tampered formula
            set_cells(path, form, {("t4", "cases", "review_total"): "=SUM(A7:C7)"})
            faults[a.code] = "合计公式被改动"
        if a.code == "QH02-02":  # sent twice: a wrong one first, then the corrected one
            wrong = dict(vals)
            wrong[("t3", "carry_out", "business")] += 2
            write_return(HERE / "2025" / f"{a.name}统计表（初稿）.xlsx", form, a, YEAR, wrong,
                         saved_at=datetime(YEAR + 1, 1, 8, 10, 0))
            faults[a.code] = "重复报送：先报初稿（有错），后报更正稿"
    with (HERE / "2025" / "样例说明.txt").open("w", encoding="utf-8") as fh:
        fh.write("本目录为虚构的清河市各单位报送的 2025 年度统计表，其中故意设置了以下常见问题：\n")
        for code, what in faults.items():
            fh.write(f"{code} {by_code[code].name}：{what}\n")
    print(f"samples regenerated: {len(agencies)} roster rows, {len(depts)} returns for {YEAR - 1}, "
          f"{len(list((HERE / '2025').glob('*.xlsx')))} files for {YEAR}")


if __name__ == "__main__":
    main()
