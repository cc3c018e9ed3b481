"""One raw message -> its header facts and every attachment in it.

The parser is the lenient `compat32` one: it never raises on a malformed
message, it records defects instead. Attachments are searched in the whole
MIME tree, forwarded messages (message/rfc822, or an attached .eml) included.
A multipart whose declared boundary never occurs in the body is re-parsed
with the boundary that really does (a known bug of some webmail senders).
"""

from __future__ import annotations

import email
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import errors as email_errors
from email.message import Message
from email.utils import parsedate_to_datetime

from .names import addresses, clean_name, decode_bytes, decode_text, header_text, raw_header

BEIJING = timezone(timedelta(hours=8), "北京时间")
MAX_DEPTH = 8  # nested forwards
MAX_PARTS = 500  # a message with more parts than this is junk or an attack

# The parser's defects (English class names) that say something about the
# clerk's file, in Chinese; the others change nothing gkxl does.
BASE64_DEFECTS = (email_errors.InvalidBase64PaddingDefect, email_errors.InvalidBase64CharactersDefect,
                  email_errors.InvalidBase64LengthDefect)
BASE64_NOTE = "附件的编码（base64）有误，邮件可能在传输中损坏，附件内容可能不完整"
TRUNCATED_NOTE = "邮件不完整（缺少结束分隔符），可能在传输中被截断，最后一个附件可能不完整"


@dataclass
class Attachment:
    name: str  # decoded, for display only
    content_type: str
    data: bytes | None  # None when too large (never decoded)
    size: int  # decoded size, or an estimate when too large
    path: str  # where in the message: "2" or "3/fwd/1" (for the manifest)
    note: str = ""  # a Chinese warning about the file (e.g. damaged encoding)


@dataclass
class ParsedMessage:
    message_id: str
    sender: str  # the address only
    sender_display: str
    subject: str
    date: datetime | None
    received: datetime | None  # from the newest Received: header
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_mail: bool = True
    sha256: str = ""


