"""`gkxl import-report`: published reports back into returns, by labels."""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkxl.checks import check_return
from gkxl.compute import recompute
from gkxl.reader import read_return
from gkxl.report import ReportError, import_report, render_report
from report_helpers import (AGENCY, TEXTS, YEAR, flatten_text, html_variant, make_return,
                            numbers_in_seed_tables)

SEED = "/work/shared/seeds/000_fec8e7c22ab069bd.txt"


def _same_values(got, want_ret):
    form = want_ret.form
    for key in form.cells:
        assert got.values[key] == pytest.approx(want_ret.values[key]), (form.label_of(key), got.values[key])


# ---------------------------------------------------------------- the seed

def test_seed_imports_to_what_its_text_says(tmp_path, form, cli):
    text = open(SEED, encoding="utf-8").read()
    numbers = numbers_in_seed_tables(text)
    assert len(numbers) == len(form.cells) and set(numbers) == {"0"}  # (the seed writes " \u30000" as 0)
    res = import_report(SEED, tmp_path / "seed.xlsx", code="230183001")
    assert (res.agency, res.year) == ("尚志市商务局", 2021)
    assert res.unmapped == []
    assert len(res.mapped.values) == len(form.input_cells) and len(res.mapped.totals) == len(form.derived)
    ret = read_return(tmp_path / "seed.xlsx")
    assert ret.kind == "imported" and ret.agency_name == "尚志市商务局" and ret.year == 2021
    assert all(v == 0 for v in ret.values.values()) and all(ret.inputs[k] == 0 for k in form.input_cells)
    assert ret.texts["overview"].startswith("2021年，尚志市商务局在市委、市政府的坚强领导下")
    assert "（四）平台建设" in ret.texts["overview"] and "本报告依据" not in ret.texts["overview"]
    assert ret.texts["problems"].startswith("存在的主要问题：2021年") and "改进措施：2022年" in ret.texts["problems"]
    # 六's only sentence is its fee statement, printed without the "信息处理费收取情况" heading: it is that part's text
    assert ret.texts["processing_fee"] == "无收取信息处理费情况。" and not ret.texts.get("other_matters")
    assert not any("文字部分" in n for n in res.mapped.notes)  # no part said missing: 六 was there
    result = check_return(ret)
    assert result.status == "pass", [f.message for f in result.errors]
    code, out, err = cli("check", tmp_path / "seed.xlsx")
    assert code == 0


def test_seed_cli(tmp_path, cli):
    code, out, err = cli("import-report", SEED, "--out", tmp_path / "s.xlsx")
    assert code == 0, err
    assert "尚志市商务局" in out and "2021 年度" in out and "未能对应" not in out
    assert "--code" in err  # told that --prior needs a code
    code, out, err = cli("import-report", SEED, "--out", tmp_path / "s.xlsx", "--agency", "另一个局",
                         "--code", "X1", "--year", "2022")
    assert code == 0
    ret = read_return(tmp_path / "s.xlsx")
    assert (ret.agency_name, ret.agency_code, ret.year) == ("另一个局", "X1", 2022)


def test_rich_text_flattening_imports_its_numbers(tmp_path, form):
    """The seed's flattening style (merges lost, narrow headers wrapped one
    character per line, unnumbered headings) with non-zero numbers."""
    p, ret = make_return(tmp_path, form, seed=21)
    assert sum(ret.values.values()) > 50
    src = tmp_path / "rich.txt"
    src.write_text(flatten_text(ret), encoding="utf-8")
    res = import_report(src, tmp_path / "rich.xlsx")
    assert res.unmapped == []
    assert (res.agency, res.year) == (AGENCY.name, YEAR)
    got = read_return(tmp_path / "rich.xlsx")
    _same_values(got, ret)
    assert got.texts == {k: v for k, v in TEXTS.items()}
    assert check_return(got).status == "pass"


# ---------------------------------------------------------------- round trips

