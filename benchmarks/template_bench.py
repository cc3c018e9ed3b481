#!/usr/bin/env python3
"""Templates: gkxl against bare xlsxwriter writing the same workbook, on the same cores (issue 15).

    .venv/bin/python benchmarks/template_bench.py                 # 3,000 templates, 1 and 2 cores
    .venv/bin/python benchmarks/template_bench.py --n 1000 --jobs 2 --profile

The floor is honest: every xlsxwriter call gkxl makes for a template (sheets, cells, formats,
merged ranges, formulas with their cached values, data validations, conditional formats,
comments, page setup, protection, document properties, defined names) is recorded once per
agency, outside the clock, and then replayed on a plain `xlsxwriter.Workbook` — no gkxl code,
no memoised formulas, sheets created up front in their final order. The bench checks that the
replayed package is the same as gkxl's part by part (only workbook.xml differs: xlsxwriter has
no call for gkxl's <workbookProtection>), so both sides write the same workbook.

Measured, in one run:
- one core, in this process: CPU ms per template, gkxl.write_template vs the replay;
- N templates on J cores: gkxl.write_templates(jobs=J) vs the replay in a pool of J processes
  (fork; each job writes one file, as gkxl's do);
- the whole command `gkxl template --roster R --jobs J` (imports, roster, progress) for reference;
- with --profile: where gkxl's time goes beyond xlsxwriter's own (cProfile, per template).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import multiprocessing
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import xlsxwriter  # noqa: E402
import xlsxwriter.workbook  # noqa: E402
import xlsxwriter.worksheet  # noqa: E402

import gkxl  # noqa: E402
from gkxl.roster import Agency  # noqa: E402

YEAR = 2025
OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def agency(i: int) -> Agency:
    return Agency(f"T{i:06d}", f"模板基准单位{i:06d}", f"R{i // 100:04d}")


# ---------------------------------------------------------------- recording gkxl's xlsxwriter calls

class _Recorder:
    """Logs the outermost public xlsxwriter calls made while active (nested calls are xlsxwriter's own)."""

    WB_METHODS = ("add_format", "add_worksheet", "set_properties", "set_custom_property", "define_name", "close")

    def __init__(self) -> None:
        self.local = threading.local()
        self.saved: list[tuple[type, str, object]] = []
        self.book: dict | None = None

    def __enter__(self):
        ws_cls, wb_cls = xlsxwriter.worksheet.Worksheet, xlsxwriter.workbook.Workbook
        for name in dir(ws_cls):
            if not name.startswith("_") and callable(getattr(ws_cls, name)):
                self._wrap(ws_cls, name, sheet=True)
        for name in self.WB_METHODS:
            self._wrap(wb_cls, name, sheet=False)
        init = wb_cls.__init__
        rec = self

        def quiet_init(obj, *args, **kwargs):  # the formats a Workbook makes for itself are not gkxl's
            depth = getattr(rec.local, "depth", 0)
            rec.local.depth = depth + 1
            try:
                init(obj, *args, **kwargs)
            finally:
                rec.local.depth = depth
        self.saved.append((wb_cls, "__init__", init))
        wb_cls.__init__ = quiet_init
        return self

    def __exit__(self, *exc) -> None:
        for cls, name, fn in reversed(self.saved):
            setattr(cls, name, fn)
        self.saved.clear()

    def _wrap(self, cls, name: str, sheet: bool) -> None:
        fn = cls.__dict__.get(name)
        if fn is None:
            return
        rec = self

        def wrapper(obj, *args, **kwargs):
            depth = getattr(rec.local, "depth", 0)
            if depth == 0:
                rec.log(obj, name, args, kwargs, sheet)
            rec.local.depth = depth + 1
            try:
                out = fn(obj, *args, **kwargs)
            finally:
                rec.local.depth = depth
            if depth == 0 and not sheet:
                rec.after(obj, name, out)
            return out

        self.saved.append((cls, name, fn))
        setattr(cls, name, wrapper)

    def log(self, obj, name, args, kwargs, sheet) -> None:
        book = self.book
        if not sheet:
            if name == "close":
                book["order"] = [book["sheet_ids"][id(ws)] for ws in obj.worksheets_objs]
                book["active"] = book["sheet_ids"][id(obj.worksheets_objs[obj.worksheet_meta.activesheet])]
                return
            if name in ("add_format", "add_worksheet"):
                book["pending"] = (name, args, kwargs)
                return
            book["calls"].append((-1, name, self.conv(args), self.conv(kwargs)))
            return
        book["calls"].append((book["sheet_ids"][id(obj)], name, self.conv(args), self.conv(kwargs)))

    def after(self, obj, name, out) -> None:
        book = self.book
        if name == "add_format":
            book["format_ids"][id(out)] = len(book["formats"])
            book["formats"].append(dict(book["pending"][1][0]) if book["pending"][1] else {})
            book["keep"].append(out)
        elif name == "add_worksheet":
            book["sheet_ids"][id(out)] = len(book["sheets"])
            book["sheets"].append(out.name)
            book["keep"].append(out)

    def conv(self, x):
        """Arguments with formats as ('F', n) and containers copied."""
        if isinstance(x, xlsxwriter.format.Format):
            return _Fmt(self.book["format_ids"][id(x)])
        if isinstance(x, dict):
            return {k: self.conv(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(self.conv(v) for v in x)
        return x

    def record(self, path: Path, form, ag: Agency) -> dict:
        self.book = {"formats": [], "format_ids": {}, "sheets": [], "sheet_ids": {}, "calls": [], "keep": []}
        gkxl.write_template(path, form, year=YEAR, agency=ag)
        book, self.book = self.book, None
        del book["keep"], book["format_ids"], book["sheet_ids"], book["pending"]
        return compile_book(book)


class _Fmt(int):
    pass


def compile_book(book: dict) -> dict:
    """Calls as (target, method name, args, where the formats are), so the replay does no searching."""
    calls = []
    for target, name, args, kwargs in book["calls"]:
        fmt_args = tuple(i for i, a in enumerate(args) if type(a) is _Fmt)
        fmt_opts = tuple(i for i, a in enumerate(args) if isinstance(a, dict)
                         and any(type(v) is _Fmt for v in a.values()))
        if any(type(v) is _Fmt for v in kwargs.values()):
            raise SystemExit(f"a format as a keyword argument of {name}: extend the replay")
        calls.append((target, name, args, kwargs, fmt_args, fmt_opts))
    pos = {old: new for new, old in enumerate(book["order"])}
    return {"formats": book["formats"], "sheets": [book["sheets"][i] for i in book["order"]],
            "calls": [(pos[t] if t >= 0 else -1, n, a, kw, fa, fo) for t, n, a, kw, fa, fo in calls],
            "active": pos[book["active"]]}


# ---------------------------------------------------------------- the floor: bare xlsxwriter

class _Translated(xlsxwriter.worksheet.Worksheet):
    """xlsxwriter with each distinct formula translated once (its ~45 regular expressions on every
    formula, and its search for dynamic-array functions): what any writer built on xlsxwriter must
    still pay to write this workbook. The memo is this bench's own, not gkxl's."""

    prepared: dict = {}
    plain: set = set()

    def _write_formula(self, row, col, formula, cell_format=None, value=0):
        if formula in self.plain:
            if self._check_dimensions(row, col):
                return -1
            self.table[row][col] = xlsxwriter.worksheet.CellFormulaTuple(self._prepare_formula(formula),
                                                                         cell_format, value)
            return 0
        done = super()._write_formula(row, col, formula, cell_format, value)
        if done == 0 and type(self.table[row][col]) is xlsxwriter.worksheet.CellFormulaTuple:
            self.plain.add(formula)
        return done

    def _prepare_formula(self, formula, expand_future_functions=False):
        key = (formula, expand_future_functions, self.use_future_functions)
        hit = self.prepared.get(key)
        if hit is None:
            hit = self.prepared[key] = super()._prepare_formula(formula, expand_future_functions)
        return hit


def replay(book: dict, path, sheet_class=None) -> None:
    """Bare xlsxwriter writing the recorded workbook (with `sheet_class` _Translated: formulas memoised)."""
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    fmts = [wb.add_format(p) for p in book["formats"]]
    sheets = [wb.add_worksheet(name, sheet_class) for name in book["sheets"]]
    for target, name, args, kwargs, fmt_args, fmt_opts in book["calls"]:
        if fmt_args or fmt_opts:
            args = list(args)
            for i in fmt_args:
                args[i] = fmts[args[i]]
            for i in fmt_opts:
                args[i] = {k: fmts[v] if type(v) is _Fmt else v for k, v in args[i].items()}
        getattr(wb if target < 0 else sheets[target], name)(*args, **kwargs)
    sheets[book["active"]].activate()
    wb.close()


def same_package(a: bytes, b: bytes) -> list[str]:
    """Parts that differ between gkxl's package and the replay's (besides workbook.xml)."""
    za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
    names = set(za.namelist()) | set(zb.namelist())
    diff = []
    for n in sorted(names):
        if n in ("xl/workbook.xml",):
            continue
        if n not in za.namelist() or n not in zb.namelist() or za.read(n) != zb.read(n):
            diff.append(n)
    return diff


# ---------------------------------------------------------------- measuring

_BOOKS: list[dict] = []


def _replay_job(args) -> str:
    i, path = args
    replay(_BOOKS[i % len(_BOOKS)], path, _Translated)
    return path


def floor_parallel(books: list[dict], out: Path, n: int, jobs: int) -> float:
    global _BOOKS
    _BOOKS = books
    tasks = [(i, str(out / f"{agency(i).code}.xlsx")) for i in range(n)]
    t = time.perf_counter()
    if jobs == 1:
        for task in tasks:
            _replay_job(task)
    else:
        ctx = multiprocessing.get_context("fork")
        pool = ctx.Pool(jobs)
        for _ in pool.imap(_replay_job, tasks, chunksize=8):
            pass
        pool.close()
        pool.join()  # workers exit and are waited for: their CPU time counts in RUSAGE_CHILDREN
    return time.perf_counter() - t


def cpu_all() -> float:
    """CPU seconds of this process and its finished children (pool workers are joined before it is read)."""
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cpu_per(fn, items, repeat: int = 3) -> float:
    """Median over `repeat` runs of CPU seconds per item."""
    runs = []
    for _ in range(repeat):
        t = time.process_time()
        for x in items:
            fn(x)
        runs.append((time.process_time() - t) / len(items))
    return statistics.median(runs)


def _gkxl_run(form, out: Path, n: int, jobs: int) -> tuple[float, float]:
    c, t = cpu_all(), time.perf_counter()
    gkxl.write_templates([agency(i) for i in range(n)], out, form, year=YEAR, jobs=jobs)
    wall, cpu = time.perf_counter() - t, cpu_all() - c
    shutil.rmtree(out)
    return wall, cpu


def _floor_run(books: list[dict], out: Path, n: int, jobs: int) -> tuple[float, float]:
    out.mkdir()
    c = cpu_all()
    wall = floor_parallel(books, out, n, jobs)
    cpu = cpu_all() - c
    shutil.rmtree(out)
    return wall, cpu


def write_roster(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["单位代码", "单位名称", "所属地区", "类型"])
        for i in range(n):
            a = agency(i)
            w.writerow([a.code, a.name, "", "部门"])


def profile(form, books: list[dict], tmp: Path, k: int, top: int) -> None:
    """cProfile per template: gkxl's write_template, and the replay, by function and by package."""
    d = tmp / "prof"
    d.mkdir(exist_ok=True)
    for label, fn in (("gkxl.write_template", lambda i: gkxl.write_template(d / f"g{i}.xlsx", form, year=YEAR,
                                                                               agency=agency(i))),
                      ("xlsxwriter floor (formulas translated once)",
                       lambda i: replay(books[i % len(books)], d / f"b{i}.xlsx", _Translated))):
        pr = cProfile.Profile()
        pr.enable()
        for i in range(k):
            fn(i)
        pr.disable()
        st = pstats.Stats(pr)
        total = sum(v[2] for v in st.stats.values())
        by_pkg: dict[str, float] = {}
        for (file, _, _), v in st.stats.items():
            pkg = ("gkxl" if "/gkxl/" in file else "xlsxwriter" if "/xlsxwriter/" in file
                   else "bench" if "template_bench" in file else "python/stdlib")
            by_pkg[pkg] = by_pkg.get(pkg, 0) + v[2]
        print(f"\n### profile: {label}, {k} templates, {total / k * 1000:.2f} ms each (profiled; own time by package)")
        for pkg, s in sorted(by_pkg.items(), key=lambda x: -x[1]):
            print(f"  {pkg:<14} {s / k * 1000:7.2f} ms  {s / total:5.1%}")
        print(f"  top {top} functions by own time (ms per template, calls per template):")
        rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
        for (file, line, name), v in rows:
            where = file.split("/src/")[-1].split("site-packages/")[-1]
            print(f"    {v[2] / k * 1000:6.3f} ms {v[1] / k:8.0f}  {where}:{line} {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000, help="templates for the multi-core runs")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3, help="alternating runs of each side per core count (median)")
    ap.add_argument("--one-core", type=int, default=200, help="templates for the in-process one-core run")
    ap.add_argument("--distinct", type=int, default=100, help="recorded agencies the replay cycles through")
    ap.add_argument("--cli", action="store_true", help="also time the whole `gkxl template --roster` command")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gkxl-tplbench-"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> None:
    form = gkxl.load_form()
    load = os.getloadavg()[0]
    print(f"# templates: gkxl vs bare xlsxwriter, same cores ({os.cpu_count()} CPU, load {load:.2f}, "
          f"Python {sys.version.split()[0]}, xlsxwriter {xlsxwriter.__version__}, gkxl {gkxl.__version__})")
    rec_dir = tmp / "rec"
    rec_dir.mkdir()
    with _Recorder() as rec:
        books = [rec.record(rec_dir / f"{i}.xlsx", form, agency(i)) for i in range(args.distinct)]
    # the replay writes the same workbook
    replay(books[0], rec_dir / "replay0.xlsx")
    replay(books[0], rec_dir / "translated0.xlsx", _Translated)
    gk = (rec_dir / "0.xlsx").read_bytes()
    diff = (same_package(gk, (rec_dir / "replay0.xlsx").read_bytes())
            + same_package(gk, (rec_dir / "translated0.xlsx").read_bytes()))
    calls = len(books[0]["calls"])
    print(f"floor: {calls} recorded xlsxwriter calls and {len(books[0]['formats'])} formats per template; "
          f"both replays' packages vs gkxl's: " + ("identical part by part (workbook.xml aside: its structure lock)"
                                                   if not diff else f"DIFFERENT parts {sorted(set(diff))}"))
    if diff:
        raise SystemExit("the floor does not write gkxl's workbook: fix the recorder first")
    # one core, in process
    d1 = tmp / "one"
    d1.mkdir()
    k = args.one_core
    gkxl.write_template(d1 / "warm.xlsx", form, year=YEAR, agency=agency(0))
    g1 = cpu_per(lambda i: gkxl.write_template(d1 / f"g{i % 50}.xlsx", form, year=YEAR, agency=agency(i)), range(k))
    b1 = cpu_per(lambda i: replay(books[i % len(books)], d1 / f"b{i % 50}.xlsx"), range(min(k, 50)), 1)
    replay(books[0], d1 / "warm.xlsx", _Translated)
    t1 = cpu_per(lambda i: replay(books[i % len(books)], d1 / f"t{i % 50}.xlsx", _Translated), range(k))
    print(f"\none core, in process (CPU ms per template, median of 3 × {k}):")
    print(f"  gkxl.write_template {g1 * 1000:.2f} ms")
    print(f"  bare xlsxwriter, same workbook {b1 * 1000:.2f} ms (gkxl ÷ it = {g1 / b1:.2f}×)")
    print(f"  xlsxwriter, same workbook, each distinct formula translated once {t1 * 1000:.2f} ms "
          f"(gkxl ÷ it = {g1 / t1:.2f}×; target ≤ 1.2×)")
    # N templates on J cores
    print(f"\n{args.n} templates on the same cores; the floor is xlsxwriter with formulas translated once, each job "
          f"writing one file as gkxl's do. Medians of {args.repeat} alternating runs: wall seconds, and CPU seconds of "
          f"all processes (steadier on a busy machine):")
    print("| cores | gkxl.write_templates wall | floor wall | ratio | gkxl CPU | floor CPU | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for j in args.jobs:
        runs: dict[str, list[tuple[float, float]]] = {"gkxl": [], "floor": []}
        for _ in range(args.repeat):  # alternating, so a busy spell of the machine falls on both
            runs["gkxl"].append(_gkxl_run(form, tmp / f"g{j}", args.n, j))
            runs["floor"].append(_floor_run(books, tmp / f"b{j}", args.n, j))
        (g, gc), (b, bc) = ((statistics.median(x[0] for x in runs[k]), statistics.median(x[1] for x in runs[k]))
                            for k in ("gkxl", "floor"))
        print(f"| {j} | {g:.1f} s ({args.n / g:.0f}/s) | {b:.1f} s ({args.n / b:.0f}/s) | {g / b:.2f}× "
              f"| {gc:.1f} s | {bc:.1f} s | {gc / bc:.2f}× |", flush=True)
    if args.cli:
        roster = tmp / "roster.csv"
        write_roster(roster, args.n)
        gk_cmd = [sys.executable, "-m", "gkxl"]
        for j in args.jobs:
            out = tmp / f"cli{j}"
            t = time.perf_counter()
            r = subprocess.run(gk_cmd + ["template", "--roster", str(roster), "--out-dir", str(out), "--year",
                                         str(YEAR), "--jobs", str(j)], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
            w = time.perf_counter() - t
            made = len(list(out.glob("*.xlsx"))) if out.exists() else 0
            print(f"whole command `gkxl template --roster R --jobs {j}`: {made} in {w:.1f} s ({made / w:.0f}/s)"
                  + ("" if r.returncode == 0 else f"  rc {r.returncode}: {r.stderr[-300:]}"))
            shutil.rmtree(out, ignore_errors=True)
    if args.profile:
        profile(form, books, tmp, min(k, 100), args.top)


if __name__ == "__main__":
    main()
