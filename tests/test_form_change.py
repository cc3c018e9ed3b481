"""The 2019 format's 本年增/减 is a change, not a count: a whole number that may be negative
(kind = "change" in gb2019.toml). Real reports print "-15" when fifteen items went; the form, the
template's validation and live checks, the reader behind `gkxl check` and the report importer all
take it, and still refuse a negative count or a fraction of a change."""

from __future__ import annotations

import pytest

from conftest import needs_lo
from gkxl.checks import check_return
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form
from gkxl.form.layout import sheet_layouts
from gkxl.reader import read_return
from gkxl.report.values_text import parse_value
from gkxl.roster import Agency
from gkxl.workbook.values import classify

CHANGE = ("t2b", "licensing", "change")
COUNT = ("t2b", "licensing", "prior_items")
AGENCY = Agency("X1", "某局")


@pytest.fixture(scope="module")
def f19():
    return load_form("gb2019")


def test_the_2019_form_declares_its_changes(f19):
    changes = sorted(k for k, kind in f19.kinds.items() if kind == "change")
    assert changes and all(k[2] == "change" for k in changes)
    assert f19.kind_of(COUNT) == "count" and f19.decimals_of("change") == 0


def test_a_change_may_be_negative_a_count_may_not():
    assert classify(-15, "change", "n").value == -15 and classify(-15, "change", "n").problem is None
    assert classify(-15, "count", "n").problem
    assert classify(1.5, "change", "n").problem
    assert parse_value("-15", "change") == (-15, "")
    assert parse_value("-15", "count")[0] is None


def _return(tmp_path, f19, change, count, name):
    vals = realistic_return(f19, 3)
    vals[CHANGE], vals[COUNT] = change, count
    return write_return(tmp_path / name, f19, AGENCY, 2020, vals)


def test_check_takes_a_negative_change(tmp_path, f19):
    ok = check_return(read_return(_return(tmp_path, f19, -15, 40, "ok.xlsx")))
    assert not [f for f in ok.errors if f.rule.startswith("V-")], [f.message for f in ok.errors]
    bad = check_return(read_return(_return(tmp_path, f19, -15, -1, "bad.xlsx")))
    assert [f for f in bad.errors if "负数" in f.message]


@pytest.mark.libreoffice
@needs_lo
def test_the_workbooks_own_status_agrees_in_libreoffice(tmp_path, f19):
    """Recalculated by LibreOffice, the table sheet's status line says what `gkxl check` says: a
    negative change passes, a negative count is a problem."""
    from test_workbook_truth import libreoffice_recalc, workbook_says

    files = [_return(tmp_path, f19, -15, 40, "ok.xlsx"), _return(tmp_path, f19, -15, -1, "bad.xlsx")]
    libreoffice_recalc(files, tmp_path / "lo", procs=1)
    sheet = next(name for name, sl in sheet_layouts(f19).items() if any(k == CHANGE for k in sl.cells))
    ok, errors = workbook_says(tmp_path / "lo" / "ok.xlsx", f19)
    assert errors == [] and ok[sheet] is not None and ok[sheet][0], ok[sheet]
    bad, _ = workbook_says(tmp_path / "lo" / "bad.xlsx", f19)
    assert bad[sheet] is not None and not bad[sheet][0], bad[sheet]
    res = check_return(read_return(tmp_path / "lo" / "ok.xlsx"))
    assert not [f for f in res.errors if f.sheet == sheet]
