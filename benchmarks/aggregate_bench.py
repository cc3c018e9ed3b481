#!/usr/bin/env python3
"""`gkxl aggregate` in a working folder at 1,000 / 10,000 / 100,000 LibreOffice-saved returns (issue 15).

    .venv/bin/python benchmarks/aggregate_bench.py                       # 1000 10000
    .venv/bin/python benchmarks/aggregate_bench.py --sizes 1000 10000 100000 --jobs 2
    .venv/bin/python benchmarks/aggregate_bench.py --sizes 10000 --profile   # cProfile of the parent

For each size it makes a working folder (`gkxl init`) whose ledger holds one file row per agency, as
`gkxl add` would leave them (the stored verdict is never trusted: aggregate reads and checks every
current version again), then runs the command `gkxl aggregate --dir W --out W/out.xlsx --csv W/long.csv`
in a fresh process and prints its wall time, its CPU time (all processes, and the command's own process
alone), the peak RSS of the command's own process and of its largest worker, and the cost of each phase
recorded by `gkxl.rollup.phases` (read+check, resolve, sum, workbook, lists streamed) with the command's RSS
after it. Whatever is not in a phase (start-up, opening the ledger, the output overlap check, writing the
files) is the wall time minus the phases. On a machine shared with other work, the wall time grows with
the load (printed); the CPU times do not.
GKXL_SRC=DIR runs the command from another copy of src/ (e.g. `git archive COMMIT src | tar -x -C DIR`).
`--add` fills the ledger with the real `gkxl add DIR` instead, and times that too.

The returns
-----------
`benchmarks/shapes.py` has real LibreOffice save the first `--lo-distinct` (default 1,000) gkxl-written
returns (cached in BASE/libreoffice/, default BASE /tmp/gkxl-shapes). Beyond those, return i is a byte-level
variant of LibreOffice file i % 1000: its zip members are copied raw (compressed bytes, CRC and all)
except the few whose XML names the agency (docProps/custom.xml, docProps/app.xml when it does, and
xl/sharedStrings.xml, where LibreOffice writes the identity of the very hidden `_gkxl` sheet and the
cover), in which the code, the name, the digits run and the region are replaced (the same pairs as
`shapes.recode`) and which are deflated again. So every file has its own agency, its own SHA-256 and
a real LibreOffice layout, at about 0.3 ms a file instead of a LibreOffice save. The numbers of file i
are those of file i % 1000: the sheets' bytes repeat every 1,000 agencies. gkxl remembers across files
only small parts (workbook, relationships, styles) and strings and formulas, which real returns saved from
one template share as well, never a sheet by its content; the 1,000 real LibreOffice saves cost the same
CPU per file as the 100,000 (about 1.1 ms). A sample is read back and compared with its source
(`shapes.verify`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import shapes  # noqa: E402

# gkxl from this repository's src/, or from GKXL_SRC (a snapshot of another commit: `git archive`), to compare
SRC = os.environ.get("GKXL_SRC") or str(ROOT / "src")
ENV = dict(os.environ, PYTHONPATH=SRC)
YEAR = shapes.YEAR


# ---------------------------------------------------------------- byte-level variants

class _Member:
    __slots__ = ("name", "raw", "crc", "csize", "usize", "method", "data")

    def __init__(self, name, raw, crc, csize, usize, method, data=None):
        self.name, self.raw, self.crc, self.csize, self.usize, self.method, self.data = (
            name, raw, crc, csize, usize, method, data)


def _members(blob: bytes) -> list[_Member]:
    """The members of a zip package with their compressed bytes, in order (central directory)."""
    import zipfile
    import io

    z = zipfile.ZipFile(io.BytesIO(blob))
    out = []
    for info in z.infolist():
        off = info.header_offset
        n, e = struct.unpack("<HH", blob[off + 26:off + 30])
        start = off + 30 + n + e
        raw = blob[start:start + info.compress_size]
        m = _Member(info.filename, raw, info.CRC, info.compress_size, info.file_size, info.compress_type)
        if info.filename.endswith((".xml", ".rels")):
            m.data = z.read(info.filename)
        out.append(m)
    return out


def _zip(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip package from (name, compressed bytes, crc, compressed size, size, method)."""
    out = bytearray()
    central = bytearray()
    t, d = 0x5000, 0x5A39  # 10:00, 2026-01-25 (a fixed time: the same variant is the same bytes)
    for name, raw, crc, cs, us, method in members:
        nb = name.encode("utf-8")
        off = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, method, t, d, crc, cs, us, len(nb), 0) + nb + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, method, t, d, crc, cs, us, len(nb),
                               0, 0, 0, 0, 0, off) + nb
    cd_off = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), cd_off, 0)
    return bytes(out)


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def variant(src: list[_Member], old: int, new: int) -> bytes:
    """Package `src` (agency `old`) as agency `new`: identity-bearing XML members rewritten and deflated
    again, every other member copied as it was compressed."""
    pairs = [(shapes.code(old).encode(), shapes.code(new).encode()),
             (shapes.name(old).encode(), shapes.name(new).encode()),
             (f">{old:06d}<".encode(), f">{new:06d}<".encode()),
             (f">{shapes.region(old)}<".encode(), f">{shapes.region(new)}<".encode())]
    parts = []
    for m in src:
        data = m.data
        if data is not None and any(a in data for a, _ in pairs):
            for a, b in pairs:
                data = data.replace(a, b)
            raw = _deflate(data)
            parts.append((m.name, raw, zlib.crc32(data), len(raw), len(data), 8))
        else:
            parts.append((m.name, m.raw, m.crc, m.csize, m.usize, m.method))
    return _zip(parts)


