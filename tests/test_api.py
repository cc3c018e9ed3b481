"""The public surface: `import gkxl` offers the pipeline, and every code gkxl raises is in the catalogue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import gkxl

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def test_a_ten_line_script_needs_one_import(tmp_path):
    form = gkxl.load_form("gb2021")
    p = gkxl.write_template(tmp_path / "t.xlsx", form, year=2025, agency=gkxl.Agency("X-01", "某单位"))
    ret = gkxl.read_return(p)
    assert isinstance(ret, gkxl.Return) and ret.agency_code == "X-01"
    res = gkxl.check_return(ret)
    assert res.status == gkxl.Verdict.FAIL == "fail"  # a blank template: every cell is V-BLANK
    assert all(isinstance(f, gkxl.Finding) for f in res.findings)
    roll = gkxl.aggregate([SAMPLES / "2025"], gkxl.load_roster(SAMPLES / "roster.csv"), region="QH01")
    assert isinstance(roll, gkxl.Rollup) and roll.tidy()["agency"].str.startswith("QH01-").all()
    assert {s.status for s in roll.statuses} <= set(gkxl.Status)
    assert gkxl.write_rollup(roll, tmp_path / "r.xlsx").is_file()


def test_every_name_in_all_resolves():
    for name in gkxl.__all__:
        assert getattr(gkxl, name) is not None, name


def test_import_is_cheap():
    """The CLI starts fast: importing gkxl pulls in none of the heavy libraries."""
    code = "import sys, gkxl; print(sorted(m for m in ('pandas', 'openpyxl', 'xlsxwriter', 'lxml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_code_raised_is_in_the_catalogue():
    used = set()
    for p in (ROOT / "src" / "gkxl").rglob("*.py"):
        used |= set(re.findall(r'finding\("([A-Z]-[A-Z-]+)"', p.read_text(encoding="utf-8")))
    assert used and used <= set(gkxl.CATALOGUE), used - set(gkxl.CATALOGUE)
    for c in gkxl.CATALOGUE.values():
        assert c.severity in set(gkxl.Severity) and c.title


def test_a_prior_of_another_agency_is_a_finding():
    a = gkxl.read_return(next(SAMPLES.joinpath("2025").glob("清河市财政局*.xlsx")))
    b = gkxl.read_return(SAMPLES / "2024" / "QH-01.xlsx")
    res = gkxl.check_return(a, prior=b)
    assert [f.rule for f in res.findings if f.rule.startswith("X-")] == ["X-PRIOR-AGENCY"]
    assert "QH-01" in next(f.message for f in res.findings if f.rule == "X-PRIOR-AGENCY")
