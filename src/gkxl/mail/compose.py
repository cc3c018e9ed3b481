"""Messages to agencies: the Chinese subject and body from an editable template,
the workbook attached under a Chinese file name every client shows right.

A message template is a text file: the first line `主题：...`, then the body.
Placeholders are in braces, Chinese or English: {年度}/{year}, {单位名称}/
{agency_name}, {单位代码}/{agency_code}, {截止日期}/{deadline}, {附件名}/
{attachment}, {表名}/{form_title} (the form's title, from its form file), and for feedback {修改意见}/{feedback}. `{{` and `}}` are
literal braces. Nothing else is evaluated (no format-string attribute access).

The attachment name is written twice: RFC 2231 (`filename*=utf-8''...`, the
standard, read by Outlook, Foxmail, Thunderbird, webmail) and an RFC 2047
`name=` on Content-Type, which older Chinese government mail systems read.
"""

from __future__ import annotations

import re
import io
from email import encoders, policy
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from ..errors import MailError, os_reason
from ..files.textfile import decode_local
from .names import block_text, inline_text, is_addr_spec, shown

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
XLSM_TYPE = ("application", "vnd.ms-excel.sheet.macroEnabled.12")

DEFAULT_TEMPLATES = {
    "templates": """主题：{年度}年度{表名}（{单位名称}）

{单位名称}：

    现将{年度}年度{表名}发给你单位，请于{截止日期}前填写完毕，并以附件形式回复本邮件。

    填写说明：
    1. 请直接在附件“{附件名}”中填写，不要改动表格结构，不要另存为 .xls 或 .et 格式；
    2. 没有发生的事项请填 0，不要留空；
    3. 每张表第 2 行会显示检查结果，请确认各表都显示“✔ 通过”后再发送；
    4. 附件已写明你单位的名称和代码（单位代码 {单位代码}），请勿用其他单位的表格填报。

    如有疑问，请直接回复本邮件。
""",
    "feedback": """主题：【请修改】{年度}年度{表名}（{单位名称}）

{修改意见}
请于{截止日期}前修改完毕，并以附件形式回复本邮件（附件：“{附件名}”）。
""",
}

PLACEHOLDERS = {
    "年度": "year", "year": "year",
    "单位名称": "agency_name", "agency_name": "agency_name",
    "单位代码": "agency_code", "agency_code": "agency_code",
    "截止日期": "deadline", "deadline": "deadline",
    "附件名": "attachment", "attachment": "attachment",
    "修改意见": "feedback", "feedback": "feedback",
    "表名": "form_title", "form_title": "form_title",
}
DEFAULT_DEADLINE = "通知规定的时间"
_FIELD = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}")
_UNSAFE = re.compile('[\\\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]')
_MSGID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>")


def load_message_template(kind: str, path: str | Path | None = None) -> str:
    """The template text: the file given, else gkxl's default for `kind`."""
    if path is None:
        return DEFAULT_TEMPLATES[kind]
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise MailError(f"无法读取邮件模板 {p}：{os_reason(e)}", code="MAIL_TEMPLATE", path=str(p)) from None
    text = decode_local(raw)
    if text is None:
        raise MailError(f"邮件模板 {p} 的编码无法识别（请存为 UTF-8）", code="MAIL_TEMPLATE", path=str(p))
    split_template(text, str(p))
    return text


