"""Regions: names and codes resolved to 汇总 rows, implicit regions, and cycles found in linear time."""

from __future__ import annotations


from .model import CODE_RE, ROLLUP, _FILENAME_UNSAFE, _ROLLUP_SUFFIX, Agency, normalize_code, shown
from .sheet import _Row


class _RegionNames:
    """The 汇总 rows by code, by name and by short name ("清河市（汇总）" is also found as "清河市",
    if nothing is named so), to read what a coordinator wrote in 所属地区 or 上级地区."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rollups = [r for r in rows if r.kind == ROLLUP]
        self.code_of: dict[str, str] = {normalize_code(r.code): r.code for r in self.rollups}
        self.by_name: dict[str, list[_Row]] = {}
        self.by_short: dict[str, list[_Row]] = {}
        for r in self.rollups:
            key = normalize_code(r.name)
            self.by_name.setdefault(key, []).append(r)
            short = _ROLLUP_SUFFIX.sub("", key)
            if short and short != key:
                self.by_short.setdefault(short, []).append(r)
        self.dept_row = {normalize_code(r.code): r for r in rows if r.kind != ROLLUP}
        self.by_name_used: dict[tuple[str, str], int] = {}

    def ref(self, value: str) -> tuple[str | None, str]:
        """(code of the 汇总 row `value` names, how) or (None, reason-or-'')."""
        key = normalize_code(value)
        if key in self.code_of:
            return self.code_of[key], "code"
        named = self.by_name.get(key) or self.by_short.get(key, [])
        if len(named) == 1:
            self.by_name_used[(value, named[0].code)] = self.by_name_used.get((value, named[0].code), 0) + 1
            return named[0].code, "name"
        if len(named) > 1:
            lines = "、".join(str(r.n) for r in named)
            return None, f"与多个汇总行的名称相同（第 {lines} 行），请改填地区代码"
        if key in self.dept_row:
            return None, f"是第 {self.dept_row[key].n} 行的部门，不是汇总行（地区）"
        return None, ""


def _resolve(rows: list[_Row], problems: list[str]) -> tuple[list[Agency], list[str], list[str]]:
    """Agencies with regions and parents resolved to 汇总 codes, implicit regions appended.

    A region may be written as a 汇总 row's code (any case, full-width) or its name. A
    value matching neither becomes an implicit region (a name or a code: coordinators
    write both), never silently: the note says so, and for a code-like value in a
    roster that has 汇总 rows it asks whether the code is mistyped.
    Returns (agencies, notes, implicit region codes)."""
    names = _RegionNames(rows)
    implicit: dict[str, list[_Row]] = {}
    resolved_region: dict[int, str] = {}
    resolved_parent: dict[int, str] = {}
    for r in rows:
        if r.kind == ROLLUP:
            if not r.parent:
                continue
            target, why = names.ref(r.parent)
            if target is None:
                problems.append(f"第 {r.n} 行：单位“{r.code}”的上级地区{shown(r.parent)}"
                                + (why if why else "不在名单的汇总行中"))
            else:
                resolved_parent[r.n] = target
            continue
        if not r.region:
            continue
        target, why = names.ref(r.region)
        if target is not None:
            resolved_region[r.n] = target
        elif why:
            problems.append(f"第 {r.n} 行：单位“{r.code}”的所属地区{shown(r.region)}{why}")
        elif _FILENAME_UNSAFE & set(r.region):
            problems.append(f"第 {r.n} 行：所属地区{shown(r.region)}不在名单的汇总行中，且含有 / \\ : * ? \" < > | "
                            "等不能用作文件名的字符，请为它加一行类型为“汇总”的行并填写地区代码")
        else:
            implicit.setdefault(normalize_code(r.region), []).append(r)
    implicit_codes, notes = _implicit_regions(implicit, resolved_region, bool(names.rollups))
    for (written, target), count in names.by_name_used.items():
        notes.append(f"“{written}”是汇总行“{target}”的名称，已按地区代码“{target}”处理（{count} 处）")

    agencies = [Agency(r.code, r.name, resolved_region.get(r.n, r.region) if r.kind != ROLLUP else r.region,
                       resolved_parent.get(r.n, r.parent) if r.kind == ROLLUP else r.parent,
                       r.email, r.kind, r.contact, r.phone) for r in rows]
    agencies += [Agency(code, code, kind=ROLLUP) for code in implicit_codes]
    if names.rollups or implicit_codes:
        top = sum(1 for r in rows if r.kind != ROLLUP and not r.region)
        if top:
            notes.append(f"{top} 个单位没有所属地区，直接计入最上级")
    return agencies, notes, implicit_codes


def _implicit_regions(implicit: dict[str, list[_Row]], resolved_region: dict[int, str],
                      has_rollups: bool) -> tuple[list[str], list[str]]:
    """Regions named only in 所属地区: the first spelling wins and the others fold to it; each said in a note."""
    codes: list[str] = []
    notes: list[str] = []
    for members in implicit.values():
        code = members[0].region
        codes.append(code)
        for r in members:
            resolved_region[r.n] = code
        typo = "（如果是地区代码写错了，请改正名单）" if has_rollups and CODE_RE.match(code) else ""
        notes.append(f"所属地区“{code}”不在名单的汇总行中，已作为一个地区（{len(members)} 个单位）{typo}")
    return codes, notes


def _cycles(agencies: list[Agency]) -> list[list[str]]:
    """Every cycle of the parent links among roll-ups, each once, in O(n):
    a node is walked at most once (white/grey/black colouring)."""
    parent = {a.code: a.parent for a in agencies if a.is_rollup}
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    found: list[list[str]] = []
    for start in parent:
        if state.get(start):
            continue
        path: list[str] = []
        pos: dict[str, int] = {}
        r = start
        while r in parent and not state.get(r):
            state[r] = 1
            pos[r] = len(path)
            path.append(r)
            r = parent[r]
        if state.get(r) == 1 and r in pos:
            found.append(path[pos[r]:] + [r])
        for x in path:
            state[x] = 2
    return found
