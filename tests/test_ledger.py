"""The defects that made the ledger necessary, one test each, and the ledger's own guarantees."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import campaign as cp
from gkxl.aggregate import aggregate
from gkxl.errors import GkxlError
from gkxl.ledger import LEDGER_NAME, Ledger
from gkxl.reader import read_return
from gkxl.roster import load_roster

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def put(d: Path, code: str, kind: str, name: str | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    p = d / (name or f"{code}-{kind}.xlsx")
    p.write_bytes(cp.variant(code, kind).data)
    return p


def board(cli, w) -> dict:
    code, out, err = cli("status", "--json", "--dir", w)
    assert code in (0, 1), err
    return {r["code"]: r for r in json.loads(out)}


def test_regions_named_only_in_the_agency_rows(tmp_path, cli):
    """所属地区 = a county's name or a code, and no 汇总 row: the county is a region, nothing is dropped."""
    (tmp_path / "r.csv").write_text("单位代码,单位名称,所属地区\nD01,某局D01,安平县\nD02,某局D02,安平县\n"
                                    "D03,某局D03,R9\nD04,某局D04,\n", encoding="utf-8")
    d = tmp_path / "in"
    for c in ("D01", "D02", "D03", "D04"):
        put(d, c, "pass")
    code, out, err = cli("aggregate", d, "--roster", tmp_path / "r.csv", "--out", tmp_path / "all.xlsx")
    assert code == 0, err
    assert "汇总了 4 份报表" in out and "安平县" in out
    got = read_return(tmp_path / "all.xlsx")
    key = ("t3", "new", "natural")
    assert got.values[key] == sum(cp.variant(c, "pass").values[key] for c in ("D01", "D02", "D03", "D04"))
    code, out, err = cli("aggregate", d, "--roster", tmp_path / "r.csv", "--region", "安平县", "--out",
                         tmp_path / "ap.xlsx")
    assert code == 0, err
    assert set(read_return(tmp_path / "ap.xlsx").identity["rollup_members"].split(",")) == {"D01", "D02"}


def test_a_countys_own_filled_template_stands_for_the_county(tmp_path):
    (tmp_path / "r.csv").write_text("单位代码,单位名称,所属地区,上级地区,类型\nC,某市,,,汇总\nR1,东城县,,C,汇总\n"
                                    "D01,某局D01,C,,部门\nD05,某局D05,R1,,部门\nD06,某局D06,R1,,部门\n", encoding="utf-8")
    d = tmp_path / "in"
    put(d, "D01", "pass")
    put(d, "R1", "pass")  # a template made for the county's code, filled by hand
    roll = aggregate([d], load_roster(tmp_path / "r.csv"))
    st = {s.agency.code: s for s in roll.statuses}
    assert st["R1"].status == "通过" and st["R1"].counted
    assert st["D05"].status == st["D06"].status == "已含在地区汇总表中"
    key = ("t3", "new", "natural")
    assert roll.totals[key] == cp.variant("D01", "pass").values[key] + cp.variant("R1", "pass").values[key]
    assert sorted(roll.members) == ["D01", "D05", "D06"]


def test_a_misfiled_template_waits_for_the_coordinator(tmp_path, cli):
    """D02 fills D01's forwarded template: not filed under D01; D01's own return is D01's; assign fixes D02."""
    (tmp_path / "r.csv").write_text("单位代码,单位名称,邮箱\nD01,某局D01,d01@gov.example.cn\nD02,某局D02,d02@gov.example.cn\n",
                                    encoding="utf-8")
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025")[0] == 0
    box = tmp_path / "box"
    box.mkdir()
    from datetime import datetime
    wrong = cp.Arrival("D02", cp.variant("D01", "pass"), datetime(2026, 1, 10, tzinfo=cp.BJ), True, "我局的表.xlsx")
    (box / "1.eml").write_bytes(cp.eml(wrong, 1))
    assert cli("collect", box, "--dir", w)[0] == 0
    b = board(cli, w)
    assert b["D01"]["status"] == "待确认" and b["D02"]["status"] == "待确认" and not b["D01"]["current_file"]
    own = cp.Arrival("D01", cp.variant("D01", "pass2"), datetime(2026, 1, 12, tzinfo=cp.BJ), True, "D01.xlsx")
    (box / "2.eml").write_bytes(cp.eml(own, 2))
    assert cli("collect", box, "--dir", w)[0] == 0
    b = board(cli, w)
    assert b["D01"]["status"] == "通过" and b["D01"]["original_name"] == "D01.xlsx"
    assert b["D02"]["status"] == "待确认"
    code, out, err = cli("status", "--dir", w)
    assert "待确认的文件 1 份" in out and "我局的表.xlsx" in out and "gkxl assign" in out
    with Ledger.open(w) as led:
        fid = led.conn.execute("SELECT id FROM files WHERE original_name='我局的表.xlsx'").fetchone()[0]
    code, out, err = cli("assign", fid, "D02", "--dir", w)
    assert code == 0 and "D02" in out
    b = board(cli, w)
    assert b["D02"]["status"] == "通过" and b["D01"]["original_name"] == "D01.xlsx"
    code, out, err = cli("status", "--dir", w)
    assert code == 0
    code, out, err = cli("history", "D02", "--dir", w)
    assert "assign" in out
    # a decision on something that is not there is refused, clearly
    assert cli("assign", "999", "D02", "--dir", w)[0] == 2
    assert cli("assign", fid, "NOPE", "--dir", w)[0] == 2
    code, out, err = cli("reject", fid, "--dir", w)
    assert code == 2 and "--reason" in err


