"""gkxl.values on its own: every shape a clerk types into a number cell.

parse_number(raw, kind) -> (value, problem, was_text). These pin what is read as the
number it plainly is, what is refused (and why, in Chinese), and that blank is not zero.
"""

from __future__ import annotations

import math

import pytest

from gkxl.values import MAX_VALUE, ValueProblem, classify, normalise_text, parse_number, text_is_blank

# (raw, kind, value, was_text): accepted as the number it plainly is
ACCEPTED = [
    (12.0, "count", 12, False),  # a number cell, as the xlsx reader hands it over
    (12, "count", 12, False),
    (0.0, "count", 0, False),
    (-0.0, "count", 0, False),
    (3.0000000000000004, "count", 3, False),  # float noise from a spreadsheet's own arithmetic (0.1*30)
    (1.5, "amount", 1.5, False),
    (1.2345, "amount", 1.2345, False),
    (0.1 + 0.2, "amount", 0.3, False),  # 0.30000000000000004: noise, not a fifth decimal
    (7.0, "amount", 7, False),
    ("12", "count", 12, True),
    ("１２", "count", 12, True),  # full-width digits
    ("１２．５", "amount", 12.5, True),  # full-width point
    ("1,234", "count", 1234, True),
    ("1，234", "count", 1234, True),  # full-width comma
    ("12,345,678", "count", 12345678, True),
    ("1,234.5", "amount", 1234.5, True),
    (" 12 ", "count", 12, True),
    ("\u300012\u3000", "count", 12, True),  # ideographic spaces
    ("\u00a012\t\n", "count", 12, True),  # no-break space, tab, newline
    ("\ufeff12\u200b", "count", 12, True),  # BOM and zero-width space pasted from the web
    ("0", "count", 0, True),
    ("0.00", "count", 0, True),
    ("0.00", "amount", 0, True),
    ("12.00", "count", 12, True),
    ("+5", "count", 5, True),
    (".5", "amount", 0.5, True),
    ("5.", "count", 5, True),
    ("1.2345", "amount", 1.2345, True),
]


@pytest.mark.parametrize("raw,kind,value,was_text", ACCEPTED)
def test_accepted(raw, kind, value, was_text):
    got, problem, text = parse_number(raw, kind)
    assert problem is None
    assert got == value and type(got) is type(value)  # whole numbers come back as int
    assert text is was_text


# (raw, kind, a piece of the Chinese explanation)
REFUSED = [
    ("12件", "count", "不是数字"),
    ("约10", "count", "不是数字"),
    ("10万元", "amount", "不是数字"),
    ("十二", "count", "不是数字"),
    ("1e3", "count", "不是数字"),  # scientific notation is not something a clerk types
    ("1,23", "count", "不是数字"),  # not a thousands grouping
    ("1.234,5", "amount", "不是数字"),
    ("12-3", "count", "不是数字"),
    ("−5", "count", "不是数字"),  # U+2212 MINUS SIGN: not a digit string at all
    ("-5", "count", "不能为负数"),
    ("－5", "count", "不能为负数"),  # full-width hyphen-minus
    (-5.0, "count", "不能为负数"),
    (-0.5, "amount", "不能为负数"),
    (-3, "amount", "不能为负数"),
    (1.5, "count", "件数必须是整数"),
    ("1.5", "count", "件数必须是整数"),
    (12.00001, "count", "件数必须是整数"),
    (3.0000000001, "count", "件数必须是整数"),  # not noise: ROUND(x,0)=x is false in every spreadsheet too
    ("12 34", "count", "不是数字"),  # an inner space is not a thousands separator
    ("1 234", "count", "不是数字"),
    ("①", "count", "不是数字"),  # NFKC would read these as digits; they are not what a clerk means
    ("²", "count", "不是数字"),
    ("١٢", "count", "不是数字"),  # Arabic-Indic digits: float() accepts them, the form does not
    ("१२", "count", "不是数字"),  # Devanagari
    ("１２件", "count", "不是数字"),
    (1.2345678, "amount", "金额最多保留 6 位小数"),
    ("0.0000001", "amount", "金额最多保留 6 位小数"),
    ("#REF!", "count", "错误值"),
    ("#DIV/0!", "amount", "错误值"),
    (True, "count", "TRUE/FALSE"),
    (False, "amount", "TRUE/FALSE"),
    (math.nan, "count", "不是有效的数字"),
    ("nan", "amount", "不是数字"),
]


@pytest.mark.parametrize("raw,kind,why", REFUSED)
def test_refused(raw, kind, why):
    got, problem, _ = parse_number(raw, kind)
    assert got is None
    assert isinstance(problem, ValueProblem) and why in problem


def test_refusal_quotes_what_was_typed():
    _, problem, was_text = parse_number("  12件 ", "count")
    assert "“12件”" in problem and was_text
    _, problem, _ = parse_number(-5.0, "count")
    assert "（-5）" in problem  # a whole number is shown without ".0"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\u00a0\t"])
@pytest.mark.parametrize("kind", ["count", "amount"])
def test_blank_is_not_zero(raw, kind):
    """Blank is 'not reported' (value None, no problem), never 0: the check names it V-BLANK."""
    assert parse_number(raw, kind) == (None, None, False)


