"""The ledger's proof: random campaigns, each checked against an independent oracle.

For every agency the four views agree with each other and with the oracle —
`gkxl status --json`, the roll-up's 完成情况, its 来源, the console summary —
the roll-up sums exactly the returns counted, and every file received appears
exactly once with a fate.
"""

from __future__ import annotations

import json
import os

import openpyxl
import pytest

from campaign import YEAR, make_campaign, oracle, write_inputs
from gkxl.collection import FILE_FATES
from gkxl.ledger import Ledger
from gkxl.reader import read_return

FAST_SEEDS = range(1)
SLOW_SEEDS = range(1, int(os.environ.get("GKXL_CAMPAIGNS", "300")))


def run_campaign(seed: int, tmp_path, cli) -> None:
    camp = make_campaign(seed)
    box, hand, arrivals = write_inputs(camp, tmp_path)
    roster = tmp_path / "名单.csv"
    roster.write_bytes(camp.roster_csv().encode("gb18030"))
    w = tmp_path / "work"
    code, out, err = cli("init", w, "--roster", roster, "--year", YEAR, "--deadline", "2026年1月31日")
    assert code == 0, err
    code, out, err = cli("collect", box, "--dir", w)
    assert code == 0, err
    code, out, err = cli("add", hand, "--dir", w)
    assert code == 0, err
    # the coordinator's decisions, by the ledger number the board shows
    with Ledger.open(w) as led:
        ids = {row[1]: row[0] for row in led.conn.execute("SELECT id, original_name FROM files")}
    assert len(ids) == len(arrivals), "every file received is in the ledger, once"
    for _, arr in arrivals:
        fid = ids[arr.name]
        if arr.decision[:1] == ("assign",):
            code, out, err = cli("assign", fid, arr.decision[1], "--dir", w)
        elif arr.decision[:1] == ("accept",):
            code, out, err = cli("accept", fid, "--dir", w)
        elif arr.decision[:1] == ("reject",):
            code, out, err = cli("reject", fid, "--reason", "不是本次报送的报表", "--dir", w)
        else:
            continue
        assert code == 0, (arr, err)

    expect, totals = oracle(camp)
    code, out, err = cli("status", "--json", "--dir", w)
    board = {r["code"]: r for r in json.loads(out)}
    for c, e in expect.items():
        got = board[c]
        assert (got["status"], got["late"], got["counted"]) == (e.status, e.late, e.counted), (seed, c, got, e)
    depts = [a.code for a in camp.agencies]
    done = all(board[c]["status"] in ("通过", "已确认", "已含在地区汇总表中") for c in depts)
    assert code == (0 if done else 1)

    rollup = w / "输出" / "roll.xlsx"
    code, out, err = cli("aggregate", "--dir", w, "--out", rollup)
    unreadable = any(a.variant.verdict == "unreadable" and a.decision[:1] != ("reject",) for _, a in arrivals)
    all_counted = all(expect[c].counted for c in depts)
    assert code == (2 if unreadable else 0 if all_counted else 1), (seed, code, err)
    # the roll-up sums exactly the returns counted
    got = read_return(rollup)
    for k, v in totals.items():
        assert got.values[k] == pytest.approx(v), (seed, k)
    wb = openpyxl.load_workbook(rollup, read_only=True)
    status_rows = []
    for r in wb["完成情况"].iter_rows(min_row=3, values_only=True):
        if not r[0]:
            break  # the per-region counts follow after a blank row
        status_rows.append(r)
    sheet = {r[0]: r for r in status_rows}
    assert set(sheet) == set(board)
    for c in board:
        assert sheet[c][4] == board[c]["status"], (seed, c)
        assert (sheet[c][6] == "是") == board[c]["counted"]
        assert ("逾期" in (sheet[c][5] or "")) == board[c]["late"]
    sources = [r for r in wb["来源"].iter_rows(min_row=3, values_only=True) if any(r)]
    assert len(sources) == len(arrivals)
    assert all(r[12] in FILE_FATES for r in sources)
    assert sum(r[13] in ("已汇总", "已汇总（未通过检查）") for r in sources) == \
        sum(1 for c, e in expect.items() if e.values is not None) + \
        sum(1 for c in ("R1", "R2") if c in expect and expect[c].counted)
    wb.close()
    # the console summary names the same agencies
    lines = {ln.split("：", 1)[0]: ln for ln in out.splitlines() if "：" in ln}
    for c in depts:
        name = f"某局{c}（{c}）"
        for word in ("未报送", "不通过"):
            assert (name in lines.get(word, "")) == (board[c]["status"] == word), (seed, c, word)


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_campaign(seed, tmp_path, cli):
    run_campaign(seed, tmp_path, cli)


@pytest.mark.slow
def test_campaigns_many(tmp_path, cli):
    for seed in SLOW_SEEDS:
        d = tmp_path / str(seed)
        d.mkdir()
        run_campaign(seed, d, cli)
