"""The real spreadsheet program: LibreOffice recalculates what gkxl wrote."""

from __future__ import annotations

import random
import subprocess

import openpyxl
import pytest

from conftest import needs_lo
from gkxl.compute import recompute
from gkxl.layout import cell_positions, text_positions
from gkxl.roster import Agency
from gkxl.template import PASS_TEXT, write_template
from fillings import balanced as _balanced_filling

pytestmark = [needs_lo, pytest.mark.libreoffice]




def _fill(path, form, vals, out):
    wb = openpyxl.load_workbook(path)
    pos = cell_positions(form)
    for key, v in vals.items():
        s, r, c = pos[key]
        wb[s].cell(r + 1, c + 1).value = v
    for r, c in text_positions(form).values():
        wb["文字部分"].cell(r + 1, c + 1).value = "本年度工作情况说明。本年度未收取信息处理费。"
    wb.save(out)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_recalculated_totals_match_gkxl(tmp_path, form, lo_convert, seed):
    tpl = write_template(tmp_path / "t.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
    vals = _balanced_filling(form, random.Random(seed))
    filled = _fill(tpl, form, vals, tmp_path / "filled.xlsx")
    recalced = lo_convert(filled)
    wb = openpyxl.load_workbook(recalced, data_only=True)
    want = recompute(form, vals)
    pos = cell_positions(form)
    for key in form.derived:
        s, r, c = pos[key]
        got = wb[s].cell(r + 1, c + 1).value
        assert got == pytest.approx(want[key]), key
    for name in ("二、主动公开情况", "三、依申请公开情况", "四、复议诉讼情况", "文字部分"):
        assert wb[name]["A2"].value == PASS_TEXT, (name, wb[name]["A2"].value)
    assert all(PASS_TEXT == wb["封面"].cell(r, 2).value for r in range(13, 17))


def test_status_reports_broken_rule(tmp_path, form, lo_convert):
    tpl = write_template(tmp_path / "t.xlsx", form, year=2025)
    vals = _balanced_filling(form, random.Random(7))
    vals[("t3", "new", "research")] += 2  # 一+二 ≠ 三+四 in one column
    vals[("t4", "cases", "review_upheld")] = 3
    wb = openpyxl.load_workbook(tpl)
    filled = _fill(tpl, form, vals, tmp_path / "bad.xlsx")
    # one count cell left blank, one text typed into a number cell
    wb = openpyxl.load_workbook(filled)
    s, r, c = cell_positions(form)[("t2b", "licensing", "decisions")]
    wb[s].cell(r + 1, c + 1).value = None
    s, r, c = cell_positions(form)[("t2c", "penalty", "decisions")]
    wb[s].cell(r + 1, c + 1).value = "12件"
    wb.save(filled)
    out = openpyxl.load_workbook(lo_convert(filled), data_only=True)
    # the research column and the 总计 column both break 一+二=三+四
    assert out["三、依申请公开情况"]["A2"].value.startswith("✘ 有 2 处错误")
    st = out["二、主动公开情况"]["A2"].value
    assert "有 1 处错误" in st and "还有 1 个单元格未填写" in st
    assert out["四、复议诉讼情况"]["A2"].value == PASS_TEXT
    assert out["封面"]["B14"].value.startswith("✘ 有 2 处错误")


def test_template_renders_to_pdf(tmp_path, form, lo_convert):
    tpl = write_template(tmp_path / "A1.xlsx", form, year=2025, agency=Agency("A1", "尚志市商务局"))
    pdf = lo_convert(tpl, "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if info.returncode != 0:
        pytest.skip("pdfinfo 不可用")
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))
    # 填报说明, 封面, three tables, 文字部分: one page each (fit to one page wide)
    assert pages == 6
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for label in ["三、收到和处理政府信息公开申请情况", "四、结转下年度继续办理", "尚志市商务局", "本年收费金额",
                  "复议后起诉", "行政规范性文件"]:
        assert label.replace("“", "") in text.replace("\n", "").replace(" ", ""), label


def test_libreoffice_saved_returns_read_back(tmp_path, form, lo_convert):
    """A return filled, recalculated and saved by LibreOffice itself is accepted
    (its very hidden identity sheet comes back merely hidden, freeze panes gone)."""
    from gkxl.checks import check_file
    from gkxl.reader import read_return

    tpl = write_template(tmp_path / "A1.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
    vals = _balanced_filling(form, random.Random(3))
    filled = _fill(tpl, form, vals, tmp_path / "A1-filled.xlsx")
    wb = openpyxl.load_workbook(filled)
    wb["封面"]["B8"] = "李华"
    wb["封面"]["B9"] = "0451-1234567"
    wb.save(filled)
    saved = lo_convert(filled)
    lo_wb = openpyxl.load_workbook(saved)
    assert lo_wb["_gkxl"].sheet_state == "hidden"
    res = check_file(saved)
    assert res.status == "pass", [(f.rule, f.where, f.message) for f in res.findings]
    assert not [f for f in res.findings if f.severity != "info"], [(f.rule, f.message) for f in res.findings]
    ret = read_return(saved)
    assert ret.inputs == vals and ret.agency_code == "A1" and ret.year == 2025
    # and a LibreOffice-saved return that breaks 一+二=三+四 is caught at the cell
    vals[("t3", "new", "legal")] += 1
    bad = _fill(tpl, form, vals, tmp_path / "A1-bad.xlsx")
    res = check_file(lo_convert(bad))
    assert ("T3-BALANCE", "H7") in {(f.rule, f.cell) for f in res.findings}
