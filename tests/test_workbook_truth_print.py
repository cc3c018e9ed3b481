"""What a clerk and a coordinator print (issue 13): a template, a filled broken return, a feedback
copy and a roll-up, rendered to PDF by LibreOffice in one soffice call. Every page names the agency
(or region), the year and its page number; the instructions and a 2,000-character text section are
printed whole (LibreOffice clips what does not fit its cell, and clipped text is not in the PDF's
text); the workbook opens on the cover, the one selected tab; passing status lines are green."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from conftest import needs_lo
from corpus import good_values
from gkxl.checks import check_file
from gkxl.checks.feedback import write_feedback
from gkxl.fake import write_return
from gkxl.form.layout import COVER_SHEET, sheet_layouts
from gkxl.roster import Agency
from gkxl.workbook.write import PASS_TEXT, Fill, write_template, write_workbook

AGENCY = Agency("C001", "示例市财政局", "示例市")
YEAR = 2025
SYL = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
LONG = "".join(SYL[(i * 7 + i // 22) % 22] for i in range(2000))  # 2,000 Chinese characters, no repeats to hide in


def _flat(s: str) -> str:
    return "".join(s.split())


def test_opens_on_the_cover_with_one_selected_tab(tmp_path, form):
    p = write_template(tmp_path / "t.xlsx", form, year=YEAR, agency=AGENCY)
    with zipfile.ZipFile(p) as z:
        wbxml = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', wbxml)
        active = int((re.search(r'activeTab="(\d+)"', wbxml) or [0, 0])[1])
        selected = [i for i, n in enumerate(names)
                    if 'tabSelected="1"' in z.read(f"xl/worksheets/sheet{i + 1}.xml").decode()]
    assert names[active] == COVER_SHEET and selected == [active]


def test_passing_status_lines_are_green(tmp_path, form):
    p = write_template(tmp_path / "t.xlsx", form, year=YEAR, agency=AGENCY)
    wb = openpyxl.load_workbook(p)
    for name in [*sheet_layouts(form), "文字部分", COVER_SHEET]:
        rules = [r for rng in wb[name].conditional_formatting for r in rng.rules
                 if "A2" in str(rng.sqref) and r.formula and "✔" in r.formula[0]]
        assert rules and rules[0].dxf.font.color.rgb.endswith("006100"), name


def test_every_sheet_names_agency_year_and_page(tmp_path, form):
    p = write_template(tmp_path / "t.xlsx", form, year=YEAR, agency=AGENCY)
    wb = openpyxl.load_workbook(p)
    for ws in wb.worksheets:
        if ws.title == "_gkxl":
            continue
        head = ws.oddHeader
        assert AGENCY.name in head.left.text and str(YEAR) in head.right.text, ws.title
        assert "&P" in ws.oddFooter.center.text, ws.title


@needs_lo
@pytest.mark.slow
def test_printed_pages(tmp_path, form):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext 不可用")
    from gkxl import aggregate, load_roster, write_rollup
    from test_workbook_truth import libreoffice_recalc

    src = tmp_path / "in"
    src.mkdir()
    tpl = write_template(src / "template.xlsx", form, year=YEAR, agency=AGENCY)
    v = good_values(form)
    v[("t3", "new", "natural")] += 2
    broken = write_return(src / "broken.xlsx", form, AGENCY, YEAR, v)
    wb = openpyxl.load_workbook(broken)
    wb["三、依申请公开情况"]["F7"] = "12件"
    wb.save(broken)
    book, _ = write_feedback(check_file(broken), tmp_path / "fb", shown_name="财政局报表.xlsx")
    shutil.copy(book, src / "feedback.xlsx")
    texts = dict(form.sample_texts)
    texts["overview"] = LONG
    long_text = write_workbook(src / "long.xlsx", form, year=YEAR, agency=AGENCY, kind="return",
                               fill=Fill(values=good_values(form), texts=texts,
                                         cover={"contact": "李华", "phone": "0451-1234567"}))
    samples = __import__("conftest").ROOT / "samples"
    roll = aggregate([samples / "2025"], load_roster(samples / "roster.csv"), region="QH01")
    rollup = write_rollup(roll, src / "rollup.xlsx")
    files = [tpl, broken, src / "feedback.xlsx", long_text, rollup]
    libreoffice_recalc(files, tmp_path / "pdf", procs=1, to="pdf")
    who = {"template": (AGENCY.name, YEAR), "broken": (AGENCY.name, YEAR), "feedback": (AGENCY.name, YEAR),
           "long": (AGENCY.name, YEAR), "rollup": (roll.region.name, roll.year)}
    pages_of = {}
    for stem, (name, year) in who.items():
        pdf = tmp_path / "pdf" / f"{stem}.pdf"
        assert pdf.exists(), stem
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        pages_of[stem] = pages
        for i, page in enumerate(pages, 1):
            flat = _flat(page)
            assert name in flat and f"{year}年度" in flat, (stem, i, page[:200])
            assert f"第{i}页，共{len(pages)}页" in flat, (stem, i)
    # the instructions: every paragraph whole, on one page
    first = _flat(pages_of["template"][0])
    for text, kind in form.instructions:
        assert _flat(text.replace("{basis}", form.basis)) in first, text
    # the template: instructions, cover, three tables, text: six pages; the cover signs
    assert len(pages_of["template"]) == 6
    cover = _flat(pages_of["template"][1])
    assert "填报人：" in cover and "审核人：" in cover and "单位负责人：" in cover
    # a 2,000-character text section is printed whole
    assert LONG in _flat("".join(pages_of["long"]))
    assert _flat(PASS_TEXT) in _flat("".join(pages_of["long"]))
    # the broken return and its feedback copy say what is wrong on the cover
    assert "✘" in pages_of["broken"][1] and "✘" in pages_of["feedback"][1]
    # the roll-up's lists print landscape on a sensible number of pages, headers repeated
    assert len(pages_of["rollup"]) <= 40
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "40", str(tmp_path / "pdf" / "rollup.pdf")],
                          capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert any(float(w) > float(h) for w, h in sizes)  # the lists are landscape
    status_pages = [p for p in pages_of["rollup"] if "状态" in p and "单位代码" in p]
    assert status_pages and all("单位代码" in p for p in status_pages)
