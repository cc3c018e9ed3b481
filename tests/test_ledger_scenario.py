"""A coordinator's January end to end, in one working folder with a real SMTP server on loopback:
mail in (GBK attachment names), feedback only to current failures and once per version,
corrections, reminders, a county's roll-up by mail, then the city's roll-up."""

from __future__ import annotations

import email
import json
from datetime import datetime, timedelta
from email import policy

import pytest

import campaign as cp
from gkxl.ledger import Ledger
from gkxl.reader import read_return
from mail_servers import smtp_server

pytestmark = [pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]

ROSTER = ("单位代码,单位名称,所属地区,上级地区,类型,邮箱\r\n"
          "C,某市（汇总）,,,汇总,\r\n"
          "R1,东城县,,C,汇总,r1@gov.example.cn\r\n"
          "D01,某局D01,C,,部门,d01@gov.example.cn\r\n"
          "D02,某局D02,C,,部门,d02@gov.example.cn\r\n"
          "D03,某局D03,C,,部门,d03@gov.example.cn\r\n"
          "D04,某局D04,C,,部门,d04@gov.example.cn\r\n"
          "D05,某局D05,R1,,部门,d05@gov.example.cn\r\n"
          "D06,某局D06,R1,,部门,d06@gov.example.cn\r\n")


def mail(box, i: int, code: str, kind: str, day: int, name: str | None = None, sender: str | None = None):
    v = cp.variant(code, kind)
    arr = cp.Arrival(sender or code, v, datetime(2026, 1, day, 10, tzinfo=cp.BJ), True,
                     name or f"{code}政府信息公开年报统计表.xlsx")
    (box / f"{i:03d}.eml").write_bytes(cp.eml(arr, i))
    return v


def sent(inbox):
    return [(rcpt, email.message_from_bytes(data, policy=policy.default)) for _, rcpt, data in inbox.messages]


