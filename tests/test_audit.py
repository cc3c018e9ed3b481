"""`gkxl audit`: a folder of published reports, any mix of forms.

The faults are the kinds real reports contain (table 四 totals printed as 0 where the items
add up; a （七）总计 that is not the sum of its rows; body text that gives other numbers than
the tables; 现行有效件数 that does not follow from last year's), put into the real Pingtan
2024 page; the real reports themselves are consistent and must come out clean.
"""

from __future__ import annotations

import json
import shutil

import openpyxl
from gkxl.report.audit import audit_file, audit_paths, exit_code, report_files
from report_helpers import REAL

PAGE = (REAL / "pingtan_2024.html").read_text(encoding="utf-8")
T4_ROW = ("<td valign=\"center\"><p>2</p></td><td valign=\"center\"><p>1</p></td><td valign=\"center\"><p>3</p></td>"
          "<td valign=\"center\"><p>1</p></td><td valign=\"center\"><p>7</p></td>")


def _page(tmp_path, name: str, *edits: tuple[str, str], year: int | None = None):
    text = PAGE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    if year:
        text = text.replace("2024年度政府信息公开", f"{year}年度政府信息公开")
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _t4_totals_zero(tmp_path):
    # the "table 四 totals printed as 0 where the items sum to 11": here the items sum to 7
    return _page(tmp_path, "t4_zero.html", (T4_ROW, T4_ROW.replace("<p>7</p>", "<p>0</p>")))


def _rules(a):
    return sorted(f.rule for f in a.findings)


def test_real_reports_are_clean():
    """No false faults on consistent real reports, in every form they come in."""
    for name in ("huaian_city_2024.pdf", "pingtan_2024.html", "pingtan_2024.txt", "pingtan_2019.txt",
                 "shanghai_govoffice_2025.md", "pingtan_2024.copy.txt", "pingtan_2024.p6.html"):
        a = audit_file(REAL / name)
        # read whole: clean; read in part (run-together digits, a machine extraction): partial, never "ok"
        whole = a.found + a.blank == a.cells
        assert a.status == ("ok" if whole else "partial"), (name, a.found, [f.message for f in a.findings])
        assert a.rules_checked > 0


def test_table_four_totals_printed_as_zero(tmp_path):
    a = audit_file(_t4_totals_zero(tmp_path))
    assert a.status == "faults"
    assert _rules(a) == ["T4-REVIEW-TOTAL"]
    f = a.findings[0]
    assert f.values["left"] == 0 and f.values["right"] == 7
    assert "报告中为 0" in f.message and "= 7" in f.message
    assert f.cells and f.cells[0] == "第 3 张表第 4 行第 5 格"  # where it is in the page


def test_results_total_not_the_sum_of_its_rows(tmp_path):
    # （七）总计's 自然人 printed 216 where its rows add up to 217
    old = "<p>（七）总计</p></td><td valign=\"center\"><p>217</p>"
    p = _page(tmp_path, "total.html", (old, old.replace("217", "216")))
    a = audit_file(p)
    got = {f.rule: f for f in a.findings}
    assert set(got) == {"T3-RESULTS-TOTAL", "T3-ROW-TOTAL", "T3-BALANCE"}
    assert got["T3-RESULTS-TOTAL"].values["left"] == 216 and got["T3-RESULTS-TOTAL"].values["right"] == 217
    assert "自然人" in got["T3-BALANCE"].message


def test_body_text_against_the_tables(tmp_path):
    p = _page(tmp_path, "claims.html",
              ("全年办理政府信息公开申请218件。", "全年受理政府信息公开申请17件，予以公开及部分公开258件，"
                                         "被申请行政复议134件。"))
    a = audit_file(p)
    claims = [f for f in a.findings if f.rule == "A-CLAIM"]
    stated = sorted(f.values["stated"] for f in claims)
    assert stated == [17, 134, 258]
    by = {f.values["stated"]: f for f in claims}
    assert 218 in by[17].values["table"].values()  # 一、本年新收 218
    assert 100 in by[258].values["table"].values()  # 予以公开 71 + 部分公开 29
    assert 7 in by[134].values["table"].values()  # 行政复议 总计 7
    assert all(f.cells for f in claims)  # where in the page


def test_consistent_body_text_is_not_a_fault(tmp_path):
    p = _page(tmp_path, "ok.html", ("全年办理政府信息公开申请218件。",
                                    "全年共受理政府信息公开申请218件，予以公开71件，部分公开29件，行政复议7件，行政诉讼19件。"))
    assert audit_file(p).findings == []


