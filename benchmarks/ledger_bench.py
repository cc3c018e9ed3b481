#!/usr/bin/env python3
"""The ledger at national scale, each figure beside its floor measured in the same run.

    python3 run.py bench-ledger [--agencies 100000 --files 150000 --add 2000]

- `gkxl status` (whole process: roster load, ledger read, resolution, summary)
  and `gkxl status --json` and `--out 完成情况.xlsx`, on a ledger of N agencies
  and M files, beside the floor: reading the same rows with a bare SELECT and
  the roster with csv.reader;
- `gkxl add DIR` of K real returns, then the same folder again: the second run
  must read nothing (it only stats), beside a bare os.stat walk of the folder.

The ledger rows are written directly (as `add`/`collect` would leave them):
status never opens the returns, so their bytes do not matter here.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GKXL = [sys.executable, "-m", "gkxl"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
PER_REGION = 100


def make_ledger(where: Path, n_agencies: int, n_files: int) -> Path:
    from gkxl.ledger import Ledger

    roster = where / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "所属地区", "上级地区", "类型", "邮箱"])
        w.writerow(["P", "某省（汇总）", "", "", "汇总", ""])
        for r in range((n_agencies + PER_REGION - 1) // PER_REGION):
            w.writerow([f"R{r:04d}", f"地区{r:04d}", "", "P", "汇总", ""])
        for i in range(n_agencies):
            w.writerow([f"B{i:06d}", f"基准单位{i:06d}", f"R{i // PER_REGION:04d}", "", "部门",
                        f"b{i:06d}@bench.example.cn"])
    w = where / "work"
    led = Ledger.init(w, roster, 2025)
    rows = []
    for j in range(n_files):
        i = j % n_agencies
        second = j >= n_agencies
        verdict = "fail" if (i % 7 == 0 and not second) else "pass"
        day = 10 + (j // n_agencies) * 10 + (i % 9)
        rows.append((f"mail:bench:{j}", "mail", "bench", f"邮件/B{i:06d}/{j}.xlsx", f"B{i:06d}.xlsx",
                     f"{j:064x}", 20000, f"2026-01-{day:02d}T10:00:00+08:00", "2026-01-31T00:00:00+08:00",
                     f"<{j}@bench>", f"b{i:06d}@bench.example.cn", "return", f"B{i:06d}", f"基准单位{i:06d}", 2025,
                     verdict, 2 if verdict == "fail" else 0, 0))
        if j % n_agencies == n_agencies - 1 or j == n_files - 1:
            pass
    with led.tx():
        led.conn.executemany(
            "INSERT INTO files(origin_key, origin, source, path, original_name, sha256, size, received_at, added_at,"
            " message_id, sender, kind, agency_code, agency_name, year, verdict, errors, warnings)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    led.close()
    return w


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, env=ENV, **kw)
    return time.perf_counter() - t, r


def floor_status(w: Path) -> float:
    t = time.perf_counter()
    con = sqlite3.connect(w / "gkxl.db")
    n = len(con.execute("SELECT * FROM files").fetchall())
    with open(w / "名单.csv", encoding="utf-8") as fh:
        m = sum(1 for _ in csv.reader(fh))
    assert n and m
    return time.perf_counter() - t


def bench_status(n_agencies: int, n_files: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        w = make_ledger(Path(d), n_agencies, n_files)
        print(f"账本：{n_agencies:,} 个单位，{n_files:,} 个文件（生成 {time.perf_counter() - t:.1f} 秒）")
        fl = floor_status(w)
        t_imp, _ = timed(GKXL + ["--version"])
        t_s, r = timed(GKXL + ["status", "--dir", str(w)])
        assert r.returncode in (0, 1), r.stderr.decode()
        t_j, r = timed(GKXL + ["status", "--json", "--dir", str(w)])
        t_x, r = timed(GKXL + ["status", "--dir", str(w), "--out", str(Path(d) / "board.xlsx")])
        print(f"| gkxl status（整个进程） | {t_s:.2f} 秒 | 下限：SELECT 全部文件行 + 读名单 {fl:.2f} 秒；Python 启动与导入 {t_imp:.2f} 秒 | < 5 秒 {'✔' if t_s < 5 else '✘'} |")
        print(f"| gkxl status --json | {t_j:.2f} 秒 | | |")
        print(f"| gkxl status --out 完成情况.xlsx | {t_x:.2f} 秒 | | |")


def _twice(d: Path, k: int, cmd: list[str], emails: bool) -> tuple[float, float, str]:
    """A working folder for k agencies B000000.. (with their addresses when `emails`), then `cmd` run
    into it twice: (first seconds, second seconds, what the second printed)."""
    roster = d / "r.csv"
    head = "单位代码,单位名称" + (",邮箱" if emails else "")
    roster.write_text(head + "\n" + "".join(f"B{i:06d},基准单位{i:06d}" + (f",b{i:06d}@bench.example.cn" if emails else "")
                                           + "\n" for i in range(k)), encoding="utf-8")
    w = d / "w"
    subprocess.run(GKXL + ["init", str(w), "--roster", str(roster), "--year", "2025"], check=True,
                   capture_output=True, env=ENV)
    t1, _ = timed(GKXL + cmd + ["--dir", str(w)])
    t2, r2 = timed(GKXL + cmd + ["--dir", str(w)])
    return t1, t2, r2.stdout.decode()


def bench_add(k: int) -> None:
    from gkxl.fake import realistic_return, write_return
    from gkxl.form import load_form
    from gkxl.roster import Agency

    form = load_form()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        src = d / "usb"
        src.mkdir()
        base = src / "B000000.xlsx"
        write_return(base, form, Agency("B000000", "基准单位000000"), 2025, realistic_return(form, 1))
        for i in range(1, k):
            shutil.copyfile(base, src / f"B{i:06d}.xlsx")
        t1, t2, out2 = _twice(d, k, ["add", str(src)], emails=False)
        t = time.perf_counter()
        for p in src.iterdir():
            p.stat()
        walk = time.perf_counter() - t
        t_imp, _ = timed(GKXL + ["--version"])
        print(f"| gkxl add {k:,} 份（第一次：复制、读取、检查、记账） | {t1:.2f} 秒 | | |")
        print(f"| 同一目录再 add 一次（不读取任何文件） | {t2:.2f} 秒 | 下限：os.stat 遍历 {walk:.3f} 秒 + 启动导入 {t_imp:.2f} 秒 | "
              f"{'✔ 0 份重读' if '新加入 0 份' in out2 else '✘ ' + out2[:80]} |")


def bench_collect(k: int) -> None:
    """k replies as .eml in a folder: the first collect reads and checks them, the second must read no workbook."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    from gkxl.fake import realistic_return, write_return
    from gkxl.form import load_form
    from gkxl.roster import Agency

    form = load_form()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        base = d / "b.xlsx"
        write_return(base, form, Agency("B000000", "基准单位000000"), 2025, realistic_return(form, 1))
        data = base.read_bytes()
        box = d / "box"
        box.mkdir()
        t0 = datetime(2026, 1, 5, tzinfo=timezone(timedelta(hours=8)))
        for i in range(k):
            m = MIMEMultipart()
            m["From"] = f"b{i:06d}@bench.example.cn"
            m["Subject"] = "报表"
            m["Date"] = format_datetime(t0 + timedelta(minutes=i))
            m["Message-ID"] = f"<{i}@bench.example.cn>"
            part = MIMEApplication(data, "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            part.add_header("Content-Disposition", "attachment", filename=f"B{i:06d}.xlsx")
            m.attach(part)
            (box / f"{i:06d}.eml").write_bytes(m.as_bytes())
        t1, t2, out2 = _twice(d, k, ["collect", str(box)], emails=True)
        print(f"| gkxl collect {k:,} 封回信（第一次：解析、保存、检查、记账） | {t1:.2f} 秒 | | |")
        print(f"| 同一邮箱再 collect 一次 | {t2:.2f} 秒 | | "
              f"{'✔ 0 封新邮件、0 项新记账' if '新收邮件 0 封' in out2 and '记入台账 0 项' in out2 else '✘ ' + out2[:120]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=150_000)
    ap.add_argument("--add", type=int, default=2_000)
    ap.add_argument("--collect", type=int, default=1_000)
    a = ap.parse_args()
    print(f"机器：{os.cpu_count()} 核，Python {sys.version.split()[0]}")
    print("| 项目 | gkxl | 同一次运行的基准线 | 目标 |\n|---|---|---|---|")
    bench_status(a.agencies, a.files)
    bench_add(a.add)
    bench_collect(a.collect)


if __name__ == "__main__":
    main()
