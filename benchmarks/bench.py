#!/usr/bin/env python3
"""gkxl benchmarks: every figure beside its baseline, measured in the same run.

    python3 run.py bench                 # default sizes: 1,000 and 10,000 returns
    python3 run.py bench --sizes 1000 10000 100000 --templates 3000

What it measures, on the same generated files:
- writing templates: personalised workbooks per second (all cores), beside
  xlsxwriter writing the same workbooks on the same cores (template_bench.py);
- reading + checking: returns per second on one core, beside a plain
  openpyxl load_workbook of the same files and beside the raw cost of
  unzipping and parsing their XML parts (the floor for reading);
- aggregating: seconds and peak memory for each size, one process and all
  cores (each run in its own process, so peak memory is its own), with the
  library call on a plain folder of gkxl-written returns. The command in a
  working folder (the ledger) on LibreOffice-saved returns, with the cost of
  each phase, is benchmarks/aggregate_bench.py.

Returns are realistic (gkxl.fake): a few hundred distinct returns are
written, then copied under new agency codes (the identity in the package is
rewritten), which is how N = 100,000 can be made in minutes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gkxl.fake import realistic_return, write_return  # noqa: E402
from gkxl.form import load_form  # noqa: E402
from gkxl.parallel import default_jobs  # noqa: E402
sys.path.insert(0, str(ROOT / "benchmarks"))
from shapes import agency, make_roster  # noqa: E402  (the same benchmark agencies and roster everywhere)


def _median(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def make_returns(d: Path, n: int, distinct: int = 200) -> list[Path]:
    """n returns with distinct agency codes; `distinct` different value sets."""
    form = load_form()
    d.mkdir(parents=True, exist_ok=True)
    base = []
    for i in range(min(distinct, n)):
        p = d / f"{agency(i).code}.xlsx"
        if not p.exists():
            write_return(p, form, agency(i), 2025, realistic_return(form, i))
        base.append(p.read_bytes())
    paths = []
    for i in range(n):
        p = d / f"{agency(i).code}.xlsx"
        paths.append(p)
        if p.exists():
            continue
        src = zipfile.ZipFile(io.BytesIO(base[i % len(base)]))
        old = agency(i % len(base)).code.encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "docProps/custom.xml" or info.filename == "xl/sharedStrings.xml":
                    data = data.replace(old, agency(i).code.encode())
                z.writestr(info, data)
        p.write_bytes(out.getvalue())
    return paths


# ---------------------------------------------------------------- writing

def bench_templates(tmp: Path, n: int) -> dict:
    """gkxl against xlsxwriter writing the same workbook on the same cores (see template_bench.py:
    every xlsxwriter call of a template recorded and replayed, each distinct formula translated once)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import template_bench as tb
    from gkxl.template import write_templates
    form = load_form()
    jobs = default_jobs()
    with tb._Recorder() as rec:
        books = [rec.record(tmp / f"rec{i}.xlsx", form, tb.agency(i)) for i in range(min(n, 100))]
    t = time.perf_counter()
    write_templates([agency(i) for i in range(n)], tmp / "tpl", form, year=2025, jobs=jobs)
    gk = time.perf_counter() - t
    (tmp / "tpl-floor").mkdir(exist_ok=True)
    floor = tb.floor_parallel(books, tmp / "tpl-floor", n, jobs)
    return {"n": n, "seconds": gk, "per_second": n / gk, "floor_seconds": floor, "floor_per_second": n / floor,
            "ratio": gk / floor, "jobs": jobs}


# ---------------------------------------------------------------- reading

def floor_parse(data: bytes) -> None:
    from lxml import etree
    z = zipfile.ZipFile(io.BytesIO(data))
    for name in z.namelist():
        if name.startswith("xl/worksheets/") or name in ("xl/sharedStrings.xml", "xl/workbook.xml"):
            etree.fromstring(z.read(name))


def bench_read(paths: list[Path]) -> dict:
    import openpyxl
    from gkxl.checks import check_return
    from gkxl.reader import read_return
    blobs = [p.read_bytes() for p in paths]
    check_return(read_return(blobs[0]))  # warm caches (form, layout)

    def gk():
        for b in blobs:
            check_return(read_return(b))

    def floor():
        for b in blobs:
            floor_parse(b)
    few = blobs[: min(100, len(blobs))]

    def opx():
        for b in few:
            openpyxl.load_workbook(io.BytesIO(b))
    t_gk = _median(gk) / len(blobs)
    t_floor = _median(floor) / len(blobs)
    t_opx = _median(opx, 1) / len(few)
    return {"files": len(blobs), "gkxl_read_check_per_s": 1 / t_gk, "floor_unzip_parse_per_s": 1 / t_floor,
            "openpyxl_load_per_s": 1 / t_opx, "gkxl_vs_floor": t_gk / t_floor, "gkxl_vs_openpyxl": t_opx / t_gk}


