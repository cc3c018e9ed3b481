"""The fast scan: sheets, shared strings, the workbook part and custom properties in canonical
form, read with a few linear regular expressions and no tree.

Sheets as Excel, WPS, LibreOffice, openpyxl and xlsxwriter write them have one canonical
shape: default namespace, every <c> with an r="" reference, a <v> and maybe an <f>, or
openpyxl's plain inline string. Anything else -- a prefix, a comment, CDATA, rich inline
text, an unknown entity, an encoding other than UTF-8, a cell without a reference, a start
tag with no end -- gives None, and the part goes through lxml (xlsx.py) instead. Nothing
is ever expanded except XML's five predefined entities and character references. Every
reading here is proven equal to lxml's by tests/test_xlsx_scan.py and tests/test_shapes_scan.py.
"""

from __future__ import annotations

import re

from lxml import etree

from .cells import RawCell, unescape_named

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<worksheet\s[^>]*xmlns="'
                   + re.escape(NS_MAIN.encode()) + rb'"')
DECL_ENC = re.compile(rb'^(?:\xef\xbb\xbf)?<\?xml[^>]*encoding="(?!utf-8")', re.I)
# One cell with content. Attributes in the order every writer we know uses (r, s, t, then the
# rare cm/vm/ph); a cell in any other shape is not counted and so sends the sheet to lxml.
# Groups: 1 ref, 2 type; then one of: 3 a plain value; 4 a formula (as xlsxwriter, LibreOffice --
# aca="false" -- and Excel -- shared formulas -- write it: ">text</f>", or "/>" for a shared formula's
# other cells) and 5 its value; 6 an inline string (openpyxl), with its
# "</t>" so that an empty one is seen; 7 anything else. Possessive quantifiers: a styled empty
# cell (<c r="B1" s="4"/>, most of a sheet) fails at once, without backtracking.
_CELL = re.compile(rb'<c r="([A-Z]++[0-9]++)"(?: s="[0-9]++")?+(?: t="([a-zA-Z]++)")?+'
                   rb'(?: (?:cm|vm|ph)="[0-9]++")*+>(?:(?:<v>([^<]++)</v>)?</c>'
                   rb'|<f(?: aca="false"| t="shared"(?: ref="[A-Z]++[0-9]++(?::[A-Z]++[0-9]++)?+")?+ si="[0-9]++")?+'
                   rb'(>[^<]++</f>|/>)(?:<v>([^<]*+)</v>)?</c>'
                   rb'|<is><t(?: xml:space="preserve")?>([^<]*+</t>)</is></c>'
                   rb'|(.*?)</c>)', re.S)
# in a formula, any "&" must start one of the five named entities (then it is unescaped later, lazily)
_BAD_AMP = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)")
_OPEN_END = re.compile(rb'<c\s[^>]*(?<!/)>')
_ATTR = re.compile(rb'([A-Za-z:]+)="([^"]*)"')
_CHILD = re.compile(rb'<(v|f)(\s[^>]*?)?(?:/>|>([^<]*)</\1>)')
_PROT = re.compile(rb'<sheetProtection\b([^>]*)>')
_SST_HEAD = re.compile(rb'^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>\s*)?<sst\s[^>]*xmlns="'
                       + re.escape(NS_MAIN.encode()) + rb'"')
_SI_PLAIN = re.compile(rb'<si><t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)</si>')
_T = re.compile(rb'<t(?: xml:space="preserve")?(?:/>|>([^<]*)</t>)')
_PHONETIC = re.compile(rb'<rPh(?: [^>]*)?>(?:(?!</rPh>).)*</rPh>|<phoneticPr(?: [^>]*)?/>', re.S)
_NAMED = (b"&lt;", b"&gt;", b"&amp;", b"&quot;", b"&apos;")
# for one run of character data: no DTD, no entity but XML's own, no network (nothing else can be in it:
# the scan's patterns take no "<")
_TEXT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class NotCanonical(Exception):
    pass


class Memo(dict):
    """What was made of some bytes, kept for the next return (a form's labels, formulas and
    character references repeat in every one). Bounded: at most `limit` bytes of keys, then
    it starts again empty; a key longer than MEMO_KEY_BYTES is not kept."""

    __slots__ = ("size", "limit")

    def __init__(self, limit: int = 8 << 20) -> None:
        super().__init__()
        self.size = 0
        self.limit = limit

    def keep(self, key: bytes, value) -> None:
        cost = len(key) + 64
        if len(key) > MEMO_KEY_BYTES:
            return
        if self.size + cost > self.limit:
            self.clear()
        self[key] = value
        self.size += cost

    def clear(self) -> None:
        super().clear()
        self.size = 0


MEMO_KEY_BYTES = 16384
_UNESCAPED = Memo()  # character data -> its text
_SI_TEXT = Memo()  # one shared-string item ("<si>...", runs, phonetic guides and all) -> its text
_FORMULAS = Memo()  # a formula as the scan found it -> as RawCell keeps it
_INLINE = Memo()  # an inline string as the scan found it ("text</t>") -> its text
_REF_BYTES: dict[bytes, tuple[int, int] | None] = {}