def test_cross_year_breaks(tmp_path):
    """Two years of one agency: 现行有效 470 (2023) + 62 − 33 ≠ 440 (the break a careful reader of the
    real Pingtan reports finds); a 2025 report whose 上年结转 is not 2024's 结转下年度."""
    d = tmp_path / "reports"
    d.mkdir()
    v2024 = "<p>行政规范性文件</p></td><td valign=\"center\"><p>62</p></td><td valign=\"center\"><p>33</p></td>" \
            "<td valign=\"center\"><p>440</p>"
    _page(d, "2023.html", (v2024, v2024.replace("<p>440</p>", "<p>470</p>")), year=2023)
    shutil.copy(REAL / "pingtan_2024.html", d / "2024.html")
    carried = "<p>二、上年结转政府信息公开申请数量</p></td><td valign=\"center\"><p>0</p>"
    _page(d, "2025.html", (carried, carried[:-len("<p>0</p>")] + "<p>3</p>"), year=2025)
    audits = {a.year: a for a in audit_paths([d], jobs=1)}
    assert set(audits) == {2023, 2024, 2025}
    assert [f.rule for f in audits[2023].findings] == []
    valid = [f for f in audits[2024].findings if f.rule == "A-VALID"]
    assert len(valid) == 1 and valid[0].values["left"] == 440 and valid[0].values["right"] == 499
    carry = [f for f in audits[2025].findings if f.rule == "A-CARRY"]
    assert len(carry) == 1
    assert (carry[0].values["left"], carry[0].values["right"], carry[0].values["column"]) == (3, 0, "natural")
    assert "2024.html" in carry[0].message


def test_a_report_of_no_known_agency_is_not_called_clean(tmp_path):
    """Every cell read, but no title to say whose report it is: partial (it cannot be paired across years)."""
    page = (REAL / "pingtan_2024.html").read_text(encoding="utf-8")
    (tmp_path / "p.html").write_text(page.replace("平潭综合实验区2024年度政府信息公开工作年度报告", "政府信息公开工作年度报告"),
                                     encoding="utf-8")
    a = audit_file(tmp_path / "p.html")
    assert (a.agency, a.found, a.cells, a.faults) == ("", 200, 200, [])
    assert a.status == "partial" and a.to_dict()["status"] == "partial"