# ---------------------------------------------------------------- aggregating

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
from gkxl.aggregate import aggregate
from gkxl.roster import load_roster
from gkxl.rollup_write import write_rollup
from gkxl.tabular import write_csv
t = time.perf_counter()
r = aggregate([{d!r}], load_roster({roster!r}), year=2025, jobs={jobs})
agg = time.perf_counter() - t
write_rollup(r, {out!r})
total = time.perf_counter() - t
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({{"parts": len(r.parts), "aggregate_s": agg, "with_rollup_s": total, "peak_rss_mb": rss / 1024}}))
"""


def bench_aggregate(tmp: Path, n: int, jobs: int) -> dict:
    d = tmp / f"ret{n}"
    roster = tmp / f"roster{n}.csv"
    make_roster(roster, n)
    code = CHILD.format(src=str(ROOT / "src"), d=str(d), roster=str(roster), jobs=jobs, out=str(tmp / f"roll{n}.xlsx"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        return {"n": n, "jobs": jobs, "error": r.stderr[-500:]}
    out = json.loads(r.stdout.strip().splitlines()[-1])
    out.update({"n": n, "jobs": jobs})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--templates", type=int, default=3000)
    ap.add_argument("--read", type=int, default=1000, help="files for the read+check comparison")
    ap.add_argument("--dir", type=Path, default=None, help="keep generated files here (reused next run)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = args.dir or Path(tempfile.mkdtemp(prefix="gkxl-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    res: dict = {"machine": f"{os.cpu_count()} CPU, Python {sys.version.split()[0]}"}
    print(f"# gkxl benchmarks ({res['machine']}; files in {tmp})", flush=True)

    t = bench_templates(tmp, args.templates)
    res["templates"] = t
    print(f"templates: {t['n']} personalised workbooks in {t['seconds']:.1f} s = {t['per_second']:.0f}/s on "
          f"{t['jobs']} cores; xlsxwriter writing the same workbooks on the same cores {t['floor_seconds']:.1f} s "
          f"= {t['floor_per_second']:.0f}/s → {t['ratio']:.2f}×", flush=True)

    biggest = max(args.sizes + [args.read])
    t0 = time.perf_counter()
    all_paths = make_returns(tmp / f"ret{biggest}", biggest)
    print(f"(generated {biggest} returns in {time.perf_counter() - t0:.0f} s)", flush=True)
    r = bench_read(all_paths[: args.read])
    res["read_check"] = r
    print(f"read+check, one core: gkxl {r['gkxl_read_check_per_s']:.0f}/s | floor (unzip+parse) "
          f"{r['floor_unzip_parse_per_s']:.0f}/s | openpyxl load {r['openpyxl_load_per_s']:.0f}/s  "
          f"→ {r['gkxl_vs_floor']:.2f}× the floor, {r['gkxl_vs_openpyxl']:.1f}× faster than openpyxl", flush=True)

    res["aggregate"] = []
    print("aggregate (read + check + roll-up + completeness + provenance, then write the roll-up):")
    print(f"{'N':>8} {'jobs':>5} {'aggregate s':>12} {'+write s':>9} {'peak MB':>8} {'µs/return':>10}")
    for n in sorted(args.sizes):
        d = tmp / f"ret{n}"
        if not d.exists():
            d.mkdir()
            for p in all_paths[:n]:
                os.link(p, d / p.name)
        for jobs in sorted({1, default_jobs()}):
            a = bench_aggregate(tmp, n, jobs)
            res["aggregate"].append(a)
            if "error" in a:
                print(f"{n:>8} {jobs:>5}  error: {a['error']}")
                continue
            print(f"{n:>8} {jobs:>5} {a['aggregate_s']:>12.1f} {a['with_rollup_s']:>9.1f} {a['peak_rss_mb']:>8.0f} "
                  f"{a['aggregate_s'] / n * 1e6:>10.0f}", flush=True)
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
