"""How precisely an amount is written is the form's data ([kinds.amount] decimals), and every
part that judges an amount — the template's validation and live checks, the reader behind
`gkxl check`, the report importer — takes it from there."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from gkxl.checks import check_return
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form, load_form_file
from gkxl.reader import read_return
from gkxl.report.values_text import parse_value
from gkxl.roster import Agency
from gkxl.template import write_template
from gkxl.workbook.values import classify

FEE = ("t2d", "fees", "amount")
AGENCY = Agency("X1", "某局")
TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"


@pytest.fixture(scope="module")
def cents_form(tmp_path_factory):
    """gb2021 with amounts in 万元 to two decimals: a new year's file, no code changed."""
    text = (TEMPLATES / "gb2021.toml").read_text(encoding="utf-8")
    text = text.replace('id = "gb2021"', 'id = "gb2021c"', 1)
    assert "[kinds.amount]\ndecimals = 6" in text
    text = text.replace("[kinds.amount]\ndecimals = 6", "[kinds.amount]\ndecimals = 2", 1)
    p = tmp_path_factory.mktemp("forms") / "gb2021c.toml"
    p.write_text(text, encoding="utf-8")
    return load_form_file(p)


def test_bundled_forms_state_their_decimals():
    for fid in ("gb2021", "gb2021p6", "gb2019"):
        f = load_form(fid)
        assert f.decimals_of("amount") == 6 and f.decimals_of("count") == 0, fid


def _validations(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    return re.findall(r"ROUND\(([A-Z]+\d+),(\d)\)=\1", xml)


def test_template_validation_and_live_checks_take_the_forms_decimals(tmp_path, form, cents_form):
    write_template(tmp_path / "six.xlsx", form, year=2024, agency=AGENCY)
    write_template(tmp_path / "two.xlsx", cents_form, year=2024, agency=AGENCY)
    six, two = _validations(tmp_path / "six.xlsx"), _validations(tmp_path / "two.xlsx")
    # counts round to 0; the fee cell's data validation and its red live check round to the form's decimals
    six_amounts, two_amounts = [x for x in six if x[1] != "0"], [x for x in two if x[1] != "0"]
    assert len(six_amounts) >= 2 and {d for _, d in six_amounts} == {"6"}
    assert [c for c, _ in two_amounts] == [c for c, _ in six_amounts] and {d for _, d in two_amounts} == {"2"}


def _return(tmp_path, form, fee, name):
    vals = realistic_return(form, 1)
    vals[FEE] = fee
    return read_return(write_return(tmp_path / name, form, AGENCY, 2024, vals), form=form)


def test_reader_and_check_judge_amounts_by_the_form(tmp_path, form, cents_form):
    got = _return(tmp_path, cents_form, 0.125, "r.xlsx")
    bad = [f for f in check_return(got).errors if f.cell and "最多保留 2 位小数" in f.message]
    assert bad, [f.message for f in check_return(got).errors]
    assert not [f for f in check_return(_return(tmp_path, cents_form, 0.12, "ok.xlsx")).errors if "小数" in f.message]
    # the same 0.125 is a valid amount of the bundled form (to the fen)
    assert not [f for f in check_return(_return(tmp_path, form, 0.125, "six.xlsx")).errors if "小数" in f.message]


def test_values_and_imports_follow_the_given_decimals():
    assert classify(0.012345, "amount", "n").value == 0.012345  # the default: to the fen
    assert classify(0.012345, "amount", "n", decimals=2).problem
    assert classify(0.01, "amount", "n", decimals=2).value == 0.01
    assert parse_value("5949.088667", "amount", 6) == (5949.088667, "")
    v, problem = parse_value("5949.088667", "amount", 2)
    assert v is None and "2 位小数" in problem
