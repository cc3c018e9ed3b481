"""Random collection campaigns with their own oracle, for the ledger's proof.

A campaign is a roster (with region rows, or with regions named only in
所属地区) and a stream of arrivals by mail and by hand: passing and failing
returns, corrections, duplicates, misfiled templates, returns of another year,
strangers, junk replies, corrupt files, a region's own return, late ones.
The oracle below decides, independently of gkxl.collection, what every
agency's status must be and which numbers the roll-up must sum.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from gkxl.compute import recompute
from gkxl.fake import realistic_return, sample_texts
from gkxl.form import load_form
from gkxl.roster import Agency
from gkxl.template import Fill, render_workbook

BJ = timezone(timedelta(hours=8))
YEAR = 2025
DEADLINE = datetime(2026, 1, 31, 23, 59, 59, tzinfo=BJ)
CODES = [f"D{i:02d}" for i in range(1, 13)]
REGIONS = {"R1": "东城县", "R2": "西城县"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HAND = datetime(2099, 1, 1, tzinfo=BJ)  # stands for "when gkxl add ran": later than any mail, after the deadline


def email_of(code: str) -> str:
    return f"{code.lower()}@gov.example.cn"


@dataclass(frozen=True)
class Variant:
    data: bytes
    values: dict  # input cell -> number (None for a file that is not a usable return)
    verdict: str  # pass | fail | unreadable | not_return
    code: str
    year: int


@lru_cache(maxsize=None)
def variant(code: str, kind: str) -> Variant:
    """The pool: one workbook per (agency, kind), made once per test session."""
    form = load_form()
    name = REGIONS.get(code, f"某局{code}")
    ag = Agency(code, name)
    seed = sum(map(ord, code + kind))
    if kind in ("pass", "pass2", "oldyear"):
        vals = realistic_return(form, seed)
        year = YEAR - 1 if kind == "oldyear" else YEAR
        data = _render(form, ag, year, vals)
        return Variant(data, vals, "pass", code, year)
    if kind in ("fail", "fail2"):
        vals = realistic_return(form, seed)
        vals[("t3", "new", "natural")] = (vals.get(("t3", "new", "natural")) or 0) + 1  # balance no longer holds
        return Variant(_render(form, ag, YEAR, vals), vals, "fail", code, YEAR)
    if kind == "corrupt":
        good = variant(code, "pass").data
        return Variant(good[: len(good) // 3], {}, "unreadable", code, YEAR)
    if kind == "junk":
        return Variant(b"%PDF-1.4\n% not a workbook\n" + code.encode() * 20, {}, "not_return", code, YEAR)
    raise ValueError(kind)


def _render(form, ag: Agency, year: int, vals: dict) -> bytes:
    fill = Fill(values=dict(vals), texts=sample_texts(form, ag, year),
                cover={"contact": "张敏", "phone": "0451-5675700", "fill_date": f"{year + 1}-01-15"})
    return render_workbook(form, year=year, agency=ag, fill=fill, kind="return")


@dataclass
class Arrival:
    """One thing received: `sender` is the agency whose mailbox sent it ('' = brought by hand)."""

    sender: str
    variant: Variant
    at: datetime
    by_mail: bool
    name: str
    decision: tuple = ()  # ("assign", code) | ("accept",) | ("reject",)


@dataclass
class Campaign:
    seed: int
    agencies: list[Agency]
    region_rows: bool
    arrivals: list[Arrival] = field(default_factory=list)

    def roster_csv(self) -> str:
        lines = ["2025年度政府信息公开年报报送名单", "单位代码,单位名称,所属地区,上级地区,类型,邮箱"]
        if self.region_rows:
            lines.append("C,某市（汇总）,,,汇总,")
            for code, name in REGIONS.items():
                lines.append(f"{code},{name},,C,汇总,{email_of(code)}")
        for a in self.agencies:
            lines.append(f"{a.code},{a.name},{a.region},,部门,{a.email}")
        return "\r\n".join(lines) + "\r\n"


def make_campaign(seed: int) -> Campaign:
    rnd = random.Random(seed)
    region_rows = rnd.random() < 0.6
    n = rnd.randint(3, len(CODES))
    codes = rnd.sample(CODES, n)
    agencies = []
    for c in codes:
        r = rnd.choice(list(REGIONS) + [""]) if region_rows else rnd.choice(list(REGIONS.values()) + [""])
        if region_rows and not r:
            r = "C"
        agencies.append(Agency(c, f"某局{c}", r, email=email_of(c)))
    camp = Campaign(seed, agencies, region_rows)
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=BJ)
    clock = [t0]

    def tick() -> datetime:
        clock[0] += timedelta(hours=rnd.randint(1, 60))
        return clock[0]

    events = []
    for a in agencies:
        for _ in range(rnd.choice([0, 1, 1, 2, 3])):
            events.append((a.code, rnd.choice(["pass", "pass", "fail", "pass2", "dup", "junk", "corrupt", "misfiled",
                                               "oldyear", "stranger", "byhand"])))
    if region_rows and rnd.random() < 0.3:
        events.append(("R1", "region"))
    rnd.shuffle(events)
    last: dict[str, Variant] = {}
    for code, what in events:
        at = tick()
        by_mail = True
        sender = code
        decision: tuple = ()
        if what in ("pass", "pass2", "fail", "junk", "corrupt", "oldyear"):
            v = variant(code, what)
        elif what == "dup":
            v = last.get(code) or variant(code, "pass")
        elif what == "byhand":
            v, by_mail, sender = variant(code, "pass2"), False, ""
        elif what == "region":
            v = variant("R1", "pass")
        elif what == "stranger":
            v = variant("ZZ99", "pass")
            decision = rnd.choice([(), ("reject",), ("assign", code)])
        else:  # misfiled: this agency filled another agency's template
            other = rnd.choice([c for c in CODES if c != code])
            v = variant(other, "pass")
            decision = rnd.choice([(), ("assign", code), ("reject",)])
        if what == "oldyear":
            decision = rnd.choice([(), ("accept",), ("reject",)])
        if v.verdict in ("pass", "fail"):
            last[code] = v
        ext = ".pdf" if v.verdict == "not_return" else ".xlsx"
        if not by_mail:
            at = HAND  # brought by hand: received when `gkxl add` runs, after every mail
        camp.arrivals.append(Arrival(sender, v, at, by_mail, f"{code}报表{len(camp.arrivals):03d}{ext}", decision))
    return camp


def eml(arr: Arrival, i: int) -> bytes:
    msg = MIMEMultipart()
    msg["From"] = email_of(arr.sender)
    msg["To"] = "gongkai@city.example.cn"
    msg["Subject"] = Header(f"报表 {arr.sender}", "utf-8")
    msg["Date"] = format_datetime(arr.at)
    msg["Message-ID"] = f"<c{i}.{arr.sender}@gov.example.cn>"
    msg.attach(MIMEText("附件是我单位的报表。", "plain", "utf-8"))
    ctype = XLSX if arr.name.endswith(".xlsx") else "application/pdf"
    part = MIMEBase(*ctype.split("/"))
    part.set_payload(arr.variant.data)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=("gbk", "", arr.name))
    msg.attach(part)
    return msg.as_bytes()


# ---------------------------------------------------------------- the oracle


@dataclass
class Expect:
    status: str
    late: bool
    counted: bool
    values: dict | None  # what this agency adds to the totals itself (None: nothing)


def oracle(camp: Campaign) -> tuple[dict[str, Expect], dict]:
    """Every roster agency's expected status, and the expected totals (input cells)."""
    form = load_form()
    codes = {a.code for a in camp.agencies}
    region_of = {a.code: a.region for a in camp.agencies}
    roster_codes = codes | (set(REGIONS) | {"C"} if camp.region_rows else set())
    counting: dict[str, list[tuple[datetime, int, Variant]]] = {}
    related: dict[str, list[str]] = {}  # code -> fates of files that name it or came from it, in order

    def rel(code: str, what: str) -> None:
        related.setdefault(code, []).append(what)

    for i, arr in enumerate(camp.arrivals):
        v = arr.variant
        if arr.sender:
            pass
        if arr.decision[:1] == ("reject",):
            continue
        if v.verdict == "unreadable":
            rel(arr.sender, "unreadable")
            continue
        if v.verdict == "not_return":
            rel(arr.sender, "not_return")
            continue
        if arr.decision[:1] == ("assign",):
            counting.setdefault(arr.decision[1], []).append((arr.at, i, v))
            continue
        target = v.code
        if target not in roster_codes:
            if arr.sender:
                rel(arr.sender, "pending")
            continue
        if arr.decision[:1] == ("accept",):
            counting.setdefault(target, []).append((arr.at, i, v))
            continue
        sender_ok = (not arr.sender or arr.sender == target
                     or (target in region_of and region_of[target] == arr.sender))
        if v.year != YEAR or not sender_ok:
            rel(target, "pending")
            if arr.sender:
                rel(arr.sender, "pending")
            continue
        counting.setdefault(target, []).append((arr.at, i, v))
    current = {c: max(lst, key=lambda t: (t[0], t[1]))[2] for c, lst in counting.items()}
    first = {c: min(t[0] for t in lst) for c, lst in counting.items()}
    region_current = {r: current[r] for r in REGIONS if camp.region_rows and r in current
                      and current[r].verdict == "pass"}
    out: dict[str, Expect] = {}
    totals = {k: 0 for k in form.input_cells}

    def add(vals) -> None:
        for k in form.input_cells:
            totals[k] += vals.get(k) or 0

    for r, v in region_current.items():
        add(v.values)
    for a in camp.agencies:
        cur = current.get(a.code)
        late = a.code in first and first[a.code] > DEADLINE
        if a.region in region_current:
            out[a.code] = Expect("已含在地区汇总表中", late, True, None)
            continue
        if cur is not None:
            ok = cur.verdict == "pass"
            out[a.code] = Expect("通过" if ok else "不通过", late, ok, cur.values if ok else None)
            if ok:
                add(cur.values)
            continue
        fates = related.get(a.code, [])
        st = ("待确认" if "pending" in fates else "报表无法读取" if "unreadable" in fates
              else "已回复但附件不是报表" if "not_return" in fates else "未报送")
        out[a.code] = Expect(st, False, False, None)
    if camp.region_rows:
        for r in REGIONS:
            cur = current.get(r)
            if cur is not None:
                out[r] = Expect("通过" if cur.verdict == "pass" else "不通过", first[r] > DEADLINE,
                                cur.verdict == "pass", None)
    return out, recompute(form, totals)


def write_inputs(camp: Campaign, where: Path) -> tuple[Path, Path, list[tuple[int, Arrival]]]:
    """(mailbox folder of .eml, folder of hand-brought files, arrivals in order with their index)."""
    box, hand = where / "mailbox", where / "usb"
    box.mkdir(parents=True)
    hand.mkdir(parents=True)
    for i, arr in enumerate(camp.arrivals):
        if arr.by_mail:
            (box / f"{i:03d}.eml").write_bytes(eml(arr, i))
        else:
            (hand / arr.name).write_bytes(arr.variant.data)
    return box, hand, list(enumerate(camp.arrivals))
