"""Expand a hand transcription into <id>.json (the format of tests/real_reports/README.md).

The numbers in each `<id>.src.py` were typed by reading the document (for PDFs: `pdftotext
-layout`, with `pdftotext -bbox` where a column was in doubt), one printed row per line. This
script only spreads them over the transcription keys and evaluates the table rules on them;
it never reads the document and never uses gkxl.

    python3 tests/real_reports/corpus/transcribe.py hongze_2023
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
ROWS21 = ["一", "二", "三.(一)", "三.(二)"] + [f"三.(三).{i}" for i in range(1, 9)] + \
    [f"三.(四).{i}" for i in range(1, 4)] + [f"三.(五).{i}" for i in range(1, 6)]
T2_21 = [("规章", ["本年制发件数", "本年废止件数", "现行有效件数"]),
         ("行政规范性文件", ["本年制发件数", "本年废止件数", "现行有效件数"]),
         ("行政许可", ["本年处理决定数量"]), ("行政处罚", ["本年处理决定数量"]),
         ("行政强制", ["本年处理决定数量"]), ("行政事业性收费", ["本年收费金额（单位：万元）"])]
T2_19 = [("规章", ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
         ("规范性文件", ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
         ("行政许可", ["上一年项目数量", "本年增/减", "处理决定数量"]),
         ("其他对外管理服务事项", ["上一年项目数量", "本年增/减", "处理决定数量"]),
         ("行政处罚", ["上一年项目数量", "本年增/减", "处理决定数量"]),
         ("行政强制", ["上一年项目数量", "本年增/减", "处理决定数量"]),
         ("行政事业性收费", ["上一年项目数量", "本年增/减"]), ("政府集中采购", ["采购项目数量", "采购总金额"])]
T4 = ["行政复议.结果维持", "行政复议.结果纠正", "行政复议.其他结果", "行政复议.尚未审结", "行政复议.总计"] + \
    [f"行政诉讼.{g}.{c}" for g in ("未经复议直接起诉", "复议后起诉")
     for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]


def build(src: dict) -> dict:
    cells: dict = {}
    t2 = T2_19 if src.get("format_id") == "2019" else T2_21
    for (row, cols), vals in zip(t2, src["table2"], strict=True):
        for c, v in zip(cols, vals, strict=True):
            cells[f"table2.{row}.{c}"] = v
    liu = ["三.(六)"] if src["liu_one_row"] else ["三.(六).1", "三.(六).2", "三.(六).3"]
    rows = ROWS21 + liu + ["三.(七)", "四"]
    assert len(src["table3"]) == len(rows), (len(src["table3"]), len(rows))
    for r, vals in zip(rows, src["table3"]):
        for c, v in zip(COLS, vals, strict=True):
            cells[f"table3.{r}.{c}"] = v
    for k, v in zip(T4, src["table4"], strict=True):
        cells[f"table4.{k}"] = v
    results = rows[2:-2]
    checks = rule_checks(cells, rows, results)
    out = {k: src[k] for k in ("id", "agency", "year", "title", "region", "level", "source", "file")}
    out.update({
        "format": src["format"], "format_id": src.get("format_id", "2021"),
        "columns_table3": COLS, "rows_table3": rows, "cells": cells,
        # a cell printed blank is None in the rows above and listed here
        "blank_in_source": src.get("blank_in_source", []) + [k for k, v in cells.items() if v is None
                                                             and k not in src.get("unreadable", [])],
        "null_cells_unreadable": src.get("unreadable", []),
        "checks": checks, "body_claims": src.get("body_claims", []), "notes": src.get("notes", []),
        "value_conventions": "integers as printed; 行政事业性收费 kept as the printed string; null = unreadable "
                             "or (if listed in blank_in_source) printed blank",
    })
    for bc in out["body_claims"]:
        cs = bc["cell"] if isinstance(bc["cell"], list) else [bc["cell"]]
        bc["table_value"] = sum(cells[c] or 0 for c in cs)  # a cell printed blank adds nothing
        bc["matches"] = bc["table_value"] == bc["claimed"]
    if "carry_over" in src:
        checks["e_carry_over"] = src["carry_over"]
    return out


def rule_checks(cells, rows, results) -> dict:
    def v(k):
        return cells.get(k) or 0  # a cell printed blank adds nothing

    def blank(k):
        return cells.get(k) is None
    ind_a = [r for r in rows if blank(f"table3.{r}.总计")]
    a = [dict(row=r, total=v(f"table3.{r}.总计"), sum=sum(v(f"table3.{r}.{c}") for c in COLS[:-1]))
         for r in rows if r not in ind_a and v(f"table3.{r}.总计") != sum(v(f"table3.{r}.{c}") for c in COLS[:-1])]
    ind_b = [c for c in COLS if blank(f"table3.三.(七).{c}") or (c == "总计" and any(
        blank(f"table3.{r}.总计") for r in results))]
    b = [dict(column=c, total=v(f"table3.三.(七).{c}"), sum=sum(v(f"table3.{r}.{c}") for r in results))
         for c in COLS if c not in ind_b and v(f"table3.三.(七).{c}") != sum(v(f"table3.{r}.{c}") for r in results)]
    cc = [dict(column=c, new_plus_carried=v(f"table3.一.{c}") + v(f"table3.二.{c}"),
               processed_plus_carry_forward=v(f"table3.三.(七).{c}") + v(f"table3.四.{c}"))
          for c in COLS if v(f"table3.一.{c}") + v(f"table3.二.{c}") != v(f"table3.三.(七).{c}") + v(f"table3.四.{c}")]
    d, ind_d = [], []
    for g in ("行政复议", "行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉"):
        parts = [v(f"table4.{g}.{c}") for c in ("结果维持", "结果纠正", "其他结果", "尚未审结")]
        if blank(f"table4.{g}.总计"):
            ind_d.append(g)
        elif sum(parts) != v(f"table4.{g}.总计"):
            d.append(dict(group=g, total=v(f"table4.{g}.总计"), sum=sum(parts)))

    def st(f):
        return "fail" if f else "pass"
    return {
        "a_row_total_equals_sum_of_applicant_columns": {"status": st(a), "failures": a, "indeterminate_rows": ind_a},
        "b_qi_total_equals_sum_of_result_rows": {"status": st(b), "result_rows_summed": results, "failures": b,
                                                 "indeterminate_columns": ind_b},
        "c_new_plus_carried_equals_processed_plus_carryforward": {"status": st(cc), "failures": cc,
                                                                  "indeterminate_columns": []},
        "d_table4_total_equals_sum_of_results": {"status": st(d), "failures": d, "indeterminate_groups": ind_d},
        "e_carry_over": {"status": "not_applicable", "reason": "no adjacent-year report of this agency in the corpus"},
    }


def row(natural: int = 0, business: int = 0, research: int = 0, public: int = 0, legal: int = 0, other: int = 0) -> list:
    """One printed row of table 三 by applicant, with its 总计 (the transcriptions' `row(…)`; `Z` is a row of 0)."""
    parts = [natural, business, research, public, legal, other]
    return parts + [sum(parts)]


def read_source(name: str) -> dict:
    return runpy.run_path(str(HERE / f"{name}.src.py"), init_globals={"row": row, "Z": [0] * 7})["REPORT"]


if __name__ == "__main__":
    for name in sys.argv[1:]:
        src = read_source(name)
        (HERE / f"{name}.json").write_text(json.dumps(build(src), ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        print(name, "written")
