"""The CLI from outside: exit codes, Chinese messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest

from corpus import AGENCY, YEAR, good_values, write_good
from gkxl.fake import write_return


def _no_traceback(out, err):
    assert "Traceback" not in out + err


def test_template_single_and_roster(cli, tmp_path):
    code, out, err = cli("template", tmp_path / "one.xlsx", "--year", 2025, "--agency", "某局", "--code", "X1")
    assert code == 0 and "已生成 2025 年度模板" in out
    roster = tmp_path / "roster.csv"
    roster.write_text("单位代码,单位名称,所属地区,邮箱\nA1,甲局,R,a@x.cn\nA2,乙局,R,b@x.cn\n", encoding="utf-8")
    code, out, err = cli("template", "--roster", roster, "--out-dir", tmp_path / "tpl", "--year", 2025)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir()) == ["A1.xlsx", "A2.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "tpl" / "A2.xlsx")
    assert wb["封面"]["B4"].value == "乙局"


@pytest.mark.parametrize("roster_text, needle", [
    ("名称,邮箱\n甲局,a@x.cn\n", "缺少必需的列"),
    ("单位代码,单位名称\nA1,甲局\nA1,乙局\n", "重复"),
    ("单位代码,单位名称,类型\nA1,甲局,部门\nR1,某县,汇总\n", None),
])
def test_roster_errors(cli, tmp_path, roster_text, needle):
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text, encoding="utf-8")
    code, out, err = cli("template", "--roster", roster, "--out-dir", tmp_path / "o")
    _no_traceback(out, err)
    if needle is None:
        assert code == 0
        assert [p.name for p in (tmp_path / "o").iterdir()] == ["A1.xlsx"]  # roll-up rows get no template
    else:
        assert code == 2 and needle in err and str(roster) in err


def test_template_errors(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[form]\nid = 'x'\n", encoding="utf-8")
    for args, needle in [
        (("template", tmp_path / "x.xlsx", "--form", bad), "缺少必填项“sheets”"),
        (("template", tmp_path / "x.xlsx", "--form", "gb1999"), "未知的表单"),
        (("template", tmp_path / "nodir" / "x.xlsx"), "不存在"),
        (("template", tmp_path / "x.txt"), ".xlsx"),
        (("template", tmp_path / "x.xlsx", "--agency", "某局"), "同时给出"),
        (("template", "--bogus"), "没有这个选项"),
    ]:
        code, out, err = cli(*args)
        assert code == 2, (args, out, err)
        assert needle in err, (args, err)
        _no_traceback(out, err)


def test_check_exit_codes_and_json(cli, tmp_path, form):
    good = write_good(form, tmp_path / "good.xlsx")
    v = good_values(form)
    v[("t3", "new", "natural")] += 1
    bad = write_return(tmp_path / "bad.xlsx", form, AGENCY, YEAR, v)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook, just text, with commas")
    assert cli("check", good)[0] == 0
    code, out, err = cli("check", good, bad)
    assert code == 1 and "【不通过】" in out and "T3-BALANCE" in out and "三、依申请公开情况!D7" in out
    code, out, err = cli("check", good, bad, junk, "--json")
    assert code == 2
    data = json.loads(out)
    assert [d["status"] for d in data] == ["pass", "fail", "unreadable"]  # in the order given
    f = next(x for x in data[1]["findings"] if x["rule"] == "T3-BALANCE")
    assert set(f) >= {"rule", "severity", "sheet", "cell", "message", "values"}
    assert f["cell"] == "D7" and f["values"]["left"] - f["values"]["right"] == 1
    assert data[2]["error_code"] == "READ_CSV" and "junk.xlsx" in data[2]["error"]
    _no_traceback(out, err)


def test_check_feedback_dir(cli, tmp_path, form):
    v = good_values(form)
    v[("t3", "new", "natural")] += 1
    bad = write_return(tmp_path / "in" / "bad.xlsx" if (tmp_path / "in").mkdir() is None else None, form, AGENCY,
                       YEAR, v)
    code, out, err = cli("check", tmp_path / "in", "--feedback-dir", tmp_path / "fb")
    assert code == 1
    wb = openpyxl.load_workbook(tmp_path / "fb" / "C001.xlsx")
    comment = wb["三、依申请公开情况"]["D7"].comment
    assert comment is not None and "T3-BALANCE" in comment.text
    text = (tmp_path / "fb" / "C001-修改意见.txt").read_text(encoding="utf-8-sig")
    assert "示例市财政局" in text and "第一项加第二项之和" in text
    # the marked-up copy is still the agency's return: fixing it makes it pass
    from gkxl.checks import check_file
    res = check_file(tmp_path / "fb" / "C001.xlsx")
    assert res.ret.agency_code == "C001" and not any(f.rule.startswith("G-") for f in res.findings)


def test_console_script_runs(tmp_path):
    """The installed entry point, as a user's shell calls it."""
    r = subprocess.run([sys.executable, "-m", "gkxl", "check", str(tmp_path / "missing.xlsx")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "没有找到要检查的文件" in r.stderr or "无法读取" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("cmd", [[], ["status"], ["aggregate"], ["send", "reminders"], ["init"], ["add"]])
def test_help_speaks_chinese(cli, cmd):
    code, out, err = cli(*cmd, "--help")
    assert code == 0
    for english in ("Show this message", "Usage:", "Options:", "Commands:", "Arguments:", "[default:", "[required]"):
        assert english not in out, (cmd, english)
    assert "用法：" in out and "显示本帮助并退出" in out


@pytest.mark.slow
def test_check_jobs_gives_the_same_report(cli, tmp_path):
    import json
    import shutil
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "samples" / "2025"
    for i in range(2):
        for p in src.glob("*.xlsx"):
            shutil.copy(p, tmp_path / f"{i}-{p.name}")
    outs = []
    for jobs in ("1", "2"):
        code, out, err = cli("check", tmp_path, "--jobs", jobs, "--json")
        assert code == 1
        outs.append(json.loads(out))
    assert len(outs[0]) == 62 and outs[0] == outs[1]
