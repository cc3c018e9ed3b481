"""Structure changes are found whatever program saved the file (issue 13): sheets inserted,
renamed, moved, hidden, unhidden or deleted (the hidden _gkxl sheet too), by comparing with the
structure the form prescribes -- not by trusting the protection flag, which LibreOffice writes
bare and does not enforce."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from conftest import needs_lo
from gkxl.checks import check_file
from gkxl.roster import Agency
from gkxl.workbook.write import write_template

T2, T4 = "二、主动公开情况", "四、复议诉讼情况"


def _insert(wb):
    wb.create_sheet("草稿")


def _move(wb):
    wb.move_sheet(T4, offset=-2)


def _unhide_meta(wb):
    wb["_gkxl"].sheet_state = "visible"


def _hide_sheet(wb):
    wb[T2].sheet_state = "hidden"


def _delete_meta(wb):
    del wb["_gkxl"]


def _rename(wb):
    wb[T4].title = "复议诉讼"


CHANGES = {  # change -> (rule, sheet named by the finding)
    "insert": (_insert, "G-EXTRA-SHEET", "草稿"),
    "move": (_move, "G-SHEET-ORDER", ""),
    "unhide-meta": (_unhide_meta, "G-SHEET-STATE", "_gkxl"),
    "hide-sheet": (_hide_sheet, "G-SHEET-STATE", T2),
    "delete-meta": (_delete_meta, "G-META-MISSING", "_gkxl"),
    "rename": (_rename, "G-SHEET-RENAMED", "复议诉讼"),
}


def _changed(tmp_path, form, name):
    tpl = write_template(tmp_path / "tpl.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
    wb = openpyxl.load_workbook(tpl)
    CHANGES[name][0](wb)
    out = tmp_path / f"{name}.xlsx"
    wb.save(out)
    return out


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_structure_change_found_in_a_file_saved_like_excel(tmp_path, form, name):
    _, rule, sheet = CHANGES[name]
    res = check_file(_changed(tmp_path, form, name))
    assert (rule, sheet) in {(f.rule, f.sheet) for f in res.findings}, [(f.rule, f.sheet) for f in res.findings]


def test_untouched_template_has_no_structure_finding(tmp_path, form):
    tpl = write_template(tmp_path / "tpl.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
    res = check_file(tpl)
    assert not [f for f in res.findings if f.rule.startswith("G-")]


@needs_lo
@pytest.mark.slow
def test_structure_change_found_in_files_saved_by_libreoffice(tmp_path, form):
    """One soffice call saves every changed file; LibreOffice keeps the change but writes its own
    bare <workbookProtection/>, turns the very hidden sheet merely hidden and keeps no lock."""
    from test_workbook_truth import libreoffice_recalc

    src = tmp_path / "in"
    src.mkdir()
    files = []
    for name in CHANGES:
        p = _changed(tmp_path, form, name)
        files.append(shutil.move(p, src / p.name))
    tpl = write_template(src / "untouched.xlsx", form, year=2025, agency=Agency("A1", "测试局"))
    libreoffice_recalc([*map(type(tpl), files), tpl], tmp_path / "out", procs=1)
    for name, (_, rule, sheet) in CHANGES.items():
        res = check_file(tmp_path / "out" / f"{name}.xlsx")
        assert (rule, sheet) in {(f.rule, f.sheet) for f in res.findings}, (name, [(f.rule, f.sheet)
                                                                                  for f in res.findings])
    res = check_file(tmp_path / "out" / "untouched.xlsx")
    assert not [f for f in res.findings if f.rule.startswith("G-")], [(f.rule, f.message) for f in res.findings]
