"""The form file is the whole form: the words around the tables come from it, and a second form
(tests/forms/mini.toml) goes through the same pipeline without a word of the 2021 form."""

from __future__ import annotations

import io
import zipfile

import pytest

import gkxl
from gkxl.errors import FormError
from gkxl.fake import realistic_return, write_return
from gkxl.form import parse_form
from gkxl.roster import Agency, Roster
from gkxl.rollup_write import rollup_bytes

FORM_2021_WORDS = ("万元", "信息处理费", "国办公开办函", "政府信息公开工作年度报告")


def _all_text(xlsx: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(xlsx))
    return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_the_2021_form_says_its_own_words(form, tmp_path):
    assert form.instructions and form.instructions[0] == ("填报说明", "title")
    assert "万元" in form.prompts["amount"]["input_title"]
    p = gkxl.write_template(tmp_path / "t.xlsx", form, year=2025, agency=Agency("A", "甲"))
    text = _all_text(p.read_bytes())
    assert "金额以“万元”为单位" in text and form.prompts["count"]["error_message"] in text


def test_a_second_form_runs_the_whole_pipeline_in_its_own_words(mini_form, tmp_path):
    roster = Roster([Agency("R", "某地", kind="rollup"), Agency("A", "甲", "R"), Agency("B", "乙", "R")])
    d = tmp_path / "in"
    d.mkdir()
    for i, code in enumerate(("A", "B")):
        write_return(d / f"{code}.xlsx", mini_form, roster.get(code), 2030, realistic_return(mini_form, i))
    for p in d.iterdir():
        res = gkxl.check_file(p, form=mini_form)
        assert res.status == "pass", (res.error, [f.message for f in res.findings])
    roll = gkxl.aggregate([d], roster, form=mini_form)
    assert roll.form.id == "mini" and len(roll.parts) == 2
    data = rollup_bytes(roll)
    text = _all_text(data)
    for word in FORM_2021_WORDS:
        assert word not in text, word
    assert "小型测试表单" in text  # the generic note names the form by its own title
    out = tmp_path / "R.xlsx"
    out.write_bytes(data)
    assert gkxl.check_file(out, form=mini_form).status == "pass"
    t = gkxl.write_template(tmp_path / "mini.xlsx", mini_form, year=2030, agency=Agency("A", "甲"))
    for word in FORM_2021_WORDS:
        assert word not in _all_text(t.read_bytes()), word


@pytest.mark.parametrize("extra, needle", [
    ('[workbook]\ninstructions = [["x", "bogus"]]\n', "instructions"),
    ('[rollup.texts]\nnope = "x"\n', "nope"),
    ('[prompts.money]\ninput_title = "x"\n', "money"),
])
def test_bad_word_sections_are_refused_in_chinese(extra, needle):
    import tomllib
    from conftest import FORMS
    text = (FORMS / "mini.toml").read_text(encoding="utf-8") + "\n" + extra
    with pytest.raises(FormError) as e:
        parse_form(tomllib.loads(text), "mini.toml")
    assert needle in str(e.value)
