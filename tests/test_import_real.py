"""Real published reports, as published, against their cell-by-cell transcriptions.

Per document type: cells right, wrong, missing. The rule that never bends: 0 wrong, and no
number where the transcription could not read one. The share of printed cells right is held
at what the importer reaches today (≥ 98 % for PDF, web pages, Word and copied text; the
run-together site texts are lower by nature: digits that ran together are cut only where the
table's sums leave one way).
"""

from __future__ import annotations

import functools
import json

import pytest

from gkxl.reader import read_return
from gkxl.report import import_report
from gkxl.report.importer import import_sources, read_report
from report_helpers import REAL, score

# file -> (document type, form chosen, agency, year, least share of printed cells right)
CORPUS = {
    "huaian_city_2024.pdf": ("pdf", "gb2021", "淮安市人民政府", 2024, 1.0),
    "pingtan_2024.html": ("html", "gb2021", "平潭综合实验区", 2024, 1.0),
    "pingtan_2024.site.html": ("html", "gb2021", "平潭综合实验区", 2024, 1.0),
    "pingtan_2024.p6.html": ("html", "gb2021p6", "平潭综合实验区", 2024, 1.0),
    "pingtan_2019.page.html": ("html", "gb2019", "平潭综合实验区", 2019, 1.0),
    "pingtan_2024.docx": ("docx", "gb2021", "平潭综合实验区", 2024, 1.0),
    "huaian_city_2024.layout.txt": ("copied text", "gb2021", "淮安市人民政府", 2024, 1.0),
    "pingtan_2024.copy.txt": ("copied text", "gb2021", "平潭综合实验区", 2024, 1.0),
    # a machine extraction of a PDF: two cells of table 二 printed on two lines each were split out of
    # their rows, leaving rows of 2 numbers for 3 columns (4 cells missing, said, never guessed)
    "shanghai_govoffice_2025.md": ("extraction (md)", "gb2021", "上海市人民政府办公厅", 2025, 0.979),
    # the page as a PDF-to-Markdown extractor writes it: merged-cell tables as HTML inside the Markdown
    "pingtan_2024.mineru.md": ("extraction (md)", "gb2021", "平潭综合实验区", 2024, 1.0),
    # the PDFs as Chrome's, Edge's or Foxit's viewer copies them (PDFium): cells apart by spaces, blank cells gone;
    # gkxl's own report prints 规章's 本年废止 blank, so "规章 22 235" has no place for its two numbers (said)
    "huaian_city_2024.viewer.txt": ("viewer copy", "gb2021", "淮安市人民政府", 2024, 1.0),
    "shanghai_govoffice_2025.viewer.txt": ("viewer copy", "gb2021", "上海市人民政府办公厅", 2025, 0.979),
    "huaian_city_2024.raw.txt": ("separate blocks", "gb2021", "淮安市人民政府", 2024, 0.925),
    "pingtan_2024.txt": ("run-together", "gb2021", "平潭综合实验区", 2024, 0.985),
    "pingtan_2019.txt": ("run-together", "gb2019", "平潭综合实验区", 2019, 0.91),
}
SLOW = {  # PDFs printed by LibreOffice: the same checks, slower to read
    "pingtan_2024.lo.pdf": ("pdf", "gb2021", "平潭综合实验区", 2024, 1.0),
    "shanghai_govoffice_2025.gkxl.pdf": ("pdf", "gb2021", "上海市人民政府办公厅", 2025, 1.0),
    "huaian_city_2024.unruled.pdf": ("pdf", "gb2021", "淮安市人民政府", 2024, 1.0),
}


@functools.lru_cache(maxsize=None)
def _read(name: str):
    return read_report(REAL / name)


def _truth(name: str) -> dict:
    return json.loads((REAL / f"{name.split('.')[0]}.json").read_text(encoding="utf-8"))


def _check(name: str, spec) -> dict:
    kind, form_id, agency, year, least = spec
    m = _read(name)
    s = score(m, _truth(name))
    assert s["wrong"] == [], f"{name}: wrong numbers {s['wrong']}"
    assert s["unverifiable"] == [], f"{name}: numbers where the transcription has none {s['unverifiable']}"
    assert s["unknown"] == []
    assert (m.form.id, m.agency, m.year) == (form_id, agency, year)
    assert s["share"] >= least, f"{name}: {s['right']}/{s['printed']} right, missing {s['missing']}"
    # every missing cell is said, with where or why
    if s["missing"]:
        assert m.unmapped
    # every placed cell says where it came from
    assert set(m.sources) == set(m.values) | set(m.totals)
    assert all(m.sources.values())
    return s


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_real_report(name):
    _check(name, CORPUS[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW))
