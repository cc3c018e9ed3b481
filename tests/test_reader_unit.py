"""gkxl.reader on its own: small returns from gkxl's own writer, changed minimally
(one cell of one sheet's XML rewritten in the zip), and what read_return makes of them.

No LibreOffice, no openpyxl round trip: each case is a few milliseconds.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from xml.sax.saxutils import escape

import pytest

from gkxl.compute import recompute
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form
from gkxl.layout import cell_address, sheet_layouts
from gkxl.reader import read_return
from gkxl.roster import Agency
from gkxl.template import Fill, render_workbook

AGENCY = Agency("C001", "示例市财政局", "R01")
YEAR = 2025
T3 = "三、依申请公开情况"
NEW_NATURAL = ("t3", "new", "natural")
NEW_TOTAL = ("t3", "new", "total")


@pytest.fixture(scope="module")
def form():
    return load_form("gb2021")


@pytest.fixture(scope="module")
def values(form):
    v = realistic_return(form, 12)
    v[NEW_NATURAL] = 12  # a known value to retype as text
    return v


@pytest.fixture(scope="module")
def book(form, values) -> bytes:
    return render_workbook(form, year=YEAR, agency=AGENCY, fill=Fill(values=dict(values)), kind="return")


# ------------------------------------------------------------------ minimal edits

def _sheet_part(data: bytes, sheet: str) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    wb = z.read("xl/workbook.xml").decode()
    rid = re.search(r'<sheet name="%s"[^>]*r:id="(rId\d+)"' % re.escape(sheet), wb).group(1)
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    return "xl/" + re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels).group(1)


def _edit_part(data: bytes, part: str, fn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == part:
                blob = fn(blob.decode("utf-8")).encode("utf-8")
            z.writestr(info, blob)
    return out.getvalue()


def _drop_part(data: bytes, part: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != part:
                z.writestr(info, src.read(info.filename))
    return out.getvalue()


def set_cell(data: bytes, sheet: str, ref: str, body: str = "", t: str = "") -> bytes:
    """Rewrite one <c> element, keeping its style: body is the inner XML ('' for a blank cell)."""
    pat = re.compile(r'<c r="%s"(?P<s> s="\d+")?[^>]*?(/>|>.*?</c>)' % ref, re.S)

    def fn(xml: str) -> str:
        m = pat.search(xml)
        assert m, ref
        attrs = f'r="{ref}"{m.group("s") or ""}' + (f' t="{t}"' if t else "")
        new = f"<c {attrs}>{body}</c>" if body else f"<c {attrs}/>"
        return xml[:m.start()] + new + xml[m.end():]
    return _edit_part(data, _sheet_part(data, sheet), fn)


def text_cell(data: bytes, sheet: str, ref: str, text: str) -> bytes:
    return set_cell(data, sheet, ref, f"<is><t>{escape(text)}</t></is>", t="inlineStr")


def rules(ret) -> list[str]:
    return [f.rule for f in ret.findings]


def one(ret, rule: str):
    hits = [f for f in ret.findings if f.rule == rule]
    assert len(hits) == 1, (rule, rules(ret))
    return hits[0]


# ------------------------------------------------------------------ as written

def test_identity_read(form, book):
    ret = read_return(book, name="C001.xlsx")
    assert ret.matched_by == "identity"
    assert (ret.agency_code, ret.agency_name, ret.year, ret.kind) == ("C001", "示例市财政局", YEAR, "return")
    assert (ret.form.id, ret.form.version) == (form.id, form.version)
    assert ret.identity["form_id"] == "gb2021" and ret.identity["fingerprint"] == form.fingerprint
    assert ret.sha256 == hashlib.sha256(book).hexdigest()
    assert ret.path == "C001.xlsx"
    assert ret.cover["agency_code"] == "C001" and ret.cover["agency_name"] == "示例市财政局"
    assert ret.findings == []


def test_values_read_by_table_row_col(form, values, book, tmp_path):
    p = tmp_path / "C001.xlsx"
    p.write_bytes(book)
    ret = read_return(p)
    assert ret.path == str(p)
    assert set(ret.inputs) == set(form.input_cells)
    for key in form.input_cells:
        assert ret.inputs[key] == values[key], key
        assert ret.sources[key] == cell_address(form, key), key
    totals = recompute(form, values)
    for key in form.derived:
        assert ret.values[key] == totals[key] == ret.reported[key], key
    assert ret.inputs[NEW_NATURAL] == 12 and ret.source(NEW_NATURAL) == f"{T3}!D7"
    assert ret.values[NEW_TOTAL] == sum(values[("t3", "new", c)] for c in
                                        ("natural", "business", "research", "public_interest", "legal", "other"))


def test_identity_survives_losing_the_custom_properties(book):
    """LibreOffice or WPS may drop docProps/custom.xml: the very hidden sheet still says who it is."""
    ret = read_return(_drop_part(book, "docProps/custom.xml"))
    assert ret.matched_by == "identity" and ret.agency_code == "C001" and ret.year == YEAR
    assert "G-NO-IDENTITY" not in rules(ret)


def test_read_from_writer_file(form, values, tmp_path):
    """fake.write_return, the same writer through the file path."""
    p = write_return(tmp_path / "a.xlsx", form, AGENCY, YEAR, values)
    ret = read_return(p, expect_agency="C001", expect_year=YEAR)
    assert ret.findings == [] and ret.inputs[NEW_NATURAL] == 12


def test_wrong_agency_and_year_are_named(book):
    ret = read_return(book, expect_agency="C002", expect_year=2024)
    assert one(ret, "G-AGENCY").severity == "error" and "C002" in one(ret, "G-AGENCY").message
    assert "2024" in one(ret, "G-YEAR").message


# ------------------------------------------------------------------ changed minimally

def test_total_formula_replaced_by_number(form, values, book):
    claimed = recompute(form, values)[NEW_TOTAL] + 7
    ret = read_return(set_cell(book, T3, "J7", f"<v>{claimed}</v>"))
    f = one(ret, "G-FORMULA-REPLACED")
    assert (f.severity, f.sheet, f.cell) == ("error", T3, "J7")
    assert f.values == {"found": claimed}
    assert ret.values[NEW_TOTAL] == claimed  # what the return claims; the sum rule judges it
    assert ret.reported[NEW_TOTAL] == claimed


def test_total_formula_deleted(book):
    ret = read_return(set_cell(book, T3, "J7"))
    f = one(ret, "G-FORMULA-REPLACED")
    assert f.cell == "J7" and "删除" in f.message


def test_total_formula_changed(form, values, book):
    cached = recompute(form, values)[NEW_TOTAL]
    ret = read_return(set_cell(book, T3, "J7", f"<f>SUM(D7:H7)</f><v>{cached}</v>"))
    f = one(ret, "G-FORMULA-CHANGED")
    assert f.cell == "J7" and f.values["found"] == "SUM(D7:H7)" and f.values["expected"] == "SUM(D7:I7)"


def test_cached_total_changed(form, values, book):
    right = recompute(form, values)[NEW_TOTAL]
    ret = read_return(set_cell(book, T3, "J7", f"<f>SUM(D7:I7)</f><v>{right + 1}</v>"))
    f = one(ret, "G-CACHED")
    assert f.cell == "J7" and f.values == {"cached": right + 1, "recomputed": right}
    assert ret.values[NEW_TOTAL] == right  # the recomputed total, not the cached one


def test_changed_label(form, book):
    sl = sheet_layouts(form)[T3]
    lb = next(lb for lb in sl.labels if lb.kind == "rowlabel" and lb.row == 6 and lb.col == 0)
    ret = read_return(text_cell(book, T3, "A7", "一、本年新收申请"))
    f = one(ret, "G-LABEL")
    assert (f.severity, f.sheet, f.cell) == ("error", T3, "A7")
    assert f.values == {"expected": lb.text, "found": "一、本年新收申请"}
    assert ret.inputs[NEW_NATURAL] == 12  # still read in place


def test_label_with_other_spaces_and_width_still_matches(form, book):
    """A label retyped with full-width characters or extra spaces is the same label."""
    sl = sheet_layouts(form)[T3]
    lb = next(lb for lb in sl.labels if lb.row == 6 and lb.col == 0)
    ret = read_return(text_cell(book, T3, "A7", " " + lb.text.replace("、", "、 ") + "\u3000"))
    assert "G-LABEL" not in rules(ret)


@pytest.mark.parametrize("typed", ["１２", " 12 ", "12.00", "\u300012"])
def test_text_number(form, values, typed, book):
    """A number kept as text is an error at its cell (the workbook's own SUM leaves text out),
    with the number to retype; it sums as 0, as the spreadsheet does, so no total is 'tampered'."""
    ret = read_return(text_cell(book, T3, "D7", typed))
    assert ret.inputs[NEW_NATURAL] is None and ret.values[NEW_NATURAL] == 0
    f = one(ret, "V-TEXT-NUMBER")
    assert (f.severity, f.cell) == ("error", "D7") and f.values == {"raw": typed, "value": 12}
    assert "重新输入数字 12" in f.message
    assert ret.values[NEW_TOTAL] == recompute(form, values)[NEW_TOTAL] - 12
    assert "G-CACHED" not in rules(ret)


def test_thousands_separator_text(form, values, book):
    ret = read_return(text_cell(book, T3, "D7", "1,234"))
    assert ret.inputs[NEW_NATURAL] is None and one(ret, "V-TEXT-NUMBER").values["value"] == 1234
    assert ret.values[NEW_TOTAL] == recompute(form, values)[NEW_TOTAL] - 12
    assert "G-CACHED" not in rules(ret)


@pytest.mark.parametrize("typed", ["12 34", "①", "²", "١٢", "１２件"])
def test_not_digits_are_not_numbers(typed, book):
    ret = read_return(text_cell(book, T3, "D7", typed))
    f = one(ret, "V-NUMBER")
    assert f.cell == "D7" and "不是数字" in f.message and "V-TEXT-NUMBER" not in rules(ret)


def test_negative_number_sums_as_the_spreadsheet_does(form, values, book):
    """D7 = -1: the saved total counts -1 (SUM does); gkxl's recomputation too, so the one finding is
    V-NUMBER at D7, never G-CACHED tampering."""
    right = recompute(form, values)[NEW_TOTAL] - 12 - 1
    ret = read_return(set_cell(book, T3, "D7", "<v>-1</v>"))
    assert ret.values[NEW_NATURAL] == -1 and ret.values[NEW_TOTAL] == right
    assert one(ret, "V-NUMBER").cell == "D7" and "G-CACHED" not in rules(ret)


@pytest.mark.parametrize("v", ["1e20", "1e300", "1e308", "-1e308"])
def test_absurd_numbers_are_findings_not_crashes(form, v, book):
    b = set_cell(book, T3, "D7", f"<v>{v}</v>")
    b = set_cell(b, T3, "E7", f"<v>{v}</v>")
    ret = read_return(b)
    assert {f.cell for f in ret.findings if f.rule == "V-NUMBER"} == {"D7", "E7"}
    assert ret.values[NEW_NATURAL] == 0 and "G-CACHED" not in rules(ret)
    from gkxl.checks import check_return

    res = check_return(ret)
    assert res.status == "fail" and all(len(f.message) < 400 for f in res.findings)


@pytest.mark.parametrize("typed,why", [("12件", "不是数字"), ("约10", "不是数字"), ("-12", "不能为负数"), ("1.5", "整数")])
def test_refused_text(typed, why, book):
    ret = read_return(text_cell(book, T3, "D7", typed))
    assert ret.inputs[NEW_NATURAL] is None and ret.values[NEW_NATURAL] == 0
    f = one(ret, "V-NUMBER")
    assert (f.severity, f.sheet, f.cell) == ("error", T3, "D7") and why in f.message
    assert f.values == {"raw": typed}


def test_blank_cell(form, values, book):
    ret = read_return(set_cell(book, T3, "D7"))
    assert ret.inputs[NEW_NATURAL] is None
    assert ret.values[NEW_NATURAL] == 0  # sums as 0, as Excel's SUM does
    assert "V-NUMBER" not in rules(ret) and "V-TEXT-NUMBER" not in rules(ret)


def test_blank_from_the_writer(form, values):
    v = dict(values)
    v[NEW_NATURAL] = None
    ret = read_return(render_workbook(form, year=YEAR, agency=AGENCY, fill=Fill(values=v), kind="return"))
    assert ret.inputs[NEW_NATURAL] is None and ret.findings == []  # the checks, not the reader, name blanks


def test_formula_in_an_input_cell(book):
    ret = read_return(set_cell(book, T3, "D7", "<f>6*2</f><v>12</v>"))
    assert ret.inputs[NEW_NATURAL] == 12
    f = one(ret, "V-INPUT-FORMULA")
    assert (f.severity, f.cell) == ("info", "D7")  # a valid result: what the workbook shows, and counts


def test_removed_sheet_protection(book):
    data = _edit_part(book, _sheet_part(book, T3), lambda xml: re.sub(r"<sheetProtection[^>]*/>", "", xml))
    ret = read_return(data)
    f = one(ret, "G-UNPROTECTED")
    assert f.sheet == T3 and f.severity == "warning"


def test_protection_hashes(form, book):
    """The structure lock's password hash is the libraries' legacy hash, and the same on every sheet."""
    from openpyxl.workbook.protection import hash_password

    from gkxl.template import _encode_password

    # the values gkxl's former hand-written hash gave, kept
    assert [_encode_password(p) for p in ("", "gkxl", "abcdefghijklmnopqrstuvwxyz0123456789")] == \
        ["CE4B", "CA2D", "F3CA"]
    for pw in ("gkxl", "a", "Password1", "P@ss w0rd!", "x" * 15):  # openpyxl agrees up to 15 characters
        assert _encode_password(pw) == hash_password(pw), pw
    z = zipfile.ZipFile(io.BytesIO(book))
    want = _encode_password(form.password)
    assert f'workbookPassword="{want}"' in z.read("xl/workbook.xml").decode()
    sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and all(f'<sheetProtection password="{want}"' in z.read(n).decode() for n in sheets)


def test_same_read_through_zipfile(monkeypatch, book, tmp_path):
    """GKXL_ZIPREAD=0 (zipread.ENABLED False): every package goes to the standard library, same result."""
    import gkxl.zipread as zipread
    from gkxl.scan import is_gkxl_output

    edited = text_cell(book, T3, "D7", "１２")
    before = [read_return(b) for b in (book, edited)]
    monkeypatch.setattr(zipread, "ENABLED", False)
    assert zipread.Package(book).uses_zipfile
    after = [read_return(b) for b in (book, edited)]
    for a, b in zip(before, after):
        assert (a.inputs, a.values, a.reported, a.texts, a.cover, a.identity, a.modified) == \
            (b.inputs, b.values, b.reported, b.texts, b.cover, b.identity, b.modified)
        assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]
    p = tmp_path / "C001.xlsx"
    p.write_bytes(book)
    assert is_gkxl_output(p) is False  # scan's one-member reader also reads through zipfile


def test_a1_helpers_agree_with_xlsxwriter():
    from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

    from gkxl.form.layout import a1, col_letter
    for col in list(range(0, 80)) + [701, 702, 703, 16383]:
        assert col_letter(col) == xl_col_to_name(col)
        for row in (0, 4, 1048575):
            assert a1(row, col) == xl_rowcol_to_cell(row, col)
            assert a1(row, col, True) == xl_rowcol_to_cell(row, col, True, True)
