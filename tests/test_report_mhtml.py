"""A published page saved as one file (.mht / .mhtml), as browsers write it: Chrome's "Save as MHTML"
(quoted-printable, UTF-8, the page's pictures as further parts) and IE's / WPS's "网页，单个文件" (the GBK page
in base64 under a charset header). The real 平潭 2024 page in both reads every cell, as the page itself."""

from __future__ import annotations

import base64
import json
import quopri
from email.header import Header

import pytest

from gkxl.report import ReportError
from gkxl.report.importer import read_report
from report_helpers import REAL, score

URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_100001.htm"
TITLE = "平潭综合实验区2024年度政府信息公开工作年度报告"


def chrome_mhtml(html: bytes) -> bytes:
    b = "----MultipartBoundary--9LpiAGoXyQpmGhsNWfvCMaf20ZpTGIZKvPutzw0nfH----"
    head = (f"From: <Saved by Blink>\r\nSnapshot-Content-Location: {URL}\r\n"
            f"Subject: {Header(TITLE, 'utf-8').encode()}\r\nDate: Wed, 25 Nov 2026 10:00:00 +0800\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"{b}\"\r\n\r\n\r\n")
    page = (f"--{b}\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\nContent-Location: {URL}\r\n\r\n").encode()
    body = quopri.encodestring(b'<meta charset="utf-8">' + html).replace(b"\n", b"\r\n")
    picture = (f"\r\n--{b}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
               "Content-Location: https://www.pingtan.gov.cn/images/logo.png\r\n\r\n").encode() + \
        base64.encodebytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).replace(b"\n", b"\r\n")
    return head.encode() + page + body + picture + f"\r\n--{b}--\r\n".encode()


def ie_mht(gbk_page: bytes) -> bytes:
    b = "----=_NextPart_000_0000_01DB3F2A.5C6E8B10"
    head = (f"From: <由 Windows Internet Explorer 11 保存>\r\nSubject: {Header(TITLE, 'gb2312').encode()}\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"{b}\"\r\n"
            "X-MimeOLE: Produced By Microsoft MimeOLE\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n")
    page = (f"--{b}\r\nContent-Type: text/html;\r\n\tcharset=\"gb2312\"\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Location: {URL}\r\n\r\n").encode()
    return head.encode("utf-8") + page + base64.encodebytes(gbk_page).replace(b"\n", b"\r\n") + f"\r\n--{b}--\r\n".encode()


def _truth():
    return json.loads((REAL / "pingtan_2024.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("maker, source, name", [
    (chrome_mhtml, "pingtan_2024.html", "page.mhtml"),
    (ie_mht, "pingtan_2024.site.html", "page.mht"),
    (chrome_mhtml, "pingtan_2024.html", "saved-as.html"),  # the archive under a .html name
    (ie_mht, "pingtan_2024.site.html", "t20250310_100001.jsp"),  # or under the site's address
])
def test_a_page_saved_as_one_file_reads_as_the_page(tmp_path, maker, source, name):
    p = tmp_path / name
    p.write_bytes(maker((REAL / source).read_bytes()))
    m = read_report(p)
    s = score(m, _truth())
    assert (s["wrong"], s["missing"], m.agency, m.year) == ([], [], "平潭综合实验区", 2024)


def test_an_archive_without_a_page_is_refused(tmp_path):
    p = tmp_path / "pictures.mht"
    p.write_bytes(b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"x\"\r\n\r\n--x\r\n"
                  b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--\r\n")
    with pytest.raises(ReportError) as e:
        read_report(p)
    assert "没有网页正文" in str(e.value) and "pictures.mht" in str(e.value)
    (tmp_path / "junk.mht").write_bytes(b"\x00\xff" * 100)
    with pytest.raises(ReportError):
        read_report(tmp_path / "junk.mht")


@pytest.mark.parametrize("depth", [900, 5000])
def test_an_archive_nested_thousands_deep_is_refused_in_time(tmp_path, depth):
    import time

    head = b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b0\"\r\n\r\n"
    body = b"".join(f"--b{i}\r\nContent-Type: multipart/related; boundary=\"b{i + 1}\"\r\n\r\n".encode()
                    for i in range(depth))
    body += f"--b{depth}\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b{depth}--\r\n".encode()
    p = tmp_path / "deep.mht"
    p.write_bytes(head + body)
    t = time.monotonic()
    with pytest.raises(ReportError) as e:
        read_report(p)
    assert "deep.mht" in str(e.value) and time.monotonic() - t < 10
