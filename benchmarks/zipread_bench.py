#!/usr/bin/env python3
"""Is gkxl's own zip reader (gkxl.zipread) worth keeping over the standard library's zipfile?

    .venv/bin/python benchmarks/zipread_bench.py                 # 1,000 returns + 200 saved by LibreOffice
    .venv/bin/python benchmarks/zipread_bench.py --n 300 --lo 0  # quicker, no LibreOffice

On the same files, in one run, it times gkxl.checks.check_file per return (read from disk,
unzip, parse, check) with zipread on and with it off (gkxl.zipread.ENABLED, the switch that
GKXL_ZIPREAD=0 sets), several repetitions alternating the two (on, off, off, on, ...) so that
drift from other load on the machine falls on both; it prints the medians (wall and CPU
time) and their ratio. It also times the zip layer alone (open the package, read every part
gkxl reads) to show the most any zip reader could save. Results must be identical both ways.

The project's rule: zipread stays only if the read+check figure shows a worthwhile gain.
"""

from __future__ import annotations

import argparse
import gc
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import gkxl.zipread as zipread  # noqa: E402
from gkxl.checks import check_file  # noqa: E402
from gkxl.fake import realistic_return, write_return  # noqa: E402
from gkxl.form import load_form  # noqa: E402
from gkxl.roster import Agency  # noqa: E402

# the parts a check reads from a return (workbook, rels, custom props, shared strings, sheets)
_READS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml", "xl/sharedStrings.xml")


def make_returns(d: Path, n: int) -> list[Path]:
    """n realistic returns written by gkxl (kept between runs when --dir is given)."""
    form = load_form("gb2021")
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = d / f"Z{i:05d}.xlsx"
        if not p.exists():
            a = Agency(f"Z{i:05d}", f"基准单位{i:05d}", f"R{i // 100:03d}")
            write_return(p, form, a, 2025, realistic_return(form, i))
        paths.append(p)
    return paths


def libreoffice_copies(src: list[Path], d: Path, timeout: float) -> list[Path]:
    """The same returns opened and saved by LibreOffice (one soffice process for all); [] if unavailable."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe or not src:
        return []
    d.mkdir(parents=True, exist_ok=True)
    todo = [p for p in src if not (d / p.name).exists()]
    if todo:
        with tempfile.TemporaryDirectory(prefix="gkxl-lo-bench-") as prof:
            cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(d),
                   *map(str, todo)]
            try:
                subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"  LibreOffice did not finish in {timeout:.0f} s; using what it saved", file=sys.stderr)
    return [d / p.name for p in src if (d / p.name).exists()]


def _set(on: bool) -> None:
    zipread.ENABLED = on


def _time(fn) -> tuple[float, float]:
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def compare(label: str, fn, n: int, repeat: int) -> dict:
    """Median seconds per item of fn() with zipread on and off, alternating on/off/off/on/..."""
    for on in (True, False):  # warm both: form, layouts, shared-string cache, page cache
        _set(on)
        fn()
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for i in range(repeat):
        for on in ((True, False) if i % 2 == 0 else (False, True)):
            _set(on)
            runs[on].append(_time(fn))
    _set(True)
    out = {"label": label, "n": n}
    for on, name in ((True, "zipread"), (False, "zipfile")):
        out[name + "_wall"] = statistics.median(w for w, _ in runs[on]) / n
        out[name + "_cpu"] = statistics.median(c for _, c in runs[on]) / n
    out["ratio_wall"] = out["zipfile_wall"] / out["zipread_wall"]
    out["ratio_cpu"] = out["zipfile_cpu"] / out["zipread_cpu"]
    return out


def same_results(paths: list[Path]) -> int:
    """Files whose check differs between the two readers (must be 0)."""
    diff = 0
    for p in paths:
        _set(True)
        a = check_file(p).to_dict()
        _set(False)
        b = check_file(p).to_dict()
        diff += a != b
    _set(True)
    return diff


def bench(label: str, paths: list[Path], repeat: int) -> list[dict]:
    blobs = [p.read_bytes() for p in paths]

    def check_all() -> None:
        for p in paths:
            check_file(p)

    def zip_layer() -> None:
        for data in blobs:
            pkg = zipread.Package(data)
            for name in pkg.names:
                if name in _READS or name.startswith("xl/worksheets/"):
                    pkg.read(name, 32 << 20)
            pkg.close()
    bad = same_results(paths)
    rows = [compare(f"{label}: read+check (check_file)", check_all, len(paths), repeat),
            compare(f"{label}: zip layer only", zip_layer, len(paths), repeat)]
    rows[0]["differing_results"] = bad
    return rows


def show(rows: list[dict]) -> None:
    w = 56
    print(f"\n{'':{w}} {'zipread':>10} {'zipfile':>10} {'zipfile/zipread':>16}")
    for r in rows:
        for kind in ("wall", "cpu"):
            name = f"{r['label']} ({kind})"
            print(f"{name:{w}} {r['zipread_' + kind] * 1e3:8.3f}ms {r['zipfile_' + kind] * 1e3:8.3f}ms "
                  f"{r['ratio_' + kind]:15.3f}x")
        if "differing_results" in r:
            print(f"{'':{w}} {r['n']} files; results differing between the two readers: {r['differing_results']}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="returns written by gkxl (default 1000)")
    ap.add_argument("--lo", type=int, default=200, help="of those, how many to save through LibreOffice (0: none)")
    ap.add_argument("--repeat", type=int, default=7, help="timed repetitions per reader (default 7)")
    ap.add_argument("--lo-timeout", type=float, default=600, help="seconds allowed for LibreOffice")
    ap.add_argument("--dir", help="keep the generated files here (default: a temp folder, removed)")
    a = ap.parse_args(argv)
    tmp = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix="gkxl-zipbench-"))
    try:
        t = time.perf_counter()
        paths = make_returns(tmp / "gkxl", a.n)
        print(f"{len(paths)} returns written by gkxl in {time.perf_counter() - t:.1f} s")
        lo: list[Path] = []
        if a.lo:
            t = time.perf_counter()
            lo = libreoffice_copies(paths[:a.lo], tmp / "libreoffice", a.lo_timeout)
            print(f"{len(lo)} returns saved by LibreOffice in {time.perf_counter() - t:.1f} s"
                  if lo else "LibreOffice not available: skipped")
        uses = sum(not zipread.Package(p.read_bytes()).uses_zipfile for p in paths + lo)
        print(f"zipread parses {uses} of {len(paths) + len(lo)} packages itself (the rest it hands to zipfile anyway)")
        rows = bench("gkxl-written", paths, a.repeat)
        if lo:
            rows += bench("LibreOffice-saved", lo, a.repeat)
        show(rows)
        print(f"\nPython {sys.version.split()[0]}, zipfile from {zipfile.__file__}; medians of {a.repeat} runs each.")
    finally:
        if not a.dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
