"""`gkxl send` to a real SMTP server (aiosmtpd) on loopback, and as drafts."""

from __future__ import annotations

import email
import os
import signal
import ssl
import subprocess
import sys
import time
from email import policy

import pytest

import mail_corpus as mc
from gkxl.form import load_form
from gkxl.mail.parse import parse_message
from gkxl.roster import load_roster
from gkxl.template import write_template
from mail_servers import free_port, self_signed_cert, smtp_server

pytestmark = [pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
              pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")]

FROM = "gongkai@example.gov.cn"
ROSTER = ("单位代码,单位名称,邮箱\r\n"
          "A01,某某市财政局,caizheng@example.gov.cn\r\n"
          "A02,某某市教育局,jiaoyu@example.gov.cn; jiaoyu2@example.gov.cn\r\n"
          "A03,某某市卫生健康委员会,weijian@example.gov.cn\r\n"
          "A04,某某市公安局,\r\n")


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    r = load_roster(tmp_path / "roster.csv")
    t = tmp_path / "templates"
    t.mkdir()
    form = load_form()
    for a in r:
        write_template(t / f"{a.code}.xlsx", form, year=2025, agency=a)
    return tmp_path, r, t


def received(inbox):
    """(envelope recipients, parsed message) per message the server got."""
    return [(rcpt, email.message_from_bytes(data, policy=policy.default)) for _, rcpt, data in inbox.messages]


def attachments(msg):
    return [(p.get_filename(), p.get_payload(decode=True)) for p in msg.iter_attachments()]


def test_templates_over_smtp(setup, cli):
    base, roster, t = setup
    with smtp_server() as (inbox, port):
        args = ("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--smtp", f"smtp://127.0.0.1:{port}",
                "--allow-plain", "--from", FROM, "--from-name", "某某市政府办公室", "--rate", "6000",
                "--deadline", "2026年1月20日")
        code, out, err = cli(*args)
        assert code == 0, err
        assert "A04" in err and "没有邮箱" in err
        got = received(inbox)
        assert len(got) == 3
        by_to = {m["To"].addresses[0].addr_spec: (rcpt, m) for rcpt, m in got}
        rcpt, m = by_to["caizheng@example.gov.cn"]
        assert rcpt == ["caizheng@example.gov.cn"]
        assert m["Subject"] == "2025年度政府信息公开工作年度报告统计表（某某市财政局）"
        assert m["From"].addresses[0].display_name == "某某市政府办公室"
        body = m.get_body(("plain",)).get_content()
        assert "2026年1月20日" in body and "某某市财政局" in body
        [(name, data)] = attachments(m)
        assert name == "2025年度政府信息公开工作年度报告统计表-某某市财政局.xlsx"
        assert data == (t / "A01.xlsx").read_bytes()
        # the lenient parser collect uses reads the same name
        pm = parse_message(inbox.messages[0][2], 10 << 20)
        assert pm.attachments[0].name.endswith(".xlsx") and "某某市" in pm.attachments[0].name
        assert sorted(by_to["jiaoyu@example.gov.cn"][0]) == ["jiaoyu2@example.gov.cn", "jiaoyu@example.gov.cn"]
        log = (t / ".gkxl-sent.csv").read_text(encoding="utf-8-sig")
        assert log.count("已发送") == 3
        # again: nothing is sent twice
        code, out, err = cli(*args)
        assert code == 0 and "此前已发送 3 封" in out
        assert len(inbox.messages) == 3
        # a regenerated template is a new message; --resend forces one
        write_template(t / "A03.xlsx", load_form(), year=2026, agency=roster.get("A03"))
        code, out, err = cli(*args, "--resend", "A01")
        assert code == 0, err
        assert sorted(m["To"].addresses[0].addr_spec for _, m in received(inbox)[3:]) == [
            "caizheng@example.gov.cn", "weijian@example.gov.cn"]


def test_resume_after_server_refuses(setup, cli):
    base, roster, t = setup
    with smtp_server() as (inbox, port):
        inbox.refuse_at = 2
        args = ("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--smtp", f"smtp://127.0.0.1:{port}",
                "--allow-plain", "--from", FROM, "--rate", "6000")
        code, out, err = cli(*args)
        assert code == 2 and "451" in err and "继续" in err
        assert len(inbox.messages) == 1
        code, out, err = cli(*args)
        assert code == 0, err
        tos = sorted(rcpt[0] for _, rcpt, _ in inbox.messages)
        assert tos == ["caizheng@example.gov.cn", "jiaoyu@example.gov.cn", "weijian@example.gov.cn"]


def test_resume_after_kill(setup):
    """A real interruption: the sending process is stopped half-way (Ctrl-C)."""
    base, roster, t = setup
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    with smtp_server() as (inbox, port):
        cmd = [sys.executable, "-m", "gkxl", "send", "templates", "--roster", str(base / "roster.csv"), "--dir", str(t),
               "--smtp", f"smtp://127.0.0.1:{port}", "--allow-plain", "--from", FROM, "--rate", "10"]
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        end = time.monotonic() + 20
        log = t / ".gkxl-sent.csv"
        # wait until the first message is sent *and logged* (the server has it a moment before the log does)
        while time.monotonic() < end and not (inbox.messages and log.exists()
                                              and "已发送" in log.read_text(encoding="utf-8-sig", errors="replace")):
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)  # while it waits 6 s for the rate limit
        _, err = p.communicate(timeout=20)
        assert p.returncode != 0 and "Traceback" not in err.decode()
        first = len(inbox.messages)
        assert 1 <= first < 3
        done = subprocess.run(cmd[:-2] + ["--rate", "6000"], env=env, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
        tos = sorted(rcpt[0] for _, rcpt, _ in inbox.messages)
        assert tos == ["caizheng@example.gov.cn", "jiaoyu@example.gov.cn", "weijian@example.gov.cn"]
        assert f"此前已发送 {first} 封" in done.stdout.decode()


def test_smtps_login_and_certificate(setup, cli, monkeypatch):
    base, roster, t = setup
    cert, key = self_signed_cert(base)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    with smtp_server(ssl_context=ctx, users={"gongkai@example.gov.cn": "pw"}) as (inbox, port):
        url = f"smtps://gongkai@example.gov.cn@127.0.0.1:{port}"
        args = ("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--smtp", url, "--rate", "6000")
        monkeypatch.setenv("GKXL_SMTP_PASSWORD", "pw")
        code, out, err = cli(*args)  # self-signed: refused without --ca-file
        assert code == 2 and "证书" in err and not inbox.messages
        monkeypatch.setenv("GKXL_SMTP_PASSWORD", "nope")
        code, out, err = cli(*args, "--ca-file", cert)
        assert code == 2 and "登录失败" in err
        monkeypatch.setenv("GKXL_SMTP_PASSWORD", "pw")
        code, out, err = cli(*args, "--ca-file", cert)
        assert code == 0, err
        assert len(inbox.messages) == 3
        assert all(frm == "gongkai@example.gov.cn" for frm, _, _ in inbox.messages)  # --from defaults to the login


def test_drafts_are_the_default(setup, cli):
    base, roster, t = setup
    code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t)
    assert code == 0, err
    drafts = sorted((t / "邮件草稿").glob("*.eml"))
    assert [p.name for p in drafts] == ["A01.eml", "A02.eml", "A03.eml"]
    m = email.message_from_bytes(drafts[1].read_bytes(), policy=policy.default)
    assert m["X-Unsent"] == "1"
    [(name, data)] = attachments(m)
    assert name == "2025年度政府信息公开工作年度报告统计表-某某市教育局.xlsx" and data == (t / "A02.xlsx").read_bytes()
    assert not (t / ".gkxl-sent.csv").exists()  # a draft is not a sent message


