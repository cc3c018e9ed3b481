"""A small, fast, defensive reader of .xlsx packages.

Reads only what gkxl needs (cell values, formulas, sheet states, protection,
custom properties) straight from the zip, without building an openpyxl
workbook: sheets and shared strings by the fast scan (fastscan.py) when they
are in the canonical form every spreadsheet program writes, else with lxml
(lxmlread.py). Everything from outside is untrusted: the decompressed size of
each part and of the whole package is bounded, XML with a DOCTYPE is refused
(no entity expansion, no external fetch), and nothing in the file is ever
executed (an .xlsm's macros are never even read).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import ReadError, os_reason
from . import fastparts, fastscan, lxmlread
from .cells import RawCell, RawSheet, col_index, ref_pos  # noqa: F401  (the reader's types, imported from here)
from .zipread import Package

MAX_PART = 32 * 1024 * 1024  # one XML part, decompressed
MAX_TOTAL = 128 * 1024 * 1024  # everything we read from one package
MAX_ENTRIES = 5000
MAX_RATIO = 200  # decompressed / compressed, for parts over 1 MB
FAST_SCAN = True  # the canonical-form scan (fastscan.py); False forces lxml (tests compare the two)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


@dataclass
class RawBook:
    path: str
    sheet_names: list[str]
    states: dict[str, str]
    structure_locked: bool
    custom: dict[str, str]
    has_macros: bool
    _zip: Package = field(repr=False)
    _targets: dict[str, str] = field(repr=False)
    _shared: list[str] | None = field(default=None, repr=False)
    _sheets: dict[str, RawSheet] = field(default_factory=dict, repr=False)
    _budget: list[int] = field(default_factory=lambda: [MAX_TOTAL], repr=False)
    _sst_path: str | None = field(default=None, repr=False)
    _modified: str | None = field(default=None, repr=False)
    _raw: dict[str, bytes] = field(default_factory=dict, repr=False)  # each sheet's XML, as read
    _memo: dict = field(default_factory=dict, repr=False)  # what the reader derives once per book (styles.py)

    @property
    def modified(self) -> str:
        """dcterms:modified of docProps/core.xml ('' when absent), read on first use."""
        if self._modified is None:
            self._modified = ""
            if "docProps/core.xml" in self._zip.names:
                root = _xml(_read_part(self._zip, "docProps/core.xml", self.path, self._budget),
                            "docProps/core.xml", self.path)
                for el in root:
                    if isinstance(el.tag, str) and el.tag.endswith("}modified"):
                        self._modified = (el.text or "").strip()
        return self._modified

    def sheet(self, name: str) -> RawSheet | None:
        if name not in self._targets:
            return None
        if name not in self._sheets:
            self._sheets[name] = _parse_sheet(self, name)
        return self._sheets[name]

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = _parse_shared(self)
        return self._shared

    def sheet_xml(self, name: str) -> bytes | None:
        """The XML of a sheet (read once: kept from its scan)."""
        if name not in self._targets:
            return None
        if name not in self._raw:
            self.sheet(name)
        return self._raw.get(name)

    def close(self) -> None:
        self._zip.close()


def _fail(path: str, msg: str, code: str) -> ReadError:
    return ReadError(f"{path}：{msg}", code=code, path=path)


def sniff(data: bytes, path: str) -> None:
    """Refuse what is not an .xlsx package, with a message a clerk understands."""
    if not data:
        raise _fail(path, "文件是空的（0 字节），请重新发送", "READ_EMPTY")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if "EncryptionInfo".encode("utf-16-le") in data[:1 << 20] or b"EncryptedPackage" in data[:1 << 20] \
                or "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
            raise _fail(path, "工作簿设置了打开密码（已加密），无法读取；请取消密码后重新保存发送", "READ_ENCRYPTED")
        raise _fail(path, "这是旧版 Excel 97-2003（.xls）或 WPS（.et）格式，请用“另存为 .xlsx”后重新发送",
                    "READ_LEGACY")
    if data[:2] != b"PK":
        head = data[:512].lstrip()
        if head[:1] == b"<" and (b"html" in head.lower() or b"<table" in head.lower()):
            raise _fail(path, "这是网页（HTML）文件而不是 Excel 工作簿，请在 Excel/WPS 中另存为 .xlsx", "READ_HTML")
        if b"," in head or b"\t" in head or b";" in head:
            raise _fail(path, "这是文本（CSV）文件而不是 Excel 工作簿，请使用下发的模板填写并保存为 .xlsx",
                        "READ_CSV")
        raise _fail(path, "不是 Excel 工作簿（.xlsx），文件可能已损坏或格式不对", "READ_NOT_XLSX")


def _read_part(book_zip: Package, name: str, path: str, budget: list[int]) -> bytes:
    info = book_zip.names.get(name)
    if info is None:
        raise _fail(path, f"工作簿缺少部件 {name}，文件可能已损坏", "READ_CORRUPT") from None
    if info.file_size > MAX_PART or info.file_size > budget[0]:
        raise _fail(path, f"部件 {name} 解压后过大（{info.file_size} 字节），拒绝读取", "READ_TOO_LARGE")
    if info.compress_size and info.file_size > (1 << 20) and info.file_size / info.compress_size > MAX_RATIO:
        raise _fail(path, f"部件 {name} 压缩比异常（疑似压缩炸弹），拒绝读取", "READ_ZIP_BOMB")
    limit = min(MAX_PART, budget[0])
    try:
        data = book_zip.read(name, limit)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as e:
        raise _fail(path, f"部件 {name} 无法解压（{type(e).__name__}），文件可能已损坏或被截断",
                    "READ_CORRUPT") from None
    except Exception as e:  # zlib.error and friends
        raise _fail(path, f"部件 {name} 无法解压（{type(e).__name__}），文件可能已损坏", "READ_CORRUPT") from None
    if len(data) > limit:
        raise _fail(path, f"部件 {name} 解压后过大，拒绝读取", "READ_TOO_LARGE")
    budget[0] -= len(data)
    return data


def _xml(data: bytes, name: str, path: str) -> etree._Element:
    if b"!" in data and _DOCTYPE.search(data):
        raise _fail(path, f"部件 {name} 含有 DTD/实体声明，出于安全原因拒绝读取", "READ_UNSAFE_XML")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise _fail(path, f"部件 {name} 的 XML 格式错误（{e.msg if hasattr(e, 'msg') else e}），文件可能已损坏",
                    "READ_CORRUPT") from None


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def load_bytes(source: str | Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """(the file's bytes, the name to use in messages); a ReadError when it cannot be read."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), name or "<内存>"
    path = str(source)
    try:
        return Path(source).read_bytes(), path
    except IsADirectoryError:
        raise _fail(path, "这是一个目录，不是文件", "READ_IO") from None
    except OSError as e:
        raise _fail(path, f"无法读取文件（{os_reason(e)}）", "READ_IO") from None


def open_book(source: str | Path | bytes, name: str | None = None) -> RawBook:
    """Open an .xlsx (or .xlsm) package for reading. Raises ReadError."""
    data, path = load_bytes(source, name)
    sniff(data, path)
    try:
        zf = Package(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, IndexError,
            NotImplementedError, RuntimeError, UnicodeDecodeError):
        raise _fail(path, "文件已损坏或不完整（不是有效的 zip 包），请重新保存后发送", "READ_CORRUPT") from None
    names = zf.names
    if len(names) > MAX_ENTRIES:
        raise _fail(path, "工作簿内部文件数量异常，拒绝读取", "READ_TOO_LARGE")
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise _fail(path, "工作簿已加密，请取消打开密码后重新发送", "READ_ENCRYPTED")
    budget = [MAX_TOTAL]
    # find the workbook part through the package relationships
    wb_part = "xl/workbook.xml"
    if wb_part not in names and "_rels/.rels" in names:  # not where every writer puts it: ask the package
        rels = _xml(_read_part(zf, "_rels/.rels", path, budget), "_rels/.rels", path)
        for rel in rels:
            if rel.get("Type", "").endswith("/officeDocument"):
                wb_part = _resolve("", rel.get("Target", wb_part))
    if wb_part not in names:
        if "content.xml" in names:
            raise _fail(path, "这是 OpenDocument（.ods）文件，请另存为 .xlsx 后发送", "READ_ODS")
        if "word/document.xml" in names:
            raise _fail(path, "这是 Word 文档，不是 Excel 工作簿", "READ_NOT_XLSX")
        raise _fail(path, "不是 Excel 工作簿（缺少 workbook.xml），文件可能已损坏", "READ_CORRUPT")
    wb_dir = posixpath.dirname(wb_part)
    rels_name = posixpath.join(wb_dir, "_rels", posixpath.basename(wb_part) + ".rels")
    entries, locked = parsed_part(zf, wb_part, path, budget, _WORKBOOKS, lambda data: _workbook(data, wb_part, path))
    targets_by_id: dict[str, str] = {}
    sst_path = None
    if rels_name in names:
        targets_by_id, sst_path = parsed_part(zf, rels_name, path, budget, _RELS,
                                              lambda data: _relationships(data, wb_dir, rels_name, path))
    sheet_names: list[str] = []
    states: dict[str, str] = {}
    targets: dict[str, str] = {}
    for nm, state, rid in entries:
        sheet_names.append(nm)
        states[nm] = state
        if rid in targets_by_id and targets_by_id[rid] in names:
            targets[nm] = targets_by_id[rid]
    custom: dict[str, str] = {}
    if "docProps/custom.xml" in names:
        data = _read_part(zf, "docProps/custom.xml", path, budget)
        got = fastparts.scan_custom(data) if FAST_SCAN else None
        if got is None:
            for prop in _xml(data, "docProps/custom.xml", path):
                if len(prop):
                    custom[prop.get("name", "")] = prop[0].text or ""
        else:
            custom = got
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names if n[-3:].lower() == "bin")
    return RawBook(path, sheet_names, states, locked, custom, has_macros, zf, targets,
                   _budget=budget, _sst_path=sst_path)


