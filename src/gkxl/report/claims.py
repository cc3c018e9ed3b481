"""Numbers the body text states that the tables also hold.

A report says in words what its table 三 and 四 say in numbers ("全市共受理
政府信息公开申请3119件，答复3050件（含上年度结转申请34件）"); a reader
checking a report compares the two, and real reports do contradict
themselves ("受理政府信息公开申请17件" beside 一、本年新收 95). Each kind of
statement below names the cells it may mean: a statement is a contradiction
only when it matches none of them (受理 may count last year's carry-over or
not; 办理 may mean received or answered), and only when every cell it needs
was read from the table.

The cells are those of table 三 and 四, whose ids every form of the report
family shares (gb2021, gb2021p6, gb2019); a form without them has no claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..form import CellKey, Form
from ..form.compute import Number, clean_number
from ..workbook.values import normalise_text

T3 = "t3"
T4 = "t4"


def _total(form: Form, *rows: str) -> list[CellKey] | None:
    t = form.tables.get(T3)
    if t is None:
        return None
    ids = {r.id for r in t.rows}
    keys = [(T3, r, "total") for r in rows if r in ids]
    return keys or None


def _rows_starting(form: Form, prefix: str) -> list[str]:
    t = form.tables.get(T3)
    return [r.id for r in t.rows if r.id.startswith(prefix)] if t else []


@dataclass(frozen=True)
class Claim:
    """One kind of statement: its pattern (on text without spaces) and the readings it may have."""

    name: str
    pattern: re.Pattern[str]
    meanings: tuple[tuple[str, ...], ...]  # each: row ids of t3 whose totals add up to it, or t4 columns


_N = r"(?P<n>\d{1,7})件"
CLAIMS = (
    Claim("受理申请", re.compile(r"(?:新收|收到|受理|接收|共受理|共收到|共接收)(?:各类|各级)?(?:政府信息公开|信息公开|依申请公开)?"
                              r"申请(?:共|总计|合计|数量为?|数)?" + _N),
          (("new",), ("new", "carried_in"))),
    Claim("办理申请", re.compile(r"(?:办结|答复|办理|办理完毕|处理)(?:了)?(?:各类)?(?:政府信息公开|信息公开|依申请公开)?申请(?:共|总计|合计)?" + _N),
          (("results_total",), ("new",), ("new", "carried_in"))),
    # "同意公开答复9件", "不予公开答复2件" are results, not every answer
    Claim("办结", re.compile(r"(?<!公开)(?<!处理)(?<!提供)(?:办结|答复)(?:共|总计|合计)?" + _N),
          (("results_total",),)),
    Claim("上年结转", re.compile(r"上(?:一)?年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(?:共)?" + _N),
          (("carried_in",),)),
    Claim("结转下年度", re.compile(r"(?:(?P<n2>\d{1,7})件(?:申请)?(?:结转|顺延|转入)(?:到|至)?下(?:一)?年度)"
                                r"|(?:结转(?:至|到)?下(?:一)?年度(?:继续办理)?(?:的)?(?:申请)?(?:共)?" + _N + ")"),
          (("carry_out",),)),
    Claim("予以公开及部分公开", re.compile(r"予以公开(?:及|和|与|、|或)部分公开(?:的)?(?:共|合计)?" + _N),
          (("disclosed", "partial"),)),
    Claim("予以公开", re.compile(r"(?:(?<!不)予以公开|同意公开)(?!及|和|与|、|或)(?:答复)?(?:的)?(?:共)?" + _N),
          (("disclosed",), ("disclosed", "partial"))),
    Claim("部分公开", re.compile(r"(?<!及)(?<!和)(?<!与)(?<!、)部分公开(?:答复)?(?:的)?(?:共)?" + _N),
          (("partial",),)),
    Claim("不予公开", re.compile(r"不予公开(?:答复)?(?:的)?(?:共)?" + _N), (("refused_*",),)),
    Claim("无法提供", re.compile(r"无法提供(?:答复)?(?:的)?(?:共)?" + _N), (("unable_*",),)),
    Claim("不予处理", re.compile(r"不予处理(?:答复)?(?:的)?(?:共)?" + _N), (("unhandled_*",),)),
    Claim("其他处理", re.compile(r"其他处理(?:答复)?(?:的)?(?:共)?" + _N), (("other*",),)),
    Claim("行政复议", re.compile(r"(?:行政复议|复议)(?:案件|申请)?(?:共|总计|合计)?" + _N.replace("件", "(?:件|起)")),
          (("@review_total",),)),
    Claim("行政诉讼", re.compile(r"(?:行政诉讼|诉讼)(?:案件)?(?:共|总计|合计)?" + _N.replace("件", "(?:件|起)")),
          # "行政复议、行政诉讼案件5件" counts both
          (("@direct_total", "@after_total"), ("@review_total", "@direct_total", "@after_total"))),
)


@dataclass
class Contradiction:
    claim: str
    text: str  # the sentence as printed (trimmed)
    stated: int
    table: dict[str, Number]  # each reading -> its value from the table
    where: str


def _cells(form: Form, meaning: tuple[str, ...]) -> list[CellKey] | None:
    keys: list[CellKey] = []
    for m in meaning:
        if m.startswith("@"):
            t4 = form.tables.get(T4)
            if t4 is None or m[1:] not in t4.col_ids() or len(t4.rows) != 1:
                return None
            keys.append((T4, t4.rows[0].id, m[1:]))
        elif m.endswith("*"):
            rows = _rows_starting(form, m[:-1])
            if not rows:
                return None
            keys.extend((T3, r, "total") for r in rows)
        else:
            got = _total(form, m)
            if not got:
                return None
            keys.extend(got)
    return keys


def _reading_name(form: Form, keys: list[CellKey]) -> str:
    return "+".join(form.label_of(k) for k in keys) if len(keys) <= 3 else f"{form.label_of(keys[0])}等 {len(keys)} 项之和"


def check_claims(paragraphs: list[tuple[str, str]], form: Form, values: dict[CellKey, Number]) -> list[Contradiction]:
    """Statements in the body text that no reading of the table supports."""
    out: list[Contradiction] = []
    seen: set[tuple[int, str, int]] = set()
    for text, where in paragraphs:
        flat = normalise_text(text)
        for claim in CLAIMS:
            for m in claim.pattern.finditer(flat):
                n = m.groupdict().get("n") or m.groupdict().get("n2")
                if not n:
                    continue
                stated = int(n)
                readings: dict[str, Number] = {}
                for meaning in claim.meanings:
                    keys = _cells(form, meaning)
                    if keys is None or any(k not in values for k in keys):
                        readings = {}
                        break
                    readings[_reading_name(form, keys)] = clean_number(sum(values[k] for k in keys))
                if not readings or any(abs(float(v) - stated) < 1e-9 for v in readings.values()):
                    continue
                key = (stated, where, m.end())
                if key in seen:
                    continue
                seen.add(key)
                a, b = max(0, m.start() - 12), min(len(flat), m.end() + 4)
                # never quote half a number ("4年" of "2024年", "占33" of "占33.9%")
                while a > 0 and (flat[a - 1].isdigit() or (flat[a - 1] == "." and a > 1 and flat[a - 2].isdigit())):
                    a -= 1
                while b < len(flat) and (flat[b].isdigit() or (flat[b] == "." and b + 1 < len(flat)
                                                               and flat[b + 1].isdigit())):
                    b += 1
                if b < len(flat) and flat[b] == "%" and flat[b - 1].isdigit():
                    b += 1
                out.append(Contradiction(claim.name, flat[a:b], stated, readings, where))
    return out
