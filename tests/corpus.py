"""Builders for the test corpus: returns that pass, break a rule, are tampered
with, or are not returns at all, each with the finding it must produce.

Files are made from gkxl's own templates and changed the way clerks, their
spreadsheet programs or an attacker would: openpyxl edits (no recalculation),
LibreOffice round-trips, and byte-level edits of the package.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl

from gkxl.compute import recompute
from gkxl.fake import realistic_return, write_return
from gkxl.form import Form
from gkxl.layout import cell_positions
from gkxl.roster import Agency

AGENCY = Agency("C001", "示例市财政局", "R01")
YEAR = 2025


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]
    status: str  # pass | fail | unreadable
    expect: list[tuple[str, str]] = field(default_factory=list)  # (rule id, cell or '')
    error_code: str = ""
    with_prior: bool = False


def prior_values(form: Form) -> dict:
    return recompute(form, realistic_return(form, 11))


def good_values(form: Form) -> dict:
    return realistic_return(form, 12, prior=prior_values(form))


def addr(form: Form, key) -> tuple[str, str]:
    s, r, c = cell_positions(form)[key]
    return s, openpyxl.utils.get_column_letter(c + 1) + str(r + 1)


def write_good(form: Form, path: Path, values=None, **kw) -> Path:
    return write_return(path, form, AGENCY, YEAR, values if values is not None else good_values(form), **kw)


def edit(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def zip_edit(path: Path, part: str, fn) -> Path:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = fn(data)
            z.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part name of a sheet, via workbook.xml and its rels."""
    z = zipfile.ZipFile(path)
    wb = z.read("xl/workbook.xml").decode()
    rid = re.search(r'<sheet[^>]*name="%s"[^>]*r:id="(rId\d+)"' % re.escape(sheet), wb).group(1)
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(r'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid, rid), rels)
    t = target.group(1) or target.group(2)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def set_cell(form, key, value):
    s, a = addr(form, key)

    def fn(wb):
        wb[s][a].value = value
    return fn


def cases(form: Form) -> list[Case]:
    t3 = lambda r, c: ("t3", r, c)  # noqa: E731
    C = []

    C.append(Case("good", lambda p: write_good(form, p), "pass", with_prior=True))

    def text_numbers(p):
        v = good_values(form)
        write_good(form, p, v)
        k1, k2, k3, k4 = ("t2b", "licensing", "decisions"), t3("new", "natural"), ("t2d", "fees", "amount"), \
            ("t4", "cases", "review_upheld")
        a = str(v[k1])
        full = a.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

        def fn(wb):
            for key, val in ((k1, full), (k2, f" {v[k2]} "), (k3, f"{v[k3]:.2f}" if v[k3] == round(v[k3], 2) else str(v[k3])),
                             (k4, f"{v[k4]}.00")):
                s, ad = addr(form, key)
                wb[s][ad].value = val
            big = ("t2c", "penalty", "decisions")
            s, ad = addr(form, big)
            wb[s][ad].value = f"{v[big]:,}"
        return edit(p, fn)
    # numbers kept as text: the workbook's SUM leaves them out, so each is an error at its cell (issue 13)
    C.append(Case("text_numbers", text_numbers, "fail", [("V-TEXT-NUMBER", addr(form, ("t2b", "licensing", "decisions"))[1])]))

    def unbalanced(p):
        v = good_values(form)
        v[t3("new", "research")] += 3
        return write_good(form, p, v)
    C.append(Case("unbalanced", unbalanced, "fail", [("T3-BALANCE", addr(form, t3("new", "research"))[1]),
                                                    ("T3-BALANCE", addr(form, t3("new", "total"))[1])]))

    def carry(p):
        v = good_values(form)
        v[t3("carried_in", "natural")] += 2
        v[t3("new", "natural")] = max(0, v[t3("new", "natural")] - 2)
        v[t3("carry_out", "natural")] = v[t3("new", "natural")] + v[t3("carried_in", "natural")] - sum(
            v[t3(r, "natural")] for r in form.tables["t3"].row_ids()[2:-2])
        if v[t3("carry_out", "natural")] < 0:
            v[t3("new", "natural")] -= v[t3("carry_out", "natural")]
            v[t3("carry_out", "natural")] = 0
        return write_good(form, p, v)
    C.append(Case("carry_over", carry, "fail", [("X-CARRY-OVER", addr(form, t3("carried_in", "natural"))[1])],
                  with_prior=True))

    def blank(p):
        v = good_values(form)
        v[("t2c", "coercion", "decisions")] = None
        return write_good(form, p, v)
    C.append(Case("blank", blank, "fail", [("V-BLANK", addr(form, ("t2c", "coercion", "decisions"))[1])]))

    for nm, val, key in (("text_unit", "12件", ("t2b", "licensing", "decisions")),
                         ("text_about", "约10", t3("new", "natural")),
                         ("negative", -3, ("t4", "cases", "direct_upheld")),
                         ("fraction", 2.5, t3("disclosed", "business")),
                         ("amount_decimals", 1.2345678, ("t2d", "fees", "amount"))):
        C.append(Case(nm, (lambda key, val: lambda p: edit(write_good(form, p), set_cell(form, key, val)))(key, val),
                      "fail", [("V-NUMBER", addr(form, key)[1])]))

    def all_zero(p):
        return write_good(form, p, {k: 0 for k in form.input_cells},
                          texts={t.id: "本年度未收取信息处理费。" for t in form.texts})
    C.append(Case("all_zero", all_zero, "pass", [("P-ALL-ZERO", "")]))

    def fee_silent(p):
        v = good_values(form)
        v[("t2d", "fees", "amount")] = 12.5
        return write_good(form, p, v, texts={t.id: "有关情况说明。" for t in form.texts})
    C.append(Case("fee_text_silent", fee_silent, "pass", [("P-FEE-TEXT", "")]))

    def jump(p):
        v = good_values(form)
        v[("t2b", "licensing", "decisions")] = prior_values(form)[("t2b", "licensing", "decisions")] * 40 + 100
        return write_good(form, p, v)
    C.append(Case("jump", jump, "pass", [("P-JUMP", addr(form, ("t2b", "licensing", "decisions"))[1])],
                  with_prior=True))

    # ---- tampering
    total = t3("disclosed", "total")

    def replaced(p):
        return edit(write_good(form, p), set_cell(form, total, 999))
    C.append(Case("formula_replaced", replaced, "fail", [("G-FORMULA-REPLACED", addr(form, total)[1]),
                                                       ("T3-ROW-TOTAL", addr(form, total)[1])]))

    def changed(p):
        s, a = addr(form, total)
        row = a[1:]
        return edit(write_good(form, p), set_cell(form, total, f"=SUM(D{row}:G{row})"))
    C.append(Case("formula_changed", changed, "fail", [("G-FORMULA-CHANGED", addr(form, total)[1])]))

    def cached(p):
        write_good(form, p)
        s, a = addr(form, ("t4", "cases", "review_total"))
        part = sheet_part(p, s)
        return zip_edit(p, part, lambda d: re.sub(rb'(<c r="%s"[^>]*><f>[^<]*</f><v>)([^<]*)(</v>)' % a.encode(),
                                                  rb"\g<1>12345\g<3>", d))
    C.append(Case("cached_value", cached, "fail", [("G-CACHED", addr(form, ("t4", "cases", "review_total"))[1])]))

    def label(p):
        def fn(wb):
            wb["三、依申请公开情况"]["C11"].value = "1.属于商业秘密"
        return edit(write_good(form, p), fn)
    C.append(Case("label_changed", label, "fail", [("G-LABEL", "C11")]))

    def insert_row(p):
        def fn(wb):
            wb["二、主动公开情况"].insert_rows(7)
        return edit(write_good(form, p), fn)
    C.append(Case("row_inserted", insert_row, "fail", [("G-LABEL", "")]))

    def renamed(p):
        def fn(wb):
            wb["四、复议诉讼情况"].title = "复议诉讼"
        return edit(write_good(form, p), fn)
    C.append(Case("sheet_renamed", renamed, "fail", [("G-SHEET-RENAMED", "")]))

    def unprotected(p):
        def fn(wb):
            wb["三、依申请公开情况"].protection.sheet = False
        return edit(write_good(form, p), fn)
    C.append(Case("unprotected", unprotected, "pass", [("G-UNPROTECTED", "")]))

    def copied(p):
        src = openpyxl.load_workbook(write_good(form, p))
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for ws in src.worksheets:
            if ws.title == "_gkxl":
                continue
            new = wb.create_sheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if type(c).__name__ != "MergedCell" and c.value is not None:
                        new.cell(c.row + 2, c.column + 1).value = c.value  # pasted two rows down, one right
        wb.save(p)
        return p
    C.append(Case("copied_new_file", copied, "pass", [("G-NO-IDENTITY", "")]))

    def copied_partial(p):
        wb = openpyxl.Workbook()
        wb.active["A1"] = "规章"
        wb.active["B1"] = 3
        wb.save(p)
        return p
    C.append(Case("unrecognised", copied_partial, "unreadable", error_code="READ_UNRECOGNISED"))

    def unknown_form(p):
        write_good(form, p)
        return zip_edit(p, "docProps/custom.xml", lambda d: d.replace(b">gb2021<", b">gb1999<"))
    C.append(Case("unknown_form", unknown_form, "unreadable", error_code="READ_UNKNOWN_FORM"))

    # ---- not a workbook at all
    def raw(data: bytes):
        def b(p):
            p.write_bytes(data)
            return p
        return b
    C.append(Case("empty", raw(b""), "unreadable", error_code="READ_EMPTY"))
    C.append(Case("csv_renamed", raw("单位,数量\n规章,3\n".encode()), "unreadable", error_code="READ_CSV"))
    C.append(Case("legacy_xls", raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "unreadable",
                  error_code="READ_LEGACY"))
    C.append(Case("encrypted", raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
                                  + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100), "unreadable",
                  error_code="READ_ENCRYPTED"))
    C.append(Case("html", raw(b"<html><body><table><tr><td>1</td></tr></table></body></html>"), "unreadable",
                  error_code="READ_HTML"))

    def truncated(p):
        data = write_good(form, p).read_bytes()
        p.write_bytes(data[: len(data) // 2])
        return p
    C.append(Case("truncated", truncated, "unreadable", error_code="READ_CORRUPT"))

    def bomb(p):
        write_good(form, p)
        s, _ = addr(form, total)
        part = sheet_part(p, s)
        return zip_edit(p, part, lambda d: d.replace(b"</worksheet>", b"<!--" + b" " * (40 << 20) + b"--></worksheet>"))
    C.append(Case("zip_bomb", bomb, "unreadable", error_code="READ_TOO_LARGE"))

    def entities(p):
        write_good(form, p)
        lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
               b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
        return zip_edit(p, "xl/sharedStrings.xml", lambda d: lol)
    C.append(Case("xml_entities", entities, "unreadable", error_code="READ_UNSAFE_XML"))

    def macros(p):
        write_good(form, p)
        data = io.BytesIO(p.read_bytes())
        with zipfile.ZipFile(data, "a") as z:
            z.writestr("xl/vbaProject.bin", b"\0" * 64)
        p.write_bytes(data.getvalue())
        return p
    C.append(Case("macros", macros, "pass", [("G-MACROS", "")]))
    return C