# what the small parts that repeat from return to return say, by their stored bytes (zipread.Package.stored)
_WORKBOOKS: dict[tuple, tuple] = {}
_RELS: dict[tuple, tuple] = {}
_SMALL_PART = 1 << 16


def parsed_part(book_zip: Package, name: str, path: str, budget: list[int], cache: dict, parse):
    """parse(the part's bytes), remembered by the part's stored bytes: the workbook, its relationships
    and its styles are the same in every return a program saves from one template. The bounds are
    those of _read_part; what is remembered is immutable."""
    info = book_zip.names.get(name)
    key = None
    if info is not None and info.file_size <= _SMALL_PART and info.compress_size <= _SMALL_PART:
        try:
            key = book_zip.stored(name)
        except zipfile.BadZipFile:
            key = None  # _read_part says what is wrong
        if key is not None:
            hit = cache.get(key)
            if hit is not None and info.file_size <= budget[0]:
                budget[0] -= info.file_size
                return hit
    out = parse(_read_part(book_zip, name, path, budget))
    if key is not None:
        if len(cache) >= 64:  # each key at most _SMALL_PART bytes
            cache.clear()
        cache[key] = out
    return out


def _workbook(data: bytes, part: str, path: str) -> tuple[tuple, bool]:
    """((sheet name, state, relationship id) for each sheet in order, structure locked)."""
    got = fastparts.scan_workbook(data) if FAST_SCAN else None
    if got is not None:
        return got
    wb = _xml(data, part, path)
    sheets_el = wb.find(M + "sheets")
    rid_attr = "{%s}id" % NS_REL
    entries = tuple((sh.get("name", ""), sh.get("state", "visible"), sh.get(rid_attr, ""))
                    for sh in (sheets_el if sheets_el is not None else []))
    prot = wb.find(M + "workbookProtection")
    # LibreOffice writes a bare <workbookProtection/> for a protected structure;
    # Excel and WPS drop the element when protection is removed.
    locked = prot is not None and prot.get("lockStructure", "1") in ("1", "true")
    return entries, locked


