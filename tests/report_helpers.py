"""Helpers for the report tests: returns to render, and published reports
written the ways they appear in the wild (plain-text flattening, web pages
with flattened merges or unnumbered labels)."""

from __future__ import annotations

import random
import re
from html import escape
from pathlib import Path

from gkxl.compute import recompute
from gkxl.fake import realistic_return, write_return
from gkxl.reader import read_return
from gkxl.report.labels import core
from gkxl.report.model import build_report
from gkxl.roster import Agency
from gkxl.template import Fill, write_workbook

AGENCY = Agency("A01", "尚志市测试局")
YEAR = 2024

TEXTS = {
    "overview": "2024年，尚志市测试局认真贯彻《条例》，推进主动公开。\n"
                "特殊字符：<script>alert('x')</script> & “引号” | 管道 *星号* _下划线_ [链接](http://e.x) #井号\n"
                "1. 以数字开头的一段。",
    "problems": "存在的主要问题：公开内容还不够全面。\n改进情况：2025年将加强培训。",
    "other_matters": "无其他需要报告的事项。",
    "processing_fee": "本年度未收取信息处理费。",
}


def make_values(form, seed: int):
    """Inputs of a return that passes every rule (amounts with decimals)."""
    vals = realistic_return(form, seed)
    rnd = random.Random(seed)
    for key in form.input_cells:
        if form.kind_of(key) == "amount":
            vals[key] = round(rnd.uniform(0, 99), rnd.choice([0, 1, 2, 4]))
    return vals


def make_return(tmp_path: Path, form, seed: int = 1, *, texts=None, name: str = "r.xlsx", values=None):
    vals = values if values is not None else make_values(form, seed)
    p = write_return(tmp_path / name, form, AGENCY, YEAR, vals, texts=TEXTS if texts is None else texts)
    return p, read_return(p)


def write_rollup(tmp_path: Path, form, seed: int = 3) -> Path:
    vals = recompute(form, make_values(form, seed))
    inputs = {k: v for k, v in vals.items() if k not in form.derived}
    fill = Fill(values=inputs, lock_all=True, texts={"overview": "全市各单位认真落实《条例》。"},
                meta={"rollup_region": "230183"})
    return write_workbook(tmp_path / "rollup.xlsx", form, year=YEAR, agency=Agency("230183", "尚志市", kind="rollup"),
                          fill=fill, kind="rollup")


# ---------------------------------------------------------------- wild formats

def flatten_text(ret, *, wrap_headers: bool = True) -> str:
    """A report as the seed's plain-text flattening: one tab-led line per cell,
    a blank line after each row, a horizontal merge one cell, a vertical merge
    an empty cell below it, narrow header cells wrapped one character per line."""
    doc = build_report(ret)
    lines = [ret.agency_name + f"{ret.year}年政府", "", "信息公开工作年度报告", "",
             "本报告依据《中华人民共和国政府信息公开条例》编制。", ""]
    for b in doc.blocks:
        if b.kind in ("heading", "subheading", "para"):
            text = b.text
            if b.kind == "heading":  # published headings often lose their numbering
                text = core(text)
            lines += [text, ""]
            continue
        g = b.grid
        m = g.matrix()
        for r in range(g.height):
            for k in range(g.width):
                c = m[r][k]
                if k != c.col:
                    continue
                if r != c.row:
                    lines.append("\t")
                    continue
                text = c.text
                if wrap_headers and g.width > 10 and c.role == "header" and c.colspan == 1:
                    text = "\n\n".join(text)
                elif c.role == "value":
                    text = " \u3000" + text
                lines.append("\t" + text)
            lines.append("")
        lines += ["", ""]
    return "\n".join(lines)


def html_variant(ret, *, merges: str = "span", numbering: bool = True, drop_rows=(), unit: bool = False,
                 override: dict | None = None, layout_table: bool = False) -> str:
    """A government web page: merges as rowspan/colspan ("span"), flattened to
    empty cells ("empty") or repeated text ("repeat"); labels with or without
    their numbering; some rows left out; "万元" written into amount cells;
    some cells' text replaced (`override`: CellKey -> text)."""
    doc = build_report(ret)
    form = ret.form
    out = ["<html><head><meta charset='utf-8'><title>",
           escape(f"{ret.agency_name}{ret.year}年政府信息公开工作年度报告"), "</title>",
           "<script>document.write('<table><tr><td>行政许可</td><td>999</td></tr></table>')</script></head><body>"]
    if layout_table:
        out.append("<table><tr><td class='nav'>首页 &gt; 政务公开</td></tr><tr><td>")
    out.append(f"<h1>{escape(doc.title)}</h1>")
    for b in doc.blocks:
        if b.kind != "table":
            text = b.text if numbering or b.kind != "heading" else core(b.text)
            out.append(f"<p>{escape(text)}</p>")
            continue
        g = b.grid
        m = g.matrix()
        drop = {r for r in range(g.height) for k in range(g.width)
                if m[r][k].key and (m[r][k].key[0], m[r][k].key[1]) in drop_rows}
        out.append("<table border='1'>")
        for r in range(g.height):
            if r in drop:
                continue
            out.append("<tr>")
            for k in range(g.width):
                c = m[r][k]
                text = c.text
                if c.key and override and c.key in override:
                    text = override[c.key]
                elif c.key and unit and form.kind_of(c.key) == "amount" and text:
                    text += "万元"
                if not numbering and c.role in ("rowlabel",):
                    text = core(text)
                if merges == "span":
                    if (r, k) != (c.row, c.col):
                        continue
                    rs = c.rowspan - sum(1 for x in range(c.row, c.row + c.rowspan) if x in drop)
                    attrs = (f" rowspan='{rs}'" if rs > 1 else "") + (f" colspan='{c.colspan}'" if c.colspan > 1 else "")
                    out.append(f"<td{attrs}>{escape(text)}</td>")
                elif merges == "empty":
                    out.append(f"<td>{escape(text) if (r, k) == (c.row, c.col) else ''}</td>")
                else:
                    out.append(f"<td>{escape(text)}</td>")
            out.append("</tr>")
        out.append("</table>")
    if layout_table:
        out.append("</td></tr></table>")
    out.append("</body></html>")
    return "\n".join(out)