def test_deadlines_are_dates_and_the_first_return_decides_lateness(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称,邮箱\nD01,某局D01,d01@gov.example.cn\nD02,某局D02,d02@gov.example.cn\n",
                                    encoding="utf-8")
    for bad in ("明天", "1/31", "2026-02-30"):
        code, out, err = cli("init", tmp_path / f"x{bad.replace('/', '')}", "--roster", tmp_path / "r.csv",
                             "--deadline", bad)
        assert code == 2 and "截止日期" in err, bad
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025", "--deadline", "2026年1月15日")[0] == 0
    from datetime import datetime
    box = tmp_path / "box"
    box.mkdir()
    arrivals = [("D01", "fail", 14), ("D01", "pass", 20), ("D02", "pass", 16)]
    for i, (c, k, day) in enumerate(arrivals):
        arr = cp.Arrival(c, cp.variant(c, k), datetime(2026, 1, day, 12, tzinfo=cp.BJ), True, f"{c}-{i}.xlsx")
        (box / f"{i}.eml").write_bytes(cp.eml(arr, i))
    assert cli("collect", box, "--dir", w)[0] == 0
    b = board(cli, w)
    assert b["D01"]["late"] is False and b["D01"]["status"] == "通过"  # answered in time, corrected after
    assert b["D02"]["late"] is True and "逾期" in b["D02"]["flags"]


def test_replies_that_are_not_returns_are_not_missing(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称,邮箱\nD01,某局D01,d01@gov.example.cn\nD02,某局D02,d02@gov.example.cn\n"
                                    "D03,某局D03,d03@gov.example.cn\nD04,某局D04,d04@gov.example.cn\n", encoding="utf-8")
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025")[0] == 0
    from datetime import datetime
    box = tmp_path / "box"
    box.mkdir()
    sends = [("D01", cp.variant("D01", "junk"), "年报.pdf"), ("D02", cp.variant("D02", "corrupt"), "D02.xlsx"),
             ("D03", cp.variant("D03", "pass"), "D03.xlsx")]
    for i, (c, v, name) in enumerate(sends):
        (box / f"{i}.eml").write_bytes(cp.eml(cp.Arrival(c, v, datetime(2026, 1, 9, tzinfo=cp.BJ), True, name), i))
    assert cli("collect", box, "--dir", w)[0] == 0
    b = board(cli, w)
    assert [b[c]["status"] for c in ("D01", "D02", "D03", "D04")] == ["已回复但附件不是报表", "报表无法读取", "通过", "未报送"]
    assert "年报.pdf" in b["D01"]["detail"]
    code, out, err = cli("aggregate", "--dir", w, "--out", tmp_path / "a.xlsx")
    assert code == 2  # an unreadable input
    with Ledger.open(w) as led:
        fid = led.conn.execute("SELECT id FROM files WHERE original_name='D02.xlsx'").fetchone()[0]
    assert cli("reject", fid, "--reason", "文件损坏，已电话请其重发", "--dir", w)[0] == 0
    code, out, err = cli("aggregate", "--dir", w, "--out", tmp_path / "a.xlsx")
    assert code == 1 and "未报送：某局D02（D02）、某局D04（D04）" in out


