"""Roll returns up the hierarchy: the sums of exactly the returns that count.

Which file counts for which agency, and every agency's status, is decided
in one place (gkxl.collection.resolve), for a ledger and for plain folders
alike. Here the counted returns are read again, checked and summed:
- only returns that pass their checks are summed, unless include_failing;
- a region whose own return (its roll-up, or its own filled template) is
  counted stands for every agency below it: they are never summed twice.
"""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Mapping

from ..checks import PriorIndex
from ..form.compute import Number, recompute, clean_number
from ..errors import GkxlError
from ..collection.provenance import Provenance
from ..form import CellKey, Form, load_form
from ..checks.brief import Brief, check_many  # noqa: F401 - public here too
from ..workbook.read import iter_paths
from ..collection import (F_CURRENT, ROLLUP, RETURN, UNREADABLE, AgencyState, Received, Resolution,
                         region_counts, resolve)
from ..roster import Agency, Roster
from .phases import phase

# whether a file's numbers are inside the totals (the 来源 sheet's 是否汇总 column)
USED = "已汇总"
USED_FAILING = "已汇总（未通过检查）"
NOT_USED = "未汇总"

@dataclass
class Rollup:
    form: Form
    year: int
    region: Agency
    include_failing: bool
    totals: dict[CellKey, Number]
    parts: list[Received]  # what was summed, in order
    submissions: list[Received]  # every input file, with its fate
    statuses: list[AgencyState]
    region_counts: list[dict]
    members: list[str]  # every department code whose numbers are inside the totals
    resolution: Resolution | None = None
    created_at: str = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0).isoformat())

    @property
    def policy(self) -> str:
        if self.include_failing:
            return "汇总口径：本汇总包含未通过检查的报表（使用了 --include-failing），数字可能有误，请谨慎使用。"
        return ("汇总口径：仅汇总检查通过的报表；同一单位多次报送的，以最后收到的为准；待确认的报表（单位不在名单、年度不符、"
                "与发件人不符）在统筹人员确认前不汇总；已有地区报表的，不再重复汇总其下属单位。")

    def tidy(self):
        """The long table: one row per (agency, table, row, column) of every summed part."""
        return tidy_frame(self)


def _own_time(b: Brief, path: str) -> str:
    own = b.modified or b.created_at if b.status != "unreadable" else ""
    if own:
        return own
    try:
        return datetime.fromtimestamp(os.path.getmtime(path), timezone.utc).isoformat()
    except OSError:
        return ""


def received_of(b: Brief, seq: int, info: Mapping | None = None, key: str | None = None) -> Received:
    """A checked file as the collection sees it."""
    info = info or {}
    if b.status == "unreadable":
        kind = UNREADABLE
    else:
        kind = ROLLUP if b.is_rollup else RETURN
    return Received(key or b.path, b.path, kind, b.sha256, b.agency_code, b.agency_name, b.year,
                    b.status, b.n_errors, b.n_warnings, b.members, info.get("received_at", ""),
                    _own_time(b, b.path), seq, info.get("message_id", ""), info.get("sender", ""),
                    info.get("attachment_name", ""), b.error, brief=b)


def _recheck_current(received: list[Received], roster: Roster, year: int | None, *, prior, form, jobs, progress,
                     how: dict) -> Resolution | None:
    """A ledger's current versions are read and checked again (a stored verdict is never trusted); the
    others keep their recorded facts, which do not change (the ledger's copies are never rewritten).
    Which version is current depends on readability and identity, so this repeats while a fresh check
    changes either. Returns the resolution (made with `how`) when no fresh check changed any fact of a
    file -- the usual case: the roll-up then resolves once -- else None."""
    fresh_keys: set[str] = set()
    same = True
    while True:
        res = resolve(roster, received, year=year, **how)
        todo = [f for f in received if f.fate == F_CURRENT and f.path and f.key not in fresh_keys]
        if not todo:
            return res if same else None
        moved = False
        for f, b in zip(todo, check_many([f.path for f in todo], prior=prior, form=form, jobs=jobs,
                                         progress=progress)):
            fresh_keys.add(f.key)
            before = _facts(f)
            _refresh(f, b)
            after = _facts(f)
            same = same and after == before
            moved = moved or after[:3] != before[:3]
        if not moved:
            return res if same else None


def _facts(f: Received) -> tuple:
    """What a resolution reads of a file that a fresh check can change (identity first)."""
    return (f.kind, f.agency_code, f.year, f.agency_name, f.verdict, f.errors, f.warnings, f.members, f.error)