def numbers_in_seed_tables(text: str) -> list[str]:
    """Every number cell of the seed's tables (tab-led lines that are numbers)."""
    return [ln.strip() for ln in text.splitlines() if ln.startswith("\t") and re.fullmatch(r"[\d.]+", ln.strip())]


# ---------------------------------------------------------------- real published reports

REAL = Path(__file__).resolve().parent / "real_reports"


def _row_key(labels) -> str:
    """'三、本年度办理结果' / '（三）不予公开' / '1.属于国家秘密' -> '三.(三).1' (the transcriptions' keys)."""
    out = []
    for lab in labels:
        s = lab.replace("（", "(").replace("）", ")")
        m = re.match(r"^([一二三四五六七八九十]+)、", s) or re.match(r"^(\([一二三四五六七八九十]+\))", s) \
            or re.match(r"^(\d+)[.、]", s)
        out.append(m.group(1) if m else s)
    return ".".join(out)


def transcription_keys(form) -> dict[str, tuple]:
    """The transcription key of every cell of the form ('table3.三.(三).1.自然人' -> CellKey)."""
    out = {}
    for sh in form.sheets:
        n = {"active": 2, "requests": 3, "appeals": 4}.get(sh.id)
        for t in sh.tables:
            for r in t.rows:
                for c in t.columns:
                    if n == 2:
                        k = f"table2.{r.labels[-1]}.{c.labels[-1]}"
                    elif n == 3:
                        k = f"table3.{_row_key(r.labels)}.{c.labels[-1]}"
                    else:
                        k = "table4." + ".".join(c.labels)
                    out[k] = (t.id, r.id, c.id)
    return out


def truth_cells(truth: dict, keys: dict) -> dict:
    """The transcription's cells in the form's terms: a form that prints 三(六) as one row
    (gb2021p6) is scored on the sums of the three printed sub-rows."""
    cells = dict(truth["cells"])
    if any(k.startswith("table3.三.(六).") and k.count(".") == 3 for k in keys) and \
            any(k.startswith("table3.三.(六).1.") for k in cells):
        for col in truth["columns_table3"]:
            parts = [cells.pop(f"table3.三.(六).{i}.{col}", None) for i in (1, 2, 3)]
            cells[f"table3.三.(六).{col}"] = None if any(x is None for x in parts) else sum(parts)
    return cells


def score(mapped, truth: dict) -> dict:
    """Cells right / wrong / missing against a transcription (printed cells only), and the
    cells given where the transcription could not read one (unverifiable: must be none)."""
    keys = transcription_keys(mapped.form)
    right, wrong, missing, unverifiable, unknown = [], [], [], [], []
    for k, want in truth_cells(truth, keys).items():
        key = keys.get(k)
        if key is None:
            unknown.append(k)
            continue
        got = mapped.value(key)
        if want is None:
            if got is not None and k not in truth.get("blank_in_source", []):
                unverifiable.append((k, got))
            continue
        if got is None:
            missing.append(k)
        elif abs(float(got) - float(want)) < 1e-9:
            right.append(k)
        else:
            wrong.append((k, want, got))
    printed = len(right) + len(wrong) + len(missing)
    return {"right": len(right), "wrong": wrong, "missing": missing, "unverifiable": unverifiable,
            "unknown": unknown, "printed": printed, "share": len(right) / printed if printed else 0.0}


def text_variant(ret, style: str, *, values=None) -> str:
    """A report as text in the ways users hand it in (no tabs, no table structure):
    "layout" (a PDF viewer / pdftotext -layout: a row's label, then its numbers apart by spaces),
    "lines" (a browser copy: every cell on its own line), "glued" (a site's text version: the
    whole report on one line, every cell run into the next). `values` replaces printed numbers."""
    doc = build_report(ret)
    vals = dict(values or {})
    out: list[str] = [f"{ret.agency_name}{ret.year}年政府信息公开工作年度报告"]
    for b in doc.blocks:
        if b.kind != "table":
            out.append(b.text)
            continue
        g = b.grid
        m = g.matrix()
        for r in range(g.height):
            cells = []
            for k in range(g.width):
                c = m[r][k]
                if (r, k) != (c.row, c.col):
                    continue
                text = c.text
                if c.key is not None and c.key in vals:
                    text = str(vals[c.key])
                if text:
                    cells.append(text)
            if style == "layout":
                out.append("    ".join(cells))
            else:
                out.extend(cells)
    if style == "glued":
        return "".join(out)
    return "\n".join(out) + "\n"
