"""Name and header decoding, manifest cells: the small pieces collect relies on."""

from __future__ import annotations

import base64
import email

import pytest
from hypothesis import given, strategies as st

from gkxl.mail.manifest import neutralise, render_manifest, restore, _parse
from gkxl.mail.names import decode_bytes, decode_text
from gkxl.mail.parse import attachment_name
from gkxl.mail.sources import imap_utf7, parse_imap_url
from gkxl.errors import MailError

NAME = "2025年度统计表（財政局·璟）.xlsx"  # 財 and 璟 are outside GB2312


@pytest.mark.parametrize("cs", ["gbk", "gb18030", "utf-8"])
def test_rfc2231_any_charset(cs):
    from urllib.parse import quote
    raw = f"Content-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n filename*={cs}''{quote(NAME, encoding=cs)}\r\n\r\nx"
    assert attachment_name(email.message_from_string(raw)) == NAME


def test_rfc2231_continuations_declared_gb2312_but_gbk():
    from urllib.parse import quote
    data = NAME.encode("gbk")
    i = data.index("統".encode("gbk")[0] if "統" in NAME else NAME[9].encode("gbk")[0]) + 1  # inside a character
    raw = (f"Content-Disposition: attachment;\r\n filename*0*=gb2312''{quote(data[:i])};\r\n"
           f" filename*1*={quote(data[i:])}\r\n\r\nx")
    assert attachment_name(email.message_from_string(raw)) == NAME


@pytest.mark.parametrize("declared,actual", [("gbk", "gbk"), ("gb2312", "gbk"), ("gb2312", "utf-8"),
                                             ("utf-8", "gb18030"), ("GB18030", "gb18030")])
def test_rfc2047_words_inside_quotes_and_mis_declared(declared, actual):
    word = f"=?{declared}?B?{base64.b64encode(NAME.encode(actual)).decode()}?="
    raw = f'Content-Type: application/vnd.ms-excel; name="{word}"\r\n\r\nx'
    assert attachment_name(email.message_from_string(raw)) == NAME


def test_rfc2047_glued_words_split_mid_character():
    data = NAME.encode("gbk")
    w1 = base64.b64encode(data[:5]).decode()
    w2 = base64.b64encode(data[5:]).decode()
    assert decode_text(f"=?GBK?B?{w1}?==?GBK?B?{w2}?=") == NAME


def test_raw_8bit_header_bytes():
    for enc in ("gbk", "utf-8"):
        raw = b"Content-Disposition: attachment; filename=\"" + NAME.encode(enc) + b"\"\r\n\r\nx"
        assert attachment_name(email.message_from_bytes(raw)) == NAME


def test_names_never_carry_a_path():
    for bad in ("../../x.xlsx", "..\\..\\x.xlsx", "/etc/x.xlsx", "C:\\Users\\x.xlsx"):
        raw = f'Content-Disposition: attachment; filename="{bad}"\r\n\r\nx'
        assert attachment_name(email.message_from_string(raw)) == "x.xlsx"


def test_decode_bytes_fallbacks():
    assert decode_bytes("中文".encode("utf-8"), "gb2312") == "中文"
    assert decode_bytes(b"\xff\xfe\xfd", "nonsense-charset")  # never raises


@given(st.text())
def test_manifest_cells_round_trip(text):
    cell = neutralise(text)
    assert not cell.startswith(("=", "+", "-", "@"))
    assert restore(cell) == text


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20), min_size=18, max_size=18))
def test_manifest_rows_round_trip(values):
    from gkxl.mail.manifest import KEYS
    row = dict(zip(KEYS, values))
    row["record"] = "附件"
    assert _parse(render_manifest([row]), "m") == [row]


def test_imap_url_and_folder_names():
    t = parse_imap_url("imaps://gongkai%40example.gov.cn@imap.example.gov.cn/%E6%94%B6%E4%BB%B6%E7%AE%B1")
    assert (t.user, t.host, t.port, t.folder, t.tls) == ("gongkai@example.gov.cn", "imap.example.gov.cn", 993,
                                                         "收件箱", "ssl")
    assert parse_imap_url("imap://u@h").port == 143 and parse_imap_url("imap://u@h").folder == "INBOX"
    assert imap_utf7("收件箱") == "&ZTZO9nux-" and imap_utf7("A&B") == "A&-B" and imap_utf7("INBOX") == "INBOX"
    with pytest.raises(MailError):
        parse_imap_url("https://u@h/INBOX")


# ---------------------------------------------------------------- recipients, cleaning, fingerprints

@pytest.mark.parametrize("cell,want", [
    ("a@b.cn", ["a@b.cn"]),
    ("a@b.cn; c@d.gov.cn，e@f.cn、A@B.cn", ["a@b.cn", "c@d.gov.cn", "e@f.cn"]),
    ("  a@b.cn  ", ["a@b.cn"]),
    ("", []),
])
def test_recipients_accepts_plain_lists(cell, want):
    from gkxl.mail.names import recipients
    assert recipients(cell) == (want, "")


@pytest.mark.parametrize("cell,why", [
    ("a@b.cn\r\nBcc: evil@x.cn", "控制字符"),
    ("a@b.cn\nevil@x.cn", "控制字符"),
    ("a@b.cn\u2028evil@x.cn", "控制字符"),
    ("a@b.cn Bcc: evil@x.cn", "“Bcc:”"),
    ("张三 <a@b.cn>", "不是有效的邮箱地址"),
    ("a@b", "不是有效的邮箱地址"),
    ("a@@b.cn", "不是有效的邮箱地址"),
])
def test_recipients_refuses_the_whole_cell(cell, why):
    from gkxl.mail.names import recipients
    got, reason = recipients(cell)
    assert got == [] and why in reason and "\n" not in reason and "\r" not in reason


@given(st.text())
def test_recipients_never_yield_a_control_character(cell):
    from gkxl.mail.names import CONTROL_RE, is_addr_spec, recipients
    got, reason = recipients(cell)
    assert all(is_addr_spec(a) and not CONTROL_RE.search(a) for a in got)
    assert bool(got) + bool(reason) <= 1


@given(st.text())
def test_inline_text_is_one_line(value):
    from gkxl.mail.names import CONTROL_RE, inline_text
    out = inline_text(value)
    assert not CONTROL_RE.search(out) and out == out.strip()


def test_fingerprint_ignores_line_ends_only():
    from gkxl.mail.collect import fingerprint
    raw = b"From: a@b.cn\nSubject: x\n\nbody\n"
    assert fingerprint(raw) == fingerprint(raw.replace(b"\n", b"\r\n")) == fingerprint(raw + b"\n")
    assert fingerprint(raw) != fingerprint(raw.replace(b"body", b"bodY"))


def test_zip_member_names_gbk_utf8_flagged_or_not():
    import mail_corpus as mc
    from gkxl.mail.archive import Budget, members
    from gkxl.mail.parse import Attachment
    for flag in (False, True):
        data = mc.raw_zip([("统计表（财政局）.xlsx".encode("gbk"), b"x"), ("说明.txt".encode("utf-8"), b"y")],
                          utf8_flag=flag)
        got = list(members(Attachment("包.zip", "application/zip", data, len(data), "2"), 1 << 20, Budget()))
        assert [m.att.name for m in got] == ["包.zip/统计表（财政局）.xlsx", "包.zip/说明.txt"]
        assert [m.att.data for m in got] == [b"x", b"y"]