def unescape(raw: bytes) -> str:
    """Text of character data: UTF-8 (else UnicodeDecodeError), the five named entities and
    character references; NotCanonical for any other entity (the XML parser refuses it) and
    for a carriage return (the parser makes CR LF one line feed)."""
    if b"&" not in raw:
        if b"\r" in raw:
            raise NotCanonical
        return raw.decode("utf-8")
    if b"\r" in raw:
        raise NotCanonical
    hit = _UNESCAPED.get(raw)
    if hit is not None:
        return hit
    if b"&#" in raw:  # character references (openpyxl writes every CJK character as one): libxml2 decodes them
        try:
            out = etree.fromstring(b"<t>" + raw + b"</t>", _TEXT_PARSER).text or ""
        except etree.XMLSyntaxError:
            raise NotCanonical from None  # an entity XML does not define, a character XML does not allow
    else:
        rest = raw
        for e in _NAMED:
            rest = rest.replace(e, b"")
        if b"&" in rest:
            raise NotCanonical
        out = unescape_named(raw.decode("utf-8"))
    _UNESCAPED.keep(raw, out)
    return out


def ref_bytes(ref: bytes) -> tuple[int, int] | None:
    from .cells import ref_pos

    pos = ref_pos(ref.decode("ascii"))
    if len(_REF_BYTES) < 200_000 and len(ref) <= 10:  # XFD1048576 at most
        _REF_BYTES[ref] = pos
    return pos


def _formula(fb: bytes) -> str | bytes:
    """A formula's text, or its checked bytes (UTF-8 with only named entities) to decode when asked."""
    if (b"&" in fb and _BAD_AMP.search(fb)) or b"\r" in fb:
        return unescape(fb)  # character references, or an entity the parser refuses (NotCanonical)
    if not fb.isascii():
        fb.decode("utf-8")  # UnicodeDecodeError: not canonical
    return fb


def _inline_text(group: bytes) -> str:
    """The text of the cell pattern's group 6 ("text</t>"), remembered (openpyxl writes every label inline)."""
    text = unescape(group[:-4])
    _INLINE.keep(group, text)
    return text


def _formula_of(group: bytes) -> str | bytes:
    """The formula of the cell pattern's group 4 (">text</f>", or "/>": a shared formula's other
    cells), remembered: a template's totals and status lines are the same in every return."""
    f = _formula(group[1:-4]) if group[0] == 62 else ""  # 62: ">"
    _FORMULAS.keep(group, f)
    return f


def _typed(t: bytes, v: bytes | None, shared) -> tuple[object, str]:
    """(value, type) of a cell of type t with value text v (None: no <v>); NotCanonical for a
    type the scan does not read itself (inlineStr without <is>, an unknown type)."""
    if t == b"s":
        if v is None:
            return None, "s"
        try:
            return shared[int(v)], "s"
        except (ValueError, IndexError, TypeError):
            return None, "s"  # no such string: lxml's reading has no value either
    if not t or t == b"n":
        if not v:
            return None, ""
        try:
            return float(v), "n"
        except ValueError:
            return unescape(v), "s"
    if t == b"str" or t == b"e":
        return (unescape(v) if v is not None else None), ("s" if t == b"str" else "e")
    if t == b"b":
        return v in (b"1", b"true"), "b"
    raise NotCanonical


