"""Text without table structure (stream.py, splits.py): layout text, one cell per line, cells
run together — and the rule that never bends: a number is placed only when it is certain."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gkxl.compute import recompute
from gkxl.report.importer import read_report
from gkxl.report.splits import equations, row_ways, solve
from gkxl.report.stream import read_stream
from report_helpers import make_return, text_variant


def _lines(text: str):
    return [(ln, f"第 {i} 行") for i, ln in enumerate(text.split("\n"), 1)]


def _read(tmp_path, text: str, name: str = "r.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return read_report(p)


@pytest.mark.parametrize("style", ["layout", "lines"])
def test_separated_text_reads_whole(tmp_path, form, style):
    p, ret = make_return(tmp_path, form, seed=11)
    m = _read(tmp_path, text_variant(ret, style))
    assert m.form.id == "gb2021" and m.unmapped == []
    want = recompute(form, ret.inputs)
    for key in form.cells:
        assert m.value(key) == pytest.approx(want[key]), (form.label_of(key), m.value(key), want[key])
    assert all(m.how[k] == "stream" for k in form.cells)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), fault=st.booleans())
def test_glued_text_never_a_wrong_number(tmp_path_factory, form, seed, fault):
    """Every cell run into the next: what is placed equals what was printed, including when
    the printed table itself does not add up (a total off by one)."""
    d = tmp_path_factory.mktemp("glued")
    p, ret = make_return(d, form, seed=seed)
    printed = dict(recompute(form, ret.inputs))
    if fault:
        rnd = random.Random(seed)
        key = rnd.choice(sorted(form.derived))
        printed[key] = printed[key] + 1
    m = _read(d, text_variant(ret, "glued", values=printed))
    for key in form.cells:
        got = m.value(key)
        if got is not None:
            assert got == pytest.approx(printed[key]), (form.label_of(key), got, printed[key], m.sources.get(key))


def test_body_text_is_not_a_table_row(tmp_path, form):
    """"行政许可 5 件" in the body, before the table: the table's own number, not the sentence's."""
    p, ret = make_return(tmp_path, form, seed=12)
    text = text_variant(ret, "layout").replace("一、总体情况\n", "一、总体情况\n全年办理行政许可 5 件，行政处罚 9 件。\n")
    m = _read(tmp_path, text)
    assert m.value(("t2b", "licensing", "decisions")) == ret.inputs[("t2b", "licensing", "decisions")]
    assert m.value(("t2c", "penalty", "decisions")) == ret.inputs[("t2c", "penalty", "decisions")]


def test_sentence_only_is_not_a_table(tmp_path, form):
    text = "某局2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n全年办理行政许可 5 件。\n第二十条第（五）项 行政许可 5 件\n"
    m = _read(tmp_path, text + "三、收到和处理政府信息公开申请情况\n申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 "
                        "其他 总计\n一、本年新收政府信息公开申请数量 3 0 0 0 0 0 3\n")
    assert ("t2b", "licensing", "decisions") not in m.values
    assert m.value(("t3", "new", "total")) == 3


def test_a_missing_cell_in_separated_text_is_not_cut(form):
    """"规章 22 235": two numbers for three columns is a cell missing, not digits to cut."""
    text = "二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 22 235\n"
    res = read_stream(_lines(text), form)
    assert not any(k[0] == "t2a" for k in res.values)
    assert any("只有 2 个数字" in p for p in res.problems)


def test_run_together_is_cut_only_when_unique(form):
    head = ("三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
            "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他")
    res = read_stream(_lines(head + "一、本年新收政府信息公开申请数量21710000218二、上年结转政府信息公开申请数量0000000"), form)
    assert [res.values[("t3", "new", c.id)] for c in form.tables["t3"].columns] == \
        ["217", "1", "0", "0", "0", "0", "218"]
    assert res.how[("t3", "new", "natural")] == "split"
    assert all(res.values[("t3", "carried_in", c.id)] == "0" for c in form.tables["t3"].columns)
    # 11 + 1 ≠ 21 ... a row whose printed total is off has no cut that adds up: missing, said
    res = read_stream(_lines(head + "一、本年新收政府信息公开申请数量21710000219"), form)
    assert not any(k[1] == "new" for k in res.values)
    assert res.problems


def test_2019_columns_are_not_read_as_2021(tmp_path, form):
    """The 2019 table 二 run together, read with the 2021 form: its header names other
    columns, so "3960181" is not 行政许可's 本年处理决定数量."""
    text = ("二、主动公开政府信息情况第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可3960181"
            "其他对外管理服务事项100153")
    res = read_stream(_lines(text), form)
    assert ("t2b", "licensing", "decisions") not in res.values
    assert any("表头" in p for p in res.problems)