def test_audit_command_folder(tmp_path, cli):
    """A folder of any mix: per report completeness, faults with both sides' numbers, the
    workbook and JSON; exit 1 when faults, 2 when a file cannot be read."""
    d = tmp_path / "reports"
    (d / "sub").mkdir(parents=True)
    shutil.copy(REAL / "huaian_city_2024.pdf", d / "huaian.pdf")
    shutil.copy(REAL / "pingtan_2019.txt", d / "sub" / "pingtan_2019.txt")
    shutil.copy(REAL / "README.md", d / "README.md")  # not a report
    _t4_totals_zero(d)
    code, out, err = cli("audit", d, "--out", tmp_path / "审计.xlsx")
    assert code == 1, out + err
    assert "T4-REVIEW-TOTAL" in out and "报告中为 0" in out and "读出 200/200 格" in out
    assert "README" not in out
    wb = openpyxl.load_workbook(tmp_path / "审计.xlsx")
    assert wb.sheetnames == ["报告", "问题", "未读出"]
    rows = list(wb["报告"].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "文件"
    # pingtan_2019.txt: consistent as far as read, some cells not read (partial, not "clean")
    assert {r[5] for r in rows[1:]} == {"未发现问题", "有问题", "未发现问题，但未能全部读出（未读出的部分没有审核）"}
    assert "1 份未能全部读出" in out and "△" in out
    problems = list(wb["问题"].iter_rows(values_only=True))[1:]
    assert [p[4] for p in problems] == ["T4-REVIEW-TOTAL"]
    missing = list(wb["未读出"].iter_rows(values_only=True))[1:]
    assert missing and all("pingtan_2019" in m[0] for m in missing)  # the run-together digits, with reasons


def test_audit_command_json_and_unreadable_files(tmp_path, cli):
    d = tmp_path / "reports"
    d.mkdir()
    shutil.copy(REAL / "pingtan_2024.html", d / "pingtan.html")
    code, out, err = cli("audit", d, "--json")
    assert code == 0, out
    data = json.loads(out)
    rep = data["reports"][0]
    assert rep["cells_read"] == 200 and rep["completeness"] == 1.0 and rep["faults"] == 0
    assert rep["agency"] == "平潭综合实验区" and rep["year"] == 2024 and rep["form"] == "gb2021"
    assert rep["kind"] == "html" and rep["missing"] == [] and rep["rules_unchecked"] == 0

    from PIL import Image
    Image.new("RGB", (600, 800), "white").save(d / "scan.pdf")
    (d / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    code, out, err = cli("audit", d, "--json")
    assert code == 2
    data = json.loads(out)
    bad = {r["file"].rsplit("/", 1)[-1]: r for r in data["reports"] if r["status"] == "unreadable"}
    assert set(bad) == {"scan.pdf", "broken.docx"}
    assert "扫描件" in bad["scan.pdf"]["error"] and bad["scan.pdf"]["error_code"] == "REPORT_SCANNED"
    assert data["summary"]["reports"] == 3 and data["summary"]["unreadable"] == 2
    code, out, err = cli("audit", d)
    assert code == 2 and "scan.pdf：无法读取" in out and "扫描件" in out


def test_report_files_in_a_folder(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/x.pdf", "b.html", "c.txt", "README.md", ".hidden.pdf", "~$lock.docx", "d.json", "e.xlsx"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert sorted(p.name for p in report_files([tmp_path])) == ["b.html", "c.txt", "x.pdf"]


def test_exit_codes():
    from gkxl.findings import Finding
    from gkxl.report.audit import ReportAudit

    ok = ReportAudit("a")
    note = ReportAudit("b", findings=[Finding("P-JUMP", "warning", "与上年相比变化异常")])
    fault = ReportAudit("c", status="faults", findings=[Finding("T3-BALANCE", "error", "x")])
    gone = ReportAudit("d", status="unreadable", error="x")
    assert exit_code([ok, note]) == 0
    assert exit_code([ok, fault]) == 1
    assert exit_code([fault, gone]) == 2


def test_audit_in_parallel_keeps_every_outcome(tmp_path):
    """Worker processes: results in file order, an unreadable file listed, nothing lost."""
    for i in range(6):
        shutil.copy(REAL / "pingtan_2024.html", tmp_path / f"p{i}.html")
    (tmp_path / "p3.html").write_bytes(b"\xff\xfe\x00garbage")
    audits = audit_paths([tmp_path], jobs=2)
    assert [a.path.rsplit("/", 1)[-1] for a in audits] == [f"p{i}.html" for i in range(6)]
    assert [a.status for a in audits].count("unreadable") == 1


def test_claims_read_like_a_reviewer(form):
    """Statements the tables support in any reading are not faults; the others are."""
    from gkxl.compute import recompute
    from gkxl.report.claims import check_claims

    vals = {k: 0 for k in form.input_cells}
    vals.update({("t3", "new", "natural"): 95, ("t3", "carried_in", "natural"): 3,
                 ("t3", "disclosed", "natural"): 60, ("t3", "partial", "natural"): 20,
                 ("t3", "unable_not_held", "natural"): 15, ("t3", "carry_out", "natural"): 3,
                 ("t4", "cases", "review_upheld"): 2, ("t4", "cases", "after_upheld"): 1})
    values = recompute(form, vals)

    def stated(text):
        return sorted(c.stated for c in check_claims([(text, "p1")], form, values))

    assert stated("全年共受理政府信息公开申请95件，办结95件（含上年结转3件），结转下年度继续办理3件。") == []
    assert stated("共受理政府信息公开申请98件（含上年结转）。") == []  # 受理 may include the carry-over
    assert stated("予以公开60件，部分公开20件，予以公开及部分公开80件，无法提供15件。") == []
    assert stated("行政复议2件，行政诉讼1件；行政复议、行政诉讼案件3件。") == []
    assert stated("政府信息公开申请率同比增长20%，主动公开规章12件。") == []
    assert stated("全年受理政府信息公开申请17件。") == [17]
    assert stated("予以公开及部分公开258件，行政复议134件。") == [134, 258]
    # a result "答复" is that result, not every answer (上海市科委 2024: "同意公开答复9件…无法提供的10件")
    assert stated("所有办结的申请中同意公开答复60件，部分公开答复20件，不予公开答复0件，无法提供的15件。") == []
    assert stated("同意公开答复61件，无法提供答复14件。") == [14, 61]
    # a statement whose cells were not all read is not judged
    del values[("t3", "partial", "total")]
    assert stated("予以公开及部分公开258件。") == []


def test_one_agency_under_its_title_variants():
    """A name and the same name with its higher divisions in front are one agency — only where that is
    the one way to read it."""
    from gkxl.report.audit import agency_groups

    g = agency_groups(["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府"])
    assert len(set(g.values())) == 1
    g = agency_groups(["鼓楼区人民政府", "南京市鼓楼区人民政府", "福州市鼓楼区人民政府"])
    assert len(set(g.values())) == 3  # two cities have a 鼓楼区: the short name stays apart
    g = agency_groups(["财政局", "淮安市财政局", "淮安市人民政府", "人民政府"])
    assert len(set(g.values())) == 4  # no place name of its own: nothing to join on