@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), fmt=st.sampled_from(["md", "html", "docx"]))
def test_round_trip_random_returns(tmp_path_factory, form, seed, fmt):
    d = tmp_path_factory.mktemp("rt")
    p, ret = make_return(d, form, seed=seed)
    render_report(ret, d / f"r.{fmt}")
    res = import_report(d / f"r.{fmt}", d / "back.xlsx", code=AGENCY.code)
    assert res.unmapped == []
    back = read_return(d / "back.xlsx")
    assert back.inputs == ret.inputs
    _same_values(back, ret)
    assert back.texts == ret.texts
    assert (back.agency_name, back.agency_code, back.year) == (AGENCY.name, AGENCY.code, YEAR)


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_round_trip_each_format(tmp_path, form, fmt):
    p, ret = make_return(tmp_path, form, seed=100 + len(fmt))
    render_report(ret, tmp_path / f"r.{fmt}")
    res = import_report(tmp_path / f"r.{fmt}", tmp_path / "back.xlsx")
    assert res.unmapped == [] and res.mapped.notes == []
    back = read_return(tmp_path / "back.xlsx")
    assert back.inputs == ret.inputs and back.texts == ret.texts
    assert check_return(back).status == "pass"


def test_round_trip_another_form(tmp_path, mini_form, monkeypatch):
    """Nothing in the importer knows gb2021."""
    from conftest import FORMS
    from gkxl.fake import realistic_return, write_return
    monkeypatch.setenv("GKXL_FORMS_DIR", str(FORMS))
    vals = realistic_return(mini_form, 3)
    p = write_return(tmp_path / "m.xlsx", mini_form, AGENCY, YEAR, vals, texts={"note": "说明文字。"})
    ret = read_return(p)
    for fmt in ("html", "md", "docx"):
        render_report(ret, tmp_path / f"m.{fmt}")
        res = import_report(tmp_path / f"m.{fmt}", tmp_path / "mb.xlsx", form=mini_form)
        assert res.unmapped == [], (fmt, res.unmapped)
        assert res.mapped.values == {k: v for k, v in ret.inputs.items()}
        assert res.mapped.texts == {"note": "说明文字。"}


# ---------------------------------------------------------------- web pages as found

@pytest.mark.parametrize("merges", ["span", "empty", "repeat"])
@pytest.mark.parametrize("numbering", [True, False])
def test_html_variants(tmp_path, form, merges, numbering):
    p, ret = make_return(tmp_path, form, seed=31)
    page = tmp_path / "page.html"
    page.write_text(html_variant(ret, merges=merges, numbering=numbering, unit=True, layout_table=True),
                    encoding="utf-8")
    res = import_report(page, tmp_path / "x.xlsx")
    assert res.unmapped == [], res.unmapped
    back = read_return(tmp_path / "x.xlsx")
    assert back.inputs == ret.inputs
    _same_values(back, ret)
    assert (back.agency_name, back.year) == (AGENCY.name, YEAR)


def test_missing_row_is_listed_not_guessed(tmp_path, form, cli):
    p, ret = make_return(tmp_path, form, seed=41)
    page = tmp_path / "page.html"
    page.write_text(html_variant(ret, drop_rows={("t3", "refused_third_party"), ("t2c", "coercion")}),
                    encoding="utf-8")
    res = import_report(page, tmp_path / "x.xlsx")
    assert len(res.unmapped) == 2
    assert any("4.第三方权益" in x and "没有这一行" in x for x in res.unmapped)
    assert any("行政强制" in x and "没有这一行" in x for x in res.unmapped)
    back = read_return(tmp_path / "x.xlsx")
    for key in back.form.input_cells:
        if key[:2] in {("t3", "refused_third_party"), ("t2c", "coercion")}:
            assert back.inputs[key] is None
        else:
            assert back.inputs[key] == ret.inputs[key]
    code, out, err = cli("import-report", page, "--out", tmp_path / "y.xlsx")
    assert code == 0 and "以下 2 项未能对应" in out and "4.第三方权益" in out
    code, out, err = cli("check", tmp_path / "y.xlsx")
    assert code == 1 and "V-BLANK" in out  # the blanks are reported, not silently zero


def test_unreadable_cells_and_wrong_published_totals(tmp_path, form, cli):
    """A '—' is not a number; a published total that does not add up is kept
    as published, and `gkxl check` catches it."""
    p, ret = make_return(tmp_path, form, seed=51)
    bad_total = ret.values[("t3", "new", "total")] + 3
    page = tmp_path / "page.html"
    page.write_text(html_variant(ret, override={("t2b", "licensing", "decisions"): "—",
                                                ("t3", "new", "total"): str(bad_total)}), encoding="utf-8")
    res = import_report(page, tmp_path / "x.xlsx")
    assert any("行政许可" in x and "不是数字" in x for x in res.unmapped)
    assert res.mapped.totals[("t3", "new", "total")] == bad_total
    code, out, err = cli("check", tmp_path / "x.xlsx")
    assert code == 1 and "T3-ROW-TOTAL" in out and "G-FORMULA-REPLACED" not in out


