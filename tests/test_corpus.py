"""Every case of the corpus gives its verdict and its findings, by rule and cell."""

from __future__ import annotations

import pytest

from corpus import YEAR, cases, prior_values
from gkxl.checks import check_file
from gkxl.form import load_form

FORM = load_form("gb2021")
CASES = cases(FORM)


@pytest.fixture(scope="module")
def prior_dir(tmp_path_factory, form):
    from corpus import AGENCY
    from gkxl.fake import write_return
    d = tmp_path_factory.mktemp("prior")
    write_return(d / "C001.xlsx", form, AGENCY, YEAR - 1, prior_values(form))
    return d


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path, prior_dir):
    from gkxl.checks import PriorIndex
    path = case.build(tmp_path / f"{case.name}.xlsx")
    prior = PriorIndex([prior_dir]) if case.with_prior else None
    res = check_file(path, prior)
    found = {(f.rule, f.cell) for f in res.findings}
    rules = {f.rule for f in res.findings}
    assert res.status == case.status, (res.status, res.error, sorted(found))
    if case.error_code:
        assert res.error_code == case.error_code, res.error
        assert str(path) in res.error  # the message names the file
    for rule, cell in case.expect:
        if cell:
            assert (rule, cell) in found, (rule, cell, sorted(found))
        else:
            assert rule in rules, (rule, sorted(found))
    if case.name == "good":
        assert not [f for f in res.findings if f.severity != "info"], res.findings
    if case.name == "copied_new_file":
        # values read from their new place are the values that were written
        from corpus import good_values
        from gkxl.compute import recompute
        want = recompute(FORM, good_values(FORM))
        assert res.ret.values == want


def test_expectations(tmp_path):
    from corpus import write_good
    p = write_good(FORM, tmp_path / "x.xlsx")
    res = check_file(p, expect_agency="OTHER", expect_year=2030)
    assert {"G-AGENCY", "G-YEAR"} <= {f.rule for f in res.findings}
    assert res.status == "fail"