def _make_range(args: tuple[str, int, int, int]) -> None:
    d, lo, hi, distinct = args
    d = Path(d)
    cache: dict[int, list[_Member]] = {}
    for i in range(lo, hi):
        p = d / f"{shapes.code(i)}.xlsx"
        if p.exists():
            continue
        j = i % distinct
        if j not in cache:
            cache[j] = _members((d / f"{shapes.code(j)}.xlsx").read_bytes())
        tmp = p.with_name(p.name + ".part")
        tmp.write_bytes(variant(cache[j], j, i))
        os.replace(tmp, p)


def make_returns(base: Path, n: int, distinct: int = shapes.LO_DISTINCT, jobs: int = 2) -> list[Path]:
    """n LibreOffice-saved returns in BASE/libreoffice (the first `distinct` saved by LibreOffice)."""
    shapes.generate("libreoffice", base, min(n, distinct), jobs, distinct)
    d = base / "libreoffice"
    step = 2000
    ranges = [(str(d), lo, min(n, lo + step), distinct) for lo in range(distinct, n, step)]
    if ranges:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(jobs) as ex:
            list(ex.map(_make_range, ranges))
    return [d / f"{shapes.code(i)}.xlsx" for i in range(n)]


# ---------------------------------------------------------------- a working folder

def make_folder(base: Path, n: int, paths: list[Path]) -> Path:
    """`gkxl init` with a roster of n agencies, then one ledger row per return, as `gkxl add` writes it
    (mail-like received times spread over January, so ordering and lateness are exercised)."""
    from gkxl.collection.ledger import Ledger

    w = base / "agg" / f"work-{n}"
    if w.exists():
        import shutil
        shutil.rmtree(w)
    roster = shapes.make_roster(base / "agg" / f"roster-{n}.csv", n)
    led = Ledger.init(w, roster, YEAR)
    rows = []
    for i, p in enumerate(paths):
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        day = 5 + i % 25
        rows.append((f"add:{p}:{sha}", "add", str(p), str(p), p.name, sha, p.stat().st_size,
                     f"2026-01-{day:02d}T10:{i % 60:02d}:00+08:00", "2026-02-01T00:00:00+08:00", "return",
                     shapes.code(i), shapes.name(i), YEAR, "pass"))
    with led.tx():
        led.conn.executemany(
            "INSERT INTO files(origin_key, origin, source, path, original_name, sha256, size, received_at, added_at,"
            " kind, agency_code, agency_name, year, verdict) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    led.close()
    return w


# ---------------------------------------------------------------- the command, measured

CHILD = r"""
import json, resource, sys, time, os
t0 = time.perf_counter()
sys.argv = ["gkxl"] + json.loads(sys.argv[1])
prof = os.environ.get("GKXL_BENCH_PROFILE")
from gkxl.cli import main
try:
    from gkxl.rollup import phases
except ImportError:  # a commit from before the phases were recorded
    phases = None
code = 0
try:
    if prof:
        import cProfile
        cProfile.run("main()", prof)
    else:
        main()
except SystemExit as e:
    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
wall = time.perf_counter() - t0
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print("BENCH " + json.dumps({"rc": code, "wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                             "cpu_self": me.ru_utime + me.ru_stime,
                             "rss_mb": me.ru_maxrss / 1024, "worker_rss_mb": kids.ru_maxrss / 1024,
                             "phases": phases.report() if phases else []}))
"""


def run_cli(args: list[str], profile: str | None = None) -> dict:
    env = dict(ENV)
    if profile:
        env["GKXL_BENCH_PROFILE"] = profile
    r = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, env=env)
    line = [x for x in r.stdout.splitlines() if x.startswith("BENCH ")]
    if not line:
        return {"rc": -1, "error": (r.stdout + r.stderr)[-1500:]}
    out = json.loads(line[-1][6:])
    out["output"] = r.stdout[-400:] + r.stderr[-400:]
    return out


