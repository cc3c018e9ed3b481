"""Both formats as form files, the printed variant declared as data, the form chosen from the
report, and whose report it is from its title as real titles are written."""

from __future__ import annotations

import pytest

from gkxl.errors import FormError
from gkxl.form import load_form, parse_form
from gkxl.report.identity import find_identity, match_title
from gkxl.report.importer import read_report
from gkxl.report.source import Para, SourceDoc
from report_helpers import REAL


def test_gb2019_is_the_2019_format():
    f = load_form("gb2019")
    assert f.years == (2019, 2020) and f.basis == "国办公开办函〔2019〕60号"
    assert [c.labels[-1] for c in f.tables["t2a"].columns] == ["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert [c.labels[-1] for c in f.tables["t2b"].columns] == ["上一年项目数量", "本年增/减", "处理决定数量"]
    assert f.tables["t2e"].rows[0].labels == ("政府集中采购",)
    six = [r for r in f.tables["t3"].rows if "（六）其他处理" in r.labels]
    assert len(six) == 1 and six[0].labels == ("三、本年度办理结果", "（六）其他处理")
    assert len(f.derived[("t3", "results_total", "natural")].terms) == 19
    # shared ids: 上年结转 of 2021 checks against 结转下年度 of 2020
    g = load_form("gb2021")
    assert ("t3", "carry_out", "natural") in f.cells and ("t3", "carried_in", "natural") in g.cells


def test_the_printed_variant_is_data():
    f, g = load_form("gb2021p6"), load_form("gb2021")
    assert f.extends == "gb2021" and f.variant and f.years == (2021, 2100)
    assert [r.id for r in f.tables["t3"].rows] == [r.id for r in g.tables["t3"].rows
                                                    if not r.id.startswith("other_")][:-2] + \
        ["other", "results_total", "carry_out"]
    assert f.tables["t2a"] == g.tables["t2a"] and f.tables["t4"] == g.tables["t4"]
    assert len(f.derived[("t3", "results_total", "natural")].terms) == 19
    fee = next(r for r in f.rules if r.id == "P-FEE-TEXT")
    assert fee.when == ("t2d.fees.amount",)  # the fee row is inside the printed row: dropped, not guessed


def test_names_a_row_is_printed_under_are_data(tmp_path):
    """2021-format reports that keep 2019's "规范性文件" for 行政规范性文件 (沭阳县发展和改革局 2023): the
    form file says so (`printed`), the workbook keeps the standard label, the importer reads both."""
    g = load_form("gb2021")
    row = next(r for r in g.tables["t2a"].rows if r.id == "normative")
    assert row.labels == ("行政规范性文件",) and row.printed == ("规范性文件",)
    assert row.names == ("行政规范性文件", "规范性文件")
    page = ("<html><body><p>某县发展和改革局2023年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
            "<tr><td colspan='4'>第二十条第（一）项</td></tr>"
            "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
            "<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
            "<tr><td>规范性文件</td><td>8</td><td>0</td><td>18</td></tr></table></body></html>")
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    m = read_report(tmp_path / "p.html")
    assert [m.values[("t2a", "normative", c)] for c in ("issued", "repealed", "valid")] == [8, 0, 18]
    d = {"form": {"id": "v", "version": "1"}, "sheets": [{"id": "s", "name": "s", "tables": [
        {"id": "t", "columns": [{"id": "a", "labels": ["A"]}], "rows": [{"id": "r", "labels": ["R"], "printed": [""]}]}]}]}
    with pytest.raises(FormError) as e:
        parse_form(d, "v.toml")
    assert "printed" in str(e.value)


def test_extends_errors(tmp_path):
    base = {"form": {"id": "v", "version": "1", "extends": "nope"}}
    with pytest.raises(FormError) as e:
        parse_form(base, str(tmp_path / "v.toml"))
    assert "nope" in str(e.value)
    d = {"form": {"id": "v", "version": "1", "extends": "gb2021"},
         "replace_rows": [{"table": "t3", "rows": ["new", "partial"], "with": [{"id": "x", "labels": ["x"]}]}]}
    with pytest.raises(FormError) as e:
        parse_form(d, "v.toml")
    assert "相邻" in str(e.value)
    d["replace_rows"][0]["rows"] = ["zzz"]
    with pytest.raises(FormError) as e:
        parse_form(d, "v.toml")
    assert "zzz" in str(e.value)
    with pytest.raises(FormError):
        parse_form({"form": {"id": "v", "version": "1", "years": [2022, 2020]}, "sheets": []}, "v.toml")


def test_form_chosen_from_labels_and_year():
    assert read_report(REAL / "pingtan_2019.page.html").form.id == "gb2019"
    assert read_report(REAL / "pingtan_2024.p6.html").form.id == "gb2021p6"
    assert read_report(REAL / "pingtan_2024.html").form.id == "gb2021"
    # an explicit form is used as given
    m = read_report(REAL / "pingtan_2024.p6.html", form="gb2021")
    assert m.form.id == "gb2021" and ("t3", "other_other", "natural") not in m.values
    assert any("其他处理" in u for u in m.unmapped)


def test_year_breaks_a_tie(tmp_path):
    """Table 二 missing: 2019 and the 2021 variant place the same cells; the year decides."""
    text = (REAL / "pingtan_2024.p6.html").read_text(encoding="utf-8")
    a, b = text.index("<p><span>二、主动公开政府信息情况"), text.index("<p><span>三、收到和处理")
    cut = text[:a] + text[b:]
    (tmp_path / "2024.html").write_text(cut, encoding="utf-8")
    (tmp_path / "2020.html").write_text(cut.replace("2024年度政府信息公开", "2020年度政府信息公开"), encoding="utf-8")
    assert read_report(tmp_path / "2024.html").form.id == "gb2021p6"
    assert read_report(tmp_path / "2020.html").form.id == "gb2019"


@pytest.mark.parametrize("title, want", [
    ("淮安市人民政府2024年政府信息公开工作年度报告", ("淮安市人民政府", 2024)),
    ("平潭综合实验区2024年度政府信息公开工作年度报告", ("平潭综合实验区", 2024)),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", ("上海市人民政府办公厅", 2019)),
    ("2025 年上海市人民政府办公厅政府信息公开工作年度报告", ("上海市人民政府办公厅", 2025)),
    ("尚志市商务局２０２１年政府信息公开工作年度报告", ("尚志市商务局", 2021)),
    ("标题: 平潭综合实验区2019年度政府信息公开工作年度报告", ("平潭综合实验区", 2019)),
    ("平潭综合实验区2024年度政府信息公开工作年度报告_政府信息公开年报_平潭综合实验区党工委管委会",
     ("平潭综合实验区", 2024)),
    ("清河县教育局关于2022年度政府信息公开工作年度报告", ("清河县教育局", 2022)),
    ("清河县教育局政府信息公开工作2020年度报告", ("清河县教育局", 2020)),
    ("清河县教育局2023年政府信息公开年报", ("清河县教育局", 2023)),
    ("# 沐阳县人民政府2025年政府信息公开工作年度报告", ("沐阳县人民政府", 2025)),  # Markdown read as text
    ("名称    沭阳县发展和改革局 2023 年政府信息公开年度报告", ("沭阳县发展和改革局", 2023)),  # a page's metadata table
    ("信息名称：清河县教育局2023年政府信息公开年报", ("清河县教育局", 2023)),
    ("**清河县教育局2023年政府信息公开年报**", ("清河县教育局", 2023)),
    ("本报告是根据条例编制的2023年政府信息公开工作年度报告", None),
    ("2023年政府信息公开工作年度报告", None),
])
def test_titles(title, want):
    assert match_title(title) == want


def _doc(*lines: str, hint: str = "") -> SourceDoc:
    return SourceDoc([Para(x) for x in lines], "x", hint)


def test_title_split_over_lines_and_menus():
    assert find_identity(_doc("淮安市人民政府", "2024 年政府信息公开工作年度报告", "本报告由…编制"))[:2] == \
        ("淮安市人民政府", 2024)
    assert find_identity(_doc("2025 年上海市人民政府办公厅政府信息公开", "工作年度报告"))[:2] == ("上海市人民政府办公厅", 2025)
    assert find_identity(_doc("年度报告", "政策解读", "平潭综合实验区2024年度政府信息公开工作年度报告"))[:2] == \
        ("平潭综合实验区", 2024)
    assert find_identity(_doc("首页 > 政务公开", hint="某市某局2022年政府信息公开工作年度报告_某市人民政府"))[:2] == \
        ("某市某局", 2022)


def test_identity_from_the_opening_paragraph():
    got = find_identity(_doc("政府信息公开工作年度报告",
                             "本报告由清河县人民政府办公室根据《条例》编制。本报告所列数据统计期限自2023年1月1日至2023年12月31日。"))
    assert got[:2] == ("清河县人民政府办公室", 2023)


def test_overrides(tmp_path, cli):
    code, out, err = cli("import-report", REAL / "pingtan_2024.html", "--out", tmp_path / "x.xlsx",
                         "--agency", "平潭综合实验区管委会办公室", "--code", "PT01", "--year", "2024")
    assert code == 0, err
    assert "平潭综合实验区管委会办公室（PT01）2024 年度" in out
    assert "已按 --agency 使用" in err


def test_a_list_inside_a_row_label_written_with_a_comma_is_the_same_row(form):
    """"逾期不补正, 行政机关不再处理…" (a Markdown extraction) is the row "逾期不补正、行政机关不再处理…"."""
    from gkxl.report.table_rows import TableMapper

    tm = TableMapper(form)
    want = [r.id for _, r, _ in tm.leaf_rows(["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"])]
    assert want == ["other_no_correction"]
    for printed in ("1. 申请人无正当理由逾期不补正, 行政机关不再处理其政府信息公开申请",
                    "申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"):
        assert [r.id for _, r, _ in tm.leaf_rows([printed])] == want, printed
