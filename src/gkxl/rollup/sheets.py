"""The roll-up's long lists streamed into its workbook.

汇总明细, 完成情况 and 来源 hold a row per summed return, per agency and per file: at a national
collection, millions of cells. xlsxwriter keeps every cell of a workbook in memory until it closes
(about 6 µs and a few hundred bytes a cell), so the workbook is rendered with each list's skeleton
only -- its header rows, column widths and formats, filter over the full range, frozen panes,
protection, print setup, and the rows after the list (合计, the per-region counts) -- and the list's
own rows are then streamed into that sheet's XML while the package is copied: a row at a time, strings
inline (`t="inlineStr"`, escaped the way xlsxwriter escapes them), numbers as xlsxwriter writes them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Iterable, Sequence
from xml.etree import ElementTree as ET

from ..form.layout import col_letter

CHUNK = 512  # rows per write into the compressed stream
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ROW = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::([A-Z]+)(\d+))?"/>')


@dataclass
class ListRows:
    """Rows to stream into a sheet the workbook writer left a skeleton of."""

    sheet: str
    first: int  # 0-based row of the first list row
    count: int  # how many rows `rows` yields
    ncols: int
    rows: Iterable[Sequence] = ()
    formats: list = field(default_factory=list)  # per column: an xlsxwriter Format (its index is known once closed)


def text(v: str) -> str:
    """A string as xlsxwriter writes it inline: XML-escaped, control characters as _xHHHH_."""
    if not _ESCAPE.search(v):
        return v
    v = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", v)
    v = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", v).replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rows_xml(lst: ListRows) -> Iterable[bytes]:
    """The list's <row> elements, CHUNK rows at a time."""
    styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in lst.formats]
    styles += [""] * (lst.ncols - len(styles))
    opens = [f'<c r="{col_letter(j)}' for j in range(lst.ncols)]
    strs = [f'{s} t="inlineStr"><is><t>' for s in styles]
    kept = [f'{s} t="inlineStr"><is><t xml:space="preserve">' for s in styles]  # leading or trailing space
    nums = [f"{s}><v>" for s in styles]
    search = _ESCAPE.search
    buf: list[str] = []
    add = buf.append
    for i, row in enumerate(lst.rows, start=lst.first + 1):
        n = str(i)
        add(f'<row r="{n}">')
        for o, st, kp, nu, v in zip(opens, strs, kept, nums, row):
            t = type(v)
            if t is float or t is int:
                add(f'{o}{n}"{nu}{v:.16G}</v></c>')
            elif v is None or v == "":
                continue
            elif t is str:
                head = kp if v[0].isspace() or v[-1].isspace() else st
                add(f'{o}{n}"{head}{text(v) if search(v) else v}</t></is></c>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                add(f'{o}{n}"{nu}{v:.16G}</v></c>')
            else:
                add(f'{o}{n}"{kp}{text(str(v))}</t></is></c>')
        add("</row>")
        if i % CHUNK == 0:
            yield "".join(buf).encode("utf-8")
            buf.clear()
    if buf:
        yield "".join(buf).encode("utf-8")


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package."""
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", _NS).findall("m:sheet", _NS):
        t = target[s.get(f"{{{_NS['r']}}}id")]
        out[s.get("name")] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def _split(xml: bytes, lst: ListRows) -> tuple[bytes, bytes]:
    """The skeleton's XML before and after where the list's rows go, its dimension covering them."""
    end = xml.index(b"</sheetData>")
    at = end
    for m in _ROW.finditer(xml, 0, end):
        if int(m.group(1)) > lst.first:
            at = m.start()
            break
    head, tail = xml[:at], xml[at:]
    m = _DIMENSION.search(head)
    if m and lst.count:
        col = m.group(1).decode() if m.group(1) else "A"
        row = int(m.group(2)) if m.group(2) else 1
        last_col = max(col, col_letter(lst.ncols - 1), key=lambda c: (len(c), c))
        ref = f'<dimension ref="A1:{last_col}{max(row, lst.first + lst.count)}"/>'.encode()
        head = head[:m.start()] + ref + head[m.end():]
    return head, tail


def stream_lists(book: bytes, lists: list[ListRows], compresslevel: int = 6, list_level: int = 1) -> bytes:
    """The package `book` with each list's rows streamed into its sheet (the other parts as they were).
    The lists are deflated at `list_level`: at 100,000 rows, level 1 takes a third of level 6's time for a
    file about a quarter larger."""
    zin = zipfile.ZipFile(io.BytesIO(book))
    parts = _sheet_parts(zin)
    by_part = {parts[lst.sheet]: lst for lst in lists if lst.count}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            lst = by_part.get(info.filename)
            zi = zipfile.ZipInfo(info.filename, info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi._compresslevel = compresslevel  # (what ZipFile's own compresslevel sets; ZipInfo has no public one)
            if lst is None:
                zout.writestr(zi, data)
                continue
            zi._compresslevel = list_level
            head, tail = _split(data, lst)
            with zout.open(zi, "w", force_zip64=True) as fh:
                fh.write(head)
                for chunk in _rows_xml(lst):
                    fh.write(chunk)
                fh.write(tail)
    return out.getvalue()