def to_beijing(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    return dt.astimezone(BEIJING)


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return to_beijing(parsedate_to_datetime(value.strip()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _received(msg: Message) -> datetime | None:
    for value in msg.get_all("Received", []) or []:
        text = str(value)
        if ";" in text:
            dt = _date(text.rsplit(";", 1)[1])
            if dt is not None:
                return dt
    return None


def _param(part: Message, name: str, header: str) -> str:
    raw = raw_header(part, header)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        # undeclared 8-bit bytes: decode the whole header first, then parse it
        tmp = Message()
        tmp[header] = decode_bytes(raw.encode("utf-8", errors="surrogateescape"))
        part = tmp
    try:
        value = part.get_param(name, None, header)
    except Exception:
        return ""
    if value is None:
        return ""
    return decode_text(value)


def attachment_name(part: Message) -> str:
    """filename= (RFC 2231 or not) of Content-Disposition, else name= of Content-Type."""
    return clean_name(_param(part, "filename", "content-disposition") or _param(part, "name", "content-type"))


def _is_attachment(part: Message, name: str) -> bool:
    if name:
        return True
    disp = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    if disp == "attachment":
        return True
    ctype = part.get_content_type()
    return ctype.startswith("application/") or "excel" in ctype or "spreadsheet" in ctype


def _estimated_size(payload: str, cte: str) -> int:
    if cte == "base64":
        return (len(payload) - payload.count("\n") - payload.count("\r")) * 3 // 4
    return len(payload)


def _payload(part: Message, limit: int) -> tuple[bytes | None, int]:
    raw = part.get_payload()
    if not isinstance(raw, str):
        return b"", 0
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    est = _estimated_size(raw, cte)
    if est > limit + 4096:
        return None, est
    data = part.get_payload(decode=True) or b""
    if len(data) > limit:
        return None, len(data)
    return data, len(data)


def _fix_boundary(raw: bytes, msg: Message) -> Message | None:
    """Re-parse a multipart whose declared boundary is absent from the body."""
    boundary = msg.get_boundary()
    if boundary is not None and b"\n--" + boundary.encode("latin-1", "replace") in raw:
        return None
    ends = [(i, s) for s in (b"\r\n\r\n", b"\n\n") if (i := raw.find(s)) >= 0]
    if not ends:
        return None
    i, sep = min(ends)
    head, body = raw[:i], raw[i + len(sep):]
    candidates = Counter(m.group(1) for m in re.finditer(rb"(?m)^--([\x21-\x7e]{6,70}?)(?:--)?\r?$", body))
    if not candidates:
        return None
    real = candidates.most_common(1)[0][0].decode("ascii")
    fixed, n = re.subn(rb'boundary\s*=\s*("[^"]*"|[^;\s]*)', b'boundary="' + real.encode() + b'"', head,
                       count=1, flags=re.I)
    if not n:
        fixed = re.sub(rb"(?im)^(content-type:\s*multipart/[\w.+-]+)", rb'\1; boundary="' + real.encode() + b'"',
                       head, count=1)
    return email.message_from_bytes(fixed + sep + body)


def _walk(part: Message, path: str, depth: int, limit: int, out: list[Attachment],
          problems: list[str], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        msg = f"邮件的部件数量过多，只处理了前 {MAX_PARTS} 个"
        if msg not in problems:
            problems.append(msg)
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        if ctype == "message/rfc822" or ctype.startswith("message/"):
            if depth >= MAX_DEPTH:
                problems.append("转发层数过多，更深的附件未处理")
                return
            for i, inner in enumerate(part.get_payload() or [], 1):
                if isinstance(inner, Message):
                    _walk(inner, f"{path}/转发{i}" if path else f"转发{i}", depth + 1, limit, out, problems, budget)
            return
        if any(isinstance(d, email_errors.CloseBoundaryNotFoundDefect) for d in part.defects) \
                and TRUNCATED_NOTE not in problems:
            problems.append(TRUNCATED_NOTE)
        for i, sub in enumerate(part.get_payload() or [], 1):
            if isinstance(sub, Message):
                _walk(sub, f"{path}.{i}" if path else str(i), depth, limit, out, problems, budget)
        return
    name = attachment_name(part)
    if not _is_attachment(part, name):
        return
    data, size = _payload(part, limit)
    if data is not None and name.lower().endswith(".eml") and depth < MAX_DEPTH and data[:200].count(b":") >= 2:
        # a forwarded message attached as a file: look inside, too
        inner = email.message_from_bytes(data)
        if inner.keys():
            before = len(out)
            _walk(inner, f"{path}/{name}", depth + 1, limit, out, problems, budget)
            if len(out) > before:
                return
    note = BASE64_NOTE if any(isinstance(d, BASE64_DEFECTS) for d in part.defects) else ""
    out.append(Attachment(name=name, content_type=ctype, data=data, size=size, path=path or "1", note=note))


def parse_message(raw: bytes, limit: int) -> ParsedMessage:
    """Header facts and attachments of one message. Never raises."""
    sha = hashlib.sha256(raw).hexdigest()
    msg = email.message_from_bytes(raw)
    problems: list[str] = []
    if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
        fixed = _fix_boundary(raw, msg)
        if fixed is not None and fixed.is_multipart():
            msg = fixed
            problems.append("邮件结构有误（分隔符与声明不符），已按实际分隔符恢复")
        else:
            problems.append("邮件结构损坏（MIME 分隔符缺失或不符），附件无法分离")
    from_value = header_text(msg, "From")
    addrs = addresses(from_value)
    pm = ParsedMessage(
        message_id=" ".join(str(msg.get("Message-ID", "") or "").split()),
        sender=addrs[0] if addrs else "",
        sender_display=from_value,
        subject=header_text(msg, "Subject"),
        date=_date(str(msg.get("Date", "") or "")),
        received=_received(msg),
        problems=problems,
        sha256=sha,
    )
    known = ("from", "to", "subject", "date", "message-id", "received", "content-type", "mime-version",
             "return-path", "cc", "sender", "reply-to", "x-mailer", "delivered-to")
    pm.is_mail = bool(raw.strip()) and any(k.lower() in known for k in msg.keys())
    if not pm.is_mail:
        return pm
    budget = [MAX_PARTS]
    _walk(msg, "", 0, limit, pm.attachments, pm.problems, budget)
    return pm