@pytest.mark.parametrize("kind", ["count", "amount"])
def test_zero_is_a_number(kind):
    assert parse_number(0.0, kind) == (0, None, False)
    assert parse_number("0", kind) == (0, None, True)


@pytest.mark.parametrize("raw", [math.inf, 1e999, 1e13, 1e12 + 1, "10000000000000", "1,000,000,000,001"])
@pytest.mark.parametrize("kind", ["count", "amount"])
def test_huge_and_infinite_are_refused_not_raised(raw, kind):
    """A cell <v>1e999</v> once crashed the reader (int(inf))."""
    got, problem, _ = parse_number(raw, kind)
    assert got is None and problem


@pytest.mark.parametrize("kind", ["count", "amount"])
def test_the_largest_number_accepted(kind):
    assert parse_number(1e12, kind)[:2] == (10 ** 12, None)
    assert parse_number("1,000,000,000,000", kind)[:2] == (10 ** 12, None)


# ------------------------------------------------------------------ a cell, as the reader hands it over

@pytest.mark.parametrize("raw,kind,ctype,is_date,value,sums,code", [
    (12.0, "count", "n", False, 12, 12, None),
    (0.0, "amount", "n", False, 0, 0, None),
    (1.2345, "amount", "n", False, 1.2345, 1.2345, None),
    (None, "count", "", False, None, 0, "blank"),
    ("", "count", "s", False, None, 0, "blank"),
    ("10", "count", "s", False, None, 0, "text-number"),  # SUM leaves text out: an error, with the number to type
    ("１０", "count", "s", False, None, 0, "text-number"),
    ("12件", "count", "s", False, None, 0, "problem"),
    ("   ", "count", "s", False, None, 0, "problem"),  # spaces only: not blank to a spreadsheet
    (-1.0, "count", "n", False, None, -1, "problem"),  # SUM counts it: so do the rules
    (2.5, "count", "n", False, None, 2.5, "problem"),
    (1.2345678, "amount", "n", False, None, 1.2345678, "problem"),
    (0.012345, "amount", "n", False, 0.012345, 0.012345, None),  # 123.45 元 in 万元: to the fen
    (45662.0, "count", "n", True, None, 45662, "problem"),  # a date: a number to SUM, not a count
    (1e20, "count", "n", False, None, 0, "problem"),  # beyond MAX_VALUE: counted as nothing, never overflows
    (1e308, "amount", "n", False, None, 0, "problem"),
    (True, "count", "b", False, None, 0, "problem"),
    ("#N/A", "count", "e", False, None, 0, "problem"),
])
def test_classify(raw, kind, ctype, is_date, value, sums, code):
    cv = classify(raw, kind, ctype, is_date)
    assert cv.value == value and cv.sums_as == sums
    assert cv.blank is (code == "blank")
    assert (cv.problem is not None) is (code in ("problem", "text-number"))
    assert (cv.text_number is not None) is (code == "text-number")


def test_max_value_is_the_documented_bound():
    assert MAX_VALUE == 1e12
    assert classify(1e12, "count", "n").value == 10 ** 12 and classify(1e12 + 1, "count", "n").problem


@pytest.mark.parametrize("s,blank", [(None, True), ("", True), (" \u3000\n\t", True), ("无", False), ("\u3000a", False)])
def test_text_is_blank(s, blank):
    assert text_is_blank(s) is blank


def test_normalise_text():
    assert normalise_text("１２ ３\u3000") == "123"
    assert normalise_text("ＡＢｃ") == "ABc"
    assert normalise_text("") == ""


# ------------------------------------------------------------------ values written out to CSV
# (gkxl.tabular is the one formula-injection guard; mail.manifest delegates to it)

@pytest.mark.parametrize("text", ["=1+1", "+86 451", "-5", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "ok", "", "１２"])
def test_csv_cells_round_trip(text):
    from gkxl.mail import manifest
    from gkxl.tabular import neutralise, neutralise_text, restore

    cell = neutralise_text(text)
    assert cell == neutralise(text) == manifest.neutralise(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(cell) == manifest.restore(cell) == text


def test_csv_neutralise_leaves_non_text_alone():
    from gkxl.mail import manifest
    from gkxl.tabular import neutralise

    assert neutralise(None) is None and neutralise(-5) == -5 and math.isnan(neutralise(math.nan))
    assert manifest.neutralise(None) == "" and manifest.neutralise(-5) == "'-5"


def test_csv_bytes_neutralises_every_text_column():
    """pandas 3 gives text columns the str dtype, not object: each must still be neutralised."""
    import pandas as pd

    from gkxl.tabular import csv_bytes

    df = pd.DataFrame({"agency_name": ["=HYPERLINK(\"http://x\")", "甲"], "file": ["-x.xlsx", "a.xlsx"],
                       "kind": pd.Categorical(["@x", "return"]), "value": [-5, 3],
                       "mixed": pd.Series(["+1", 2.5], dtype=object)})
    text = csv_bytes(df).decode("utf-8-sig")
    assert text.splitlines() == ["agency_name,file,kind,value,mixed",
                                 "\"'=HYPERLINK(\"\"http://x\"\")\",'-x.xlsx,'@x,-5,'+1",
                                 "甲,a.xlsx,return,3,2.5"]
