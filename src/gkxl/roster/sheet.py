"""Rows of a roster file as coordinators write them: CSV in any local encoding or an xlsx, a title above the header."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from ..errors import RosterError, os_reason
from ..files.textfile import decode_local
from .model import CODE_RE, COLUMNS, HEADER_SEARCH_ROWS, KIND_WORDS, REQUIRED, _BLANK, _CONTROL_RE, _EDGE, _NUMBER_FORMAT_ZEROS, shown, split_emails


def _cell_text(value: object, number_format: str | None = None) -> str:
    """A spreadsheet value as the text a person sees: 101 not 101.0, a code formatted
    "000" keeps its leading zeros, a date as 2026-01-31."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if number_format and _NUMBER_FORMAT_ZEROS.match(number_format) and value >= 0:
            text = text.zfill(len(number_format))
        return text
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_sheets(raw: bytes, path: Path) -> Iterator[list[list[str]]]:
    """The rows of each sheet in order (read-only, so a 100,000-row roster stays cheap)."""
    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise RosterError(f"名单文件 {path} 不是有效的 Excel 工作簿", code="ROSTER_FORMAT",
                          path=str(path)) from None
    try:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers declare A1 only, others a million columns
            rows: list[list[str]] = []
            for row in ws.iter_rows():
                cells = []
                for c in row:
                    v = getattr(c, "value", None)
                    # the number format only matters for numbers (a code "001" kept as 1 with format 000)
                    fmt = getattr(c, "number_format", None) if type(v) in (int, float) else None
                    cells.append(_cell_text(v, fmt))
                rows.append(cells)
            yield rows
    finally:
        wb.close()


def _read_sheets(path: Path) -> Iterator[list[list[str]]]:
    """Each candidate table in the file: the sheets of a workbook, or the one table of a CSV."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RosterError(f"无法读取名单文件 {path}：{os_reason(e)}", code="ROSTER_IO", path=str(path)) from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_sheets(raw, path)
        return
    text = decode_local(raw)
    if text is None:
        raise RosterError(f"名单文件 {path} 的编码无法识别（请存为 UTF-8 或 GB18030 的 CSV）",
                          code="ROSTER_ENCODING", path=str(path))
    yield list(csv.reader(io.StringIO(text)))


def _header_key(text: str) -> str:
    """A header cell as matched against COLUMNS: NFKC, no blanks (a wrapped "单位\\n代码"
    header is still the code column), lower case, without a required-marker "*"
    or a trailing note in brackets ("邮箱（多个用分号隔开）")."""
    t = "".join(unicodedata.normalize("NFKC", text).split()).lower().strip("*")
    t = re.sub(r"[(\[【].*$", "", t)
    return t.strip("*:：")


_ALIASES = {key: [_header_key(n) for n in names] for key, names in COLUMNS.items()}


def _column_index(row: list[str]) -> dict[str, int]:
    """Column of each known field in a header row; an earlier alias wins over a later one."""
    keys = [_header_key(c) for c in row]
    index: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in keys:
                index[key] = keys.index(alias)
                break
    return index


def _is_blank(row: list[str]) -> bool:
    """Nothing but blanks (a row of stray tabs too: it carries no data to refuse)."""
    return not "".join(row).strip(_BLANK)


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """(row index, columns) of the header: the first of the first 10 non-empty rows
    with both a code and a name column."""
    seen = 0
    for i, row in enumerate(rows):
        if _is_blank(row):
            continue
        index = _column_index(row)
        if all(k in index for k in REQUIRED):
            return i, index
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    return None


def _col_letter(i: int) -> str:
    from ..form.layout import col_letter
    return col_letter(i)


@dataclass
class _Row:
    n: int  # row number in the file, as Excel shows it
    code: str
    name: str
    region: str
    parent: str
    email: str
    kind: str
    contact: str
    phone: str


def _parse_rows(rows: list[list[str]], start: int, index: dict[str, int], header: list[str],
                problems: list[str]) -> tuple[list[_Row], int]:
    """Validated rows below the header, plus the number of non-empty rows seen.
    Per-row problems (control characters, bad codes, duplicates, bad addresses) go to `problems`."""
    out: list[_Row] = []
    cols = [index.get(k, -1) for k in ("code", "name", "region", "parent", "email", "kind", "contact", "phone")]
    seen: dict[str, int] = {}
    folded: dict[str, tuple[int, str]] = {}
    nonblank = 0
    for n, row in enumerate(rows[start:], start=start + 1):
        if _is_blank(row):
            continue
        nonblank += 1
        cells = [c.strip(_EDGE) for c in row]
        if _CONTROL_RE.search("".join(cells)):  # one scan per row; cells only when there is a hit
            for j, c in enumerate(cells):
                if _CONTROL_RE.search(c):
                    col = header[j].strip(_EDGE) if j < len(header) and header[j].strip() else ""
                    col_name = f"{_col_letter(j)} 列" + (f"（{shown(col, 20)[1:-1]}）" if col else "")
                    problems.append(f"第 {n} 行 {col_name}：含有换行、制表符等控制字符，值为 {shown(c)}，"
                                    "请删去这些字符")
            continue

        width = len(cells)
        code, name, region, parent, email_cell, kind_raw, contact, phone = (
            cells[i] if 0 <= i < width else "" for i in cols)
        if not code.isascii():
            code = unicodedata.normalize("NFKC", code).strip()
        if not code or not name:
            problems.append(f"第 {n} 行：单位代码和单位名称不能为空")
            continue
        if not CODE_RE.match(code):
            problems.append(f"第 {n} 行：单位代码{shown(code)}只能包含字母、数字、-、_、.（且以字母或数字开头）")
            continue
        if code in seen:
            problems.append(f"第 {n} 行：单位代码“{code}”与第 {seen[code]} 行重复")
            continue
        key = code.casefold()
        if key in folded:
            m, other = folded[key]
            problems.append(f"第 {n} 行：单位代码“{code}”与第 {m} 行仅大小写不同（“{other}”），"
                            "代码不区分大小写，请改成不同的代码")
            continue
        kind_word = unicodedata.normalize("NFKC", kind_raw).strip().lower()
        if kind_word not in KIND_WORDS:
            problems.append(f"第 {n} 行：类型{shown(kind_raw)}应为“部门”或“汇总”")
            continue
        addrs, rejected = split_emails(email_cell)
        if rejected:
            problems.append(f"第 {n} 行：邮箱 {shown(email_cell)} 中的 {shown(rejected[0])} 不是有效的邮箱地址"
                            "（应形如 name@example.gov.cn，多个地址用分号隔开）")
            continue
        seen[code] = n
        folded[key] = (n, code)
        out.append(_Row(n, code, name, region, parent, "; ".join(addrs), KIND_WORDS[kind_word], contact, phone))
    return out, nonblank
