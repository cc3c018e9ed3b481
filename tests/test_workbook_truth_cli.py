"""No input crashes a command (issue 13): a return holding 1e308 twice -- whose sum overflows --
is a finding at its cells for check, aggregate and report, never an internal error (exit 3).
And the roll-up's list sheets can be filtered although they are protected, and print landscape."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl

from corpus import good_values
from gkxl.fake import write_return
from gkxl.form.layout import ROLLUP_SHEETS, cell_address
from gkxl.roster import Agency

AGENCY = Agency("C001", "示例市财政局", "示例市")


def _overflowing(tmp_path, form):
    (tmp_path / "in").mkdir()
    p = write_return(tmp_path / "in" / "C001.xlsx", form, AGENCY, 2025, good_values(form))
    wb = openpyxl.load_workbook(p)
    for key in (("t3", "new", "natural"), ("t3", "new", "business")):
        s, ref = cell_address(form, key)
        wb[s][ref] = 1e308
    wb.save(p)
    return p


def test_overflow_is_a_finding_in_every_command(cli, tmp_path, form):
    p = _overflowing(tmp_path, form)
    code, out, err = cli("check", p, "--json")
    assert code == 1, err
    res = json.loads(out)[0]
    cells = {f["cell"] for f in res["findings"] if f["rule"] == "V-NUMBER"}
    assert {"D7", "E7"} <= cells and all(len(f["message"]) < 400 for f in res["findings"])
    (tmp_path / "roster.csv").write_text("code,name\nC001,示例市财政局\n", encoding="utf-8")
    code, out, err = cli("aggregate", tmp_path / "in", "--roster", tmp_path / "roster.csv", "--out",
                         tmp_path / "R.xlsx", "--include-failing")
    assert code in (0, 1) and "内部错误" not in err, err
    code, out, err = cli("report", p, "--out", tmp_path / "rep.md", "--force")
    assert code == 0 and "内部错误" not in err, err
    assert "1e+308" not in (tmp_path / "rep.md").read_text(encoding="utf-8")


def test_rollup_lists_filter_on_protected_sheets_and_print_landscape(tmp_path):
    from conftest import ROOT
    from gkxl import aggregate, load_roster, write_rollup

    samples = ROOT / "samples"
    roll = aggregate([samples / "2025"], load_roster(samples / "roster.csv"), region="QH01")
    p = write_rollup(roll, tmp_path / "R.xlsx")
    wb = openpyxl.load_workbook(p)
    with zipfile.ZipFile(p) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        for name in ROLLUP_SHEETS:
            xml = z.read(f"xl/worksheets/sheet{names.index(name) + 1}.xml").decode()
            prot = re.search(r"<sheetProtection[^>]*>", xml).group(0)
            assert 'autoFilter="0"' in prot and 'sort="0"' in prot, (name, prot)  # allowed while protected
            ws = wb[name]
            assert ws.page_setup.orientation == "landscape" and ws.print_title_rows, name
            assert roll.region.name in ws.oddHeader.left.text and "&P" in ws.oddFooter.center.text
