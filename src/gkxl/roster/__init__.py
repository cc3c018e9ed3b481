"""The roster: every agency expected to report, and the region hierarchy.

A roster is a CSV (UTF-8, UTF-8 with BOM or GB18030) or an .xlsx whose first
sheet with a header row is used. The header need not be the first row: a
coordinator's title ("2025年政府信息公开年报报送名单", often merged) and blank
rows above it are skipped; the header is the first of the first 10 non-empty
rows that has both a code and a name column. Columns (any order; the usual
Chinese headers coordinators write are accepted, see COLUMNS):

| column  | 中文表头             | required | meaning                                                |
|---------|---------------------|----------|--------------------------------------------------------|
| code    | 单位代码             | yes      | unique agency code, letters/digits/-/_/.               |
| name    | 单位名称 / 填报单位   | yes      | agency name as printed on the cover                    |
| region  | 所属地区 / 区县       | no       | code (or name) of the region the agency belongs to     |
| parent  | 上级地区             | no       | for a region row: the region one level up              |
| email   | 邮箱                 | no       | one or more addresses, separated by ; , 、 or spaces    |
| kind    | 类型                 | no       | 部门 (department, default) or 汇总 (a region's roll-up) |
| contact | 联系人               | no       | the person who fills the form in                       |
| phone   | 联系电话 / 手机       | no       | their phone                                            |

A row of kind 汇总 stands for a region: its `code` is the region code, and
its `parent` the region above. Departments name their region in `region`,
by the 汇总 row's code or by its name. A region named only in `region`
(no 汇总 row for it) becomes an implicit region, recorded in `Roster.notes`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import RosterError
from .model import *  # noqa: F401,F403 - the roster's names: Agency, Roster, CODE_RE, ROLLUP ...
from .model import COLUMNS, HEADER_SEARCH_ROWS, REQUIRED, Roster
from .sheet import _column_index, _find_header, _is_blank, _parse_rows, _read_sheets
from .regions import _cycles, _resolve


def load_roster(path: str | Path) -> Roster:
    """Read and validate a roster; every problem is a RosterError in Chinese naming file and row."""
    p = Path(path)
    found = None
    first_table: list[list[str]] | None = None  # the first non-empty sheet, for the missing-column message
    rows: list[list[str]] = []
    for rows in _read_sheets(p):
        if first_table is None and not all(_is_blank(r) for r in rows):
            first_table = rows
        found = _find_header(rows)
        if found is not None:
            break
    if found is None:
        if first_table is None:
            raise RosterError(f"名单文件 {p} 是空的", code="ROSTER_EMPTY", path=str(p))
        have = _column_index(next(r for r in first_table if not _is_blank(r)))
        missing = [COLUMNS[k][0] for k in REQUIRED if k not in have]
        raise RosterError(f"名单文件 {p} 缺少必需的列：{'、'.join(missing)}（表头应包含 单位代码、单位名称；"
                          f"已查看前 {HEADER_SEARCH_ROWS} 个非空行）", code="ROSTER_COLUMNS", path=str(p))
    h, index = found
    header = rows[h]
    problems: list[str] = []
    parsed, nonblank = _parse_rows(rows, h + 1, index, header, problems)
    if nonblank == 0:
        raise RosterError(f"名单中没有任何单位：名单文件 {p} 的表头（第 {h + 1} 行）下面没有单位行",
                          code="ROSTER_EMPTY", path=str(p))
    agencies, notes, implicit = _resolve(parsed, problems)
    for cycle in _cycles(agencies):
        problems.append(f"地区层级出现循环：{' → '.join(cycle)}")
    if problems:
        head = f"名单文件 {p} 有 {len(problems)} 处问题："
        more = f"\n  ……另有 {len(problems) - 50} 处未列出" if len(problems) > 50 else ""
        raise RosterError(head + "\n  " + "\n  ".join(problems[:50]) + more, code="ROSTER_INVALID", path=str(p))
    return Roster(agencies, str(p), notes=notes, implicit_regions=implicit)
