"""Roll returns up the hierarchy: who is in, who is missing, and the sums.

Policy (stated in the roll-up workbook and the CLI output):
- only returns that pass their checks are summed, unless include_failing;
- one return per agency: the latest received wins (mail received time, then
  the workbook's own time, then the file's time); the others are listed;
- a region whose own roll-up is among the inputs is taken from that roll-up,
  and its departments' returns are listed as already included, never summed
  twice;
- returns of agencies not on the roster, or of another year, are listed and
  not summed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from .checks import CheckResult, check_file, PriorIndex
from .compute import Number, recompute, tidy
from .errors import GkxlError
from .form import CellKey, Form, load_form
from .parallel import run_jobs
from .reader import iter_paths
from .roster import Agency, Roster

# fates of an input file
USED = "已汇总"
USED_FAILING = "已汇总（未通过检查）"
NOT_USED_FAILING = "未汇总：未通过检查"
SUPERSEDED = "未汇总：已被更新的报送替代"
DUPLICATE = "未汇总：重复文件"
UNREADABLE = "未汇总：无法读取"
NOT_ON_ROSTER = "未汇总：不在名单内"
WRONG_YEAR = "未汇总：年度不符"
OUT_OF_REGION = "未汇总：不属于本次汇总地区"
IN_ROLLUP = "未单独汇总：已包含在地区汇总表中"

# statuses of a roster agency
ST_OK = "已报送且通过"
ST_FAIL = "有错误"
ST_MISSING = "未报送"
ST_DUP = "重复报送"
ST_VIA = "已含在地区汇总表中"
ST_LATE = "逾期报送"
ST_OFF = "不在名单内"
ST_FROM_PARTS = "由下属单位汇总"


@dataclass(slots=True)
class Brief:
    """What a roll-up keeps of one checked file: identity, verdict and the input
    values as a packed array (a roll-up of 100,000 returns fits in memory)."""

    path: str
    status: str
    error: str = ""
    error_code: str = ""
    sha256: str = ""
    agency_code: str = ""
    agency_name: str = ""
    region: str = ""
    year: int | None = None
    kind: str = ""
    created_at: str = ""
    modified: str = ""
    members: str = ""
    form_id: str = ""
    form_version: str = ""
    n_errors: int = 0
    n_warnings: int = 0
    first_errors: tuple = ()
    values: array = field(default_factory=lambda: array("d"))
    moved: dict | None = None  # cells read from other places than the form's (label-matched copies)

    @property
    def is_rollup(self) -> bool:
        return self.kind == "rollup"

    @classmethod
    def of(cls, res: CheckResult) -> "Brief":
        r = res.ret
        if r is None:
            return cls(res.path, res.status, res.error, res.error_code)
        f = r.form
        std = _std_sources(f)
        moved = None if r.sources == std else ({k: v for k, v in r.sources.items() if std.get(k) != v} or None)
        return cls(res.path, res.status, "", "", r.sha256, r.agency_code, r.agency_name,
                   r.identity.get("region", ""), r.year, r.kind, r.identity.get("created_at", ""), r.modified,
                   r.identity.get("rollup_members", ""), f.id, f.version, len(res.errors), len(res.warnings),
                   tuple(x.message for x in res.errors[:3]),
                   array("d", [float(r.values.get(k) or 0) for k in f.input_cells]), moved)

    def value_map(self, form: Form) -> dict[CellKey, Number]:
        return {k: tidy(v) for k, v in zip(form.input_cells, self.values)}

    def source(self, form: Form, key: CellKey) -> str:
        if self.moved and key in self.moved:
            s, c = self.moved[key]
        else:
            s, c = _std_sources(form)[key]
        return f"{s}!{c}"


_STD: dict[int, tuple] = {}


def _std_sources(form: Form) -> dict[CellKey, tuple[str, str]]:
    hit = _STD.get(id(form))
    if hit is None or hit[0] is not form:
        from .layout import a1, cell_positions
        hit = (form, {k: (s, a1(r, c)) for k, (s, r, c) in cell_positions(form).items()})
        _STD[id(form)] = hit
    return hit[1]


@dataclass
class Submission:
    """One input file and what became of it."""

    path: str
    result: Brief
    received_at: str = ""
    message_id: str = ""
    sender: str = ""
    fate: str = ""
    reason: str = ""

    @property
    def code(self) -> str:
        return self.result.agency_code

    @property
    def when(self) -> tuple:
        """Ordering key for 'the later one wins'."""
        r = self.result
        # the workbook's own time: when it was last saved (core properties), else when gkxl wrote it
        own = (r.modified or r.created_at) if r.status != "unreadable" else ""
        try:
            mtime = os.path.getmtime(self.path)
        except OSError:
            mtime = 0.0
        return (self.received_at or "", own or "", mtime, self.path)


@dataclass
class AgencyStatus:
    agency: Agency
    status: str
    detail: str = ""
    file: str = ""
    errors: int = 0
    warnings: int = 0
    region_path: str = ""


@dataclass
class Rollup:
    form: Form
    year: int
    region: Agency
    include_failing: bool
    totals: dict[CellKey, Number]
    parts: list[Submission]  # what was summed, in order
    submissions: list[Submission]
    statuses: list[AgencyStatus]
    region_counts: list[dict]
    members: list[str]  # every department code whose numbers are inside the totals
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0).isoformat())

    @property
    def policy(self) -> str:
        if self.include_failing:
            return "汇总口径：本汇总包含未通过检查的报表（使用了 --include-failing），数字可能有误，请谨慎使用。"
        return "汇总口径：仅汇总检查通过的报表；同一单位多次报送的，以最后收到的为准；已有地区汇总表的，不再重复汇总其下属单位。"

    def tidy(self):
        """The long table: one row per (agency, table, row, column) of every summed part."""
        return tidy_frame(self)


_WORKER: dict = {}


def _init_worker(form_path: str | None, priors, year: int | None) -> None:
    """Per-process state, sent once per worker rather than once per file."""
    _WORKER["form"] = load_form(form_path) if form_path else None
    _WORKER["prior"] = _PriorMap(priors) if priors is not None else None
    _WORKER["year"] = year


def _check_job(path: str) -> Brief:
    res = check_file(path, _WORKER["prior"], form=_WORKER["form"], expect_year=_WORKER["year"])
    return Brief.of(res)


class _PriorMap(PriorIndex):
    """A PriorIndex from plain values (picklable across processes)."""

    def __init__(self, by_code: Mapping[str, Mapping[CellKey, Number]]) -> None:
        self.values = dict(by_code)
        self.problems = []

    def __len__(self) -> int:
        return len(self.values)

    def for_return(self, ret):
        return self.values.get(ret.agency_code)


def check_many(paths: Iterable[str | os.PathLike], *, prior: PriorIndex | None = None, form: Form | None = None,
               year: int | None = None, jobs: int | None = None, progress=None) -> list[Brief]:
    """Read and check files on all cores; briefs in input order."""
    files = [str(p) for p in iter_paths(paths)]
    priors = {c: dict(r.values) for c, r in prior.by_code.items()} if prior is not None else None
    results = run_jobs(_check_job, files, jobs=jobs, progress=progress, min_parallel=64,
                       initializer=_init_worker, initargs=(form.path if form else None, priors, year))
    return results


def _received(path: str) -> dict:
    try:
        from .mail import received_info  # provided by the mail hand-off
    except ImportError:
        return {}
    try:
        return received_info(Path(path)) or {}
    except Exception:  # a damaged manifest must not stop a roll-up
        return {}


def aggregate(paths: Iterable[str | os.PathLike], roster: Roster, *, region: str | None = None,
              year: int | None = None, prior: PriorIndex | None = None, include_failing: bool = False,
              form: Form | None = None, deadline: str | None = None, jobs: int | None = None,
              progress=None) -> Rollup:
    """Check every return and roll up the region (see the module docstring for the policy)."""
    results = check_many(paths, prior=prior, form=form, year=None, jobs=jobs, progress=progress)
    subs = []
    for r in results:
        info = _received(r.path)
        subs.append(Submission(r.path, r, info.get("received_at", ""), info.get("message_id", ""),
                               info.get("sender", "")))
    readable = [s for s in subs if s.result.status != "unreadable"]
    if form is None:
        form = load_form(readable[0].result.form_id, readable[0].result.form_version) if readable else load_form()
    mixed = [s for s in readable if (s.result.form_id, s.result.form_version) != (form.id, form.version)]
    for s in mixed:
        s.fate, s.reason = "未汇总：表单不同", f"表单 {s.result.form_id} {s.result.form_version} 与本次汇总的 {form.id} {form.version} 不同"
    if year is None:
        years = [s.result.year for s in readable if s.result.year]
        year = max(set(years), key=years.count) if years else None
    if year is None:
        raise GkxlError("无法确定汇总年度：没有可读取的报表，请用 --year 指定", code="AGG_YEAR")

    # the region to roll up
    roots = [a for a in roster if a.is_rollup and not a.parent]
    if region:
        top = roster.get(region)
        if top is None or not top.is_rollup:
            known = "、".join(a.code for a in roster if a.is_rollup) or "（名单中没有汇总行）"
            raise GkxlError(f"地区“{region}”不在名单的汇总行中；可用的地区：{known}", code="AGG_REGION")
    elif len(roots) == 1:
        top = roots[0]
    else:
        top = Agency("ALL", "全部单位", kind="rollup")

    # fates: unreadable, wrong year, off roster, duplicates, superseded
    by_code: dict[str, list[Submission]] = defaultdict(list)
    for s in subs:
        r = s.result
        if s.fate:
            continue
        if r.status == "unreadable":
            s.fate, s.reason = UNREADABLE, r.error
            continue
        if r.year != year:
            s.fate, s.reason = WRONG_YEAR, f"报表年度为 {r.year}，本次汇总 {year} 年度"
            continue
        if roster.get(s.code) is None:
            s.fate, s.reason = NOT_ON_ROSTER, f"单位代码“{s.code or '未知'}”不在名单中"
            continue
        by_code[s.code].append(s)
    latest: dict[str, Submission] = {}
    for code, lst in by_code.items():
        lst.sort(key=lambda s: s.when)
        win = lst[-1]
        latest[code] = win
        seen_sha = {win.result.sha256: win}
        for s in reversed(lst[:-1]):
            if s.result.sha256 in seen_sha:
                s.fate, s.reason = DUPLICATE, f"与 {Path(seen_sha[s.result.sha256].path).name} 内容完全相同"
            else:
                seen_sha[s.result.sha256] = s
                s.fate, s.reason = SUPERSEDED, f"以后报送的 {Path(win.path).name} 为准"

    def usable(s: Submission) -> bool:
        return s.result.status == "pass" or include_failing

    parts: list[Submission] = []
    members: list[str] = []
    covered_by: dict[str, str] = {}  # department code -> region roll-up that stands for it
    included: set[str] = set()  # departments whose numbers are inside a region roll-up used

    def walk(reg: Agency) -> None:
        for child in roster.children(reg.code) if reg.code != "ALL" else \
                [a for a in roster if (a.is_rollup and not a.parent) or (not a.is_rollup and not a.region)]:
            if child.is_rollup:
                s = latest.get(child.code)
                if s is not None and s.result.is_rollup and usable(s):
                    parts.append(s)
                    inside = s.result.members
                    inside_set = set(filter(None, inside.split(",")))
                    members.extend(sorted(inside_set) or [child.code])
                    for d in roster.descendants(child.code):
                        covered_by[d.code] = child.code
                        if not inside_set or d.code in inside_set:
                            included.add(d.code)
                        ds = latest.get(d.code)
                        if ds is not None:
                            ds.fate = IN_ROLLUP
                            ds.reason = f"已包含在 {child.name}（{child.code}）的汇总表 {Path(s.path).name} 中"
                            if inside_set and not d.is_rollup and d.code not in inside_set:
                                ds.reason = (f"{child.name}的汇总表 {Path(s.path).name} 中没有本单位，"
                                             f"但按口径不再单独汇总，请{child.name}重新汇总")
                    continue
                walk(child)
            else:
                s = latest.get(child.code)
                if s is not None and usable(s):
                    parts.append(s)
                    members.append(child.code)

    walk(top)
    in_scope = {a.code for a in roster.descendants(top.code)} if top.code != "ALL" else {a.code for a in roster}
    for s in parts:
        s.fate = USED if s.result.status == "pass" else USED_FAILING
    for code, s in latest.items():
        if s.fate:
            continue
        if code not in in_scope:
            s.fate, s.reason = OUT_OF_REGION, f"不属于 {top.name}"
        elif not usable(s):
            s.fate, s.reason = NOT_USED_FAILING, f"错误 {s.result.n_errors} 项"
        else:
            s.fate = "未汇总"

    acc = [0.0] * len(form.input_cells)
    for s in parts:
        for i, v in enumerate(s.result.values):
            acc[i] += v
    totals = recompute(form, {k: tidy(v) for k, v in zip(form.input_cells, acc)})

    statuses = _statuses(roster, top, latest, by_code, covered_by, included, subs, deadline, include_failing)
    counts = _region_counts(roster, top, statuses)
    return Rollup(form, year, top, include_failing, totals, parts, subs, statuses, counts, members)


def _statuses(roster: Roster, top: Agency, latest, by_code, covered_by, included, subs, deadline, include_failing):
    out: list[AgencyStatus] = []
    scope = [a for a in roster if top.code == "ALL" or top.code in roster.regions_of(a) and a.code != top.code]
    for a in scope:
        path = " / ".join(reversed(roster.regions_of(a) if not a.is_rollup else roster.region_chain(a.parent)))
        if a.code in included and not a.is_rollup:
            out.append(AgencyStatus(a, ST_VIA, f"数字已包含在 {covered_by[a.code]} 的汇总表中", region_path=path))
            continue
        s = latest.get(a.code)
        if s is None:
            if a.code in covered_by:
                out.append(AgencyStatus(a, ST_MISSING, f"{covered_by[a.code]} 的汇总表中也没有本单位",
                                        region_path=path))
            elif a.is_rollup:
                out.append(AgencyStatus(a, ST_FROM_PARTS, "未收到地区汇总表，已由其下属单位的报表直接汇总",
                                        region_path=path))
            else:
                out.append(AgencyStatus(a, ST_MISSING, region_path=path))
            continue
        r = s.result
        n = len(by_code[a.code])
        detail = []
        if n > 1:
            detail.append(f"共报送 {n} 次，采用 {Path(s.path).name}（最后收到）")
        if a.code in covered_by:
            detail.append(f"{covered_by[a.code]} 的汇总表中没有本单位")
        late = bool(deadline and s.received_at and s.received_at[:10] > deadline)
        if late:
            detail.append(f"收到时间 {s.received_at} 晚于截止日期 {deadline}")
        if r.status == "pass":
            st = ST_DUP if n > 1 else ST_OK
        else:
            st = ST_FAIL
            detail.append(f"错误 {r.n_errors} 项" + ("，已按 --include-failing 汇总" if include_failing else "，未汇总"))
            if r.first_errors:
                detail.append("如：" + r.first_errors[0][:80])
        if late and st == ST_OK:
            st = ST_LATE
        out.append(AgencyStatus(a, st, "；".join(detail), s.path, r.n_errors, r.n_warnings, path))
    for s in subs:
        if s.fate == NOT_ON_ROSTER:
            ag = Agency(s.code or "?", s.result.agency_name, "")
            out.append(AgencyStatus(ag, ST_OFF, s.reason, s.path))
    return out


def _region_counts(roster: Roster, top: Agency, statuses: list[AgencyStatus]) -> list[dict]:
    """Per region (the top one and every one below it): how many departments are expected, in what state.
    One pass over the statuses, each counted in every region of its chain."""
    if top.code != "ALL":
        regions = [top] + [a for a in roster.descendants(top.code) if a.is_rollup]
    else:
        regions = [a for a in roster if a.is_rollup]
    kinds = (ST_OK, ST_DUP, ST_LATE, ST_FAIL, ST_VIA, ST_MISSING)
    rows = {reg.code: {"地区代码": reg.code, "地区": reg.name, "应报": 0, **{k: 0 for k in kinds}} for reg in regions}
    for x in statuses:
        a = x.agency
        if a.is_rollup or not a.code or roster.get(a.code) is None:
            continue
        for reg in roster.regions_of(a):
            row = rows.get(reg)
            if row is not None:
                row["应报"] += 1
                if x.status in kinds:
                    row[x.status] += 1
    return [rows[reg.code] for reg in regions]


def tidy_frame(rollup: Rollup):
    """agency, agency_name, region, file, table, row, column, labels, cell, value: one row per number."""
    import pandas as pd

    form = rollup.form
    rows = []
    meta = {k: (form.tables[k[0]], next(r for r in form.tables[k[0]].rows if r.id == k[1]),
                next(c for c in form.tables[k[0]].columns if c.id == k[2])) for k in form.input_cells}
    for s in rollup.parts:
        b = s.result
        for k, v in zip(form.input_cells, b.values):
            t, r, c = meta[k]
            rows.append((b.agency_code, b.agency_name, b.region, b.kind, s.path, k[0], k[1], k[2],
                         "/".join(r.labels) or r.short, "/".join(c.labels), b.source(form, k), tidy(v)))
    return pd.DataFrame(rows, columns=["agency", "agency_name", "region", "kind", "file", "table", "row", "column",
                                       "row_label", "column_label", "cell", "value"])
