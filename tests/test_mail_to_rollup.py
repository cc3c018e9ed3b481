"""Mail → collect → aggregate: the received time decides which return wins, and
the message id and time reach the roll-up's 来源 sheet."""

from __future__ import annotations

from datetime import datetime

import openpyxl

from conftest import ROOT
from gkxl.aggregate import aggregate
from gkxl.fake import realistic_return, write_return
from gkxl.form import load_form
from gkxl.mail import collect
from gkxl.rollup_write import write_rollup
from gkxl.roster import Agency, load_roster
from mail_corpus import _xlsx_part, message, when


def test_received_time_wins_and_reaches_provenance(tmp_path):
    form = load_form()
    a = Agency("QH-01", "清河市人民政府办公室", "QH")
    early, late = realistic_return(form, 1), realistic_return(form, 2)
    # the return mailed last was saved first: the mail's time must decide
    p1 = write_return(tmp_path / "v1.xlsx", form, a, 2025, early, saved_at=datetime(2026, 1, 20))
    p2 = write_return(tmp_path / "v2.xlsx", form, a, 2025, late, saved_at=datetime(2026, 1, 5))
    box = tmp_path / "box"
    box.mkdir()
    for i, (p, day) in enumerate(((p1, 10), (p2, 12))):
        msg = message([_xlsx_part(p.read_bytes(), "报表.xlsx")], sender="gk01@qinghe.example.gov.cn",
                      subject="年报统计表", date=when(day), mid=f"m{i}")
        (box / f"{i}.eml").write_bytes(msg.as_bytes())
    out = tmp_path / "collected"
    collect([str(box)], out)
    roll = aggregate([out], load_roster(ROOT / "samples" / "roster.csv"), region=None)
    used = [s for s in roll.parts]
    assert len(used) == 1 and used[0].message_id.strip("<>").startswith("m1")
    assert roll.totals[("t3", "new", "natural")] == late[("t3", "new", "natural")]
    book = openpyxl.load_workbook(write_rollup(roll, tmp_path / "r.xlsx"))
    rows = list(book["来源"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2
    assert all(r[6].startswith("2026-01-1") and "m" in r[8] for r in rows)  # received time, message id
    assert {(r[12], r[13]) for r in rows} == {("当前版本", "已汇总"), ("已被替代", "未汇总")}
