"""Which cells show a date or time: the number formats of a workbook's cell styles.

A number typed into a count is not valid when the cell shows it as a date (values.classify).
gkxl's templates have no date style at all, so the usual return pays for one small part
(styles.xml, its reading remembered by its stored bytes) and nothing per cell.
"""

from __future__ import annotations

import re

from .cells import ref_pos
from .xlsx import RawBook, parsed_part

# number formats that show a date or time: the built-in ids, and codes with date or time letters
# outside quotes, brackets and escapes ("yyyy-mm-dd", "m月d日", "h:mm")
_DATE_IDS = frozenset(range(14, 23)) | frozenset(range(27, 37)) | frozenset(range(45, 48)) | frozenset(range(50, 59))
_FMT_NOISE = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]|_.|\*.', re.I)
_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF = re.compile(rb'<(?:\w+:)?xf\b([^>]*)')
_XF_FMT = re.compile(rb'\bnumFmtId="(\d+)"')
_CELL_STYLE = re.compile(rb'<(?:\w+:)?c\b([^>]*)>')
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_DATE_XF_CACHE: dict[tuple, frozenset[int]] = {}  # styles.xml, by its stored bytes -> its date styles
_NONE: frozenset = frozenset()


def is_date_format(fmt_id: int, code: str | None) -> bool:
    """Whether a number format shows a date or a time."""
    if code is None:
        return fmt_id in _DATE_IDS
    if code.lower() == "general":
        return False
    bare = _FMT_NOISE.sub("", code.split(";")[0])
    return bool(re.search(r"[ymdhs]", bare, re.I))


def date_styles(book: RawBook) -> frozenset[int]:
    """Indexes of the cell styles that show a date or time (empty for gkxl's own workbooks)."""
    memo = book._memo
    out = memo.get("date_styles")
    if out is not None:
        return out
    names = book._zip.names
    part = "xl/styles.xml" if "xl/styles.xml" in names else next((n for n in names if n.endswith("styles.xml")), None)
    out = _NONE
    if part is not None:
        out = parsed_part(book._zip, part, book.path, book._budget, _DATE_XF_CACHE, _date_xfs)
    memo["date_styles"] = out
    return out


def _date_xfs(data: bytes) -> frozenset[int]:
    codes = {int(i): c.decode("utf-8", "replace").replace("&quot;", '"').replace("&amp;", "&")
             for i, c in _NUMFMT.findall(data)}
    m = _CELLXFS.search(data)
    found = set()
    for i, attrs in enumerate(_XF.findall(m.group(1)) if m else []):
        fm = _XF_FMT.search(attrs)
        fid = int(fm.group(1)) if fm else 0
        if is_date_format(fid, codes.get(fid)):
            found.add(i)
    return frozenset(found) if found else _NONE


def date_cells(book: RawBook, sheet: str) -> frozenset[tuple[int, int]]:
    """Cells of a sheet whose number format shows a date or time (usually none: no date style)."""
    key = ("dates", sheet)
    hit = book._memo.get(key)
    if hit is not None:
        return hit
    styles = date_styles(book)
    out: set[tuple[int, int]] = set()
    if styles:
        data = book.sheet_xml(sheet)
        for attrs in _CELL_STYLE.findall(data or b""):
            sm = _ATTR_S.search(attrs)
            if sm and int(sm.group(1)) in styles:
                rm = _ATTR_R.search(attrs)
                pos = ref_pos(rm.group(1).decode()) if rm else None
                if pos is not None:
                    out.add(pos)
    book._memo[key] = res = frozenset(out) if out else _NONE
    return res
