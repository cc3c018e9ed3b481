"""Every workbook gkxl writes is valid OOXML (issue 13): openxml-audit reports nothing on a template
(with and without last year's data), a sample return, a feedback copy, a roll-up and the status
workbook."""

from __future__ import annotations

import pytest

from conftest import ROOT
from corpus import good_values
from gkxl.checks import check_file
from gkxl.checks.feedback import write_feedback
from gkxl.fake import write_return
from gkxl.form.compute import recompute
from gkxl.roster import Agency
from gkxl.workbook.write import write_template

audit = pytest.importorskip("openxml_audit")

AGENCY = Agency("C001", "示例市财政局", "示例市")


def _problems(path) -> list[str]:
    res = audit.OpenXmlValidator().validate(str(path))
    return [str(e) for e in res.errors]


@pytest.mark.slow
def test_every_workbook_gkxl_writes_is_valid(tmp_path, form):
    from gkxl import aggregate, load_roster, write_rollup
    from gkxl.collection.board import status_workbook

    prior = recompute(form, good_values(form))
    books = {
        "template": write_template(tmp_path / "t.xlsx", form, year=2025, agency=AGENCY),
        "template-prior": write_template(tmp_path / "tp.xlsx", form, year=2025, agency=AGENCY, prior=prior),
    }
    v = good_values(form)
    v[("t3", "new", "natural")] += 1
    v[("t2b", "licensing", "decisions")] = None
    books["return"] = write_return(tmp_path / "r.xlsx", form, AGENCY, 2025, v)
    books["feedback"], _ = write_feedback(check_file(books["return"]), tmp_path / "fb", shown_name="报表.xlsx")
    samples = ROOT / "samples"
    roster = load_roster(samples / "roster.csv")
    roll = aggregate([samples / "2025"], roster, region="QH01")
    books["rollup"] = write_rollup(roll, tmp_path / "roll.xlsx")
    (tmp_path / "status.xlsx").write_bytes(status_workbook(roll.resolution, roster, title="2025 年度完成情况"))
    books["status"] = tmp_path / "status.xlsx"
    found = {name: _problems(p) for name, p in books.items()}
    assert not any(found.values()), {k: v[:5] for k, v in found.items() if v}
