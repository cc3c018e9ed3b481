"""`gkxl collect` over a corpus of real-shaped messages: every attachment ends
in the manifest with the right fate, files land only where gkxl names them."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import mailbox
import os
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from pathlib import Path

import pytest

import mail_corpus as mc
from gkxl.mail import collect, received_info
from gkxl.mail import manifest as mf

MiB = 1024 * 1024


def _q(s: str) -> str:
    cs = Charset("utf-8")
    cs.header_encoding = QP
    return Header(s, cs).encode()


@pytest.fixture(scope="module")
def books():
    return {
        "A01v1": mc.workbook("A01", "某某市财政局", "1"),
        "A01v2": mc.workbook("A01", "某某市财政局", "2"),
        "A02": mc.workbook("A02", "某某市教育局"),
        "A03v1": mc.workbook("A03", "某某市卫生健康委员会", "1"),
        "A03v2": mc.workbook("A03", "某某市卫生健康委员会", "2"),
        "A04": mc.workbook("A04", "某某市公安局"),
        "B01": mc.workbook("B01", "甲单位"), "B02": mc.workbook("B02", "乙单位"), "B03": mc.workbook("B03", "丙单位"),
        "B04": mc.workbook("B04", "丁单位"),
        "evil": mc.workbook("../evil", "坏单位"),
        "plain": mc.plain_workbook(),
    }


def build_corpus(d: Path, books: dict[str, bytes]) -> None:
    """The corpus as .eml files in `d` (see the module docstring of mail_corpus)."""
    d.mkdir(parents=True, exist_ok=True)
    cz, jy, wj = "caizheng@example.gov.cn", "jiaoyu@example.gov.cn", "weijian@example.gov.cn"

    def put(name: str, msg) -> None:
        (d / name).write_bytes(msg if isinstance(msg, bytes) else msg.as_bytes())

    # RFC 2231 in GBK (Foxmail, QQ Mail)
    put("01.eml", mc.message([mc._xlsx_part(books["A01v1"], ("gbk", "", "2025年统计表-财政局.xlsx"))],
                             sender=f"财政局 <{cz}>", subject="报送2025年度统计表", date=mc.when(5), mid="m01"))
    # RFC 2047 B-word in GBK inside the quoted filename (Outlook, Foxmail); a wrong sender;
    # a subject split in the middle of a character across two encoded words
    m = mc.message([mc._xlsx_part(books["A02"], mc.b("教育局报表（2025）.xlsx", "gbk"))],
                   sender="someone@qq.com", subject="x", date=mc.when(5, 10), mid="m02")
    subj = "教育局报表".encode("utf-8")
    del m["Subject"]
    m["Subject"] = (f"=?utf-8?B?{base64.b64encode(subj[:4]).decode()}?= "
                    f"=?utf-8?B?{base64.b64encode(subj[4:]).decode()}?=")
    put("02.eml", m)
    # RFC 2047 Q-word, UTF-8, only as name= on Content-Type (no Content-Disposition)
    put("03.eml", mc.message([mc._xlsx_part(books["A03v1"], name=_q("卫健委统计表.xlsx"))],
                             sender=wj, subject="卫健委", date=mc.when(6), mid="m03"))
    # raw GBK bytes in the header, nothing declared (old webmail)
    put("04.eml", mc.raw_gbk_filename(books["A04"], "公安局统计表.xlsx", sender="gongan@example.gov.cn",
                                      date=mc.when(6, 11), mid="m04"))
    # mis-declared: says gb2312, the bytes are UTF-8; a later return of A03
    lie = "=?gb2312?B?" + base64.b64encode("卫健委-更正.xlsx".encode("utf-8")).decode() + "?="
    put("05.eml", mc.message([mc._xlsx_part(books["A03v2"], lie)], sender=wj, subject="更正", date=mc.when(8),
                             mid="m05"))
    # a forwarded message (message/rfc822) with a later return of A01 inside
    inner = mc.message([mc._xlsx_part(books["A01v2"], ("gb18030", "zh-cn", "财政局（修改后）.xlsx"))],
                       sender=cz, subject="修改后的报表", date=mc.when(7), mid="m06-inner")
    put("06.eml", mc.message([mc.forwarded(inner)], sender="bangongshi@example.gov.cn", subject="转发：修改后的报表",
                             date=mc.when(7, 12), mid="m06"))
    # Outlook's winmail.dat and nothing else
    put("07.eml", mc.message([mc.winmail()], sender=jy, subject="RTF 邮件", date=mc.when(9), mid="m07"))
    # three workbooks in one message
    put("08.eml", mc.message([mc._xlsx_part(books[k], f"{i}.xlsx") for i, k in enumerate(("B01", "B02", "B03"), 1)],
                             sender="quxian@example.gov.cn", subject="三个单位", date=mc.when(9, 13), mid="m08"))
    # path traversal in names; a workbook whose identity claims a path as its agency code
    put("09.eml", mc.message([mc._xlsx_part(books["plain"], "../../x.xlsx"),
                              mc._xlsx_part(books["evil"], "..\\..\\evil.xlsx")],
                             sender="bad@example.com", subject="路径", date=mc.when(10), mid="m09"))
    # an attachment just over 50 MB
    put("10.eml", mc.big_attachment(50 * MiB + 1, sender="big@example.gov.cn", date=mc.when(10, 11), mid="m10"))
    # declared boundary absent from the body: recovered
    put("11.eml", mc.bad_boundary(books["B04"], sender="ding@example.gov.cn", date=mc.when(11), mid="m11"))
    # a multipart with no boundary lines at all
    put("12.eml", mc.broken_multipart(sender="trunc@example.gov.cn", date=mc.when(11, 12), mid="m12"))
    # the same workbook as 02.eml, sent again
    put("13.eml", mc.message([mc._xlsx_part(books["A02"], "教育局.xlsx")], sender=jy, subject="再发一次",
                             date=mc.when(12), mid="m13"))
    # spreadsheets gkxl does not read, and a picture
    put("14.eml", mc.message([mc._xlsx_part(mc.legacy_xls(), "旧格式.xls", ctype="application/vnd.ms-excel"),
                              mc._xlsx_part(b"a,b\r\n1,2\r\n", "表.csv", ctype="text/csv"),
                              mc._xlsx_part(b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "截图.png", ctype="image/png")],
                             sender=jy, subject="旧格式", date=mc.when(12, 13), mid="m14"))
    # a truncated workbook
    put("15.eml", mc.message([mc._xlsx_part(mc.truncated_zip(books["A01v1"]), "损坏.xlsx")], sender=cz,
                             subject="损坏", date=mc.when(13), mid="m15"))
    # formula injection in the subject and the attachment name
    put("16.eml", mc.message([mc._xlsx_part(b"\x89PNG\r\n\x1a\n", "=cmd|' /C calc'!A0.png", ctype="image/png")],
                             sender="x@example.com", subject='=HYPERLINK("http://evil.example/","点我")',
                             date=mc.when(13, 14), mid="m16"))
    # no attachment at all
    plain = MIMEText("只是问个问题", "plain", "utf-8")
    mc._headers(plain, sender=jy, subject="请问截止日期", date=mc.when(14), mid="m17")
    put("17.eml", plain)
    # not a message at all
    put("18-broken.eml", bytes(range(256)) * 4)


@pytest.fixture(scope="module")
def collected(tmp_path_factory, books):
    base = tmp_path_factory.mktemp("collect")
    src = base / "inbox"
    build_corpus(src, books)
    (base / "roster.csv").write_text(mc.ROSTER_CSV, encoding="utf-8")
    out = base / "out"
    from gkxl.cli import main
    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as outbuf:
        try:
            main(["collect", str(src), "--out", str(out), "--roster", str(base / "roster.csv")])
            rc = 0
        except SystemExit as e:
            rc = e.code
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    return {"base": base, "src": src, "out": out, "rc": rc, "err": err.getvalue(), "stdout": outbuf.getvalue(),
            "rows": rows}


def att(rows, mid: str, name: str | None = None) -> list[dict]:
    found = [r for r in rows if r["record"] == mf.ATTACHMENT and r["message_id"] == f"<{mid}@example.gov.cn>"
             and (name is None or r["attachment_name"] == name)]
    assert found, f"no attachment row for {mid} {name}: {[(r['message_id'], r['attachment_name']) for r in rows]}"
    return found


def msg_row(rows, mid: str) -> dict:
    return next(r for r in rows if r["record"] == mf.MESSAGE and r["message_id"] == f"<{mid}@example.gov.cn>")


def test_exit_code_and_errors_name_the_broken_file(collected):
    assert collected["rc"] == 2  # one message file is not mail at all
    assert "18-broken.eml" in collected["err"]
    assert "Traceback" not in collected["err"]
    assert "新收邮件 18 封" in collected["stdout"]


def test_every_message_is_recorded(collected):
    rows = collected["rows"]
    msgs = [r for r in rows if r["record"] == mf.MESSAGE]
    assert len(msgs) == 18
    broken = next(r for r in msgs if r["source"].endswith("18-broken.eml"))
    assert broken["fate"] == mf.NOT_MAIL


def test_names_in_every_encoding(collected):
    rows = collected["rows"]
    assert att(rows, "m01")[0]["attachment_name"] == "2025年统计表-财政局.xlsx"  # RFC 2231 GBK
    assert att(rows, "m02")[0]["attachment_name"] == "教育局报表（2025）.xlsx"  # RFC 2047 B GBK, quoted
    assert att(rows, "m03")[0]["attachment_name"] == "卫健委统计表.xlsx"  # RFC 2047 Q UTF-8 in name=
    assert att(rows, "m04")[0]["attachment_name"] == "公安局统计表.xlsx"  # raw GBK bytes
    assert att(rows, "m05")[0]["attachment_name"] == "卫健委-更正.xlsx"  # gb2312 declared, UTF-8 sent
    assert att(rows, "m06")[0]["attachment_name"] == "财政局（修改后）.xlsx"  # inside a forward
    assert msg_row(rows, "m02")["subject"] == "教育局报表"  # split mid-character
    assert msg_row(rows, "m04")["subject"] == "报表"


def test_saved_by_identity_under_generated_names(collected, books):
    rows, out = collected["rows"], collected["out"]
    r = att(rows, "m04")[0]
    sha = hashlib.sha256(books["A04"]).hexdigest()
    assert r["fate"] == mf.SAVED and r["agency_code"] == "A04" and r["year"] == "2025"
    assert r["saved_as"] == f"A04/20260106-113000-{sha[:8]}.xlsx"
    assert (out / r["saved_as"]).read_bytes() == books["A04"]
    r3 = att(rows, "m08")
    assert [x["agency_code"] for x in r3] == ["B01", "B02", "B03"]
    assert all(x["fate"] == mf.SAVED for x in r3)


def test_superseded_and_duplicate(collected, books):
    rows, out = collected["rows"], collected["out"]
    old, new = att(rows, "m01")[0], att(rows, "m06")[0]
    assert old["fate"] == mf.SUPERSEDED and new["fate"] == mf.SAVED
    assert new["saved_as"] in old["detail"]
    assert (out / old["saved_as"]).is_file() and (out / new["saved_as"]).is_file()  # both kept
    assert att(rows, "m03")[0]["fate"] == mf.SUPERSEDED and att(rows, "m05")[0]["fate"] == mf.SAVED
    dup = att(rows, "m13")[0]
    assert dup["fate"] == mf.DUPLICATE and dup["saved_as"] == att(rows, "m02")[0]["saved_as"]
    assert dup["agency_code"] == "A02"
    assert len(list((out / "A02").iterdir())) == 1


def test_sender_warning_from_roster(collected):
    rows = collected["rows"]
    assert "someone@qq.com" in att(rows, "m02")[0]["warning"]
    assert att(rows, "m01")[0]["warning"] == ""
    assert att(rows, "m04")[0]["warning"] == ""  # no address on the roster: nothing to compare
    assert "不在名单中" in att(rows, "m08")[0]["warning"]
    assert "someone@qq.com" in collected["err"]


def test_junk_legacy_unreadable_large(collected):
    rows = collected["rows"]
    w = att(rows, "m07")[0]
    assert w["fate"] == mf.NOT_SPREADSHEET and "winmail.dat" in w["detail"]
    fates = {r["attachment_name"]: r["fate"] for r in att(rows, "m14")}
    assert fates == {"旧格式.xls": mf.UNSUPPORTED, "表.csv": mf.UNSUPPORTED, "截图.png": mf.NOT_SPREADSHEET}
    bad = att(rows, "m15")[0]
    assert bad["fate"] == mf.UNREADABLE and "损坏" in bad["detail"] and bad["saved_as"] == ""
    big = att(rows, "m10")[0]
    assert big["fate"] == mf.TOO_LARGE and int(big["size"]) == 50 * MiB + 1 and big["saved_as"] == ""


def test_malformed_mime(collected):
    rows = collected["rows"]
    rec = att(rows, "m11")[0]
    assert rec["fate"] == mf.SAVED and rec["agency_code"] == "B04"
    assert "恢复" in msg_row(rows, "m11")["detail"]
    broken = msg_row(rows, "m12")
    assert broken["fate"] == mf.NO_ATTACHMENT and "损坏" in broken["detail"]
    assert msg_row(rows, "m17")["fate"] == mf.NO_ATTACHMENT


def test_nothing_escapes_dir(collected):
    rows, out, base = collected["rows"], collected["out"], collected["base"]
    names = {r["attachment_name"]: r for r in att(rows, "m09")}
    assert set(names) == {"x.xlsx", "evil.xlsx"}
    for r in names.values():
        assert r["fate"] == mf.UNIDENTIFIED_FATE and r["saved_as"].startswith("_unidentified/")
    # every file gkxl wrote is a direct child of an agency folder or of DIR
    for p in out.rglob("*"):
        rel = p.relative_to(out)
        assert len(rel.parts) <= 2 and ".." not in rel.parts
    assert sorted(x.name for x in base.iterdir()) == ["inbox", "out", "roster.csv"]
    assert not (base.parent / "x.xlsx").exists() and not (base.parent / "evil.xlsx").exists()
    assert not list(out.rglob(".gkxl-*.tmp"))
    for r in rows:
        if r["saved_as"]:
            assert (out / r["saved_as"]).resolve().is_relative_to(out.resolve())


def test_formula_injection_neutralised(collected):
    raw = (collected["out"] / mf.MANIFEST_NAME).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:3] == ["记录类型", "收件时间", "邮件ID"]
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert any(c.startswith("'=HYPERLINK") for row in table for c in row)
    # and reading back restores the text
    assert msg_row(collected["rows"], "m16")["subject"].startswith("=HYPERLINK")


def test_received_info(collected):
    rows, out = collected["rows"], collected["out"]
    r = att(rows, "m06")[0]
    info = received_info(out / r["saved_as"])
    assert info["message_id"] == "<m06@example.gov.cn>"
    assert info["received_at"] == "2026-01-07T12:30:00+08:00"
    assert info["sender"] == "bangongshi@example.gov.cn"
    assert info["subject"] == "转发：修改后的报表"
    assert info["attachment_name"] == "财政局（修改后）.xlsx"
    assert received_info(collected["src"] / "01.eml") is None
    assert received_info(out / "A01" / "nope.xlsx") is None


def test_second_run_adds_nothing(collected, tmp_path):
    out = collected["out"]
    before = (out / mf.MANIFEST_NAME).read_bytes()
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    res = collect([collected["src"]], out)
    assert res.new_messages == 0 and res.rows == [] and res.skipped_messages == 18
    assert (out / mf.MANIFEST_NAME).read_bytes() == before
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == files


def test_new_message_is_added_once(collected, books, tmp_path):
    import shutil
    out = tmp_path / "out"
    shutil.copytree(collected["out"], out)
    more = tmp_path / "more"
    more.mkdir()
    (more / "19.eml").write_bytes(mc.message([mc._xlsx_part(books["A01v1"], "财政局.xlsx")],
                                             sender="caizheng@example.gov.cn", subject="再发旧版", date=mc.when(20),
                                             mid="m19").as_bytes())
    n = len(mf.read_manifest(out / mf.MANIFEST_NAME))
    for _ in range(2):
        collect([more, collected["src"]], out)
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    assert len(rows) == n + 2
    # the old version arrived again, later: it is current again, the forwarded one superseded
    assert att(rows, "m19")[0]["fate"] == mf.DUPLICATE
    assert att(rows, "m01")[0]["fate"] == mf.SAVED and att(rows, "m06")[0]["fate"] == mf.SUPERSEDED


def test_mbox_maildir_and_dedupe_across_sources(tmp_path, books):
    msgs = [mc.message([mc._xlsx_part(books[k], f"{k}.xlsx")], sender="a@example.gov.cn", subject=k,
                       date=mc.when(i + 1), mid=f"box{i}") for i, k in enumerate(("A01v1", "A02", "A04"))]
    mbox = mailbox.mbox(str(tmp_path / "inbox.mbox"))
    for m in msgs[:2]:
        mbox.add(m)
    mbox.close()
    md = mailbox.Maildir(str(tmp_path / "Maildir"))
    for m in msgs[1:]:
        md.add(m)
    # the same message saved elsewhere with CRLF line ends (as an IMAP server sends it)
    stored = mailbox.mbox(str(tmp_path / "inbox.mbox")).get_bytes(0)
    (tmp_path / "one.eml").write_bytes(stored.replace(b"\n", b"\r\n"))
    out = tmp_path / "out"
    res = collect([tmp_path / "inbox.mbox", tmp_path / "Maildir", tmp_path / "one.eml"], out)
    assert res.new_messages == 3 and res.skipped_messages == 2
    assert res.count(mf.SAVED) == 3
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["A01", "A02", "A04"]


def test_bad_sources_are_clear_errors(cli, tmp_path):
    code, out, err = cli("collect", tmp_path / "nope", "--out", tmp_path / "o")
    assert code == 2 and "nope" in err and "不存在" in err
    for url, words in [("imaps://mail.example.gov.cn/INBOX", "用户名"), ("imaps://u:secret@h/INBOX", "密码"),
                       ("imaps://u@h:notaport/INBOX", "格式")]:
        code, out, err = cli("collect", url, "--out", tmp_path / "o")
        assert code == 2 and words in err and "Traceback" not in err, err
    (tmp_path / "one.eml").write_bytes(b"")
    code, out, err = cli("collect", tmp_path / "one.eml", "--out", tmp_path / "o")
    assert code == 2 and "one.eml" in err
    (tmp_path / "o2").mkdir()
    (tmp_path / "o2" / "manifest.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "ok.eml").write_bytes(MIMEText("x").as_bytes())
    code, out, err = cli("collect", tmp_path / "ok.eml", "--out", tmp_path / "o2")
    assert code == 2 and "收取清单" in err


def test_imap_server_down_is_an_error(cli, tmp_path, monkeypatch):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    monkeypatch.setenv("GKXL_IMAP_PASSWORD", "x")
    code, out, err = cli("collect", f"imaps://clerk@127.0.0.1:{port}/INBOX", "--out", tmp_path / "o")
    assert code == 2 and "127.0.0.1" in err and "拒绝" in err, err
    code, out, err = cli("collect", f"imap://clerk@127.0.0.1:{port}/INBOX", "--out", tmp_path / "o")
    assert code == 2 and "Traceback" not in err


# ---------------------------------------------------------------- zip attachments

def _rows_of(rows, mid: str) -> list[dict]:
    return [r for r in rows if r["message_id"] == f"<{mid}@example.gov.cn>"]


@pytest.fixture(scope="module")
def zipped(tmp_path_factory, books):
    """Clerks' zips: GBK names with and without the UTF-8 flag, a Word report beside
    the workbook, macOS litter, a zip in the zip (and one deeper), a password,
    damage, an empty zip, RAR, and a workbook that is a zip but must not be opened."""
    base = tmp_path_factory.mktemp("zips")
    box = base / "inbox"
    box.mkdir()
    cz = "caizheng@example.gov.cn"
    inner = mc.zip_bytes({"教育局.xlsx": books["A02"],
                          "更深.zip": mc.zip_bytes({"公安局.xlsx": books["A04"]})})
    main = mc.deflated_zip({"工作报告.docx": mc.docx_bytes(), "说明.txt": "请查收".encode(), "内层.zip": inner,
                            "__MACOSX/._x.xlsx": b"\0\5\26\7", "资料/.DS_Store": b"junk"})
    # the workbook itself with a GBK name and no UTF-8 flag (Windows' "compressed folder")
    gbk = mc.raw_zip([("2025年报表-财政局.xlsx".encode("gbk"), books["A01v1"])])
    msgs = {
        "z1": [mc.zip_part(gbk, "财政局报表.zip"), mc.zip_part(main, "附件.zip")],
        "z2": [mc.zip_part(mc.raw_zip([("卫健委统计表.xlsx".encode("gbk"), books["A03v1"])], utf8_flag=True),
                           "卫健委.zip")],
        "z3": [mc.zip_part(mc.raw_zip([("加密的报表.xlsx".encode("utf-8"), books["B01"])], utf8_flag=True,
                                      password=b"123456"), "加密.zip")],
        "z4": [mc.zip_part(mc.truncated_zip(mc.zip_bytes({"x.xlsx": books["B02"]})), "坏.zip"),
               mc.zip_part(mc.zip_bytes({}), "空.zip"),
               mc._xlsx_part(b"Rar!\x1a\x07\x00" + b"\0" * 64, ("utf-8", "", "报表.rar"), ctype="application/x-rar")],
        # a workbook under a zip's name and type: it is a workbook, not an archive
        "z5": [mc._xlsx_part(books["B03"], ("utf-8", "", "丙单位报表.zip"), ctype="application/zip"),
               mc.zip_part(mc.zip_bytes({"again.xlsx": books["A02"]}), "=cmd.zip")],
    }
    for i, (mid, parts) in enumerate(msgs.items(), 1):
        (box / f"{mid}.eml").write_bytes(mc.message(parts, sender=cz, subject=f"压缩包{i}", date=mc.when(i),
                                                    mid=mid).as_bytes())
    out = base / "out"
    res = collect([box], out)
    return {"out": out, "box": box, "res": res, "rows": mf.read_manifest(out / mf.MANIFEST_NAME)}


def test_zip_members_are_attachments(zipped, books):
    rows, out = zipped["rows"], zipped["out"]
    got = {r["attachment_name"]: r for r in _rows_of(rows, "z1") if r["record"] == mf.ATTACHMENT}
    assert set(got) == {"财政局报表.zip/2025年报表-财政局.xlsx", "附件.zip/工作报告.docx", "附件.zip/说明.txt",
                        "附件.zip/内层.zip/教育局.xlsx", "附件.zip/内层.zip/更深.zip"}  # no macOS litter
    a01 = got["财政局报表.zip/2025年报表-财政局.xlsx"]  # GBK name, no UTF-8 flag
    assert a01["fate"] == mf.SAVED and a01["agency_code"] == "A01" and a01["saved_as"].startswith("A01/")
    assert (out / a01["saved_as"]).read_bytes() == books["A01v1"]
    assert a01["sha256"] == hashlib.sha256(books["A01v1"]).hexdigest()
    assert got["附件.zip/工作报告.docx"]["fate"] == mf.NOT_SPREADSHEET  # a docx is a zip, but not an archive
    assert got["附件.zip/说明.txt"]["fate"] == mf.NOT_SPREADSHEET
    nested = got["附件.zip/内层.zip/教育局.xlsx"]  # one level of nesting is opened
    assert nested["fate"] == mf.SAVED and nested["agency_code"] == "A02"
    deeper = got["附件.zip/内层.zip/更深.zip"]  # the next is not
    assert deeper["fate"] == mf.UNREADABLE and "嵌套" in deeper["detail"]
    assert not (out / "A04").exists()
    msg = msg_row(rows, "z1")
    assert msg["fate"] == mf.PROCESSED and "附件 2 个" in msg["detail"] and "5 个" in msg["detail"]
    info = received_info(out / a01["saved_as"])
    assert info["attachment_name"] == "财政局报表.zip/2025年报表-财政局.xlsx" and info["message_id"] == "<z1@example.gov.cn>"


def test_zip_names_flags_passwords_damage(zipped, books):
    rows = zipped["rows"]
    [r] = att(rows, "z2")  # GBK bytes under the UTF-8 flag: zipfile alone refuses the whole zip
    assert r["attachment_name"] == "卫健委.zip/卫健委统计表.xlsx" and r["fate"] == mf.SAVED and r["agency_code"] == "A03"
    [r] = att(rows, "z3")
    assert r["attachment_name"] == "加密.zip/加密的报表.xlsx" and r["fate"] == mf.UNREADABLE and "密码" in r["detail"]
    fates = {r["attachment_name"]: (r["fate"], r["detail"]) for r in att(rows, "z4")}
    assert fates["坏.zip"][0] == mf.UNREADABLE and "损坏" in fates["坏.zip"][1]
    assert fates["空.zip"] == (mf.NOT_SPREADSHEET, "压缩包中没有文件")
    assert fates["报表.rar"][0] == mf.UNREADABLE and "RAR" in fates["报表.rar"][1]
    assert msg_row(rows, "z4")["fate"] == mf.NO_RETURN
    r5 = {r["attachment_name"]: r for r in att(rows, "z5")}
    assert r5["丙单位报表.zip"]["fate"] == mf.SAVED and r5["丙单位报表.zip"]["agency_code"] == "B03"
    dup = r5["=cmd.zip/again.xlsx"]
    assert dup["fate"] == mf.DUPLICATE and dup["agency_code"] == "A02"
    raw = (zipped["out"] / mf.MANIFEST_NAME).read_bytes().decode("utf-8-sig")
    assert "'=cmd.zip/again.xlsx" in raw  # neutralised like any name


def test_zip_rerun_adds_nothing(zipped):
    out = zipped["out"]
    before = (out / mf.MANIFEST_NAME).read_bytes()
    res = collect([zipped["box"]], out)
    assert res.new_messages == 0 and res.skipped_messages == 5
    assert (out / mf.MANIFEST_NAME).read_bytes() == before


def test_zip_bounds(tmp_path, books, monkeypatch):
    from gkxl.mail import archive
    box = tmp_path / "box"
    box.mkdir()
    zeros = mc.deflated_zip({"炸弹.xlsx": b"\0" * (20 * MiB)})  # 20 MB in ~20 KB
    many = mc.zip_bytes({f"{i}.txt": b"x" for i in range(5)})
    big = mc.zip_bytes({"a.xlsx": books["A01v1"], "b.xlsx": books["A02"]})
    one_large = mc.deflated_zip({"大.xlsx": b"\0" * (2 * MiB)})
    for mid, part in (("b1", mc.zip_part(zeros, "炸弹.zip")), ("b2", mc.zip_part(many, "多.zip")),
                      ("b3", mc.zip_part(big, "大.zip")), ("b4", mc.zip_part(one_large, "单个.zip"))):
        (box / f"{mid}.eml").write_bytes(mc.message([part], sender="x@example.gov.cn", subject="界限", date=mc.when(3),
                                                    mid=mid).as_bytes())
    out = tmp_path / "out"
    monkeypatch.setattr(archive, "MAX_MEMBERS", 4)
    collect([box / "b1.eml", box / "b2.eml"], out)
    collect([box / "b4.eml"], out, max_size=1 * MiB)  # each file in a zip is held to the attachment limit
    monkeypatch.setattr(archive, "MAX_TOTAL", len(books["A01v1"]) + 100)
    collect([box / "b3.eml"], out)
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    got = {r["attachment_name"]: r for r in rows if r["record"] == mf.ATTACHMENT}
    assert got["炸弹.zip/炸弹.xlsx"]["fate"] == mf.UNREADABLE and "压缩比" in got["炸弹.zip/炸弹.xlsx"]["detail"]
    assert got["多.zip"]["fate"] == mf.UNREADABLE and "过多" in got["多.zip"]["detail"]
    assert got["大.zip"]["fate"] == mf.UNREADABLE and "超过上限" in got["大.zip"]["detail"]
    assert got["单个.zip/大.xlsx"]["fate"] == mf.TOO_LARGE
    assert not list(out.rglob("*.xlsx"))


# ---------------------------------------------------------------- one Message-ID, two messages

def test_same_message_id_different_content(tmp_path, books):
    """Clients reuse Message-IDs (a resent draft, some webmail): the content decides."""
    cz = "caizheng@example.gov.cn"
    first = mc.message([mc._xlsx_part(books["A01v1"], "报表.xlsx")], sender=cz, subject="报表", date=mc.when(5), mid="dup")
    second = mc.message([mc._xlsx_part(books["A01v2"], "报表（改）.xlsx")], sender=cz, subject="报表（改）",
                        date=mc.when(6), mid="dup")
    box = mailbox.mbox(str(tmp_path / "inbox.mbox"))
    box.add(first)
    box.add(second)
    box.close()
    out = tmp_path / "out"
    res = collect([tmp_path / "inbox.mbox"], out)
    assert res.new_messages == 2 and res.skipped_messages == 0
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    msgs = [r for r in rows if r["record"] == mf.MESSAGE]
    assert [m["message_id"] for m in msgs] == ["<dup@example.gov.cn>"] * 2
    assert msgs[0]["warning"] == "" and msgs[1]["warning"] == "与另一封邮件的 Message-ID 相同，内容不同"
    assert any("Message-ID 相同" in w for w in res.warnings)
    atts = [r for r in rows if r["record"] == mf.ATTACHMENT]
    assert [a["fate"] for a in atts] == [mf.SUPERSEDED, mf.SAVED]  # the second return is saved and current
    assert (out / atts[1]["saved_as"]).read_bytes() == books["A01v2"]
    assert msgs[0]["message_sha256"] != msgs[1]["message_sha256"]
    # again, and with the first one as a separate .eml too: nothing new
    (tmp_path / "first.eml").write_bytes(mailbox.mbox(str(tmp_path / "inbox.mbox")).get_bytes(0))
    before = (out / mf.MANIFEST_NAME).read_bytes()
    res = collect([tmp_path / "inbox.mbox", tmp_path / "first.eml"], out)
    assert res.new_messages == 0 and res.skipped_messages == 3
    assert (out / mf.MANIFEST_NAME).read_bytes() == before
    # the same message in another encoding (re-folded headers): recorded, and said to be a copy
    (tmp_path / "copy.eml").write_bytes(first.as_bytes())
    res = collect([tmp_path / "copy.eml"], out)
    assert res.new_messages == 1
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    assert "副本" in rows[-2]["warning"] and rows[-1]["fate"] == mf.DUPLICATE


# ---------------------------------------------------------------- replies that are not returns

def test_replies_without_a_return_are_on_record(tmp_path, books):
    from gkxl.mail import message_rows, received_index
    jy = "jiaoyu@example.gov.cn"
    kinds = {
        "docx": mc._xlsx_part(mc.docx_bytes(), ("utf-8", "", "2025年年度报告.docx"),
                              ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "pdf": mc._xlsx_part(b"%PDF-1.4\n%\xe2\xe3\n" + b"0" * 100, ("utf-8", "", "年报.pdf"), ctype="application/pdf"),
        "xls": mc._xlsx_part(mc.legacy_xls(), ("utf-8", "", "统计表.xls"), ctype="application/vnd.ms-excel"),
        "et": mc._xlsx_part(mc.legacy_xls(), ("utf-8", "", "统计表.et"), ctype="application/octet-stream"),
        "wps": mc._xlsx_part(mc.legacy_xls(), ("utf-8", "", "报告.wps"), ctype="application/octet-stream"),
    }
    box = tmp_path / "box"
    box.mkdir()
    for i, (k, part) in enumerate(kinds.items(), 1):
        (box / f"{k}.eml").write_bytes(mc.message([part], sender=f"教育局 <{jy}>", subject=f"回复：{k}",
                                                  date=mc.when(i), mid=f"r-{k}").as_bytes())
    plain = MIMEText("收到，马上填报", "plain", "utf-8")
    mc._headers(plain, sender=jy, subject="回复：报表", date=mc.when(9), mid="r-none")
    (box / "none.eml").write_bytes(plain.as_bytes())
    (box / "ok.eml").write_bytes(mc.message([mc._xlsx_part(books["A02"], "报表.xlsx"), kinds["docx"]], sender=jy,
                                            subject="报表和报告", date=mc.when(10), mid="r-ok").as_bytes())
    out = tmp_path / "out"
    collect([box], out)
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    for k in kinds:
        m = msg_row(rows, f"r-{k}")
        assert m["fate"] == mf.NO_RETURN, (k, m)
        assert m["sender"] == jy and m["subject"] == f"回复：{k}" and m["received_at"].startswith("2026-01-0")
        [a] = att(rows, f"r-{k}")
        assert a["sender"] == jy and a["fate"] in (mf.NOT_SPREADSHEET, mf.UNSUPPORTED)
        assert a["attachment_name"] in m["detail"]
    assert msg_row(rows, "r-none")["fate"] == mf.NO_ATTACHMENT and msg_row(rows, "r-none")["sender"] == jy
    assert msg_row(rows, "r-ok")["fate"] == mf.PROCESSED
    # the helpers a later step uses
    by_mid = {m["message_id"]: m for m in message_rows(out)}
    assert len(by_mid) == 7
    assert by_mid["<r-pdf@example.gov.cn>"]["fate"] == mf.NO_RETURN
    assert [a["attachment_name"] for a in by_mid["<r-pdf@example.gov.cn>"]["attachments"]] == ["年报.pdf"]
    assert by_mid["<r-none@example.gov.cn>"]["attachments"] == []
    assert [a["fate"] for a in by_mid["<r-ok@example.gov.cn>"]["attachments"]] == [mf.SAVED, mf.NOT_SPREADSHEET]
    index = received_index(out)
    saved = att(rows, "r-ok")[0]
    key = str((out / saved["saved_as"]).absolute())
    assert list(index) == [key]
    assert index[key]["sender"] == jy and index[key]["message_id"] == "<r-ok@example.gov.cn>"
    assert index[key]["attachment_name"] == "报表.xlsx" and index[key]["received_at"] == "2026-01-10T09:30:00+08:00"
    assert index[key] == received_info(out / saved["saved_as"])
    assert received_index(tmp_path / "nothing") == {} and message_rows(tmp_path / "nothing") == []


# ---------------------------------------------------------------- what libraries say

def test_damaged_encoding_is_a_chinese_note(tmp_path, books):
    """The parser's defects (English class names) that matter reach the manifest in Chinese."""
    msg = mc.message([mc._xlsx_part(books["A02"], "报表.xlsx")], sender="jiaoyu@example.gov.cn", subject="报表",
                     date=mc.when(5), mid="b64")
    raw = msg.as_bytes()
    end = raw.rindex(b"\n--")  # the workbook's base64 ends where the closing boundary starts
    (tmp_path / "b64.eml").write_bytes(raw[:end - 3] + raw[end:])  # three base64 characters lost
    (tmp_path / "trunc.eml").write_bytes(raw[:end])  # cut before the closing boundary
    out = tmp_path / "out"
    res = collect([tmp_path / "b64.eml", tmp_path / "trunc.eml"], out)
    rows = mf.read_manifest(out / mf.MANIFEST_NAME)
    [bad] = [r for r in rows if r["record"] == mf.ATTACHMENT and r["source"].endswith("b64.eml")]
    assert "编码" in bad["warning"] and "base64" in bad["warning"]
    trunc = [r for r in rows if r["record"] == mf.MESSAGE and r["source"].endswith("trunc.eml")][0]
    assert "截断" in trunc["detail"]
    assert not any("Defect" in w for w in res.warnings) and not any("Defect" in r["detail"] for r in rows)


WARN_IN_IDENTITY = """
import gkxl.mail
c = sys.modules["gkxl.mail.collect"]  # (gkxl.mail.collect is also the function's name)
_orig = c.workbook_identity
def _noisy(data, name):
    warnings.warn("Workbook contains no default style, apply openpyxl's default", UserWarning)
    warnings.warn("Data Validation extension is not supported and will be removed", UserWarning)
    return _orig(data, name)
c.workbook_identity = _noisy
"""


def test_library_warnings_stay_off_the_terminal(tmp_path, books):
    box = tmp_path / "box"
    box.mkdir()
    (box / "1.eml").write_bytes(mc.message([mc._xlsx_part(books["A02"], "报表.xlsx")], sender="jiaoyu@example.gov.cn",
                                           subject="报表", date=mc.when(5), mid="w1").as_bytes())
    done = mc.run_gkxl(tmp_path, WARN_IN_IDENTITY, ["collect", box, "--out", tmp_path / "out"])
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err
    assert "Warning" not in err and "openpyxl" not in err and "Validation" not in err, err
    assert "新收邮件 1 封" in done.stdout.decode("utf-8", "replace")