def test_row_ways_and_solve(form):
    assert row_ways(["000"], 3) == [["0", "0", "0"]]
    assert row_ways(["00"], 3) == []
    assert row_ways(["1.52"], 2) == [["1.5", "2"]]  # a decimal point stays inside one number
    assert row_ways(["0123"], 2) == [["0", "123"]]
    cells = [("t3", "new", c.id) for c in form.tables["t3"].columns]
    ways = row_ways(["6233440"], 7) or []
    assert ways == [list("6233440")]
    certain, choices = solve({"x": (cells, ways)}, {}, equations(form))
    assert certain == {} and set(choices.values()) == {0}  # 6+2+3+3+4+4 ≠ 0: no cut adds up
    ways = row_ways(["21710000218"], 7)
    certain, _ = solve({"x": (cells, ways)}, {}, equations(form))
    assert [certain[k] for k in cells] == ["217", "1", "0", "0", "0", "0", "218"]
    # two rows that only the column sums tell apart
    eqs = equations(form)
    assert any(e.rule == "T3-RESULTS-TOTAL" for e in eqs) and any(e.rule == "T3-BALANCE" for e in eqs)


def test_a_signed_number_glued_on_is_its_own_cell():
    """Pingtan 2020's '行政事业性收费35-15' (2019 table 二: 上一年项目数量, 本年增/减): two cells cut by the
    sign — never '35' alone cut into 3 | 5. The -15 is no count: said, and the row is not used."""
    from gkxl.form import load_form

    f19 = load_form("gb2019")
    text = ("二、主动公开政府信息情况第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费35-15"
            "第二十条第（九）项")
    res = read_stream(_lines(text), f19)
    assert res.values.get(("t2d", "fees", "prior_items")) == "35"
    assert res.values.get(("t2d", "fees", "change")) == "-15"  # read as printed; refused as a count later
    assert not any(v in ("3", "5") for k, v in res.values.items() if k[0] == "t2d")


def test_a_row_read_by_its_own_sum_when_the_others_disagree(form):
    """'（七）总计20 0 00 0 121' cuts one way by its own sum (20 + 1 = 21) even where the result rows above
    add to 26: the row is read as printed, for audit to show the report's fault (not lost with it)."""
    cells = [("t3", "results_total", c.id) for c in form.tables["t3"].columns]
    ways = row_ways(["20", "0", "00", "0", "121"], 7) or []
    known = {("t3", r, c.id): 0.0 for r in form.tables["t3"].row_ids() if r not in ("results_total",)
             for c in form.tables["t3"].columns}
    known.update({("t3", "disclosed", "natural"): 26.0, ("t3", "disclosed", "total"): 26.0})
    certain, _ = solve({"x": (cells, ways)}, known, equations(form))
    assert [certain[k] for k in cells] == ["20", "0", "0", "0", "0", "1", "21"]


def test_a_sign_run_into_the_digits_cuts_them():
    """The 2019 format's "行政许可0+11" (上一年项目数量 0, 本年增/减 +1, 处理决定数量 1; a real 平潭 department's site
    text): the sign belongs to the number after it, and "+11" in two cells is +1 | 1, the only way."""
    assert row_ways(["0", "+11"], 3) == [["0", "+1", "1"]]
    assert row_ways(["1", "-10"], 3) == [["1", "-1", "0"]]
    assert row_ways(["+11"], 1) == [["+11"]]
    assert sorted(row_ways(["+123"], 2)) == [["+1", "23"], ["+12", "3"]]  # two ways: left to the sums
