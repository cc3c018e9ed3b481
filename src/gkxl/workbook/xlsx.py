"""A small, fast, defensive reader of .xlsx packages.

Reads only what gkxl needs (cell values, formulas, sheet states, protection,
custom properties) straight from the zip with lxml, without building an
openpyxl workbook. Everything from outside is untrusted: the decompressed
size of each part and of the whole package is bounded, XML with a DOCTYPE is
refused (no entity expansion, no external fetch), and nothing in the file is
ever executed (an .xlsm's macros are never even read).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import ReadError, os_reason
from .zipread import Package

MAX_PART = 32 * 1024 * 1024  # one XML part, decompressed
MAX_TOTAL = 128 * 1024 * 1024  # everything we read from one package
MAX_ENTRIES = 5000
MAX_RATIO = 200  # decompressed / compressed, for parts over 1 MB
FAST_SCAN = True  # the canonical-form sheet scanner below; False forces lxml (tests compare the two)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
M = "{%s}" % NS_MAIN

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


class RawCell:
    """One cell: value (str, float, bool or None); type 'n' number, 's' string,
    'b' bool, 'e' error, '' blank; formula: text of <f> ('' for a shared-formula
    child), kept as checked escaped ASCII until asked for -- few are ever read."""

    __slots__ = ("value", "type", "_formula", "has_formula")

    def __init__(self, value: object, type: str, formula: str | bytes | None = None,
                 has_formula: bool = False) -> None:
        self.value = value
        self.type = type
        self._formula = formula
        self.has_formula = has_formula

    @property
    def formula(self) -> str | None:
        f = self._formula
        if f.__class__ is bytes:  # escaped ASCII with only the five named entities (checked by the scan)
            f = self._formula = _unescape_named(f.decode("ascii"))  # type: ignore[union-attr]
        return f  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawCell):
            return NotImplemented
        return (self.value, self.type, self.formula, self.has_formula) == (
            other.value, other.type, other.formula, other.has_formula)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RawCell({self.value!r}, {self.type!r}, {self.formula!r}, {self.has_formula!r})"


@dataclass
class RawSheet:
    name: str
    state: str  # visible | hidden | veryHidden
    protected: bool
    cells: dict[tuple[int, int], RawCell]

    def get(self, row: int, col: int) -> RawCell | None:
        return self.cells.get((row, col))

    def text(self, row: int, col: int) -> str:
        c = self.cells.get((row, col))
        if c is None or c.value is None:
            return ""
        if isinstance(c.value, float):
            return str(int(c.value)) if c.value == int(c.value) else str(c.value)
        return str(c.value)


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

    def close(self) -> None:
        self._zip.close()


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


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
    wb = _xml(_read_part(zf, wb_part, path, budget), wb_part, path)
    rels_name = posixpath.join(wb_dir, "_rels", posixpath.basename(wb_part) + ".rels")
    targets_by_id: dict[str, str] = {}
    sst_path = None
    if rels_name in names:
        for rel in _xml(_read_part(zf, rels_name, path, budget), rels_name, path):
            t = _resolve(wb_dir, rel.get("Target", ""))
            targets_by_id[rel.get("Id", "")] = t
            if rel.get("Type", "").endswith("/sharedStrings"):
                sst_path = t
    sheet_names: list[str] = []
    states: dict[str, str] = {}
    targets: dict[str, str] = {}
    sheets_el = wb.find(M + "sheets")
    for sh in (sheets_el if sheets_el is not None else []):
        nm = sh.get("name", "")
        rid = sh.get("{%s}id" % NS_REL, "")
        sheet_names.append(nm)
        states[nm] = sh.get("state", "visible")
        if rid in targets_by_id and targets_by_id[rid] in names:
            targets[nm] = targets_by_id[rid]
    prot = wb.find(M + "workbookProtection")
    # LibreOffice writes a bare <workbookProtection/> for a protected structure;
    # Excel and WPS drop the element when protection is removed.
    locked = prot is not None and prot.get("lockStructure", "1") in ("1", "true")
    custom: dict[str, str] = {}
    if "docProps/custom.xml" in names:
        root = _xml(_read_part(zf, "docProps/custom.xml", path, budget), "docProps/custom.xml", path)
        for prop in root:
            if len(prop):
                custom[prop.get("name", "")] = (prop[0].text or "")
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return RawBook(path, sheet_names, states, locked, custom, has_macros, zf, targets,
                   _budget=budget, _sst_path=sst_path)


def _text_of(si: etree._Element) -> str:
    """Text of a shared string or inline string, without phonetic runs."""
    parts = []
    for el in si.iter(M + "t", M + "rPh"):
        if el.tag == M + "rPh":
            continue
        parent = el.getparent()
        if parent is not None and parent.tag == M + "rPh":
            continue
        parts.append(el.text or "")
    return "".join(parts)


_SST_CACHE: dict[bytes, list[str]] = {}


def _parse_shared(book: RawBook) -> list[str]:
    """Shared strings; returns of one form share their labels, so the parsed
    table is cached by a cryptographic hash of the part's bytes."""
    part = book._sst_path
    if not part or part not in book._zip.names:
        return []
    data = _read_part(book._zip, part, book.path, book._budget)
    key = hashlib.blake2b(data, digest_size=20).digest()
    hit = _SST_CACHE.get(key)
    if hit is not None:
        return hit
    out = _scan_shared(data) if FAST_SCAN else None
    if out is None:
        root = _xml(data, part, book.path)
        out = []
        for si in root:
            if si.tag != _SI:
                continue
            if len(si) == 1 and si[0].tag == _T:  # plain text: the usual case
                out.append(si[0].text or "")
            else:
                out.append(_text_of(si))
    if len(_SST_CACHE) > 256:
        _SST_CACHE.clear()
    _SST_CACHE[key] = out
    return out