def test_imported_report_serves_as_prior(tmp_path, form, cli):
    """Last year's published report -> the carry-over check of this year's return."""
    p_last, last = make_return(tmp_path, form, seed=61, name="last.xlsx")
    render_report(last, tmp_path / "last.html")
    code, out, err = cli("import-report", tmp_path / "last.html", "--out", tmp_path / "prior" / "last.xlsx",
                         "--code", AGENCY.code, "--year", YEAR - 1)
    assert code == 2 and "目录" in err  # the folder does not exist yet: a clear error
    (tmp_path / "prior").mkdir()
    code, out, err = cli("import-report", tmp_path / "last.html", "--out", tmp_path / "prior" / "last.xlsx",
                         "--code", AGENCY.code, "--year", YEAR - 1)
    assert code == 0, err
    from gkxl.fake import realistic_return
    vals = realistic_return(form, 62, prior=recompute(form, last.inputs))
    p_now, now = make_return(tmp_path, form, values=vals, name="now.xlsx")
    code, out, err = cli("check", p_now, "--prior", tmp_path / "prior")
    assert code == 0, out
    assert "X-NO-PRIOR" not in out
    vals[("t3", "carried_in", "natural")] += 1
    vals[("t3", "new", "natural")] = max(0, vals[("t3", "new", "natural")] - 1)
    p_bad, _ = make_return(tmp_path, form, values=vals, name="bad.xlsx")
    code, out, err = cli("check", p_bad, "--prior", tmp_path / "prior")
    assert "X-CARRY-OVER" in out


def test_hostile_html_is_inert(tmp_path, form):
    """Scripts, comments and entities are not content; nothing is fetched."""
    p, ret = make_return(tmp_path, form, seed=71)
    page = html_variant(ret)
    page = page.replace("<body>", "<body><!-- <table><tr><td>行政许可</td><td>5</td></tr></table> -->"
                        "<style>td{}</style><iframe src='http://127.0.0.1:9/x'></iframe>", 1)
    page = '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + page
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    res = import_report(tmp_path / "p.html", tmp_path / "x.xlsx")
    assert res.unmapped == []
    assert res.mapped.values[("t2b", "licensing", "decisions")] == ret.inputs[("t2b", "licensing", "decisions")]


