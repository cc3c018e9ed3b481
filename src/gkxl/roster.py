"""The roster: every agency expected to report, and the region hierarchy.

A roster is a CSV (UTF-8, UTF-8 with BOM or GB18030) or an .xlsx whose first
sheet has a header row. Columns (Chinese or English header, any order):

| column          | 中文表头   | required | meaning                                          |
|-----------------|-----------|----------|--------------------------------------------------|
| code            | 单位代码   | yes      | unique agency code, letters/digits/-/_            |
| name            | 单位名称   | yes      | agency name as printed on the cover               |
| region          | 所属地区   | no       | code of the region the agency belongs to          |
| parent          | 上级地区   | no       | for a region row: the region one level up         |
| email           | 邮箱       | no       | where its template is sent / returns come from    |
| kind            | 类型       | no       | 部门 (department, default) or 汇总 (a region's roll-up) |

A row of kind 汇总 stands for a region: its `code` is the region code, and
its `parent` the region above. Departments name their region in `region`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RosterError, os_reason
from .textfile import decode_local

COLUMNS = {
    "code": ("单位代码", "代码", "code", "agency_code"),
    "name": ("单位名称", "名称", "name", "agency_name"),
    "region": ("所属地区", "地区", "region"),
    "parent": ("上级地区", "parent", "parent_region"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail", "mail"),
    "kind": ("类型", "kind", "type"),
}
REQUIRED = ("code", "name")
DEPARTMENT, ROLLUP = "department", "rollup"
KIND_WORDS = {"部门": DEPARTMENT, "单位": DEPARTMENT, "department": DEPARTMENT, "": DEPARTMENT,
              "汇总": ROLLUP, "地区": ROLLUP, "地区汇总": ROLLUP, "rollup": ROLLUP, "region": ROLLUP}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    region: str = ""
    parent: str = ""
    email: str = ""
    kind: str = DEPARTMENT

    @property
    def is_rollup(self) -> bool:
        return self.kind == ROLLUP


@dataclass
class Roster:
    """The agencies of a roster, with the hierarchy indexed once (children and
    region chains), so that a national roster of 100,000 rows stays linear."""

    agencies: list[Agency]
    path: str = ""
    by_code: dict[str, Agency] = field(default_factory=dict)
    _children: dict[str, list[Agency]] = field(default_factory=dict, repr=False)
    _chains: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_code = {a.code: a for a in self.agencies}
        self._order = {a.code: i for i, a in enumerate(self.agencies)}
        for a in self.agencies:
            up = a.parent if a.is_rollup else a.region
            self._children.setdefault(up, []).append(a)

    def __len__(self) -> int:
        return len(self.agencies)

    def __iter__(self):
        return iter(self.agencies)

    def get(self, code: str) -> Agency | None:
        return self.by_code.get(code)

    def region_chain(self, region: str) -> list[str]:
        """region, its parent, ... up to the top."""
        hit = self._chains.get(region)
        if hit is None:
            chain: list[str] = []
            r = region
            while r and r not in chain:
                chain.append(r)
                a = self.by_code.get(r)
                r = a.parent if a else ""
            hit = self._chains[region] = tuple(chain)
        return list(hit)

    def regions_of(self, agency: Agency) -> list[str]:
        """Every region an agency counts in (its own code too, for a roll-up)."""
        if agency.is_rollup:
            return self.region_chain(agency.code)
        return self.region_chain(agency.region)

    def members(self, region: str | None) -> list[Agency]:
        """Departments (at any depth) under a region; all departments when None."""
        if not region:
            return [a for a in self.agencies if not a.is_rollup]
        return [a for a in self.descendants(region) if not a.is_rollup]

    def children(self, region: str) -> list[Agency]:
        """Direct members: departments whose region is `region` and sub-regions' roll-ups."""
        return list(self._children.get(region, ())) if region else []

    def descendants(self, region: str) -> list[Agency]:
        """Everything below a region at any depth (departments and sub-regions), roster order."""
        out: list[Agency] = []
        seen = {region}
        stack = [region]
        while stack:
            for a in self._children.get(stack.pop(), ()):
                out.append(a)
                if a.is_rollup and a.code not in seen:
                    seen.add(a.code)
                    stack.append(a.code)
        return sorted(out, key=lambda a: self._order[a.code])


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RosterError(f"无法读取名单文件 {path}：{os_reason(e)}", code="ROSTER_IO", path=str(path)) from None
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception:
            raise RosterError(f"名单文件 {path} 不是有效的 Excel 工作簿", code="ROSTER_FORMAT",
                              path=str(path)) from None
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    text = decode_local(raw)
    if text is None:
        raise RosterError(f"名单文件 {path} 的编码无法识别（请存为 UTF-8 或 GB18030 的 CSV）",
                          code="ROSTER_ENCODING", path=str(path))
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def load_roster(path: str | Path) -> Roster:
    """Read and validate a roster; every problem is a RosterError in Chinese."""
    p = Path(path)
    rows = [r for r in _read_rows(p) if any(c for c in r)]
    if not rows:
        raise RosterError(f"名单文件 {p} 是空的", code="ROSTER_EMPTY", path=str(p))
    header = [h.strip().lower() for h in rows[0]]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in [n.lower() for n in names]:
                index[key] = i
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        raise RosterError(f"名单文件 {p} 缺少必需的列：{'、'.join(missing)}（表头应包含 单位代码、单位名称）",
                          code="ROSTER_COLUMNS", path=str(p))
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        def get(k: str) -> str:
            i = index.get(k)
            return row[i].strip() if i is not None and i < len(row) else ""
        code, name = get("code"), get("name")
        if not code or not name:
            problems.append(f"第 {n} 行：单位代码和单位名称不能为空")
            continue
        if not CODE_RE.match(code):
            problems.append(f"第 {n} 行：单位代码“{code}”只能包含字母、数字、-、_、.")
            continue
        if code in seen:
            problems.append(f"第 {n} 行：单位代码“{code}”与第 {seen[code]} 行重复")
            continue
        kind_word = get("kind").lower()
        if kind_word not in KIND_WORDS:
            problems.append(f"第 {n} 行：类型“{get('kind')}”应为“部门”或“汇总”")
            continue
        seen[code] = n
        agencies.append(Agency(code, name, get("region"), get("parent"), get("email"), KIND_WORDS[kind_word]))
    roster = Roster(agencies, str(p))
    regions = {a.code for a in agencies if a.is_rollup}
    for a in agencies:
        if a.is_rollup and a.parent and a.parent not in regions:
            problems.append(f"单位“{a.code}”的上级地区“{a.parent}”不在名单的汇总行中")
        if not a.is_rollup and a.region and regions and a.region not in regions:
            problems.append(f"单位“{a.code}”的所属地区“{a.region}”不在名单的汇总行中")
    for a in agencies:
        if a.is_rollup:
            seen_chain: list[str] = []
            r = a.code
            while r:
                if r in seen_chain:
                    problems.append(f"地区层级出现循环：{' → '.join(seen_chain + [r])}")
                    break
                seen_chain.append(r)
                parent = roster.by_code.get(r)
                r = parent.parent if parent else ""
    if problems:
        head = f"名单文件 {p} 有 {len(problems)} 处问题："
        raise RosterError(head + "\n  " + "\n  ".join(problems[:50]), code="ROSTER_INVALID", path=str(p))
    return roster