_REF_CACHE: dict[str, tuple[int, int] | None] = {}
_ROW, _C, _F, _V, _IS = M + "row", M + "c", M + "f", M + "v", M + "is"
_SI, _T = M + "si", M + "t"


def _ref(ref: str) -> tuple[int, int] | None:
    hit = _REF_CACHE.get(ref)
    if hit is None and ref not in _REF_CACHE:
        m = _CELL_REF.match(ref)
        hit = (int(m.group(2)) - 1, col_index(m.group(1))) if m else None
        if len(_REF_CACHE) < 200_000:
            _REF_CACHE[ref] = hit
    return hit


_CONTENT_CELLS = etree.XPath("m:sheetData/m:row/m:c[*]", namespaces={"m": NS_MAIN})


# ---------------------------------------------------------------- fast scan
# Sheets as Excel, WPS, LibreOffice, openpyxl and xlsxwriter write them have one
# canonical shape: default namespace, every <c> with an r="" reference, a <v>
# and maybe an <f>, or openpyxl's plain inline string. Those are scanned with a
# few linear regular expressions (no tree is built). Anything else -- a prefix,
# a comment, CDATA, rich inline text, an unknown entity, an encoding other than
# UTF-8, a cell without a reference, a start tag with no end -- returns None and
# the sheet goes through lxml as before. Nothing is ever expanded except XML's
# five predefined entities and character references.

_FAST_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<worksheet\s[^>]*xmlns="'
                        + re.escape(NS_MAIN.encode()) + rb'"')
_FAST_DECL_ENC = re.compile(rb'^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding="(?!utf-8")', re.I)
# attributes in the order every writer we know uses (r, s, t, then the rare cm/vm/ph);
# a cell in any other shape is not counted and so sends the sheet to lxml
_FAST_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?'
                        rb'(?: (?:cm|vm|ph)="[0-9]+")*>(?:(?:<v>([^<]*)</v>)?</c>'
                        rb'|<f>([^<]+)</f>(?:<v>([^<]+)</v>)?</c>|(.*?)</c>)', re.S)
# in a plain formula, any "&" must start one of the five named entities (then it can be unescaped later, lazily)
_FAST_BAD_AMP = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)")
_FAST_OPEN_END = re.compile(rb'<c\s[^>]*(?<!/)>')
_FAST_ATTR = re.compile(rb'([A-Za-z:]+)="([^"]*)"')
_FAST_CHILD = re.compile(rb'<(v|f)(\s[^>]*?)?(?:/>|>([^<]*)</\1>)')
_FAST_SST_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<sst\s[^>]*xmlns="'
                            + re.escape(NS_MAIN.encode()) + rb'"')
_FAST_SI = re.compile(rb'<si>(.*?)</si>', re.S)
_FAST_SI_PLAIN = re.compile(rb'<si><t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)</si>')
_FAST_T = re.compile(rb'<t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)')
_FAST_INLINE = re.compile(rb'<is><t(?: xml:space="preserve")?>([^<]*)</t></is>$')
_FAST_PROT = re.compile(rb'<sheetProtection\b([^>]*)>')
_FAST_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