def bench_size(base: Path, n: int, paths: list[Path], jobs: int, use_add: bool, csv_too: bool,
               profile: bool) -> dict:
    t = time.perf_counter()
    if use_add:
        w = base / "agg" / f"work-{n}"
        if w.exists():
            import shutil
            shutil.rmtree(w)
        roster = shapes.make_roster(base / "agg" / f"roster-{n}.csv", n)
        d = base / "agg" / f"lo-{n}"
        _link_dir(d, paths)
        run_cli(["init", str(w), "--roster", str(roster), "--year", str(YEAR)])
        add = run_cli(["add", str(d), "--dir", str(w), "--jobs", str(jobs)])
    else:
        w = make_folder(base, n, paths)
        add = None
    prep = time.perf_counter() - t
    argv = ["aggregate", "--dir", str(w), "--out", str(w / "out.xlsx"), "--jobs", str(jobs)]
    if csv_too:
        argv += ["--csv", str(w / "long.csv")]
    prof = str(base / "agg" / f"aggregate-{n}.prof") if profile else None
    res = run_cli(argv, prof)
    res.update({"n": n, "jobs": jobs, "prepare_s": prep, "add": add, "profile": prof,
                "out_mb": (w / "out.xlsx").stat().st_size / 1e6 if (w / "out.xlsx").exists() else None})
    return res


def _link_dir(d: Path, paths: list[Path]) -> None:
    if d.exists() and len(os.listdir(d)) == len(paths):
        return
    d.mkdir(parents=True, exist_ok=True)
    for p in paths:
        q = d / p.name
        if not q.exists():
            os.link(p, q)


def show(res: dict) -> None:
    if "error" in res:
        print(f"{res['n']:>8}  error: {res['error']}")
        return
    n = res["n"]
    print(f"{n:>8} {res['jobs']:>4} {res['wall']:>8.1f} {res['cpu']:>8.1f} {res['cpu_self']:>9.1f} {res['rss_mb']:>8.0f} "
          f"{res['worker_rss_mb']:>9.0f} {res['wall'] / n * 1e6:>9.0f}   rc {res['rc']}  load {os.getloadavg()[0]:.1f}",
          flush=True)
    if res.get("add"):
        a = res["add"]
        print(f"{'':>8} gkxl add: {a.get('wall', 0):.1f} s, peak {a.get('rss_mb', 0):.0f} MB", flush=True)
    for ph in res.get("phases", []):
        print(f"{'':>10}{ph['name']:<24} {ph['seconds']:>7.2f} s  {ph['seconds'] / n * 1e6:>7.0f} µs/份  "
              f"RSS after {ph['rss_mb']:>6.0f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--base", type=Path, default=Path(tempfile.gettempdir()) / "gkxl-shapes")
    ap.add_argument("--lo-distinct", type=int, default=shapes.LO_DISTINCT)
    ap.add_argument("--add", action="store_true", help="fill the ledger with the real `gkxl add` (timed too)")
    ap.add_argument("--no-csv", action="store_true", help="without --csv (the long table)")
    ap.add_argument("--profile", action="store_true", help="cProfile the command's own process")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    print(f"# gkxl aggregate --dir (LibreOffice-saved returns): {os.cpu_count()} CPU, Python "
          f"{sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}", flush=True)
    t = time.perf_counter()
    paths = make_returns(a.base, max(a.sizes), a.lo_distinct, a.jobs)
    v = shapes.verify("libreoffice", paths, a.base, 20, a.lo_distinct)
    print(f"(returns ready in {time.perf_counter() - t:.0f} s; {v['checked']} checked against their sources: "
          f"values and verdict ({v['status']}) equal)", flush=True)
    print(f"{'N':>8} {'jobs':>4} {'wall s':>8} {'CPU s':>8} {'of it main':>9} {'peak MB':>8} {'worker MB':>9} "
          f"{'µs/份':>9}")
    out = []
    for n in sorted(a.sizes):
        res = bench_size(a.base, n, paths[:n], a.jobs, a.add, not a.no_csv, a.profile)
        out.append(res)
        show(res)
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