def split_template(text: str, label: str = "邮件模板") -> tuple[str, str]:
    """(subject template, body template)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    m = re.match(r"^\s*(?:主题|标题|subject)\s*[:：]\s*(.*)$", lines[0] if lines else "", re.I)
    if not m:
        raise MailError(f"{label} 的第一行应为“主题：……”（邮件主题），其后是正文", code="MAIL_TEMPLATE")
    body = lines[1:]
    while body and not body[0].strip():
        body.pop(0)
    return m.group(1).strip(), "\n".join(body).rstrip() + "\n"


def fill(template: str, values: dict[str, str], label: str = "邮件模板") -> str:
    def sub(m: re.Match) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        key = PLACEHOLDERS.get(m.group(1).strip())
        if key is None:
            allowed = "、".join("{" + k + "}" for k in PLACEHOLDERS if not k.isascii())
            raise MailError(f"{label} 中的占位符 {m.group(0)} 无法识别；可用的有：{allowed}", code="MAIL_TEMPLATE")
        return values.get(key, "")
    return _FIELD.sub(sub, template)


def render(template: str, values: dict[str, str], label: str = "邮件模板") -> tuple[str, str]:
    """(subject, body). Values come from the roster and workbooks: none of them
    may bring a control character into the subject, nor a line break into a
    one-line value of the body (only {修改意见} is several lines)."""
    subj, body = split_template(template, label)
    clean = {k: block_text(v) if k == "feedback" else inline_text(v) for k, v in values.items()}
    return inline_text(fill(subj, clean, label)), block_text(fill(body, clean, label))


def safe_filename(name: str) -> str:
    """A file name for the attachment: no path characters, not too long."""
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 64:  # RFC 2231-encoded, a CJK character takes 9 bytes of a 998-byte line
        name = stem[:58] + "." + ext
    return name or "附件.xlsx"


def _attachment_part(data: bytes, filename: str) -> MIMEBase:
    maintype, subtype = XLSM_TYPE if filename.lower().endswith(".xlsm") else XLSX_TYPE
    part = MIMEBase(maintype, subtype)
    part.set_payload(data)
    encoders.encode_base64(part)
    if filename.isascii():
        part.set_param("name", filename)
        part.add_header("Content-Disposition", "attachment", filename=filename)
    else:
        # RFC 2047 in name= for old clients, RFC 2231 in filename*= for everyone else
        part.set_param("name", Header(filename, "utf-8").encode(maxlinelen=10_000))
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
    return part


def check_address(addr: str, role: str = "收件人") -> str:
    """The address if it is exactly one plain addr-spec, else MailError: an address
    is written into a header and an SMTP command, where a line break or a second
    address would add a recipient or a header."""
    if not is_addr_spec(addr):
        raise MailError(f"{role}地址 {shown(str(addr))} 不是有效的邮箱地址（应形如 name@example.gov.cn，"
                        f"不能含换行等控制字符），未发送", code="MAIL_ADDRESS")
    return addr


def build_message(*, subject: str, body: str, to: list[tuple[str, str]], sender: str = "",
                  sender_name: str = "", attachment: bytes | None = None, filename: str = "",
                  in_reply_to: str = "", draft: bool = False) -> Message:
    """One message. Built with the compat32 MIME classes because they leave a
    header exactly as set (the newer API re-folds Content-Type into encoded
    words that no client can read); every non-ASCII header is RFC 2047,
    bodies are base64, so any SMTP server takes it.

    Every address must be one addr-spec (MailError otherwise); names, subject
    and body lose their control characters, so nothing can add a header."""
    to = [(inline_text(n), check_address(a)) for n, a in to]
    if sender:
        check_address(sender, "发件人")
    sender_name, subject, body = inline_text(sender_name), inline_text(subject), block_text(body)
    in_reply_to = in_reply_to.strip() if _MSGID.fullmatch(in_reply_to.strip()) else ""
    filename = safe_filename(filename) if filename else filename
    msg: Message = MIMEMultipart("mixed") if attachment is not None else MIMEText(body, "plain", "utf-8")
    msg["Subject"] = Header(subject, "utf-8", header_name="Subject")
    if sender:
        msg["From"] = formataddr((sender_name, sender), charset="utf-8") if sender_name else sender
    msg["To"] = ", ".join(formataddr((n, a), charset="utf-8") for n, a in to)
    msg["Date"] = formatdate(localtime=True)
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "gkxl.invalid"
    msg["Message-ID"] = make_msgid("gkxl", domain=domain)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg["X-Mailer"] = "gkxl"
    if draft:
        msg["X-Unsent"] = "1"  # Outlook opens the .eml as a draft ready to send
    if attachment is not None:
        msg.attach(MIMEText(body, "plain", "utf-8"))
        msg.attach(_attachment_part(attachment, filename))
    return msg


def message_bytes(msg: Message) -> bytes:
    """The message as it goes on the wire (CRLF line ends)."""
    buf = io.BytesIO()
    BytesGenerator(buf, policy=policy.compat32.clone(linesep="\r\n")).flatten(msg)
    return buf.getvalue()