_REF_BYTES: dict[bytes, tuple[int, int]] = {}


class _NotCanonical(Exception):
    pass


def _unescape_named(text: str) -> str:
    """XML's five named entities, and nothing else (&amp; last, so "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&apos;", "'").replace("&amp;", "&")


_UNESCAPED: dict[bytes, str] = {}  # character references decoded once: a form's labels repeat in every return


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")  # UnicodeDecodeError: not canonical
    if b"&" not in raw:
        return text
    if b"&#" not in raw and b"&" not in raw.replace(b"&lt;", b"").replace(b"&gt;", b"").replace(
            b"&amp;", b"").replace(b"&quot;", b"").replace(b"&apos;", b""):
        return _unescape_named(text)
    hit = _UNESCAPED.get(raw)
    if hit is not None:
        return hit
    out = _unescape_refs(text)
    if len(raw) <= 4096 and len(_UNESCAPED) < 65536:
        _UNESCAPED[raw] = out
    return out


def _unescape_refs(text: str) -> str:
    """Named entities and character references (openpyxl writes every CJK character as &#NNNNN;)."""

    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "#":
            n = int(e[2:], 16) if e[1] in "xX" else int(e[1:])
            if not (0 < n < 0x110000):
                raise _NotCanonical
            return chr(n)
        return _ENTITIES[e]
    out = _FAST_ENTITY.sub(one, text)
    if "&" in _FAST_ENTITY.sub("", text):
        raise _NotCanonical  # an entity we do not expand: let the XML parser refuse it
    return out


def _ref_bytes(ref: bytes) -> tuple[int, int] | None:
    pos = _ref(ref.decode("ascii"))
    if pos is not None and len(_REF_BYTES) < 200_000:
        _REF_BYTES[ref] = pos
    return pos


def _typed(t: bytes, v: bytes | None) -> tuple[object, str]:
    """(value, type) of a cell of type t other than a shared string; raises
    _NotCanonical for a type the scan does not know (inlineStr without <is>...)."""
    if t in (b"str", b"e"):
        return (_unescape(v) if v is not None else None), ("s" if t == b"str" else "e")
    if t == b"b":
        return v in (b"1", b"true"), "b"
    if t == b"n":
        if v:
            try:
                return float(v), "n"
            except ValueError:
                return _unescape(v), "s"
        return None, ""
    raise _NotCanonical


def _cell_of(t: bytes, v: bytes | None, f: str | bytes | None, has_f: bool, shared) -> RawCell | None:
    """A cell with a formula or other children, from its parts (v None: no cached value);
    None when it holds nothing."""
    value: object = None
    if t == b"s":
        if v is not None:
            try:
                value = shared[int(v)]
            except (ValueError, IndexError, TypeError):
                pass
        typ = "s"
    else:
        value, typ = _typed(t or b"n", v)  # no t: a number, as t="n"
    if value is None and not has_f:
        return None
    return RawCell(value, typ, f, has_f)


def _scan_sheet(book: RawBook, data: bytes) -> tuple[dict[tuple[int, int], RawCell], bool] | None:
    """(cells, protected) by the fast scan, or None when the part is not in canonical form."""
    if not _FAST_HEAD.match(data) or _FAST_DECL_ENC.match(data):
        return None
    start = data.find(b"<sheetData")
    if start < 0:
        return None
    end = data.find(b"</sheetData>", start)
    if end < 0:
        tail = data.find(b"/>", start)
        if tail < 0 or data.find(b"<c", start) >= 0:
            return None
        end = start
    body = data[start:end]
    if (b"!" in body and b"<!" in body) or (b"?" in body and b"<?" in body):  # memchr first: cheap
        return None
    last = body.rfind(b"</c>")
    if _FAST_OPEN_END.search(body, max(last, 0)):
        return None  # a <c> start tag with no end after it: not well-formed
    found = _FAST_CELL.findall(body)  # cells with content; empty ones are <c .../>
    if len(found) != body.count(b"</c>") or b"<c>" in body:
        return None  # some cell is in another shape
    cells: dict[tuple[int, int], RawCell] = {}
    shared = book.shared_strings() if b't="s"' in body else None
    ref_get = _REF_BYTES.get
    try:
        for ref, t, v, fb, fv, inner in found:
            if fb:  # <f>formula</f><v>value</v>: a total, a status line
                pos = ref_get(ref) or _ref_bytes(ref)
                if pos is None:
                    continue
                if fb.isascii() and b"&#" not in fb and (b"&" not in fb or not _FAST_BAD_AMP.search(fb)):
                    f = fb if b"&" in fb else fb.decode("ascii")
                else:
                    f = _unescape(fb)
                cells[pos] = _cell_of(t, fv or None, f, True, shared)  # type: ignore[assignment]
                continue
            if not inner:
                if not v:
                    continue  # a styled empty cell
                pos = ref_get(ref) or _ref_bytes(ref)
                if pos is None:
                    continue
                if t == b"s":  # labels: the most common cell
                    try:
                        cells[pos] = RawCell(shared[int(v)], "s")  # type: ignore[index]
                    except (ValueError, IndexError, TypeError):
                        pass  # no such string: an empty cell, as lxml's reading gives
                    continue
                if not t:  # numbers
                    try:
                        cells[pos] = RawCell(float(v), "n")
                    except ValueError:
                        cells[pos] = RawCell(_unescape(v), "s")
                    continue
                value, typ = _typed(t, v)
                if value is not None:
                    cells[pos] = RawCell(value, typ)
                continue
            # a cell with children other than a plain <v>: formulas, inline strings
            pos = ref_get(ref) or _ref_bytes(ref)
            if pos is None:
                continue
            if b"<c" in inner:
                return None  # a cell inside a cell: not well-formed
            if t == b"inlineStr":  # openpyxl writes every string this way
                im = _FAST_INLINE.match(inner)
                if im is None:
                    return None  # rich text or phonetic runs: lxml knows them
                cells[pos] = RawCell(_unescape(im.group(1)), "s")
                continue
            v = None
            f = None
            has_f = False
            for cm in _FAST_CHILD.finditer(inner):
                if cm.group(1) == b"v":
                    v = cm.group(3) or None  # <v></v> is no value, as lxml reads it
                else:
                    has_f = True
                    f = _unescape(cm.group(3)) if cm.group(3) is not None else ""
            cell = _cell_of(t, v, f, has_f, shared)
            if cell is not None:
                cells[pos] = cell
    except (_NotCanonical, UnicodeDecodeError, KeyError):
        return None
    pm = _FAST_PROT.search(data, end)
    protected = False
    if pm is not None:
        sheet_attr = dict(_FAST_ATTR.findall(pm.group(1))).get(b"sheet", b"0")
        protected = sheet_attr in (b"1", b"true")
    return cells, protected


_FAST_PHONETIC = re.compile(rb'<rPh(?: [^>]*)?>(?:(?!</rPh>).)*</rPh>|<phoneticPr(?: [^>]*)?/>', re.S)


def _scan_shared(data: bytes) -> list[str] | None:
    """Shared strings in canonical form -- plain <si><t> items, or runs of <r><rPr/><t>
    as LibreOffice writes them; phonetic guides (<rPh>, <phoneticPr/>, as Chinese- and
    Japanese-locale Excel writes them) are not part of the text and are dropped first --
    or None for lxml (comments, another encoding or namespace)."""
    if not _FAST_SST_HEAD.match(data) or _FAST_DECL_ENC.match(data) or (b"!" in data and b"<!" in data) or data.count(b"<?") > 1:
        return None
    if b"<rPh" in data or b"<phoneticPr" in data:
        data = _FAST_PHONETIC.sub(b"", data)
    n_si = data.count(b"<si")
    if b"<si " in data or b"<si/>" in data:
        return None
    try:
        plain = _FAST_SI_PLAIN.findall(data)
        if len(plain) == n_si:  # xlsxwriter, Excel: no runs at all
            if b"\x00" in data:
                return None  # not allowed in XML; the separator below must be free
            return _unescape(b"\x00".join(plain)).split("\x00") if plain else []  # one decode for all
        found = _FAST_SI.findall(data)
        if len(found) != n_si:
            return None
        out = []
        for inner in found:
            m = _FAST_T.fullmatch(inner)
            if m is not None:
                out.append(_unescape(m.group(1) or b""))
                continue
            if b"<rPh" in inner:
                return None
            runs = _FAST_T.findall(inner)
            if len(runs) != inner.count(b"<t>") + inner.count(b"<t ") + inner.count(b"<t/>"):
                return None
            out.append("".join(_unescape(t) for t in runs))
    except (_NotCanonical, UnicodeDecodeError, KeyError):
        return None
    return out


def _parse_sheet(book: RawBook, name: str) -> RawSheet:
    part = book._targets[name]
    raw = _read_part(book._zip, part, book.path, book._budget)
    if b"!" in raw and _DOCTYPE.search(raw):
        _xml(raw, part, book.path)  # refuses with the usual message
    fast = _scan_sheet(book, raw) if FAST_SCAN else None
    if fast is not None:
        return RawSheet(name, book.states.get(name, "visible"), fast[1], fast[0])
    root = _xml(raw, part, book.path)
    cells: dict[tuple[int, int], RawCell] = {}
    shared = None
    # fast path: only cells that have content, all with an "r" reference (every
    # writer we know of writes it); otherwise walk every row and cell
    content = _CONTENT_CELLS(root)
    refs = [c.get("r") for c in content]
    data = None if all(refs) else root.find(M + "sheetData")
    if data is None:
        ref_cache = _REF_CACHE
        for c, ref in zip(content, refs):
            pos = ref_cache.get(ref) or _ref(ref)
            if pos is None:
                continue
            if len(c) == 1:  # the common case, inlined: one <v>, a shared string or a number
                ch = c[0]
                if ch.tag == _V:
                    t = c.get("t")
                    if t == "s":
                        if shared is None:
                            shared = book.shared_strings()
                        try:
                            cells[pos] = RawCell(shared[int(ch.text)], "s")
                            continue
                        except (TypeError, ValueError, IndexError):
                            pass
                    elif t is None or t == "n":
                        try:
                            cells[pos] = RawCell(float(ch.text), "n")
                            continue
                        except (TypeError, ValueError):
                            pass
            shared = _cell(book, c, pos, cells, shared)
    else:
        row_no = -1
        for row in data:
            if row.tag != _ROW:
                continue
            r_attr = row.get("r")
            row_no = int(r_attr) - 1 if r_attr and r_attr.isdigit() else row_no + 1
            col_no = -1
            for c in row:
                if c.tag != _C:
                    continue
                ref = c.get("r")
                if ref:
                    if not len(c):
                        continue  # a styled empty cell
                    pos = _ref(ref)
                    if pos is None:
                        continue
                    col_no = pos[1]
                else:
                    col_no += 1
                    pos = (row_no, col_no)
                    if not len(c):
                        continue
                shared = _cell(book, c, pos, cells, shared)
    prot = root.find(M + "sheetProtection")
    protected = prot is not None and prot.get("sheet", "0") in ("1", "true")
    return RawSheet(name, book.states.get(name, "visible"), protected, cells)


def _cell(book: RawBook, c, pos: tuple[int, int], cells: dict, shared):
    """Decode one <c> into cells[pos]; returns the shared-string table (loaded lazily)."""
    t = c.get("t")
    if len(c) == 1:  # the common case: just a value, or just a formula
        ch = c[0]
        tag = ch.tag
        if tag == _V:
            v = ch.text
            if t == "s":
                if shared is None:
                    shared = book.shared_strings()
                try:
                    cells[pos] = RawCell(shared[int(v)], "s")
                except (TypeError, ValueError, IndexError):
                    pass
                return shared
            if t is None or t == "n":
                try:
                    cells[pos] = RawCell(float(v), "n")
                except (TypeError, ValueError):
                    if v:
                        cells[pos] = RawCell(v, "s")
                return shared
    f_el = v_el = is_el = None
    for ch in c:
        tag = ch.tag
        if tag == _V:
            v_el = ch
        elif tag == _F:
            f_el = ch
        elif tag == _IS:
            is_el = ch
    formula = None
    if f_el is not None:
        formula = f_el.text or ""
    v = v_el.text if v_el is not None else None
    value: object = None
    typ = ""
    if t == "s":
        if shared is None:
            shared = book.shared_strings()
        try:
            value = shared[int(v)] if v is not None else None
        except (ValueError, IndexError):
            value = None
        typ = "s"
    elif t == "inlineStr":
        value = _text_of(is_el) if is_el is not None else ""
        typ = "s"
    elif t in ("str", "e"):
        value = v
        typ = "s" if t == "str" else "e"
    elif t == "b":
        value = v in ("1", "true")
        typ = "b"
    elif v is not None and v != "":
        try:
            value = float(v)
            typ = "n"
        except ValueError:
            value = v
            typ = "s"
    if value is None and f_el is None:
        return shared
    cells[pos] = RawCell(value, typ, formula, f_el is not None)
    return shared
