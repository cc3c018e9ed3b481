"""Make the derived documents of the wider corpus from its real documents (run by hand; needs poppler's
pdftotext and LibreOffice):

    .venv/bin/python tests/real_reports/corpus/make_derived.py

Numbers and text stay the real report's; only the form in which it is handed in changes:
- hongze_20xx.layout.txt / .raw.txt: `pdftotext -layout` / `pdftotext` of the official PDF (a PDF
  viewer's copy; labels and numbers in separate blocks). Made only where the PDF is on this machine,
  and not committed (the PDFs came from a fetched repository: README.md).
- hongze_20xx.viewer.txt, pingtan_2023.viewer.txt, shanghai_govoffice_2019.viewer.txt: the PDFs as
  Chrome's, Edge's or Foxit's viewer copies them (PDFium's text: cells apart by spaces, blank cells gone).
- pingtan_2023.copy.txt: the page copied from a browser that puts every cell on its own line.
- shanghai_govoffice_2019.copy.txt: the page copied from a browser that copies a table row as one
  line, its cells apart by tabs, a blank cell as nothing between two tabs.
- pingtan_2023.docx, shanghai_govoffice_2019.docx: LibreOffice's Word version of the page.
- pingtan_2023.web.pdf: the page printed to PDF as a browser prints it (LibreOffice's web export: the
  article's heading is not in the text, only in the PDF's title).
- shanghai_govoffice_2019.lo.pdf: the Word version printed to PDF (a 2019-format report as a PDF).
Each is scored against the real report's transcription (<id>.json) by tests/test_import_corpus.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import lxml.html

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from make_derived import _grid, viewer_copy  # noqa: E402  (the examples' helpers)


def pdftotext() -> None:
    for year in (2023, 2024):
        pdf = HERE / f"hongze_{year}.pdf"
        if not pdf.exists():
            continue
        viewer_copy(pdf, HERE / f"hongze_{year}.viewer.txt")
        for opt, suffix in ((["-layout"], "layout"), ([], "raw")):
            out = subprocess.run(["pdftotext", *opt, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                 check=True).stdout
            (HERE / f"hongze_{year}.{suffix}.txt").write_bytes(out)


def _blocks(root):
    """The article's paragraphs and tables in order (the page's editor div, or the body of a fragment)."""
    found = root.find_class("TRS_Editor")
    return list(found[0]) if found else list(root.body if root.body is not None else root)


def browser_copy(name: str, *, tabs: bool) -> None:
    page = (HERE / f"{name}.html").read_text(encoding="utf-8")
    root = lxml.html.fromstring(page)
    lines = []
    title = root.find_class("article_title")
    if title:
        lines.append(" ".join(title[0].text_content().split()))
    for el in _blocks(root):
        if el.tag == "table":
            for row in _grid(el):
                cells = [t for t, own in row if own]
                if tabs:
                    lines.append("\t".join(cells))
                else:
                    lines += [t for t in cells if t]
        else:
            t = " ".join(el.text_content().split())
            if t:
                lines.append(t)
    (HERE / f"{name}.copy.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def word(name: str) -> None:
    src = HERE / f"{name}.html"
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(src, Path(d) / src.name)
        subprocess.run(["soffice", "--headless", "--convert-to", "docx:MS Word 2007 XML", src.name, "--outdir", d],
                       cwd=d, capture_output=True, check=True, timeout=180)
        shutil.copy(Path(d) / f"{name}.docx", HERE / f"{name}.docx")


def printed(name: str, ext: str, fmt: str, suffix: str) -> None:
    src = HERE / f"{name}.{ext}"
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(src, Path(d) / src.name)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{d}/profile", "--headless", "--convert-to",
                        f"pdf:{fmt}", src.name, "--outdir", d], cwd=d, capture_output=True, check=True, timeout=180)
        shutil.copy(Path(d) / f"{name}.pdf", HERE / f"{name}.{suffix}.pdf")


if __name__ == "__main__":
    pdftotext()
    browser_copy("pingtan_2023", tabs=False)
    browser_copy("shanghai_govoffice_2019", tabs=True)
    word("pingtan_2023")
    word("shanghai_govoffice_2019")
    printed("pingtan_2023", "html", "writer_web_pdf_Export", "web")
    printed("shanghai_govoffice_2019", "docx", "writer_pdf_Export", "lo")
    viewer_copy(HERE / "pingtan_2023.web.pdf", HERE / "pingtan_2023.viewer.txt")
    viewer_copy(HERE / "shanghai_govoffice_2019.lo.pdf", HERE / "shanghai_govoffice_2019.viewer.txt")
