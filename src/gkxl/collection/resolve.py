"""resolve(): which received file counts for which agency, and every agency's status (see the package docstring)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from ..roster import Agency, Roster
from .model import (F_CURRENT, F_DUPLICATE, F_NOT_RETURN, F_PENDING, F_REJECTED, F_SUPERSEDED, F_UNREADABLE, FL_LATE,
                    FL_REMINDED, FL_RETURNED, NOT_RETURN, ROLLUP, ST_CONFIRMED, ST_FAIL, ST_FROM_PARTS, ST_MISSING,
                    ST_NOT_RETURN, ST_PASS, ST_PENDING, ST_UNREADABLE, ST_VIA, STATUSES, UNREADABLE, AgencyState,
                    Received, Resolution, _instant)


def sender_codes(roster: Roster, sender: str) -> list[str]:
    """Roster agencies whose email cell holds this sender address."""
    if not sender:
        return []
    by = getattr(roster, "agencies_by_email", None)
    if by is not None:
        return [a.code for a in by(sender)]
    s = sender.strip().lower()
    return [a.code for a in roster if a.email and s in [x.strip().lower() for x in a.email.replace(";", ",").split(",")]]


def _plain_email_index(roster: Roster) -> dict[str, list[str]]:
    """Address (lower case) -> roster codes, from the roster's cleaned email cells ("a@x.cn; b@x.cn")."""
    out: dict[str, list[str]] = {}
    for a in roster:
        if a.email:
            for addr in a.email.split(";"):
                addr = addr.strip().lower()
                if addr:
                    out.setdefault(addr, []).append(a.code)
    return out


def _lookup(roster: Roster, code: str) -> Agency | None:
    if not code:
        return None
    a = roster.get(code)
    if a is None and hasattr(roster, "lookup"):
        a = roster.lookup(code)
    return a


def _sender_ok(roster: Roster, target: str, senders: list[str]) -> bool:
    """Whether a file for `target` may come from these senders: no known sender, the agency itself,
    or a region above it (a county office sending for its departments)."""
    if not senders or target in senders:
        return True
    a = roster.get(target)
    if a is None:
        return False
    above = set(roster.regions_of(a))
    return any(s in above for s in senders)


def top_region(roster: Roster, region: str | None) -> Agency:
    """The region in scope: the one asked for, the roster's single root, else everything."""
    if region:
        a = _lookup(roster, region)
        if a is None:
            by_name = [x for x in roster if x.is_rollup and x.name == region]
            a = by_name[0] if len(by_name) == 1 else None
        if a is None or not a.is_rollup:
            from ..errors import GkxlError
            known = "、".join(f"{x.code}（{x.name}）" if x.name != x.code else x.code
                             for x in roster if x.is_rollup) or "（名单中没有地区）"
            raise GkxlError(f"地区“{region}”不在名单中；可用的地区：{known}", code="AGG_REGION")
        return a
    roots = [a for a in roster if a.is_rollup and not a.parent]
    loose = [a for a in roster if not a.is_rollup and not a.region]
    if len(roots) == 1 and not loose:
        return roots[0]
    return Agency("ALL", "全部单位", kind="rollup")


def in_scope(roster: Roster, top: Agency) -> list[Agency]:
    """Roster agencies under the top region (all of them for ALL), roster order, top excluded."""
    if top.code == "ALL":
        return list(roster)
    return roster.descendants(top.code)


def resolve(roster: Roster, files: Sequence[Received], *, year: int | None, region: str | None = None,
            deadline: date | None = None, confirmed: dict[str, str] | None = None,
            feedback: dict[str, str] | None = None, reminders: dict[str, str] | None = None,
            usable_failing: bool = False, exclude_rollup_of: str | None = None) -> Resolution:
    """Give every file its fate and every agency in scope its status (see the module docstring).

    confirmed: code -> file key the coordinator confirmed; feedback: file key -> when feedback was
    sent for it; reminders: code -> when the last reminder went out. Four steps: which agency each
    file counts for, each agency's current version, the regions that stand for their agencies,
    and each agency's state."""
    top = top_region(roster, region)
    claims, related = _claims(roster, files, year)
    current = _current_versions(claims)

    def usable(f: Received) -> bool:
        return f.verdict == "pass" or (usable_failing and f.verdict == "fail")

    scope = in_scope(roster, top)
    covered_by = _coverage(roster, scope, current, usable, exclude_rollup_of)
    marks = _Marks(deadline, confirmed or {}, feedback or {}, reminders or {})
    paths: dict[str, str] = {}

    def region_path(r: str) -> str:
        hit = paths.get(r)
        if hit is None:
            hit = paths[r] = " / ".join(reversed(roster.region_chain(r)))
        return hit

    states: dict[str, AgencyState] = {}
    empty: list[Received] = []
    for a in scope:
        st = _state(a, claims.get(a.code, empty), related.get(a.code, empty), current.get(a.code), marks, usable)
        st.region_path = region_path(a.parent if a.is_rollup else a.region)
        if a.code in covered_by:
            reg = roster.get(covered_by[a.code])
            st.detail = f"数字已包含在 {reg.name}（{reg.code}）报送的报表中" + (
                "；本单位另报送的版本不单独汇总" if st.current is not None else "")
            st.status, st.covered_by, st.counted = ST_VIA, reg.code, True
        states[a.code] = st
    scope_codes = {a.code for a in scope}
    for f in files:  # every file is accounted for
        if not f.fate:  # pragma: no cover - every branch of _claims sets one
            f.fate = F_PENDING
        if f.fate == F_CURRENT and f.counts_for not in scope_codes and top.code != "ALL":
            f.reason = f"不属于 {top.name}（{top.code}）"
    return Resolution(list(files), states, current, top, year)


