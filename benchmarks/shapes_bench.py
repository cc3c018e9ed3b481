#!/usr/bin/env python3
"""Speed on returns as they really come back (project issue 15).

    .venv/bin/python benchmarks/shapes_bench.py                      # --n 1000, every shape, aggregate 1000 10000
    .venv/bin/python benchmarks/shapes_bench.py --n 1000 --shapes gkxl,libreoffice --aggregate 1000
    .venv/bin/python benchmarks/shapes_bench.py --parts read,profile --dir /tmp/gkxl-shapes   # reuse the files

The same N returns in every shape real spreadsheet programs produce (benchmarks/shapes.py:
gkxl's writer, a real LibreOffice re-save, an openpyxl re-save, Excel-shaped XML with and
without phonetic runs), and in ONE run, on equal cores:

- read (one core, in this process; CPU time and wall; medians of --repeat runs; ms per return):
  gkxl read+check (gkxl.check_file per file) beside the floor (zipfile + lxml parse of every
  XML part, and of only the parts gkxl reads), python-calamine (every cell value of every
  sheet), openpyxl load_workbook full and read_only=True (every cell value). openpyxl is slow,
  so it runs on the first --opx-files of the same files.
  Targets: read+check <= 2x calamine; >= 10x faster than openpyxl read_only.
- cli (whole processes): `python -m gkxl check ONE.xlsx` (median of 5; target < 0.3 s) beside
  `python -c pass` and `python -c "import gkxl.checks"`; `python -m gkxl check DIR` for the N
  files of each shape (--jobs 1 and 2 when `check` has the option).
- aggregate (LibreOffice-saved shape, at each --aggregate size, --jobs 1 and 2): with a ledger
  (`gkxl init`, `gkxl add DIR`, `gkxl aggregate --dir W`; add and aggregate timed apart) and
  plain `gkxl aggregate DIR --roster R`; peak RSS is getrusage(RUSAGE_CHILDREN).ru_maxrss in a
  wrapper process (the largest single process of the command, workers included).
- templates: `gkxl template --roster R` for --templates agencies with --jobs 1 and 2, beside
  gkxl.write_template in this process and the floor: xlsxwriter writing the same workbooks
  (template_bench.py records every xlsxwriter call of a template and replays it), on 1 and 2 cores.
- profile: cProfile of gkxl.check_file over --profile-files files of each shape, top 12 by tottime.

Files are kept in --dir (default /tmp/gkxl-shapes) and reused by the next run. gkxl remembers,
in the process, what it decoded of the parts and strings that repeat from return to return (a
form's labels, formulas, styles, the workbook part; workbook/fastscan.py and xlsx.py); each
repeat of the read section starts with those emptied (xlsx.clear_caches), so every repeat is
one cold run over N distinct returns, as one `gkxl check DIR` is: the first return of each
shape pays for the labels, and each return for its own agency's strings and numbers.
The whole run at --n 1000 with --aggregate 1000 10000 takes longer than ten minutes on two cores;
--parts runs it in sections over the same kept files.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _src_arg() -> Path:
    """--src DIR (read before argparse: the import of gkxl depends on it), else GKXL_SRC, else ROOT/src."""
    for i, a in enumerate(sys.argv):
        if a == "--src" and i + 1 < len(sys.argv):
            return Path(sys.argv[i + 1]).resolve()
        if a.startswith("--src="):
            return Path(a[6:]).resolve()
    return Path(os.environ.get("GKXL_SRC") or ROOT / "src")


SRC = _src_arg()
os.environ["GKXL_SRC"] = str(SRC)
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(SRC))

import shapes  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(SRC))
GKXL = [sys.executable, "-m", "gkxl"]
SHAPE_ZH = {
    "gkxl": "gkxl 自己写出",
    "libreoffice": "LibreOffice 另存",
    "openpyxl": "openpyxl 另存",
    "excel": "Excel 形状（模拟）",
    "excel_phonetic": "Excel 形状 + 拼音/注音（模拟）",
}
ALL_PARTS = ("read", "cli", "aggregate", "templates", "profile")


def say(*a) -> None:
    print(*a, flush=True)


def load() -> str:
    """The machine's 1-minute load average (other work on the 2 cores shows here)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def fmt(x: float | None, nd: int = 2) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


# ---------------------------------------------------------------- whole processes

