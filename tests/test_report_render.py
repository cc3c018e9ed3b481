"""`gkxl report`: the published report from a return, read back cell by cell
with python-docx and a real HTML parser, and printed by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest

from gkxl.compute import tidy
from gkxl.report import ReturnFailsChecks, build_report, published_grid, render_report, sections
from gkxl.report.model import DRAFT_MARK, Grid
from report_helpers import AGENCY, YEAR, make_return, make_values, write_rollup


def _grids(ret) -> list[Grid]:
    return [b.grid for b in build_report(ret).blocks if b.kind == "table"]


def _want_text(ret, cell) -> str:
    if cell.key is None:
        return cell.text
    return str(tidy(ret.values[cell.key]))


def test_sections_follow_the_numbering(form):
    heads = [s.heading for s in sections(form)]
    assert heads == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                     "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    six = sections(form)[-1]
    assert [(f.id, sub) for f, sub in six.texts] == [("other_matters", ""), ("processing_fee", "信息处理费收取情况")]


def test_grid_follows_the_standard_layout(form):
    """Section 三: the 勾稽 note in the 3x3 corner, 申请人情况 over 7 columns,
    三、本年度办理结果 down 22 rows; section 二: one-column tables stretched."""
    g3 = published_grid(form, form.sheets[1])
    corner = next(c for c in g3.cells if c.role == "corner")
    assert (corner.rowspan, corner.colspan) == (3, 3) and "勾稽" in corner.text
    top = next(c for c in g3.cells if c.text == "申请人情况")
    assert (top.row, top.col, top.colspan) == (0, 3, 7)
    res = next(c for c in g3.cells if c.text == "三、本年度办理结果")
    assert (res.rowspan, res.colspan) == (22, 1)
    natural = next(c for c in g3.cells if c.text == "自然人")
    assert natural.rowspan == 2
    g2 = published_grid(form, form.sheets[0])
    assert g2.width == 4
    lic = next(c for c in g2.cells if c.key == ("t2b", "licensing", "decisions"))
    assert (lic.col, lic.colspan) == (1, 3)
    fee_head = next(c for c in g2.cells if "万元" in c.text)
    assert fee_head.colspan == 3
    g4 = published_grid(form, form.sheets[2])
    assert g4.width == 15 and not any(c.role in ("corner", "rowlabel") for c in g4.cells)


def test_grid_works_for_another_form(mini_form):
    g = published_grid(mini_form, mini_form.sheets[0], {("m", "new", "a"): 3})
    assert g.width == 2 + 3
    assert next(c for c in g.cells if c.text == "三、办理").rowspan == 4
    assert next(c for c in g.cells if c.key == ("m", "new", "a")).text == "3"


def _html_tables(path: Path):
    root = lxml.html.fromstring(path.read_bytes())
    return root, root.findall(".//table")


def test_html_every_cell_reads_back(tmp_path, form):
    p, ret = make_return(tmp_path, form, seed=5)
    out = tmp_path / "r.html"
    render_report(ret, out)
    root, tables = _html_tables(out)
    grids = _grids(ret)
    assert len(tables) == len(grids) == 3
    for table, g in zip(tables, grids):
        got = [(td.text_content(), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
               for tr in table.iter("tr") for td in tr if td.tag in ("td", "th")]
        want = [(_want_text(ret, c), c.rowspan, c.colspan) for c in sorted(g.cells, key=lambda c: (c.row, c.col))]
        assert got == want
    # every value of the return is in a cell
    texts = [td.text_content() for td in root.iter("td")]
    assert len(texts) == len(form.cells)
    assert root.findtext(".//h1") == f"{AGENCY.name}{YEAR}年政府信息公开工作年度报告"
    assert [h.text_content() for h in root.iter("h2")] == [s.heading for s in sections(form)]
    # self-contained and print-ready
    html = out.read_text("utf-8")
    assert "@page" in html and "<link" not in html and "src=" not in html


def test_html_escapes_everything(tmp_path, form):
    p, ret = make_return(tmp_path, form, seed=2)
    out = tmp_path / "r.html"
    render_report(ret, out)
    root = lxml.html.fromstring(out.read_bytes())
    assert root.find(".//script") is None
    paras = [x.text_content() for x in root.iter("p")]
    assert "特殊字符：<script>alert('x')</script> & “引号” | 管道 *星号* _下划线_ [链接](http://e.x) #井号" in paras


def _docx_matrix(path: Path):
    d = docx.Document(str(path))
    out = []
    for t in d.tables:
        rows = []
        for row in t.rows:
            rows.append([(c.text, id(c._tc)) for c in row.cells])
        out.append(rows)
    return d, out


def test_docx_every_cell_reads_back(tmp_path, form):
    p, ret = make_return(tmp_path, form, seed=7)
    out = tmp_path / "r.docx"
    render_report(ret, out)
    d, tables = _docx_matrix(out)
    grids = _grids(ret)
    assert len(tables) == len(grids)
    for rows, g in zip(tables, grids):
        m = g.matrix()
        assert len(rows) == g.height
        for r, row in enumerate(rows):
            assert len(row) == g.width
            for k, (text, tc) in enumerate(row):
                c = m[r][k]
                assert text == _want_text(ret, c), (r, k)
        # merged cells are one Word cell: same <w:tc> exactly where the model merges
        for c in g.cells:
            ids = {rows[r][k][1] for r in range(c.row, c.row + c.rowspan) for k in range(c.col, c.col + c.colspan)}
            if c.rowspan == 1:
                assert len(ids) == 1, c
    paras = [x.text for x in d.paragraphs]
    assert paras[0] == f"{AGENCY.name}{YEAR}年政府信息公开工作年度报告"
    for s in sections(form):
        assert s.heading in paras
    assert "本年度未收取信息处理费。" in paras
    assert not any(DRAFT_MARK in x for x in paras)


def test_markdown_report(tmp_path, form):
    p, ret = make_return(tmp_path, form, seed=4)
    out = tmp_path / "r.md"
    render_report(ret, out)
    md = out.read_text("utf-8")
    assert md.startswith(f"# {AGENCY.name}{YEAR}年政府信息公开工作年度报告")
    for s in sections(form):
        assert f"## {s.heading}" in md
    assert "\\<script\\>" in md and "<script>" not in md
    assert "| 三、本年度办理结果 | （三）不予公开 | 1\\.属于国家秘密 |" not in md  # numbering escaped only at line start
    assert "| 三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 |" in md


def test_failing_return_is_refused_unless_forced(tmp_path, form, cli):
    vals = make_values(form, 9)
    vals[("t3", "new", "natural")] += 1  # breaks 一+二 = 三+四
    p, ret = make_return(tmp_path, form, values=vals, name="bad.xlsx")
    with pytest.raises(ReturnFailsChecks) as e:
        render_report(ret, tmp_path / "x.html")
    assert "T3-BALANCE" in str(e.value) and "--force" in str(e.value)
    assert not (tmp_path / "x.html").exists()
    code, out, err = cli("report", p, "--out", tmp_path / "x.docx")
    assert code == 1 and "未通过检查" in err and not (tmp_path / "x.docx").exists()
    code, out, err = cli("report", p, "--out", tmp_path / "x.docx", "--force")
    assert code == 0 and "草稿" in err
    d = docx.Document(str(tmp_path / "x.docx"))
    assert DRAFT_MARK in d.sections[0].header.paragraphs[0].text
    assert any(DRAFT_MARK in x.text for x in d.paragraphs[:3])
    render_report(ret, tmp_path / "x.html", force=True)
    root = lxml.html.fromstring((tmp_path / "x.html").read_bytes())
    assert root.find_class("watermark")[0].text_content() == DRAFT_MARK
    render_report(ret, tmp_path / "x.md", force=True)
    assert DRAFT_MARK in (tmp_path / "x.md").read_text("utf-8").splitlines()[2]


def test_rollup_renders_as_the_regions_report(tmp_path, form):
    p = write_rollup(tmp_path, form)
    render_report(p, tmp_path / "r.html")
    root = lxml.html.fromstring((tmp_path / "r.html").read_bytes())
    assert root.findtext(".//h1") == f"尚志市{YEAR}年政府信息公开工作年度报告"
    assert "（未填写）" in [x.text_content() for x in root.iter("p")]  # empty texts are visible, not silent


def test_cli_report_formats_and_bad_suffix(tmp_path, form, cli):
    p, _ = make_return(tmp_path, form, seed=1)
    for suffix in ("docx", "html", "md"):
        code, out, err = cli("report", p, "--out", tmp_path / f"r.{suffix}")
        assert code == 0, err
        assert (tmp_path / f"r.{suffix}").stat().st_size > 1000
    code, out, err = cli("report", p, "--out", tmp_path / "r.pdf")
    assert code == 2 and "格式不支持" in err


def _has_writer() -> bool:
    exe = shutil.which("soffice")
    if not exe:
        return False
    program = Path(exe).resolve().parent
    return (program / "libswlo.so").exists() or any(program.glob("*swlo*"))


@pytest.mark.libreoffice
@pytest.mark.skipif(not _has_writer() or not shutil.which("pdfinfo"),
                    reason="需要 LibreOffice Writer 和 poppler-utils")
def test_libreoffice_prints_the_docx(tmp_path, form):
    from gkxl.libreoffice import convert

    p, ret = make_return(tmp_path, form, seed=11)
    src = render_report(ret, tmp_path / "report.docx") and tmp_path / "report.docx"
    pdf = convert(src, tmp_path / "pdf", "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
    assert pages == 2, info  # text, section 二 and most of 三 on page 1; the rest on page 2
    assert "595" in info  # A4 width in points
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    for label in ("尚志市测试局2024年政府信息公开工作年度报告", "一、总体情况", "第二十条第（一）项",
                  "本年收费金额（单位：万元）", "勾稽关系", "申请人情况", "一、本年新收政府信息公开申请数量",
                  "四、结转下年度继续办理", "未经复议直接起诉", "六、其他需要报告的事项", "信息处理费收取情况"):
        assert label in flat, label


@pytest.mark.libreoffice
@pytest.mark.skipif(not _has_writer(), reason="需要 LibreOffice Writer")
def test_big_numbers_print_whole_and_read_back(tmp_path, form):
    """A province's numbers (five digits in table 三) are printed on one line each: a number wrapped in
    a narrow column ("125" over "9") is two numbers to a reader and to every program that copies the
    table. The printed PDF is read back by gkxl's own importer, every cell equal."""
    from gkxl.libreoffice import convert
    from gkxl.report.importer import read_report

    vals = make_values(form, 5)
    big = {k: (v * 373 if form.kind_of(k) == "count" and k[0] == "t3" else v) for k, v in vals.items()}
    p, ret = make_return(tmp_path, form, values=big)
    assert max(v for k, v in ret.values.items() if k[0] == "t3") >= 10000
    src = tmp_path / "report.docx"
    render_report(ret, src)
    pdf = convert(src, tmp_path / "pdf", "pdf")
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    copied = tmp_path / "copied.txt"  # what Chrome's or Foxit's viewer copies (PDFium)
    copied.write_text("\n".join(pg.get_textpage().get_text_range() for pg in doc), encoding="utf-8")
    doc.close()
    for back in (read_report(pdf), read_report(copied)):
        got = {k: back.value(k) for k in ret.values}
        assert {k: (v, ret.values[k]) for k, v in got.items() if v != ret.values[k]} == {}, back.path