def test_january(tmp_path, cli):
    (tmp_path / "名单.csv").write_text(ROSTER, encoding="gb18030")
    w = tmp_path / "市"
    box = tmp_path / "box"
    box.mkdir()
    assert cli("init", w, "--roster", tmp_path / "名单.csv", "--year", "2025", "--deadline", "2026/1/31")[0] == 0
    mail(box, 1, "D01", "pass", 10)
    mail(box, 2, "D02", "fail", 11)
    mail(box, 3, "D03", "fail", 12)
    mail(box, 4, "D05", "pass", 12)
    code, out, err = cli("collect", box, "--dir", w)
    assert code == 0, err
    code, out, err = cli("status", "--json", "--dir", w)
    board = {r["code"]: r for r in json.loads(out)}
    assert code == 1
    assert [board[c]["status"] for c in ("D01", "D02", "D03", "D04", "D05", "D06")] == \
        ["通过", "不通过", "不通过", "未报送", "通过", "未报送"]
    assert board["D02"]["original_name"] == "D02政府信息公开年报统计表.xlsx"  # the GBK name as the clerk wrote it

    smtp_args = ("--smtp", None, "--allow-plain", "--from", "gongkai@city.example.cn", "--rate", "6000")
    with smtp_server() as (inbox, port):
        smtp = [a if a is not None else f"smtp://127.0.0.1:{port}" for a in smtp_args]
        code, out, err = cli("send", "feedback", "--dir", w, *smtp)
        assert code == 0, err
        got = sent(inbox)
        assert sorted(r[0] for r, _ in got) == ["d02@gov.example.cn", "d03@gov.example.cn"]
        body = got[0][1].get_body(("plain",)).get_content()
        assert "政府信息公开年报统计表.xlsx" in body and "收件/" not in body  # the clerk's own file name
        # once per version: a second run sends nothing
        code, out, err = cli("send", "feedback", "--dir", w, *smtp)
        assert code == 0 and len(inbox.messages) == 2 and "没有需要退回的报表" in out

        # D02 corrects; D03 sends a second failing version; a county sends its own roll-up
        mail(box, 5, "D02", "pass", 20)
        mail(box, 6, "D03", "fail2", 21, name="D03第二版.xlsx")
        mail(box, 7, "D02", "pass", 22, name="D02再发一次.xlsx")  # the same file again: no new version
        code, out, err = cli("collect", box, "--dir", w)
        assert code == 0, err
        board = {r["code"]: r for r in json.loads(cli("status", "--json", "--dir", w)[1])}
        assert board["D02"]["status"] == "通过" and board["D02"]["versions"] == 2 and "已退回" not in board["D02"]["flags"]
        assert board["D03"]["status"] == "不通过" and "已退回" not in board["D03"]["flags"]  # a new version
        code, out, err = cli("check", "--dir", w, "--json")
        checked = json.loads(out)
        assert sorted(r["agency"] for r in checked) == ["D01", "D02", "D03", "D05"]  # current versions only
        code, out, err = cli("send", "feedback", "--dir", w, *smtp)
        assert code == 0, err
        assert [r for r, _ in sent(inbox)[2:]] == [["d03@gov.example.cn"]]  # only the current failure
        board = {r["code"]: r for r in json.loads(cli("status", "--json", "--dir", w)[1])}
        assert "已退回" in board["D03"]["flags"] and board["D03"]["last_feedback"]

        # reminders: to 未报送 and 不通过, with the status and the deadline
        code, out, err = cli("send", "reminders", "--dir", w, *smtp)
        assert code == 0, err
        rem = {r[0]: m for r, m in sent(inbox)[3:]}
        assert set(rem) == {"d03@gov.example.cn", "d04@gov.example.cn", "d06@gov.example.cn"}
        text = rem["d04@gov.example.cn"].get_body(("plain",)).get_content()
        assert "还没有收到" in text and "2026年1月31日" in text and "催报" in rem["d04@gov.example.cn"]["Subject"]
        assert "检查未通过" in rem["d03@gov.example.cn"].get_body(("plain",)).get_content()
        board = {r["code"]: r for r in json.loads(cli("status", "--json", "--dir", w)[1])}
        assert "已催报" in board["D04"]["flags"] and board["D04"]["last_reminder"]

    # the county rolls up its own agencies in its own folder, and mails the roll-up to the city
    cw = tmp_path / "县"
    county_roster = tmp_path / "县名单.csv"
    county_roster.write_text("单位代码,单位名称,所属地区,上级地区,类型,邮箱\r\nR1,东城县,,,汇总,\r\n"
                             "D05,某局D05,R1,,部门,d05@gov.example.cn\r\nD06,某局D06,R1,,部门,d06@gov.example.cn\r\n",
                             encoding="utf-8")
    assert cli("init", cw, "--roster", county_roster, "--year", "2025")[0] == 0
    cbox = tmp_path / "cbox"
    cbox.mkdir()
    mail(cbox, 1, "D05", "pass", 12)
    mail(cbox, 2, "D06", "pass2", 13)
    assert cli("collect", cbox, "--dir", cw)[0] == 0
    code, out, err = cli("aggregate", "--dir", cw, "--out", tmp_path / "R1.xlsx")
    assert code == 0, err
    roll = (tmp_path / "R1.xlsx").read_bytes()
    arr = cp.Arrival("R1", cp.Variant(roll, {}, "pass", "R1", 2025), datetime(2026, 1, 25, 9, tzinfo=cp.BJ), True,
                     "东城县汇总表.xlsx")
    (box / "100.eml").write_bytes(cp.eml(arr, 100))
    assert cli("collect", box, "--dir", w)[0] == 0
    code, out, err = cli("aggregate", "--dir", w, "--out", w / "输出" / "市.xlsx")
    assert code == 1, err  # D03 still fails, D04 has not reported
    board = {r["code"]: r for r in json.loads(cli("status", "--json", "--dir", w)[1])}
    assert board["D05"]["status"] == board["D06"]["status"] == "已含在地区汇总表中"
    city = read_return(w / "输出" / "市.xlsx")
    want = {}
    for v in (cp.variant("D01", "pass"), cp.variant("D02", "pass"), cp.variant("D05", "pass"), cp.variant("D06", "pass2")):
        for k, x in v.values.items():
            want[k] = want.get(k, 0) + (x or 0)
    for k, x in want.items():
        assert city.values[k] == pytest.approx(x), k
    assert city.is_rollup and set(city.identity["rollup_members"].split(",")) == {"D01", "D02", "D05", "D06"}
    # history: D02's two versions and the cells that changed
    code, out, err = cli("history", "D02", "--dir", w)
    assert code == 0 and "不通过" in out and "通过" in out and "改动" in out and "三、依申请公开情况!" in out
    with Ledger.open(w) as led:
        kinds = [e["kind"] for e in led.events()]
    assert kinds.count("feedback") == 3 and kinds.count("reminder") == 3