def test_message_template_file(setup, cli):
    base, roster, t = setup
    tpl = base / "模板.txt"
    tpl.write_bytes("主题：请填报{year}年报表 - {单位代码}\n\n{单位名称}同志：\n请于{截止日期}前报送。{{不是占位符}}\n".encode("gbk"))
    code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--drafts", base / "d",
                         "--message-template", tpl, "--deadline", "1月20日")
    assert code == 0, err
    m = email.message_from_bytes((base / "d" / "A01.eml").read_bytes(), policy=policy.default)
    assert m["Subject"] == "请填报2025年报表 - A01"
    assert m.get_body(("plain",)).get_content() == "某某市财政局同志：\n请于1月20日前报送。{不是占位符}\n"
    tpl.write_text("主题：{单位}\n\n正文\n", encoding="utf-8")
    code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--drafts", base / "d",
                         "--message-template", tpl)
    assert code == 2 and "{单位}" in err and "{单位名称}" in err
    tpl.write_text("没有主题行\n", encoding="utf-8")
    code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--drafts", base / "d",
                         "--message-template", tpl)
    assert code == 2 and "主题" in err


def test_feedback_replies_to_the_sender(tmp_path, cli):
    """The real chain: collect a blank return, check it, mail the feedback back as a reply."""
    from gkxl.mail import collect
    books = {"A01": mc.workbook("A01", "某某市财政局"), "A02": mc.workbook("A02", "某某市教育局")}
    inbox_dir = tmp_path / "inbox"
    inbox_dir.mkdir()
    for i, (code, data) in enumerate(books.items(), 1):
        (inbox_dir / f"{i}.eml").write_bytes(mc.message([mc._xlsx_part(data, "报表.xlsx")], sender=f"{code.lower()}@example.gov.cn",
                                                       subject="报表", date=mc.when(i), mid=f"fb{i}").as_bytes())
    collect([inbox_dir], tmp_path / "returns")
    fb = tmp_path / "feedback"
    code, out, err = cli("check", tmp_path / "returns" / "A01", tmp_path / "returns" / "A02", "--feedback-dir", fb)
    assert code == 1, err  # blank returns fail
    assert sorted(p.name for p in fb.iterdir()) == ["A01-修改意见.txt", "A01.xlsx", "A02-修改意见.txt", "A02.xlsx"]
    (fb / "A02.xlsx").write_bytes(books["A01"])  # a mix-up: the file is not A02's
    with smtp_server() as (inbox, port):
        code, out, err = cli("send", "feedback", "--dir", fb, "--collected", tmp_path / "returns", "--smtp",
                             f"smtp://127.0.0.1:{port}", "--allow-plain", "--from", FROM, "--rate", "6000",
                             "--deadline", "1月25日")
        assert code == 0, err
        assert "A02.xlsx" in err and "不符" in err
        [(rcpt, m)] = received(inbox)
        assert rcpt == ["a01@example.gov.cn"]
        assert m["In-Reply-To"] == "<fb1@example.gov.cn>"
        assert m["Subject"].startswith("【请修改】2025年度")
        body = m.get_body(("plain",)).get_content()
        assert (fb / "A01-修改意见.txt").read_text(encoding="utf-8-sig").strip() in body and "1月25日" in body
        [(name, data)] = attachments(m)
        assert name == "2025年度政府信息公开工作年度报告统计表-某某市财政局（请修改）.xlsx"
        assert data == (fb / "A01.xlsx").read_bytes()


