"""The written workbook, inspected with openpyxl."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from gkxl.layout import META_SHEET, cell_positions, sheet_layouts, text_positions
from gkxl.roster import Agency
from gkxl.template import sum_formula, write_template


@pytest.fixture(scope="module")
def book(tmp_path_factory, form):
    p = tmp_path_factory.mktemp("tpl") / "A01.xlsx"
    prior = {("t3", "carry_out", "natural"): 4, ("t3", "carry_out", "legal"): 1}
    write_template(p, form, year=2025, agency=Agency("A01", "示例市商务局", "R1"), prior=prior)
    return p


def test_protection_everywhere(book):
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    xml = zipfile.ZipFile(book).read("xl/workbook.xml").decode()
    assert 'lockStructure="1"' in xml
    assert wb[META_SHEET].sheet_state == "veryHidden"


def test_exactly_input_cells_unlocked(book, form):
    wb = openpyxl.load_workbook(book)
    pos = cell_positions(form)
    prefilled = {("t3", "carried_in", c) for c in form.tables["t3"].col_ids()}
    want = {(pos[k][0], pos[k][1], pos[k][2]) for k in form.input_cells if k not in prefilled}
    for name, (r, c) in text_positions(form).items():
        want.add(("文字部分", r, c))
    unlocked = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.protection.locked is False and not (ws.title == "文字部分" and cell.column > 1):
                    # (a text input is one merged cell: its anchor stands for it)
                    unlocked.add((ws.title, cell.row - 1, cell.column - 1))
    cover = {x for x in unlocked if x[0] == "封面"}
    fields = {x for x in cover if x[1] < 10}
    assert {r for (_, r, _) in fields} == {7, 8, 9}  # contact, phone, date; agency/code/year/region known
    signatures = cover - fields  # 填报人, 审核人, 单位负责人 sign (or type their names) on lines of their own
    ws = wb["封面"]
    assert [ws.cell(r + 1, 1).value for (_, r, _) in sorted(signatures)] == ["填报人：", "审核人：", "单位负责人："]
    assert unlocked - cover == want


def test_validation_on_every_number_cell(book, form):
    wb = openpyxl.load_workbook(book)
    pos = cell_positions(form)
    prefilled = {("t3", "carried_in", c) for c in form.tables["t3"].col_ids()}
    for key in form.input_cells:
        if key in prefilled:
            continue
        sheet, r, c = pos[key]
        ws = wb[sheet]
        coord = ws.cell(r + 1, c + 1).coordinate
        dvs = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
        assert dvs, (key, coord)
        dv = dvs[0]
        if form.kind_of(key) == "count":
            assert dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        else:
            assert dv.type == "custom" and "ROUND" in dv.formula1
        assert dv.showErrorMessage and dv.error and dv.prompt


def test_formula_in_every_derived_cell(book, form):
    wb = openpyxl.load_workbook(book)
    layouts = sheet_layouts(form)
    pos = cell_positions(form)
    for key, d in form.derived.items():
        sheet, r, c = pos[key]
        v = wb[sheet].cell(r + 1, c + 1).value
        assert v == sum_formula(layouts[sheet], d.terms), key
    assert wb["三、依申请公开情况"]["D30"].value == "=SUM(D9:D29)"


def test_cached_values_and_prefill(book, form):
    wb = openpyxl.load_workbook(book, data_only=True)
    pos = cell_positions(form)
    s, r, c = pos[("t3", "carried_in", "natural")]
    assert wb[s].cell(r + 1, c + 1).value == 4
    s, r, c = pos[("t3", "carried_in", "total")]
    assert wb[s].cell(r + 1, c + 1).value == 5  # cached total of the prefilled row
    assert "错误" in wb[s]["A2"].value  # carry-in without results breaks 一+二=三+四


def test_identity(book, form):
    wb = openpyxl.load_workbook(book)
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert meta["form_id"] == "gb2021" and meta["year"] == "2025" and meta["agency_code"] == "A01"
    assert meta["fingerprint"] == form.fingerprint
    props = zipfile.ZipFile(book).read("docProps/custom.xml").decode()
    assert "gkxl_agency_code" in props and "A01" in props


def test_labels_as_standard(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["三、依申请公开情况"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ["一、本年新收政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理", "法人或其他组织",
                  "3.危及“三安全一稳定”", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]:
        assert label in texts
    assert any(str(m) == "A4:C6" for m in ws.merged_cells.ranges)
    ws4 = wb["四、复议诉讼情况"]
    assert ws4["F5"].value == "未经复议直接起诉" and ws4["A4"].value == "行政复议"
    assert ws.page_setup.paperSize in (9, "9")
    assert ws.print_title_rows


def test_mini_form_template(tmp_path, mini_form):
    p = write_template(tmp_path / "m.xlsx", mini_form, year=2030)
    wb = openpyxl.load_workbook(p)
    ws = wb["申请情况"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "新增一行" in texts
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=SUM")]
    assert len(formulas) == 7 + 3 - 1  # row totals + column subtotals, shared corner once


def _fresh(form, **kw):
    """A workbook rendered with every per-form memo emptied first (a cold process)."""
    from gkxl.workbook.write import render_workbook
    names = [n for n in form.plan._memo if n.startswith("write.")]
    assert "write.tables" in names  # the warm renders did plan once
    for name in names:
        del form.plan._memo[name]
    return render_workbook(form, **kw)


def test_planned_once_written_the_same(form):
    """What is planned once per form and reused for every agency writes the very bytes a cold
    render writes: blank templates, templates with last year's numbers (each its own), returns."""
    from gkxl.fake import realistic_return
    from gkxl.form.compute import recompute
    from gkxl.workbook.write import Fill, prefill_from_prior, render_workbook

    def fill(i: int, kind: str) -> Fill:
        meta = {"created_at": "2026-01-02T03:04:05+00:00"}
        if kind == "blank":
            return Fill(meta=meta)
        prior = recompute(form, realistic_return(form, 50 + i))
        if kind == "prior":
            values, locked = prefill_from_prior(form, prior)
            return Fill(values=dict(values), locked=locked, prior=dict(prior), meta=meta)
        return Fill(values=dict(realistic_return(form, i)), prior=dict(prior) if i % 2 else None, meta=meta)

    for kind in ("blank", "prior", "return"):
        warm = []
        for i in range(3):
            ag = Agency(f"A0{i}", f"单位{i}", "R1")
            warm.append((ag, render_workbook(form, year=2025, agency=ag, fill=fill(i, kind), kind="template")))
        for i, (ag, data) in enumerate(warm):
            assert data == _fresh(form, year=2025, agency=ag, fill=fill(i, kind), kind="template"), (kind, i)
