"""The form file: the standard labels, its schema checks, and a second form."""

from __future__ import annotations

import pytest

from gkxl.errors import FormError
from gkxl.form import load_form, load_form_file, parse_form


def test_standard_tables_and_labels(form):
    t3 = form.tables["t3"]
    assert len(t3.columns) == 7
    assert [c.labels[-1] for c in t3.columns] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                                                 "法律服务机构", "其他", "总计"]
    assert t3.rows[0].labels == ("一、本年新收政府信息公开申请数量",)
    assert t3.rows[-2].labels == ("三、本年度办理结果", "（七）总计")
    assert t3.rows[-1].labels == ("四、结转下年度继续办理",)
    # (一) (二) + 8 (三) + 3 (四) + 5 (五) + 3 (六) result rows
    assert len(form.derived[("t3", "results_total", "natural")].terms) == 21
    assert len(form.tables["t4"].columns) == 15
    assert {t.id for t in form.sheets[0].tables} == {"t2a", "t2b", "t2c", "t2d"}
    assert form.kind_of(("t2d", "fees", "amount")) == "amount"
    assert [t.label for t in form.texts][0] == "一、总体情况"


def test_every_total_is_derived(form):
    for row in form.tables["t3"].row_ids():
        assert ("t3", row, "total") in form.derived
    for col in form.tables["t3"].col_ids():
        assert ("t3", "results_total", col) in form.derived
    for g in ("review", "direct", "after"):
        d = form.derived[("t4", "cases", f"{g}_total")]
        assert len(d.terms) == 4


def test_balance_rule_one_declaration_seven_instances(form):
    inst = [i for i in form.compare_instances if i.rule.id == "T3-BALANCE"]
    assert len(inst) == 7
    assert {t.cell for t in inst[0].left} == {("t3", "new", "natural"), ("t3", "carried_in", "natural")}


def _base():
    return {
        "form": {"id": "x", "version": "1"},
        "sheets": [{"id": "s", "name": "表", "tables": [{
            "id": "t", "columns": [{"id": "a", "labels": ["甲"]}, {"id": "s", "labels": ["合计"]}],
            "rows": [{"id": "r", "labels": ["行"]}],
            "derived": [{"rule": "R", "cells": "t.*.s", "sum": ["t.*.a"]}]}]}],
    }


def test_parse_minimal():
    f = parse_form(_base(), "mem")
    assert f.input_cells == [("t", "r", "a")]


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.pop("form"), "缺少必填项“form”"),
    (lambda d: d["sheets"][0]["tables"][0]["derived"][0].update(sum=["t.*.zz"]), "不存在"),
    (lambda d: d["sheets"][0]["tables"][0]["derived"][0].update(sum=["t.*.s"]), "引用了自身"),
    (lambda d: d["sheets"][0]["tables"][0].update(kind="money"), "未知的单元格类型"),
    (lambda d: d.update(rules=[{"id": "Q", "kind": "compare", "message": "m", "left": ["t.r.a"]}]), "需要 left 和 right"),
    (lambda d: d.update(rules=[{"id": "Q", "kind": "nope", "message": "m"}]), "未知的规则类型"),
    (lambda d: d["sheets"][0].update(name="a/b"), "不合规"),
    (lambda d: d.update(bogus=1), "未知的项"),
    (lambda d: d.update(kinds={"money": {"decimals": 2}}), "未知的单元格类型"),
    (lambda d: d.update(kinds={"count": {"decimals": 2}}), "件数只能是 0"),
    (lambda d: d.update(kinds={"amount": {"decimals": 7}}), "decimals 应为"),
    (lambda d: d.update(kinds={"amount": {"decimals": True}}), "decimals 应为"),
    (lambda d: d.update(kinds={"amount": {"places": 2}}), "未知的项"),
])
def test_schema_errors(mutate, needle):
    d = _base()
    mutate(d)
    with pytest.raises(FormError) as e:
        parse_form(d, "mem.toml")
    assert needle in str(e.value)


def test_syntax_error_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[form\nid = 1", encoding="utf-8")
    with pytest.raises(FormError) as e:
        load_form_file(p)
    assert "格式错误" in str(e.value) and str(p) in str(e.value)


def test_unknown_form_id():
    with pytest.raises(FormError) as e:
        load_form("gb1999")
    assert "未知的表单" in str(e.value) and "gb2021" in str(e.value)


def test_second_form_is_data_only(mini_form):
    assert mini_form.id == "mini"
    assert len(mini_form.derived[("m", "done", "a")].terms) == 3  # the extra row counts
    assert [i.rule.id for i in mini_form.compare_instances].count("M-BAL") == 3
