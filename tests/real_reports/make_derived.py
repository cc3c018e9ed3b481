"""Make the derived documents of the corpus from the real published reports beside this file.

Run by hand (needs poppler's pdftotext and LibreOffice); the outputs are committed:

    .venv/bin/python tests/real_reports/make_derived.py

Every derived document keeps the real report's numbers and text; only the form in which it is
handed in changes (the ways users really hand reports in: text copied from a PDF viewer, a
browser copy, a page saved from a site in GBK with flattened merges, Word and PDF versions of a
web page, the 2021 format printed with 三(六) as one row). Each one is scored against the real
report's transcription (<id>.json), except where noted in README.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def pdftotext() -> None:
    pdf = HERE / "huaian_city_2024.pdf"
    for opt, name in ((["-layout"], "huaian_city_2024.layout.txt"), ([], "huaian_city_2024.raw.txt")):
        out = subprocess.run(["pdftotext", *opt, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                             check=True).stdout
        (HERE / name).write_bytes(out)


def viewer_copy(pdf: Path, out: Path) -> None:
    """The text Chrome's, Edge's or Foxit's PDF viewer copies (select all, copy): PDFium's text of
    each page, in the order the PDF draws it, a table row's cells apart by spaces and blank cells
    gone. pypdfium2 (pdfplumber's own dependency) is PDFium."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()
    out.write_text(text.replace("\r\n", "\n").replace("\r", "\n"), encoding="utf-8")


def libreoffice(src: Path, fmt: str, out_name: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(src, Path(d) / src.name)
        subprocess.run(["soffice", "--headless", "--convert-to", fmt, src.name, "--outdir", d], cwd=d,
                       capture_output=True, check=True, timeout=180)
        got = next(p for p in Path(d).iterdir() if p.suffix == "." + fmt.split(":")[0] and p.name != src.name)
        shutil.copy(got, HERE / out_name)


def _grid(table) -> list[list[tuple[str, bool]]]:
    """(text, is the merge's own cell) per position, rowspan/colspan expanded."""
    rows = table.findall(".//tr")
    out: list[list[tuple[str, bool]]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(rows):
        line: list[tuple[str, bool]] = []
        c = 0
        for td in tr.findall("td"):
            while (r, c) in pending:
                line.append((pending.pop((r, c)), False))
                c += 1
            text = " ".join(td.text_content().split())
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for k in range(cs):
                line.append((text, k == 0))
                for dr in range(1, rs):
                    pending[(r + dr, c + k)] = text
            c += cs
        while (r, c) in pending:
            line.append((pending.pop((r, c)), False))
            c += 1
        out.append(line)
    return out


def browser_copy() -> None:
    """pingtan_2024.copy.txt: the page copied from a browser that puts every cell on its own line."""
    root = lxml.html.fromstring((HERE / "pingtan_2024.html").read_text(encoding="utf-8"))
    lines = [" ".join(root.find_class("article_title")[0].text_content().split())]
    content = root.find_class("TRS_Editor")[0]
    for el in content:
        if el.tag == "table":
            for row in _grid(el):
                lines += [t for t, own in row if own and t]
        else:
            t = " ".join(el.text_content().split())
            if t:
                lines.append(t)
    (HERE / "pingtan_2024.copy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def extraction_md() -> None:
    """pingtan_2024.mineru.md: the page as a PDF-to-Markdown extractor (MinerU, marker) writes it:
    the title a heading, paragraphs apart by blank lines, a table with merged cells as HTML
    (rowspan/colspan kept, nothing else) — on one line, the last one over several lines."""
    root = lxml.html.fromstring((HERE / "pingtan_2024.html").read_text(encoding="utf-8"))
    out = ["# " + " ".join(root.find_class("article_title")[0].text_content().split())]
    content = root.find_class("TRS_Editor")[0]
    tables = [el for el in content if el.tag == "table"]
    for el in content:
        if el.tag != "table":
            t = " ".join(el.text_content().split())
            if t:
                out.append(t)
            continue
        rows = []
        for tr in el.iter("tr"):
            cells = []
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                span = "".join(f' {a}="{td.get(a)}"' for a in ("rowspan", "colspan") if td.get(a, "1") != "1")
                cells.append(f"<td{span}>{escape(' '.join(td.text_content().split()))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        sep = "\n" if el is tables[-1] else ""
        out.append(f"<table>{sep}" + sep.join(rows) + f"{sep}</table>")
    (HERE / "pingtan_2024.mineru.md").write_text("\n\n".join(out) + "\n", encoding="utf-8")


def site_page() -> None:
    """pingtan_2024.site.html: the article inside a site's page (navigation, breadcrumbs, a
    layout table, footer), saved in GBK, with the tables as Word exports them: merges
    flattened into &nbsp; cells, every cell a MsoNormal paragraph with spans."""
    root = lxml.html.fromstring((HERE / "pingtan_2024.html").read_text(encoding="utf-8"))
    content = root.find_class("TRS_Editor")[0]
    body = []
    for el in content:
        if el.tag != "table":
            body.append(lxml.html.tostring(el, encoding="unicode"))
            continue
        rows = []
        for row in _grid(el):
            cells = []
            for text, own in row:
                inner = escape(text) if own and text else "&nbsp;"
                cells.append(f"<td width=52 valign=top style='border:solid windowtext 1.0pt'><p class=MsoNormal "
                             f"align=center><span lang=EN-US style='font-size:10.5pt'>{inner}<o:p></o:p></span>"
                             "</p></td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        body.append("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0>" + "".join(rows) + "</table>")
    nav = ("<div class=nav><ul><li><a href='/'>首页</a></li><li><a href='/zwgk/'>政务公开</a></li>"
           "<li><a href='/zwgk/zfxxgk/'>政府信息公开</a></li></ul></div>"
           "<div class=crumb>当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>")
    meta = ("<table class=meta><tr><td>索引号：</td><td>ptsyq-0000-2025-00001</td><td>发布机构：</td>"
            "<td>平潭综合实验区管委会办公室</td></tr><tr><td>生成日期：</td><td>2025-03-10</td><td>公开方式：</td>"
            "<td>主动公开</td></tr></table>")
    page = ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"><html><head>"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" />"
            "<title>平潭综合实验区2024年度政府信息公开工作年度报告_政府信息公开年报_平潭综合实验区党工委管委会</title>"
            "<script>var x = '<table><tr><td>行政许可</td><td>1</td></tr></table>';</script>"
            "<style>td{font-size:12px}</style></head><body>" + nav +
            "<table width=1000 class=layout><tr><td class=side><ul><li>年度报告</li><li>政策解读</li></ul></td><td>"
            + meta + "<h1 class=title>平潭综合实验区2024年度政府信息公开工作年度报告</h1>" + "".join(body) +
            "</td></tr></table><div class=footer>主办：平潭综合实验区党工委管委会办公室 网站标识码3501000053 "
            "闽ICP备12006148号</div></body></html>")
    (HERE / "pingtan_2024.site.html").write_bytes(page.encode("gb18030"))


def merged_six() -> None:
    """pingtan_2024.p6.html: the same page with 三(六) printed as one row (the three rows' sums),
    as some 2021-format reports print it."""
    text = (HERE / "pingtan_2024.html").read_text(encoding="utf-8")
    truth = json.loads((HERE / "pingtan_2024.json").read_text(encoding="utf-8"))
    cols = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    sums = [sum(truth["cells"][f"table3.三.(六).{i}.{c}"] for i in (1, 2, 3)) for c in cols]
    root = lxml.html.fromstring(text)
    tables = root.findall(".//table")
    t3 = next(t for t in tables if "本年新收" in t.text_content())
    trs = t3.findall(".//tr")
    six = [tr for tr in trs if any(k in tr.text_content() for k in ("逾期不补正", "逾期未按收费", "3.其他"))]
    first = six[0]
    for td in list(first):
        first.remove(td)
    first.append(lxml.html.fromstring("<td colspan='2'><p>（六）其他处理</p></td>"))
    for v in sums:
        first.append(lxml.html.fromstring(f"<td><p>{v}</p></td>"))
    for tr in six[1:]:
        tr.getparent().remove(tr)
    # the rowspan of "三、本年度办理结果" loses the two rows
    for td in t3.iter("td"):
        if "本年度办理结果" in td.text_content() and td.get("rowspan"):
            td.set("rowspan", str(int(td.get("rowspan")) - 2))
    (HERE / "pingtan_2024.p6.html").write_bytes(lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>"))


def pingtan_2019_page() -> None:
    """pingtan_2019.page.html: the 2019 report's tables in the 2019 layout, from its transcription
    (the site's own page is not in the corpus; its text version is)."""
    truth = json.loads((HERE / "pingtan_2019.json").read_text(encoding="utf-8"))
    c = truth["cells"]

    def v(k: str) -> str:
        x = c.get(k)
        return "" if x is None else str(x)

    def tr(*cells: str) -> str:
        return "<tr>" + "".join(cells) + "</tr>"

    def td(x: str, cs: int = 1, rs: int = 1) -> str:
        return f"<td colspan='{cs}' rowspan='{rs}'>{escape(x)}</td>"

    t2 = ["<table border='1'>"]
    blocks = [("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "规范性文件"]),
              ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"]),
              ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"]),
              ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["行政事业性收费"]),
              ("第二十条第（九）项", ["采购项目数量", "采购总金额"], ["政府集中采购"])]
    for title, cols, rows in blocks:
        t2.append(tr(td(title, 4)))
        t2.append(tr(td("信息内容"), *[td(x, 3 - len(cols) + 1 if i == len(cols) - 1 else 1) for i, x in enumerate(cols)]))
        for r in rows:
            t2.append(tr(td(r), *[td(v(f"table2.{r}.{x}"), 3 - len(cols) + 1 if i == len(cols) - 1 else 1)
                                  for i, x in enumerate(cols)]))
    t2.append("</table>")
    cols3 = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    t3 = ["<table border='1'>",
          tr(td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), td("申请人情况", 7)),
          tr(td("自然人", 1, 2), td("法人或其他组织", 5), td("总计", 1, 2)),
          tr(*[td(x) for x in cols3[1:6]])]
    labels = {"一": "一、本年新收政府信息公开申请数量", "二": "二、上年结转政府信息公开申请数量",
              "四": "四、结转下年度继续办理"}
    subs = {"(三)": ("（三）不予公开", ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                                   "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"]),
            "(四)": ("（四）无法提供", ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"]),
            "(五)": ("（五）不予处理", ["信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                                   "要求行政机关确认或重新出具已获取信息"])}
    body_rows = 2 + 8 + 3 + 5 + 1 + 1
    for key in truth["rows_table3"]:
        vals = [td(v(f"table3.{key}.{x}")) for x in cols3]
        if key in labels:
            t3.append(tr(td(labels[key], 3), *vals))
        elif key in ("三.(一)", "三.(二)", "三.(六)", "三.(七)"):
            name = {"三.(一)": "（一）予以公开", "三.(二)": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                    "三.(六)": "（六）其他处理", "三.(七)": "（七）总计"}[key]
            lead = td("三、本年度办理结果", 1, body_rows) if key == "三.(一)" else ""
            t3.append(tr(lead, td(name, 2), *vals))
        else:
            _, grp, n = key.split(".")
            name, items = subs[f"({grp[1:-1]})"]
            first = n == "1"
            t3.append(tr(td(name, 1, len(items)) if first else "", td(f"{n}.{items[int(n) - 1]}"), *vals))
    t3.append("</table>")
    head4 = [td("行政复议", 5), td("行政诉讼", 10)]
    res4 = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t4 = ["<table border='1'>", tr(*head4),
          tr(*[td(x, 1, 2) for x in res4], td("未经复议直接起诉", 5), td("复议后起诉", 5)),
          tr(*[td(x) for x in res4 * 2]),
          tr(*[td(v(f"table4.行政复议.{x}")) for x in res4],
             *[td(v(f"table4.行政诉讼.{g}.{x}")) for g in ("未经复议直接起诉", "复议后起诉") for x in res4]),
          "</table>"]
    text = (HERE / "pingtan_2019.txt").read_text(encoding="utf-8").split("\n")
    body = next(x for x in text if "一、总体情况" in x or "总体情况" in x[:400])
    opening = body[: body.find("二、主动公开政府信息情况")]
    page = ("<html><head><meta charset='utf-8'><title>平潭综合实验区2019年度政府信息公开工作年度报告</title></head><body>"
            "<div class=title>平潭综合实验区2019年度政府信息公开工作年度报告</div>"
            f"<p>{escape(opening)}</p><p>二、主动公开政府信息情况</p>" + "".join(t2) +
            "<p>三、收到和处理政府信息公开申请情况</p>" + "".join(t3) +
            "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + "".join(t4) +
            "<p>五、存在的主要问题及改进情况</p><p>（略）</p><p>六、其他需要报告的事项</p><p>无。</p></body></html>")
    (HERE / "pingtan_2019.page.html").write_text(page, encoding="utf-8")


def shanghai_pdf() -> None:
    """shanghai_govoffice_2025.gkxl.pdf: the transcribed numbers rendered by `gkxl report` as
    Word and printed to PDF by LibreOffice (a third agency's PDF; its layout is gkxl's)."""
    from report_helpers import transcription_keys

    from gkxl.fake import write_return
    from gkxl.form import load_form
    from gkxl.report import render_report
    from gkxl.roster import Agency

    form = load_form("gb2021")
    truth = json.loads((HERE / "shanghai_govoffice_2025.json").read_text(encoding="utf-8"))
    keys = transcription_keys(form)
    vals = {keys[k]: (float(x) if isinstance(x, str) else x) for k, x in truth["cells"].items()
            if x is not None and keys[k] not in form.derived}
    md = (HERE / "shanghai_govoffice_2025.md").read_text(encoding="utf-8")
    overview = re.sub(r"\s+", "", md[md.find("一、总体情况") + 6: md.find("二、主动公开")])
    overview = re.sub(r"—\d+—", "", overview)
    with tempfile.TemporaryDirectory() as d:
        p = write_return(Path(d) / "r.xlsx", form, Agency("SH", "上海市人民政府办公厅"), 2025, vals,
                         texts={"overview": overview, "problems": "（略）", "other_matters": "无。",
                                "processing_fee": "本年度未收取信息处理费。"})
        render_report(p, Path(d) / "shanghai_govoffice_2025.gkxl.docx", force=True)
        libreoffice(Path(d) / "shanghai_govoffice_2025.gkxl.docx", "pdf", "shanghai_govoffice_2025.gkxl.pdf")


if __name__ == "__main__":
    pdftotext()
    browser_copy()
    extraction_md()
    site_page()
    merged_six()
    pingtan_2019_page()
    libreoffice(HERE / "pingtan_2024.html", "docx:MS Word 2007 XML", "pingtan_2024.docx")
    libreoffice(HERE / "pingtan_2024.docx", "pdf", "pingtan_2024.lo.pdf")
    libreoffice(HERE / "huaian_city_2024.layout.txt", "pdf", "huaian_city_2024.unruled.pdf")
    shanghai_pdf()
    viewer_copy(HERE / "huaian_city_2024.pdf", HERE / "huaian_city_2024.viewer.txt")
    viewer_copy(HERE / "shanghai_govoffice_2025.gkxl.pdf", HERE / "shanghai_govoffice_2025.viewer.txt")
