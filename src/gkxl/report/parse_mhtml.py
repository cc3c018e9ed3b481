"""A web page saved as one file: .mht / .mhtml ("网页，单个文件" in IE, Edge and WPS; Chrome's
"Save as MHTML"). It is a MIME message whose text/html part is the page, in the charset its
headers state, quoted-printable or base64; the page's pictures and style sheets are other parts.
The page part is read as any page (a table published as a picture is said to be); nothing else
in the archive is opened, fetched or run."""

from __future__ import annotations

import email.header
import email.policy
from email.parser import BytesParser

from .errors import ReportError
from .limits import MAX_TEXT_CHARS, too_large
from .parse_html import decode_page, parse_html_text
from .source import SourceDoc

MAX_PARTS = 5000  # a saved page holds its page and its pictures: a few hundred parts at most
_GBK = ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936")


def parse_mhtml(data: bytes, path: str = "") -> SourceDoc:
    try:
        msg = BytesParser(policy=email.policy.compat32).parsebytes(data)
    except Exception:  # noqa: BLE001 - untrusted input: any parser failure is a refusal
        raise ReportError(f"{path}：网页存档（.mht）无法解析", code="REPORT_READ", path=path) from None
    page = None
    try:
        for n, part in enumerate(msg.walk()):
            if n > MAX_PARTS:
                raise too_large(path, "网页存档中的部件数", f"{MAX_PARTS} 个")
            if part.get_content_type() == "text/html" and not part.is_multipart():
                page = part
                break
    except RecursionError:  # parts nested thousands deep: no saved page looks like that
        raise ReportError(f"{path}：网页存档（.mht）的结构嵌套过深，无法读取", code="REPORT_READ", path=path) from None
    if page is None:
        raise ReportError(f"{path}：网页存档（.mht）中没有网页正文（text/html），无法读取", code="REPORT_READ", path=path)
    body = page.get_payload(decode=True) or b""
    charset = (page.get_content_charset() or "").lower()
    text = None
    if charset:
        try:
            text = body.decode("gb18030" if charset in _GBK else charset, errors="replace")
        except LookupError:
            text = None
    if text is None:
        text = decode_page(body, path)  # no charset in the headers: the page's own <meta>, else as a page is read
    if len(text) > MAX_TEXT_CHARS:
        raise too_large(path, "网页文字", f"{MAX_TEXT_CHARS:,} 个字符")
    doc = parse_html_text(text, path)
    if not doc.title_hint:
        subject = msg.get("Subject")
        if subject:
            try:
                doc.title_hint = str(email.header.make_header(email.header.decode_header(subject)))
            except Exception:  # noqa: BLE001 - a malformed encoded word: no title from it
                pass
    return doc
