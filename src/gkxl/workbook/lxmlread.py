"""The lxml reading of sheets and shared strings: every shape XML allows.

Used for any part the fast scan (fastscan.py) does not take, and by the tests as the
reference the fast scan must equal. The caller has refused DOCTYPEs and parsed the part
with entity expansion and network access off (xlsx._xml).
"""

from __future__ import annotations

from lxml import etree

from .cells import RawCell, ref_pos
from .fastscan import NS_MAIN

M = "{%s}" % NS_MAIN
_ROW, _C, _F, _V, _IS = M + "row", M + "c", M + "f", M + "v", M + "is"
_SI, _T, _RPH = M + "si", M + "t", M + "rPh"
_CONTENT_CELLS = etree.XPath("m:sheetData/m:row/m:c[*]", namespaces={"m": NS_MAIN})


def text_of(si: etree._Element) -> str:
    """Text of a shared string or inline string, without phonetic runs."""
    parts = []
    for el in si.iter(_T, _RPH):
        if el.tag == _RPH:
            continue
        parent = el.getparent()
        if parent is not None and parent.tag == _RPH:
            continue
        parts.append(el.text or "")
    return "".join(parts)


def shared_strings(root: etree._Element) -> list[str]:
    out = []
    for si in root:
        if si.tag != _SI:
            continue
        if len(si) == 1 and si[0].tag == _T:  # plain text: the usual case
            out.append(si[0].text or "")
        else:
            out.append(text_of(si))
    return out


def protected(root: etree._Element) -> bool:
    prot = root.find(M + "sheetProtection")
    return prot is not None and prot.get("sheet", "0") in ("1", "true")


def sheet_cells(root: etree._Element, shared_strings) -> dict[tuple[int, int], RawCell]:
    """Every cell with content; shared_strings() gives the book's table (called when first needed)."""
    cells: dict[tuple[int, int], RawCell] = {}
    loader = [None, shared_strings]
    # only cells that have content, all with an "r" reference (every writer we know of writes
    # it); otherwise walk every row and cell
    content = _CONTENT_CELLS(root)
    refs = [c.get("r") for c in content]
    data = None if all(refs) else root.find(M + "sheetData")
    if data is None:
        for c, ref in zip(content, refs):
            pos = ref_pos(ref)
            if pos is not None:
                _cell(c, pos, cells, loader)
        return cells
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
                pos = ref_pos(ref)
                if pos is None:
                    continue
                col_no = pos[1]
            else:
                col_no += 1
                pos = (row_no, col_no)
                if not len(c):
                    continue
            _cell(c, pos, cells, loader)
    return cells


def _shared(loader: list) -> list[str]:
    if loader[0] is None:
        loader[0] = loader[1]()
    return loader[0]


def _cell(c, pos: tuple[int, int], cells: dict, loader: list) -> None:
    """Decode one <c> into cells[pos]."""
    t = c.get("t")
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
        try:
            value = _shared(loader)[int(v)] if v is not None else None
        except (ValueError, IndexError):
            value = None
        typ = "s"
    elif t == "inlineStr":
        value = text_of(is_el) if is_el is not None else ""
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
        return
    cells[pos] = RawCell(value, typ, formula, f_el is not None)
