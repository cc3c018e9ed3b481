#!/usr/bin/env python3
"""How many published reports per second `gkxl audit` reads and judges: PDF and web pages.

    .venv/bin/python benchmarks/report_bench.py                    # 300 PDF, 600 HTML, 2 workers
    .venv/bin/python benchmarks/report_bench.py --pdf 1000 --html 0 --jobs 2   # the target run

The reports are the real ones of tests/real_reports/ (PDF: the official Huaian PDF, 洪泽区's two
official PDFs of the corpus when present, and two printed by LibreOffice; HTML: the Pingtan page as
published, as a site saves it in GBK, in the 2019 layout and with 三(六) as one row, and the corpus's
Shanghai 2019 and Pingtan 2023 pages), copied as many times as asked into a temp folder and
audited there the way the command does it (audit_paths: read, choose the form, place every
cell, judge the rules and the body text, cross-year; worker processes). It prints reports per
second for each kind, with one worker and with --jobs workers, and the time 1,000 PDF reports
would take (target: under 10 minutes on 2 cores). It also reads each kind once per report in
this process, to show where the time goes (parsing the file against placing the cells).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gkxl.report.audit import audit_paths  # noqa: E402
from gkxl.report.importer import candidate_forms, choose_form, read_source  # noqa: E402

REAL = ROOT / "tests" / "real_reports"
KINDS = {
    "pdf": ["huaian_city_2024.pdf", "pingtan_2024.lo.pdf", "shanghai_govoffice_2025.gkxl.pdf"],
    "html": ["pingtan_2024.html", "pingtan_2024.site.html", "pingtan_2019.page.html", "pingtan_2024.p6.html"],
}
# the wider corpus (tests/real_reports/corpus/): 洪泽区's two official PDFs when they are on this machine
# (fetched documents are not committed), the Shanghai 2019 and Pingtan 2023 pages
CORPUS = {"pdf": ["corpus/hongze_2023.pdf", "corpus/hongze_2024.pdf"],
          "html": ["corpus/shanghai_govoffice_2019.html", "corpus/pingtan_2023.html"]}
for _kind, _names in CORPUS.items():
    KINDS[_kind] += [n for n in _names if (REAL / n).exists()]


def copies(kind: str, n: int, d: Path) -> Path:
    out = d / kind
    out.mkdir(parents=True, exist_ok=True)
    src = KINDS[kind]
    for i in range(n):
        name = src[i % len(src)]
        shutil.copy(REAL / name, out / f"{i:05d}-{Path(name).name}")
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(folder: Path, jobs: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, reports, unreadable)."""
    c, t = _cpu(), time.perf_counter()
    audits = audit_paths([folder], jobs=jobs)
    dt = time.perf_counter() - t
    bad = sum(1 for a in audits if a.status == "unreadable")
    return dt, _cpu() - c, len(audits), bad


def split_time(kind: str, rounds: int = 3) -> tuple[float, float]:
    """Median seconds per report: parsing the file, then placing its cells (every form tried)."""
    forms = candidate_forms()
    parse, place = [], []
    for _ in range(rounds):
        for name in KINDS[kind]:
            t = time.perf_counter()
            src = read_source(REAL / name)
            t2 = time.perf_counter()
            choose_form(src, forms)
            parse.append(t2 - t)
            place.append(time.perf_counter() - t2)
    return statistics.median(parse), statistics.median(place)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdf", type=int, default=300, help="PDF reports to audit (default 300)")
    ap.add_argument("--html", type=int, default=600, help="web pages to audit (default 600)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--single", action="store_true", help="also time one worker")
    a = ap.parse_args(argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs visible, jobs={a.jobs}")
    for kind in KINDS:
        p, m = split_time(kind)
        print(f"{kind:5s} one report, this process: parse {p * 1e3:6.1f} ms + place cells {m * 1e3:5.1f} ms")
    with tempfile.TemporaryDirectory(prefix="gkxl-reportbench-") as d:
        for kind, n in (("pdf", a.pdf), ("html", a.html)):
            if not n:
                continue
            folder = copies(kind, n, Path(d))
            for jobs in ([1, a.jobs] if a.single and a.jobs != 1 else [a.jobs]):
                dt, cpu, done, bad = run(folder, jobs)
                rate = done / dt
                line = (f"{kind:5s} {done:5d} reports, {jobs} worker(s): {dt:7.1f} s = {rate:7.1f} reports/s, "
                        f"{cpu / done * 1e3:6.1f} ms CPU per report (unreadable: {bad})")
                if kind == "pdf":
                    line += (f"; 1,000 PDF reports: {1000 / rate / 60:.1f} min at this rate, "
                             f"{1000 * cpu / done / jobs / 60:.1f} min of CPU over {jobs} cores (target < 10 min)")
                print(line)
        try:
            load = os.getloadavg()
            print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (other work on the machine "
                  "slows the wall-clock figures; the CPU figures are what the reports cost)")
        except OSError:
            pass


if __name__ == "__main__":
    main()
