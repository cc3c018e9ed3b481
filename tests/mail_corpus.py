"""Real-shaped mail for the collect tests: what Outlook, Foxmail, QQ Mail, 163
and government webmail actually send, built with the email package or, for
the broken cases, byte by byte."""

from __future__ import annotations

import base64
import io
import zipfile
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

from gkxl.form import load_form
from gkxl.roster import Agency
from gkxl.template import Fill, render_workbook

BJ = timezone(timedelta(hours=8))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROSTER_CSV = ("单位代码,单位名称,邮箱\r\n"
              "A01,某某市财政局,caizheng@example.gov.cn\r\n"
              "A02,某某市教育局,jiaoyu@example.gov.cn\r\n"
              "A03,某某市卫生健康委员会,weijian@example.gov.cn\r\n"
              "A04,某某市公安局,\r\n")


def workbook(code: str, name: str, version: str = "1", year: int = 2025) -> bytes:
    """A filled return of the real form for one agency; `version` changes its bytes."""
    return render_workbook(load_form(), year=year, agency=Agency(code, name),
                           fill=Fill(meta={"test_version": version}), kind="return")


def plain_workbook() -> bytes:
    """A workbook that gkxl did not make: no identity, no cover."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active["A1"] = "随便一张表"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def when(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 1, day, hour, 30, 0, tzinfo=BJ)


def _headers(msg, *, sender: str, subject: str, date: datetime, mid: str) -> None:
    msg["From"] = sender
    msg["To"] = "gongkai@example.gov.cn"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = f"<{mid}@example.gov.cn>"


def _xlsx_part(data: bytes, disposition: tuple | str | None = None, name: str | None = None,
               ctype: str = XLSX) -> MIMEBase:
    part = MIMEBase(*ctype.split("/", 1))
    part.set_payload(data)
    encoders.encode_base64(part)
    if name is not None:
        part.set_param("name", name)
    if disposition is not None:
        part.add_header("Content-Disposition", "attachment", filename=disposition)
    return part


def message(parts: list, *, sender: str, subject: str, date: datetime, mid: str, body: str = "附件是我单位的报表，请查收。"):
    msg = MIMEMultipart()
    _headers(msg, sender=sender, subject=subject, date=date, mid=mid)
    msg.attach(MIMEText(body, "plain", "utf-8"))
    for p in parts:
        msg.attach(p)
    return msg


def b(s: str, cs: str) -> str:
    """An RFC 2047 B-word."""
    return f"=?{cs}?B?{base64.b64encode(s.encode(cs)).decode()}?="


def raw_gbk_filename(data: bytes, name: str, *, sender: str, date: datetime, mid: str) -> bytes:
    """Old webmail: the file name as raw GBK bytes in the header, nothing declared."""
    payload = base64.encodebytes(data)
    return (b"From: " + sender.encode() + b"\r\nTo: gongkai@example.gov.cn\r\n"
            b"Subject: =?GBK?B?" + base64.b64encode("报表".encode("gbk")) + b"?=\r\n"
            b"Date: " + format_datetime(date).encode() + b"\r\nMessage-ID: <" + mid.encode() + b"@example.gov.cn>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"----=_Part_1\"\r\n\r\n"
            b"------=_Part_1\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "请查收".encode("gbk") + b"\r\n"
            b"------=_Part_1\r\nContent-Type: application/octet-stream; name=\"" + name.encode("gbk") + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"" + name.encode("gbk") + b"\"\r\n\r\n"
            + payload.replace(b"\n", b"\r\n") + b"------=_Part_1--\r\n")


def bad_boundary(data: bytes, *, sender: str, date: datetime, mid: str, declared: str = "declared-boundary") -> bytes:
    """A multipart whose declared boundary never occurs: the parts use another one."""
    payload = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (b"From: " + sender.encode() + b"\r\nSubject: bad boundary\r\nDate: " + format_datetime(date).encode()
            + b"\r\nMessage-ID: <" + mid.encode() + b"@example.gov.cn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"" + declared.encode() + b"\"\r\n\r\n"
            b"--real-boundary-123\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
            b"--real-boundary-123\r\nContent-Type: " + XLSX.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"return.xlsx\"\r\n\r\n" + payload +
            b"--real-boundary-123--\r\n")


def broken_multipart(*, sender: str, date: datetime, mid: str) -> bytes:
    """A multipart with no boundary lines at all (truncated in transit)."""
    return (b"From: " + sender.encode() + b"\r\nSubject: truncated\r\nDate: " + format_datetime(date).encode()
            + b"\r\nMessage-ID: <" + mid.encode() + b"@example.gov.cn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"abc\"\r\n\r\nUEsDBBQAAAAIAAAAIQ\r\n")


def big_attachment(size: int, *, sender: str, date: datetime, mid: str) -> bytes:
    """A message with one `size`-byte attachment, built without encoding anything
    (base64 of zero bytes is "A"), so 50 MB costs next to nothing."""
    assert size % 3 == 0
    line = b"A" * 76 + b"\r\n"
    n, rest = divmod(size // 3 * 4, 76)
    body = line * n + b"A" * rest + b"\r\n"
    return (b"From: " + sender.encode() + b"\r\nSubject: big\r\nDate: " + format_datetime(date).encode()
            + b"\r\nMessage-ID: <" + mid.encode() + b"@example.gov.cn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"bb\"\r\n\r\n--bb\r\nContent-Type: text/plain\r\n\r\nbig\r\n"
            b"--bb\r\nContent-Type: " + XLSX.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"big.xlsx\"\r\n\r\n" + body + b"--bb--\r\n")


def truncated_zip(data: bytes) -> bytes:
    return data[: len(data) // 2]


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000


def winmail() -> MIMEBase:
    part = MIMEBase("application", "ms-tnef")
    part.set_payload(b"\x78\x9f\x3e\x22" + b"\x00junk" * 50)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename="winmail.dat")
    return part


def forwarded(inner) -> MIMEMessage:
    return MIMEMessage(inner)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    return buf.getvalue()


def docx_bytes() -> bytes:
    """What a Word document is to collect: a zip, but an Office package, not an archive."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _crc_step(crc: int, byte: int) -> int:
    for _ in range(8):
        crc = (crc >> 1) ^ 0xEDB88320 if (crc ^ byte) & 1 else crc >> 1
        byte >>= 1
    return crc