WRAP = r"""
import json, resource, subprocess, sys, time
argv = json.loads(sys.argv[1])
with open(sys.argv[2], "wb") as out:
    t = time.perf_counter()
    rc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, cwd=sys.argv[3] or None).returncode
    wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024}))
"""


def run_child(argv: list[str], cwd: Path | None = None) -> dict:
    """Run one command in a fresh wrapper process: wall, CPU of all its processes, peak RSS."""
    with tempfile.NamedTemporaryFile(prefix="gkxl-bench-out-", suffix=".txt", delete=False) as fh:
        out = fh.name
    try:
        r = subprocess.run([sys.executable, "-c", WRAP, json.dumps(argv), out, str(cwd or "")],
                           capture_output=True, text=True, env=ENV)
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["output"] = Path(out).read_text(encoding="utf-8", errors="replace")
    finally:
        os.unlink(out)
    return res


def median_child(argv: list[str], k: int = 5) -> dict:
    runs = [run_child(argv) for _ in range(k)]
    return {"wall": statistics.median(r["wall"] for r in runs), "cpu": statistics.median(r["cpu"] for r in runs),
            "rc": runs[-1]["rc"], "output": runs[-1]["output"]}


def link_dir(d: Path, paths: list[Path]) -> Path:
    """A folder holding exactly these files (hard links; copies where links fail)."""
    if d.exists() and sorted(os.listdir(d)) == sorted(p.name for p in paths):
        return d
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for p in paths:
        try:
            os.link(p, d / p.name)
        except OSError:
            shutil.copy2(p, d / p.name)
    return d


# ---------------------------------------------------------------- readers compared