def _claims(roster: Roster, files: Sequence[Received], year: int | None
            ) -> tuple[dict[str, list[Received]], dict[str, list[Received]]]:
    """(code -> files that count for it, code -> files that name it or came from its mailbox);
    sets each file's fate where it is decided here (rejected, unreadable, not a return, pending)."""
    claims: dict[str, list[Received]] = defaultdict(list)
    related: dict[str, list[Received]] = defaultdict(list)
    by_sender: dict[str, list[str]] = {"": []}
    index = _plain_email_index(roster)
    for f in files:
        f.fate, f.reason, f.counts_for = "", "", ""
        senders = by_sender.get(f.sender)
        if senders is None:
            hits = index.get(f.sender.strip().lower())  # the common, plain case
            senders = by_sender[f.sender] = hits if hits is not None else sender_codes(roster, f.sender)
        for s in senders:
            related[s].append(f)
        if f.decision == "reject":
            f.fate, f.reason = F_REJECTED, f.decision_reason or "统筹人员拒收"
            continue
        if not f.readable:
            f.fate = F_UNREADABLE if f.kind == UNREADABLE else F_NOT_RETURN
            f.reason = f.error or ("附件不是报表" if f.kind == NOT_RETURN else "")
            known = _lookup(roster, f.agency_code)  # an identity read before the file broke
            if known is not None and known.code not in senders:
                related[known.code].append(f)
            continue
        ag = _lookup(roster, f.agency_code)
        if f.decision == "assign":
            target = _lookup(roster, f.decision_code)
            if target is None:
                f.fate, f.reason = F_PENDING, f"指定的单位“{f.decision_code}”不在名单中"
                continue
            f.counts_for, f.reason = target.code, f"统筹人员指定为 {target.name}（{target.code}）"
            claims[target.code].append(f)
            continue
        if ag is not None:
            related[ag.code].append(f)
        if f.decision == "accept" and ag is not None:
            f.counts_for, f.reason = ag.code, "统筹人员已确认接收"
            claims[ag.code].append(f)
            continue
        why = _pending_reason(roster, f, ag, year, senders)
        if why:
            f.fate, f.reason, f.counts_for = F_PENDING, why, ag.code if ag is not None else ""
            continue
        f.counts_for = ag.code
        claims[ag.code].append(f)
    return claims, related


def _pending_reason(roster: Roster, f: Received, ag: Agency | None, year: int | None, senders: list[str]) -> str:
    """Why a readable return waits for the coordinator ("" when it counts for its own agency)."""
    if ag is None:
        why = (f"单位代码“{f.agency_code}”不在名单中" if f.agency_code
               else "工作簿中没有单位代码（不是本次下发的模板）")
        return why + (f"；发件人是 {'、'.join(senders)} 的邮箱" if senders else "")
    if year is not None and f.year != year:
        return f"报表年度为 {f.year or '未知'}，本次收集 {year} 年度"
    if not _sender_ok(roster, ag.code, senders):
        return (f"工作簿是 {ag.name}（{ag.code}）的，发件人却是 "
                f"{'、'.join(senders)} 的邮箱（可能用了别的单位的表格）")
    return ""


def _current_versions(claims: dict[str, list[Received]]) -> dict[str, Received]:
    """The latest of each agency's files is current; the others are replaced, or duplicates of a later one."""
    current: dict[str, Received] = {}
    for code, lst in claims.items():
        lst.sort(key=lambda x: x.order)
        win = current[code] = lst[-1]
        win.fate = F_CURRENT
        seen = {win.sha256: win}
        for f in reversed(lst[:-1]):
            if f.sha256 and f.sha256 in seen:
                f.fate, f.reason = F_DUPLICATE, f"与 {os.path.basename(seen[f.sha256].path)} 内容完全相同"
            else:
                seen[f.sha256] = f
                f.fate, f.reason = F_SUPERSEDED, f"以后收到的 {os.path.basename(win.path)} 为准"
    return current


