"""gkxl.checks on its own: the form's rules (workbook_templates/gb2021.toml) applied to
small returns from gkxl's own writer, last year's returns from files, and files that
cannot be read at all. No LibreOffice: each case is a few milliseconds.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from gkxl.checks import PriorIndex, check_file, check_paths, check_return
from gkxl.compute import recompute
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form
from gkxl.reader import read_return
from gkxl.roster import Agency
from gkxl.template import Fill, render_workbook

AGENCY = Agency("C001", "示例市财政局", "R01")
YEAR = 2025
T3 = "三、依申请公开情况"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def form():
    return load_form("gb2021")


@pytest.fixture(scope="module")
def prior_values(form):
    return realistic_return(form, 11)


@pytest.fixture(scope="module")
def values(form, prior_values):
    """This year's inputs: every rule holds, the cross-year ones included."""
    return realistic_return(form, 12, prior=recompute(form, prior_values))


def build(form, values, agency=AGENCY, year=YEAR, **fill):
    data = render_workbook(form, year=year, agency=agency, fill=Fill(values=dict(values), **fill), kind="return")
    return read_return(data, name=f"{agency.code}.xlsx")


def of(res, rule: str) -> list:
    return [f for f in res.findings if f.rule == rule]


def test_good_return_passes(form, values):
    res = check_return(build(form, values))
    assert res.status == "pass" and res.errors == [], [f.rule for f in res.errors]
    d = res.to_dict()
    assert (d["agency"], d["year"], d["status"], d["errors"]) == ("C001", YEAR, "pass", 0)


def test_balance_broken_by_one(form, values):
    v = dict(values)
    v[("t3", "new", "natural")] += 1
    res = check_return(build(form, v))
    assert res.status == "fail"
    hits = of(res, "T3-BALANCE")
    # the 自然人 column and the 总计 column (which sums it) both no longer balance
    assert {f.cell for f in hits} == {"D7", "J7"}, [(f.cell, f.message) for f in hits]
    f = next(f for f in hits if f.cell == "D7")
    assert (f.severity, f.sheet) == ("error", T3)
    assert f.values["left"] - f.values["right"] == 1
    assert f.values["left_terms"] == {"一、本年新收": v[("t3", "new", "natural")],
                                      "二、上年结转": v[("t3", "carried_in", "natural")]}
    assert set(f.values["right_terms"]) == {"三、（七）总计", "四、结转下年度"}
    assert "（相差 1）" in f.message and "应等于" in f.message
    assert f"{T3}!D7" in f.cells and f"{T3}!D8" in f.cells
    assert f.advice  # from the form file


def test_warning_rule_does_not_fail(form, values, prior_values):
    """A warning (X-VALID-DOCS: 现行有效 against last year's + 制发 − 废止) leaves the return passing."""
    v = dict(values)
    prior = dict(prior_values)
    prior[("t2a", "rules", "valid")] += 5
    res = check_return(build(form, v), prior=build(form, prior))
    [f] = of(res, "X-VALID-DOCS")
    assert f.severity == "warning"
    assert res.status == "pass"


def test_every_document_repealed_is_no_finding(form, values):
    """A real department (平潭财政金融局 2025) repealed its one 规范性文件: 制发 0, 废止 1, 现行有效 0. Consistent
    (last year's 1 + 0 − 1 = 0); the form has no rule that holds 废止 against this year's own counts."""
    v = dict(values)
    v[("t2a", "normative", "issued")], v[("t2a", "normative", "repealed")], v[("t2a", "normative", "valid")] = 0, 1, 0
    res = check_return(build(form, v))
    assert [f for f in res.findings if f.cell and "t2a" in str(f.values)] == []
    assert not [f for f in res.findings if f.rule.startswith("T2")]


def test_typed_over_total_is_judged_by_its_sum_rule(form, values):
    key = ("t3", "new", "total")
    right = recompute(form, values)[key]
    res = check_return(build(form, values, totals={key: right + 2}))
    [f] = of(res, "T3-ROW-TOTAL")
    assert (f.severity, f.sheet, f.cell) == ("error", T3, "J7")
    assert f.values == {"total": right + 2, "sum": right}
    assert of(res, "G-FORMULA-REPLACED")


def test_blank_input_is_an_error(form, values):
    v = dict(values)
    v[("t3", "new", "natural")] = None
    res = check_return(build(form, v))
    [f] = of(res, "V-BLANK")
    assert (f.severity, f.sheet, f.cell) == ("error", T3, "D7") and "未填写" in f.message
    assert res.status == "fail"