def _floor(paths, only_gkxl_parts: bool) -> None:
    from lxml import etree
    for p in paths:
        z = zipfile.ZipFile(io.BytesIO(Path(p).read_bytes()))
        for nm in z.namelist():
            if only_gkxl_parts:
                if not (nm.startswith("xl/worksheets/sheet") or nm in (
                        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml", "xl/sharedStrings.xml")):
                    continue
            elif not nm.endswith((".xml", ".rels")):
                continue
            etree.fromstring(z.read(nm))


def _calamine(paths) -> None:
    from python_calamine import CalamineWorkbook
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for nm in wb.sheet_names:
            wb.get_sheet_by_name(nm).to_python()


def _openpyxl(paths, read_only: bool) -> None:
    import openpyxl
    for p in paths:
        wb = openpyxl.load_workbook(p, read_only=read_only)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        if read_only:
            wb.close()


def _gkxl(paths) -> None:
    import gkxl
    from gkxl.workbook import xlsx
    if hasattr(xlsx, "clear_caches"):  # every repeat reads cold, as one `gkxl check DIR` does
        xlsx.clear_caches()
    else:  # a snapshot from before clear_caches
        for name in ("_UNESCAPED", "_SST_CACHE"):
            getattr(xlsx, name, {}).clear()
    check = gkxl.check_file
    for p in paths:
        check(p)


def have_calamine() -> bool:
    try:
        import python_calamine  # noqa: F401
        return True
    except ImportError:
        return False


def bench_read(shape: str, paths: list[Path], opx_files: int, repeat: int) -> dict:
    few = paths[:opx_files]
    methods = {
        "gkxl": (lambda: _gkxl(paths), len(paths)),
        "floor_all": (lambda: _floor(paths, False), len(paths)),
        "floor_gkxl": (lambda: _floor(paths, True), len(paths)),
    }
    if have_calamine():
        methods["calamine"] = (lambda: _calamine(paths), len(paths))
    methods["openpyxl"] = (lambda: _openpyxl(few, False), len(few))
    methods["openpyxl_ro"] = (lambda: _openpyxl(few, True), len(few))
    # warm: imports, the form, layout caches
    _gkxl(paths[:2]); _floor(paths[:1], False); _openpyxl(paths[:1], True)
    if "calamine" in methods:
        _calamine(paths[:1])
    cpu: dict[str, list[float]] = {k: [] for k in methods}
    wall: dict[str, list[float]] = {k: [] for k in methods}
    for _ in range(repeat):  # interleaved, so drift falls on every method alike
        for k, (fn, n) in methods.items():
            gc.collect()
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            cpu[k].append((time.process_time() - c0) / n * 1000)
            wall[k].append((time.perf_counter() - w0) / n * 1000)
    return {k: {"files": methods[k][1], "cpu_ms": statistics.median(cpu[k]), "wall_ms": statistics.median(wall[k])}
            for k in methods}


METHOD_ZH = {
    "gkxl": "gkxl 读取+检查（gkxl.check_file）",
    "floor_all": "下限：zipfile + lxml 解析全部 XML 部件",
    "floor_gkxl": "下限：只解析 gkxl 读取的部件（workbook、rels、custom、sharedStrings、工作表）",
    "calamine": "python-calamine：读取全部工作表的单元格值",
    "openpyxl": "openpyxl load_workbook 完整模式（遍历全部单元格值）",
    "openpyxl_ro": "openpyxl load_workbook read_only=True（遍历全部单元格值）",
}


def print_read(shape: str, n: int, r: dict) -> dict:
    g = r["gkxl"]
    say(f"\n### {shape}：{SHAPE_ZH[shape]}（{n} 份）\n")
    say("| 方法 | 文件数 | CPU ms/份（中位数） | 墙钟 ms/份（中位数） | ÷ gkxl（CPU） |")
    say("|---|---:|---:|---:|---:|")
    for k in METHOD_ZH:
        if k == "calamine" and k not in r:
            say(f"| {METHOD_ZH[k]} | — | 未安装 | 未安装 | — |")
            continue
        m = r[k]
        say(f"| {METHOD_ZH[k]} | {m['files']} | {m['cpu_ms']:.3f} | {m['wall_ms']:.3f} | {m['cpu_ms'] / g['cpu_ms']:.2f}× |")
    out = {"gkxl_cpu": g["cpu_ms"], "gkxl_wall": g["wall_ms"], "floor": r["floor_all"]["cpu_ms"],
           "floor_gkxl": r["floor_gkxl"]["cpu_ms"]}
    say("")
    if "calamine" in r:
        c = r["calamine"]
        rc, rw = g["cpu_ms"] / c["cpu_ms"], g["wall_ms"] / c["wall_ms"]
        out["vs_calamine"] = rc
        say(f"- gkxl ÷ calamine = {rc:.2f}×（CPU）/ {rw:.2f}×（墙钟）；目标 ≤ 2×：{'✔ 达标' if rc <= 2 else '✘ 未达标'}")
    else:
        say("- gkxl ÷ calamine：python-calamine 未安装")
    o = r["openpyxl_ro"]
    ro, rw = o["cpu_ms"] / g["cpu_ms"], o["wall_ms"] / g["wall_ms"]
    out["opx_ro_vs_gkxl"] = ro
    out["opx_vs_gkxl"] = r["openpyxl"]["cpu_ms"] / g["cpu_ms"]
    say(f"- openpyxl read_only ÷ gkxl = {ro:.2f}×（CPU）/ {rw:.2f}×（墙钟）；目标 ≥ 10×：{'✔ 达标' if ro >= 10 else '✘ 未达标'}")
    say(f"- gkxl ÷ 下限（全部 XML 部件）= {g['cpu_ms'] / r['floor_all']['cpu_ms']:.2f}×；"
        f"gkxl ÷ 下限（gkxl 读取的部件）= {g['cpu_ms'] / r['floor_gkxl']['cpu_ms']:.2f}×（CPU）")
    return out


# ---------------------------------------------------------------- whole-process check

def import_times(argv: list[str]) -> list[tuple[str, int, int]]:
    """Top-level imports of one run under -X importtime: (module, cumulative µs, self µs), largest first."""
    r = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=ENV)
    out = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, own, cum, name = (x for x in [line[:12]] + line[12:].split("|"))
        if name.startswith("  ") or not own.strip().isdigit():
            continue  # nested (indented) or the header
        out.append((name.strip(), int(cum), int(own)))
    return sorted(out, key=lambda x: x[1], reverse=True)


def check_has_jobs() -> bool:
    r = subprocess.run(GKXL + ["check", "--help"], capture_output=True, text=True, env=ENV)
    return "--jobs" in r.stdout


def bench_cli(base: Path, shape_paths: dict[str, list[Path]]) -> None:
    say(f"\n## 整个进程：启动与 gkxl check（墙钟，秒；开始时负载 {load()}）\n")
    say("| 命令 | 墙钟 s（5 次中位数） | CPU s（中位数） | 退出码 |")
    say("|---|---:|---:|---:|")
    for label, argv in (('python -c "pass"', [sys.executable, "-c", "pass"]),
                        ('python -c "import gkxl.checks"', [sys.executable, "-c", "import gkxl.checks"])):
        m = median_child(argv)
        say(f"| `{label}` | {m['wall']:.3f} | {m['cpu']:.3f} | {m['rc']} |")
    for shape, paths in shape_paths.items():
        one = paths[0]
        m = median_child(GKXL + ["check", str(one)])
        ok = "✔" if m["wall"] < 0.3 else "✘"
        say(f"| `python -m gkxl check ONE.xlsx`（{shape}） | {m['wall']:.3f} {ok} | {m['cpu']:.3f} | {m['rc']} |")
    say("\n目标：`gkxl check ONE.xlsx` 整个进程 < 0.3 s（✔/✘ 标在数字旁）。\n")
    imports = import_times(GKXL + ["check", str(next(iter(shape_paths.values()))[0])])
    if imports:
        say("`python -X importtime -m gkxl check ONE.xlsx`：累计导入时间最多的顶层模块（1 次，含 importtime 自身开销）\n")
        say("| 模块 | 累计 ms | 其中自身 ms |")
        say("|---|---:|---:|")
        for nm, cum, own in imports[:10]:
            say(f"| `{nm}` | {cum / 1000:.1f} | {own / 1000:.1f} |")
        say(f"| （全部顶层导入合计） | {sum(c for _, c, _ in imports) / 1000:.1f} | |\n")

    jobs = check_has_jobs()
    say(f"### `python -m gkxl check DIR`（每种形状 {len(next(iter(shape_paths.values())))} 份，整个进程，1 次）\n")
    if not jobs:
        say("`gkxl check --help` 中没有 `--jobs` 选项：check 在一个进程中逐个读取，下表只测这一种（等于 1 核）。\n")
    say("| 形状 | jobs | 文件数 | 墙钟 s | CPU s（含子进程） | 墙钟 ms/份 | 峰值 RSS MB | 退出码 | 负载 |")
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for shape, paths in shape_paths.items():
        d = link_dir(base / "dirs" / f"{shape}-{len(paths)}", paths)
        for j in ([1, 2] if jobs else [None]):
            argv = GKXL + ["check", str(d)] + (["--jobs", str(j)] if j else [])
            r = run_child(argv)
            say(f"| {shape} | {j or '（无此选项）'} | {len(paths)} | {r['wall']:.2f} | {r['cpu']:.2f} | "
                f"{r['wall'] / len(paths) * 1000:.2f} | {r['rss_mb']:.0f} | {r['rc']} | {load()} |")
            if r["rc"] not in (0, 1):
                say("    " + r["output"][-400:].replace("\n", "\n    "))


# ---------------------------------------------------------------- aggregate

def bench_aggregate(base: Path, sizes: list[int], lo_distinct: int, agg_jobs: list[int], gen_jobs: int) -> None:
    say(f"\n## 汇总：LibreOffice 另存的报表（整个进程；峰值 RSS 为最大的单个进程；开始时负载 {load()}）\n")
    big = max(sizes)
    t = time.perf_counter()
    lo = shapes.generate("libreoffice", base, big, gen_jobs, lo_distinct)
    v = shapes.verify("libreoffice", lo, base, 20, lo_distinct)
    say(f"（准备 {big} 份 LibreOffice 另存的报表：{time.perf_counter() - t:.0f} s；前 {min(big, lo_distinct)} 份由 "
        f"LibreOffice 逐份另存，其余为其副本，单位代码、名称、地区已改写；抽查 {v['checked']} 份（含副本）："
        f"数值、结论（{v['status']}）与原件一致，单位代码为各自的代码）\n")
    say("| N | jobs | init s | add s | add 峰值 MB | aggregate --dir s | 峰值 MB | 普通 aggregate DIR s | 峰值 MB | "
        "add+aggregate µs/份 | 普通 µs/份 | 退出码 init/add/agg/普通 | 负载 |")
    say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for n in sorted(sizes):
        d = link_dir(base / "agg" / f"lo-{n}", lo[:n])
        roster = shapes.make_roster(base / "agg" / f"roster-{n}.csv", n)
        for j in agg_jobs:
            w = base / "agg" / f"work-{n}-j{j}"
            if w.exists():
                shutil.rmtree(w)
            init = run_child(GKXL + ["init", str(w), "--roster", str(roster), "--year", str(shapes.YEAR)])
            add = run_child(GKXL + ["add", str(d), "--dir", str(w), "--jobs", str(j)])
            agg = run_child(GKXL + ["aggregate", "--dir", str(w), "--out", str(w / "out.xlsx"), "--jobs", str(j)])
            plain_out = base / "agg" / f"plain-{n}-j{j}.xlsx"
            plain = run_child(GKXL + ["aggregate", str(d), "--roster", str(roster), "--out", str(plain_out),
                                      "--jobs", str(j)])
            say(f"| {n} | {j} | {init['wall']:.2f} | {add['wall']:.1f} | {add['rss_mb']:.0f} | {agg['wall']:.1f} | "
                f"{agg['rss_mb']:.0f} | {plain['wall']:.1f} | {plain['rss_mb']:.0f} | "
                f"{(add['wall'] + agg['wall']) / n * 1e6:.0f} | {plain['wall'] / n * 1e6:.0f} | "
                f"{init['rc']}/{add['rc']}/{agg['rc']}/{plain['rc']} | {load()} |")
            for nm, r in (("init", init), ("add", add), ("aggregate --dir", agg), ("aggregate DIR", plain)):
                if r["rc"] not in (0, 1):
                    say(f"    {nm} 退出码 {r['rc']}：" + r["output"][-600:].replace("\n", "\n    "))
            shutil.rmtree(w, ignore_errors=True)
            for p in base.glob(f"agg/plain-{n}-j{j}*"):
                if p.is_file():
                    p.unlink()
    say("\n退出码：0 全部计入；1 有单位未计入；2 有文件无法读取或调用有误（init 的 0 表示成功）。")


# ---------------------------------------------------------------- templates

def bench_templates(base: Path, n: int, in_process: int = 300) -> None:
    import gkxl
    say(f"\n## 模板：{n} 份个性化模板（开始时负载 {load()}）\n")
    form = gkxl.load_form()
    tdir = base / "tpl"
    if tdir.exists():
        shutil.rmtree(tdir)
    tdir.mkdir(parents=True)
    roster = shapes.make_roster(tdir / "roster.csv", n)
    say("| 方法 | 份数 | 墙钟 s | 份/秒 | 峰值 RSS MB |")
    say("|---|---:|---:|---:|---:|")
    for j in (1, 2):
        out = tdir / f"out-j{j}"
        r = run_child(GKXL + ["template", "--roster", str(roster), "--out-dir", str(out), "--year", str(shapes.YEAR),
                              "--jobs", str(j)])
        made = len(list(out.glob("*.xlsx"))) if out.exists() else 0
        say(f"| `gkxl template --roster R --jobs {j}`（整个进程） | {made} | {r['wall']:.1f} | {made / r['wall']:.0f} | "
            f"{r['rss_mb']:.0f} |")
        if r["rc"] != 0:
            say("    " + r["output"][-400:].replace("\n", "\n    "))
        shutil.rmtree(out, ignore_errors=True)
    # the floor: xlsxwriter writing the same workbooks (template_bench.py: every call recorded, replayed)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import template_bench as tb
    k = min(n, in_process)
    one = tdir / "one"
    one.mkdir()
    with tb._Recorder() as rec:
        books = [rec.record(one / f"rec{i}.xlsx", form, shapes.agency(i)) for i in range(min(k, 100))]
    gkxl.write_template(one / "warm.xlsx", form, year=shapes.YEAR, agency=shapes.agency(0))
    tb.replay(books[0], one / "warm-floor.xlsx", tb._Translated)
    t = time.perf_counter()
    for i in range(k):
        gkxl.write_template(one / f"{i}.xlsx", form, year=shapes.YEAR, agency=shapes.agency(i))
    wt = (time.perf_counter() - t) / k
    t = time.perf_counter()
    for i in range(k):
        tb.replay(books[i % len(books)], one / f"bare{i}.xlsx", tb._Translated)
    bare = (time.perf_counter() - t) / k
    say(f"| gkxl.write_template（本进程，1 核） | {k} | {wt * k:.1f} | {1 / wt:.0f} | — |")
    say(f"| 下限：xlsxwriter 写同样的工作簿（{len(books[0]['calls'])} 次调用，公式各只转换一次；本进程，1 核） | {k} | "
        f"{bare * k:.1f} | {1 / bare:.0f} | — |")
    for j in (1, 2):
        out = tdir / f"floor-j{j}"
        out.mkdir()
        w = tb.floor_parallel(books, out, n, j)
        say(f"| 下限：同样的 {n} 份工作簿，{j} 个进程 | {n} | {w:.1f} | {n / w:.0f} | — |")
        shutil.rmtree(out, ignore_errors=True)
    say(f"\ngkxl.write_template ÷ 下限 = {wt / bare:.2f}×（同核数；目标 ≤ 1.2×）")
    shutil.rmtree(tdir, ignore_errors=True)


# ---------------------------------------------------------------- profile

def _where(key: tuple) -> str:
    file, line, func = key
    if file == "~":
        return func
    p = file.replace("\\", "/")
    if "/src/gkxl/" in p:
        p = "gkxl/" + p.split("/src/gkxl/", 1)[1]
    elif "site-packages/" in p:
        p = p.split("site-packages/", 1)[1]
    else:
        p = p.rsplit("/", 2)[-1] if "/lib/python" in p else p.rsplit("/", 1)[-1]
    return f"{p}:{line}({func})"


PROFILE_CHILD = r"""
import cProfile, json, pstats, sys
import gkxl
paths = json.loads(sys.argv[1])
gkxl.check_file(paths[0])  # warm: the form, its layout (outside the profile)
pr = cProfile.Profile()
pr.enable()
for p in paths[1:]:
    gkxl.check_file(p)
pr.disable()
st = pstats.Stats(pr)
rows = [[list(k), nc, tt, ct] for k, (cc, nc, tt, ct, _c) in st.stats.items()]
print(json.dumps({"total": st.total_tt, "n": len(paths) - 1, "rows": rows}))
"""


def bench_profile(shape: str, paths: list[Path], top: int = 12) -> None:
    """cProfile of check_file in a fresh process (gkxl's caches start empty, as in `gkxl check`)."""
    r = subprocess.run([sys.executable, "-c", PROFILE_CHILD, json.dumps([str(p) for p in paths])],
                       capture_output=True, text=True, env=ENV)
    if r.returncode != 0:
        say(f"\n### 剖析 {shape}：失败\n\n    " + r.stderr[-600:].replace("\n", "\n    "))
        return
    res = json.loads(r.stdout.strip().splitlines()[-1])
    total, n = res["total"], res["n"]
    rows = sorted(res["rows"], key=lambda x: x[2], reverse=True)[:top]
    say(f"\n### 剖析 {shape}（{n} 份；cProfile 下共 {total / n * 1000:.2f} ms/份，含剖析开销）\n")
    say("| tottime ms/份 | 占比 | cumtime ms/份 | 调用次数/份 | 函数 |")
    say("|---:|---:|---:|---:|---|")
    for key, nc, tt, ct in rows:
        say(f"| {tt / n * 1000:.3f} | {tt / total * 100:.1f}% | {ct / n * 1000:.3f} | {nc / n:.1f} | `{_where(tuple(key))}` |")


# ---------------------------------------------------------------- main

def versions() -> str:
    out = [f"Python {platform.python_version()}", f"{os.cpu_count()} CPU"]
    for mod in ("gkxl", "lxml", "openpyxl", "python_calamine", "xlsxwriter"):
        try:
            m = __import__(mod)
            v = getattr(m, "__version__", None)
            if v is None and mod == "lxml":
                from lxml import etree
                v = ".".join(map(str, etree.LXML_VERSION))
            if v is None:
                from importlib.metadata import version
                v = version(mod.replace("_", "-"))
            out.append(f"{mod} {v}")
        except Exception:
            out.append(f"{mod} 未安装")
    exe = shapes.soffice()
    if exe:
        r = subprocess.run([exe, "--version"], capture_output=True, text=True)
        out.append(" ".join(r.stdout.split()[:2]))
    return "，".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="returns per shape")
    ap.add_argument("--shapes", default=",".join(shapes.SHAPES))
    ap.add_argument("--aggregate", type=int, nargs="*", default=[1000, 10000], help="aggregate sizes (LibreOffice shape)")
    ap.add_argument("--agg-jobs", default="1,2", help="--jobs values for add/aggregate")
    ap.add_argument("--templates", type=int, default=3000, help="templates to write (0: skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--opx-files", type=int, default=200, help="files for the openpyxl baselines (slow)")
    ap.add_argument("--profile-files", type=int, default=200)
    ap.add_argument("--lo-distinct", type=int, default=shapes.LO_DISTINCT,
                    help="returns LibreOffice saves for real; more are copies under new codes")
    ap.add_argument("--jobs", type=int, default=2, help="processes for generating files")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-shapes")
    ap.add_argument("--parts", default=",".join(ALL_PARTS), help=f"which sections: {','.join(ALL_PARTS)}")
    ap.add_argument("--src", type=Path, default=SRC,
                    help="the src/ folder gkxl is imported from (default: this repository's; e.g. a `git archive` "
                         "snapshot of a commit, so that a run is not disturbed by edits in progress)")
    args = ap.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    for p in parts:
        if p not in ALL_PARTS:
            ap.error(f"unknown part {p!r}")
    sel = [s for s in args.shapes.split(",") if s]
    for s in sel:
        if s not in shapes.SHAPES:
            ap.error(f"unknown shape {s!r}")
    base = args.dir
    base.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()

    import gkxl
    say(f"# gkxl：各种形状的报表上的速度（issue 15）\n\n{versions()}；gkxl 来自 {Path(gkxl.__file__).parent}；"
        f"文件在 {base}\n")
    say("## 生成与校验\n")
    shape_paths: dict[str, list[Path]] = {}
    for s in sel:
        t = time.perf_counter()
        try:
            paths = shapes.generate(s, base, args.n, args.jobs, args.lo_distinct)
        except RuntimeError as e:
            say(f"- {s}：无法生成（{e}），跳过")
            continue
        gen = time.perf_counter() - t
        v = shapes.verify(s, paths, base, 20, args.lo_distinct)
        extra = f"；另有发现 {v['extra_findings']}" if v["extra_findings"] else "；发现（findings）与原件相同"
        say(f"- {s}（{SHAPE_ZH[s]}）：{len(paths)} 份，生成/确认 {gen:.1f} s；抽查 {v['checked']} 份：数值与 gkxl 写出的原件一致，"
            f"check_file 结论一致（{v['status']}）{extra}")
        shape_paths[s] = paths

    summary = {}
    if "read" in parts:
        say(f"\n## 读取+检查，单核（本进程；{args.repeat} 次交替运行的中位数；ms/份；开始时负载 {load()}）")
        for s, paths in shape_paths.items():
            r = bench_read(s, paths, args.opx_files, args.repeat)
            summary[s] = print_read(s, len(paths), r)
        say("\n### 汇总（CPU ms/份）\n")
        say("| 形状 | gkxl 读取+检查 | 下限（全部 XML） | 下限（gkxl 读的部件） | gkxl ÷ calamine（≤2×） | openpyxl read_only ÷ gkxl（≥10×） | openpyxl 完整 ÷ gkxl |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for s, m in summary.items():
            vc = m.get("vs_calamine")
            say(f"| {s} | {m['gkxl_cpu']:.3f} | {m['floor']:.3f} | {m['floor_gkxl']:.3f} | "
                f"{fmt(vc)}× {'✔' if vc is not None and vc <= 2 else '✘'} | "
                f"{m['opx_ro_vs_gkxl']:.1f}× {'✔' if m['opx_ro_vs_gkxl'] >= 10 else '✘'} | {m['opx_vs_gkxl']:.1f}× |")

    if "cli" in parts and shape_paths:
        bench_cli(base, shape_paths)

    if "aggregate" in parts and args.aggregate:
        bench_aggregate(base, args.aggregate, args.lo_distinct, [int(x) for x in args.agg_jobs.split(",")], args.jobs)

    if "templates" in parts and args.templates > 0:
        bench_templates(base, args.templates)

    if "profile" in parts:
        say(f"\n## 剖析：gkxl.check_file，按 tottime 前 12 个函数（每种形状一个新进程；开始时负载 {load()}）")
        for s, paths in shape_paths.items():
            bench_profile(s, paths[: args.profile_files + 1])

    say(f"\n（全部用时 {time.perf_counter() - t_all:.0f} s；结束时负载 {load()}；2 核机器上负载明显高于 1 表示有其他程序同时运行）")


if __name__ == "__main__":
    main()