def _relationships(data: bytes, wb_dir: str, part: str, path: str) -> tuple[dict[str, str], str | None]:
    """(target by relationship id, the shared strings part)."""
    targets: dict[str, str] = {}
    sst_path = None
    for rel in _xml(data, part, path):
        t = _resolve(wb_dir, rel.get("Target", ""))
        targets[rel.get("Id", "")] = t
        if rel.get("Type", "").endswith("/sharedStrings"):
            sst_path = t
    return targets, sst_path


def _parse_shared(book: RawBook) -> list[str]:
    """The book's shared strings: the fast scan, else lxml."""
    part = book._sst_path
    if not part or part not in book._zip.names:
        return []
    data = _read_part(book._zip, part, book.path, book._budget)
    out = fastscan.scan_shared(data) if FAST_SCAN else None
    if out is None:
        out = lxmlread.shared_strings(_xml(data, part, book.path))
    return out


def _ref(ref: str) -> tuple[int, int] | None:
    return ref_pos(ref)


def _scan_sheet(book: RawBook | None, data: bytes) -> tuple[dict[tuple[int, int], RawCell], bool] | None:
    """(cells, protected) by the fast scan alone, or None when the part is not in canonical form
    (what the tests compare with the lxml reading)."""
    got = fastscan.scan_sheet(data, book.shared_strings if book is not None else _no_strings)
    if got is None:
        return None
    return RawSheet("", "visible", got[2], got[0], got[1]).cells, got[2]


def _scan_shared(data: bytes) -> list[str] | None:
    return fastscan.scan_shared(data)


def clear_caches() -> None:
    """Forget every text decoded so far (the tests read each file cold)."""
    fastscan._UNESCAPED.clear()
    fastscan._SI_TEXT.clear()
    fastscan._FORMULAS.clear()
    fastscan._INLINE.clear()


def _no_strings() -> list[str]:
    return []


def _parse_sheet(book: RawBook, name: str) -> RawSheet:
    part = book._targets[name]
    raw = _read_part(book._zip, part, book.path, book._budget)
    book._raw[name] = raw
    if b"!" in raw and _DOCTYPE.search(raw):
        _xml(raw, part, book.path)  # refuses with the usual message
    state = book.states.get(name, "visible")
    fast = fastscan.scan_sheet(raw, book.shared_strings) if FAST_SCAN else None
    if fast is not None:
        return RawSheet(name, state, fast[2], fast[0], fast[1])
    root = _xml(raw, part, book.path)
    return RawSheet.of_cells(name, state, lxmlread.protected(root), lxmlread.sheet_cells(root, book.shared_strings))