def test_send_errors_are_clear(setup, cli):
    base, roster, t = setup
    port = free_port()  # nothing listens there
    for url, words in [(f"smtps://127.0.0.1:{port}", "拒绝"), ("smtps://u:pw@127.0.0.1:465", "密码"),
                       ("http://127.0.0.1", "smtps://")]:
        code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--smtp", url,
                             "--from", FROM)
        assert code == 2 and words in err and "Traceback" not in err, (url, err)
    code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", base / "nope")
    assert code == 2 and "nope" in err
    code, out, err = cli("send", "feedback", "--dir", t)
    assert code == 2 and "--roster" in err
    with smtp_server() as (inbox, port):  # aiosmtpd offers no STARTTLS: smtp:// refuses to go plain unasked
        code, out, err = cli("send", "templates", "--roster", base / "roster.csv", "--dir", t, "--smtp",
                             f"smtp://127.0.0.1:{port}", "--from", FROM)
        assert code == 2 and "--allow-plain" in err and not inbox.messages


# ---------------------------------------------------------------- header injection

EVIL = "evil@x.cn"


@pytest.fixture
def injected(tmp_path):
    """A roster whose cells carry forged headers (as a Roster object: the roster file
    loader refuses such cells, but send must not rely on whoever built the roster)."""
    from gkxl.roster import Agency, Roster
    clean = [Agency("A01", "某某市财政局"), Agency("A02", "某某市教育局"), Agency("A03", "Office"),
             Agency("A04", "某某市公安局")]
    t = tmp_path / "templates"
    t.mkdir()
    for a in clean:
        write_template(t / f"{a.code}.xlsx", load_form(), year=2025, agency=a)
    roster = Roster([
        Agency("A01", "某某市财政局", email=f"caizheng@example.gov.cn\r\nBcc: {EVIL}"),  # refused
        Agency("A02", f"某某市教育局\r\nBcc: {EVIL}", email="jiaoyu@example.gov.cn"),  # name cleaned
        Agency("A03", f"Office\r\nBcc: {EVIL}", email="office@example.gov.cn"),  # an ASCII name, too
        Agency("A04", "某某市公安局", email=f"gongan@example.gov.cn Bcc: {EVIL}"),  # refused: not one address
    ])
    return tmp_path, roster, t