def test_outputs_never_overwrite_or_feed_back_into_inputs(tmp_path, cli):
    d = tmp_path / "in"
    put(d, "D01", "pass", "v.xlsx")
    (tmp_path / "r.csv").write_text("单位代码,单位名称\nD01,某局D01\n", encoding="utf-8")
    before = (d / "v.xlsx").read_bytes()
    code, out, err = cli("aggregate", d / "v.xlsx", "--roster", tmp_path / "r.csv", "--out", d / "v.xlsx")
    assert code == 2 and "输入" in err and (d / "v.xlsx").read_bytes() == before
    # written into the input folder, read back next run: never counted as an input
    for _ in range(2):
        code, out, err = cli("aggregate", d, "--roster", tmp_path / "r.csv", "--out", d / "all.xlsx",
                             "--csv", d / "all.csv")
        assert code == 0, err
        assert "汇总了 1 份报表" in out
    assert not list(d.glob(".gkxl-*"))


def test_a_year_tie_is_refused(tmp_path, cli):
    d = tmp_path / "in"
    put(d, "D01", "pass")
    put(d, "D02", "oldyear")
    (tmp_path / "r.csv").write_text("单位代码,单位名称\nD01,某局D01\nD02,某局D02\n", encoding="utf-8")
    code, out, err = cli("aggregate", d, "--roster", tmp_path / "r.csv", "--out", tmp_path / "a.xlsx")
    assert code == 2 and "--year" in err and "2024" in err and "2025" in err
    code, out, err = cli("aggregate", d, "--roster", tmp_path / "r.csv", "--out", tmp_path / "a.xlsx", "--year", "2025")
    assert code == 1 and "待确认" in out  # D02's return is of 2024: it waits for the coordinator


def test_check_of_a_folder_skips_replaced_versions_for_feedback(tmp_path, cli):
    d = tmp_path / "收取"
    shutil.copytree(SAMPLES / "2025", d)
    code, out, err = cli("check", d, "--feedback-dir", tmp_path / "fb")
    assert "已被同一单位后来报送的版本替代" in out
    names = sorted(p.name for p in (tmp_path / "fb").glob("*-修改意见.txt"))
    assert "QH02-02-修改意见.txt" not in names  # 白石县财政局's draft was replaced by its final version


