"""`gkxl collect` from a real IMAP server (dovecot) on loopback."""

from __future__ import annotations

import imaplib
import ssl
import time

import pytest

import mail_corpus as mc
from gkxl.mail import manifest as mf
from gkxl.mail.sources import imap_utf7
from mail_servers import DOVECOT, dovecot_server

pytestmark = pytest.mark.skipif(DOVECOT is None, reason="dovecot 未安装（apt-get install dovecot-imapd）")


@pytest.fixture(scope="module")
def imap():
    with dovecot_server() as srv:
        ctx = ssl.create_default_context(cafile=str(srv["cert"]))
        conn = imaplib.IMAP4_SSL("127.0.0.1", srv["imaps_port"], ssl_context=ctx, timeout=10)
        conn.login(srv["user"], srv["password"])
        books = {k: mc.workbook(k, n) for k, n in (("A01", "某某市财政局"), ("A02", "某某市教育局"))}
        msgs = [
            mc.message([mc._xlsx_part(books["A01"], ("gbk", "", "财政局报表.xlsx"))],
                       sender="caizheng@example.gov.cn", subject="财政局报表", date=mc.when(5), mid="imap1"),
            mc.message([mc._xlsx_part(books["A02"], mc.b("教育局.xlsx", "gb2312"))],
                       sender="jiaoyu@example.gov.cn", subject="教育局报表", date=mc.when(6), mid="imap2"),
            mc.message([mc.winmail()], sender="jiaoyu@example.gov.cn", subject="RTF", date=mc.when(7), mid="imap3"),
        ]
        for m in msgs[:2]:
            conn.append("INBOX", None, imaplib.Time2Internaldate(time.time()), m.as_bytes())
        folder = '"' + imap_utf7("报表回执") + '"'
        assert conn.create(folder)[0] == "OK"
        conn.append(folder, None, None, msgs[2].as_bytes())
        conn.logout()
        books["A01v2"] = mc.workbook("A01", "某某市财政局", "2")
        srv["books"] = books
        srv["same_id"] = mc.message([mc._xlsx_part(books["A01v2"], "财政局报表（更正）.xlsx")],
                                    sender="caizheng@example.gov.cn", subject="更正", date=mc.when(9), mid="imap1")
        srv["more"] = mc.message([mc._xlsx_part(books["A01"], "again.xlsx")], sender="caizheng@example.gov.cn",
                                 subject="再发", date=mc.when(8), mid="imap4")
        yield srv


def _unseen(srv) -> int:
    ctx = ssl.create_default_context(cafile=str(srv["cert"]))
    conn = imaplib.IMAP4_SSL("127.0.0.1", srv["imaps_port"], ssl_context=ctx, timeout=10)
    conn.login(srv["user"], srv["password"])
    conn.select("INBOX", readonly=True)
    n = len(conn.search(None, "UNSEEN")[1][0].split())
    conn.logout()
    return n


def test_collect_over_imaps(imap, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GKXL_IMAP_PASSWORD", imap["password"])
    out = tmp_path / "out"
    url = f"imaps://{imap['user']}@127.0.0.1:{imap['imaps_port']}/INBOX"
    code, stdout, err = cli("collect", url, f"imaps://{imap['user']}@127.0.0.1:{imap['imaps_port']}/报表回执",
                            "--out", out, "--ca-file", imap["cert"])
    assert code == 0, err
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    atts = {r["attachment_name"]: r for r in rows if r["record"] == mf.ATTACHMENT}
    assert atts["财政局报表.xlsx"]["fate"] == mf.SAVED and atts["教育局.xlsx"]["fate"] == mf.SAVED
    assert atts["winmail.dat"]["fate"] == mf.NOT_SPREADSHEET
    saved = out / atts["财政局报表.xlsx"]["saved_as"]
    assert saved.parent.name == "A01" and saved.read_bytes() == imap["books"]["A01"]
    assert "UID=" in atts["财政局报表.xlsx"]["source"]
    assert _unseen(imap) == 2  # collect only looks: BODY.PEEK leaves mail unread
    # again, plus one new message: only the new one is fetched and recorded
    ctx = ssl.create_default_context(cafile=str(imap["cert"]))
    conn = imaplib.IMAP4_SSL("127.0.0.1", imap["imaps_port"], ssl_context=ctx, timeout=10)
    conn.login(imap["user"], imap["password"])
    conn.append("INBOX", None, None, imap["more"].as_bytes())
    conn.logout()
    code, stdout, err = cli("collect", url, "--out", out, "--ca-file", imap["cert"])
    assert code == 0, err
    rows2 = mf.read_manifest(out / mf.MANIFEST_NAME)
    assert len(rows2) == len(rows) + 2
    assert rows2[-1]["fate"] == mf.DUPLICATE and rows2[-1]["message_id"] == "<imap4@example.gov.cn>"
    assert "UIDVALIDITY=" in rows2[-1]["source"]  # what lets a later run skip it unfetched
    # a different message under a Message-ID already collected: fetched, saved, recorded
    conn = imaplib.IMAP4_SSL("127.0.0.1", imap["imaps_port"], ssl_context=ctx, timeout=10)
    conn.login(imap["user"], imap["password"])
    conn.append("INBOX", None, None, imap["same_id"].as_bytes())
    conn.logout()
    code, stdout, err = cli("collect", url, "--out", out, "--ca-file", imap["cert"])
    assert code == 0 and "Message-ID 相同" in err, err
    rows3 = mf.read_manifest(out / mf.MANIFEST_NAME)
    assert len(rows3) == len(rows2) + 2
    assert rows3[-2]["message_id"] == "<imap1@example.gov.cn>" and "内容不同" in rows3[-2]["warning"]
    assert rows3[-1]["fate"] == mf.SAVED and rows3[-1]["agency_code"] == "A01"
    assert (out / rows3[-1]["saved_as"]).read_bytes() == imap["books"]["A01v2"]
    code, stdout, err = cli("collect", url, "--out", out, "--ca-file", imap["cert"])
    assert code == 0 and mf.read_manifest(out / mf.MANIFEST_NAME) == rows3


def test_imap_errors(imap, cli, tmp_path, monkeypatch):
    url = f"imaps://{imap['user']}@127.0.0.1:{imap['imaps_port']}/INBOX"
    monkeypatch.setenv("GKXL_IMAP_PASSWORD", imap["password"])
    code, _, err = cli("collect", url, "--out", tmp_path / "o")  # self-signed, no --ca-file
    assert code == 2 and "证书" in err, err
    code, _, err = cli("collect", url.replace("/INBOX", "/没有这个"), "--out", tmp_path / "o", "--ca-file", imap["cert"])
    assert code == 2 and "没有这个" in err, err
    plain = f"imap://{imap['user']}@127.0.0.1:{imap['imap_port']}/INBOX"
    # dovecot offers STARTTLS on the plain port: imap:// upgrades, no flag needed
    code, _, err = cli("collect", plain, "--out", tmp_path / "p", "--ca-file", imap["cert"])
    assert code == 0, err
    monkeypatch.delenv("GKXL_IMAP_PASSWORD")
    code, _, err = cli("collect", url, "--out", tmp_path / "o", "--ca-file", imap["cert"])
    assert code == 2 and "GKXL_IMAP_PASSWORD" in err
    # last: after a failed login dovecot slows down further logins from this address
    monkeypatch.setenv("GKXL_IMAP_PASSWORD", "wrong")
    code, _, err = cli("collect", url, "--out", tmp_path / "o", "--ca-file", imap["cert"])
    assert code == 2 and "登录失败" in err, err