def _headers_clean(raw: bytes) -> email.message.EmailMessage:
    m = email.message_from_bytes(raw, policy=policy.default)
    assert m.get_all("Bcc") is None and m.get_all("Cc") is None
    assert len(m["To"].addresses) == 1 and m["To"].addresses[0].addr_spec != EVIL  # (a name may say anything)
    assert "\n" not in m["Subject"] and "\r" not in m["Subject"]
    assert all(k in ("Content-Type", "MIME-Version", "Content-Transfer-Encoding", "Subject", "From", "To", "Date",
                     "Message-ID", "X-Mailer", "In-Reply-To", "References",
                     "X-Unsent") for k in m.keys()), m.keys()
    return m


def test_forged_headers_never_reach_a_draft(injected):
    from gkxl.mail import send_templates
    base, roster, t = injected
    res = send_templates(roster, t, drafts_dir=base / "d", sender_name=f"办公室\r\nBcc: {EVIL}")
    assert sorted(p.name for p in res.drafts) == ["A02.eml", "A03.eml"]
    skipped = "\n".join(res.skipped)
    assert "A01" in skipped and "控制字符" in skipped and "A04" in skipped and "“Bcc:”" in skipped
    for p in res.drafts:
        raw = p.read_bytes()
        assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
        _headers_clean(raw)
    m = _headers_clean((base / "d" / "A02.eml").read_bytes())
    assert [a.addr_spec for a in m["To"].addresses] == ["jiaoyu@example.gov.cn"]
    assert m["Subject"] == f"2025年度政府信息公开工作年度报告统计表（某某市教育局 Bcc: {EVIL}）"


def test_forged_headers_never_reach_smtp(injected, cli):
    from gkxl.mail import send_templates
    base, roster, t = injected
    with smtp_server() as (inbox, port):
        res = send_templates(roster, t, smtp=f"smtp://127.0.0.1:{port}", allow_plain=True, sender=FROM,
                             sender_name=f"Office\r\nBcc: {EVIL}", rate=6000)
        assert sorted(res.sent) == ["A02", "A03"] and not res.failed and not res.stopped
        assert any(s.startswith("A01 ") for s in res.skipped) and any(s.startswith("A04 ") for s in res.skipped)
        assert sorted(r for _, rcpt, _ in inbox.messages for r in rcpt) == ["jiaoyu@example.gov.cn",
                                                                            "office@example.gov.cn"]
        for _, _, data in inbox.messages:
            m = _headers_clean(data)
            assert m["From"].addresses[0].addr_spec == FROM
        with pytest.raises(Exception, match="发件人地址"):  # a forged --from stops the run before anything is sent
            send_templates(roster, t, smtp=f"smtp://127.0.0.1:{port}", allow_plain=True,
                           sender=f"{FROM}\r\nBcc: {EVIL}", rate=6000)
        assert len(inbox.messages) == 2


def test_build_message_checks_every_address():
    from gkxl.errors import MailError
    from gkxl.mail.compose import build_message, message_bytes
    for bad in (f"a@b.cn\r\nBcc: {EVIL}", f"a@b.cn, {EVIL}", f"A <a@b.cn>", "a@b.cn\n", "a@b\u2028.cn", "", "张三@b.cn"):
        with pytest.raises(MailError, match="不是有效的邮箱地址"):
            build_message(subject="s", body="b", to=[("x", bad)])
    msg = build_message(subject="年报\r\nBcc: x@y.cn", body="第一行\r\n第二行\x07", to=[("名\n称", "a@b.cn")],
                        in_reply_to="<a@b>\r\nBcc: x@y.cn")
    raw = message_bytes(msg)
    m = _headers_clean(raw)
    assert m["In-Reply-To"] is None
    assert m.get_body(("plain",)).get_content() == "第一行\n第二行"


WARN_IN_IDENTITY = """
import gkxl.mail
s = sys.modules["gkxl.mail.send"]
_orig = s._identity
def _noisy(path):
    warnings.warn("Workbook contains no default style, apply openpyxl's default", UserWarning)
    return _orig(path)
s._identity = _noisy
"""


def test_library_warnings_stay_off_the_terminal(setup):
    base, roster, t = setup
    done = mc.run_gkxl(base, WARN_IN_IDENTITY, ["send", "templates", "--roster", base / "roster.csv", "--dir", t])
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err
    assert "Warning" not in err and "openpyxl" not in err, err
    assert "已生成 3 封邮件草稿" in done.stdout.decode("utf-8", "replace")