def test_errors_are_chinese(tmp_path, form, cli):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    code, out, err = cli("import-report", tmp_path / "a.pdf", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "a.pdf" in err and "PDF 文件已损坏" in err and "Traceback" not in err
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf")
    code, out, err = cli("import-report", tmp_path / "a.xls", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "不支持的文件类型" in err and ".pdf" in err
    (tmp_path / "b.txt").write_text("某某局2023年政府信息公开工作年度报告\n\n一、总体情况\n\n没有表格。\n", encoding="utf-8")
    code, out, err = cli("import-report", tmp_path / "b.txt", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "没有找到统计表" in err
    (tmp_path / "c.docx").write_bytes(b"not a zip")
    with pytest.raises(ReportError):
        import_report(tmp_path / "c.docx", tmp_path / "x.xlsx")


def test_gbk_text_and_tab_rows(tmp_path, form):
    """A GBK-encoded text file with rows as tab-separated lines."""
    lines = ["测试县教育局2022年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（五）项",
             "信息内容\t本年处理决定数量", "行政许可\t12", "第二十条第（八）项",
             "信息内容\t本年收费金额（单位：万元）", "行政事业性收费\t3.25万元"]
    (tmp_path / "g.txt").write_bytes("\n".join(lines).encode("gb18030"))
    res = import_report(tmp_path / "g.txt", tmp_path / "g.xlsx")
    assert (res.agency, res.year) == ("测试县教育局", 2022)
    assert res.mapped.values == {("t2b", "licensing", "decisions"): 12, ("t2d", "fees", "amount"): 3.25}
    assert any("行政处罚" in x for x in res.unmapped)


def test_word_tables_as_word_writes_them(tmp_path):
    """gridSpan, vMerge, a row starting one column in (gridBefore), a cell inside a content
    control: every position gets its merged cell's text, as in a web page."""
    import zipfile

    def tc(text="", span=1, vmerge=None):
        pr = ""
        if span > 1:
            pr += f'<w:gridSpan w:val="{span}"/>'
        if vmerge:
            pr += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
        return f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    def tr(*cells, before=0):
        pr = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
        return f"<w:tr>{pr}{''.join(cells)}</w:tr>"

    sdt = "<w:sdt><w:sdtContent>" + tc("65") + "</w:sdtContent></w:sdt>"
    rows = [tr(tc("第二十条第（六）项", 2)), tr(tc("信息内容"), tc("本年处理决定数量")),
            tr(tc("行政处罚", vmerge="restart"), tc("1100")), tr(tc(vmerge="continue"), tc("1100")),
            tr(tc("行政强制"), sdt), tr(tc("7"), before=1)]
    body = ("<w:p><w:r><w:t>某局2024年政府信息公开工作年度报告</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p><w:tbl>" + "".join(rows) + "</w:tbl>")
    doc = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + body + "</w:body></w:document>")
    with zipfile.ZipFile(tmp_path / "w.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", doc)
    from gkxl.report.importer import read_report, read_source
    src = read_source(tmp_path / "w.docx")
    t = next(b for b in src.blocks if hasattr(b, "rows"))
    assert t.rows[3] == ["行政处罚", "1100"] and t.rows[4] == ["行政强制", "65"] and t.rows[5] == ["", "7"]
    m = read_report(tmp_path / "w.docx", form="gb2021")
    assert (m.agency, m.year) == ("某局", 2024)
    assert m.values[("t2c", "penalty", "decisions")] == 1100 and m.values[("t2c", "coercion", "decisions")] == 65


TABLE_FOUR_BY_GROUPS = """# 某县人民政府2025年政府信息公开工作年度报告

## 四、政府信息公开行政复议、行政诉讼情况

### 行政复议
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
|---|---|---|---|---|
| 27 | 10 | 9 | 15 | 61 |

### 行政诉讼（未经复议直接起诉）
| 3 | 0 | 0 | 0 | 3 |
|---|---|---|---|---|

### 行政诉讼（复议后起诉）
| 8 | 0 | 1 | 1 | 10 |
|---|---|---|---|---|

## 五、存在的主要问题及改进情况
"""


def test_table_four_printed_group_by_group(tmp_path):
    """A Markdown extraction that prints table 四 as one small table per group, named by headings:
    read group by group; with one group a number short, none of it (never shifted)."""
    from gkxl.report.importer import read_report

    (tmp_path / "g.md").write_text(TABLE_FOUR_BY_GROUPS, encoding="utf-8")
    m = read_report(tmp_path / "g.md")
    got = [{**m.values, **m.totals}.get(("t4", "cases", c)) for c in ("review_upheld", "review_total", "direct_upheld",
                                                       "direct_total", "after_upheld", "after_other", "after_total")]
    assert got == [27, 61, 3, 3, 8, 1, 10]
    assert "分组" in m.sources[("t4", "cases", "after_total")]
    (tmp_path / "short.md").write_text(TABLE_FOUR_BY_GROUPS.replace("| 3 | 0 | 0 | 0 | 3 |", "| 3 | 0 | 0 | 3 |"),
                                       encoding="utf-8")
    with pytest.raises(ReportError):  # nothing of table 四 placed, and it is the only table: said, not guessed
        read_report(tmp_path / "short.md")


def test_what_a_file_is_comes_from_its_content(tmp_path, monkeypatch):
    """A page saved under its site's address (.jsp), a PDF downloaded without a name and a .docx renamed .doc
    are read for what they are; without LibreOffice (which converts them: test_report_office.py) a real .doc,
    .wps or RTF is refused saying what it is and what to do, and an OFD always is."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    import io
    import zipfile

    from gkxl.report.audit import audit_paths
    from gkxl.report.importer import read_report
    from report_helpers import REAL

    (tmp_path / "t20240308_87885.jsp").write_bytes((REAL / "pingtan_2024.html").read_bytes())
    (tmp_path / "getfile").write_bytes((REAL / "huaian_city_2024.pdf").read_bytes())
    (tmp_path / "renamed.doc").write_bytes((REAL / "pingtan_2024.docx").read_bytes())
    assert read_report(tmp_path / "t20240308_87885.jsp").agency == "平潭综合实验区"
    assert read_report(tmp_path / "getfile").agency == "淮安市人民政府"
    assert read_report(tmp_path / "renamed.doc").year == 2024
    ofd = io.BytesIO()
    with zipfile.ZipFile(ofd, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
    refused = {"old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
               "r.rtf": b"{\\rtf1\\ansi 2024}", "e.ofd": ofd.getvalue(), "x.bin": b"\x00\x01binary"}
    for name, data in refused.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ReportError) as e:
            read_report(tmp_path / name)
        assert e.value.code == "REPORT_FORMAT" and str(tmp_path / name) in str(e.value)
        if name != "x.bin":
            assert "另存为 .docx" in str(e.value), str(e.value)
    # a folder audit lists the forms it cannot read, with the reason, and reads the rest
    audits = {a.path.rsplit("/", 1)[-1]: a for a in audit_paths([tmp_path], jobs=1)}
    assert audits["old.doc"].status == "unreadable" and "Word 97-2003" in audits["old.doc"].error
    assert audits["e.ofd"].status == "unreadable" and "OFD" in audits["e.ofd"].error
    assert audits["t20240308_87885.jsp"].status != "unreadable" and audits["getfile"].status != "unreadable"


def test_import_report_json(tmp_path, cli):
    """`gkxl import-report --json`: every number read with where it came from, every cell missing with why;
    without --out nothing is written, with it the workbook too."""
    import json

    from report_helpers import REAL

    code, out, err = cli("import-report", REAL / "shanghai_govoffice_2025.md", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["agency"], d["year"], d["form"], d["out"]) == ("上海市人民政府办公厅", 2025, "gb2021", None)
    cell = d["values"]["t3.new.natural"]
    assert isinstance(cell["value"], int)
    assert cell["source"] and cell["label"].endswith("自然人")
    assert d["missing"] and all(isinstance(x, str) and x for x in d["missing"])
    assert d["cells_read"] == len(d["values"]) < d["cells"]
    code, out, err = cli("import-report", REAL / "pingtan_2024.html", "--json", "--out", tmp_path / "p.xlsx",
                         "--code", "P1")
    d = json.loads(out)
    assert code == 0 and d["out"] == str(tmp_path / "p.xlsx") and (tmp_path / "p.xlsx").exists() and d["code"] == "P1"
    assert d["cells_read"] == d["cells"] == 200 and d["missing"] == []
    code, out, err = cli("import-report", REAL / "pingtan_2024.html")
    assert code == 2 and "--out" in err
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    code, out, err = cli("import-report", tmp_path / "old.doc", "--json")
    d = json.loads(out)
    assert code == 2 and d["error_code"] == "REPORT_FORMAT" and "old.doc" in d["error"] and "另存为" in err


@pytest.mark.parametrize("row, placed", [
    ([2, 6, 1, 1, 10, 62, 1, 8, 4, 75, 3, 7, 1, 0, 11], True),     # its own sums hold: table 四's one row
    ([2, 6, 1, 1, 21, 62, 1, 8, 4, 31, 153, 73, 871, 46, 27], False),  # read backwards: no sum holds
])
def test_a_row_with_no_label_and_no_header_needs_its_sums(tmp_path, row, placed):
    """Fifteen numbers with no row label and no header are table 四 by their count alone: kept only when
    the row's own totals hold (a table printed backwards once gave '27' for 72 in every cell)."""
    from gkxl.report.importer import read_report

    cells = "".join(f"<td>{v}</td>" for v in row)
    page = ("<html><body><h1>某某局2024年政府信息公开工作年度报告</h1><p>四、政府信息公开行政复议、行政诉讼情况</p>"
            f"<table><tr>{cells}</tr></table></body></html>")
    p = tmp_path / "r.html"
    p.write_text(page, encoding="utf-8")
    try:
        m = read_report(p)
    except ReportError as e:
        assert not placed and "没有一个数字能对应" in str(e)
        return
    got = [m.value(("t4", "cases", c)) for c in ("review_upheld", "after_other")]
    assert got == ([row[0], row[12]] if placed else [None, None])
