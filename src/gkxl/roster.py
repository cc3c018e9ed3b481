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

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from .errors import RosterError, os_reason
from .files.textfile import decode_local

COLUMNS = {
    "code": ("单位代码", "代码", "单位编码", "编码", "单位编号", "机构代码", "code", "agency_code", "id"),
    "name": ("单位名称", "名称", "单位", "部门名称", "部门", "填报单位", "报送单位", "单位全称", "机构名称",
             "name", "agency_name", "agency"),
    "region": ("所属地区", "地区", "所属区县", "区县", "县区", "所属县区", "所属区域", "区域", "行政区划",
               "region"),
    "parent": ("上级地区", "上级", "上级区域", "所属上级", "parent", "parent_region"),
    "email": ("邮箱", "电子邮箱", "邮箱地址", "联系邮箱", "电子邮件", "邮件", "email", "e-mail", "mail"),
    "kind": ("类型", "单位类型", "kind", "type"),
    "contact": ("联系人", "联系人姓名", "填报人", "contact"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系人电话", "phone", "tel", "mobile"),
}
REQUIRED = ("code", "name")
DEPARTMENT, ROLLUP = "department", "rollup"
KIND_WORDS = {"部门": DEPARTMENT, "单位": DEPARTMENT, "department": DEPARTMENT, "": DEPARTMENT,
              "汇总": ROLLUP, "地区": ROLLUP, "地区汇总": ROLLUP, "rollup": ROLLUP, "region": ROLLUP}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
HEADER_SEARCH_ROWS = 10  # how many non-empty rows may sit above the header (title, notes)

# Any control character in a cell is refused: C0 (incl. TAB, CR, LF), DEL, C1,
# and the Unicode line/paragraph separators. They would end up in mail headers,
# file names and printed covers.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Surrounding blanks that are stripped silently: spaces of every width,
# NBSP, the ideographic space U+3000, zero-width space and a stray BOM.
_EDGE = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\ufeff"
_BLANK = _EDGE + "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_EMAIL_SPLIT_RE = re.compile(r"[;,、\s]+")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# dot-atom local part @ dotted host name whose last label is not all digits
_ADDR_RE = re.compile(rf"(?=[^@]{{1,64}}@)({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+(?=[A-Za-z0-9-]*[A-Za-z-]){_LABEL})",
                      re.ASCII)
_NUMBER_FORMAT_ZEROS = re.compile(r"^0+$")
_ROLLUP_SUFFIX = re.compile(r"(?:\(汇总\)|汇总)$")
_FILENAME_UNSAFE = set('/\\:*?"<>|')


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    region: str = ""
    parent: str = ""
    email: str = ""
    kind: str = DEPARTMENT
    contact: str = ""
    phone: str = ""

    @property
    def is_rollup(self) -> bool:
        return self.kind == ROLLUP


def normalize_code(code: str) -> str:
    """The key codes are compared by: NFKC (full-width letters/digits), no whitespace, case-folded,
    so that what a person types ("ｑｈ－０１ ") finds what the roster says ("QH-01")."""
    return "".join(unicodedata.normalize("NFKC", code or "").split()).casefold()


def is_email(addr: str) -> bool:
    """A plain addr-spec (a@b.cn): dot-atom local part, dotted host name. No display names,
    no quoting, no comments: anything else in a roster cell is a typo or an injection."""
    return bool(addr) and len(addr) <= 254 and _ADDR_RE.fullmatch(addr) is not None


def split_emails(cell: str) -> tuple[list[str], list[str]]:
    """(addresses, rejected tokens) of an email cell; separators are ; , 、 and blanks,
    full-width ones too (NFKC). Addresses keep their spelling, duplicates dropped."""
    if not cell:
        return [], []
    if cell.isascii() and is_email(cell):  # the common case: one plain address
        return [cell], []
    good: list[str] = []
    bad: list[str] = []
    seen: set[str] = set()
    for token in _EMAIL_SPLIT_RE.split(unicodedata.normalize("NFKC", cell)):
        if not token:
            continue
        if is_email(token):
            if token.lower() not in seen:
                seen.add(token.lower())
                good.append(token)
        else:
            bad.append(token)
    return good, bad


def shown(value: str, limit: int = 60) -> str:
    """A cell value quoted for a message, control characters escaped (\\r, \\n, \\x07,
    \\u2028), so an injected line cannot forge or hide a line of the report."""
    out = []
    for ch in value[:limit]:
        if _CONTROL_RE.match(ch):
            out.append({"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(ch) or
                       (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    return "“" + "".join(out) + ("…" if len(value) > limit else "") + "”"


@dataclass
class Roster:
    """The agencies of a roster, with the hierarchy indexed once (children, code and
    email look-ups), so that a national roster of 100,000 rows stays linear."""

    agencies: list[Agency]
    path: str = ""
    by_code: dict[str, Agency] = field(default_factory=dict)
    _children: dict[str, list[Agency]] = field(default_factory=dict, repr=False)
    _chains: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _order: dict[str, int] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    implicit_regions: list[str] = field(default_factory=list)
    _folded: dict[str, Agency | None] | None = field(default=None, repr=False)
    _by_email: dict[str, list[Agency]] | None = field(default=None, repr=False)

    _CHAIN_CACHE_DEPTH = 64  # deeper chains are walked on demand: caching them all is quadratic memory

    def __post_init__(self) -> None:
        self.by_code = {a.code: a for a in self.agencies}
        self._order = {a.code: i for i, a in enumerate(self.agencies)}
        for a in self.agencies:
            up = a.parent if a.is_rollup else a.region
            self._children.setdefault(up, []).append(a)

    # The folded-code and email indexes are built on first use: aggregation needs neither.
    def _folded_index(self) -> dict[str, Agency | None]:
        if self._folded is None:
            folded: dict[str, Agency | None] = {}
            for a in self.agencies:
                key = normalize_code(a.code)
                folded[key] = a if key not in folded else None  # two codes folding together: ambiguous
            self._folded = folded
        return self._folded

    def _email_index(self) -> dict[str, list[Agency]]:
        if self._by_email is None:
            index: dict[str, list[Agency]] = {}
            for a in self.agencies:
                for addr in split_emails(a.email)[0]:
                    index.setdefault(addr.lower(), []).append(a)
            self._by_email = index
        return self._by_email

    def __len__(self) -> int:
        return len(self.agencies)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def get(self, code: str) -> Agency | None:
        return self.by_code.get(code)

    def lookup(self, code: str) -> Agency | None:
        """The agency a person means by `code`: exact first, then ignoring case, blanks and
        full-width forms (a code typed in a mail subject or a file name)."""
        if not code:
            return None
        hit = self.by_code.get(code)
        return hit if hit is not None else self._folded_index().get(normalize_code(code))

    def emails_of(self, agency: Agency) -> list[str]:
        """The addresses in an agency's email cell (it may hold several)."""
        return split_emails(agency.email)[0]

    def agencies_by_email(self, addr: str) -> list[Agency]:
        """Every agency listing `addr` (case-insensitive); a county office often reports for several."""
        return list(self._email_index().get(_address_key(addr), ()))

    def by_email(self, addr: str) -> Agency | None:
        """The one agency with this address, or None when none or several share it,
        because a shared address does not tell which agency a mail is from."""
        hits = self._email_index().get(_address_key(addr), ())
        return hits[0] if len(hits) == 1 else None

    def region_chain(self, region: str) -> list[str]:
        """region, its parent, ... up to the top. Short chains are cached; a chain
        through a cycle (only possible in a Roster built by hand) stops at the repeat."""
        hit = self._chains.get(region)
        if hit is not None:
            return list(hit)
        path: list[str] = []
        seen: set[str] = set()
        tail: tuple[str, ...] = ()
        r = region
        while r and r not in seen:
            cached = self._chains.get(r)
            if cached is not None:
                tail = cached
                break
            path.append(r)
            seen.add(r)
            a = self.by_code.get(r)
            r = a.parent if a else ""
        if r in seen:  # a cycle: answer, but cache nothing (the suffixes are not chains)
            return path
        full = path + list(tail)
        for i in range(max(0, len(full) - self._CHAIN_CACHE_DEPTH), len(path)):
            self._chains[full[i]] = tuple(full[i:])
        return full

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


def _address_key(addr: str) -> str:
    """An address as the email index keys it; tolerates "名字 <a@b.cn>" as mail headers write it."""
    text = unicodedata.normalize("NFKC", addr or "").strip()
    if "<" in text:
        from email.utils import parseaddr
        text = parseaddr(text)[1]
    return text.lower()


# ---------------------------------------------------------------- reading

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
    from .form.layout import col_letter
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


def _resolve(rows: list[_Row], problems: list[str]) -> tuple[list[Agency], list[str], list[str]]:
    """Agencies with regions and parents resolved to 汇总 codes, implicit regions appended.

    A region may be written as a 汇总 row's code (any case, full-width) or its name. A
    value matching neither becomes an implicit region (a name or a code: coordinators
    write both), never silently: the note says so, and for a code-like value in a
    roster that has 汇总 rows it asks whether the code is mistyped.
    Returns (agencies, notes, implicit region codes)."""
    rollups = [r for r in rows if r.kind == ROLLUP]
    code_of: dict[str, str] = {normalize_code(r.code): r.code for r in rollups}
    by_name: dict[str, list[_Row]] = {}
    by_short: dict[str, list[_Row]] = {}  # "清河市（汇总）" is also found as "清河市", if nothing is named so
    for r in rollups:
        key = normalize_code(r.name)
        by_name.setdefault(key, []).append(r)
        short = _ROLLUP_SUFFIX.sub("", key)
        if short and short != key:
            by_short.setdefault(short, []).append(r)
    dept_row = {normalize_code(r.code): r for r in rows if r.kind != ROLLUP}
    notes: list[str] = []

    def region_ref(value: str) -> tuple[str | None, str]:
        """(code of the 汇总 row `value` names, how) or (None, reason-or-'')."""
        key = normalize_code(value)
        if key in code_of:
            return code_of[key], "code"
        named = by_name.get(key) or by_short.get(key, [])
        if len(named) == 1:
            return named[0].code, "name"
        if len(named) > 1:
            lines = "、".join(str(r.n) for r in named)
            return None, f"与多个汇总行的名称相同（第 {lines} 行），请改填地区代码"
        if key in dept_row:
            return None, f"是第 {dept_row[key].n} 行的部门，不是汇总行（地区）"
        return None, ""

    by_name_used: dict[tuple[str, str], int] = {}
    implicit: dict[str, list[_Row]] = {}
    resolved_region: dict[int, str] = {}
    resolved_parent: dict[int, str] = {}
    for r in rows:
        if r.kind == ROLLUP:
            if not r.parent:
                continue
            target, why = region_ref(r.parent)
            if target is None:
                problems.append(f"第 {r.n} 行：单位“{r.code}”的上级地区{shown(r.parent)}"
                                + (why if why else "不在名单的汇总行中"))
            else:
                resolved_parent[r.n] = target
                if why == "name":
                    by_name_used[(r.parent, target)] = by_name_used.get((r.parent, target), 0) + 1
            continue
        if not r.region:
            continue
        target, why = region_ref(r.region)
        if target is not None:
            resolved_region[r.n] = target
            if why == "name":
                by_name_used[(r.region, target)] = by_name_used.get((r.region, target), 0) + 1
        elif why:
            problems.append(f"第 {r.n} 行：单位“{r.code}”的所属地区{shown(r.region)}{why}")
        elif _FILENAME_UNSAFE & set(r.region):
            problems.append(f"第 {r.n} 行：所属地区{shown(r.region)}不在名单的汇总行中，且含有 / \\ : * ? \" < > | "
                            "等不能用作文件名的字符，请为它加一行类型为“汇总”的行并填写地区代码")
        else:
            implicit.setdefault(normalize_code(r.region), []).append(r)

    implicit_codes: list[str] = []
    for members in implicit.values():
        code = members[0].region  # first spelling wins; the others fold to it
        implicit_codes.append(code)
        for r in members:
            resolved_region[r.n] = code
        typo = "（如果是地区代码写错了，请改正名单）" if rollups and CODE_RE.match(code) else ""
        notes.append(f"所属地区“{code}”不在名单的汇总行中，已作为一个地区（{len(members)} 个单位）{typo}")
    for (written, target), count in by_name_used.items():
        notes.append(f"“{written}”是汇总行“{target}”的名称，已按地区代码“{target}”处理（{count} 处）")

    agencies = [Agency(r.code, r.name, resolved_region.get(r.n, r.region) if r.kind != ROLLUP else r.region,
                       resolved_parent.get(r.n, r.parent) if r.kind == ROLLUP else r.parent,
                       r.email, r.kind, r.contact, r.phone) for r in rows]
    agencies += [Agency(code, code, kind=ROLLUP) for code in implicit_codes]
    if rollups or implicit_codes:
        top = sum(1 for r in rows if r.kind != ROLLUP and not r.region)
        if top:
            notes.append(f"{top} 个单位没有所属地区，直接计入最上级")
    return agencies, notes, implicit_codes


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
