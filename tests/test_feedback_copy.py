"""The feedback copy a clerk gets back (issue 13): the template's formulas, protection and identity
restored, her values kept, a comment beside each cell to fix, her attachment named, and only
findings she can act on."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

from corpus import good_values
from gkxl.fake import write_return
from gkxl.checks import PriorIndex, check_file
from gkxl.checks.feedback import write_feedback
from gkxl.form.layout import cell_address
from gkxl.roster import Agency

AGENCY = Agency("C001", "示例市财政局", "示例市")
YEAR = 2025
T3 = "三、依申请公开情况"


def _broken(tmp_path, form):
    """A return with a typo, a total typed over, a blank and an unbalanced column; and a prior
    index that does not know this agency (a coordinator's matter, not the clerk's)."""
    v = good_values(form)
    v[("t3", "new", "natural")] += 1
    (tmp_path / "in").mkdir()
    (tmp_path / "prior").mkdir()
    p = write_return(tmp_path / "in" / "财政局2025年报表（定稿）.xlsx", form, AGENCY, YEAR, v)
    wb = openpyxl.load_workbook(p)
    ws = wb[T3]
    ws["F7"] = "12件"
    total = cell_address(form, ("t3", "disclosed", "total"))[1]
    ws[total] = 999  # a total typed over its formula
    s, ref = cell_address(form, ("t2b", "licensing", "decisions"))
    wb[s][ref] = None
    wb.save(p)
    other = write_return(tmp_path / "prior" / "X.xlsx", form, Agency("X9", "别的单位"), YEAR - 1, good_values(form))
    return p, v, total, PriorIndex([other.parent])


@pytest.fixture
def fed(tmp_path, form):
    p, v, total, prior = _broken(tmp_path, form)
    res = check_file(p, prior)
    assert res.status == "fail" and {"X-NO-PRIOR", "G-FORMULA-REPLACED"} <= {f.rule for f in res.findings}
    book, txt = write_feedback(res, tmp_path / "fb", shown_name="财政局2025年报表（定稿）.xlsx")
    return res, book, txt, v, total


def test_copy_restores_formulas_protection_and_identity(fed, form):
    res, book, txt, v, total = fed
    copy = check_file(book)
    assert copy.ret.agency_code == "C001" and copy.ret.year == YEAR
    assert not [f for f in copy.findings if f.rule.startswith("G-")], [(f.rule, f.cell) for f in copy.findings]
    wb = openpyxl.load_workbook(book)
    assert str(wb[T3][total].value).startswith("=SUM(")
    assert all(wb[s].protection.sheet for s in wb.sheetnames)
    assert wb.security.lockStructure
    assert wb.custom_doc_props["gkxl_feedback_for"].value == "财政局2025年报表（定稿）.xlsx"


def test_copy_keeps_her_values(fed, form):
    res, book, txt, v, total = fed
    wb = openpyxl.load_workbook(book)
    assert wb[T3]["F7"].value == "12件"  # as she typed it: red, with a comment, for her to change
    copy = check_file(book)
    for key, want in v.items():
        if key in (("t3", "research", "natural"),) or cell_address(form, key) in (
                (T3, "F7"), cell_address(form, ("t2b", "licensing", "decisions"))):
            continue
        assert copy.ret.inputs[key] == want, key
    assert copy.ret.texts == res.ret.texts


def test_comments_beside_the_cells_to_fix(fed, form):
    res, book, txt, v, total = fed
    wb = openpyxl.load_workbook(book)
    assert "V-TEXT-NUMBER" in (wb[T3]["F7"].comment.text if wb[T3]["F7"].comment else "") or \
        "V-NUMBER" in wb[T3]["F7"].comment.text
    assert "T3-BALANCE" in wb[T3]["D7"].comment.text
    s, ref = cell_address(form, ("t2b", "licensing", "decisions"))
    assert "V-BLANK" in wb[s][ref].comment.text
    # each note is anchored beside its own cell (xlsxwriter's default), none stacked over the title
    with zipfile.ZipFile(book) as z:
        vml = [z.read(n).decode() for n in z.namelist() if n.endswith(".vml")]
    anchors = [tuple(map(int, a.split(","))) for x in vml for a in re.findall(r"<x:Anchor>\s*([\d, ]+)</x:Anchor>", x)]
    rows = [a[2] for a in anchors]
    assert len(anchors) >= 3 and len(set(rows)) > 1 and min(rows) >= 1


def test_text_names_her_attachment_and_only_what_she_can_do(fed):
    res, book, txt, v, total = fed
    text = txt.read_text(encoding="utf-8-sig")
    assert "财政局2025年报表（定稿）.xlsx" in text
    assert "上年报表" not in text and "X-NO-PRIOR" not in text  # the coordinator's matter
    assert "合计单元格的公式被替换为数字 999" in text and "已经在附件中恢复" in text  # repaired, said once
    assert "F7" in text and "请删除后" not in text or "12件" in text


def test_fixing_the_copy_passes(fed, form, tmp_path):
    """Correcting what the comments say, in the copy itself, makes the return pass."""
    res, book, txt, v, total = fed
    wb = openpyxl.load_workbook(book)
    ws = wb[T3]
    ws["F7"] = v[("t3", "new", "research")]
    ws["D7"] = v[("t3", "new", "natural")] - 1
    s, ref = cell_address(form, ("t2b", "licensing", "decisions"))
    wb[s][ref] = v[("t2b", "licensing", "decisions")]
    wb.save(tmp_path / "fixed.xlsx")
    res2 = check_file(tmp_path / "fixed.xlsx")
    errs = [(f.rule, f.cell) for f in res2.findings if f.severity == "error"]
    # openpyxl keeps the formulas' stale cached values: the one remaining kind of finding is G-CACHED
    assert not [e for e in errs if e[0] != "G-CACHED"], errs


def test_copy_with_last_years_return_keeps_cross_year_checks_live(tmp_path, form):
    """Given last year's return, the copy locks the carry-over and its status line counts the
    cross-year finding too, as the template she was sent did."""
    from gkxl.workbook.write import parse_status
    from gkxl.workbook.xlsx import open_book

    (tmp_path / "in").mkdir()
    (tmp_path / "prior").mkdir()
    last = write_return(tmp_path / "prior" / "C001.xlsx", form, AGENCY, YEAR - 1, good_values(form))
    v = good_values(form)
    v[("t3", "carried_in", "natural")] += 2  # disagrees with last year's carry-out
    v[("t3", "disclosed", "natural")] += 2
    p = write_return(tmp_path / "in" / "C001.xlsx", form, AGENCY, YEAR, v)
    prior = PriorIndex([last])
    res = check_file(p, prior)
    assert "X-CARRY-OVER" in {f.rule for f in res.findings}
    book, txt = write_feedback(res, tmp_path / "fb", prior=prior.for_return(res.ret))
    copy = check_file(book, prior)
    assert "X-CARRY-OVER" in {f.rule for f in copy.findings}
    b = open_book(book)
    try:
        says = parse_status(b.sheet("封面").get(1, 0).value)
    finally:
        b.close()
    assert says == (False, len(copy.errors), len(copy.warnings))  # the cached status is gkxl's
    assert "X-CARRY-OVER" in txt.read_text(encoding="utf-8-sig") or "上年结转" in txt.read_text(encoding="utf-8-sig")
    wb = openpyxl.load_workbook(book)
    s, ref = cell_address(form, ("t3", "carried_in", "natural"))
    assert wb[s][ref].protection.locked is False  # wrong: hers to correct
    s, ref = cell_address(form, ("t3", "carried_in", "business"))
    assert wb[s][ref].protection.locked is not False  # right: locked, as in her template