def scan_sheet(data: bytes, shared_strings) -> tuple[dict, dict, bool] | None:
    """(values, extra, protected) as cells.RawSheet keeps them, or None when the part is not in
    canonical form. shared_strings() gives the book's shared strings (called only when used)."""
    if not _HEAD.match(data) or DECL_ENC.match(data):
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
    if _OPEN_END.search(body, max(last, 0)):
        return None  # a <c> start tag with no end after it: not well-formed
    found = _CELL.findall(body)  # cells with content; empty ones are <c .../>
    if len(found) != body.count(b"</c>"):
        return None  # some cell is in another shape (<c> without a reference too)
    values: dict[tuple[int, int], object] = {}
    extra: dict[tuple[int, int], RawCell] = {}
    shared = shared_strings() if b't="s"' in body else None
    ref_get = _REF_BYTES.get
    formula_get = _FORMULAS.get
    inline_get = _INLINE.get
    try:
        for ref, t, v, fb, fv, inline, other in found:
            if v:  # <v>value</v>: labels and numbers, nearly every cell
                pos = ref_get(ref) or ref_bytes(ref)
                if pos is None:
                    continue
                if t == b"s":
                    try:
                        values[pos] = shared[int(v)]  # type: ignore[index]
                    except (ValueError, IndexError, TypeError):
                        pass  # no such string: an empty cell, as lxml's reading gives
                elif not t or t == b"n":
                    try:
                        values[pos] = float(v)
                    except ValueError:
                        values[pos] = unescape(v)
                else:
                    value, typ = _typed(t, v, shared)
                    if typ == "e":
                        extra[pos] = RawCell(value, typ)
                    else:
                        values[pos] = value
            elif fb:  # <f>formula</f><v>value</v>: totals, status lines
                pos = ref_get(ref) or ref_bytes(ref)
                if pos is None:
                    continue
                f = formula_get(fb)
                if f is None:
                    f = _formula_of(fb)
                if fv and (not t or t == b"n"):  # a total
                    try:
                        extra[pos] = RawCell(float(fv), "n", f, True)
                        continue
                    except ValueError:
                        pass
                value, typ = _typed(t, fv or None, shared)
                extra[pos] = RawCell(value, typ, f, True)
            elif inline or other:
                pos = ref_get(ref) or ref_bytes(ref)
                if pos is None:
                    continue
                if t == b"inlineStr":
                    if other:
                        return None  # rich text or phonetic runs: lxml knows them
                    text = inline_get(inline)
                    if text is None:
                        text = _inline_text(inline)
                    values[pos] = text
                    continue
                if inline or b"<c" in other:
                    return None  # <is> in a cell of another type; a cell inside a cell
                v = f = None
                has_f = False
                for cm in _CHILD.finditer(other):
                    if cm.group(1) == b"v":
                        v = cm.group(3) or None  # <v></v> is no value, as lxml reads it
                    else:
                        has_f = True
                        f = _formula(cm.group(3)) if cm.group(3) else ""
                value, typ = _typed(t, v, shared)
                if has_f or typ == "e":
                    if value is not None or has_f:
                        extra[pos] = RawCell(value, typ, f, has_f)
                elif value is not None:
                    values[pos] = value
    except (NotCanonical, UnicodeDecodeError, KeyError):
        return None
    if extra and not values.keys().isdisjoint(extra):
        return None  # a cell written twice, once with a formula: lxml keeps whichever came last
    pm = _PROT.search(data, end)
    protected = False
    if pm is not None:
        protected = dict(_ATTR.findall(pm.group(1))).get(b"sheet", b"0") in (b"1", b"true")
    return values, extra, protected


def _si_text(item: bytes) -> str:
    """Text of one shared-string item ("<si>..." up to its "</si>"): plain, runs of <r><rPr/><t>
    as LibreOffice writes them, phonetic guides dropped (they are not part of the text);
    NotCanonical for anything else. Remembered: a form's labels are the same in every return."""
    if item[:4] != b"<si>":
        raise NotCanonical  # something between two items
    inner = item[4:]
    if b"<rPh" in inner or b"<phoneticPr" in inner:
        inner = _PHONETIC.sub(b"", inner)
    m = _T.fullmatch(inner)
    if m is not None:
        out = unescape(m.group(1) or b"")
    else:
        if b"<rPh" in inner or b"<si" in inner:
            raise NotCanonical
        runs = _T.findall(inner)
        if len(runs) != inner.count(b"<t>") + inner.count(b"<t ") + inner.count(b"<t/>"):
            raise NotCanonical
        out = "".join([unescape(t) for t in runs])
    _SI_TEXT.keep(item, out)
    return out


def scan_shared(data: bytes) -> list[str] | None:
    """Shared strings in canonical form -- plain <si><t> items (xlsxwriter, Excel), runs of
    <r><rPr/><t> (LibreOffice), phonetic guides (<rPh>, <phoneticPr/>, as Chinese- and
    Japanese-locale Excel writes them) dropped -- or None for lxml (comments, another
    encoding or namespace, whitespace between items). Processing instructions need no check:
    the parser drops them, and one inside an item is not in any pattern here."""
    if not _SST_HEAD.match(data) or DECL_ENC.match(data) or (b"!" in data and b"<!" in data):
        return None
    n_si = data.count(b"<si")  # every item, <si/> and <si attr=""> too: these match nothing below
    if n_si == 0:
        return []
    try:
        if b"<r>" not in data and b"<rPh" not in data and b"<phoneticPr" not in data:
            plain = _SI_PLAIN.findall(data)
            if len(plain) == n_si:  # xlsxwriter, Excel: no runs at all
                if b"\x00" in data:
                    return None  # not allowed in XML; the separator below must be free
                if b"&#" in data:
                    return [unescape(t) for t in plain]
                return unescape(b"\x00".join(plain)).split("\x00")  # one decode for all
        first = data.find(b"<si>")
        last = data.rfind(b"</si>")
        if first < 0 or last < first:
            return None
        items = data[first:last].split(b"</si>")
        if len(items) != n_si:
            return None
        out = list(map(_SI_TEXT.get, items))  # each item seen before (a label): its text, checked then
        if None in out:
            for i, text in enumerate(out):
                if text is None:
                    out[i] = _si_text(items[i])
    except (NotCanonical, UnicodeDecodeError, KeyError):
        return None
    tail = data[last + 5:]
    if b"<" in tail and not tail.lstrip().startswith(b"</sst>"):
        return None
    return out
