"""What the coordinator does in a working folder, one function per command.

Each function takes an open Ledger and returns data; the CLI only prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..checks import CheckResult, PriorIndex, check_file
from . import (F_CURRENT, F_PENDING, ST_FAIL, ST_MISSING, ST_NOT_RETURN, ST_UNREADABLE, Resolution)
from ..errors import GkxlError
from .ledger import OUTPUTS, Ledger, find_dir, now_iso

REMIND_STATUSES = (ST_MISSING, ST_FAIL, ST_NOT_RETURN, ST_UNREADABLE)


def open_folder(where: str | os.PathLike | None = None, *, required: bool = True) -> Ledger | None:
    """The ledger of --dir, or of the working folder we are in; None (or an error) when there is none."""
    d = find_dir(where)
    if d is None:
        if required:
            raise GkxlError("这里不是 gkxl 工作目录：请在 gkxl init 创建的目录中运行，或用 --dir 指定",
                            code="LEDGER_MISSING")
        return None
    return Ledger.open(d)


def prior_index(led: Ledger, form=None) -> PriorIndex | None:
    return PriorIndex(led.prior, form) if led.prior else None


# ---------------------------------------------------------------- check


def check_current(led: Ledger, *, all_files: bool = False, prior: PriorIndex | None = None,
                  progress: Callable[[], None] | None = None) -> tuple[list[CheckResult], Resolution]:
    """Read and check again the current version of every agency (every readable file with all_files),
    store the fresh verdicts, and return the results with the resolution they lead to."""

    files = led.files()
    led.resolve(files=files)  # sets every file's fate
    chosen = [f for f in files if f.path and f.kind != "not_return"
              and (all_files or f.fate in (F_CURRENT, F_PENDING))]
    out = []
    for f in chosen:
        r = check_file(f.path, prior, expect_year=led.year)
        led.update_verdict(int(f.key), r.packed())
        out.append(r)
        if progress:
            progress()
    return out, led.resolve()


# ---------------------------------------------------------------- decisions


def assign(led: Ledger, ref: str, code: str) -> tuple[int, str]:
    fid = led.find_file(ref)
    a = led.roster.get(code) or (led.roster.lookup(code) if hasattr(led.roster, "lookup") else None)
    if a is None:
        raise GkxlError(f"单位代码“{code}”不在名单中", code="LEDGER_CODE")
    led.decide(fid, "assign", code=a.code, command=f"gkxl assign {ref} {code}")
    return fid, a.code


def accept(led: Ledger, ref: str) -> int:
    fid = led.find_file(ref)
    row = led.file_row(fid)
    if row["kind"] not in ("return", "rollup"):
        raise GkxlError(f"文件 #{fid} 不是可读取的报表，不能接收；可用 gkxl reject {fid} --reason …", code="LEDGER_DECIDE")
    if led.roster.get(row["agency_code"]) is None:
        raise GkxlError(f"文件 #{fid} 的单位代码“{row['agency_code']}”不在名单中，不能按原单位接收；"
                        f"请用 gkxl assign {fid} 单位代码 指定单位", code="LEDGER_DECIDE")
    led.decide(fid, "accept", code=row["agency_code"], command=f"gkxl accept {ref}")
    return fid


def reject(led: Ledger, ref: str, reason: str) -> int:
    if not reason.strip():
        raise GkxlError("请用 --reason 说明拒收的原因（会记入台账）", code="LEDGER_DECIDE")
    fid = led.find_file(ref)
    led.decide(fid, "reject", code=led.file_row(fid)["agency_code"], reason=reason.strip(),
               command=f"gkxl reject {ref}")
    return fid


def confirm(led: Ledger, code: str) -> int:
    """The approval step: the coordinator has reviewed the agency's current, passing version."""
    res = led.resolve()
    st = res.state(code)
    if st is None:
        raise GkxlError(f"单位代码“{code}”不在名单中", code="LEDGER_CODE")
    if st.current is None or st.current.verdict != "pass":
        raise GkxlError(f"{st.agency.name}（{code}）当前状态为“{st.status}”，只有检查通过的报表才能确认",
                        code="LEDGER_DECIDE")
    fid = int(st.current.key)
    led.decide(fid, "confirm", code=code, command=f"gkxl confirm {code}")
    return fid


# ---------------------------------------------------------------- history


@dataclass
class Version:
    file_id: str
    path: str
    original_name: str
    received_at: str
    fate: str
    verdict: str
    errors: int
    warnings: int
    reason: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (cell, before, after)


def history(led: Ledger, code: str) -> tuple[list[Version], list[dict]]:
    """An agency's versions in arrival order, each with the cells changed since the one before,
    and every decision and message about it."""
    from ..errors import ReadError
    from ..workbook.read import read_return

    a = led.roster.get(code) or (led.roster.lookup(code) if hasattr(led.roster, "lookup") else None)
    if a is None:
        raise GkxlError(f"单位代码“{code}”不在名单中", code="LEDGER_CODE")
    res = led.resolve()
    mine = [f for f in res.files if f.counts_for == a.code or (not f.counts_for and f.agency_code == a.code)
            or (f.sender and a.email and f.sender.lower() in a.email.lower() and not f.readable)]
    mine.sort(key=lambda f: f.order)
    out: list[Version] = []
    before = None
    for f in mine:
        v = Version(f.key, f.path, f.original_name, f.received_at, f.fate, f.verdict, f.errors, f.warnings, f.reason)
        vals = None
        if f.readable and f.path:
            try:
                r = read_return(f.path)
                vals = {r.source(k) or str(k): r.values.get(k) for k in r.form.input_cells}
            except ReadError:
                vals = None
        if vals is not None and before is not None:
            v.changes = [(c, before.get(c), x) for c, x in vals.items() if before.get(c) != x]
        if vals is not None:
            before = vals
        out.append(v)
    log = [dict(d, what="决定") for d in led.decisions(a.code)] + [dict(e, what="记录") for e in led.events(a.code)]
    log.sort(key=lambda d: d["at"])
    return out, log


# ---------------------------------------------------------------- feedback and reminders


def write_current_feedback(led: Ledger, *, prior: PriorIndex | None = None, out_dir: Path | None = None
                           ) -> tuple[Path, list[tuple[str, int]]]:
    """Feedback for every agency whose current version fails and has had none yet: once per version."""
    from ..checks.feedback import write_feedback

    res = led.resolve()
    _, sent, _ = led.marks()
    target = out_dir or led.root / OUTPUTS / "修改意见" / now_iso()[:19].replace(":", "").replace("-", "")
    todo = []
    for st in res.states.values():
        cur = st.current
        if cur is None or cur.fate != F_CURRENT or cur.verdict != "fail" or cur.key in sent:
            continue
        todo.append((st, cur))
    written: list[tuple[str, int]] = []
    if not todo:
        return target, written
    target.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for st, cur in todo:
        r = check_file(cur.path, prior, expect_year=led.year)  # read again: never trust the stored verdict
        led.update_verdict(int(cur.key), r.packed())
        if r.status != "fail":
            continue
        # the clerk knows her attachment's name, not where we keep it
        last = prior.for_return(r.ret) if prior is not None and r.ret is not None else None
        write_feedback(r, target, used=used, shown_name=cur.original_name, prior=last)
        written.append((st.agency.code, int(cur.key)))
    return target, written


def reminder_targets(led: Ledger) -> list:
    """Agencies still owing something: 未报送, 不通过, or a reply that was no usable return."""
    res = led.resolve()
    return [st for st in res.states.values() if not st.agency.is_rollup and st.status in REMIND_STATUSES]