def test_add_twice_reads_nothing_again_and_a_changed_file_is_a_new_version(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称\nD01,某局D01\nD02,某局D02\n", encoding="utf-8")
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025")[0] == 0
    usb = tmp_path / "usb"
    put(usb, "D01", "fail", "d01.xlsx")
    put(usb, "D02", "pass", "d02.xlsx")
    (usb / "说明.docx").write_bytes(b"PK\x03\x04 not really")
    code, out, err = cli("add", usb, "--dir", w)
    assert code == 0 and "新加入 2 份" in out and "说明.docx" in err
    code, out, err = cli("add", usb, "--dir", w)
    assert code == 0 and "新加入 0 份" in out and "2 份此前已加入" in out
    put(usb, "D01", "pass", "d01.xlsx")  # corrected in place
    code, out, err = cli("add", usb, "--dir", w)
    assert "新加入 1 份" in out
    b = board(cli, w)
    assert b["D01"]["status"] == "通过" and b["D01"]["versions"] == 2
    # the ledger is a real SQLite file in WAL mode, and the copies are ours
    con = sqlite3.connect(w / LEDGER_NAME)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 3
    assert all((w / p).is_file() and p.startswith("收件/") for (p,) in con.execute("SELECT path FROM files"))


def test_not_a_working_folder_and_a_damaged_ledger(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("status")
    assert code == 2 and "gkxl init" in err
    (tmp_path / LEDGER_NAME).write_bytes(b"this is not sqlite" * 100)
    code, out, err = cli("status")
    assert code == 2 and "台账" in err and "Traceback" not in err


def test_confirm_report_and_check_all_in_a_working_folder(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称\nD01,某局D01\nD02,某局D02\n", encoding="utf-8")
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025")[0] == 0
    usb = tmp_path / "usb"
    put(usb, "D01", "pass", "d01.xlsx")
    put(usb, "D02", "fail", "d02.xlsx")
    assert cli("add", usb, "--dir", w, "--received", "2026-01-10")[0] == 0
    put(usb, "D02", "pass", "d02-改.xlsx")
    assert cli("add", usb, "--dir", w, "--received", "2026年1月12日")[0] == 0
    code, out, err = cli("check", "--dir", w, "--json")
    assert code == 0 and len(json.loads(out)) == 2  # current versions only
    code, out, err = cli("check", "--dir", w, "--all", "--json")
    assert code == 1 and len(json.loads(out)) == 3  # every file, the replaced failing one too
    code, out, err = cli("confirm", "D01", "--dir", w)
    assert code == 0 and "已确认" in out
    assert board(cli, w)["D01"]["status"] == "已确认"
    # a new version needs a new confirmation
    put(usb, "D01", "pass2", "d01-新.xlsx")
    assert cli("add", usb, "--dir", w, "--received", "2026-01-13")[0] == 0
    assert board(cli, w)["D01"]["status"] == "通过"
    code, out, err = cli("confirm", "D02", "--dir", w)
    assert code == 0
    code, out, err = cli("report", "--dir", w, "--format", "md")
    assert code == 0 and "已生成 2 份年度报告" in out, err
    md = (w / "输出" / "年度报告" / "D01.md").read_text(encoding="utf-8")
    assert "某局D01" in md
    code, out, err = cli("history", "D01", "--dir", w, "--json")
    h = json.loads(out)
    assert [v["fate"] for v in h["versions"]] == ["已被替代", "当前版本"] and h["versions"][1]["changes"]
    assert any(d.get("action") == "confirm" for d in h["log"])


def test_two_commands_on_one_folder_never_mix(tmp_path):
    """Two `gkxl add` processes at once on one working folder: both finish, every file once."""
    import subprocess
    import sys
    (tmp_path / "r.csv").write_text("单位代码,单位名称\n" + "".join(f"D{i:02d},某局D{i:02d}\n" for i in range(1, 13)),
                                    encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    w = tmp_path / "w"
    subprocess.run([sys.executable, "-m", "gkxl", "init", str(w), "--roster", str(tmp_path / "r.csv"), "--year",
                    "2025"], check=True, env=env, capture_output=True)
    a, b = tmp_path / "a", tmp_path / "b"
    for i in range(1, 13):
        put(a if i % 2 else b, f"D{i:02d}", "pass")
    procs = [subprocess.Popen([sys.executable, "-m", "gkxl", "add", str(d), "--dir", str(w)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for d in (a, b)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    con = sqlite3.connect(w / LEDGER_NAME)
    assert con.execute("SELECT count(*), count(DISTINCT agency_code) FROM files").fetchone() == (12, 12)
    assert not list(w.rglob(".gkxl-*.tmp"))


def test_a_plain_roll_up_of_a_collect_folder_sees_replies_that_are_not_returns(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称,邮箱\nD01,某局D01,d01@gov.example.cn\nD02,某局D02,d02@gov.example.cn\n"
                                    "D03,某局D03,d03@gov.example.cn\n", encoding="utf-8")
    from datetime import datetime
    box = tmp_path / "box"
    box.mkdir()
    sends = [("D01", cp.variant("D01", "junk"), "年报.pdf"), ("D02", cp.variant("D02", "corrupt"), "D02.xlsx"),
             ("D03", cp.variant("D03", "pass"), "D03.xlsx")]
    for i, (c, v, name) in enumerate(sends):
        (box / f"{i}.eml").write_bytes(cp.eml(cp.Arrival(c, v, datetime(2026, 1, 9, tzinfo=cp.BJ), True, name), i))
    assert cli("collect", box, "--out", tmp_path / "收取", "--roster", tmp_path / "r.csv")[0] == 0
    roll = aggregate([tmp_path / "收取"], load_roster(tmp_path / "r.csv"))
    st = {s.agency.code: s.status for s in roll.statuses}
    assert st == {"D01": "已回复但附件不是报表", "D02": "报表无法读取", "D03": "通过"}
    assert len(roll.submissions) == 3  # every attachment received, once


def test_a_ledger_copy_changed_on_disk_is_not_trusted(tmp_path, cli):
    (tmp_path / "r.csv").write_text("单位代码,单位名称\nD01,某局D01\n", encoding="utf-8")
    w = tmp_path / "w"
    assert cli("init", w, "--roster", tmp_path / "r.csv", "--year", "2025")[0] == 0
    put(tmp_path / "usb", "D01", "pass", "d01.xlsx")
    assert cli("add", tmp_path / "usb", "--dir", w)[0] == 0
    code, out, err = cli("aggregate", "--dir", w, "--out", tmp_path / "a.xlsx")
    assert code == 0, err
    stored = next((w / "收件").glob("*.xlsx"))
    stored.write_bytes(cp.variant("D01", "fail").data)  # someone edits the ledger's own copy
    code, out, err = cli("aggregate", "--dir", w, "--out", tmp_path / "b.xlsx")
    assert code == 2 and "报表无法读取" in out
