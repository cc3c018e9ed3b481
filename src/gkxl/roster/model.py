"""An agency, a roster and the hierarchy of regions; codes and addresses as a roster writes them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterator


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