def _refresh(f: Received, b: Brief) -> None:
    """A ledger file's facts from its fresh check; a stored copy whose content changed is unreadable."""
    if f.sha256 and b.sha256 and b.sha256 != f.sha256:
        f.kind, f.verdict, f.brief = UNREADABLE, "unreadable", None
        f.error = f"台账中保存的文件 {f.path} 已被改动（内容与收到时不同），请重新收取或加入"
        return
    b.path = f.path  # one string for both (a ledger of 100,000 files)
    if f.sha256 == b.sha256:
        b.sha256 = f.sha256
    f.brief, f.verdict = b, b.status
    f.kind = UNREADABLE if b.status == "unreadable" else (ROLLUP if b.is_rollup else RETURN)
    f.errors, f.warnings, f.members, f.error = b.n_errors, b.n_warnings, b.members, b.error
    f.agency_code, f.agency_name, f.year = b.agency_code, b.agency_name, b.year


def pick_year(files: Iterable[Received]) -> int:
    """The collection's year: the one most returns name; a tie is refused (ask for --year)."""
    from collections import Counter
    c = Counter(f.year for f in files if f.readable and f.year)
    if not c:
        raise GkxlError("无法确定汇总年度：没有可读取的报表，请用 --year 指定", code="AGG_YEAR")
    top = c.most_common()
    if len(top) > 1 and top[0][1] == top[1][1]:
        tied = "、".join(str(y) for y, n in top if n == top[0][1])
        raise GkxlError(f"无法确定汇总年度：{tied} 年度的报表一样多，请用 --year 指定", code="AGG_YEAR")
    return top[0][0]


def aggregate(paths: Iterable[str | os.PathLike] | None, roster: Roster, *, region: str | None = None,
              year: int | None = None, prior: PriorIndex | None = None, include_failing: bool = False,
              form: Form | None = None, deadline=None, jobs: int | None = None,
              progress=None, received: list[Received] | None = None, confirmed: Mapping | None = None,
              feedback: Mapping | None = None, reminders: Mapping | None = None,
              provenance: Provenance | None = None) -> Rollup:
    """Check every return and roll up the region (see the module docstring for the policy).

    `received`: the files of a ledger, with the coordinator's decisions (their rows are their provenance);
    else `paths` are scanned, and `provenance` says where their files came from (mail received time,
    Message-ID, sender; replies that brought no return). Without it, the collect manifests in `paths` are
    asked (gkxl.collection.provenance.folder_provenance): the caller decides, this module reads no mail.
    The files are always read and checked again here: a stored verdict is never trusted."""
    from ..collection.deadline import parse_deadline
    if isinstance(deadline, str):
        deadline = parse_deadline(deadline)
    how = dict(region=region, deadline=deadline, confirmed=dict(confirmed or {}), feedback=dict(feedback or {}),
               reminders=dict(reminders or {}), usable_failing=include_failing)
    res = None
    with phase("read+check"):
        if received is None:
            received = _folder_inputs(paths or [], provenance, prior=prior, form=form, jobs=jobs, progress=progress)
        else:
            res = _recheck_current(received, roster, year, prior=prior, form=form, jobs=jobs, progress=progress,
                                   how=how)
    readable = [f for f in received if f.readable and f.brief is not None]
    if year is None:
        year, res = pick_year(readable), None
    form = form or _main_form(readable, year)
    if _refuse_other_forms(readable, form) or res is None:
        with phase("resolve"):
            res = resolve(roster, received, year=year, **how)
    with phase("sum"):
        parts, members = _parts(res, roster)
        _mark_used(received, parts, res, roster)
        totals = _sum(form, parts)
        counts = region_counts(roster, res)
    return Rollup(form, year, res.top, include_failing, totals, parts, list(received), list(res.states.values()),
                  counts, members, resolution=res)


def _folder_inputs(paths, provenance: Provenance | None, *, prior, form, jobs, progress) -> list[Received]:
    """Every file found in plain folders, read and checked, with what the caller knows of where it came from."""
    paths = list(paths)
    files = [str(p) for p in iter_paths(paths)]
    if provenance is None:
        from ..collection.provenance import folder_provenance
        provenance = folder_provenance(paths, files)
    briefs = check_many(files, prior=prior, form=form, jobs=jobs, progress=progress)
    received = [received_of(b, i, provenance.of(b.path)) for i, b in enumerate(briefs)]
    for k, f in enumerate(provenance.replies):
        f.seq = len(received) + k
    return received + list(provenance.replies)


def _main_form(readable: list[Received], year: int) -> Form:
    """The form most returns of the year are on."""
    counts: dict = {}
    for f in readable:
        if f.year == year:
            k = (f.brief.form_id, f.brief.form_version)
            counts[k] = counts.get(k, 0) + 1
    return load_form(*max(counts, key=counts.get)) if counts else load_form()