def test_real_report_printed_by_libreoffice(name):
    _check(name, SLOW[name])


def test_accuracy_per_document_type(capsys):
    """The table of the report: per document type, cells right / wrong / missing."""
    per: dict[str, list[int]] = {}
    for name, spec in CORPUS.items():
        s = score(_read(name), _truth(name))
        acc = per.setdefault(spec[0], [0, 0, 0])
        acc[0] += s["right"]
        acc[1] += len(s["wrong"])
        acc[2] += len(s["missing"])
    with capsys.disabled():
        for kind, (r, w, m) in per.items():
            print(f"\n  {kind:16s} right {r:4d}  wrong {w}  missing {m:3d}  ({r / (r + w + m):.1%})", end="")
        print()
    assert all(w == 0 for _, w, _ in per.values())
    for kind in ("pdf", "html", "docx", "copied text"):
        r, w, m = per[kind]
        assert r / (r + w + m) >= 0.98, kind


def test_pdf_import_writes_provenance(tmp_path, cli):
    """The real PDF through the command: a return whose every cell says page and position."""
    code, out, err = cli("import-report", REAL / "huaian_city_2024.pdf", "--out", tmp_path / "h.xlsx",
                         "--code", "320800")
    assert code == 0, err
    assert "淮安市人民政府" in out and "2024 年度" in out and "未能对应" not in out
    ret = read_return(tmp_path / "h.xlsx")
    assert ret.kind == "imported" and ret.agency_name == "淮安市人民政府" and ret.year == 2024
    assert ret.values[("t2b", "licensing", "decisions")] == 447228
    assert ret.values[("t2d", "fees", "amount")] == pytest.approx(96171.6)
    assert ret.values[("t3", "results_total", "total")] == 3050
    src = import_sources(ret)
    assert len(src) == 200
    assert src[("t3", "new", "natural")].startswith("第 4 页，表格第")
    assert "x=" in src[("t3", "new", "natural")] and "y=" in src[("t3", "new", "natural")]
    assert src[("t4", "cases", "review_total")].startswith("第 5 页")
    code, out, err = cli("check", tmp_path / "h.xlsx")
    assert code == 0, out  # the published arithmetic holds