def _coverage(roster: Roster, scope: list[Agency], current: dict[str, Received], usable,
              exclude_rollup_of: str | None) -> dict[str, str]:
    """code -> the highest region in scope whose own counted return stands for it."""
    covered_by: dict[str, str] = {}
    for a in scope:
        if not a.is_rollup or a.code == exclude_rollup_of:
            continue
        f = current.get(a.code)
        if f is None or not usable(f):
            continue
        members = set(filter(None, f.members.split(","))) if f.kind == ROLLUP else set()
        for d in roster.descendants(a.code):
            if d.code in covered_by:
                continue  # a higher region's return already stands for it
            if not members or d.code in members or d.is_rollup:
                covered_by[d.code] = a.code
    for code in list(covered_by):  # a region below another covered region is itself covered
        up = covered_by[code]
        while up in covered_by:
            up = covered_by[up]
        covered_by[code] = up
    return covered_by


@dataclass
class _Marks:
    deadline: date | None
    confirmed: dict[str, str]
    feedback: dict[str, str]
    reminders: dict[str, str]


def _state(a: Agency, mine: list[Received], rel: list[Received], cur: Received | None, marks: _Marks,
           usable) -> AgencyState:
    """One agency's status, flags and detail from its files (before regions are considered)."""
    from .deadline import is_late

    n = len(mine)
    st = AgencyState(a, ST_MISSING, versions=n if n < 2 else len({f.sha256 or f.key for f in mine}))
    st.current = cur
    if n == 1:
        st.first_received = mine[0].received_at
    elif n:
        st.first_received = min((f.received_at for f in mine if f.received_at), key=_instant, default="")
    if cur is not None:
        if cur.verdict == "pass":
            st.status = ST_CONFIRMED if marks.confirmed.get(a.code) == cur.key else ST_PASS
        else:
            st.status, st.detail = ST_FAIL, f"错误 {cur.errors} 项"
        if cur.key in marks.feedback:
            st.flags.append(FL_RETURNED)
            st.last_feedback = marks.feedback[cur.key]
        st.counted = usable(cur)
    else:
        pend = [f for f in rel if f.fate == F_PENDING]
        bad = [f for f in rel if f.fate == F_UNREADABLE]
        other = [f for f in rel if f.fate == F_NOT_RETURN]
        if pend:
            st.status, st.detail = ST_PENDING, pend[-1].reason
        elif bad:
            st.status, st.detail = ST_UNREADABLE, bad[-1].error or "文件无法读取"
        elif other:
            st.status = ST_NOT_RETURN
            st.detail = ("回复的附件不是报表：" + "、".join(f.original_name or os.path.basename(f.path)
                                                   for f in other))[:200]
        elif a.is_rollup:
            st.status, st.detail = ST_FROM_PARTS, "未收到本地区的汇总表，由其下属单位的报表直接汇总"
    if st.first_received and marks.deadline and is_late(st.first_received, marks.deadline):
        st.flags.append(FL_LATE)
    if a.code in marks.reminders:
        st.flags.append(FL_REMINDED)
        st.last_reminder = marks.reminders[a.code]
    if st.versions > 1 and cur is not None:
        extra = f"共报送 {st.versions} 个版本，以最后收到的为准"
        st.detail = f"{st.detail}；{extra}" if st.detail else extra
    return st


def summary_counts(res: Resolution) -> dict[str, int]:
    """Status -> number of roster agencies in scope (departments and regions alike)."""
    out: dict[str, int] = {}
    for st in res.states.values():
        out[st.status] = out.get(st.status, 0) + 1
    return out


def departments_done(res: Resolution) -> bool:
    """Every department in scope counted (directly or through its region)."""
    return all(st.counted for st in res.states.values() if not st.agency.is_rollup)


def region_counts(roster: Roster, res: Resolution) -> list[dict]:
    """Per region in scope: expected departments and how many in each status. One pass."""
    top = res.top
    regions = ([top] if top.code != "ALL" else []) + [a for a in in_scope(roster, top) if a.is_rollup]
    keys = [s for s in STATUSES if s != ST_FROM_PARTS]
    rows = {r.code: {"地区代码": r.code, "地区": r.name, "应报": 0, "已计入": 0, **{k: 0 for k in keys}}
            for r in regions}
    for st in res.states.values():
        a = st.agency
        if a.is_rollup:
            continue
        for reg in roster.regions_of(a):
            row = rows.get(reg)
            if row is not None:
                row["应报"] += 1
                row["已计入"] += int(st.counted)
                if st.status in row:
                    row[st.status] += 1
    return [rows[r.code] for r in regions]


def superseded_among(files: Sequence[Received]) -> dict[str, Received]:
    """Without a roster (plain `gkxl check`): key -> the later file of the same agency that replaces it.

    The same rule as resolve(): the latest received of an agency's readable returns is its current one."""
    by: dict[str, list[Received]] = defaultdict(list)
    for f in files:
        if f.readable and f.agency_code:
            by[(f.agency_code, f.year)].append(f)
    out: dict[str, Received] = {}
    for lst in by.values():
        lst.sort(key=lambda x: x.order)
        for f in lst[:-1]:
            out[f.key] = lst[-1]
    return out