def _refuse_other_forms(readable: list[Received], form: Form) -> int:
    """Returns on another form than the roll-up's are unreadable for it; how many there were."""
    n = 0
    for f in readable:
        if (f.brief.form_id, f.brief.form_version) != (form.id, form.version):
            f.kind, f.error = UNREADABLE, (f"表单 {f.brief.form_id} {f.brief.form_version} 与本次汇总的 "
                                           f"{form.id} {form.version} 不同")
            n += 1
    return n


def _parts(res: Resolution, roster: Roster) -> tuple[list[Received], list[str]]:
    """The returns whose numbers are summed, and every department code inside them."""
    parts: list[Received] = []
    members: list[str] = []
    for st in res.states.values():
        cur = st.current
        if not st.counted or st.covered_by or cur is None:
            continue
        parts.append(cur)
        if cur.kind == ROLLUP and cur.members:
            members.extend(sorted(set(filter(None, cur.members.split(",")))))
        elif st.agency.is_rollup:
            members.extend(d.code for d in roster.descendants(st.agency.code) if not d.is_rollup)
        else:
            members.append(st.agency.code)
    return parts, members


def _mark_used(received: list[Received], parts: list[Received], res: Resolution, roster: Roster) -> None:
    """Each file's 是否汇总 and, for a current version left out, why."""
    top = res.top
    summed = {id(p) for p in parts}
    for f in received:
        if id(f) in summed:
            f.used = USED if f.verdict == "pass" else USED_FAILING
            continue
        f.used = NOT_USED
        if f.fate != F_CURRENT:
            continue
        st = res.states.get(f.counts_for)
        if st is None:
            f.reason = (f"本次汇总的地区自己的报表（{top.name}），不参与汇总" if f.counts_for == top.code
                        else f"不属于 {top.name}（{top.code}）")
        elif st.covered_by:
            reg = roster.get(st.covered_by)
            f.reason = f"已包含在 {reg.name}（{reg.code}）报送的报表中，不再单独汇总"
        elif f.verdict != "pass":
            f.reason = f"未通过检查（错误 {f.errors} 项）"


def _sum(form: Form, parts: list[Received]) -> dict[CellKey, Number]:
    from operator import add

    acc = [0.0] * len(form.input_cells)
    for f in parts:
        acc = list(map(add, acc, f.brief.values))  # in order: the same float sums as a loop
    return recompute(form, {k: clean_number(v) for k, v in zip(form.input_cells, acc)})


def tidy_frame(rollup: Rollup):
    """agency, agency_name, region, kind, file, table, row, column, labels, cell, value: one row per number.

    Built a column at a time (each part's text repeated, each cell's labels tiled) rather than a tuple a
    number: the same frame in a fraction of the time and memory."""
    import numpy as np
    import pandas as pd

    form = rollup.form
    keys = form.input_cells
    m, briefs = len(keys), [s.result for s in rollup.parts]
    tables = {t: form.tables[t] for t, _, _ in keys}
    rows = {(t, r.id): r for t in tables for r in tables[t].rows}
    cols = {(t, c.id): c for t in tables for c in tables[t].columns}

    def each_part(values: list) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), m)

    def each_cell(values: list) -> np.ndarray:
        return np.tile(np.array(values, dtype=object), len(briefs))

    cells = each_cell([f"{s}!{c}" for s, c in (form.plan.sources[k] for k in keys)])
    for i, b in enumerate(briefs):
        if b.moved:
            cells[i * m:(i + 1) * m] = [b.source(form, k) for k in keys]
    values = [round(v, 6) for b in briefs for v in b.values]  # as clean_number rounds
    return pd.DataFrame({
        "agency": each_part([b.agency_code for b in briefs]), "agency_name": each_part([b.agency_name for b in briefs]),
        "region": each_part([b.region for b in briefs]), "kind": each_part([b.kind for b in briefs]),
        "file": each_part([s.path for s in rollup.parts]),
        "table": each_cell([t for t, _, _ in keys]), "row": each_cell([r for _, r, _ in keys]),
        "column": each_cell([c for _, _, c in keys]),
        "row_label": each_cell(["/".join(rows[t, r].labels) or rows[t, r].short for t, r, _ in keys]),
        "column_label": each_cell(["/".join(cols[t, c].labels) for t, _, c in keys]),
        "cell": cells, "value": np.array(values, dtype=float)})


class _CallableModule(types.ModuleType):
    """`gkxl.aggregate(...)` is the function, even once this module of the same name has been imported
    (importing a submodule rebinds the package attribute to the module)."""

    def __call__(self, *args, **kwargs) -> Rollup:
        return aggregate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