def _zipcrypto(data: bytes, crc: int, password: bytes) -> bytes:
    """PKWARE traditional encryption, as WinRAR, 7-Zip and `zip -P` write it."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(c: int) -> None:
        keys[0] = _crc_step(keys[0], c)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = _crc_step(keys[2], keys[1] >> 24)
    for c in password:
        update(c)
    out = bytearray()
    for c in bytes(range(11)) + bytes([crc >> 24]) + data:
        k = keys[2] | 2
        out.append(c ^ (((k * (k ^ 1)) >> 8) & 0xFF))
        update(c)
    return bytes(out)


def raw_zip(entries: list[tuple[bytes, bytes]], *, utf8_flag: bool = False, password: bytes | None = None) -> bytes:
    """A zip written byte by byte (stored): member names exactly as the given bytes
    (GBK from a Chinese Windows packer), the UTF-8 flag as told (some packers set it
    on GBK names), and encrypted when a password is given."""
    import struct
    import zlib
    local, central, offset = [], [], 0
    flags = (0x800 if utf8_flag else 0) | (0x1 if password else 0)
    for name, data in entries:
        crc = zlib.crc32(data)
        body = _zipcrypto(data, crc, password) if password else data
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, 0, 0, 0x21, crc, len(body), len(data), len(name), 0)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, 0, 0, 0x21, crc, len(body), len(data),
                                   len(name), 0, 0, 0, 0, 0, offset) + name)
        local.append(head + name + body)
        offset += len(head) + len(name) + len(body)
    cd = b"".join(central)
    return b"".join(local) + cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd),
                                              offset, 0)


def deflated_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files.items():
            z.writestr(n, d)
    return buf.getvalue()


def zip_part(data: bytes, name: str, ctype: str = "application/zip") -> MIMEBase:
    """A zip attached the way Foxmail and QQ Mail attach one (RFC 2231 UTF-8 name)."""
    return _xlsx_part(data, ("utf-8", "", name), ctype=ctype)


def run_gkxl(cwd, patch: str, args: list):
    """gkxl in a child process, after `patch` (Python) has made some library raise a
    warning: what the user's terminal shows, without pytest's warning capture."""
    import os
    import subprocess
    import sys
    script = ("import sys, warnings\n"
              "warnings.simplefilter('default')\n"
              f"{patch}\n"
              "from gkxl.cli import main\n"
              "main(sys.argv[1:])\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), PYTHONWARNINGS="default")
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], env=env, capture_output=True,
                          timeout=120, cwd=cwd)