@pytest.mark.parametrize("turn, pages", [(90, None), (180, None), (270, None), (90, (2, 3, 4))])
def test_pdf_pages_printed_sideways_or_upside_down(tmp_path, turn, pages):
    """The real PDF with its pages (or only its table pages, as a wide table is printed sideways on a
    portrait page) shown turned: read upright, every cell right. Read as they lay, an upside-down
    table 四 came out backwards ("27" for 72) and was written; sideways pages gave nothing."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(REAL / "huaian_city_2024.pdf"))
    for i, page in enumerate(doc):
        if pages is None or i in pages:
            page.set_rotation(turn)
    path = tmp_path / "turned.pdf"
    doc.save(str(path))
    doc.close()
    m = read_report(path)
    s = score(m, _truth("huaian_city_2024.pdf"))
    assert (s["wrong"], s["missing"], m.agency, m.year) == ([], [], "淮安市人民政府", 2024)
    assert any("已转正后读取" in n for n in m.notes)


_REWRITE = {  # the real PDF as other programs re-save it: sites run PDFs through compressors and "fast web view"
    "gs": ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-sOutputFile={out}", "{src}"],
    "qpdf": ["qpdf", "--object-streams=generate", "--linearize", "{src}", "{out}"],
    "pdftocairo": ["pdftocairo", "-pdf", "{src}", "{out}"],
}


@pytest.mark.parametrize("program", sorted(_REWRITE))
def test_pdf_resaved_by_other_programs(tmp_path, program):
    """Ghostscript (fonts re-embedded, content rewritten), qpdf (object streams, linearized) and cairo (lines
    redrawn as paths) each give the same numbers; cairo's redrawn grid leaves 行政许可's 447228 straddling a
    line ("行政许可 4472" | "28"): missing, said, never a wrong number."""
    import shutil
    import subprocess

    if not shutil.which(_REWRITE[program][0]):
        pytest.skip(f"{program} 未安装")
    out = tmp_path / f"{program}.pdf"
    cmd = [x.format(src=REAL / "huaian_city_2024.pdf", out=out) for x in _REWRITE[program]]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    m = read_report(out)
    s = score(m, _truth("huaian_city_2024.pdf"))
    assert s["wrong"] == [] and s["right"] >= 199 and (m.agency, m.year) == ("淮安市人民政府", 2024), s["missing"]
    if program == "pdftocairo":
        assert any("“447228”跨在两个单元格之间" in n for n in m.notes), m.notes


def test_a_number_across_a_cell_line_is_not_split():
    """A number drawn across a line between two cells of its row would be cut by the cells ("1" | "0" for
    10 beside a blank 本年废止): the row is not read."""
    from types import SimpleNamespace

    from gkxl.report.pdf_grid import _Table

    row = SimpleNamespace(bbox=(74, 539, 519, 574), cells=[(74, 539, 244, 574), (244, 539, 336, 574),
                                                          (336, 539, 416, 574), (416, 539, 519, 574)])
    word = {"top": 548, "bottom": 558}
    assert _Table._straddled(row, [{**word, "text": "10", "x0": 330, "x1": 342}]) == "10"
    assert _Table._straddled(row, [{**word, "text": "10", "x0": 249, "x1": 262}]) == ""  # inside its cell
    assert _Table._straddled(row, [{**word, "text": "10", "x0": 330, "x1": 342, "top": 600, "bottom": 610}]) == ""


def test_pdf_whose_text_was_turned_into_outlines_is_refused(tmp_path):
    import shutil
    import subprocess

    from gkxl.report import ReportError

    if not shutil.which("gs"):
        pytest.skip("gs 未安装")
    out = tmp_path / "outlines.pdf"
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-dNoOutputFonts", f"-sOutputFile={out}",
                    str(REAL / "huaian_city_2024.pdf")], check=True, capture_output=True, timeout=120)
    with pytest.raises(ReportError) as e:
        read_report(out)
    assert "转成了图形" in str(e.value) and "outlines.pdf" in str(e.value) and e.value.code == "REPORT_NO_TEXT"


def test_run_together_cells_say_how_they_were_cut(tmp_path):
    res = import_report(REAL / "pingtan_2024.txt", tmp_path / "p.xlsx")
    how = res.mapped.how
    assert how[("t3", "new", "natural")] == "split"
    assert "按表内合计唯一确定拆分" in res.sources[("t3", "new", "natural")]
    assert res.mapped.values[("t3", "new", "natural")] == 217 and res.mapped.totals[("t3", "new", "total")] == 218
    # "6233440" has many cuts and no sum to choose between them: missing, and said
    assert ("t2a", "normative", "issued") not in res.mapped.values
    assert any("6233440" in u and "多种拆法" in u for u in res.unmapped)


def test_2019_report_as_prior_of_2021(tmp_path, cli, form):
    """`--prior` across the 2020→2021 change of format: 结转 ids are shared by both forms."""
    from gkxl.fake import realistic_return, write_return
    from gkxl.roster import Agency

    (tmp_path / "prior").mkdir()
    res = import_report(REAL / "pingtan_2019.page.html", tmp_path / "prior" / "p.xlsx", code="PT", year=2020)
    assert res.form.id == "gb2019"
    carried = {k: v for k, v in res.mapped.values.items() if k[1] == "carry_out"}
    assert len(carried) == 6
    vals = realistic_return(form, 5)
    for (t, r, c), v in carried.items():
        vals[("t3", "carried_in", c)] = v
    p = write_return(tmp_path / "now.xlsx", form, Agency("PT", "平潭综合实验区"), 2021, vals)
    code, out, err = cli("check", p, "--prior", tmp_path / "prior")
    assert "X-CARRY-OVER" not in out and "X-NO-PRIOR" not in out
    vals[("t3", "carried_in", "natural")] += 2
    vals[("t3", "new", "natural")] = max(0, vals[("t3", "new", "natural")] - 2)
    p = write_return(tmp_path / "bad.xlsx", form, Agency("PT", "平潭综合实验区"), 2021, vals)
    code, out, err = cli("check", p, "--prior", tmp_path / "prior")
    assert "X-CARRY-OVER" in out


def test_agency_and_year_from_the_file_name_when_the_text_lost_its_heading(tmp_path):
    """The page printed by a browser carries its heading only in the PDF's title, so a viewer's copy of it has
    none; saved under the report's title, the file's name says whose report it is. A name that is not a title
    says nothing."""
    from report_helpers import REAL as R

    text = (R / "corpus" / "pingtan_2023.viewer.txt").read_text(encoding="utf-8")
    named = tmp_path / "平潭综合实验区2023年度政府信息公开工作年度报告.txt"
    named.write_text(text, encoding="utf-8")
    m = read_report(named)
    assert (m.agency, m.year) == ("平潭综合实验区", 2023)
    plain = tmp_path / "t20240308_87885.txt"
    plain.write_text(text, encoding="utf-8")
    assert read_report(plain).agency == ""