def test_missing_text_is_a_warning(form, values):
    res = check_return(build(form, values, texts={}))
    hits = of(res, "V-TEXT-REQUIRED")
    assert len(hits) == len([t for t in form.texts if t.required])
    assert all(f.severity == "warning" and f.sheet == "文字部分" for f in hits)


# ------------------------------------------------------------------ last year

@pytest.fixture
def prior_file(form, prior_values, tmp_path):
    d = tmp_path / "prior"
    d.mkdir()
    return write_return(d / "C001-2024.xlsx", form, AGENCY, YEAR - 1, prior_values)


def test_carry_over_holds(form, values, prior_file, tmp_path):
    prior = PriorIndex([prior_file])
    assert len(prior) == 1 and prior.problems == []
    p = write_return(tmp_path / "C001.xlsx", form, AGENCY, YEAR, values)
    res = check_file(p, prior)
    assert res.status == "pass" and not of(res, "X-CARRY-OVER") and not of(res, "X-NO-PRIOR")


def test_carry_over_broken(form, values, prior_values, prior_file, tmp_path):
    v = dict(values)
    v[("t3", "carried_in", "natural")] += 1
    v[("t3", "carry_out", "natural")] += 1  # the year's own balance still holds
    p = write_return(tmp_path / "C001.xlsx", form, AGENCY, YEAR, v)
    res = check_file(p, PriorIndex([prior_file.parent]))  # a folder of last year's returns
    assert not of(res, "T3-BALANCE")
    hits = of(res, "X-CARRY-OVER")
    assert {f.cell for f in hits} == {"D8", "J8"}
    f = next(f for f in hits if f.cell == "D8")
    assert (f.severity, f.sheet) == ("error", T3)
    assert f.values["left"] == v[("t3", "carried_in", "natural")]
    assert f.values["right"] == prior_values[("t3", "carry_out", "natural")]
    assert f.values["left"] - f.values["right"] == 1
    assert res.status == "fail"
    # the same check against a plain mapping of last year's inputs
    res2 = check_return(read_return(p), prior_values)
    assert {f.cell for f in of(res2, "X-CARRY-OVER")} == {"D8", "J8"}


def test_no_prior_for_this_agency(form, values, prior_file, tmp_path):
    other = Agency("C002", "示例市教育局", "R01")
    p = write_return(tmp_path / "C002.xlsx", form, other, YEAR, values)
    res = check_file(p, PriorIndex([prior_file]))
    [f] = of(res, "X-NO-PRIOR")
    assert f.severity == "warning" and "C002" in f.message


def test_prior_index_reports_unreadable_files(prior_file):
    (prior_file.parent / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    prior = PriorIndex([prior_file.parent])
    assert len(prior) == 1 and "C001" in prior.by_code
    [problem] = prior.problems
    assert "broken.xlsx" in problem and CJK.search(problem)


# ------------------------------------------------------------------ unreadable files

def _real_book(form, values) -> bytes:
    return render_workbook(form, year=YEAR, agency=AGENCY, fill=Fill(values=dict(values)), kind="return")


@pytest.mark.parametrize("name,data,code", [
    ("garbage", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00\x01" * 300, "READ_NOT_XLSX"),  # a photo named .xlsx
    ("empty", b"", "READ_EMPTY"),
    ("csv", "单位,数量\n甲,1\n".encode("gb18030"), "READ_CSV"),
    ("html", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "READ_HTML"),
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "READ_LEGACY"),
    ("zip_header_only", b"PK\x03\x04" + b"\x00" * 100, "READ_CORRUPT"),
])
def test_unreadable_bytes(name, data, code, tmp_path):
    p = tmp_path / f"{name}.xlsx"
    p.write_bytes(data)
    res = check_file(p)
    assert (res.status, res.ret, res.findings, res.error_code) == ("unreadable", None, [], code)
    assert str(p) in res.error and CJK.search(res.error)
    d = res.to_dict()
    assert d["status"] == "unreadable" and d["agency"] == "" and d["error_code"] == code


def test_truncated_and_missing_files(form, values, tmp_path):
    data = _real_book(form, values)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[:len(data) // 2])
    res = check_file(cut)
    assert res.status == "unreadable" and res.error_code == "READ_CORRUPT" and CJK.search(res.error)
    gone = check_file(tmp_path / "nowhere.xlsx")
    assert gone.status == "unreadable" and gone.error_code == "READ_IO" and CJK.search(gone.error)


def test_damaged_member_is_a_result_not_an_exception(form, values, tmp_path):
    """A flipped byte inside one compressed member: CRC or inflate error -> READ_CORRUPT."""
    data = bytearray(_real_book(form, values))
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo(_sheet_part(z, T3))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    p = tmp_path / "flip.xlsx"
    p.write_bytes(bytes(data))
    res = check_file(p)
    assert res.status == "unreadable" and res.error_code == "READ_CORRUPT" and CJK.search(res.error)


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    rid = re.search(r'<sheet name="%s"[^>]*r:id="(rId\d+)"' % sheet, z.read("xl/workbook.xml").decode()).group(1)
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    return "xl/" + re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels).group(1)


def test_infinite_number_cell_is_a_result_not_an_exception(form, values, tmp_path):
    """<v>1e999</v> in an input cell once escaped read_return as an OverflowError."""
    data = _real_book(form, values)
    z = zipfile.ZipFile(io.BytesIO(data))
    part = _sheet_part(z, T3)  # before the loop: writestr(info) rewrites z's own ZipInfo offsets
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            blob = z.read(info.filename)
            if info.filename == part:
                blob = re.sub(rb'(<c r="D7"[^>]*><v>)[^<]*', rb"\g<1>1e999", blob)
            w.writestr(info, blob)
    p = tmp_path / "inf.xlsx"
    p.write_bytes(out.getvalue())
    res = check_file(p)
    assert res.status == "fail"
    [f] = of(res, "V-NUMBER")
    assert (f.sheet, f.cell) == (T3, "D7") and res.ret.inputs[("t3", "new", "natural")] is None


def test_check_paths_keeps_going(form, values, tmp_path):
    write_return(tmp_path / "a.xlsx", form, AGENCY, YEAR, values)
    (tmp_path / "b.xlsx").write_bytes(b"\x00garbage")
    results = check_paths([tmp_path])
    assert [(r.path.rsplit("/", 1)[-1], r.status) for r in results] == [("a.xlsx", "pass"), ("b.xlsx", "unreadable")]


def test_prior_in_the_2019_format(form, values, tmp_path):
    """--prior across the 2020→2021 change: carry-over is checked (both forms have the cell); the
    2019 form has no 现行有效件数, so X-VALID-DOCS is skipped and said so, never compared with 0."""
    f19 = load_form("gb2019")
    old = realistic_return(f19, 7)
    for (t, r, c), v in values.items():
        if (t, r) == ("t3", "carried_in") and (t, "carry_out", c) in old:
            old[(t, "carry_out", c)] = v + (2 if c == "natural" else 0)  # one real break
    d = tmp_path / "prior"
    d.mkdir()
    prior_path = write_return(d / "C001-2020.xlsx", f19, AGENCY, 2020, old)
    p = write_return(tmp_path / "C001.xlsx", form, AGENCY, 2021, values)
    for prior in (PriorIndex([prior_path]), PriorIndex.of_values(PriorIndex([prior_path]).values())):
        res = check_file(p, prior)
        assert not of(res, "X-VALID-DOCS")
        [skip] = [x for x in of(res, "X-PRIOR-FORM") if "X-VALID-DOCS" in x.message]
        assert skip.severity == "info" and "现行有效" in skip.message
        hits = of(res, "X-CARRY-OVER")
        assert [h.cell for h in hits] == ["D8", "J8"] and hits[0].values["right"] - hits[0].values["left"] == 2
        assert not [x for x in of(res, "P-JUMP") if "现行有效" in x.message]
    # the same form both years: nothing is skipped
    same = check_file(p, PriorIndex([write_return(d / "C001-2020b.xlsx", form, AGENCY, 2020, values)]))
    assert not of(same, "X-PRIOR-FORM")


def test_one_result_type_in_two_sizes(form, values, tmp_path):
    """A full result and its packed size agree on everything but the Return and the findings."""
    import pickle

    from gkxl.checks import CheckResult
    v = dict(values)
    v[("t3", "new", "natural")] += 1  # T3-BALANCE breaks
    res = check_file(write_return(tmp_path / "C001.xlsx", form, AGENCY, YEAR, v))
    small = res.packed()
    assert type(small) is CheckResult and small.ret is None and small.findings == []
    assert (small.agency_code, small.agency_name, small.year, small.status, small.form_id) == \
        ("C001", "示例市财政局", YEAR, "fail", "gb2021")
    assert (small.n_errors, small.n_warnings) == (res.n_errors, res.n_warnings) and res.n_errors > 0
    assert small.first_errors == tuple(f.message for f in res.errors[:3])
    assert small.value_map(form) == {k: res.ret.values[k] for k in form.input_cells}
    assert small.to_dict() == dict(res.to_dict(), findings=[])
    assert len(pickle.dumps(small)) < len(pickle.dumps(res)) / 4
    bad = check_file(tmp_path / "none.xlsx")
    assert bad.packed().status == "unreadable" and bad.packed().error == bad.error
